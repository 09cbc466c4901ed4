"""The chain component: 补链 > 强链 > 延链 > 集聚, supply relations, reasons naming nodes and tenants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher import Matcher
from matcher.features import ChainFeature, default_families

_BASE = {"province": "河南省", "city": "郑州市", "county": "巩义市"}
PARKS = pd.DataFrame(
    [
        {
            "park_id": "P-AL",
            "name": "铝加工园",
            "leading_industries": "3252;3392;3670",
            "positioning": "铝板带箔、铝合金铸件和汽车轻量化零部件",
            "available_sqm": "50000",
            "excluded_industries": "3216",
            **_BASE,
        },
        {
            "park_id": "P-NEW",
            "name": "没有名单的园区",
            "leading_industries": "3252",
            "positioning": "铝板带箔",
            "available_sqm": "50000",
            "excluded_industries": "",
            **_BASE,
        },
        {
            "park_id": "P-SOFT",
            "name": "软件园",
            "leading_industries": "",
            "positioning": "",
            "available_sqm": "50000",
            "excluded_industries": "",
            **_BASE,
        },
    ]
)


def _ent(eid: str, code: str | None, products: str | None, name: str) -> dict:
    return {
        "enterprise_id": eid,
        "name": name,
        "industry_code": code,
        "business_scope": products,
        "products": products,
        "space_need_sqm": "2000",
        **_BASE,
    }


ENTERPRISES = pd.DataFrame(
    [
        _ent("T1", "3252", "铝板、铝箔", "甲铝板公司"),
        _ent("T2", "3252", "铝板、铝带", "乙铝板公司"),
        _ent("T3", "3392", "铝合金压铸件", "丙铸造公司"),
        _ent("T4", "6513", "应用软件开发", "丁软件公司"),
        _ent("MISS", "3670", "电池托盘、汽车轻量化结构件", "轻量化部件公司"),
        _ent("THIN", "3392", "铝合金铸件、铝合金压铸件", "铸件公司"),
        _ent("EXT", "3240", "铝合金锭、再生铝锭", "再生铝公司"),
        _ent("PACK", "3333", "铝箔容器、铝箔餐盒", "铝箔包装公司"),
        _ent("STRONG", "3252", "铝板、铝箔", "又一铝板公司"),
        _ent("OFF", "1432", "速冻水饺", "水饺公司"),
        _ent("NONE", None, None, "信息缺失公司"),
    ]
)
TENANTS = pd.DataFrame(
    [("P-AL", "T1"), ("P-AL", "T2"), ("P-AL", "T3"), ("P-SOFT", "T4")],
    columns=["park_id", "enterprise_id"],
)


@pytest.fixture(scope="module")
def m() -> Matcher:
    return Matcher(families=[*default_families(), ChainFeature()]).fit(PARKS, ENTERPRISES, TENANTS)


def value(m: Matcher, park: str, ent: str) -> float:
    i = m.index_
    p, e = i.parks.position[park], i.enterprises.position[ent]
    return float(m.families_[-1].compute(i, np.array([p]), np.array([e]))[0])


def reason(m: Matcher, park: str, ent: str) -> str:
    i = m.index_
    p, e = i.parks.position[park], i.enterprises.position[ent]
    fam = m.families_[-1]
    return fam.reason(i, p, e, value(m, park, ent))


def test_missing_beats_thin_beats_extension_beats_strong(m: Matcher) -> None:
    v = {e: value(m, "P-AL", e) for e in ("MISS", "THIN", "EXT", "STRONG", "OFF")}
    assert v["MISS"] > v["THIN"] > v["EXT"] > v["STRONG"] > v["OFF"] == 0.0
    assert all(0.0 <= x <= 1.0 for x in v.values())


def test_unknown_without_tenants_chain_or_enterprise_information(m: Matcher) -> None:
    assert np.isnan(value(m, "P-NEW", "MISS"))  # park not in the tenants table
    assert np.isnan(value(m, "P-SOFT", "MISS"))  # park on no chain
    assert np.isnan(value(m, "P-AL", "NONE"))  # no code, no text
    assert "未知" in reason(m, "P-NEW", "MISS") and "入驻企业名单" in reason(m, "P-NEW", "MISS")
    assert "未知" in reason(m, "P-SOFT", "MISS")
    assert "未知" in reason(m, "P-AL", "NONE")
    assert ChainFeature.neutral < 1.0


def test_reasons_name_the_node_and_the_tenants(m: Matcher) -> None:
    miss = reason(m, "P-AL", "MISS")
    assert miss.startswith("补链") and "「汽车轻量化零部件」" in miss
    assert "甲铝板公司" in miss and "供货" not in miss  # its suppliers are tenants: it buys
    assert "采购" in miss and "3670" in miss
    thin = reason(m, "P-AL", "THIN")
    assert thin.startswith("强链") and "「铝合金铸件」" in thin and "丙铸造公司" in thin
    ext = reason(m, "P-AL", "EXT")
    assert ext.startswith("延链") and "「铝合金锭与再生铝」" in ext
    assert "供货" in ext and "甲铝板公司" in ext  # it supplies the sheet makers
    pack = reason(m, "P-AL", "PACK")  # a downstream extension buys from the sheet makers
    assert pack.startswith("延链") and "下游" in pack and "采购" in pack
    assert "已有 2 家" in reason(m, "P-AL", "STRONG")
    assert "不在园区的产业链上" in reason(m, "P-AL", "OFF")


def test_chain_column_in_rankings_sums_with_the_others(m: Matcher) -> None:
    leads = m.rank_enterprises("P-AL", k=None)
    parts = leads[[f.name for f in m.families_]].sum(axis=1)
    np.testing.assert_allclose(parts, leads["score"], atol=1e-9)
    assert leads.set_index("enterprise_id").loc["MISS", "reasons"].count("产业链协同：补链") == 1


def test_both_directions_and_aligned_pairs_agree(m: Matcher) -> None:
    i, fam = m.index_, m.families_[-1]
    n, k = len(i.enterprises), len(i.parks)
    by_park = np.vstack([fam.compute(i, np.array([p]), np.arange(n)) for p in range(k)])
    by_ent = np.column_stack([fam.compute(i, np.arange(k), np.array([e])) for e in range(n)])
    pp, ee = np.meshgrid(np.arange(k), np.arange(n), indexing="ij")
    aligned = fam.compute(i, pp.ravel(), ee.ravel()).reshape(k, n)
    np.testing.assert_array_equal(by_park, by_ent)
    np.testing.assert_array_equal(by_park, aligned)


def test_enterprise_not_in_the_fitted_data_scores_like_its_twin(m: Matcher) -> None:
    twin = ENTERPRISES.set_index("enterprise_id").loc["MISS"].to_dict()
    twin.pop("name")
    ranked = m.rank_parks_for(twin, k=None)
    fitted = m.rank_parks("MISS", k=None)
    assert ranked.set_index("park_id")["chain"].to_dict() == pytest.approx(
        fitted.set_index("park_id")["chain"].to_dict()
    )
