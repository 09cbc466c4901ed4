"""Text family: similarity of scope + products to the park's positioning."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .._index import MatchIndex
from ._base import FeatureFamily, broadcast_pairs

__all__ = ["TextFeature"]


class TextFeature(FeatureFamily):
    """Cosine of TF-IDF character n-grams, scaled so that a clear match reaches 1.

    The enterprise side is its business scope and products (never its name: a firm that only
    shares a word in its name with the positioning gains nothing); the park side is its
    positioning plus the official names of its leading industries. Texts are normalised (NFKC,
    繁→简) before vectorising, so 繁體 and full-width twins score the same.

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
            return "未填经营范围和主营产品，业务契合度未知（按中性分计）"
        terms = index.vectorizer.shared_phrases(E.docs[ent], P.docs[park], k=4)
        shown = f"（共同关键词：{'、'.join(terms)}）" if terms else ""
        if value >= 0.7:
            return f"经营范围和主营产品与园区产业定位高度契合{shown}"
        if value >= 0.35:
            return f"经营范围和主营产品与园区产业定位部分契合{shown}"
        if value > 0.05:
            return f"经营范围和主营产品与园区产业定位契合度较低{shown}"
        return "经营范围和主营产品与园区产业定位无明显关联"
