"""The fast path of ``GET /parks/{park_id}/leads`` (service/fastleads.py), for cached and cold
pages, answers exactly as the route does — same bytes, headers, exposures and cache counts —
and hands every request it cannot answer that way to the route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from matcher import UnknownIdError
from service import ranking
from service.fastleads import CachedLeadPages
from service.routes import routers
from service.routes.leads import _park_and_tracked, park_leads
from service.web.pages import router as web_router

from .conftest import KEYS, ZHANG, literal_app, statements_run

PARK = "P-AL"
URL = f"/parks/{PARK}/leads"

CACHEABLE: list[dict[str, Any]] = [
    {},
    {"limit": 3},
    {"limit": 3, "offset": 3},
    {"limit": 2, "offset": 1, "include_ineligible": "true"},
    {"county": ["巩义市", "荥阳市"], "srdi_level": "provincial"},
    {"industry": "C32", "high_tech": "false", "min_score": 0},
    {"weights": "industry=0.5,text=0.3", "limit": 4},
]


def fast_path(client: Any) -> CachedLeadPages:
    """The app's fast-path middleware (built with the app's middleware stack)."""
    layer = client.app.middleware_stack
    while not isinstance(layer, CachedLeadPages):
        layer = layer.app
    return layer


def exposures_of(client: Any, page: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What the exposure log holds for the page's rows (all but the time shown)."""
    log = client.app.state.exposures
    out = []
    for row in page["data"]:
        e = log.get(PARK, row["enterprise_id"])
        out.append((e.shown_rank, e.source, e.propensity, e.model, e.index_version))
    return out


def tracked_app(folder: Path, **settings: Any) -> Any:
    return literal_app(folder, **settings)


def test_the_fast_path_sends_what_the_route_sends(tmp_path):
    with tracked_app(tmp_path) as c:
        for eid, body in [("E1", {"status": "contacted", "owner": '张"三', "note": "回访\n🚀"})]:
            assert c.put(f"{URL}/{eid}", json=body, headers=ZHANG).status_code == 200
        fast = fast_path(c)
        memo = c.app.state.lead_queries
        responses = c.app.state.indexer.snapshot.responses
        for params in CACHEABLE:
            first = c.get(URL, params=params)  # the route: ranked, cached, query remembered
            assert first.status_code == 200, first.text
            answered, hits = fast.answered, responses.hits
            quick = c.get(URL, params=params)
            assert fast.answered == answered + 1, params  # the fast path answered it
            assert responses.hits == hits + 1  # and counted its cache hit once
            quick_exposures = exposures_of(c, quick.json())
            memo.clear()  # the same cached page through the route
            slow = c.get(URL, params=params)
            assert fast.answered == answered + 1  # the route answered this one
            assert responses.hits == hits + 2
            assert quick.status_code == slow.status_code == 200
            assert quick.content == slow.content == first.content, params
            assert list(quick.headers.items()) == list(slow.headers.items())
            assert quick_exposures == exposures_of(c, slow.json())
        tracked = [d for d in quick.json()["data"] if d["tracking"] is not None]
        assert tracked or params.get("limit") == 4  # a tracked row was compared too
        assert len(c.get(URL).json()["data"]) > 0


def test_a_write_shows_at_once_on_the_fast_path(tmp_path):
    with tracked_app(tmp_path) as c:
        fast = fast_path(c)
        before = c.get(URL, params={"limit": 5}).json()
        eid = before["data"][0]["enterprise_id"]
        r = c.put(f"{URL}/{eid}", json={"status": "visited", "owner": "王五"}, headers=ZHANG)
        assert r.status_code == 200
        answered = fast.answered
        after = c.get(URL, params={"limit": 5}).json()
        assert fast.answered == answered + 1
        row = next(d for d in after["data"] if d["enterprise_id"] == eid)
        assert row["tracking"]["status"] == "visited" and row["tracking"]["owner"] == "王五"
        # the lead's first tracking saved the rank it was last shown at
        assert r.json()["shown_rank"] == before["data"][0]["rank"]


