"""Parks, enterprises and tenants: list with filters and paging, read, create, update, delete."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import store

from .conftest import ZHANG, wait_index


def _ids(body: dict, key: str) -> list[str]:
    return [d[key] for d in body["data"]]


def test_enterprises_list_pages_with_total_count(shared_client):
    client = shared_client
    first = client.get("/enterprises", params={"limit": 3}).json()
    second = client.get("/enterprises", params={"limit": 3, "offset": 3}).json()
    everything = client.get("/enterprises", params={"limit": 500}).json()
    assert first["count"] == second["count"] == everything["count"] == 8
    assert (
        _ids(first, "enterprise_id") + _ids(second, "enterprise_id")
        == _ids(everything, "enterprise_id")[:6]
    )


def test_enterprises_filters(shared_client):
    client = shared_client

    def ids(**params) -> set[str]:
        body = client.get("/enterprises", params={"limit": 500, **params}).json()
        assert body["count"] == len(body["data"])
        return set(_ids(body, "enterprise_id"))

    assert ids(county="巩义市") == {"E1", "E5", "E6", "E8"}
    assert ids(county=["鞏義市", "新郑市"]) == {"E1", "E3", "E5", "E6", "E8"}
    assert ids(industry="C325") == {"E1", "E2", "E6", "E8"}
    assert ids(industry="3252") == {"E1", "E2", "E6"}
    assert ids(srdi_level=["provincial", "national"]) == {"E2", "E8"}
    assert ids(high_tech=True) == {"E1", "E8"}
    assert ids(q="速凍") == {"E3"}  # 繁體 query, 简体 data
    assert ids(q="%") == set()  # LIKE wildcards are literal
    sizes = {e["size_class"] for e in client.get("/enterprises").json()["data"]}
    for size in sizes - {None}:
        assert all(
            e["size_class"] == size
            for e in client.get("/enterprises", params={"size_class": size}).json()["data"]
        )


def test_parks_list_filters(shared_client):
    client = shared_client

    def ids(**params) -> set[str]:
        return set(_ids(client.get("/parks", params=params).json(), "park_id"))

    assert ids() == {"P-AL", "P-FOOD"}
    assert ids(county="新郑市") == {"P-FOOD"}
    assert ids(industry="33") == {"P-AL"}  # 3392 is the second leading code
    assert ids(industry="14") == {"P-FOOD"}
    assert ids(q="速冻") == {"P-FOOD"}


def test_read_one_and_404(shared_client):
    client = shared_client
    r = client.get("/parks/P-AL")
    assert r.status_code == 200 and r.json()["name"] == "巩义铝精深加工园"
    r = client.get("/enterprises/E1")
    assert r.status_code == 200 and r.json()["credit_code"] is None
    for path in ("/parks/NOPE", "/enterprises/NOPE"):
        r = client.get(path)
        assert r.status_code == 404
        assert "NOPE" in r.json()["detail"]


def test_create_enterprise_validates_like_a_sheet(client):
    good = {
        "enterprise_id": "N1",
        "name": "郑州新铝有限公司",
        "industry_code": "Ｃ３２５２",
        "employees": "1,200",
        "revenue_wan": 80000,
        "srdi_level": "专精特新中小企业",
        "high_tech": "是",
        "county": "巩义市",
        "extra": {"来源": "走访"},
    }
    r = client.post("/enterprises", json=good, headers=ZHANG)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["industry_code"], body["employees"], body["srdi_level"]) == (
        "3252",
        1200,
        "provincial",
    )
    assert body["high_tech"] is True and body["extra"] == {"来源": "走访"}
    assert client.post("/enterprises", json=good, headers=ZHANG).status_code == 409
    bad = {
        **good,
        "enterprise_id": "N2",
        "industry_code": "XYZ",
        "patents": -1,
        "credit_code": "123",
    }
    r = client.post("/enterprises", json=bad, headers=ZHANG)
    assert r.status_code == 422
    assert {p["column"] for p in r.json()["problems"]} == {
        "industry_code",
        "patents",
        "credit_code",
    }
    assert client.get("/enterprises/N2").status_code == 404
    r = client.post(
        "/enterprises",
        json={**good, "enterprise_id": "N3", "extra": {"county": "x"}},
        headers=ZHANG,
    )
    assert r.status_code == 422 and "county" in r.json()["detail"]
    r = client.post("/enterprises", json={"name": "无编号"}, headers=ZHANG)
    assert r.status_code == 422 and "enterprise_id" in r.json()["detail"]


def test_update_enterprise_changes_only_given_fields_and_rederives(client):
    before = client.get("/enterprises/E1").json()
    assert before["location_source"] == "county"
    r = client.patch(
        "/enterprises/E1", json={"county": "登封市", "note_field_unknown": 1}, headers=ZHANG
    )
    assert r.status_code == 422  # unknown field
    r = client.patch("/enterprises/E1", json={"county": "登封市"}, headers=ZHANG)
    assert r.status_code == 200
    after = r.json()
    assert after["county"] == "登封市" and after["name"] == before["name"]
    assert (after["lat"], after["lon"]) != (before["lat"], before["lon"])  # located again
    assert (
        after["created_at"] == before["created_at"] and after["updated_at"] > before["updated_at"]
    )
    r = client.patch("/enterprises/E1", json={"srdi_level": None}, headers=ZHANG)
    assert r.json()["srdi_level"] is None
    r = client.patch("/enterprises/E1", json={"employees": "many"}, headers=ZHANG)
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "employees"
    assert client.patch("/enterprises/NOPE", json={"county": "x"}, headers=ZHANG).status_code == 404


def test_create_update_delete_park_and_the_index_follows(client):
    park = {
        "park_id": "P-NEW",
        "name": "荥阳铝加工园",
        "county": "荥阳市",
        "city": "郑州市",
        "province": "河南省",
        "leading_industries": ["3252", "C3392"],
        "positioning": "铝型材加工",
        "available_sqm": 30000,
        "weights": {"industry": 0.5},
    }
    r = client.post("/parks", json=park, headers=ZHANG)
    assert r.status_code == 201, r.json()
    assert r.json()["leading_industries"] == ["3252", "3392"]
    assert client.post("/parks", json=park, headers=ZHANG).status_code == 409
    bad = {**park, "park_id": "P-BAD", "weights": {"colour": 1}}
    assert client.post("/parks", json=bad, headers=ZHANG).status_code == 422
    wait_index(client)
    leads = client.get("/parks/P-NEW/leads").json()
    assert leads["data"][0]["enterprise_id"] in {"E1", "E2"}
    r = client.patch(
        "/parks/P-NEW", json={"excluded_industries": "3252", "weights": None}, headers=ZHANG
    )
    assert r.status_code == 200 and r.json()["weights"] == {}
    assert r.json()["excluded_industries"] == ["3252"]
    wait_index(client)
    eligible = {d["enterprise_id"] for d in client.get("/parks/P-NEW/leads").json()["data"]}
    assert not eligible & {"E1", "E2", "E6"}
    assert client.delete("/parks/P-NEW", headers=ZHANG).status_code == 204
    assert client.get("/parks/P-NEW").status_code == 404
    assert client.get("/parks/P-NEW/leads").status_code == 404
    assert client.delete("/parks/P-NEW", headers=ZHANG).status_code == 404


def test_delete_enterprise_removes_its_tenancy_and_status_but_keeps_history(client):
    assert (
        client.post(
            "/tenants", json={"park_id": "P-AL", "enterprise_id": "E8"}, headers=ZHANG
        ).status_code
        == 201
    )
    assert (
        client.put("/parks/P-AL/leads/E8", json={"status": "visited"}, headers=ZHANG).status_code
        == 200
    )
    assert client.delete("/enterprises/E8", headers=ZHANG).status_code == 204
    assert client.get("/tenants", params={"enterprise_id": "E8"}).json()["count"] == 0
    assert client.get("/leads", params={"enterprise_id": "E8"}).json()["count"] == 0
    wait_index(client)
    ids = {
        d["enterprise_id"]
        for d in client.get("/parks/P-AL/leads", params={"limit": 50}).json()["data"]
    }
    assert "E8" not in ids
    with Session(client.app.state.engine) as session:
        kept = session.scalars(
            select(store.LeadHistory).where(store.LeadHistory.enterprise_id == "E8")
        ).all()
    assert [h.status for h in kept] == ["visited"]


def test_tenants_add_list_remove(client):
    r = client.post("/tenants", json={"park_id": "P-AL", "enterprise_id": "E1"}, headers=ZHANG)
    assert r.status_code == 201 and r.json()["park_id"] == "P-AL"
    assert (
        client.post(
            "/tenants", json={"park_id": "P-AL", "enterprise_id": "E1"}, headers=ZHANG
        ).status_code
        == 409
    )
    assert (
        client.post(
            "/tenants", json={"park_id": "NOPE", "enterprise_id": "E1"}, headers=ZHANG
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/tenants", json={"park_id": "P-AL", "enterprise_id": "NOPE"}, headers=ZHANG
        ).status_code
        == 404
    )
    listed = client.get("/tenants", params={"park_id": "P-AL"}).json()
    assert listed["count"] == 1 and listed["data"][0]["enterprise_id"] == "E1"
    assert client.delete("/tenants/P-AL/E1", headers=ZHANG).status_code == 204
    assert client.delete("/tenants/P-AL/E1", headers=ZHANG).status_code == 404
    assert client.get("/tenants").json()["count"] == 0
