"""PARKMATCH_RANKING_PROCESSES: cold leads pages ranked in worker processes (service/rankers.py)
answer byte for byte as pages ranked in the request's process, follow new index versions, and
fall back to the request's process when a worker is missing or dies."""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from matcher import Matcher
from service import ranking
from service.config import Settings
from service.rankers import RankingProcesses, pack_mask, unpack_mask, warm_up

from .conftest import literal_app, upload
from .test_fast_leads import COLD, PARK, URL, exposures_of, fast_path, track_two

ROOT = Path(__file__).resolve().parents[2]

MORE_ENTERPRISES = """\
enterprise_id,name,industry_code,business_scope,products,employees,revenue_wan,srdi_level,high_tech,patents,province,city,county,space_need_sqm
E9,巩义市新铝箔有限公司,3252,铝箔、铝板带的生产与销售,铝箔,120,9000,省级专精特新,是,8,河南省,郑州市,巩义市,4000
"""


def rankers_of(client: Any) -> RankingProcesses:
    rankers = client.app.state.indexer.rankers
    assert rankers is not None
    assert rankers.wait_ready(60), "the ranking processes did not start"
    return rankers


def test_worker_pages_send_what_the_route_sends(tmp_path):
    with literal_app(tmp_path, response_cache_size=0, ranking_processes=1) as c:
        rankers = rankers_of(c)
        track_two(c)
        fast = fast_path(c)
        memo = c.app.state.lead_queries
        responses = c.app.state.indexer.snapshot.responses
        variants = [
            *COLD,
            {"limit": 3, "offset": 2, "weights": "location=1", "include_ineligible": "true"},
            {"county": "巩义市", "status": "untracked", "offset": 1, "min_score": 0.1},
        ]
        for params in variants:
            looked_up = 0 if "status" in params else 1
            memo.clear()
            routed = c.get(URL, params=params)  # the route ranks in this process
            assert routed.status_code == 200, routed.text
            routed_exposures = exposures_of(c, routed.json())
            answered, misses, ranked = fast.answered, responses.misses, rankers.ranked
            quick = c.get(URL, params=params)  # the fast path: ranked by the worker
            assert fast.answered == answered + 1, params
            assert rankers.ranked == ranked + 1, params
            assert responses.misses == misses + looked_up
            assert quick.content == routed.content, params
            assert list(quick.headers.items()) == list(routed.headers.items())
            assert exposures_of(c, quick.json()) == routed_exposures
        assert rankers.fallbacks == 0 and rankers.restarts == 0
        health = c.get("/health").json()["index"]["ranking_processes"]
        assert health == rankers.status() and health["ready"] == 1
        assert health["ranked"] == len(variants)


def test_worker_rows_equal_in_process_rows(tmp_path):
    with literal_app(tmp_path, response_cache_size=0, ranking_processes=1) as c:
        rankers = rankers_of(c)
        snapshot = c.app.state.indexer.snapshot
        queries = [
            ranking.LeadQuery(),
            ranking.LeadQuery(limit=3, offset=1, include_ineligible=True),
            ranking.LeadQuery(weights=(("industry", 0.5), ("text", 0.3)), min_score=0.0),
            ranking.LeadQuery(filters=ranking.LeadFilters.of(county=["巩义市"]), limit=200),
            ranking.LeadQuery(status=("untracked",), include_ineligible=True),
        ]
        with Session(c.app.state.engine) as session:
            for park in ("P-AL", "P-FOOD"):
                for query in queries:
                    ranked = rankers.ranked
                    here = ranking.ranked_page(snapshot, session, park, query, keep=False)
                    there = ranking.ranked_page(
                        snapshot, session, park, query, keep=False, processes=True
                    )
                    assert rankers.ranked == ranked + 1
                    assert there.rows == here.rows and there.total == here.total
                    assert [type(v) for r in there.rows for v in r.values()] == [
                        type(v) for r in here.rows for v in r.values()
                    ]
                    assert there.parts == here.parts
                    assert here.rows or query.filters.county


