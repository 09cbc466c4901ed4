"""Batch top-k jobs equal the in-memory rankings, chunked or not, in memory or in Parquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import Matcher, load_sample
from matcher.batch import top_enterprises, top_parks


@pytest.fixture(scope="module")
def sample_matcher() -> Matcher:
    parks, enterprises = load_sample()
    return Matcher().fit(parks, enterprises.iloc[:1200])


def _expected_enterprises(m: Matcher, k: int, **kw: object) -> pd.DataFrame:
    frames = []
    for park in m.index_.parks.ids.tolist():
        leads = m.rank_enterprises(park, k=k, **kw)
        frames.append(leads.assign(park_id=park))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("chunk_size", [97, 1000, 100_000])
def test_top_enterprises_equals_rank_enterprises(sample_matcher: Matcher, chunk_size: int) -> None:
    got = top_enterprises(sample_matcher, k=7, chunk_size=chunk_size)
    assert isinstance(got, pd.DataFrame)
    expected = _expected_enterprises(sample_matcher, 7)
    cols = ["park_id", "rank", "enterprise_id", "score", "eligible", "industry", "location"]
    pd.testing.assert_frame_equal(got[cols], expected[cols])  # exact: same ids, same scores


def test_top_enterprises_with_ineligible_and_reasons(
    sample_matcher: Matcher, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    path = top_enterprises(
        sample_matcher,
        k=3,
        park_ids=["GY-LZ-AL"],
        include_ineligible=True,
        reasons=True,
        output=tmp_path / "out" / "leads.parquet",
        progress=lambda d, t, _: seen.append((d, t)),
    )
    got = pd.read_parquet(path)
    expected = sample_matcher.rank_enterprises("GY-LZ-AL", k=3, include_ineligible=True)
    assert got["enterprise_id"].tolist() == expected["enterprise_id"].tolist()
    assert got["reasons"].tolist() == expected["reasons"].tolist()
    assert seen == [(1, 1)]


@pytest.mark.parametrize("chunk_size", [50, 5000])
def test_top_parks_equals_rank_parks(
    sample_matcher: Matcher, chunk_size: int, tmp_path: Path
) -> None:
    ids = sample_matcher.index_.enterprises.ids.tolist()[:120]
    got = pd.read_parquet(
        top_parks(
            sample_matcher,
            k=3,
            enterprise_ids=ids,
            chunk_size=chunk_size,
            output=tmp_path / "p.parquet",
        )
    )
    expected = pd.concat(
        [sample_matcher.rank_parks(e, k=3).assign(enterprise_id=e) for e in ids], ignore_index=True
    )
    cols = ["enterprise_id", "rank", "park_id", "score", "eligible", "text", "capacity"]
    pd.testing.assert_frame_equal(got[cols], expected[cols])


def test_batch_rejects_bad_k(sample_matcher: Matcher) -> None:
    from matcher import ConfigError

    with pytest.raises(ConfigError):
        top_enterprises(sample_matcher, k=0)
    with pytest.raises(ConfigError):
        top_parks(sample_matcher, k=0)
    assert np.isfinite(top_parks(sample_matcher, k=1, enterprise_ids=["E000001"])["score"]).all()
