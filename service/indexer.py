"""The matcher index of the service: built from the database, rebuilt in the background.

Reads use an immutable :class:`Snapshot` (a fitted :class:`matcher.Matcher` plus lookup arrays).
After a write the :class:`Indexer` fits a new matcher on a background thread and swaps the
reference in one assignment; requests already running, and any that arrive meanwhile, keep using
the old snapshot. A :class:`ModelRegistry` says which model (scorer) builds the index, so that
every ranking can name the model that produced it.

Trained models live in a folder as ``<name>.joblib`` plus the ``<name>.json`` manifest that
:func:`matcher.save_scorer` writes; :func:`register_model_folder` registers them at start (a file
that :func:`matcher.load_scorer` refuses is logged and skipped) and re-activates the model named in
``active-model.txt`` (written by :func:`save_active_name`).
"""

from __future__ import annotations

import gc
import logging
import os
import re
import secrets
import shutil
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select, text
from sqlalchemy import delete as sa_delete
from sqlalchemy.orm import Session

from matcher import ConfigError, Matcher, MatcherError, SchemaError
from matcher.io import validate_enterprises, validate_parks, validate_tenants
from matcher.scoring import DEFAULT_WEIGHTS, load_scorer, read_scorer_manifest

from . import store

__all__ = [
    "ACTIVE_FILE",
    "LRU",
    "MODEL_KINDS",
    "Indexer",
    "ModelRegistry",
    "ModelSpec",
    "Snapshot",
    "default_registry",
    "load_active_name",
    "model_name_problem",
    "model_spec_from_file",
    "register_model_folder",
    "save_active_name",
]

log = logging.getLogger("parkmatch.service")


# ---------------------------------------------------------------------------- models
@dataclass(frozen=True)
class ModelSpec:
    """A model the service can rank with.

    Parameters
    ----------
    name : str
        Identifier used in the API (``default``).
    description : str
        What produced a ranking, in English (``default weighted scorer``).
    label : str
        The same in Chinese.
    build : callable
        Returns an unfitted :class:`matcher.Matcher` (with its scorer).
    kind : str, default="default"
        ``default`` or what was trained: ``logistic``, ``ridge``, ``gbm``, ``weights``.
    manifest : dict, default=None
        The model file's manifest (:func:`matcher.read_scorer_manifest`); None for built-in models.
    path : Path, default=None
        The model file.
    """

    name: str
    description: str
    label: str
    build: Callable[[], Matcher]
    kind: str = "default"
    manifest: dict[str, Any] | None = field(default=None, compare=False)
    path: Path | None = None

    def info(self) -> dict[str, str]:
        """Name, description and label, as shown in responses."""
        return {"name": self.name, "description": self.description, "label": self.label}


class ModelRegistry:
    """The models the service knows and which one builds the index.

    A seam for model switching: register more :class:`ModelSpec` and :meth:`activate` one,
    then ask the :class:`Indexer` to rebuild.
    """

    def __init__(self) -> None:
        self._specs: dict[str, ModelSpec] = {}
        self._active: str | None = None
        self._lock = threading.Lock()

    def register(self, spec: ModelSpec, *, activate: bool = False) -> None:
        """Add (or replace) a model; the first one registered becomes active."""
        with self._lock:
            self._specs[spec.name] = spec
            if activate or self._active is None:
                self._active = spec.name

    def activate(self, name: str) -> ModelSpec:
        """Make ``name`` the model of the next index build."""
        with self._lock:
            if name not in self._specs:
                known = "、".join(self._specs)
                raise ConfigError(f"未知的模型「{name}」（可选：{known}）")
            self._active = name
            return self._specs[name]

    @property
    def active(self) -> ModelSpec:
        """The model the next index build uses."""
        with self._lock:
            if self._active is None:
                raise ConfigError("没有可用的模型")
            return self._specs[self._active]

    def specs(self) -> list[ModelSpec]:
        """Every registered model."""
        with self._lock:
            return list(self._specs.values())

    def get(self, name: str) -> ModelSpec | None:
        """The model called ``name``, or None."""
        with self._lock:
            return self._specs.get(name)


