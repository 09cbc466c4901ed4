"""Model files: a joblib file plus a JSON manifest that is checked before loading.

:func:`save_scorer` writes ``model.joblib`` and ``model.json`` beside it. The manifest records
the parkmatch, scikit-learn, numpy, joblib and Python versions, the scorer's class and feature
names, a SHA-256 of the training data, the evaluation metrics, the creation time (UTC, ISO
8601) and the SHA-256 of the model file. :func:`load_scorer` recomputes the file's hash and
compares the versions *before* unpickling, and refuses a mismatch with :class:`ModelError`.

.. warning::
   A joblib file is a pickle: loading one runs whatever code its author put in it. Without a
   key, load model files only from sources you trust (your own training runs, your own
   storage): the manifest check catches corrupted, truncated, edited or swapped model files and
   version drift, but not someone who can rewrite both files.

With ``key=`` (a secret of at least 16 bytes) :func:`save_scorer` signs the manifest
(HMAC-SHA256 over the manifest, which holds the model file's SHA-256) and :func:`load_scorer`
refuses an unsigned or mis-signed file *before* unpickling it: only a holder of the key can
produce a file that loads. The service always uses its server key.

>>> import tempfile, pathlib
>>> from matcher.scoring import WeightedScorer
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> manifest = save_scorer(WeightedScorer({"text": 0.5}).fit(), folder / "m.joblib")
>>> manifest["feature_names"]
['industry', 'text', 'capacity', 'quality', 'location']
>>> type(load_scorer(folder / "m.joblib")).__name__
'WeightedScorer'
>>> _ = save_scorer(WeightedScorer().fit(), folder / "s.joblib", key="a-secret-of-16+chars")
>>> type(load_scorer(folder / "s.joblib", key="a-secret-of-16+chars")).__name__
'WeightedScorer'
>>> load_scorer(folder / "m.joblib", key="a-secret-of-16+chars")
Traceback (most recent call last):
...
matcher.exceptions.ModelError: 模型文件 m.joblib 没有签名：只加载由持有服务器密钥的程序写出的文件，拒绝加载
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd

from ..exceptions import ModelError
from ..io import package_version, sign, verify

__all__ = [
    "MANIFEST_FORMAT",
    "load_scorer",
    "manifest_path",
    "read_scorer_manifest",
    "save_scorer",
    "training_data_sha256",
]

#: Version of the manifest layout.
MANIFEST_FORMAT = 1
#: Libraries whose versions must match for a pickled model to load faithfully.
_CHECKED = ("parkmatch", "scikit-learn", "numpy")


def _versions() -> dict[str, str]:
    return {
        "parkmatch": package_version("parkmatch"),
        "scikit-learn": package_version("scikit-learn"),
        "numpy": np.__version__,
        "joblib": joblib.__version__,
        "python": platform.python_version(),
    }


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _feed(digest: Any, item: Any) -> None:
    if isinstance(item, pd.DataFrame):
        digest.update(item.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8"))
    elif isinstance(item, bytes | bytearray):
        digest.update(bytes(item))
    elif isinstance(item, str | Path):
        path = Path(item)
        if not path.is_file():
            raise ModelError(f"训练数据文件不存在：{path}")
        digest.update(_sha256_file(path).encode("ascii"))
    elif isinstance(item, np.ndarray):
        digest.update(np.ascontiguousarray(item).tobytes())
    else:
        raise ModelError(
            f"training_data 应为 DataFrame、bytes、文件路径或它们的列表，得到 {type(item).__name__}"
        )


def training_data_sha256(training_data: Any) -> str:
    """SHA-256 of training data: a DataFrame (as CSV), bytes, a file, an array, or a sequence
    of them hashed in order.

    >>> len(training_data_sha256(b"abc"))
    64
    """
    digest = hashlib.sha256()
    items = (
        training_data if isinstance(training_data, list | tuple) else [training_data]
    )  # a sequence hashes its items in order
    for item in items:
        _feed(digest, item)
    return digest.hexdigest()


def manifest_path(path: str | Path) -> Path:
    """Where the manifest of a model file lives: ``model.joblib`` → ``model.json``."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        raise ModelError(f"模型文件不能以 .json 结尾（该名字留给清单）：{path}")
    return path.with_suffix(".json")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return repr(value)


