"""Leads: ranked enterprises for a park, ranked parks for an enterprise or a profile, and the
officers' tracking of each lead (status, owner, note, with history)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from sqlalchemy import ColumnElement, Connection, Engine, Select, bindparam, func, select
from sqlalchemy.orm import Session

from matcher import UnknownIdError
from matcher.scoring import parse_weights

from .. import leadjson, ranking, store, tracking
from ..deps import (
    ActorDep,
    EngineDep,
    ExposureDep,
    IndexerDep,
    SessionDep,
    SnapshotDep,
    clean_id,
    current_snapshot,
)
from ..errors import IndexNotReadyError
from ..exposure import ExposureLog
from ..indexer import Indexer
from ..schemas import (
    STATUS_LABELS,
    EnterpriseProfile,
    EnterpriseRef,
    LeadDetailPublic,
    LeadHistoryPublic,
    LeadsPublic,
    LeadStatusIn,
    LeadTrackingPublic,
    ParkFitsPublic,
    ParkRef,
    SizeClass,
    SrdiLevel,
    TrackedLeadsPublic,
)
from ..snapshot import Snapshot
from ._common import Limit, Offset, empty_list

router = APIRouter(tags=["leads"])

T = TypeVar("T")

_STATUS_HELP = (
    "跟进状态（可多个）：new 新线索 / contacted 已联系 / visited 已走访 / negotiating 洽谈中 / "
    "signed 已签约 / settled 已落地 / abandoned 已放弃 / untracked 未跟进"
)
_STATUS_ALIASES = {
    **{label: key for key, label in STATUS_LABELS.items()},
    "未跟进": ranking.UNTRACKED,
}


def parse_statuses(values: list[str] | None) -> tuple[str, ...]:
    """Status filter values (English or Chinese names, ``untracked``) → canonical names; 422."""
    out = set()
    allowed = {*STATUS_LABELS, ranking.UNTRACKED}
    for value in values or ():
        for part in value.split(","):
            text = part.strip()
            if not text:
                continue
            key = _STATUS_ALIASES.get(text, text.lower())
            if key not in allowed:
                raise HTTPException(
                    422, f"未知的跟进状态 {text!r}；可选：{'、'.join(sorted(allowed))}（或中文名）"
                )
            out.add(key)
    return tuple(sorted(out))


async def lead_query(
    *,
    limit: Annotated[int, Query(ge=1, le=200, description="每页条数（1–200）")] = 20,
    offset: Offset = 0,
    min_score: Annotated[float | None, Query(description="只要不低于此分的企业")] = None,
    include_ineligible: Annotated[
        bool, Query(description="也列出不符合入驻条件的企业（排在符合的之后）")
    ] = False,
    county: Annotated[
        list[str], Query(description="企业所在区县（可多个）", default_factory=empty_list)
    ],
    city: Annotated[
        list[str], Query(description="企业所在市（可多个）", default_factory=empty_list)
    ],
    srdi_level: Annotated[
        list[SrdiLevel],
        Query(
            description="专精特新 none/innovative/provincial/national（可多个）",
            default_factory=empty_list,
        ),
    ],
    size_class: Annotated[
        list[SizeClass],
        Query(
            description="企业规模 large/medium/small/micro（可多个）", default_factory=empty_list
        ),
    ],
    industry: Annotated[
        str | None, Query(description="企业行业代码前缀（如 32、325、C3252；按填报的代码）")
    ] = None,
    high_tech: Annotated[bool | None, Query(description="是否高新技术企业")] = None,
    status: Annotated[list[str], Query(description=_STATUS_HELP, default_factory=empty_list)],
    weights: Annotated[
        str | None, Query(description="本次排名的权重覆盖，如 industry=0.5,text=0.3")
    ] = None,
) -> ranking.LeadQuery:
    """The leads query shared by the list and its exports."""
    parsed = parse_weights(weights)
    return ranking.LeadQuery(
        limit=limit,
        offset=offset,
        min_score=min_score,
        include_ineligible=include_ineligible,
        weights=None if parsed is None else tuple(sorted(parsed.items())),
        filters=ranking.LeadFilters.of(
            county=county,
            city=city,
            srdi_level=srdi_level,
            size_class=size_class,
            industry=industry,
            high_tech=high_tech,
        ),
        status=parse_statuses(status),
    )


LeadQueryDep = Annotated[ranking.LeadQuery, Depends(lead_query)]


def index_call(indexer: Indexer, what: str, call: Callable[[Snapshot], T]) -> tuple[T, Snapshot]:
    """``call(snapshot)`` on the serving index; an id the database holds but the index does not
    yet (written a moment ago, maybe through another process) waits for the new version once
    (up to ``indexer.read_wait`` seconds), then answers 503 while the index catches up."""
    snapshot = current_snapshot(indexer)
    try:
        return call(snapshot), snapshot
    except UnknownIdError as exc:
        if indexer.read_wait > 0:
            indexer.wait(indexer.read_wait)  # asks the database now, then waits
            newer = indexer.snapshot
            if newer is not None and newer is not snapshot:
                try:
                    return call(newer), newer
                except UnknownIdError:
                    pass
        if indexer.error and not indexer.pending:
            raise IndexNotReadyError(
                f"{what}已保存，但匹配索引重建失败：{indexer.error}", retry_after=None
            ) from exc
        raise IndexNotReadyError(f"{what}刚刚写入，匹配索引正在重建，请稍后重试") from exc


def get_park(session: SessionDep, park_id: str) -> store.Park:
    """The stored park or 404."""
    park = session.get(store.Park, clean_id(park_id))
    if park is None:
        raise UnknownIdError("park", park_id)
    return park


def get_enterprise(session: SessionDep, enterprise_id: str) -> store.Enterprise:
    """The stored enterprise or 404."""
    enterprise = session.get(store.Enterprise, clean_id(enterprise_id))
    if enterprise is None:
        raise UnknownIdError("enterprise", enterprise_id)
    return enterprise


def _meta(snapshot: Any) -> dict[str, Any]:
    return {
        "model": snapshot.model,
        "index_version": snapshot.version,
        "components": snapshot.components,
    }


_PARKS = store.Park.__table__
_LEADS = store.LeadStatus.__table__
_PARK_REF = select(_PARKS.c.park_id, _PARKS.c.name).where(_PARKS.c.park_id == bindparam("key"))


def _park_and_statuses(ids: Any) -> Select[Any]:
    """A page's park and the lead statuses of its rows in one round trip: the park's row,
    joined with each recorded status of the enterprises ``ids`` (none: one row of NULLs)."""
    return (
        select(
            _PARKS.c.park_id.label("park__id"),
            _PARKS.c.name.label("park__name"),
            *_LEADS.c,
        )
        .select_from(_PARKS)
        .outerjoin(_LEADS, (_LEADS.c.park_id == _PARKS.c.park_id) & _LEADS.c.enterprise_id.in_(ids))
        .where(_PARKS.c.park_id == bindparam("key"))
    )


_PARK_AND_TRACKED = _park_and_statuses(bindparam("ids", expanding=True))
#: Pages of up to this many rows read their statuses with one bound parameter per id.
_FIXED_IDS = 200
_ID_PARAMS = tuple(f"id{i}" for i in range(_FIXED_IDS))


@functools.lru_cache(maxsize=_FIXED_IDS)
def _park_and_tracked_of(n: int) -> Select[Any]:
    """:data:`_PARK_AND_TRACKED` for exactly ``n`` ids, one bound parameter each (built once
    per page size): an expanding ``IN`` renders its parameters into the SQL anew at every
    execution (about a fifth of this read's CPU); this statement is compiled once, cached."""
    return _park_and_statuses([bindparam(name) for name in _ID_PARAMS[:n]])


def park_ref(session: Session, park_id: str) -> dict[str, str]:
    """The stored park's id and name (a light, prebuilt Core query) or 404."""
    row = session.connection().execute(_PARK_REF, {"key": clean_id(park_id)}).first()
    if row is None:
        raise UnknownIdError("park", park_id)
    return {"park_id": row.park_id, "name": row.name}


def _park_and_tracked(
    connection: Connection, park_id: str, key: str, ids: list[str]
) -> tuple[dict[str, str], dict[str, LeadTrackingPublic]]:
    """The stored park (404 when there is none) and the recorded lead statuses of ``ids`` (as
    :func:`service.ranking.trackings` gives them), in one query."""
    if 0 < len(ids) <= _FIXED_IDS:
        params: dict[str, Any] = dict(zip(_ID_PARAMS[: len(ids)], ids, strict=True))
        params["key"] = key
        rows = connection.execute(_park_and_tracked_of(len(ids)), params).mappings()
    else:
        rows = connection.execute(_PARK_AND_TRACKED, {"key": key, "ids": ids}).mappings()
    park: dict[str, str] | None = None
    tracked: dict[str, LeadTrackingPublic] = {}
    for row in rows:
        park = {"park_id": row["park__id"], "name": row["park__name"]}
        if row["enterprise_id"] is not None:
            lead = {c.name: row[c.name] for c in _LEADS.c}
            tracked[lead["enterprise_id"]] = LeadTrackingPublic.model_validate(lead)
    if park is None:
        raise UnknownIdError("park", park_id)
    return park, tracked


def _leads_response(
    park: dict[str, str],
    snapshot: Snapshot,
    query: ranking.LeadQuery,
    page: ranking.LeadPage,
    shown: list[dict[str, Any]],
    tracked: dict[str, LeadTrackingPublic],
) -> Response | None:
    """The page as JSON bytes from its encoded rows (:mod:`service.leadjson`); None when the
    rows are not shown in the model's order (an exploration page)."""
    if any(r["source"] != "ranking" for r in shown):
        return None
    head = {
        "park": park,
        **_meta(snapshot),
        "count": page.total,
        "limit": query.limit,
        "offset": query.offset,
        "exploration": False,
    }
    trackings = [tracked.get(e) for e in page.ids]
    body = leadjson.page_json(
        head, page.parts, [None if t is None else leadjson.tracking_json(t) for t in trackings]
    )
    return None if body is None else Response(body, media_type="application/json")


def cached_leads_response(
    engine: Engine,
    exposures: ExposureLog,
    park_id: str,
    key: str,
    snapshot: Snapshot,
    query: ranking.LeadQuery,
    page: ranking.LeadPage | None = None,
) -> Response | None:
    """The response of :func:`park_leads` for the park whose normalised id is ``key``, as that
    route answers it, for ``page`` (of ``snapshot``) the response cache holds: the park and its
    rows' lead statuses from one query, the exposure draw and record, the bytes.

    With ``page`` None (a cold page the response cache did not hold when peeked at, for a park
    the serving ``snapshot`` ranks for), the library ranks the page (a status filter reads the
    lead table) and, once the park and statuses are read, the page is cached and the miss
    counted, as the route counts it; a call that raises has cached and counted nothing. Such a
    page is ranked by a ranking worker process when the service has them
    (``PARKMATCH_RANKING_PROCESSES``, :mod:`service.rankers`), with the same result.

    None, with nothing recorded, when the page must be rendered through ``response_model`` (an
    exploration page). Raises what the route would raise (the park is gone: 404; the database
    is away), having recorded no exposure. The pre-routing fast path
    (:mod:`service.fastleads`) answers with it, off the event loop.
    """
    if page is None:
        # a plain connection (a Session costs about a third more CPU for these two reads)
        with engine.connect() as connection:
            page = ranking.ranked_page(snapshot, connection, key, query, keep=False, processes=True)
            park, tracked = _park_and_tracked(connection, park_id, key, page.ids)
        ranking.keep_page(snapshot, key, query, page)
    else:
        with engine.connect() as connection:
            park, tracked = _park_and_tracked(connection, park_id, key, page.ids)
    shown = exposures.explore(page.rows, query.offset)
    response = _leads_response(park, snapshot, query, page, shown, tracked)
    if response is not None:
        exposures.record(park["park_id"], shown, snapshot.model["name"], snapshot.version)
    return response


@router.get("/parks/{park_id}/leads", response_model=LeadsPublic)
def park_leads(
    request: Request,
    park_id: str,
    query: LeadQueryDep,
    engine: EngineDep,
    indexer: IndexerDep,
    exposures: ExposureDep,
) -> Any:
    """园区的招商线索：按匹配分从高到低排列的企业，含是否符合入驻条件、各维度贡献分、推荐理由和跟进状态。

    count 为筛选后符合条件的总数（分页前）；筛选条件：区县、市、专精特新、规模、行业代码前缀、
    高新、跟进状态、最低分。开启随机探索（PARKMATCH_EXPLORATION）时，部分第一页的前若干条顺序
    被打乱（exploration 为 true，各条 source 为 random）。每条线索的展示名次、模型和索引版本被
    记住，首次记录跟进状态时随之保存。"""
    # A page the response cache holds costs one database round trip (the park and the lead
    # statuses of its rows) and is sent as bytes joined from its rows' JSON, encoded when it
    # was cached; the session lives inside this worker thread. Once this route has parsed a
    # query string, later requests with it that the cache can answer take the fast path
    # (service/fastleads.py) and do not come here.
    request.app.state.lead_queries.put(request.scope["query_string"], query)
    key = clean_id(park_id)
    serving = indexer.snapshot
    cached = None if serving is None else ranking.cached_page(serving, key, query)
    with Session(engine) as session:
        if cached is not None and serving is not None:
            park, tracked = _park_and_tracked(session.connection(), park_id, key, cached.ids)
            page, snapshot = cached, serving
        else:
            ranked = None
            if serving is not None:  # the park the index serves: ranked, then one query
                with contextlib.suppress(UnknownIdError):
                    ranked = ranking.ranked_page(serving, session, key, query), serving
            if ranked is None:  # 404 when it is not stored, else what index_call says
                stored = park_ref(session, park_id)["park_id"]
                ranked = index_call(
                    indexer,
                    f"园区 {stored!r} ",
                    lambda snap: (  # the serving snapshot's cache was looked up just now
                        ranking.ranked_page(snap, session, stored, query)
                        if snap is serving
                        else ranking.lead_page(snap, session, stored, query)
                    ),
                )
            page, snapshot = ranked
            # the stored park (404 once it is gone, as for a cached page) and the statuses
            park, tracked = _park_and_tracked(session.connection(), park_id, key, page.ids)
    shown = exposures.explore(page.rows, query.offset)
    exposures.record(park["park_id"], shown, snapshot.model["name"], snapshot.version)
    response = _leads_response(park, snapshot, query, page, shown, tracked)
    if response is not None:
        return response
    # an exploration page: validated and rendered by response_model
    return {
        "park": park,
        **_meta(snapshot),
        "data": [{**r, "tracking": tracked.get(r["enterprise_id"])} for r in shown],
        "count": page.total,
        "limit": query.limit,
        "offset": query.offset,
        "exploration": any(r["source"] == "random" for r in shown),
    }


@router.get("/parks/{park_id}/leads/{enterprise_id}", response_model=LeadDetailPublic)
def lead_detail(
    park_id: str,
    enterprise_id: str,
    session: SessionDep,
    indexer: IndexerDep,
) -> LeadDetailPublic:
    """一条线索的详情：匹配分的构成（基线 + 各维度贡献 = 总分）、理由、当前跟进状态和全部跟进历史。"""
    park = get_park(session, park_id)
    enterprise = get_enterprise(session, enterprise_id)
    explanation, snapshot = index_call(
        indexer,
        "园区或企业",
        lambda snap: ranking.explain(snap, park.park_id, enterprise.enterprise_id),
    )
    key = (park.park_id, enterprise.enterprise_id)
    current = session.get(store.LeadStatus, key)
    H = store.LeadHistory
    history = session.scalars(
        select(H)
        .where(H.park_id == key[0], H.enterprise_id == key[1])
        .order_by(H.changed_at.desc(), H.id.desc())
    )
    return LeadDetailPublic.model_validate(
        {
            "park": ParkRef(park_id=park.park_id, name=park.name),
            "enterprise": EnterpriseRef(
                enterprise_id=enterprise.enterprise_id, name=enterprise.name
            ),
            **_meta(snapshot),
            "explanation": explanation,
            "tracking": None if current is None else LeadTrackingPublic.model_validate(current),
            "history": [LeadHistoryPublic.model_validate(h) for h in history],
        }
    )


@router.put("/parks/{park_id}/leads/{enterprise_id}", response_model=LeadTrackingPublic)
def track_lead(
    park_id: str,
    enterprise_id: str,
    body: LeadStatusIn,
    session: SessionDep,
    actor: ActorDep,
    exposures: ExposureDep,
) -> LeadTrackingPublic:
    """记录线索的跟进状态（新线索/已联系/已走访/洽谈中/已签约/已落地/已放弃）、负责人和备注；
    每次变更都记入历史（时间、操作人）。未提供的负责人/备注保持原值。首次记录时同时保存该线索
    最近一次在线索列表中展示的名次、模型和索引版本（source 为 own 时记为自有渠道，不计名次）。"""
    park = get_park(session, park_id)
    enterprise = get_enterprise(session, enterprise_id)
    key = (park.park_id, enterprise.enterprise_id)
    lead = tracking.track(
        session,
        key,
        status=body.status.value,
        owner=body.owner,
        note=body.note,
        given=body.model_fields_set,
        actor=actor,
        exposure=exposures.get(*key),
        source=None if body.source is None else body.source.value,
    )
    return LeadTrackingPublic.model_validate(lead)


@router.get("/leads", response_model=TrackedLeadsPublic)
def tracked_leads(
    *,
    session: SessionDep,
    park_id: Annotated[str | None, Query(description="只看这个园区")] = None,
    enterprise_id: Annotated[str | None, Query(description="只看这家企业")] = None,
    status: Annotated[
        list[str], Query(description="跟进状态（可多个，英文或中文名）", default_factory=empty_list)
    ],
    owner: Annotated[str | None, Query(description="负责人")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TrackedLeadsPublic:
    """正在跟进的线索（全部园区），最近变更的在前；可按园区、企业、状态、负责人筛选。"""
    L = store.LeadStatus
    where: list[ColumnElement[bool]] = []
    if park_id:
        where.append(L.park_id == clean_id(park_id))
    if enterprise_id:
        where.append(L.enterprise_id == clean_id(enterprise_id))
    statuses = [s for s in parse_statuses(status) if s != ranking.UNTRACKED]
    if status:
        where.append(L.status.in_(statuses))
    if owner:
        where.append(L.owner == owner.strip())
    count = session.scalar(select(func.count()).select_from(L).where(*where)) or 0
    rows = session.scalars(
        select(L)
        .where(*where)
        .order_by(L.updated_at.desc(), L.park_id, L.enterprise_id)
        .offset(offset)
        .limit(limit)
    )
    return TrackedLeadsPublic(
        data=[LeadTrackingPublic.model_validate(r) for r in rows], count=count
    )


@router.get("/enterprises/{enterprise_id}/parks", response_model=ParkFitsPublic)
def enterprise_parks(
    enterprise_id: str,
    session: SessionDep,
    indexer: IndexerDep,
    limit: Annotated[int, Query(ge=1, le=200, description="每页条数")] = 5,
    offset: Offset = 0,
    min_score: Annotated[float | None, Query(description="只要不低于此分的园区")] = None,
    include_ineligible: Annotated[bool, Query(description="也列出不符合入驻条件的园区")] = False,
) -> ParkFitsPublic:
    """反向匹配：为一家企业按匹配分列出适合的园区，含贡献分、理由和各园区对它的跟进状态。"""
    enterprise = get_enterprise(session, enterprise_id)
    (rows, total), snapshot = index_call(
        indexer,
        f"企业 {enterprise.enterprise_id!r} ",
        lambda snap: ranking.rank_parks(
            snap,
            session,
            enterprise.enterprise_id,
            limit=limit,
            offset=offset,
            include_ineligible=include_ineligible,
            min_score=min_score,
        ),
    )
    return ParkFitsPublic.model_validate(
        {
            "enterprise": {"enterprise_id": enterprise.enterprise_id, "name": enterprise.name},
            **_meta(snapshot),
            "data": rows,
            "count": total,
            "limit": limit,
            "offset": offset,
        }
    )


@router.post("/match", response_model=ParkFitsPublic)
def match_profile(
    profile: EnterpriseProfile,
    snapshot: SnapshotDep,
    limit: Annotated[int, Query(ge=1, le=200, description="每页条数")] = 5,
    offset: Offset = 0,
    min_score: Annotated[float | None, Query(description="只要不低于此分的园区")] = None,
    include_ineligible: Annotated[bool, Query(description="也列出不符合入驻条件的园区")] = False,
) -> ParkFitsPublic:
    """为数据库之外的一家企业（请求体为企业信息，字段同企业表，中英文字段名均可）匹配全部园区。

    不写入任何数据；企业信息不合规时返回 422 并列出全部问题。"""
    fields = profile.model_dump(exclude_none=True, exclude={"extra"})
    fields.update(profile.extra or {})
    rows, total = ranking.rank_profile(
        snapshot,
        fields,
        limit=limit,
        offset=offset,
        include_ineligible=include_ineligible,
        min_score=min_score,
    )
    return ParkFitsPublic.model_validate(
        {
            "enterprise": {
                "enterprise_id": profile.enterprise_id or "profile",
                "name": profile.name or "（待匹配企业）",
            },
            **_meta(snapshot),
            "data": rows,
            "count": total,
            "limit": limit,
            "offset": offset,
        }
    )
