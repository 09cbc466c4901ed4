"""The matcher index of the service: built from the database, rebuilt in the background.

Reads use an immutable :class:`Snapshot` (a fitted :class:`matcher.Matcher` plus lookup arrays).
After a write the :class:`Indexer` fits a new matcher on a background thread and swaps the
reference in one assignment; requests already running, and any that arrive meanwhile, keep using
the old snapshot. A :class:`ModelRegistry` says which model (scorer) builds the index, so that
every ranking can name the model that produced it.

Trained models live in a folder as ``<name>.joblib`` plus the ``<name>.json`` manifest that
:func:`matcher.save_model` writes; :func:`register_model_folder` registers them at start (a file
that :func:`matcher.load_model` refuses is logged and skipped) and re-activates the model named in
``active-model.txt`` (written by :func:`save_active_name`).
"""

from __future__ import annotations

import gc
import logging
import re
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
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from matcher import (
    DEFAULT_WEIGHTS,
    ConfigError,
    Matcher,
    MatcherError,
    load_model,
    read_manifest,
    validate_enterprises,
    validate_parks,
    validate_tenants,
)

from . import store

__all__ = [
    "ACTIVE_FILE",
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
        The model file's manifest (:func:`matcher.read_manifest`); None for built-in models.
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


def model_spec_from_file(path: str | Path) -> ModelSpec:
    """A :class:`ModelSpec` for a model file written by :func:`matcher.save_model`.

    The file is loaded once, here, by :func:`matcher.load_model` (SHA-256, library versions and
    feature names checked before unpickling); every index build reuses the loaded scorer. A
    ``weights`` model builds ``Matcher(weights=...)`` (the transparent scorer, so per-park and
    per-request weights keep working); the others ``Matcher(scorer=...)``.

    Raises
    ------
    matcher.ModelError
        The file is refused (see :func:`matcher.load_model`).
    matcher.ConfigError
        The file name is not a valid model name.
    """
    path = Path(path)
    problem = model_name_problem(path.stem)
    if problem is not None:
        raise ConfigError(f"{path.name}：{problem}")
    scorer = load_model(path, feature_names=list(DEFAULT_WEIGHTS))
    manifest = read_manifest(path)
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


def register_model_folder(registry: ModelRegistry, folder: Path) -> list[str]:
    """Register every model file in ``folder``; activate the one :data:`ACTIVE_FILE` names.

    A file that cannot be loaded (changed or damaged file, other library versions, other
    features, no manifest, bad name) is logged and skipped: start-up never fails because of it.

    Returns
    -------
    list of str
        The names registered.
    """
    if not folder.is_dir():
        return []
    names = []
    for path in sorted(folder.glob("*.joblib")):
        try:
            spec = model_spec_from_file(path)
        except MatcherError as exc:
            log.warning("跳过模型文件 %s：%s", path.name, exc)
            continue
        except Exception as exc:  # an unreadable file must not stop the service
            log.warning("跳过模型文件 %s：%s: %s", path.name, type(exc).__name__, exc)
            continue
        registry.register(spec)
        names.append(spec.name)
        log.info("已注册模型 %s（%s）", spec.name, spec.label)
    active = load_active_name(folder)
    if active is not None:
        if registry.get(active) is not None:
            registry.activate(active)
            log.info("当前模型：%s", active)
        else:
            log.warning("记录的当前模型 %s 不可用，改用 %s", active, registry.active.name)
    return names


# ---------------------------------------------------------------------------- snapshot
class _LRU:
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

    ``columns`` holds the validated enterprises' filter columns as arrays aligned with the
    matcher's rows (``county``, ``city``, ``srdi_level``, ``size_class``, ``industry_code``,
    ``high_tech``); ``positions`` maps an enterprise id to its row.
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
    masks: _LRU = field(default_factory=lambda: _LRU(64))
    responses: _LRU = field(default_factory=lambda: _LRU(0))
    #: Objects derived from this snapshot on demand (e.g. a two-sided matcher), built once.
    derived: dict[str, Any] = field(default_factory=dict)
    derived_lock: threading.Lock = field(default_factory=threading.Lock)

    def derive(self, key: str, factory: Callable[[], Any]) -> Any:
        """``factory()`` computed once per snapshot and kept under ``key``."""
        with self.derived_lock:
            if key not in self.derived:
                self.derived[key] = factory()
            return self.derived[key]

    @classmethod
    def build(
        cls,
        matcher: Matcher,
        *,
        version: int,
        fit_seconds: float,
        model: dict[str, str],
        response_cache_size: int,
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
            fitted_at=store.utcnow(),
            fit_seconds=fit_seconds,
            model=model,
            n_parks=len(matcher.parks_),
            n_enterprises=len(ents),
            n_tenants=0 if tenants is None else len(tenants),
            columns=columns,
            positions=pd.Index(ents["enterprise_id"].astype(str)),
            components=[{"name": f.name, "label": f.label} for f in matcher.families_],
            responses=_LRU(response_cache_size),
        )


