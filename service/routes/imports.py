"""Imports: ``POST /imports/{parks|enterprises|tenants}`` with a CSV or XLSX file.

The whole file is read and validated by the library first; if anything is wrong the answer is
422 listing every problem (row, column, value, expected) and nothing is written. A valid file
is applied in one transaction: rows are inserted or updated by id (tenant pairs are added).
"""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, File, HTTPException, Query, Response, UploadFile
from sqlalchemy.orm import Session

from matcher.io import (
    validate_enterprises,
    validate_parks,
    validate_tenants,
)

from .. import store
from ..deps import ActorDep, IndexerDep, SessionDep, SettingsDep
from ..indexer import Indexer
from ..records import check_ids, weights_scorer
from ..schemas import ImportKind, ImportResult, IndexStatus
from ..uploads import read_upload, refused_import, upload_name

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
) -> ImportResult:
    """导入园区、企业或入驻企业表：先完整校验，有任何问题则返回 422 并列出全部问题、不写入；
    通过后在一个事务中按编号新增或更新。"""
    name = upload_name(file)
    with refused_import(session, settings):
        with tempfile.TemporaryDirectory(prefix="parkmatch-import-") as folder:
            raw = read_upload(file, settings.max_upload_bytes, Path(folder), settings.read_limits)
        return _apply(kind, raw, name, session, indexer, dry_run=dry_run)


def _apply(
    kind: ImportKind,
    raw: pd.DataFrame,
    name: str,
    session: Session,
    indexer: Indexer,
    *,
    dry_run: bool,
) -> ImportResult:
    """Validate the whole table, then write it in one transaction (or roll back a dry run)."""
    updated = unchanged = 0
    if kind is ImportKind.parks:
        snapshot = indexer.snapshot
        scorer = weights_scorer(None if snapshot is None else snapshot.matcher.scorer_)
        frame = validate_parks(raw, file=name, scorer=scorer)
        check_ids(frame, "park_id", file=name)
        rows = store.park_rows(frame)
        inserted, updated = store.upsert(session, store.Park, rows)
    elif kind is ImportKind.enterprises:
        frame = validate_enterprises(raw, file=name)
        check_ids(frame, "enterprise_id", file=name)
        rows = store.enterprise_rows(frame)
        inserted, updated = store.upsert(session, store.Enterprise, rows)
    else:
        parks = pd.DataFrame({"park_id": list(session.scalars(store.select_ids(store.Park)))})
        ents = pd.DataFrame(
            {"enterprise_id": list(session.scalars(store.select_ids(store.Enterprise)))}
        )
        frame = validate_tenants(raw, file=name, parks=parks, enterprises=ents)
        pairs = list(zip(frame["park_id"], frame["enterprise_id"], strict=True))
        inserted, unchanged = store.insert_tenants(session, pairs)
    if dry_run:  # the counts are exact: the writes ran and are rolled back
        session.rollback()
    else:
        store.mark_changed(session)
        session.commit()
        indexer.request_rebuild()
    return ImportResult(
        kind=kind,
        file=name,
        rows=len(frame),
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
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
    report = session.get(store.ProblemReport, report_id[:32])
    if report is None:
        raise HTTPException(404, f"未找到问题清单 {report_id!r}（清单保留一天）")
    content = gzip.decompress(report.content)
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="problems-{report.id}.csv"'},
    )
