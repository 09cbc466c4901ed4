"""Counterfactual estimators on hand-computed cases, the examination model, and unbiasedness on
simulated logs whose truth is known."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from matcher import ConfigError
from matcher.learning import (
    MIN_CLICKS,
    Examination,
    contact_propensity,
    dr_dcg,
    dr_values,
    estimate_examination,
    ideal_dcg,
    ips_dcg,
    population_ideal,
    snips_dcg,
    tie_average_precision,
    tie_discounts,
    tie_top_share,
)

L2, L3, L4 = 1.0, 1 / math.log2(3), 1 / math.log2(4)  # discounts of positions 1, 2, 3


# --------------------------------------------------------------------------- by hand
# Three candidates. The ranking to judge puts pair 0 first, pair 1 second, pair 2 third.
GAIN = [2, 0, 1]
CLICKED = [True, False, True]  # pair 1 was never contacted
PROPENSITY = [0.5, 1.0, 0.25]
SCORE = [3.0, 2.0, 1.0]


def test_ips_by_hand() -> None:
    # pair 0: 2 / 0.5 = 4 at position 1; pair 2: 1 / 0.25 = 4 at position 3
    assert ips_dcg(GAIN, CLICKED, PROPENSITY, SCORE, k=3) == pytest.approx(4 * L2 + 4 * L4)
    assert ips_dcg(GAIN, CLICKED, PROPENSITY, SCORE, k=2) == pytest.approx(4 * L2)
    # the reverse ranking: pair 2 first, pair 0 third
    assert ips_dcg(GAIN, CLICKED, PROPENSITY, [1, 2, 3], k=3) == pytest.approx(4 * L2 + 4 * L4)
    # a gain of a pair never contacted is never used
    assert ips_dcg([2, 99, 1], CLICKED, PROPENSITY, SCORE, k=3) == pytest.approx(4 + 4 * L4)


def test_snips_by_hand() -> None:
    # weights 1/π: 2 and 4; SNIPS = D_k × Σ λ w g / Σ λ w
    d3 = L2 + L3 + L4
    expected = d3 * (L2 * 2 * 2 + L4 * 4 * 1) / (L2 * 2 + L4 * 4)
    assert snips_dcg(GAIN, CLICKED, PROPENSITY, SCORE, k=3) == pytest.approx(expected)
    # top 1 holds the never-contacted pair: the park's weighted mean gain stands in
    mean_gain = (2 * 2 + 4 * 1) / (2 + 4)
    assert snips_dcg(GAIN, CLICKED, PROPENSITY, [1, 3, 2], k=1) == pytest.approx(mean_gain)
    assert math.isnan(snips_dcg(GAIN, [False] * 3, PROPENSITY, SCORE, k=1))


def test_dr_by_hand() -> None:
    reward = [1.0, 0.5, 2.0]
    # per pair: 1 + (2 − 1)/0.5 = 3; 0.5 (no contact: the model alone); 2 + (1 − 2)/0.25 = −2
    assert dr_values(GAIN, CLICKED, PROPENSITY, reward).tolist() == [3.0, 0.5, -2.0]
    expected = 3 * L2 + 0.5 * L3 - 2 * L4
    assert dr_dcg(GAIN, CLICKED, PROPENSITY, SCORE, k=3, reward=reward) == pytest.approx(expected)
    # a perfect reward model leaves nothing to correct; with a zero model DR is IPS
    assert dr_dcg(GAIN, CLICKED, PROPENSITY, SCORE, k=3, reward=[0, 0, 0]) == pytest.approx(
        ips_dcg(GAIN, CLICKED, PROPENSITY, SCORE, k=3)
    )


def test_population_ideal_by_hand() -> None:
    # pair 0 stands for 2 candidates of gain 2, pair 2 for 4 of gain 1
    assert population_ideal(GAIN, CLICKED, PROPENSITY, k=3) == pytest.approx(2 * L2 + 2 * L3 + L4)
    # fractional masses share a slot: 1.5 candidates of gain 4, then gain 1
    assert population_ideal([4, 1], [1, 1], [1 / 1.5, 0.5], k=2) == pytest.approx(
        4 + (0.5 * 4 + 0.5 * 1) * L3
    )
    assert math.isnan(population_ideal([1], [False], [1.0], k=1))


def test_estimator_input_errors() -> None:
    with pytest.raises(ConfigError, match="长度"):
        ips_dcg([1, 2], [1], [1, 1], [1, 2], k=1)
    with pytest.raises(ConfigError, match="大于 0"):
        ips_dcg([1], [True], [0.0], [1.0], k=1)
    with pytest.raises(ConfigError, match="k"):
        tie_discounts([1.0], k=0)


# --------------------------------------------------------------------------- ties
def _brute(metric, relevant, score):
    """The metric averaged over every order of the tied scores (orders by score, ties permuted)."""
    score = np.asarray(score, dtype=float)
    values = []
    for perm in itertools.permutations(range(len(score))):
        perm = np.array(perm)
        if not all(score[perm[i]] >= score[perm[i + 1]] for i in range(len(perm) - 1)):
            continue
        order = np.empty(len(score))
        order[perm] = np.arange(len(score), 0, -1)  # a strict score giving this order
        values.append(metric(relevant, order))
    return float(np.mean(values))


@pytest.mark.parametrize("seed", range(6))
def test_tie_rules_equal_the_average_over_every_order_of_the_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 3, 6).astype(float)  # many ties
    gain = rng.integers(0, 3, 6).astype(float)
    if gain.sum() == 0:
        gain[0] = 1
    for k in (1, 2, 4):
        assert tie_discounts(score, k) @ gain == pytest.approx(
            _brute(lambda g, s, k=k: tie_discounts(s, k) @ g, gain, score)
        )
        assert tie_top_share(score, k) @ (gain > 0) == pytest.approx(
            _brute(lambda g, s, k=k: tie_top_share(s, k) @ (g > 0), gain, score)
        )
    assert tie_average_precision(gain > 0, score) == pytest.approx(
        _brute(lambda g, s: tie_average_precision(g > 0, s), gain, score)
    )


def test_ideal_dcg() -> None:
    assert ideal_dcg([0, 3, 1], k=2) == pytest.approx(3 + L3)
    assert ideal_dcg([], k=3) == 0.0


# --------------------------------------------------------------------------- examination
def _contacts(rng, exponent, n_parks=40, n=300, rate=2.0):
    ranks = np.tile(np.arange(1, n + 1), n_parks).astype(float)
    parks = np.repeat(np.arange(n_parks), n)
    activity = rate * rng.uniform(0.5, 1.5, n_parks)[parks]
    clicked = rng.random(len(ranks)) < -np.expm1(-activity * ranks**-exponent)
    return parks, ranks, clicked


def test_pbm_recovers_the_exponent() -> None:
    rng = np.random.default_rng(1)
    parks, ranks, clicked = _contacts(rng, 0.8)
    fitted = estimate_examination(parks, ranks, clicked)
    assert fitted.method == "pbm" and fitted.n_clicks == clicked.sum()
    assert fitted.exponent == pytest.approx(0.8, abs=0.08)
    assert "系统推荐" in fitted.describe()


def test_randomised_pages_are_preferred_and_recover_the_exponent() -> None:
    rng = np.random.default_rng(2)
    # exploration pages: 20 shuffled positions shown 3000 times, contacts falling as k ** -1.2
    theta = np.arange(1, 21) ** -1.2
    counts = rng.poisson(400 * theta / theta.sum())
    shown = np.repeat(np.arange(1, 21), counts)
    parks, ranks, clicked = _contacts(rng, 0.5)  # the log says 0.5, the shuffles 1.2
    fitted = estimate_examination(parks, ranks, clicked, random_rank=shown, random_depth=20)
    assert fitted.method == "randomised"
    assert fitted.exponent == pytest.approx(1.2, abs=0.2)
    assert sum(fitted.detail["counts"]) == len(shown)
    assert "随机探索" in fitted.describe()


def test_prior_when_few_contacts_and_method_errors() -> None:
    fitted = estimate_examination(["a"] * 5, [1, 2, 3, 4, 5], [1, 0, 0, 1, 0])
    assert fitted.method == "prior" and fitted.exponent == 1.0
    assert MIN_CLICKS > 2
    assert "先验" in fitted.describe()
    with pytest.raises(ConfigError):
        estimate_examination(["a"], [1], [1], method="oracle")
    with pytest.raises(ConfigError, match="随机探索"):
        estimate_examination(["a"], [1], [1], method="randomised")


def test_contact_propensity_matches_each_parks_contacts() -> None:
    exam = Examination("given", 0.8)
    groups = np.repeat(["a", "b"], 50)
    ranks = np.tile(np.arange(1, 51), 2)
    clicked = np.zeros(100, dtype=bool)
    clicked[[0, 1, 2, 10]] = True  # park a: 4 contacts
    clicked[[50, 60]] = True  # park b: 2
    pi = contact_propensity(exam, groups, ranks, clicked)
    assert pi[:50].sum() == pytest.approx(4) and pi[50:].sum() == pytest.approx(2)
    assert (np.diff(pi[:50]) < 0).all()  # falls with rank
    # within a park the ratio of rates follows θ: π = 1 − exp(−γ θ)
    gamma = -np.log1p(-pi[:50]) / exam.theta(ranks[:50])
    assert np.allclose(gamma, gamma[0])


# --------------------------------------------------------------------------- unbiasedness
def test_estimates_are_unbiased_on_simulated_logs_with_known_truth() -> None:
    """Over many logs of the same parks, each estimate's mean lies within its confidence
    interval of the true DCG@10 of a ranking that differs from the logging ranking."""
    rng = np.random.default_rng(7)
    n_parks, n, k = 20, 150, 10
    parks = np.repeat(np.arange(n_parks), n)
    relevance = rng.gamma(0.6, 1.0, n_parks * n)  # the truth: expected gain of each pair
    logging = relevance + rng.normal(0, 1.5, len(relevance))  # the ranking that was shown
    judged = relevance + rng.normal(0, 0.7, len(relevance))  # a better ranking, never shown
    ranks = np.empty(len(relevance))
    for p in range(n_parks):
        rows = np.flatnonzero(parks == p)
        ranks[rows[np.argsort(-logging[rows])]] = np.arange(1, n + 1)
    true_dcg = np.mean(
        [tie_discounts(judged[parks == p], k) @ relevance[parks == p] for p in range(n_parks)]
    )
    rate = rng.uniform(1.0, 3.0, n_parks)[parks]
    estimates: dict[str, list[float]] = {"ips": [], "snips": [], "dr": []}
    for _ in range(200):
        clicked = rng.random(len(ranks)) < -np.expm1(-rate * ranks**-0.9)
        gain = rng.poisson(relevance)  # observed only where contacted
        exam = estimate_examination(parks, ranks, clicked)
        pi = contact_propensity(exam, parks, ranks, clicked)
        reward = np.full(len(ranks), 0.3)  # a poor reward model: DR must stay unbiased
        for name, estimate in (
            ("ips", lambda g, c, q, s: ips_dcg(g, c, q, s, k)),
            ("snips", lambda g, c, q, s: snips_dcg(g, c, q, s, k)),
            ("dr", None),
        ):
            per_park = []
            for p in range(n_parks):
                at = parks == p
                args = (gain[at], clicked[at], pi[at], judged[at])
                if estimate is None:
                    per_park.append(dr_dcg(*args, k, reward=reward[at]))
                else:
                    per_park.append(estimate(*args))
            estimates[name].append(float(np.nanmean(per_park)))
    for name in ("ips", "dr"):
        values = np.array(estimates[name])
        half = 3 * values.std(ddof=1) / np.sqrt(len(values))  # 99.7 % interval of the mean
        assert abs(values.mean() - true_dcg) < half, (name, values.mean(), true_dcg, half)
    # SNIPS trades a bias for variance: within 10 % of the truth, and steadier than IPS
    snips = np.array(estimates["snips"])
    assert abs(snips.mean() - true_dcg) < 0.10 * true_dcg
    assert snips.std() < np.std(estimates["ips"])
    # the logged view (uncontacted pairs as 0) would be far below: the bias the weights remove
    assert np.mean(estimates["ips"]) > 0.9 * true_dcg
