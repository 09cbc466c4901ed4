"""``create_app(settings)``: the FastAPI application of parkmatch.

On start it creates the tables, seeds an empty database from the bundled sample (unless
``PARKMATCH_SEED_SAMPLE=false``) and builds the matcher index in the background; ``/health``
says when it is ready.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session

from matcher import __version__, load_sample, load_sample_tenants

from . import store
from .config import Settings, get_settings
from .deps import require_reader
from .errors import install_error_handlers
from .exposure import ExposureLog
from .indexer import Indexer, ModelRegistry, default_registry, register_model_folder
from .limits import BodySizeLimit
from .routes import routers
from .routes.health import router as health_router

__all__ = ["create_app"]

log = logging.getLogger("parkmatch.service")

DESCRIPTION = """
园区招商匹配服务：为产业园区推荐适配的招商企业、为企业推荐适配的园区，并给出可解释的匹配分和理由。

* 读接口默认无需密钥；写接口（新建、修改、删除、导入、记录跟进状态）需在请求头 `X-API-Key`
  中提供 `PARKMATCH_API_KEYS` 配置的密钥。
* 每个排名结果都注明所用模型（`model`）和索引版本（`index_version`）；数据变更后索引在后台重建，
  重建期间继续用旧索引应答。
* 错误一律返回 JSON：`detail` 说明原因和做法，数据校验错误另附 `problems`（行、列、值、应为）。
"""

_JSON_BODY_LIMIT = 1024 * 1024


def seed_sample(session: Session) -> tuple[int, int]:
    """Load the bundled 郑州 sample (14 parks, 3,000 enterprises and their tenants) into an
    empty database."""
    parks, enterprises = load_sample()
    store.upsert(session, store.Park, store.park_rows(parks))
    store.upsert(session, store.Enterprise, store.enterprise_rows(enterprises))
    tenants = load_sample_tenants()
    store.insert_tenants(
        session,
        zip(tenants["park_id"].astype(str), tenants["enterprise_id"].astype(str), strict=True),
    )
    session.commit()
    return len(parks), len(enterprises)


def create_app(
    settings: Settings | None = None, *, registry: ModelRegistry | None = None
) -> FastAPI:
    """Build the application.

    Parameters
    ----------
    settings : Settings, default=None
        None reads them from the environment and ``.env`` (:func:`get_settings`).
    registry : ModelRegistry, default=None
        The models the index can be built with; None holds the default weighted scorer.
    """
    settings = settings or get_settings()
    registry = registry or default_registry()
    engine = store.make_engine(settings.resolved_database_url)
    indexer = Indexer(
        engine,
        registry,
        response_cache_size=settings.response_cache_size,
        freeze_gc=settings.gc_freeze,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store.create_schema(engine)
        with Session(engine) as session:
            if settings.seed_sample and store.is_empty(session):
                n_parks, n_ents = seed_sample(session)
                log.info("空数据库：已导入内置示例数据（%d 个园区、%d 家企业）", n_parks, n_ents)
        # trained model files (a refused file is logged and skipped) and the remembered choice
        register_model_folder(registry, settings.resolved_models_dir)
        indexer.request_rebuild()
        try:
            yield
        finally:
            indexer.close()
            engine.dispose()

    app = FastAPI(
        title="parkmatch 园区招商匹配服务",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.registry = registry
    app.state.indexer = indexer
    app.state.exposures = ExposureLog(
        settings.exposure_memory,
        exploration=settings.exploration,
        depth=settings.exploration_depth,
    )
    install_error_handlers(app)

    def limit_for(path: str) -> tuple[int, str]:
        if path.startswith("/imports") or path == "/models":
            # the multipart envelope adds a little; the file itself is checked exactly
            return settings.max_upload_bytes + 64 * 1024, "上传文件"
        return _JSON_BODY_LIMIT, "请求体"

    app.add_middleware(BodySizeLimit, limit_for=limit_for)
    for router in routers:
        # reads are open unless PARKMATCH_READS_OPEN=false; /health always is
        guard = [] if router is health_router else [Depends(require_reader)]
        app.include_router(router, dependencies=guard)
    return app
