"""Project vetting (项目评审) against a park's entry standards, and A/B/C/D rating of tenants by
亩均效益.

Entry standards are minimums or maximums on indicators of a proposed project, each hard (a
project failing it is 未通过) or soft (未达标 but negotiable):

=====================  ==========================  ==============  =====  =======  ======
indicator              中文                        unit            limit  default  hard
=====================  ==========================  ==============  =====  =======  ======
investment_intensity   投资强度                    万元/亩         ≥      300      是
tax_per_mu             亩均税收                    万元/亩·年      ≥      15       是
output_per_mu          亩均产值                    万元/亩·年      ≥      300      否
plot_ratio             容积率                                      ≥      1.0      是
building_density       建筑系数                    %               ≥      30       是
office_share           行政办公及生活服务设施用地  %               ≤      7        是
                       所占比重
green_ratio            绿地率                      %               ≤      20       是
energy_per_output      单位产值能耗                吨标准煤/万元   ≤      0.5      否
carbon_per_output      单位产值碳排放              吨/万元         ≤      (none)
=====================  ==========================  ==============  =====  =======  ======

Sources of the defaults (:data:`DEFAULT_STANDARDS` carries each one's ``source``):

* 建筑系数 ≥ 30 %, 行政办公及生活服务设施用地 ≤ 7 %, 绿地率 ≤ 20 %: the national land-use control
  indicators, 国土资源部《工业项目建设用地控制指标》(国土资发〔2008〕24号). The same document sets
  投资强度 and 容积率 minimums by region grade and industry (its tables 1 and 2).
* 投资强度, 容积率, 亩均税收, 亩均产值: the figures a park agrees with an investor under the
  provincial "标准地" and 亩均论英雄 practice (e.g. 《浙江省人民政府关于深化"亩均论英雄"改革的指导意见》,
  浙政发〔2018〕5号). The numbers here (300 万元/亩, 1.0, 15 and 300 万元/亩·年) are parkmatch's
  illustrative defaults for a county-level park in central China, not official figures: load the
  park's own standards (:func:`load_standards`).
* 单位产值能耗 ≤ 0.5 吨标准煤/万元: about China's energy use per 万元 of GDP in 2020 (≈49.8 亿吨
  标准煤 over ≈101.6 万亿元); a soft screen, not a legal limit.

A missing figure makes its indicator **需补充信息**, never a pass and never a silent fail.

>>> result = vet_project({"用地面积(亩)": 40, "固定资产投资(万元)": 16000, "达产年税收(万元)": 800})
>>> result.verdict
'需补充信息'
>>> result.table.set_index("indicator").loc[["investment_intensity", "tax_per_mu"], "status"].tolist()
['达标', '达标']
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import ConfigError, Problem, SchemaError
from .io import Column, display_text, parse_cells, read_table, validate_frame

__all__ = [
    "DEFAULT_STANDARDS",
    "GRADES",
    "INDICATORS",
    "PROJECT_COLUMNS",
    "RATING_INDICATORS",
    "SQM_PER_MU",
    "STANDARD_COLUMNS",
    "Indicator",
    "VettingResult",
    "load_standards",
    "rate_tenants",
    "validate_standards",
    "vet_project",
]

#: Square metres in one 亩.
SQM_PER_MU = 10_000 / 15


@dataclass(frozen=True)
class Indicator:
    """One entry-standard indicator: how it is computed and which way is better."""

    key: str
    label: str
    unit: str
    direction: str  # "min": at least the threshold; "max": at most
    formula: str
    needs: tuple[str, ...]
    aliases: tuple[str, ...] = ()


INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in (
        Indicator(
            "investment_intensity",
            "投资强度",
            "万元/亩",
            "min",
            "固定资产投资 ÷ 用地面积",
            ("investment_wan", "land"),
            ("亩均投资", "固定资产投资强度"),
        ),
        Indicator(
            "tax_per_mu",
            "亩均税收",
            "万元/亩·年",
            "min",
            "达产年税收 ÷ 用地面积",
            ("tax_wan", "land"),
        ),
        Indicator(
            "output_per_mu",
            "亩均产值",
            "万元/亩·年",
            "min",
            "达产年产值 ÷ 用地面积",
            ("output_wan", "land"),
            ("亩均销售收入", "亩均营业收入"),
        ),
        Indicator(
            "plot_ratio", "容积率", "", "min", "总建筑面积 ÷ 用地面积", ("floor_area_sqm", "land")
        ),
        Indicator(
            "building_density",
            "建筑系数",
            "%",
            "min",
            "建筑物、构筑物及堆场占地 ÷ 用地面积",
            ("footprint_sqm", "land"),
            ("建筑密度",),
        ),
        Indicator(
            "office_share",
            "行政办公及生活服务设施用地所占比重",
            "%",
            "max",
            "行政办公及生活服务设施用地 ÷ 用地面积",
            ("office_land_sqm", "land"),
            ("行政办公用地比重", "行政办公及生活服务设施用地比重", "办公用地比例"),
        ),
        Indicator(
            "green_ratio", "绿地率", "%", "max", "绿地面积 ÷ 用地面积", ("green_sqm", "land")
        ),
        Indicator(
            "energy_per_output",
            "单位产值能耗",
            "吨标准煤/万元",
            "max",
            "年综合能耗 ÷ 达产年产值",
            ("energy_tce", "output_wan"),
            ("能耗", "单位能耗"),
        ),
        Indicator(
            "carbon_per_output",
            "单位产值碳排放",
            "吨/万元",
            "max",
            "年碳排放 ÷ 达产年产值",
            ("carbon_t", "output_wan"),
            ("排放", "单位产值排放", "碳排放强度"),
        ),
    )
}

_NATIONAL = "国土资源部《工业项目建设用地控制指标》（国土资发〔2008〕24号）"
_STANDARD_LAND = (
    "省级“标准地”与亩均论英雄实践（如浙政发〔2018〕5号）；数值为 parkmatch 示意默认值，"
    "请按本省、本园区标准覆盖"
)
#: The default standards: (indicator, threshold, hard, source).
DEFAULT_STANDARDS: tuple[tuple[str, float, bool, str], ...] = (
    (
        "investment_intensity",
        300.0,
        True,
        f"{_NATIONAL}表 1 按地区等别和行业规定下限；{_STANDARD_LAND}",
    ),
    ("tax_per_mu", 15.0, True, _STANDARD_LAND),
    ("output_per_mu", 300.0, False, _STANDARD_LAND),
    ("plot_ratio", 1.0, True, f"{_NATIONAL}表 2 按行业规定下限；{_STANDARD_LAND}"),
    ("building_density", 30.0, True, f"{_NATIONAL}：建筑系数不低于 30%"),
    ("office_share", 7.0, True, f"{_NATIONAL}：行政办公及生活服务设施用地不超过 7%"),
    ("green_ratio", 20.0, True, f"{_NATIONAL}：绿地率不超过 20%"),
    (
        "energy_per_output",
        0.5,
        False,
        "约为 2020 年全国单位 GDP 能耗（约 49.8 亿吨标准煤 ÷ 约 101.6 万亿元）；软性筛查值",
    ),
)

#: Columns of a project (English or Chinese keys, as for the tables).
PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("project_id", "id", "项目编号", ("编号",)),
    Column("name", "text", "项目名称", ("项目",)),
    Column("enterprise_id", "id", "企业编号", ("企业id",)),
    Column("park_id", "id", "园区编号", ("园区id",)),
    Column("land_mu", "float", "用地面积(亩)", ("用地(亩)", "占地面积(亩)", "用地亩数", "亩数")),
    Column(
        "land_sqm", "float", "用地面积(平方米)", ("用地面积", "占地面积(平方米)", "用地(平方米)")
    ),
    Column(
        "floor_area_sqm", "float", "总建筑面积(平方米)", ("总建筑面积", "计容建筑面积", "建筑面积")
    ),
    Column(
        "footprint_sqm",
        "float",
        "建筑及堆场占地面积(平方米)",
        ("建筑基底面积", "建筑占地面积", "建筑物构筑物及堆场占地面积", "建筑占地(平方米)"),
    ),
    Column(
        "office_land_sqm",
        "float",
        "行政办公及生活服务设施用地(平方米)",
        ("行政办公用地", "行政办公及生活服务设施用地面积", "办公生活用地(平方米)"),
    ),
    Column("green_sqm", "float", "绿地面积(平方米)", ("绿地面积", "绿化面积")),
    Column(
        "investment_wan",
        "float",
        "固定资产投资(万元)",
        ("固定资产投资", "总投资(万元)", "投资额(万元)", "投资总额"),
    ),
    Column("output_wan", "float", "达产年产值(万元)", ("达产产值", "年产值(万元)", "预计年产值")),
    Column("tax_wan", "float", "达产年税收(万元)", ("达产税收", "年税收(万元)", "预计年税收")),
    Column("employees", "int", "就业人数", ("用工人数", "从业人员", "新增就业")),
    Column(
        "energy_tce", "float", "年综合能耗(吨标准煤)", ("年综合能耗", "综合能耗", "能耗(吨标准煤)")
    ),
    Column("carbon_t", "float", "年碳排放(吨)", ("年碳排放", "碳排放(吨)", "二氧化碳排放")),
)

#: Columns of an entry-standards sheet (one row per indicator; park_id blank: every park).
STANDARD_COLUMNS: tuple[Column, ...] = (
    Column("park_id", "id", "园区编号", ("园区id", "园区代码")),
    Column("indicator", "text", "指标", ("指标名称", "评审指标", "准入指标"), True),
    Column("threshold", "float", "标准值", ("门槛值", "阈值", "标准", "限值"), True),
    Column("hard", "text", "硬性条件", ("是否硬性", "刚性", "硬性")),
    Column("source", "text", "依据", ("来源", "标准来源", "说明")),
)

_HARD = {"是", "硬性", "必须", "刚性", "true", "1", "yes", "hard"}
_SOFT = {"否", "软性", "参考", "非必须", "false", "0", "no", "soft"}
_INDICATOR_OF = {
    unicodedata.normalize("NFKC", a).lower().replace(" ", ""): i.key
    for i in INDICATORS.values()
    for a in (i.key, i.label, *i.aliases)
}
STATUS_LABELS = {
    "pass": "达标",
    "fail": "未达标",
    "needs_info": "需补充信息",
    "no_standard": "未设标准",
}


def _indicator(raw: object) -> str:
    text = unicodedata.normalize("NFKC", str(raw)).lower().replace(" ", "")
    try:
        return _INDICATOR_OF[text]
    except KeyError:
        raise ValueError("、".join(i.label for i in INDICATORS.values())) from None


def _hard(raw: object) -> bool:
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    if text in _HARD:
        return True
    if text in _SOFT:
        return False
    raise ValueError("是（硬性）或 否（软性）")


def validate_standards(
    frame: pd.DataFrame, *, file: str | None = None, parks: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Validate an entry-standards sheet: ``park_id`` (blank: every park), ``indicator`` (key or
    Chinese name), ``threshold``, ``hard`` (default 是), ``source``.

    Raises
    ------
    SchemaError
        Listing every problem (unknown indicators, bad numbers, an indicator listed twice for the
        same park, unknown parks).
    """
    out, problems, header_of = validate_frame(
        frame, STANDARD_COLUMNS, kind="standards", file=file, unique=False
    )
    parsed = parse_cells(
        out, (("indicator", _indicator), ("hard", _hard)), header_of, problems, file=file
    )
    if "source" in header_of:
        out["source"] = frame.reset_index(drop=True)[header_of["source"]].map(display_text)
    seen: dict[tuple[Any, Any], int] = {}
    parks_col = [p if isinstance(p, str) else None for p in out["park_id"]]
    for i, key in enumerate(zip(parks_col, parsed["indicator"], strict=True)):
        if key[1] is None:
            continue
        if key in seen:
            problems.append(
                Problem(
                    column=header_of.get("indicator", "指标"),
                    row=i + 2,
                    value=str(out["indicator"].iat[i]),
                    message=f"同一园区的指标重复（与第{seen[key]}行相同）",
                    expected="每个园区每项指标一行",
                    file=file,
                )
            )
        seen.setdefault(key, i + 2)
    if parks is not None:
        known = set(parks["park_id"].astype(str))
        for i, pid in enumerate(out["park_id"].tolist()):
            if isinstance(pid, str) and pid not in known:
                problems.append(
                    Problem(
                        column=header_of.get("park_id", "园区编号"),
                        row=i + 2,
                        value=pid,
                        message="编号不在园区表中",
                        expected="园区表中已有的编号，或留空表示所有园区",
                        file=file,
                    )
                )
    if problems:
        raise SchemaError(problems, file=file)
    out["indicator"] = parsed["indicator"]
    out["hard"] = [True if h is None else bool(h) for h in parsed["hard"]]
    result = out[[c.name for c in STANDARD_COLUMNS]].reset_index(drop=True)
    result.attrs["parkmatch_schema"] = "standards"
    return result


