"""The common interface of feature families.

A family turns pairs of (park row, enterprise row) of the fitted index into one float32 vector
in [0, 1], NaN where the component cannot be computed (unknown), and writes the reason for one
pair in Chinese. ``parks`` and ``ents`` are integer row arrays that broadcast against each other:
one park against many enterprises, one enterprise against many parks, or aligned pairs.
"""

from __future__ import annotations

import datetime as dt
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from ..index import MatchIndex

__all__ = [
    "PRECOMPUTE_PAIRS",
    "FeatureFamily",
    "FitContext",
    "broadcast_pairs",
    "clear_scratch",
    "gather",
    "keep_scratch",
    "per_index",
    "per_park_table",
    "replace_where",
    "scratch",
    "scratch_nbytes",
    "scratch_session",
    "take",
]

T = TypeVar("T")

#: Pairs (parks × enterprises) up to which a family's values of every park are computed once
#: per index and kept (4 bytes a pair: 64 MB a family at this bound), so that a cold ranking
#: reads its park's row instead of computing it (:meth:`FeatureFamily.park_values`,
#: :func:`per_park_table`). A county's index (a few dozen parks, a few hundred thousand
#: enterprises) is under it; 1,000 parks × 1,000,000 enterprises is not.
PRECOMPUTE_PAIRS = 16_000_000


@dataclass
class FitContext:
    """The validated frames a ``Matcher`` was fitted on, handed to :meth:`FeatureFamily.prepare`.

    ``tenants`` holds ``park_id, enterprise_id`` pairs (None when not given). ``fitted_on`` is
    the day of the fit (None: today): a family whose results depend on the date (the event
    signal's ages) takes it as "today", so a matcher loaded later ranks as it did when fitted.
    """

    parks: pd.DataFrame
    enterprises: pd.DataFrame
    tenants: pd.DataFrame | None = None
    fitted_on: dt.date | None = None


