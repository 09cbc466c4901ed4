"""Selecting a ranking page: eligible pairs first, then score descending, then input order.

One rule everywhere (a page of :meth:`~matcher.Matcher.rank_enterprises`, the batch top-k, the
Dask job): ties keep the order of the rows, so the same pairs rank the same however they are
chunked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..exceptions import ConfigError, UnknownIdError
from ..index import RowPositions
from ._kernels import positions_at_or_above

__all__ = ["INELIGIBLE", "candidate_mask", "select_page", "sort_key", "top_k", "top_k_rows"]

#: Added to the sort key of ineligible pairs: they rank after every eligible one.
INELIGIBLE = -1e9


def sort_key(score: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """The ranking key of each pair: its score, minus :data:`INELIGIBLE` when ineligible."""
    return score + np.where(eligible, 0.0, INELIGIBLE)


def top_k(key: np.ndarray, order: np.ndarray, k: int | None) -> np.ndarray:
    """Positions of the ``k`` best keys (all when None), best first, ties by ``order``.

    A partial sort (``argpartition``) finds the ``k``-th key; every position tied with it is
    kept until the final sort, so ties break by ``order`` and never by the partition.

    >>> top_k(np.array([1.0, 3.0, 3.0, 2.0]), np.arange(4), 2).tolist()
    [1, 2]
    """
    if k is not None and k <= 0:
        return np.zeros(0, dtype=np.intp)
    if k is not None and k < len(key):
        cand = _may_be_best(key, k)
        return _best_of(cand, key[cand], order[cand], k)
    cand = np.arange(len(key))
    cand = cand[np.lexsort((order[cand], -key[cand]))]
    return cand if k is None else cand[:k]


def _best_of(cand: np.ndarray, sub: np.ndarray, order: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` best of the positions ``cand`` (keys ``sub``, tie order ``order``: both of
    ``cand``'s rows), best first: every position tied with the ``k``-th key is kept until the
    final sort, so ties break by ``order`` and never by the partition."""
    if k <= len(sub):
        keep = sub >= sub[np.argpartition(-sub, k - 1)[:k]].min()
        cand, sub, order = cand[keep], sub[keep], order[keep]
    return cand[np.lexsort((order, -sub))][:k]


def top_k_rows(score: np.ndarray, eligible: np.ndarray, k: int) -> np.ndarray:
    """``top_k(sort_key(score, eligible), np.arange(len(score)), k)`` without the key of every
    row: a key is never above its score, so only rows whose score reaches the sample's bound
    get a key (the same rows, in the same order)."""
    step = _sample_step(len(score), k)
    floor = None
    if step and k < len(score):
        floor = _sample_floor(sort_key(score[::step], eligible[::step]), k)
    if floor is None:
        return top_k(sort_key(score, eligible), np.arange(len(score)), k)
    cand = _at_or_above(score, floor)  # the rows reaching the bound
    key = sort_key(score[cand], eligible[cand])
    keep = key >= floor  # the rows of ``flatnonzero(sort_key(score, eligible) >= floor)``
    return _best_of(cand[keep], key[keep], cand[keep], k)


#: Keys from which :func:`top_k` first narrows the candidates with a sample, and the sample's
#: size in multiples of ``k``.
SAMPLE_FROM, SAMPLE_PER_K = 8192, 64


def _may_be_best(key: np.ndarray, k: int) -> np.ndarray:
    """Positions that may hold one of the ``k`` best keys: those at or above the ``k``-th best
    key of an evenly spaced sample, which is at most the ``k``-th best key of all (every key
    when the sample cannot tell)."""
    step = _sample_step(len(key), k)
    floor = _sample_floor(key[::step], k) if step else None
    if floor is None:
        return np.arange(len(key))
    return _at_or_above(key, floor)


def _at_or_above(values: np.ndarray, floor: Any) -> np.ndarray:
    """Positions of ``values`` at or above ``floor``: one compiled pass, no mask."""
    return positions_at_or_above(values, floor)


def _sample_step(n: int, k: int) -> int:
    """The stride of the sample that bounds the ``k`` best of ``n`` keys (0: no sample)."""
    step = n // (SAMPLE_PER_K * k) if k > 0 else 0
    return step if n >= SAMPLE_FROM and step >= 2 else 0


def _sample_floor(sample: np.ndarray, k: int) -> Any:
    """The ``k``-th best key of ``sample`` (None when it holds NaN: NaN keys are never chosen,
    so the full partition must see them)."""
    if np.isnan(sample).any():
        return None
    return np.partition(sample, len(sample) - k)[len(sample) - k]  # a key of the sample's type


def select_page(
    score: np.ndarray,
    eligible: np.ndarray,
    *,
    k: int | None,
    offset: int = 0,
    include_ineligible: bool = False,
    min_score: float | None = None,
    candidates: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Rows of a ranking page (best first) and how many rows qualify before paging.

    Parameters
    ----------
    score, eligible : ndarray
        One entry per row.
    k : int or None
        Page size; None for every qualifying row.
    offset : int, default=0
        Rows skipped before the page.
    include_ineligible : bool, default=False
        Keep ineligible rows (after the eligible ones).
    min_score : float, default=None
        Drop rows scoring below it.
    candidates : bool ndarray, default=None
        Restrict to these rows.
    """
    need = None if k is None else max(offset, 0) + max(k, 0)
    if candidates is None and min_score is None and need is not None:
        # every (eligible) row qualifies: the best of all rows, the ineligible ones dropped
        # after (they rank after every eligible row), with no pass to gather the qualifying rows
        total = len(score) if include_ineligible else int(np.count_nonzero(eligible))
        rows = top_k_rows(score, eligible, need)
        if not include_ineligible:
            rows = rows[eligible[rows]]
        return rows[max(offset, 0) : need], total
    if candidates is not None:
        keep = candidates & eligible if not include_ineligible else candidates.copy()
    else:
        keep = eligible.copy() if not include_ineligible else np.ones(len(score), dtype=bool)
    if min_score is not None:
        keep &= score >= min_score
    rows = np.flatnonzero(keep)
    total = len(rows)
    rows = rows[top_k(sort_key(score[rows], eligible[rows]), rows, need)]
    if need is not None:
        rows = rows[max(offset, 0) : need]
    return rows, total


def candidate_mask(
    candidates: Sequence[str] | np.ndarray | None, position: Mapping[str, int], kind: str
) -> np.ndarray | None:
    """A boolean mask over the rows of ``position`` (id → row) from ids or a mask.

    Raises
    ------
    ConfigError
        A mask of the wrong length.
    UnknownIdError
        An id that ``position`` does not hold.
    """
    if candidates is None:
        return None
    n = len(position)
    arr = np.asarray(candidates)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise ConfigError(f"候选掩码长度应为 {n}，得到 {arr.shape}")
        return arr
    mask = np.zeros(n, dtype=bool)
    given = arr.tolist()
    keys = [str(c) for c in given]
    if isinstance(position, RowPositions):  # the enterprises: one search for every id
        rows = position.rows(keys)
    else:
        rows = np.array([position.get(k, -1) for k in keys], dtype=np.intp)
    if (rows < 0).any():
        raise UnknownIdError(kind, given[int(np.argmax(rows < 0))])
    mask[rows] = True
    return mask
