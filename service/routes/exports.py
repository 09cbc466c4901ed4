"""Exports: a park's ranked leads, and the follow-up ledger of tracked leads, as CSV or XLSX with
Chinese headers (formula-injection safe)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from .. import ranking
from ..deps import IndexerDep, SessionDep, SettingsDep
from ..exporting import lead_table, to_csv_bytes, to_xlsx_bytes
from ..exposure import outcomes_frame
from ..schemas import STATUS_LABELS
from .leads import LeadQueryDep, get_park, index_call

router = APIRouter(prefix="/exports", tags=["exports"])


class ExportFormat(StrEnum):
    """File formats of an export."""

    csv = "csv"
    xlsx = "xlsx"


_MEDIA = {
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "/parks/{park_id}/leads",
    response_class=Response,
    responses={200: {"content": {m: {} for m in _MEDIA.values()}, "description": "文件"}},
)
def export_leads(
    park_id: str,
    query: LeadQueryDep,
    session: SessionDep,
    indexer: IndexerDep,
    settings: SettingsDep,
    format: Annotated[ExportFormat, Query(description="csv 或 xlsx")] = ExportFormat.xlsx,
    rows: Annotated[
        int | None,
        Query(
            ge=1, description="导出行数（从 offset 起）；默认 500，上限见 PARKMATCH_EXPORT_MAX_ROWS"
        ),
    ] = None,
) -> Response:
    """导出园区的招商线索（CSV 或 XLSX，中文表头），筛选条件同线索列表；
    以 = + - @ 开头的单元格前加单引号，防止表格公式注入。"""
    park = get_park(session, park_id)
    wanted = min(rows or 500, settings.export_max_rows)
    query = ranking.LeadQuery(
        limit=wanted,
        offset=query.offset,
        min_score=query.min_score,
        include_ineligible=query.include_ineligible,
        weights=query.weights,
        filters=query.filters,
        status=query.status,
    )
    (data, _total), snapshot = index_call(
        indexer,
        f"园区 {park.park_id!r} ",
        lambda snap: ranking.rank_leads(snap, session, park.park_id, query),
    )
    table = lead_table(data, snapshot.components, STATUS_LABELS)
    content = to_csv_bytes(table) if format is ExportFormat.csv else to_xlsx_bytes(table)
    stamp = datetime.now().strftime("%Y%m%d")
    name = f"招商线索-{park.park_id}-{stamp}.{format.value}"
    ascii_name = f"leads-{stamp}.{format.value}"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        content=content,
        media_type=_MEDIA[format],
        headers={
            "Content-Disposition": disposition,
            "X-Index-Version": str(snapshot.version),
            "X-Model": snapshot.model["name"],
        },
    )


@router.get(
    "/outcomes",
    response_class=Response,
    responses={200: {"content": {m: {} for m in _MEDIA.values()}, "description": "文件"}},
)
def export_outcomes(
    session: SessionDep,
    format: Annotated[ExportFormat, Query(description="csv 或 xlsx")] = ExportFormat.xlsx,
    park_id: Annotated[str | None, Query(description="只导出这个园区的线索")] = None,
) -> Response:
    """导出跟进台账（每条已联系的线索一行，中文表头）：跟进结果、日期、首次联系日期、最远进展，
    以及线索来源、展示名次、排序模型、展示概率和索引版本；可直接用于 parkmatch evaluate 或
    POST /models。仍为“新线索”的不导出。"""
    if park_id is not None:
        park_id = get_park(session, park_id).park_id
    frame = outcomes_frame(session, park_id)
    content = to_csv_bytes(frame) if format is ExportFormat.csv else to_xlsx_bytes(frame)
    stamp = datetime.now().strftime("%Y%m%d")
    name = f"跟进台账-{park_id or '全部园区'}-{stamp}.{format.value}"
    disposition = (
        f"attachment; filename=\"outcomes-{stamp}.{format.value}\"; filename*=UTF-8''{quote(name)}"
    )
    return Response(
        content=content, media_type=_MEDIA[format], headers={"Content-Disposition": disposition}
    )