def load_standards(
    path: str | Path, *, sheet: str | int = 0, parks: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Read and validate an entry-standards file (CSV/XLSX/Parquet; see
    :func:`validate_standards`)."""
    return validate_standards(read_table(path, sheet=sheet), file=Path(path).name, parks=parks)


def standards_for(standards: pd.DataFrame | None, park_id: str | None = None) -> pd.DataFrame:
    """The standards that apply to a park: the defaults, then rows for every park, then the
    park's own rows (later wins). Columns ``indicator, threshold, hard, source``."""
    rows = {k: {"threshold": t, "hard": h, "source": s} for k, t, h, s in DEFAULT_STANDARDS}
    if standards is not None:
        if standards.attrs.get("parkmatch_schema") != "standards":
            standards = validate_standards(standards)
        general = standards[standards["park_id"].isna()]
        own = standards[standards["park_id"] == park_id] if park_id is not None else general[:0]
        for layer in (general, own):
            for r in layer.to_dict("records"):
                rows[r["indicator"]] = {
                    "threshold": float(r["threshold"]),
                    "hard": bool(r["hard"]),
                    "source": r["source"] or "园区准入标准",
                }
    return pd.DataFrame(
        [{"indicator": k, **v} for k, v in rows.items()],
        columns=["indicator", "threshold", "hard", "source"],
    )


# ---------------------------------------------------------------------------- projects
def _project_record(project: Mapping[str, Any] | pd.Series) -> dict[str, Any]:
    """A project given with English or Chinese keys, validated like a one-row sheet."""
    record = project.to_dict() if isinstance(project, pd.Series) else dict(project)
    frame = pd.DataFrame([{k: (None if v is None else str(v)) for k, v in record.items()}])
    out, problems, _ = validate_frame(frame, PROJECT_COLUMNS, kind="project", file="project")
    if problems:
        moved = [
            Problem(
                column=p.column,
                message=p.message,
                value=p.value,
                expected=p.expected,
                file="project",
            )
            for p in problems
        ]
        raise SchemaError(moved, file="project")
    rec = {
        k: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v)
        for k, v in out.iloc[0].items()
    }
    land_mu, land_sqm = rec.get("land_mu"), rec.get("land_sqm")
    if land_mu is None and land_sqm is not None:
        rec["land_mu"] = float(land_sqm) / SQM_PER_MU
    if land_sqm is None and land_mu is not None:
        rec["land_sqm"] = float(land_mu) * SQM_PER_MU
    if land_mu is not None and land_sqm is not None:
        if abs(float(land_mu) * SQM_PER_MU - float(land_sqm)) > 0.02 * float(land_sqm) + 1:
            raise SchemaError(
                Problem(
                    column="用地面积(亩)",
                    message=f"用地面积 {land_mu:g} 亩与 {land_sqm:,.0f} 平方米不一致",
                    expected="只填一个，或两者相符（1 亩 ≈ 666.7 平方米）",
                    file="project",
                ),
                file="project",
            )
    land = rec.get("land_mu")
    if land is not None and float(land) <= 0:
        raise SchemaError(
            Problem(column="用地面积(亩)", message="用地面积应大于 0", file="project"),
            file="project",
        )
    return rec


