"""Preference family: would this enterprise want this park? The enterprise's side of the fit.

The value is the weighted mean of the parts that are known (unknown parts drop out and the
weights of the others are renormalised; all unknown makes the component unknown):

=============  ======  =========================================================================
part           weight  value
=============  ======  =========================================================================
space          0.30    room to grow: 1.0 while the need takes at most half of the free space,
                       falling to 0.4 when it takes all of it, 0 when it does not fit
base           0.25    distance from the current base (relocation cost):
                       ``1 / (1 + (d / 150 km)^2)``
market         0.10    distance from the enterprise's main market, ``1 / (1 + (d / 300 km)^2)``;
                       only when the enterprise has a ``market`` column (see below)
srdi           0.15    the park's support for the enterprise's 专精特新 level: 1.0 supported,
                       0.5 supported only from a higher level, 0.3 no support; only for
                       certified enterprises (创新型 and above) in parks whose support is known
neighbours     0.20    its suppliers and customers among the park's tenants (chain neighbours):
                       the mean of "an upstream node holds tenants" and "a downstream node holds
                       tenants" over the sides the node has; needs tenant information
=============  ======  =========================================================================

Optional columns (kept by validation as extra columns):

- parks ``srdi_support`` (or ``专精特新支持``): the lowest 专精特新 level the park's policies
  reward — ``创新型中小企业`` / ``省级`` / ``国家级小巨人``, ``是`` (any certified level) or
  ``否`` (none).
- parks ``policy`` (or ``policies``, ``扶持政策``, ``政策``): policy text. Without
  ``srdi_support`` the level is read from it, and from the positioning: 小巨人 → national,
  专精特新 → provincial, 创新型中小企业 → innovative. A policy text that names none of them means
  no support; a positioning that names none leaves the support unknown.
- enterprises ``market`` (or ``主要市场``, ``目标市场``): places separated by ``;、，,``
  (counties, cities or provinces, e.g. ``郑州市;武汉市``); the nearest one counts.
"""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np
import pandas as pd

from ..chains import ChainSet, ChainState, Placement, chain_state, place_enterprises
from ..exceptions import Problem, SchemaError
from ..index import MatchIndex
from ..io import SRDI_LABELS, SRDI_LEVELS, parse_bool, parse_srdi_level
from ..reference.geo import get_gazetteer, haversine_km
from ._base import FeatureFamily, FitContext, broadcast_pairs
from .chain import tenant_names

__all__ = ["PART_WEIGHTS", "PreferenceFeature", "park_srdi_support", "room_to_grow"]

#: Weight of each part (renormalised over the known parts).
PART_WEIGHTS = {"space": 0.30, "base": 0.25, "market": 0.10, "srdi": 0.15, "neighbours": 0.20}
BASE_HALF_KM, MARKET_HALF_KM = 150.0, 300.0
#: ``srdi_support`` code meaning "no support".
NO_SUPPORT = len(SRDI_LEVELS)

_SUPPORT_COLUMNS = ("srdi_support", "专精特新支持")
_POLICY_COLUMNS = ("policy", "policies", "扶持政策", "政策")
_MARKET_COLUMNS = ("market", "主要市场", "目标市场")
_SPLIT = re.compile(r"[;；、，,/\s]+")


