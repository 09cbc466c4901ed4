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
from service.snapshot import FairSlots

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


def test_a_released_slot_goes_to_the_thread_that_waited_longest() -> None:
    slots = FairSlots(1)
    order: list[int] = []
    slots.__enter__()  # taken: everyone below waits
    threads = []
    for i in range(5):

        def take(i: int = i) -> None:
            with slots:
                order.append(i)

        t = threading.Thread(target=take)
        t.start()
        threads.append(t)
        deadline = time.monotonic() + 5
        while slots.waiting < i + 1 and time.monotonic() < deadline:
            time.sleep(0.001)  # each in line before the next arrives
    assert slots.waiting == 5
    slots.__exit__(None, None, None)
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2, 3, 4]  # in the order they asked
    assert slots.waiting == 0
    with slots:  # the slot is free again, and there is still only one
        assert slots._free == 0
    assert slots._free == 1
    with pytest.raises(ValueError):
        FairSlots(0)
