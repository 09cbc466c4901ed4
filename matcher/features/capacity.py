"""Capacity family: can the park's free space hold the firm, and does its size suit the park."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..index import SIZE_SOURCES, MatchIndex
from ..io import PARK_TYPE_LABELS, PARK_TYPES
from ..reference.sizes import SIZE_CLASSES, SIZE_LABELS
from ._base import (
    FeatureFamily,
    _own,
    broadcast_pairs,
    gather,
    per_index,
    replace_where,
    scratch,
    take,
)
from ._kernels import capacity_values

__all__ = ["SIZE_FIT", "CapacityFeature", "space_fits"]

#: How well each size class (large, medium, small, micro) suits each kind of park: a 小微企业园
#: is built for small and micro firms, a 开发区/高新区 looks for large and medium ones (招大引强),
#: an incubator for start-ups. The last row is a park of unknown kind (no size is preferred).
SIZE_FIT = np.array(
    [
        [0.2, 0.6, 1.0, 1.0],  # micro: 小微企业园
        [0.9, 1.0, 1.0, 0.8],  # specialized: 专业园区 / 产业园
        [1.0, 1.0, 0.8, 0.6],  # zone: 开发区 / 高新区 / 经开区
        [0.1, 0.4, 0.9, 1.0],  # incubator: 孵化器 / 众创空间
        [1.0, 1.0, 0.9, 0.8],  # logistics: 物流园
        [0.8, 0.9, 0.9, 0.8],  # unknown kind
    ],
    dtype=np.float32,
)
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


def _space_part(need: np.ndarray, available: np.floating, out: np.ndarray) -> np.ndarray:
    """:func:`space_fits` against one park: the same operations on the same float32 values,
    written into ``out`` (NaN where unknown; the work arrays are the thread's scratch)."""
    if np.isnan(available):
        out.fill(np.nan)
        return out
    share = np.divide(
        need,
        available if available > 0 else np.float32(np.nan),
        out=scratch("family.f32.0", len(need), np.float32),
    )
    value = _capped_fit(share, out)
    if available > 0:
        # a need of zero has the share 0, so the fill of over-full rows never meets one
        mask = np.greater(share, 1.0, out=scratch("family.mask.1", len(need), bool))
        return replace_where(value, mask, 0.0, out=value)
    # without free space every share is unknown (NaN), and space_fits' one fill that still
    # applies is a zero need's 1.0
    none = np.equal(need, 0, out=scratch("family.mask.0", len(need), bool))
    return replace_where(value, none, 1.0, out=value)


def _capped_fit(share: np.ndarray, out: np.ndarray) -> np.ndarray:
    """:func:`space_fits`' value of float32 shares before the fill of over-full rows, into
    ``out``: 1 - (share - 0.25) / 0.75 × 0.5, capped at 1. A share at most 0.25 (a zero need
    among them) gives a value of at least 1 and a larger one a value of at most 1, so the fill
    of 1.0 is a minimum (NaN stays NaN; clip's loop, several times faster than ``np.minimum``
    with a scalar)."""
    value = np.subtract(share, 0.25, out=out)
    value /= 0.75
    value *= 0.5
    np.subtract(1.0, value, out=value)
    return np.clip(value, -np.inf, 1.0, out=value)


def _area(x: float) -> str:
    return f"{x / 10000:.1f} 万平方米" if x >= 10000 else f"{x:,.0f} 平方米"


#: What each kind of park says of each size class in a reason.
_SIZE_WORDS = {
    "micro": {"large": "体量偏大，小微企业园难以承载", "medium": "体量偏大，小微企业园承载有限"},
    "zone": {"small": "体量较小，开发区以招大引强为主", "micro": "体量较小，开发区以招大引强为主"},
    "incubator": {"large": "体量过大，不适合孵化器", "medium": "体量偏大，孵化器承载有限"},
}


class CapacityFeature(FeatureFamily):
    """Space need against free space (60 %) and size class against the kind of park (40 %).

    The kind of park (``park_type``: 小微企业园, 专业园区, 开发区/高新区, 孵化器, 物流园, read from the
    park's name when not given) decides which sizes suit it (:data:`SIZE_FIT`). An unknown part
    counts as neutral (0.5); both unknown make the component unknown. A need larger than the
    free space also makes the pair ineligible (see ``Matcher``).
    """

    name: ClassVar[str] = "capacity"
    label: ClassVar[str] = "空间规模"
    neutral: ClassVar[float] = 0.5
    default_weight: ClassVar[float] = 0.15
    stores_park_values: ClassVar[bool] = True

    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        space = space_fits(E.space[e], P.available[p])
        size_code = E.size[e]
        kind = np.where(P.park_type[p] >= 0, P.park_type[p], len(PARK_TYPES))
        size = np.where(size_code >= 0, SIZE_FIT[kind, np.clip(size_code, 0, 3)], np.nan)
        both_unknown = np.isnan(space) & np.isnan(size)
        value = _SPACE_WEIGHT * np.where(np.isnan(space), _PART_NEUTRAL, space) + _SIZE_WEIGHT * (
            np.where(np.isnan(size), _PART_NEUTRAL, size)
        )
        return np.where(both_unknown, np.nan, value).astype(np.float32)

    def compute_park(
        self,
        index: MatchIndex,
        park: int,
        ents: np.ndarray | None = None,
        *,
        buffer: np.ndarray | None = None,
    ) -> np.ndarray:
        """:meth:`compute` for one park: the park's free space and kind as scalars, the size
        part a five-entry table, everything in place in ``buffer`` (or a new array) and the
        thread's scratch; every row against finite positive free space in one compiled pass
        (bit-identical)."""
        E, P = index.enterprises, index.parks
        kind = int(P.park_type[park]) if P.park_type[park] >= 0 else len(PARK_TYPES)
        size_part = np.array([_PART_NEUTRAL, *SIZE_FIT[kind]], dtype=np.float32)
        available = P.available[park]
        if ents is None and np.isfinite(available) and available > 0:
            value = _own(buffer, len(E.space))
            return capacity_values(E.space, E.size, available, _SIZE_WEIGHT * size_part, value)
        slot = per_index(E.extras, "size_slot", lambda: E.size.astype(np.intp) + 1)
        slots = take(slot, ents)
        n = len(slots)
        value = _own(buffer, n)
        _space_part(take(E.space, ents), available, value)
        space_unknown = np.isnan(value, out=scratch("family.mask.0", n, bool))
        replace_where(value, space_unknown, _PART_NEUTRAL, out=value)
        value *= _SPACE_WEIGHT
        value += gather(_SIZE_WEIGHT * size_part, slots, scratch("family.f32.0", n, np.float32))
        mask = np.equal(slots, 0, out=scratch("family.mask.1", n, bool))
        mask &= space_unknown
        return replace_where(value, mask, np.nan, out=value)

    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        return self.reasons(index, np.array([park]), np.array([ent]), np.array([value]))[0]

    def reasons(
        self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray, values: np.ndarray
    ) -> list[str]:
        """:meth:`reason` of every pair, the rows' values read as arrays once."""
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        columns = (
            E.space[e].tolist(),
            P.available[p].tolist(),
            E.size[e].tolist(),
            E.size_source[e].tolist(),
            P.park_type[p].tolist(),
        )
        return [_capacity_reason(*row) for row in zip(*columns, strict=True)]


def _capacity_reason(need: float, free: float, code: int, source: int, kind_code: int) -> str:
    """The capacity reason of one pair from its space need, the park's free space, the size
    class and its source, and the park's kind (codes, -1 unknown)."""
    if np.isnan(need):
        space = "需求面积未知"
    elif np.isnan(free):
        space = f"需求面积约 {_area(need)}，园区可用面积未知"
    elif need > free:
        space = f"需求面积约 {_area(need)}，超过园区可用面积 {_area(free)}，无法容纳"
    else:
        space = f"需求面积约 {_area(need)}，园区可用 {_area(free)}，可以容纳"
    if code < 0:
        return f"{space}，企业规模未知"
    cls = SIZE_CLASSES[code]
    derived = {"derived": "（按从业人员和营业收入测算）", "inferred": "（按推断行业测算）"}
    note = derived.get(str(SIZE_SOURCES[source]), "")
    if kind_code < 0:
        return f"{space}，{SIZE_LABELS[cls]}企业{note}（园区类型未知，不按规模取舍）"
    kind = PARK_TYPES[kind_code]
    fit = _SIZE_WORDS.get(kind, {}).get(cls, f"符合{PARK_TYPE_LABELS[kind]}定位")
    return f"{space}，{SIZE_LABELS[cls]}企业{note}，{fit}"
