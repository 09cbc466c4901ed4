"""Partial loads on purpose: the valid rows of a table, and every rejected row with its problems.

All-or-nothing is the default everywhere (a :class:`~matcher.SchemaError` lists every problem
and nothing is loaded). An officer facing a 44,817-row registry export with 30 broken rows can
opt in instead: the loaders' ``errors="skip"`` (:func:`matcher.io.load_enterprises`, …),
:func:`read_rows` and :func:`keep_valid` return a :class:`LoadResult` — the rows that pass, and
the rejected rows as written in the file plus their problems (:data:`REJECTED_COLUMNS`), ready to
be fixed and imported again. Nothing is dropped silently: a line that does not even parse is a
rejected row too, with its line number.

Problems of the whole file (unreadable, a missing required column, a blank or duplicate
header) leave no row to load and still raise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol, cast, overload

import numpy as np
import pandas as pd

from ..exceptions import Problem, SchemaError
from ._tables import ReadLimits, _read_lines, write_table

__all__ = ["REJECTED_COLUMNS", "Errors", "LoadResult", "keep_valid", "read_rows"]

#: What a loader does with invalid rows: refuse the whole table, or set the rows aside.
Errors = Literal["raise", "skip"]

#: Columns added after the original ones in :attr:`LoadResult.rejected`: the sheet row, and for
#: each problem of the row (one line each) its column, value, what is wrong and what was
#: expected. Validators ignore these columns, so a fixed file can be imported as it is.
REJECTED_COLUMNS = ("原行号", "问题列", "问题值", "问题", "应为")


class Loader(Protocol):
    """What a loader of this package is: a DataFrame, or with ``errors="skip"`` a LoadResult."""

    @overload
    def __call__(
        self, path: str | Path, *, sheet: str | int = ..., errors: Literal["raise"] = ...
    ) -> pd.DataFrame: ...
    @overload
    def __call__(
        self, path: str | Path, *, sheet: str | int = ..., errors: Literal["skip"]
    ) -> LoadResult: ...


def loader(function: Callable[..., pd.DataFrame | LoadResult]) -> Loader:
    """Give a loader its precise type (the same function: name and docstring unchanged)."""
    return cast(Loader, function)


def check_errors(errors: str) -> None:
    """Refuse an ``errors`` value other than ``"raise"`` or ``"skip"``."""
    if errors not in ("raise", "skip"):
        raise ValueError(f"errors 应为 'raise' 或 'skip'，收到 {errors!r}")


@dataclass(frozen=True)
class LoadResult:
    """The rows of a table that passed, and the rows that were set aside with their problems.

    Parameters
    ----------
    data : DataFrame
        The rows that passed: validated and normalised when a validator ran
        (:func:`keep_valid`, the loaders), as read otherwise (:func:`read_rows`).
    rows : ndarray of int
        The sheet row (header = row 1) of each row of ``data``.
    rejected : DataFrame
        One row per rejected row, in sheet order: the original columns as written in the file
        (empty for a line that does not parse), then :data:`REJECTED_COLUMNS`.
    problems : tuple of Problem
        Every problem of the rejected rows, with sheet row numbers.
    file : str, default=None
        The file name the problems name.

    Examples
    --------
    >>> import pandas as pd
    >>> from matcher.io import keep_valid, validate_tenants
    >>> raw = pd.DataFrame({"园区编号": ["P1", None], "企业编号": ["E1", "E2"]})
    >>> result = keep_valid(raw, validate_tenants)
    >>> result.n_loaded, result.n_rejected
    (1, 1)
    >>> result.rejected[["企业编号", "原行号", "问题"]].to_dict(orient="records")
    [{'企业编号': 'E2', '原行号': 3, '问题': '必填项为空'}]
    """

    data: pd.DataFrame
    rows: np.ndarray
    rejected: pd.DataFrame
    problems: tuple[Problem, ...] = field(default=())
    file: str | None = None

    @property
    def n_loaded(self) -> int:
        """Rows that passed."""
        return len(self.data)

    @property
    def n_rejected(self) -> int:
        """Rows set aside (each with at least one problem)."""
        return len(self.rejected)

    def summary(self) -> str:
        """One line in Chinese: how many rows were loaded and rejected.

        >>> LoadResult(pd.DataFrame({"a": [1]}), np.array([2]), pd.DataFrame()).summary()
        '已载入 1 行，拒绝 0 行'
        """
        head = f"{self.file}：" if self.file else ""
        return f"{head}已载入 {self.n_loaded} 行，拒绝 {self.n_rejected} 行"

    def write_rejected(self, path: str | Path) -> Path:
        """Write :attr:`rejected` (CSV with BOM, XLSX or Parquet by the suffix) and return the
        path; cells are sanitised for spreadsheets (:func:`matcher.io.safe_cell`)."""
        return write_table(self.rejected, path)


def _rejected_frame(
    raw: pd.DataFrame, positions: list[int], rows: np.ndarray, found: dict[int, list[Problem]]
) -> pd.DataFrame:
    """The original rows at ``positions`` plus their problems, one line per problem."""
    out = raw.iloc[positions].reset_index(drop=True).astype(object)
    out = out.drop(columns=[c for c in REJECTED_COLUMNS if c in out.columns])
    problems = [found[p] for p in positions]

    def lines(get: Callable[[Problem], object]) -> list[str]:
        return ["\n".join("" if get(p) is None else str(get(p)) for p in ps) for ps in problems]

    out["原行号"] = [int(rows[p]) for p in positions]
    out["问题列"] = lines(lambda p: p.column)
    out["问题值"] = lines(lambda p: p.value)
    out["问题"] = lines(lambda p: p.message)
    out["应为"] = lines(lambda p: p.expected)
    return out


def read_rows(
    path: str | Path, *, sheet: str | int = 0, limits: ReadLimits | None = None
) -> LoadResult:
    """Read a table keeping the lines that parse; each line that does not is a rejected row.

    The partial counterpart of :func:`matcher.io.read_table`: a CSV line with more fields than
    the header (a broken encoding, an unquoted delimiter) is rejected with its line number and
    the line as written, instead of refusing the file. Give the result to :func:`keep_valid`.

    Parameters
    ----------
    path : str or Path
        A CSV/TSV, XLSX or Parquet file.
    sheet : str or int, default=0
        Worksheet of an Excel file.
    limits : ReadLimits, default=None
        As for :func:`matcher.io.read_table`.

    Returns
    -------
    LoadResult
        ``data`` holds the rows as read (strings, None where blank).

    Raises
    ------
    SchemaError
        Whatever :func:`matcher.io.read_table` refuses for the whole file.
    """
    frame, rows, broken = _read_lines(path, sheet=sheet, limits=limits)
    name = Path(path).name
    original = [c for c in frame.columns if c not in REJECTED_COLUMNS]
    rejected = pd.DataFrame(
        [
            {
                "原行号": p.row,
                "问题列": "",
                "问题值": p.value,
                "问题": p.message,
                "应为": p.expected,
            }
            for p in broken
        ],
        columns=[*original, *REJECTED_COLUMNS],
    )
    return LoadResult(frame, rows, rejected, tuple(broken), name)


def keep_valid(
    table: pd.DataFrame | LoadResult,
    validate: Callable[..., pd.DataFrame],
    /,
    *,
    file: str | None = None,
    **kwargs: Any,
) -> LoadResult:
    """Validate a table row by row: keep the rows that pass, set aside those that do not.

    ``validate`` is one of the all-or-nothing validators (:func:`matcher.io.validate_parks`,
    ``validate_enterprises``, ``validate_tenants``, ``validate_events``, or a function with
    the same contract: a raw frame and ``file=`` in, a frame out, :class:`~matcher.SchemaError`
    with sheet rows on any problem). The rows it names are set aside and the rest validated
    again, until what is left passes (a check that needs an otherwise valid table, such as a
    park's weights against the scorer, can name more rows in a later round). Row-level
    checks only: the first of two rows with the same id is kept, the later one rejected.

    Parameters
    ----------
    table : DataFrame or LoadResult
        The raw table (its rows are sheet rows 2, 3, …), or :func:`read_rows`' result (its
        unparseable lines stay rejected).
    validate : callable
        ``validate(frame, file=file, **kwargs) -> DataFrame``.
    file : str, default=None
        The file name problems name; None keeps the one of ``table`` when it is a LoadResult.
    **kwargs
        Passed on to ``validate`` (``scorer=``, ``enterprises=``, …).

    Returns
    -------
    LoadResult
        ``data`` validated; ``rejected`` and ``problems`` in sheet-row order.

    Raises
    ------
    SchemaError
        When a problem concerns the whole table (a missing required column, a duplicate
        header): no row can be loaded then.
    """
    if isinstance(table, LoadResult):
        raw, rows = table.data.reset_index(drop=True), np.asarray(table.rows, dtype=int)
        earlier, earlier_problems = table.rejected, list(table.problems)
        file = table.file if file is None else file
    else:
        raw, rows = table.reset_index(drop=True), np.arange(len(table)) + 2
        earlier, earlier_problems = None, []
    raw = raw.drop(columns=[c for c in REJECTED_COLUMNS if c in raw.columns])
    keep = np.arange(len(raw))
    found: dict[int, list[Problem]] = {}
    while True:
        try:
            data = validate(raw.iloc[keep].reset_index(drop=True), file=file, **kwargs)
            break
        except SchemaError as exc:
            whole = [p for p in exc.problems if p.row is None or not 2 <= p.row < len(keep) + 2]
            if whole:
                raise SchemaError(whole, file=file) from None
            bad = sorted({int(p.row) - 2 for p in exc.problems if p.row is not None})
            for p in exc.problems:
                assert p.row is not None
                position = int(keep[p.row - 2])
                found.setdefault(position, []).append(replace(p, row=int(rows[position])))
            keep = np.delete(keep, bad)
    positions = sorted(found)
    rejected = _rejected_frame(raw, positions, rows, found)
    if earlier is not None and len(earlier):
        rejected = pd.concat([earlier, rejected], ignore_index=True)
        rejected = rejected.sort_values("原行号", kind="stable").reset_index(drop=True)
    rejected["原行号"] = rejected["原行号"].astype("int64")
    rejected = rejected.astype(object).where(rejected.notna(), None)
    problems = earlier_problems + [p for pos in positions for p in found[pos]]
    problems.sort(key=lambda p: p.row or 0)
    return LoadResult(data, rows[keep], rejected, tuple(problems), file)