def _fmt(value: float) -> str:
    """``16,000``, ``40``, ``12.5``, ``0.25``: no trailing zeros, thousands separated."""
    if value == round(value) or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _with_unit(value: float, unit: str) -> str:
    if not unit:
        return _fmt(value)
    if unit == "%":
        return f"{value:.1f}".removesuffix(".0") + "%"
    return f"{_fmt(value)} {unit}"


def _label_unit(column: str) -> tuple[str, str]:
    """``达产年税收(万元)`` → (``达产年税收``, ``万元``)."""
    zh = _FIELD_LABEL[column]
    if "(" in zh:
        label, unit = zh.split("(", 1)
        return label, unit.rstrip(")")
    return zh, ""


_FIELD_LABEL = {c.name: c.zh for c in PROJECT_COLUMNS}
_FIELD_LABEL["land"] = "用地面积"


def _compute(key: str, rec: Mapping[str, Any]) -> tuple[float | None, str, list[str]]:
    """Value of an indicator, the arithmetic as text, and the missing project fields."""
    ind = INDICATORS[key]
    missing = [
        _FIELD_LABEL[f]
        for f in ind.needs
        if (rec.get("land_mu") if f == "land" else rec.get(f)) is None
    ]
    if missing:
        return None, "", missing
    mu, sqm = float(rec["land_mu"]), float(rec["land_sqm"])
    label, unit = _label_unit(ind.needs[0])
    num = float(rec[ind.needs[0]])
    given = f"{label} {_with_unit(num, unit)}"
    if ind.needs[1] == "land":
        if ind.unit.startswith("万元/亩"):
            value = num / mu
            return value, f"{given} ÷ 用地 {_fmt(mu)} 亩 = {_with_unit(value, ind.unit)}", []
        value = num / sqm * (100.0 if ind.unit == "%" else 1.0)
        return value, f"{given} ÷ 用地 {_fmt(sqm)} 平方米 = {_with_unit(value, ind.unit)}", []
    out = float(rec["output_wan"])
    if out <= 0:
        return None, "", ["达产年产值(万元)（应大于 0）"]
    value = num / out
    return value, f"{given} ÷ 达产年产值 {_fmt(out)} 万元 = {_with_unit(value, ind.unit)}", []


