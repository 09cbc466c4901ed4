"""Parks: list (filters, paging), read, create, update, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from sqlalchemy import ColumnElement, delete, func, or_, select

from matcher import UnknownIdError
from matcher.text import normalize_text

from .. import store
from ..deps import ActorDep, IndexerDep, SessionDep, clean_id
from ..ranking import industry_prefix
from ..records import apply_update, park_record, validate_park_record
from ..schemas import ParkIn, ParkPublic, ParksPublic, ParkUpdate
from ._common import Limit, Offset, empty_list, like_escape, like_pattern, norm_values

router = APIRouter(prefix="/parks", tags=["parks"])


def _scorer(indexer: IndexerDep) -> object:
    snapshot = indexer.snapshot
    return None if snapshot is None else snapshot.matcher.scorer_


@router.get("", response_model=ParksPublic)
def list_parks(
    *,
    session: SessionDep,
    county: Annotated[list[str], Query(description="区县（可多个）", default_factory=empty_list)],
    city: Annotated[list[str], Query(description="市（可多个）", default_factory=empty_list)],
    industry: Annotated[
        str | None, Query(description="主导产业代码前缀（GB/T 4754，如 32、325、C3252）")
    ] = None,
    q: Annotated[str | None, Query(description="在编号、名称、产业定位中搜索")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ParksPublic:
    """园区列表：按区县、市、主导产业代码前缀、关键词筛选；分页，count 为筛选后的总数。"""
    P = store.Park
    where: list[ColumnElement[bool]] = []
    if counties := norm_values(county):
        where.append(P.county.in_(counties))
    if cities := norm_values(city):
        where.append(P.city.in_(cities))
    if industry:
        code = like_escape(industry_prefix(industry) or "")
        where.append(
            or_(
                P.leading_industries.like(f"{code}%", escape="\\"),
                P.leading_industries.like(f"%;{code}%", escape="\\"),
            )
        )
    if q and (text := normalize_text(q)):
        pattern = like_pattern(text)
        where.append(
            or_(
                P.park_id.like(pattern, escape="\\"),
                P.name.like(pattern, escape="\\"),
                P.positioning.like(pattern, escape="\\"),
            )
        )
    count = session.scalar(select(func.count()).select_from(P).where(*where)) or 0
    parks = session.scalars(select(P).where(*where).order_by(P.park_id).offset(offset).limit(limit))
    return ParksPublic(data=[ParkPublic.model_validate(p) for p in parks], count=count)


@router.get("/{park_id}", response_model=ParkPublic)
def read_park(park_id: str, session: SessionDep) -> ParkPublic:
    """读取一个园区。"""
    park = session.get(store.Park, clean_id(park_id))
    if park is None:
        raise UnknownIdError("park", park_id)
    return ParkPublic.model_validate(park)


@router.post("", response_model=ParkPublic, status_code=201)
def create_park(
    body: ParkIn, session: SessionDep, actor: ActorDep, indexer: IndexerDep
) -> ParkPublic:
    """新建一个园区（按园区表的规则校验；编号已存在时 409）。"""
    frame = validate_park_record(park_record(body.model_dump(exclude_none=True)), _scorer(indexer))
    rows = store.park_rows(frame)
    park_id = rows[0]["park_id"]
    if session.get(store.Park, park_id) is not None:
        raise HTTPException(409, f"园区编号 {park_id!r} 已存在：修改请用 PATCH /parks/{park_id}")
    store.upsert(session, store.Park, rows)
    store.mark_changed(session)
    session.commit()
    indexer.request_rebuild()
    return ParkPublic.model_validate(session.get(store.Park, park_id))


@router.patch("/{park_id}", response_model=ParkPublic)
def update_park(
    park_id: str, body: ParkUpdate, session: SessionDep, actor: ActorDep, indexer: IndexerDep
) -> ParkPublic:
    """修改园区的部分字段（未提供的字段保持不变，null 清空该字段）。"""
    park = session.get(store.Park, clean_id(park_id))
    if park is None:
        raise UnknownIdError("park", park_id)
    record = apply_update(
        store.declared_park(park),
        body.model_dump(exclude_unset=True),
        fields=store.PARK_FIELDS,
        to_record=park_record,
    )
    frame = validate_park_record(record, _scorer(indexer))
    store.upsert(session, store.Park, store.park_rows(frame))
    store.mark_changed(session)
    session.commit()
    indexer.request_rebuild()
    session.refresh(park)
    return ParkPublic.model_validate(park)


@router.delete("/{park_id}", status_code=204)
def delete_park(
    park_id: str, session: SessionDep, actor: ActorDep, indexer: IndexerDep
) -> Response:
    """删除一个园区，连同其入驻企业关系和线索跟进状态（跟进历史保留）。"""
    key = clean_id(park_id)
    if session.get(store.Park, key) is None:
        raise UnknownIdError("park", park_id)
    session.execute(delete(store.LeadStatus).where(store.LeadStatus.park_id == key))
    session.execute(delete(store.Tenant).where(store.Tenant.park_id == key))
    session.execute(delete(store.Park).where(store.Park.park_id == key))
    store.mark_changed(session)
    session.commit()
    indexer.request_rebuild()
    return Response(status_code=204)
