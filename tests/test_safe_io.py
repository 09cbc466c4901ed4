"""Safe writing (no live formulas, no control characters) and bounded, strict reading.

Regression tests of issue 10's defects 2, 3, 5, 6 and 9 at the library level: every writer of the
package goes through :func:`matcher.safe_cell`, and :func:`matcher.read_table` refuses blank or
duplicate headers and files beyond its :class:`matcher.ReadLimits`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from matcher import Matcher, SchemaError, load_enterprises
from matcher.allocation import allocate
from matcher.chains import chain_report
from matcher.features import ChainFeature, default_families
from matcher.io import ReadLimits, read_table, safe_cell, validate_tenants, write_table

from .cli_runner import run
from .conftest import ENTERPRISES, PARKS

FORMULA_START = "=+-@＝＋－＠"
HOSTILE_NAME = '=HYPERLINK("http://evil.example","点我")'


def _visible_start(text: str) -> str:
    return text.lstrip(" \t\n\r\u3000\u200b\u200c\u200d\u2060\ufeff")[:1]


def _assert_safe_workbook(path: Path | io.BytesIO) -> list[str]:
    """Every cell of every sheet is a value (no formula), no control characters, and text
    whose first visible character starts a formula begins with an apostrophe."""
    texts = []
    for sheet in load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    text = cell.value
                    texts.append(text)
                    assert not any(ord(c) < 32 and c not in "\t\n" for c in text), repr(text)
                    if _visible_start(text) and _visible_start(text) in FORMULA_START:
                        assert text.startswith("'"), repr(text)
    return texts


def _hostile_enterprises() -> pd.DataFrame:
    frame = pd.DataFrame(ENTERPRISES)
    frame.loc[0, "name"] = HOSTILE_NAME
    frame.loc[1, "name"] = "恒达\x01铝业\x1f有限公司"  # control characters (defect 2)
    frame.loc[2, "name"] = "\u200b+速冻食品"
    return frame


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("＝1+1", "'＝1+1"),
        (" =1+1", "' =1+1"),
        ("\u3000@A1", "'\u3000@A1"),
        ("\u200b-1", "'\u200b-1"),
        ("\n=1", "'\n=1"),
        ("\tx", "'\tx"),
        ("a\x00b\x07c\x1bd\x7f", "abcd"),
        ("多行\n备注\t保留", "多行\n备注\t保留"),
        ("铝型材", "铝型材"),
        (-2.5, -2.5),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_write_table_neutralises_csv_and_xlsx_but_keeps_parquet(tmp_path):
    frame = pd.DataFrame({"name": [HOSTILE_NAME, "a\x01b", "ok"], "score": [-1.5, 2.0, 3.0]})
    xlsx = write_table(frame, tmp_path / "t.xlsx")
    texts = _assert_safe_workbook(xlsx)
    assert "'" + HOSTILE_NAME in texts and "ab" in texts
    assert load_workbook(xlsx).active["B2"].value == -1.5  # numbers stay numbers
    raw = (tmp_path / "t.csv").name
    write_table(frame, tmp_path / raw)
    rows = list(csv.reader(io.StringIO((tmp_path / raw).read_text(encoding="utf-8-sig"))))
    assert rows[1] == ["'" + HOSTILE_NAME, "-1.5"]
    back = pd.read_parquet(write_table(frame, tmp_path / "t.parquet"))
    assert back["name"].tolist() == frame["name"].tolist()  # data, not a spreadsheet
    write_table(frame, tmp_path / "raw.csv", safe=False)
    assert HOSTILE_NAME.replace('"', '""') in (tmp_path / "raw.csv").read_text("utf-8-sig")


@pytest.fixture(scope="module")
def hostile_matcher():
    families = [*default_families(), ChainFeature()]
    tenants = pd.DataFrame(
        {"park_id": ["P-AL"], "enterprise_id": [ENTERPRISES[-1]["enterprise_id"]]}
    )
    return Matcher(families=families).fit(pd.DataFrame(PARKS), _hostile_enterprises(), tenants)


def test_chain_report_and_allocation_excel_are_safe(hostile_matcher, tmp_path):
    report = chain_report(hostile_matcher, "P-AL", k=5)
    _assert_safe_workbook(report.to_excel(tmp_path / "chain.xlsx"))
    allocation = allocate(hostile_matcher, ["P-AL", "P-FOOD"], candidates=10)
    texts = _assert_safe_workbook(allocation.to_excel(tmp_path / "allocation.xlsx"))
    assert "'" + HOSTILE_NAME in texts


def test_cli_rank_xlsx_and_csv_with_hostile_names(monkeypatch, capsys, tmp_path):
    """Defects 2 and 3: ``parkmatch rank --format xlsx`` used to fail on a control character and
    to write live formulas; CSV on stdout and in a file held them verbatim."""
    parks = write_table(pd.DataFrame(PARKS), tmp_path / "parks.csv", safe=False)
    ents = write_table(_hostile_enterprises(), tmp_path / "enterprises.csv", safe=False)
    common = ["rank", "--parks", str(parks), "--enterprises", str(ents), "--park", "P-AL"]
    common += ["--include-ineligible", "--top", "20"]
    target = tmp_path / "leads.xlsx"
    code, _, err = run(monkeypatch, capsys, *common, "--format", "xlsx", "-o", str(target))
    assert code == 0, err
    texts = _assert_safe_workbook(target)
    assert "'" + HOSTILE_NAME in texts
    assert any(t.startswith("恒达铝业") for t in texts)
    code, out, err = run(monkeypatch, capsys, *common, "--format", "csv")
    assert code == 0, err
    names = [row[2] for row in csv.reader(io.StringIO(out))][1:]
    assert "'" + HOSTILE_NAME in names
    assert all(not any(ord(c) < 32 for c in n) for n in names)
    target = tmp_path / "leads.csv"
    code, _, err = run(monkeypatch, capsys, *common, "--format", "csv", "-o", str(target))
    assert code == 0, err
    assert "'" + HOSTILE_NAME.replace('"', '""') in target.read_text(encoding="utf-8-sig")


# ---------------------------------------------------------------------------- reading
def test_tenant_pairs_never_collide_by_string_joining():
    """Defect 1: park 1 + enterprise 23 and park 12 + enterprise 3 are two pairs."""
    tenants = pd.DataFrame({"park_id": ["1", "12"], "enterprise_id": ["23", "3"]})
    parks = pd.DataFrame({"park_id": ["1", "12"]})
    ents = pd.DataFrame({"enterprise_id": ["23", "3"]})
    out = validate_tenants(tenants, parks=parks, enterprises=ents)
    assert len(out) == 2
    twice = pd.concat([tenants, tenants.iloc[[1]]], ignore_index=True)
    with pytest.raises(SchemaError) as err:
        validate_tenants(twice, parks=parks, enterprises=ents)
    [problem] = err.value.problems
    assert problem.row == 4 and "第3行" in problem.message and problem.value == "12 / 3"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("enterprise_id,name,enterprise_id", "表头重复"),
        ("enterprise_id,name,name", "表头重复"),
        ("enterprise_id,name ,name", "表头重复"),
        ("enterprise_id,,name", "表头为空"),
    ],
)
def test_duplicate_and_blank_headers_are_problems(tmp_path, header, message):
    path = tmp_path / "e.csv"
    path.write_text(f"{header}\nE1,甲,乙\n", encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        read_table(path)
    assert any(message in p.message and p.row == 1 for p in err.value.problems)


def test_duplicate_headers_in_xlsx_and_empty_trailing_columns(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["enterprise_id", "name", "name"])
    ws.append(["E1", "甲", "乙"])
    wb.save(tmp_path / "dup.xlsx")
    with pytest.raises(SchemaError, match="表头重复"):
        read_table(tmp_path / "dup.xlsx")
    path = tmp_path / "trailing.csv"
    path.write_text("enterprise_id,name,\nE1,甲,\n", encoding="utf-8")
    assert list(read_table(path).columns) == ["enterprise_id", "name"]


def test_utf16_without_bom_is_read(tmp_path):
    """Defect 9: UTF-16 without a BOM used to be reported as a missing column."""
    frame = pd.DataFrame(ENTERPRISES)
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(frame.to_csv(index=False).encode(encoding))
        assert load_enterprises(path)["enterprise_id"].tolist() == frame["enterprise_id"].tolist()


def test_limits_rows_columns_cells_and_decompressed_size(tmp_path):
    """Defect 5: every bound is a clear problem, found before the expensive work."""
    limits = ReadLimits(max_rows=3, max_columns=4, max_cell_chars=10)
    path = tmp_path / "rows.csv"
    path.write_text("a,b\n" + "1,2\n" * 4, encoding="utf-8")
    with pytest.raises(SchemaError, match="行数"):
        read_table(path, limits=limits)
    path.write_text("a,b,c,d,e\n1,2,3,4,5\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="列数"):
        read_table(path, limits=limits)
    path.write_text("a,b\n1," + "长" * 11 + "\n", encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        read_table(path, limits=limits)
    [problem] = err.value.problems
    assert (problem.row, problem.column, problem.message) == (2, "b", "单元格过长")
    bomb = tmp_path / "bomb.xlsx"
    wb = Workbook()
    wb.active.append(["a", "b"])
    for _ in range(200):
        wb.active.append(["1", "x" * 2_000])
    wb.save(bomb)
    assert bomb.stat().st_size < 20_000
    with pytest.raises(SchemaError, match="解压后的大小"):
        read_table(bomb, limits=ReadLimits(max_decompressed_bytes=100_000))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.xlsx", b"PK\x03\x04 not really a zip"),
        ("text.xlsx", "enterprise_id,name\nE1,甲\n".encode()),
        ("ragged.csv", b'a,b\n1,2\n3,"4\n'),
        ("binary.csv", b"\x00\x01\x02\x03" * 100 + b"\xff\xfe\xfd"),
        ("bad.parquet", b"PAR1 nope"),
    ],
)
def test_unreadable_files_never_show_exception_names(tmp_path, name, content):
    """Defect 9: messages are Chinese and actionable, not ``BadZipFile: …``."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SchemaError) as err:
        read_table(path)
    text = str(err.value)
    for word in ("Error", "Exception", "BadZip", "Traceback"):
        assert word not in text, text
    assert "无法读取文件" in text


def test_zip_with_lying_sizes_is_refused(tmp_path):
    path = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 2_000_000)
    with pytest.raises(SchemaError, match="解压后的大小"):
        read_table(path, limits=ReadLimits(max_decompressed_bytes=1_000_000))