def room_to_grow(need: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Space part from the enterprise's side (NaN when either side is unknown).

    >>> v = room_to_grow(np.array([1000.0, 7500.0, 10000.0, 20000.0]), np.full(4, 10000.0))
    >>> [round(float(x), 2) for x in v]
    [1.0, 0.7, 0.4, 0.0]
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        share = need / np.where(available > 0, available, np.nan)
    value = np.where(share <= 0.5, 1.0, 1.0 - (share - 0.5) / 0.5 * 0.6)
    value = np.where(share > 1.0, 0.0, value)
    value = np.where(need == 0, 1.0, value)
    return np.where(np.isnan(need) | np.isnan(available), np.nan, value).astype(np.float32)


def _closeness(km: np.ndarray | float, half: float) -> np.ndarray:
    return (1.0 / (1.0 + (np.asarray(km, dtype=np.float64) / half) ** 2)).astype(np.float32)


def _first_column(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((c for c in names if c in frame.columns), None)


def _level_in_text(text: str) -> int | None:
    found = []
    if "小巨人" in text:
        found.append(SRDI_LEVELS.index("national"))
    if "专精特新" in text:
        found.append(SRDI_LEVELS.index("provincial"))
    if "创新型中小企业" in text or "创新型企业" in text:
        found.append(SRDI_LEVELS.index("innovative"))
    return min(found) if found else None


def park_srdi_support(parks: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The lowest supported 专精特新 level of each park and where it came from.

    Returns
    -------
    level : numpy.ndarray of int8
        1 innovative, 2 provincial, 3 national, :data:`NO_SUPPORT` none, -1 unknown.
    source : numpy.ndarray of object
        ``'srdi_support'``, ``'policy'``, ``'positioning'`` or None.

    Raises
    ------
    SchemaError
        For ``srdi_support`` values that are neither a level nor yes/no.
    """
    m = len(parks)
    level = np.full(m, -1, dtype=np.int8)
    source = np.full(m, None, dtype=object)
    problems = []
    support_col = _first_column(parks, _SUPPORT_COLUMNS)
    policy_col = _first_column(parks, _POLICY_COLUMNS)
    for i in range(m):
        raw = parks[support_col].iat[i] if support_col else None
        if raw is not None and not (isinstance(raw, float) and np.isnan(raw)) and str(raw).strip():
            try:
                parsed = SRDI_LEVELS.index(parse_srdi_level(raw))
                level[i] = NO_SUPPORT if parsed == 0 else parsed
            except ValueError:
                try:
                    level[i] = 1 if parse_bool(raw) else NO_SUPPORT
                except ValueError:
                    problems.append(
                        Problem(
                            column=str(support_col),
                            row=i + 2,
                            value=str(raw),
                            message="取值无效",
                            expected="专精特新等级（创新型中小企业/省级/国家级小巨人）或 是/否",
                        )
                    )
                    continue
            source[i] = "srdi_support"
            continue
        policy = parks[policy_col].iat[i] if policy_col else None
        if isinstance(policy, str) and policy.strip():
            found = _level_in_text(policy)
            level[i] = NO_SUPPORT if found is None else found
            source[i] = "policy"
            continue
        positioning = parks["positioning"].iat[i] if "positioning" in parks.columns else None
        if isinstance(positioning, str):
            found = _level_in_text(positioning)
            if found is not None:
                level[i], source[i] = found, "positioning"
    if problems:
        raise SchemaError(problems, file="parks")
    return level, source


#: Markets kept per enterprise (the first ones written).
MAX_MARKETS = 3


def _market_points(enterprises: pd.DataFrame) -> tuple[np.ndarray, list[list[str]]]:
    """Points (n, MAX_MARKETS, 2) of each enterprise's markets (NaN where none) and their names."""
    col = _first_column(enterprises, _MARKET_COLUMNS)
    points = np.full((len(enterprises), MAX_MARKETS, 2), np.nan)
    names: list[list[str]] = [[] for _ in range(len(enterprises))]
    if col is None:
        return points, names
    gaz = get_gazetteer()
    for i, raw in enumerate(enterprises[col].tolist()):
        if not isinstance(raw, str):
            continue
        for name in (n for n in _SPLIT.split(raw) if n):
            if len(names[i]) >= MAX_MARKETS:
                break
            hit = gaz.lookup(county=name) or gaz.lookup(city=name) or gaz.lookup(province=name)
            if hit is not None:
                points[i, len(names[i])] = hit[:2]
                names[i].append(name)
    return points, names


class PreferenceFeature(FeatureFamily):
    """The enterprise's side: space to grow, relocation distance, market, policy, chain neighbours.

    Parameters
    ----------
    chains : ChainSet, default=None
        The chains used to find suppliers and customers; None uses the bundled ones.
    """

    name: ClassVar[str] = "preference"
    label: ClassVar[str] = "企业意愿"
    neutral: ClassVar[float] = 0.5
    default_weight: ClassVar[float] = 0.15

    def __init__(self, *, chains: ChainSet | None = None):
        self.chains = chains

    # ------------------------------------------------------------------ state
    def prepare(self, index: MatchIndex, context: FitContext) -> None:
        """Read the optional park and enterprise columns; share the chain state."""
        state = chain_state(index, context.parks, context.tenants, chains=self.chains)
        level, source = park_srdi_support(context.parks)
        index.parks.extras.setdefault("chain_tenants", context.tenants)
        index.parks.extras[f"{self.name}:state"] = state
        index.parks.extras[f"{self.name}:srdi_support"] = level
        index.parks.extras[f"{self.name}:srdi_source"] = source
        self._prepare_rows(index, context.enterprises, state.placement)

    def prepare_enterprises(self, index: MatchIndex, enterprises: pd.DataFrame) -> None:
        """Markets and chain placement of enterprises not in the fitted data."""
        state = self.state(index)
        placement = place_enterprises(index, state.chains, node_tfidf=state.node_tfidf)
        self._prepare_rows(index, enterprises, placement)

    def _prepare_rows(
        self, index: MatchIndex, enterprises: pd.DataFrame, placement: Placement
    ) -> None:
        points, names = _market_points(enterprises)
        index.enterprises.extras[f"{self.name}:placement"] = placement
        index.enterprises.extras[f"{self.name}:markets"] = points
        index.enterprises.extras[f"{self.name}:market_names"] = names

    def state(self, index: MatchIndex) -> ChainState:
        """The shared chain state."""
        return index.parks.extras[f"{self.name}:state"]

    # ------------------------------------------------------------------ parts
    def parts(
        self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Each part's value for broadcast pairs (NaN where unknown)."""
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        out: dict[str, np.ndarray] = {"space": room_to_grow(E.space[e], P.available[p])}
        km = haversine_km(E.lat[e], E.lon[e], P.lat[p], P.lon[p])
        out["base"] = np.where(np.isnan(km), np.nan, _closeness(km, BASE_HALF_KM))
        points = index.enterprises.extras[f"{self.name}:markets"][e]  # (n, MAX_MARKETS, 2)
        d = haversine_km(points[:, :, 0], points[:, :, 1], P.lat[p][:, None], P.lon[p][:, None])
        d = np.where(np.isnan(d), np.inf, d).min(axis=1)
        market = np.where(
            np.isinf(d), np.nan, _closeness(np.where(np.isinf(d), 0.0, d), MARKET_HALF_KM)
        )
        out["market"] = market
        support = index.parks.extras[f"{self.name}:srdi_support"][p]
        level = E.srdi[e]
        srdi = np.where(support == NO_SUPPORT, 0.3, np.where(level >= support, 1.0, 0.5))
        out["srdi"] = np.where((level >= 1) & (support >= 1), srdi, np.nan).astype(np.float32)
        state = self.state(index)
        placement: Placement = index.enterprises.extras[f"{self.name}:placement"]
        nodes = placement.nodes[e]
        table = state.neighbours[p[:, None], nodes]  # NaN for no node (last column)
        best = np.where(np.isnan(table), -1.0, table).max(axis=1, initial=-1.0)
        out["neighbours"] = np.where(best < 0, np.nan, best).astype(np.float32)
        return out

    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Component values (float32 in [0, 1], NaN where unknown) for broadcast pairs."""
        parts = self.parts(index, parks, ents)
        total = np.zeros(len(parts["space"]), dtype=np.float64)
        weight = np.zeros_like(total)
        for name, values in parts.items():
            known = ~np.isnan(values)
            total += np.where(known, values, 0.0) * PART_WEIGHTS[name]
            weight += known * PART_WEIGHTS[name]
        with np.errstate(invalid="ignore", divide="ignore"):
            value = total / weight
        return np.where(weight > 0, value, np.nan).astype(np.float32)

    # ------------------------------------------------------------------ reasons
    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        """A sentence about one pair from the enterprise's point of view, part by part."""
        parts = {
            k: float(v[0]) for k, v in self.parts(index, np.array([park]), np.array([ent])).items()
        }
        E, P = index.enterprises, index.parks
        said: list[str] = []
        unknown: list[str] = []
        need, free = float(E.space[ent]), float(P.available[park])
        if np.isnan(parts["space"]):
            unknown.append("需求面积" if np.isnan(need) else "园区可用面积")
        elif parts["space"] == 0:
            said.append("园区空间容纳不下")
        elif parts["space"] >= 1.0:
            said.append("园区空间充裕，有扩展余地")
        else:
            said.append(f"需求约占园区可用面积的 {need / free:.0%}，扩展余地有限")
        if np.isnan(parts["base"]):
            unknown.append("企业现址")
        else:
            km = float(haversine_km(E.lat[ent], E.lon[ent], P.lat[park], P.lon[park]))
            cost = "搬迁成本低" if km < 50 else ("需异地搬迁" if km > 300 else "搬迁距离适中")
            said.append(f"距企业现址约 {km:.0f} 公里，{cost}")
        if not np.isnan(parts["market"]):
            names = "、".join(index.enterprises.extras[f"{self.name}:market_names"][ent])
            said.append(f"{'靠近' if parts['market'] >= 0.5 else '远离'}主要市场（{names}）")
        level = int(E.srdi[ent])
        support = int(index.parks.extras[f"{self.name}:srdi_support"][park])
        if not np.isnan(parts["srdi"]):
            label = SRDI_LABELS[SRDI_LEVELS[level]]
            if support == NO_SUPPORT:
                said.append(f"园区没有专精特新扶持政策（企业为{label}）")
            elif level >= support:
                said.append(f"园区政策支持{label}")
            else:
                said.append(f"园区政策只扶持{SRDI_LABELS[SRDI_LEVELS[support]]}及以上")
        elif level >= 1 and support < 0:
            unknown.append("园区专精特新政策")
        nb = parts["neighbours"]
        if np.isnan(nb):
            unknown.append("园区内的上下游企业")
        else:
            said.append(self._neighbour_text(index, park, ent))
        text = "；".join(said) if said else "入驻意愿未知（按中性分计）"
        if unknown and said:
            text += f"（{'、'.join(unknown)}未知）"
        return text

    def _neighbour_text(self, index: MatchIndex, park: int, ent: int) -> str:
        state = self.state(index)
        prof = state.profiles[park]
        chains = state.chains
        placement: Placement = index.enterprises.extras[f"{self.name}:placement"]
        for node, _ in placement.of(ent):
            ups = [u for u in chains.up[node].tolist() if u in prof.tenants]
            downs = [d for d in chains.down[node].tolist() if d in prof.tenants]
            if ups or downs:
                bits = []
                if ups:
                    bits.append("供应商 " + tenant_names(prof.tenants[ups[0]], 2))
                if downs:
                    bits.append("客户 " + tenant_names(prof.tenants[downs[0]], 2))
                return "园区已有其" + "和".join(bits)
        return "园区暂无其上下游企业"
