"""Matcher: both ranking directions, eligibility, explanations, weights, unknown ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher import ConfigError, Matcher, NotFittedError, SchemaError, UnknownIdError
from matcher.io import validate_parks

COMPONENTS = ["industry", "text", "capacity", "quality", "location"]


def test_rank_enterprises_columns_and_order(matcher: Matcher) -> None:
    leads = matcher.rank_enterprises("P-AL", k=None)
    assert list(leads.columns) == [
        "rank",
        "enterprise_id",
        "name",
        "score",
        "eligible",
        "reasons",
        *COMPONENTS,
    ]
    assert leads["rank"].tolist() == list(range(1, len(leads) + 1))
    assert leads["score"].is_monotonic_decreasing
    assert leads["eligible"].all()
    assert leads.iloc[0]["enterprise_id"] in {"E1", "E2"}


def scored_by_the_scorer(m: Matcher, park_ids: list[str], enterprise_ids: list[str]) -> np.ndarray:
    """What the matcher's scorer itself says for aligned pairs (its own ``decision_function``
    on their component values, with each park's weights), independent of the contributions."""
    index = m.index_
    p = np.array([index.park_row(x) for x in park_ids])
    e = np.array([index.enterprise_row(x) for x in enterprise_ids])
    _, filled = m.component_values(p, e)
    return np.asarray(m.scorer_.decision_function(filled, m.park_coefs(p)))


def test_scores_are_the_scorers_own_and_contributions_add_up_to_them(matcher: Matcher) -> None:
    leads = matcher.rank_enterprises("P-AL", k=None, include_ineligible=True)
    ids = leads["enterprise_id"].tolist()
    expected = scored_by_the_scorer(matcher, ["P-AL"] * len(ids), ids)
    np.testing.assert_allclose(leads["score"], expected, rtol=1e-12)
    np.testing.assert_allclose(leads[COMPONENTS].sum(axis=1), expected, rtol=1e-9)
    parks = matcher.rank_parks("E1", k=None, include_ineligible=True)
    expected = scored_by_the_scorer(matcher, parks["park_id"].tolist(), ["E1"] * len(parks))
    np.testing.assert_allclose(parks["score"], expected, rtol=1e-12)
    np.testing.assert_allclose(parks[COMPONENTS].sum(axis=1), expected, rtol=1e-9)


def test_explain_matches_ranking_for_every_pair(matcher: Matcher) -> None:
    for park in ["P-AL", "P-FOOD"]:
        leads = matcher.rank_enterprises(park, k=None, include_ineligible=True)
        ids = leads["enterprise_id"].tolist()
        expected = scored_by_the_scorer(matcher, [park] * len(ids), ids)
        for row, score in zip(leads.itertuples(index=False), expected, strict=True):
            ex = matcher.explain(park, row.enterprise_id)
            assert ex.score == pytest.approx(score, rel=1e-12)
            assert ex.baseline + sum(ex.contributions.values()) == pytest.approx(score)
            assert ex.score == pytest.approx(row.score)
            assert ex.eligible == row.eligible
            assert set(ex.contributions) == set(COMPONENTS)


def test_business_match_beats_shared_word_in_name(matcher: Matcher) -> None:
    """E3 is a food firm called 铝都食品: its name shares 铝 with the park, its business does not."""
    leads = matcher.rank_enterprises("P-AL", k=None).set_index("enterprise_id")
    assert leads.loc["E1", "score"] > leads.loc["E9", "score"] > leads.loc["E3", "score"]
    food = matcher.rank_enterprises("P-FOOD", k=None).set_index("enterprise_id")
    assert food.index[0] == "E3"


