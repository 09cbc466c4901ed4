"""The first commands: ``rank``, ``explain``, ``validate`` and ``sample``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from .. import ConfigError, Matcher, load_events
from ..datasets import write_sample
from ..io import (
    keep_valid,
    read_rows,
    read_table,
    safe_frame,
    validate_enterprises,
    validate_events,
    validate_parks,
    write_table,
)
from ..policies import load_policies, validate_policies
from ..scoring import load_scorer, parse_weights
from ..vetting import validate_standards
from ._app import (
    Rejected,
    SkipInvalid,
    app,
    err,
    load_tables,
    out,
    rejected_path,
    report_rejected,
)
from ._layout import print_leads

__all__ = ["EXPORT_HEADERS", "OutputFormat", "TableKind", "explain", "rank", "sample", "validate"]


class OutputFormat(StrEnum):
    """Output formats of ``parkmatch rank``."""

    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class TableKind(StrEnum):
    """What a file given to ``parkmatch validate`` holds."""

    auto = "auto"
    parks = "parks"
    enterprises = "enterprises"
    events = "events"
    policies = "policies"
    standards = "standards"


#: Chinese headers of exported rankings.
EXPORT_HEADERS = {
    "rank": "排名",
    "enterprise_id": "企业编号",
    "park_id": "园区编号",
    "name": "名称",
    "score": "得分",
    "eligible": "符合入驻条件",
    "reasons": "推荐理由",
    "industry": "产业匹配贡献",
    "text": "业务契合贡献",
    "capacity": "空间规模贡献",
    "quality": "成长质量贡献",
    "location": "区位贡献",
    "signal": "招商时机贡献",
}


def _weights(text: str | None) -> dict[str, float] | None:
    """``--weights``: the library's parser, a malformed item as a usage error."""
    try:
        return parse_weights(text)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc)) from None


def _export(frame: pd.DataFrame, fmt: OutputFormat, output: Path | None) -> None:
    if fmt is OutputFormat.json:
        records = frame.assign(reasons=frame["reasons"].str.split("；")).to_dict(orient="records")
        text = json.dumps(records, ensure_ascii=False, indent=2, default=float)
        if output:
            output.write_text(text + "\n", encoding="utf-8")
        else:
            out.print_json(text)
        return
    renamed = frame.rename(columns=EXPORT_HEADERS)
    if fmt is OutputFormat.csv and output is None:
        sys.stdout.write(safe_frame(renamed).to_csv(index=False))
        return
    if output is None:
        raise typer.BadParameter("--format xlsx 需要同时指定 --output 文件")
    write_table(renamed, output)
    err.print(f"已写出 {len(frame)} 行到 {output}")


@app.command()
def rank(
    park: Annotated[str | None, typer.Option("--park", help="为该园区排序企业（园区编号）")] = None,
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="为该企业排序园区（企业编号）")
    ] = None,
    parks: Annotated[Path | None, typer.Option(help="园区表（CSV/XLSX/Parquet）")] = None,
    enterprises: Annotated[Path | None, typer.Option(help="企业表（CSV/XLSX/Parquet）")] = None,
    top: Annotated[int, typer.Option("--top", "-k", min=1, help="返回前 K 个")] = 10,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="输出格式")] = (
        OutputFormat.table
    ),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件")] = None,
    include_ineligible: Annotated[
        bool, typer.Option("--include-ineligible", help="同时列出不符合入驻条件的（排在最后）")
    ] = False,
    weights: Annotated[str | None, typer.Option(help="权重覆盖，如 industry=0.5,text=0.3")] = None,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="parkmatch train 训练的模型文件（仅加载可信来源的文件）"),
    ] = None,
    events: Annotated[
        Path | None,
        typer.Option("--events", help="企业动态事件表：加入“招商时机”维度（时效衰减）"),
    ] = None,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide", help="表格显示全部列（编号、各维度贡献），终端较窄时也不精简（可能超出屏宽）"
        ),
    ] = False,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """为园区排序招商线索（--park），或为企业推荐园区（--enterprise）。

    表格按终端宽度排版（中文按两格计，数字与单位不拆行）：窄终端显示精简表格，--wide 显示全部列。
    """
    if (park is None) == (enterprise is None):
        raise typer.BadParameter("请指定 --park 或 --enterprise 之一")
    if model is not None and weights:
        raise typer.BadParameter("--model 与 --weights 只能二选一")
    park_frame, ent_frame = load_tables(
        parks, enterprises, rejected=rejected_path(skip_invalid, rejected)
    )
    event_frame = None if events is None else load_events(events, enterprises=ent_frame)
    if model is not None:
        matcher = Matcher(scorer=load_scorer(model)).fit(park_frame, ent_frame, events=event_frame)
    else:
        matcher = Matcher(weights=_weights(weights))
        matcher = matcher.fit(park_frame, ent_frame, events=event_frame)
    if park is not None:
        result = matcher.rank_enterprises(park, k=top, include_ineligible=include_ineligible)
        name = matcher.parks_.loc[matcher.parks_["park_id"] == park, "name"].iloc[0]
        title, id_col = f"{name}（{park}）推荐招商企业 前 {len(result)} 名", "enterprise_id"
    else:
        assert enterprise is not None
        result = matcher.rank_parks(enterprise, k=top, include_ineligible=include_ineligible)
        ents = matcher.enterprises_
        name = ents.loc[ents["enterprise_id"] == enterprise, "name"].iloc[0]
        title, id_col = f"适合{name}（{enterprise}）的园区 前 {len(result)} 名", "park_id"
    if fmt is OutputFormat.table and output is None:
        print_leads(out, result, title, id_col, wide=wide)
    else:
        _export(result, OutputFormat.csv if fmt is OutputFormat.table else fmt, output)


