"""Common checks over every scorer and every feature family (as imbalanced-learn runs one set
of checks over all its samplers): what one of them must do, all of them must do."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from matcher import Matcher, load_sample
from matcher.datasets import load_sample_events, load_sample_outcomes, load_sample_tenants
from matcher.features import (
    ChainFeature,
    FeatureFamily,
    PreferenceFeature,
    SignalFeature,
    default_families,
)
from matcher.index import with_enterprises
from matcher.learning import fit_scorer, labelled_pairs, pair_features, train_scorer
from matcher.scoring import (
    MEANS,
    GBScorer,
    LinearScorer,
    ReciprocalScorer,
    Reweightable,
    Scorer,
    WeightedScorer,
    check_scorer,
)

FAMILIES = [f.name for f in default_families()]
TWO_SIDED = [*FAMILIES, "chain", "preference"]


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    return load_sample()


@pytest.fixture(scope="module")
def every_family(sample: tuple[pd.DataFrame, pd.DataFrame]) -> Matcher:
    """The sample fitted with every family there is: the defaults, chain, preference, signal."""
    parks, enterprises = sample
    families = [*default_families(), ChainFeature(), PreferenceFeature()]
    return Matcher(families=families).fit(
        parks, enterprises, load_sample_tenants(), events=load_sample_events()
    )


@pytest.fixture(scope="module")
def training(sample: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    matcher = Matcher().fit(*sample)
    pairs = labelled_pairs(matcher, load_sample_outcomes())
    return pairs, pair_features(matcher, pairs)


# ============================================================================ scorers
def _scorers(pairs: pd.DataFrame, X: pd.DataFrame) -> dict[str, Scorer]:
    label = pairs["label"].to_numpy()
    gain = pairs["gain"].to_numpy()
    out: dict[str, Scorer] = {
        "weighted": WeightedScorer().fit(),
        "weighted, own weights and scale": WeightedScorer(
            {"text": 3.0, "location": 0.0}, baseline=5.0, scale=50.0
        ).fit(),
        "logistic": LinearScorer().fit(X, label),
        "ridge": LinearScorer(loss="ridge").fit(X, label),
        "logistic, log-odds": LinearScorer(scale=None).fit(X, label),
        "gbm": GBScorer(max_iter=30, random_state=0).fit(X, label),
        "fitted weights": fit_scorer("weights", X, gain, feature_names=FAMILIES, groups=pairs["park_id"]),
    }  # fmt: skip
    for mean in MEANS:
        out[f"reciprocal, {mean}"] = ReciprocalScorer(mean=mean).fit(feature_names=TWO_SIDED)
    return out


SCORER_NAMES = [
    "weighted",
    "weighted, own weights and scale",
    "logistic",
    "ridge",
    "logistic, log-odds",
    "gbm",
    "fitted weights",
    *(f"reciprocal, {mean}" for mean in MEANS),
]


@pytest.fixture(scope="module")
def scorers(training: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, Scorer]:
    return _scorers(*training)


def test_every_scorer_is_listed(scorers: dict[str, Scorer]) -> None:
    assert list(scorers) == SCORER_NAMES


@pytest.mark.parametrize("name", SCORER_NAMES)
def test_scorer_keeps_the_scorer_promise(scorers: dict[str, Scorer], name: str) -> None:
    check_scorer(scorers[name])


@pytest.mark.parametrize("name", SCORER_NAMES)
def test_scorer_survives_clone_and_pickle(scorers: dict[str, Scorer], name: str) -> None:
    scorer = scorers[name]
    X = np.random.default_rng(1).random((20, len(scorer.feature_names_in_)))
    again = pickle.loads(pickle.dumps(scorer))
    np.testing.assert_array_equal(again.decision_function(X), scorer.decision_function(X))
    fresh = clone(scorer)
    assert fresh.get_params() == scorer.get_params()
    assert not hasattr(fresh, "feature_names_in_")  # clone keeps the parameters, not the fit


@pytest.mark.parametrize("name", SCORER_NAMES)
def test_scorer_ranks_and_explains_in_a_matcher_with_its_own_arithmetic(
    scorers: dict[str, Scorer], sample: tuple[pd.DataFrame, pd.DataFrame], name: str
) -> None:
    scorer = scorers[name]
    parks, enterprises = sample
    families = default_families()
    if list(scorer.feature_names_in_) == TWO_SIDED:
        families += [ChainFeature(), PreferenceFeature()]
    m = Matcher(families=families, scorer=scorer).fit(parks, enterprises)
    leads = m.rank_enterprises("GY-LZ-AL", k=8, include_ineligible=True)
    index = m.index_
    e = np.array([index.enterprise_row(x) for x in leads["enterprise_id"]])
    p = np.full(len(e), index.park_row("GY-LZ-AL"))
    _, values = m.component_values(p, e)
    own = scorer.decision_function(values, m.park_coef(int(p[0])))
    np.testing.assert_allclose(leads["score"], own, rtol=1e-9, atol=1e-9)
    names = list(scorer.feature_names_in_)
    np.testing.assert_allclose(leads[names].sum(axis=1) + scorer.baseline, own, atol=1e-9)
    assert (np.diff(leads["score"][leads["eligible"]].to_numpy()) <= 1e-9).all()
    explanation = m.explain("GY-LZ-AL", leads["enterprise_id"].iloc[0])
    assert explanation.score == pytest.approx(own[0])
    assert list(explanation.contributions) == names
    assert explanation.reasons
    if isinstance(scorer, Reweightable):
        weighted = m.rank_enterprises("GY-LZ-AL", k=3, weights={names[0]: 5.0})
        assert len(weighted) == 3
    else:
        with pytest.raises(Exception, match="weights"):
            m.rank_enterprises("GY-LZ-AL", k=3, weights={names[0]: 5.0})


@pytest.mark.parametrize("kind", ["logistic", "ridge", "gbm", "weights", "ips_logistic"])
def test_trained_scorers_keep_the_promise(
    sample: tuple[pd.DataFrame, pd.DataFrame], kind: str
) -> None:
    matcher = Matcher().fit(*sample)
    scorer = train_scorer(matcher, load_sample_outcomes(), kind=kind)
    check_scorer(scorer)
    assert list(scorer.feature_names_in_) == FAMILIES


def test_check_scorer_catches_a_scorer_that_breaks_the_promise() -> None:
    class Off:
        baseline = 0.0
        feature_names_in_ = FAMILIES

        def fit(self, X=None, y=None, **kwargs):
            return self

        def contributions(self, X, coef=None):
            return np.asarray(X, dtype=float)

        def decision_function(self, X, coef=None):
            return np.asarray(X, dtype=float).sum(axis=1) + 1.0  # not baseline + Σ

    with pytest.raises(AssertionError, match="贡献之和"):
        check_scorer(Off())
    with pytest.raises(AssertionError, match="Scorer"):
        check_scorer(object())


# ============================================================================ families
FAMILY_NAMES = [*FAMILIES, "chain", "preference", "signal"]


def _family(m: Matcher, name: str) -> FeatureFamily:
    return m.families_[m.feature_names_.index(name)]


def test_every_family_is_checked(every_family: Matcher) -> None:
    assert every_family.feature_names_ == FAMILY_NAMES
    assert {type(f) for f in every_family.families_} >= {
        ChainFeature,
        PreferenceFeature,
        SignalFeature,
    }


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_family_declares_its_contract(every_family: Matcher, name: str) -> None:
    family = _family(every_family, name)
    assert family.name == name
    assert isinstance(family.label, str) and family.label
    assert 0.0 <= family.neutral < 1.0  # unknown is never a perfect score
    assert family.default_weight >= 0.0


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_family_values_are_float32_in_the_unit_interval_or_unknown(
    every_family: Matcher, name: str
) -> None:
    index = every_family.index_
    family = _family(every_family, name)
    n = len(index.enterprises)
    for park in range(len(index.parks)):
        values = family.compute(index, np.array([park]), np.arange(n))
        assert values.dtype == np.float32 and values.shape == (n,)
        known = values[~np.isnan(values)]
        assert ((known >= 0.0) & (known <= 1.0)).all()


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_family_gives_the_same_value_however_pairs_are_broadcast(
    every_family: Matcher, name: str
) -> None:
    """One park against many enterprises, one enterprise against every park, and aligned pairs
    are the same pairs: the same values to the last bit."""
    index = every_family.index_
    family = _family(every_family, name)
    rng = np.random.default_rng(0)
    ents = rng.choice(len(index.enterprises), size=60, replace=False)
    parks = np.arange(len(index.parks))
    by_park = np.stack([family.compute(index, np.array([p]), ents) for p in parks])
    by_ent = np.stack([family.compute(index, parks, np.array([e])) for e in ents], axis=1)
    pp, ee = np.meshgrid(parks, ents, indexing="ij")
    aligned = family.compute(index, pp.ravel(), ee.ravel()).reshape(pp.shape)
    np.testing.assert_array_equal(by_park, by_ent)
    np.testing.assert_array_equal(by_park, aligned)


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_family_says_why_in_chinese_known_or_not(every_family: Matcher, name: str) -> None:
    index = every_family.index_
    family = _family(every_family, name)
    park = index.park_row("GY-LZ-AL")
    values = family.compute(index, np.array([park]), np.arange(len(index.enterprises)))
    for ent in [int(np.nanargmax(np.nan_to_num(values, nan=-1.0))), 0]:
        reason = family.reason(index, park, ent, float(values[ent]))
        assert isinstance(reason, str) and reason.strip()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in reason)
    unknown = family.reason(index, park, 0, float("nan"))
    assert isinstance(unknown, str) and unknown.strip()


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_family_scores_a_new_enterprise_as_a_fitted_one(
    every_family: Matcher, sample: tuple[pd.DataFrame, pd.DataFrame], name: str
) -> None:
    """Enterprises not seen at fit (``prepare_enterprises`` on a view) get the values the
    fitted rows get: what ``rank_parks_for`` and the Dask job rely on. (New enterprises bring
    no events, so the rows compared are ones without events.)"""
    index = every_family.index_
    family = _family(every_family, name)
    without_events = np.flatnonzero(~index.enterprises.extras["signal:has"])
    rows = without_events[[3, 40, 700]].tolist()
    fresh = every_family.enterprises_.iloc[rows].reset_index(drop=True)
    fresh.attrs["parkmatch_schema"] = "enterprises"
    view = with_enterprises(index, fresh)
    family.prepare_enterprises(view, fresh)
    parks = np.arange(len(index.parks))
    for i, row in enumerate(rows):
        np.testing.assert_array_equal(
            family.compute(view, parks, np.array([i])),
            family.compute(index, parks, np.array([row])),
        )


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_family_copies_and_pickles(every_family: Matcher, name: str) -> None:
    family = _family(every_family, name)
    for again in (copy.deepcopy(family), pickle.loads(pickle.dumps(family))):
        assert type(again) is type(family) and again.name == family.name