@dataclass
class VettingResult:
    """The vetting of one project: one row per indicator and the overall verdict.

    Attributes
    ----------
    project : dict
        The project as validated (areas in both 亩 and 平方米).
    park_id : str or None
    table : DataFrame
        ``indicator, label, value, unit, limit, threshold, hard, status, status_key, figures,
        source`` — status 达标 / 未达标 / 需补充信息 (or 未设标准 for an indicator that no
        standard covers, shown for reference).
    verdict : str
        未通过 (a hard standard failed), 需补充信息 (a figure is missing), 有条件通过 (only soft
        standards failed) or 通过.
    missing : list of str
        Project figures to supply.
    """

    project: dict[str, Any]
    park_id: str | None
    table: pd.DataFrame
    verdict: str
    missing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "park_id": self.park_id,
            "project": {k: v for k, v in self.project.items() if v is not None},
            "verdict": self.verdict,
            "missing": self.missing,
            "indicators": json.loads(self.table.to_json(orient="records", force_ascii=False)),
        }

    def __str__(self) -> str:
        name = self.project.get("name") or self.project.get("project_id") or "项目"
        lines = [f"{name} 评审结论：{self.verdict}"]
        for r in self.table.itertuples(index=False):
            if r.status_key == "no_standard":
                continue
            mark = {"pass": "✓", "fail": "✗", "needs_info": "?"}[str(r.status_key)]
            soft = "" if r.hard else "（软性）"
            lines.append(f"  {mark} {r.label}{soft}：{r.status}；{r.figures}")
        if self.missing:
            lines.append("  需补充：" + "、".join(self.missing))
        return "\n".join(lines)


