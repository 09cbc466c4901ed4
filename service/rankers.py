"""Cold leads pages ranked in separate processes (``PARKMATCH_RANKING_PROCESSES``).

The service process is bound by one interpreter lock: ranking a cold page in the library is
about half of its CPU per request, and HTTP, SQL and JSON the rest. :class:`RankingProcesses`
keeps a few worker processes (started with ``spawn``: the service has threads and database
connections, which a plain fork would copy) that load the served index's snapshot folder
themselves (:meth:`matcher.Matcher.load` maps its arrays, so the pages are shared through the
page cache) and rank pages there, each returning the page's rows ready for JSON
(:func:`page_rows`) with each row's encoded JSON (:func:`service.leadjson.row_part`). The
request process keeps only HTTP, the SQL read, the exposure record and joining bytes.

A request names the snapshot folder and its version; a worker loads and keeps the matchers of
the two newest versions it was asked for, so that it always ranks with exactly the version of
the request's snapshot. The candidate mask goes as packed bits or row indices, whichever is
smaller. Whatever goes wrong — no worker ready yet (they start in the background at the first
cold page), a worker that died (it is replaced in the background, logged once), an error in the
worker — returns None, and the caller ranks the page in its own process, as with
``PARKMATCH_RANKING_PROCESSES=0``: the response is the same either way
(``tests/service/test_ranking_processes.py`` compares the bytes).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher import Matcher
from matcher.ranking import RankedPage

__all__ = [
    "FILTER_COLUMNS",
    "Page",
    "RankingProcesses",
    "filter_columns",
    "pack_mask",
    "page_rows",
    "split_reasons",
    "unpack_mask",
    "warm_up",
]

log = logging.getLogger("parkmatch.service")

#: The enterprise columns the leads filters read (and the page shows some of).
FILTER_COLUMNS = ("county", "city", "srdi_level", "size_class", "industry_code", "high_tech")
_SHOWN = ("county", "industry_code", "size_class", "srdi_level")
#: Versions a worker keeps loaded (the serving one and the one before, for requests still on it).
_KEEP_VERSIONS = 2

#: A page as a worker returns it: rows, the total that qualify, each row's JSON (None: not yet).
Page = tuple[list[dict[str, Any]], int, list[bytes] | None]


def filter_columns(matcher: Matcher) -> dict[str, np.ndarray]:
    """The fitted enterprises' :data:`FILTER_COLUMNS` as object arrays (None where missing),
    aligned with the matcher's rows."""
    ents = matcher.enterprises_
    return {
        c: ents[c].astype(object).where(ents[c].notna(), None).to_numpy(dtype=object)
        for c in FILTER_COLUMNS
    }


def split_reasons(text: Any) -> list[str]:
    """Reasons joined with ``；`` (as a ranking table holds them) → the list, blanks dropped."""
    return [r for r in str(text or "").split("；") if r]


def page_rows(
    ranked: RankedPage, columns: Mapping[str, np.ndarray], position: Callable[[str], Any]
) -> list[dict[str, Any]]:
    """The library's page as JSON-ready lead rows (without their lead status): ``position``
    gives an enterprise id's row in ``columns`` (e.g. ``pd.Index.get_loc``)."""
    ids = ranked.ids.tolist()
    # one hash look-up per row: get_indexer on a page's ids costs 20–30 times as much
    positions = [position(e) for e in ids]
    names = list(ranked.families)
    attributes = [columns[c][positions].tolist() for c in _SHOWN]
    return [
        {
            "rank": rank,
            "enterprise_id": eid,
            "name": name,
            "score": score,
            "eligible": eligible,
            "contributions": dict(zip(names, values, strict=True)),
            "reasons": split_reasons("；".join(reasons)),
            **dict(zip(_SHOWN, values_shown, strict=True)),
        }
        for rank, eid, name, score, eligible, reasons, values, *values_shown in zip(
            ranked.rank.tolist(),
            ids,
            ranked.names.tolist(),
            ranked.score.tolist(),
            ranked.eligible.tolist(),
            ranked.reasons,
            ranked.contributions.tolist(),
            *attributes,
            strict=True,
        )
    ]


