"""One fitted index as the service serves it: an immutable :class:`Snapshot` and its caches.

Reads use one snapshot throughout (a fitted :class:`matcher.Matcher` plus lookup arrays); the
:class:`~service.indexer.Indexer` swaps in the next one by a single assignment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher import Matcher

from . import store
from .rankers import RankingProcesses, filter_columns

__all__ = ["LRU", "FairSlots", "Snapshot"]


class LRU:
    """A small thread-safe LRU mapping."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._data.get(key)
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
                self._data.move_to_end(key)
            return value

    def peek(self, key: Hashable) -> Any:
        """The value of ``key`` (None when absent) without counting a hit or a miss or
        refreshing its place: for a look-ahead whose caller counts with :meth:`get` later."""
        return self._data.get(key)

    def __len__(self) -> int:
        return len(self._data)

    def miss(self) -> None:
        """Count a miss that a :meth:`peek` found earlier (its caller has now answered)."""
        with self._lock:
            self.misses += 1

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class FairSlots:
    """A fixed number of slots handed out in the order they were asked for (a context manager).

    ``threading.BoundedSemaphore`` lets a thread that arrives while a slot is being released
    take it ahead of threads already waiting, so under a steady queue some requests wait
    several turns (the tail of the latency); here a released slot goes to the thread that has
    waited longest.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._free = size
        self._waiting: deque[threading.Lock] = deque()
        self._lock = threading.Lock()

    def __enter__(self) -> FairSlots:
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return self
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the thread that hands this one its slot
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()  # the slot passes on, still taken
            else:
                self._free += 1

    @property
    def waiting(self) -> int:
        """Threads waiting for a slot now."""
        return len(self._waiting)


@dataclass
class Snapshot:
    """One fitted index: immutable once published; every read uses one snapshot throughout.

    ``version`` is the index version shared by every process of the service (the row in
    ``index_versions``); ``data_version`` the data it reflects. ``columns`` holds the validated
    enterprises' filter columns as arrays aligned with the matcher's rows (``county``, ``city``,
    ``srdi_level``, ``size_class``, ``industry_code``, ``high_tech``); ``positions`` maps an
    enterprise id to its row. The matcher is safe to use from many threads at once.
    """

    matcher: Matcher
    version: int
    fitted_at: datetime
    fit_seconds: float
    model: dict[str, str]
    n_parks: int
    n_enterprises: int
    n_tenants: int
    columns: dict[str, np.ndarray]
    positions: pd.Index
    components: list[dict[str, str]]
    #: Held while a page is ranked in the library, shared by the process's snapshots: one
    #: ranking at a time by default (``PARKMATCH_RANKING_THREADS``) serves pages with less CPU
    #: and a shorter tail than every request thread contending for the interpreter at once.
    ranking_slots: FairSlots
    data_version: int = 0
    #: The snapshot folder the index was saved to (None: held in this process's memory only).
    folder: Path | None = None
    #: The process's ranking worker processes (``PARKMATCH_RANKING_PROCESSES``; None: none),
    #: which rank cold leads pages from :attr:`folder`.
    rankers: RankingProcesses | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    masks: LRU = field(default_factory=lambda: LRU(64))
    responses: LRU = field(default_factory=lambda: LRU(0))
    #: Objects derived from this snapshot on demand (e.g. a two-sided matcher), built once.
    derived: dict[str, Any] = field(default_factory=dict)
    derived_lock: threading.Lock = field(default_factory=threading.Lock)
    _building: dict[str, threading.Lock] = field(default_factory=dict, repr=False)

    def derive(self, key: str, factory: Callable[[], Any]) -> Any:
        """``factory()`` computed once per snapshot and kept under ``key``.

        Callers of the same key wait for the one build; other keys are not held up by it (a
        slow build, such as a second fitted matcher, never blocks a cheap one).
        """
        with self.derived_lock:
            if key in self.derived:
                return self.derived[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self.derived_lock:
                if key in self.derived:
                    return self.derived[key]
            value = factory()
            with self.derived_lock:
                self.derived[key] = value
                self._building.pop(key, None)
            return value

    @classmethod
    def build(
        cls,
        matcher: Matcher,
        *,
        version: int,
        fit_seconds: float,
        model: dict[str, str],
        response_cache_size: int,
        ranking_slots: FairSlots,
        data_version: int = 0,
        fitted_at: datetime | None = None,
        skipped: dict[str, int] | None = None,
        folder: Path | None = None,
        rankers: RankingProcesses | None = None,
    ) -> Snapshot:
        """Wrap a fitted matcher with its lookup arrays (``ranking_slots``: the process's
        semaphore of rankings at once, shared by its snapshots; ``folder``: where it was saved;
        ``rankers``: the process's ranking workers, shared by its snapshots)."""
        ents = matcher.enterprises_
        columns = filter_columns(matcher)
        tenants = matcher.tenants_
        return cls(
            matcher=matcher,
            version=version,
            fitted_at=fitted_at or store.utcnow(),
            fit_seconds=fit_seconds,
            model=model,
            n_parks=len(matcher.parks_),
            n_enterprises=len(ents),
            n_tenants=0 if tenants is None else len(tenants),
            columns=columns,
            positions=pd.Index(ents["enterprise_id"].astype(str)),
            components=[{"name": f.name, "label": f.label} for f in matcher.families_],
            responses=LRU(response_cache_size),
            ranking_slots=ranking_slots,
            data_version=data_version,
            skipped=dict(skipped or {}),
            folder=folder,
            rankers=rankers,
        )
