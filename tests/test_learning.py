"""Learned scorers: the estimator contract, explanations that sum to the score, fitted weights."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from matcher import ConfigError, Matcher, NotFittedError, UnknownIdError
from matcher.learning import (
    MIN_TRAINING_PROPENSITY,
    fit_ips,
    fit_weights,
    labelled_pairs,
    logged_ranks,
    pair_features,
    ranking_contacts,
    train_ips,
    validate_outcomes,
)
from matcher.scoring import GBScorer, LinearScorer, WeightedScorer

FAMILIES = ["industry", "text", "capacity", "quality", "location"]

# On the 0–100 score scale, decision_function > 0 does not mean "class 1": the cut is
# LinearScorer.threshold_ or GBScorer's 50. With ``scale=None`` (log-odds) the checks pass.
_SCORE_SCALE = (
    "decision_function is a 0–100 score, not log-odds, so its class cut is not 0 "
    "(LinearScorer.threshold_, GBScorer 50); LinearScorer(scale=None) passes this check"
)


def _expected_failures(estimator: object) -> dict[str, str]:
    if getattr(estimator, "scale", None) is None:
        return {}
    return {"check_classifiers_train": _SCORE_SCALE, "check_classifiers_classes": _SCORE_SCALE}


@parametrize_with_checks(
    [
        LinearScorer(),
        LinearScorer(scale=None),
        LinearScorer(loss="ridge", scale=None),
        GBScorer(max_iter=10, random_state=0),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_estimator_contract(estimator, check) -> None:
    check(estimator)


# --------------------------------------------------------------------------- synthetic data
def _synthetic(n: int = 600, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Component values in [0, 1] and labels driven by text and quality (not location)."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.random((n, 5)), columns=FAMILIES)
    logit = -4 + 3 * X["industry"] + 5 * X["text"] + 2 * X["quality"] + rng.normal(0, 0.5, n)
    return X, (logit > 0).astype(int).to_numpy()


@pytest.mark.parametrize("loss", ["logistic", "ridge"])
def test_linear_contributions_sum_to_score_on_0_100(loss: str) -> None:
    X, y = _synthetic()
    s = LinearScorer(loss=loss).fit(X, y)
    contrib = s.contributions(X.to_numpy())
    assert np.allclose(s.baseline + contrib.sum(axis=1), s.decision_function(X.to_numpy()))
    assert np.isclose(np.abs(s.coef_).sum(), 1.0)
    # the unit hypercube maps onto exactly 0–100
    corners = np.array([[float(c > 0) for c in s.coef_], [float(c < 0) for c in s.coef_]])
    assert np.allclose(s.decision_function(corners), [100.0, 0.0])
    # ranking is the model's own: the score is increasing in its log-odds
    logit = s.estimator_.decision_function(X.to_numpy())
    score = s.decision_function(X.to_numpy())
    assert (np.argsort(logit, kind="stable") == np.argsort(score, kind="stable")).all()
    assert list(s.feature_names_in_) == FAMILIES


def test_linear_predict_uses_threshold_not_zero() -> None:
    X, y = _synthetic()
    s = LinearScorer().fit(X, y)
    score = s.decision_function(X)
    predicted = s.predict(X)
    assert ((score > s.threshold_) == (predicted == 1)).all()
    assert np.array_equal(predicted, (s.predict_proba(X)[:, 1] > 0.5).astype(int))


def test_linear_learns_the_signal_that_drives_labels() -> None:
    X, y = _synthetic(2000)
    s = LinearScorer().fit(X, y)
    coef = dict(zip(FAMILIES, s.coef_, strict=True))
    assert coef["text"] > coef["industry"] > coef["quality"] > abs(coef["location"])
    assert abs(coef["capacity"]) < 0.1 and abs(coef["location"]) < 0.1


def test_ridge_has_no_predict_proba() -> None:
    X, y = _synthetic()
    s = LinearScorer(loss="ridge").fit(X, y)
    assert not hasattr(s, "predict_proba")
    assert hasattr(LinearScorer(), "predict_proba")


def test_gb_shapley_sums_to_score_and_is_exact_on_an_additive_model() -> None:
    X, y = _synthetic(800)
    s = GBScorer(random_state=0).fit(X, y)
    rows = X.to_numpy()[:25]
    contrib = s.contributions(rows)
    assert contrib.shape == (25, 5)
    assert np.allclose(s.baseline + contrib.sum(axis=1), s.decision_function(rows))


def test_gb_shapley_gives_no_credit_to_a_feature_the_model_ignores() -> None:
    """Trained where location never varies, the model cannot use it: changing a row's location
    leaves its score as it is, and location's Shapley value is 0 even where the row's location
    differs from every background row's."""
    X, y = _synthetic(800)
    X["location"] = 0.5
    s = GBScorer(random_state=0).fit(X, y)
    rows = _synthetic(25, seed=5)[0].to_numpy()  # location varies here
    moved = rows.copy()
    moved[:, FAMILIES.index("location")] = 1.0 - moved[:, FAMILIES.index("location")]
    np.testing.assert_array_equal(s.decision_function(rows), s.decision_function(moved))
    contrib = s.contributions(rows)
    np.testing.assert_allclose(contrib[:, FAMILIES.index("location")], 0.0, atol=1e-12)
    assert np.abs(contrib[:, FAMILIES.index("text")]).max() > 1.0  # the others do get credit


