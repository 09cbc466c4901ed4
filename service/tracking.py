"""The officers' tracking of leads: one status per (park, enterprise), a history of changes.

The rules, in one place for the API (``PUT /parks/{id}/leads/{eid}``), the workbench and the
ledger import of the 导入 page:

* a change of status, owner or note writes the new state and one history row (when, who, the
  status before); a request that changes nothing writes nothing;
* an owner or note that is not given keeps its value;
* a lead tracked for the first time keeps how it was last shown (rank, model, index version,
  source) unless the officers found it through their own network;
* a ledger row is recorded only when it is newer than the recorded status and differs from it.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from sqlalchemy.orm import Session

from . import store
from .exposure import Exposure

__all__ = ["record_outcome", "track"]


def _set_status(
    session: Session,
    lead: store.LeadStatus,
    previous: str | None,
    *,
    status: str,
    owner: str | None,
    note: str | None,
    at: datetime,
    actor: str,
) -> store.LeadStatus:
    """Write the new state of a lead and its history row."""
    lead.status, lead.owner, lead.note = status, owner, note
    lead.updated_at, lead.updated_by = at, actor
    session.add(
        store.LeadHistory(
            park_id=lead.park_id,
            enterprise_id=lead.enterprise_id,
            status=status,
            previous_status=previous,
            owner=owner,
            note=note,
            changed_at=at,
            actor=actor,
        )
    )
    return lead


def _attach_exposure(lead: store.LeadStatus, exposure: Exposure | None, source: str | None) -> None:
    """Store what a newly tracked lead was shown with (nothing when it came from elsewhere)."""
    if source == "own":
        lead.source = "own"
        return
    if exposure is None:
        lead.source = source
        return
    lead.source = exposure.source
    lead.shown_rank = exposure.shown_rank
    lead.shown_propensity = exposure.propensity
    lead.shown_model = exposure.model
    lead.shown_index_version = exposure.index_version
    lead.shown_at = exposure.shown_at


def track(
    session: Session,
    key: tuple[str, str],
    *,
    status: str,
    owner: str | None,
    note: str | None,
    given: Set[str],
    actor: str,
    exposure: Exposure | None = None,
    source: str | None = None,
) -> store.LeadStatus:
    """Track a lead (``key`` = park id, enterprise id) as an officer sets it; commits.

    ``given`` names the fields the officer gave (``owner``, ``note``): the others keep their
    value. ``exposure`` is how the lead was last shown, ``source`` how it came about.
    """
    current = session.get(store.LeadStatus, key)
    if current is not None:
        owner = owner if "owner" in given else current.owner
        note = note if "note" in given else current.note
        if (current.status, current.owner, current.note) == (status, owner, note):
            return current  # nothing changed: no history row
    now = store.utcnow()
    previous = None if current is None else current.status
    if current is None:
        current = store.LeadStatus(park_id=key[0], enterprise_id=key[1])
        _attach_exposure(current, exposure, source)
        session.add(current)
    _set_status(
        session, current, previous, status=status, owner=owner, note=note, at=now, actor=actor
    )
    session.commit()
    return current


def record_outcome(
    session: Session,
    key: tuple[str, str],
    *,
    status: str,
    at: datetime,
    actor: str,
    note: str | None = None,
) -> str:
    """Record one ledger row as the lead's status (not committed); ``inserted``, ``updated``
    or ``unchanged`` (the same status, or a newer one, is recorded already). The owner is kept;
    ``note`` replaces the note when given."""
    current = session.get(store.LeadStatus, key)
    if current is not None and (current.status == status or current.updated_at > at):
        return "unchanged"
    previous = None if current is None else current.status
    result = "updated" if current is not None else "inserted"
    if current is None:
        current = store.LeadStatus(park_id=key[0], enterprise_id=key[1], owner=None)
        session.add(current)
    kept = current.note if note is None else note
    _set_status(
        session,
        current,
        previous,
        status=status,
        owner=current.owner,
        note=kept,
        at=at,
        actor=actor,
    )
    return result
