"""Rebuilding the index: fit a matcher on the database, save it, publish the version.

One process at a time rebuilds (:func:`take_rebuild_lock`: a PostgreSQL advisory lock, a file
lock beside the snapshots for SQLite). :func:`publish_version` fits the active model on the
stored rows (:func:`build_matcher`: rows the library now refuses are skipped and counted, never
the whole index), saves the fitted matcher as a signed snapshot folder
(:meth:`matcher.Matcher.save`), registers the version in ``index_versions`` once the folder is
complete, and deletes versions older than the ones kept. The :class:`~service.indexer.Indexer`
of every process then loads the new version.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select, text
from sqlalchemy import delete as sa_delete
from sqlalchemy.orm import Session

from matcher import Matcher, SchemaError
from matcher.io import validate_enterprises, validate_parks, validate_tenants

from . import store
from .registry import ModelSpec

__all__ = ["build_matcher", "collect_old", "latest_version", "publish_version", "take_rebuild_lock"]

log = logging.getLogger("parkmatch.service")


def latest_version(session: Session) -> store.IndexVersion | None:
    """The newest published version, or None."""
    V = store.IndexVersion
    return session.scalars(select(V).order_by(V.version.desc()).limit(1)).first()


def _validate_keeping_good_rows(
    validate: Callable[..., pd.DataFrame], raw: pd.DataFrame, file: str, **kwargs: Any
) -> tuple[pd.DataFrame, int]:
    """Validate stored rows; rows the library refuses are left out (logged), never the index.

    Stored rows were validated when they were written, so a refusal here means the library's
    rules changed or a row was written by other means. One such row must not take every ranking
    down: it is skipped, and ``/health`` counts the skipped rows.
    """
    skipped = 0
    for _ in range(5):
        try:
            return validate(raw, file=file, **kwargs), skipped
        except SchemaError as exc:
            rows = sorted({p.row for p in exc.problems if p.row is not None})
            if not rows:
                raise
            log.warning("重建索引：%s 中 %d 行未通过校验，已跳过：%s", file, len(rows), exc)
            positions = [r - 2 for r in rows if 0 <= r - 2 < len(raw)]
            raw = raw.drop(index=raw.index[positions]).reset_index(drop=True)
            skipped += len(positions)
    return validate(raw, file=file, **kwargs), skipped


class _FileLock:
    """An exclusive, non-blocking lock on a file (processes of one machine; SQLite)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None

    def acquire(self) -> bool:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        self._fh = fh
        return True

    def release(self) -> None:
        import fcntl

        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def take_rebuild_lock(engine: Engine, snapshot_dir: Path | None) -> Callable[[], None] | None:
    """The rebuild lock (non-blocking); returns its release, or None when it is taken."""
    if engine.dialect.name == "postgresql":
        conn = engine.connect()
        got = conn.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": store.REBUILD_LOCK}
        ).scalar()
        if not got:
            conn.close()
            return None

        def release() -> None:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": store.REBUILD_LOCK})
            finally:
                conn.close()

        return release
    if snapshot_dir is None:
        return lambda: None
    file_lock = _FileLock(snapshot_dir / ".rebuild.lock")
    return file_lock.release if file_lock.acquire() else None


def build_matcher(engine: Engine, spec: ModelSpec) -> tuple[int, Matcher | None, dict[str, int]]:
    """Fit ``spec``'s matcher on the current database.

    Returns the data version read (before the data), the fitted matcher (None when there is
    no park or no enterprise) and the rows skipped per table.
    """
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":  # one snapshot for all three tables
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        data_version = store.data_version(session)
        parks_raw = store.parks_frame(session)
        ents_raw = store.enterprises_frame(session)
        tenants_raw = store.tenants_frame(session)
    if parks_raw.empty or ents_raw.empty:
        return data_version, None, {}
    parks, n_parks = _validate_keeping_good_rows(validate_parks, parks_raw, "parks")
    enterprises, n_ents = _validate_keeping_good_rows(validate_enterprises, ents_raw, "enterprises")
    skipped = {"parks": n_parks, "enterprises": n_ents, "tenants": 0}
    tenants = None
    if not tenants_raw.empty:
        tenants, skipped["tenants"] = _validate_keeping_good_rows(
            validate_tenants, tenants_raw, "tenants", parks=parks, enterprises=enterprises
        )
    if parks.empty or enterprises.empty:
        return data_version, None, skipped
    matcher = spec.build().fit(parks, enterprises, tenants)
    return data_version, matcher, {k: v for k, v in skipped.items() if v}


def publish_version(
    engine: Engine,
    spec: ModelSpec,
    *,
    after: store.IndexVersion | None,
    snapshot_dir: Path | None,
    key: str | bytes | None,
    keep_versions: int,
) -> tuple[store.IndexVersion, Matcher | None]:
    """Fit ``spec`` on the database, save and sign the folder, then register the version.

    The folder is written under a temporary name and renamed when complete, and the
    ``index_versions`` row is added only then: no process ever sees half a snapshot. Versions
    older than the ``keep_versions`` newest are deleted afterwards.
    """
    start = time.perf_counter()
    data_version, matcher, skipped = build_matcher(engine, spec)
    elapsed = time.perf_counter() - start
    folder_name = ""
    version = (after.version if after is not None else 0) + 1
    with Session(engine) as session:
        newest = latest_version(session)
        version = max(version, (newest.version + 1) if newest is not None else 1)
    if matcher is not None and snapshot_dir is not None:
        folder_name = f"v{version:06d}-{secrets.token_hex(4)}"
        tmp = snapshot_dir / f".tmp-{folder_name}"
        matcher.save(tmp, key=key)
        tmp.rename(snapshot_dir / folder_name)  # complete before anyone can see it
    row = store.IndexVersion(
        version=version,
        data_version=data_version,
        folder=folder_name,
        model=spec.info(),
        fit_seconds=round(elapsed, 3),
        n_parks=0 if matcher is None else len(matcher.parks_),
        n_enterprises=0 if matcher is None else len(matcher.enterprises_),
        n_tenants=0 if matcher is None or matcher.tenants_ is None else len(matcher.tenants_),
        skipped=skipped,
        created_at=store.utcnow(),
        created_by=f"{socket.gethostname()}:{os.getpid()}",
    )
    with Session(engine, expire_on_commit=False) as session:
        session.add(row)
        session.commit()
    log.info(
        "索引 v%d 已发布：%d 个园区 × %d 家企业，用时 %.1f 秒",
        version,
        row.n_parks,
        row.n_enterprises,
        elapsed,
    )
    collect_old(engine, snapshot_dir, version, keep_versions=keep_versions)
    return row, matcher


def collect_old(
    engine: Engine, snapshot_dir: Path | None, newest: int, *, keep_versions: int
) -> None:
    """Delete the versions (rows and folders) older than the ``keep_versions`` newest."""
    V = store.IndexVersion
    with Session(engine) as session:
        old = session.scalars(select(V).where(V.version <= newest - keep_versions)).all()
        folders = [r.folder for r in old if r.folder]
        session.execute(sa_delete(V).where(V.version <= newest - keep_versions))
        session.commit()
    if snapshot_dir is not None:
        for name in folders:  # mapped files stay readable until unmapped (POSIX)
            shutil.rmtree(snapshot_dir / name, ignore_errors=True)
