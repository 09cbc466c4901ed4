"""Industry family: GB/T 4754 similarity by the deepest shared level of the hierarchy."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .. import taxonomy
from .._index import CODE_INFERRED, MatchIndex
from ._base import FeatureFamily, broadcast_pairs

__all__ = ["IndustryFeature", "level_similarity"]

_LEVEL_SIM = np.array([taxonomy.LEVEL_SIMILARITY[i] for i in range(5)], dtype=np.float32)
_LEVEL_WORD = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}


def level_similarity(
    ent_paths: np.ndarray, code_paths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Similarity of every enterprise path to every code path.

    Parameters
    ----------
    ent_paths : ndarray of shape (n, 4)
        Ancestor ids per level (-1 beyond the code's depth or when missing).
    code_paths : ndarray of shape (m, 4)
        The park's codes in the same form.

    Returns
    -------
    sim : ndarray of shape (n, m), float32
        1.0 when the enterprise code lies at or below the park code, else
        ``LEVEL_SIMILARITY[deepest shared level]``.
    shared : ndarray of shape (n, m), int8
        The deepest shared level (0–4).
    """
    eq = (ent_paths[:, None, :] == code_paths[None, :, :]) & (code_paths[None, :, :] >= 0)
    shared = np.cumprod(eq, axis=2, dtype=np.int8).sum(axis=2, dtype=np.int8)
    depth = (code_paths >= 0).sum(axis=1)
    full = (shared == depth[None, :]) & (depth[None, :] > 0)
    sim = np.where(full, np.float32(1.0), _LEVEL_SIM[shared])
    return sim.astype(np.float32, copy=False), shared


def _best_per_owner(values: np.ndarray, owner: np.ndarray, n_owners: int) -> np.ndarray:
    out = np.full(n_owners, -np.inf, dtype=np.float32)
    np.maximum.at(out, owner, values)
    return out


class IndustryFeature(FeatureFamily):
    """How closely the enterprise's industry sits to the park's leading industries.

    Declared codes score their level similarity. A code inferred from the scope text is
    discounted by its confidence towards the neutral value. No code and no text, or a park without
    leading industries, is unknown.
    """

    name: ClassVar[str] = "industry"
    label: ClassVar[str] = "产业匹配"
    neutral: ClassVar[float] = 0.3

    def raw_similarity(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Best level similarity of each pair, NaN where the park has no leading industries."""
        p, e = broadcast_pairs(parks, ents)
        P = index.parks
        has_codes = np.bincount(P.lead_owner, minlength=len(P)) > 0
        out = np.full(len(p), np.nan, dtype=np.float32)
        if len(p) == 0:
            return out
        if np.all(p == p[0]):
            rows = P.lead_owner == p[0]
            if rows.any():
                sim, _ = level_similarity(index.enterprises.paths[e], P.lead_paths[rows])
                out[:] = sim.max(axis=1)
        elif np.all(e == e[0]):
            sim, _ = level_similarity(index.enterprises.paths[e[:1]], P.lead_paths)
            best = _best_per_owner(sim[0], P.lead_owner, len(P))
            out[:] = np.where(has_codes[p], best[p], np.nan)
        else:
            for park in np.unique(p):
                sel = p == park
                rows = P.lead_owner == park
                if rows.any():
                    sim, _ = level_similarity(index.enterprises.paths[e[sel]], P.lead_paths[rows])
                    out[sel] = sim.max(axis=1)
        return out

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
        code = str(E.code[ent])
        rows = np.flatnonzero(P.lead_owner == park)
        sim, shared = level_similarity(E.paths[ent : ent + 1], P.lead_paths[rows])
        best = int(np.argmax(sim[0]))
        park_code = P.leading[park][best]
        level = int(shared[0, best])
        s = float(sim[0, best])
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
