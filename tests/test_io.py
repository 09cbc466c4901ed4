"""Reading CSV in several encodings, XLSX and Parquet; all-or-nothing loading."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher import SchemaError, load_enterprises, load_parks
from matcher.io import ENTERPRISE_COLUMNS, read_table, write_table

from .conftest import ENTERPRISES, PARKS

ZH = {c.name: c.zh for c in ENTERPRISE_COLUMNS}


def _csv(frame: pd.DataFrame, path: Path, encoding: str) -> Path:
    path.write_bytes(frame.to_csv(index=False).encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    frame = pd.DataFrame(ENTERPRISES).rename(columns=ZH)
    if encoding == "gbk":  # GBK cannot hold every character of the fixtures' 繁體 rows
        frame = frame[frame["企业编号"] != "E2"]
    path = _csv(frame, tmp_path / "企业.csv", encoding)
    loaded = load_enterprises(path)
    assert loaded.loc[0, "name"] == "巩义市恒达铝业有限公司"
    assert loaded.loc[0, "industry_code"] == "3252"


def test_xlsx_and_parquet_round_trip(tmp_path: Path) -> None:
    frame = pd.DataFrame(ENTERPRISES)
    a = load_enterprises(write_table(frame.rename(columns=ZH), tmp_path / "e.xlsx"))
    b = load_enterprises(write_table(frame, tmp_path / "e.parquet"))
    c = load_enterprises(write_table(frame, tmp_path / "e.csv"))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


def test_codes_keep_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("enterprise_id,name,industry_code\n001,甲,0111\n", encoding="utf-8")
    frame = load_enterprises(path)
    assert frame.loc[0, "enterprise_id"] == "001"
    assert frame.loc[0, "industry_code"] == "0111"


def test_tab_and_semicolon_delimiters(tmp_path: Path) -> None:
    path = tmp_path / "p.tsv"
    path.write_text("park_id\tname\tleading_industries\nP\t园\t3252;3392\n", encoding="utf-8")
    assert load_parks(path).loc[0, "leading_industries"] == "3252;3392"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "文件不存在"),
        ("empty.csv", b"", "文件为空"),
        ("bad.xlsx", b"not a zip", "无法读取文件"),
        ("notes.docx", b"x", "不支持的文件类型"),
        ("binary.csv", b"\xff\x00\xfe\x81\x00\x00\xd8", "无法读取文件"),
    ],
)
def test_unreadable_files_raise_schema_error(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SchemaError, match=message) as exc:
        load_enterprises(path)
    assert exc.value.problems[0].file == name


def test_read_table_returns_strings(tmp_path: Path) -> None:
    path = write_table(pd.DataFrame(PARKS), tmp_path / "p.xlsx")
    frame = read_table(path)
    assert frame.loc[0, "available_sqm"] == "50000"
    assert frame.map(lambda v: v is None or isinstance(v, str)).all().all()
