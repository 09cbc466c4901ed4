"""Exceptions raised by parkmatch.

The tree::

    MatcherError                  base of every error this library raises on purpose
    ├── SchemaError(ValueError)   an input table breaks the schema; ``.problems`` lists every
    │                             problem (file, sheet row, column, value, what was expected)
    ├── UnknownIdError(KeyError)  a park_id / enterprise_id that the fitted Matcher does not hold
    ├── ConfigError(ValueError)   an invalid setting: weights, candidate masks, parameters
    ├── NotFittedError            a Matcher or scorer used before ``fit``
    └── ModelError                a model file that is missing, tampered with or from other versions
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ConfigError",
    "MatcherError",
    "ModelError",
    "NotFittedError",
    "Problem",
    "SchemaError",
    "UnknownIdError",
]


class MatcherError(Exception):
    """Base class of every error parkmatch raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input table.

    ``row`` is the row number as the user sees it in the spreadsheet (the header is row 1, so the
    first data row is row 2); ``None`` for problems of the whole file or a whole column.
    """

    column: str | None
    message: str
    row: int | None = None
    value: str | None = None
    expected: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"列「{self.column}」")
        text = "，".join(where)
        text = f"{text}：{self.message}" if text else self.message
        if self.value is not None:
            text += f"（值：{self.value!r}）"
        if self.expected:
            text += f"；应为：{self.expected}"
        return text

    def to_dict(self) -> dict[str, object]:
        """Plain-dict form (for JSON and the service)."""
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "expected": self.expected,
        }


class SchemaError(MatcherError, ValueError):
    """An input table breaks the schema.

    Every problem found is listed in ``problems``, not only the first one.
    """

    def __init__(self, problems: list[Problem] | Problem | str, *, file: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(column=None, message=problems, file=file)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.file = file
        head = f"{file}：" if file else ""
        n = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  …另有 {n - 50} 个问题" if n > 50 else ""
        super().__init__(f"{head}数据校验未通过，共 {n} 个问题：\n{lines}{more}")


class UnknownIdError(MatcherError, KeyError):
    """A park_id or enterprise_id that the fitted data does not hold."""

    def __init__(self, kind: str, id_: object):
        self.kind = kind
        self.id = id_
        label = {"park": "园区", "enterprise": "企业"}.get(kind, kind)
        super().__init__(f"未找到{label}编号 {id_!r}")

    def __str__(self) -> str:
        return str(self.args[0])


class ConfigError(MatcherError, ValueError):
    """An invalid setting: unknown or negative weights, a malformed candidate mask, …"""


class NotFittedError(MatcherError, AttributeError):
    """A Matcher or scorer used before ``fit``."""


class ModelError(MatcherError):
    """A model file is missing, was tampered with, or was written by other versions."""


class WorkerError(MatcherError, RuntimeError):
    """A worker process ended without handing back its work (killed, or out of memory)."""
