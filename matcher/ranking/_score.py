"""Scoring pairs: every family's component values, the hard constraints, and the score.

Plain functions over a fitted :class:`~matcher.index.MatchIndex`, its feature families and a
scorer; ``parks`` and ``ents`` are row arrays that broadcast against each other (one park
against many enterprises, one enterprise against many parks, or aligned pairs).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..features import (
    FeatureFamily,
    broadcast_pairs,
    gather,
    help_open_blocks,
    keep_scratch,
    per_index,
    per_park_table,
    replace_where,
    scratch,
    scratch_session,
)
from ..index import CONFIDENT, MatchIndex
from ..scoring import WeightedScorer
from ..text import ACTIVITIES
from ._kernels import weighted_sum

__all__ = [
    "PARALLEL_MIN_ROWS",
    "TRADER_MAKE_SHARE",
    "component_values",
    "eligibility",
    "park_eligibility",
    "score_pairs",
    "score_park",
    "traders",
]

#: Main-activity code of trading firms, and the share of making evidence under which a trading
#: firm is a pure trader (for parks that refuse them).
TRADE = ACTIVITIES.index("trade")
TRADER_MAKE_SHARE = 0.25

#: Inputs at least this long are scored on a thread pool (one thread a core, at most 4).
PARALLEL_MIN_ROWS = 200_000
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def pool_threads() -> int:
    """Threads of the shared scoring pool: one a core, at most 4."""
    return min(4, os.cpu_count() or 1)


def _pool() -> ThreadPoolExecutor | None:
    """The shared scoring pool (None on a single core)."""
    global _POOL
    workers = pool_threads()
    if workers < 2:
        return None
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix="parkmatch", initializer=keep_scratch
            )
        return _POOL


def component_values(
    index: MatchIndex, families: Sequence[FeatureFamily], parks: Any, ents: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Raw component values (n, F) with NaN for unknown, and the neutral-filled values.

    On large inputs the families are computed on a small thread pool (numpy and the sparse
    mat-vec release the GIL); every value is the same as computed one family at a time.
    """
    p, e = broadcast_pairs(parks, ents)
    neutral = np.array([f.neutral for f in families], dtype=np.float32)
    pool = _pool() if len(p) >= PARALLEL_MIN_ROWS else None
    if pool is not None:
        futures = [pool.submit(f.compute, index, p, e) for f in families]
        columns = (future.result() for future in futures)
    else:
        columns = (f.compute(index, p, e) for f in families)
    # column-major: each family's values are contiguous, for the column-wise scorer
    raw = np.empty((len(p), len(families)), dtype=np.float32, order="F")
    filled = np.empty_like(raw, order="F")
    for j, values in enumerate(columns):
        raw[:, j] = values
        filled[:, j] = values
        np.copyto(filled[:, j], neutral[j], where=np.isnan(values))
    return raw, filled


