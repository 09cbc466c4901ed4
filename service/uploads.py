"""Uploaded files: a safe name, a bounded copy on disk, read by the library within limits.

Shared by the imports, the models (a training ledger), the opportunity uploads and the
workbench's 导入 page. A refused import (:class:`matcher.SchemaError`) rolls back what was
written and keeps the full problem list for its ``problems_url`` (:func:`refused_import`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from fastapi import HTTPException, UploadFile
from sqlalchemy.orm import Session

from matcher import SchemaError
from matcher.io import LoadResult, ReadLimits, read_rows, read_table

from .config import Settings
from .records import keep_report

__all__ = [
    "read_upload",
    "read_upload_rows",
    "refused_import",
    "save_upload",
    "upload_name",
]

_SUFFIX_BY_TYPE = {
    "text/csv": ".csv",
    "application/csv": ".csv",
    "text/tab-separated-values": ".tsv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
_CHUNK = 1024 * 1024


#: Longest file name kept, in UTF-8 bytes (file systems allow 255; room for a temp prefix).
_NAME_BYTES = 150


def upload_name(upload: UploadFile) -> str:
    """A safe file name for the upload, keeping its suffix (the library reads by suffix).

    No folders, no control characters, at most :data:`_NAME_BYTES` bytes of UTF-8 (a long
    Chinese name is shortened in the middle of its stem, never cut inside a character).
    """
    name = Path((upload.filename or "").replace("\\", "/")).name.strip()
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip(". ")
    suffix = Path(name).suffix.lower()
    if len(suffix.encode()) > 10 or not re.fullmatch(r"\.[a-z0-9]*", suffix or "."):
        suffix = ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    if not suffix:
        suffix = _SUFFIX_BY_TYPE.get((upload.content_type or "").split(";")[0].strip(), ".csv")
    stem = stem or "upload"
    budget = _NAME_BYTES - len(suffix.encode())
    while len(stem.encode()) > budget:
        stem = stem[:-1]
    return f"{stem}{suffix}"


def save_upload(upload: UploadFile, limit: int, folder: Path) -> Path:
    """Copy the upload into ``folder`` under its safe name, refusing it past ``limit`` bytes
    (413); the path of the copy."""
    path = folder / upload_name(upload)
    size = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise HTTPException(
                    413, f"上传文件超过上限 {limit / 1024 / 1024:g} MB（PARKMATCH_MAX_UPLOAD_MB）"
                )
            out.write(chunk)
    return path


def read_upload(upload: UploadFile, limit: int, folder: Path, limits: ReadLimits) -> pd.DataFrame:
    """Copy the upload to a temp file (refusing it past ``limit`` bytes) and read it within
    ``limits`` (rows, columns, cell length, decompressed size)."""
    return read_table(save_upload(upload, limit, folder), limits=limits)


def read_upload_rows(
    upload: UploadFile, limit: int, folder: Path, limits: ReadLimits
) -> LoadResult:
    """:func:`read_upload` for a partial import: lines that do not parse are rejected rows
    (with their line numbers), not a refusal of the file (:func:`matcher.io.read_rows`)."""
    return read_rows(save_upload(upload, limit, folder), limits=limits)


@contextmanager
def refused_import(session: Session, settings: Settings) -> Iterator[None]:
    """On a refused import (:class:`matcher.SchemaError`): roll back whatever was written and
    keep the full problem list when the 422 can show only the first ``max_problems`` (its
    ``problems_url``)."""
    try:
        yield
    except SchemaError as exc:
        session.rollback()
        keep_report(session, exc, settings.max_problems)
        raise
