"""The preference component: the enterprise's side of the fit, part by part."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher import Matcher, SchemaError
from matcher.features import PreferenceFeature, default_families
from matcher.features.preference import park_srdi_support, room_to_grow

_HENAN = {"province": "河南省", "city": "郑州市"}


def _park(pid: str, **kw) -> dict:
    row = {
        "park_id": pid,
        "name": f"园区{pid}",
        "county": "巩义市",
        "leading_industries": "3252;3670",
        "positioning": "铝板带箔和汽车轻量化零部件",
        "available_sqm": "20000",
        "excluded_industries": "",
        **_HENAN,
    }
    row.update(kw)
    return row


def _ent(eid: str, **kw) -> dict:
    row = {
        "enterprise_id": eid,
        "name": f"企业{eid}",
        "industry_code": "3670",
        "business_scope": "汽车零部件制造",
        "products": "电池托盘、汽车轻量化结构件",
        "space_need_sqm": "2000",
        "srdi_level": "省级专精特新中小企业",
        "county": "巩义市",
        **_HENAN,
    }
    row.update(kw)
    return row


PARKS = pd.DataFrame(
    [
        _park("SUPPORT", srdi_support="省级"),
        _park("NATIONAL", srdi_support="国家级专精特新小巨人"),
        _park("NONE", srdi_support="否"),
        _park("POLICY", policy="对入驻的专精特新企业给予租金减免"),
        _park("SILENT", positioning="铝板带箔"),
        _park("FAR", county="浦东新区", province="上海市", city="上海市"),
        _park("TIGHT", available_sqm="2500"),
    ]
)
ENTERPRISES = pd.DataFrame(
    [
        _ent("SUP", industry_code="3252", products="铝板、铝箔", business_scope="铝板带箔"),
        _ent("A", market="郑州市"),
        _ent("B", market="广州市"),
        _ent("C", srdi_level="无", market=None),
        _ent("D", space_need_sqm=None, county=None, city=None, province=None, srdi_level=None),
    ]
)
TENANTS = pd.DataFrame(
    [("SUPPORT", "SUP")],
    columns=["park_id", "enterprise_id"],
)


@pytest.fixture(scope="module")
def m() -> Matcher:
    return Matcher(families=[*default_families(), PreferenceFeature()]).fit(
        PARKS, ENTERPRISES, TENANTS
    )


def parts(m: Matcher, park: str, ent: str) -> dict[str, float]:
    i, fam = m.index_, m.families_[-1]
    p, e = i.parks.position[park], i.enterprises.position[ent]
    return {k: float(v[0]) for k, v in fam.parts(i, np.array([p]), np.array([e])).items()}


def test_room_to_grow() -> None:
    need = np.array([0.0, 5000.0, 7500.0, 10000.0, 10001.0, np.nan, 100.0])
    free = np.array([0.0, 10000.0, 10000.0, 10000.0, 10000.0, 10000.0, np.nan])
    v = room_to_grow(need, free)
    assert v[:5].tolist() == pytest.approx([1.0, 1.0, 0.7, 0.4, 0.0])
    assert np.isnan(v[5]) and np.isnan(v[6])


def test_srdi_support_from_column_policy_and_positioning() -> None:
    level, source = park_srdi_support(pd.DataFrame(PARKS))
    by = dict(zip(PARKS["park_id"], zip(level.tolist(), source.tolist(), strict=True), strict=True))
    assert by["SUPPORT"] == (2, "srdi_support")
    assert by["NATIONAL"] == (3, "srdi_support")
    assert by["NONE"][1] == "srdi_support" and by["NONE"][0] == 4
    assert by["POLICY"] == (2, "policy")
    assert by["SILENT"] == (-1, None)
    zhkc = pd.DataFrame([_park("Z", positioning="优先引进创新型中小企业、专精特新企业")])
    assert park_srdi_support(zhkc)[0].tolist() == [1]
    with pytest.raises(SchemaError, match="srdi_support"):
        park_srdi_support(pd.DataFrame([_park("X", srdi_support="很支持")]))


def test_srdi_part(m: Matcher) -> None:
    assert parts(m, "SUPPORT", "A")["srdi"] == 1.0
    assert parts(m, "NATIONAL", "A")["srdi"] == 0.5  # only 小巨人 are supported
    assert parts(m, "NONE", "A")["srdi"] == pytest.approx(0.3)
    assert parts(m, "POLICY", "A")["srdi"] == 1.0
    assert np.isnan(parts(m, "SILENT", "A")["srdi"])  # support unknown
    assert np.isnan(parts(m, "SUPPORT", "C")["srdi"])  # not certified: does not apply


def test_distance_market_and_space_parts(m: Matcher) -> None:
    near, far = parts(m, "SUPPORT", "A"), parts(m, "FAR", "A")
    assert near["base"] > 0.95 > 0.1 > far["base"]
    assert parts(m, "SUPPORT", "A")["market"] > parts(m, "SUPPORT", "B")["market"]
    assert np.isnan(parts(m, "SUPPORT", "C")["market"])
    assert parts(m, "SUPPORT", "A")["space"] == 1.0
    assert parts(m, "TIGHT", "A")["space"] == pytest.approx(0.64)  # 80 % of the free space
    d = parts(m, "SUPPORT", "D")
    assert np.isnan(d["space"]) and np.isnan(d["base"]) and np.isnan(d["srdi"])


def test_suppliers_among_the_tenants(m: Matcher) -> None:
    # A (汽车轻量化) buys aluminium sheet: the SUPPORT park has a sheet maker as tenant
    assert parts(m, "SUPPORT", "A")["neighbours"] == 1.0
    assert np.isnan(parts(m, "NONE", "A")["neighbours"])  # no tenant information
    fam, i = m.families_[-1], m.index_
    p, e = i.parks.position["SUPPORT"], i.enterprises.position["A"]
    text = fam.reason(i, p, e, float(fam.compute(i, np.array([p]), np.array([e]))[0]))
    assert "供应商" in text and "企业SUP" in text
    assert "园区政策支持省级专精特新中小企业" in text and "郑州市" in text


def test_value_is_the_weighted_mean_of_known_parts(m: Matcher) -> None:
    from matcher.features.preference import PART_WEIGHTS

    i, fam = m.index_, m.families_[-1]
    for park in PARKS["park_id"]:
        for ent in ENTERPRISES["enterprise_id"]:
            got = parts(m, park, ent)
            known = {k: v for k, v in got.items() if not np.isnan(v)}
            p, e = i.parks.position[park], i.enterprises.position[ent]
            value = float(fam.compute(i, np.array([p]), np.array([e]))[0])
            if not known:
                assert np.isnan(value)
                continue
            w = sum(PART_WEIGHTS[k] for k in known)
            expected = sum(PART_WEIGHTS[k] * v for k, v in known.items()) / w
            assert value == pytest.approx(expected, rel=1e-5)
    better = parts(m, "SUPPORT", "A")
    worse = parts(m, "FAR", "A")
    assert better != worse


def test_unknown_everything_is_neutral_in_the_score(m: Matcher) -> None:
    raw, filled = m.component_values(
        np.array([m.index_.parks.position["SILENT"]]),
        np.array([m.index_.enterprises.position["D"]]),
    )
    j = m.feature_names_.index("preference")
    assert np.isnan(raw[0, j]) and filled[0, j] == PreferenceFeature.neutral