def park_component_values(
    index: MatchIndex, families: Sequence[FeatureFamily], park: int, ents: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`component_values` of one park against the rows ``ents`` (a page's rows), through
    each family's :meth:`~matcher.features.FeatureFamily.park_values` (bit-identical, without
    broadcasting the park)."""
    neutral = np.array([f.neutral for f in families], dtype=np.float32)
    raw = np.empty((len(ents), len(families)), dtype=np.float32, order="F")
    for j, family in enumerate(families):
        raw[:, j] = family.park_values(index, park, ents)
    filled = raw.copy(order="F")
    for j in range(len(families)):
        np.copyto(filled[:, j], neutral[j], where=np.isnan(raw[:, j]))
    return raw, filled


def traders(index: MatchIndex, ents: np.ndarray) -> np.ndarray:
    """Firms that only trade: main activity trade and little evidence of making."""
    E = index.enterprises
    return (E.activity[ents] == TRADE) & (E.make_share[ents] < TRADER_MAKE_SHARE)


def eligibility(index: MatchIndex, parks: Any, ents: Any) -> np.ndarray:
    """Hard constraints: an excluded or refused industry (declared, or read from the scope
    with confidence), a pure trading firm where the park refuses them, or a space need over
    the free space."""
    p, e = broadcast_pairs(parks, ents)
    E, P = index.enterprises, index.parks
    ok = ~(E.space[e] > P.available[p])  # NaN compares False: unknown never excludes
    confident = E.inferred_conf[e] >= CONFIDENT
    one = len(p) and np.all(p == p[0])
    for table in (P.excl_hit, P.refused_hit):
        if one:
            declared, inferred = (
                table[p[0]][E.declared_leaf[e]],
                table[p[0]][E.inferred_leaf[e]],
            )
        else:
            declared, inferred = table[p, E.declared_leaf[e]], table[p, E.inferred_leaf[e]]
        ok &= ~declared & ~(inferred & confident)
    ok &= ~(P.refuse_trade[p] & traders(index, e))
    return ok


def score_pairs(
    index: MatchIndex,
    families: Sequence[FeatureFamily],
    scorer: Any,
    parks: Any,
    ents: Any,
    coef: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores (float64) and eligibility of broadcast pairs, with the scorer's coefficients
    ``coef`` (one row, or one row per pair; None for the scorer's own)."""
    p, e = np.atleast_1d(parks), np.atleast_1d(ents)
    pool = _pool() if len(e) >= PARALLEL_MIN_ROWS else None
    eligible_future = pool.submit(eligibility, index, p, e) if pool else None
    _, filled = component_values(index, families, p, e)
    score = np.asarray(scorer.decision_function(filled, coef), dtype=np.float64)
    if eligible_future is not None:
        return score, eligible_future.result()
    return score, eligibility(index, p, e)


def park_eligibility(index: MatchIndex, park: int, ents: np.ndarray | None = None) -> np.ndarray:
    """:func:`eligibility` of one park against the rows ``ents`` (every row when None), with the
    park's values as scalars and its excluded and refused codes in one table (bit-identical;
    a new array).

    With few parks (parks × enterprises ≤ :data:`~matcher.features.PRECOMPUTE_PAIRS`) every
    park's verdicts are decided once per index (a byte a pair) and a call copies its park's.
    Else the codes a row can be refused for (declared, read with confidence, pure trader) are
    grouped once per index into their distinct combinations, so a park decides each
    combination once and every row takes its verdict in one gather."""
    table = per_park_table(
        index,
        "park_eligibility",
        lambda parks: np.stack([_park_eligibility(index, p, None) for p in parks]),
    )
    if table is not None:
        return table[park].copy() if ents is None else table[park][ents]
    return _park_eligibility(index, park, ents)


def _park_eligibility(index: MatchIndex, park: int, ents: np.ndarray | None) -> np.ndarray:
    """:func:`park_eligibility` decided for the call (see there)."""
    E, P = index.enterprises, index.parks
    banned = P.excl_hit[park] | P.refused_hit[park]
    refuse_trade = bool(P.refuse_trade[park])
    space = E.space if ents is None else E.space[ents]
    bad = space > P.available[park]  # NaN compares False: unknown never excludes
    if banned.any() or refuse_trade:
        codes = per_index(E.extras, "refusal_codes", lambda: _refusal_codes(index, len(banned)))
        verdict = np.zeros(len(codes.pure), dtype=bool)
        if banned.any():
            # a code read with confidence counts as the firm's code (a weaker reading never
            # bans): the others point past the table, at an entry that never bans
            verdict |= banned[codes.declared]
            verdict |= np.append(banned, False)[codes.sure]
        if refuse_trade:
            verdict |= codes.pure
        if ents is None:
            # the rows of the banned combinations, found through the rows sorted by their
            # combination when they are few (cheaper than a gather over every row)
            chosen = np.flatnonzero(verdict)
            first = codes.starts[chosen]
            lengths = codes.starts[chosen + 1] - first
            ends = np.cumsum(lengths)
            if (int(ends[-1]) if len(ends) else 0) <= len(bad) * BANNED_RUNS_SHARE:
                positions = np.repeat(first - (ends - lengths), lengths)
                positions += np.arange(len(positions))
                bad[codes.by_combination[positions]] = True
                return np.logical_not(bad, out=bad)
        inverse = codes.inverse if ents is None else codes.inverse[ents]
        with scratch_session():
            bad |= gather(verdict, inverse, scratch("park_eligibility", len(inverse), bool))
    return np.logical_not(bad, out=bad)


#: :func:`park_eligibility` over every row finds the rows a park bans through the rows sorted by
#: their combination of codes when they are at most this share of the rows, else it gathers
#: every row's verdict.
BANNED_RUNS_SHARE = 0.125


@dataclass(frozen=True)
class _RefusalCodes:
    """The distinct (declared code, code read with confidence, pure trader) of the rows, each
    row's position among them (``inverse``), and the rows sorted by it (``by_combination``:
    those of combination ``c`` at ``starts[c]:starts[c + 1]``)."""

    declared: np.ndarray
    sure: np.ndarray
    pure: np.ndarray
    inverse: np.ndarray
    by_combination: np.ndarray
    starts: np.ndarray


def _refusal_codes(index: MatchIndex, n_codes: int) -> _RefusalCodes:
    """:class:`_RefusalCodes` of every row (``n_codes``: the length of a park's code table; a
    missing declared code, -1, takes its last entry as indexing it did)."""
    E = index.enterprises
    declared = E.declared_leaf.astype(np.int64) % n_codes
    sure = np.where(
        E.inferred_conf >= CONFIDENT, E.inferred_leaf.astype(np.int64) % n_codes, n_codes
    )
    pure = traders(index, np.arange(len(E))).astype(np.int64)
    key = (declared * (n_codes + 1) + sure) * 2 + pure
    distinct, inverse = np.unique(key, return_inverse=True)
    small = np.uint16 if len(distinct) <= np.iinfo(np.uint16).max else np.int32
    rows = np.int32 if len(inverse) < 2**31 else np.intp
    inverse = inverse.ravel().astype(small)
    counts = np.bincount(inverse, minlength=len(distinct))
    return _RefusalCodes(
        declared=distinct // 2 // (n_codes + 1),
        sure=distinct // 2 % (n_codes + 1),
        pure=(distinct % 2).astype(bool),
        inverse=inverse,
        # a stable sort of 16-bit codes is a radix sort
        by_combination=np.argsort(inverse, kind="stable").astype(rows),
        starts=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
    )


def _halves(n: int) -> list[tuple[int, int]]:
    """Two spans of rows ``[lo, hi)`` covering ``range(n)``, split in the middle."""
    return [(0, n // 2), (n // 2, n)]


def score_park(
    index: MatchIndex,
    families: Sequence[FeatureFamily],
    scorer: Any,
    park: int,
    ents: np.ndarray | None = None,
    coef: np.ndarray | None = None,
    columns: Mapping[str, np.ndarray] | None = None,
    threads: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`score_pairs` of one park against the rows ``ents`` (every row when None).

    ``columns`` holds values of some families already computed for this park (by family name,
    e.g. from :meth:`FeatureFamily.compute_parks` over a block of parks). ``threads=False``
    keeps the work on the calling thread (for callers that score several parks at once).

    Each family's values of the park (:meth:`FeatureFamily.park_values`: its row of the values
    kept per index when parks are few, else the one-park path, writing into one column a family
    of the work arrays lent to the call (:func:`~matcher.features.scratch_session`), reused by a
    later call: only the scores and eligibility returned are new arrays) and
    :func:`park_eligibility`; with the weighted scorer, the neutral fill and the weighted sum are
    fused (the same float64 operations in the same order as its ``decision_function``), else the
    component matrix goes to the scorer. On the pool, a thread done with its families takes
    blocks of rows of a longer one still running (the text family's columns, through
    :func:`matcher.features.run_blocks`). The same scores and eligibility as
    :func:`score_pairs`, bit for bit.
    """
    with scratch_session():  # the calling thread's work arrays, lent for the call
        n = len(index.enterprises) if ents is None else len(ents)
        pool = _pool() if threads and n >= PARALLEL_MIN_ROWS else None
        eligible_future = pool.submit(park_eligibility, index, park, ents) if pool else None
        given = columns or {}
        todo = [f for f in families if f.name not in given]
        # the calling thread's columns (a pool thread writes into them while this one waits)
        buffers = {
            f.name: scratch(f"score_park.column.{j}", n, np.float32)
            for j, f in enumerate(families)
            if f.name not in given
        }
        if pool is not None:
            futures = {
                f.name: pool.submit(f.park_values, index, park, ents, buffer=buffers[f.name])
                for f in todo
            }
            # a thread done with its families takes blocks of a longer one (the text columns)
            for _ in range(pool_threads() - 1):
                pool.submit(help_open_blocks)
            values_of = (
                given[f.name] if f.name in given else futures[f.name].result() for f in families
            )
        else:
            values_of = (
                given[f.name]
                if f.name in given
                else f.park_values(index, park, ents, buffer=buffers[f.name])
                for f in families
            )
        neutral = np.array([f.neutral for f in families], dtype=np.float32)
        weighted = type(scorer).decision_function is WeightedScorer.decision_function
        weights = (
            np.asarray(scorer.coef_ if coef is None else coef, dtype=np.float64)
            if weighted
            else None
        )
        if weights is not None and weights.ndim == 1:
            # every family first, then the sum in one compiled pass (two halves on the pool)
            arrays = list(values_of)  # weighted_sum takes memory maps as plain arrays
            score = np.empty(n, dtype=np.float64)
            args = (score, arrays, neutral, weights, float(scorer.baseline))
            if pool is not None:
                halves = [pool.submit(weighted_sum, *args, lo, hi) for lo, hi in _halves(n)]
                for half in halves:
                    half.result()
            else:
                weighted_sum(*args, 0, n)
        elif weights is not None:
            score = np.full(n, float(scorer.baseline), dtype=np.float64)
            for j, values in enumerate(values_of):
                unknown = np.isnan(values)
                if unknown.any():  # else the fill would copy every value unchanged
                    values = replace_where(values, unknown, neutral[j])
                part = values.astype(np.float64)
                part *= weights[:, j]
                score += part
        else:
            filled = np.empty((n, len(families)), dtype=np.float32, order="F")
            for j, values in enumerate(values_of):
                filled[:, j] = values
                np.copyto(filled[:, j], neutral[j], where=np.isnan(values))
            score = np.asarray(scorer.decision_function(filled, coef), dtype=np.float64)
        if eligible_future is not None:
            return score, eligible_future.result()
        return score, park_eligibility(index, park, ents)
