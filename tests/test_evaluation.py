"""Metrics on hand-computed cases, grouped and time splits, and the evaluation table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from matcher import ConfigError, load_sample
from matcher.learning import (
    MODELS,
    auc,
    average_precision,
    dcg_at_k,
    evaluate,
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


def test_ties_share_their_positions_whatever_the_input_order() -> None:
    # equal scores: the one top slot is shared, whichever row comes first
    assert ndcg_at_k([1, 0], [0.5, 0.5], k=1) == 0.5
    assert ndcg_at_k([0, 1], [0.5, 0.5], k=1) == 0.5
    assert recall_at_k([1, 0, 0], [0.5, 0.5, 0.5], k=1) == pytest.approx(1 / 3)
    # a baseline whose top 10 is one big tie gets the tie's average, not the first rows'
    gains = np.r_[np.zeros(20), np.ones(20)]
    flat = np.ones(40)
    assert ndcg_at_k(gains, flat, k=10) == pytest.approx(0.5)
    assert ndcg_at_k(gains[::-1], flat, k=10) == pytest.approx(0.5)
    assert average_precision(gains, flat) == average_precision(gains[::-1], flat)
    assert dcg_at_k([1, 3], [0.9, 0.2], k=2) == pytest.approx(1 + 3 / math.log2(3))


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
    assert list(table.columns) == [
        "model", "split", "fold", "metric", "value", "n_parks", "ci_low", "ci_high"
    ]  # fmt: skip
    assert set(table["split"]) == {"park_cv", "time"}
    logged = {"ndcg@1", "ndcg@3", "recall@1", "recall@3", "map", "auc"}
    estimates = {
        f"{e}_{m}@{k}" for e in ("ips", "snips", "dr") for m in ("dcg", "ndcg") for k in (1, 3)
    }
    assert set(table["metric"]) == logged | estimates
    assert calls[-1] == (9, 9) and [d for d, _ in calls] == list(range(1, 10))
    # hand-checkable: fold of P-AL alone, the default ranks E1 first (gain 4)
    pairs = table.query("split == 'park_cv' and model == 'default' and metric == 'recall@3'")
    assert len(pairs) == 2 and pairs["n_parks"].tolist() == [1, 1]
    summary = summarize(table, ci=False)
    assert list(summary.index.get_level_values("split").unique()) == ["park_cv", "time"]
    assert list(summary.columns)[:6] == ["ndcg@1", "ndcg@3", "recall@1", "recall@3", "map", "auc"]
    with_ci = summarize(table)
    assert {"ips_ndcg@3_ci_low", "dr_ndcg@3_ci_high"} <= set(with_ci.columns)
    assert "ndcg@3_ci_low" not in with_ci.columns  # intervals for the estimates only


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
    from matcher.datasets import load_sample_outcomes

    table = evaluate(load_sample(), load_sample_outcomes(), folds=3)
    assert set(table["model"]) == set(MODELS)
    summary = summarize(table)
    cv = summary.loc["park_cv"]
    # the trained and default scorers beat the one-family and popularity baselines
    for model in ("default", "weights", "logistic", "gbm"):
        assert cv.loc[model, "ndcg@10"] > cv.loc["industry_only", "ndcg@10"]
        assert cv.loc[model, "auc"] > cv.loc["popularity", "auc"]
    logged = table[~table["metric"].str.contains("_")]
    assert logged["value"].dropna().between(0, 1).all()
    # the counterfactual NDCG estimates are ratios of DCG estimates to one ideal per park: the
    # self-normalised one stays in a sane range on every fold; IPS and DR are unbiased but not
    # bounded (one contact at a low propensity can lift a fold of a few parks above 1.5), so
    # their means over folds — what `summarize` reports — are held to that range instead
    ndcg = table[table["metric"].str.endswith("ndcg@10") & (table["metric"] != "ndcg@10")]
    cv_ndcg = ndcg.query("split == 'park_cv'").dropna(subset=["value"])
    assert cv_ndcg.query("metric == 'snips_ndcg@10'")["value"].between(-0.5, 1.5).all()
    means = cv_ndcg.groupby(["model", "metric"])["value"].mean()
    assert means.between(-0.5, 1.5).all(), means[~means.between(-0.5, 1.5)]
    assert np.isfinite(ndcg["value"].dropna()).all()
    assert table.attrs["examination"]["method"] == "pbm"


def test_evaluate_time_split_cuts_on_the_first_contact(matcher) -> None:
    # E9 was first contacted early but its last status is late: it belongs to training
    ledger = _ledger()
    ledger["first_contact"] = ["2023-01-01", "2023-01-15", "2023-02-01", "2023-01-20",
                               "2023-01-10", "2023-07-01", "2023-09-01"]  # fmt: skip
    table = evaluate(
        matcher, ledger, models=["default"], folds=2, quantile=0.6, ks=(50,),
        counterfactual=False, n_bootstrap=0,
    )  # fmt: skip
    time_rows = table.query("split == 'time' and metric == 'recall@50'")
    # after the cut-off only P-FOOD's E7 (contacted, gain 0) and E4 (visited) are tested:
    # P-AL has nothing relevant on the test side any more
    assert time_rows["n_parks"].iloc[0] == 1


def test_evaluate_with_truth_and_own_candidates(matcher) -> None:
    truth = pd.DataFrame(
        [(p, e, float(len(e))) for p in ("P-AL", "P-FOOD") for e in ("E1", "E2", "E3", "E4",
         "E5", "E6", "E7", "E8", "E9")],
        columns=["park_id", "enterprise_id", "expected_gain"],
    )  # fmt: skip
    table = evaluate(
        matcher,
        _ledger(),
        models=["default", ("文本优先", {"text": 0.7, "industry": 0.3})],
        folds=2,
        ks=(3,),
        time_split=False,
        truth=truth,
    )
    assert set(table["model"]) == {"default", "文本优先"}
    assert {"true_dcg@3", "true_ndcg@3"} <= set(table["metric"])
    true = table.query("metric == 'true_ndcg@3'")["value"]
    assert true.between(0, 1).all()
    ci = table.dropna(subset=["ci_low"])
    assert (ci["ci_low"] <= ci["value"] + 1e-9).all() and (
        ci["value"] <= ci["ci_high"] + 1e-9
    ).all()
    with pytest.raises(ConfigError, match="truth"):
        evaluate(matcher, _ledger(), models=["default"], folds=2, truth=truth.iloc[:3])
    with pytest.raises(ConfigError, match="重复"):
        evaluate(matcher, _ledger(), models=["default", "default"], folds=2)
    with pytest.raises(ConfigError, match="权重字典"):
        evaluate(matcher, _ledger(), models=[("x", 3)], folds=2)


def test_stages_too_recent_to_be_reached_do_not_count_in_the_estimates(matcher) -> None:
    ledger = _ledger()
    ledger["first_contact"] = ledger["date"]
    ledger["date"] = "2023-10-01"  # every lead's last status on the ledger's last day
    kwargs = {"models": ["default"], "folds": 2, "time_split": False, "ks": (3,)}
    young = evaluate(matcher, ledger, mature_days=400, **kwargs)
    ips = young.query("metric == 'ips_dcg@3'")
    assert ips["n_parks"].sum() == 2 and (ips["value"] == 0).all()  # no lead old enough
    everything = evaluate(matcher, ledger, mature_days=None, **kwargs)
    assert (everything.query("metric == 'ips_dcg@3'")["value"] > 0).all()
    # a window per stage: early stages count for more leads than late ones
    staged = evaluate(matcher, ledger, mature_days=(90, 180, 270, 365), **kwargs)
    staged_ips = staged.query("metric == 'ips_dcg@3'")["value"]
    assert (staged_ips > 0).all() and not np.allclose(staged_ips, ips["value"])
    with pytest.raises(ConfigError, match="mature_days"):
        evaluate(matcher, ledger, mature_days=-1, **kwargs)
    with pytest.raises(ConfigError, match="mature_days"):
        evaluate(matcher, ledger, mature_days=(1, 2), **kwargs)


@pytest.mark.slow
def test_logged_metrics_favour_the_default_and_the_estimates_do_not() -> None:
    """On a simulated ledger whose truth is known, the logged view credits the default ranking
    (whose top leads were the ones contacted) far more than another ranking, relative to their
    true DCG; the counterfactual estimates credit both alike, near the truth."""
    from matcher.datasets import make_outcomes

    parks, enterprises = load_sample()
    ledger, truth = make_outcomes(
        parks, enterprises, random_state=11, contacts_per_park=(150, 200), return_truth=True
    )
    officers = {"industry": 0.1, "text": 0.4, "capacity": 0.2, "quality": 0.3, "location": 0}
    table = evaluate(
        (parks, enterprises),
        ledger,
        models=["default", ("officers", officers), "capacity_only"],
        folds=3,
        time_split=False,
        ks=(10,),
        truth=truth,
        n_bootstrap=0,
    )
    s = summarize(table, ci=False).loc["park_cv"]

    def credit(metric: str, model: str, truth: str = "true_dcg@10") -> float:
        return s.loc[model, metric] / s.loc[model, truth]

    # the logged view credits the default's top leads (the ones contacted) more than others'
    logged_default = credit("ndcg@10", "default", "true_ndcg@10")
    assert credit("ndcg@10", "officers", "true_ndcg@10") < 0.97 * logged_default
    assert logged_default < 0.9  # and all of them below the truth
    for metric in ("ips_dcg@10", "snips_dcg@10", "dr_dcg@10"):
        assert abs(credit(metric, "default") - 1) < 0.3, metric
        assert abs(credit(metric, "officers") - 1) < 0.3, metric
        assert s.loc["capacity_only", metric] < 0.5 * s.loc["default", metric]