def test_gb_shapley_matches_the_permutation_definition() -> None:
    X, y = _synthetic(400, seed=3)
    s = GBScorer(max_iter=20, n_background=8, random_state=0).fit(X, y)
    row = X.to_numpy()[0]
    value = {}  # v(S): mean score with the features of S from the row, the rest from background
    for subset in itertools.chain.from_iterable(
        itertools.combinations(range(5), r) for r in range(6)
    ):
        z = s.background_.copy()
        z[:, list(subset)] = row[list(subset)]
        value[frozenset(subset)] = float(s.decision_function(z).mean())
    phi = np.zeros(5)
    perms = list(itertools.permutations(range(5)))
    for perm in perms:  # average marginal contribution over every order of arrival
        for i, j in enumerate(perm):
            phi[j] += value[frozenset(perm[: i + 1])] - value[frozenset(perm[:i])]
    assert np.allclose(phi / len(perms), s.contributions(row[None, :])[0])


def test_gb_rejects_per_family_weights() -> None:
    X, y = _synthetic()
    s = GBScorer(max_iter=5, random_state=0).fit(X, y)
    with pytest.raises(ConfigError):
        s.decision_function(X, coef=np.ones(5))


@pytest.mark.parametrize("scorer", [LinearScorer(), GBScorer()])
def test_unfitted_scorer_is_refused_with_a_clear_error(scorer, parks, enterprises) -> None:
    with pytest.raises(NotFittedError, match="fit"):
        scorer.decision_function(np.zeros((1, 5)))
    with pytest.raises(ConfigError, match="训练"):
        Matcher(scorer=clone(scorer)).fit(parks, enterprises)


def test_fit_rejects_multiclass_and_single_class() -> None:
    X, _ = _synthetic(30)
    with pytest.raises(ValueError, match="二分类"):
        LinearScorer().fit(X, np.arange(30) % 3)
    with pytest.raises(ValueError, match="1 个"):
        GBScorer().fit(X, np.ones(30))


# --------------------------------------------------------------------------- with the Matcher
def _outcomes() -> pd.DataFrame:
    rows = [
        ("P-AL", "E1", "已落地", "2023-03-01"),
        ("P-AL", "E4", "已走访", "2023-04-01"),
        ("P-AL", "E9", "企业拒绝", "2023-05-01"),
        ("P-AL", "E8", "已联系", "2023-06-01"),
        ("P-FOOD", "E3", "已签约", "2023-02-01"),
        ("P-FOOD", "E7", "园区否决", "2023-07-01"),
    ]
    return pd.DataFrame(rows, columns=["park_id", "enterprise_id", "outcome", "date"])


