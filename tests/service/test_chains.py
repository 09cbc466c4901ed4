"""Industry chains and city-level allocation: the chain report of a park (JSON and XLSX) and the
allocation of enterprises to parks (JSON and XLSX) within each park's free space."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from .conftest import ZHANG, wait_index

PARK = "GY-LZ-AL"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _tenant_ids(client: Any, park_id: str) -> set[str]:
    body = client.get("/tenants", params={"park_id": park_id, "limit": 500}).json()
    return {t["enterprise_id"] for t in body["data"]}


def _workbook(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content), read_only=True)


# ---------------------------------------------------------------------------- chain report
def test_chain_report_of_a_sample_park_sees_its_tenants(sample_client):
    r = sample_client.get(f"/parks/{PARK}/chain", params={"k": 3})
    assert r.status_code == 200, r.text
    report = r.json()
    tenants = _tenant_ids(sample_client, PARK)
    assert tenants, "the sample is seeded with tenants"
    assert report["park_id"] == PARK and report["has_tenants"]
    assert report["n_tenants"] == len(tenants)
    assert "铝产业链" in report["chains"]
    assert report["model"]["name"] == "default" and report["index_version"] >= 1
    nodes = report["nodes"]
    assert sum(n["n_tenants"] for n in nodes) >= 1
    gaps = {n["node_id"] for n in nodes if n["status_label"] in ("缺失", "薄弱", "可延链")}
    assert gaps, "the aluminium park has gaps to fill"
    leads = report["leads"]
    assert leads and {lead["node_id"] for lead in leads} <= gaps
    per_node = Counter(lead["node_id"] for lead in leads)
    assert max(per_node.values()) <= 3
    assert not {lead["enterprise_id"] for lead in leads} & tenants  # tenants are not leads
    assert all(lead["reasons"] for lead in leads)
    names = {n["node"] for n in nodes}
    assert all(e["upstream"] in names and e["downstream"] in names for e in report["edges"])


def test_chain_report_follows_tenants_added_through_the_api(client):
    before = client.get("/parks/P-AL/chain").json()
    assert not before["has_tenants"] and before["n_tenants"] == 0
    r = client.post("/tenants", json={"park_id": "P-AL", "enterprise_id": "E1"}, headers=ZHANG)
    assert r.status_code == 201
    wait_index(client)
    after = client.get("/parks/P-AL/chain").json()
    assert after["has_tenants"] and after["n_tenants"] == 1
    occupied = [n for n in after["nodes"] if "巩义市恒达铝业有限公司" in n["tenants"]]
    assert occupied and occupied[0]["n_tenants"] == 1
    assert "E1" not in {lead["enterprise_id"] for lead in after["leads"]}


def test_chain_report_errors(shared_client):
    r = shared_client.get("/parks/NOPE/chain")
    assert r.status_code == 404 and "NOPE" in r.json()["detail"]
    assert shared_client.get("/parks/NOPE/chain.xlsx").status_code == 404
    for params in ({"k": -1}, {"k": 51}, {"thin": 0}, {"k": "many"}):
        r = shared_client.get("/parks/P-AL/chain", params=params)
        assert r.status_code == 422, params
        assert r.json()["problems"]
    zero = shared_client.get("/parks/P-AL/chain", params={"k": 0}).json()
    assert zero["leads"] == [] and zero["nodes"]


def test_chain_report_exports_to_xlsx_with_a_chinese_file_name(sample_client):
    r = sample_client.get(f"/parks/{PARK}/chain.xlsx", params={"k": 2})
    assert r.status_code == 200
    assert r.headers["content-type"] == XLSX
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]).startswith(f"产业链报告-{PARK}-")
    report = sample_client.get(f"/parks/{PARK}/chain", params={"k": 2}).json()
    book = _workbook(r.content)
    assert book.sheetnames == ["产业链图谱", "补链线索", "上下游关系"]
    node_rows = list(book["产业链图谱"].values)
    assert "环节" in node_rows[0] and len(node_rows) - 1 == len(report["nodes"])
    assert len(list(book["补链线索"].values)) - 1 == len(report["leads"])


# ---------------------------------------------------------------------------- allocation
def _check_capacity(result: dict[str, Any], available: dict[str, float | None]) -> None:
    """No enterprise twice, and no park given more space than it has."""
    ids = [a["enterprise_id"] for a in result["assignments"]]
    assert len(ids) == len(set(ids))
    used: Counter[str] = Counter()
    for a in result["assignments"]:
        used[a["park_id"]] += a["space_need"]
    for park in result["parks"]:
        assert park["assigned_sqm"] == pytest.approx(used[park["park_id"]])
        cap = available[park["park_id"]]
        if cap is not None:
            assert used[park["park_id"]] <= cap + 1e-6


def test_allocation_of_sample_parks_respects_space_and_lead_quota(sample_client):
    parks = ["GY-LZ-AL", "SJ-TH", "DF-XCL"]
    r = sample_client.post(
        "/allocations", json={"park_ids": parks, "max_per_park": 3}, headers=ZHANG
    )
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["model"]["name"] == "default" and not result["reciprocal"]
    assert [p["park_id"] for p in result["parks"]] == parks
    per_park = Counter(a["park_id"] for a in result["assignments"])
    assert set(per_park) <= set(parks) and max(per_park.values()) <= 3
    available = {p["park_id"]: p["available_sqm"] for p in result["parks"]}
    _check_capacity(result, available)
    assert result["total_score"] == pytest.approx(sum(a["score"] for a in result["assignments"]))
    tenants = set().union(*(_tenant_ids(sample_client, p) for p in parks))
    assert not {a["enterprise_id"] for a in result["assignments"]} & tenants
    assert result["unassigned"] and all(u["reason"] for u in result["unassigned"])


def test_allocation_stays_within_a_small_park(client):
    r = client.patch("/parks/P-AL", json={"available_sqm": 5000}, headers=ZHANG)
    assert r.status_code == 200
    wait_index(client)
    result = client.post("/allocations", json={"park_ids": ["P-AL"]}, headers=ZHANG).json()
    assert result["parks"][0]["available_sqm"] == 5000
    _check_capacity(result, {"P-AL": 5000})
    assert result["assignments"], "at least one lead fits"
    assert result["unassigned"], "the candidates need more than 5,000 m²"
    assert any("面积" in u["reason"] for u in result["unassigned"])


def test_two_sided_allocation(shared_client):
    r = shared_client.post(
        "/allocations", json={"reciprocal": True, "max_per_park": 2}, headers=ZHANG
    )
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["reciprocal"] and result["model"]["name"] == "reciprocal"
    _check_capacity(result, {p["park_id"]: p["available_sqm"] for p in result["parks"]})
    one_sided = shared_client.post("/allocations", json={"max_per_park": 2}, headers=ZHANG).json()
    assert one_sided["model"]["name"] == "default"
    two = {(a["park_id"], a["enterprise_id"]): a["score"] for a in result["assignments"]}
    one = {(a["park_id"], a["enterprise_id"]): a["score"] for a in one_sided["assignments"]}
    assert two != one  # the enterprise's side changes the scores


def test_allocation_exports_to_xlsx(shared_client):
    r = shared_client.post(
        "/allocations", params={"format": "xlsx"}, json={"max_per_park": 2}, headers=ZHANG
    )
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    disposition = r.headers["content-disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]).startswith("招商分配方案-")
    book = _workbook(r.content)
    assert book.sheetnames == ["分配方案", "未分配", "园区汇总"]
    as_json = shared_client.post("/allocations", json={"max_per_park": 2}, headers=ZHANG).json()
    assert len(list(book["分配方案"].values)) - 1 == len(as_json["assignments"])
    assert len(list(book["园区汇总"].values)) - 1 == len(as_json["parks"])


def test_allocation_errors(shared_client):
    r = shared_client.post("/allocations", json={"park_ids": ["P-AL", "NOPE"]}, headers=ZHANG)
    assert r.status_code == 404 and "NOPE" in r.json()["detail"]
    for body in (
        {"park_ids": []},
        {"max_per_park": 0},
        {"candidates": 0},
        {"candidates": "lots"},
        {"parks": ["P-AL"]},
    ):
        r = shared_client.post("/allocations", json=body, headers=ZHANG)
        assert r.status_code == 422, body
        assert r.json()["problems"]
    assert (
        shared_client.post(
            "/allocations", params={"format": "pdf"}, json={}, headers=ZHANG
        ).status_code
        == 422
    )


def test_xlsx_exports_escape_formula_like_names(client):
    body = {
        "enterprise_id": "E9",
        "name": '=HYPERLINK("http://x")铝业',
        "industry_code": "3252",
        "business_scope": "铝板带箔、铝型材的生产与销售",
        "county": "巩义市",
        "city": "郑州市",
        "province": "河南省",
        "space_need_sqm": 1000,
    }
    assert client.post("/enterprises", json=body, headers=ZHANG).status_code == 201
    wait_index(client)
    r = client.post(
        "/allocations", params={"format": "xlsx"}, json={"park_ids": ["P-AL"]}, headers=ZHANG
    )
    rows = list(_workbook(r.content)["分配方案"].values)
    names = [row[rows[0].index("名称")] for row in rows[1:]]
    assert "'" + body["name"] in names
    report = client.get("/parks/P-AL/chain").json()
    assert body["name"] in {lead["name"] for lead in report["leads"]}
    r = client.get("/parks/P-AL/chain.xlsx")
    cells = [c for row in _workbook(r.content)["补链线索"].values for c in row]
    assert "'" + body["name"] in cells and body["name"] not in cells


# ---------------------------------------------------------------------------- heavy work
def test_allocation_needs_a_key(shared_client):
    """Defect 4: one unauthenticated call used to run the solver for a minute."""
    r = shared_client.post("/allocations", json={"max_per_park": 2})
    assert r.status_code == 401 and "X-API-Key" in r.json()["detail"]
    r = shared_client.post("/allocations", json={}, headers={"X-API-Key": "x" * 20})
    assert r.status_code == 403


def test_allocation_does_not_block_rankings_and_is_bounded(client, monkeypatch):
    """Defect 4: a running allocation held the lock uncached rankings need; now a leads request
    is answered while an allocation is still solving, a second heavy request gets 429, and the
    solver gets the configured time limit."""
    import threading

    from matcher import allocation

    started, release = threading.Event(), threading.Event()
    seen: dict[str, object] = {}
    original = allocation.allocate

    def slow_allocate(matcher, park_ids=None, **kwargs):
        seen.update(kwargs)
        started.set()
        assert release.wait(30), "the test never released the allocation"
        return original(matcher, park_ids, **kwargs)

    monkeypatch.setattr(allocation, "allocate", slow_allocate)
    result: dict[str, object] = {}

    def run() -> None:
        result["response"] = client.post("/allocations", json={}, headers=ZHANG)

    worker = threading.Thread(target=run)
    worker.start()
    try:
        assert started.wait(30)
        r = client.get("/parks/P-FOOD/leads", params={"limit": 3, "min_score": 1})
        assert r.status_code == 200 and r.json()["data"]  # answered while the solver runs
        busy = client.post("/allocations", json={}, headers=ZHANG)
        assert busy.status_code == 429 and busy.headers["Retry-After"]
    finally:
        release.set()
        worker.join(60)
    assert result["response"].status_code == 200  # type: ignore[union-attr]
    assert seen["time_limit"] == client.app.state.settings.allocation_time_limit_s
    assert client.post("/allocations", json={}, headers=ZHANG).status_code == 200  # slot freed