def vet_project(
    project: Mapping[str, Any] | pd.Series,
    standards: pd.DataFrame | None = None,
    *,
    park_id: str | None = None,
) -> VettingResult:
    """Check a proposed project against a park's entry standards.

    Parameters
    ----------
    project : dict or Series
        The project's figures, English or Chinese keys (:data:`PROJECT_COLUMNS`): land (亩 or
        平方米), floor area, footprint, office and green land, fixed investment, expected annual
        output and tax, employment, energy use, emissions.
    standards : DataFrame, default=None
        Entry standards (:func:`load_standards`); None uses :data:`DEFAULT_STANDARDS`. Rows for
        the park override rows for every park, which override the defaults.
    park_id : str, default=None
        The park whose standards apply (default: the project's ``park_id``).

    Returns
    -------
    VettingResult

    Raises
    ------
    SchemaError
        When a figure is not a non-negative number, or the land is given twice inconsistently.
    """
    rec = _project_record(project)
    park_id = park_id if park_id is not None else rec.get("park_id")
    applied = standards_for(standards, park_id).set_index("indicator")
    rows = []
    missing_all: list[str] = []
    for key, ind in INDICATORS.items():
        value, figures, missing = _compute(key, rec)
        has = key in applied.index
        threshold = float(applied.loc[key, "threshold"]) if has else None
        hard = bool(applied.loc[key, "hard"]) if has else False
        limit = "≥" if ind.direction == "min" else "≤"
        if value is None:
            status = "needs_info" if has else "no_standard"
            figures = "缺少" + "、".join(missing)
            if has:
                missing_all.extend(missing)
        elif threshold is None:
            status = "no_standard"
        else:
            ok = value >= threshold if ind.direction == "min" else value <= threshold
            status = "pass" if ok else "fail"
            figures += f"，标准 {limit} {_with_unit(threshold, ind.unit)}"
        rows.append(
            {
                "indicator": key,
                "label": ind.label,
                "value": value,
                "unit": ind.unit,
                "limit": limit,
                "threshold": threshold,
                "hard": hard,
                "status": STATUS_LABELS[status],
                "status_key": status,
                "figures": figures,
                "source": str(applied.loc[key, "source"]) if has else "",
            }
        )
    table = pd.DataFrame(rows)
    checked = table[table["status_key"] != "no_standard"]
    if ((checked["status_key"] == "fail") & checked["hard"]).any():
        verdict = "未通过"
    elif (checked["status_key"] == "needs_info").any():
        verdict = "需补充信息"
    elif (checked["status_key"] == "fail").any():
        verdict = "有条件通过"
    else:
        verdict = "通过"
    return VettingResult(
        project=rec,
        park_id=None if park_id is None else str(park_id),
        table=table,
        verdict=verdict,
        missing=list(dict.fromkeys(missing_all)),
    )


