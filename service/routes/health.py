"""``GET /health``: the database and the index state; ``GET /``: where to look next."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Response
from sqlalchemy.exc import SQLAlchemyError

from matcher import __version__

from .. import store
from ..deps import IndexerDep, SessionDep
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
def health(session: SessionDep, indexer: IndexerDep, response: Response) -> HealthPublic:
    """服务状态：数据库是否可用、各表行数，匹配索引状态（构建中/就绪）、版本与所用模型。"""
    dialect = session.get_bind().dialect.name
    try:
        database = DatabaseStatus.model_validate(
            {"ok": True, "dialect": dialect, **store.counts(session)}
        )
    except SQLAlchemyError as exc:
        database = DatabaseStatus(ok=False, dialect=dialect, error=type(exc).__name__)
    index = IndexStatus.model_validate(indexer.status())
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
