"""Industry family: how related the enterprise's industry is to the park's leading industries.

Relatedness comes from :mod:`matcher.reference.relatedness` (the GB/T tree, the park's own industry chains,
strategic-industry groups), so a graphite-anode maker is close to a lithium-battery park and an
unrelated sibling in the same 大类 is not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..index import CODE_DECLARED, CODE_INFERRED, MatchIndex
from ..reference import taxonomy
from ..reference.relatedness import TREE, get_relatedness
from ._base import FeatureFamily, _own, broadcast_pairs, gather, per_index, take
from ._kernels import industry_values

__all__ = ["IndustryFeature", "best_leading_code"]

_LEVEL_WORD = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}
#: Share of the declared code's credit when the text contradicts it (a reseller declared as a
#: software developer): the rest follows what the text says.
CONFLICT_SHARE = 0.5


def best_leading_code(code: str, leading: tuple[str, ...]) -> tuple[str, float, int]:
    """The park code most related to ``code``, the relatedness and the deepest shared level."""
    park_code, value, _ = get_relatedness().best(code, leading)
    level = taxonomy.code_similarity(code, park_code)[1] if park_code else 0
    return park_code, value, level


def _name(code: str) -> str:
    return f"「{code} {taxonomy.code_name(code)}」"


@dataclass
class _Rows:
    """Per-index state of the one-park path: which rows take which branch, and the
    park-independent parts of their values (computed by the same expressions as ``compute``)."""

    inferred: np.ndarray  # rows with an inferred code
    conf: np.ndarray  # their confidence (float32)
    rest: np.ndarray  # (1 - conf) × neutral (float32)
    expected: np.ndarray  # positions in ``inferred`` with text evidence (total > 0)
    cand_leaf: np.ndarray  # (candidates, rows): each candidate's code id on those rows (intp)
    cand_share: np.ndarray  # (candidates, rows): each candidate's share on those rows
    total: np.ndarray  # the shares' sum on those rows
    conflict: np.ndarray  # rows whose declared code the text contradicts
    conflict_leaf: np.ndarray  # the text's code on those rows (intp)
    conflict_own: np.ndarray  # the effective (declared) code on those rows (intp)
    unknown: np.ndarray  # rows without any code (NaN)


def _rows(index: MatchIndex, ents: np.ndarray | None, neutral: float) -> _Rows:
    E = index.enterprises
    source = take(E.code_source, ents)
    inferred = np.flatnonzero(source == CODE_INFERRED)
    rows = inferred if ents is None else ents[inferred]
    conf = E.code_conf[rows]
    share = E.cand_share[rows]
    total = share.sum(axis=1)
    expected = np.flatnonzero(total > 0)
    leaf = E.cand_leaf[rows[expected]]
    conflict = np.flatnonzero(take(E.conflict, ents))
    conflict_rows = conflict if ents is None else ents[conflict]
    return _Rows(
        inferred=inferred,
        conf=conf,
        rest=(1 - conf) * neutral,
        expected=expected,
        # a candidate a row, each contiguous; code ids as intp: ``np.take`` of intp positions
        # is several times faster than indexing with int32 ones (the same values)
        cand_leaf=np.ascontiguousarray(leaf.T, dtype=np.intp),
        cand_share=np.ascontiguousarray(share[expected].T),
        total=total[expected],
        conflict=conflict,
        conflict_leaf=E.inferred_leaf[conflict_rows].astype(np.intp),
        conflict_own=E.leaf[conflict_rows].astype(np.intp),
        unknown=np.flatnonzero(source == 0),
    )


class IndustryFeature(FeatureFamily):
    """How closely the enterprise's industry sits to the park's leading industries.

    A declared code scores its relatedness; when a confident reading of the scope contradicts it
    (another 大类: a server reseller declared as 6513 软件开发), the declared code earns only
    :data:`CONFLICT_SHARE` of the credit and the text's code the rest. An inferred code scores the
    relatedness expected over it and its alternatives (by their shares of the text evidence),
    pulled towards the neutral value by the calibrated confidence; when inference abstains, the
    component is unknown (neutral), never a guess. A park without leading industries is unknown
    too.
    """

    name: ClassVar[str] = "industry"
    label: ClassVar[str] = "产业匹配"
    neutral: ClassVar[float] = 0.3
    default_weight: ClassVar[float] = 0.35
    stores_park_values: ClassVar[bool] = True

    def _gather(self, table: np.ndarray, p: np.ndarray, leaf: np.ndarray) -> np.ndarray:
        if len(p) and np.all(p == p[0]):
            return np.asarray(table[p[0]][leaf])
        return np.asarray(table[p, leaf])

    def _expected(
        self, index: MatchIndex, p: np.ndarray, e: np.ndarray, sim: np.ndarray
    ) -> np.ndarray:
        """Relatedness expected over the inferred code and its alternatives, by their shares of
        the text evidence (a firm that makes and also trades aluminium is not all maker)."""
        E, P = index.enterprises, index.parks
        share = E.cand_share[e]
        total = share.sum(axis=1)
        if not np.any(total > 0):
            return sim
        acc = np.zeros(len(e), dtype=np.float64)
        for k in range(share.shape[1]):
            leaf = E.cand_leaf[e, k]
            acc += share[:, k] * self._gather(P.lead_sim, p, leaf)
        return np.where(total > 0, acc / np.where(total > 0, total, 1.0), sim).astype(np.float32)

    def raw_similarity(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Relatedness of each pair's effective code, NaN where the park has no leading codes.

        One gather from the park's precomputed table (one entry per GB/T code id).
        """
        p, e = broadcast_pairs(parks, ents)
        P, E = index.parks, index.enterprises
        sim = self._gather(P.lead_sim, p, E.leaf[e])
        has_codes = np.fromiter((bool(c) for c in P.leading), dtype=bool, count=len(P))
        return np.where(has_codes[p], sim, np.nan).astype(np.float32)

    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        sim = self.raw_similarity(index, p, e)
        source = E.code_source[e]
        conf = E.code_conf[e]
        expected = self._expected(index, p, e, sim)
        value = np.where(source == CODE_INFERRED, conf * expected + (1 - conf) * self.neutral, sim)
        conflict = E.conflict[e]
        if conflict.any():
            text = self._gather(P.lead_sim, p, E.inferred_leaf[e])
            mixed = CONFLICT_SHARE * sim + (1 - CONFLICT_SHARE) * text
            value = np.where(conflict, mixed, value)
        value = np.where(source == 0, np.nan, value)
        return value.astype(np.float32)

    def compute_park(
        self,
        index: MatchIndex,
        park: int,
        ents: np.ndarray | None = None,
        *,
        buffer: np.ndarray | None = None,
    ) -> np.ndarray:
        """:meth:`compute` for one park: one gather from the park's relatedness row for every
        row (into ``buffer`` when given), the expected relatedness only on rows with an
        inferred code (bit-identical)."""
        E, P = index.enterprises, index.parks
        table = P.lead_sim[park]
        if ents is None:  # every row: the steps below, each one compiled loop
            rows = per_index(E.extras, "industry_rows", lambda: _rows(index, None, self.neutral))
            value = _own(buffer, len(E))
            return industry_values(
                table, E.leaf, value, bool(P.leading[park]), rows, CONFLICT_SHARE
            )
        rows = _rows(index, ents, self.neutral)
        leaf = take(E.leaf, ents)
        # a new array or the caller's buffer: changed in place below
        value = table[leaf] if buffer is None else gather(table, leaf, _own(buffer, len(leaf)))
        if not P.leading[park]:
            value[:] = np.nan
        if len(rows.inferred):
            expected = value[rows.inferred]  # rows without text evidence keep the relatedness
            if len(rows.expected):
                acc = np.zeros(len(rows.expected), dtype=np.float64)
                for leaf, share in zip(rows.cand_leaf, rows.cand_share, strict=True):
                    acc += share * np.take(table, leaf)
                expected[rows.expected] = acc / rows.total
            value[rows.inferred] = rows.conf * expected + rows.rest
        if len(rows.conflict):
            sim = np.take(table, rows.conflict_own)
            if not P.leading[park]:
                sim[:] = np.nan
            mixed = CONFLICT_SHARE * sim + (1 - CONFLICT_SHARE) * np.take(table, rows.conflict_leaf)
            value[rows.conflict] = mixed
        value[rows.unknown] = np.nan
        return value

    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        E, P = index.enterprises, index.parks
        if not P.leading[park]:
            return "园区未设主导产业，产业匹配未知（按中性分计）"
        source = int(E.code_source[ent])
        if source == 0:
            raw = E.inferred_leaf[ent]
            if raw >= 0:
                guess = taxonomy.get_taxonomy().codes[int(raw)]
                return (
                    f"未填行业代码，经营范围的行业信号不足（最可能为{_name(guess)}，置信度 "
                    f"{float(E.inferred_conf[ent]):.0%}，低于推断门槛），产业匹配未知（按中性分计）"
                )
            return "未填行业代码，经营范围也无可识别的行业，产业匹配未知（按中性分计）"
        code = str(E.code_at(ent))
        text = self._relation_text(code, P.leading[park], "所属行业")
        if source == CODE_INFERRED:
            conf = float(E.code_conf[ent])
            text = (
                f"未填行业代码，据经营范围推断为{_name(code)}（置信度 {conf:.0%}），"
                + text.replace(f"所属行业{_name(code)}", "推断行业")
            )
        elif source == CODE_DECLARED and bool(E.conflict[ent]):
            inferred = taxonomy.get_taxonomy().codes[int(E.inferred_leaf[ent])]
            text += (
                f"；但经营范围显示主营{_name(inferred)}（置信度 {float(E.inferred_conf[ent]):.0%}），"
                f"与申报行业不一致，产业匹配只计一半，请核实"
            )
        return text

    @staticmethod
    def _relation_text(code: str, leading: tuple[str, ...], subject: str) -> str:
        return _relation_text(code, leading, subject)


@functools.lru_cache(maxsize=8192)
def _relation_text(code: str, leading: tuple[str, ...], subject: str) -> str:
    """How ``code`` relates to the park's leading codes, in words (the same few pairs recur on
    every page: remembered)."""
    park_code, value, label = get_relatedness().best(code, leading)
    level = taxonomy.code_similarity(code, park_code)[1]
    ent_txt, park_txt = _name(code), _name(park_code)
    if value >= 1.0:
        if code == park_code:
            return f"{subject}{ent_txt}正是园区主导产业"
        return f"{subject}{ent_txt}属于园区主导产业{park_txt}"
    if label:
        return f"{subject}{ent_txt}是园区主导产业{park_txt}的{label}"
    if level > 0 and value >= TREE[level if level < 4 else 3] > 0:
        common = taxonomy.ancestors(code)[level - 1]
        word = _LEVEL_WORD[level]
        weak = "，关联较弱" if value < TREE[3] else ""
        return (
            f"{subject}{ent_txt}与园区主导产业{park_txt}同属{word}"
            f"「{common} {taxonomy.code_name(common)}」{weak}"
        )
    return f"{subject}{ent_txt}不在园区主导产业及其产业链范围内"
