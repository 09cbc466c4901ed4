"""Project vetting and tenant rating on hand-written cases: every state, every verdict."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from matcher import ConfigError, SchemaError
from matcher.vetting import (
    DEFAULT_STANDARDS,
    INDICATORS,
    SQM_PER_MU,
    load_standards,
    rate_tenants,
    vet_project,
)

#: 40 亩 = 26,666.7 m²; every figure present and every default standard met.
GOOD = {
    "项目名称": "年产 5 万吨铝板带项目",
    "用地面积(亩)": 40,
    "固定资产投资(万元)": 16000,  # 400 万元/亩 ≥ 300
    "达产年税收(万元)": 800,  # 20 万元/亩 ≥ 15
    "达产年产值(万元)": 20000,  # 500 万元/亩 ≥ 300
    "总建筑面积(平方米)": 32000,  # 容积率 1.2 ≥ 1.0
    "建筑及堆场占地面积(平方米)": 12000,  # 45 % ≥ 30 %
    "行政办公及生活服务设施用地(平方米)": 1600,  # 6 % ≤ 7 %
    "绿地面积(平方米)": 2000,  # 7.5 % ≤ 20 %
    "年综合能耗(吨标准煤)": 5000,  # 0.25 ≤ 0.5
}


def _status(result: object) -> dict[str, str]:
    table = result.table  # type: ignore[attr-defined]
    return dict(zip(table["indicator"], table["status"], strict=True))


def test_a_project_meeting_every_standard_passes() -> None:
    result = vet_project(GOOD)
    assert result.verdict == "通过"
    status = _status(result)
    assert {status[k] for k, *_ in DEFAULT_STANDARDS} == {"达标"}
    assert status["carbon_per_output"] == "未设标准"  # no default: shown, not judged
    row = result.table.set_index("indicator").loc["investment_intensity"]
    assert row["value"] == pytest.approx(400)
    assert (
        row["figures"] == "固定资产投资 16,000 万元 ÷ 用地 40 亩 = 400 万元/亩，标准 ≥ 300 万元/亩"
    )
    assert result.table.set_index("indicator").loc["plot_ratio", "value"] == pytest.approx(1.2)


def test_hard_failure_fails_the_project_soft_failure_is_conditional() -> None:
    low_tax = vet_project({**GOOD, "达产年税收(万元)": 400})  # 10 < 15, hard
    assert low_tax.verdict == "未通过"
    assert _status(low_tax)["tax_per_mu"] == "未达标"
    low_output = vet_project({**GOOD, "达产年产值(万元)": 10000})  # 250 < 300, soft
    assert _status(low_output)["output_per_mu"] == "未达标"
    assert low_output.verdict == "有条件通过"
    too_green = vet_project({**GOOD, "绿地面积(平方米)": 8000})  # 30 % > 20 %, a maximum
    assert _status(too_green)["green_ratio"] == "未达标" and too_green.verdict == "未通过"


def test_missing_figures_need_information_never_pass() -> None:
    partial = {k: v for k, v in GOOD.items() if k not in ("达产年税收(万元)", "绿地面积(平方米)")}
    result = vet_project(partial)
    status = _status(result)
    assert status["tax_per_mu"] == "需补充信息" and status["green_ratio"] == "需补充信息"
    assert result.verdict == "需补充信息"
    assert result.missing == ["达产年税收(万元)", "绿地面积(平方米)"]
    row = result.table.set_index("indicator").loc["tax_per_mu"]
    assert row["value"] is None or pd.isna(row["value"])
    assert "缺少达产年税收" in row["figures"]
    # no land at all: every per-land indicator needs information
    no_land = vet_project({"固定资产投资(万元)": 1000})
    assert {s for k, s in _status(no_land).items() if "land" in INDICATORS[k].needs} == {
        "需补充信息"
    }
    # a hard failure still decides while other figures are missing
    assert vet_project({"用地面积(亩)": 10, "达产年税收(万元)": 10}).verdict == "未通过"


def test_land_in_square_metres_or_mu_must_agree() -> None:
    sqm = {k: v for k, v in GOOD.items() if k != "用地面积(亩)"}
    sqm["用地面积(平方米)"] = 40 * SQM_PER_MU
    assert vet_project(sqm).verdict == "通过"
    with pytest.raises(SchemaError, match="不一致"):
        vet_project({**GOOD, "用地面积(平方米)": 10000})
    with pytest.raises(SchemaError) as info:
        vet_project({**GOOD, "固定资产投资(万元)": "很多", "达产年产值(万元)": "-5"})
    assert {p.column for p in info.value.problems} == {"固定资产投资(万元)", "达产年产值(万元)"}


def test_park_standards_override_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "准入标准.csv"
    path.write_text(
        "园区编号,指标,标准值,硬性条件,依据\n"
        ",亩均税收,25,是,全市标准地\n"
        "P-AL,投资强度,500,否,园区准入办法\n"
        "P-AL,单位产值碳排放,0.2,是,园区双碳要求\n",
        encoding="utf-8",
    )
    standards = load_standards(path, parks=pd.DataFrame({"park_id": ["P-AL"]}))
    result = vet_project({**GOOD, "年碳排放(吨)": 6000}, standards, park_id="P-AL")
    table = result.table.set_index("indicator")
    assert (
        table.loc["tax_per_mu", "threshold"] == 25 and table.loc["tax_per_mu", "status"] == "未达标"
    )
    assert table.loc["investment_intensity", "status"] == "未达标"
    assert not table.loc["investment_intensity", "hard"]
    assert table.loc["carbon_per_output", "status"] == "未达标"  # 0.3 > 0.2
    assert table.loc["tax_per_mu", "source"] == "全市标准地"
    assert result.verdict == "未通过"
    other = vet_project(GOOD, standards, park_id="P-FOOD").table.set_index("indicator")
    assert other.loc["investment_intensity", "threshold"] == 300  # only P-AL's rows differ
    bad = tmp_path / "bad.csv"
    bad.write_text("园区编号,指标,标准值\n,身高,1\nP-X,亩均税收,abc\n", encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        load_standards(bad, parks=pd.DataFrame({"park_id": ["P-AL"]}))
    assert {(p.row, p.column) for p in info.value.problems} >= {
        (2, "指标"),
        (3, "标准值"),
        (3, "园区编号"),
    }


def test_tenants_are_rated_by_mu_efficiency() -> None:
    data = pd.DataFrame(
        {
            "企业编号": ["A", "B", "C", "D", "E", "F"],
            "用地面积(亩)": [10, 20, 30, 15, 12, None],
            "实缴税收(万元)": [300, 200, 150, 50, 10, 20],
            "产值(万元)": [5000, 6000, 4000, 1500, 800, 100],
            "综合能耗(吨标准煤)": [500, 900, 700, 600, 400, 10],
            "从业人员": [50, 120, 80, 60, 30, 5],
            "研发投入(万元)": [200, 150, 80, 10, 0, 1],
        }
    )
    rated = rate_tenants(data, shares=(0.2, 0.4, 0.2, 0.2)).set_index("enterprise_id")
    assert rated.loc["A", "grade"] == "A" and rated.loc["E", "grade"] == "D"
    assert rated.loc["A", "tax_per_mu"] == pytest.approx(30)
    assert rated.loc["A", "score"] > rated.loc["B", "score"] > rated.loc["E", "score"]
    assert rated.loc["F", "grade"] == "需补充信息" and rated.loc["F", "missing"] == "用地面积"
    assert pd.isna(rated.loc["F", "score"]) and rated.loc["F", "rank"] is None
    # weights are configurable: leave R&D out and a tenant without R&D figures can be rated
    no_rd = data.drop(columns="研发投入(万元)")
    assert set(rate_tenants(no_rd)["grade"]) == {"需补充信息"}
    rated2 = rate_tenants(no_rd, weights={"rd_intensity": 0})
    assert (rated2["grade"] != "需补充信息").sum() == 5
    with pytest.raises(ConfigError):
        rate_tenants(data, weights={"颜值": 1})
    with pytest.raises(ConfigError):
        rate_tenants(data, shares=(0.5, 0.5, 0.5, 0.5))
