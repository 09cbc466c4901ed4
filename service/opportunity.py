"""Tables of the 招商 opportunity data: enterprise events, park policies and entry standards.

``events``
    One row per event (企业动态), as :func:`matcher.io.validate_events` returns it; deleted with
    its enterprise. Importing the same event again leaves it unchanged.
``policies``
    One row per policy with its conditions as JSON (the library's one-row-per-condition sheet
    folded); replaced by ``policy_id`` on import; deleted with its park.
``entry_standards``
    A park's entry standards (``park_key`` ``""`` holds the standards of every park); replaced
    by (park, indicator) on import.

Each table goes back to the library as the raw frame its validator takes, so a stored row is
validated again exactly like an imported one.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, delete, insert, select, tuple_
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import store

__all__ = [
    "EntryStandard",
    "Event",
    "Policy",
    "events_frame",
    "insert_events",
    "policies_frame",
    "standards_frame",
    "upsert_policies",
    "upsert_standards",
]


class Event(store.Base):
    """One event of an enterprise (融资, 扩产, 搬迁, 租约到期 …)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_enterprise_date", "enterprise_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(
        ForeignKey("enterprises.enterprise_id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String, index=True)
    date: Mapped[date] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String)
    detail: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=store.utcnow)
    created_by: Mapped[str | None] = mapped_column(String)


class Policy(store.Base):
    """One support policy of a park, its conditions folded into JSON."""

    __tablename__ = "policies"

    policy_id: Mapped[str] = mapped_column(String, primary_key=True)
    park_id: Mapped[str] = mapped_column(
        ForeignKey("parks.park_id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String)
    issuer: Mapped[str | None] = mapped_column(String)
    benefit: Mapped[str | None] = mapped_column(Text)
    amount_wan: Mapped[float | None]
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=store.utcnow)
    updated_by: Mapped[str | None] = mapped_column(String)


class EntryStandard(store.Base):
    """One entry standard of a park (``park_key`` ``""``: every park)."""

    __tablename__ = "entry_standards"

    park_key: Mapped[str] = mapped_column(String, primary_key=True)
    indicator: Mapped[str] = mapped_column(String, primary_key=True)
    threshold: Mapped[float]
    hard: Mapped[bool]
    source: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=store.utcnow)


def _value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if hasattr(value, "item"):
        return value.item()
    return value


# ---------------------------------------------------------------------------- writes
def insert_events(
    session: Session, events: pd.DataFrame, *, actor: str | None = None
) -> tuple[int, int]:
    """Add validated events not stored yet; returns (inserted, already present).

    Event imports are serialised (:func:`store.lock_writes`), so two identical imports at the
    same time store each event once: the later one finds the earlier one's rows.
    """
    store.lock_writes(session, store.EVENTS_LOCK)
    keys = list(
        zip(
            events["enterprise_id"].astype(str),
            events["kind"].astype(str),
            [d.date() for d in events["date"]],
            [_value(d) for d in events["detail"]],
            strict=True,
        )
    )
    have: set[tuple[Any, ...]] = set()
    ids = sorted({k[0] for k in keys})
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(Event.enterprise_id, Event.kind, Event.date, Event.detail).where(
                Event.enterprise_id.in_(chunk)
            )
        ).all()
        have.update(tuple(r) for r in rows)
    now = store.utcnow()
    new = []
    for key, rec in zip(keys, events.to_dict("records"), strict=True):
        if key in have:
            continue
        have.add(key)
        new.append(
            {
                "enterprise_id": key[0],
                "kind": key[1],
                "date": key[2],
                "source": _value(rec.get("source")),
                "detail": key[3],
                "confidence": float(rec["confidence"]),
                "created_at": now,
                "created_by": actor,
            }
        )
    if new:
        session.execute(insert(Event), new)
    return len(new), len(keys) - len(new)


def upsert_policies(
    session: Session, policies: pd.DataFrame, *, actor: str | None = None
) -> tuple[int, int]:
    """Insert or replace validated policies by ``policy_id``; returns (inserted, updated)."""
    now = store.utcnow()
    rows = []
    for pid, group in policies.groupby("policy_id", sort=False):
        head = group.iloc[0]
        conditions = [
            {k: _value(c[k]) for k in ("field", "op", "value", "hard", "within_days", "note")}
            for c in group[group["field"].notna()].to_dict("records")
        ]
        rows.append(
            {
                "policy_id": str(pid),
                "park_id": str(head["park_id"]),
                "name": str(head["name"]),
                "issuer": _value(head["issuer"]),
                "benefit": _value(head["benefit"]),
                "amount_wan": _value(head["amount_wan"]),
                "start": _value(head["start"]),
                "end": _value(head["end"]),
                "conditions": conditions,
                "updated_at": now,
                "updated_by": actor,
            }
        )
    ids = [r["policy_id"] for r in rows]
    present = set(session.scalars(select(Policy.policy_id).where(Policy.policy_id.in_(ids))))
    if rows and not _replace(session, Policy, rows, ["policy_id"]):
        if present:
            session.execute(delete(Policy).where(Policy.policy_id.in_(present)))
        session.execute(insert(Policy), rows)
    return len(rows) - len(present), len(present)


