"""Text family: similarity of what the enterprise does to what the park wants, in words."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import sparse

from ..index import SAVED_STATE, EnterpriseArrays, MatchIndex
from ._base import (
    FeatureFamily,
    _own,
    broadcast_pairs,
    per_index,
    replace_where,
    scratch,
    take,
)
from ._kernels import csc_matvec as _csc_matvec
from ._kernels import csr_rows_dot
from ._shared import run_blocks

__all__ = ["TextFeature"]


def row_order(X: sparse.csr_matrix) -> int:
    """The order of the column indices inside every row of ``X``: 1 strictly ascending, -1
    strictly descending, 0 neither (a row's dot product sums its terms in this order)."""
    if X.nnz == 0:
        return 1
    indices = X.indices
    starts = X.indptr[1:-1]
    across = starts[(starts > 0) & (starts < X.nnz)] - 1  # steps from one row to the next
    # one comparison of neighbours at a time (no widened copy of the indices), steps across
    # rows counted as in order
    up = indices[1:] > indices[:-1]
    up[across] = True
    if up.all():
        return 1
    down = np.less(indices[1:], indices[:-1], out=up)
    down[across] = True
    if down.all():
        return -1
    return 0


#: (park, clause) pairs whose shared terms the text reasons remember per index (a few hundred
#: bytes each; the memo is forgotten whole when it grows past this, then fills again).
CLAUSE_MEMO = 50_000

#: Rows per block of :class:`TermColumns`: the sums of one block's rows stay in the cache while
#: the park's columns are added into them.
BLOCK_ROWS = 1 << 16


#: The type of a block's row positions when its rows fit in it: 2 bytes a non-zero instead of 4.
#: A cold ranking over many rows reads the park's columns through memory, and with another
#: thread reading beside it the bytes decide.
NARROW_ROWS = np.uint16


@dataclass(frozen=True, eq=False)
class ColumnBlock:
    """One block of rows of :class:`TermColumns`, by column: ``data``, row positions
    ``indices`` within the block and column pointers ``indptr`` (a CSC matrix's arrays, of
    ``shape``). The row positions are :data:`NARROW_ROWS` when the block's rows fit in that
    type: scipy keeps no such matrix (it widens the positions to int32, copying a mapped index),
    so the block holds its arrays itself. Compared by identity (its arrays have no single truth
    value)."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def of(cls, matrix: sparse.csc_matrix) -> ColumnBlock:
        """The block of a CSC matrix, its row positions narrowed when they fit."""
        indices = matrix.indices
        if matrix.shape[0] <= np.iinfo(NARROW_ROWS).max + 1:
            indices = indices.astype(NARROW_ROWS)
        return cls(
            matrix.data, indices, matrix.indptr, (int(matrix.shape[0]), int(matrix.shape[1]))
        )

    def to_csc(self) -> sparse.csc_matrix:
        """The block as a scipy matrix (its positions widened: a copy when they are narrow)."""
        return sparse.csc_matrix((self.data, self.indices, self.indptr), shape=self.shape)


#: Rows from which :meth:`TermColumns.cosine` lets idle threads of the scoring pool take some
#: of its blocks (:func:`matcher.features.run_blocks`).
SHARE_MIN_ROWS = 200_000


@dataclass
class TermColumns:
    """The enterprise rows as columns (CSC, in blocks of rows: :class:`ColumnBlock`), to score
    one park through its own terms only.

    A row's dot product with a park adds the products of its terms in the row's stored order
    (``order``); adding the park's term columns in that same order reproduces every sum bit for
    bit, and terms the park lacks add exact zeros there, so they can be skipped.

    The columns are stored so that taking the park's terms in that order walks the data
    backwards (``flipped``: term ``t`` is stored at column ``terms - 1 - t``, for rows in
    ascending order). A CSC mat-vec then reads the park's columns where they lie, without
    copying them out: its column pointers name each park term's stretch of data, with an empty
    stretch (end to an earlier start, weight 0) between two terms. The mat-vec is scipy's loop
    compiled without the interpreter lock (``_kernels.csc_matvec``): the other families, and
    the pool threads that take blocks of these columns, run beside it. Each block's row
    positions take 2 bytes (:data:`NARROW_ROWS`) when its rows fit: 6 bytes read a non-zero
    instead of 8.
    """

    blocks: list[ColumnBlock]
    order: int
    flipped: bool = False

    def cosine(
        self,
        vector: np.ndarray,
        terms: np.ndarray,
        out: np.ndarray | None = None,
        then: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Every row's dot product with ``vector``, whose non-zero entries are at ``terms``
        (written into ``out`` when it is an array of the rows' length and the vector's type,
        else into a new array).

        ``then(lo, hi)``, when given, is called as soon as the rows ``lo … hi`` of ``out`` are
        summed, on the thread that summed them (while they are still in its cache), and only
        when the result is ``out`` itself: a caller that gets another array back finishes it
        itself."""
        terms = np.unique(terms)[:: self.order]  # the order in which the rows add their terms
        weights = vector[terms]
        where = self.blocks[0].shape[1] - 1 - terms if self.flipped else terms
        direct = _csc_matvec is not None and len(terms) > 0
        if not (direct and all(self._direct(block, weights.dtype) for block in self.blocks)):
            return np.concatenate([block.to_csc()[:, where] @ weights for block in self.blocks])
        dtype = weights.dtype
        # a zero weight for each stretch between two terms (empty when the data runs backwards)
        x = np.zeros(2 * len(terms) - 1, dtype=dtype)
        x[::2] = weights
        n = sum(block.shape[0] for block in self.blocks)
        if out is None or out.dtype != dtype or out.shape != (n,) or not out.flags.c_contiguous:
            out, then = np.empty(n, dtype=dtype), None
        starts = np.cumsum([0] + [block.shape[0] for block in self.blocks]).tolist()

        def read(b: int) -> None:  # one block's rows, into their own slice of ``out``
            block = self.blocks[b]
            ptr = np.empty(2 * len(terms), dtype=block.indptr.dtype)
            ptr[0::2] = block.indptr[where]
            ptr[1::2] = block.indptr[where + 1]
            part = out[starts[b] : starts[b + 1]]
            part.fill(0)
            _csc_matvec(block.shape[0], len(x), ptr, block.indices, block.data, x, part)
            if then is not None:
                then(starts[b], starts[b + 1])

        if n >= SHARE_MIN_ROWS and len(self.blocks) > 1:
            run_blocks(len(self.blocks), read)
        else:
            for b in range(len(self.blocks)):
                read(b)
        return out

    def saved_arrays(self) -> dict[str, np.ndarray]:
        """The columns as arrays, saved with the index (:func:`matcher.index.save_index`) and
        mapped back by :meth:`from_arrays`: each block's data, row indices and column pointers
        (``"{block}.data"`` …; one file each, so that each maps as a whole), the blocks' rows,
        and the order and flip."""
        arrays = {
            "rows": np.array([block.shape[0] for block in self.blocks], dtype=np.int64),
            "layout": np.array([self.order, int(self.flipped)], dtype=np.int64),
        }
        for b, block in enumerate(self.blocks):
            for part in ("data", "indices", "indptr"):
                arrays[f"{b}.{part}"] = getattr(block, part)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> TermColumns:
        """The columns of :meth:`saved_arrays`, over those arrays (nothing copied: a
        memory-mapped index keeps them on disk until a park's columns are read)."""
        order, flipped = (int(v) for v in arrays["layout"])
        blocks = []
        for b, rows in enumerate(arrays["rows"].tolist()):
            indptr = arrays[f"{b}.indptr"]
            shape = (int(rows), len(indptr) - 1)
            blocks.append(ColumnBlock(arrays[f"{b}.data"], arrays[f"{b}.indices"], indptr, shape))
        return cls(blocks, order, bool(flipped))

    @staticmethod
    def _direct(block: ColumnBlock, dtype: np.dtype) -> bool:
        """Whether the compiled mat-vec reads ``block``'s arrays and writes a result of
        ``dtype`` as they are (a converted copy of the result would leave it unwritten)."""
        return (
            block.indices.dtype in (NARROW_ROWS, np.int32, np.int64)
            and block.indptr.dtype in (np.int32, np.int64)
            and block.data.dtype == dtype
            and dtype in (np.float32, np.float64)
            and block.indices.flags.c_contiguous
            and block.data.flags.c_contiguous
        )


def index_term_columns(E: EnterpriseArrays) -> TermColumns | None:
    """The :class:`TermColumns` of ``E.X``: those saved with a loaded index when there are
    (mapped, not rebuilt), else built from the rows (None when they are in no single order)."""
    saved = E.extras.get(SAVED_STATE, {}).get("term_columns")
    if saved is not None:
        return TermColumns.from_arrays(saved)
    return term_columns(E.X)


def term_columns(X: sparse.csr_matrix) -> TermColumns | None:
    """:class:`TermColumns` of ``X``, or None when its rows are in no single order."""
    order = row_order(X)
    if not order:
        return None
    starts = range(0, max(X.shape[0], 1), BLOCK_ROWS)
    flipped = order == 1  # ascending rows walk the columns backwards when stored last first

    def block(start: int) -> ColumnBlock:  # one block's rows at a time: no second copy
        rows = X[start : start + BLOCK_ROWS]
        return ColumnBlock.of(sparse.csc_matrix(rows[:, ::-1] if flipped else rows))

    workers = min(2, os.cpu_count() or 1, len(starts))
    if workers < 2:
        return TermColumns([block(s) for s in starts], order, flipped)
    # scipy converts a block without the GIL: two blocks at a time take about half as long
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="parkmatch-terms") as pool:
        return TermColumns(list(pool.map(block, starts)), order, flipped)


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
    stores_park_values: ClassVar[bool] = True
    blockwise: ClassVar[bool] = True

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

    def park_cosine(
        self,
        index: MatchIndex,
        park: int,
        ents: np.ndarray | None = None,
        out: np.ndarray | None = None,
        then: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Raw cosine of one park with the rows ``ents`` (every row when None), through the
        park's own terms only: the same values as :meth:`cosine`, bit for bit (float32; written
        into ``out`` when the park's columns of every row are read and ``out`` fits, else a
        new array). ``then`` is :meth:`TermColumns.cosine`'s: called on each block of ``out``
        as it is summed, when the result is ``out``."""
        E, P = index.enterprises, index.parks
        row = P.X[park]
        vector = row.toarray().ravel()
        if ents is not None and len(ents) * 8 < E.X.shape[0]:  # a few rows: each row's dot
            few = csr_rows_dot(E.X, ents, vector)
            return np.asarray(E.X[ents] @ vector if few is None else few, dtype=np.float32)
        cols = per_index(E.extras, "term_columns", lambda: index_term_columns(E) or False)
        if not isinstance(cols, TermColumns):
            cos = E.X @ vector
        else:
            cos = cols.cosine(vector, row.indices, *((out, then) if ents is None else ()))
        return np.asarray(take(cos, ents), dtype=np.float32)

    def compute_park(
        self,
        index: MatchIndex,
        park: int,
        ents: np.ndarray | None = None,
        *,
        buffer: np.ndarray | None = None,
    ) -> np.ndarray:
        """:meth:`compute` for one park, through :meth:`park_cosine` (bit-identical; in place
        in ``buffer`` when it fits, else in a new array). With few parks a ranking reads every
        park's values kept per index instead (:meth:`park_values`, built by
        :meth:`compute_parks`)."""
        E, P = index.enterprises, index.parks
        n = len(E) if ents is None else len(ents)
        if not P.has_text[park]:
            value = _own(buffer, n)
            value.fill(np.nan)
            return value
        # min(1, cosine / saturation) in float32, in place: each block of rows as soon as its
        # cosine is summed into the buffer, else the whole cosine once it is copied in
        value = _own(buffer, n)
        known = take(E.has_text, ents)

        def finish(lo: int, hi: int) -> None:
            part = value[lo:hi]
            np.divide(part, self.saturation, out=part, dtype=np.result_type(part, self.saturation))
            np.minimum(1.0, part, out=part)
            unknown = np.logical_not(known[lo:hi], out=scratch("family.mask.0", hi - lo, bool))
            replace_where(part, unknown, np.nan, out=part)

        cos = self.park_cosine(index, park, ents, out=value, then=finish)
        if cos is not value:
            np.copyto(value, cos)
            finish(0, n)
        return value

    def compute_parks(
        self, index: MatchIndex, parks: Sequence[int], ents: np.ndarray | None = None
    ) -> np.ndarray:
        """:meth:`compute_park` of a block of parks in one sparse product over the enterprise
        rows (each row adds its terms in the same order for every park: bit-identical).

        The result is column-major (each park's values contiguous, ``.T`` a plain C array)."""
        E, P = index.enterprises, index.parks
        rows = np.asarray(parks, dtype=np.intp)
        vectors = np.ascontiguousarray(P.X[rows].toarray().T)  # (terms, parks)
        X = E.X if ents is None else E.X[ents]
        # one park a row from here on, every step in place (the float32 operations of
        # ``compute_park``: divide, clip at 1, NaN where either side has no text)
        value = np.ascontiguousarray(np.asarray(X @ vectors, dtype=np.float32).T)
        value /= np.float32(self.saturation)
        np.minimum(value, np.float32(1.0), out=value)
        value[~P.has_text[rows]] = np.nan
        value[:, ~take(E.has_text, ents)] = np.nan
        return value.T

    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        p, e = broadcast_pairs(parks, ents)
        value = np.minimum(1.0, self.cosine(index, p, e) / self.saturation)
        known = index.enterprises.has_text[e] & index.parks.has_text[p]
        return np.where(known, value, np.nan).astype(np.float32)

    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        return self.reasons(index, np.array([park]), np.array([ent]), np.array([value]))[0]

    def reasons(
        self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray, values: np.ndarray
    ) -> list[str]:
        """:meth:`reason` of every pair at once: the park's text is compared with each distinct
        scope clause once per call (a page's rows share clauses), the trading test is one array
        operation, and the strings are formatted at the end."""
        from ..text import ACTIVITIES

        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        value = np.broadcast_to(np.asarray(values, dtype=np.float64), p.shape).tolist()
        park_text, ent_text = P.has_text[p].tolist(), E.has_text[e].tolist()
        act = E.activity[e]
        # the firm mostly trades, and the park wants makers
        traded = (
            (act >= 0)
            & (act == ACTIVITIES.index("trade"))
            & (E.make_share[e] < 0.25)
            & (P.wants[p, 2] < 0.5)
        ).tolist()
        docs = E.docs[e].tolist()
        # what each (park, clause) shares, remembered per index across calls (pages share
        # clauses: registry wording repeats); forgotten whole past CLAUSE_MEMO entries
        shared: dict[tuple[int, str], tuple[float, list[str]]] = per_index(
            E.extras, "text_reason_clauses", dict
        )
        if len(shared) > CLAUSE_MEMO:
            shared.clear()
        park_docs: dict[int, str | None] = {}  # each park's text, read once per call
        out = []
        for r, park in enumerate(p.tolist()):
            if not park_text[r]:
                out.append("园区未填产业定位，业务契合度未知（按中性分计）")
                continue
            if not ent_text[r]:
                out.append("经营范围和主营产品中没有可比对的业务内容，业务契合度未知（按中性分计）")
                continue
            if park not in park_docs:
                park_docs[park] = P.docs[park]
            clause, terms = self._best_clause(index, park, park_docs[park], docs[r], shared)
            shown = f"（共同关键词：{'、'.join(terms)}）" if terms else ""
            where = f"「{clause}」" if clause else "经营范围和主营产品"
            v = value[r]
            if v >= 0.7:
                text = f"{where}与园区产业定位高度契合{shown}"
            elif v >= 0.35:
                text = f"{where}与园区产业定位部分契合{shown}"
            elif v > 0.05:
                text = f"{where}与园区产业定位契合度较低{shown}"
            else:
                out.append("经营范围和主营产品与园区产业定位无明显关联")
                continue
            if traded[r]:  # whether or not a whole term is shared
                text += "；但以销售为主，并非生产企业"
            out.append(text)
        return out

    @staticmethod
    def _best_clause(
        index: MatchIndex,
        park: int,
        park_doc: str | None,
        doc: str | None,
        shared: dict[tuple[int, str], tuple[float, list[str]]],
    ) -> tuple[str, list[str]]:
        """The clause of an enterprise's text ``doc`` that shares the most telling words with
        the park's text ``park_doc`` (that of the park row ``park``).

        ``shared`` remembers, per (park, clause), the terms the clause shares with the park's
        text and the summed IDF of their bigrams (for the index: see :meth:`reasons`)."""
        best: tuple[float, str, list[str]] = (0.0, "", [])
        idf = index.vectorizer.idf_map_
        clauses = [c for c in (doc or "").split("；") if c]
        for k, clause in enumerate(clauses):
            known = shared.get((park, clause))
            if known is None:
                terms = index.vectorizer.shared_phrases(clause, park_doc, k=3)
                total = sum(idf.get(t[j : j + 2], 0.0) for t in terms for j in range(len(t) - 1))
                known = shared[(park, clause)] = (total, terms)
            strength = known[0] / (1.0 + 0.5 * k)
            if strength > best[0]:
                best = (strength, clause, known[1])
        return best[1], best[2]