def test_labelled_pairs_marks_implicit_negatives(matcher) -> None:
    pairs = labelled_pairs(matcher, _outcomes())
    assert set(pairs["park_id"]) == {"P-AL", "P-FOOD"}
    assert pairs["eligible"].all()
    # E5 (excluded industry) and E6 (too big) are not candidates of the aluminium park
    al = pairs[pairs["park_id"] == "P-AL"].set_index("enterprise_id")
    assert "E5" not in al.index and "E6" not in al.index
    assert al.loc["E1", "gain"] == 4 and al.loc["E1", "label"] == 1
    assert al.loc["E4", "label"] == 1
    assert al.loc["E9", "label"] == 0 and al.loc["E9", "outcome"] == "declined"
    assert pd.isna(al.loc["E2", "outcome"]) and al.loc["E2", "gain"] == 0  # never followed up
    everything = labelled_pairs(matcher, _outcomes(), eligible_only=False)
    assert len(everything) == 2 * 9


def test_labelled_pairs_refuses_unknown_ids(matcher) -> None:
    bad = _outcomes()
    bad.loc[0, "enterprise_id"] = "E404"
    with pytest.raises(Exception, match="E404"):
        labelled_pairs(matcher, bad)


def test_pair_features_are_the_matchers_component_values(matcher) -> None:
    pairs = pd.DataFrame({"park_id": ["P-AL", "P-FOOD"], "enterprise_id": ["E1", "E7"]})
    X = pair_features(matcher, pairs)
    assert list(X.columns) == FAMILIES
    explanation = matcher.explain("P-AL", "E1")
    expected = [explanation.contributions[f] / explanation.weights[f] / 100 for f in FAMILIES]
    assert np.allclose(X.iloc[0].to_numpy(), expected, atol=1e-6)
    with_missing = pair_features(matcher, pairs, missing_indicators=True)
    # E7 knows nothing but its name: every family but location-by-default is unknown
    e7 = matcher.explain("P-FOOD", "E7")
    for f in FAMILIES:
        assert with_missing.loc[1, f"{f}_missing"] == float(e7.values[f] is None)
    with pytest.raises(UnknownIdError):
        pair_features(matcher, pd.DataFrame({"park_id": ["P-X"], "enterprise_id": ["E1"]}))


@pytest.mark.parametrize("make", [LinearScorer, lambda: GBScorer(max_iter=20, random_state=0)])
def test_matcher_ranks_and_explains_with_a_learned_scorer(make, parks, enterprises) -> None:
    matcher = Matcher().fit(parks, enterprises)
    pairs = labelled_pairs(matcher, _outcomes())
    X = pair_features(matcher, pairs).to_numpy()
    scorer = make().fit(X, pairs["label"], feature_names=FAMILIES)
    learned = Matcher(scorer=scorer).fit(parks, enterprises)
    leads = learned.rank_enterprises("P-AL", k=None)
    assert np.allclose(leads[FAMILIES].sum(axis=1) + scorer.baseline, leads["score"])
    assert (np.diff(leads["score"].to_numpy()) <= 1e-9).all()
    rows = pairs[pairs["park_id"] == "P-AL"]
    own = scorer.decision_function(pair_features(matcher, rows).to_numpy())
    by_id = dict(zip(rows["enterprise_id"], own, strict=True))
    assert np.allclose([by_id[e] for e in leads["enterprise_id"]], leads["score"])
    explanation = learned.explain("P-AL", "E1")
    assert np.isclose(
        explanation.baseline + sum(explanation.contributions.values()), explanation.score
    )
    assert explanation.reasons  # the families' reasons still explain the pair


def test_matcher_refuses_a_scorer_trained_on_other_features(parks, enterprises) -> None:
    X, y = _synthetic()
    scorer = LinearScorer().fit(X[["text", "industry", "capacity", "quality", "location"]], y)
    with pytest.raises(ConfigError, match="不一致"):
        Matcher(scorer=scorer).fit(parks, enterprises)


# --------------------------------------------------------------------------- fitted weights
@pytest.mark.parametrize("objective", ["pointwise", "pairwise"])
def test_fit_weights_are_non_negative_normalised_and_follow_the_signal(objective: str) -> None:
    X, y = _synthetic(3000, seed=1)
    groups = np.arange(len(y)) % 4
    w = fit_weights(X, y, groups=groups, objective=objective)
    assert list(w) == FAMILIES
    assert all(v >= 0 for v in w.values()) and np.isclose(sum(w.values()), 1.0)
    assert w["text"] > w["industry"] > w["quality"] > max(w["capacity"], w["location"])
    matcher_weights = WeightedScorer(w).fit()
    assert np.allclose(matcher_weights.weights_, list(w.values()))


