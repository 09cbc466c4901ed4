"""The reciprocal scorer: two-sided scores that punish lopsided pairs, explained from both sides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher import ConfigError, Matcher
from matcher.features import ChainFeature, PreferenceFeature, default_families
from matcher.ranking import explain_two_sided
from matcher.scoring import MEANS, ReciprocalScorer, side_weights

NAMES = ["industry", "text", "capacity", "quality", "location", "chain", "preference"]


def fitted(**kw) -> ReciprocalScorer:
    return ReciprocalScorer(**kw).fit(feature_names=NAMES)


@pytest.mark.parametrize("mean", MEANS)
def test_contributions_sum_to_the_score(mean: str) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((200, len(NAMES)))
    X[:5, -1] = 0.0  # an enterprise side of zero
    X[5:10, :-1] = 0.0  # a park side of zero
    scorer = fitted(mean=mean, baseline=3.0)
    np.testing.assert_allclose(
        scorer.baseline + scorer.contributions(X).sum(axis=1), scorer.decision_function(X)
    )
    coef = np.abs(rng.random((200, len(NAMES)))) + 0.01  # one weight row per pair
    np.testing.assert_allclose(
        scorer.baseline + scorer.contributions(X, coef).sum(axis=1),
        scorer.decision_function(X, coef),
    )
    s_park, s_ent = scorer.side_scores(X)
    expected = {
        "harmonic": np.where(s_park + s_ent > 0, 2 * s_park * s_ent / (s_park + s_ent + 1e-300), 0),
        "geometric": np.sqrt(s_park * s_ent),
        "min": np.minimum(s_park, s_ent),
        "arithmetic": (s_park + s_ent) / 2,
    }[mean]
    np.testing.assert_allclose(scorer.decision_function(X) - 3.0, expected, atol=1e-9)


def test_lopsided_pair_ranks_below_a_balanced_one_with_the_same_one_way_score() -> None:
    # park side 80 / enterprise side 20 against 50 / 50: same arithmetic mean, same one-way
    # score once the sides are weighted 1:1
    scorer = ReciprocalScorer(weights={"industry": 1.0, "preference": 1.0}).fit(
        feature_names=["industry", "preference"]
    )
    lopsided, balanced = np.array([[0.8, 0.2]]), np.array([[0.5, 0.5]])
    one_way = ReciprocalScorer(mean="arithmetic", weights={"industry": 1, "preference": 1})
    one_way.fit(feature_names=["industry", "preference"])
    assert one_way.decision_function(lopsided) == pytest.approx(one_way.decision_function(balanced))
    for mean in ("harmonic", "geometric", "min"):
        s = ReciprocalScorer(mean=mean, weights={"industry": 1, "preference": 1})
        s.fit(feature_names=["industry", "preference"])
        assert s.decision_function(lopsided)[0] < s.decision_function(balanced)[0], mean
    assert scorer.decision_function(lopsided)[0] == pytest.approx(32.0)


def test_side_weights_put_the_weight_on_the_weaker_side() -> None:
    lp, le = side_weights(np.array([80.0]), np.array([20.0]), "harmonic")
    assert le[0] > lp[0]
    lp, le = side_weights(np.array([80.0]), np.array([20.0]), "min")
    assert (lp[0], le[0]) == (0.0, 1.0)
    with pytest.raises(ConfigError):
        side_weights(np.array([1.0]), np.array([1.0]), "median")


def test_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="mean"):
        ReciprocalScorer(mean="median").fit(feature_names=NAMES)
    with pytest.raises(ConfigError, match="preference"):
        ReciprocalScorer().fit(feature_names=NAMES[:-1])  # no enterprise-side family
    with pytest.raises(ConfigError, match="企业视角"):
        ReciprocalScorer(weights={"preference": 0}).fit(feature_names=NAMES)
    with pytest.raises(ConfigError, match="mystery"):
        ReciprocalScorer().fit(feature_names=[*NAMES, "mystery"])
    ok = ReciprocalScorer(weights={"mystery": 0.1}).fit(feature_names=[*NAMES, "mystery"])
    assert ok.coef_.shape == (len(NAMES) + 1,)


# ---------------------------------------------------------------------------- in a Matcher
@pytest.fixture(scope="module")
def two_sided() -> Matcher:
    from .conftest import ENTERPRISES, PARKS

    families = [*default_families(), ChainFeature(), PreferenceFeature()]
    tenants = pd.DataFrame([("P-AL", "E9")], columns=["park_id", "enterprise_id"])
    return Matcher(families=families, scorer=ReciprocalScorer()).fit(
        pd.DataFrame(PARKS), pd.DataFrame(ENTERPRISES), tenants
    )


def test_both_ranking_directions_are_two_sided(two_sided: Matcher) -> None:
    m = two_sided
    names = m.feature_names_
    leads = m.rank_enterprises("P-AL", k=None, include_ineligible=True)
    np.testing.assert_allclose(leads[names].sum(axis=1), leads["score"], atol=1e-9)
    parks = m.rank_parks("E1", k=None)
    np.testing.assert_allclose(parks[names].sum(axis=1), parks["score"], atol=1e-9)
    # every score is the harmonic mean of the pair's two sides
    i = m.index_
    for row in leads.itertuples(index=False):
        p, e = i.parks.position["P-AL"], i.enterprises.position[row.enterprise_id]
        _, filled = m.component_values(np.array([p]), np.array([e]))
        s_park, s_ent = m.scorer_.side_scores(filled)
        assert row.score == pytest.approx(2 * s_park[0] * s_ent[0] / (s_park[0] + s_ent[0]))
    e1 = parks.set_index("park_id")["score"]
    assert e1["P-AL"] == pytest.approx(m.score("P-AL", "E1"))


def test_explained_from_both_sides(two_sided: Matcher) -> None:
    m = two_sided
    ex = explain_two_sided(m, "P-AL", "E1")
    assert ex.score == pytest.approx(m.score("P-AL", "E1"))
    assert ex.score == pytest.approx(
        2 * ex.park_score * ex.enterprise_score / (ex.park_score + ex.enterprise_score)
    )
    assert sum(ex.contributions.values()) == pytest.approx(ex.score)
    assert any(r.startswith("园区视角·产业匹配") for r in ex.reasons)
    assert any(r.startswith("企业视角·企业意愿") for r in ex.reasons)
    assert any("调和平均" in r for r in ex.reasons)
    assert set(ex.to_frame()["side"]) == {"park", "enterprise"}
    assert "园区视角" in str(ex) and "企业视角" in str(ex)
    with pytest.raises(ConfigError):
        explain_two_sided(Matcher().fit(m.parks_, m.enterprises_), "P-AL", "E1")


def test_per_park_weights_reach_the_reciprocal_scorer(two_sided: Matcher) -> None:
    m = Matcher(
        families=[*default_families(), ChainFeature(), PreferenceFeature()],
        scorer=ReciprocalScorer(),
        park_weights={"P-AL": {"location": 5.0}},
    ).fit(two_sided.parks_, two_sided.enterprises_, two_sided.tenants_)
    near, far = m.score("P-AL", "E1"), m.score("P-AL", "E8")  # twins but for the place
    base_near, base_far = two_sided.score("P-AL", "E1"), two_sided.score("P-AL", "E8")
    assert near - far > base_near - base_far > 0