def broadcast_pairs(parks: np.ndarray, ents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast two row arrays to the same length (1 against n, or n against n)."""
    parks = np.atleast_1d(np.asarray(parks, dtype=np.intp))
    ents = np.atleast_1d(np.asarray(ents, dtype=np.intp))
    p, e = np.broadcast_arrays(parks, ents)
    return p, e


def per_index(store: dict[str, Any], key: str, build: Callable[[], T]) -> T:
    """``store[key]``, built once by ``build()`` (per-index state of a family's fast path).

    Building twice from two threads is harmless: both build the same arrays from the same index.
    """
    value = store.get(key)
    if value is None:
        value = store[key] = build()
    return value


def replace_where(
    values: np.ndarray, mask: np.ndarray, fill: float, out: np.ndarray | None = None
) -> np.ndarray:
    """``values`` with ``fill`` where ``mask``, bit for bit as ``np.where`` gives: a new array,
    or written into ``out`` (which may be ``values`` itself) and returned.

    Written without branches, on the values' bits: a masked copy takes a branch per element,
    which costs tens of times more than arithmetic when the mask is irregular. The mask's bits
    go through a :func:`scratch` array (with ``out`` inside a session, nothing of the rows'
    length is allocated).

    >>> replace_where(np.array([1.0, np.nan], dtype=np.float32), np.array([False, True]), 0.5)
    array([1. , 0.5], dtype=float32)
    """
    bits = np.dtype(np.uint32 if values.dtype.itemsize == 4 else np.uint64)
    flags = np.ascontiguousarray(mask, dtype=bool).view(np.uint8)
    if out is None:
        out = np.empty(values.shape, dtype=values.dtype)
    # (values & ~ones) | (fill & ones), ``ones`` all ones where masked
    ones = scratch("replace_where", len(flags), bits)
    np.copyto(ones, flags)
    np.negative(ones, out=ones)
    result = out.view(bits)
    np.invert(ones, out=ones)
    np.bitwise_and(np.ascontiguousarray(values).view(bits), ones, out=result)
    np.invert(ones, out=ones)
    np.bitwise_and(ones, np.asarray(fill, dtype=values.dtype).view(bits), out=ones)
    np.bitwise_or(result, ones, out=result)
    return out


_SCRATCH = threading.local()  # .arrays: the work arrays in use on this thread (None: none)
_SPARE: list[dict[str, np.ndarray]] = []
_SPARE_LOCK = threading.Lock()

#: How many sets of work arrays are kept between :func:`scratch_session` s for the next one
#: (the sets of more sessions at once are freed when they end). Two: the service ranks one park
#: at a time by default and two when ``PARKMATCH_RANKING_THREADS=2``.
SPARE_SETS = 2


@contextmanager
def scratch_session() -> Iterator[None]:
    """Lend the calling thread a set of work arrays for :func:`scratch` until the block ends.

    The set comes from at most :data:`SPARE_SETS` kept between sessions (or is new) and goes
    back when the block ends, so what is kept depends on how many rankings run at once, not on
    how many threads ever ranked (a web server's pool has dozens). Inside a session, or on a
    thread that keeps its own arrays (:func:`keep_scratch`), a nested session changes nothing.
    """
    local = _SCRATCH
    if getattr(local, "arrays", None) is not None:
        yield
        return
    with _SPARE_LOCK:
        arrays = _SPARE.pop() if _SPARE else {}
    local.arrays = arrays
    try:
        yield
    except BaseException:
        local.arrays = None  # a pool thread may still write into the set: not lent again
        raise
    local.arrays = None
    with _SPARE_LOCK:
        if len(_SPARE) < SPARE_SETS:
            _SPARE.append(arrays)


def keep_scratch() -> None:
    """Give the calling thread work arrays of its own for the rest of its life: for a pool's
    worker threads (the library's scoring pool calls it as its initializer), which are few and
    run one-park work all the time."""
    if getattr(_SCRATCH, "arrays", None) is None:
        _SCRATCH.arrays = {}


def scratch(name: str, n: int, dtype: Any) -> np.ndarray:
    """A work array of ``n`` entries of ``dtype`` for the calling thread.

    The one-park paths write their large temporaries here instead of allocating them anew on
    every call: a fresh process that memory-maps its index has a small heap, and the C library
    hands each million-row temporary back to the system when it is freed, so its pages were
    faulted in (and zeroed) again on every ranking.

    Inside a :func:`scratch_session` (or on a thread that called :func:`keep_scratch`) the same
    ``name`` gives the same memory, whatever its last user left in it: write before reading. A
    function takes names of its own (or names shared only with functions it never runs inside
    of), and never returns the array or keeps it past its call; a set of arrays is in one
    thread's hands at a time, so concurrent rankings never share a buffer. Each set keeps one
    buffer a name, as large as the largest request so far (see :data:`SCRATCH_NAMES`).
    Elsewhere it is a new array, kept by nobody.
    """
    store: dict[str, np.ndarray] | None = getattr(_SCRATCH, "arrays", None)
    dtype = np.dtype(dtype)
    if store is None:
        return np.empty(n, dtype=dtype)
    size = n * dtype.itemsize
    buffer = store.get(name)
    if buffer is None or len(buffer) < size:
        buffer = store[name] = np.empty(size, dtype=np.uint8)
    return buffer[:size].view(dtype)


#: Every name given to :func:`scratch` and its largest use, in bytes per row of the index (the
#: bound of what a set of work arrays holds: 24 bytes a row, plus 4 a family in a session of
#: :func:`matcher.ranking.score_park`, i.e. 44 MB at 1,000,000 rows with the five default
#: families): the families' one-park paths share ``family.*`` (none runs inside another);
#: ``score_park`` keeps one column per family in the set of the thread that calls it.
SCRATCH_NAMES = {
    "replace_where": 4,
    "gather": 0,  # GATHER_BLOCK positions, not rows
    "family.f32.0": 4,
    "family.f32.1": 4,
    "family.mask.0": 1,
    "family.mask.1": 1,
    "family.u8.0": 1,
    "distance_value": 4,
    "location.points.*": 4,  # two, of at most POINTS_SHARE (half) of the rows
    "park_eligibility": 1,
    "score_park.column.*": 4,  # one a family
}


def scratch_nbytes(spare: bool = False) -> int:
    """Bytes of the work arrays the calling thread holds (its session's or its own; 0 when
    none), or with ``spare`` those of the sets kept between sessions."""
    if spare:
        with _SPARE_LOCK:
            sets = list(_SPARE)
    else:
        sets = [getattr(_SCRATCH, "arrays", None) or {}]
    return sum(buffer.nbytes for arrays in sets for buffer in arrays.values())


def clear_scratch() -> None:
    """Free the calling thread's work arrays and the sets kept between sessions (they are made
    again when needed)."""
    if getattr(_SCRATCH, "arrays", None) is not None:
        _SCRATCH.arrays.clear()
    with _SPARE_LOCK:
        _SPARE.clear()


def _own(buffer: np.ndarray | None, n: int) -> np.ndarray:
    """``buffer`` when it is a writable contiguous float32 array of ``n`` rows (a one-park
    path's ``buffer``), else a new one."""
    if (
        buffer is not None
        and buffer.dtype == np.float32
        and buffer.shape == (n,)
        and buffer.flags.writeable
        and buffer.flags.c_contiguous
    ):
        return buffer
    return np.empty(n, dtype=np.float32)


#: Positions per block of :func:`gather` (intp: 512 kB).
GATHER_BLOCK = 1 << 16


def gather(table: np.ndarray, positions: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out[:] = table[positions]`` (positions in ``[-len(table), len(table))``), returned.

    ``table[positions]`` would allocate the result, and ``np.take`` a converted copy of
    ``positions`` when they are not ``intp``: here positions of a smaller type are converted a
    block at a time into the calling thread's :func:`scratch`. The same values, bit for bit.
    """
    if positions.dtype == np.intp:
        return np.take(table, positions, out=out, mode="wrap")
    block = scratch("gather", min(len(positions), GATHER_BLOCK), np.intp)
    for start in range(0, len(positions), GATHER_BLOCK):
        stop = min(start + GATHER_BLOCK, len(positions))
        where = block[: stop - start]
        np.copyto(where, positions[start:stop])
        np.take(table, where, out=out[start:stop], mode="wrap")
    return out


def per_park_table(
    index: MatchIndex, key: str, build: Callable[[range], np.ndarray]
) -> np.ndarray | None:
    """Every park's values of every enterprise row, ``build(range(parks))`` (a park per row),
    kept per index under ``key`` (built at the first call, read-only) when parks × enterprises
    ≤ :data:`PRECOMPUTE_PAIRS`; None past that bound (or for an empty index): the caller then
    computes its park."""
    E, P = index.enterprises, index.parks
    if not 0 < len(P) * len(E) <= PRECOMPUTE_PAIRS:
        return None

    def made() -> np.ndarray:
        with scratch_session():
            table = np.ascontiguousarray(build(range(len(P))))
        table.setflags(write=False)
        return table

    return per_index(E.extras, key, made)


def take(values: np.ndarray, ents: np.ndarray | None) -> np.ndarray:
    """``values`` of the rows ``ents`` (all rows, not copied, when None)."""
    return values if ents is None else values[ents]


class FeatureFamily(ABC):
    """One feature family: a component of the score with its own reasons.

    Attributes
    ----------
    name : str
        Identifier used for weights and output columns (``industry``, ``text``, …).
    label : str
        Chinese label shown to users.
    neutral : float
        The value used in the score when the component is unknown: never a perfect score.
    default_weight : float
        The family's weight when no weights are given (weights are normalised to sum to 1).
    """

    name: ClassVar[str]
    label: ClassVar[str]
    neutral: ClassVar[float]
    default_weight: ClassVar[float]
    #: Whether :meth:`compute_parks` is faster than one park at a time (batch jobs then compute
    #: the family for a block of parks at once).
    blockwise: ClassVar[bool] = False
    #: Whether :meth:`park_values` keeps every park's values per index when the index is small
    #: (:data:`PRECOMPUTE_PAIRS`), built with :meth:`compute_parks`: set by the families whose
    #: one-park path makes passes over every row at each ranking (industry, text, capacity,
    #: location).
    stores_park_values: ClassVar[bool] = False

    def prepare(self, index: MatchIndex, context: FitContext) -> None:  # noqa: B027
        """Build whatever the family needs beyond the index, once per ``Matcher.fit``.

        Families that keep per-row state store it in ``index.enterprises.extras`` /
        ``index.parks.extras`` under their own keys. The default does nothing.
        """

    def prepare_enterprises(self, index: MatchIndex, enterprises: pd.DataFrame) -> None:  # noqa: B027
        """Fill per-enterprise state for enterprises not seen at fit (``index`` is a view
        holding only them). The default does nothing."""

    @abstractmethod
    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Component values (float32 in [0, 1], NaN where unknown) for broadcast pairs."""

    def compute_park(
        self,
        index: MatchIndex,
        park: int,
        ents: np.ndarray | None = None,
        *,
        buffer: np.ndarray | None = None,
    ) -> np.ndarray:
        """Component values of one park against the enterprise rows ``ents`` (every row when
        None): the same values as :meth:`compute` gives for these pairs, bit for bit.

        The default calls :meth:`compute`; the dense families override it with a one-park path
        (the park's values as scalars, only the branch the park needs, per-index state computed
        once). The result may be read-only state of the index: copy it before changing it.

        ``buffer`` (float32, one entry per row) is an array the caller does not need: a family
        may write its values there and return it instead of a new array (the dense families do;
        :func:`matcher.ranking.score_park` passes reused columns). Use the result, not
        ``buffer``: a family may return a new array or its own state instead.
        """
        rows = np.arange(len(index.enterprises)) if ents is None else ents
        return self.compute(index, np.array([park]), rows)

    def park_values(
        self,
        index: MatchIndex,
        park: int,
        ents: np.ndarray | None = None,
        *,
        buffer: np.ndarray | None = None,
    ) -> np.ndarray:
        """:meth:`compute_park`, read from every park's values computed once per index when
        :attr:`stores_park_values` is set and parks × enterprises ≤ :data:`PRECOMPUTE_PAIRS`.

        The same values bit for bit: a one-park path computes each row's value from that row
        and the park alone, so the park's values of every row, taken at ``ents``, are its
        values of ``ents``. A stored row is read-only (and ``buffer`` is then not used).
        """
        if self.stores_park_values:
            # the family's parameters in the key: families configured apart never share a table
            key = f"park_values:{self.name}:{sorted(vars(self).items())!r}"
            table = per_park_table(index, key, lambda parks: self.compute_parks(index, parks).T)
            if table is not None:
                return take(table[park], ents)
        return self.compute_park(index, park, ents, buffer=buffer)

    def compute_parks(
        self, index: MatchIndex, parks: Sequence[int], ents: np.ndarray | None = None
    ) -> np.ndarray:
        """:meth:`compute_park` of several parks at once, one column per park (n, len(parks)).

        Families with :attr:`blockwise` set compute a block of parks faster than one park at a
        time (the text family: one sparse product for the block); the default stacks
        :meth:`compute_park`.
        """
        return np.column_stack([self.compute_park(index, int(p), ents) for p in parks])

    @abstractmethod
    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        """A sentence an officer can read aloud about one pair (``value`` may be NaN)."""

    def reasons(
        self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray, values: np.ndarray
    ) -> list[str]:
        """:meth:`reason` of each pair of broadcast rows ``parks`` and ``ents`` with its value,
        in order (a ranking page's rows in one call).

        The default calls :meth:`reason` pair by pair; families whose reasons cost per row
        (the text and location families) override it to compute what the pairs share once and
        to do the arithmetic over every pair at once, with the same strings.
        """
        p, e = broadcast_pairs(parks, ents)
        v = np.broadcast_to(np.asarray(values, dtype=np.float64), p.shape).tolist()
        return [
            self.reason(index, park, ent, v[r])
            for r, (park, ent) in enumerate(zip(p.tolist(), e.tolist(), strict=True))
        ]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