def _replace(
    session: Session, model: type[store.Base], rows: list[dict[str, Any]], key: list[str]
) -> bool:
    """Insert ``rows``, replacing every column of a row whose ``key`` exists, in one
    ``INSERT … ON CONFLICT DO UPDATE`` (so two identical imports at the same time both succeed,
    as for parks and enterprises); False on a database without it (the caller replaces)."""
    stmt = store.upsert_statement(session, model)
    if stmt is None:
        return False
    columns = [c for c in rows[0] if c not in key]
    session.execute(
        stmt.on_conflict_do_update(index_elements=key, set_={c: stmt.excluded[c] for c in columns}),
        rows,
    )
    return True


def upsert_standards(session: Session, standards: pd.DataFrame) -> tuple[int, int]:
    """Insert or replace validated entry standards by (park, indicator)."""
    now = store.utcnow()
    rows = [
        {
            "park_key": r["park_id"] if isinstance(r["park_id"], str) else "",
            "indicator": str(r["indicator"]),
            "threshold": float(r["threshold"]),
            "hard": bool(r["hard"]),
            "source": _value(r["source"]),
            "updated_at": now,
        }
        for r in standards.to_dict("records")
    ]
    keys = [(r["park_key"], r["indicator"]) for r in rows]
    present = (
        set(
            session.execute(
                select(EntryStandard.park_key, EntryStandard.indicator).where(
                    tuple_(EntryStandard.park_key, EntryStandard.indicator).in_(keys)
                )
            ).all()
        )
        if keys
        else set()
    )
    if rows and not _replace(session, EntryStandard, rows, ["park_key", "indicator"]):
        for park_key, indicator in present:
            session.execute(
                delete(EntryStandard).where(
                    EntryStandard.park_key == park_key, EntryStandard.indicator == indicator
                )
            )
        session.execute(insert(EntryStandard), rows)
    return len(rows) - len(present), len(present)


# ---------------------------------------------------------------------------- reads
def events_frame(session: Session, enterprise_id: str | None = None) -> pd.DataFrame:
    """Stored events as the raw frame :func:`matcher.io.validate_events` takes."""
    query = select(
        Event.enterprise_id, Event.kind, Event.date, Event.source, Event.detail, Event.confidence
    ).order_by(Event.date, Event.id)
    if enterprise_id is not None:
        query = query.where(Event.enterprise_id == enterprise_id)
    rows = session.execute(query).all()
    frame = pd.DataFrame(
        rows, columns=["enterprise_id", "kind", "date", "source", "detail", "confidence"]
    )
    frame["date"] = frame["date"].map(lambda d: d.isoformat() if d is not None else None)
    frame["confidence"] = frame["confidence"].map(lambda v: None if v is None else f"{v:g}")
    return frame.astype(object).where(frame.notna(), None)


def policies_frame(session: Session, park_id: str | None = None) -> pd.DataFrame:
    """Stored policies as the raw one-row-per-condition sheet :func:`matcher.policies.validate_policies`
    takes."""
    query = select(Policy).order_by(Policy.park_id, Policy.policy_id)
    if park_id is not None:
        query = query.where(Policy.park_id == park_id)
    records = []
    for p in session.scalars(query):
        head = {
            "policy_id": p.policy_id,
            "park_id": p.park_id,
            "name": p.name,
            "issuer": p.issuer,
            "benefit": p.benefit,
            "amount_wan": None if p.amount_wan is None else f"{p.amount_wan:g}",
            "start": None if p.start is None else p.start.isoformat(),
            "end": None if p.end is None else p.end.isoformat(),
        }
        for cond in p.conditions or [{}]:
            records.append(
                {
                    **head,
                    "field": cond.get("field"),
                    "op": cond.get("op"),
                    "value": cond.get("value"),
                    "hard": None if cond.get("hard") is None else ("是" if cond["hard"] else "否"),
                    "within_days": None
                    if cond.get("within_days") is None
                    else f"{cond['within_days']:g}",
                    "note": cond.get("note"),
                }
            )
    columns = [
        "policy_id",
        "park_id",
        "name",
        "issuer",
        "benefit",
        "amount_wan",
        "start",
        "end",
        "field",
        "op",
        "value",
        "hard",
        "within_days",
        "note",
    ]
    return pd.DataFrame(records, columns=columns, dtype=object)


def standards_frame(session: Session) -> pd.DataFrame:
    """Stored entry standards as the raw frame :func:`matcher.vetting.validate_standards` takes."""
    rows = session.execute(
        select(
            EntryStandard.park_key,
            EntryStandard.indicator,
            EntryStandard.threshold,
            EntryStandard.hard,
            EntryStandard.source,
        )
    ).all()
    return pd.DataFrame(
        [
            {
                "park_id": r[0] or None,
                "indicator": r[1],
                "threshold": f"{r[2]:g}",
                "hard": "是" if r[3] else "否",
                "source": r[4],
            }
            for r in rows
        ],
        columns=["park_id", "indicator", "threshold", "hard", "source"],
        dtype=object,
    )
