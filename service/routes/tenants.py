"""Tenants: which enterprises already sit in which park (list, add one, remove one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from sqlalchemy import ColumnElement, delete, func, select

from matcher import UnknownIdError

from .. import store
from ..deps import ActorDep, IndexerDep, SessionDep, clean_id
from ..schemas import TenantIn, TenantPublic, TenantsPublic
from ._common import Limit, Offset

router = APIRouter(prefix="/tenants", tags=["tenants"])


@router.get("", response_model=TenantsPublic)
def list_tenants(
    session: SessionDep,
    park_id: Annotated[str | None, Query(description="只看这个园区")] = None,
    enterprise_id: Annotated[str | None, Query(description="只看这家企业")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TenantsPublic:
    """入驻企业关系列表（可按园区或企业筛选），分页。"""
    T = store.Tenant
    where: list[ColumnElement[bool]] = []
    if park_id:
        where.append(T.park_id == clean_id(park_id))
    if enterprise_id:
        where.append(T.enterprise_id == clean_id(enterprise_id))
    count = session.scalar(select(func.count()).select_from(T).where(*where)) or 0
    rows = session.scalars(
        select(T).where(*where).order_by(T.park_id, T.enterprise_id).offset(offset).limit(limit)
    )
    return TenantsPublic(data=[TenantPublic.model_validate(t) for t in rows], count=count)


@router.post("", response_model=TenantPublic, status_code=201)
def add_tenant(
    body: TenantIn, session: SessionDep, actor: ActorDep, indexer: IndexerDep
) -> TenantPublic:
    """登记一家已入驻园区的企业。"""
    park_id, enterprise_id = clean_id(body.park_id), clean_id(body.enterprise_id)
    if session.get(store.Park, park_id) is None:
        raise UnknownIdError("park", body.park_id)
    if session.get(store.Enterprise, enterprise_id) is None:
        raise UnknownIdError("enterprise", body.enterprise_id)
    if session.get(store.Tenant, (park_id, enterprise_id)) is not None:
        raise HTTPException(409, f"企业 {enterprise_id!r} 已登记为园区 {park_id!r} 的入驻企业")
    store.insert_tenants(session, [(park_id, enterprise_id)])
    store.mark_changed(session)
    session.commit()
    indexer.request_rebuild()
    return TenantPublic.model_validate(session.get(store.Tenant, (park_id, enterprise_id)))


@router.delete("/{park_id}/{enterprise_id}", status_code=204)
def remove_tenant(
    park_id: str, enterprise_id: str, session: SessionDep, actor: ActorDep, indexer: IndexerDep
) -> Response:
    """取消一条入驻企业登记。"""
    key = (clean_id(park_id), clean_id(enterprise_id))
    if session.get(store.Tenant, key) is None:
        raise HTTPException(404, f"未找到园区 {park_id!r} 的入驻企业 {enterprise_id!r}")
    T = store.Tenant
    session.execute(delete(T).where(T.park_id == key[0], T.enterprise_id == key[1]))
    store.mark_changed(session)
    session.commit()
    indexer.request_rebuild()
    return Response(status_code=204)
