"""Saving a fitted Matcher and loading it back (memory-mapped or read)."""

from __future__ import annotations

import json
import mmap as mmap_module
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import ConfigError, Matcher, ModelError
from matcher.features import _base as base_module
from matcher.features import text as text_module
from matcher.features.text import TermColumns, term_columns
from matcher.index import SAVED_STATE

from .test_fast_paths import _random_enterprises, _random_parks


def _is_mapped(array: np.ndarray) -> bool:
    base = array
    while getattr(base, "base", None) is not None:
        base = base.base
    return isinstance(base, mmap_module.mmap)


@pytest.mark.parametrize("mmap", [True, False])
def test_loaded_matcher_ranks_identically(matcher: Matcher, tmp_path: Path, mmap: bool) -> None:
    folder = matcher.save(tmp_path / "m")
    loaded = Matcher.load(folder, mmap=mmap)
    for park in ["P-AL", "P-FOOD"]:
        pd.testing.assert_frame_equal(
            matcher.rank_enterprises(park, k=None, include_ineligible=True),
            loaded.rank_enterprises(park, k=None, include_ineligible=True),
        )
    for ent in ["E1", "E4", "E7"]:
        pd.testing.assert_frame_equal(
            matcher.rank_parks(ent, k=None), loaded.rank_parks(ent, k=None)
        )
    assert str(loaded.explain("P-AL", "E4")) == str(matcher.explain("P-AL", "E4"))
    X = loaded.index_.enterprises.X
    assert _is_mapped(X.data) == mmap
    assert _is_mapped(loaded.index_.enterprises.leaf) == mmap

    def same(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.astype(object).where(frame.notna(), "<NA>")

    pd.testing.assert_frame_equal(same(loaded.enterprises_), same(matcher.enterprises_))


def test_profile_matching_after_load(matcher: Matcher, tmp_path: Path) -> None:
    loaded = Matcher.load(matcher.save(tmp_path / "m"))
    profile = {"business_scope": "速冻食品生产", "products": "速冻水饺", "county": "新郑市"}
    pd.testing.assert_frame_equal(
        matcher.rank_parks_for(profile, k=None), loaded.rank_parks_for(profile, k=None)
    )


def test_load_refuses_other_versions_and_damage(matcher: Matcher, tmp_path: Path) -> None:
    folder = matcher.save(tmp_path / "m")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["scikit-learn"] = "0.0.1"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match="scikit-learn"):
        Matcher.load(folder)
    folder = matcher.save(tmp_path / "n")
    (folder / "enterprises" / "leaf.npy").unlink()
    with pytest.raises(ModelError, match="leaf"):
        Matcher.load(folder)
    with pytest.raises(ModelError):
        Matcher.load(tmp_path / "nothing-here")


def test_save_will_not_overwrite_a_foreign_folder(matcher: Matcher, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("x")
    with pytest.raises(ConfigError):
        matcher.save(tmp_path / "docs")


def _mapped_files() -> list[tuple[int, int, str]]:
    """The file-backed mappings of this process: (start, end, path)."""
    maps = Path("/proc/self/maps")
    if not maps.exists():
        pytest.skip("/proc/self/maps 不存在（非 Linux）：无法检查内存映射")
    out = []
    for line in maps.read_text().splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) == 6 and parts[5].startswith("/"):
            start, end = (int(x, 16) for x in parts[0].split("-"))
            out.append((start, end, parts[5]))
    return out


def _text_buffer_address(column: pd.Series) -> int:
    """The address of the UTF-8 bytes behind an Arrow-backed string column."""
    import pyarrow as pa

    array = pa.array(column.array)  # the Arrow array itself (no copy for a single chunk)
    return int(array.buffers()[2].address)


@pytest.mark.parametrize("mmap", [True, False])
def test_saved_tables_are_mapped_from_their_files(
    matcher: Matcher, tmp_path: Path, mmap: bool
) -> None:
    folder = matcher.save(tmp_path / "m")
    assert json.loads((folder / "manifest.json").read_text("utf-8"))["format_version"] == 3
    assert sorted(p.name for p in (folder / "frames").iterdir()) == [
        "enterprises.arrow",
        "parks.arrow",
    ]
    loaded = Matcher.load(folder, mmap=mmap)
    scope = loaded.enterprises_["business_scope"]
    if not isinstance(scope.dtype, pd.StringDtype) or scope.dtype.storage != "pyarrow":
        pytest.skip(
            f"pandas {pd.__version__} 不以 Arrow 字符串读表：字符串列无法映射（需 pandas 3）"
        )
    address = _text_buffer_address(scope)
    file = str((folder / "frames" / "enterprises.arrow").resolve())
    inside = any(s <= address < e and path == file for s, e, path in _mapped_files())
    assert inside == mmap
    # a mapped table is read-only underneath, yet behaves as any frame: a copy on write
    frame = loaded.enterprises_
    frame.loc[0, "business_scope"] = "改过的经营范围"
    frame.loc[0, "lat"] = 1.5
    assert frame.loc[0, "business_scope"] == "改过的经营范围" and frame.loc[0, "lat"] == 1.5
    assert (
        Matcher.load(folder).enterprises_.loc[0, "business_scope"]
        == (matcher.enterprises_.loc[0, "business_scope"])
    )


