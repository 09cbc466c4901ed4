"""Commands for signals, policies, vetting and the 研判 report: ``parkmatch signals``,
``parkmatch policies``, ``parkmatch vet``, ``parkmatch rate``, ``parkmatch report``.

Imported by :mod:`matcher.cli`; commands register on its ``app``. They parse, call the public
library and print; with no files given they use the bundled sample (parks, enterprises, tenants,
events and policies).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from .. import ConfigError, Matcher, SchemaError, load_events, load_tenants
from ..datasets import SAMPLE_EVENTS_AS_OF, load_sample_events, load_sample_tenants, sample_dir
from ..features import default_families
from ..features.chain import ChainFeature
from ..features.signal import SignalFeature
from ..io import as_date, read_table, write_table
from ..policies import load_policies, match_policies, rank_with_policies
from ..report import assessment_report
from ..signals import timing_leads
from ..vetting import load_standards, rate_tenants, vet_project
from ._app import Rejected, SkipInvalid, app, err, load_tables, out, rejected_path

__all__ = ["policies_command", "rate_command", "report_command", "signals_command", "vet_command"]

ParksOpt = Annotated[Path | None, typer.Option("--parks", help="园区表（CSV/XLSX/Parquet）")]
EntsOpt = Annotated[Path | None, typer.Option("--enterprises", help="企业表")]
EventsOpt = Annotated[
    Path | None, typer.Option("--events", help="企业动态事件表（企业编号、事件类型、日期…）")
]
PoliciesOpt = Annotated[
    Path | None, typer.Option("--policies", help="园区政策（表格每行一个条件，或 JSON）")
]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="评估日期，如 2026-11-30（默认今天）")]


def _sample(parks: Path | None, enterprises: Path | None) -> bool:
    return parks is None and enterprises is None


def _events(path: Path | None, sample: bool, enterprises: pd.DataFrame) -> pd.DataFrame | None:
    if path is not None:
        return load_events(path, enterprises=enterprises)
    if sample:
        err.print(f"[dim]使用内置示例事件表（事件截至 {SAMPLE_EVENTS_AS_OF}）。[/dim]")
        return load_sample_events()
    return None


def _policies(path: Path | None, sample: bool, parks: pd.DataFrame) -> pd.DataFrame | None:
    if path is not None:
        return load_policies(path, parks=parks)
    if sample:
        return load_policies(sample_dir() / "policies.csv", parks=parks)
    return None


def _project(path: Path) -> dict[str, Any]:
    """A project from a JSON object or the first data row of a sheet."""
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path.name}：无法读取 JSON 项目文件（{exc}）") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path.name}：项目文件应为一个 JSON 对象（字段名为中文或英文）")
        return data
    frame = read_table(path)
    if len(frame) == 0:
        raise ConfigError(f"{path.name}：项目表没有数据行")
    return {k: v for k, v in frame.iloc[0].to_dict().items() if v is not None}


@app.command("signals")
def signals_command(
    park: Annotated[str, typer.Option("--park", help="园区编号")],
    parks: ParksOpt = None,
    enterprises: EntsOpt = None,
    events: EventsOpt = None,
    top: Annotated[int, typer.Option("--top", "-k", min=1, help="列出前 K 家")] = 10,
    min_score: Annotated[float, typer.Option(help="只看匹配得分不低于此值的企业")] = 50.0,
    as_of: AsOfOpt = None,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """招商时机：园区的匹配企业中，谁最可能正在选址（融资、扩产、搬迁、租约到期等，按时效衰减）。"""
    sample = _sample(parks, enterprises)
    park_frame, ent_frame = load_tables(
        parks, enterprises, rejected=rejected_path(skip_invalid, rejected)
    )
    event_frame = _events(events, sample, ent_frame)
    if event_frame is None:
        raise typer.BadParameter("请用 --events 提供企业动态事件表")
    families = [*default_families(), SignalFeature(as_of=as_of)]
    matcher = Matcher(families=families).fit(park_frame, ent_frame, events=event_frame)
    leads = timing_leads(matcher, park, k=top, min_score=min_score)
    table = Table(
        title=f"{park} 招商时机 前 {len(leads)} 家（匹配得分 ≥ {min_score:g}，共 {leads.attrs['total']} 家有信号）",
        show_lines=True,
        title_justify="left",
    )
    for col in ("企业", "得分", "时机", "依据"):
        table.add_column(col, overflow="fold", ratio=3 if col == "依据" else None)
    for r in leads.itertuples(index=False):
        table.add_row(f"{r.name}\n{r.enterprise_id}", f"{r.score:.1f}", f"{r.timing:.2f}", r.reason)
    out.print(table)


@app.command("policies")
def policies_command(
    park: Annotated[str, typer.Option("--park", help="园区编号")],
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="只看这家企业：每项政策的结论和依据")
    ] = None,
    policies: PoliciesOpt = None,
    parks: ParksOpt = None,
    enterprises: EntsOpt = None,
    events: EventsOpt = None,
    min_policies: Annotated[
        int, typer.Option("--min-policies", min=0, help="只列出符合至少 N 项政策的企业")
    ] = 1,
    boost: Annotated[
        float, typer.Option("--boost", min=0, help="每符合一项政策，排序分加几分（默认不加）")
    ] = 0.0,
    top: Annotated[int, typer.Option("--top", "-k", min=1, help="返回前 K 家")] = 10,
    as_of: AsOfOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写出 CSV/XLSX")] = None,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """政策匹配：一家企业可申请园区哪些政策（推荐/可能/需补充信息/不推荐/已过期），或按政策筛选、加权招商线索。"""
    sample = _sample(parks, enterprises)
    park_frame, ent_frame = load_tables(
        parks, enterprises, rejected=rejected_path(skip_invalid, rejected)
    )
    policy_frame = _policies(policies, sample, park_frame)
    if policy_frame is None:
        raise typer.BadParameter("请用 --policies 提供园区政策（表格或 JSON）")
    event_frame = _events(events, sample, ent_frame)
    if enterprise is not None:
        rows = ent_frame[ent_frame["enterprise_id"].astype(str) == enterprise]
        if rows.empty:
            from ..exceptions import UnknownIdError

            raise UnknownIdError("enterprise", enterprise)
        result = match_policies(policy_frame, rows, park_id=park, events=event_frame, as_of=as_of)
        name = rows["name"].iloc[0]
        table = Table(title=f"{name}（{enterprise}）× {park} 政策匹配", show_lines=True)
        for col in ("政策", "结论", "金额(万元)", "申报期", "依据"):
            table.add_column(col, overflow="fold", ratio=3 if col == "依据" else None)
        for r in result.itertuples(index=False):
            amount = "" if pd.isna(r.amount_wan) else f"{r.amount_wan:g}"
            table.add_row(str(r.name), str(r.status), amount, str(r.window), str(r.reason))
        out.print(table)
        frame = result
    else:
        matcher = Matcher().fit(park_frame, ent_frame)
        frame = rank_with_policies(
            matcher,
            park,
            policy_frame,
            k=top,
            min_recommended=min_policies,
            boost=boost,
            events=event_frame,
            as_of=as_of,
        )
        table = Table(
            title=f"{park} 符合至少 {min_policies} 项政策的线索（共 {frame.attrs['total']} 家）",
            show_lines=True,
            title_justify="left",
        )
        for col in ("排名", "企业", "得分", "政策加分", "符合政策"):
            table.add_column(col, overflow="fold")
        for r in frame.itertuples(index=False):
            table.add_row(
                str(r.rank),
                f"{r.name}\n{r.enterprise_id}",
                f"{r.score:.1f}",
                f"{r.policy_bonus:g}",
                f"{r.policies_recommended} 项：{r.policy_names}",
            )
        out.print(table)
    if output is not None:
        write_table(frame, output)
        err.print(f"已写出 {len(frame)} 行到 {output}")


@app.command("vet")
def vet_command(
    project: Annotated[
        Path, typer.Option("--project", help="拟落地项目（JSON 对象或表格，每行一个项目）")
    ],
    standards: Annotated[
        Path | None, typer.Option("--standards", help="园区准入标准表（默认用国家与示意标准）")
    ] = None,
    park: Annotated[str | None, typer.Option("--park", help="按该园区的准入标准评审")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写出 CSV/XLSX")] = None,
) -> None:
    """项目评审：按园区准入标准（投资强度、亩均税收、容积率、建筑系数、能耗等）逐项给出达标/未达标/需补充信息。"""
    standard_frame = None if standards is None else load_standards(standards)
    if project.suffix.lower() == ".json":
        projects = [_project(project)]
    else:
        frame = read_table(project)
        projects = [{k: v for k, v in r.items() if v is not None} for r in frame.to_dict("records")]
    tables = []
    for i, record in enumerate(projects, start=1):
        try:
            result = vet_project(record, standard_frame, park_id=park)
        except SchemaError as exc:
            raise SchemaError(
                [
                    type(p)(**{**p.__dict__, "row": i + 1, "file": project.name})
                    for p in exc.problems
                ],
                file=project.name,
            ) from None
        out.print(str(result), markup=False, highlight=False)
        tables.append(
            result.table.assign(
                project=result.project.get("name") or f"项目{i}", verdict=result.verdict
            )
        )
    if output is not None:
        write_table(pd.concat(tables, ignore_index=True), output)
        err.print(f"已写出评审结果到 {output}")


@app.command("rate")
def rate_command(
    data: Annotated[
        Path,
        typer.Argument(help="入驻企业亩均效益数据（用地、税收、产值、能耗、从业人员、研发投入）"),
    ],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写出 CSV/XLSX")] = None,
    no_rd: Annotated[bool, typer.Option("--no-rd", help="不计研发投入强度")] = False,
) -> None:
    """亩均效益评价：入驻企业按亩均税收、亩均产值、单位能耗产值、劳动生产率、研发强度评为 A/B/C/D 类。"""
    weights = {"rd_intensity": 0.0} if no_rd else None
    rated = rate_tenants(read_table(data), weights=weights, file=data.name)
    table = Table("排名", "企业", "亩均税收", "亩均产值", "综合得分", "分类", show_lines=False)
    for r in rated.sort_values(
        "rank", na_position="last", key=lambda s: s.astype(float)
    ).itertuples(index=False):
        table.add_row(
            "" if r.rank is None else str(r.rank),
            f"{r.name or ''}（{r.enterprise_id}）",
            "" if pd.isna(r.tax_per_mu) else f"{r.tax_per_mu:.1f}",
            "" if pd.isna(r.output_per_mu) else f"{r.output_per_mu:.0f}",
            "" if pd.isna(r.score) else f"{r.score:.1f}",
            f"{r.grade} {r.grade_label}" + (f"（缺：{r.missing}）" if r.missing else ""),
        )
    out.print(table)
    if output is not None:
        write_table(rated, output)
        err.print(f"已写出 {len(rated)} 行到 {output}")


@app.command("report")
def report_command(
    park: Annotated[str, typer.Option("--park", help="园区编号")],
    enterprise: Annotated[str, typer.Option("--enterprise", help="企业编号")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="写出 .pdf、.xlsx 或 .docx（不指定则只打印摘要）"),
    ] = None,
    parks: ParksOpt = None,
    enterprises: EntsOpt = None,
    tenants: Annotated[
        Path | None, typer.Option("--tenants", help="入驻企业表（产业链位置）")
    ] = None,
    events: EventsOpt = None,
    policies: PoliciesOpt = None,
    standards: Annotated[Path | None, typer.Option("--standards", help="园区准入标准表")] = None,
    project: Annotated[
        Path | None, typer.Option("--project", help="拟落地项目（JSON 或表格首行），用于项目评审")
    ] = None,
    as_of: AsOfOpt = None,
    font: Annotated[
        Path | None, typer.Option("--font", help="PDF 用的中文 TrueType 字体文件（默认自动查找）")
    ] = None,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """研判报告：一家企业 × 一个园区的匹配得分分解、产业链位置、招商时机、政策、项目评审、风险与缺失信息。"""
    if output is not None and output.suffix.lower() not in (".pdf", ".xlsx", ".docx"):
        raise typer.BadParameter(f"--output 应为 .pdf、.xlsx 或 .docx 文件，得到 {output.name!r}")
    sample = _sample(parks, enterprises)
    park_frame, ent_frame = load_tables(
        parks, enterprises, rejected=rejected_path(skip_invalid, rejected)
    )
    tenant_frame = (
        load_tenants(tenants)
        if tenants is not None
        else (load_sample_tenants() if sample else None)
    )
    event_frame = _events(events, sample, ent_frame)
    policy_frame = _policies(policies, sample, park_frame)
    standard_frame = None if standards is None else load_standards(standards, parks=park_frame)
    project_record = None if project is None else _project(project)
    day = as_date(as_of)
    families: list[Any] = [*default_families(), ChainFeature()]
    if event_frame is not None:
        families.append(SignalFeature(as_of=day))
    matcher = Matcher(families=families).fit(
        park_frame, ent_frame, tenant_frame, events=event_frame
    )
    report = assessment_report(
        matcher,
        park,
        enterprise,
        policies=policy_frame,
        standards=standard_frame,
        project=project_record,
        as_of=day,
    )
    out.print(str(report), markup=False, highlight=False)
    if output is not None:
        report.save(output, font=None if font is None else str(font))
        err.print(f"已写出研判报告到 {output}")
