"""``--skip-invalid --rejected FILE``: the CLI loads the valid rows of a messy sheet on purpose,
says how many were loaded and rejected, and writes the rejected rows with their problems."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from matcher.io import REJECTED_COLUMNS, read_table, write_table

from .cli_runner import run
from .conftest import PARKS
from .test_partial_load import registry


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_validate_skip_invalid_writes_the_rejected_rows(monkeypatch, capsys, tmp_path, suffix):
    path, frame = registry(tmp_path)
    target = tmp_path / f"rejected{suffix}"
    code, _, err = run(
        monkeypatch, capsys, "validate", str(path), "--skip-invalid", "--rejected", str(target)
    )
    assert code == 0, err
    assert f"已载入 {len(frame) - 3} 行，拒绝 3 行" in err and str(target) in err
    back = read_table(target)
    assert list(back.columns) == [*frame.columns, *REJECTED_COLUMNS]
    assert back["原行号"].tolist() == ["4", "7", "9"]
    assert back["企业编号"].tolist() == ["E3", "E2", "E8"]
    assert back.loc[2, "问题列"] == "从业人数"
    assert back.loc[2, "问题值"].lstrip("'") == "-5"  # a leading - is neutralised for Excel
    assert back.loc[0, "应为"] and "校验" in back.loc[0, "应为"]


def test_rank_skip_invalid_ranks_the_valid_rows(monkeypatch, capsys, tmp_path):
    ents, _ = registry(tmp_path)
    parks = write_table(pd.DataFrame(PARKS), tmp_path / "parks.csv")
    target = tmp_path / "rejected.csv"
    args = ["rank", "--park", "P-AL", "--parks", str(parks), "--enterprises", str(ents)]
    code, out, err = run(
        monkeypatch, capsys, *args, "-f", "json", "--skip-invalid", "--rejected", str(target)
    )
    assert code == 0, err
    ranked = {row["enterprise_id"] for row in json.loads(out)}
    assert ranked and not ranked & {"E3", "E8"}  # rejected rows are not ranked
    assert "parks.csv：已载入 2 行，拒绝 0 行" in err
    assert "registry.csv：已载入" in err and "拒绝 3 行" in err
    assert read_table(target)["原行号"].tolist() == ["4", "7", "9"]


def test_default_stays_all_or_nothing_and_writes_nothing(monkeypatch, capsys, tmp_path):
    ents, _ = registry(tmp_path)
    parks = write_table(pd.DataFrame(PARKS), tmp_path / "parks.csv")
    args = ["rank", "--park", "P-AL", "--parks", str(parks), "--enterprises", str(ents)]
    code, out, err = run(monkeypatch, capsys, *args)
    assert code == 1 and out == ""
    assert "共 3 个问题" in err and "第4行" in err and "第9行" in err
    assert not list(tmp_path.glob("rejected*"))


def test_skip_invalid_needs_a_rejected_file(monkeypatch, capsys, tmp_path):
    path, _ = registry(tmp_path)
    code, _, err = run(monkeypatch, capsys, "validate", str(path), "--skip-invalid")
    assert code == 2 and "--rejected" in err
    code, _, err = run(monkeypatch, capsys, "validate", str(path), "--rejected", "r.xlsx")
    assert code == 2 and "--skip-invalid" in err
    assert not list(tmp_path.glob("r*.xlsx"))


def test_broken_lines_are_reported_by_line_number(monkeypatch, capsys, tmp_path):
    path = tmp_path / "enterprises.csv"
    path.write_text(
        "企业编号,企业名称,经营范围\nE1,甲铝业有限公司,铝材\nE2,乙公司,铝,材,多\nE3,丙公司,铝箔\n",
        encoding="utf-8",
    )
    code, _, err = run(monkeypatch, capsys, "validate", str(path))
    assert code == 1 and "第3行" in err and "无法解析" in err
    target = tmp_path / "rejected.xlsx"
    code, _, err = run(
        monkeypatch, capsys, "validate", str(path), "--skip-invalid", "--rejected", str(target)
    )
    assert code == 0 and "已载入 2 行，拒绝 1 行" in err
    back = read_table(target)
    assert back["原行号"].tolist() == ["3"] and back.loc[0, "问题值"] == "E2,乙公司,铝,材,多"
