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

__all__ = ["app", "err", "load_tables", "main", "out", "progress_bar"]

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


def load_tables(parks: Path | None, enterprises: Path | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The parks and enterprises files (both or neither: the bundled sample), every problem of
    both files in one :class:`SchemaError`."""
    if parks is None and enterprises is None:
        err.print("[dim]未指定 --parks/--enterprises，使用内置郑州示例数据。[/dim]")
        return load_sample()
    if parks is None or enterprises is None:
        raise typer.BadParameter(
            "--parks 和 --enterprises 需要同时指定（或都不指定以使用示例数据）"
        )
    problems: list[SchemaError] = []
    frames: list[pd.DataFrame] = []
    for path, loader in ((parks, load_parks), (enterprises, load_enterprises)):
        try:
            frames.append(loader(path))
        except SchemaError as exc:
            problems.append(exc)
    if problems:
        raise SchemaError([p for exc in problems for p in exc.problems])
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
