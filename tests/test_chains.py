"""Industry chains: the bundled data, placement of enterprises, park profiles and chain reports."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import ConfigError, Matcher, UnknownIdError, load_sample
from matcher.chains import (
    EXCLUDED,
    EXTEND,
    MISSING,
    OUT,
    SEGMENTS,
    STRONG,
    TARGET,
    THIN,
    chain_report,
    chain_state,
    load_chains,
    place_enterprises,
)
from matcher.datasets import load_sample_tenants
from matcher.features import ChainFeature, default_families
from matcher.io import validate_tenants
from matcher.reference.taxonomy import code_level, is_valid_code

# ---------------------------------------------------------------------------- a small chain park
_BASE = {"province": "河南省", "city": "郑州市"}
CASE_PARKS = [
    {
        "park_id": "P-AL",
        "name": "铝加工园",
        "county": "巩义市",
        "leading_industries": "3252;3392;3670",
        "positioning": "重点发展铝板带箔、铝型材、铝合金铸件和汽车轻量化零部件。园区不再承接电解铝项目。",
        "available_sqm": "50000",
        "excluded_industries": "3216",
        **_BASE,
    },
    {
        "park_id": "P-NEW",
        "name": "新建铝园",
        "county": "上街区",
        "leading_industries": "3252",
        "positioning": "铝板带箔精深加工",
        "available_sqm": "30000",
        "excluded_industries": "",
        **_BASE,
    },
    {
        "park_id": "P-FOOD",
        "name": "食品园",
        "county": "新郑市",
        "leading_industries": "1432",
        "positioning": "速冻食品",
        "available_sqm": "20000",
        "excluded_industries": "",
        **_BASE,
    },
]


def _ent(eid: str, code: str | None, products: str | None, scope: str | None = None, **kw):
    row = {
        "enterprise_id": eid,
        "name": kw.pop("name", f"企业{eid}"),
        "industry_code": code,
        "business_scope": scope if scope is not None else products,
        "products": products,
        "employees": "40",
        "revenue_wan": "3000",
        "county": kw.pop("county", "巩义市"),
        "space_need_sqm": kw.pop("space_need_sqm", "2000"),
        **_BASE,
    }
    row.update(kw)
    return row


CASE_ENTERPRISES = [
    _ent("T1", "3252", "铝板、铝箔", name="甲铝板公司"),
    _ent("T2", "3252", "铝板、铝带、铝箔", name="乙铝箔公司"),
    _ent("T3", "3252", "花纹铝板、铝卷", name="丙铝业公司"),
    _ent("T4", "3392", "铝合金压铸件", name="丁铸造公司"),
    _ent("T5", "1432", "速冻水饺、汤圆", name="戊食品公司", county="新郑市"),
    _ent("C1", "3670", "电池托盘、汽车轻量化结构件", name="轻量化部件公司"),
    _ent("C2", "3392", "铝合金铸件、铝合金压铸件", name="铸件公司"),
    _ent("C3", "3240", "铝合金锭、再生铝锭", name="再生铝公司"),
    _ent("C4", "3252", "铝板、铝箔", name="又一铝板公司"),
    _ent("C5", "1432", "速冻水饺", name="水饺公司"),
    _ent("C6", None, None, name="信息缺失公司"),
    _ent("C7", None, "铝合金压铸件、铝铸件", name="无代码铸件公司"),
    _ent("C8", "5179", "铝板、铝箔", name="铝板贸易公司"),
    _ent("C9", "3252", "铝合金型材、工业铝型材", name="型材公司"),
]
CASE_TENANTS = [("P-AL", "T1"), ("P-AL", "T2"), ("P-AL", "T3"), ("P-AL", "T4"), ("P-FOOD", "T5")]


def case_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The hand-built parks, enterprises and tenants (raw frames)."""
    tenants = pd.DataFrame(CASE_TENANTS, columns=["park_id", "enterprise_id"])
    return pd.DataFrame(CASE_PARKS), pd.DataFrame(CASE_ENTERPRISES), tenants


@pytest.fixture(scope="module")
def case() -> Matcher:
    parks, ents, tenants = case_frames()
    return Matcher(families=[*default_families(), ChainFeature()]).fit(parks, ents, tenants)


def _nodes(m: Matcher, eid: str) -> dict[str, float]:
    state = m.index_.parks.extras["chain:state"]
    row = m.index_.enterprises.position[eid]
    return {state.chains.nodes[n].id: c for n, c in state.placement.of(row)}


def _status(m: Matcher, park: str) -> dict[str, int]:
    state = m.index_.parks.extras["chain:state"]
    prof = state.profiles[m.index_.parks.position[park]]
    return {n.id: int(s) for n, s in zip(state.chains.nodes, prof.status, strict=True)}


