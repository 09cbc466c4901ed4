"""Small literal fixtures: two parks and a handful of enterprises with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from matcher import Matcher
from matcher.io import validate_enterprises, validate_parks

PARKS = [
    {
        "park_id": "P-AL",
        "name": "巩义铝精深加工园",
        "province": "河南省",
        "city": "郑州市",
        "county": "巩义市",
        "leading_industries": "3252;3392",
        "positioning": "重点发展铝板带箔、铝型材、铝合金铸件等铝精深加工，延伸汽车轻量化零部件。",
        "available_sqm": "50000",
        "excluded_industries": "3216",
    },
    {
        "park_id": "P-FOOD",
        "name": "新郑食品产业园",
        "province": "河南省",
        "city": "郑州市",
        "county": "新郑市",
        "leading_industries": "1432;14",
        "positioning": "速冻食品、方便食品、休闲食品的生产加工与冷链配送。",
        "available_sqm": "20000",
        "excluded_industries": "26",
    },
]

_AL_SCOPE = "铝板带箔、铝型材的生产与销售；有色金属合金销售"
ENTERPRISES = [
    # a model aluminium firm next to the park
    dict(
        enterprise_id="E1",
        name="巩义市恒达铝业有限公司",
        industry_code="3252",
        business_scope=_AL_SCOPE,
        products="铝板、铝箔、铝型材",
        employees="80",
        revenue_wan="5000",
        srdi_level="创新型中小企业",
        high_tech="是",
        patents="6",
        county="巩义市",
        city="郑州市",
        province="河南省",
        space_need_sqm="3000",
    ),
    # its twin written in 繁體 and full width
    dict(
        enterprise_id="E2",
        name="鞏義市恆達鋁業有限公司",
        industry_code="Ｃ３２５２",
        business_scope="鋁板帶箔、鋁型材的生產與銷售；有色金屬合金銷售",
        products="鋁板、鋁箔、鋁型材",
        employees="８０",
        revenue_wan="5,000",
        srdi_level="創新型中小企業",
        high_tech="是",
        patents="6",
        county="鞏義市",
        city="鄭州市",
        province="河南省",
        space_need_sqm="3000",
    ),
    # a food firm whose name shares a word with the aluminium park
    dict(
        enterprise_id="E3",
        name="巩义铝都食品有限公司",
        industry_code="1432",
        business_scope="速冻食品、速冻面米制品的生产与销售",
        products="速冻水饺、汤圆",
        employees="60",
        revenue_wan="3000",
        srdi_level="无",
        high_tech="否",
        patents="0",
        county="巩义市",
        city="郑州市",
        province="河南省",
        space_need_sqm="2000",
    ),
    # no industry code: inferred from its aluminium scope
    dict(
        enterprise_id="E4",
        name="郑州华瑞科技有限公司",
        industry_code=None,
        business_scope="铝型材、铝板带箔加工与销售",
        products="铝型材、铝板",
        employees="30",
        revenue_wan="1200",
        srdi_level=None,
        high_tech=None,
        patents=None,
        county="荥阳市",
        city="郑州市",
        province="河南省",
        space_need_sqm="1500",
    ),
    # 铝冶炼: excluded by the aluminium park
    dict(
        enterprise_id="E5",
        name="河南某铝冶炼有限公司",
        industry_code="3216",
        business_scope="电解铝、铝锭的生产与销售",
        products="电解铝、铝锭",
        employees="200",
        revenue_wan="30000",
        srdi_level="无",
        high_tech="否",
        patents="2",
        county="巩义市",
        city="郑州市",
        province="河南省",
        space_need_sqm="8000",
    ),
    # needs more space than any park has
    dict(
        enterprise_id="E6",
        name="郑州巨能铝材有限公司",
        industry_code="3252",
        business_scope=_AL_SCOPE,
        products="铝板、铝型材",
        employees="900",
        revenue_wan="35000",
        srdi_level="无",
        high_tech="否",
        patents="3",
        county="巩义市",
        city="郑州市",
        province="河南省",
        space_need_sqm="120000",
    ),
    # nothing known but id and name
    dict(enterprise_id="E7", name="某某贸易有限公司"),
    # an aluminium firm in 上海, far from the park
    dict(
        enterprise_id="E8",
        name="上海申铝材料有限公司",
        industry_code="3252",
        business_scope=_AL_SCOPE,
        products="铝板、铝箔、铝型材",
        employees="80",
        revenue_wan="5000",
        srdi_level="创新型中小企业",
        high_tech="是",
        patents="6",
        county="浦东新区",
        city="上海市",
        province="上海市",
        space_need_sqm="3000",
    ),
    # copper rolling: shares the 中类 325 with the park's 3252
    dict(
        enterprise_id="E9",
        name="洛阳铜加工有限公司",
        industry_code="3251",
        business_scope="铜板带、铜管的生产与销售",
        products="铜板带、铜管",
        employees="50",
        revenue_wan="4000",
        srdi_level="无",
        high_tech="否",
        patents="1",
        county="巩义市",
        city="郑州市",
        province="河南省",
        space_need_sqm="2500",
    ),
]

#: A small follow-up ledger over the fixture parks and enterprises (park, enterprise, outcome,
#: date), shared by the learning, evaluation and CLI tests.
LEDGER = [
    ("P-AL", "E1", "已落地", "2023-01-01"),
    ("P-AL", "E4", "已走访", "2023-02-01"),
    ("P-AL", "E8", "企业拒绝", "2023-03-01"),
    ("P-AL", "E9", "洽谈中", "2023-09-01"),
    ("P-FOOD", "E3", "已签约", "2023-02-01"),
    ("P-FOOD", "E7", "已联系", "2023-08-01"),
    ("P-FOOD", "E4", "已走访", "2023-10-01"),
]


@pytest.fixture
def parks_raw() -> pd.DataFrame:
    return pd.DataFrame(PARKS)


@pytest.fixture
def enterprises_raw() -> pd.DataFrame:
    return pd.DataFrame(ENTERPRISES)


@pytest.fixture
def parks(parks_raw: pd.DataFrame) -> pd.DataFrame:
    return validate_parks(parks_raw)


@pytest.fixture
def enterprises(enterprises_raw: pd.DataFrame) -> pd.DataFrame:
    return validate_enterprises(enterprises_raw)


@pytest.fixture
def matcher(parks: pd.DataFrame, enterprises: pd.DataFrame) -> Matcher:
    return Matcher().fit(parks, enterprises)
