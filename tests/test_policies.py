"""Policies: the sheet and JSON forms, every state on hand-written cases, filtering and boosting."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from matcher import Matcher, SchemaError
from matcher.io import validate_events
from matcher.policies import (
    load_policies,
    match_policies,
    policy_fit,
    rank_with_policies,
    validate_policies,
)

AS_OF = "2026-11-30"
H = "政策编号,园区编号,政策名称,扶持金额(万元),申报开始,申报截止,条件字段,比较,条件值,硬性条件,事件时限(天)"
SHEET = f"""{H}
Z1,P-AL,专精特新入园奖励,50,2026-01-01,2026-12-31,专精特新,不低于,省级,是,
Z1,,,,,,行业代码,属于,32;33,是,
Z2,P-AL,小微企业租金补贴,30,,,企业规模,属于,小;微,是,
Z2,,,,,,专利数,不低于,5,否,
Z3,P-AL,规上培育奖励,10,,,营业收入(万元),不低于,2000,是,
Z4,P-AL,2025 技改补助,200,2025-01-01,2025-12-31,行业代码,属于,32,是,
Z5,P-AL,扩产贴息,50,,,企业动态,属于,融资;扩产,是,180
Z6,P-AL,省外企业落户奖励,100,,,省,不属于,河南省,是,
Z7,P-FOOD,食品企业奖励,20,,,行业代码,属于,14,是,
"""

#: A firm that meets everything of Z1 and Z2 and lacks revenue.
FIRM = {
    "enterprise_id": "E1",
    "name": "巩义市恒达铝业有限公司",
    "industry_code": "3252",
    "srdi_level": "省级专精特新",
    "size_class": "小型",
    "patents": "6",
    "province": "河南省",
}


@pytest.fixture
def policies(tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "政策.csv"
    path.write_text(SHEET, encoding="utf-8")
    return load_policies(path)


def _status(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["policy_id"], frame["status"], strict=True))


def test_sheet_rows_form_policies_with_filled_policy_cells(policies: pd.DataFrame) -> None:
    z1 = policies[policies["policy_id"] == "Z1"]
    assert (
        len(z1) == 2 and set(z1["name"]) == {"专精特新入园奖励"} and set(z1["park_id"]) == {"P-AL"}
    )
    assert z1["field"].tolist() == ["srdi_level", "industry_code"]
    assert z1["op"].tolist() == [">=", "in"]
    assert z1["value"].tolist() == ["provincial", "32;33"]
    z2 = policies[policies["policy_id"] == "Z2"]
    assert z2["hard"].tolist() == [True, False] and z2["value"].iloc[0] == "small;micro"
    assert policies.loc[policies["policy_id"] == "Z5", "value"].iloc[0] == "financing;expansion"


def test_every_state_on_one_firm(policies: pd.DataFrame) -> None:
    events = validate_events(
        pd.DataFrame({"enterprise_id": ["E1"], "kind": ["扩产"], "date": ["2026-10-01"]})
    )
    result = match_policies(policies, FIRM, park_id="P-AL", events=events, as_of=AS_OF)
    assert _status(result) == {
        "Z1": "推荐",  # all conditions met
        "Z2": "推荐",
        "Z3": "需补充信息",  # revenue missing: never a silent fail
        "Z4": "已过期",  # window closed
        "Z5": "推荐",  # an expansion event 60 days ago, within 180
        "Z6": "不推荐",  # a hard condition failed
    }
    assert "Z7" not in set(result["policy_id"])  # another park's policy
    row = result.set_index("policy_id")
    assert row.loc["Z3", "missing"] == "营业收入(万元)"
    assert "营业收入" in row.loc["Z3", "deciding"] and "缺少" in row.loc["Z3", "reason"]
    assert row.loc["Z6", "deciding"] == "省不属于河南省"
    assert "2025-12-31" in row.loc["Z4", "reason"]
    assert "专精特新不低于省级" in row.loc["Z1", "deciding"]
    # recommended first, expired last
    assert result["status"].iloc[0] == "推荐" and result["status"].iloc[-1] == "已过期"


def test_soft_failure_is_possible_and_hard_failure_wins(policies: pd.DataFrame) -> None:
    few_patents = {**FIRM, "patents": "1"}
    result = _status(match_policies(policies, few_patents, park_id="P-AL", as_of=AS_OF))
    assert result["Z2"] == "可能"
    medium = {**FIRM, "size_class": "中型", "patents": None}  # hard fail + missing soft field
    assert _status(match_policies(policies, medium, park_id="P-AL", as_of=AS_OF))["Z2"] == "不推荐"


def test_event_conditions_need_the_events_table(policies: pd.DataFrame) -> None:
    no_table = match_policies(policies, FIRM, park_id="P-AL", as_of=AS_OF).set_index("policy_id")
    assert no_table.loc["Z5", "status"] == "需补充信息"
    assert "未提供事件表" in no_table.loc["Z5", "missing"]
    old = validate_events(
        pd.DataFrame({"enterprise_id": ["E1"], "kind": ["融资"], "date": ["2025-01-01"]})
    )
    stale = match_policies(policies, FIRM, park_id="P-AL", events=old, as_of=AS_OF)
    assert _status(stale)["Z5"] == "不推荐"  # the table says: nothing in the last 180 days


def test_a_firm_with_nothing_known_needs_information(policies: pd.DataFrame) -> None:
    result = match_policies(policies, {"enterprise_id": "E7"}, park_id="P-AL", as_of=AS_OF)
    states = _status(result)
    assert states["Z4"] == "已过期"
    assert {states[k] for k in ("Z1", "Z2", "Z3", "Z5", "Z6")} == {"需补充信息"}


def test_json_policies_match_the_sheet(tmp_path: Path, policies: pd.DataFrame) -> None:
    data = {
        "policies": [
            {
                "policy_id": "Z1",
                "park_id": "P-AL",
                "name": "专精特新入园奖励",
                "amount_wan": 50,
                "start": "2026-01-01",
                "end": "2026-12-31",
                "conditions": [
                    {"field": "专精特新", "op": ">=", "value": "省级"},
                    {"field": "industry_code", "op": "in", "value": ["32", "33"], "hard": True},
                ],
            },
            {"policy_id": "Z9", "park_id": "P-AL", "name": "普惠政策"},
        ]
    }
    path = tmp_path / "policies.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    loaded = load_policies(path)
    result = _status(match_policies(loaded, FIRM, as_of=AS_OF))
    assert result == {"Z1": "推荐", "Z9": "推荐"}  # a policy without conditions applies to all
    assert "无限制条件" in match_policies(loaded, FIRM, as_of=AS_OF)["deciding"].tolist()


def test_json_problems_name_the_place(tmp_path: Path) -> None:
    data = [
        {
            "policy_id": "Z1",
            "park_id": "P-AL",
            "name": "x",
            "conditions": [{"field": "专利数", "op": "属于", "value": "5"}],
        },
        {"policy_id": "Z2", "park_id": "P-AL", "conditions": [{"field": "身高", "value": "1"}]},
    ]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        load_policies(path)
    where = {p.column for p in info.value.problems}
    assert "policies[0].conditions[0].op" in where
    assert "policies[1].conditions[0].field" in where
    assert "policies[1].conditions[0].name" in where  # a policy without a name
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(SchemaError, match="JSON"):
        load_policies(bad)


def test_sheet_problems_are_all_listed_with_rows() -> None:
    sheet = pd.DataFrame(
        {
            "政策编号": ["A", "A", "B", "C", None],
            "园区编号": ["P-AL", "P-FOOD", "P-AL", "NOPE", "P-AL"],
            "政策名称": ["甲", None, None, "丙", "丁"],
            "申报开始": ["2026-05-01", None, None, None, None],
            "申报截止": ["2026-01-01", None, "明年", None, None],
            "条件字段": ["专精特新", "行业代码", "营业收入", "高新", None],
            "比较": ["属于", None, "介于", None, None],
            "条件值": ["大概", "9999", "100", "是", None],
        }
    )
    parks = pd.DataFrame({"park_id": ["P-AL", "P-FOOD"]})
    with pytest.raises(SchemaError) as info:
        validate_policies(sheet, file="政策.xlsx", parks=parks)
    found = {(p.row, p.column) for p in info.value.problems}
    assert (2, "条件值") in found  # 大概 is no 专精特新 level
    assert (2, "申报截止") in found  # ends before it starts
    assert (3, "园区编号") in found  # contradicts row 2 of the same policy
    assert (3, "条件值") in found  # 9999 is no GB/T code
    assert (4, "申报截止") in found and (4, "条件值") in found  # 明年; "100" is not a range
    assert (4, "政策名称") in found  # policy B has no name
    assert (5, "园区编号") in found  # unknown park
    assert (6, "政策编号") in found  # required
    assert all(p.file == "政策.xlsx" for p in info.value.problems)


def test_leads_filtered_and_boosted_by_policy_fit(
    parks: pd.DataFrame, enterprises: pd.DataFrame, policies: pd.DataFrame
) -> None:
    m = Matcher().fit(parks, enterprises)
    plain = m.rank_enterprises("P-AL", k=None)
    fit = policy_fit(policies, m.enterprises_, park_id="P-AL", as_of=AS_OF)
    qualified = set(fit.loc[fit["recommended"] >= 1, "enterprise_id"])
    filtered = rank_with_policies(m, "P-AL", policies, k=None, min_recommended=1, as_of=AS_OF)
    assert set(filtered["enterprise_id"]) == qualified & set(plain["enterprise_id"])
    assert (filtered["policies_recommended"] >= 1).all()
    assert filtered["reasons"].str.startswith("政策匹配：符合").all()
    # a boost reorders by score + bonus, but never changes the explained score
    boosted = rank_with_policies(m, "P-AL", policies, k=3, boost=20.0, as_of=AS_OF)
    assert (boosted["rank_score"] == boosted["score"] + boosted["policy_bonus"]).all()
    assert boosted["rank_score"].is_monotonic_decreasing
    everyone = rank_with_policies(m, "P-AL", policies, k=None, boost=20.0, as_of=AS_OF)
    assert boosted["enterprise_id"].tolist() == everyone["enterprise_id"].head(3).tolist()
    for r in boosted.itertuples(index=False):
        assert r.score == pytest.approx(m.score("P-AL", r.enterprise_id))
    # no boost, no filter: the plain ranking
    same = rank_with_policies(m, "P-AL", policies, k=None, as_of=AS_OF)
    assert same["enterprise_id"].tolist() == plain["enterprise_id"].tolist()
