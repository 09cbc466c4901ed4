"""Dependencies of the routes (``Annotated`` aliases): settings, session, index, API keys.

The cheap ones are ``async def`` so that FastAPI runs them on the event loop instead of
hopping to a worker thread for each; the database work stays in the (sync) routes.

Writes need a key in the ``X-API-Key`` header (keys come from ``PARKMATCH_API_KEYS``, a JSON
object ``{"name": "key"}``; the name is recorded as the actor of lead changes). Reads are open
unless ``PARKMATCH_READS_OPEN=false``.
"""

from __future__ import annotations

import functools
import hmac
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from matcher.text import normalize_text

from .config import Settings
from .errors import IndexNotReadyError
from .exposure import ExposureLog
from .indexer import Indexer
from .snapshot import Snapshot

__all__ = [
    "ActorDep",
    "EngineDep",
    "ExposureDep",
    "HeavySlotDep",
    "HeavySlotsDep",
    "IndexerDep",
    "ReaderDep",
    "SessionDep",
    "SettingsDep",
    "SnapshotDep",
    "api_key_header",
    "clean_id",
    "current_snapshot",
    "get_exposures",
    "get_session",
    "heavy_work",
    "key_holder",
    "require_reader",
    "require_writer",
]

api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="API 密钥（PARKMATCH_API_KEYS 中配置）；写操作必填",
)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return _settings(request)


def get_session(request: Request) -> Iterator[Session]:
    """A database session for one request; uncommitted work is rolled back at the end."""
    with Session(request.app.state.engine) as session:
        yield session


async def get_engine(request: Request) -> Engine:
    """The database engine (for routes that open their session in their own thread)."""
    engine: Engine = request.app.state.engine
    return engine


async def get_indexer(request: Request) -> Indexer:
    """The app's index manager."""
    indexer: Indexer = request.app.state.indexer
    return indexer


async def get_exposures(request: Request) -> ExposureLog:
    """The app's exposure log (what each lead was last shown with; exploration draws)."""
    exposures: ExposureLog = request.app.state.exposures
    return exposures


async def get_snapshot(request: Request) -> Snapshot:
    """The index snapshot serving this request (503 while none is ready)."""
    return current_snapshot(request.app.state.indexer)


def current_snapshot(indexer: Indexer) -> Snapshot:
    """The snapshot serving now; 503 (:class:`IndexNotReadyError`) while there is none.

    While the first index is being built a read waits up to ``indexer.read_wait`` seconds for
    it; once one serves, reads never wait (a new version replaces it when ready).
    """
    if indexer.snapshot is None and indexer.pending and indexer.read_wait > 0:
        indexer.wait(indexer.read_wait, nudge=False)
    snapshot = indexer.snapshot
    if snapshot is None:
        if indexer.pending:
            raise IndexNotReadyError("匹配索引正在构建，请稍后重试（进度见 /health）")
        if indexer.error:
            raise IndexNotReadyError(f"匹配索引构建失败：{indexer.error}", retry_after=None)
        raise IndexNotReadyError(
            "尚无数据：请先导入园区和企业（POST /imports/parks、/imports/enterprises）"
        )
    return snapshot


def key_holder(settings: Settings, key: str | None) -> str | None:
    """The name of the holder of ``key``, or None when it is missing or not configured."""
    if not key:
        return None
    for name, secret in settings.api_keys.items():
        if hmac.compare_digest(key.encode(), secret.get_secret_value().encode()):
            return name
    return None


def _identify(settings: Settings, key: str | None) -> str:
    """The name of the key's holder; 401 without a key, 403 with a wrong one."""
    if not settings.api_keys:
        raise HTTPException(
            status_code=403,
            detail="服务未配置 API 密钥，写操作已禁用：请管理员设置环境变量 PARKMATCH_API_KEYS"
            '（如 {"zhangsan": "一个足够长的随机密钥"}）后重启服务',
        )
    if not key:
        raise HTTPException(status_code=401, detail="缺少 API 密钥：请在请求头 X-API-Key 中提供")
    name = key_holder(settings, key)
    if name is None:
        raise HTTPException(status_code=403, detail="API 密钥无效：请核对请求头 X-API-Key")
    return name


async def require_writer(
    request: Request, key: Annotated[str | None, Security(api_key_header)] = None
) -> str:
    """The actor (key holder's name) of a write; refuses the write without a valid key."""
    return _identify(_settings(request), key)


async def require_reader(
    request: Request, key: Annotated[str | None, Security(api_key_header)] = None
) -> str | None:
    """Allows a read: always when reads are open, else only with a valid key."""
    settings = _settings(request)
    if settings.reads_open:
        return None
    if not settings.api_keys:
        raise HTTPException(
            status_code=403,
            detail="服务设置为读取也需密钥（PARKMATCH_READS_OPEN=false），但未配置 PARKMATCH_API_KEYS",
        )
    return _identify(settings, key)


@functools.lru_cache(maxsize=4096)  # every leads request cleans its park's id
def clean_id(value: str) -> str:
    """An id from a URL, normalised as the library normalises ids (NFKC, 繁→简, no spaces)."""
    text = normalize_text(value)
    return "" if text is None else text.replace(" ", "")


@contextmanager
def heavy_work(slots: threading.BoundedSemaphore) -> Iterator[None]:
    """Hold one of this process's slots for heavy work (allocation, training, fitting a derived
    index): 429 with ``Retry-After`` when every slot is taken, so that heavy requests queue at
    the client, not in the server's thread pool (reads never wait for them)."""
    if not slots.acquire(blocking=False):
        raise HTTPException(
            status_code=429,
            detail="已有大计算量的请求（全市分配、模型训练或招商时机计算）在进行，请稍后重试"
            "（同时进行的数量见 PARKMATCH_HEAVY_JOBS）",
            headers={"Retry-After": "5"},
        )
    try:
        yield
    finally:
        slots.release()


async def heavy_slots(request: Request) -> threading.BoundedSemaphore:
    """This process's slots for heavy work, for a route that needs one only sometimes (see
    :func:`heavy_work`)."""
    slots: threading.BoundedSemaphore = request.app.state.heavy
    return slots


async def heavy_slot(request: Request) -> AsyncIterator[None]:
    """A slot for heavy work held for the whole request (:func:`heavy_work`)."""
    with heavy_work(request.app.state.heavy):
        yield


SettingsDep = Annotated[Settings, Depends(get_settings)]
HeavySlotDep = Annotated[None, Depends(heavy_slot)]
HeavySlotsDep = Annotated[threading.BoundedSemaphore, Depends(heavy_slots)]
SessionDep = Annotated[Session, Depends(get_session)]
EngineDep = Annotated[Engine, Depends(get_engine)]
IndexerDep = Annotated[Indexer, Depends(get_indexer)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
ExposureDep = Annotated[ExposureLog, Depends(get_exposures)]
ActorDep = Annotated[str, Depends(require_writer)]
ReaderDep = Annotated[str | None, Depends(require_reader)]
