"""Capacity family: can the park's free space hold the firm, and does its size suit the park."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .._index import SIZE_SOURCES, MatchIndex
from ..sizes import SIZE_CLASSES, SIZE_LABELS
from ._base import FeatureFamily, broadcast_pairs

__all__ = ["CapacityFeature", "space_fits"]

#: How well each size class suits a small and micro enterprise park (large, medium, small, micro).
SIZE_FIT = np.array([0.2, 0.6, 1.0, 1.0], dtype=np.float32)
_SPACE_WEIGHT, _SIZE_WEIGHT = 0.6, 0.4
_PART_NEUTRAL = 0.5


def space_fits(need: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Space part in [0, 1] (NaN when either side is unknown).

    1.0 while the need takes at most a quarter of the free space, falling linearly to 0.5 when it
    takes all of it (one tenant filling the park is a concentration risk), 0 when it does not fit.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        share = need / np.where(available > 0, available, np.nan)
    value = np.where(share <= 0.25, 1.0, 1.0 - (share - 0.25) / 0.75 * 0.5)
    value = np.where(share > 1.0, 0.0, value)
    value = np.where(need == 0, 1.0, value)
    unknown = np.isnan(need) | np.isnan(available)
    return np.where(unknown, np.nan, value).astype(np.float32)


def _area(x: float) -> str:
    return f"{x / 10000:.1f} 万平方米" if x >= 10000 else f"{x:,.0f} 平方米"


class CapacityFeature(FeatureFamily):
    """Space need against free space (60 %) and size class against a small and micro park (40 %).

    An unknown part counts as neutral (0.5); both unknown make the component unknown. A need
    larger than the free space also makes the pair ineligible (see ``Matcher``).
    """

    name: ClassVar[str] = "capacity"
    label: ClassVar[str] = "空间规模"
    neutral: ClassVar[float] = 0.5
    default_weight: ClassVar[float] = 0.15

    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        space = space_fits(E.space[e], P.available[p])
        size_code = E.size[e]
        size = np.where(size_code >= 0, SIZE_FIT[np.clip(size_code, 0, 3)], np.nan)
        both_unknown = np.isnan(space) & np.isnan(size)
        value = _SPACE_WEIGHT * np.where(np.isnan(space), _PART_NEUTRAL, space) + _SIZE_WEIGHT * (
            np.where(np.isnan(size), _PART_NEUTRAL, size)
        )
        return np.where(both_unknown, np.nan, value).astype(np.float32)

    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        E, P = index.enterprises, index.parks
        need, free = float(E.space[ent]), float(P.available[park])
        if np.isnan(need):
            space = "需求面积未知"
        elif np.isnan(free):
            space = f"需求面积约 {_area(need)}，园区可用面积未知"
        elif need > free:
            space = f"需求面积约 {_area(need)}，超过园区可用面积 {_area(free)}，无法容纳"
        else:
            space = f"需求面积约 {_area(need)}，园区可用 {_area(free)}，可以容纳"
        code = int(E.size[ent])
        if code < 0:
            size = "企业规模未知"
        else:
            cls = SIZE_CLASSES[code]
            label = SIZE_LABELS[cls]
            derived = {"derived": "（按从业人员和营业收入测算）", "inferred": "（按推断行业测算）"}
            note = derived.get(str(SIZE_SOURCES[int(E.size_source[ent])]), "")
            fit = (
                "符合小微企业园定位"
                if cls in ("small", "micro")
                else "体量偏大，小微企业园难以承载"
            )
            size = f"{label}企业{note}，{fit}"
        return f"{space}，{size}"
