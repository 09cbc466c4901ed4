"""A follow-up ledger (招商跟进台账) imported into the lead tracking, from the 导入 page.

The ledger (``park_id, enterprise_id, outcome, date``; Chinese headers accepted) is validated by
:func:`matcher.validate_outcomes` against the stored parks and enterprises: any problem and
nothing is written. Each row then becomes the lead's status (企业拒绝 and 园区否决 become 已放弃,
with the outcome in the note) and one history row dated by the ledger, with the signed-in
officer as the actor, all in one transaction. A lead whose recorded status is newer than the
ledger's date, or already the same, is left as it is.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import UploadFile
from sqlalchemy.orm import Session

from matcher.learning import validate_outcomes

from .. import store
from ..config import Settings
from ..indexer import Indexer
from ..records import schema_guard
from ..routes.imports import _file_name, _read_upload

__all__ = ["OUTCOMES_KIND", "STATUS_OF_OUTCOME", "import_outcomes"]

#: The import kind of a ledger on the 导入 page.
OUTCOMES_KIND = "outcomes"
#: Lead status for each ledger outcome.
STATUS_OF_OUTCOME = {
    "contacted": "contacted",
    "visited": "visited",
    "negotiating": "negotiating",
    "signed": "signed",
    "settled": "settled",
    "declined": "abandoned",
    "rejected": "abandoned",
}
_ENDED = {"declined": "台账：企业拒绝", "rejected": "台账：园区否决"}


def _when(value: Any) -> datetime:
    if value is None or pd.isna(value):
        return store.utcnow()
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(UTC)
    return stamp.to_pydatetime()


def import_outcomes(
    upload: UploadFile,
    session: Session,
    indexer: Indexer,
    settings: Settings,
    *,
    actor: str,
    dry_run: bool,
) -> dict[str, Any]:
    """Validate a ledger and record it as lead statuses with history (or, dry, count only).

    Returns
    -------
    dict
        ``kind, file, rows, inserted`` (new tracked leads), ``updated`` (status changed),
        ``unchanged`` (same status, or a newer one recorded), ``dry_run``.

    Raises
    ------
    matcher.SchemaError
        Every problem of the ledger (nothing is written).
    """
    with tempfile.TemporaryDirectory(prefix="parkmatch-outcomes-") as folder:
        raw = _read_upload(upload, settings.max_upload_bytes, Path(folder), settings.read_limits)
    name = _file_name(upload)
    parks = pd.DataFrame({"park_id": list(session.scalars(store.select_ids(store.Park)))})
    ents = pd.DataFrame(
        {"enterprise_id": list(session.scalars(store.select_ids(store.Enterprise)))}
    )
    with schema_guard(name):
        ledger = validate_outcomes(raw, file=name, parks=parks, enterprises=ents)
    inserted = updated = unchanged = 0
    for row in ledger[["park_id", "enterprise_id", "outcome", "date"]].itertuples(index=False):
        key = (str(row.park_id), str(row.enterprise_id))
        status = STATUS_OF_OUTCOME[str(row.outcome)]
        when = _when(row.date)
        current = session.get(store.LeadStatus, key)
        if current is not None and (current.status == status or current.updated_at > when):
            unchanged += 1
            continue
        previous = None if current is None else current.status
        note = _ENDED.get(str(row.outcome))
        if current is None:
            current = store.LeadStatus(park_id=key[0], enterprise_id=key[1], owner=None)
            session.add(current)
            inserted += 1
        else:
            updated += 1
        current.status, current.updated_at, current.updated_by = status, when, actor
        if note is not None:
            current.note = note
        session.add(
            store.LeadHistory(
                park_id=key[0],
                enterprise_id=key[1],
                status=status,
                previous_status=previous,
                owner=current.owner,
                note=current.note,
                changed_at=when,
                actor=actor,
            )
        )
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return {
        "kind": OUTCOMES_KIND,
        "file": name,
        "rows": len(ledger),
        "inserted": inserted,
        "updated": updated,
        "unchanged": unchanged,
        "dry_run": dry_run,
    }