@app.command()
def explain(
    park: Annotated[str, typer.Option("--park", help="园区编号")],
    enterprise: Annotated[str, typer.Option("--enterprise", help="企业编号")],
    parks: Annotated[Path | None, typer.Option(help="园区表")] = None,
    enterprises: Annotated[Path | None, typer.Option(help="企业表")] = None,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """解释一对园区与企业的得分：各维度贡献之和即总分。"""
    park_frame, ent_frame = load_tables(
        parks, enterprises, rejected=rejected_path(skip_invalid, rejected)
    )
    explanation = Matcher().fit(park_frame, ent_frame).explain(park, enterprise)
    out.print(str(explanation))
    table = Table("维度", "取值", "权重", "贡献")
    frame = explanation.to_frame()
    for row in frame.itertuples(index=False):
        value = "未知" if row.value is None or pd.isna(row.value) else f"{row.value:.2f}"
        table.add_row(row.family, value, f"{row.weight:.2f}", f"{row.contribution:.1f}")
    out.print(table)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="要校验的园区表或企业表")],
    kind: Annotated[TableKind, typer.Option(help="表的类型；auto 按表头判断")] = TableKind.auto,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """校验园区表、企业表、事件表、政策表或准入标准表，列出全部问题（行号、列、值、应为）。

    加 --skip-invalid --rejected 文件：把有效行与被拒绝的行分开，被拒绝的行及问题写入该文件。
    """
    target = rejected_path(skip_invalid, rejected)
    if kind is TableKind.policies or (kind is TableKind.auto and file.suffix.lower() == ".json"):
        if target is not None:
            raise typer.BadParameter("政策文件（JSON）不支持 --skip-invalid")
        frame = load_policies(file)
        n = frame["policy_id"].nunique()
        out.print(f"[green]✓[/green] {file}：校验通过，共 {n} 项政策、{len(frame)} 行条件。")
        return
    partial = None if target is None else read_rows(file)
    raw = read_table(file) if partial is None else partial.data
    if kind is TableKind.auto:
        headers = " ".join(map(str, raw.columns)).lower()
        if "事件类型" in headers or "kind" in headers:
            kind = TableKind.events
        elif "政策编号" in headers or "policy_id" in headers:
            kind = TableKind.policies
        elif "标准值" in headers or "threshold" in headers:
            kind = TableKind.standards
        elif "park_id" in headers or "园区" in headers:
            kind = TableKind.parks
        else:
            kind = TableKind.enterprises
    others: dict[TableKind, tuple[Callable[..., pd.DataFrame], str]] = {
        TableKind.events: (validate_events, "条事件"),
        TableKind.policies: (validate_policies, "行政策条件"),
        TableKind.standards: (validate_standards, "项准入标准"),
    }
    validator = validate_parks if kind is TableKind.parks else validate_enterprises
    if kind in others:
        validator = others[kind][0]
    if partial is not None and target is not None:
        report_rejected([keep_valid(partial, validator, file=file.name)], target)
        return
    if kind in others:
        check, unit = others[kind]
        checked = check(raw, file=file.name)
        out.print(f"[green]✓[/green] {file}：校验通过，共 {len(checked)} {unit}。")
        return
    frame = validator(raw, file=file.name)
    label = "园区" if kind is TableKind.parks else "企业"
    out.print(f"[green]✓[/green] {file}：校验通过，共 {len(frame)} 条{label}记录。")
    if kind is TableKind.enterprises:
        derived = int((frame["size_class_source"] == "derived").sum())
        located = int(frame["location_source"].isin(["county", "city", "province"]).sum())
        no_code = int(frame["industry_code"].isna().sum())
        out.print(
            f"  企业规模按标准测算 {derived} 条；按区县定位 {located} 条；缺行业代码 {no_code} 条。"
        )


@app.command()
def sample(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出目录")] = Path("sample"),
    n: Annotated[int, typer.Option("--n", min=0, help="企业数量")] = 3000,
    seed: Annotated[int, typer.Option(help="随机种子")] = 2022,
) -> None:
    """写出示例数据：郑州小微企业园与生成的企业（CSV 与中文表头 XLSX）。"""
    written = write_sample(output, n=n, random_state=seed)
    for path in written.values():
        out.print(f"已写出 {path}")