def test_a_new_index_version_is_ranked_with_that_version(tmp_path):
    with literal_app(tmp_path, response_cache_size=0, ranking_processes=1) as c:
        rankers = rankers_of(c)
        indexer = c.app.state.indexer
        params = {"limit": 50, "include_ineligible": "true"}
        c.get(URL, params=params)  # the route remembers the query
        before = c.get(URL, params=params)
        version = indexer.snapshot.version
        assert upload(c, "enterprises", MORE_ENTERPRISES).status_code == 200
        assert indexer.wait(60)
        assert indexer.snapshot.version > version
        assert rankers.wait_ready(60)  # the worker has loaded the new version
        ranked = rankers.ranked
        after = c.get(URL, params=params)  # the fast path, ranked by the worker
        assert rankers.ranked == ranked + 1
        assert after.json()["index_version"] == indexer.snapshot.version
        ids = [d["enterprise_id"] for d in after.json()["data"]]
        assert "E9" in ids and "E9" not in [d["enterprise_id"] for d in before.json()["data"]]
        c.app.state.lead_queries.clear()
        routed = c.get(URL, params=params)
        assert routed.content == after.content


@pytest.mark.parametrize("stop", ["SIGKILL", "SIGSTOP"], ids=["dies", "hangs"])
def test_a_worker_that_dies_or_hangs_is_replaced_and_its_page_ranked_here(tmp_path, stop):
    with literal_app(tmp_path, response_cache_size=0, ranking_processes=1) as c:
        rankers = rankers_of(c)
        params = {"limit": 4}
        expected = c.get(URL, params=params)  # the route
        lost = rankers._all[0].process
        os.kill(lost.pid, getattr(signal, stop))  # gone, or alive and never answering
        if stop == "SIGKILL":
            lost.join(10)  # gone before its page is asked for
        rankers.reply_timeout = 0.5
        fallbacks = rankers.fallbacks
        answer = c.get(URL, params=params)  # the fast path: the worker does not answer
        assert answer.status_code == 200 and answer.content == expected.content
        assert rankers.fallbacks == fallbacks + 1 and rankers.restarts == 1
        lost.join(10)
        assert not lost.is_alive()  # a hung worker is killed, not left stopped
        rankers.reply_timeout = 30.0
        assert rankers.wait_ready(60)  # a new worker
        assert rankers._all[0].process.pid != lost.pid
        ranked = rankers.ranked
        assert c.get(URL, params=params).content == expected.content
        assert rankers.ranked == ranked + 1


def test_workers_are_not_replaced_beyond_max_restarts(tmp_path):
    with literal_app(tmp_path, response_cache_size=0, ranking_processes=1) as c:
        rankers = rankers_of(c)
        rankers.max_restarts = 0  # as if it had been replaced that often already
        params = {"limit": 4}
        expected = c.get(URL, params=params)  # the route
        gone = rankers._all[0].process
        os.kill(gone.pid, signal.SIGKILL)
        gone.join(10)
        fallbacks = rankers.fallbacks
        assert c.get(URL, params=params).content == expected.content
        assert rankers.fallbacks == fallbacks + 1
        assert not rankers.wait_ready(2)  # no new worker comes
        assert rankers.status()["ready"] == 0 and rankers.restarts == 0
        ranked = rankers.ranked
        assert c.get(URL, params=params).content == expected.content  # ranked here
        assert rankers.ranked == ranked and rankers.fallbacks == fallbacks + 2


def test_an_index_without_a_folder_is_ranked_here(tmp_path):
    with literal_app(tmp_path, response_cache_size=0, ranking_processes=1) as c:
        rankers = rankers_of(c)
        snapshot = dataclasses.replace(c.app.state.indexer.snapshot, folder=None)
        with Session(c.app.state.engine) as session:
            page = ranking.ranked_page(snapshot, session, PARK, ranking.LeadQuery(), processes=True)
        assert page.rows and rankers.ranked == 0 and rankers.fallbacks == 0


def test_the_workers_stop_with_the_app(tmp_path):
    with literal_app(tmp_path, ranking_processes=2) as c:
        rankers = rankers_of(c)
        processes = [w.process for w in rankers._all]
        assert len(processes) == 2 and all(p.is_alive() for p in processes)
    assert not any(p.is_alive() for p in processes)
    assert rankers.ready == 0


