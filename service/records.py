"""Single records from JSON (create / update) validated by the library, like a one-row sheet.

A JSON body is turned into the raw record the library's schema takes (lists of codes joined,
``weights`` into ``weight_<family>`` columns, ``extra`` fields as extra columns), validated with
:func:`matcher.io.validate_parks` / :func:`matcher.io.validate_enterprises`, and turned into rows for
the database. Problems are reported without a sheet row (there is no sheet).
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import pandas as pd
from sqlalchemy import delete as sa_delete

from matcher import ConfigError, SchemaError
from matcher.exceptions import Problem
from matcher.io import LoadResult, safe_frame, validate_enterprises, validate_parks
from matcher.scoring import WeightedScorer

from . import store

#: Why an id cannot be stored: the service addresses parks and enterprises by URL path
#: segments, so an id must survive one (no ``/`` or ``\\``, no control characters, not ``.``
#: or ``..``) and stay short.
ID_PROBLEM = "编号不能含 / \\ 或控制字符，不能是 . 或 ..，且不超过 100 个字符（编号要用在网址中）"
_BAD_ID = re.compile(r"[/\\\x00-\x1f\x7f]")
_ID_CHARS = 100


def id_is_addressable(value: str) -> bool:
    """True when ``value`` can be stored and later addressed as one URL path segment."""
    return (
        bool(value)
        and len(value) <= _ID_CHARS
        and value not in (".", "..")
        and not _BAD_ID.search(value)
    )


def check_ids(frame: pd.DataFrame, column: str, *, file: str | None = None) -> None:
    """Refuse ids the API could store but never address (defect: ``/`` or NUL in an id).

    Raises
    ------
    matcher.SchemaError
        Listing every such row (sheet row numbers, header = row 1).
    """
    problems = [
        Problem(
            column=column,
            row=i + 2,
            value=repr(value),
            message="编号无法在网址中使用",
            expected=ID_PROBLEM,
            file=file,
        )
        for i, value in enumerate(frame[column].tolist())
        if isinstance(value, str) and not id_is_addressable(value)
    ]
    if problems:
        raise SchemaError(problems, file=file)


def _store_csv(session: Any, frame: pd.DataFrame, *, file: str | None, total: int) -> str | None:
    """Keep ``frame`` as gzip CSV (UTF-8 with BOM, opens in Excel) for a day; its id, or None
    when it could not be stored. Reports older than a day are deleted on the way."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz:
        gz.write(frame.to_csv(index=False).encode("utf-8-sig"))
    report_id = secrets.token_hex(12)
    R = store.ProblemReport
    try:
        session.execute(sa_delete(R).where(R.created_at < store.utcnow() - timedelta(days=1)))
        session.add(R(id=report_id, file=file, total=total, content=buffer.getvalue()))
        session.commit()
    except Exception:  # the report is a convenience: never turn an answer into a 500
        session.rollback()
        return None
    return report_id


def keep_report(session: Any, exc: SchemaError, shown: int) -> str | None:
    """Store every problem of a refused import when there are more than ``shown``; the id goes
    on the error (``exc.report_id``) so the response can link to the full list.

    Returns the report id (or None).
    """
    if len(exc.problems) <= shown:
        return None
    frame = pd.DataFrame([p.to_dict() for p in exc.problems])
    report_id = _store_csv(session, frame, file=exc.file, total=len(exc.problems))
    if report_id is not None:
        exc.report_id = report_id  # type: ignore[attr-defined]
    return report_id


def keep_rejected(session: Any, result: LoadResult) -> str | None:
    """Store the rejected rows of a partial import (original columns plus their problems,
    cells made safe for spreadsheets) for a day; the id to download them, None if none."""
    if not result.n_rejected:
        return None
    frame = safe_frame(result.rejected)
    return _store_csv(session, frame, file=result.file, total=result.n_rejected)


__all__ = [
    "ID_PROBLEM",
    "apply_update",
    "check_ids",
    "enterprise_record",
    "keep_rejected",
    "keep_report",
    "park_record",
    "validate_enterprise_record",
    "validate_park_record",
    "weights_scorer",
]


def _codes(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return value


def _check_extra(extra: Mapping[str, Any] | None, fields: Sequence[str]) -> dict[str, Any]:
    extra = dict(extra or {})
    clash = [k for k in extra if k in fields or k.startswith("weight_") or not k.strip()]
    if clash:
        raise ConfigError(
            f"extra 中的字段 {clash} 与标准字段重名或无效：标准字段请直接填写，权重请写在 weights 中"
        )
    return extra


def park_record(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The raw park record for a create/update body's fields (``weights``/``extra`` expanded)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "weights":
            out.update({f"weight_{k}": v for k, v in (value or {}).items()})
        elif key == "extra":
            out.update(_check_extra(value, store.PARK_FIELDS))
        elif key in ("leading_industries", "excluded_industries"):
            out[key] = _codes(value)
        else:
            out[key] = value
    return out


def enterprise_record(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The raw enterprise record for a create/update body's fields (``extra`` expanded)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "extra":
            out.update(_check_extra(value, store.ENTERPRISE_FIELDS))
        else:
            out[key] = value
    return out


def apply_update(
    base: Mapping[str, Any],
    changes: Mapping[str, Any],
    *,
    fields: Sequence[str],
    to_record: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """A stored record (declared form) with the fields set in an update body applied.

    ``weights`` and ``extra``, when set, replace the stored ones as a whole.
    """
    out = dict(base)
    if "weights" in changes:
        out = {k: v for k, v in out.items() if not k.startswith("weight_")}
    if "extra" in changes:
        out = {k: v for k, v in out.items() if k in fields or k.startswith("weight_")}
    out.update(to_record(changes))
    return out


def _one_row(
    validate: Callable[[pd.DataFrame], pd.DataFrame], record: Mapping[str, Any], *, what: str
) -> pd.DataFrame:
    frame = pd.DataFrame([dict(record)], dtype=object)
    try:
        return validate(frame)
    except SchemaError as exc:  # a JSON body has no sheet rows: drop them from the problems
        problems = [dataclasses.replace(p, row=None) for p in exc.problems]
        raise SchemaError(problems, file=what) from None


def weights_scorer(scorer: Any = None) -> Any:
    """The scorer park weights are checked with: the serving index's, else the library's
    default :class:`matcher.scoring.WeightedScorer`."""
    return WeightedScorer().fit() if scorer is None else scorer


def validate_park_record(record: Mapping[str, Any], scorer: Any = None) -> pd.DataFrame:
    """Validate one park record (raises :class:`matcher.SchemaError` without sheet rows)."""
    scorer = weights_scorer(scorer)
    frame = _one_row(lambda f: validate_parks(f, scorer=scorer), record, what="请求体")
    try:
        check_ids(frame, "park_id", file="请求体")
    except SchemaError as exc:
        problems = [dataclasses.replace(p, row=None) for p in exc.problems]
        raise SchemaError(problems, file="请求体") from None
    return frame


def validate_enterprise_record(record: Mapping[str, Any]) -> pd.DataFrame:
    """Validate one enterprise record (raises :class:`matcher.SchemaError` without sheet rows)."""
    frame = _one_row(validate_enterprises, record, what="请求体")
    try:
        check_ids(frame, "enterprise_id", file="请求体")
    except SchemaError as exc:
        problems = [dataclasses.replace(p, row=None) for p in exc.problems]
        raise SchemaError(problems, file="请求体") from None
    return frame
