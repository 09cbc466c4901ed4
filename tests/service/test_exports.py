"""Exports: CSV and XLSX with Chinese headers, safe against formula injection."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from matcher.io import safe_cell

from .conftest import ZHANG, wait_index

FORMULA_PREFIXES = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\n")

HOSTILE = {
    "enterprise_id": "X1",
    "name": '=HYPERLINK("http://evil.example","点我")',
    "industry_code": "3252",
    "business_scope": "铝板带箔、铝型材的生产与销售",
    "county": "巩义市",
    "city": "郑州市",
    "province": "河南省",
}


@pytest.fixture
def hostile_client(client):
    assert client.post("/enterprises", json=HOSTILE, headers=ZHANG).status_code == 201
    note = {"status": "contacted", "owner": "@admin", "note": "-2+3 记得回访"}
    assert client.put("/parks/P-AL/leads/X1", json=note, headers=ZHANG).status_code == 200
    wait_index(client)
    return client


def _visible_start(text: str) -> str:
    return text.lstrip(" \t\n\r\u3000\u200b\u200c\u200d\u2060\ufeff")[:1]


def test_hostile_owner_and_note_values_are_neutralised_in_both_formats(client):
    """Defect 3: leading space, newline, full-width ＝, ideographic or zero-width space, and
    control characters (defect 2: every XLSX export with such a row used to fail with 500)."""
    hostile = [
        " =1+1",
        "\n=1+1",
        "＝1+1",
        "\u3000@SUM(A1)",
        "\u200b-2+3",
        "张三\x01\x1f",
        "\t+1",
    ]
    for i, value in enumerate(hostile):
        body = {"status": "contacted", "owner": value, "note": f"备注\x02{value}"}
        r = client.put(f"/parks/P-AL/leads/E{i + 1}", json=body, headers=ZHANG)
        assert r.status_code == 200, r.text
    r = client.get(
        "/exports/parks/P-AL/leads", params={"format": "xlsx", "include_ineligible": True}
    )
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in sheet[1]]
    owners = [row[header.index("负责人")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    notes = [row[header.index("备注")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    texts = [t for t in owners + notes if t]
    assert len(texts) == 2 * len(hostile)
    for text in texts:
        assert not any(ord(ch) < 32 and ch not in "\t\n" for ch in text), repr(text)
        if _visible_start(text) in "=+-@＝＋－＠" or text[:1] in "\t\n":
            assert text.startswith("'"), repr(text)
    assert "张三" in owners
    r = client.get(
        "/exports/parks/P-AL/leads", params={"format": "csv", "include_ineligible": True}
    )
    frame = pd.read_csv(
        io.BytesIO(r.content), encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    for text in [t for t in frame["负责人"].tolist() + frame["备注"].tolist() if t]:
        assert not (_visible_start(text) in "=+-@＝＋－＠" and not text.startswith("'")), repr(text)


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_safe_cell_neutralises_every_formula_prefix(prefix):
    assert safe_cell(f"{prefix}1+1") == f"'{prefix}1+1"
    if prefix.strip():  # a formula character behind blanks and zero-width characters
        assert safe_cell(f" \u3000\u200b{prefix}1") == f"' \u3000\u200b{prefix}1"
    assert safe_cell("铝型材") == "铝型材"
    assert safe_cell(-3.5) == -3.5


def test_csv_export_has_chinese_headers_and_escaped_cells(hostile_client):
    r = hostile_client.get("/exports/parks/P-AL/leads", params={"format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 correctly
    frame = pd.read_csv(io.BytesIO(r.content), encoding="utf-8-sig", dtype=str)
    assert list(frame.columns[:5]) == ["排名", "企业编号", "企业名称", "匹配分", "符合入驻条件"]
    assert {"产业匹配（分）", "跟进状态", "负责人", "备注", "推荐理由"} <= set(frame.columns)
    row = frame.set_index("企业编号").loc["X1"]
    assert row["企业名称"] == "'" + HOSTILE["name"]
    assert (row["负责人"], row["备注"], row["跟进状态"]) == ("'@admin", "'-2+3 记得回访", "已联系")
    for column in frame.columns:
        texts = frame[column].dropna()
        assert not texts.map(lambda t: _visible_start(t) in "=+-@＝＋－＠").any(), column
    leads = hostile_client.get("/parks/P-AL/leads", params={"limit": 200}).json()
    assert frame["企业编号"].tolist() == [d["enterprise_id"] for d in leads["data"]]


def test_xlsx_export_writes_text_never_formulas(hostile_client):
    r = hostile_client.get("/exports/parks/P-AL/leads", params={"format": "xlsx"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("排名", "企业编号", "企业名称")
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type != "f" for c in cells)
    names = {r[1]: r[2] for r in rows[1:]}
    assert names["X1"] == "'" + HOSTILE["name"]
    assert isinstance(rows[1][3], float)  # scores stay numbers


def test_export_applies_the_same_filters_rows_and_404s(client):
    r = client.get("/exports/parks/P-AL/leads", params={"format": "xlsx", "rows": 2})
    assert len(list(load_workbook(io.BytesIO(r.content)).active.iter_rows())) == 1 + 2
    r = client.get("/exports/parks/P-AL/leads", params={"format": "csv", "county": "荥阳市"})
    frame = pd.read_csv(io.BytesIO(r.content), encoding="utf-8-sig", dtype=str)
    assert set(frame["区县"]) == {"荥阳市"}
    assert client.get("/exports/parks/NOPE/leads").status_code == 404
    assert client.get("/exports/parks/P-AL/leads", params={"format": "pdf"}).status_code == 422