def test_invalid_queries_and_unknown_parks_always_go_to_the_route(tmp_path):
    with tracked_app(tmp_path) as c:
        fast = fast_path(c)
        for _ in range(2):
            r = c.get(URL, params={"limit": 0})
            assert r.status_code == 422 and "limit" in r.text
            r = c.get(URL, params={"status": "飞走了"})
            assert r.status_code == 422 and "未知的跟进状态" in r.json()["detail"]
            r = c.get(URL, params={"weights": "industry"})
            assert r.status_code == 422
        assert fast.answered == 0
        assert c.get(URL, params={"limit": 2}).status_code == 200  # the query is remembered
        misses = c.app.state.indexer.snapshot.responses.misses
        for _ in range(2):  # a park the index does not serve: the route's 404, same text
            r = c.get("/parks/NOPE/leads", params={"limit": 2})
            assert r.status_code == 404 and "NOPE" in r.json()["detail"]
        assert fast.answered == 0
        assert c.app.state.indexer.snapshot.responses.misses == misses + 2  # the route's own


COLD: list[dict[str, Any]] = [
    *CACHEABLE,
    {"status": "untracked", "limit": 5},
    {"status": ["contacted", "新线索"], "include_ineligible": "true"},
    {"status": "signed"},  # no lead has it: an empty page
]


def track_two(client: Any) -> None:
    """Record the statuses of two leads (one with quotes, a line break and an emoji)."""
    for eid, body in [
        ("E1", {"status": "contacted", "owner": '张"三', "note": "回访\n🚀"}),
        ("E2", {"status": "new"}),
    ]:
        assert client.put(f"{URL}/{eid}", json=body, headers=ZHANG).status_code == 200


def test_cold_pages_on_the_fast_path_send_what_the_route_sends(tmp_path):
    with tracked_app(tmp_path, response_cache_size=0) as c:
        track_two(c)
        fast = fast_path(c)
        memo = c.app.state.lead_queries
        responses = c.app.state.indexer.snapshot.responses
        compared = 0
        for params in COLD:
            looked_up = 0 if "status" in params else 1  # a status-filtered page is not cached
            first = c.get(URL, params=params)  # the route: ranked, query remembered
            assert first.status_code == 200, first.text
            answered, misses = fast.answered, responses.misses
            quick = c.get(URL, params=params)  # ranked again, before routing
            assert fast.answered == answered + 1, params
            assert responses.misses == misses + looked_up  # its look-up counted once
            quick_exposures = exposures_of(c, quick.json())
            memo.clear()
            slow = c.get(URL, params=params)  # the same page ranked by the route
            assert fast.answered == answered + 1
            assert responses.misses == misses + 2 * looked_up
            assert responses.hits == 0
            assert quick.status_code == slow.status_code == 200
            assert quick.content == slow.content == first.content, params
            assert list(quick.headers.items()) == list(slow.headers.items())
            assert quick_exposures == exposures_of(c, slow.json())
            compared += sum(d["tracking"] is not None for d in quick.json()["data"])
        assert compared > 0  # tracked rows were compared too
        assert c.get(URL, params={"status": "signed"}).json()["data"] == []