def warm_up(matcher: Matcher) -> None:
    """Rank, explain and encode a one-row page of the first park once, right after ``matcher``
    was loaded from a folder.

    The reference tables behind the reasons (the lexicon of product terms, the industry
    taxonomy) and the JSON encoders load at their first use in a process, 1–2 s, which would
    otherwise fall on the first request after a restart, or on a ranking worker's first page.
    Errors are left to that first request (logged here at debug level only).
    """
    from .leadjson import row_parts

    if matcher.parks_.empty or matcher.enterprises_.empty:
        return
    try:
        ranked = matcher.enterprise_page(str(matcher.parks_["park_id"].iloc[0]), k=1)
        ids = pd.Index(ranked.ids.astype(str))
        columns = {c: np.full(len(ids), None, dtype=object) for c in _SHOWN}
        row_parts(page_rows(ranked, columns, ids.get_loc))
    except Exception as exc:
        log.debug("预热排名失败（首个请求会再遇到）：%s", exc)


def pack_mask(mask: np.ndarray | None) -> tuple[str, int, bytes] | None:
    """A candidate mask as cheaply as it pickles: row indices when few rows are in it (int32,
    under one row in 32), else packed bits."""
    if mask is None:
        return None
    n = len(mask)
    picked = np.flatnonzero(mask)
    if 4 * len(picked) < (n + 7) // 8:
        return ("rows", n, picked.astype(np.int32).tobytes())
    return ("bits", n, np.packbits(mask).tobytes())


def unpack_mask(packed: tuple[str, int, bytes] | None) -> np.ndarray | None:
    """The mask :func:`pack_mask` packed."""
    if packed is None:
        return None
    kind, n, data = packed
    if kind == "rows":
        mask = np.zeros(n, dtype=bool)
        mask[np.frombuffer(data, dtype=np.int32)] = True
        return mask
    return np.unpackbits(np.frombuffer(data, dtype=np.uint8), count=n).astype(bool)


# ------------------------------------------------------------------------ the worker side
@dataclass
class _Loaded:
    matcher: Matcher
    columns: dict[str, np.ndarray]
    position: Callable[[str], Any]


def _load(folder: str, key: str | bytes | None) -> _Loaded:
    matcher = Matcher.load(folder, key=key)
    warm_up(matcher)  # before the worker takes its first page
    ids = pd.Index(matcher.enterprises_["enterprise_id"].astype(str))
    return _Loaded(matcher, filter_columns(matcher), ids.get_loc)


def _entry(
    loaded: dict[tuple[int, str], _Loaded], key: str | bytes | None, folder: str, version: int
) -> _Loaded:
    """The matcher of ``version`` (loaded from ``folder`` once; the oldest beyond
    :data:`_KEEP_VERSIONS` dropped)."""
    entry = loaded.get((version, folder))
    if entry is None:
        entry = loaded[(version, folder)] = _load(folder, key)
        for old in sorted(loaded)[:-_KEEP_VERSIONS]:
            del loaded[old]
        gc.collect()  # as the service does once an index is ready: no full collections
        gc.freeze()  # walking the loaded index between pages
    return entry


def _rank(loaded: dict[tuple[int, str], _Loaded], key: str | bytes | None, msg: tuple) -> tuple:
    from .leadjson import row_parts  # imported before the worker says it is ready

    if len(msg) == 2:  # load a version ahead of its first page
        _entry(loaded, key, *msg)
        return ()
    folder, version, park_id, k, offset, include_ineligible, weights, min_score, mask = msg
    entry = _entry(loaded, key, folder, version)
    ranked = entry.matcher.enterprise_page(
        park_id,
        k=k,
        offset=offset,
        include_ineligible=include_ineligible,
        weights=None if weights is None else dict(weights),
        min_score=min_score,
        candidates=unpack_mask(mask),
    )
    rows = page_rows(ranked, entry.columns, entry.position)
    return rows, ranked.total, row_parts(rows)


