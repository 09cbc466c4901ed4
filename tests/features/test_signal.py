"""SignalFeature (招商时机): decay, unknown without events, relocation push, no change without events."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import Matcher
from matcher.features import SignalFeature, default_families
from matcher.io import validate_events
from tests.conftest import PARKS

AS_OF = "2026-12-01"
B = SignalFeature.neutral  # the base rate the evidence is combined with

#: A third park on the coast: relocation push does not count for it.
COAST_PARK = {
    "park_id": "P-SH",
    "name": "上海某产业园",
    "province": "上海市",
    "city": "上海市",
    "county": "闵行区",
    "leading_industries": "3252",
    "positioning": "铝板带箔研发与高端制造",
    "available_sqm": "30000",
}


def _events(*rows: tuple[str, str, str, str | None]) -> pd.DataFrame:
    return validate_events(
        pd.DataFrame(rows, columns=["enterprise_id", "kind", "date", "detail"]),
    )


def _value(m: Matcher, park_id: str, enterprise_id: str) -> float | None:
    return m.explain(park_id, enterprise_id).values["signal"]


def _reason(m: Matcher, park_id: str, enterprise_id: str) -> str:
    reasons = m.explain(park_id, enterprise_id).reasons
    return next(r for r in reasons if r.startswith("招商时机"))


@pytest.fixture
def parks3() -> pd.DataFrame:
    return pd.DataFrame([*PARKS, COAST_PARK])


def test_without_events_nothing_changes(parks: pd.DataFrame, enterprises: pd.DataFrame) -> None:
    plain = Matcher().fit(parks, enterprises)
    assert plain.feature_names_ == [f.name for f in default_families()]
    again = Matcher().fit(parks, enterprises, events=None)
    a = plain.rank_enterprises("P-AL", k=None, include_ineligible=True)
    b = again.rank_enterprises("P-AL", k=None, include_ineligible=True)
    pd.testing.assert_frame_equal(a, b)


def test_events_add_the_family_and_contributions_still_sum(
    parks: pd.DataFrame, enterprises: pd.DataFrame
) -> None:
    events = _events(("E1", "融资", "2026-09-10", "完成 B 轮融资 2 亿元"))
    m = Matcher(families=[*default_families(), SignalFeature(as_of=AS_OF)])
    m = m.fit(parks, enterprises, events=events)
    assert m.feature_names_[-1] == "signal"
    for eid in ("E1", "E3", "E7", "E8"):
        e = m.explain("P-AL", eid)
        assert e.baseline + sum(e.contributions.values()) == pytest.approx(e.score)
    # the family given without events got them; the caller's object was not changed
    assert m.families[-1].events is None


@pytest.mark.parametrize(
    ("as_of", "weight"),
    [("2026-09-10", 0.6), ("2027-03-09", 0.3), ("2027-09-05", 0.15)],
)
def test_value_decays_with_the_half_life(
    parks: pd.DataFrame, enterprises: pd.DataFrame, as_of: str, weight: float
) -> None:
    events = _events(("E1", "融资", "2026-09-10", "完成 B 轮融资 2 亿元"))
    m = Matcher(families=[SignalFeature(as_of=as_of)]).fit(parks, enterprises, events=events)
    # E1 is in 河南 (no relocation push): value = 1 − (1 − b)(1 − w)
    assert _value(m, "P-AL", "E1") == pytest.approx(1 - (1 - B) * (1 - weight), abs=1e-6)


def test_stale_evidence_fades_to_the_base_rate_and_says_so(
    parks: pd.DataFrame, enterprises: pd.DataFrame
) -> None:
    events = _events(("E1", "融资", "2021-03-01", "完成 A 轮融资 3,000 万元"))
    m = Matcher(families=[SignalFeature(as_of=AS_OF)]).fit(parks, enterprises, events=events)
    value = _value(m, "P-AL", "E1")
    assert value is not None and B < value < B + 0.001
    reason = _reason(m, "P-AL", "E1")
    assert "2021-03 完成 A 轮融资 3,000 万元" in reason
    assert "时效已减弱" in reason and "已过时效" in reason


def test_fresher_and_more_events_score_higher(
    parks: pd.DataFrame, enterprises: pd.DataFrame
) -> None:
    events = _events(
        ("E1", "融资", "2026-11-01", "完成 B 轮融资 2 亿元"),
        ("E3", "融资", "2025-11-01", "完成 A 轮融资 5,000 万元"),
        ("E9", "融资", "2026-11-01", None),
        ("E9", "扩产", "2026-10-01", "公告铜板带扩产项目"),
    )
    m = Matcher(families=[SignalFeature(as_of=AS_OF)]).fit(parks, enterprises, events=events)
    fresh, old, two = (_value(m, "P-AL", e) for e in ("E1", "E3", "E9"))
    assert fresh is not None and old is not None and two is not None
    assert two > fresh > old > B
    reason = _reason(m, "P-AL", "E9")
    assert "2026-11 融资，近 1 个月" in reason and "2026-10 公告铜板带扩产项目，近 2 个月" in reason


def test_no_events_is_unknown_not_zero(parks: pd.DataFrame, enterprises: pd.DataFrame) -> None:
    events = _events(("E1", "融资", "2026-11-01", None))
    m = Matcher(families=[*default_families(), SignalFeature(as_of=AS_OF)])
    m = m.fit(parks, enterprises, events=events)
    assert _value(m, "P-AL", "E3") is None  # 河南, no events: unknown
    e = m.explain("P-AL", "E3")
    weight = e.weights["signal"]
    assert e.contributions["signal"] == pytest.approx(100 * weight * B)  # neutral, not zero
    assert "暂无企业动态事件" in _reason(m, "P-AL", "E3")
    assert "未知（按中性分计）" in _reason(m, "P-AL", "E3")
    # a matcher given the family but no events table says so
    bare = Matcher(families=[SignalFeature(as_of=AS_OF)]).fit(parks, enterprises)
    assert _value(bare, "P-AL", "E1") is None
    assert "未提供企业动态事件表" in _reason(bare, "P-AL", "E1")


def test_relocation_push_counts_for_inland_parks_only(
    parks3: pd.DataFrame, enterprises: pd.DataFrame
) -> None:
    events = _events(("E3", "融资", "2026-11-01", None))
    m = Matcher(families=[SignalFeature(as_of=AS_OF)]).fit(parks3, enterprises, events=events)
    # E8 sits in 上海 (cost pressure 0.3), no events
    inland = _value(m, "P-AL", "E8")
    assert inland == pytest.approx(1 - (1 - B) * (1 - 0.3))
    assert _value(m, "P-SH", "E8") is None  # a coastal park: nothing known about timing
    reason = _reason(m, "P-AL", "E8")
    assert "外迁倾向" in reason and "上海市" in reason and "中西部" in reason
    # a relocation notice adds to the push for the inland park and to timing everywhere
    events2 = _events(("E8", "外迁", "2026-11-01", "公告拟将生产基地迁出上海市"))
    m2 = Matcher(families=[SignalFeature(as_of=AS_OF)]).fit(parks3, enterprises, events=events2)
    inland2, coast2 = _value(m2, "P-AL", "E8"), _value(m2, "P-SH", "E8")
    assert inland2 is not None and coast2 is not None and inland is not None
    assert inland2 > inland and inland2 > coast2 > B
    assert "已发布搬迁/外迁信息" in _reason(m2, "P-AL", "E8")
    # relocation propensity can be switched off
    off = Matcher(families=[SignalFeature(as_of=AS_OF, cost_pressure={})])
    off = off.fit(parks3, enterprises, events=events)
    assert _value(off, "P-AL", "E8") is None


def test_profiles_and_saved_matchers_keep_the_family(
    parks: pd.DataFrame, enterprises: pd.DataFrame, tmp_path: Path
) -> None:
    events = _events(("E1", "融资", "2026-11-01", None))
    m = Matcher(families=[*default_families(), SignalFeature(as_of=AS_OF)])
    m = m.fit(parks, enterprises, events=events)
    ranked = m.rank_parks_for({"经营范围": "铝型材加工", "省": "上海市", "市": "上海市"}, k=2)
    assert "signal" in ranked.columns and len(ranked) == 2
    loaded = Matcher.load(m.save(tmp_path / "m"))
    assert _value(loaded, "P-AL", "E1") == pytest.approx(_value(m, "P-AL", "E1"))


def test_raw_events_are_validated_against_the_enterprises(
    parks: pd.DataFrame, enterprises: pd.DataFrame
) -> None:
    from matcher import SchemaError

    raw = pd.DataFrame(
        {"企业编号": ["E1", "NOPE"], "事件类型": ["融资", "融资"], "日期": ["2026-01-01"] * 2}
    )
    with pytest.raises(SchemaError) as info:
        Matcher().fit(parks, enterprises, events=raw)
    assert [(p.row, p.value) for p in info.value.problems] == [(3, "NOPE")]
    assert np.isfinite(Matcher().fit(parks, enterprises, events=raw.head(1)).score("P-AL", "E1"))


def test_timing_leads_orders_by_timing_and_leaves_unknown_out(
    parks: pd.DataFrame, enterprises: pd.DataFrame
) -> None:
    from matcher import ConfigError
    from matcher.signals import timing_leads

    events = _events(
        ("E1", "融资", "2025-06-01", "完成 A 轮融资"),
        ("E9", "扩产", "2026-11-01", "公告铜板带扩产项目"),
    )
    m = Matcher(families=[*default_families(), SignalFeature(as_of=AS_OF)])
    m = m.fit(parks, enterprises, events=events)
    leads = timing_leads(m, "P-AL", k=None)
    # a fresh expansion, then 上海's relocation push (0.3), then a financing 18 months old
    assert leads["enterprise_id"].tolist()[:3] == ["E9", "E8", "E1"]
    assert leads["timing"].is_monotonic_decreasing
    assert "E3" not in set(leads["enterprise_id"])  # unknown timing: not a lead here
    assert leads.attrs["total"] == len(leads) and str(leads.attrs["as_of"]) == AS_OF
    assert leads["reason"].iloc[0].startswith("2026-11 公告铜板带扩产项目")
    with pytest.raises(ConfigError, match="招商时机"):
        timing_leads(Matcher().fit(parks, enterprises), "P-AL")
