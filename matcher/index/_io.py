"""Saving a fitted ``Matcher`` to a folder and loading it back, with memory-mapped arrays.

Layout of the folder::

    manifest.json          format version, package versions, sizes, files, created time
    enterprises/*.npy      every per-enterprise array (np.save; memory-mappable)
    parks.joblib           the park arrays (small)
    model.joblib           vectoriser, inferrer, families, scorer, settings
    frames/*.arrow         the validated parks, enterprises and tenants tables (Arrow IPC,
                           uncompressed; folders of format 2 hold ``frames/*.parquet``)

``load`` with ``mmap=True`` maps the enterprise arrays (including the sparse text rows) and the
tables' string columns instead of reading them, so a service restart costs seconds, the pages
are shared between processes, and a page stays on disk until something reads it (a ranking
reads the index arrays and 20 rows of names; the tables' text columns only when asked for).
The ``.joblib`` parts are pickles: load folders only from sources you trust.
"""

from __future__ import annotations

import json
import platform
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import joblib
import numpy as np
import pandas as pd
from scipy import sparse

from ..exceptions import ConfigError, ModelError
from ..io import file_sha256, package_version, sign, verify
from ._arrays import EnterpriseArrays, MatchIndex
from ._columns import RowPositions, StringColumn

__all__ = [
    "FORMAT_VERSION",
    "SAVED_STATE",
    "load_fitted",
    "load_index",
    "save_fitted",
    "save_index",
]

#: The format :func:`save_fitted` writes. 3: the tables as Arrow IPC files (memory-mapped at
#: load) and the families' derived state beside the index arrays; 2: the tables as Parquet
#: files (read into memory) and no derived state, still loaded.
FORMAT_VERSION = 3

#: The key in ``EnterpriseArrays.extras`` of the families' state loaded with the index.
SAVED_STATE = "saved"

#: Every format :func:`load_fitted` reads.
_READABLE_VERSIONS = (2, 3)


def _save_array(folder: Path, name: str, array: np.ndarray, files: dict[str, str]) -> None:
    path = folder / f"{name}.npy"
    np.save(path, np.ascontiguousarray(array), allow_pickle=False)
    files[name] = path.name


def save_index(index: MatchIndex, folder: Path, files: dict[str, str]) -> None:
    """Write the enterprise arrays of ``index`` into ``folder`` (one .npy per array).

    With them, the arrays of every per-index state in ``extras`` that offers
    ``saved_arrays()`` (the one-park text columns), so that a load maps that state instead of
    building it again."""
    folder.mkdir(parents=True, exist_ok=True)
    E = index.enterprises
    for f in fields(E):
        value = getattr(E, f.name)
        if f.name in ("position", "extras"):
            continue
        if isinstance(value, StringColumn):
            for part in ("data", "offsets", "missing"):
                _save_array(folder, f"{f.name}.{part}", getattr(value, part), files)
        elif sparse.issparse(value):
            X = sparse.csr_matrix(value)
            for part in ("data", "indices", "indptr"):
                _save_array(folder, f"{f.name}.{part}", getattr(X, part), files)
            files[f"{f.name}.shape"] = json.dumps(list(X.shape))
        else:
            _save_array(folder, f.name, np.asarray(value), files)
    for name, state in E.extras.items():  # derived state a family can rebuild from arrays
        saved_arrays = getattr(state, "saved_arrays", None)
        if callable(saved_arrays) and name.isidentifier():
            for part, array in saved_arrays().items():
                _save_array(folder, f"{SAVED_STATE}.{name}.{part}", array, files)