def test_fit_weights_zero_for_a_harmful_family() -> None:
    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.random((2000, 2)), columns=["good", "bad"])
    y = (2 * X["good"] - 2 * X["bad"] + rng.normal(0, 0.3, 2000) > 0).astype(int)
    w = fit_weights(X, y, objective="pointwise")
    assert w["bad"] == 0.0 and w["good"] == 1.0


def test_fit_weights_errors() -> None:
    X, y = _synthetic(50)
    with pytest.raises(ConfigError, match="groups"):
        fit_weights(X, y)
    with pytest.raises(ConfigError, match="一类"):
        fit_weights(X, np.zeros(50), objective="pointwise")
    with pytest.raises(ConfigError, match="objective"):
        fit_weights(X, y, objective="listwise")
    with pytest.raises(ConfigError, match="线索对"):
        fit_weights(X, np.zeros(50), groups=np.zeros(50))


def test_fit_weights_drive_the_default_scorer(parks, enterprises) -> None:
    matcher = Matcher().fit(parks, enterprises)
    pairs = labelled_pairs(matcher, _outcomes())
    X = pair_features(matcher, pairs)
    w = fit_weights(X, pairs["gain"], groups=pairs["park_id"])
    fitted = Matcher(weights=w).fit(parks, enterprises)
    explanation = fitted.explain("P-AL", "E1")
    assert np.allclose([explanation.weights[f] for f in FAMILIES], [w[f] for f in FAMILIES])


# --------------------------------------------------------------------------- bias-corrected
def test_labelled_pairs_carry_exposure_and_gain_from_the_stage_reached(matcher) -> None:
    ledger = _outcomes()
    ledger["stage_reached"] = ["已落地", "已走访", "已走访", "已联系", "已签约", "已联系"]
    ledger["source"] = ["系统推荐", "系统推荐", "系统推荐", "自有渠道", "随机探索", "自有渠道"]
    ledger["shown_rank"] = ["1", "3", "2", None, "4", None]
    ledger["propensity"] = [None, None, None, None, "0.25", None]
    pairs = labelled_pairs(matcher, ledger).set_index(["park_id", "enterprise_id"])
    # E9 was declined after a visit: it counts as a visit
    assert pairs.loc[("P-AL", "E9"), "gain"] == 1 and pairs.loc[("P-AL", "E9"), "label"] == 1
    assert pairs.loc[("P-AL", "E1"), "shown_rank"] == 1
    assert pairs.loc[("P-FOOD", "E3"), "source"] == "random"
    assert pairs.loc[("P-FOOD", "E3"), "propensity"] == 0.25
    assert pd.isna(pairs.loc[("P-AL", "E2"), "shown_rank"])


def test_logged_ranks_are_the_matchers_ranking_within_each_park(matcher) -> None:
    pairs = labelled_pairs(matcher, _outcomes())
    ranks = logged_ranks(matcher, pairs)
    for park, rows in pairs.groupby("park_id").indices.items():
        expected = matcher.rank_enterprises(park, k=None)["enterprise_id"].tolist()
        got = pairs["enterprise_id"].to_numpy()[rows][np.argsort(ranks[rows])].tolist()
        assert got == expected
        assert sorted(ranks[rows]) == list(range(1, len(rows) + 1))


def test_ranking_contacts_leave_out_own_network_leads(matcher) -> None:
    ledger = _outcomes()
    ledger["source"] = ["系统推荐", "系统推荐", "自有渠道", None, "随机探索", "系统推荐"]
    ledger["shown_rank"] = ["1", "7", None, "5", "2", "3"]
    ledger["propensity"] = [None, None, None, None, "0.5", None]
    pairs = labelled_pairs(matcher, ledger)
    contacts = ranking_contacts(pairs, logged_ranks(matcher, pairs)).set_index(
        pd.MultiIndex.from_frame(pairs[["park_id", "enterprise_id"]])
    )
    assert contacts.loc[("P-AL", "E1"), "clicked"] and contacts.loc[("P-AL", "E1"), "rank"] == 1
    assert contacts.loc[("P-AL", "E4"), "rank"] == 7  # the shown rank, not today's rank
    assert not contacts.loc[("P-AL", "E9"), "clicked"]  # own network
    assert contacts.loc[("P-AL", "E8"), "clicked"]  # no source but a shown rank: a ranking
    assert contacts.loc[("P-FOOD", "E3"), "random"]
    assert contacts["clicked"].sum() == 5
    # an old ledger without exposure columns: every followed-up lead, at its logged rank
    old = labelled_pairs(matcher, _outcomes())
    old_contacts = ranking_contacts(old, logged_ranks(matcher, old))
    assert old_contacts["clicked"].sum() == len(_outcomes())


