"""Each feature family on hand-built pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher import Matcher
from matcher.features import (
    CapacityFeature,
    IndustryFeature,
    LocationFeature,
    QualityFeature,
    TextFeature,
)
from matcher.features.capacity import space_fits
from matcher.features.location import distance_value


def _value(m: Matcher, family: type, park: str, ent: str) -> float:
    i = m.index_
    p, e = i.parks.position[park], i.enterprises.position[ent]
    return float(family().compute(i, np.array([p]), np.array([e]))[0])


def test_industry_relatedness_of_codes(matcher: Matcher) -> None:
    from matcher.reference.relatedness import ANCESTOR, CHAIN_CUSTOMER, CHAIN_LINK, TREE
    from matcher.reference.taxonomy import get_taxonomy

    tax = get_taxonomy()
    codes = ["3252", "3251", "3216", "3670", "3211", "1432", "A", None, "32"]
    leaves = tax.leaves(tax.paths(codes))
    table = matcher.index_.parks.lead_sim[matcher.index_.parks.position["P-AL"]]  # 3252;3392
    assert table[leaves].tolist() == pytest.approx(
        [
            1.0,  # a leading code
            TREE[3],  # copper rolling: same 中类 325, no chain link
            CHAIN_LINK,  # 铝冶炼 supplies the aluminium chain
            CHAIN_CUSTOMER,  # auto parts buy aluminium castings
            TREE[2],  # copper smelting: only the 大类
            0.0,  # food: only 门类 C in common, which says nothing
            0.0,
            0.0,  # no code
            ANCESTOR[2],  # known only as 大类 32: may well be what the park wants
        ]
    )
    coarse, _ = tax.similarity_tables(["32"])  # a coarse park code covers its subtree
    assert coarse[leaves].tolist() == pytest.approx([1.0, 1.0, 1.0, 0.2, 1.0, 0.2, 0.0, 0.0, 1.0])


def test_industry_component(matcher: Matcher) -> None:
    from matcher.reference.relatedness import TREE

    assert _value(matcher, IndustryFeature, "P-AL", "E1") == 1.0
    assert _value(matcher, IndustryFeature, "P-AL", "E9") == pytest.approx(TREE[3])
    assert _value(matcher, IndustryFeature, "P-AL", "E3") == pytest.approx(0.0)
    assert np.isnan(_value(matcher, IndustryFeature, "P-AL", "E7"))
    inferred = _value(matcher, IndustryFeature, "P-AL", "E4")
    assert IndustryFeature.neutral < inferred <= 1.0


def test_industry_both_directions_agree(matcher: Matcher) -> None:
    i = matcher.index_
    fam = IndustryFeature()
    n, m = len(i.enterprises), len(i.parks)
    for p in range(m):
        one_park = fam.compute(i, np.array([p]), np.arange(n))
        for e in range(n):
            one_ent = fam.compute(i, np.arange(m), np.array([e]))
            np.testing.assert_equal(one_park[e], one_ent[p])


def test_text_component(matcher: Matcher) -> None:
    assert _value(matcher, TextFeature, "P-AL", "E1") > 0.7
    assert _value(matcher, TextFeature, "P-AL", "E3") < 0.1
    assert _value(matcher, TextFeature, "P-FOOD", "E3") > 0.5
    assert np.isnan(_value(matcher, TextFeature, "P-AL", "E7"))


def test_capacity_component() -> None:
    need = np.array([0, 1000, 12500, 50000, 60000, np.nan, 100], dtype=np.float32)
    free = np.array([50000, 50000, 50000, 50000, 50000, 50000, np.nan], dtype=np.float32)
    got = space_fits(need, free)
    assert got[:5].tolist() == pytest.approx([1.0, 1.0, 1.0, 0.5, 0.0])
    assert np.isnan(got[5]) and np.isnan(got[6])


def test_capacity_size_follows_the_kind_of_park(
    parks_raw: pd.DataFrame, enterprises: pd.DataFrame
) -> None:
    def values(kind: str) -> tuple[float, float]:
        m = Matcher().fit(parks_raw.assign(park_type=kind), enterprises)
        return _value(m, CapacityFeature, "P-AL", "E1"), _value(m, CapacityFeature, "P-AL", "E6")

    small, medium = values("小微企业园")  # E1 小型, E6 中型 needing more space than there is
    assert small == pytest.approx(1.0) and medium < 0.5
    small_zone, medium_zone = values("国家级经济技术开发区")  # 招大引强: size is welcome
    assert small_zone < small and medium_zone > medium


def test_capacity_unknown_kind_of_park_does_not_judge_size(matcher: Matcher) -> None:
    # "巩义铝精深加工园" names no kind: sizes are not judged by a 小微企业园's yardstick
    kinds = matcher.parks_.set_index("park_id")["park_type"]
    assert pd.isna(kinds["P-AL"]) and kinds["P-FOOD"] == "specialized"  # …食品产业园
    reasons = matcher.explain("P-AL", "E1").reasons
    assert any("园区类型未知" in r for r in reasons)
    assert not any("小微企业园" in r for r in reasons)
    assert np.isnan(_value(matcher, CapacityFeature, "P-AL", "E7"))


def test_quality_component(matcher: Matcher) -> None:
    strong = _value(matcher, QualityFeature, "P-AL", "E1")  # 创新型 + 高新 + 6 patents
    weak = _value(matcher, QualityFeature, "P-AL", "E3")  # none, no patents
    assert weak == 0.0
    assert 0.5 < strong < 1.0
    assert np.isnan(_value(matcher, QualityFeature, "P-AL", "E7"))


def test_location_is_not_a_penalty_by_default(matcher: Matcher) -> None:
    from matcher.features.location import ANY_VALUES

    assert distance_value(np.array([125.0]))[0] == pytest.approx(0.5)
    near = _value(matcher, LocationFeature, "P-AL", "E4")  # 荥阳, ~33 km
    far = _value(matcher, LocationFeature, "P-AL", "E8")  # 上海: a relocation source, 河南 inland
    assert near == pytest.approx(ANY_VALUES["city"]) and far == pytest.approx(ANY_VALUES["source"])
    assert far >= LocationFeature.neutral  # never below what an unknown location gets
    assert np.isnan(_value(matcher, LocationFeature, "P-AL", "E7"))
    assert any("产业转移输出地区" in r for r in matcher.explain("P-AL", "E8").reasons)


@pytest.mark.parametrize(
    ("preference", "near_wins"), [("本地培育", True), ("异地招引", False), ("不限", True)]
)
def test_location_follows_the_parks_preference(
    parks_raw: pd.DataFrame, enterprises: pd.DataFrame, preference: str, near_wins: bool
) -> None:
    m = Matcher().fit(parks_raw.assign(location_preference=preference), enterprises)
    near = _value(m, LocationFeature, "P-AL", "E4")
    far = _value(m, LocationFeature, "P-AL", "E8")
    assert (near > far) == near_wins
    if preference == "本地培育":
        assert near > 0.95 and far < 0.01


@pytest.mark.parametrize(
    "family", [IndustryFeature, TextFeature, CapacityFeature, QualityFeature, LocationFeature]
)
def test_values_are_in_unit_interval(matcher: Matcher, family: type) -> None:
    i = matcher.index_
    for p in range(len(i.parks)):
        v = family().compute(i, np.array([p]), np.arange(len(i.enterprises)))
        v = v[~np.isnan(v)]
        assert v.dtype == np.float32
        assert ((v >= 0) & (v <= 1)).all()


def test_text_reasons_show_whole_shared_terms_of_the_quoted_clause() -> None:
    """共同关键词 in the sample's reasons: lexicon terms found in the quoted scope clause and
    the park's text, none a slice of another shown one."""
    import re

    from matcher import load_sample
    from matcher.text import get_lexicon

    parks, enterprises = load_sample()
    fitted = Matcher().fit(parks, enterprises)
    lexicon = get_lexicon()
    seen = 0
    for park_id in parks["park_id"].head(4):
        page = fitted.rank_enterprises(park_id, k=25)
        for reasons in page["reasons"]:
            for found in re.finditer(r"「([^」]*)」[^（；]*（共同关键词：([^）]*)）", reasons):
                clause, terms = found.group(1), found.group(2).split("、")
                seen += 1
                for term in terms:
                    assert term in clause, (term, clause)
                    assert term in lexicon, term
                    assert not any(term != o and term in o for o in terms), terms
    assert seen >= 20  # the property was checked on many reasons