def test_a_cold_page_on_the_fast_path_is_cached_as_the_route_caches_it(tmp_path):
    with tracked_app(tmp_path) as c:
        fast = fast_path(c)
        memo = c.app.state.lead_queries
        responses = c.app.state.indexer.snapshot.responses
        params = {"limit": 4, "offset": 2}
        assert c.get(URL, params=params).status_code == 200  # the route remembers the query
        others = c.get("/parks", params={"limit": 50}).json()["data"]
        parks = [p["park_id"] for p in others if p["park_id"] != PARK][:3]
        assert parks
        for park in parks:
            answered, misses, size = fast.answered, responses.misses, len(responses)
            cold = c.get(f"/parks/{park}/leads", params=params)  # not cached for this park
            assert cold.status_code == 200 and fast.answered == answered + 1
            assert responses.misses == misses + 1 and len(responses) == size + 1
            memo.clear()
            routed = c.get(f"/parks/{park}/leads", params=params)  # the route: a cache hit
            assert fast.answered == answered + 1 and responses.misses == misses + 1
            assert routed.content == cold.content
            assert list(routed.headers.items()) == list(cold.headers.items())
            assert routed.json()["park"]["park_id"] == park
            assert c.get(f"/parks/{park}/leads", params=params).content == cold.content
            assert fast.answered == answered + 2  # the cached fast path


@pytest.mark.parametrize("cache", [64, 0])
def test_closed_reads_need_a_key_on_the_fast_path_too(tmp_path, cache):
    with tracked_app(tmp_path, reads_open=False, response_cache_size=cache) as c:
        fast = fast_path(c)
        assert c.get(URL, headers=ZHANG).status_code == 200  # remembered by the route
        assert c.get(URL).status_code == 401
        assert c.get(URL, headers={"X-API-Key": "not-a-key-0000000"}).status_code == 403
        assert fast.answered == 0
        other = c.get(URL, headers={"X-API-Key": KEYS["lisi"]})
        assert other.status_code == 200 and fast.answered == 1
        assert c.get(URL).status_code == 401 and fast.answered == 1


@pytest.mark.parametrize("cache", [64, 0])
def test_first_pages_go_to_the_route_while_exploring(tmp_path, cache):
    with tracked_app(
        tmp_path, exploration=1.0, exploration_depth=2, response_cache_size=cache
    ) as c:
        fast = fast_path(c)
        for _ in range(2):
            body = c.get(URL, params={"limit": 3}).json()
            assert body["exploration"] is True  # shuffled by the route each time
        assert fast.answered == 0
        first = c.get(URL, params={"limit": 3, "offset": 3})
        again = c.get(URL, params={"limit": 3, "offset": 3})
        assert fast.answered == 1
        assert again.content == first.content and again.json()["exploration"] is False


def test_the_fast_path_takes_only_the_leads_route(tmp_path):
    every_route = [r for router in [*routers, web_router] for r in router.routes]
    for path in ("/parks/P-AL/leads", "/parks/园区 一/leads", "/parks/Ｐ-ＡＬ/leads"):
        matched = [
            r
            for r in every_route
            if isinstance(r, APIRoute) and "GET" in r.methods and r.path_regex.match(path)
        ]
        assert [r.endpoint for r in matched] == [park_leads], path  # no other route could
    with tracked_app(tmp_path) as c:
        c.get(URL)
        fast = fast_path(c)
        for path in (f"{URL}/E1", f"{URL}/", f"/app{URL}", "/parks//leads"):
            for _ in range(2):
                c.get(path, follow_redirects=False)  # the router redirects …/leads/
            assert fast.answered == 0, path


def test_a_page_the_library_ranks_costs_one_statement(tmp_path):
    with tracked_app(tmp_path, response_cache_size=0) as c:
        assert c.put(f"{URL}/E1", json={"status": "new"}, headers=ZHANG).status_code == 200
        with statements_run(c.app.state.engine) as statements:
            r = c.get(URL, params={"limit": 5})
        assert r.status_code == 200
        assert len(statements) == 1, statements  # the park and the page's statuses together
        assert any(d["tracking"] for d in r.json()["data"])


def test_an_unknown_park_is_404_without_waiting_for_the_index(tmp_path, monkeypatch):
    with tracked_app(tmp_path, response_cache_size=0, index_wait_s=5) as c:
        indexer = c.app.state.indexer

        def no_wait(*args: Any, **kwargs: Any) -> bool:
            raise AssertionError("an id nobody stored must not wait for the index")

        monkeypatch.setattr(indexer, "wait", no_wait)
        r = c.get("/parks/NOPE/leads")
        assert r.status_code == 404 and "NOPE" in r.json()["detail"]


