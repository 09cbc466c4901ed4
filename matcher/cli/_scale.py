"""Commands for large jobs: ``parkmatch fit`` (save a fitted matcher) and ``parkmatch batch``.

Imported by :mod:`matcher.cli`; commands register on its ``app``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .. import Matcher
from ..batch import top_enterprises, top_parks
from ._app import Rejected, SkipInvalid, app, err, load_tables, out, progress_bar, rejected_path

__all__ = ["Direction", "batch_command", "fit_command"]

#: ``--jobs`` of the commands that build an index: processes that read the enterprises' texts.
Jobs = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="读取企业文本的进程数（多核机器可设为 2 或更多，约省三到四成时间；结果与 1 个进程完全相同）",
    ),
]


class Direction(StrEnum):
    """Which way ``parkmatch batch`` ranks."""

    enterprises = "enterprises"
    parks = "parks"


@app.command("fit")
def fit_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="保存匹配器的目录")],
    parks: Annotated[Path | None, typer.Option(help="园区表（CSV/XLSX/Parquet）")] = None,
    enterprises: Annotated[Path | None, typer.Option(help="企业表（CSV/XLSX/Parquet）")] = None,
    jobs: Jobs = 1,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """建立匹配索引并保存到目录（之后 batch --matcher 直接加载，无需重新计算）。"""
    park_frame, ent_frame = load_tables(
        parks, enterprises, rejected=rejected_path(skip_invalid, rejected)
    )
    with progress_bar("建立匹配索引") as progress:
        progress(0, len(ent_frame), f"{len(ent_frame):,} 家企业")
        matcher = Matcher().fit(park_frame, ent_frame, n_jobs=jobs, progress=progress)
        progress(1, 1, "正在保存")
        folder = matcher.save(output)
        progress(1, 1, "完成")
    out.print(f"已保存匹配器到 {folder}（{len(park_frame)} 个园区，{len(ent_frame):,} 家企业）")


@app.command("batch")
def batch_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="结果 Parquet 文件")],
    direction: Annotated[
        Direction,
        typer.Option(help="enterprises：每个园区的前 K 家企业；parks：每家企业的前 K 个园区"),
    ] = Direction.enterprises,
    top: Annotated[int, typer.Option("--top", "-k", min=1, help="每个园区/企业保留前 K 个")] = 20,
    matcher_dir: Annotated[
        Path | None, typer.Option("--matcher", help="parkmatch fit 保存的匹配器目录")
    ] = None,
    parks: Annotated[Path | None, typer.Option(help="园区表")] = None,
    enterprises: Annotated[Path | None, typer.Option(help="企业表")] = None,
    chunk_size: Annotated[
        int,
        typer.Option(
            min=1,
            help="企业→园区方向每批处理的企业数（控制内存）；园区→企业方向按园区分块，不受此影响",
        ),
    ] = 100_000,
    reasons: Annotated[bool, typer.Option("--reasons", help="同时写出推荐理由（较慢）")] = False,
    include_ineligible: Annotated[
        bool, typer.Option("--include-ineligible", help="保留不符合入驻条件的配对（排在最后）")
    ] = False,
    jobs: Jobs = 1,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """批量排序：所有园区的前 K 家企业（或所有企业的前 K 个园区），分批计算，写出 Parquet。"""
    if matcher_dir is not None:
        if parks is not None or enterprises is not None:
            raise typer.BadParameter("--matcher 与 --parks/--enterprises 只能二选一")
        if jobs != 1:
            raise typer.BadParameter(
                "--jobs 只在从园区表和企业表建立索引时有效；--matcher 直接加载已建好的索引"
            )
        matcher = Matcher.load(matcher_dir)
    else:
        park_frame, ent_frame = load_tables(
            parks, enterprises, rejected=rejected_path(skip_invalid, rejected)
        )
        matcher = Matcher().fit(park_frame, ent_frame, n_jobs=jobs)
    label = "各园区前 K 家企业" if direction is Direction.enterprises else "各企业前 K 个园区"
    with progress_bar(label) as progress:
        if direction is Direction.enterprises:
            top_enterprises(
                matcher,
                k=top,
                chunk_size=chunk_size,
                reasons=reasons,
                include_ineligible=include_ineligible,
                output=output,
                progress=progress,
            )
        else:
            top_parks(
                matcher,
                k=top,
                chunk_size=chunk_size,
                reasons=reasons,
                include_ineligible=include_ineligible,
                output=output,
                progress=progress,
            )
    err.print(f"已写出 {output}")
