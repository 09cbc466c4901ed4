"""Compiled loops of the feature families (numba): the text columns' mat-vec without the
interpreter lock.

scipy's CSC mat-vec (the routine behind ``csc_matrix @ vector``) keeps the interpreter lock for
the whole call. While one thread of the scoring pool read a block of the text columns, every
other thread waited at its next NumPy call: a family computed beside the text took up to three
times as long, and two threads sharing the text blocks (:func:`matcher.features.run_blocks`)
took turns instead of running together.

:func:`csc_matvec` is scipy's loop, compiled by numba with ``nogil``: the columns in order, each
column's stretch of data added into its rows, ``out[row] += data × x[column]`` in the arrays'
own type. numba compiles without ``fastmath``, so a multiply and an add stay two roundings and
the sums are scipy's bit for bit (``tests/test_fast_paths.py`` compares the bits).

:class:`matcher.compiled.CompiledLoop` compiles a loop at its first call (the cold ranking's
weighted sum too); the compiled code is cached on disk, one entry per combination of array
types.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..compiled import CompiledLoop

__all__ = ["CompiledLoop", "capacity_values", "csc_matvec", "csr_rows_dot", "industry_values"]


def _add_columns(  # pragma: no cover - compiled by numba (covered by the tests' comparisons)
    ptr: Any, indices: Any, data: Any, x: Any, out: Any
) -> None:
    """``out[indices[k]] += data[k] * x[j]`` for every ``k`` of column ``j``'s stretch
    ``ptr[j] … ptr[j + 1]`` (none when the end is before the start), columns in order.

    Positions are unsigned: an index the compiler knows is not negative needs no wrap-around
    test (with signed positions the loop took a third longer than scipy's; unsigned, a little
    less)."""
    one = np.uint64(1)
    for j in range(x.shape[0]):
        weight = x[j]
        k, end = np.uint64(ptr[j]), np.uint64(ptr[j + 1])
        while k < end:
            out[np.uint64(indices[k])] += data[k] * weight
            k += one


_ADD_COLUMNS = CompiledLoop(_add_columns)


def csc_matvec(
    n_row: int,
    n_col: int,
    ptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
    x: np.ndarray,
    out: np.ndarray,
) -> None:
    """``out += A @ x`` for the CSC matrix ``A = (data, indices, ptr)`` of shape
    ``(n_row, n_col)``, as scipy's ``csc_matvec`` (same arguments, same sums bit for bit),
    without holding the interpreter lock. ``x`` and ``data`` share a type (float32 or
    float64), and so do ``out``; ``ptr`` holds ``n_col + 1`` entries. The row positions
    ``indices`` may be of any integer type (the text columns keep them in 2 bytes); numba
    compiles the loop once per type."""
    if len(x) != n_col or len(ptr) != n_col + 1 or len(out) != n_row:
        raise ValueError("csc_matvec: the arrays do not fit the matrix's shape")
    # memory maps as plain arrays: one compiled entry for mapped and loaded indexes
    _ADD_COLUMNS(np.asarray(ptr), np.asarray(indices), np.asarray(data), np.asarray(x), out)


def _industry_loop(  # pragma: no cover - compiled by numba (covered by the tests' comparisons)
    table: Any,
    leaf: Any,
    value: Any,
    leading: bool,
    inferred: Any,
    conf: Any,
    rest: Any,
    expected: Any,
    cand_leaf: Any,
    cand_share: Any,
    total: Any,
    conflict: Any,
    conflict_leaf: Any,
    conflict_own: Any,
    unknown: Any,
    own_share: Any,
    text_share: Any,
) -> None:
    """The industry family's values of every row for one park (``table``: the park's
    relatedness to each code), the NumPy steps of ``IndustryFeature.compute_park`` one after
    the other, each a loop: the same float32 products and sums, the expected relatedness
    summed in float64 and rounded to float32 once (see that method)."""
    nan = np.float32(np.nan)
    for i in range(leaf.shape[0]):
        value[i] = table[leaf[i]]  # a negative code position counts from the end, as ``take``
    if not leading:
        for i in range(leaf.shape[0]):
            value[i] = nan
    if inferred.shape[0]:
        guess = np.empty(inferred.shape[0], dtype=np.float32)
        for j in range(inferred.shape[0]):
            guess[j] = value[inferred[j]]
        for q in range(expected.shape[0]):
            acc = 0.0
            for k in range(cand_leaf.shape[0]):
                acc += np.float64(cand_share[k, q] * table[cand_leaf[k, q]])
            guess[expected[q]] = np.float32(acc / np.float64(total[q]))
        for j in range(inferred.shape[0]):
            value[inferred[j]] = conf[j] * guess[j] + rest[j]
    for j in range(conflict.shape[0]):
        sim = table[conflict_own[j]] if leading else nan
        value[conflict[j]] = own_share * sim + text_share * table[conflict_leaf[j]]
    for j in range(unknown.shape[0]):
        value[unknown[j]] = nan


_INDUSTRY_LOOP = CompiledLoop(_industry_loop)


def industry_values(
    table: np.ndarray,
    leaf: np.ndarray,
    value: np.ndarray,
    leading: bool,
    rows: Any,
    own_share: float,
) -> np.ndarray:
    """``value`` = the industry family's values of every row for one park, in one compiled
    pass per step (``rows``: the per-index ``_Rows`` of ``matcher.features.industry``;
    ``own_share``: the declared code's share when the text contradicts it, the rest going to
    the text's code). Returns ``value``."""
    _INDUSTRY_LOOP(
        np.asarray(table),
        np.asarray(leaf),
        value,
        bool(leading),
        rows.inferred,
        rows.conf,
        rows.rest,
        rows.expected,
        rows.cand_leaf,
        rows.cand_share,
        rows.total,
        rows.conflict,
        rows.conflict_leaf,
        rows.conflict_own,
        rows.unknown,
        np.float32(own_share),
        np.float32(1 - own_share),
    )
    return value


def _capacity_loop(  # pragma: no cover - compiled by numba (covered by the tests' comparisons)
    space: Any, size: Any, available: Any, size_part: Any, value: Any
) -> None:
    """The capacity family's value of every row against ``available`` (finite, positive), the
    NumPy steps of ``CapacityFeature.compute_park`` row by row in float32: the space part
    1 - (share - 0.25) / 0.75 × 0.5 capped at 1, 0 past a share of 1, 0.5 without a need;
    times 0.6, plus the size part (``size_part[size + 1]`` for the size classes -1 … 3, already
    weighted); NaN when both the need and the size are unknown.

    Every step is a select, not a branch or a table lookup, so the loop vectorises: with the
    size part read from its table it took ten times as long (1.8 against 0.18 ms at 1M rows)."""
    one, nan, zero = np.float32(1.0), np.float32(np.nan), np.float32(0.0)
    quarter, span, half = np.float32(0.25), np.float32(0.75), np.float32(0.5)
    space_weight = np.float32(0.6)
    unknown_size, large, medium, small, micro = (
        size_part[0],
        size_part[1],
        size_part[2],
        size_part[3],
        size_part[4],
    )
    for i in range(space.shape[0]):
        need = space[i]
        share = need / available
        v = one - (share - quarter) / span * half
        v = one if v > one else v  # NaN stays NaN, as with ``clip``
        v = zero if share > one else v
        known = need == need
        v = v if known else half
        s = size[i]
        part = (
            unknown_size
            if s < 0
            else (large if s == 0 else (medium if s == 1 else (small if s == 2 else micro)))
        )
        v = v * space_weight + part
        value[i] = nan if (not known and s < 0) else v


_CAPACITY_LOOP = CompiledLoop(_capacity_loop)


def capacity_values(
    space: np.ndarray,
    size: np.ndarray,
    available: np.float32,
    size_part: np.ndarray,
    value: np.ndarray,
) -> np.ndarray:
    """``value`` = the capacity family's value of every row against one park's free space
    ``available`` (a finite, positive float32) in one compiled pass; ``size_part``: the size
    parts already weighted (float32), unknown size first. Returns ``value``."""
    _CAPACITY_LOOP(np.asarray(space), np.asarray(size), np.float32(available), size_part, value)
    return value


def _rows_dot(  # pragma: no cover - compiled by numba (covered by the tests' comparisons)
    indptr: Any, indices: Any, data: Any, rows: Any, x: Any, zero: Any, out: Any
) -> None:
    """``out[i]`` = row ``rows[i]`` of the CSR matrix ``(data, indices, indptr)`` times ``x``:
    its stored entries in order, each product added to a sum that starts from zero in the
    arrays' type (scipy's ``csr_matvec`` of the rows sliced out)."""
    for i in range(rows.shape[0]):
        r = rows[i]
        total = zero
        for k in range(indptr[r], indptr[r + 1]):
            total += data[k] * x[indices[k]]
        out[i] = total


_ROWS_DOT = CompiledLoop(_rows_dot)


def csr_rows_dot(matrix: Any, rows: np.ndarray, x: np.ndarray) -> np.ndarray | None:
    """``(matrix[rows] @ x)`` for a few rows of a CSR ``matrix``, bit for bit, without slicing
    them out (scipy's slicing of 20 rows of a million took about 0.3 ms); None when the data
    and ``x`` are not of one floating type (the caller then slices)."""
    data = np.asarray(matrix.data)
    if data.dtype != x.dtype or data.dtype not in (np.float32, np.float64):
        return None
    out = np.empty(len(rows), dtype=data.dtype)
    _ROWS_DOT(
        np.asarray(matrix.indptr),
        np.asarray(matrix.indices),
        data,
        np.asarray(rows, dtype=np.intp),
        x,
        data.dtype.type(0.0),
        out,
    )
    return out
