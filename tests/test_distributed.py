"""The Dask batch job on a local cluster equals the single-machine job exactly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher import Matcher, load_sample
from matcher.batch import top_enterprises

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_dask_top_k_equals_single_machine(client, tmp_path: Path) -> None:
    from matcher.batch import top_enterprises_dask

    parks, enterprises = load_sample()
    enterprises = enterprises.iloc[:900].reset_index(drop=True)
    m = Matcher().fit(parks, enterprises)
    folder = tmp_path / "enterprises"
    dd.from_pandas(enterprises, npartitions=4).to_parquet(folder)
    ddf = dd.read_parquet(folder)
    assert ddf.npartitions == 4
    got = top_enterprises_dask(m, ddf, k=5, client=client)
    expected = top_enterprises(m, k=5)
    cols = ["park_id", "rank", "enterprise_id", "score", "eligible", *m.feature_names_]
    pd.testing.assert_frame_equal(got[cols], expected[cols])


def test_dask_validates_raw_partitions(client) -> None:
    from matcher import SchemaError
    from matcher.batch import top_enterprises_dask
    from matcher.datasets import make_enterprises

    parks, enterprises = load_sample()
    m = Matcher().fit(parks, enterprises.iloc[:300])
    raw = make_enterprises(200, random_state=3)
    got = top_enterprises_dask(
        m,
        dd.from_pandas(raw, npartitions=2),
        k=2,
        park_ids=["GY-LZ-AL"],
        client=client,
        validated=False,
    )
    assert got["park_id"].unique().tolist() == ["GY-LZ-AL"] and len(got) == 2
    bad = raw.assign(employees="-1")
    with pytest.raises(SchemaError, match="partition"):
        top_enterprises_dask(
            m, dd.from_pandas(bad, npartitions=2), k=2, client=client, validated=False
        )
