"""The model registry: the models the service can rank with, and which one builds the index.

Trained models live in a folder as ``<name>.joblib`` plus the ``<name>.json`` manifest that
:func:`matcher.scoring.save_scorer` writes; :func:`register_model_folder` registers them at
start (a file that :func:`matcher.scoring.load_scorer` refuses is logged and skipped) and
re-activates the model named in ``active-model.txt`` (written by :func:`save_active_name`).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher import ConfigError, Matcher, MatcherError
from matcher.scoring import DEFAULT_WEIGHTS, load_scorer, read_scorer_manifest

__all__ = [
    "ACTIVE_FILE",
    "MODEL_KINDS",
    "ModelRegistry",
    "ModelSpec",
    "default_registry",
    "load_active_name",
    "model_name_problem",
    "model_spec_from_file",
    "register_model_folder",
    "save_active_name",
]

log = logging.getLogger("parkmatch.service")


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
        The model file's manifest (:func:`matcher.scoring.read_scorer_manifest`); None for built-in models.
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
    """A :class:`ModelSpec` for a model file written by :func:`matcher.scoring.save_scorer`.

    The file is loaded once, here, by :func:`matcher.scoring.load_scorer` (the manifest's signature with
    the server ``key``, SHA-256, library versions and feature names checked before unpickling:
    a file the service did not write itself is refused); every index build reuses the loaded
    scorer. A
    ``weights`` model builds ``Matcher(weights=...)`` (the transparent scorer, so per-park and
    per-request weights keep working); the others ``Matcher(scorer=...)``.

    Raises
    ------
    matcher.ModelError
        The file is refused (see :func:`matcher.scoring.load_scorer`).
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
