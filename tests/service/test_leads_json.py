"""``GET /parks/{park_id}/leads`` sends pages joined from JSON encoded once (service/leadjson.py):
the bytes must be exactly what the ``response_model`` path renders, cached or not, tracked or not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from service import ranking, store
from service.routes.leads import lead_query
from service.schemas import LeadsPublic

from .conftest import ZHANG, literal_app, statements_run

PARK = "P-AL"

QUERIES: list[dict[str, Any]] = [
    {},
    {"limit": 3},
    {"limit": 3, "offset": 3},
    {"limit": 2, "offset": 7, "include_ineligible": "true"},
    {"include_ineligible": "true"},
    {"county": "巩义市"},
    {"county": ["巩义市", "荥阳市"], "srdi_level": ["provincial", "innovative"]},
    {"industry": "C32", "high_tech": "false"},
    {"min_score": 30},
    {"weights": "industry=0.5,text=0.3"},
    {"status": "contacted"},
    {"status": ["untracked", "新线索"], "limit": 4},
    {"offset": 500},
]

# owners and notes that JSON must escape, and text beyond the basic plane
TRACKED = [
    ("E1", {"status": "contacted", "owner": "张三", "note": '他说"下周"再谈\\回访；\n第二行 🚀'}),
    ("E6", {"status": "new"}),
    ("E4", {"status": "negotiating", "owner": "li \u2028 si", "note": "</script>&<'"}),
]


@contextmanager
def app_with_leads(folder: Path, **settings: Any) -> Iterator[Any]:
    """The literal parks and enterprises, three of P-AL's leads tracked."""
    with literal_app(folder, **settings) as c:
        for eid, body in TRACKED:
            r = c.put(f"/parks/{PARK}/leads/{eid}", json=body, headers=ZHANG)
            assert r.status_code == 200, r.text
        yield c


async def _query(params: dict[str, Any]) -> ranking.LeadQuery:
    """The route's own parsing of ``params`` (the dependency called as FastAPI would)."""

    def many(name: str) -> list[str]:
        value = params.get(name, [])
        return [str(v) for v in (value if isinstance(value, list) else [value])]

    def flag(name: str) -> bool | None:
        return None if name not in params else params[name] == "true"

    return await lead_query(
        limit=int(params.get("limit", 20)),
        offset=int(params.get("offset", 0)),
        min_score=params.get("min_score"),
        include_ineligible=bool(flag("include_ineligible")),
        county=many("county"),
        city=many("city"),
        srdi_level=many("srdi_level"),  # type: ignore[arg-type]  # Literal values
        size_class=[],
        industry=params.get("industry"),
        high_tech=flag("high_tech"),
        status=many("status"),
        weights=params.get("weights"),
    )


def rendered(client: Any, params: dict[str, Any]) -> bytes:
    """The page as the ``response_model`` path renders it (validate the dict, dump with
    pydantic as FastAPI does), from the ranking functions, independent of service/leadjson."""
    import asyncio

    query = asyncio.run(_query(params))
    snapshot = client.app.state.indexer.snapshot
    with Session(client.app.state.engine) as session:
        rows, total = ranking.rank_leads(snapshot, session, PARK, query)
        name = session.execute(
            select(store.Park.name).where(store.Park.park_id == PARK)
        ).scalar_one()
    content = {
        "park": {"park_id": PARK, "name": name},
        "model": snapshot.model,
        "index_version": snapshot.version,
        "components": snapshot.components,
        "data": [{**r, "source": "ranking", "propensity": None} for r in rows],
        "count": total,
        "limit": query.limit,
        "offset": query.offset,
        "exploration": False,
    }
    adapter = TypeAdapter(LeadsPublic)
    return adapter.dump_json(adapter.validate_python(content), by_alias=True)


@pytest.mark.parametrize("cache", [512, 0])
def test_pages_are_byte_for_byte_the_response_model_rendering(tmp_path, cache):
    with app_with_leads(tmp_path, response_cache_size=cache) as c:
        seen_tracked = 0
        for params in QUERIES:
            first = c.get(f"/parks/{PARK}/leads", params=params)
            again = c.get(f"/parks/{PARK}/leads", params=params)  # cached when the cache is on
            assert first.status_code == again.status_code == 200, first.text
            assert first.content == again.content, params
            assert first.content == rendered(c, params), params
            assert first.headers["content-type"] == "application/json"
            assert first.headers["content-length"] == str(len(first.content))
            seen_tracked += sum(d["tracking"] is not None for d in first.json()["data"])
        assert seen_tracked >= 3  # the tracked rows, escapes and all, were compared too
        status = c.get("/health").json()["index"]["response_cache"]
        if cache:
            assert status["hits"] >= len(QUERIES) - 2  # the status-filtered ones are not cached
        else:
            assert status["hits"] == 0


