"""Ranked leads, the reverse ranking, profile matching and explanations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher import Matcher, load_sample

from .conftest import ZHANG, wait_index

PARK = "GY-LZ-AL"


@pytest.fixture(scope="module")
def sample() -> tuple[Matcher, pd.DataFrame]:
    """The library fitted directly on the bundled sample (what the service must reproduce)."""
    parks, enterprises = load_sample()
    return Matcher().fit(parks, enterprises), enterprises


def _ids(body: dict) -> list[str]:
    return [d["enterprise_id"] for d in body["data"]]


def test_leads_are_the_library_ranking_with_total_count(sample_client, sample):
    m, _ = sample
    expected = m.rank_enterprises(PARK, k=10)
    r = sample_client.get(f"/parks/{PARK}/leads", params={"limit": 10})
    assert r.status_code == 200
    body = r.json()
    assert _ids(body) == expected["enterprise_id"].tolist()
    assert [d["score"] for d in body["data"]] == pytest.approx(expected["score"].tolist())
    assert body["count"] == expected.attrs["total"] > 10
    assert body["park"] == {
        "park_id": PARK,
        "name": m.parks_.set_index("park_id").loc[PARK, "name"],
    }
    assert body["model"]["description"] == "default weighted scorer"
    assert [c["name"] for c in body["components"]] == m.feature_names_
    first = body["data"][0]
    assert sum(first["contributions"].values()) == pytest.approx(first["score"])
    assert first["reasons"] and all(isinstance(x, str) and x for x in first["reasons"])
    assert first["tracking"] is None


def test_leads_second_page_continues_the_first(sample_client, sample):
    m, _ = sample
    expected = m.rank_enterprises(PARK, k=20)
    page2 = sample_client.get(f"/parks/{PARK}/leads", params={"limit": 10, "offset": 10}).json()
    assert _ids(page2) == expected["enterprise_id"].tolist()[10:20]
    assert [d["rank"] for d in page2["data"]] == list(range(11, 21))
    assert page2["count"] == expected.attrs["total"]
    assert (page2["limit"], page2["offset"]) == (10, 10)


def test_leads_filters_become_the_library_candidates(sample_client, sample):
    m, ents = sample
    mask = (ents["county"] == "巩义市") & ents["srdi_level"].isin(["provincial", "national"])
    expected = m.rank_enterprises(PARK, k=50, candidates=mask.to_numpy(bool))
    r = sample_client.get(
        f"/parks/{PARK}/leads",
        params={"limit": 50, "county": "鞏義市", "srdi_level": ["provincial", "national"]},
    )
    body = r.json()
    assert r.status_code == 200
    assert body["count"] == expected.attrs["total"] > 0
    assert _ids(body) == expected["enterprise_id"].tolist()
    assert {d["county"] for d in body["data"]} == {"巩义市"}
    assert {d["srdi_level"] for d in body["data"]} <= {"provincial", "national"}


def test_leads_industry_size_and_high_tech_filters(sample_client, sample):
    m, ents = sample
    codes = ents["industry_code"].fillna("")
    mask = (
        codes.str.startswith("33")
        & (ents["size_class"] == "small")
        & ents["high_tech"].eq(True).fillna(False)
    )
    expected = m.rank_enterprises(PARK, k=None, candidates=mask.to_numpy(bool))
    body = sample_client.get(
        f"/parks/{PARK}/leads",
        params={"limit": 200, "industry": "C33", "size_class": "small", "high_tech": True},
    ).json()
    assert body["count"] == expected.attrs["total"] > 0
    assert _ids(body) == expected["enterprise_id"].tolist()[:200]
    assert all(d["industry_code"].startswith("33") for d in body["data"])


def test_leads_min_score_and_weights_are_passed_to_the_library(sample_client, sample):
    m, _ = sample
    weights = {"industry": 0.6, "text": 0.4}
    expected = m.rank_enterprises(PARK, k=30, weights=weights, min_score=60.0)
    body = sample_client.get(
        f"/parks/{PARK}/leads",
        params={"limit": 30, "min_score": 60, "weights": "industry=0.6,text=0.4"},
    ).json()
    assert _ids(body) == expected["enterprise_id"].tolist()
    assert body["count"] == expected.attrs["total"]
    assert all(d["score"] >= 60 for d in body["data"])


def test_leads_ineligible_only_on_request_and_after_eligible(shared_client):
    client = shared_client
    plain = client.get("/parks/P-AL/leads", params={"limit": 50}).json()
    assert "E5" not in _ids(plain) and "E6" not in _ids(plain)  # excluded industry, too big
    full = client.get("/parks/P-AL/leads", params={"limit": 50, "include_ineligible": True}).json()
    assert full["count"] == plain["count"] + 2
    flags = [d["eligible"] for d in full["data"]]
    assert flags == sorted(flags, reverse=True)
    by_id = {d["enterprise_id"]: d for d in full["data"]}
    assert by_id["E5"]["eligible"] is False
    assert by_id["E5"]["reasons"][0].startswith("不符合入驻条件")
    assert by_id["E6"]["eligible"] is False


def test_leads_unknown_park_returns_404(shared_client):
    client = shared_client
    r = client.get("/parks/NO-SUCH-PARK/leads")
    assert r.status_code == 404
    assert "NO-SUCH-PARK" in r.json()["detail"]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"weights": "colour=1"}, "colour"),
        ({"weights": "industry"}, "名称=数值"),
        ({"limit": 0}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"srdi_level": "gold"}, "srdi_level"),
        ({"status": "maybe"}, "maybe"),
        ({"min_score": "high"}, "min_score"),
    ],
)
def test_leads_bad_parameters_return_422_with_detail(shared_client, params, needle):
    client = shared_client
    r = client.get("/parks/P-AL/leads", params=params)
    assert r.status_code == 422
    assert needle in r.json()["detail"]


def test_enterprise_parks_is_the_library_reverse_ranking(sample_client, sample):
    m, _ = sample
    enterprise = m.rank_enterprises(PARK, k=1)["enterprise_id"].iloc[0]
    expected = m.rank_parks(enterprise, k=5)
    r = sample_client.get(f"/enterprises/{enterprise}/parks")
    assert r.status_code == 200
    body = r.json()
    assert [d["park_id"] for d in body["data"]] == expected["park_id"].tolist()
    assert [d["score"] for d in body["data"]] == pytest.approx(expected["score"].tolist())
    assert body["count"] == expected.attrs["total"]
    assert body["enterprise"]["enterprise_id"] == enterprise
    assert sample_client.get("/enterprises/NOPE/parks").status_code == 404


def test_match_scores_a_profile_with_chinese_keys(sample_client, sample):
    m, _ = sample
    profile = {"行业代码": "3252", "经营范围": "铝板带箔、铝型材的生产与销售", "区县": "巩义市"}
    expected = m.rank_parks_for(profile, k=3)
    r = sample_client.post("/match", params={"limit": 3}, json=profile)
    assert r.status_code == 200
    body = r.json()
    assert [d["park_id"] for d in body["data"]] == expected["park_id"].tolist()
    assert [d["score"] for d in body["data"]] == pytest.approx(expected["score"].tolist())
    assert body["data"][0]["park_id"] == PARK
    assert body["model"]["name"] == "default"


def test_match_bad_profile_lists_every_problem(sample_client):
    r = sample_client.post("/match", json={"industry_code": "ABC", "employees": -5, "lat": 34})
    assert r.status_code == 422
    body = r.json()
    columns = {p["column"] for p in body["problems"]}
    assert {"industry_code", "employees"} <= columns
    assert len(body["problems"]) >= 3  # lat without lon too
    assert all(p["row"] is None for p in body["problems"])
    assert "未写入" in body["detail"]


def test_match_wrong_json_type_is_422_not_500(sample_client):
    r = sample_client.post("/match", json=["not", "an", "object"])
    assert r.status_code == 422
    r = sample_client.post(
        "/match", content=b"{broken", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422


def test_lead_detail_explains_the_score(shared_client):
    client = shared_client
    r = client.get("/parks/P-AL/leads/E1")
    assert r.status_code == 200
    body = r.json()
    e = body["explanation"]
    assert e["baseline"] + sum(e["contributions"].values()) == pytest.approx(e["score"])
    top = client.get("/parks/P-AL/leads", params={"limit": 50}).json()["data"]
    assert e["score"] == pytest.approx(next(d["score"] for d in top if d["enterprise_id"] == "E1"))
    assert body["park"]["park_id"] == "P-AL" and body["enterprise"]["enterprise_id"] == "E1"
    assert body["tracking"] is None and body["history"] == []
    assert np.isclose(sum(e["weights"].values()), 1.0)
    assert client.get("/parks/P-AL/leads/NOPE").status_code == 404
    assert client.get("/parks/NOPE/leads/E1").status_code == 404


def test_new_data_appears_after_the_rebuild_with_a_new_index_version(client):
    before = client.get("/parks/P-FOOD/leads").json()
    new = {
        "enterprise_id": "E9",
        "name": "新郑市好味速冻食品有限公司",
        "industry_code": "1432",
        "business_scope": "速冻食品的生产与销售",
        "county": "新郑市",
        "city": "郑州市",
        "province": "河南省",
    }
    assert client.post("/enterprises", json=new, headers=ZHANG).status_code == 201
    wait_index(client)
    after = client.get("/parks/P-FOOD/leads").json()
    assert after["index_version"] > before["index_version"]
    assert after["count"] == before["count"] + 1
    assert "E9" in _ids(after)
