"""A follow-up ledger (招商跟进台账) imported into the lead tracking, from the 导入 page.

The ledger (``park_id, enterprise_id, outcome, date``; Chinese headers accepted) is validated by
:func:`matcher.learning.validate_outcomes` against the stored parks and enterprises: any problem and
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

from .. import store, tracking
from ..config import Settings
from ..indexer import Indexer
from ..uploads import read_upload, upload_name

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
        raw = read_upload(upload, settings.max_upload_bytes, Path(folder), settings.read_limits)
    name = upload_name(upload)
    parks = pd.DataFrame({"park_id": list(session.scalars(store.select_ids(store.Park)))})
    ents = pd.DataFrame(
        {"enterprise_id": list(session.scalars(store.select_ids(store.Enterprise)))}
    )
    ledger = validate_outcomes(raw, file=name, parks=parks, enterprises=ents)
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    for row in ledger[["park_id", "enterprise_id", "outcome", "date"]].itertuples(index=False):
        result = tracking.record_outcome(
            session,
            (str(row.park_id), str(row.enterprise_id)),
            status=STATUS_OF_OUTCOME[str(row.outcome)],
            at=_when(row.date),
            actor=actor,
            note=_ENDED.get(str(row.outcome)),
        )
        counts[result] += 1
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return {
        "kind": OUTCOMES_KIND,
        "file": name,
        "rows": len(ledger),
        "inserted": counts["inserted"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
        "dry_run": dry_run,
    }
