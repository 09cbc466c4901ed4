"""``parkmatch fit`` and ``parkmatch batch``: a saved index, the batch file, ``--jobs``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher import Matcher

from .cli_runner import run

pytestmark = pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample tables with enough distinct texts for ``--jobs 2`` to read in two processes."""
    from matcher.datasets import make_enterprises
    from matcher.index import _arrays

    folder = tmp_path_factory.mktemp("tables")
    make_enterprises(_arrays.PARALLEL_MIN_KEYS + 500, random_state=5).to_csv(
        folder / "enterprises.csv", index=False
    )
    parks = pd.read_csv(Path(__file__).parents[1] / "datasets" / "parks.csv", dtype=str)
    parks.to_csv(folder / "parks.csv", index=False)
    return folder


def _inputs(folder: Path) -> list[str]:
    return ["--parks", str(folder / "parks.csv"), "--enterprises", str(folder / "enterprises.csv")]


def test_fit_with_jobs_saves_the_same_matcher(monkeypatch, capsys, tables, tmp_path) -> None:
    pages = []
    for jobs in ("1", "2"):
        folder = tmp_path / f"m{jobs}"
        code, out, err = run(
            monkeypatch, capsys, "fit", "-o", str(folder), *_inputs(tables), "--jobs", jobs
        )
        assert code == 0, err
        assert "已保存匹配器" in out
        matcher = Matcher.load(folder)
        park = str(matcher.parks_["park_id"].iloc[0])
        pages.append(matcher.rank_enterprises(park, k=30, include_ineligible=True))
        batch = tmp_path / f"b{jobs}.parquet"
        code, _, err = run(
            monkeypatch, capsys, "batch", "--matcher", str(folder), "-o", str(batch), "-k", "5"
        )
        assert code == 0, err
        assert "已写出" in err
    pd.testing.assert_frame_equal(pages[0], pages[1])
    one, two = (pd.read_parquet(tmp_path / f"b{j}.parquet") for j in ("1", "2"))
    assert len(one) == 5 * len(pd.read_csv(tables / "parks.csv"))
    pd.testing.assert_frame_equal(one, two)
    # batch fitting from the tables, in two processes: the same file
    direct = tmp_path / "direct.parquet"
    code, _, err = run(
        monkeypatch, capsys, "batch", *_inputs(tables), "-o", str(direct), "-k", "5", "-j", "2"
    )
    assert code == 0, err
    pd.testing.assert_frame_equal(one, pd.read_parquet(direct))


def test_jobs_is_refused_where_it_does_nothing_or_is_not_a_count(
    monkeypatch, capsys, tables, tmp_path
) -> None:
    folder = tmp_path / "m"
    code, _, err = run(monkeypatch, capsys, "fit", "-o", str(folder), *_inputs(tables))
    assert code == 0, err
    code, _, err = run(
        monkeypatch, capsys, "batch", "--matcher", str(folder), "-o", str(tmp_path / "x"), "-j", "2"
    )
    assert code == 2 and "--jobs" in err and "--matcher" in err
    assert not (tmp_path / "x").exists()
    for bad in ("0", "two"):
        code, _, err = run(
            monkeypatch, capsys, "fit", "-o", str(tmp_path / "n"), *_inputs(tables), "--jobs", bad
        )
        assert code == 2 and "--jobs" in err
    assert not (tmp_path / "n").exists()
