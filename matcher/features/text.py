"""Text family: similarity of what the enterprise does to what the park wants, in words."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..index import MatchIndex
from ._base import FeatureFamily, broadcast_pairs

__all__ = ["TextFeature"]


class TextFeature(FeatureFamily):
    """Cosine of TF-IDF character n-grams, scaled so that a clear match reaches 1.

    The enterprise side is what its scope clauses are about (verbs and registry padding such as
    技术开发、技术咨询 removed), weighted by position (the main business first), plus its products
    and the 行业表述 of its name (never the brand: 稀土火锅 does not match a rare-earth park). Each
    clause counts in the block of its activity (production, digital, commerce, services), and
    the park weighs each block by what it wants: a firm that only sells 铝材 barely matches an
    aluminium-processing park on the word 铝材. The park side is its positioning without refusal
    clauses, plus the official names of its leading industries. Texts are normalised (NFKC, 繁→简
    with Taiwan wording) and vocabulary bridges are applied (PCB ↔ 印制电路板, 镁炭砖 ↔ 耐火材料).

    Parameters
    ----------
    saturation : float, default=0.35
        Cosine at and above which the component is 1.0.
    """

    name: ClassVar[str] = "text"
    label: ClassVar[str] = "业务契合"
    neutral: ClassVar[float] = 0.2
    default_weight: ClassVar[float] = 0.25

    def __init__(self, saturation: float = 0.35):
        self.saturation = saturation

    def cosine(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Raw cosine of each pair (0 where either side has no text)."""
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        if len(p) == 0:
            return np.zeros(0, dtype=np.float32)
        if np.all(p == p[0]):
            park = P.X[p[0]].toarray().ravel()
            if len(e) * 8 < E.X.shape[0]:  # a few rows (a ranking page): slice them first
                cos = E.X[e] @ park
            else:  # a sparse mat-vec over every enterprise, then select
                cos = (E.X @ park)[e]
        elif np.all(e == e[0]):
            # the enterprise's row times every park: the same products in the same order as
            # the one-park mat-vec, so both directions give bit-identical values
            cos = (E.X[e[0]] @ P.X.T).toarray().ravel()[p]
        else:  # aligned pairs: one park at a time, through the same mat-vec as above
            cos = np.empty(len(p), dtype=np.float32)
            for park in np.unique(p):
                sel = np.flatnonzero(p == park)
                cos[sel] = E.X[e[sel]] @ P.X[park].toarray().ravel()
        return cos.astype(np.float32)

    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        p, e = broadcast_pairs(parks, ents)
        value = np.minimum(1.0, self.cosine(index, p, e) / self.saturation)
        known = index.enterprises.has_text[e] & index.parks.has_text[p]
        return np.where(known, value, np.nan).astype(np.float32)

    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        E, P = index.enterprises, index.parks
        if not P.has_text[park]:
            return "园区未填产业定位，业务契合度未知（按中性分计）"
        if not E.has_text[ent]:
            return "经营范围和主营产品中没有可比对的业务内容，业务契合度未知（按中性分计）"
        clause, terms = self._best_clause(index, park, ent)
        shown = f"（共同关键词：{'、'.join(terms)}）" if terms else ""
        where = f"「{clause}」" if clause else "经营范围和主营产品"
        if value >= 0.7:
            text = f"{where}与园区产业定位高度契合{shown}"
        elif value >= 0.35:
            text = f"{where}与园区产业定位部分契合{shown}"
        elif value > 0.05:
            text = f"{where}与园区产业定位契合度较低{shown}"
        else:
            return "经营范围和主营产品与园区产业定位无明显关联"
        if self._only_traded(index, park, ent):  # whether or not a whole term is shared
            text += "；但以销售为主，并非生产企业"
        return text

    @staticmethod
    def _best_clause(index: MatchIndex, park: int, ent: int) -> tuple[str, list[str]]:
        """The enterprise clause that shares the most telling words with the park's text."""
        E, P = index.enterprises, index.parks
        best: tuple[float, str, list[str]] = (0.0, "", [])
        idf = index.vectorizer.idf_map_
        clauses = [c for c in (E.docs[ent] or "").split("；") if c]
        for k, clause in enumerate(clauses):
            terms = index.vectorizer.shared_phrases(clause, P.docs[park], k=3)
            strength = sum(idf.get(t[j : j + 2], 0.0) for t in terms for j in range(len(t) - 1)) / (
                1.0 + 0.5 * k
            )
            if strength > best[0]:
                best = (strength, clause, terms)
        return best[1], best[2]

    @staticmethod
    def _only_traded(index: MatchIndex, park: int, ent: int) -> bool:
        """The firm mostly trades, and the park wants makers."""
        from ..text import ACTIVITIES

        E, P = index.enterprises, index.parks
        act = int(E.activity[ent])
        trader = act >= 0 and ACTIVITIES[act] == "trade" and float(E.make_share[ent]) < 0.25
        return trader and float(P.wants[park, 2]) < 0.5