def test_traditional_and_fullwidth_twin_scores_equal(matcher: Matcher) -> None:
    for park in ["P-AL", "P-FOOD"]:
        a, b = matcher.explain(park, "E1"), matcher.explain(park, "E2")
        assert a.score == pytest.approx(b.score, abs=1e-9)
        assert a.values == pytest.approx(b.values)
    ra = matcher.rank_parks("E1", k=None)[["park_id", "score"]].reset_index(drop=True)
    rb = matcher.rank_parks("E2", k=None)[["park_id", "score"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(ra, rb)


def test_excluded_industry_is_ineligible_with_reason(matcher: Matcher) -> None:
    eligible = matcher.rank_enterprises("P-AL", k=None)
    assert "E5" not in set(eligible["enterprise_id"])
    everything = matcher.rank_enterprises("P-AL", k=None, include_ineligible=True)
    row = everything.set_index("enterprise_id").loc["E5"]
    assert not row["eligible"]
    assert "禁止入驻行业「3216 铝冶炼」" in row["reasons"]
    # ineligible rows always come after every eligible one
    flags = everything["eligible"].tolist()
    assert flags == sorted(flags, reverse=True)
    # the food park does not exclude 3216
    assert matcher.explain("P-FOOD", "E5").eligible


def test_space_over_free_space_is_ineligible(matcher: Matcher) -> None:
    ex = matcher.explain("P-AL", "E6")
    assert not ex.eligible
    assert any("超过园区可用面积" in r for r in ex.reasons)


def test_missing_data_is_neutral_and_said_unknown(matcher: Matcher) -> None:
    ex = matcher.explain("P-AL", "E7")
    assert all(v is None for v in ex.values.values())
    assert all("未知" in r for r in ex.reasons)
    neutral = {f.name: f.neutral for f in matcher.families_}
    for name, contribution in ex.contributions.items():
        assert contribution == pytest.approx(neutral[name] * ex.weights[name] * 100)
    assert ex.score < 50 < matcher.explain("P-AL", "E1").score


def test_inferred_industry_is_said_in_reasons(matcher: Matcher) -> None:
    ex = matcher.explain("P-AL", "E4")
    assert "推断" in ex.reasons[0] or any("推断为「325" in r for r in ex.reasons)
    assert ex.values["industry"] is not None
    assert ex.values["industry"] > matcher.families_[0].neutral


def test_rank_parks_mirrors(matcher: Matcher) -> None:
    parks = matcher.rank_parks("E3", k=5)
    assert list(parks.columns[:3]) == ["rank", "park_id", "name"]
    assert parks["park_id"].tolist() == ["P-FOOD", "P-AL"]
    only_food = matcher.rank_parks("E5", k=5)  # the aluminium park excludes 铝冶炼
    assert only_food["park_id"].tolist() == ["P-FOOD"]


def test_k_and_min_score_and_candidates(matcher: Matcher) -> None:
    assert len(matcher.rank_enterprises("P-AL", k=2)) == 2
    assert len(matcher.rank_enterprises("P-AL", k=0)) == 0
    top = matcher.rank_enterprises("P-AL", k=None, min_score=60)
    assert (top["score"] >= 60).all() and len(top) >= 2
    some = matcher.rank_enterprises("P-AL", k=None, candidates=["E3", "E9"])
    assert set(some["enterprise_id"]) == {"E3", "E9"}
    with pytest.raises(UnknownIdError):
        matcher.rank_enterprises("P-AL", candidates=["NOPE"])


def test_weights_per_call_and_per_park(parks: pd.DataFrame, enterprises: pd.DataFrame) -> None:
    parks = validate_parks(parks.assign(location_preference="local"))  # 本地培育: closeness
    base = Matcher().fit(parks, enterprises)
    only_location = {"industry": 0, "text": 0, "capacity": 0, "quality": 0, "location": 1}
    leads = base.rank_enterprises("P-AL", k=None, weights=only_location)
    assert leads["location"].sum() == pytest.approx(leads["score"].sum())
    assert leads.iloc[-1]["enterprise_id"] == "E8"  # the 上海 firm is farthest
    per_park = Matcher(park_weights={"P-AL": only_location}).fit(parks, enterprises)
    assert per_park.score("P-AL", "E8") == pytest.approx(
        base.score("P-AL", "E8", weights=only_location)
    )
    assert per_park.score("P-FOOD", "E8") == pytest.approx(base.score("P-FOOD", "E8"))
    with pytest.raises(ValueError, match="未知的评分维度"):
        Matcher(weights={"colour": 1.0}).fit(parks, enterprises)
    with pytest.raises(ValueError, match="不小于 0"):
        base.rank_enterprises("P-AL", weights={"industry": -1})


def test_weight_columns_in_parks_table(parks_raw: pd.DataFrame, enterprises: pd.DataFrame) -> None:
    parks_raw = parks_raw.assign(weight_location=["0", None])
    m = Matcher().fit(parks_raw, enterprises)
    assert m.explain("P-AL", "E1").weights["location"] == 0.0
    assert m.explain("P-FOOD", "E1").weights["location"] == pytest.approx(0.10)


def test_unknown_ids_and_unfitted(matcher: Matcher) -> None:
    with pytest.raises(UnknownIdError, match="NOPE"):
        matcher.rank_enterprises("NOPE")
    with pytest.raises(UnknownIdError):
        matcher.rank_parks("NOPE")
    with pytest.raises(KeyError):  # UnknownIdError is a KeyError
        matcher.explain("P-AL", "NOPE")
    with pytest.raises(NotFittedError):
        Matcher().rank_enterprises("P-AL")


def test_fit_accepts_raw_frames(parks_raw: pd.DataFrame, enterprises_raw: pd.DataFrame) -> None:
    m = Matcher().fit(parks_raw, enterprises_raw)
    assert m.rank_enterprises("P-AL", k=1)["enterprise_id"].iloc[0] in {"E1", "E2"}


def test_ranking_is_deterministic_on_ties(matcher: Matcher) -> None:
    a = matcher.rank_enterprises("P-AL", k=None)
    b = matcher.rank_enterprises("P-AL", k=None)
    pd.testing.assert_frame_equal(a, b)
    # E1 and E2 tie exactly: input order decides
    assert a["enterprise_id"].tolist()[:2] == ["E1", "E2"]


def test_offset_pages_and_total(matcher: Matcher) -> None:
    everything = matcher.rank_enterprises("P-AL", k=None)
    page = matcher.rank_enterprises("P-AL", k=2, offset=2)
    assert page["enterprise_id"].tolist() == everything["enterprise_id"].tolist()[2:4]
    assert page["rank"].tolist() == [3, 4]
    assert page.attrs["total"] == len(everything)
    beyond = matcher.rank_enterprises("P-AL", k=5, offset=100)
    assert len(beyond) == 0 and beyond.attrs["total"] == len(everything)


def test_cached_scores_respect_call_weights(matcher: Matcher) -> None:
    before = matcher.rank_enterprises("P-AL", k=None)
    only_location = {"industry": 0, "text": 0, "capacity": 0, "quality": 0, "location": 1}
    weighted = matcher.rank_enterprises("P-AL", k=None, weights=only_location)
    after = matcher.rank_enterprises("P-AL", k=None)
    pd.testing.assert_frame_equal(before, after)
    assert not np.allclose(
        before.set_index("enterprise_id")["score"],
        weighted.set_index("enterprise_id").loc[before["enterprise_id"], "score"],
    )


def test_rank_parks_for_a_profile_not_in_the_data(matcher: Matcher) -> None:
    from .conftest import ENTERPRISES

    profile = {k: v for k, v in ENTERPRISES[2].items() if k not in ("enterprise_id", "name")}
    chinese = {"经营范围": profile.pop("business_scope"), **profile}
    got = matcher.rank_parks_for(chinese, k=None)
    expected = matcher.rank_parks("E3", k=None)
    pd.testing.assert_frame_equal(
        got[["park_id", "score", "eligible"]], expected[["park_id", "score", "eligible"]]
    )
    with pytest.raises(SchemaError):
        matcher.rank_parks_for({"employees": "-1"})


def test_tenants_are_validated_against_the_tables(
    parks: pd.DataFrame, enterprises: pd.DataFrame
) -> None:
    tenants = pd.DataFrame({"园区编号": ["P-AL", "P-AL", "P-X"], "企业编号": ["E1", "E1", "E9"]})
    with pytest.raises(SchemaError) as exc:
        Matcher().fit(parks, enterprises, tenants)
    got = {(p.row, p.column) for p in exc.value.problems}
    assert got == {(3, "园区编号"), (4, "园区编号")}
    m = Matcher().fit(parks, enterprises, tenants.iloc[:1])
    assert m.tenants_["enterprise_id"].tolist() == ["E1"]


class _HalfScorer:
    """A minimal custom scorer: every component counts 10 points, baseline 5."""

    baseline = 5.0

    def fit(self, X=None, y=None, *, feature_names=()):
        self.feature_names_in_ = list(feature_names)
        return self

    def contributions(self, X, coef=None):
        return np.asarray(X, dtype=float) * 10.0

    def decision_function(self, X, coef=None):
        return self.baseline + self.contributions(X).sum(axis=1)


def test_custom_scorer_keeps_explanations_consistent(
    parks: pd.DataFrame, enterprises: pd.DataFrame
) -> None:
    m = Matcher(scorer=_HalfScorer()).fit(parks, enterprises)
    leads = m.rank_enterprises("P-AL", k=None)
    ids = leads["enterprise_id"].tolist()
    expected = scored_by_the_scorer(m, ["P-AL"] * len(ids), ids)
    np.testing.assert_allclose(leads["score"], expected)
    np.testing.assert_allclose(leads[COMPONENTS].sum(axis=1) + 5.0, expected)
    ex = m.explain("P-AL", "E1")
    assert ex.baseline == 5.0
    assert ex.score == pytest.approx(expected[ids.index("E1")])
    assert ex.score == pytest.approx(5.0 + sum(ex.contributions.values()))
    with pytest.raises(ConfigError):
        m.rank_enterprises("P-AL", weights={"industry": 1})


def test_parallel_scoring_gives_identical_rankings(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matcher.ranking._score as model_module

    sequential = {
        p: matcher.rank_enterprises(p, k=None, include_ineligible=True) for p in ["P-AL", "P-FOOD"]
    }
    parks_before = matcher.rank_parks("E1", k=None)
    matcher.clear_cache()
    monkeypatch.setattr(model_module, "PARALLEL_MIN_ROWS", 1)
    assert model_module._pool() is not None or (model_module.os.cpu_count() or 1) < 2
    for park, expected in sequential.items():
        pd.testing.assert_frame_equal(
            matcher.rank_enterprises(park, k=None, include_ineligible=True), expected
        )
    pd.testing.assert_frame_equal(matcher.rank_parks("E1", k=None), parks_before)


def test_many_threads_rank_exactly_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10: a fitted Matcher is shared by the service's threads without a lock around it.

    Sixteen threads rank every sample park in a shuffled order (cold and warm pages, filters,
    call weights, the other direction) with a score cache smaller than the parks, so that
    entries are evicted and refilled concurrently; every result equals the one-thread result.
    """
    import random
    from concurrent.futures import ThreadPoolExecutor

    from matcher import load_sample

    parks, enterprises = load_sample()
    shared = Matcher().fit(parks, enterprises)
    monkeypatch.setattr(shared, "cache_size", 4)
    park_ids = parks["park_id"].tolist()
    mask = np.zeros(len(enterprises), dtype=bool)
    mask[::3] = True
    calls = []
    for park in park_ids:
        calls.append(("rank", park, {"k": 15}))
        calls.append(("rank", park, {"k": 10, "offset": 10, "candidates": mask}))
        calls.append(("rank", park, {"k": 5, "weights": {"text": 0.6}}))
    for ent in enterprises["enterprise_id"].iloc[:20]:
        calls.append(("parks", ent, {"k": 5}))

    def one(call: tuple[str, str, dict]) -> pd.DataFrame:
        kind, key, kwargs = call
        if kind == "rank":
            return shared.rank_enterprises(key, **kwargs)
        return shared.rank_parks(key, **kwargs)

    reference = Matcher().fit(parks, enterprises)
    expected = [
        reference.rank_enterprises(k, **kw) if kind == "rank" else reference.rank_parks(k, **kw)
        for kind, k, kw in calls
    ]
    order = list(range(len(calls))) * 4
    random.Random(0).shuffle(order)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda i: (i, one(calls[i])), order))
    for i, frame in results:
        pd.testing.assert_frame_equal(frame, expected[i])
    assert len(shared._cache) <= 4


def test_fit_prepares_lazy_state_and_copies_pickle(matcher: Matcher) -> None:
    import copy
    import pickle

    assert matcher._park_coefs is not None  # built at fit, not by the first ranking thread
    assert {"xyz", "quality"} <= set(matcher.index_.enterprises.extras)
    clone = pickle.loads(pickle.dumps(copy.copy(matcher)))
    pd.testing.assert_frame_equal(clone.rank_enterprises("P-AL"), matcher.rank_enterprises("P-AL"))
    assert clone._lock is not matcher._lock


def test_chain_report_and_allocate_methods_are_deprecated_for_the_functions(
    parks: pd.DataFrame, enterprises: pd.DataFrame
) -> None:
    from matcher.allocation import allocate
    from matcher.chains import chain_report

    m = Matcher().fit(parks, enterprises)
    with pytest.warns(DeprecationWarning, match=r"matcher\.chains\.chain_report"):
        old = m.chain_report("P-AL", k=2)
    pd.testing.assert_frame_equal(old.to_frame(), chain_report(m, "P-AL", k=2).to_frame())
    with pytest.warns(DeprecationWarning, match=r"matcher\.allocation\.allocate"):
        proposed = m.allocate(candidates=5)
    pd.testing.assert_frame_equal(proposed.to_frame(), allocate(m, candidates=5).to_frame())


def test_a_scorer_that_is_not_one_is_refused_at_fit(
    parks: pd.DataFrame, enterprises: pd.DataFrame
) -> None:
    class NoContributions:
        baseline = 0.0

        def fit(self, X=None, y=None, *, feature_names=()):
            self.feature_names_in_ = list(feature_names)
            return self

        def decision_function(self, X, coef=None):
            return np.zeros(len(X))

    with pytest.raises(ConfigError, match="Scorer"):
        Matcher(scorer=NoContributions()).fit(parks, enterprises)


def test_copies_have_their_own_cache_and_clear_cache_forgets_scores(matcher: Matcher) -> None:
    import copy

    matcher.rank_enterprises("P-AL", k=3)
    twin = copy.copy(matcher)
    twin.rank_enterprises("P-FOOD", k=3)
    twin.clear_cache()
    first = matcher.rank_enterprises("P-AL", k=3)  # still served by the original's cache
    matcher.clear_cache()
    pd.testing.assert_frame_equal(matcher.rank_enterprises("P-AL", k=3), first)


def test_without_enterprises_keeps_what_scoring_new_ones_needs(matcher: Matcher) -> None:
    slim = matcher.without_enterprises()
    assert len(slim.index_.enterprises) == 0 and len(slim.enterprises_) == 0
    assert len(matcher.index_.enterprises) > 0  # the original is untouched
    assert slim.index_.parks is matcher.index_.parks
    with pytest.raises(UnknownIdError):
        slim.rank_parks("E1")


def test_index_rows_by_id(matcher: Matcher) -> None:
    index = matcher.check_fitted()
    assert index.parks.ids[index.park_row("P-FOOD")] == "P-FOOD"
    assert index.enterprises.ids[index.enterprise_row("E3")] == "E3"
    with pytest.raises(UnknownIdError):
        index.park_row("nope")
    with pytest.raises(NotFittedError):
        Matcher().check_fitted()


def test_long_pages_build_their_reasons_with_the_collector_paused(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From ``PAUSE_GC_ROWS`` rows a page's reasons are built with the cyclic collector
    paused (a full collection over the parsers' caches cost half of a long ranking), and it is
    running again afterwards; a short page leaves it alone. The reasons are the same."""
    import gc

    import matcher.ranking._explain as explain

    seen: list[bool] = []
    original = explain.page_eligibility_reasons

    def spy(*args: object, **kwargs: object) -> list[list[str]]:
        seen.append(gc.isenabled())
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(explain, "page_eligibility_reasons", spy)
    park = matcher.parks_.park_id.iloc[0]
    assert gc.isenabled()
    short = matcher.rank_enterprises(park, k=None)
    assert 2 <= len(short) < explain.PAUSE_GC_ROWS
    monkeypatch.setattr(explain, "PAUSE_GC_ROWS", 2)
    long = matcher.rank_enterprises(park, k=None)
    assert seen == [True, False] and gc.isenabled()
    pd.testing.assert_frame_equal(short, long)
    # a collector the caller paused stays paused
    gc.disable()
    try:
        matcher.rank_enterprises(park, k=None)
        assert not gc.isenabled() and seen[-1] is False
    finally:
        gc.enable()
