"""The ``parkmatch`` command line: parses arguments, calls the public API, prints.

Errors exit non-zero with one line per problem, never a traceback (set ``PARKMATCH_DEBUG=1``
to see one).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .. import (
    MatcherError,
    SchemaError,
    load_enterprises,
    load_parks,
    load_sample,
)
from ..io import LoadResult

__all__ = [
    "Rejected",
    "SkipInvalid",
    "app",
    "err",
    "load_tables",
    "main",
    "out",
    "progress_bar",
    "rejected_path",
    "report_rejected",
]

app = typer.Typer(
    name="parkmatch",
    help="园区招商匹配：为园区推荐企业、为企业推荐园区，并给出可解释的理由。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
out = Console(soft_wrap=False)
err = Console(stderr=True)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int, str], None]]:
    """A rich progress bar on stderr; yields a ``progress(done, total, message)`` callback."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[step]}"),
        console=err,
        transient=True,
    )
    task = bar.add_task(description, total=None, step="")

    def update(done: int, total: int, message: str) -> None:
        bar.update(task, completed=done, total=total, step=message)

    with bar:
        yield update


#: ``--skip-invalid``: the opt-in to load the valid rows of a messy sheet.
SkipInvalid = Annotated[
    bool,
    typer.Option(
        "--skip-invalid",
        help="跳过有问题的行，只载入有效行（默认整表校验，有任何问题则不载入）；需同时指定 --rejected",
    ),
]
#: ``--rejected``: where the rejected rows and their problems go.
Rejected = Annotated[
    Path | None,
    typer.Option(
        "--rejected",
        help="被拒绝的行（原始各列 + 原行号、问题列、问题值、问题、应为）写入此文件（.xlsx 或 .csv），"
        "改正后可直接重新导入",
    ),
]


def rejected_path(skip_invalid: bool, rejected: Path | None) -> Path | None:
    """Check ``--skip-invalid`` / ``--rejected`` together: the file of rejected rows when
    skipping (refused without one: rows are never dropped silently), else None."""
    if rejected is not None and not skip_invalid:
        raise typer.BadParameter("--rejected 需要与 --skip-invalid 一起使用")
    if not skip_invalid:
        return None
    if rejected is None:
        raise typer.BadParameter(
            "--skip-invalid 需要同时指定 --rejected 文件（如 rejected.xlsx），被拒绝的行及其问题写在那里"
        )
    if rejected.suffix.lower() not in (".xlsx", ".csv", ".tsv"):
        raise typer.BadParameter(f"--rejected 应为 .xlsx 或 .csv 文件，收到 {rejected.name!r}")
    return rejected


def report_rejected(results: list[LoadResult], path: Path) -> None:
    """Print how many rows each file loaded and rejected; write the rejected rows to ``path``
    (one file per input, ``path`` with the input's name appended, when several had some)."""
    with_rows = [r for r in results if r.n_rejected]
    for result in results:
        line = result.summary()
        if result.n_rejected:
            target = path
            if len(with_rows) > 1:
                target = path.with_name(
                    f"{path.stem}-{Path(result.file or 'table').stem}{path.suffix}"
                )
            written = result.write_rejected(target)
            line += f"；被拒绝的行及问题已写入 {written}（改正后可重新导入）"
        err.print(line, markup=False, highlight=False)


def load_tables(
    parks: Path | None, enterprises: Path | None, *, rejected: Path | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The parks and enterprises files (both or neither: the bundled sample), every problem of
    both files in one :class:`SchemaError`.

    With ``rejected`` (``--skip-invalid --rejected FILE``), each file's valid rows are loaded and
    its rejected rows written to ``rejected``; problems of a whole file still refuse both.
    """
    if parks is None and enterprises is None:
        err.print("[dim]未指定 --parks/--enterprises，使用内置郑州示例数据。[/dim]")
        return load_sample()
    if parks is None or enterprises is None:
        raise typer.BadParameter(
            "--parks 和 --enterprises 需要同时指定（或都不指定以使用示例数据）"
        )
    problems: list[SchemaError] = []
    frames: list[pd.DataFrame] = []
    results: list[LoadResult] = []
    for path, loader in ((parks, load_parks), (enterprises, load_enterprises)):
        try:
            if rejected is None:
                frames.append(loader(path))
            else:
                results.append(loader(path, errors="skip"))
                frames.append(results[-1].data)
        except SchemaError as exc:
            problems.append(exc)
    if problems:
        raise SchemaError([p for exc in problems for p in exc.problems])
    if rejected is not None:
        report_rejected(results, rejected)
    return frames[0], frames[1]


def main() -> None:
    """Entry point of the ``parkmatch`` console script."""
    try:
        app()  # typer handles --help, usage errors and exit codes itself
    except SchemaError as exc:
        where = f"{exc.file}：" if exc.file else ""
        err.print(f"[red]错误：{where}数据校验未通过，共 {len(exc.problems)} 个问题[/red]")
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False)
        sys.exit(1)
    except (MatcherError, OSError) as exc:
        err.print(f"错误：{exc}", markup=False, highlight=False)
        sys.exit(1)
    except Exception as exc:  # a bug of ours: still no traceback for the user
        if os.environ.get("PARKMATCH_DEBUG"):
            raise
        err.print(
            f"内部错误：{type(exc).__name__}: {exc}（设置 PARKMATCH_DEBUG=1 查看详细信息）",
            markup=False,
            highlight=False,
        )
        sys.exit(70)
