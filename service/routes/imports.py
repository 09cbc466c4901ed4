"""Imports: ``POST /imports/{parks|enterprises|tenants}`` with a CSV or XLSX file.

The whole file is read and validated by the library first; if anything is wrong the answer is
422 listing every problem (row, column, value, expected) and nothing is written. A valid file
is applied in one transaction: rows are inserted or updated by id (tenant pairs are added).

``?on_error=skip`` opts in to a partial import (:func:`matcher.io.keep_valid`): the valid rows
are applied, the others (lines that do not parse included) are counted in ``rejected`` and kept
for a day at ``rejected_url`` with their problems, to be fixed and imported again. Problems of
the whole file (a missing required column, an unreadable file) are still a 422.
"""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, File, HTTPException, Query, Response, UploadFile
from sqlalchemy.orm import Session

from matcher.io import (
    LoadResult,
    keep_valid,
    validate_enterprises,
    validate_parks,
    validate_tenants,
)

from .. import store
from ..deps import ActorDep, IndexerDep, SessionDep, SettingsDep
from ..indexer import Indexer
from ..records import check_ids, keep_rejected, weights_scorer
from ..schemas import ImportKind, ImportResult, IndexStatus, OnError
from ..uploads import read_upload, read_upload_rows, refused_import, upload_name

router = APIRouter(prefix="/imports", tags=["imports"])


@router.post("/{kind}", response_model=ImportResult)
def import_table(
    kind: ImportKind,
    file: Annotated[UploadFile, File(description="CSV（UTF-8/GB18030）或 XLSX；中英文表头均可")],
    session: SessionDep,
    actor: ActorDep,
    indexer: IndexerDep,
    settings: SettingsDep,
    dry_run: Annotated[bool, Query(description="只校验，不写入")] = False,
    on_error: Annotated[
        OnError,
        Query(
            description="raise：有任何问题则整表不导入（默认）；skip：导入有效行，被拒绝的行及问题可下载"
        ),
    ] = OnError.raise_,
) -> ImportResult:
    """导入园区、企业或入驻企业表：先完整校验，有任何问题则返回 422 并列出全部问题、不写入；
    通过后在一个事务中按编号新增或更新。on_error=skip 时只导入有效行，返回被拒绝的行数及下载地址。"""
    name = upload_name(file)
    with refused_import(session, settings):
        with tempfile.TemporaryDirectory(prefix="parkmatch-import-") as folder:
            args = (file, settings.max_upload_bytes, Path(folder), settings.read_limits)
            if on_error is OnError.skip:
                raw: pd.DataFrame | LoadResult = read_upload_rows(*args)
            else:
                raw = read_upload(*args)
        return _apply(kind, raw, name, session, indexer, dry_run=dry_run)


def _validator(kind: ImportKind, session: Session, indexer: Indexer) -> Callable[..., pd.DataFrame]:
    """The whole check of one kind of table (the library's validator, then addressable ids)."""
    if kind is ImportKind.parks:
        snapshot = indexer.snapshot
        scorer = weights_scorer(None if snapshot is None else snapshot.matcher.scorer_)

        def parks(frame: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
            out = validate_parks(frame, file=file, scorer=scorer)
            check_ids(out, "park_id", file=file)
            return out

        return parks
    if kind is ImportKind.enterprises:

        def enterprises(frame: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
            out = validate_enterprises(frame, file=file)
            check_ids(out, "enterprise_id", file=file)
            return out

        return enterprises
    parks_ = pd.DataFrame({"park_id": list(session.scalars(store.select_ids(store.Park)))})
    ents = pd.DataFrame(
        {"enterprise_id": list(session.scalars(store.select_ids(store.Enterprise)))}
    )

    def tenants(frame: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
        return validate_tenants(frame, file=file, parks=parks_, enterprises=ents)

    return tenants


def _apply(
    kind: ImportKind,
    raw: pd.DataFrame | LoadResult,
    name: str,
    session: Session,
    indexer: Indexer,
    *,
    dry_run: bool,
) -> ImportResult:
    """Validate the table (all of it, or row by row for a partial import), then write it in
    one transaction (or roll back a dry run)."""
    validate = _validator(kind, session, indexer)
    partial = keep_valid(raw, validate, file=name) if isinstance(raw, LoadResult) else None
    frame = validate(raw, file=name) if partial is None else partial.data
    updated = unchanged = 0
    if kind is ImportKind.parks:
        inserted, updated = store.upsert(session, store.Park, store.park_rows(frame))
    elif kind is ImportKind.enterprises:
        inserted, updated = store.upsert(session, store.Enterprise, store.enterprise_rows(frame))
    else:
        pairs = list(zip(frame["park_id"], frame["enterprise_id"], strict=True))
        inserted, unchanged = store.insert_tenants(session, pairs)
    if dry_run:  # the counts are exact: the writes ran and are rolled back
        session.rollback()
    else:
        store.mark_changed(session)
        session.commit()
        indexer.request_rebuild()
    report = None if partial is None else keep_rejected(session, partial)
    return ImportResult(
        kind=kind,
        file=name,
        rows=len(frame),
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        rejected=0 if partial is None else partial.n_rejected,
        rejected_url=None if report is None else f"/imports/rejected/{report}",
        dry_run=dry_run,
        index=IndexStatus.model_validate(indexer.status()),
    )


@router.get(
    "/problems/{report_id}",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "全部问题（CSV）"}},
)
def problem_report(report_id: str, session: SessionDep, actor: ActorDep) -> Response:
    """下载一次被拒绝的导入的全部问题（CSV，中文可直接用 Excel 打开；保留一天，需密钥）。"""
    return _stored_csv(session, report_id, "problems")


def _stored_csv(session: Session, report_id: str, prefix: str) -> Response:
    """A kept report as a CSV download (404 once it has expired)."""
    report = session.get(store.ProblemReport, report_id[:32])
    if report is None:
        what = "问题清单" if prefix == "problems" else "被拒绝的行"
        raise HTTPException(404, f"未找到{what} {report_id!r}（保留一天）")
    content = gzip.decompress(report.content)
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{prefix}-{report.id}.csv"'},
    )


@router.get(
    "/rejected/{report_id}",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "被拒绝的行及其问题（CSV）"}},
)
def rejected_rows(report_id: str, session: SessionDep, actor: ActorDep) -> Response:
    """下载一次部分导入（on_error=skip）被拒绝的行：原始各列 + 原行号、问题列、问题值、问题、应为
    （CSV，可直接用 Excel 打开，改正后重新导入；保留一天，需密钥）。"""
    return _stored_csv(session, report_id, "rejected")