def test_a_cached_page_shows_the_latest_tracking_and_costs_one_statement(tmp_path):
    with app_with_leads(tmp_path) as c:
        url, params = f"/parks/{PARK}/leads", {"limit": 5}
        before = c.get(url, params=params).json()
        eid = before["data"][-1]["enterprise_id"]
        with statements_run(c.app.state.engine) as statements:
            cached = c.get(url, params=params)
        assert cached.json() == before
        assert len(statements) == 1, statements  # the park and the page's statuses together

        r = c.put(f"{url}/{eid}", json={"status": "visited", "owner": "王五"}, headers=ZHANG)
        assert r.status_code == 200
        after = c.get(url, params=params)
        row = next(d for d in after.json()["data"] if d["enterprise_id"] == eid)
        assert row["tracking"]["status"] == "visited" and row["tracking"]["owner"] == "王五"
        assert after.content == rendered(c, params)


def test_a_deleted_park_is_404_even_while_its_pages_are_cached(tmp_path):
    with app_with_leads(tmp_path, index_wait_s=0) as c:
        assert c.get(f"/parks/{PARK}/leads").status_code == 200
        snapshot = c.app.state.indexer.snapshot
        assert snapshot.responses.hits == 0
        assert c.get(f"/parks/{PARK}/leads").status_code == 200
        assert snapshot.responses.hits == 1  # the page is cached
        assert c.delete(f"/parks/{PARK}", headers=ZHANG).status_code == 204
        r = c.get(f"/parks/{PARK}/leads")
        assert r.status_code == 404
        assert PARK in r.json()["detail"]


def test_an_id_written_differently_finds_the_cached_page(tmp_path):
    with app_with_leads(tmp_path) as c:
        plain = c.get(f"/parks/{PARK}/leads", params={"limit": 4})
        wide = c.get("/parks/Ｐ-ＡＬ/leads", params={"limit": 4})  # full-width, NFKC-normalised
        assert wide.status_code == 200
        assert wide.content == plain.content


def test_exploration_pages_still_render_through_the_response_model(tmp_path):
    with app_with_leads(tmp_path, exploration=1.0, exploration_depth=2) as c:
        r = c.get(f"/parks/{PARK}/leads", params={"limit": 3})
        body = r.json()
        assert body["exploration"] is True
        assert [d["source"] for d in body["data"]] == ["random", "random", "ranking"]
        assert [d["rank"] for d in body["data"]] == [1, 2, 3]
        assert LeadsPublic.model_validate(body).model_dump(mode="json") == body
        second = c.get(f"/parks/{PARK}/leads", params={"limit": 3, "offset": 3})
        assert second.json()["exploration"] is False
        assert second.content == rendered(c, {"limit": 3, "offset": 3})


def _lead_row(i: int, name: str, reasons: list[str]) -> dict[str, Any]:
    return {
        "rank": i + 1,
        "enterprise_id": f"E{i}",
        "name": name,
        "score": 80.0 - i / 3,
        "eligible": i % 2 == 0,
        "contributions": {"industry": 30.5, "text": 1e-7 * i},
        "reasons": reasons,
        "county": None if i % 3 else "巩义市",
        "industry_code": "3216",
        "size_class": "small",
        "srdi_level": None,
    }


def test_a_page_of_row_parts_equals_each_row_encoded_alone(monkeypatch):
    from service import leadjson

    # names and reasons holding what ends a row, quotes, escapes and text beyond the basic plane
    tricky = [
        '甲"tracking":null,"source":"ranking","propensity":null},{乙',
        'null,"source":"ranking","propensity":null}]',
        "\\ \n 🚀 </script>",
        "",
    ]
    rows = [_lead_row(i, tricky[i % 4], [tricky[(i + 1) % 4], "区位"]) for i in range(9)]
    alone = [leadjson.row_part(r) for r in rows]
    assert leadjson.row_parts(rows) == alone
    assert leadjson.row_parts(rows[:1]) == alone[:1]
    assert leadjson.row_parts([]) == []
    # a list encoding that does not cut into one piece a row: each row is encoded alone
    monkeypatch.setattr(leadjson, "_UNTRACKED_END", b'null,"source":"random","propensity":null}')
    with pytest.raises(ValueError, match="LeadPublic"):
        leadjson.row_parts(rows)
