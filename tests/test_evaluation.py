"""Metrics on hand-computed cases, grouped and time splits, and the evaluation table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from matcher import ConfigError, evaluate, load_sample
from matcher.evaluation import (
    MODELS,
    auc,
    average_precision,
    grouped_splits,
    ndcg_at_k,
    ranking_metrics,
    recall_at_k,
    summarize,
    time_cutoff,
)

from .conftest import LEDGER


# --------------------------------------------------------------------------- metrics by hand
def test_ndcg_hand_computed() -> None:
    # ranking by score: gains 0, 3, 0, 1
    gains, score = [0, 3, 0, 1], [0.9, 0.8, 0.7, 0.1]
    dcg2 = 3 / math.log2(3)
    ideal2 = 3 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k(gains, score, k=2) == pytest.approx(dcg2 / ideal2)
    dcg4 = 3 / math.log2(3) + 1 / math.log2(5)
    assert ndcg_at_k(gains, score, k=4) == pytest.approx(dcg4 / ideal2)
    assert ndcg_at_k(gains, score, k=10) == ndcg_at_k(gains, score, k=4)  # k past the end
    assert ndcg_at_k([3, 1, 0], [3, 2, 1], k=2) == 1.0
    assert math.isnan(ndcg_at_k([0, 0], [1, 2], k=2))


def test_ties_keep_input_order() -> None:
    # equal scores: the first row ranks first, as in the Matcher
    assert ndcg_at_k([1, 0], [0.5, 0.5], k=1) == 1.0
    assert ndcg_at_k([0, 1], [0.5, 0.5], k=1) == 0.0


def test_recall_hand_computed() -> None:
    gains, score = [1, 0, 2, 0, 1], [0.9, 0.8, 0.1, 0.5, 0.3]  # order: 0, 1, 3, 4, 2
    assert recall_at_k(gains, score, k=1) == pytest.approx(1 / 3)
    assert recall_at_k(gains, score, k=4) == pytest.approx(2 / 3)
    assert recall_at_k(gains, score, k=5) == 1.0
    assert math.isnan(recall_at_k([0, 0], [1, 2], k=1))


def test_average_precision_hand_computed() -> None:
    # relevant at ranks 1, 4, 5 -> (1/1 + 2/4 + 3/5) / 3
    gains, score = [1, 0, 2, 0, 1], [0.9, 0.8, 0.1, 0.5, 0.3]
    assert average_precision(gains, score) == pytest.approx((1 + 2 / 4 + 3 / 5) / 3)
    assert average_precision([0, 1], [0.1, 0.9]) == 1.0
    assert math.isnan(average_precision([0, 0], [0.1, 0.9]))


def test_auc_hand_computed_and_against_sklearn() -> None:
    assert auc([1, 0, 1, 0], [0.9, 0.5, 0.5, 0.1]) == pytest.approx(0.875)
    assert auc([1, 1, 0], [0.1, 0.2, 0.3]) == 0.0
    assert math.isnan(auc([1, 1], [0.1, 0.2]))
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    gains = rng.integers(0, 3, 200)
    score = rng.integers(0, 10, 200).astype(float)  # many ties
    assert auc(gains, score) == pytest.approx(roc_auc_score(gains > 0, score))


def test_metric_errors() -> None:
    with pytest.raises(ConfigError):
        ndcg_at_k([1, 0], [1.0], k=1)
    with pytest.raises(ConfigError):
        recall_at_k([1], [1.0], k=0)
    with pytest.raises(ConfigError):
        auc([1, 0], [np.nan, 1.0])


def test_ranking_metrics_one_row_per_group() -> None:
    table = ranking_metrics([1, 0, 0, 1], [0.9, 0.1, 0.8, 0.2], ["a", "a", "b", "b"], ks=(1,))
    assert list(table["group"]) == ["a", "b"]
    assert list(table.columns) == ["group", "n", "n_relevant", "ndcg@1", "recall@1", "map", "auc"]
    assert table["ndcg@1"].tolist() == [1.0, 0.0]
    assert table["map"].tolist() == [1.0, 0.5]


# --------------------------------------------------------------------------- splits
def test_grouped_splits_never_put_a_park_on_both_sides() -> None:
    groups = np.repeat([f"P{i}" for i in range(7)], 5)
    folds = grouped_splits(groups, 3, random_state=1)
    assert len(folds) == 3
    tested = []
    for train, test in folds:
        assert set(groups[train]).isdisjoint(groups[test])
        assert len(train) + len(test) == len(groups)
        tested += sorted(set(groups[test]))
    assert sorted(tested) == sorted(set(groups))  # every park tested exactly once
    assert len(grouped_splits(groups[:10], 5)) == 2  # no more folds than parks
    with pytest.raises(ConfigError):
        grouped_splits(["a", "a"], 2)


def test_time_cutoff() -> None:
    dates = pd.to_datetime(["2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01", None])
    cutoff = time_cutoff(dates, 0.5)
    assert pd.Timestamp("2023-02-01") <= cutoff <= pd.Timestamp("2023-03-01")
    assert time_cutoff(pd.Series([None, None]), 0.5) is None


# --------------------------------------------------------------------------- evaluate
def _ledger() -> pd.DataFrame:
    return pd.DataFrame(LEDGER, columns=["park_id", "enterprise_id", "outcome", "date"])


def test_evaluate_on_fixture_returns_a_tidy_table(matcher) -> None:
    calls = []
    table = evaluate(
        matcher,
        _ledger(),
        models=["default", "text_only", "popularity"],
        folds=2,
        ks=(1, 3),
        progress=lambda done, total, msg: calls.append((done, total)),
    )
    assert list(table.columns) == ["model", "split", "fold", "metric", "value", "n_parks"]
    assert set(table["split"]) == {"park_cv", "time"}
    assert set(table["metric"]) == {"ndcg@1", "ndcg@3", "recall@1", "recall@3", "map", "auc"}
    assert calls[-1] == (9, 9) and [d for d, _ in calls] == list(range(1, 10))
    # hand-checkable: fold of P-AL alone, the default ranks E1 first (gain 4)
    pairs = table.query("split == 'park_cv' and model == 'default' and metric == 'recall@3'")
    assert len(pairs) == 2 and pairs["n_parks"].tolist() == [1, 1]
    summary = summarize(table)
    assert list(summary.index.get_level_values("split").unique()) == ["park_cv", "time"]
    assert list(summary.columns) == ["ndcg@1", "ndcg@3", "recall@1", "recall@3", "map", "auc"]


def test_evaluate_time_split_tests_only_later_leads(matcher) -> None:
    # with a cut-off in between, the time split tests only the leads followed up later
    table = evaluate(matcher, _ledger(), models=["default"], folds=2, quantile=0.6, ks=(50,))
    recall = table.query("split == 'time' and metric == 'recall@50'")
    assert recall["value"].iloc[0] == 1.0  # every later lead is among the top 50 of 9
    assert recall["n_parks"].iloc[0] == 2


def test_evaluate_rejects_unknown_models(matcher) -> None:
    with pytest.raises(ConfigError, match="未知的模型"):
        evaluate(matcher, _ledger(), models=["oracle"])
    with pytest.raises(ConfigError):
        evaluate("not data", _ledger())


@pytest.mark.slow
def test_evaluate_on_the_sample_compares_every_model() -> None:
    from matcher import load_sample_outcomes

    table = evaluate(load_sample(), load_sample_outcomes(), folds=3)
    assert set(table["model"]) == set(MODELS)
    summary = summarize(table)
    cv = summary.loc["park_cv"]
    # the trained and default scorers beat the one-family and popularity baselines
    for model in ("default", "weights", "logistic", "gbm"):
        assert cv.loc[model, "ndcg@10"] > cv.loc["industry_only", "ndcg@10"]
        assert cv.loc[model, "auc"] > cv.loc["popularity", "auc"]
    assert (table["value"].dropna().between(0, 1)).all()
