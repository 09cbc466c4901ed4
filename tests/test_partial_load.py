"""Partial loads on purpose: ``errors="skip"`` keeps the valid rows and rejects the others with
their problems; all-or-nothing stays the default; lines that do not parse are reported."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher import SchemaError
from matcher.io import (
    REJECTED_COLUMNS,
    LoadResult,
    keep_valid,
    load_enterprises,
    load_events,
    load_parks,
    load_tenants,
    read_rows,
    read_table,
    validate_parks,
    validate_tenants,
)
from matcher.reference.creditcode import credit_code_check_digit

from .conftest import ENTERPRISES, PARKS


def credit(seq: int) -> str:
    first17 = f"91410100MA{seq:07d}"
    return first17 + credit_code_check_digit(first17)


def wrong_check_digit(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


def registry(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """An enterprises CSV with Chinese headers: 8 good rows, a wrong check digit (row 4), a
    duplicate id (row 7), a negative employee count (row 9)."""
    frame = pd.DataFrame(ENTERPRISES).rename(
        columns={"enterprise_id": "企业编号", "name": "企业名称", "employees": "从业人数"}
    )
    frame["统一社会信用代码"] = [credit(i) for i in range(len(frame))]
    frame.loc[2, "统一社会信用代码"] = wrong_check_digit(frame.loc[2, "统一社会信用代码"])
    frame.loc[5, "企业编号"] = frame.loc[1, "企业编号"]
    frame.loc[7, "从业人数"] = "-5"
    path = tmp_path / "registry.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path, frame


def test_default_stays_all_or_nothing(tmp_path) -> None:
    path, _ = registry(tmp_path)
    with pytest.raises(SchemaError) as caught:
        load_enterprises(path)
    assert {p.row for p in caught.value.problems} == {4, 7, 9}


def test_skip_loads_the_valid_rows_and_rejects_the_others_with_their_problems(tmp_path) -> None:
    path, frame = registry(tmp_path)
    result = load_enterprises(path, errors="skip")
    assert isinstance(result, LoadResult)
    assert (result.n_loaded, result.n_rejected) == (len(frame) - 3, 3)
    assert result.n_loaded + result.n_rejected == len(frame)  # nothing dropped silently
    assert list(result.rows) == [r for r in range(2, len(frame) + 2) if r not in (4, 7, 9)]
    assert set(result.data["enterprise_id"]) == set(frame["企业编号"]) - {"E3", "E8"}
    assert list(result.data["enterprise_id"]).count("E2") == 1  # the first E2 kept
    rejected = result.rejected
    assert list(rejected.columns) == [*frame.columns, *REJECTED_COLUMNS]
    assert list(rejected["原行号"]) == [4, 7, 9]
    by_row = rejected.set_index("原行号")
    assert by_row.loc[4, "统一社会信用代码"] == frame.loc[2, "统一社会信用代码"]
    assert by_row.loc[4, "问题列"] == "统一社会信用代码"
    assert by_row.loc[4, "问题值"] == frame.loc[2, "统一社会信用代码"]
    assert "校验" in by_row.loc[4, "应为"]
    assert "编号重复" in by_row.loc[7, "问题"] and by_row.loc[7, "企业编号"] == "E2"
    assert by_row.loc[9, "问题列"] == "从业人数" and by_row.loc[9, "问题值"] == "-5"
    assert [p.row for p in result.problems] == [4, 7, 9]
    assert f"已载入 {len(frame) - 3} 行，拒绝 3 行" in result.summary()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_rejected_rows_can_be_fixed_and_imported_again(tmp_path, suffix) -> None:
    path, frame = registry(tmp_path)
    result = load_enterprises(path, errors="skip")
    written = result.write_rejected(tmp_path / f"rejected{suffix}")
    back = read_table(written)
    assert list(back.columns) == [*frame.columns, *REJECTED_COLUMNS]
    assert back["原行号"].tolist() == ["4", "7", "9"]
    fixed = back.copy()
    fixed.loc[0, "统一社会信用代码"] = credit(2)
    fixed.loc[1, "企业编号"] = "E2-b"
    fixed.loc[2, "从业人数"] = "5"
    fixed.to_csv(tmp_path / "fixed.csv", index=False)
    again = load_enterprises(tmp_path / "fixed.csv")  # the problem columns are not data
    assert list(again["enterprise_id"]) == ["E3", "E2-b", "E8"]
    assert not set(REJECTED_COLUMNS) & set(again.columns)


def test_a_problem_of_the_whole_file_still_raises(tmp_path) -> None:
    path, frame = registry(tmp_path)
    frame.drop(columns=["企业名称"]).to_csv(path, index=False)
    with pytest.raises(SchemaError, match="缺少必填列"):
        load_enterprises(path, errors="skip")


def test_broken_lines_are_reported_with_their_line_numbers(tmp_path) -> None:
    path = tmp_path / "parks.csv"
    header = ",".join(PARKS[0])
    good = [",".join(str(v) for v in park.values()) for park in PARKS]
    shifted = good[0].replace("P-AL", "P-X").replace("铝板带箔、", "铝板带箔,")  # one field more
    path.write_text("\n".join([header, good[0], shifted, good[1], "P-Y,园,,,,,,,,,,,"]) + "\n")
    with pytest.raises(SchemaError) as caught:  # default: refused, every broken line named
        load_parks(path)
    assert [(p.row, p.value is not None) for p in caught.value.problems] == [(3, True), (5, True)]
    assert all("无法解析" in p.message for p in caught.value.problems)
    with pytest.raises(SchemaError):
        read_table(path)
    result = load_parks(path, errors="skip")
    assert list(result.data["park_id"]) == ["P-AL", "P-FOOD"]
    assert list(result.rows) == [2, 4]
    assert list(result.rejected["原行号"]) == [3, 5]
    assert result.rejected.loc[0, "问题值"] == shifted
    assert result.rejected["park_id"].isna().all()  # not guessed into columns
    raw = read_rows(path)
    assert (raw.n_loaded, raw.n_rejected) == (2, 2)


def test_keep_valid_works_on_frames_with_any_validator(parks_raw) -> None:
    raw = pd.concat([parks_raw, parks_raw.assign(park_id=["P-3", None])], ignore_index=True)
    result = keep_valid(raw, validate_parks, file="parks.xlsx")
    assert list(result.data["park_id"]) == ["P-AL", "P-FOOD", "P-3"]
    assert list(result.rejected["原行号"]) == [5]
    assert result.problems[0].file == "parks.xlsx"
    ids = pd.DataFrame({"park_id": ["P-AL"]})
    tenants = pd.DataFrame({"park_id": ["P-AL", "P-NO"], "enterprise_id": ["E1", "E1"]})
    kept = keep_valid(tenants, validate_tenants, parks=ids)
    assert (kept.n_loaded, kept.n_rejected) == (1, 1)
    assert "编号不在园区表中" in kept.rejected.loc[0, "问题"]


def test_tenants_and_events_loaders_take_errors(tmp_path, parks, enterprises) -> None:
    tenants = tmp_path / "tenants.csv"
    tenants.write_text("园区编号,企业编号\nP-AL,E1\nP-AL,\n", encoding="utf-8")
    assert load_tenants(tenants, errors="skip").n_rejected == 1
    events = tmp_path / "events.csv"
    events.write_text(
        "企业编号,事件类型,日期\nE1,融资,2024-01-02\nE404,融资,2024-01-02\nE1,融资,明天\n",
        encoding="utf-8",
    )
    result = load_events(events, enterprises=enterprises, errors="skip")
    assert (result.n_loaded, result.n_rejected) == (1, 2)
    assert list(result.rejected["原行号"]) == [3, 4]
    with pytest.raises(ValueError, match="errors"):
        load_events(events, errors="ignore")  # type: ignore[call-overload]
