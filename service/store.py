"""The database: SQLAlchemy 2 ORM tables and the few operations the routes need.

SQLite (a file in the working directory) by default; PostgreSQL or any SQLAlchemy URL by
setting ``PARKMATCH_DATABASE_URL``. Tables:

``parks``, ``enterprises``
    The validated, normalised rows (what :func:`matcher.io.validate_parks` /
    :func:`matcher.io.validate_enterprises` return). Values the library derived rather than read
    (a size class derived from employees and revenue, coordinates taken from the county) are
    stored with their source (``size_class_source``, ``location_source``) and given back to the
    library as missing when the index is rebuilt, so rebuilding derives them again. Unknown
    extra columns of an imported sheet are kept in ``extra`` (JSON); per-park weight overrides
    (``weight_<family>`` columns) in ``weights``.
``tenants``
    Which enterprises already sit in which park.
``lead_status``, ``lead_history``
    The current state of each tracked lead (park × enterprise) and every change to it, with
    time and actor. History rows outlive the park or enterprise they refer to.
``accounts``, ``service_secrets``
    The officers who sign in to the workbench (salted scrypt password hashes, see
    :mod:`service.web.accounts`) and the key that signs their session cookies when
    ``PARKMATCH_SECRET_KEY`` is not set (generated once, shared by every worker).
``data_state``
    One row: ``version`` counts the committed changes of parks, enterprises and tenants (each
    write increments it in its own transaction), so every process knows whether its index is
    behind the data.
``index_versions``
    Every index snapshot that was published (its folder, the data version it reflects, the
    model, when): processes load the newest one.
``problem_reports``
    The full problem list of a refused import (gzip CSV), downloadable for a day.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import pandas as pd
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    TypeDecorator,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import Select

from matcher.io import ENTERPRISE_COLUMNS, PARK_COLUMNS

__all__ = [
    "ENTERPRISE_FIELDS",
    "PARK_FIELDS",
    "Account",
    "Base",
    "DataState",
    "Enterprise",
    "IndexVersion",
    "LeadHistory",
    "LeadStatus",
    "Park",
    "ProblemReport",
    "ServiceSecret",
    "Tenant",
    "active_model",
    "counts",
    "create_schema",
    "data_version",
    "declared_enterprise",
    "declared_park",
    "enterprise_rows",
    "enterprises_frame",
    "existing_ids",
    "insert_tenants",
    "is_empty",
    "lock_writes",
    "make_engine",
    "mark_changed",
    "park_rows",
    "parks_frame",
    "select_ids",
    "set_active_model",
    "tenants_frame",
    "upsert",
    "upsert_statement",
    "utcnow",
]

#: The canonical columns of the library's schemas, in its order.
PARK_FIELDS = tuple(c.name for c in PARK_COLUMNS)
ENTERPRISE_FIELDS = tuple(c.name for c in ENTERPRISE_COLUMNS)
_PARK_SOURCES = ("location_source", "park_type_source")
_ENTERPRISE_SOURCES = ("size_class_source", "location_source")
_CHUNK = 500  # ids per IN (...) query: well under every database's parameter limit


def utcnow() -> datetime:
    """The current time in UTC (aware)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always gives back an aware UTC datetime (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the service's tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Park(Base):
    """One industrial park (validated and normalised)."""

    __tablename__ = "parks"

    park_id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    province: Mapped[str | None] = mapped_column(String, index=True)
    city: Mapped[str | None] = mapped_column(String, index=True)
    county: Mapped[str | None] = mapped_column(String, index=True)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    location_source: Mapped[str | None] = mapped_column(String)
    leading_industries: Mapped[str | None] = mapped_column(Text)
    positioning: Mapped[str | None] = mapped_column(Text)
    available_sqm: Mapped[float | None]
    excluded_industries: Mapped[str | None] = mapped_column(Text)
    park_type: Mapped[str | None] = mapped_column(String)
    park_type_source: Mapped[str | None] = mapped_column(String)
    location_preference: Mapped[str | None] = mapped_column(String)
    weights: Mapped[dict[str, Any]] = mapped_column(default=dict)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Enterprise(Base):
    """One enterprise (validated and normalised)."""

    __tablename__ = "enterprises"

    enterprise_id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    credit_code: Mapped[str | None] = mapped_column(String, index=True)
    industry_code: Mapped[str | None] = mapped_column(String, index=True)
    business_scope: Mapped[str | None] = mapped_column(Text)
    products: Mapped[str | None] = mapped_column(Text)
    employees: Mapped[int | None]
    revenue_wan: Mapped[float | None]
    size_class: Mapped[str | None] = mapped_column(String, index=True)
    size_class_source: Mapped[str | None] = mapped_column(String)
    srdi_level: Mapped[str | None] = mapped_column(String, index=True)
    high_tech: Mapped[bool | None]
    patents: Mapped[int | None]
    province: Mapped[str | None] = mapped_column(String, index=True)
    city: Mapped[str | None] = mapped_column(String, index=True)
    county: Mapped[str | None] = mapped_column(String, index=True)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    location_source: Mapped[str | None] = mapped_column(String)
    space_need_sqm: Mapped[float | None]
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Tenant(Base):
    """An enterprise that already sits in a park."""

    __tablename__ = "tenants"

    park_id: Mapped[str] = mapped_column(
        ForeignKey("parks.park_id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.enterprise_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LeadStatus(Base):
    """The current state of one lead (park × enterprise) as recorded by an officer."""

    __tablename__ = "lead_status"

    park_id: Mapped[str] = mapped_column(
        ForeignKey("parks.park_id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.enterprise_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[str] = mapped_column(String, index=True)
    owner: Mapped[str | None] = mapped_column(String, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String)
    # what the lead was first tracked from (service/exposure.py); all empty when unknown
    source: Mapped[str | None] = mapped_column(String, default=None)
    shown_rank: Mapped[int | None] = mapped_column(default=None)
    shown_propensity: Mapped[float | None] = mapped_column(default=None)
    shown_model: Mapped[str | None] = mapped_column(String, default=None)
    shown_index_version: Mapped[int | None] = mapped_column(default=None)
    shown_at: Mapped[datetime | None] = mapped_column(default=None)


class LeadHistory(Base):
    """One change of a lead's state: what it became, what it was, when and by whom."""

    __tablename__ = "lead_history"
    __table_args__ = (Index("ix_lead_history_pair", "park_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    park_id: Mapped[str] = mapped_column(String)
    enterprise_id: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    previous_status: Mapped[str | None] = mapped_column(String)
    owner: Mapped[str | None] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String)


class Account(Base):
    """An officer who signs in to the workbench; ``username`` is the actor of their changes."""

    __tablename__ = "accounts"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class ServiceSecret(Base):
    """A secret the service generated for itself (e.g. the session-cookie signing key)."""

    __tablename__ = "service_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DataState(Base):
    """How many committed changes the indexed tables have seen (one row, ``id`` = 1)."""

    __tablename__ = "data_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    active_model: Mapped[str | None] = mapped_column(String, default=None)


class IndexVersion(Base):
    """A published index snapshot: the folder every process loads, and what it reflects."""

    __tablename__ = "index_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data_version: Mapped[int] = mapped_column(BigInteger)
    folder: Mapped[str] = mapped_column(String)
    model: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fit_seconds: Mapped[float]
    n_parks: Mapped[int]
    n_enterprises: Mapped[int]
    n_tenants: Mapped[int]
    skipped: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String)


class ProblemReport(Base):
    """Every problem of a refused import, as gzip CSV (the response lists only the first)."""

    __tablename__ = "problem_reports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    file: Mapped[str | None] = mapped_column(String)
    total: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# ---------------------------------------------------------------------------- engine
def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        # a file keeps up to 16 connections open: with the default 5, a connection that more
        # than five concurrent requests needed was closed when returned and opened again (its
        # pragmas set anew) for a later burst: seen as connects in a profile of the bench
        **({"poolclass": StaticPool} if memory else {"pool_size": 16, "max_overflow": 16}),
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def create_schema(engine: Engine) -> None:
    """Create the tables that do not exist yet, and add the columns a newer version added to an
    existing table (nullable columns only: nothing stored is touched). Safe when several processes
    start at once: PostgreSQL serialises them with an advisory lock; on SQLite a process that loses
    the race to create a table tries again and then finds it."""
    for attempt in range(10):
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":  # one process creates, the others wait
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
                Base.metadata.create_all(conn)
                _add_missing_columns(conn)
                if conn.execute(select(DataState.version).where(DataState.id == 1)).first() is None:
                    conn.execute(insert(DataState).values(id=1, version=0))
            return
        except (OperationalError, IntegrityError, ProgrammingError) as exc:
            retry = "already exists" in str(exc) or "UNIQUE" in str(exc) or "duplicate" in str(exc)
            if attempt == 9 or not retry:
                raise
            time.sleep(0.2)


def _add_missing_columns(conn: Any) -> None:
    """ALTER TABLE … ADD COLUMN for nullable columns a newer version added to a table."""
    existing = inspect(conn)
    for table in Base.metadata.sorted_tables:
        have = {c["name"] for c in existing.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have and column.nullable:
                kind = column.type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(
                    f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'
                )


#: PostgreSQL advisory lock keys (one namespace for parkmatch).
SCHEMA_LOCK = 0x70A2_0001
REBUILD_LOCK = 0x70A2_0002
EVENTS_LOCK = 0x70A2_0003


def lock_writes(session: Session, key: int) -> None:
    """Serialise a read-then-write with every other process doing the same (until the caller's
    transaction ends): a PostgreSQL transaction-level advisory lock on ``key``; on SQLite the
    database's write lock, taken first (a second writer waits, then reads what the first wrote).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
    else:
        session.execute(
            update(DataState).where(DataState.id == 1).values(version=DataState.version)
        )


def mark_changed(session: Session) -> None:
    """Count one change of parks, enterprises or tenants (in the caller's transaction)."""
    session.execute(
        update(DataState).where(DataState.id == 1).values(version=DataState.version + 1)
    )


def active_model(session: Session) -> str | None:
    """The model every process builds the index with (None: the service's default)."""
    return session.scalar(select(DataState.active_model).where(DataState.id == 1))


def set_active_model(session: Session, name: str) -> None:
    """Make ``name`` the model of the next index build, for every process (caller commits)."""
    session.execute(update(DataState).where(DataState.id == 1).values(active_model=name))


def data_version(session: Session) -> int:
    """The committed data version (see :class:`DataState`)."""
    return int(session.scalar(select(DataState.version).where(DataState.id == 1)) or 0)


def is_empty(session: Session) -> bool:
    """True when the database holds no park and no enterprise."""
    return (
        session.scalar(select(Park.park_id).limit(1)) is None
        and session.scalar(select(Enterprise.enterprise_id).limit(1)) is None
    )


def counts(session: Session) -> dict[str, int]:
    """Rows per table."""
    out = {}
    for name, model in (
        ("parks", Park),
        ("enterprises", Enterprise),
        ("tenants", Tenant),
        ("tracked_leads", LeadStatus),
    ):
        out[name] = int(session.scalar(select(func.count()).select_from(model)) or 0)
    return out


# ---------------------------------------------------------------------------- frames -> rows
def _clean(value: Any) -> Any:
    """A database-ready Python value: NA/NaN → None, numpy scalars → Python."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return _clean(value.item())
    return value


def _rows(
    frame: pd.DataFrame, fields: Sequence[str], sources: Sequence[str], *, weights: bool
) -> list[dict[str, Any]]:
    known = [*fields, *sources]
    extra_cols = [c for c in frame.columns if c not in known]
    weight_cols = [c for c in extra_cols if weights and str(c).startswith("weight_")]
    other_cols = [c for c in extra_cols if c not in weight_cols]
    base = frame[known].astype(object).to_dict("records")
    weight_recs = frame[weight_cols].astype(object).to_dict("records")
    other_recs = frame[other_cols].astype(object).to_dict("records")
    now = utcnow()
    out = []
    for row, weight_rec, other_rec in zip(base, weight_recs, other_recs, strict=True):
        rec = {k: _clean(v) for k, v in row.items()}
        if weights:
            rec["weights"] = {
                str(k).removeprefix("weight_"): float(v)
                for k, v in weight_rec.items()
                if _clean(v) is not None
            }
        rec["extra"] = {str(k): _clean(v) for k, v in other_rec.items()}
        rec["updated_at"] = now
        out.append(rec)
    return out


def park_rows(parks: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for the ``parks`` table from a validated parks frame."""
    return _rows(parks, PARK_FIELDS, _PARK_SOURCES, weights=True)


def enterprise_rows(enterprises: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for the ``enterprises`` table from a validated enterprises frame."""
    return _rows(enterprises, ENTERPRISE_FIELDS, _ENTERPRISE_SOURCES, weights=False)


def _chunks(values: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def existing_ids(session: Session, model: type[Base], ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are already in the table of ``model`` (parks or enterprises)."""
    key = inspect(model).primary_key[0]
    found: set[str] = set()
    for chunk in _chunks(list(ids)):
        found.update(session.scalars(select(key).where(key.in_(chunk))))
    return found


def _table(model: type[Base]) -> Table:
    """The Core table of a mapped class (for ``executemany`` without the ORM's per-row work)."""
    return Base.metadata.tables[str(model.__tablename__)]


def upsert_statement(session: Session, model: type[Base]) -> Any:
    """An ``INSERT`` into ``model``'s table that knows ``ON CONFLICT`` (PostgreSQL, SQLite),
    or None on another database."""
    return _insert_for(session, _table(model))


def select_ids(model: type[Base]) -> Select[tuple[str]]:
    """``SELECT <primary key> FROM <table>`` for parks or enterprises."""
    return select(inspect(model).primary_key[0])


def _insert_for(session: Session, table: Table) -> Any:
    """``INSERT`` of the session's dialect (which knows ``ON CONFLICT``)."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    return None


def upsert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Insert new rows and replace existing ones by id (caller commits); (inserted, updated).

    A row of a sheet is the truth for its id: every column is replaced, ``created_at`` kept.
    On SQLite and PostgreSQL one ``INSERT … ON CONFLICT DO UPDATE`` does both, so two imports
    of the same new ids at the same time both succeed (the later one updates) instead of one
    failing on the primary key. The counts come from the ids present before the write.
    """
    if not rows:
        return 0, 0
    table = _table(model)
    key = str(inspect(model).primary_key[0].key)
    present = existing_ids(session, model, [r[key] for r in rows])
    now = utcnow()
    columns = [c for c in rows[0] if c not in (key, "created_at")]
    for r in rows:
        r.setdefault("created_at", r.get("updated_at", now))
    n_new = sum(1 for r in rows if r[key] not in present)
    stmt = _insert_for(session, table)
    if stmt is not None:
        excluded = stmt.excluded
        for start in range(0, len(rows), _CHUNK * 4):
            session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[key], set_={c: excluded[c] for c in columns}
                ),
                rows[start : start + _CHUNK * 4],
            )
        return n_new, len(rows) - n_new
    new = [r for r in rows if r[key] not in present]
    old = [r for r in rows if r[key] in present]
    if new:
        session.execute(insert(table), new)
    if old:
        stmt = (
            update(table)
            .where(table.c[key] == bindparam("_key"))
            .values({c: bindparam(c) for c in columns})
        )
        session.execute(stmt, [{**r, "_key": r[key]} for r in old])
    return len(new), len(old)


def insert_tenants(session: Session, pairs: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """Add (park_id, enterprise_id) pairs not yet present; returns (inserted, already present)."""
    pairs = list(dict.fromkeys(pairs))
    have: set[tuple[str, str]] = set()
    for park in {p for p, _ in pairs}:
        have.update(
            (park, e)
            for e in session.scalars(select(Tenant.enterprise_id).where(Tenant.park_id == park))
        )
    new = [
        {"park_id": p, "enterprise_id": e, "created_at": utcnow()}
        for p, e in pairs
        if (p, e) not in have
    ]
    if new:
        stmt = _insert_for(session, _table(Tenant))
        if stmt is not None:  # a concurrent import of the same pairs is not a conflict
            session.execute(stmt.on_conflict_do_nothing(), new)
        else:
            session.execute(insert(_table(Tenant)), new)
    return len(new), len(pairs) - len(new)


# ---------------------------------------------------------------------------- rows -> frames
def _declared(row: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The values as declared: what the library derived itself is given back as missing."""
    out = {f: row.get(f) for f in fields}
    if "size_class" in out and row.get("size_class_source") != "declared":
        out["size_class"] = None
    if row.get("location_source") != "given":
        out["lat"] = out["lon"] = None
    if "park_type" in out and row.get("park_type_source") != "declared":
        out["park_type"] = None
    return out


def declared_park(park: Park) -> dict[str, Any]:
    """One stored park as a raw record the library validates to the same row."""
    row = {c.key: getattr(park, c.key) for c in Park.__table__.columns}
    out = _declared(row, PARK_FIELDS)
    out.update({f"weight_{k}": v for k, v in (park.weights or {}).items()})
    out.update(park.extra or {})
    return out


def declared_enterprise(enterprise: Enterprise) -> dict[str, Any]:
    """One stored enterprise as a raw record the library validates to the same row."""
    row = {c.key: getattr(enterprise, c.key) for c in Enterprise.__table__.columns}
    out = _declared(row, ENTERPRISE_FIELDS)
    out.update(enterprise.extra or {})
    return out


def _frame(session: Session, model: type[Base], fields: Sequence[str]) -> pd.DataFrame:
    table = model.__table__
    names = [*fields, "size_class_source", "location_source", "extra"]
    if model is Park:
        names = [*fields, "location_source", "weights", "extra"]
    names = [n for n in dict.fromkeys(names) if n in table.c]
    key = table.c[fields[0]]
    result = session.execute(select(*(table.c[n] for n in names)).order_by(key))
    frame = pd.DataFrame(result.all(), columns=names, dtype=object)
    if frame.empty:
        return pd.DataFrame(columns=list(fields), dtype=object)
    if "size_class" in frame:
        frame.loc[frame["size_class_source"] != "declared", "size_class"] = None
    frame.loc[frame["location_source"] != "given", ["lat", "lon"]] = None
    extras: list[pd.DataFrame] = []
    if "weights" in frame:
        weights = pd.DataFrame(frame["weights"].map(lambda w: w or {}).tolist(), dtype=object)
        extras.append(weights.add_prefix("weight_"))
    other = pd.DataFrame(frame["extra"].map(lambda w: w or {}).tolist(), dtype=object)
    extras.append(other.drop(columns=[c for c in other.columns if c in fields], errors="ignore"))
    out = frame[list(fields)]
    for extra in extras:
        if len(extra.columns):
            out = pd.concat([out, extra.set_axis(out.index)], axis=1)
    return out.astype(object).where(out.notna(), None)


def parks_frame(session: Session) -> pd.DataFrame:
    """Every stored park as a raw frame for :func:`matcher.io.validate_parks`."""
    return _frame(session, Park, PARK_FIELDS)


def enterprises_frame(session: Session) -> pd.DataFrame:
    """Every stored enterprise as a raw frame for :func:`matcher.io.validate_enterprises`."""
    return _frame(session, Enterprise, ENTERPRISE_FIELDS)


def tenants_frame(session: Session) -> pd.DataFrame:
    """Every stored tenant pair as a raw frame for :func:`matcher.io.validate_tenants`."""
    rows = session.execute(select(Tenant.park_id, Tenant.enterprise_id)).all()
    return pd.DataFrame(rows, columns=["park_id", "enterprise_id"], dtype=object)