# ---------------------------------------------------------------------------- tenant rating
#: Indicators of the 亩均效益 rating: (label, unit, default weight).
RATING_INDICATORS: dict[str, tuple[str, str, float]] = {
    "tax_per_mu": ("亩均税收", "万元/亩", 0.40),
    "output_per_mu": ("亩均产值", "万元/亩", 0.20),
    "output_per_energy": ("单位能耗产值", "万元/吨标准煤", 0.15),
    "labour_productivity": ("全员劳动生产率", "万元/人", 0.15),
    "rd_intensity": ("研发投入强度", "%", 0.10),
}
#: Grades and their usual names (names vary by city).
GRADES = {"A": "优先支持类", "B": "鼓励提升类", "C": "整治提升类", "D": "倒逼整治类"}
_RATING_COLUMNS: tuple[Column, ...] = (
    Column("enterprise_id", "id", "企业编号", ("企业id", "编号"), True),
    Column("name", "text", "企业名称", ("名称",)),
    Column("land_mu", "float", "用地面积(亩)", ("用地(亩)", "占地面积(亩)", "亩数")),
    Column("land_sqm", "float", "用地面积(平方米)", ("用地面积", "占地面积(平方米)")),
    Column("tax_wan", "float", "实缴税收(万元)", ("税收(万元)", "税收", "年税收(万元)", "纳税额")),
    Column(
        "output_wan",
        "float",
        "产值(万元)",
        ("工业总产值", "营业收入(万元)", "年产值(万元)", "产值"),
    ),
    Column(
        "energy_tce", "float", "综合能耗(吨标准煤)", ("综合能耗", "能耗(吨标准煤)", "年综合能耗")
    ),
    Column("employees", "int", "从业人员", ("从业人数", "员工人数", "就业人数")),
    Column("rd_wan", "float", "研发投入(万元)", ("研发费用(万元)", "研发投入", "研发费用")),
)


