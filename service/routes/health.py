"""``GET /health``: the database and the index state; ``GET /``: where to look next."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response, Security
from sqlalchemy.exc import SQLAlchemyError

from matcher import __version__

from .. import store
from ..deps import IndexerDep, SessionDep, SettingsDep, api_key_header, key_holder
from ..schemas import DatabaseStatus, HealthPublic, IndexStatus

router = APIRouter(tags=["health"])


@router.get("/", include_in_schema=False)
def root() -> dict[str, Any]:
    """Links to the workbench, the docs and the health check."""
    return {
        "name": "parkmatch 园区招商匹配服务",
        "version": __version__,
        "app": "/app/",
        "docs": "/docs",
        "health": "/health",
    }


@router.get("/health", response_model=HealthPublic)
def health(
    session: SessionDep,
    indexer: IndexerDep,
    settings: SettingsDep,
    response: Response,
    key: Annotated[str | None, Security(api_key_header)] = None,
) -> HealthPublic:
    """服务状态：数据库是否可用、各表行数，匹配索引状态（构建中/就绪）、版本与所用模型。

    读取需密钥时（PARKMATCH_READS_OPEN=false），不带有效密钥只显示状态，不显示行数和错误详情。"""
    dialect = session.get_bind().dialect.name
    full = settings.reads_open or key_holder(settings, key) is not None
    try:
        counts = store.counts(session)
        database = DatabaseStatus.model_validate(
            {"ok": True, "dialect": dialect, **(counts if full else {})}
        )
    except SQLAlchemyError:
        database = DatabaseStatus(ok=False, dialect=dialect, error="数据库无法访问")
    status_values = indexer.status()
    if not full:
        status_values = {
            **status_values,
            **dict.fromkeys(("parks", "enterprises", "tenants", "skipped")),
            "error": None if status_values["error"] is None else "索引构建失败（详情需密钥）",
            "response_cache": None,
            "ranking_processes": None,
        }
    index = IndexStatus.model_validate(status_values)
    status: Literal["ok", "starting", "degraded"]
    if not database.ok:
        status = "degraded"
        response.status_code = 503
    elif indexer.snapshot is not None and index.state != "failed":
        status = "ok"
    elif index.state == "fitting":
        status = "starting"
    else:
        status = "degraded"
    return HealthPublic(status=status, version=__version__, database=database, index=index)
