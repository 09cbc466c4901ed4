"""Validation and normalisation of enterprises and parks tables."""

from __future__ import annotations

import pandas as pd
import pytest

from matcher import SchemaError
from matcher.io import (
    ENTERPRISE_COLUMNS,
    PARK_COLUMNS,
    parse_srdi_level,
    validate_enterprises,
    validate_parks,
)


def _problems(exc: pytest.ExceptionInfo[SchemaError]) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in exc.value.problems}


def test_canonical_columns_and_types(enterprises: pd.DataFrame) -> None:
    names = [c.name for c in ENTERPRISE_COLUMNS]
    assert list(enterprises.columns[: len(names)]) == names
    e1 = enterprises.set_index("enterprise_id").loc["E1"]
    assert e1["employees"] == 80 and e1["revenue_wan"] == 5000.0
    assert e1["srdi_level"] == "innovative" and bool(e1["high_tech"]) is True
    assert str(enterprises["employees"].dtype) == "Int64"
    assert str(enterprises["high_tech"].dtype) == "boolean"


def test_fullwidth_and_traditional_are_normalised(enterprises: pd.DataFrame) -> None:
    e = enterprises.set_index("enterprise_id")
    for col in [
        "industry_code",
        "business_scope",
        "products",
        "employees",
        "revenue_wan",
        "srdi_level",
        "county",
        "lat",
        "lon",
        "size_class",
    ]:
        assert e.loc["E1", col] == e.loc["E2", col], col
    assert e.loc["E2", "name"] == "巩义市恒达铝业有限公司"


def test_chinese_headers_are_accepted(enterprises_raw: pd.DataFrame) -> None:
    zh = {c.name: c.zh for c in ENTERPRISE_COLUMNS}
    frame = validate_enterprises(enterprises_raw.rename(columns=zh))
    assert frame["enterprise_id"].tolist()[:2] == ["E1", "E2"]
    # aliases, 繁體 headers and full-width brackets too
    frame = validate_enterprises(
        pd.DataFrame({"企業編號": ["A"], "公司名称": ["甲"], "营业收入（万元）": ["１２"]})
    )
    assert frame.loc[0, "revenue_wan"] == 12.0


def test_size_class_derived_when_missing(enterprises: pd.DataFrame) -> None:
    e = enterprises.set_index("enterprise_id")
    assert e.loc["E1", "size_class"] == "small"  # 工业: 80 people, 5,000 万元
    assert e.loc["E1", "size_class_source"] == "derived"
    assert e.loc["E6", "size_class"] == "medium"  # 900 people, 35,000 万元
    assert pd.isna(e.loc["E7", "size_class"])
    declared = validate_enterprises(
        pd.DataFrame({"enterprise_id": ["A"], "name": ["甲"], "size_class": ["微型企业"]})
    )
    assert declared.loc[0, "size_class"] == "micro"
    assert declared.loc[0, "size_class_source"] == "declared"


def test_location_filled_from_gazetteer(enterprises: pd.DataFrame) -> None:
    e = enterprises.set_index("enterprise_id")
    assert e.loc["E1", "location_source"] == "county"
    assert e.loc["E1", "lat"] == pytest.approx(34.75, abs=0.05)
    assert e.loc["E1", "lon"] == pytest.approx(113.02, abs=0.05)
    assert pd.isna(e.loc["E7", "lat"]) and pd.isna(e.loc["E7", "location_source"])
    given = validate_enterprises(
        pd.DataFrame(
            {
                "enterprise_id": ["A"],
                "name": ["甲"],
                "lat": ["34.1"],
                "lon": ["113.2"],
                "county": ["巩义市"],
            }
        )
    )
    assert given.loc[0, "lat"] == 34.1 and given.loc[0, "location_source"] == "given"


def test_every_problem_is_listed_with_row_and_column() -> None:
    frame = pd.DataFrame(
        {
            "企业编号": ["A", "B", "C", "A", "E"],
            "企业名称": ["甲", "乙", None, "丁", "戊"],
            "统一社会信用代码": ["91350100M000100Y43", "91350100M000100Y44", None, None, None],
            "行业代码": ["3252", "99999", "C3252", "X12", None],
            "从业人员": ["10", "-3", "abc", "5", "7.5"],
            "专精特新": ["无", None, "某级", None, None],
        }
    )
    with pytest.raises(SchemaError) as exc:
        validate_enterprises(frame, file="企业.xlsx")
    got = _problems(exc)
    assert got == {
        (3, "统一社会信用代码"),  # bad check digit
        (3, "行业代码"),  # no such code
        (5, "行业代码"),  # malformed
        (3, "从业人员"),  # negative
        (4, "从业人员"),  # not a number
        (6, "从业人员"),  # not an integer
        (4, "企业名称"),  # required value empty
        (4, "专精特新"),  # unknown level
        (5, "企业编号"),  # duplicate of row 2
    }
    assert all(p.file == "企业.xlsx" for p in exc.value.problems)
    dup = next(p for p in exc.value.problems if p.column == "企业编号")
    assert "第2行" in dup.message and dup.value == "A"
    check = next(p for p in exc.value.problems if p.column == "统一社会信用代码")
    assert check.value == "91350100M000100Y44" and "末位应为 3" in (check.expected or "")
    assert "第3行" in str(exc.value) and "共 9 个问题" in str(exc.value)