def test_no_workers_by_default(tmp_path):
    with literal_app(tmp_path) as c:
        assert c.app.state.indexer.rankers is None
        assert c.app.state.indexer.snapshot.rankers is None
        assert c.get("/health").json()["index"]["ranking_processes"] is None


def test_a_new_version_is_loaded_before_its_first_page(tmp_path):
    with literal_app(tmp_path, response_cache_size=0, ranking_processes=1) as c:
        rankers = rankers_of(c)
        indexer = c.app.state.indexer
        assert upload(c, "enterprises", MORE_ENTERPRISES).status_code == 200
        assert indexer.wait(60)
        snapshot = indexer.snapshot
        assert rankers._latest == (str(snapshot.folder), snapshot.version)
        assert rankers.wait_ready(60)


def test_ranking_processes_must_not_be_negative() -> None:
    with pytest.raises(ValidationError, match="ranking_processes"):
        Settings(_env_file=None, ranking_processes=-1)


@pytest.mark.parametrize("n", [0, 1, 7, 64, 1000, 4099])
def test_masks_travel_unchanged(n: int) -> None:
    rng = np.random.default_rng(n)
    masks = [
        np.zeros(n, dtype=bool),
        np.ones(n, dtype=bool),
        rng.random(n) < 0.5,
        rng.random(n) < 0.01,
    ]
    kinds = set()
    for mask in masks:
        packed = pack_mask(mask)
        assert packed is not None
        kinds.add(packed[0])
        back = unpack_mask(packed)
        assert back is not None and back.dtype == bool and np.array_equal(back, mask)
    assert pack_mask(None) is None and unpack_mask(None) is None
    if n >= 1000:
        assert kinds == {"rows", "bits"}


WARM_CHECK = """\
import sys
from matcher import Matcher
from matcher.reference.taxonomy import get_taxonomy
from matcher.text import get_lexicon
from service.rankers import warm_up

matcher = Matcher.load(sys.argv[1], key=sys.argv[2] or None)
loaded = lambda: get_lexicon.cache_info().currsize + get_taxonomy.cache_info().currsize
before = loaded()
warm_up(matcher)
print(before, loaded())
"""


def test_warm_up_loads_what_a_first_page_needs_and_changes_no_page(tmp_path):
    with literal_app(tmp_path) as c:
        indexer = c.app.state.indexer
        folder, key = indexer.snapshot.folder, indexer.key
    assert folder is not None
    # a fresh process: loading the folder leaves the reference tables for the first page
    done = subprocess.run(
        [sys.executable, "-c", WARM_CHECK, str(folder), key or ""],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "2"]
    cold, warmed = Matcher.load(folder, key=key), Matcher.load(folder, key=key)
    warm_up(warmed)
    for park in cold.parks_["park_id"]:
        a, b = cold.enterprise_page(park, k=10), warmed.enterprise_page(park, k=10)
        assert a.ids.tolist() == b.ids.tolist() and a.score.tolist() == b.score.tolist()
        assert a.reasons == b.reasons and a.total == b.total


def test_a_worker_that_does_not_start_in_time_is_killed_and_pages_ranked_here(caplog):
    pool = RankingProcesses(1, local=0, start_timeout=0.001)  # no interpreter starts that fast
    others = set(multiprocessing.active_children())  # e.g. workers of apps shared by a module
    with caplog.at_level(logging.WARNING, logger="parkmatch.service"):
        pool.start()
        deadline = time.monotonic() + 30
        while "排名进程无法启动" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "排名进程无法启动" in caplog.text and "未就绪" in caplog.text
    assert pool.ready == 0 and set(multiprocessing.active_children()) <= others
    page = ([], 0, None)
    got = pool.page(
        Path("unused"), 1, "P", k=1, offset=0, include_ineligible=False, weights=None,
        min_score=None, candidates=None, here=lambda: page,
    )  # fmt: skip
    assert got is page and pool.fallbacks == 1
    pool.close()
