"""``parkmatch train`` and ``parkmatch evaluate`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from matcher import Matcher
from matcher.io import write_table
from matcher.scoring import load_scorer

from .cli_runner import run
from .conftest import ENTERPRISES, LEDGER, PARKS


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    parks = write_table(pd.DataFrame(PARKS), tmp_path / "parks.csv")
    ents = write_table(pd.DataFrame(ENTERPRISES), tmp_path / "enterprises.csv")
    ledger = pd.DataFrame(LEDGER, columns=["园区编号", "企业编号", "跟进结果", "日期"])
    outcomes = write_table(ledger, tmp_path / "台账.xlsx")
    return ["--parks", str(parks), "--enterprises", str(ents), "--outcomes", str(outcomes)]


@pytest.mark.parametrize("model", ["logistic", "ridge", "gbm", "weights"])
def test_train_writes_a_model_that_loads_and_ranks(
    monkeypatch, capsys, tmp_path, files, parks, enterprises, model
) -> None:
    output = tmp_path / f"{model}.joblib"
    code, out, err = run(
        monkeypatch, capsys, "train", *files, "--model", model, "--folds", "2", "-o", str(output)
    )
    assert code == 0, err
    assert "已写出模型" in out and "按园区交叉验证" in out
    manifest = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))
    assert manifest["extra"]["model"] == model
    assert {row["model"] for row in manifest["metrics"]} == {
        "default",
        "weights" if model == "weights" else model,
    }
    scorer = load_scorer(output)
    assert len(Matcher(scorer=scorer).fit(parks, enterprises).rank_enterprises("P-AL", k=2)) == 2


def test_evaluate_prints_the_summary_and_writes_the_tidy_table(
    monkeypatch, capsys, tmp_path, files
) -> None:
    detail = tmp_path / "detail.csv"
    code, out, err = run(
        monkeypatch, capsys, "evaluate", *files, "--folds", "2", "--models",
        "default,text_only", "--k", "1,3", "-o", str(detail),
    )  # fmt: skip
    assert code == 0, err
    assert "ndcg@1" in out and "recall@3" in out and "text_only" in out and "按时间划分" in out
    assert "反事实估计" in out and "ips_ndcg@1" in out and "位置检视曲线" in out
    table = pd.read_csv(detail)
    assert list(table.columns) == [
        "model", "split", "fold", "metric", "value", "n_parks", "ci_low", "ci_high"
    ]  # fmt: skip
    assert {"ips_ndcg@3", "snips_ndcg@3", "dr_ndcg@3"} <= set(table["metric"])
    assert set(table["model"]) == {"default", "text_only"}


def test_evaluate_bad_options_fail_cleanly(monkeypatch, capsys, files) -> None:
    code, _, err = run(monkeypatch, capsys, "evaluate", *files, "--models", "oracle")
    assert code != 0 and "oracle" in err
    code, _, err = run(monkeypatch, capsys, "evaluate", *files, "--k", "ten")
    assert code != 0 and "--k" in err
    code, _, err = run(monkeypatch, capsys, "evaluate", *files, "--mature-days", "1,2")
    assert code != 0 and "--mature-days" in err


def test_bad_outcomes_file_lists_every_problem(monkeypatch, capsys, tmp_path, files) -> None:
    bad = pd.DataFrame(
        {
            "park_id": ["P-AL", "P-AL"],
            "enterprise_id": ["E404", "E1"],
            "outcome": ["maybe", "已联系"],
        }
    )
    path = write_table(bad, tmp_path / "bad.csv")
    code, _, err = run(monkeypatch, capsys, "train", *files[:4], "--outcomes", str(path))
    assert code == 1
    assert "共 2 个问题" in err and "E404" in err and "maybe" in err


@pytest.mark.slow
def test_evaluate_on_the_bundled_sample(monkeypatch, capsys) -> None:
    code, out, err = run(monkeypatch, capsys, "evaluate", "--models", "default,weights")
    assert code == 0, err
    assert "示例" in err and "weights" in out


def test_train_bias_corrected_on_the_sample(monkeypatch, capsys, tmp_path) -> None:
    output = tmp_path / "ips.joblib"
    code, out, err = run(
        monkeypatch, capsys, "train", "--model", "ips_weights", "--no-evaluate", "-o", str(output)
    )
    assert code == 0, err
    assert "纠偏训练" in err and "位置检视曲线" in err
    manifest = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))
    assert manifest["extra"]["model"] == "ips_weights"
    assert "学到的权重" in out


def test_train_bias_corrected_with_too_few_ranking_leads_fails_cleanly(
    monkeypatch, capsys, tmp_path, files
) -> None:
    code, _, err = run(
        monkeypatch, capsys, "train", *files, "--model", "ips_logistic", "-o",
        str(tmp_path / "m.joblib"),
    )  # fmt: skip
    assert code == 1
    assert "至少需要 10 条" in err and "Traceback" not in err