def load_index(
    folder: Path, files: dict[str, str], *, mmap: bool, parks: Any, vectorizer: Any, inferrer: Any
) -> MatchIndex:
    """Read (or memory-map) the enterprise arrays written by :func:`save_index`.

    The arrays of the families' saved state come back in ``extras[SAVED_STATE]`` (name → part
    → array), read or mapped as the rest."""
    mode: Literal["r"] | None = "r" if mmap else None

    def arr(name: str) -> np.ndarray:
        try:
            loaded = np.load(folder / files[name], mmap_mode=mode, allow_pickle=False)
        except (KeyError, OSError, ValueError) as exc:
            raise ModelError(f"索引文件缺失或损坏：{name}（{exc}）") from exc
        # a plain array over the same mapped memory: np.memmap's Python-level indexing costs
        # microseconds per element read (a ranking page reads hundreds one by one)
        return loaded.view(np.ndarray) if isinstance(loaded, np.memmap) else loaded

    values: dict[str, Any] = {}
    for f in fields(EnterpriseArrays):
        if f.name in ("position", "extras"):
            continue
        if f"{f.name}.data" in files and f"{f.name}.shape" in files:
            shape = tuple(json.loads(files[f"{f.name}.shape"]))
            values[f.name] = sparse.csr_matrix(
                (arr(f"{f.name}.data"), arr(f"{f.name}.indices"), arr(f"{f.name}.indptr")),
                shape=shape,
                copy=False,
            )
        elif f"{f.name}.offsets" in files:
            values[f.name] = StringColumn(
                arr(f"{f.name}.data"), arr(f"{f.name}.offsets"), arr(f"{f.name}.missing")
            )
        else:
            values[f.name] = arr(f.name)
    ents = EnterpriseArrays(**values)
    saved: dict[str, dict[str, np.ndarray]] = {}
    for key in files:
        if key.startswith(f"{SAVED_STATE}."):
            _, name, part = key.split(".", 2)
            saved.setdefault(name, {})[part] = arr(key)
    if saved:
        ents.extras[SAVED_STATE] = saved
    ents.position = RowPositions(ents.ids)  # over the mapped ids: no Python string per row
    return MatchIndex(ents, parks, vectorizer, inferrer)


