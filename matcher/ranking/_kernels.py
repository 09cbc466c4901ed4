"""Compiled loops of a cold ranking (numba): the weighted sum of :func:`score_park` in one pass.

NumPy sums the families with three passes over the rows per family (widen, multiply, add) and a
second pass over the rows with unknown values; at 100,000 rows that was about a third of a cold
page's CPU. Here each row is summed once, in registers, with the same float64 operations in the
same order, so the scores are the same bit for bit:

- each value is widened to float64 and multiplied by its family's weight; an unknown (NaN) value
  gives the family's filled product instead (``float64(neutral) × weight``, computed by the
  caller as the scorer computes it);
- the sum starts from the first product plus the baseline (which addition's commutativity makes
  the scorer's ``baseline + product``), and adds the other products in the families' order.

No operation is fused or reordered: numba compiles without ``fastmath``, so a multiply and an add
stay two roundings (``tests/test_fast_paths.py`` compares the bits with NumPy's). The loop
releases the interpreter lock, so the two halves of a large ranking run on two cores.

The loop is compiled at its first call (:class:`matcher.features.CompiledLoop`) and cached on
disk next to this module when it is writable (else in numba's per-user cache), so the compilation (a few seconds) is paid only the first time a machine runs a
given number of families; a later process loads it (about 0.4 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..features import CompiledLoop

__all__ = ["ARITY", "COLLECT_SHARE", "GROUP", "positions_at_or_above", "weighted_sum"]

#: Families the compiled loop takes at most (its arguments ``v0`` … ``v5``).
ARITY = 6

#: Families summed by one call of the compiled loop (at most :data:`ARITY`); more are added
#: group after group (the same additions in the same order).
GROUP = ARITY


def _sum_rows(  # pragma: no cover - compiled by numba (its coverage is the tests' comparisons)
    score: Any,
    weights: Any,
    filled: Any,
    baseline: float,
    start: bool,
    v0: Any,
    v1: Any = None,
    v2: Any = None,
    v3: Any = None,
    v4: Any = None,
    v5: Any = None,
) -> None:
    """``score`` = the sum of up to :data:`ARITY` families' products (``v0`` … in order, as
    long as ``score``; None: no more families), starting from ``baseline`` + the first product
    when ``start``, else from ``score[i]`` (a later group). ``weights`` and ``filled`` hold
    :data:`ARITY` entries (padded past the families given). numba prunes the branches of the
    families given as None when it compiles, and every weight is read once, before the loop.
    The rows run from 0 to the length: an index the compiler knows is not negative needs no
    wrap-around test, and the loop vectorises; from ``lo`` to ``hi`` it took three times as
    long."""
    w0, w1, w2, w3, w4, w5 = weights[0], weights[1], weights[2], weights[3], weights[4], weights[5]
    f0, f1, f2, f3, f4, f5 = filled[0], filled[1], filled[2], filled[3], filled[4], filled[5]
    for i in range(score.shape[0]):
        x = np.float64(v0[i])
        p = f0 if x != x else x * w0
        s = p + baseline if start else score[i] + p
        if v1 is not None:
            x = np.float64(v1[i])
            s += f1 if x != x else x * w1
        if v2 is not None:
            x = np.float64(v2[i])
            s += f2 if x != x else x * w2
        if v3 is not None:
            x = np.float64(v3[i])
            s += f3 if x != x else x * w3
        if v4 is not None:
            x = np.float64(v4[i])
            s += f4 if x != x else x * w4
        if v5 is not None:
            x = np.float64(v5[i])
            s += f5 if x != x else x * w5
        score[i] = s


_SUM_ROWS = CompiledLoop(_sum_rows)


def weighted_sum(
    score: np.ndarray,
    values: Sequence[np.ndarray],
    neutral: np.ndarray,
    weights: np.ndarray,
    baseline: float,
    lo: int,
    hi: int,
) -> None:
    """``score[lo:hi]`` = ``baseline`` + Σ weight × value (float64, families in order), each
    unknown (NaN) value taken as its family's neutral value: the weighted scorer's own
    operations (see the module docstring), one pass over the rows.

    ``values`` are the families' columns (any real dtype, as long as ``score``), ``neutral``
    their neutral values (float32: the value the scorer fills in), ``weights`` float64.
    """
    if hi <= lo:
        return
    if not len(values):
        score[lo:hi] = baseline
        return
    kernel = _SUM_ROWS
    k = len(values)
    # each group's weights and filled products, padded to the loop's ARITY entries
    weight = np.zeros(k + ARITY, dtype=np.float64)
    weight[:k] = weights
    filled = np.zeros(k + ARITY, dtype=np.float64)
    filled[:k] = [np.float64(neutral[j]) * weight[j] for j in range(k)]
    columns = [np.asarray(v)[lo:hi] for v in values]  # a memory map as a plain array
    for first in range(0, k, GROUP):
        kernel(
            score[lo:hi],
            weight[first : first + ARITY],
            filled[first : first + ARITY],
            float(baseline),
            first == 0,
            *columns[first : first + GROUP],
        )


def _collect_at_or_above(  # pragma: no cover - compiled by numba (covered by the tests)
    values: Any, floor: Any, out: Any
) -> int:
    """Write the positions of ``values`` at or above ``floor`` into ``out``, in order, and
    return how many there are, or -1 as soon as they outnumber ``len(out) - 1`` (NaN never
    qualifies: a comparison with NaN is false). Without a branch on the values: every
    position is written at the next free slot, which advances only for those that qualify."""
    count = 0
    room = out.shape[0] - 1
    for i in range(values.shape[0]):
        out[count] = i
        count += values[i] >= floor
        if count > room:
            return -1
    return count


_COLLECT = CompiledLoop(_collect_at_or_above)

#: Positions :func:`positions_at_or_above` makes room for, as a share of the values (a ranking's
#: sample bound lets about one row in 64 through); when more qualify, NumPy collects them.
COLLECT_SHARE = 1 / 16


def positions_at_or_above(values: np.ndarray, floor: Any) -> np.ndarray:
    """``np.flatnonzero(values >= floor)``: one compiled pass over ``values`` (the comparison
    in the types NumPy would compare them in) into room for :data:`COLLECT_SHARE` of them,
    with no mask of the rows' length; NumPy's two passes when more qualify."""
    values = np.asarray(values)
    out = np.empty(int(len(values) * COLLECT_SHARE) + 2, dtype=np.intp)
    count = _COLLECT(values, floor, out)
    if count < 0:
        return np.flatnonzero(values >= floor)
    return out[:count].copy()
