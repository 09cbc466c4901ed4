"""PARKMATCH_RANKING_THREADS: how many pages the library ranks at once in one process."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from service import ranking
from service.config import Settings

from .conftest import ZHANG, literal_app


@pytest.mark.parametrize("threads", [1, 2])
def test_rankings_at_once_never_exceed_the_setting(tmp_path, threads) -> None:
    with literal_app(tmp_path, ranking_threads=threads, response_cache_size=0) as c:
        indexer = c.app.state.indexer
        snapshot = indexer.snapshot
        assert snapshot.ranking_slots is indexer.ranking_slots  # shared by the process
        page = snapshot.matcher.enterprise_page
        running, most = [0], [0]
        lock = threading.Lock()

        def slow_page(*args, **kwargs):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1
            return page(*args, **kwargs)

        snapshot.matcher.enterprise_page = slow_page
        engine = indexer.engine

        def one(offset: int) -> int:
            with Session(engine) as session:
                query = ranking.LeadQuery(limit=1, offset=offset % 3)
                return ranking.ranked_page(snapshot, session, "P-AL", query).total

        with ThreadPoolExecutor(6) as pool:
            totals = list(pool.map(one, range(6)))
        assert len(set(totals)) == 1 and totals[0] > 0
        assert most[0] == threads  # six requests, never more than the setting at once
        # and the route still answers through it
        assert c.get("/parks/P-AL/leads", headers=ZHANG).status_code == 200


def test_ranking_threads_must_be_positive(tmp_path) -> None:
    with pytest.raises(ValidationError, match="ranking_threads"):
        Settings(_env_file=None, ranking_threads=0)