def save_scorer(
    scorer: Any,
    path: str | Path,
    *,
    metrics: Any = None,
    training_data: Any = None,
    extra: Mapping[str, Any] | None = None,
    key: str | bytes | None = None,
) -> dict[str, Any]:
    """Write a fitted scorer to ``path`` (joblib) and its manifest beside it (``.json``).

    Parameters
    ----------
    scorer : estimator
        A fitted scorer (:class:`~matcher.scoring.WeightedScorer`, :class:`~matcher.scoring.LinearScorer`,
        :class:`~matcher.scoring.GBScorer`, …) with ``feature_names_in_``.
    path : str or Path
        The model file, e.g. ``models/ranker.joblib``; folders are created.
    metrics : dict or DataFrame, default=None
        Evaluation figures to record (e.g. :func:`matcher.learning.summarize` of the model).
    training_data : DataFrame, bytes, path or sequence of them, default=None
        What the model was trained on; only its SHA-256 is stored.
    extra : dict, default=None
        Anything else to record (JSON-serialisable), e.g. the command that trained it.
    key : str or bytes, default=None
        Sign the manifest with this secret (HMAC-SHA256); ``load_scorer(..., key=key)`` then
        refuses any file not written with it.

    Returns
    -------
    dict
        The manifest as written.

    Raises
    ------
    ModelError
        The scorer is not fitted, or the file cannot be written.
    """
    path = Path(path)
    target = manifest_path(path)
    names = getattr(scorer, "feature_names_in_", None)
    fitted = any(k.endswith("_") and not k.startswith("_") for k in vars(scorer))
    if names is None or not fitted:
        raise ModelError(
            f"只能保存已训练的评分器（需有 feature_names_in_），得到未训练的 {type(scorer).__name__}"
        )
    if isinstance(metrics, pd.DataFrame):
        metrics = json.loads(metrics.reset_index().to_json(orient="records", force_ascii=False))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(scorer, path)
    except OSError as exc:
        raise ModelError(f"无法写入模型文件 {path}：{exc}") from exc
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "model_file": path.name,
        "model_sha256": _sha256_file(path),
        "scorer": f"{type(scorer).__module__}.{type(scorer).__qualname__}",
        "params": _jsonable(scorer.get_params()) if hasattr(scorer, "get_params") else {},
        "feature_names": [str(n) for n in names],
        "versions": _versions(),
        "training_data_sha256": (
            None if training_data is None else training_data_sha256(training_data)
        ),
        "metrics": _jsonable(metrics),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "extra": _jsonable(dict(extra or {})),
        "warning": "joblib 文件即 pickle：只加载来源可信的模型文件。",
    }
    if key is not None:
        manifest = sign(manifest, key)
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_scorer_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest of a model file (``path`` may be the model or the manifest itself)."""
    path = Path(path)
    target = path if path.suffix.lower() == ".json" else manifest_path(path)
    if not target.is_file():
        raise ModelError(
            f"找不到模型清单 {target}：模型文件须与 save_scorer 写出的 .json 清单放在一起"
        )
    try:
        manifest = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"模型清单 {target} 无法读取：{exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ModelError(f"模型清单 {target} 的格式不是 {MANIFEST_FORMAT}，无法识别")
    return manifest


def load_scorer(
    path: str | Path,
    *,
    check_versions: bool = True,
    feature_names: Sequence[str] | None = None,
    key: str | bytes | None = None,
) -> Any:
    """Load a scorer written by :func:`save_scorer`, after checking its manifest.

    Only load model files from sources you trust: joblib files are pickles and run code when
    loaded. The checks below run *before* the file is unpickled.

    Parameters
    ----------
    path : str or Path
        The model file.
    check_versions : bool, default=True
        Refuse a model written with another parkmatch, scikit-learn or numpy version (pickled
        estimators are not guaranteed to behave the same across versions).
    feature_names : sequence of str, default=None
        When given, the model's features must be exactly these (e.g. a Matcher's
        ``feature_names_``).
    key : str or bytes, default=None
        The secret the manifest must be signed with (see :func:`save_scorer`): an unsigned file
        or one signed with another key is refused before it is unpickled.

    Returns
    -------
    estimator
        The fitted scorer, ready for ``Matcher(scorer=...)``.

    Raises
    ------
    ModelError
        A missing file or manifest, a SHA-256 that does not match (the file was changed or
        damaged), other library versions, or other feature names.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"模型文件不存在：{path}")
    manifest = read_scorer_manifest(path)
    if key is not None:
        verify(manifest, key, what=f"模型文件 {path.name}")
    actual = _sha256_file(path)
    if actual != manifest.get("model_sha256"):
        raise ModelError(
            f"模型文件 {path.name} 的 SHA-256 与清单不符（清单 {manifest.get('model_sha256')}，"
            f"实际 {actual}）：文件可能已被篡改或损坏，拒绝加载"
        )
    if check_versions:
        recorded = manifest.get("versions", {})
        current = _versions()
        diffs = [
            f"{lib} 训练时 {recorded.get(lib)}、当前 {current[lib]}"
            for lib in _CHECKED
            if recorded.get(lib) != current[lib]
        ]
        if diffs:
            raise ModelError(
                f"模型 {path.name} 由不同版本写出，拒绝加载（{'；'.join(diffs)}）；"
                "请用当前版本重新训练，或在确认兼容后使用 check_versions=False"
            )
    if feature_names is not None and list(feature_names) != manifest.get("feature_names"):
        raise ModelError(
            f"模型特征 {manifest.get('feature_names')} 与所需的 {list(feature_names)} 不一致"
        )
    try:
        scorer = joblib.load(path)
    except Exception as exc:  # a damaged pickle can raise anything
        raise ModelError(f"模型文件 {path.name} 无法加载：{type(exc).__name__}: {exc}") from exc
    names = [str(n) for n in getattr(scorer, "feature_names_in_", [])]
    if names != manifest.get("feature_names"):
        raise ModelError(f"模型文件 {path.name} 的特征与清单不一致，拒绝使用")
    return scorer
