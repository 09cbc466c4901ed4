"""``create_app(settings)``: the FastAPI application of parkmatch.

On start it creates the tables, seeds an empty database from the bundled sample (unless
``PARKMATCH_SEED_SAMPLE=false``) and builds the matcher index in the background; ``/health``
says when it is ready.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from sqlalchemy.orm import Session

from matcher import __version__, load_sample
from matcher.datasets import load_sample_tenants

from . import store
from .config import MIN_KEY_LENGTH, Settings, get_settings
from .contract import install_contract
from .deps import require_reader
from .errors import install_error_handlers
from .exposure import ExposureLog
from .fastleads import CachedLeadPages, LeadQueryMemo
from .indexer import Indexer
from .limits import BodySizeLimit
from .rankers import RankingProcesses
from .registry import ModelRegistry, default_registry, register_model_folder
from .routes import routers
from .routes.health import router as health_router
from .web import UPLOAD_PATHS, install_workbench

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
    store.mark_changed(session)
    session.commit()
    return len(parks), len(enterprises)


def seed_once(engine: Any) -> None:
    """Seed an empty database from the sample, once even when several processes start."""
    with Session(engine) as session:
        store.lock_writes(session, store.SCHEMA_LOCK)  # a second process waits, then sees rows
        if store.is_empty(session):
            n_parks, n_ents = seed_sample(session)
            log.info("空数据库：已导入内置示例数据（%d 个园区、%d 家企业）", n_parks, n_ents)


def server_key(settings: Settings) -> str:
    """The secret that signs model files and index snapshots.

    ``PARKMATCH_SECRET_KEY`` when set (every replica must have the same one); otherwise a key
    kept in ``secret.key`` in the data folder (created once, readable by the owner only),
    which serves the processes of one machine.
    """
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value()
        if len(value) < MIN_KEY_LENGTH:
            raise ValueError(f"PARKMATCH_SECRET_KEY 至少 {MIN_KEY_LENGTH} 个字符")
        return value
    path = settings.resolved_snapshot_dir.parent / "secret.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be writing it right now
            value = path.read_text(encoding="utf-8").strip()
            if len(value) >= MIN_KEY_LENGTH:
                return value
            time.sleep(0.1)
        raise ValueError(
            f"密钥文件 {path} 无效：请删除后重启，或设置 PARKMATCH_SECRET_KEY"
        ) from None
    value = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return value


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
    key = server_key(settings)
    indexer = Indexer(
        engine,
        registry,
        snapshot_dir=settings.resolved_snapshot_dir,
        key=key,
        models_dir=settings.resolved_models_dir,
        response_cache_size=settings.response_cache_size,
        freeze_gc=settings.gc_freeze,
        read_wait=settings.index_wait_s,
        ranking_threads=settings.ranking_threads,
        rankers=(
            RankingProcesses(settings.ranking_processes, key=key, local=settings.ranking_threads)
            if settings.ranking_processes > 0
            else None
        ),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store.create_schema(engine)
        if settings.seed_sample:
            seed_once(engine)
        # trained model files (unsigned or tampered ones are logged and skipped)
        register_model_folder(registry, settings.resolved_models_dir, key=key)
        with Session(engine) as session:  # the database names the active model for all processes
            chosen = store.active_model(session)
            if chosen is None and registry.active.name != "default":  # remembered in the folder
                store.set_active_model(session, registry.active.name)
                session.commit()
            elif chosen is not None and registry.get(chosen) is not None:
                registry.activate(chosen)
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
        docs_url=None,  # served from the vendored Swagger UI files (install_contract)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.registry = registry
    app.state.indexer = indexer
    app.state.key = key
    app.state.heavy = threading.BoundedSemaphore(settings.heavy_jobs)
    app.state.exposures = ExposureLog(
        settings.exposure_memory,
        exploration=settings.exploration,
        depth=settings.exploration_depth,
    )
    install_error_handlers(app)

    def limit_for(path: str) -> tuple[int, str]:
        if path.startswith("/imports") or path == "/models" or path.startswith(UPLOAD_PATHS):
            # the multipart envelope adds a little; the file itself is checked exactly
            return settings.max_upload_bytes + 64 * 1024, "上传文件"
        return _JSON_BODY_LIMIT, "请求体"

    app.add_middleware(BodySizeLimit, limit_for=limit_for)
    # cached leads pages answered before routing (service/fastleads.py); the rest go on
    app.state.lead_queries = LeadQueryMemo()
    app.add_middleware(CachedLeadPages, state=app.state)
    for router in routers:
        # reads are open unless PARKMATCH_READS_OPEN=false; /health always is
        guard = [] if router is health_router else [Depends(require_reader)]
        app.include_router(router, dependencies=guard)
    install_workbench(app)  # 招商工作台 under /app/ (its own sign-in; reads as above)
    install_contract(app)
    return app