def rate_tenants(
    data: pd.DataFrame,
    *,
    weights: Mapping[str, float] | None = None,
    benchmarks: Mapping[str, float] | None = None,
    shares: Sequence[float] = (0.2, 0.5, 0.2, 0.1),
    file: str | None = None,
) -> pd.DataFrame:
    """Rate tenants A/B/C/D by 亩均效益, the way provinces' 亩均论英雄 evaluations do.

    Each indicator of :data:`RATING_INDICATORS` scores ``50 × value / benchmark`` (capped at
    100; the benchmark defaults to the median over the rated tenants, i.e. the park's own
    level); the total is the weighted mean. Tenants are graded by rank: the best ``shares[0]``
    A, the next ``shares[1]`` B, then C, the last ``shares[3]`` D. A tenant lacking a figure
    that a weighted indicator needs is **需补充信息**: not rated, never passed.

    Parameters
    ----------
    data : DataFrame
        One row per tenant: ``enterprise_id``, ``land_mu`` or ``land_sqm``, ``tax_wan``,
        ``output_wan``, ``energy_tce``, ``employees``, ``rd_wan`` (English or Chinese headers).
    weights : dict, default=None
        Weights over the defaults (``{"rd_intensity": 0}`` leaves R&D out).
    benchmarks : dict, default=None
        Fixed benchmarks per indicator instead of the median.
    shares : 4 floats, default=(0.2, 0.5, 0.2, 0.1)
        Shares of A, B, C and D (summing to 1).
    file : str, optional
        The file name to name in problems.

    Returns
    -------
    DataFrame
        ``enterprise_id, name``, each indicator's value, ``score``, ``grade`` (A/B/C/D or
        需补充信息), ``grade_label``, ``missing``, ``rank`` (1 = best; None when not rated).

    Raises
    ------
    SchemaError
        When a figure is not a non-negative number (every problem listed).
    ConfigError
        For unknown indicators in ``weights``/``benchmarks`` or shares that do not sum to 1.
    """
    w = {k: v[2] for k, v in RATING_INDICATORS.items()}
    for key, value in (weights or {}).items():
        if key not in w or not (math.isfinite(float(value)) and float(value) >= 0):
            raise ConfigError(f"权重「{key}」无效：指标应为 {'、'.join(w)}，权重应为不小于 0 的数")
        w[key] = float(value)
    if sum(w.values()) <= 0:
        raise ConfigError("至少一项指标的权重应大于 0")
    for key in benchmarks or {}:
        if key not in w:
            raise ConfigError(f"基准「{key}」无效：指标应为 {'、'.join(w)}")
    if len(shares) != 4 or abs(sum(shares) - 1) > 1e-6 or min(shares) < 0:
        raise ConfigError(f"shares 应为 A、B、C、D 四类的比例，和为 1，得到 {tuple(shares)!r}")
    out, problems, _ = validate_frame(data, _RATING_COLUMNS, kind="rating", file=file)
    if problems:
        raise SchemaError(problems, file=file)
    num = {
        c: pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float)
        for c in (
            "land_mu",
            "land_sqm",
            "tax_wan",
            "output_wan",
            "energy_tce",
            "employees",
            "rd_wan",
        )
    }
    mu = np.where(np.isnan(num["land_mu"]), num["land_sqm"] / SQM_PER_MU, num["land_mu"])
    mu = np.where(mu > 0, mu, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = {
            "tax_per_mu": num["tax_wan"] / mu,
            "output_per_mu": num["output_wan"] / mu,
            "output_per_energy": np.where(
                num["energy_tce"] > 0, num["output_wan"] / num["energy_tce"], np.nan
            ),
            "labour_productivity": np.where(
                num["employees"] > 0, num["output_wan"] / num["employees"], np.nan
            ),
            "rd_intensity": np.where(
                num["output_wan"] > 0, 100.0 * num["rd_wan"] / num["output_wan"], np.nan
            ),
        }
    inputs = {
        "用地面积": mu,
        "实缴税收(万元)": num["tax_wan"],
        "产值(万元)": num["output_wan"],
        "综合能耗(吨标准煤)": num["energy_tce"],
        "从业人员": num["employees"],
        "研发投入(万元)": num["rd_wan"],
    }
    needs = {
        "tax_per_mu": ("用地面积", "实缴税收(万元)"),
        "output_per_mu": ("用地面积", "产值(万元)"),
        "output_per_energy": ("综合能耗(吨标准煤)", "产值(万元)"),
        "labour_productivity": ("从业人员", "产值(万元)"),
        "rd_intensity": ("研发投入(万元)", "产值(万元)"),
    }
    used = [x for key, pair in needs.items() if w[key] > 0 for x in pair]
    n = len(out)
    missing: list[list[str]] = [[] for _ in range(n)]
    for label in dict.fromkeys(used):
        for i in np.flatnonzero(np.isnan(inputs[label])):
            missing[i].append(label)
    for key, v in values.items():  # a zero denominator: the figure is there but says nothing
        if w[key] > 0:
            for i in np.flatnonzero(np.isnan(v)):
                if not missing[i]:
                    missing[i].append(f"{needs[key][0]}（应大于 0）")
    rated = np.array([not m for m in missing], dtype=bool)
    score = np.zeros(n)
    total_w = sum(w.values())
    for key, v in values.items():
        if w[key] <= 0:
            continue
        bench = (benchmarks or {}).get(key)
        if bench is None:
            pool = v[rated & np.isfinite(v)]
            bench = float(np.median(pool)) if len(pool) else float("nan")
        part = np.minimum(100.0, 50.0 * v / bench) if bench and bench > 0 else np.full(n, 50.0)
        score += w[key] / total_w * np.nan_to_num(part, nan=0.0)
    order = np.flatnonzero(rated)[np.argsort(-score[rated], kind="stable")]
    grades = np.full(n, "需补充信息", dtype=object)
    ranks = np.full(n, None, dtype=object)
    bounds = np.cumsum(shares) * len(order)
    for position, row in enumerate(order):
        grades[row] = "ABCD"[int(np.searchsorted(bounds, position, side="right"))]
        ranks[row] = position + 1
    result = pd.DataFrame({"enterprise_id": out["enterprise_id"], "name": out["name"].fillna("")})
    for key, v in values.items():
        result[key] = np.round(v, 4)
    result["score"] = np.where(rated, np.round(score, 1), np.nan)
    result["grade"] = grades
    result["grade_label"] = [GRADES.get(g, "未评级") for g in grades]
    result["missing"] = ["、".join(m) for m in missing]
    result["rank"] = ranks
    return result
