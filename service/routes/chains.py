"""Industry chains and city-level allocation.

``GET /parks/{park_id}/chain`` is the library's chain report (:meth:`matcher.Matcher.chain_report`)
on the serving index: which nodes of the park's chains its tenants occupy, which are thin or
missing, and the best candidates for each gap, ranked by the active model. ``POST /allocations``
proposes which enterprise to pursue for which park (:meth:`matcher.Matcher.allocate`): every
enterprise to at most one park, no park beyond its free space. Both also export to XLSX (cells
that a spreadsheet would run as a formula are escaped by the library, as in the lead exports).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from matcher import Matcher
from matcher import allocation as allocation_lib
from matcher.allocation import Allocation
from matcher.chains import ChainReport, chain_report
from matcher.matching import two_sided

from ..deps import (
    ActorDep,
    HeavySlotDep,
    IndexerDep,
    SessionDep,
    SettingsDep,
    clean_id,
)
from ..indexer import Indexer
from ..schemas import AllocationIn, AllocationPublic, ChainReportPublic
from ..snapshot import Snapshot
from .leads import get_park, index_call

router = APIRouter(tags=["chains"])

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {_XLSX: {}}, "description": "XLSX 文件"}
}


class AllocationFormat(StrEnum):
    """What ``POST /allocations`` returns."""

    json = "json"
    xlsx = "xlsx"


# ---------------------------------------------------------------------------- helpers
def _meta(snapshot: Snapshot) -> dict[str, Any]:
    return {"model": snapshot.model, "index_version": snapshot.version}


def _xlsx_response(
    write: Callable[[Path], Path], name: str, ascii_name: str, snapshot: Snapshot
) -> FileResponse:
    """Write a workbook into a temp folder and stream it as an attachment (then delete it)."""
    folder = Path(tempfile.mkdtemp(prefix="parkmatch-xlsx-"))
    try:
        path = write(folder / ascii_name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return FileResponse(
        path,
        media_type=_XLSX,
        headers={"Content-Disposition": disposition, "X-Index-Version": str(snapshot.version)},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


def _chain_report(snapshot: Snapshot, park_id: str, k: int, thin: int) -> ChainReport:
    """The park's chain report on this snapshot (cached per snapshot with the rankings)."""
    key = ("chain", park_id, k, thin)
    report = snapshot.responses.get(key)
    if report is None:
        report = chain_report(snapshot.matcher, park_id, k=k, thin=thin)
        snapshot.responses.put(key, report)
    assert isinstance(report, ChainReport)
    return report


def _report_for(
    park_id: str, session: SessionDep, indexer: Indexer, k: int, thin: int
) -> tuple[ChainReport, Snapshot]:
    park = get_park(session, park_id)
    return index_call(
        indexer,
        f"园区 {park.park_id!r} ",
        lambda snap: _chain_report(snap, park.park_id, k, thin),
    )


K = Annotated[int, Query(ge=0, le=50, description="每个缺口列出的候选企业数（0–50）")]
Thin = Annotated[int, Query(ge=1, le=100, description="入驻企业少于此数的环节视为薄弱（强链对象）")]


# ---------------------------------------------------------------------------- chains
@router.get("/parks/{park_id}/chain", response_model=ChainReportPublic)
def park_chain(
    park_id: str, session: SessionDep, indexer: IndexerDep, k: K = 5, thin: Thin = 2
) -> dict[str, Any]:
    """园区产业链图谱：各环节的入驻情况（已集聚/薄弱/缺失/可延链），以及每个缺口的补链、强链、延链候选企业。"""
    report, snapshot = _report_for(park_id, session, indexer, k, thin)
    return {**report.to_dict(), **_meta(snapshot)}


@router.get("/parks/{park_id}/chain.xlsx", response_class=FileResponse, responses=_FILE_RESPONSE)
def park_chain_xlsx(
    park_id: str, session: SessionDep, indexer: IndexerDep, k: K = 5, thin: Thin = 2
) -> FileResponse:
    """导出园区产业链报告（XLSX：产业链图谱、补链线索、上下游关系三张表，中文表头）。"""
    report, snapshot = _report_for(park_id, session, indexer, k, thin)
    stamp = datetime.now().strftime("%Y%m%d")
    return _xlsx_response(
        report.to_excel,
        f"产业链报告-{report.park_id}-{stamp}.xlsx",
        f"chain-report-{stamp}.xlsx",
        snapshot,
    )


# ---------------------------------------------------------------------------- allocation
#: What scores a two-sided allocation (reported instead of the active model).
_RECIPROCAL_MODEL = {
    "name": "reciprocal",
    "description": "two-sided scorer: harmonic mean of park side and enterprise side, "
    "default weights with the chain and preference components",
    "label": "双向匹配评分（园区一方与企业一方的调和平均，默认权重，含产业链与企业意愿）",
}


def _two_sided(snapshot: Snapshot) -> Matcher:
    """A two-sided matcher (park side + the enterprise's preference, harmonic mean, chain-aware)
    fitted on the snapshot's data once."""

    result: Matcher = snapshot.derive("reciprocal", lambda: two_sided(snapshot.matcher))
    return result


@router.post(
    "/allocations",
    response_model=AllocationPublic,
    responses={200: {"content": {_XLSX: {}}, "description": "JSON，或 format=xlsx 时为 XLSX 文件"}},
)
def allocate(
    body: AllocationIn,
    session: SessionDep,
    indexer: IndexerDep,
    settings: SettingsDep,
    actor: ActorDep,
    slot: HeavySlotDep,
    format: Annotated[
        AllocationFormat, Query(description="json 或 xlsx（分配方案、未分配、园区汇总）")
    ] = AllocationFormat.json,
) -> Any:
    """全市统筹分配（计算量大，需密钥）：为多个园区分配招商线索，使总匹配分最高，且每家企业只分给
    一个园区、分给园区的企业需求面积不超过其可用面积；说明每家企业为何分到该园区，以及未分配的企业
    和原因。求解器用时以 PARKMATCH_ALLOCATION_TIME_LIMIT_S 为限（到时给出当前最优方案，
    solver 标明 time limit）；同时进行的大计算量请求超过 PARKMATCH_HEAVY_JOBS 时返回 429。"""
    park_ids = None
    if body.park_ids is not None:
        park_ids = [
            get_park(session, p).park_id for p in dict.fromkeys(map(clean_id, body.park_ids))
        ]

    def run(snap: Snapshot) -> Allocation:
        matcher = _two_sided(snap) if body.reciprocal else snap.matcher
        result: Allocation = allocation_lib.allocate(
            matcher,
            park_ids,
            candidates=body.candidates,
            max_per_park=body.max_per_park,
            time_limit=settings.allocation_time_limit_s,
        )
        return result

    result, snapshot = index_call(indexer, "园区", run)
    assert isinstance(result, Allocation)
    if format is AllocationFormat.xlsx:
        stamp = datetime.now().strftime("%Y%m%d")
        return _xlsx_response(
            result.to_excel, f"招商分配方案-{stamp}.xlsx", f"allocation-{stamp}.xlsx", snapshot
        )
    meta = _meta(snapshot)
    if body.reciprocal:
        meta["model"] = _RECIPROCAL_MODEL
    return {**result.to_dict(), "reciprocal": body.reciprocal, **meta}