# ---------------------------------------------------------------------------- the bundled data
def test_bundled_chains_are_complete_and_use_real_codes() -> None:
    chains = load_chains()
    ids = {c.id for c in chains.chains}
    assert {"aluminium", "new_materials", "equipment", "electronics", "food", "biomedicine"} <= ids
    for chain in chains.chains:
        assert chain.sources and all(s.get("title") for s in chain.sources), chain.id
        assert {n.segment for n in chain.nodes} == set(SEGMENTS), chain.id
        for node in chain.nodes:
            assert node.codes, node.id
            assert all(is_valid_code(c) and code_level(c) == 4 for c in node.codes), node.id
            assert node.keywords, node.id
    new_materials = {n.name for n in chains.chain("new_materials").nodes}
    for word in ("耐火材料", "超硬材料", "碳素石墨", "先进陶瓷", "磨料磨具"):
        assert any(word in name for name in new_materials), word


def test_aluminium_chain_runs_from_bauxite_to_applications() -> None:
    chain = load_chains().chain("aluminium")
    name = {n.id: n.name for n in chain.nodes}
    down = {n.id: set(chain.downstream(n.id)) for n in chain.nodes}

    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in down[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return {name[n] for n in seen}

    path = ["铝土矿", "氧化铝", "电解铝（原铝）", "铝合金锭与再生铝"]
    ids = {v: k for k, v in name.items()}
    for a, b in itertools.pairwise(path):
        assert ids[b] in down[ids[a]], (a, b)
    after_alloy = reachable(ids["铝合金锭与再生铝"])
    assert {"铝板带箔", "铝型材", "铝合金铸件"} <= after_alloy
    assert {"汽车轻量化零部件", "门窗幕墙与金属结构", "铝包装", "电子与电池应用"} <= after_alloy


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["nodes"][0].update(segment="中上游"), "segment"),
        (lambda d: d["nodes"][0].update(codes=["3250"]), "3250"),
        (lambda d: d["edges"].append(["a", "zz"]), "zz"),
        (lambda d: d["edges"].append(["b", "a"]), "环路"),
        (lambda d: d.pop("sources"), "sources"),
    ],
)
def test_malformed_chain_files_raise_config_error(tmp_path: Path, change, message) -> None:
    data = {
        "id": "x",
        "name": "测试链",
        "sources": [{"title": "公开常识", "use": "结构"}],
        "nodes": [
            {"id": "a", "name": "甲", "segment": "上游", "codes": ["3252"], "keywords": ["铝"]},
            {"id": "b", "name": "乙", "segment": "下游", "codes": ["3670"], "keywords": ["车"]},
        ],
        "edges": [["a", "b"]],
    }
    good = tmp_path / "good.json"
    good.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert [n.id for n in load_chains(good).nodes] == ["a", "b"]
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_chains(bad)


# ---------------------------------------------------------------------------- placement
def test_placement_by_code_and_products(case: Matcher) -> None:
    assert max(_nodes(case, "T1"), key=_nodes(case, "T1").get) == "al_flat"
    assert max(_nodes(case, "C9"), key=_nodes(case, "C9").get) == "al_extrusion"  # same code 3252
    assert set(_nodes(case, "C1")) >= {"al_auto"}
    assert max(_nodes(case, "C3"), key=_nodes(case, "C3").get) == "al_alloy"
    assert max(_nodes(case, "T5"), key=_nodes(case, "T5").get) == "fd_frozen"
    assert _nodes(case, "C6") == {}  # nothing known
    # without a code the text alone places it; a declared code elsewhere keeps it off the chain
    assert "al_casting" in _nodes(case, "C7")
    assert _nodes(case, "C8") == {}
    conf = _nodes(case, "T1")["al_flat"]
    assert 0.5 < conf <= 1.0


def test_placement_of_new_rows_matches_the_fitted_ones(case: Matcher) -> None:
    from matcher.index import with_enterprises

    _, ents, _ = case_frames()
    view = with_enterprises(case.index_, case.enterprises_)
    fitted = case.index_.parks.extras["chain:state"].placement
    again = place_enterprises(view, load_chains())
    np.testing.assert_array_equal(again.nodes, fitted.nodes)
    np.testing.assert_allclose(again.conf, fitted.conf, rtol=1e-6)
    assert len(ents) == len(again)


# ---------------------------------------------------------------------------- profiles and gaps
def test_gaps_of_a_hand_built_park(case: Matcher) -> None:
    status = _status(case, "P-AL")
    assert status["al_flat"] == STRONG  # three tenants
    assert status["al_casting"] == THIN  # one tenant
    assert status["al_auto"] == MISSING  # targeted by 3670, no tenant
    assert status["al_extrusion"] == MISSING  # named in the positioning
    assert status["al_alloy"] == EXTEND  # supplies the occupied links
    assert status["al_primary"] == EXCLUDED  # 3216 excluded, and refused in the positioning
    assert status["al_bauxite"] == OUT
    assert all(status[n.id] == OUT for n in load_chains().chain("food").nodes)


