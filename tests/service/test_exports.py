"""Exports: CSV and XLSX with Chinese headers, safe against formula injection."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from service.exporting import FORMULA_PREFIXES, escape_cell

from .conftest import ZHANG, wait_index

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


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_escape_cell_neutralises_every_formula_prefix(prefix):
    assert escape_cell(f"{prefix}1+1") == f"'{prefix}1+1"
    assert escape_cell("铝型材") == "铝型材"
    assert escape_cell(-3.5) == -3.5


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
        assert not texts.str.startswith(FORMULA_PREFIXES).any(), column
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