def test_missing_required_columns_are_reported() -> None:
    with pytest.raises(SchemaError) as exc:
        validate_parks(pd.DataFrame({"positioning": ["铝加工"]}))
    columns = {p.column for p in exc.value.problems}
    assert columns == {"园区编号", "园区名称"}
    assert all(p.row is None for p in exc.value.problems)


def test_duplicate_headers_are_reported() -> None:
    with pytest.raises(SchemaError, match="重复"):
        validate_enterprises(
            pd.DataFrame({"enterprise_id": ["A"], "企业编号": ["B"], "name": ["甲"]})
        )


def test_unknown_columns_are_kept() -> None:
    frame = validate_enterprises(
        pd.DataFrame({"enterprise_id": ["A"], "name": ["甲"], "招商负责人": ["张三"]})
    )
    assert frame.loc[0, "招商负责人"] == "张三"
    assert frame.columns[-1] == "招商负责人"


def test_lat_lon_checks() -> None:
    with pytest.raises(SchemaError) as exc:
        validate_enterprises(
            pd.DataFrame(
                {
                    "enterprise_id": ["A", "B", "C"],
                    "name": ["甲", "乙", "丙"],
                    "lat": ["113.0", "95", "34.7"],
                    "lon": ["34.7", "113", None],
                }
            )
        )
    got = {(p.row, p.column, p.message) for p in exc.value.problems}
    assert got == {(2, "lat", "取值无效"), (3, "lat", "取值无效"), (4, "lon", "经纬度只填了一个")}
    swapped = next(p for p in exc.value.problems if p.row == 2)
    assert "填反" in (swapped.expected or "")


def test_park_code_lists_are_cleaned(parks: pd.DataFrame) -> None:
    assert parks.loc[0, "leading_industries"] == "3252;3392"
    frame = validate_parks(
        pd.DataFrame(
            {"园区编号": ["P"], "园区名称": ["园"], "主导产业": ["Ｃ３２５２、3392；32 , 3252"]}
        )
    )
    assert frame.loc[0, "leading_industries"] == "3252;3392;32"
    with pytest.raises(SchemaError) as exc:
        validate_parks(
            pd.DataFrame({"park_id": ["P"], "name": ["园"], "excluded_industries": ["3216;9x"]})
        )
    assert _problems(exc) == {(2, "excluded_industries")}
    assert [c.name for c in PARK_COLUMNS][:2] == ["park_id", "name"]


def test_negative_numbers_rejected_for_parks() -> None:
    with pytest.raises(SchemaError) as exc:
        validate_parks(pd.DataFrame({"park_id": ["P"], "name": ["园"], "available_sqm": ["-1"]}))
    assert _problems(exc) == {(2, "available_sqm")}


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("无", "none"),
        ("", None),
        ("创新型中小企业", "innovative"),
        ("省级专精特新", "provincial"),
        ("专精特新中小企业", "provincial"),
        ('国家级专精特新"小巨人"', "national"),
        ("小巨人", "national"),
        ("National", "national"),
        ("創新型中小企業", "innovative"),
    ],
)
def test_srdi_levels(raw: str, level: str | None) -> None:
    if level is None:
        frame = validate_enterprises(
            pd.DataFrame({"enterprise_id": ["A"], "name": ["甲"], "srdi_level": [raw]})
        )
        assert pd.isna(frame.loc[0, "srdi_level"])
    else:
        assert parse_srdi_level(raw) == level


def test_validated_frame_is_marked(enterprises: pd.DataFrame, parks: pd.DataFrame) -> None:
    assert enterprises.attrs["parkmatch_schema"] == "enterprises"
    assert parks.attrs["parkmatch_schema"] == "parks"


def test_huge_integers_are_a_schema_problem_not_a_crash() -> None:
    frame = pd.DataFrame(
        {
            "enterprise_id": ["A", "B"],
            "name": ["甲", "乙"],
            "employees": ["99999999999999999999999", "5"],
            "patents": ["1e400", "2"],
        }
    )
    with pytest.raises(SchemaError) as exc:
        validate_enterprises(frame)
    assert {(p.row, p.column) for p in exc.value.problems} == {(2, "employees"), (2, "patents")}


def test_park_weights_are_checked_against_the_scorer_that_will_use_them() -> None:
    from matcher.scoring import WeightedScorer

    frame = pd.DataFrame(
        {
            "park_id": ["P1", "P2", "P3"],
            "name": ["甲园", "乙园", "丙园"],
            "weight_colour": ["0.5", None, None],
            "weight_industry": [None, "0.7", "0"],
            "weight_text": [None, None, "0"],
            "weight_capacity": [None, None, "0"],
            "weight_quality": [None, None, "0"],
            "weight_location": [None, None, "0"],
        }
    )
    assert len(validate_parks(frame)) == 3  # no scorer: non-negative numbers are enough
    with pytest.raises(SchemaError) as exc:
        validate_parks(frame, file="parks.csv", scorer=WeightedScorer().fit())
    problems = exc.value.problems
    assert [(p.row, p.file) for p in problems] == [(2, "parks.csv"), (4, "parks.csv")]
    assert "colour" in problems[0].message and "weight_colour" in str(problems[0].column)
    assert "大于 0" in problems[1].message  # every family at 0: no positive total
    good = frame.drop(columns="weight_colour").iloc[:2]
    assert validate_parks(good, scorer=WeightedScorer().fit())["weight_industry"].iloc[1] == 0.7

    class NoWeights:  # a scorer that takes no per-park weights: nothing to check
        pass

    assert len(validate_parks(frame, scorer=NoWeights())) == 3