def _serve(conn: Connection, key: str | bytes | None) -> None:
    """A worker's loop: one request at a time from ``conn`` until it closes (or sends None)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which closes conn
    from . import leadjson  # noqa: F401  (pydantic's serializers, built before the first page)

    loaded: dict[tuple[int, str], _Loaded] = {}
    conn.send(("ready", os.getpid()))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        try:
            reply: tuple = ("ok", _rank(loaded, key, msg))
        except Exception as exc:  # the caller ranks it in its own process (and sees the error)
            reply = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


# ------------------------------------------------------------------------ the service side
@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Connection


#: What :meth:`RankingProcesses._take` hands out besides a worker: one of this process's own
#: turns, or nothing (rank here without a turn: the pool is closed or has no ranker at all).
_LOCAL = "local"
_NONE = "none"


@dataclass(eq=False)
class _Turn:
    lock: threading.Lock = field(default_factory=threading.Lock)
    worker: _Worker | str = _NONE


class RankingProcesses:
    """Worker processes that rank cold leads pages (module docs); thread-safe.

    Parameters
    ----------
    processes : int
        Worker processes (at least 1).
    key : str or bytes, default=None
        The server key the snapshot folders are signed with (:meth:`matcher.Matcher.load`).
    local : int, default=1
        Pages the calling process ranks at once itself: a page goes to the first of the workers
        and these turns to come free (first come, first served), so this process's own core
        time between requests ranks pages too. 0: only workers rank, once one is ready.
    reply_timeout : float, default=30.0
        Seconds a worker may take to answer a page or a load (a page takes milliseconds, loading
        a version seconds); a worker silent for longer is taken as hung: it is killed and
        replaced, and the page is ranked in the calling process.
    max_restarts : int, default=10
        Workers replaced at most, over the pool's life; beyond that a lost worker is not
        replaced (a worker that dies on every page would otherwise be restarted for every page)
        and its pages are ranked in the calling process.
    start_timeout : float, default=120.0
        Seconds a new worker may take to start (a fresh interpreter importing the library: a
        few seconds); one silent for longer is killed, logged, and not replaced.
    """

    def __init__(
        self,
        processes: int,
        *,
        key: str | bytes | None = None,
        local: int = 1,
        reply_timeout: float = 30.0,
        max_restarts: int = 10,
        start_timeout: float = 120.0,
    ) -> None:
        if processes < 1:
            raise ValueError("processes must be at least 1")
        if local < 0:
            raise ValueError("local must not be negative")
        self.size = processes
        #: Pages this process ranks at once itself when every worker is busy.
        self.local = local
        self._local_free = local
        #: Seconds a worker may take to answer before it is taken as hung.
        self.reply_timeout = reply_timeout
        #: Workers replaced at most; beyond that lost workers are not replaced.
        self.max_restarts = max_restarts
        #: Seconds a new worker may take to say it is ready.
        self.start_timeout = start_timeout
        self._key = key
        self._context = multiprocessing.get_context("spawn")
        self._free: list[_Worker] = []
        self._all: list[_Worker] = []
        self._waiting: deque[_Turn] = deque()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        #: The newest (folder, version) published: a worker loads it before its first page.
        self._latest: tuple[str, int] | None = None
        #: Pages ranked by a worker; on this process's own turns; here for want of a worker.
        self.ranked = 0
        self.here = 0
        self.fallbacks = 0
        #: Workers that died, hung or broke and were replaced (at most :attr:`max_restarts`).
        self.restarts = 0

    # -- life cycle
    def start(self) -> None:
        """Start the workers in the background (once); pages are ranked in the caller's
        process until one is ready."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.size):
            self._spawn_later()

    def _spawn_later(self) -> None:
        threading.Thread(target=self._spawn, name="parkmatch-ranker-start", daemon=True).start()

    def _spawn(self) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child, self._key), name="parkmatch-ranker", daemon=True
        )
        try:
            process.start()
            child.close()
            if not parent.poll(self.start_timeout):
                raise TimeoutError(f"{self.start_timeout:g} 秒内未就绪")
            hello = parent.recv()  # the worker has imported the library
        except Exception as exc:
            parent.close()
            if process.is_alive():
                process.kill()
            if process.pid is not None:
                process.join(1)
            log.warning("排名进程无法启动，本进程自行排名：%s", str(exc) or type(exc).__name__)
            return
        worker = _Worker(process, parent)
        with self._lock:
            if self._closed:
                closed = True
            else:
                closed = False
                self._all.append(worker)
        if closed:
            self._stop(worker)
            return
        latest = self._latest
        if latest is not None and not self._load(worker, latest):
            return
        log.info("排名进程 %s 已就绪", hello[1])
        self._give(worker)

    def _load(self, worker: _Worker, version: tuple[str, int]) -> bool:
        """Have ``worker`` load ``version`` (folder, version); False when it was lost."""
        try:
            worker.conn.send(version)
            self._reply(worker)  # loaded, or an error its first page will meet again
        except (EOFError, OSError, ValueError, TimeoutError) as exc:
            self._lost(worker, type(exc).__name__)
            return False
        return True

    def _reply(self, worker: _Worker) -> Any:
        """``worker``'s answer, within :attr:`reply_timeout` (else TimeoutError)."""
        if not worker.conn.poll(self.reply_timeout):
            raise TimeoutError
        return worker.conn.recv()

    def prepare(self, folder: Path, version: int) -> None:
        """Start the workers if needed and have each load ``version`` from ``folder`` in the
        background (a newly published index: its first pages need not wait for the load)."""
        self._latest = (str(folder), version)
        self.start()
        threading.Thread(
            target=self._prepare, args=(self._latest,), name="parkmatch-ranker-load", daemon=True
        ).start()

    def _prepare(self, version: tuple[str, int]) -> None:
        with self._lock:
            workers = list(self._all)
        for _ in workers:  # each worker in turn, taken as a page would take it
            worker = self._take()
            if worker == _LOCAL:
                self._give(_LOCAL)
                continue
            if isinstance(worker, _Worker) and self._load(worker, version):
                self._give(worker)

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Start the workers and block until all are ready and idle, with the newest version
        loaded (True), or ``timeout`` passes."""
        self.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self._free) == self.size:
                return True
            time.sleep(0.02)
        return len(self._free) == self.size

    @property
    def ready(self) -> int:
        """Workers alive and ready (busy or free)."""
        return len(self._all)

    def close(self, timeout: float = 5.0) -> None:
        """Stop every worker (a page being ranked finishes first, up to ``timeout``)."""
        with self._lock:
            self._closed = True
            workers, self._all, self._free = self._all, [], []
        self._release_waiting()  # they rank in the caller's process
        for worker in workers:
            self._stop(worker, timeout)

    @staticmethod
    def _stop(worker: _Worker, timeout: float = 5.0) -> None:
        try:
            worker.conn.send(None)
        except (OSError, ValueError):
            pass
        worker.process.join(timeout)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout)
        worker.conn.close()

    def status(self) -> dict[str, int]:
        """Workers configured and ready, pages ranked there and in the caller, restarts."""
        return {
            "processes": self.size,
            "ready": self.ready,
            "ranked": self.ranked,
            "here": self.here,
            "fallbacks": self.fallbacks,
            "restarts": self.restarts,
        }

    # -- rankers (workers and this process's turns) handed out first come, first served
    def _take(self) -> _Worker | str:
        """A free worker, :data:`_LOCAL` for one of this process's own turns (:attr:`local`;
        handed back with ``_give(_LOCAL)``) or :data:`_NONE` when there is no ranker to wait
        for (the caller ranks without a turn); waits in order while all are taken."""
        with self._lock:
            if self._closed or (not self._all and self.local == 0):
                return _NONE
            if not self._waiting:
                if self._free:
                    return self._free.pop()
                if self._local_free > 0:
                    self._local_free -= 1
                    return _LOCAL
            turn = _Turn()
            turn.lock.acquire()
            self._waiting.append(turn)
        turn.lock.acquire()  # released by whoever hands this turn a ranker
        return turn.worker

    def _give(self, worker: _Worker | str) -> None:
        with self._lock:
            if isinstance(worker, _Worker) and (self._closed or worker not in self._all):
                return
            if self._waiting:
                turn = self._waiting.popleft()
                turn.worker = worker
                turn.lock.release()
            elif worker == _LOCAL:
                self._local_free += 1
            elif isinstance(worker, _Worker):
                self._free.append(worker)

    def _release_waiting(self) -> None:
        """Hand every waiting request :data:`_NONE` (no worker is left to wait for)."""
        with self._lock:
            waiting, self._waiting = list(self._waiting), deque()
        for turn in waiting:
            turn.lock.release()

    def _lost(self, worker: _Worker, why: str) -> None:
        with self._lock:
            if worker not in self._all:
                return
            self._all.remove(worker)
            replace = not self._closed and self.restarts < self.max_restarts
            if replace:
                self.restarts += 1
            stranded = not self._all and self.local == 0
        if stranded:  # nothing left to wait for until a new worker is ready (if one comes)
            self._release_waiting()
        if replace:
            log.warning(
                "排名进程 %s 已退出（%s），本页在本进程排名，正在重启排名进程",
                worker.process.pid,
                why,
            )
        elif not self._closed:
            log.error(
                "排名进程 %s 已退出（%s）；排名进程已重启 %d 次，不再重启，此后线索页在本进程排名",
                worker.process.pid,
                why,
                self.restarts,
            )
        if worker.process.is_alive():  # hung, or its pipe broke: it would never answer again
            worker.process.kill()
        worker.process.join(0.1)
        worker.conn.close()
        if replace:
            self._spawn_later()

    # -- a page
    def page(
        self,
        folder: Path,
        version: int,
        park_id: str,
        *,
        k: int,
        offset: int,
        include_ineligible: bool,
        weights: Sequence[tuple[str, float]] | None,
        min_score: float | None,
        candidates: np.ndarray | None,
        here: Callable[[], Page],
    ) -> Page:
        """The page of ``park_id``: ranked by a worker with the snapshot folder ``folder`` of
        ``version`` (its rows as :func:`page_rows` makes them, the total that qualify, each
        row's JSON as :func:`service.leadjson.row_part` encodes it), or by ``here()`` in this
        process — on one of its own turns, before a worker is ready, or when a worker fails."""
        self.start()
        if not self._all and not self._waiting:  # no worker yet: nothing to wait for
            self.fallbacks += 1
            return here()
        worker = self._take()
        if worker == _LOCAL:  # this process's own turn
            try:
                self.here += 1
                return here()
            finally:
                self._give(_LOCAL)
        if not isinstance(worker, _Worker):
            self.fallbacks += 1
            return here()
        msg = (
            str(folder),
            version,
            park_id,
            k,
            offset,
            include_ineligible,
            None if weights is None else tuple(weights),
            min_score,
            pack_mask(candidates),
        )
        try:
            worker.conn.send(msg)
            status, value = self._reply(worker)
        except (EOFError, OSError, ValueError, TimeoutError) as exc:
            self._lost(worker, type(exc).__name__)
            self.fallbacks += 1
            return here()
        self._give(worker)
        if status != "ok":  # ranked here again: the caller sees the library's own error
            self.fallbacks += 1
            return here()
        self.ranked += 1
        rows, total, parts = value
        return rows, total, parts
