"""Commands for industry chains and city-level allocation: ``parkmatch chain``, ``parkmatch allocate``.

Imported by :mod:`matcher.cli`; commands register on its ``app``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from .. import ConfigError, Matcher, load_tenants
from ..allocation import allocate
from ..chains import chain_report
from ..datasets import load_sample_tenants
from ..features import ChainFeature, PreferenceFeature, default_families
from ..io import write_table
from ..scoring import ReciprocalScorer
from ._app import Rejected, SkipInvalid, app, err, load_tables, out, rejected_path

__all__ = ["allocate_command", "chain_command"]


def _fit(
    parks: Path | None,
    enterprises: Path | None,
    tenants: Path | None,
    *,
    reciprocal: bool = False,
    rejected: Path | None = None,
) -> Matcher:
    """Load the tables (the bundled sample with its tenants when no file is given) and fit;
    ``rejected``: ``--skip-invalid --rejected`` for the parks and enterprises files."""
    park_frame, ent_frame = load_tables(parks, enterprises, rejected=rejected)
    tenant_frame: pd.DataFrame | None
    if tenants is not None:
        tenant_frame = load_tenants(tenants)
    elif parks is None and enterprises is None:
        tenant_frame = load_sample_tenants()
    else:
        err.print("[dim]未指定 --tenants：不知道园区已有哪些企业，无法判断缺失和薄弱环节。[/dim]")
        tenant_frame = None
    families: list[Any] = [*default_families(), ChainFeature()]
    if reciprocal:
        families.append(PreferenceFeature())
        matcher = Matcher(families=families, scorer=ReciprocalScorer())
    else:
        matcher = Matcher(families=families)
    return matcher.fit(park_frame, ent_frame, tenant_frame)


def _split_ids(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    ids = [v.strip() for item in values for v in item.replace("，", ",").split(",") if v.strip()]
    return ids or None


@app.command("chain")
def chain_command(
    park: Annotated[str, typer.Option("--park", help="园区编号")],
    parks: Annotated[Path | None, typer.Option(help="园区表（CSV/XLSX/Parquet）")] = None,
    enterprises: Annotated[Path | None, typer.Option(help="企业表")] = None,
    tenants: Annotated[
        Path | None, typer.Option(help="入驻企业表（park_id, enterprise_id / 园区编号, 企业编号）")
    ] = None,
    top: Annotated[int, typer.Option("--top", "-k", min=0, help="每个缺口列出的候选企业数")] = 5,
    thin: Annotated[int, typer.Option(min=1, help="入驻企业少于该数的环节视为薄弱")] = 2,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="写出 XLSX 报告（图谱、线索、上下游）")
    ] = None,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """产业链图谱：园区已集聚、薄弱、缺失的环节，以及补链、强链、延链的候选企业。"""
    if output is not None and output.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"--output 应为 .xlsx 文件，得到 {output.name!r}")
    matcher = _fit(parks, enterprises, tenants, rejected=rejected_path(skip_invalid, rejected))
    report = chain_report(matcher, park, k=top, thin=thin)
    out.print(str(report), markup=False, highlight=False)
    if output is not None:
        report.to_excel(output)
        err.print(f"已写出产业链报告到 {output}")


@app.command("allocate")
def allocate_command(
    park: Annotated[
        list[str] | None,
        typer.Option("--park", help="参与分配的园区编号，可重复或用逗号分隔；默认全部园区"),
    ] = None,
    parks: Annotated[Path | None, typer.Option(help="园区表（CSV/XLSX/Parquet）")] = None,
    enterprises: Annotated[Path | None, typer.Option(help="企业表")] = None,
    tenants: Annotated[Path | None, typer.Option(help="入驻企业表（已入驻的企业不再分配）")] = None,
    candidates: Annotated[int, typer.Option(min=1, help="每个园区取前 N 名作为候选")] = 30,
    max_per_park: Annotated[
        int | None, typer.Option(min=1, help="每个园区最多分配的企业数（默认只受面积限制）")
    ] = None,
    default_space: Annotated[
        str, typer.Option(help="需求面积未知时的假定值：median（同规模中位数）或平方米数")
    ] = "median",
    reciprocal: Annotated[
        bool, typer.Option("--reciprocal", help="按园区与企业双向匹配（调和平均）分配")
    ] = False,
    show: Annotated[int, typer.Option(min=0, help="每个园区在屏幕上显示的企业数")] = 5,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="写出分配方案（.xlsx 含三张表，或 .csv）")
    ] = None,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """全市招商分配：在园区可用面积内，为各园区分配不重复的招商线索，使总匹配度最高。"""
    space: float | str = default_space
    if default_space != "median":
        try:
            space = float(default_space)
        except ValueError:
            raise typer.BadParameter(
                f"--default-space 应为 median 或面积数值，得到 {default_space!r}"
            ) from None
    if output is not None and output.suffix.lower() not in {".xlsx", ".csv", ".parquet"}:
        raise ConfigError(f"--output 应为 .xlsx、.csv 或 .parquet 文件，得到 {output.name!r}")
    matcher = _fit(
        parks,
        enterprises,
        tenants,
        reciprocal=reciprocal,
        rejected=rejected_path(skip_invalid, rejected),
    )
    result = allocate(
        matcher,
        _split_ids(park),
        candidates=candidates,
        max_per_park=max_per_park,
        default_space=space,
    )
    out.print(result.summary(per_park=show), markup=False, highlight=False)
    if output is not None:
        if output.suffix.lower() == ".xlsx":
            result.to_excel(output)
        else:
            write_table(result.to_frame(), output)
        err.print(f"已写出分配方案到 {output}")
