"""Saving a fitted Matcher and loading it back (memory-mapped or read)."""

from __future__ import annotations

import json
import mmap as mmap_module
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import ConfigError, Matcher, ModelError


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