def test_park_without_tenant_information_has_targets_not_gaps(case: Matcher) -> None:
    status = _status(case, "P-NEW")  # not in the tenants table
    assert status["al_flat"] == TARGET
    assert MISSING not in status.values() and THIN not in status.values()


def test_thin_threshold_is_a_parameter(case: Matcher) -> None:
    state = chain_state(case.index_, case.parks_, case.tenants_, thin=4, cache=False)
    prof = state.profiles[case.index_.parks.position["P-AL"]]
    assert prof.status[state.chains.position["al_flat"]] == THIN  # 3 < 4
    with pytest.raises(ConfigError):
        chain_state(case.index_, case.parks_, case.tenants_, thin=0, cache=False)


# ---------------------------------------------------------------------------- report
def test_chain_report_lists_gaps_with_candidates(case: Matcher, tmp_path: Path) -> None:
    report = chain_report(case, "P-AL", k=3)
    assert report.chains == ["铝产业链"] and report.n_tenants == 4 and report.has_tenants
    nodes = report.to_frame().set_index("node_id")
    assert nodes.loc["al_auto", "status_label"] == "缺失"
    assert nodes.loc["al_casting", "status_label"] == "薄弱"
    assert nodes.loc["al_flat", "n_tenants"] == 3
    assert "丁铸造公司" in nodes.loc["al_casting", "tenants"]
    leads = report.leads
    auto = leads[leads["node_id"] == "al_auto"]
    assert auto["enterprise_id"].tolist()[0] == "C1"
    casting = leads[leads["node_id"] == "al_casting"]["enterprise_id"].tolist()
    assert "C2" in casting and "T4" not in casting  # tenants are not proposed
    assert (leads.groupby("node_id")["score"].apply(lambda s: s.is_monotonic_decreasing)).all()
    assert list(report.gaps()["status"])[:2] == ["missing", "missing"]
    text = str(report)
    assert "○汽车轻量化零部件" in text and "轻量化部件公司" in text
    path = report.to_excel(tmp_path / "report.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["产业链图谱", "补链线索", "上下游关系"]
    assert "缺失" in set(sheets["产业链图谱"]["状态"])
    assert json.dumps(report.to_dict(), ensure_ascii=False)


def test_chain_report_errors_and_overrides(case: Matcher) -> None:
    with pytest.raises(UnknownIdError):
        chain_report(case, "P-NONE")
    plain = Matcher().fit(*case_frames()[:2])  # no tenants, no chain family
    report = chain_report(plain, "P-AL")
    assert not report.has_tenants and "target" in set(report.nodes["status"])
    _, _, tenants = case_frames()
    with_tenants = chain_report(plain, "P-AL", tenants=tenants)
    assert "missing" in set(with_tenants.nodes["status"])
    food = chain_report(case, "P-FOOD", k=0)
    assert food.chains == ["食品加工产业链"] and food.leads.empty


# ---------------------------------------------------------------------------- sample tenants
def test_sample_tenants_leave_gaps_in_every_sample_chain_park() -> None:
    parks, enterprises = load_sample()
    tenants = load_sample_tenants()
    validate_tenants(tenants, parks=parks, enterprises=enterprises)
    assert set(tenants["park_id"]) == set(parks["park_id"])
    assert not tenants["enterprise_id"].duplicated().any()  # one park per tenant
    m = Matcher().fit(parks, enterprises, tenants)
    report = chain_report(m, "GY-LZ-AL", k=2)
    statuses = set(report.nodes["status"])
    assert {"strong", "thin", "missing"} <= statuses
    assert not report.leads.empty


def test_chain_state_is_shared_by_equal_tenant_tables_not_by_object_identity(
    case: Matcher,
) -> None:
    """The cache used to be keyed by ``id(tenants)``: a later table at a reused address got the
    earlier table's state. It is keyed by what the table says now."""
    _, _, tenants = case_frames()
    index, parks = case.index_, case.parks_
    validated = validate_tenants(tenants, parks=parks, enterprises=case.enterprises_)
    first = chain_state(index, parks, validated)
    same = validated.copy()
    assert chain_state(index, parks, same) is first  # equal content: one state
    fewer = validated.iloc[:1].copy()
    other = chain_state(index, parks, fewer)
    assert other is not first
    assert sum(p.n_tenants for p in other.profiles) == 1
    del fewer
    again = validated.iloc[1:].copy()  # may land at the address the dropped table had
    assert chain_state(index, parks, again) is not other