def _biased_log(seed: int = 0):
    """Contacts follow a ranking by feature 0; whether a contact progresses depends on feature 1."""
    rng = np.random.default_rng(seed)
    n_parks, n = 30, 300
    X = pd.DataFrame(rng.random((n_parks * n, 2)), columns=["industry", "text"])
    park = np.repeat(np.arange(n_parks), n)
    rank = np.empty(len(X))
    for p in range(n_parks):
        rows = np.flatnonzero(park == p)
        rank[rows[np.argsort(-X["industry"].to_numpy()[rows])]] = np.arange(1, n + 1)
    pi = -np.expm1(-3.0 * rank**-0.9)
    clicked = rng.random(len(X)) < pi
    progresses = rng.random(len(X)) < 1 / (1 + np.exp(-(6 * X["text"] - 4)))
    gain = np.where(clicked & progresses, 1, 0)
    return X, gain, clicked, pi, park


def test_fit_ips_learns_what_drives_outcomes_not_what_drove_contacts() -> None:
    X, gain, clicked, pi, park = _biased_log()
    naive = LinearScorer().fit(X, (gain > 0).astype(int))  # uncontacted pairs as failures
    corrected = fit_ips(X, gain, clicked, pi)
    assert naive.coef_[0] > 0.3  # it learns the logging ranking's feature
    assert corrected.coef_[1] > 0.8 and abs(corrected.coef_[0]) < 0.2
    assert corrected.n_training_ == clicked.sum()
    # explained like LinearScorer: contributions sum to the score
    rows = X.to_numpy()[:5]
    assert np.allclose(
        corrected.baseline + corrected.contributions(rows).sum(axis=1),
        corrected.decision_function(rows),
    )
    weights = fit_ips(X, gain, clicked, pi, kind="weights", groups=park)
    assert isinstance(weights, WeightedScorer)
    assert weights.weights_[1] > 0.8
    assert weights.n_training_ == clicked.sum()


def test_fit_ips_weighs_contacts_by_a_power_of_the_inverse_propensity() -> None:
    X, gain, clicked, pi, _ = _biased_log()
    label = (gain[clicked] > 0).astype(int)
    floored = np.maximum(pi[clicked], MIN_TRAINING_PROPENSITY)
    for power, weight in ((1.0, 1 / floored), (0.5, floored**-0.5), (0.0, np.ones(len(label)))):
        learned = fit_ips(X, gain, clicked, pi, propensity_power=power)
        by_hand = LinearScorer().fit(X[clicked], label, sample_weight=weight / weight.mean())
        assert np.allclose(learned.coef_, by_hand.coef_)
    # plain IPS leans hardest on the contacts shown deep in the ranking
    assert not np.allclose(
        fit_ips(X, gain, clicked, pi, propensity_power=1.0).coef_,
        fit_ips(X, gain, clicked, pi, propensity_power=0.0).coef_,
    )
    with pytest.raises(ConfigError, match="propensity_power"):
        fit_ips(X, gain, clicked, pi, propensity_power=1.5)


def test_fit_ips_weights_ranks_contacts_of_one_park_by_their_graded_gain() -> None:
    """Pairwise among the contacts: a signed lead above a visited one, parks never mixed."""
    rng = np.random.default_rng(3)
    n_parks, n = 20, 40
    X = pd.DataFrame(rng.random((n_parks * n, 2)), columns=["industry", "text"])
    park = np.repeat(np.arange(n_parks), n)
    clicked = np.ones(len(X), dtype=bool)
    # every contact reaches a visit (gain ≥ 1); how far beyond it goes depends on text
    gain = 1 + np.digitize(X["text"] + 0.1 * rng.random(len(X)), [0.4, 0.7, 0.9])
    # and parks differ in how far their leads get, by something the components do not show
    gain = gain + (park % 2) * 2
    pi = np.full(len(X), 0.5)
    with pytest.raises(ConfigError, match="只有一类"):  # a pointwise label sees one class
        fit_ips(X, gain, clicked, pi)
    learned = fit_ips(X, gain, clicked, pi, kind="weights", groups=park)
    assert learned.weights_[1] > 0.9  # text decides, within each park


