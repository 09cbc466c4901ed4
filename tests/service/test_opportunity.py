"""Events, policies, entry standards, vetting, signals and the 研判 report over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.report import FontNotFoundError, find_cjk_font

from .conftest import ZHANG, upload

EVENTS_CSV = """企业编号,事件类型,日期,来源,事件详情,置信度
E1,融资,2026-09-10,企业公告,完成 B 轮融资 2 亿元,1
E1,扩产,2026-10-01,环评公示,公告铝板带扩产项目,0.9
E2,外迁,2026-08-01,新闻报道,拟迁出现址,80%
"""
POLICIES_CSV = """政策编号,园区编号,政策名称,扶持金额(万元),申报开始,申报截止,条件字段,比较,条件值,硬性条件
Z1,P-AL,小微企业租金补贴,30,,,行业代码,属于,3252;3392,是
Z1,,,,,,专利数,不低于,5,否
Z2,P-AL,专精特新入园奖励,50,2026-01-01,2026-12-31,专精特新,不低于,省级,是
Z3,P-AL,2025 技改补助,200,2025-01-01,2025-12-31,行业代码,属于,32,是
Z4,P-AL,扩产贴息,50,,,企业动态,属于,融资;扩产,是
"""
PROJECT = {
    "项目名称": "年产 5 万吨铝板带项目",
    "用地面积(亩)": 40,
    "固定资产投资(万元)": 16000,
    "达产年税收(万元)": 800,
    "达产年产值(万元)": 20000,
    "总建筑面积(平方米)": 32000,
    "建筑及堆场占地面积(平方米)": 12000,
    "行政办公及生活服务设施用地(平方米)": 1600,
    "绿地面积(平方米)": 2000,
    "年综合能耗(吨标准煤)": 5000,
}
AS_OF = {"as_of": "2026-11-30"}


def _seed(client) -> None:
    assert upload(client, "events", EVENTS_CSV, name="事件.csv").status_code == 200
    assert upload(client, "policies", POLICIES_CSV, name="政策.csv").status_code == 200


def test_import_events_validates_everything_and_writes_once(client) -> None:
    dry = upload(client, "events", EVENTS_CSV, name="事件.csv", dry_run="true")
    assert dry.status_code == 200 and dry.json()["inserted"] == 3 and dry.json()["dry_run"]
    assert client.get("/events").json()["count"] == 0
    first = upload(client, "events", EVENTS_CSV, name="事件.csv")
    assert first.status_code == 200, first.text
    assert first.json() == {
        "kind": "events",
        "file": "事件.csv",
        "rows": 3,
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
    }
    again = upload(client, "events", EVENTS_CSV, name="事件.csv").json()
    assert again["inserted"] == 0 and again["unchanged"] == 3
    listed = client.get("/events", params={"enterprise_id": "E1"}).json()
    assert listed["count"] == 2 and listed["data"][0]["detail"] == "公告铝板带扩产项目"
    assert listed["data"][0]["kind_label"] == "扩产/新项目公告"
    assert client.get("/events", params={"kind": "外迁"}).json()["count"] == 1
    bad = "企业编号,事件类型,日期\nE1,天降横财,2026-01-01\nNOPE,融资,2026-13-01\n"
    resp = upload(client, "events", bad, name="bad.csv")
    assert resp.status_code == 422
    where = {(p["row"], p["column"]) for p in resp.json()["problems"]}
    assert where == {(2, "事件类型"), (3, "企业编号"), (3, "日期")}
    assert client.get("/events").json()["count"] == 3  # nothing of the bad file was written
    assert upload(client, "events", EVENTS_CSV, headers={}).status_code == 401


def test_policies_import_sheet_and_json_then_match(client) -> None:
    _seed(client)
    policies = client.get("/policies", params={"park_id": "P-AL"}).json()
    assert policies["count"] == 4
    z1 = next(p for p in policies["data"] if p["policy_id"] == "Z1")
    assert [c["field"] for c in z1["conditions"]] == ["industry_code", "patents"]
    resp = client.get("/parks/P-AL/policies/E1", params=AS_OF)
    assert resp.status_code == 200, resp.text
    states = {r["policy_id"]: r["status"] for r in resp.json()["data"]}
    # E1: 3252 with 6 patents; 创新型 (not 省级); financing and expansion events
    assert states == {"Z1": "推荐", "Z2": "不推荐", "Z3": "已过期", "Z4": "推荐"}
    e4 = {
        r["policy_id"]: r
        for r in client.get("/parks/P-AL/policies/E4", params=AS_OF).json()["data"]
    }
    assert e4["Z2"]["status"] == "需补充信息" and e4["Z2"]["missing"] == "专精特新"
    data = {
        "policies": [
            {
                "policy_id": "Z2",
                "park_id": "P-AL",
                "name": "专精特新入园奖励（修订）",
                "conditions": [{"field": "专精特新", "op": ">=", "value": "创新型"}],
            }
        ]
    }
    files = {"file": ("p.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))}
    resp = client.post("/imports/policies", files=files, headers=ZHANG)
    assert resp.status_code == 200 and resp.json()["updated"] == 1
    states = {
        r["policy_id"]: r["status"]
        for r in client.get("/parks/P-AL/policies/E1", params=AS_OF).json()["data"]
    }
    assert states["Z2"] == "推荐"
    bad = {"policies": [{"policy_id": "Q", "park_id": "NOPE", "name": "x"}]}
    files = {"file": ("p.json", json.dumps(bad).encode("utf-8"))}
    resp = client.post("/imports/policies", files=files, headers=ZHANG)
    assert resp.status_code == 422
    assert resp.json()["problems"][0]["column"] == "policies[0].park_id"


def test_policy_leads_filter_and_boost(client) -> None:
    _seed(client)
    resp = client.get("/parks/P-AL/policy-leads", params={"min_policies": 2, "boost": 5, **AS_OF})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [r["enterprise_id"] for r in body["data"]] == ["E1"]  # Z1 and Z4
    lead = body["data"][0]
    assert lead["policies_recommended"] == 2 and lead["rank_score"] == pytest.approx(
        lead["score"] + 10
    )
    assert lead["reasons"][0].startswith("政策匹配：符合 2 项政策")
    plain = client.get("/parks/P-AL/leads", params={"limit": 50}).json()
    scores = {r["enterprise_id"]: r["score"] for r in plain["data"]}
    assert lead["score"] == pytest.approx(scores["E1"])  # the explained score is unchanged


def test_signals_rank_by_timing_and_name_the_events(client) -> None:
    _seed(client)
    resp = client.get("/parks/P-AL/signals", params={"min_score": 0, **AS_OF})
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    ids = [r["enterprise_id"] for r in data]
    assert ids[0] == "E1" and "E3" not in ids  # no events, no push: unknown, not listed
    assert "2026-09 完成 B 轮融资 2 亿元" in data[0]["reason"] and 0 < data[0]["timing"] <= 1
    # serving rankings keep their five families
    names = [c["name"] for c in client.get("/parks/P-AL/leads").json()["components"]]
    assert "signal" not in names


def test_vetting_with_default_and_imported_standards(client) -> None:
    resp = client.post("/parks/P-AL/vetting", json={"project": PROJECT})
    assert resp.status_code == 200, resp.text
    assert resp.json()["verdict"] == "通过"
    partial = {k: v for k, v in PROJECT.items() if k != "达产年税收(万元)"}
    body = client.post("/parks/P-AL/vetting", json={"project": partial}).json()
    assert body["verdict"] == "需补充信息" and body["missing"] == ["达产年税收(万元)"]
    standards = "园区编号,指标,标准值,硬性条件\nP-AL,亩均税收,25,是\n"
    assert upload(client, "standards", standards, name="标准.csv").status_code == 200
    body = client.post("/parks/P-AL/vetting", json={"project": PROJECT}).json()
    assert body["verdict"] == "未通过"
    tax = next(i for i in body["indicators"] if i["indicator"] == "tax_per_mu")
    assert tax["threshold"] == 25 and tax["status"] == "未达标"
    bad = client.post("/parks/P-AL/vetting", json={"project": {"用地面积(亩)": "很多"}})
    assert bad.status_code == 422 and bad.json()["problems"][0]["column"] == "用地面积(亩)"
    assert client.post("/parks/NOPE/vetting", json={"project": PROJECT}).status_code == 404


def test_report_json_and_files(client) -> None:
    _seed(client)
    resp = client.get("/parks/P-AL/leads/E1/report", params=AS_OF)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["enterprise_name"] == "巩义市恒达铝业有限公司"
    assert body["baseline"] + sum(r["contribution"] for r in body["waterfall"]) == pytest.approx(
        body["score"]
    )
    assert body["vetting"] is None and any(
        "项目评审需补充信息" in m or "拟落地项目" in m for m in body["missing"]
    )
    assert {p["status"] for p in body["policies"]} == {"推荐", "不推荐", "已过期"}
    assert body["signals"][0]["detail"] == "公告铝板带扩产项目"
    posted = client.post(
        "/parks/P-AL/leads/E1/report", json={"project": PROJECT, "as_of": "2026-11-30"}
    ).json()
    assert posted["vetting"]["verdict"] == "通过"
    for fmt, magic in (("xlsx", b"PK"), ("docx", b"PK")):
        resp = client.get("/parks/P-AL/leads/E1/report", params={"format": fmt, **AS_OF})
        assert resp.status_code == 200 and resp.content[:2] == magic
        assert "filename*=UTF-8''" in resp.headers["content-disposition"]
    assert client.get("/parks/P-AL/leads/NOPE/report").status_code == 404


def test_report_pdf(client) -> None:
    try:
        find_cjk_font()
    except FontNotFoundError as exc:
        pytest.skip(f"no Chinese TrueType font on this machine: {exc}")
    resp = client.get("/parks/P-AL/leads/E1/report", params={"format": "pdf"})
    assert resp.status_code == 200 and resp.content[:5] == b"%PDF-"
    assert resp.headers["content-type"] == "application/pdf"


def test_report_pdf_without_font_is_503_with_the_fix(client, monkeypatch, tmp_path: Path) -> None:
    fake = tmp_path / "x.ttf"
    fake.write_bytes(b"no")
    monkeypatch.setenv("PARKMATCH_CJK_FONT", str(fake))
    resp = client.get("/parks/P-AL/leads/E1/report", params={"format": "pdf"})
    assert resp.status_code == 503 and "fonts-wqy-zenhei" in resp.json()["detail"]
    assert client.get("/parks/P-AL/leads/E1/report", params={"format": "docx"}).status_code == 200


# ---------------------------------------------------------------------------- issue 10's rules
def test_opportunity_imports_follow_the_import_rules(client) -> None:
    """Keys, limits and the capped, downloadable problem list, as for /imports/{kind}."""
    head = "企业编号,事件类型,日期\n"
    bad = head + "".join(f"E1,天降横财{i},2026-01-01\n" for i in range(150))
    r = upload(client, "events", bad, name="bad.csv")
    assert r.status_code == 422
    body = r.json()
    assert body["problem_total"] == 150 and len(body["problems"]) == 100
    full = client.get(body["problems_url"], headers=ZHANG)
    assert full.status_code == 200 and full.text.count("天降横财") == 150
    assert client.get("/events").json()["count"] == 0
    for kind in ("events", "policies", "standards"):
        assert upload(client, kind, "x", headers={}).status_code == 401
        assert upload(client, kind, "x", headers={"X-API-Key": "y" * 20}).status_code == 403
    r = upload(client, "events", head + "E1,融资,2026-01-01\n", name="事件.json")
    assert r.status_code == 422 and ".json" in r.json()["detail"]  # a sheet, not a 500
    deep = "[" * 50_000 + "]" * 50_000
    r = upload(client, "policies", deep, name="政策.json")
    assert r.status_code == 422 and "嵌套" in r.json()["detail"]


def test_import_limits_apply_to_events(tmp_path) -> None:
    from .conftest import make_settings, running

    with running(make_settings(tmp_path, max_rows=2, max_cell_chars=10)) as c:
        rows = "企业编号,事件类型,日期\n" + "E1,融资,2026-01-01\n" * 3
        r = upload(c, "events", rows, name="e.csv")
        assert r.status_code == 422 and "行数" in r.json()["detail"]
        r = upload(c, "policies", "政策编号,政策名称\nZ1," + "长" * 11 + "\n", name="p.csv")
        assert r.status_code == 422 and "过长" in r.json()["detail"]


def test_signals_fit_takes_a_heavy_slot_and_is_kept_only_briefly(client) -> None:
    """Fitting the 招商时机 matcher is as much work as an index build: it takes a heavy-work slot
    (429 while they are all taken); once fitted it is answered without one; at most TIMING_KEPT
    fitted matchers are kept per snapshot whatever dates are asked for."""
    from service.routes.opportunity import TIMING_KEPT

    _seed(client)
    slots = client.app.state.heavy
    assert slots.acquire(blocking=False)
    try:
        busy = client.get("/parks/P-AL/signals", params={"min_score": 0, **AS_OF})
        assert busy.status_code == 429 and busy.headers["Retry-After"]
        assert client.get("/parks/P-AL/leads").status_code == 200  # plain reads do not wait
    finally:
        slots.release()
    first = client.get("/parks/P-AL/signals", params={"min_score": 0, **AS_OF})
    assert first.status_code == 200, first.text
    assert slots.acquire(blocking=False)
    try:  # the fitted matcher is kept: no slot needed
        again = client.get("/parks/P-AL/signals", params={"min_score": 0, **AS_OF})
        assert again.status_code == 200 and again.json() == first.json()
    finally:
        slots.release()
    for day in ("2026-10-01", "2026-10-02", "2026-10-03"):
        r = client.get("/parks/P-AL/signals", params={"min_score": 0, "as_of": day})
        assert r.status_code == 200 and r.json()["as_of"] == day
    snapshot = client.app.state.indexer.snapshot
    assert len(snapshot.derived["signals"]) == TIMING_KEPT
    bad = client.get("/parks/P-AL/signals", params={"as_of": "明年"})
    assert bad.status_code == 422 and bad.json()["detail"]
    assert slots.acquire(blocking=False)
    try:  # a bad date is read before any fit: 422 even while every heavy slot is taken
        bad = client.get("/parks/P-AL/signals", params={"as_of": "2026-13-45"})
        assert bad.status_code == 422 and "评估日期" in bad.json()["detail"]
    finally:
        slots.release()
    assert len(snapshot.derived["signals"]) == TIMING_KEPT


def test_openapi_documents_the_errors_of_the_opportunity_operations(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for kind in ("events", "policies", "standards"):
        codes = set(paths[f"/imports/{kind}"]["post"]["responses"])
        assert {"401", "403", "404", "409", "413", "422", "503"} <= codes and "429" not in codes
    signals = paths["/parks/{park_id}/signals"]["get"]["responses"]
    assert {"404", "422", "429", "503"} <= set(signals) and "401" not in signals
    for path in ("/parks/{park_id}/policy-leads", "/parks/{park_id}/leads/{enterprise_id}/report"):
        codes = set(paths[path]["get"]["responses"])
        assert {"404", "422", "503"} <= codes and "429" not in codes
    assert "429" in paths["/allocations"]["post"]["responses"]
    assert "429" in paths["/models"]["post"]["responses"]


def _twice_at_once(client, kind: str, text: str, name: str) -> list:
    """Two identical uploads started together; their responses."""
    import threading

    start = threading.Barrier(2)
    results = []

    def one() -> None:
        start.wait()
        results.append(upload(client, kind, text, name=name))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_two_identical_concurrent_policy_and_standard_imports_both_succeed(client) -> None:
    """As for parks and enterprises: replacing by id is one INSERT … ON CONFLICT DO UPDATE, so
    the later of two identical imports updates instead of failing on the key (409)."""
    standards = "园区编号,指标,标准值,硬性条件\nP-AL,亩均税收,25,是\n,容积率,1.0,是\n"
    for kind, text, name, items in (
        ("policies", POLICIES_CSV, "政策.csv", 4),  # Z1 has two condition rows
        ("standards", standards, "标准.csv", 2),
    ):
        results = _twice_at_once(client, kind, text, name)
        assert sorted(r.status_code for r in results) == [200, 200], [r.text for r in results]
        assert all(r.json()["inserted"] + r.json()["updated"] == items for r in results)
    assert client.get("/policies").json()["count"] == 4
    body = client.post("/parks/P-AL/vetting", json={"project": PROJECT}).json()
    tax = next(i for i in body["indicators"] if i["indicator"] == "tax_per_mu")
    assert tax["threshold"] == 25


def test_two_identical_concurrent_event_imports_store_each_event_once(client) -> None:
    results = _twice_at_once(client, "events", EVENTS_CSV, "事件.csv")
    assert sorted(r.status_code for r in results) == [200, 200], [r.text for r in results]
    assert sorted(r.json()["inserted"] for r in results) == [0, 3]
    assert client.get("/events").json()["count"] == 3
