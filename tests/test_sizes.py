"""Tests of matcher.sizes (统计上大中小微型企业划分办法(2017))."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.reference.sizes import (
    FALLBACK_GROUP,
    SIZE_CLASSES,
    SIZE_LABELS,
    classify_size,
    classify_sizes,
    parse_size_class,
    size_group,
    size_groups,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("大", "large"),
        ("中型", "medium"),
        ("小型企业", "small"),
        ("微型企業", "micro"),
        ("微", "micro"),
        (" 大型 ", "large"),
        ("Large", "large"),
        ("MEDIUM", "medium"),
        ("ｓｍａｌｌ", "small"),
        ("micro", "micro"),
        (None, None),
        ("", None),
        (float("nan"), None),
    ],
)
def test_parse_size_class(raw: object, expected: str | None) -> None:
    assert parse_size_class(raw) == expected


@pytest.mark.parametrize("raw", ["小微", "特大型", "big", "中小企业", "3"])
def test_parse_size_class_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match="无法识别"):
        parse_size_class(raw)


def test_constants() -> None:
    assert SIZE_CLASSES == ("large", "medium", "small", "micro")
    assert [SIZE_LABELS[s] for s in SIZE_CLASSES] == ["大型", "中型", "小型", "微型"]


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("C3252", "IND"),
        ("0610", "IND"),  # 采矿业
        ("4411", "IND"),  # 电力
        ("C", "IND"),  # a bare section, unambiguous
        ("32", "IND"),
        ("0111", "A"),
        ("A", "A"),
        ("4710", "E"),
        ("5111", "F51"),
        ("5211", "F52"),
        ("F", FALLBACK_GROUP),  # 批发 and 零售 differ: ambiguous
        ("5311", FALLBACK_GROUP),  # 铁路运输业 is not 交通运输业 here
        ("5411", "G_TRANS"),
        ("5810", "G_TRANS"),
        ("5951", "G59"),
        ("6010", "G60"),
        ("G", FALLBACK_GROUP),
        ("6110", "H61"),
        ("6210", "H62"),
        ("6311", "I_INFO"),
        ("6421", "I_INFO"),
        ("6513", "I65"),
        ("65", "I65"),
        ("7010", "K7010"),
        ("701", "K7010"),
        ("7020", "K702"),
        ("7030", FALLBACK_GROUP),
        ("70", FALLBACK_GROUP),  # 开发经营 / 物业管理 / others: ambiguous
        ("7111", "L"),
        ("7211", "L"),
        ("L", "L"),
        ("7310", FALLBACK_GROUP),  # 科学研究
        ("6621", FALLBACK_GROUP),  # 金融业 is not covered: fallback
        (None, FALLBACK_GROUP),
        ("", FALLBACK_GROUP),
    ],
)
def test_size_group(code: str | None, group: str) -> None:
    assert size_group(code) == group


def test_size_group_rejects_invalid_code() -> None:
    with pytest.raises(ValueError, match="3250"):
        size_group("3250")


def test_groups_table() -> None:
    groups = size_groups()
    assert len(groups) == 16
    assert groups["IND"].thresholds == {
        "employees": (1000.0, 300.0, 20.0),
        "revenue_wan": (40000.0, 2000.0, 300.0),
    }
    assert groups["K7010"].thresholds["assets_wan"] == (10000.0, 5000.0, 2000.0)
    assert groups["OTHER"].thresholds == {"employees": (300.0, 100.0, 10.0)}
    assert groups["G_TRANS"].scope == ("54", "55", "56", "57", "58")
    for group in groups.values():
        for large, medium, small in group.thresholds.values():
            assert large > medium > small >= 0


@pytest.mark.parametrize(
    ("code", "employees", "revenue", "assets", "expected"),
    [
        # 工业: X 1000/300/20 persons, Y 40000/2000/300 万元
        ("3252", 25, 250, None, "micro"),  # revenue below 300
        ("3252", 350, 30_000, None, "medium"),
        ("3252", 1_200, 50_000, None, "large"),
        ("3252", 1_200, 1_000, None, "small"),  # revenue fails 中型 -> drop to 小型
        ("3252", 1_000, 40_000, None, "large"),  # lower bounds are inclusive
        ("3252", 999, 40_000, None, "medium"),
        ("3252", 300, 2_000, None, "medium"),
        ("3252", 20, 300, None, "small"),
        ("3252", 19, 100_000, None, "micro"),  # one indicator below 小型 is enough
        ("3252", 0, 0, None, "micro"),
        ("3252", 5_000, 100_000, 1.0, "large"),  # assets are not an 工业 indicator
        # 软件和信息技术服务业: X 300/100/10, Y 10000/1000/50
        ("6513", 8, None, None, "micro"),
        ("6513", 8, 5_000, None, "micro"),
        ("6513", 150, 2_000, None, "medium"),
        ("6513", 400, 20_000, None, "large"),
        # 零售业: X 300/50/10, Y 20000/500/100
        ("5211", 60, 600, None, "medium"),
        ("5211", 60, 400, None, "small"),
        # 建筑业: Y 80000/6000/300, Z 80000/5000/300 (no employees indicator)
        ("4710", 5, 90_000, 90_000, "large"),
        ("4710", 5_000, 90_000, 5_500, "medium"),
        # 房地产开发经营: Y 200000/1000/100, Z 10000/5000/2000
        ("7010", None, 250_000, 12_000, "large"),
        ("7010", None, 250_000, 1_500, "micro"),
        # 租赁和商务服务业: X 300/100/10, Z 120000/8000/100
        ("7211", 120, None, 9_000, "medium"),
        # 其他未列明行业 (fallback): X 300/100/10
        ("7310", 150, 1.0, None, "medium"),
        (None, 9, None, None, "micro"),
        ("6621", 350, None, None, "large"),
    ],
)
def test_classify_size(
    code: str | None,
    employees: float | None,
    revenue: float | None,
    assets: float | None,
    expected: str,
) -> None:
    assert classify_size(code, employees, revenue, assets) == expected


def test_classify_size_with_missing_indicators() -> None:
    # only the known indicators decide
    assert classify_size("3252", 1_200, None) == "large"
    assert classify_size("3252", float("nan"), 2_500) == "medium"
    assert classify_size("3252", None, 250) == "micro"
    # none of the group's indicators known -> None
    assert classify_size("3252", None, None) is None
    assert classify_size("3252", None, None, assets_wan=100_000) is None
    assert classify_size("4710", 5_000, None) is None  # 建筑业 has no employees indicator


def test_classify_size_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="负数"):
        classify_size("3252", -1, 100)
    with pytest.raises(ValueError, match="数值"):
        classify_size("3252", "many", 100)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        classify_size("A3252", 10, 100)


def test_classify_sizes_matches_scalar() -> None:
    rng = np.random.default_rng(3)
    code_pool = [
        "3252",
        "C",
        "6513",
        "5211",
        "5111",
        "4710",
        "7010",
        "7020",
        "7211",
        "0111",
        "5411",
        "5951",
        "6010",
        "6110",
        "6210",
        "6311",
        "7310",
        "6621",
        None,
        "c 3252",
    ]
    n = 3_000
    codes = [code_pool[i] for i in rng.integers(0, len(code_pool), n)]
    employees = rng.lognormal(4.0, 2.0, n).round()
    revenue = rng.lognormal(7.0, 3.0, n).round(1)
    assets = rng.lognormal(7.5, 3.0, n).round(1)
    for arr in (employees, revenue, assets):
        arr[rng.random(n) < 0.2] = np.nan
    got = classify_sizes(codes, employees, revenue, assets)
    assert got.dtype == object
    expected = [
        classify_size(c, e, r, a)
        for c, e, r, a in zip(codes, employees, revenue, assets, strict=True)
    ]
    assert got.tolist() == expected
    assert {"large", "medium", "small", "micro", None} <= set(expected)


def test_classify_sizes_inputs() -> None:
    codes = pd.Series(["3252", "3252", "6513", None])
    got = classify_sizes(codes, pd.Series([25, 1200, 8, 150]), [250, 50_000, None, None])
    assert got.tolist() == ["micro", "large", "micro", "medium"]
    # a whole indicator column missing
    got = classify_sizes(["3252", "4710"], [1_200, 10], None)
    assert got.tolist() == ["large", None]
    assert classify_sizes([], [], []).tolist() == []
    with pytest.raises(ValueError, match="长度"):
        classify_sizes(["3252", "3252"], [1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="负数"):
        classify_sizes(["3252"], [-5], [100])
    with pytest.raises(ValueError, match="数值"):
        classify_sizes(["3252"], ["lots"], [100])
    with pytest.raises(ValueError, match="9999"):
        classify_sizes(["3252", "9999"], [1, 2], [1, 2])


def test_classify_sizes_nan_equals_none() -> None:
    a = classify_sizes(["3252"] * 2, [np.nan, None], [2_500, 2_500])
    assert a.tolist() == ["medium", "medium"]
