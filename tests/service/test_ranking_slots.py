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


class AtOnce:
    """Wraps a function to sleep 50 ms in it and count the most calls running at once."""

    def __init__(self, func):
        self.func, self.running, self.most = func, 0, 0
        self.lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.05)
        with self.lock:
            self.running -= 1
        return self.func(*args, **kwargs)


@pytest.mark.parametrize("threads", [1, 2])
def test_rankings_at_once_never_exceed_the_setting(tmp_path, threads) -> None:
    with literal_app(tmp_path, ranking_threads=threads, response_cache_size=0) as c:
        indexer = c.app.state.indexer
        snapshot = indexer.snapshot
        assert snapshot.ranking_slots is indexer.ranking_slots  # shared by the process
        slow_page = AtOnce(snapshot.matcher.enterprise_page)
        snapshot.matcher.enterprise_page = slow_page
        engine = indexer.engine

        def one(offset: int) -> int:
            with Session(engine) as session:
                query = ranking.LeadQuery(limit=1, offset=offset % 3)
                return ranking.ranked_page(snapshot, session, "P-AL", query).total

        with ThreadPoolExecutor(6) as pool:
            totals = list(pool.map(one, range(6)))
        assert len(set(totals)) == 1 and totals[0] > 0
        assert slow_page.most == threads  # six requests, never more than the setting at once
        # and the route still answers through it
        assert c.get("/parks/P-AL/leads", headers=ZHANG).status_code == 200


def test_ranking_threads_must_be_positive(tmp_path) -> None:
    with pytest.raises(ValidationError, match="ranking_threads"):
        Settings(_env_file=None, ranking_threads=0)


@pytest.mark.parametrize("threads", [1, 2])
def test_the_leads_route_ranks_at_most_the_setting_at_once(tmp_path, monkeypatch, threads) -> None:
    with literal_app(tmp_path, ranking_threads=threads, response_cache_size=0) as c:
        slow_ranked_page = AtOnce(ranking.ranked_page)  # outside the slots' semaphore
        monkeypatch.setattr(ranking, "ranked_page", slow_ranked_page)

        def one(offset: int) -> int:
            r = c.get("/parks/P-AL/leads", params={"limit": 1, "offset": offset})
            assert r.status_code == 200, r.text
            return int(r.json()["count"])

        with ThreadPoolExecutor(6) as pool:
            counts = list(pool.map(one, range(6)))
        assert len(set(counts)) == 1 and counts[0] > 0
        assert slow_ranked_page.most == threads  # the other requests waited on the event loop