def _write_manifest(
    folder: Path, manifest: dict[str, Any], *, key: str | bytes | None = None
) -> None:
    """Write ``manifest.json`` with versions, the created time and the SHA-256 of every file
    added, signed with ``key`` (HMAC-SHA256) when one is given."""
    import scipy
    import sklearn

    manifest = {
        "format_version": FORMAT_VERSION,
        "parkmatch": package_version("parkmatch"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **manifest,
        "sha256": {
            str(p.relative_to(folder)): file_sha256(p)
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "manifest.json"
        },
    }
    if key is not None:
        manifest = sign(manifest, key)
    (folder / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def _read_manifest(folder: Path, *, key: str | bytes | None = None) -> dict[str, Any]:
    """Read and check ``manifest.json``: its signature (when ``key`` is given: an unsigned or
    mis-signed folder is refused), the format and library versions, and the SHA-256 of every
    file it lists (a half-written, damaged or changed folder is refused). Nothing is unpickled
    before these checks pass."""
    import sklearn

    path = folder / "manifest.json"
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"不是 parkmatch 保存的匹配器目录：{folder}（{exc}）") from exc
    if not isinstance(manifest, dict):
        raise ModelError(f"不是 parkmatch 保存的匹配器目录：{folder}")
    if key is not None:
        verify(manifest, key, what=f"匹配器目录 {folder.name}")
    if manifest.get("format_version") not in _READABLE_VERSIONS:
        supported = "、".join(str(v) for v in _READABLE_VERSIONS)
        raise ModelError(
            f"匹配器目录格式版本为 {manifest.get('format_version')}，本程序支持 {supported}；"
            "请用当前版本重新 fit 并保存"
        )
    saved = manifest.get("scikit-learn")
    if saved != sklearn.__version__:
        raise ModelError(
            f"匹配器保存时的 scikit-learn 版本为 {saved}，当前为 {sklearn.__version__}；"
            "请在当前环境重新 fit 并保存"
        )
    hashes = manifest.get("sha256")
    if key is not None and not isinstance(hashes, dict):
        raise ModelError(f"匹配器目录 {folder.name} 的清单没有文件校验值，拒绝加载")
    for name, expected in (hashes or {}).items():
        path = folder / name
        if ".." in Path(name).parts or not path.is_file() or file_sha256(path) != expected:
            raise ModelError(
                f"匹配器目录 {folder.name} 中的文件 {name} 缺失或与清单不符（未写完、损坏或被修改），"
                "拒绝加载"
            )
    return manifest


def _dump(obj: Any, path: Path) -> None:
    """joblib.dump (pickle): load such files only from trusted sources."""
    joblib.dump(obj, path)


def _load(path: Path) -> Any:
    """joblib.load of a file written by :func:`dump`."""
    try:
        return joblib.load(path)
    except (OSError, EOFError, ValueError) as exc:
        raise ModelError(f"文件缺失或损坏：{path.name}（{exc}）") from exc


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as an uncompressed Arrow IPC file, which :func:`_read_frame` can map."""
    import pyarrow as pa
    import pyarrow.feather as feather

    feather.write_feather(pa.Table.from_pandas(frame), path, compression="uncompressed")


def _read_frame(frames_dir: Path, name: str, *, mmap: bool) -> pd.DataFrame | None:
    """The table ``name`` saved in ``frames_dir`` (None when it was not saved).

    An Arrow IPC file is memory-mapped with ``mmap``: the string columns stay views of the
    file's pages (pandas' Arrow-backed ``str``), read from disk only when used. A Parquet file
    (format 2) is read into memory, and the Arrow memory pool then hands back what the reading
    freed (its decoding buffers would otherwise stay in the process).
    """
    import pyarrow as pa
    import pyarrow.feather as feather

    arrow, parquet = frames_dir / f"{name}.arrow", frames_dir / f"{name}.parquet"
    try:
        if arrow.exists():
            return feather.read_table(arrow, memory_map=mmap).to_pandas()
        if parquet.exists():
            frame = pd.read_parquet(parquet)
            pa.default_memory_pool().release_unused()
            return frame
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise ModelError(f"表文件损坏：frames/{name}（{exc}）") from exc
    return None


def save_fitted(
    path: str | Path,
    index: MatchIndex,
    state: dict[str, Any],
    frames: dict[str, pd.DataFrame | None],
    *,
    feature_names: list[str],
    key: str | bytes | None = None,
) -> Path:
    """Write a fitted matcher's folder: the index, its pickled state and validated frames.

    Layout: ``enterprises/*.npy`` (:func:`save_index`), ``parks.joblib`` (the park arrays),
    ``model.joblib`` (``state`` plus the index's vectoriser and inferrer), ``frames/*.arrow``
    (``frames``: parks, enterprises and tenants when given, as uncompressed Arrow IPC files that
    :func:`load_fitted` memory-maps) and ``manifest.json`` (versions, sizes, the SHA-256 of
    every file; signed with ``key`` when given).

    Raises
    ------
    ConfigError
        When ``path`` is a non-empty folder that parkmatch did not write.
    """
    folder = Path(path)
    if folder.exists() and any(folder.iterdir()) and not (folder / "manifest.json").exists():
        raise ConfigError(f"目录 {folder} 已存在且不是 parkmatch 保存的匹配器，拒绝覆盖")
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    save_index(index, folder / "enterprises", files)
    _dump(index.parks, folder / "parks.joblib")
    _dump(
        {**state, "vectorizer": index.vectorizer, "inferrer": index.inferrer},
        folder / "model.joblib",
    )
    (folder / "frames").mkdir(exist_ok=True)
    for name, frame in frames.items():
        if frame is not None:
            _write_frame(frame, folder / "frames" / f"{name}.arrow")
    _write_manifest(
        folder,
        {
            "n_parks": len(index.parks),
            "n_enterprises": len(index.enterprises),
            "feature_names": feature_names,
            "files": {
                k: f"enterprises/{v}" if not k.endswith(".shape") else v for k, v in files.items()
            },
        },
        key=key,
    )
    return folder


def load_fitted(
    path: str | Path, *, mmap: bool = True, key: str | bytes | None = None
) -> tuple[MatchIndex, dict[str, Any], dict[str, pd.DataFrame | None]]:
    """Read a folder written by :func:`save_fitted`: the index, the state, the frames.

    The manifest is checked first (signature with ``key``, versions, every file's SHA-256);
    nothing is unpickled before. Frames come back marked as validated.

    Raises
    ------
    ModelError
        When the folder is missing, incomplete, changed, unsigned (with ``key``) or written by
        other library versions.
    """
    folder = Path(path)
    manifest = _read_manifest(folder, key=key)
    state = _load(folder / "model.joblib")
    if "fitted_on" not in state:  # written before the fit's day was kept: the day it was saved
        state["fitted_on"] = datetime.fromisoformat(manifest["created"]).date()
    parks_arrays = _load(folder / "parks.joblib")
    files = {k: v.removeprefix("enterprises/") for k, v in manifest["files"].items()}
    index = load_index(
        folder / "enterprises",
        files,
        mmap=mmap,
        parks=parks_arrays,
        vectorizer=state.pop("vectorizer"),
        inferrer=state.pop("inferrer"),
    )
    frames_dir = folder / "frames"
    parks = _read_frame(frames_dir, "parks", mmap=mmap)
    enterprises = _read_frame(frames_dir, "enterprises", mmap=mmap)
    tenants = _read_frame(frames_dir, "tenants", mmap=mmap)
    if parks is None or enterprises is None:
        raise ModelError(f"匹配器目录 {folder.name} 缺少园区表或企业表（frames/）")
    parks.attrs["parkmatch_schema"] = "parks"
    enterprises.attrs["parkmatch_schema"] = "enterprises"
    return index, state, {"parks": parks, "enterprises": enterprises, "tenants": tenants}
