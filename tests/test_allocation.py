"""City-level allocation: exact on small cases, within every park's space, one park per enterprise."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from matcher import ConfigError, Matcher, UnknownIdError
from matcher.allocation import Allocation, allocate, default_space_needs, solve_allocation


def brute_force(
    scores: np.ndarray, needs: np.ndarray, capacity: np.ndarray, max_per_park: int | None
) -> float:
    """The best total over every assignment (each enterprise to one park or none)."""
    m, n = scores.shape
    best = 0.0
    for choice in itertools.product(range(-1, m), repeat=n):
        total, used, count = 0.0, np.zeros(m), np.zeros(m)
        ok = True
        for j, i in enumerate(choice):
            if i < 0:
                continue
            if np.isnan(scores[i, j]):
                ok = False
                break
            total += scores[i, j]
            used[i] += needs[j]
            count[i] += 1
        if not ok or (used > capacity).any():
            continue
        if max_per_park is not None and (count > max_per_park).any():
            continue
        best = max(best, total)
    return best


def check(assign: np.ndarray, scores, needs, capacity, max_per_park) -> float:
    m = scores.shape[0]
    total = 0.0
    for i in range(m):
        members = np.flatnonzero(assign == i)
        assert needs[members].sum() <= capacity[i] + 1e-9
        if max_per_park is not None:
            assert len(members) <= max_per_park
        assert not np.isnan(scores[i, members]).any()
        total += scores[i, members].sum()
    return total


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("max_per_park", [None, 1, 2])
def test_matches_exhaustive_search_on_small_cases(seed: int, max_per_park: int | None) -> None:
    rng = np.random.default_rng(seed)
    m, n = 3, 6
    scores = rng.uniform(30, 95, size=(m, n)).round(1)
    scores[rng.random((m, n)) < 0.25] = np.nan  # not every enterprise is every park's candidate
    needs = rng.choice([500.0, 1500.0, 3000.0, 6000.0], size=n)
    capacity = rng.choice([3000.0, 5000.0, 8000.0], size=m)
    assign, total, solver = solve_allocation(scores, needs, capacity, max_per_park=max_per_park)
    assert total == pytest.approx(check(assign, scores, needs, capacity, max_per_park))
    assert total == pytest.approx(brute_force(scores, needs, capacity, max_per_park))
    expected = "linear_sum_assignment" if max_per_park == 1 else "milp"
    assert solver == expected


def test_the_popular_enterprise_is_not_everyone_s_first_lead() -> None:
    # enterprise 0 is every park's best; it goes to the park where it adds most
    scores = np.array([[95.0, 60.0, 50.0], [90.0, 88.0, 40.0], [92.0, 45.0, 85.0]])
    needs = np.full(3, 1000.0)
    capacity = np.full(3, 1000.0)  # one enterprise each
    assign, total, _ = solve_allocation(scores, needs, capacity)
    assert sorted(assign.tolist()) == [0, 1, 2]
    assert assign.tolist() == [0, 1, 2] and total == pytest.approx(95 + 88 + 85)


def test_input_checks() -> None:
    with pytest.raises(ConfigError):
        solve_allocation(np.ones((2, 2)), np.ones(3), np.ones(2))
    with pytest.raises(ConfigError):
        solve_allocation(np.ones((2, 2)), np.array([1.0, np.nan]), np.ones(2))
    assign, total, _ = solve_allocation(np.full((2, 2), np.nan), np.ones(2), np.ones(2))
    assert assign.tolist() == [-1, -1] and total == 0.0


# ---------------------------------------------------------------------------- allocate()
PARKS = pd.DataFrame(
    [
        {
            "park_id": pid,
            "name": name,
            "province": "河南省",
            "city": "郑州市",
            "county": county,
            "leading_industries": "3252;3392",
            "positioning": "铝板带箔、铝型材、铝合金铸件",
            "available_sqm": free,
        }
        for pid, name, county, free in [
            ("A", "甲园", "巩义市", "6000"),
            ("B", "乙园", "上街区", "5000"),
            ("C", "丙园", "荥阳市", None),
        ]
    ]
)


def _ent(i: int, need: str | None, county: str) -> dict:
    return {
        "enterprise_id": f"E{i}",
        "name": f"铝企{i}",
        "industry_code": "3252" if i % 2 else "3392",
        "business_scope": "铝板带箔、铝型材的生产与销售",
        "products": "铝板、铝型材" if i % 2 else "铝合金铸件",
        "space_need_sqm": need,
        "employees": "40",
        "revenue_wan": "3000",
        "province": "河南省",
        "city": "郑州市",
        "county": county,
    }


ENTERPRISES = pd.DataFrame(
    [
        _ent(i, need, county)
        for i, (need, county) in enumerate(
            [
                ("3000", "巩义市"),
                ("2500", "上街区"),
                ("4000", "荥阳市"),
                (None, "巩义市"),
                ("1000", "上街区"),
                ("3500", "巩义市"),
                ("2000", "荥阳市"),
                ("1500", "巩义市"),
            ]
        )
    ]
)


@pytest.fixture(scope="module")
def m() -> Matcher:
    tenants = pd.DataFrame([("A", "E7")], columns=["park_id", "enterprise_id"])
    return Matcher().fit(PARKS, ENTERPRISES, tenants)


def test_allocation_respects_space_and_assigns_each_enterprise_once(m: Matcher) -> None:
    result = allocate(m, candidates=10, max_per_park=3)
    assert isinstance(result, Allocation)
    a = result.assignments
    assert not a["enterprise_id"].duplicated().any()
    assert "E7" not in set(a["enterprise_id"]) | set(result.unassigned["enterprise_id"])  # tenant
    for park in result.parks.itertuples(index=False):
        rows = a[a["park_id"] == park.park_id]
        assert len(rows) == park.n_assigned <= 3
        assert rows["space_need"].sum() == pytest.approx(park.assigned_sqm)
        if not np.isnan(park.available_sqm):
            assert park.assigned_sqm <= park.available_sqm
    assert result.total_score == pytest.approx(a["score"].sum())
    assumed = a.set_index("enterprise_id")["space_assumed"]
    if "E3" in assumed.index:
        assert assumed["E3"] and "需求面积未知" in a.set_index("enterprise_id").loc["E3", "reason"]
    assert (
        a.groupby("park_id")["priority"].apply(lambda s: list(s) == list(range(1, len(s) + 1)))
    ).all()
    assert a["reason"].str.len().gt(0).all()
    assert result.unassigned["reason"].str.len().gt(0).all()


def test_allocation_is_optimal_over_the_candidate_pool(m: Matcher) -> None:
    result = allocate(m, candidates=10, max_per_park=2)
    ents = sorted(
        set(result.assignments["enterprise_id"]) | set(result.unassigned["enterprise_id"])
    )
    parks = list(PARKS["park_id"])
    scores = np.full((len(parks), len(ents)), np.nan)
    for i, p in enumerate(parks):
        ranked = m.rank_enterprises(p, k=None).set_index("enterprise_id")["score"]
        for j, e in enumerate(ents):
            if e in ranked.index:
                scores[i, j] = ranked[e]
    needs = default_space_needs(m)[[m.index_.enterprises.position[e] for e in ents]]
    capacity = np.array([6000.0, 5000.0, np.inf])
    assert result.total_score == pytest.approx(brute_force(scores, needs, capacity, 2))


def test_a_blocked_best_park_is_explained(m: Matcher) -> None:
    result = allocate(m, ["A", "B"], candidates=10)  # no count limit: space decides
    left = result.unassigned
    assert len(left) > 0  # 11,000 m² cannot hold every candidate
    for row in left.itertuples(index=False):
        assert "剩余面积不足" in row.reason
    moved = result.assignments[result.assignments["park_id"] != result.assignments["best_park_id"]]
    for row in moved.itertuples(index=False):
        assert "得分更高的" in row.reason


def test_default_space_and_errors(m: Matcher, tmp_path) -> None:
    needs = default_space_needs(m, 1234.0)
    assert needs[m.index_.enterprises.position["E3"]] == 1234.0
    assert needs[m.index_.enterprises.position["E0"]] == 3000.0
    with pytest.raises(ConfigError):
        default_space_needs(m, "mean")
    with pytest.raises(ConfigError):
        default_space_needs(m, -1.0)
    with pytest.raises(UnknownIdError):
        allocate(m, ["Z"])
    with pytest.raises(UnknownIdError):
        allocate(m, enterprise_ids=["E99"])
    with pytest.raises(ConfigError):
        allocate(m, candidates=0)
    result = allocate(m, ["A"], enterprise_ids=["E0", "E1"], include_tenants=True)
    assert set(result.assignments["enterprise_id"]) <= {"E0", "E1"}
    frame = result.to_frame()
    assert set(frame["status"]) <= {"已分配", "未分配"} and len(frame) == 2
    path = result.to_excel(tmp_path / "allocation.xlsx")
    assert list(pd.read_excel(path, sheet_name=None)) == ["分配方案", "未分配", "园区汇总"]
    assert "甲园" in str(result)
