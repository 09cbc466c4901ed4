"""Lead tracking: status, owner, note; every change kept with time and actor."""

from __future__ import annotations

from .conftest import LI, ZHANG


def test_status_history_records_time_actor_and_previous_status(client):
    r = client.put(
        "/parks/P-AL/leads/E1", json={"status": "contacted", "owner": "张三"}, headers=ZHANG
    )
    assert r.status_code == 200
    first = r.json()
    assert (first["status"], first["status_label"], first["owner"]) == (
        "contacted",
        "已联系",
        "张三",
    )
    assert first["updated_by"] == "zhangsan"
    r = client.put(
        "/parks/P-AL/leads/E1", json={"status": "洽谈中", "note": "约了下周二"}, headers=LI
    )
    assert r.status_code == 200
    second = r.json()
    assert second["status"] == "negotiating" and second["owner"] == "张三"  # owner kept
    assert second["note"] == "约了下周二" and second["updated_by"] == "lisi"
    detail = client.get("/parks/P-AL/leads/E1").json()
    assert detail["tracking"]["status"] == "negotiating"
    history = detail["history"]
    assert [(h["status"], h["previous_status"], h["actor"]) for h in history] == [
        ("negotiating", "contacted", "lisi"),
        ("contacted", None, "zhangsan"),
    ]
    assert history[0]["status_label"] == "洽谈中"
    assert history[0]["changed_at"] >= history[1]["changed_at"]


def test_repeating_the_same_state_adds_no_history(client):
    body = {"status": "visited", "owner": "王五", "note": "已走访"}
    assert client.put("/parks/P-AL/leads/E2", json=body, headers=ZHANG).status_code == 200
    assert client.put("/parks/P-AL/leads/E2", json=body, headers=LI).status_code == 200
    history = client.get("/parks/P-AL/leads/E2").json()["history"]
    assert len(history) == 1 and history[0]["actor"] == "zhangsan"
    r = client.put("/parks/P-AL/leads/E2", json={"status": "visited", "note": None}, headers=LI)
    assert r.json()["note"] is None
    assert len(client.get("/parks/P-AL/leads/E2").json()["history"]) == 2


def test_leads_list_shows_status_and_filters_by_it(client):
    client.put("/parks/P-AL/leads/E1", json={"status": "signed"}, headers=ZHANG)
    client.put("/parks/P-AL/leads/E2", json={"status": "abandoned"}, headers=ZHANG)
    client.put("/parks/P-FOOD/leads/E1", json={"status": "new"}, headers=ZHANG)
    everything = client.get("/parks/P-AL/leads", params={"limit": 50}).json()
    by_id = {d["enterprise_id"]: d for d in everything["data"]}
    assert by_id["E1"]["tracking"]["status"] == "signed"
    assert by_id["E2"]["tracking"]["status_label"] == "已放弃"
    assert by_id["E4"]["tracking"] is None
    signed = client.get("/parks/P-AL/leads", params={"status": "已签约"}).json()
    assert [d["enterprise_id"] for d in signed["data"]] == ["E1"] and signed["count"] == 1
    both = client.get("/parks/P-AL/leads", params={"status": ["signed", "abandoned"]}).json()
    assert {d["enterprise_id"] for d in both["data"]} == {"E1", "E2"}
    untracked = client.get("/parks/P-AL/leads", params={"status": "untracked", "limit": 50}).json()
    assert untracked["count"] == everything["count"] - 2
    assert not {"E1", "E2"} & {d["enterprise_id"] for d in untracked["data"]}
    # a status change shows at once, without an index rebuild
    client.put("/parks/P-AL/leads/E4", json={"status": "contacted"}, headers=ZHANG)
    again = client.get("/parks/P-AL/leads", params={"limit": 50}).json()
    assert again["index_version"] == everything["index_version"]
    assert {d["enterprise_id"]: d for d in again["data"]}["E4"]["tracking"]["status"] == "contacted"


def test_tracked_leads_across_parks(client):
    client.put("/parks/P-AL/leads/E1", json={"status": "signed", "owner": "张三"}, headers=ZHANG)
    client.put("/parks/P-FOOD/leads/E3", json={"status": "visited", "owner": "李四"}, headers=LI)
    everything = client.get("/leads").json()
    assert everything["count"] == 2
    assert everything["data"][0]["enterprise_id"] == "E3"  # most recent first
    assert client.get("/leads", params={"owner": "张三"}).json()["data"][0]["park_id"] == "P-AL"
    assert client.get("/leads", params={"status": "已走访"}).json()["count"] == 1
    assert client.get("/leads", params={"park_id": "P-AL"}).json()["count"] == 1
    assert (
        client.get("/leads", params={"limit": 1, "offset": 1}).json()["data"][0]["park_id"]
        == "P-AL"
    )


def test_bad_status_and_unknown_ids(client):
    r = client.put("/parks/P-AL/leads/E1", json={"status": "won"}, headers=ZHANG)
    assert r.status_code == 422
    assert "status" in r.json()["detail"]
    r = client.put("/parks/P-AL/leads/E1", json={"owner": "张三"}, headers=ZHANG)
    assert r.status_code == 422  # status is required
    r = client.put("/parks/P-AL/leads/NOPE", json={"status": "new"}, headers=ZHANG)
    assert r.status_code == 404 and "NOPE" in r.json()["detail"]
    r = client.put("/parks/NOPE/leads/E1", json={"status": "new"}, headers=ZHANG)
    assert r.status_code == 404
    assert client.get("/leads").json()["count"] == 0


def test_reverse_ranking_shows_the_status_each_park_recorded(client):
    client.put("/parks/P-FOOD/leads/E3", json={"status": "settled"}, headers=ZHANG)
    body = client.get("/enterprises/E3/parks", params={"include_ineligible": True}).json()
    by_park = {d["park_id"]: d["tracking"] for d in body["data"]}
    assert by_park["P-FOOD"]["status"] == "settled"
    assert by_park["P-AL"] is None
