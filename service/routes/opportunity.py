"""Why now and can we take it: events, policies, entry standards, vetting and the 研判 report.

Imports (``POST /imports/events|policies|standards``, with a key) validate the whole file with
the library first, within the import limits (422 listing every problem, the full list
downloadable when it is long; nothing written), then write in one transaction. The serving
index keeps its families (so that trained models stay valid); the 招商时机 component is computed
for ``/parks/{id}/signals`` and the report from the stored events. Reads that need the index
wait for it as the other reads do (:func:`service.routes.leads.index_call`); fitting the
招商时机 matcher is heavy work and takes a heavy-work slot (429 while they are all taken).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from matcher import ConfigError, Matcher, SchemaError, UnknownIdError
from matcher.exceptions import Problem
from matcher.features import SignalFeature
from matcher.io import EVENT_KINDS, as_date, parse_event_kind, validate_events
from matcher.policies import (
    match_policies,
    policies_from_json,
    rank_with_policies,
    validate_policies,
)
from matcher.report import AssessmentReport, assessment_report
from matcher.signals import timing_leads
from matcher.vetting import validate_standards, vet_project

from .. import opportunity as opp
from .. import store
from ..config import Settings
from ..deps import (
    ActorDep,
    HeavySlotsDep,
    IndexerDep,
    SessionDep,
    SettingsDep,
    clean_id,
    heavy_work,
)
from ..indexer import Indexer
from ..opportunity_schemas import (
    EventsPublic,
    OpportunityImportResult,
    PoliciesPublic,
    PolicyLeadsPublic,
    PolicyMatchesPublic,
    ReportIn,
    SignalLeadsPublic,
    VettingIn,
    VettingPublic,
)
from ..snapshot import LRU, Snapshot
from ..uploads import read_upload, refused_import, save_upload, upload_name
from ._common import Limit, Offset
from .leads import get_enterprise, get_park, index_call

__all__ = ["router"]

router = APIRouter(tags=["opportunity"])

_MEDIA = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
AsOf = Annotated[str | None, Query(description="评估日期，如 2026-11-30（默认今天）")]


class ReportFormat(StrEnum):
    """What the report endpoints return."""

    json = "json"
    pdf = "pdf"
    xlsx = "xlsx"
    docx = "docx"


# ---------------------------------------------------------------------------- imports
def _ids(session: Session, model: type[store.Base], column: str) -> pd.DataFrame:
    return pd.DataFrame({column: list(session.scalars(store.select_ids(model)))})


def _upload(
    file: UploadFile, settings: Settings, *, json_ok: bool = False
) -> tuple[pd.DataFrame | None, Any, str]:
    """The uploaded sheet as a raw frame (read within the import limits), or, with ``json_ok``,
    parsed JSON for a ``.json`` file; 413 past the upload limit, as for every import."""
    name = upload_name(file)
    with tempfile.TemporaryDirectory(prefix="parkmatch-import-") as folder:
        if not (json_ok and name.lower().endswith(".json")):
            raw = read_upload(file, settings.max_upload_bytes, Path(folder), settings.read_limits)
            return raw, None, name
        path = save_upload(file, settings.max_upload_bytes, Path(folder))
        try:
            return None, json.loads(path.read_bytes().decode("utf-8-sig")), name
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise SchemaError(
                Problem(
                    column=None,
                    message=f"无法读取 JSON：{_json_problem(exc)}",
                    expected="UTF-8 编码的 JSON 文档",
                    file=name,
                ),
                file=name,
            ) from None


def _json_problem(exc: Exception) -> str:
    """What is wrong with an uploaded JSON document, in Chinese (the parser's words kept)."""
    if isinstance(exc, UnicodeDecodeError):
        return f"不是 UTF-8 编码（第 {exc.start + 1} 个字节无法解码）"
    if isinstance(exc, RecursionError):
        return "嵌套层数过多"
    if isinstance(exc, json.JSONDecodeError):
        return f"格式错误，第 {exc.lineno} 行第 {exc.colno} 列（{exc.msg}）"
    return str(exc)


@router.post("/imports/events", response_model=OpportunityImportResult)
def import_events(
    file: Annotated[
        UploadFile, File(description="CSV/XLSX：企业编号、事件类型、日期、来源、事件详情、置信度")
    ],
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    dry_run: Annotated[bool, Query(description="只校验，不写入")] = False,
) -> OpportunityImportResult:
    """导入企业动态事件（融资、新设分支、购地、扩产、招聘、认定、搬迁、租约临期、中标）：先完整校验，
    有任何问题则返回 422 并列出全部问题、不写入；已有的相同事件不重复写入。"""
    with refused_import(session, settings):
        raw, _, name = _upload(file, settings)
        events = validate_events(
            raw, file=name, enterprises=_ids(session, store.Enterprise, "enterprise_id")
        )
        inserted, unchanged = opp.insert_events(session, events, actor=actor)
    _finish(session, dry_run)
    return OpportunityImportResult(
        kind="events",
        file=name,
        rows=len(events),
        inserted=inserted,
        unchanged=unchanged,
        dry_run=dry_run,
    )


@router.post("/imports/policies", response_model=OpportunityImportResult)
def import_policies(
    file: Annotated[UploadFile, File(description="CSV/XLSX（每行一个条件）或 JSON")],
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    dry_run: Annotated[bool, Query(description="只校验，不写入")] = False,
) -> OpportunityImportResult:
    """导入园区政策：表格每行一个条件（同一政策编号的多行合为一项政策），或 JSON；按政策编号新增或替换。"""
    with refused_import(session, settings):
        raw, data, name = _upload(file, settings, json_ok=True)
        parks = _ids(session, store.Park, "park_id")
        if raw is None:
            policies = policies_from_json(data, file=name, parks=parks)
        else:
            policies = validate_policies(raw, file=name, parks=parks)
        inserted, updated = opp.upsert_policies(session, policies, actor=actor)
    _finish(session, dry_run)
    return OpportunityImportResult(
        kind="policies",
        file=name,
        rows=len(policies),
        inserted=inserted,
        updated=updated,
        dry_run=dry_run,
    )


@router.post("/imports/standards", response_model=OpportunityImportResult)
def import_standards(
    file: Annotated[
        UploadFile,
        File(description="CSV/XLSX：园区编号（空=所有园区）、指标、标准值、硬性条件、依据"),
    ],
    session: SessionDep,
    actor: ActorDep,
    settings: SettingsDep,
    dry_run: Annotated[bool, Query(description="只校验，不写入")] = False,
) -> OpportunityImportResult:
    """导入园区准入标准（投资强度、亩均税收、容积率、建筑系数、能耗等）；按（园区，指标）新增或替换。"""
    with refused_import(session, settings):
        raw, _, name = _upload(file, settings)
        standards = validate_standards(raw, file=name, parks=_ids(session, store.Park, "park_id"))
        inserted, updated = opp.upsert_standards(session, standards)
    _finish(session, dry_run)
    return OpportunityImportResult(
        kind="standards",
        file=name,
        rows=len(standards),
        inserted=inserted,
        updated=updated,
        dry_run=dry_run,
    )


def _finish(session: Session, dry_run: bool) -> None:
    if dry_run:
        session.rollback()
    else:
        session.commit()


# ---------------------------------------------------------------------------- lists
@router.get("/events", response_model=EventsPublic)
def list_events(
    session: SessionDep,
    enterprise_id: Annotated[str | None, Query(description="企业编号")] = None,
    kind: Annotated[str | None, Query(description="事件类型（英文或中文）")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """企业动态事件，按日期倒序。"""
    query = select(opp.Event)
    if enterprise_id is not None:
        query = query.where(opp.Event.enterprise_id == clean_id(enterprise_id))
    if kind is not None:
        try:
            key = parse_event_kind(kind)
        except ValueError as exc:
            raise ConfigError(f"事件类型「{kind}」无效：应为 {exc}") from None
        query = query.where(opp.Event.kind == key)
    count = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = session.scalars(
        query.order_by(opp.Event.date.desc(), opp.Event.id.desc()).limit(limit).offset(offset)
    )
    data = [
        {
            "enterprise_id": e.enterprise_id,
            "kind": e.kind,
            "kind_label": EVENT_KINDS[e.kind].label,
            "date": e.date.isoformat(),
            "source": e.source,
            "detail": e.detail,
            "confidence": e.confidence,
        }
        for e in rows
    ]
    return {"data": data, "count": count}


@router.get("/policies", response_model=PoliciesPublic)
def list_policies(
    session: SessionDep, park_id: Annotated[str | None, Query(description="园区编号")] = None
) -> dict[str, Any]:
    """园区政策及其条件。"""
    query = select(opp.Policy).order_by(opp.Policy.park_id, opp.Policy.policy_id)
    if park_id is not None:
        query = query.where(opp.Policy.park_id == clean_id(park_id))
    data = [
        {
            "policy_id": p.policy_id,
            "park_id": p.park_id,
            "name": p.name,
            "issuer": p.issuer,
            "benefit": p.benefit,
            "amount_wan": p.amount_wan,
            "start": None if p.start is None else p.start.isoformat(),
            "end": None if p.end is None else p.end.isoformat(),
            "conditions": p.conditions or [],
        }
        for p in session.scalars(query)
    ]
    return {"data": data, "count": len(data)}


# ---------------------------------------------------------------------------- the library on stored data
def _events(session: Session, enterprise_id: str | None = None) -> pd.DataFrame | None:
    raw = opp.events_frame(session, enterprise_id)
    if raw.empty:
        return None
    return validate_events(raw, file="events")


def _policies(session: Session, park_id: str) -> pd.DataFrame:
    raw = opp.policies_frame(session, park_id)
    if raw.empty:
        return validate_policies(pd.DataFrame({c: [] for c in raw.columns}), file="policies")
    return validate_policies(raw, file="policies")


def _standards(session: Session) -> pd.DataFrame | None:
    raw = opp.standards_frame(session)
    return None if raw.empty else validate_standards(raw, file="standards")


def _enterprise_row(snapshot: Snapshot, enterprise_id: str) -> pd.DataFrame:
    ents = snapshot.matcher.enterprises_
    row = ents[ents["enterprise_id"].astype(str) == enterprise_id]
    if row.empty:
        raise UnknownIdError("enterprise", enterprise_id)
    return row


@router.get("/parks/{park_id}/policies/{enterprise_id}", response_model=PolicyMatchesPublic)
def enterprise_policies(
    park_id: str, enterprise_id: str, session: SessionDep, indexer: IndexerDep, as_of: AsOf = None
) -> dict[str, Any]:
    """一家企业可申请园区的哪些政策：推荐 / 可能 / 需补充信息 / 不推荐 / 已过期，以及决定结论的条件。"""
    park = get_park(session, park_id)
    ent = get_enterprise(session, enterprise_id)
    row, _snapshot = index_call(
        indexer,
        f"企业 {ent.enterprise_id!r} ",
        lambda snap: _enterprise_row(snap, ent.enterprise_id),
    )
    result = match_policies(
        _policies(session, park.park_id),
        row,
        park_id=park.park_id,
        events=_events(session, ent.enterprise_id),
        as_of=as_of,
    )
    data = json.loads(result.to_json(orient="records", force_ascii=False))
    return {
        "park_id": park.park_id,
        "enterprise_id": ent.enterprise_id,
        "as_of": result.attrs["as_of"].isoformat(),
        "data": data,
        "count": len(data),
    }


@router.get("/parks/{park_id}/policy-leads", response_model=PolicyLeadsPublic)
def policy_leads(
    park_id: str,
    session: SessionDep,
    indexer: IndexerDep,
    min_policies: Annotated[int, Query(ge=0, le=100, description="至少符合几项政策")] = 1,
    boost: Annotated[
        float, Query(ge=0, le=100, description="每符合一项政策加几分（排序用）")
    ] = 0.0,
    limit: Limit = 20,
    offset: Offset = 0,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """按政策匹配筛选、加权的招商线索（“符合 3 项政策”）；score 仍是可解释的匹配分，rank_score 用于排序。"""
    park = get_park(session, park_id)
    policies = _policies(session, park.park_id)
    events = _events(session)
    frame, snapshot = index_call(
        indexer,
        f"园区 {park.park_id!r} ",
        lambda snap: rank_with_policies(
            snap.matcher,
            park.park_id,
            policies,
            k=limit,
            offset=offset,
            min_recommended=min_policies,
            boost=boost,
            events=events,
            as_of=as_of,
        ),
    )
    data = [
        {
            "rank": int(r.rank),
            "enterprise_id": str(r.enterprise_id),
            "name": str(r.name),
            "score": float(r.score),
            "policy_bonus": float(r.policy_bonus),
            "rank_score": float(r.rank_score),
            "eligible": bool(r.eligible),
            "policies_recommended": int(r.policies_recommended),
            "policies_possible": int(r.policies_possible),
            "policy_names": str(r.policy_names),
            "reasons": str(r.reasons).split("；"),
        }
        for r in frame.itertuples(index=False)
    ]
    return {
        "data": data,
        "count": int(frame.attrs["total"]),
        "model": snapshot.model,
        "index_version": snapshot.version,
    }


def _events_key(session: Session) -> tuple[int, int]:
    row = session.execute(select(func.count(opp.Event.id), func.max(opp.Event.id))).one()
    return int(row[0] or 0), int(row[1] or 0)


#: 招商时机 matchers kept per snapshot (each is a second fitted index: keep few).
TIMING_KEPT = 2


def _timing_matcher(
    snapshot: Snapshot, session: Session, day: str, slots: threading.BoundedSemaphore
) -> Matcher:
    """The snapshot's data fitted with its families plus 招商时机 on the stored events, for the
    events table as it is and the date ``day``.

    Kept per snapshot for the last :data:`TIMING_KEPT` (events, date) pairs. Fitting one is as
    much work as building the index, so it takes a heavy-work slot (429 when they are all
    taken); reads of a matcher already fitted never wait for it.
    """
    key = (_events_key(session), day)
    kept: LRU = snapshot.derive("signals", lambda: LRU(TIMING_KEPT))
    found: Matcher | None = kept.get(key)
    if found is not None:
        return found
    with heavy_work(slots), snapshot.derive("signals:build", threading.Lock):
        found = kept.get(key)
        if found is None:
            base = snapshot.matcher
            families = [f for f in base.families_ if not isinstance(f, SignalFeature)]
            found = Matcher(families=[*families, SignalFeature(as_of=day)])
            found.fit(base.parks_, base.enterprises_, base.tenants_, events=_events(session))
            kept.put(key, found)
    return found


@router.get("/parks/{park_id}/signals", response_model=SignalLeadsPublic)
def park_signals(
    park_id: str,
    session: SessionDep,
    indexer: IndexerDep,
    slots: HeavySlotsDep,
    min_score: Annotated[
        float, Query(ge=0, le=100, description="只看匹配分不低于此值的企业")
    ] = 50.0,
    limit: Limit = 20,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """招商时机：园区的匹配企业中谁最可能正在选址（融资、扩产、搬迁、租约到期等，按时效衰减；外迁倾向）。
    事件表或评估日期变化后的第一次请求需重新计算（计算量大，同时进行的数量见 PARKMATCH_HEAVY_JOBS，
    超过时返回 429）。"""
    park = get_park(session, park_id)
    # read before anything is fitted: a bad date is a 422 (ConfigError), not a fit, then an error
    day = as_date((as_of or "").strip() or None).isoformat()
    leads, _snapshot = index_call(
        indexer,
        f"园区 {park.park_id!r} ",
        lambda snap: timing_leads(
            _timing_matcher(snap, session, day, slots), park.park_id, k=limit, min_score=min_score
        ),
    )
    data = json.loads(leads.to_json(orient="records", force_ascii=False))
    return {
        "park_id": park.park_id,
        "as_of": leads.attrs["as_of"].isoformat(),
        "data": data,
        "count": int(leads.attrs["total"]),
    }


@router.post("/parks/{park_id}/vetting", response_model=VettingPublic)
def vet(park_id: str, body: VettingIn, session: SessionDep) -> dict[str, Any]:
    """项目评审：拟落地项目对照园区准入标准（投资强度、亩均税收、亩均产值、容积率、建筑系数、行政办公用地、绿地率、能耗），
    逐项给出达标 / 未达标 / 需补充信息及计算过程。"""
    park = get_park(session, park_id)
    result = vet_project(body.project, _standards(session), park_id=park.park_id)
    return result.to_dict()


# ---------------------------------------------------------------------------- the report
def _report(
    park_id: str, enterprise_id: str, session: Session, indexer: Indexer, body: ReportIn
) -> tuple[AssessmentReport, Snapshot]:
    park = get_park(session, park_id)
    ent = get_enterprise(session, enterprise_id)
    events = _events(session, ent.enterprise_id)
    policies = _policies(session, park.park_id)
    standards = _standards(session)
    report, snapshot = index_call(
        indexer,
        f"园区 {park.park_id!r} 或企业 {ent.enterprise_id!r} ",
        lambda snap: assessment_report(
            snap.matcher,
            park.park_id,
            ent.enterprise_id,
            events=events,
            policies=policies,
            standards=standards,
            project=body.project,
            as_of=body.as_of,
        ),
    )
    report.model = snapshot.model.get("label", report.model)
    return report, snapshot


def _send(report: AssessmentReport, fmt: ReportFormat, snapshot: Snapshot) -> Any:
    if fmt is ReportFormat.json:
        return {**report.to_dict(), "index_version": snapshot.version}
    folder = Path(tempfile.mkdtemp(prefix="parkmatch-report-"))
    stamp = datetime.now().strftime("%Y%m%d")
    ascii_name = f"report-{report.park_id}-{report.enterprise_id}-{stamp}.{fmt.value}"
    name = f"研判报告-{report.enterprise_name}-{report.park_name}-{stamp}.{fmt.value}"
    try:
        path = report.save(folder / f"report.{fmt.value}")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return FileResponse(
        path,
        media_type=_MEDIA[fmt.value],
        headers={"Content-Disposition": disposition, "X-Index-Version": str(snapshot.version)},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


_REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {m: {} for m in _MEDIA.values()},
        "description": "JSON，或 format=pdf/xlsx/docx 时为文件",
    }
}


@router.get("/parks/{park_id}/leads/{enterprise_id}/report", responses=_REPORT_RESPONSES)
def get_report(
    park_id: str,
    enterprise_id: str,
    session: SessionDep,
    indexer: IndexerDep,
    format: Annotated[
        ReportFormat, Query(description="json、pdf、xlsx 或 docx")
    ] = ReportFormat.json,
    as_of: AsOf = None,
) -> Any:
    """研判报告（企业 × 园区）：匹配得分分解与理由、产业链位置、招商时机、政策匹配、项目评审（未提供项目时为需补充信息）、风险与缺失信息。"""
    report, snapshot = _report(park_id, enterprise_id, session, indexer, ReportIn(as_of=as_of))
    return _send(report, format, snapshot)


@router.post("/parks/{park_id}/leads/{enterprise_id}/report", responses=_REPORT_RESPONSES)
def post_report(
    park_id: str,
    enterprise_id: str,
    body: ReportIn,
    session: SessionDep,
    indexer: IndexerDep,
    format: Annotated[
        ReportFormat, Query(description="json、pdf、xlsx 或 docx")
    ] = ReportFormat.json,
) -> Any:
    """研判报告，附拟落地项目（请求体 project）以对照园区准入标准评审。"""
    report, snapshot = _report(park_id, enterprise_id, session, indexer, body)
    return _send(report, format, snapshot)