def default_registry() -> ModelRegistry:
    """A registry holding the library's default weighted scorer."""
    registry = ModelRegistry()
    registry.register(
        ModelSpec(
            name="default",
            description="default weighted scorer",
            label="默认加权评分器",
            build=Matcher,
        )
    )
    return registry


#: Kinds of trained models: (English description, Chinese label).
MODEL_KINDS: dict[str, tuple[str, str]] = {
    "logistic": (
        "logistic regression ranker trained on outcomes",
        "按跟进结果训练的逻辑回归排序模型",
    ),
    "ridge": ("ridge ranker trained on outcomes", "按跟进结果训练的岭回归排序模型"),
    "gbm": ("gradient-boosted ranker trained on outcomes", "按跟进结果训练的梯度提升排序模型"),
    "weights": (
        "weighted scorer with weights fitted to outcomes",
        "按跟进结果拟合权重的加权评分器",
    ),
}
#: The file in the models folder naming the active model (one line).
ACTIVE_FILE = "active-model.txt"
_MODEL_NAME = re.compile(r"^[^\W_][\w.-]{0,63}$")


def model_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a model file (None when it can)."""
    if not _MODEL_NAME.match(name) or name.endswith("."):
        return (
            f"模型名称「{name}」无效：应为 1–64 个字母、汉字、数字或 _ . -，以字母、汉字或数字开头"
        )
    if name == "default":
        return "模型名称 default 已留给默认加权评分器，请换一个名称"
    return None


def _kind_of(manifest: dict[str, Any]) -> str:
    extra = manifest.get("extra") or {}
    kind = extra.get("model") if isinstance(extra, dict) else None
    if kind in MODEL_KINDS:
        return str(kind)
    scorer = str(manifest.get("scorer", ""))
    if scorer.endswith("WeightedScorer"):
        return "weights"
    if scorer.endswith("GBScorer"):
        return "gbm"
    params = manifest.get("params") or {}
    return "ridge" if isinstance(params, dict) and params.get("loss") == "ridge" else "logistic"


def model_spec_from_file(path: str | Path, *, key: str | bytes | None = None) -> ModelSpec:
    """A :class:`ModelSpec` for a model file written by :func:`matcher.save_scorer`.

    The file is loaded once, here, by :func:`matcher.load_scorer` (the manifest's signature with
    the server ``key``, SHA-256, library versions and feature names checked before unpickling:
    a file the service did not write itself is refused); every index build reuses the loaded
    scorer. A
    ``weights`` model builds ``Matcher(weights=...)`` (the transparent scorer, so per-park and
    per-request weights keep working); the others ``Matcher(scorer=...)``.

    Raises
    ------
    matcher.ModelError
        The file is refused (see :func:`matcher.load_scorer`).
    matcher.ConfigError
        The file name is not a valid model name.
    """
    path = Path(path)
    problem = model_name_problem(path.stem)
    if problem is not None:
        raise ConfigError(f"{path.name}：{problem}")
    scorer = load_scorer(path, feature_names=list(DEFAULT_WEIGHTS), key=key)
    manifest = read_scorer_manifest(path)
    kind = _kind_of(manifest)
    description, label = MODEL_KINDS[kind]
    weights = getattr(scorer, "weights", None)
    build: Callable[[], Matcher]
    if kind == "weights" and isinstance(weights, dict) and weights:
        fitted = {str(k): float(v) for k, v in weights.items()}

        def build() -> Matcher:
            return Matcher(weights=fitted)

    else:

        def build() -> Matcher:
            return Matcher(scorer=scorer)

    return ModelSpec(
        name=path.stem,
        description=f"{description} ({path.stem})",
        label=f"{label}「{path.stem}」",
        build=build,
        kind=kind,
        manifest=manifest,
        path=path,
    )


def load_active_name(folder: Path) -> str | None:
    """The model named in the folder's :data:`ACTIVE_FILE`, if any."""
    try:
        name = (folder / ACTIVE_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name or None


def save_active_name(folder: Path, name: str) -> None:
    """Remember the active model across restarts (a failure is logged, not raised)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / ACTIVE_FILE
        tmp = target.with_suffix(".tmp")
        tmp.write_text(name + "\n", encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        log.warning("无法记录当前模型到 %s：%s", folder / ACTIVE_FILE, exc)


def register_model_folder(
    registry: ModelRegistry, folder: Path, *, key: str | bytes | None = None, activate: bool = True
) -> list[str]:
    """Register every model file in ``folder``; activate the one :data:`ACTIVE_FILE` names.

    A file that cannot be loaded (unsigned or signed with another key, changed or damaged file,
    other library versions, other features, no manifest, bad name) is logged and skipped:
    start-up never fails because of it. Files already registered are not loaded again.

    Returns
    -------
    list of str
        The names registered.
    """
    if not folder.is_dir():
        return []
    names = []
    for path in sorted(folder.glob("*.joblib")):
        if registry.get(path.stem) is not None:
            continue
        try:
            spec = model_spec_from_file(path, key=key)
        except MatcherError as exc:
            log.warning("跳过模型文件 %s：%s", path.name, exc)
            continue
        except Exception as exc:  # an unreadable file must not stop the service
            log.warning("跳过模型文件 %s：%s: %s", path.name, type(exc).__name__, exc)
            continue
        registry.register(spec)
        names.append(spec.name)
        log.info("已注册模型 %s（%s）", spec.name, spec.label)
    active = load_active_name(folder) if activate else None
    if active is not None:
        if registry.get(active) is not None:
            registry.activate(active)
            log.info("当前模型：%s", active)
        else:
            log.warning("记录的当前模型 %s 不可用，改用 %s", active, registry.active.name)
    return names


# ---------------------------------------------------------------------------- snapshot
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

    def __len__(self) -> int:
        return len(self._data)

    def put(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


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
    data_version: int = 0
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
        data_version: int = 0,
        fitted_at: datetime | None = None,
        skipped: dict[str, int] | None = None,
    ) -> Snapshot:
        """Wrap a fitted matcher with its lookup arrays."""
        ents = matcher.enterprises_
        columns = {
            c: ents[c].astype(object).where(ents[c].notna(), None).to_numpy(dtype=object)
            for c in ("county", "city", "srdi_level", "size_class", "industry_code", "high_tech")
        }
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
            data_version=data_version,
            skipped=dict(skipped or {}),
        )


def _validate_keeping_good_rows(
    validate: Callable[..., pd.DataFrame], raw: pd.DataFrame, file: str, **kwargs: Any
) -> tuple[pd.DataFrame, int]:
    """Validate stored rows; rows the library refuses are left out (logged), never the index.

    Stored rows were validated when they were written, so a refusal here means the library's
    rules changed or a row was written by other means. One such row must not take every ranking
    down: it is skipped, and ``/health`` counts the skipped rows.
    """
    skipped = 0
    for _ in range(5):
        try:
            return validate(raw, file=file, **kwargs), skipped
        except SchemaError as exc:
            rows = sorted({p.row for p in exc.problems if p.row is not None})
            if not rows:
                raise
            log.warning("重建索引：%s 中 %d 行未通过校验，已跳过：%s", file, len(rows), exc)
            positions = [r - 2 for r in rows if 0 <= r - 2 < len(raw)]
            raw = raw.drop(index=raw.index[positions]).reset_index(drop=True)
            skipped += len(positions)
    return validate(raw, file=file, **kwargs), skipped


class _FileLock:
    """An exclusive, non-blocking lock on a file (processes of one machine; SQLite)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None

    def acquire(self) -> bool:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        self._fh = fh
        return True

    def release(self) -> None:
        import fcntl

        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


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
        self.snapshot: Snapshot | None = None
        self.state = "empty"  # empty | fitting | ready | failed
        self.error: str | None = None
        self.latest_version = 0  # newest published version this process knows (0: none)
        self._target: tuple[int, str] | None = None  # (data version, model) last seen
        self._served: tuple[int, str] | None = None  # what the serving version reflects
        self._serving_version: int | None = None
        self._failed: tuple[int, str] | None = None  # the target whose rebuild failed
        self._refused: set[int] = set()  # versions whose folder could not be loaded
        self._working = False
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

    @property
    def pending(self) -> bool:
        """True while this process's snapshot is behind the data or a rebuild is running."""
        with self._lock:
            if self._working or self._wake:
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

    def _latest(self, session: Session) -> store.IndexVersion | None:
        V = store.IndexVersion
        return session.scalars(select(V).order_by(V.version.desc()).limit(1)).first()

    # -- work
    def _loop(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
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
                    self._working = False
                    self._changed.notify_all()
            with self._changed:
                if not self._wake and not self._closed:
                    self._changed.wait(self.poll_seconds)

    def _sync(self) -> None:
        with Session(self.engine) as session:
            target = (store.data_version(session), self._active_name(session))
            latest = self._latest(session)
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
                data_version=row.data_version,
                fitted_at=row.created_at,
                skipped=dict(row.skipped or {}),
            )
        with self._lock:
            self.snapshot = snapshot  # the atomic swap: readers hold their own reference
            self._served = (row.data_version, str((row.model or {}).get("name", "")))
            self._serving_version = row.version
            self.latest_version = max(self.latest_version, row.version)
            self.error = None
            self.state = "ready" if snapshot is not None else "empty"
        log.info("索引 v%d 已启用（数据版本 %d）", row.version, row.data_version)
        if self.freeze_gc:
            del snapshot
            gc.unfreeze()  # let the previous snapshot's cycles be collected, then freeze anew
            gc.collect()
            gc.freeze()

    def _rebuild(self, target: tuple[int, str]) -> None:
        lock = self._take_rebuild_lock()
        if lock is None:  # another process is rebuilding: its version will come
            with self._lock:
                self.state = "fitting"
            return
        try:
            with Session(self.engine) as session:  # under the lock: is it still needed?
                latest = self._latest(session)
            if latest is not None and latest.version not in self._refused:
                model = str((latest.model or {}).get("name", ""))
                if latest.data_version >= target[0] and model == target[1]:
                    self._follow(latest)
                    return
            with self._lock:
                self.state = "fitting"
            row, matcher = self._build_and_save(target[1], after=latest)
            self._publish(matcher, row)
        except Exception as exc:
            log.exception("索引重建失败")
            with self._lock:
                self.error = str(exc) if isinstance(exc, MatcherError) else repr(exc)
                self.state = "failed"
                self._failed = target
        finally:
            lock()

    def _take_rebuild_lock(self) -> Callable[[], None] | None:
        """The rebuild lock (non-blocking); returns its release, or None when it is taken."""
        if self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": store.REBUILD_LOCK}
            ).scalar()
            if not got:
                conn.close()
                return None

            def release() -> None:
                try:
                    conn.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": store.REBUILD_LOCK}
                    )
                finally:
                    conn.close()

            return release
        if self.snapshot_dir is None:
            return lambda: None
        file_lock = _FileLock(self.snapshot_dir / ".rebuild.lock")
        return file_lock.release if file_lock.acquire() else None

    def _spec(self, name: str) -> ModelSpec:
        spec = self.registry.get(name)
        if spec is None and self.models_dir is not None:  # trained by another process
            register_model_folder(self.registry, self.models_dir, key=self.key, activate=False)
            spec = self.registry.get(name)
        if spec is None:
            raise ConfigError(f"当前模型「{name}」在本进程不可用（模型文件缺失或签名不符）")
        return spec

    def _build_and_save(
        self, model_name: str, *, after: store.IndexVersion | None
    ) -> tuple[store.IndexVersion, Matcher | None]:
        """Fit on the database, save and sign the folder, then register the version."""
        start = time.perf_counter()
        spec = self._spec(model_name)
        data_version, matcher, skipped = self.build_matcher(spec)
        elapsed = time.perf_counter() - start
        folder_name = ""
        version = (after.version if after is not None else 0) + 1
        with Session(self.engine) as session:
            newest = self._latest(session)
            version = max(version, (newest.version + 1) if newest is not None else 1)
        if matcher is not None and self.snapshot_dir is not None:
            folder_name = f"v{version:06d}-{secrets.token_hex(4)}"
            tmp = self.snapshot_dir / f".tmp-{folder_name}"
            matcher.save(tmp, key=self.key)
            tmp.rename(self.snapshot_dir / folder_name)  # complete before anyone can see it
        row = store.IndexVersion(
            version=version,
            data_version=data_version,
            folder=folder_name,
            model=spec.info(),
            fit_seconds=round(elapsed, 3),
            n_parks=0 if matcher is None else len(matcher.parks_),
            n_enterprises=0 if matcher is None else len(matcher.enterprises_),
            n_tenants=0 if matcher is None or matcher.tenants_ is None else len(matcher.tenants_),
            skipped=skipped,
            created_at=store.utcnow(),
            created_by=f"{socket.gethostname()}:{os.getpid()}",
        )
        with Session(self.engine, expire_on_commit=False) as session:
            session.add(row)
            session.commit()
        log.info(
            "索引 v%d 已发布：%d 个园区 × %d 家企业，用时 %.1f 秒",
            version,
            row.n_parks,
            row.n_enterprises,
            elapsed,
        )
        self._collect_old(version)
        return row, matcher

    def _collect_old(self, newest: int) -> None:
        """Delete the versions (rows and folders) older than the ``keep_versions`` newest."""
        V = store.IndexVersion
        with Session(self.engine) as session:
            old = session.scalars(select(V).where(V.version <= newest - self.keep_versions)).all()
            folders = [r.folder for r in old if r.folder]
            session.execute(sa_delete(V).where(V.version <= newest - self.keep_versions))
            session.commit()
        if self.snapshot_dir is not None:
            for name in folders:  # mapped files stay readable until unmapped (POSIX)
                shutil.rmtree(self.snapshot_dir / name, ignore_errors=True)

    def build_matcher(self, spec: ModelSpec) -> tuple[int, Matcher | None, dict[str, int]]:
        """Fit ``spec``'s matcher on the current database.

        Returns the data version read (before the data), the fitted matcher (None when there is
        no park or no enterprise) and the rows skipped per table.
        """
        with Session(self.engine) as session:
            if self.engine.dialect.name == "postgresql":  # one snapshot for all three tables
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            data_version = store.data_version(session)
            parks_raw = store.parks_frame(session)
            ents_raw = store.enterprises_frame(session)
            tenants_raw = store.tenants_frame(session)
        if parks_raw.empty or ents_raw.empty:
            return data_version, None, {}
        parks, n_parks = _validate_keeping_good_rows(validate_parks, parks_raw, "parks")
        enterprises, n_ents = _validate_keeping_good_rows(
            validate_enterprises, ents_raw, "enterprises"
        )
        skipped = {"parks": n_parks, "enterprises": n_ents, "tenants": 0}
        tenants = None
        if not tenants_raw.empty:
            tenants, skipped["tenants"] = _validate_keeping_good_rows(
                validate_tenants, tenants_raw, "tenants", parks=parks, enterprises=enterprises
            )
        if parks.empty or enterprises.empty:
            return data_version, None, skipped
        matcher = spec.build().fit(parks, enterprises, tenants)
        return data_version, matcher, {k: v for k, v in skipped.items() if v}

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
        }
