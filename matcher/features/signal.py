"""Signal family (招商时机): is the enterprise about to choose a location, and is its region
losing it to parks like this one?

The value of a pair combines, like independent pieces of evidence (a noisy-or), a base rate
``b`` (the family's neutral value), the weights ``w`` of the enterprise's events on the
assessment date (:func:`matcher.io.event_weights`: confidence × strength × a half-life
decay) and, for a park in the central or western provinces and an enterprise outside them, the
relocation push ``r`` of the enterprise (its region's cost pressure and its relocation notices)::

    value = 1 − (1 − b) · Π (1 − w) · (1 − r)

Stale evidence fades back to the base rate; an enterprise without events and without push for
the park is *unknown* (neutral, and the reason says so), never zero. A relocation notice counts
for every park (the enterprise must choose a site) and again as push for an inland park.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..index import MatchIndex
from ..io import (
    COST_PRESSURE,
    EVENT_KINDS,
    INLAND_PROVINCES,
    as_date,
    describe_event,
    event_weights,
    validate_events,
)
from ..reference.geo import get_gazetteer
from ._base import FeatureFamily, FitContext, broadcast_pairs

__all__ = ["SignalFeature", "SignalState", "attach_events"]

#: An event weighing less than this is described as faded (时效已减弱).
FADED = 0.05


@dataclass
class SignalState:
    """What :class:`SignalFeature` computed at fit, for reasons and reports.

    ``events`` are the counted events of the fitted enterprises sorted by enterprise row, with
    their ``row`` and ``weight``; ``starts`` indexes them (events of row ``i`` are
    ``events.iloc[starts[i]:starts[i + 1]]``).
    """

    as_of: Any
    events: pd.DataFrame | None
    starts: np.ndarray
    ignored: int


def _region_keys(
    provinces: Sequence[Any], cities: Sequence[Any], counties: Sequence[Any]
) -> tuple[list[str | None], list[str | None]]:
    """Province (2-digit) and city (4-digit) adcode prefixes of each place, None where unknown."""
    gaz = get_gazetteer()
    triples = list(zip(provinces, cities, counties, strict=True))
    codes, uniques = pd.factorize(
        pd.Series(["\x00".join("" if v is None or v != v else str(v) for v in t) for t in triples])
    )
    prov_u: list[str | None] = []
    city_u: list[str | None] = []
    for key in uniques:
        parts = [p or None for p in str(key).split("\x00")]
        region = gaz.lookup_region(*parts)
        if region is None:
            prov_u.append(None)
            city_u.append(None)
        else:
            prov_u.append(region.adcode[:2])
            city_u.append(region.adcode[:4] if region.level >= 2 else None)
    return [prov_u[c] if c >= 0 else None for c in codes], [
        city_u[c] if c >= 0 else None for c in codes
    ]


def _pressure_table(pressure: Mapping[str, float]) -> dict[str, tuple[float, str]]:
    """Adcode prefix → (pressure, place name) for the named provinces and cities."""
    gaz = get_gazetteer()
    table: dict[str, tuple[float, str]] = {}
    for name, value in pressure.items():
        region = gaz.lookup_region(city=name) or gaz.lookup_region(province=name)
        if region is None:
            from ..exceptions import ConfigError

            raise ConfigError(f"cost_pressure 中的地名「{name}」无法识别（应为省或地级市名称）")
        key = region.adcode[:2] if region.level == 1 else region.adcode[:4]
        table[key] = (float(value), name)
    return table


class SignalFeature(FeatureFamily):
    """招商时机: time-decayed evidence that the enterprise is about to choose a location.

    Not one of the five default families: a matcher uses it when events are given
    (``Matcher().fit(parks, enterprises, events=events)``) or when it is listed in ``families``.

    Parameters
    ----------
    events : DataFrame, default=None
        The events table (:func:`matcher.load_events`); raw frames are validated at fit.
        ``Matcher.fit(..., events=...)`` fills it in.
    as_of : date or str, default=None
        The assessment date; None is the day of the fit (a saved matcher keeps it: loaded
        later, it weighs the events as on the day it was fitted).
    half_lives : dict, default=None
        Half-life in days per kind (``{"融资": 120}``) over
        :data:`matcher.io.EVENT_KINDS`.
    strengths : dict, default=None
        Strength in (0, 1] per kind over the defaults.
    cost_pressure : dict, default=None
        Push on manufacturing to move out, by province or city name; None uses
        :data:`matcher.io.COST_PRESSURE`. ``{}`` turns relocation propensity off.
    max_events : int, default=3
        Events named in a reason.

    Examples
    --------
    >>> from matcher import Matcher, load_sample
    >>> from matcher.datasets import load_sample_events
    >>> parks, enterprises = load_sample()
    >>> m = Matcher().fit(parks, enterprises, events=load_sample_events())
    >>> m.feature_names_[-1]
    'signal'
    """

    name: ClassVar[str] = "signal"
    label: ClassVar[str] = "招商时机"
    neutral: ClassVar[float] = 0.2
    default_weight: ClassVar[float] = 0.10

    def __init__(
        self,
        events: pd.DataFrame | None = None,
        *,
        as_of: Any = None,
        half_lives: Mapping[str, float] | None = None,
        strengths: Mapping[str, float] | None = None,
        cost_pressure: Mapping[str, float] | None = None,
        max_events: int = 3,
    ):
        self.events = events
        self.as_of = as_of
        self.half_lives = half_lives
        self.strengths = strengths
        self.cost_pressure = cost_pressure
        self.max_events = max_events

    def with_events(self, events: pd.DataFrame | None) -> SignalFeature:
        """A copy of this family holding ``events`` (the original is left unchanged)."""
        clone = copy.copy(self)
        clone.events = events
        return clone

    # ------------------------------------------------------------------ state
    def prepare(self, index: MatchIndex, context: FitContext) -> None:
        """Weigh the events on the assessment date; locate enterprises and parks by region."""
        as_of = as_date(self.as_of if self.as_of is not None else context.fitted_on)
        P = index.parks
        prov, _ = _region_keys(
            context.parks["province"].tolist(),
            context.parks["city"].tolist(),
            context.parks["county"].tolist(),
        )
        P.extras["signal:inland"] = np.array([p in INLAND_PROVINCES for p in prov], dtype=bool)
        P.extras["signal:as_of"] = as_of
        P.extras["signal:pressure"] = _pressure_table(
            COST_PRESSURE if self.cost_pressure is None else self.cost_pressure
        )
        events = self.events
        if events is not None and events.attrs.get("parkmatch_schema") != "events":
            events = validate_events(events, enterprises=context.enterprises)
        P.extras["signal:has_table"] = events is not None
        self._prepare_rows(index, context.enterprises, events, as_of)

    def prepare_enterprises(self, index: MatchIndex, enterprises: pd.DataFrame) -> None:
        """Enterprises not seen at fit have no events; their region still counts."""
        self._prepare_rows(index, enterprises, None, index.parks.extras["signal:as_of"])

    def _prepare_rows(
        self,
        index: MatchIndex,
        enterprises: pd.DataFrame,
        events: pd.DataFrame | None,
        as_of: Any,
    ) -> None:
        E, P = index.enterprises, index.parks
        n = len(E)
        prod = np.ones(n, dtype=np.float64)
        reloc = np.ones(n, dtype=np.float64)
        count = np.zeros(n, dtype=np.int64)
        kept: pd.DataFrame | None = None
        ignored = 0
        starts = np.zeros(n + 1, dtype=np.int64)
        if events is not None and len(events):
            found = E.position.rows(events["enterprise_id"].astype(str).tolist())
            known = found >= 0
            ignored = int((~known).sum())
            kept = events.loc[known].copy()
            kept["row"] = found[known].astype(np.int64)
            kept["weight"] = event_weights(
                kept, as_of, half_lives=self.half_lives, strengths=self.strengths
            )
            kept = kept.sort_values(["row", "weight", "date"], ascending=[True, False, False])
            kept = kept.reset_index(drop=True)
            r = kept["row"].to_numpy()
            w = kept["weight"].to_numpy()
            np.multiply.at(prod, r, 1.0 - w)
            is_reloc = kept["kind"].map(lambda k: EVENT_KINDS[k].relocation).to_numpy(dtype=bool)
            np.multiply.at(reloc, r[is_reloc], 1.0 - w[is_reloc])
            np.add.at(count, r, 1)
            starts[1:] = np.cumsum(count)
        prov, city = _region_keys(
            enterprises["province"].tolist(),
            enterprises["city"].tolist(),
            enterprises["county"].tolist(),
        )
        table: dict[str, tuple[float, str]] = P.extras["signal:pressure"]
        region = np.zeros(n, dtype=np.float64)
        region_name = np.full(n, None, dtype=object)
        for i, (p, c) in enumerate(zip(prov, city, strict=True)):
            hit = table.get(c) if c else None
            hit = hit if hit is not None else (table.get(p) if p else None)
            if hit is not None:
                region[i], region_name[i] = hit
        outside = np.array([p is not None and p not in INLAND_PROVINCES for p in prov], dtype=bool)
        E.extras["signal:prod"] = prod.astype(np.float32)
        E.extras["signal:has"] = count > 0
        E.extras["signal:push"] = (1.0 - (1.0 - region) * reloc).astype(np.float32)
        E.extras["signal:region"] = region.astype(np.float32)
        E.extras["signal:region_name"] = region_name
        E.extras["signal:outside"] = outside
        E.extras["signal:state"] = SignalState(as_of, kept, starts, ignored)

    def state(self, index: MatchIndex) -> SignalState:
        """The events weighed at fit (see :class:`SignalState`)."""
        state: SignalState = index.enterprises.extras["signal:state"]
        return state

    def events_of(self, index: MatchIndex, ent: int) -> pd.DataFrame:
        """The enterprise's counted events, strongest first, with ``weight`` on the assessment date."""
        state = self.state(index)
        if state.events is None:
            return pd.DataFrame(columns=["enterprise_id", "kind", "date", "weight"])
        return state.events.iloc[int(state.starts[ent]) : int(state.starts[ent + 1])]

    # ------------------------------------------------------------------ values
    def push(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Relocation push ``r`` of broadcast pairs (0 unless an inland park and an enterprise
        outside the inland provinces)."""
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        applies = P.extras["signal:inland"][p] & E.extras["signal:outside"][e]
        return np.where(applies, E.extras["signal:push"][e], np.float32(0.0)).astype(np.float32)

    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Component values (float32 in [0, 1], NaN where unknown) for broadcast pairs."""
        p, e = broadcast_pairs(parks, ents)
        E = index.enterprises
        r = self.push(index, p, e)
        prod = E.extras["signal:prod"][e]
        value = 1.0 - (1.0 - np.float32(self.neutral)) * prod * (1.0 - r)
        unknown = ~E.extras["signal:has"][e] & (r <= 0)
        return np.where(unknown, np.nan, value).astype(np.float32)

    # ------------------------------------------------------------------ reasons
    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        """Names the strongest events with their dates, and the relocation push when it counts."""
        E, P = index.enterprises, index.parks
        state = self.state(index)
        as_of = state.as_of
        parts: list[str] = []
        events = self.events_of(index, ent)
        if len(events):
            shown = events.head(max(self.max_events, 1))
            texts = []
            for ev in shown.to_dict("records"):
                text = describe_event(ev, as_of)
                if ev["weight"] <= 0:
                    text += "（未计入）"
                elif ev["weight"] < FADED:
                    text += "（时效已减弱）"
                texts.append(text)
            more = len(events) - len(shown)
            line = "；".join(texts) + (f"；另有 {more} 条较弱信号" if more > 0 else "")
            if float(events["weight"].max()) < FADED:
                line = "近期无新信号，已有信号已过时效：" + line
            parts.append(line)
        elif not P.extras.get("signal:has_table", False):
            parts.append("未提供企业动态事件表")
        else:
            parts.append("暂无企业动态事件")
        r = float(self.push(index, np.array([park]), np.array([ent]))[0])
        if r > 0:
            place = E.extras["signal:region_name"][ent] or E.place[ent] or "东部地区"
            why = []
            if float(E.extras["signal:region"][ent]) > 0:
                why.append("东部高成本地区，制造业外迁压力较大")
            if any(EVENT_KINDS[k].relocation for k in events["kind"]):
                why.append("已发布搬迁/外迁信息")
            reason = "，".join(why) or "东部地区"
            parts.append(
                f"外迁倾向：企业位于{place}（{reason}），本园区地处中西部，承接价值较高"
                f"（外迁倾向 {r:.0%}）"
            )
        if np.isnan(value):
            parts.append("招商时机未知（按中性分计）")
        elif len(events) and r <= 0 and float(events["weight"].max()) < FADED:
            parts.append("按中性分计")
        return "；".join(parts)


def attach_events(families: Sequence[FeatureFamily], events: pd.DataFrame) -> list[FeatureFamily]:
    """``families`` with ``events`` given to their :class:`SignalFeature` (copies), or with a
    :class:`SignalFeature` appended when there is none."""
    out: list[FeatureFamily] = []
    found = False
    for family in families:
        if isinstance(family, SignalFeature):
            out.append(family.with_events(events))
            found = True
        else:
            out.append(family)
    if not found:
        out.append(SignalFeature(events))
    return out