# ---------------------------------------------------------------------------- indexer
class Indexer:
    """Builds snapshots from the database; rebuilds on request on one background thread.

    Parameters
    ----------
    engine : Engine
        The database.
    registry : ModelRegistry
        Which model builds the index.
    response_cache_size : int, default=512
        Ranking responses cached per snapshot.
    freeze_gc : bool, default=False
        After publishing a snapshot, collect garbage once and move every live object to the
        garbage collector's permanent generation (:func:`gc.freeze`). A fitted index over
        100,000 enterprises holds a few hundred thousand tracked objects, and each full
        collection would otherwise pause every request for a couple of hundred milliseconds.
    """

    def __init__(
        self,
        engine: Engine,
        registry: ModelRegistry,
        *,
        response_cache_size: int = 512,
        freeze_gc: bool = False,
    ) -> None:
        self.engine = engine
        self.registry = registry
        self.response_cache_size = response_cache_size
        self.freeze_gc = freeze_gc
        self.snapshot: Snapshot | None = None
        self.state = "empty"  # empty | fitting | ready | failed
        self.error: str | None = None
        self._version = 0
        self._dirty = False
        self._running = False
        self._closed = False
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None

    # -- requests
    def request_rebuild(self) -> None:
        """Mark the data as changed; fit a new snapshot in the background (coalesced)."""
        with self._lock:
            if self._closed:
                return
            self._dirty = True
            if self._running:
                return  # the running loop sees the flag and fits once more
            self._running = True
            self.state = "fitting"
            self._thread = threading.Thread(
                target=self._loop, name="parkmatch-indexer", daemon=True
            )
            self._thread.start()

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until no rebuild is pending or running; True if so within ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting rebuilds and wait briefly for a running one."""
        with self._lock:
            self._closed = True
            self._dirty = False
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    @property
    def pending(self) -> bool:
        """True while a rebuild is queued or running."""
        return self._running

    # -- work
    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._dirty or self._closed:
                    self._running = False
                    if self.state == "fitting":
                        self.state = "ready" if self.snapshot is not None else "empty"
                    self._changed.notify_all()
                    return
                self._dirty = False
            try:
                snapshot = self.build()
            except Exception as exc:  # keep serving the old snapshot; /health shows why
                message = str(exc) if isinstance(exc, MatcherError) else repr(exc)
                log.exception("索引重建失败")
                with self._lock:
                    self.error = message
                    self.state = "failed"
                continue
            with self._lock:
                self.snapshot = snapshot  # the atomic swap: readers hold their own reference
                self.error = None
                self.state = "ready" if snapshot is not None else "empty"
                if self._dirty:
                    self.state = "fitting"
            del snapshot
            if self.freeze_gc:
                gc.unfreeze()  # let the previous snapshot's cycles be collected, then freeze anew
                gc.collect()
                gc.freeze()

    def build(self) -> Snapshot | None:
        """Fit a snapshot on the current database (None when it holds no park or no enterprise)."""
        start = time.perf_counter()
        with Session(self.engine) as session:
            if self.engine.dialect.name == "postgresql":  # one snapshot for all three tables
                session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            parks_raw = store.parks_frame(session)
            ents_raw = store.enterprises_frame(session)
            tenants_raw = store.tenants_frame(session)
        if parks_raw.empty or ents_raw.empty:
            return None
        parks = validate_parks(parks_raw, file="parks")
        enterprises = validate_enterprises(ents_raw, file="enterprises")
        tenants = None
        if not tenants_raw.empty:
            tenants = validate_tenants(
                tenants_raw, parks=parks, enterprises=enterprises, file="tenants"
            )
        spec = self.registry.active
        matcher = spec.build().fit(parks, enterprises, tenants)
        with self._lock:
            self._version += 1
            version = self._version
        elapsed = time.perf_counter() - start
        log.info(
            "索引已就绪：版本 %d，%d 个园区 × %d 家企业，用时 %.1f 秒",
            version,
            len(parks),
            len(enterprises),
            elapsed,
        )
        return Snapshot.build(
            matcher,
            version=version,
            fit_seconds=elapsed,
            model=spec.info(),
            response_cache_size=self.response_cache_size,
        )

    def status(self) -> dict[str, Any]:
        """The index state for ``/health``."""
        snap = self.snapshot
        return {
            "state": self.state,
            "pending": self._running,
            "version": None if snap is None else snap.version,
            "fitted_at": None if snap is None else snap.fitted_at,
            "fit_seconds": None if snap is None else round(snap.fit_seconds, 3),
            "parks": 0 if snap is None else snap.n_parks,
            "enterprises": 0 if snap is None else snap.n_enterprises,
            "tenants": 0 if snap is None else snap.n_tenants,
            "model": self.registry.active.info() if snap is None else snap.model,
            "error": self.error,
            "response_cache": {
                "entries": 0 if snap is None else len(snap.responses),
                "hits": 0 if snap is None else snap.responses.hits,
                "misses": 0 if snap is None else snap.responses.misses,
            },
        }
