"""Industry family: GB/T 4754 similarity by the deepest shared level of the hierarchy."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .. import taxonomy
from .._index import CODE_INFERRED, MatchIndex
from ._base import FeatureFamily, broadcast_pairs

__all__ = ["IndustryFeature", "best_leading_code"]

_LEVEL_WORD = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}


def best_leading_code(code: str, leading: tuple[str, ...]) -> tuple[str, float, int]:
    """The park code closest to ``code``, with its similarity and the deepest shared level."""
    best = ("", -1.0, 0)
    for park_code in leading:
        sim, level = taxonomy.code_similarity(code, park_code)
        if sim > best[1] or (sim == best[1] and level > best[2]):
            best = (park_code, sim, level)
    return best


class IndustryFeature(FeatureFamily):
    """How closely the enterprise's industry sits to the park's leading industries.

    Declared codes score their level similarity. A code inferred from the scope text is
    discounted by its confidence towards the neutral value. No code and no text, or a park without
    leading industries, is unknown.
    """

    name: ClassVar[str] = "industry"
    label: ClassVar[str] = "产业匹配"
    neutral: ClassVar[float] = 0.3
    default_weight: ClassVar[float] = 0.35

    def raw_similarity(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Best level similarity of each pair, NaN where the park has no leading industries.

        One gather from the park's precomputed table (one entry per GB/T code id).
        """
        p, e = broadcast_pairs(parks, ents)
        P, E = index.parks, index.enterprises
        if len(p) and np.all(p == p[0]):
            sim = P.lead_sim[p[0]][E.leaf[e]]
        elif len(e) and np.all(e == e[0]):
            sim = P.lead_sim[p, E.leaf[e[0]]]
        else:
            sim = P.lead_sim[p, E.leaf[e]]
        has_codes = np.fromiter((bool(c) for c in P.leading), dtype=bool, count=len(P))
        return np.where(has_codes[p], sim, np.nan).astype(np.float32)

    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        p, e = broadcast_pairs(parks, ents)
        sim = self.raw_similarity(index, p, e)
        E = index.enterprises
        source = E.code_source[e]
        conf = E.code_conf[e]
        value = np.where(source == CODE_INFERRED, conf * sim + (1 - conf) * self.neutral, sim)
        value = np.where(source == 0, np.nan, value)
        return value.astype(np.float32)

    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        E, P = index.enterprises, index.parks
        if not P.leading[park]:
            return "园区未设主导产业，产业匹配未知（按中性分计）"
        source = int(E.code_source[ent])
        if source == 0:
            return "未填行业代码，也无经营范围可供推断，产业匹配未知（按中性分计）"
        code = str(E.code_at(ent))
        park_code, s, level = best_leading_code(code, P.leading[park])
        ent_txt = f"「{code} {taxonomy.code_name(code)}」"
        park_txt = f"「{park_code} {taxonomy.code_name(park_code)}」"
        if s >= 1.0:
            if code == park_code:
                text = f"所属行业{ent_txt}正是园区主导产业"
            else:
                text = f"所属行业{ent_txt}属于园区主导产业{park_txt}"
        elif level > 0:
            common = taxonomy.ancestors(code)[level - 1]
            word = _LEVEL_WORD[level]
            weak = "，关联较弱" if level == 1 else ""
            text = (
                f"所属行业{ent_txt}与园区主导产业{park_txt}同属{word}"
                f"「{common} {taxonomy.code_name(common)}」{weak}"
            )
        else:
            text = f"所属行业{ent_txt}不在园区主导产业范围内"
        if source == CODE_INFERRED:
            conf = float(E.code_conf[ent])
            text = f"未填行业代码，据经营范围推断为{ent_txt}（置信度 {conf:.0%}），" + text.replace(
                f"所属行业{ent_txt}", "推断行业"
            )
        return text