def test_per_call_weights_take_the_fast_path_after_the_first(tmp_path):
    with tracked_app(tmp_path, response_cache_size=0) as c:
        fast = fast_path(c)
        memo = c.app.state.lead_queries
        responses = c.app.state.indexer.snapshot.responses
        base = {"limit": 4, "county": "巩义市", "weights": "industry=0.5,text=0.3"}
        assert c.get(URL, params=base).status_code == 200  # the route: remembered
        for weights in ("industry=0.2，text:0.7", "location=1", "quality=0.25,capacity=0.1"):
            params = {**base, "weights": weights}
            answered, misses = fast.answered, responses.misses
            quick = c.get(URL, params=params)
            assert fast.answered == answered + 1, weights
            assert responses.misses == misses + 1
            memo.clear()
            slow = c.get(URL, params=params)
            assert fast.answered == answered + 1 and responses.misses == misses + 2
            assert quick.status_code == slow.status_code == 200
            assert quick.content == slow.content, weights
            assert list(quick.headers.items()) == list(slow.headers.items())
        assert quick.json()["data"]
        answered, misses = fast.answered, responses.misses
        refused = [  # errors the route answers (the fast path counts and records nothing)
            ({**base, "weights": "industry=abc"}, 422),
            ({**base, "weights": "nosuch=1"}, 422),
            ({**base, "weights": "industry=-1"}, 422),
        ]
        for params, status in refused:
            r = c.get(URL, params=params)
            assert r.status_code == status and r.json()["detail"], params
        assert fast.answered == answered
        assert responses.misses == misses + 2  # the route's own look-ups (valid numbers)
        # several weights values, or one and a bare name (read as ""), are the route's to read
        assert c.get(f"{URL}?limit=4&weights=location%3D1").status_code == 200
        assert fast.answered == answered
        for query in (
            "limit=4&weights=location%3D1&weights=quality%3D1",
            "limit=4&weights=location%3D1&weights",
            "limit=4&weight%73=location%3D1",
        ):
            first = c.get(f"{URL}?{query}")
            assert fast.answered == answered, query
            again = c.get(f"{URL}?{query}")  # the route remembered it as it is
            assert again.content == first.content and fast.answered == answered + 1
            answered += 1


def test_the_page_statuses_read_finds_what_the_general_read_finds(tmp_path):
    # pages of every size read their rows' statuses with one bound parameter per id (the
    # statement built once per size); longer lists and an empty page take the expanding IN
    with tracked_app(tmp_path) as c:
        for eid, status in [("E1", "contacted"), ("E3", "new"), ("E5", "signed")]:
            r = c.put(f"{URL}/{eid}", json={"status": status, "note": "备注"}, headers=ZHANG)
            assert r.status_code == 200
        engine = c.app.state.engine
        stored = [f"E{i}" for i in range(1, 9)]
        pages = [[], ["E1"], ["E2"], stored, stored[::-1], ["X"] * 150 + ["E5"], stored * 26]
        for ids in pages:
            with Session(engine) as session:
                expected = ranking.trackings(session, park_id=PARK, ids=ids)
            with statements_run(engine) as statements, engine.connect() as connection:
                park, tracked = _park_and_tracked(connection, PARK, PARK, ids)
            assert len(statements) == 1
            assert park == {"park_id": PARK, "name": c.get(URL).json()["park"]["name"]}
            assert tracked == expected, len(ids)
            assert bool(tracked) == any(e in {"E1", "E3", "E5"} for e in ids)
        with engine.connect() as connection, pytest.raises(UnknownIdError):
            _park_and_tracked(connection, "NOPE", "NOPE", ["E1"])
