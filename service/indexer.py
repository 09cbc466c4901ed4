"""The index of one service process: its snapshot kept in step with the database.

Reads use an immutable :class:`~service.snapshot.Snapshot`. After a write the :class:`Indexer`
asks the database for the newest version; when the data or the active model has moved past it,
the one process that takes the rebuild lock fits and publishes the next version
(:mod:`service.rebuilder`) and every process loads it, swapping the reference in one
assignment; requests already running, and any that arrive meanwhile, keep using the old
snapshot. The :class:`~service.registry.ModelRegistry` says which model builds the index, so
that every ranking can name the model that produced it.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from matcher import ConfigError, Matcher, MatcherError

from . import store
from .rankers import RankingProcesses, warm_up
from .rebuilder import latest_version, publish_version, take_rebuild_lock
from .registry import ModelRegistry, ModelSpec, register_model_folder
from .snapshot import FairSlots, Snapshot

__all__ = ["Indexer"]

log = logging.getLogger("parkmatch.service")


# ---------------------------------------------------------------------------- indexer
class Indexer:
    """Keeps this process's snapshot in step with the database; one process rebuilds.

    Several processes (uvicorn workers, replicas on other machines) may serve one database.
    The fitted index is saved as a versioned, signed snapshot folder in ``snapshot_dir``
    (:meth:`matcher.Matcher.save`, memory-mapped on load) and registered in the
    ``index_versions`` table only once it is complete. Every process follows the newest
    version; when the data (``data_state.version``) or the active model moves past it, the one
    process that takes the rebuild lock (a PostgreSQL advisory lock; a file lock for SQLite)
    fits and publishes the next version, and the others load it. A folder that is incomplete,
    changed or not signed with the server key is refused, and the old snapshot keeps serving.

    Parameters
    ----------
    engine : Engine
        The database.
    registry : ModelRegistry
        The models an index can be built with.
    snapshot_dir : Path, default=None
        Where snapshot folders live (shared storage for replicas on several machines); None
        keeps snapshots in memory only (one process).
    key : str or bytes, default=None
        The server secret that signs and checks snapshot folders and model files.
    models_dir : Path, default=None
        Trained model files, scanned again when the active model is not registered yet (it was
        trained by another process).
    response_cache_size : int, default=512
        Ranking responses cached per snapshot.
    freeze_gc : bool, default=False
        After publishing a snapshot, collect garbage once and move every live object to the
        garbage collector's permanent generation (:func:`gc.freeze`), so that full collections
        over a large index do not pause requests.
    poll_seconds : float, default=1.0
        How often the database is asked for a newer version or newer data.
    keep_versions : int, default=3
        Snapshot folders kept (older ones are deleted by the rebuilder).
    read_wait : float, default=0.0
        Seconds a read that needs a version being built waits for it before answering 503.
    ranking_threads : int, default=1
        Pages ranked in the library at once in this process.
    rankers : RankingProcesses, default=None
        Worker processes that rank cold leads pages from a snapshot's folder (None: pages are
        ranked in this process); closed with the indexer.
    """

    def __init__(
        self,
        engine: Engine,
        registry: ModelRegistry,
        *,
        snapshot_dir: Path | None = None,
        key: str | bytes | None = None,
        models_dir: Path | None = None,
        response_cache_size: int = 512,
        freeze_gc: bool = False,
        poll_seconds: float = 1.0,
        keep_versions: int = 3,
        read_wait: float = 0.0,
        ranking_threads: int = 1,
        rankers: RankingProcesses | None = None,
    ) -> None:
        self.engine = engine
        self.registry = registry
        self.snapshot_dir = snapshot_dir
        self.key = key
        self.models_dir = models_dir
        self.response_cache_size = response_cache_size
        self.freeze_gc = freeze_gc
        self.poll_seconds = poll_seconds
        self.keep_versions = keep_versions
        #: Seconds a read waits for a version that is being built (then 503).
        self.read_wait = read_wait
        #: Rankings computed in the library at once, shared by every snapshot of this process.
        self.ranking_slots = FairSlots(ranking_threads)
        #: Worker processes ranking cold leads pages (None: ranked in this process).
        self.rankers = rankers
        self.snapshot: Snapshot | None = None
        self.state = "empty"  # empty | fitting | ready | failed
        self.error: str | None = None
        self.latest_version = 0  # newest published version this process knows (0: none)
        self._target: tuple[int, str] | None = None  # (data version, model) last seen
        self._served: tuple[int, str] | None = None  # what the serving version reflects
        self._serving_version: int | None = None
        self._failed: tuple[int, str] | None = None  # the target whose rebuild failed
        self._refused: set[int] = set()  # versions whose folder could not be loaded
        self._working = False  # the loop is looking at the database (every poll)
        self._answering = False  # ... because of request_rebuild (not a routine poll)
        self._rebuilding = False  # _rebuild is running
        self._wake = False
        self._closed = False
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None

    # -- requests
    def request_rebuild(self) -> None:
        """The data or the model changed: look at the database now (and start following it)."""
        with self._lock:
            if self._closed:
                return
            self._wake = True
            self._failed = None
            if self.state != "failed":
                self.state = "fitting"  # until the database says this process is up to date
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="parkmatch-indexer", daemon=True
                )
                self._thread.start()
            self._changed.notify_all()

    def wait(self, timeout: float = 60.0, *, nudge: bool = True) -> bool:
        """Block until this process serves the newest data and model (or their rebuild failed);
        True if so within ``timeout``. ``nudge`` first asks the database right away."""
        deadline = time.monotonic() + timeout
        if nudge:
            self.request_rebuild()
        while time.monotonic() < deadline:
            if self._settled():
                return True
            with self._changed:
                self._changed.wait(min(0.05, max(deadline - time.monotonic(), 0)))
        return self._settled()

    def _settled(self) -> bool:
        try:
            target = self._read_target()
        except Exception:  # the database is away: nothing to wait for
            return True
        with self._lock:
            if self._working or self._wake:
                return False
            if self._failed == target:
                return True
            return self._covers(target)

    def _covers(self, target: tuple[int, str]) -> bool:
        served = self._served
        return served is not None and served[0] >= target[0] and served[1] == target[1]

    def close(self, timeout: float = 5.0) -> None:
        """Stop following the database and wait briefly for a running rebuild."""
        with self._lock:
            self._closed = True
            thread = self._thread
            self._changed.notify_all()
        if thread is not None:
            thread.join(timeout)
        if self.rankers is not None:
            self.rankers.close(timeout)

    @property
    def pending(self) -> bool:
        """True while this process's snapshot is behind the data or a rebuild is queued or
        running. A poll that finds nothing new is neither: it used to make a ready index
        look pending for the moment it took."""
        with self._lock:
            if self._wake or self._answering or self._rebuilding:
                return True
            target = self._target
            if target is None:
                return True
            return self._failed != target and not self._covers(target)

    # -- the database
    def _read_target(self) -> tuple[int, str]:
        with Session(self.engine) as session:
            return store.data_version(session), self._active_name(session)

    def _active_name(self, session: Session) -> str:
        name = store.active_model(session)
        return name if name else self.registry.active.name

    # -- work
    def _loop(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
                self._answering = self._wake  # pending until this look has answered it
                self._wake = False
                self._working = True
            try:
                self._sync()
            except Exception as exc:  # keep serving the old snapshot; /health shows why
                log.exception("索引同步失败")
                with self._lock:
                    self.error = str(exc) if isinstance(exc, MatcherError) else repr(exc)
                    self.state = "failed"
                    self._failed = self._target
            finally:
                with self._lock:
                    self._working = self._answering = False
                    self._changed.notify_all()
            with self._changed:
                if not self._wake and not self._closed:
                    self._changed.wait(self.poll_seconds)

    def _sync(self) -> None:
        with Session(self.engine) as session:
            target = (store.data_version(session), self._active_name(session))
            latest = latest_version(session)
        if self.registry.get(target[1]) is not None and self.registry.active.name != target[1]:
            self.registry.activate(target[1])  # switched through another process
        with self._lock:
            self._target = target
            if latest is not None:
                self.latest_version = max(self.latest_version, latest.version)
        if latest is not None and self._follow(latest):
            current = (latest.data_version, str((latest.model or {}).get("name", "")))
            if current[0] >= target[0] and current[1] == target[1]:
                with self._lock:
                    if self._covers(target):
                        self.error = None
                        self.state = "ready" if self.snapshot is not None else "empty"
                return
        if self._failed == target:
            return  # a failed rebuild is tried again after the next change, not in a loop
        self._rebuild(target)

    def _follow(self, row: store.IndexVersion) -> bool:
        """Serve version ``row`` (load its folder unless this process already serves it)."""
        with self._lock:
            serving = self._serving_version
        if serving is not None and serving >= row.version:
            return True
        if row.version in self._refused:
            return False
        if not row.folder:  # a published "no data" version
            self._publish(None, row)
            return True
        if self.snapshot_dir is None:
            return False
        folder = self.snapshot_dir / row.folder
        try:
            matcher = Matcher.load(folder, key=self.key)
            warm_up(matcher)  # the first request after a restart need not load the tables
        except Exception as exc:
            self._refused.add(row.version)
            log.error("无法加载索引快照 v%d（%s）：%s", row.version, folder, exc)
            with self._lock:
                self.error = f"索引快照 v{row.version} 无法加载：{exc}"
                self.state = "failed"
            return False
        self._publish(matcher, row)
        return True

    def _publish(self, matcher: Matcher | None, row: store.IndexVersion) -> None:
        snapshot = None
        if matcher is not None:
            snapshot = Snapshot.build(
                matcher,
                version=row.version,
                fit_seconds=row.fit_seconds,
                model=dict(row.model or {}),
                response_cache_size=self.response_cache_size,
                ranking_slots=self.ranking_slots,
                data_version=row.data_version,
                fitted_at=row.created_at,
                skipped=dict(row.skipped or {}),
                folder=(
                    self.snapshot_dir / row.folder if self.snapshot_dir and row.folder else None
                ),
                rankers=self.rankers,
            )
        with self._lock:
            self.snapshot = snapshot  # the atomic swap: readers hold their own reference
            self._served = (row.data_version, str((row.model or {}).get("name", "")))
            self._serving_version = row.version
            self.latest_version = max(self.latest_version, row.version)
            self.error = None
            self.state = "ready" if snapshot is not None else "empty"
        log.info("索引 v%d 已启用（数据版本 %d）", row.version, row.data_version)
        if self.rankers is not None and snapshot is not None and snapshot.folder is not None:
            # the workers (started once) load the new version in the background
            self.rankers.prepare(snapshot.folder, snapshot.version)
        if self.freeze_gc:
            del snapshot
            gc.unfreeze()  # let the previous snapshot's cycles be collected, then freeze anew
            gc.collect()
            gc.freeze()

    def _rebuild(self, target: tuple[int, str]) -> None:
        with self._lock:
            self._rebuilding = True
        try:
            self._rebuild_once(target)
        finally:
            with self._lock:
                self._rebuilding = False

    def _rebuild_once(self, target: tuple[int, str]) -> None:
        lock = take_rebuild_lock(self.engine, self.snapshot_dir)
        if lock is None:  # another process is rebuilding: its version will come
            with self._lock:
                self.state = "fitting"
            return
        try:
            with Session(self.engine) as session:  # under the lock: is it still needed?
                latest = latest_version(session)
            if latest is not None and latest.version not in self._refused:
                model = str((latest.model or {}).get("name", ""))
                if latest.data_version >= target[0] and model == target[1]:
                    self._follow(latest)
                    return
            with self._lock:
                self.state = "fitting"
            row, matcher = publish_version(
                self.engine,
                self._spec(target[1]),
                after=latest,
                snapshot_dir=self.snapshot_dir,
                key=self.key,
                keep_versions=self.keep_versions,
            )
            self._publish(matcher, row)
        except Exception as exc:
            log.exception("索引重建失败")
            with self._lock:
                self.error = str(exc) if isinstance(exc, MatcherError) else repr(exc)
                self.state = "failed"
                self._failed = target
        finally:
            lock()

    def _spec(self, name: str) -> ModelSpec:
        spec = self.registry.get(name)
        if spec is None and self.models_dir is not None:  # trained by another process
            register_model_folder(self.registry, self.models_dir, key=self.key, activate=False)
            spec = self.registry.get(name)
        if spec is None:
            raise ConfigError(f"当前模型「{name}」在本进程不可用（模型文件缺失或签名不符）")
        return spec

    def status(self) -> dict[str, Any]:
        """The index state for ``/health``."""
        snap = self.snapshot
        return {
            "state": self.state,
            "pending": self.pending,
            "version": None if snap is None else snap.version,
            "fitted_at": None if snap is None else snap.fitted_at,
            "fit_seconds": None if snap is None else round(snap.fit_seconds, 3),
            "parks": 0 if snap is None else snap.n_parks,
            "enterprises": 0 if snap is None else snap.n_enterprises,
            "tenants": 0 if snap is None else snap.n_tenants,
            "skipped": {} if snap is None else snap.skipped,
            "model": self.registry.active.info() if snap is None else snap.model,
            "error": self.error,
            "response_cache": {
                "entries": 0 if snap is None else len(snap.responses),
                "hits": 0 if snap is None else snap.responses.hits,
                "misses": 0 if snap is None else snap.responses.misses,
            },
            "ranking_processes": None if self.rankers is None else self.rankers.status(),
        }
