"""Enterprises: list (filters, paging), read, create, update, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from sqlalchemy import ColumnElement, delete, func, or_, select

from matcher import UnknownIdError
from matcher.text import normalize_text

from .. import store
from ..deps import ActorDep, IndexerDep, SessionDep, clean_id
from ..ranking import industry_prefix
from ..records import apply_update, enterprise_record, validate_enterprise_record
from ..schemas import (
    EnterpriseIn,
    EnterprisePublic,
    EnterprisesPublic,
    EnterpriseUpdate,
    SizeClass,
    SrdiLevel,
)
from ._common import Limit, Offset, empty_list, like_escape, like_pattern, norm_values

router = APIRouter(prefix="/enterprises", tags=["enterprises"])


@router.get("", response_model=EnterprisesPublic)
def list_enterprises(
    *,
    session: SessionDep,
    county: Annotated[list[str], Query(description="区县（可多个）", default_factory=empty_list)],
    city: Annotated[list[str], Query(description="市（可多个）", default_factory=empty_list)],
    industry: Annotated[
        str | None, Query(description="行业代码前缀（GB/T 4754，如 32、325、C3252）")
    ] = None,
    size_class: Annotated[
        list[SizeClass],
        Query(
            description="企业规模 large/medium/small/micro（可多个）", default_factory=empty_list
        ),
    ],
    srdi_level: Annotated[
        list[SrdiLevel],
        Query(
            description="专精特新 none/innovative/provincial/national（可多个）",
            default_factory=empty_list,
        ),
    ],
    high_tech: Annotated[bool | None, Query(description="是否高新技术企业")] = None,
    q: Annotated[
        str | None, Query(description="在编号、名称、信用代码、经营范围、主营产品中搜索")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EnterprisesPublic:
    """企业列表：按区县、市、行业代码前缀、规模、专精特新、高新、关键词筛选；分页，count 为总数。"""
    E = store.Enterprise
    where: list[ColumnElement[bool]] = []
    if counties := norm_values(county):
        where.append(E.county.in_(counties))
    if cities := norm_values(city):
        where.append(E.city.in_(cities))
    if industry and (code := industry_prefix(industry)):
        where.append(E.industry_code.like(f"{like_escape(code)}%", escape="\\"))
    if size_class:
        where.append(E.size_class.in_(size_class))
    if srdi_level:
        where.append(E.srdi_level.in_(srdi_level))
    if high_tech is not None:
        where.append(E.high_tech.is_(high_tech))
    if q and (text := normalize_text(q)):
        pattern = like_pattern(text)
        where.append(
            or_(
                *(
                    col.like(pattern, escape="\\")
                    for col in (
                        E.enterprise_id,
                        E.name,
                        E.credit_code,
                        E.business_scope,
                        E.products,
                    )
                )
            )
        )
    count = session.scalar(select(func.count()).select_from(E).where(*where)) or 0
    rows = session.scalars(
        select(E).where(*where).order_by(E.enterprise_id).offset(offset).limit(limit)
    )
    return EnterprisesPublic(data=[EnterprisePublic.model_validate(e) for e in rows], count=count)


@router.get("/{enterprise_id}", response_model=EnterprisePublic)
def read_enterprise(enterprise_id: str, session: SessionDep) -> EnterprisePublic:
    """读取一家企业。"""
    enterprise = session.get(store.Enterprise, clean_id(enterprise_id))
    if enterprise is None:
        raise UnknownIdError("enterprise", enterprise_id)
    return EnterprisePublic.model_validate(enterprise)


@router.post("", response_model=EnterprisePublic, status_code=201)
def create_enterprise(
    body: EnterpriseIn, session: SessionDep, actor: ActorDep, indexer: IndexerDep
) -> EnterprisePublic:
    """新建一家企业（按企业表的规则校验；编号已存在时 409）。"""
    frame = validate_enterprise_record(enterprise_record(body.model_dump(exclude_none=True)))
    rows = store.enterprise_rows(frame)
    enterprise_id = rows[0]["enterprise_id"]
    if session.get(store.Enterprise, enterprise_id) is not None:
        raise HTTPException(
            409, f"企业编号 {enterprise_id!r} 已存在：修改请用 PATCH /enterprises/{enterprise_id}"
        )
    store.upsert(session, store.Enterprise, rows)
    store.mark_changed(session)
    session.commit()
    indexer.request_rebuild()
    return EnterprisePublic.model_validate(session.get(store.Enterprise, enterprise_id))


@router.patch("/{enterprise_id}", response_model=EnterprisePublic)
def update_enterprise(
    enterprise_id: str,
    body: EnterpriseUpdate,
    session: SessionDep,
    actor: ActorDep,
    indexer: IndexerDep,
) -> EnterprisePublic:
    """修改企业的部分字段（未提供的字段保持不变，null 清空该字段；规模、坐标按需重新推算）。"""
    enterprise = session.get(store.Enterprise, clean_id(enterprise_id))
    if enterprise is None:
        raise UnknownIdError("enterprise", enterprise_id)
    record = apply_update(
        store.declared_enterprise(enterprise),
        body.model_dump(exclude_unset=True),
        fields=store.ENTERPRISE_FIELDS,
        to_record=enterprise_record,
    )
    frame = validate_enterprise_record(record)
    store.upsert(session, store.Enterprise, store.enterprise_rows(frame))
    store.mark_changed(session)
    session.commit()
    indexer.request_rebuild()
    session.refresh(enterprise)
    return EnterprisePublic.model_validate(enterprise)


@router.delete("/{enterprise_id}", status_code=204)
def delete_enterprise(
    enterprise_id: str, session: SessionDep, actor: ActorDep, indexer: IndexerDep
) -> Response:
    """删除一家企业，连同其入驻关系和线索跟进状态（跟进历史保留）。"""
    key = clean_id(enterprise_id)
    if session.get(store.Enterprise, key) is None:
        raise UnknownIdError("enterprise", enterprise_id)
    E, L, T = store.Enterprise, store.LeadStatus, store.Tenant
    session.execute(delete(L).where(L.enterprise_id == key))
    session.execute(delete(T).where(T.enterprise_id == key))
    session.execute(delete(E).where(E.enterprise_id == key))
    store.mark_changed(session)
    session.commit()
    indexer.request_rebuild()
    return Response(status_code=204)
