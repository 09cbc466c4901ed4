"""Quality family: 专精特新 level, 高新技术企业 and patents."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..index import MatchIndex
from ..io import SRDI_LABELS, SRDI_LEVELS
from ._base import FeatureFamily, broadcast_pairs, per_index, take

__all__ = ["QualityFeature"]

#: Value of each 专精特新 level (none, innovative, provincial, national).
SRDI_VALUE = np.array([0.0, 0.5, 0.8, 1.0], dtype=np.float32)
#: Part weights and the value a part takes when unknown (roughly a typical enterprise's).
_WEIGHTS = {"srdi": 0.5, "high_tech": 0.25, "patents": 0.25}
_PART_NEUTRAL = {"srdi": 0.05, "high_tech": 0.1, "patents": 0.15}
#: Patents at which the patent part saturates (on a log scale).
PATENTS_FULL = 30.0


class QualityFeature(FeatureFamily):
    """Growth quality: 专精特新 (50 %), 高新技术企业 (25 %), patents on a log scale (25 %).

    Unknown parts count at a typical enterprise's value; all three unknown make the component
    unknown. Quality is the same for every park, so it orders leads, not parks.
    """

    name: ClassVar[str] = "quality"
    label: ClassVar[str] = "成长质量"
    neutral: ClassVar[float] = 0.2
    default_weight: ClassVar[float] = 0.15

    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        _, e = broadcast_pairs(parks, ents)
        return self._all(index)[e]

    def _all(self, index: MatchIndex) -> np.ndarray:
        """Park-independent: computed once per index, then gathered."""
        E = index.enterprises
        return per_index(E.extras, "quality", lambda: self.values(E.srdi, E.high_tech, E.patents))

    def compute_park(
        self,
        index: MatchIndex,
        park: int,
        ents: np.ndarray | None = None,
        *,
        buffer: np.ndarray | None = None,
    ) -> np.ndarray:
        """:meth:`compute` for one park: the per-index values themselves (read-only; ``buffer``
        is not needed)."""
        return take(self._all(index), ents)

    def values(self, srdi: np.ndarray, ht: np.ndarray, pat: np.ndarray) -> np.ndarray:
        """Quality of enterprises from their 专精特新 codes, 高新 flags and patents."""
        srdi_v = np.where(srdi >= 0, SRDI_VALUE[np.clip(srdi, 0, 3)], _PART_NEUTRAL["srdi"])
        ht_v = np.where(ht >= 0, ht.astype(np.float32), _PART_NEUTRAL["high_tech"])
        with np.errstate(invalid="ignore"):
            pat_v = np.minimum(1.0, np.log1p(pat) / np.log1p(PATENTS_FULL))
        pat_v = np.where(np.isnan(pat), _PART_NEUTRAL["patents"], pat_v)
        value = (
            _WEIGHTS["srdi"] * srdi_v + _WEIGHTS["high_tech"] * ht_v + _WEIGHTS["patents"] * pat_v
        )
        unknown = (srdi < 0) & (ht < 0) & np.isnan(pat)
        return np.where(unknown, np.nan, value).astype(np.float32)

    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        return self.reasons(index, np.array([park]), np.array([ent]), np.array([value]))[0]

    def reasons(
        self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray, values: np.ndarray
    ) -> list[str]:
        """:meth:`reason` of every pair, the rows' values read as arrays once."""
        _, e = broadcast_pairs(parks, ents)
        E = index.enterprises
        columns = (E.srdi[e].tolist(), E.high_tech[e].tolist(), E.patents[e].tolist())
        return [_quality_reason(*row) for row in zip(*columns, strict=True)]


_HIGH_TECH_WORDS = {-1: "是否高新技术企业未知", 0: "非高新技术企业", 1: "高新技术企业"}


def _quality_reason(srdi: int, ht: int, pat: float) -> str:
    """The quality reason of one enterprise from its 专精特新 level, 高新 flag (-1 unknown) and
    patents (NaN unknown)."""
    parts = []
    if srdi < 0:
        parts.append("专精特新情况未知")
    elif srdi == 0:
        parts.append("非专精特新企业")
    else:
        parts.append(SRDI_LABELS[SRDI_LEVELS[srdi]])
    parts.append(_HIGH_TECH_WORDS[ht])
    parts.append("专利数未知" if np.isnan(pat) else (f"专利 {pat:.0f} 件" if pat else "暂无专利"))
    return "、".join(parts)
