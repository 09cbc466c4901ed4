"""The one-park fast paths give the general path's values bit for bit.

Random parks (every location preference and kind, unknown, zero and small free space, excluded
and refused industries, parks that refuse traders, parks without leading codes or positioning)
against generated enterprises with values knocked out at random (codes, coordinates, space,
size, quality, text), so every branch of every family is taken.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from matcher import Matcher, load_sample
from matcher.batch import _local as batch_local
from matcher.batch import top_enterprises
from matcher.datasets import make_enterprises
from matcher.features import (
    SCRATCH_NAMES,
    ChainFeature,
    PreferenceFeature,
    TextFeature,
    clear_scratch,
    default_families,
    scratch_nbytes,
    scratch_session,
)
from matcher.features import _base as base_module
from matcher.features import _kernels as feature_kernels
from matcher.features import location as location_module
from matcher.features import text as text_module
from matcher.features.text import TermColumns, row_order, term_columns
from matcher.index import StringColumn
from matcher.ranking import _kernels as kernels_module
from matcher.ranking import _score as score_module
from matcher.ranking import (
    component_values,
    eligibility,
    eligibility_reasons,
    page_eligibility_reasons,
    page_rows,
    park_eligibility,
    score_pairs,
    score_park,
    select_page,
    sort_key,
    top_k,
    top_k_rows,
)
from matcher.ranking._select import _may_be_best
from matcher.scoring import ReciprocalScorer
from matcher.text import _vectorizer as vectorizer_module


def _bits(values: np.ndarray) -> np.ndarray:
    """The bytes of an array, so NaN equals NaN and -0.0 differs from 0.0."""
    return np.ascontiguousarray(values).view(np.uint8)


def _compute_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """No stored values of every park: each family computes its park at each ranking (the text
    family through the park's own terms, the others through their one-park paths)."""
    monkeypatch.setattr(base_module, "PRECOMPUTE_PAIRS", 0)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(_bits(a), _bits(b))


def _random_parks(rng: np.random.Generator) -> pd.DataFrame:
    parks, _ = load_sample()
    rows = []
    for i in range(24):
        row = parks.iloc[i % len(parks)][
            [
                "park_id",
                "name",
                "province",
                "city",
                "county",
                "lat",
                "lon",
                "leading_industries",
                "positioning",
                "available_sqm",
                "excluded_industries",
            ]
        ].to_dict()
        row["park_id"] = f"R{i:02d}"
        row["location_preference"] = ["不限", "本地培育", "异地招引", None][i % 4]
        row["park_type"] = [None, "小微企业园", "专业园区", "开发区", "孵化器", "物流园"][i % 6]
        row["available_sqm"] = [None, 0, 800, row["available_sqm"]][int(rng.integers(4))]
        if rng.random() < 0.3:
            row["excluded_industries"] = None
        if i % 5 == 1:
            row["positioning"] = str(row["positioning"]) + "单纯贸易类企业不予入驻。"
        if i % 7 == 2:
            row["leading_industries"] = None
        if i % 9 == 3 or i == 23:
            row["positioning"] = None
        if i == 23:  # nothing said of what the park wants
            row["leading_industries"] = None
        if i % 8 == 5:  # a park far away (a relocation target), or one without a place
            row.update(province="四川省", city="成都市", county=None, lat=30.6, lon=104.1)
        if i % 11 == 6:
            row.update(lat=None, lon=None)
        rows.append(row)
    return pd.DataFrame(rows)


def _random_enterprises(rng: np.random.Generator, n: int) -> pd.DataFrame:
    ents = make_enterprises(n, random_state=int(rng.integers(1000))).astype(object)
    for cols, share in [
        (["industry_code"], 0.4),
        (["lat", "lon"], 0.2),
        (["lat", "lon", "province", "city", "county"], 0.1),
        (["county"], 0.2),
        (["space_need_sqm"], 0.3),
        (["size_class", "employees", "revenue_wan"], 0.2),
        (["srdi_level"], 0.3),
        (["high_tech"], 0.3),
        (["patents"], 0.3),
        (["business_scope", "products"], 0.05),
    ]:
        blank = rng.random(n) < share
        for col in cols:
            ents.loc[blank, col] = None
    ents.loc[rng.random(n) < 0.1, "space_need_sqm"] = 0
    big = rng.random(n) < 0.1
    ents.loc[big, "space_need_sqm"] = 200_000
    return ents


@pytest.fixture(scope="module")
def random_matcher() -> Matcher:
    rng = np.random.default_rng(14)
    return Matcher().fit(_random_parks(rng), _random_enterprises(rng, 2500))


def test_random_data_takes_every_branch(random_matcher: Matcher) -> None:
    index = random_matcher.index_
    E, P = index.enterprises, index.parks
    assert set(P.location_preference.tolist()) == {0, 1, 2}
    assert np.isnan(P.available).any() and (P.available == 0).any()
    assert P.refuse_trade.any() and not all(P.leading) and not P.has_text.all()
    assert (E.code_source == 0).any() and (E.code_source == 2).any() and E.conflict.any()
    assert np.isnan(E.lat).any() and (E.size < 0).any() and np.isnan(E.space).any()
    assert not E.has_text.all()
    eligible = np.concatenate(
        [eligibility(index, np.array([p]), np.arange(len(E))) for p in range(len(P))]
    )
    assert eligible.any() and not eligible.all()


@pytest.mark.parametrize("share", [1.0, 0.0])
def test_location_once_per_point_equals_every_row(
    random_matcher: Matcher, share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The location family's one-park path computes a distance once per distinct point and
    gathers it (share 1: always), or once per row (share 0: never): both equal the general
    path, for every park (each preference, parks without a place), all rows, a subset, or a
    page's few rows (those once per row whatever the share)."""
    index = random_matcher.index_
    E = index.enterprises
    monkeypatch.setattr(location_module, "POINTS_SHARE", share)
    monkeypatch.setitem(E.extras, "points", None)  # built again with this share
    family = next(f for f in random_matcher.families_ if f.name == "location")
    n = len(E)
    subset = np.random.default_rng(2).choice(n, size=n // 3, replace=False)
    for park in range(len(index.parks)):
        for ents in (None, subset, subset[:5]):
            rows = np.arange(n) if ents is None else ents
            general = family.compute(index, np.array([park]), rows)
            assert _same(general, family.compute_park(index, park, ents)), (park, share)
    points = E.extras["points"]
    assert bool(points) == (share == 1.0)
    if points:  # rows of one pair share a point; unknown places (NaN) too
        point_xyz, of_row = points
        assert len(point_xyz[0]) < n and np.isnan(point_xyz[0]).any()
        assert 5 * 8 < len(point_xyz[0])  # the page's few rows above went row by row
        assert _same(point_xyz[2][of_row], index.enterprises.extras["xyz"][2])


def test_distinct_points_tell_pairs_apart_by_their_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows of one (lat, lon) pair share a point, two pairs never do, and a collision of the
    one-pass mix (two pairs, one mix) sends the index row by row instead of merging them."""
    monkeypatch.setattr(location_module, "POINTS_SHARE", 1.0)
    lat = np.array([34.7, 34.7, 34.75, np.nan, np.nan, 34.7])
    lon = np.array([113.6, 113.6, 113.6, np.nan, np.nan, 113.65])
    xyz = location_module.unit_vectors(lat, lon)
    point_xyz, of_row = location_module._distinct_points(lat, lon, xyz)
    assert of_row.tolist() == [0, 0, 1, 2, 2, 3] and len(point_xyz[0]) == 4
    # a second pair whose mix equals the first's: lon2 = lat1 * M + lon1 - lat2 * M (mod 2**64)
    mix = np.uint64(0x9E3779B97F4A7C15)
    la = np.array([34.7, 35.1]).view(np.uint64)
    lo = np.empty(2, dtype=np.uint64)
    lo[0] = np.array([113.6]).view(np.uint64)[0]
    lo[1:] = la[:1] * mix + lo[:1] - la[1:] * mix  # arrays: wrapping, without a warning
    clash_lat, clash_lon = la.view(np.float64), lo.view(np.float64)
    assert (
        location_module._distinct_points(
            clash_lat, clash_lon, location_module.unit_vectors(clash_lat, clash_lon)
        )
        == ()
    )


@pytest.mark.parametrize("precompute", [True, False])
def test_every_family_one_park_equals_general(
    random_matcher: Matcher, precompute: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not precompute:  # through the one-park paths (the park's own terms), not stored tables
        _compute_every_time(monkeypatch)
    index = random_matcher.index_
    n = len(index.enterprises)
    subset = np.random.default_rng(1).choice(n, size=n // 2, replace=False)
    few = np.array([5, 3, 3, 0, n - 1])
    for park in range(len(index.parks)):
        for family in random_matcher.families_:
            for ents in (None, subset, few):
                rows = np.arange(n) if ents is None else ents
                general = family.compute(index, np.array([park]), rows)
                fast = family.compute_park(index, park, ents)
                assert _same(general, fast), (park, family.name, ents is None)
                # into a buffer holding a stale column (written in place, or left alone)
                buffer = np.full(len(rows), 0.123, dtype=np.float32)
                buffer[::7] = np.nan
                fast = family.compute_park(index, park, ents, buffer=buffer)
                assert _same(general, fast), (park, family.name, ents is None, "buffer")
                # stored (when the family keeps every park's values) or computed, the same
                buffer = np.full(len(rows), 0.123, dtype=np.float32)
                read = family.park_values(index, park, ents, buffer=buffer)
                assert _same(general, read), (park, family.name, ents is None, "stored")


def test_stored_park_values_up_to_the_bound_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every park's values (and its eligibility verdicts) are kept per index exactly when
    parks × enterprises is at most the bound, once per family that keeps them, read-only and
    equal to computing each park; past the bound nothing is kept and each ranking computes its
    park."""
    rng = np.random.default_rng(5)
    m = Matcher().fit(_random_parks(rng), _random_enterprises(rng, 400))
    index = m.index_
    E, P = index.enterprises, index.parks
    pairs = len(P) * len(E)
    keeping = [f for f in m.families_ if f.stores_park_values]
    assert {f.name for f in keeping} == {"industry", "text", "capacity", "location"}
    assert not any(f.stores_park_values for f in m.families_ if f not in keeping)

    def stored() -> set[str]:
        return {k for k in E.extras if k.startswith("park_values:")}

    assert len(stored()) == len(keeping)  # built with the fit (its first pair scored)
    for key in [*stored(), "park_eligibility"]:
        del E.extras[key]
    monkeypatch.setattr(base_module, "PRECOMPUTE_PAIRS", pairs - 1)
    for family in m.families_:
        family.park_values(index, 0)
    park_eligibility(index, 0)
    assert stored() == set() and "park_eligibility" not in E.extras
    monkeypatch.setattr(base_module, "PRECOMPUTE_PAIRS", pairs)
    first = {f.name: f.park_values(index, 3) for f in keeping}
    park_eligibility(index, 3)
    assert len(stored()) == len(keeping)
    assert "park_eligibility" in E.extras
    tables = {k: E.extras[k] for k in [*stored(), "park_eligibility"]}
    for park in range(len(P)):
        assert _same(
            park_eligibility(index, park), score_module._park_eligibility(index, park, None)
        )
    for family in keeping:
        again = family.park_values(index, 3)
        assert _same(again, first[family.name]) and not again.flags.writeable
        with pytest.raises(ValueError):
            again[0] = 0.5  # a caller cannot change what the next ranking reads
        for park in range(len(P)):
            assert _same(family.park_values(index, park), family.compute_park(index, park))
    assert all(E.extras[k] is t for k, t in tables.items())  # built once per index


def test_families_configured_apart_keep_tables_apart(random_matcher: Matcher) -> None:
    """A family's parameters are part of its table's key: a text family with another saturation
    on the same index reads values of its own, not the fitted family's."""
    index = random_matcher.index_
    fitted = next(f for f in random_matcher.families_ if f.name == "text")
    other = TextFeature(saturation=0.7)
    mine, theirs = other.park_values(index, 0), fitted.park_values(index, 0)
    assert _same(mine, other.compute_park(index, 0)) and not _same(mine, theirs)
    assert _same(theirs, fitted.compute_park(index, 0))


@pytest.mark.parametrize("weights", [None, {"industry": 3.0, "location": 0.0}, {"text": 1.0}])
def test_pages_with_stored_values_equal_pages_computed(
    random_matcher: Matcher, weights: dict | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every park's first pages (reasons and contributions too) and totals are the same whether
    the families read stored values or compute the park at each ranking."""
    m = random_matcher
    ids = m.index_.parks.ids
    mask = np.zeros(len(m.index_.enterprises), dtype=bool)
    mask[::3] = True

    def pages() -> list:
        out = []
        for park in ids:
            for k, offset, include, candidates in [
                (20, 0, False, None),
                (15, 40, True, None),
                (10, 5, False, mask),
            ]:
                m.clear_cache()
                out.append(
                    m.enterprise_page(
                        str(park),
                        k,
                        offset=offset,
                        include_ineligible=include,
                        weights=weights,
                        candidates=candidates,
                    )
                )
        return out

    stored = pages()
    _compute_every_time(monkeypatch)
    computed = pages()
    for a, b in zip(stored, computed, strict=True):
        assert a.total == b.total and a.reasons == b.reasons
        for name in ("rank", "ids", "score", "eligible", "contributions"):
            assert _same(getattr(a, name), getattr(b, name)), name


@pytest.mark.parametrize("stored", [True, False])
@pytest.mark.parametrize("runs_share", [0.0, 0.125, 1.0])
def test_park_eligibility_equals_general(
    random_matcher: Matcher, runs_share: float, stored: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every park (banned codes, refused traders, nothing banned) against every row, through
    the rows sorted by their codes (share 1), the gather of every row's verdict (share 0) or
    either, and against a subset (always the gather); or read from every park's verdicts
    kept per index, each call a new array of its own."""
    monkeypatch.setattr(score_module, "BANNED_RUNS_SHARE", runs_share)
    if not stored:
        _compute_every_time(monkeypatch)
    index = random_matcher.index_
    if stored:  # decided for every park with the fit
        assert "park_eligibility" in index.enterprises.extras
    first = park_eligibility(index, 1)
    first[:] = ~first  # the caller's own array: the next call is not changed
    assert _same(park_eligibility(index, 1), ~first)
    n = len(index.enterprises)
    subset = np.arange(0, n, 3)
    for park in range(len(index.parks)):
        assert _same(
            eligibility(index, np.array([park]), np.arange(n)), park_eligibility(index, park)
        )
        assert _same(
            eligibility(index, np.array([park]), subset), park_eligibility(index, park, subset)
        )


@pytest.mark.parametrize("weights", [None, {"industry": 3.0, "location": 0.0}, {"text": 1.0}])
def test_score_park_equals_score_pairs(
    random_matcher: Matcher, weights: dict | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if weights is None:  # every family computed at the ranking; else stored values read
        _compute_every_time(monkeypatch)
    m = random_matcher
    index = m.index_
    n = len(index.enterprises)
    for park in range(len(index.parks)):
        coef = m.park_coef(park, weights)
        general = score_pairs(index, m.families_, m.scorer_, np.array([park]), np.arange(n), coef)
        fast = score_park(index, m.families_, m.scorer_, park, None, coef)
        assert _same(general[0], fast[0]) and _same(general[1], fast[1])
        pages = [
            select_page(*scored, k=k, offset=off, include_ineligible=inc)
            for scored in (general, fast)
            for k, off, inc in [(20, 0, False), (None, 0, True), (7, 30, True)]
        ]
        for a, b in zip(pages[:3], pages[3:], strict=True):
            assert np.array_equal(a[0], b[0]) and a[1] == b[1]


@pytest.mark.parametrize("threads", [False, True])
def test_weighted_sum_in_halves_equals_score_pairs(
    random_matcher: Matcher, threads: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compiled sum (in two halves on the pool, or in one pass) gives the scorer's own
    sums, unknown values filled, for every weighting."""
    if threads:
        monkeypatch.setattr(score_module, "PARALLEL_MIN_ROWS", 0)
    m = random_matcher
    index = m.index_
    n = len(index.enterprises)
    assert score_module._halves(n) == [(0, n // 2), (n // 2, n)]
    subset = np.random.default_rng(2).choice(n, size=n // 3, replace=False)
    for park in (0, 4, 9, 23):
        for weights in (None, {"industry": 3.0, "location": 0.0}, {"text": 1.0}):
            coef = m.park_coef(park, weights)
            for ents in (np.arange(n), subset, subset[:1]):
                general = score_pairs(index, m.families_, m.scorer_, np.array([park]), ents, coef)
                given = None if len(ents) == n else ents
                fast = score_park(index, m.families_, m.scorer_, park, given, coef)
                assert _same(general[0], fast[0]) and _same(general[1], fast[1])
    unknown = [np.isnan(f.compute_park(index, p)).any() for f in m.families_ for p in (0, 4, 9, 23)]
    assert any(unknown)  # the fill was taken


@pytest.mark.parametrize("group", [1, 2, 6])
def test_weighted_sum_equals_the_fill_first_sum(
    group: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compiled pass gives the fill-first sum (NumPy, float64) bit for bit, with NaN-heavy,
    NaN-free and all-NaN columns, zero, negative and huge weights, float32 and float64 columns,
    whether the families are summed in one group or group after group, and over a span."""
    monkeypatch.setattr(kernels_module, "GROUP", group)
    rng = np.random.default_rng(5)
    n = 1000
    columns = [rng.random(n, dtype=np.float32) for _ in range(5)]
    columns[0][rng.random(n) < 0.6] = np.nan  # NaN-heavy
    columns[2][:] = np.nan  # all unknown
    columns[3][rng.random(n) < 0.01] = np.nan  # a few
    columns[4][6] = np.nan  # one row only
    columns[1] = columns[1].astype(np.float64)  # a family may give float64
    neutral = np.array([0.3, 0.5, 0.5, 0.4, 0.5], dtype=np.float32)
    for weights in (
        np.array([35.0, 25.0, 15.0, 15.0, 10.0]),
        np.array([0.0, -1.5, 1e300, 0.1, 1 / 3]),
        np.array([-0.0, 2.0**-1074, -1e308, 7.0, 0.5]),
    ):
        fast = np.empty(n)
        kernels_module.weighted_sum(fast, columns, neutral, weights, 0.25, 0, n)
        expected = np.full(n, 0.25)
        for j, column in enumerate(columns):
            filled = np.where(np.isnan(column), neutral[j], column).astype(column.dtype)
            expected += filled.astype(np.float64) * weights[j]
        assert _same(fast, expected)
        lo, hi = 3, 500  # a span: the other rows are not written
        part = np.full(n, -7.0)
        kernels_module.weighted_sum(part, columns, neutral, weights, 0.25, lo, hi)
        assert _same(part[lo:hi], expected[lo:hi])
        assert (part[:lo] == -7.0).all() and (part[hi:] == -7.0).all()


def test_space_part_equals_space_fits_at_the_edges() -> None:
    """The one-park space part gives :func:`space_fits`' bits for needs at and around a
    quarter and all of the free space, zero (both signs), negative, unknown and infinite,
    against free space that is positive, tiny, infinite, zero, negative or unknown."""
    from matcher.features.capacity import _space_part, space_fits

    rng = np.random.default_rng(11)
    f32 = np.float32
    for available in (f32(1000.0), f32(3.0), f32(1e-40), f32(np.inf), f32(0.0), f32(-5.0)):
        around = [available * f32(q) for q in (0.25, 1.0, 0.5, 2.0)]
        edges = [np.nextafter(a, d, dtype=f32) for a in around for d in (f32(-np.inf), f32(np.inf))]
        need = np.array(
            [*around, *edges, 0.0, -0.0, -1.0, np.nan, np.inf, -np.inf, 1e-45],
            dtype=np.float32,
        )
        need = np.concatenate([need, (rng.random(500) * 2 * min(available, 1e6)).astype(f32)])
        with np.errstate(all="ignore"):  # a need over a tiny free space overflows
            expected = space_fits(need, np.full(len(need), available, dtype=np.float32))
            got = _space_part(need, available, np.empty(len(need), dtype=np.float32))
        assert _same(got, expected), available
    unknown = _space_part(np.ones(3, dtype=np.float32), f32(np.nan), np.empty(3, dtype=f32))
    assert np.isnan(unknown).all()


def test_capacity_over_every_row_equals_general_at_the_edges() -> None:
    """The capacity path over every row (one compiled pass) gives the general values bit for
    bit, for needs
    just under, at and just over all and a quarter of the free space, and for every kind of
    free space (the odd ones take the general one-park formula)."""
    from types import SimpleNamespace

    from matcher.features import CapacityFeature

    rng = np.random.default_rng(12)
    f32 = np.float32
    available = np.array([1000.0, 3.0, 1e-40, 3e38, np.inf, 0.0, -5.0, np.nan], dtype=f32)
    needs = [np.array([0.0, -0.0, -1.0, np.nan, np.inf, -np.inf, 1e-45], dtype=f32)]
    for a in available[np.isfinite(available)]:
        for q in (0.25, 1.0):
            edge = a * f32(q)
            needs.append(np.array([edge, np.nextafter(edge, f32(np.inf))], dtype=f32))
            needs.append(np.array([np.nextafter(edge, f32(-np.inf))], dtype=f32))
    needs.append((rng.random(3000) * 2000).astype(f32))
    space = np.concatenate(needs)
    space[rng.random(len(space)) < 0.2] = np.nan
    size = rng.integers(-1, 4, len(space)).astype(np.int8)
    ents = SimpleNamespace(space=space, size=size, extras={})
    parks = SimpleNamespace(
        available=available, park_type=np.arange(len(available)) % 6 - 1, extras={}
    )
    index = SimpleNamespace(enterprises=ents, parks=parks)
    family = CapacityFeature()
    rows = np.arange(len(space))
    assert np.isnan(space).any() and (size < 0).any()
    with np.errstate(all="ignore"):  # needs over a tiny free space overflow
        for park in range(len(available)):
            general = family.compute(index, np.array([park]), rows)
            fast = family.compute_park(index, park, None, buffer=np.empty(len(space), f32))
            assert _same(general, fast), available[park]
            assert _same(general, family.compute_park(index, park, None))


def test_buffers_of_the_wrong_kind_are_not_written(random_matcher: Matcher) -> None:
    """A buffer that is not a writable float32 column of the rows' length is left alone and the
    values are a new array."""
    index = random_matcher.index_
    n = len(index.enterprises)
    for family in random_matcher.families_:
        general = family.compute(index, np.array([2]), np.arange(n))
        short = np.zeros(n - 1, dtype=np.float32)
        wide = np.zeros(n, dtype=np.float64)
        frozen = np.zeros(n, dtype=np.float32)
        frozen.flags.writeable = False
        for buffer in (short, wide, frozen):
            fast = family.compute_park(index, 2, None, buffer=buffer)
            assert _same(general, fast) and not buffer.any()


@pytest.mark.parametrize("precompute", [True, False])
def test_concurrent_rankings_do_not_share_scratch(
    random_matcher: Matcher, precompute: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads scoring different parks at the same time (each family on the pool, as a
    large index does) get the scores one thread gets one park after another; the same park
    scored again gives the same scores (nothing stale is left in the reused columns)."""
    if not precompute:
        _compute_every_time(monkeypatch)
    monkeypatch.setattr(score_module, "PARALLEL_MIN_ROWS", 0)  # the pool, as at 1M rows
    m = random_matcher
    index, families, scorer = m.index_, m.families_, m.scorer_
    parks = list(range(len(index.parks)))

    def scores(park: int) -> tuple[np.ndarray, np.ndarray]:
        return score_park(index, families, scorer, park, None, m.park_coef(park))

    alone = {park: scores(park) for park in parks}
    again = {park: scores(park) for park in reversed(parks)}
    for park in parks:
        assert _same(alone[park][0], again[park][0]) and _same(alone[park][1], again[park][1])
    assert len({alone[p][0].tobytes() for p in parks}) == len(parks)  # parks score differently

    start = threading.Barrier(2)
    results: dict[int, list[tuple[int, np.ndarray, np.ndarray]]] = {0: [], 1: []}

    def worker(side: int) -> None:
        start.wait()
        for round_ in range(3):
            for park in parks[side::2] if round_ % 2 == 0 else parks[side::2][::-1]:
                results[side].append((park, *scores(park)))

    threads = [threading.Thread(target=worker, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(r) for r in results.values()) == 3 * len(parks)
    for side in (0, 1):
        for park, score, eligible in results[side]:
            assert _same(score, alone[park][0]) and _same(eligible, alone[park][1]), park


def test_scratch_of_a_ranking_thread_is_bounded(
    random_matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread that scores every park (each family on the thread itself) and pages them keeps
    at most the bytes per row of SCRATCH_NAMES, plus one float32 column a family."""
    _compute_every_time(monkeypatch)
    m = random_matcher
    index = m.index_
    n = len(index.enterprises)
    held: list[int] = []

    def work() -> None:
        clear_scratch()
        with scratch_session():  # the set the rankings below borrow in turn
            for park in range(len(index.parks)):
                score, eligible = score_park(
                    index, m.families_, m.scorer_, park, None, m.park_coef(park), threads=False
                )
                select_page(score, eligible, k=20)
            held.append(scratch_nbytes())
        held.append(scratch_nbytes())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    column = SCRATCH_NAMES["score_park.column.*"]  # bytes per row of each family's column
    per_row = sum(SCRATCH_NAMES.values()) - column + column * len(m.families_)
    gather_block = 8 * min(n, base_module.GATHER_BLOCK)
    assert 8 * n < held[0] <= per_row * n + gather_block
    assert held[1] == 0  # the set went back: the thread holds nothing after
    clear_scratch()


@pytest.mark.parametrize("weights", [None, {"industry": 3.0, "location": 0.0}])
def test_one_park_page_equals_general_pairs(random_matcher: Matcher, weights: dict | None) -> None:
    """A page of one park takes the families' one-park paths for its rows: the same values,
    contributions, scores and eligibility as the pairs' general path."""
    m = random_matcher
    index, families, scorer = m.index_, m.families_, m.scorer_
    n = len(index.enterprises)
    rng = np.random.default_rng(6)
    for park in range(len(index.parks)):
        coef = m.park_coef(park, weights)
        rows = np.append(rng.choice(n, size=25, replace=False), [0, 0])  # a row twice
        parks = np.full(len(rows), park)
        raw, filled = component_values(index, families, parks, rows)
        fast = score_module.park_component_values(index, families, park, rows)
        assert _same(raw, fast[0]) and _same(filled, fast[1])
        page = page_rows(index, families, scorer, parks, rows, coef, other="enterprise")
        contrib = np.asarray(scorer.contributions(filled, coef), dtype=np.float64)
        assert _same(page.contributions, contrib)
        assert _same(page.score, float(scorer.baseline) + contrib.sum(axis=1))
        assert _same(page.eligible, eligibility(index, parks, rows))
    assert np.isnan(raw).any()  # unknown values were filled


def test_scores_have_ties_and_fast_ranking_keeps_them_in_row_order(random_matcher: Matcher) -> None:
    m = random_matcher
    leads = m.rank_enterprises("R00", k=None, include_ineligible=True)
    score = leads["score"].to_numpy()
    assert (np.diff(score[leads["eligible"].to_numpy()]) == 0).any()  # ties exist
    m.clear_cache()
    index = m.index_
    general = score_pairs(
        index, m.families_, m.scorer_, np.array([0]), np.arange(len(index.enterprises)), None
    )
    rows, _ = select_page(*general, k=None, include_ineligible=True)
    assert leads["enterprise_id"].tolist() == index.enterprises.ids[rows].tolist()


def test_other_scorers_and_families_use_the_general_values(random_matcher: Matcher) -> None:
    m = random_matcher
    both = Matcher(
        families=[*default_families(), ChainFeature(), PreferenceFeature()],
        scorer=ReciprocalScorer(),
    ).fit(m.parks_, m.enterprises_)
    index = both.index_
    n = len(index.enterprises)
    for park in (0, 1, 7):
        coef = both.park_coef(park)
        general = score_pairs(
            index, both.families_, both.scorer_, np.array([park]), np.arange(n), coef
        )
        fast = score_park(index, both.families_, both.scorer_, park, None, coef)
        assert _same(general[0], fast[0]) and _same(general[1], fast[1])


def test_text_columns_follow_the_rows_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_module, "BLOCK_ROWS", 64)  # several blocks of rows
    rng = np.random.default_rng(3)
    X = sparse.random(300, 40, density=0.3, format="csr", dtype=np.float32, random_state=4)
    X.sort_indices()
    assert row_order(X) == 1
    descending = X.copy()
    for i in range(X.shape[0]):  # reverse every row
        lo, hi = X.indptr[i], X.indptr[i + 1]
        descending.indices[lo:hi] = X.indices[lo:hi][::-1]
        descending.data[lo:hi] = X.data[lo:hi][::-1]
    descending.has_sorted_indices = False
    assert row_order(descending) == -1
    shuffled = descending.copy()
    shuffled.indices[:3] = shuffled.indices[:3][[1, 0, 2]]
    assert row_order(shuffled) == 0 and term_columns(shuffled) is None
    vector = np.zeros(40, dtype=np.float32)
    terms = rng.choice(40, size=12, replace=False)
    vector[terms] = rng.random(12).astype(np.float32)
    for matrix, flipped in ((X, True), (descending, False)):
        columns = term_columns(matrix)
        assert columns is not None and len(columns.blocks) == 5
        assert columns.flipped == flipped  # the park's terms walk the stored data backwards
        full = np.asarray(matrix @ vector)
        assert _same(full, columns.cosine(vector, terms))
        reverse = TermColumns(columns.blocks, -columns.order, flipped)  # the other order differs
        assert not _same(full, reverse.cosine(vector, terms))
        # scipy's mat-vec over the park's stretches of data, and over copied-out columns
        with monkeypatch.context() as patch:
            patch.setattr(text_module, "_csc_matvec", None)
            assert _same(full, columns.cosine(vector, terms))
        # one term, no term, and float64 weights (the copied-out columns) give the same sums
        for chosen in (terms[:1], terms[:0]):
            one = np.zeros(40, dtype=np.float32)
            one[chosen] = vector[chosen]
            assert _same(np.asarray(matrix @ one), columns.cosine(one, chosen))
        wide = vector.astype(np.float64)
        assert _same(np.asarray(matrix @ wide), columns.cosine(wide, terms))


@pytest.mark.parametrize("index_type", [np.int32, np.int64])
@pytest.mark.parametrize("value_type", [np.float32, np.float64])
def test_compiled_csc_matvec_equals_scipys_bit_for_bit(
    index_type: type, value_type: type, tmp_path: Path
) -> None:
    """The text columns' mat-vec (compiled, without the interpreter lock) adds the same products
    in the same order as scipy's own ``csc_matvec``: every bit equal, over stretches running
    forwards, backwards (empty) and repeated, and over memory-mapped read-only arrays."""
    from scipy.sparse import _sparsetools

    rng = np.random.default_rng(7)
    A = sparse.random(500, 60, density=0.2, format="csc", dtype=value_type, random_state=8)
    A.data = (rng.standard_normal(A.nnz) * 1e3).astype(value_type)  # sums that round
    indices, indptr = A.indices.astype(index_type), A.indptr.astype(index_type)
    cols = rng.integers(0, 60, size=40)
    ptr = np.empty(2 * len(cols), dtype=index_type)  # each column, then a stretch between two
    ptr[0::2], ptr[1::2] = indptr[cols], indptr[cols + 1]
    x = rng.standard_normal(len(ptr) - 1).astype(value_type)
    mapped = tmp_path / "data.npy"
    np.save(mapped, A.data)
    data_map = np.load(mapped, mmap_mode="r")
    for data in (A.data, data_map):
        expected = rng.standard_normal(500).astype(value_type)  # added to, as scipy does
        got = expected.copy()
        _sparsetools.csc_matvec(500, len(x), ptr, indices, A.data, x, expected)
        narrow = got.copy()
        feature_kernels.csc_matvec(500, len(x), ptr, indices, data, x, got)
        assert _same(expected, got)
        # row positions in 2 bytes (the text columns' blocks): the same sums
        feature_kernels.csc_matvec(500, len(x), ptr, indices.astype(np.uint16), data, x, narrow)
        assert _same(expected, narrow)
    with pytest.raises(ValueError, match="shape"):
        feature_kernels.csc_matvec(500, len(x) + 1, ptr, indices, A.data, x, got)


@pytest.mark.parametrize("value_type", [np.float32, np.float64])
def test_rows_dot_equals_scipys_slice_and_product(value_type: type) -> None:
    """A page's few rows times a park's vector, each row's stored entries in order, equal
    ``matrix[rows] @ x`` bit for bit (repeated rows, empty rows, any order); another type of
    vector is left to scipy (None)."""
    rng = np.random.default_rng(9)
    dense = sparse.random(400, 50, density=0.2, dtype=value_type, random_state=3).toarray()
    dense[dense != 0] = rng.standard_normal(int((dense != 0).sum())) * 1e3
    dense[7] = 0  # an empty row
    matrix = sparse.csr_matrix(dense)
    x = rng.standard_normal(50).astype(value_type)
    rows = np.array([399, 7, 3, 3, 0, 250])
    got = feature_kernels.csr_rows_dot(matrix, rows, x)
    assert got is not None and _same(np.asarray(matrix[rows] @ x), got)
    other = np.float32 if value_type is np.float64 else np.float64
    assert feature_kernels.csr_rows_dot(matrix, rows, x.astype(other)) is None


def _row_order_row_by_row(X: sparse.csr_matrix) -> int:
    steps = [
        np.diff(X.indices[X.indptr[i] : X.indptr[i + 1]].astype(np.int64))
        for i in range(X.shape[0])
    ]
    every = np.concatenate([np.zeros(0, dtype=np.int64), *steps])
    if np.all(every > 0):
        return 1
    return -1 if np.all(every < 0) else 0


def test_row_order_equals_checking_row_by_row() -> None:
    """Rows ascending, descending, with a tie, a single term, empty rows (first, last, in a
    run), one disorder in the last row or across no row boundary: the order found equals
    checking every row on its own."""
    rng = np.random.default_rng(11)
    X = sparse.random(60, 30, density=0.2, format="csr", dtype=np.float32, random_state=2)
    X.sort_indices()
    for empty in ([0], [59], [10, 11, 12], []):
        rows = [i for i in range(60) if i not in empty]
        base = sparse.vstack(
            [X[i] if i in rows else sparse.csr_matrix((1, 30)) for i in range(60)]
        ).tocsr()
        base.sort_indices()
        descending = base.copy()
        for i in range(60):
            lo, hi = descending.indptr[i], descending.indptr[i + 1]
            descending.indices[lo:hi] = base.indices[lo:hi][::-1]
        cases = [base, descending]
        for matrix in (base, descending):
            for _ in range(4):  # one pair of neighbours swapped inside a random row
                bad = matrix.copy()
                long_rows = np.flatnonzero(np.diff(bad.indptr) >= 2)
                row = int(rng.choice(long_rows))
                at = int(rng.integers(bad.indptr[row], bad.indptr[row + 1] - 1))
                bad.indices[[at, at + 1]] = bad.indices[[at + 1, at]]
                cases.append(bad)
            tie = matrix.copy()
            row = int(np.flatnonzero(np.diff(tie.indptr) >= 2)[-1])
            tie.indices[tie.indptr[row] + 1] = tie.indices[tie.indptr[row]]
            cases.append(tie)
        for matrix in cases:
            assert row_order(matrix) == _row_order_row_by_row(matrix)
    single = sparse.csr_matrix(([1.0], ([3], [7])), shape=(5, 9), dtype=np.float32)
    assert row_order(single) == 1 == _row_order_row_by_row(single)
    assert row_order(sparse.csr_matrix((4, 9), dtype=np.float32)) == 1


def test_text_column_blocks_keep_row_positions_in_two_bytes_when_they_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A block of at most 65,536 rows keeps its row positions as uint16 (the same positions);
    a longer one keeps scipy's; both give the plain product's sums bit for bit."""
    rng = np.random.default_rng(12)
    X = sparse.random(70_000, 30, density=0.002, format="csr", dtype=np.float32, random_state=5)
    X.sort_indices()
    vector = np.zeros(30, dtype=np.float32)
    terms = rng.choice(30, size=9, replace=False)
    vector[terms] = rng.random(9).astype(np.float32)
    full = np.asarray(X @ vector)
    for rows, narrow in ((1 << 16, True), (70_000, False)):
        monkeypatch.setattr(text_module, "BLOCK_ROWS", rows)
        columns = term_columns(X)
        assert columns is not None
        first = columns.blocks[0]
        assert (first.indices.dtype == np.uint16) == narrow and first.shape[0] == rows
        scipy_block = sparse.csc_matrix(X[:rows][:, ::-1])
        np.testing.assert_array_equal(first.indices, scipy_block.indices)
        assert first.to_csc().nnz == scipy_block.nnz
        assert _same(full, columns.cosine(vector, terms))


def test_text_columns_built_on_two_threads_equal_one_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The blocks converted two at a time are the blocks one thread converts, in order."""
    monkeypatch.setattr(text_module, "BLOCK_ROWS", 16)
    X = sparse.random(250, 40, density=0.3, format="csr", dtype=np.float32, random_state=6)
    X.sort_indices()
    both = term_columns(X)
    with monkeypatch.context() as patch:
        patch.setattr(text_module.os, "cpu_count", lambda: 1)
        one = term_columns(X)
    assert both is not None and one is not None and len(both.blocks) == len(one.blocks) == 16
    assert (both.order, both.flipped) == (one.order, one.flipped)
    for a, b in zip(both.blocks, one.blocks, strict=True):
        np.testing.assert_array_equal(a.indptr, b.indptr)
        np.testing.assert_array_equal(a.indices, b.indices)
        np.testing.assert_array_equal(_bits(a.data), _bits(b.data))


def test_text_columns_read_the_park_terms_where_they_lie(random_matcher: Matcher) -> None:
    """The fitted index's columns take the direct path, and each stretch between two of a
    park's terms is empty (the data is read once, term by term)."""
    index = random_matcher.index_
    X = index.enterprises.X
    columns = term_columns(X)
    assert columns is not None and text_module._csc_matvec is not None
    assert all(columns._direct(b, np.dtype(np.float32)) for b in columns.blocks)
    assert all(b.indices.dtype == np.uint16 for b in columns.blocks)  # 2 bytes a position
    P = index.parks
    for park in range(len(P)):
        row = P.X[park]
        vector = row.toarray().ravel()
        terms = np.unique(row.indices)[:: columns.order]
        where = X.shape[1] - 1 - terms if columns.flipped else terms
        for block in columns.blocks:
            starts, ends = block.indptr[where], block.indptr[where + 1]
            assert np.all(starts[1:] <= ends[:-1])
        assert _same(np.asarray(X @ vector, dtype=np.float32), columns.cosine(vector, row.indices))


def test_positions_at_or_above_equal_numpys() -> None:
    """The compiled pass that collects a ranking's candidates gives ``np.flatnonzero(values >=
    floor)``: NaN never qualifies, a float32 column is compared with a float64 floor as NumPy
    compares them, and nothing or everything may qualify."""
    rng = np.random.default_rng(11)
    values = rng.random(10_001)
    values[::97] = np.nan
    narrow = values.astype(np.float32)
    between = np.float64(narrow[5]) + 1e-12  # above the float32 value, below its next one
    cases = [
        (values, np.float64(0.97)),  # a few: collected by the compiled pass
        (narrow, np.float32(0.99)),
        (values, np.float64(0.9)),  # more than its room: NumPy's passes
        (values, 0.5),
        (values, np.float64(2.0)),  # none
        (values, -np.inf),  # every row but the NaN ones
        (narrow, between),  # NumPy compares in float64: narrow[5] does not qualify
        (narrow, np.float32(0.25)),
        (values[:0], 0.5),
    ]
    for share in (kernels_module.COLLECT_SHARE, 0.0):  # room for a few, or for none: NumPy
        for column, floor in cases:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(kernels_module, "COLLECT_SHARE", share)
                got = kernels_module.positions_at_or_above(column, floor)
            assert got.dtype == np.intp
            assert np.array_equal(got, np.flatnonzero(column >= floor)), (column.dtype, floor)
    assert 5 not in kernels_module.positions_at_or_above(narrow, between)


@pytest.mark.parametrize("k", [1, 5, 20, 300])
def test_top_k_with_a_sample_equals_a_full_sort(k: int) -> None:
    rng = np.random.default_rng(k)
    for key in (
        rng.random(50_000),
        np.round(rng.random(50_000), 2),  # many ties
        np.sort(rng.random(50_000)),  # the best at the end
        np.where(rng.random(50_000) < 0.5, -1e9, 0.0) + np.round(rng.random(50_000), 3),
    ):
        order = np.arange(len(key))
        expected = np.lexsort((order, -key))[:k]
        assert np.array_equal(top_k(key, order, k), expected)
        assert len(_may_be_best(key, k)) < len(key)  # the sample did narrow the candidates


@pytest.mark.parametrize("k", [1, 5, 20, 300, 60_000])
def test_top_k_rows_equals_top_k_of_every_key(k: int) -> None:
    """The page's rows from the scores and eligibility (keys only for rows whose score reaches
    the sample's bound) are those of the full key's top k: ties, ineligible rows, NaN."""
    rng = np.random.default_rng(k)
    n = 50_000
    for score, eligible in (
        (rng.random(n), rng.random(n) < 0.9),
        (np.round(rng.random(n), 2), rng.random(n) < 0.5),  # many ties
        (np.sort(rng.random(n)), np.ones(n, dtype=bool)),  # the best at the end
        (rng.random(n), rng.random(n) < 0.01),  # nearly every row ineligible
        (np.where(rng.random(n) < 0.001, np.nan, rng.random(n)), rng.random(n) < 0.9),
        (np.zeros(n), rng.random(n) < 0.5),  # every score tied
    ):
        expected = top_k(sort_key(score, eligible), np.arange(n), k)
        assert np.array_equal(top_k_rows(score, eligible, k), expected)
        assert np.array_equal(expected, np.lexsort((np.arange(n), -sort_key(score, eligible)))[:k])


def test_text_block_of_parks_equals_one_park_at_a_time(random_matcher: Matcher) -> None:
    index = random_matcher.index_
    text = next(f for f in random_matcher.families_ if f.name == "text")
    assert text.blockwise
    block = [0, 3, 23, 5, 9]  # 23 has no text at all
    subset = np.arange(0, len(index.enterprises), 4)
    for ents in (None, subset):
        together = text.compute_parks(index, block, ents)
        for b, park in enumerate(block):
            assert _same(np.ascontiguousarray(together[:, b]), text.compute_park(index, park, ents))


@pytest.mark.parametrize(
    ("include_ineligible", "threads"), [(False, False), (True, False), (False, True), (True, True)]
)
def test_blocked_batch_equals_rank_enterprises(
    random_matcher: Matcher,
    include_ineligible: bool,
    threads: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch_local, "PARK_BLOCK", 5)  # several blocks, the last one short
    if threads:  # parks scored on the batch's threads, as from 200,000 rows on
        monkeypatch.setattr(batch_local, "PARALLEL_MIN_ROWS", 0)
        monkeypatch.setattr(batch_local, "PARK_THREADS", 2)
    m = random_matcher
    seen: list[tuple[int, int, str]] = []
    top = top_enterprises(
        m,
        k=12,
        include_ineligible=include_ineligible,
        reasons=threads,
        progress=lambda done, total, what: seen.append((done, total, what)),
    )
    park_ids = m.index_.parks.ids.astype(str).tolist()
    assert seen == [(i + 1, len(park_ids), pid) for i, pid in enumerate(park_ids)]
    assert top["park_id"].unique().tolist() == park_ids  # every park, in park order
    pages = []
    for park_id in park_ids:
        m.clear_cache()
        page = m.rank_enterprises(park_id, k=12, include_ineligible=include_ineligible)
        pages.append(page.assign(park_id=park_id))
    expected = pd.concat(pages, ignore_index=True)
    assert set(top.columns) == set(expected.columns)
    sizes = set(top.groupby("park_id").size())  # attrs as pages of one park each carried them
    assert top.attrs == ({"total": sizes.pop()} if len(sizes) == 1 else {})
    for column in top.columns:
        got, want = top[column].to_numpy(), expected[column].to_numpy()
        if column == "reasons" and not threads:
            assert (got == "").all()
        elif got.dtype.kind == "f":
            assert _same(got, want), column
        else:
            assert got.tolist() == want.tolist(), column
    if not include_ineligible:
        assert top["eligible"].all() and (top.groupby("park_id").size() <= 12).all()


def test_batch_candidates_equal_a_sort_of_the_eligible_rows() -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    score = np.round(rng.random(n), 2)  # many ties
    order = rng.permutation(n)
    for share in (0.0, 0.001, 0.5, 1.0):  # none, fewer than k, half, every row eligible
        eligible = rng.random(n) < share
        for include in (False, True):
            got = batch_local._candidates(3, np.arange(n), order, score, eligible, 50, include)
            pos = np.arange(n) if include else np.flatnonzero(eligible)
            key = np.where(eligible, score, score - 1e9)[pos]
            want = pos[np.lexsort((order[pos], -key))][:50]
            assert got["ent_row"].tolist() == want.tolist()
            assert got["eligible"].tolist() == eligible[want].tolist()


def test_select_page_without_a_filter_equals_a_sort_of_the_qualifying_rows() -> None:
    rng = np.random.default_rng(21)
    n = 30_000
    score = np.round(rng.random(n), 2)  # many ties
    for share in (0.0, 0.0005, 0.5, 1.0):  # none, fewer than a page, half, every row eligible
        eligible = rng.random(n) < share
        for include in (False, True):
            pos = np.arange(n) if include else np.flatnonzero(eligible)
            key = np.where(eligible, score, score - 1e9)[pos]
            ranked = pos[np.lexsort((pos, -key))]
            for k, offset in [(20, 0), (7, 30), (0, 0), (50, 10_000), (200, 0)]:
                rows, total = select_page(
                    score, eligible, k=k, offset=offset, include_ineligible=include
                )
                assert total == len(pos)
                assert rows.tolist() == ranked[offset : offset + k].tolist()
                # the same page through the filtered path (a mask that keeps every row)
                every = np.ones(n, dtype=bool)
                filtered, _ = select_page(
                    score,
                    eligible,
                    k=k,
                    offset=offset,
                    include_ineligible=include,
                    candidates=every,
                )
                assert np.array_equal(rows, filtered)


def test_remembered_park_terms_give_the_same_reasons(
    random_matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = random_matcher
    vectorizer_module._terms_in.cache_clear()
    m.index_.enterprises.extras.pop("text_reason_clauses", None)  # no clause remembered yet
    pages = [m.rank_enterprises(park_id, k=15)["reasons"].tolist() for park_id in ("R00", "R04")]
    assert vectorizer_module._terms_in.cache_info().hits > 0  # the park's text was read once
    assert any("共同关键词" in reason for page in pages for reason in page)
    monkeypatch.setattr(  # every text read anew, as before the cache
        vectorizer_module,
        "_terms_in",
        lambda lexicon, text: lexicon.terms_in(vectorizer_module._stripped(text)),
    )
    m.index_.enterprises.extras.pop("text_reason_clauses", None)  # and each clause compared anew
    again = [m.rank_enterprises(park_id, k=15)["reasons"].tolist() for park_id in ("R00", "R04")]
    assert again == pages


def test_remembered_clauses_give_the_same_reasons(
    random_matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text reasons remember what each (park, clause) shares across pages; pages read with
    the memo warm, after it was forgotten, or with it forgotten at every call past a tiny bound
    say the same."""
    m = random_matcher
    extras = m.index_.enterprises.extras
    parks = [str(p) for p in m.index_.parks.ids[:6]]

    def pages() -> list[list[str]]:
        return [
            m.rank_enterprises(p, k=25, offset=o)["reasons"].tolist()
            for p in parks
            for o in (0, 25)
        ]

    extras.pop("text_reason_clauses", None)
    fresh = pages()
    memo = extras["text_reason_clauses"]
    memo_of_all = dict(memo)
    assert len(memo) > 10
    assert pages() == fresh and extras["text_reason_clauses"] is memo  # read, not recomputed
    monkeypatch.setattr(text_module, "CLAUSE_MEMO", 5)
    assert pages() == fresh
    # forgotten at each call: what is left is the last page's clauses, not every page's
    assert 0 < len(extras["text_reason_clauses"]) < len(memo_of_all)


def _reason_matchers(random_matcher: Matcher) -> list[Matcher]:
    """The random matcher, one with every family (chain and preference reasons, two-sided),
    and the bundled sample's."""
    both = Matcher(
        families=[*default_families(), ChainFeature(), PreferenceFeature()],
        scorer=ReciprocalScorer(),
    ).fit(random_matcher.parks_, random_matcher.enterprises_)
    return [random_matcher, both, Matcher().fit(*load_sample())]


def test_batched_reasons_equal_per_row_reasons(random_matcher: Matcher) -> None:
    """Each family's ``reasons`` over many pairs at once (one park's rows, and pairs of mixed
    parks sharing clauses and places) gives its ``reason`` pair by pair, in the same order;
    so do the eligibility verdicts. Unknown values, unknown places, parks without text and
    ineligible pairs are all among the pairs."""
    rng = np.random.default_rng(25)
    for m in _reason_matchers(random_matcher):
        index = m.index_
        n, n_parks = len(index.enterprises), len(index.parks)
        rows = np.append(rng.choice(n, size=min(n, 300), replace=False), [0, 0])
        mixed_parks = rng.integers(n_parks, size=400)
        mixed_rows = rng.integers(n, size=400)
        cases = [(np.full(len(rows), park), rows) for park in range(n_parks)]
        cases.append((mixed_parks, mixed_rows))
        ineligible = 0
        for parks, ents in cases:
            raw, _ = component_values(index, m.families_, parks, ents)
            for j, family in enumerate(m.families_):
                batched = family.reasons(index, parks, ents, raw[:, j])
                one_by_one = [
                    family.reason(index, int(p), int(e), float(v))
                    for p, e, v in zip(parks, ents, raw[:, j], strict=True)
                ]
                assert batched == one_by_one, (family.name, parks[0])
            verdicts = page_eligibility_reasons(index, parks, ents)
            assert verdicts == [
                eligibility_reasons(index, int(p), int(e)) for p, e in zip(parks, ents, strict=True)
            ]
            broken = [any(r.startswith("不符合入驻条件") for r in v) for v in verdicts]
            assert broken == (~eligibility(index, parks, ents)).tolist()
            ineligible += sum(bool(v) for v in verdicts)
        assert ineligible > 0
        assert np.isnan(raw).any()
    E = random_matcher.index_.enterprises
    assert np.isnan(E.lat).any() and not E.has_text.all()


def test_page_reasons_equal_each_pair_explained(random_matcher: Matcher) -> None:
    """A page's reasons (enterprise pages of one park, park pages of one enterprise, with
    ineligible rows) are each pair's explanation's reasons, in order."""
    ineligible = 0
    for m in _reason_matchers(random_matcher):
        index = m.index_
        for park_id in index.parks.ids[:6]:
            first = m.enterprise_page(str(park_id), k=25, offset=3, include_ineligible=True)
            assert len(first) == min(25, len(index.enterprises) - 3)
            last = m.enterprise_page(  # the ineligible rows come last
                str(park_id), k=25, offset=max(0, first.total - 25), include_ineligible=True
            )
            for page in (first, last):
                ineligible += int((~page.eligible).sum())
                for ent_id, reasons in zip(page.ids, page.reasons, strict=True):
                    assert reasons == m.explain(str(park_id), str(ent_id)).reasons
        for ent_id in index.enterprises.ids[:: max(1, len(index.enterprises) // 8)]:
            leads = m.rank_parks(str(ent_id), k=None, include_ineligible=True)
            for park_id, joined in zip(leads["park_id"], leads["reasons"], strict=True):
                assert joined == "；".join(m.explain(str(park_id), str(ent_id)).reasons)
    assert ineligible > 0


def _same_column(a: StringColumn, b: StringColumn) -> None:
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.offsets, b.offsets)
    np.testing.assert_array_equal(a.missing, b.missing)
    assert a.data.dtype == b.data.dtype and a.offsets.dtype == b.offsets.dtype


@pytest.mark.parametrize(
    "dtype", ["str", pd.StringDtype("pyarrow"), pd.StringDtype("python"), "string"]
)
def test_string_column_from_a_string_series_equals_from_its_objects(dtype: object) -> None:
    """A pandas string column is taken through its own Arrow buffers: the same bytes, offsets
    and missing rows as building from its values as objects, also for a slice of a column
    (buffers that begin at an offset) and for a column of several Arrow chunks."""
    values = ["铝板", None, "型材", "", "耐火材料", np.nan, "Ａ１ 铝", "x" * 300]
    series = pd.Series(values * 40, dtype=dtype)
    cases = [
        series,
        series.iloc[5:123],
        pd.concat([series.iloc[:7], series.iloc[50:90]], ignore_index=True),
        series.iloc[:0],
        pd.Series([None, None], dtype=dtype),
    ]
    for case in cases:
        built = StringColumn.from_iterable(case)
        # the general path: the values as a column of objects
        _same_column(built, StringColumn.from_iterable(case.astype(object)))
        expected = [None if pd.isna(v) else v for v in case.astype(object)]
        assert built.tolist() == expected


def test_string_column_rows_by_integer_array_equal_rows_one_by_one() -> None:
    """A page's rows of a string column (an integer array, negatives counting from the end)
    are the rows read one by one; a row out of range is an IndexError, as for an array."""
    col = StringColumn.from_iterable(["铝板", None, "型材", "", "耐火材料"])
    n = len(col)
    for key in (np.array([4, 0, 0, 2]), np.array([-1, -5, 1]), np.array([3], dtype=np.uint8)):
        assert col[key].tolist() == [col[int(i)] for i in key]
    assert col[np.array([], dtype=np.int64)].tolist() == []
    assert col[1:4].tolist() == col[np.arange(1, 4)].tolist() == [None, "型材", ""]
    assert col[::-2].tolist() == [col[i] for i in range(n - 1, -1, -2)]
    assert col[np.array([True, False, True, False, False])].tolist() == ["铝板", "型材"]
    for bad in (np.array([0, n]), np.array([-n - 1])):
        with pytest.raises(IndexError):
            col[bad]


def test_string_column_take_and_concat_equal_building_from_the_values() -> None:
    """``take`` (rows in any order, repeated, negative) and ``concat`` give the bytes, offsets
    and missing rows of a column built from the values they select, also from a column whose
    arrays are read-only views (as a loaded index's are) and for empty columns; a row out of
    range is an IndexError and a non-integer key a TypeError, nothing built."""
    values = ["铝板", None, "型材", "", "耐火材料", "Ａ１ 铝", "x" * 300, None]
    col = StringColumn.from_iterable(values)
    rng = np.random.default_rng(0)
    for rows in (
        rng.integers(-len(values), len(values), 50),
        np.arange(len(values))[::-1],
        np.array([], dtype=np.int64),
        np.array([2, 2, 2], dtype=np.uint16),
    ):
        expected = [values[int(i)] for i in rows]
        _same_column(col.take(rows), StringColumn.from_iterable(expected))
    frozen = StringColumn(*(a.copy() for a in (col.data, col.offsets, col.missing)))
    for a in (frozen.data, frozen.offsets, frozen.missing):
        a.setflags(write=False)
    _same_column(frozen.take([6, 0]), StringColumn.from_iterable([values[6], values[0]]))
    parts = [values[:3], [], values[3:], [None]]
    joined = StringColumn.concat(StringColumn.from_iterable(p) for p in parts)
    _same_column(joined, StringColumn.from_iterable([v for p in parts for v in p]))
    assert StringColumn.concat([]).tolist() == [] and col.take([]).tolist() == []
    for bad in ([0, len(values)], [-len(values) - 1]):
        with pytest.raises(IndexError):
            col.take(bad)
    with pytest.raises(TypeError):
        col.take(np.array([0.0, 1.0]))


def test_text_blocks_taken_by_idle_pool_threads_equal_one_thread(
    random_matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From ``SHARE_MIN_ROWS`` rows, pool threads done with their families take blocks of the
    text columns (``run_blocks`` / ``help_open_blocks``): every park's scores and eligibility
    are the same bits as with one thread reading every block, and the blocks were indeed read
    on more than one thread."""
    import threading
    import time

    if score_module.pool_threads() < 2:
        pytest.skip("one core: the scoring pool has no other thread to take blocks")
    index = random_matcher.index_
    E = index.enterprises
    monkeypatch.setattr(text_module, "BLOCK_ROWS", 97)  # many blocks of rows
    monkeypatch.setitem(E.extras, "term_columns", None)
    monkeypatch.delitem(E.extras, "term_columns")  # built again in blocks of 97 rows
    monkeypatch.setattr(score_module, "PARALLEL_MIN_ROWS", 0)
    _compute_every_time(monkeypatch)  # the text family reads its columns at each ranking
    readers: set[str] = set()
    matvec = text_module._csc_matvec

    def slow_matvec(*args):  # type: ignore[no-untyped-def]
        readers.add(threading.current_thread().name)
        time.sleep(0.0005)  # long enough for an idle thread to come and take a block
        return matvec(*args)

    monkeypatch.setattr(text_module, "_csc_matvec", slow_matvec)
    m = random_matcher
    shared_by = []  # the threads that read one park's blocks, park by park
    for park in range(len(index.parks)):
        coef = m.park_coef(park)
        monkeypatch.setattr(text_module, "SHARE_MIN_ROWS", 10**12)
        alone = score_park(index, m.families_, m.scorer_, park, None, coef)
        monkeypatch.setattr(text_module, "SHARE_MIN_ROWS", 0)
        readers.clear()
        shared = score_park(index, m.families_, m.scorer_, park, None, coef)
        shared_by.append(len(readers))
        assert _same(alone[0], shared[0]) and _same(alone[1], shared[1]), park
    cols = text_module.index_term_columns(E)
    assert cols is not None and len(cols.blocks) > 10
    assert max(shared_by) >= 2, shared_by  # one park's blocks read on two threads


def test_shared_blocks_run_once_each_and_raise_where_they_are_owned() -> None:
    """Every block runs exactly once however many threads help; an error in a block that a
    helper ran is raised by the thread that owns the computation, after every taken block is
    done."""
    import threading
    import time

    from matcher.features import _shared

    counts = [0] * 200
    lock = threading.Lock()

    def run(b: int) -> None:
        time.sleep(0.0002)
        with lock:
            counts[b] += 1

    stop = threading.Event()

    def helper() -> None:
        while not stop.is_set():
            _shared.help_open_blocks()

    helpers = [threading.Thread(target=helper) for _ in range(3)]
    for t in helpers:
        t.start()
    try:
        _shared.run_blocks(len(counts), run)
        assert counts == [1] * len(counts)

        def failing(b: int) -> None:
            time.sleep(0.0002)
            if b == 150:
                raise ValueError("block 150")

        with pytest.raises(ValueError, match="block 150"):
            _shared.run_blocks(200, failing)
    finally:
        stop.set()
        for t in helpers:
            t.join()
    assert not _shared._OPEN
