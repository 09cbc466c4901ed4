"""The parkmatch command line, end to end: output formats, validation reports, clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from matcher.io import write_table

from .cli_runner import run
from .conftest import ENTERPRISES, PARKS


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    parks = write_table(pd.DataFrame(PARKS), tmp_path / "parks.csv")
    ents = write_table(pd.DataFrame(ENTERPRISES), tmp_path / "enterprises.xlsx")
    return parks, ents


def test_rank_table_on_sample(monkeypatch, capsys) -> None:
    code, out, err = run(monkeypatch, capsys, "rank", "--park", "GY-LZ-AL", "--top", "3")
    assert code == 0, err
    assert "铝" in out and "推荐理由" in out
    assert "产业匹配" in out


def test_rank_json_from_files(monkeypatch, capsys, files) -> None:
    parks, ents = files
    code, out, err = run(
        monkeypatch,
        capsys,
        "rank",
        "--parks",
        str(parks),
        "--enterprises",
        str(ents),
        "--park",
        "P-AL",
        "--top",
        "3",
        "--format",
        "json",
    )
    assert code == 0, err
    records = json.loads(out)
    assert [r["rank"] for r in records] == [1, 2, 3]
    assert records[0]["enterprise_id"] == "E1"
    assert isinstance(records[0]["reasons"], list) and records[0]["reasons"][0].startswith(
        "产业匹配"
    )


def test_rank_parks_csv_and_xlsx(monkeypatch, capsys, files, tmp_path) -> None:
    parks, ents = files
    common = ["rank", "--parks", str(parks), "--enterprises", str(ents), "--enterprise", "E3"]
    code, out, err = run(monkeypatch, capsys, *common, "--format", "csv")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("排名,园区编号,名称,得分")
    assert lines[1].split(",")[1] == "P-FOOD"
    target = tmp_path / "out" / "leads.xlsx"
    code, _, err = run(monkeypatch, capsys, *common, "--format", "xlsx", "--output", str(target))
    assert code == 0, err
    assert pd.read_excel(target)["园区编号"].tolist() == ["P-FOOD", "P-AL"]


def test_weights_and_include_ineligible(monkeypatch, capsys, files) -> None:
    parks, ents = files
    code, out, _ = run(
        monkeypatch,
        capsys,
        "rank",
        "--parks",
        str(parks),
        "--enterprises",
        str(ents),
        "--park",
        "P-AL",
        "--top",
        "20",
        "--format",
        "csv",
        "--include-ineligible",
        "--weights",
        "location=1,industry=0,text=0,capacity=0,quality=0",
    )
    assert code == 0
    rows = out.splitlines()[1:]
    assert len(rows) == 9
    code, _, err = run(monkeypatch, capsys, "rank", "--park", "GY-LZ-AL", "--weights", "colour=1")
    assert code == 1 and "未知的评分维度" in err


def test_validate_reports_every_problem(monkeypatch, capsys, tmp_path) -> None:
    bad = pd.DataFrame(ENTERPRISES).rename(columns={"enterprise_id": "企业编号"})
    bad.loc[2, "industry_code"] = "99999"
    bad.loc[4, "employees"] = "-5"
    path = write_table(bad, tmp_path / "企业.csv")
    code, out, err = run(monkeypatch, capsys, "validate", str(path))
    assert code == 1
    assert "共 2 个问题" in err
    assert "第4行，列「industry_code」" in err and "第6行，列「employees」" in err
    good = write_table(pd.DataFrame(ENTERPRISES), tmp_path / "good.csv")
    code, out, _ = run(monkeypatch, capsys, "validate", str(good))
    assert code == 0 and "校验通过，共 9 条企业记录" in out
    code, out, _ = run(
        monkeypatch, capsys, "validate", str(write_table(pd.DataFrame(PARKS), tmp_path / "p.csv"))
    )
    assert code == 0 and "2 条园区记录" in out


def test_errors_are_one_line_without_traceback(monkeypatch, capsys, files) -> None:
    parks, ents = files
    code, _, err = run(
        monkeypatch,
        capsys,
        "rank",
        "--parks",
        str(parks),
        "--enterprises",
        str(ents),
        "--park",
        "NOPE",
    )
    assert code == 1 and "未找到园区编号 'NOPE'" in err
    code, _, err = run(monkeypatch, capsys, "validate", "no-such-file.csv")
    assert code == 1 and "文件不存在" in err
    code, _, err = run(monkeypatch, capsys, "rank", "--park", "A", "--enterprise", "B")
    assert code == 2 and "之一" in err
    code, _, err = run(monkeypatch, capsys, "rank", "--parks", str(parks), "--park", "P-AL")
    assert code == 2 and "同时指定" in err


def test_sample_writes_files(monkeypatch, capsys, tmp_path) -> None:
    code, _, err = run(monkeypatch, capsys, "sample", "--output", str(tmp_path), "--n", "50")
    assert code == 0, err
    assert (tmp_path / "parks.csv").exists() and (tmp_path / "enterprises.xlsx").exists()
    assert len(pd.read_csv(tmp_path / "enterprises.csv", dtype=str)) == 50


def test_explain_prints_contributions(monkeypatch, capsys) -> None:
    ids = pd.read_csv(Path(__file__).parents[1] / "datasets" / "enterprises.csv", dtype=str)
    code, out, err = run(
        monkeypatch,
        capsys,
        "explain",
        "--park",
        "GY-LZ-AL",
        "--enterprise",
        ids["enterprise_id"].iloc[0],
    )
    assert code == 0, err
    assert "贡献" in out and "industry" in out


def test_python_dash_m_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "matcher", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    for command in ["rank", "explain", "validate", "sample"]:
        assert command in done.stdout


def test_rank_with_a_trained_model(monkeypatch, capsys, tmp_path) -> None:
    model = tmp_path / "m.joblib"
    code, _, err = run(monkeypatch, capsys, "train", "--model", "logistic", "-o", str(model))
    assert code == 0, err
    code, out, err = run(
        monkeypatch,
        capsys,
        "rank",
        "--park",
        "GY-LZ-AL",
        "--top",
        "3",
        "--model",
        str(model),
        "--format",
        "json",
    )
    assert code == 0, err
    records = json.loads(out)
    assert len(records) == 3
    from matcher import Matcher, load_sample
    from matcher.learning import pair_features
    from matcher.scoring import load_scorer

    scorer = load_scorer(model)
    pairs = pd.DataFrame(
        {"park_id": "GY-LZ-AL", "enterprise_id": [r["enterprise_id"] for r in records]}
    )
    values = pair_features(Matcher().fit(*load_sample()), pairs)
    expected = scorer.decision_function(values)  # the trained scorer's own scores
    for r, score in zip(records, expected, strict=True):
        parts = sum(r[c] for c in ["industry", "text", "capacity", "quality", "location"])
        assert r["score"] == pytest.approx(score)
        assert scorer.baseline + parts == pytest.approx(score)
    model.write_bytes(model.read_bytes()[:-10] + b"0123456789")  # tampered: refused
    code, _, err = run(monkeypatch, capsys, "rank", "--park", "GY-LZ-AL", "--model", str(model))
    assert code == 1 and "SHA-256" in err