def test_fit_weights_pairwise_weighs_a_pair_by_its_rows() -> None:
    rng = np.random.default_rng(1)
    X = rng.random((60, 3))
    gain = (X[:, 0] + X[:, 1] + 0.5 * rng.random(60) > 1.2).astype(int) + (X[:, 2] > 0.8)
    groups = np.repeat([0, 1, 2], 20)
    weight = np.ones(60)
    weight[[3, 17, 45]] = 2.0
    weighted = fit_weights(X, gain, groups=groups, sample_weight=weight)
    repeated = np.r_[np.arange(60), [3, 17, 45]]  # a row of weight 2 counts twice
    twice = fit_weights(X[repeated], gain[repeated], groups=groups[repeated])
    assert np.allclose(list(weighted.values()), list(twice.values()), atol=1e-5)
    assert not np.allclose(
        list(weighted.values()), list(fit_weights(X, gain, groups=groups).values()), atol=1e-5
    )
    with pytest.raises(ConfigError, match="sample_weight"):
        fit_weights(X, gain, groups=groups, sample_weight=-weight)


def test_fit_ips_errors() -> None:
    X, gain, clicked, pi, _ = _biased_log()
    with pytest.raises(ConfigError, match="kind"):
        fit_ips(X, gain, clicked, pi, kind="gbm")
    with pytest.raises(ConfigError, match="至少需要 10 条"):
        fit_ips(X, gain, np.zeros(len(gain), dtype=bool), pi)
    with pytest.raises(ConfigError, match="只有一类"):
        fit_ips(X, np.zeros(len(gain)), clicked, pi)
    with pytest.raises(ConfigError, match="没有可比较的线索对"):
        fit_ips(X, np.ones(len(gain)), clicked, pi, kind="weights")


def test_train_ips_on_the_sample_ranks_and_explains(parks_raw) -> None:
    from matcher import load_sample
    from matcher.datasets import load_sample_outcomes

    parks, enterprises = load_sample()
    matcher = Matcher().fit(parks, enterprises)
    scorer = train_ips(matcher, load_sample_outcomes())
    assert scorer.examination_.method == "pbm"
    assert 0.3 < scorer.examination_.exponent < 2.0
    learned = Matcher(scorer=scorer).fit(parks, enterprises)
    leads = learned.rank_enterprises("GY-LZ-AL", k=5)
    assert np.allclose(leads[FAMILIES].sum(axis=1) + scorer.baseline, leads["score"])


# --------------------------------------------------------------------------- one call per kind
@pytest.mark.parametrize("kind", ["logistic", "ridge", "gbm", "weights"])
def test_train_scorer_is_what_the_cli_and_the_service_train(kind: str, parks, enterprises) -> None:
    from matcher.learning import fit_scorer, train_scorer

    matcher = Matcher().fit(parks, enterprises)
    ledger = validate_outcomes(_outcomes())
    scorer = train_scorer(matcher, ledger, kind=kind)
    assert list(scorer.feature_names_in_) == FAMILIES
    pairs = labelled_pairs(matcher, ledger)
    X = pair_features(matcher, pairs)
    again = fit_scorer(kind, X, pairs["gain"], feature_names=FAMILIES, groups=pairs["park_id"])
    np.testing.assert_array_equal(scorer.decision_function(X), again.decision_function(X))
    Matcher(scorer=scorer).fit(parks, enterprises).rank_enterprises("P-AL", k=3)


def test_train_scorer_refuses_what_it_cannot_learn_from(matcher) -> None:
    from matcher.learning import train_scorer

    with pytest.raises(ConfigError, match="未知的模型类型"):
        train_scorer(matcher, validate_outcomes(_outcomes()), kind="forest")
    only_contacts = _outcomes().assign(outcome="已联系")  # nobody ever got to a visit
    with pytest.raises(ConfigError, match="台账无法用于训练"):
        train_scorer(matcher, validate_outcomes(only_contacts))