def test_a_format_2_folder_with_parquet_tables_still_loads(
    matcher: Matcher, tmp_path: Path
) -> None:
    """Folders written before the tables were Arrow files (format 2) load as they did."""
    from matcher.io import file_sha256

    folder = matcher.save(tmp_path / "m")
    for arrow in list((folder / "frames").glob("*.arrow")):
        pd.read_feather(arrow).to_parquet(arrow.with_suffix(".parquet"))
        arrow.unlink()
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["format_version"] = 2
    manifest["sha256"] = {
        str(p.relative_to(folder)): file_sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    loaded = Matcher.load(folder)
    pd.testing.assert_frame_equal(
        loaded.enterprises_.astype(object).where(loaded.enterprises_.notna(), "<NA>"),
        matcher.enterprises_.astype(object).where(matcher.enterprises_.notna(), "<NA>"),
    )
    pd.testing.assert_frame_equal(
        loaded.rank_enterprises("P-AL", k=None, include_ineligible=True),
        matcher.rank_enterprises("P-AL", k=None, include_ineligible=True),
    )
    manifest["format_version"] = 4
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match="格式版本为 4，本程序支持 2、3"):
        Matcher.load(folder)


@pytest.mark.parametrize("mmap", [True, False])
def test_the_text_columns_are_saved_and_mapped_back_not_rebuilt(
    tmp_path: Path, mmap: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-park text columns (the rows as CSC blocks) are saved with the index; a load maps
    them (or reads them, without mmap) and scores every park through them bit for bit."""
    monkeypatch.setattr(base_module, "PRECOMPUTE_PAIRS", 0)  # through the columns, not a table
    monkeypatch.setattr(text_module, "BLOCK_ROWS", 256)  # several blocks
    rng = np.random.default_rng(24)
    fitted = Matcher().fit(_random_parks(rng), _random_enterprises(rng, 900))
    text = next(f for f in fitted.families_ if f.name == "text")
    P = fitted.index_.parks
    before = [text.park_cosine(fitted.index_, p) for p in range(len(P))]
    built = fitted.index_.enterprises.extras["term_columns"]
    assert isinstance(built, TermColumns) and len(built.blocks) == 4

    def fail(X: object) -> None:
        raise AssertionError("the saved text columns were built again")

    monkeypatch.setattr(text_module, "term_columns", fail)
    loaded = Matcher.load(fitted.save(tmp_path / "m"), mmap=mmap)
    E = loaded.index_.enterprises
    assert set(E.extras[SAVED_STATE]) == {"term_columns"}
    cols = E.extras["term_columns"]
    assert isinstance(cols, TermColumns)
    assert (cols.order, cols.flipped) == (built.order, built.flipped)
    for got, want in zip(cols.blocks, built.blocks, strict=True):
        assert got.shape == want.shape
        for part in ("data", "indices", "indptr"):
            a, b = getattr(got, part), getattr(want, part)
            assert a.dtype == b.dtype and np.array_equal(a, b)
        assert _is_mapped(got.data) == mmap and _is_mapped(got.indices) == mmap
    loaded_text = next(f for f in loaded.families_ if f.name == "text")
    for p in range(len(P)):
        after = loaded_text.park_cosine(loaded.index_, p)
        assert after.dtype == before[p].dtype and after.tobytes() == before[p].tobytes()
        direct = np.asarray(E.X @ P.X[p].toarray().ravel(), dtype=np.float32)
        assert after.tobytes() == direct.tobytes()  # the plain sparse product, bit for bit
    for park in P.ids[:3]:
        pd.testing.assert_frame_equal(
            loaded.rank_enterprises(park, k=None, include_ineligible=True),
            fitted.rank_enterprises(park, k=None, include_ineligible=True),
        )
    monkeypatch.setattr(text_module, "term_columns", term_columns)
    # an index saved without them (format 2, or rows in no single order) builds them at load
    fitted.index_.enterprises.extras.pop("term_columns")
    again = Matcher.load(fitted.save(tmp_path / "n"), mmap=mmap)
    assert SAVED_STATE not in again.index_.enterprises.extras
    rebuilt = again.index_.enterprises.extras.get("term_columns")
    assert isinstance(rebuilt, TermColumns) and not _is_mapped(rebuilt.blocks[0].data)


@pytest.mark.parametrize("order", ["ascending", "shuffled", "repeated"])
def test_row_positions_answer_as_the_dict_of_the_rows(order: str) -> None:
    from matcher.index import RowPositions

    rng = np.random.default_rng(5)
    ids = np.array([f"E{i:06d}" for i in rng.choice(10**6, 500, replace=False)])
    ids.sort()
    if order != "ascending":
        rng.shuffle(ids)
    if order == "repeated":
        ids[rng.choice(500, 40)] = ids[rng.choice(500, 40)]
    as_dict = {k: i for i, k in enumerate(ids.tolist())}
    pos = RowPositions(ids)
    assert len(pos) == len(as_dict) and list(pos) == list(as_dict)
    assert all(pos[k] == v for k, v in as_dict.items())
    absent = ["", "E", "E0000000", "E9999999", "e000001", *(f"{k}x" for k in ids[:20])]
    absent = [k for k in absent if k not in as_dict]
    for key in [*absent, 7, None, b"E000001"]:
        assert key not in pos and pos.get(key) is None
        with pytest.raises(KeyError):
            pos[key]
    keys = [*ids[::3].tolist(), *absent, 7]
    rng.shuffle(keys)
    assert pos.rows(keys).tolist() == [as_dict.get(k, -1) for k in keys]
    assert pos.rows([]).tolist() == [] and RowPositions(ids[:0]).rows(["E1"]).tolist() == [-1]


def test_a_loaded_index_finds_rows_over_its_mapped_ids(matcher: Matcher, tmp_path: Path) -> None:
    loaded = Matcher.load(matcher.save(tmp_path / "m"))
    E = loaded.index_.enterprises
    assert _is_mapped(np.asarray(E.position.ids))  # no Python string per enterprise
    ids = matcher.index_.enterprises.ids.tolist()
    assert [E.position[k] for k in ids] == list(range(len(ids)))
    assert loaded.index_.enterprise_row(ids[-1]) == len(ids) - 1
