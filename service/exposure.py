"""What the officers were shown: exposure logging, optional exploration, the outcomes ledger.

* Every page of ``GET /parks/{park_id}/leads`` is remembered per lead (park × enterprise): the
  rank it was shown at, the model and index version that ranked it, whether the page was an
  exploration page, and when (:class:`ExposureLog`, in memory, the most recent
  ``PARKMATCH_EXPOSURE_MEMORY`` leads; the service runs as one process).
* When a lead is tracked for the first time (``PUT /parks/{park_id}/leads/{enterprise_id}``)
  its latest exposure is stored with it (``lead_status.shown_rank`` …): that is what lets an
  evaluation correct for position bias. A lead the service never showed, or the officer marks
  ``source = own`` (自有渠道), is stored without a rank.
* Exploration (``PARKMATCH_EXPLORATION``, off by default): that share of first pages holding at
  least ``PARKMATCH_EXPLORATION_DEPTH`` leads (default 20) show their top ``depth`` leads in a
  uniformly shuffled order. Each lead of such a block is logged with ``source = random`` and
  propensity ``1 / depth`` (the chance of the position it got), so that
  :func:`matcher.learning.evaluate` can measure how attention falls with the position from these pages
  alone. The page says so (``exploration: true``) and each row keeps its model ``score``.
* :func:`outcomes_frame` turns the tracked leads and their history into an outcomes ledger
  (:data:`matcher.learning.OUTCOME_COLUMNS`, Chinese headers) for ``GET /exports/outcomes``, ready for
  ``parkmatch evaluate`` or ``POST /models``.
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.learning import OUTCOME_COLUMNS

from . import store

__all__ = ["Exposure", "ExposureLog", "outcomes_frame"]


@dataclass(frozen=True)
class Exposure:
    """One lead as shown on a ranking page."""

    shown_rank: int
    source: str  # "ranking" or "random"
    propensity: float | None  # chance of this position on an exploration page
    model: str
    index_version: int
    shown_at: datetime


class ExposureLog:
    """The latest exposure of each lead, bounded, thread-safe; and the exploration draw.

    Parameters
    ----------
    capacity : int
        Most leads remembered (least recently shown forgotten first); 0 remembers none.
    exploration : float
        Share of eligible first pages shown with a shuffled top block (0: never).
    depth : int
        Size of the shuffled block.
    seed : int or None
        Seed of the exploration draws (tests); None draws from the OS.
    """

    def __init__(
        self, capacity: int, *, exploration: float = 0.0, depth: int = 20, seed: int | None = None
    ):
        self.capacity = capacity
        self.exploration = exploration
        self.depth = depth
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        # (rank, source, propensity, (model, index version, shown at)) per lead: a page's
        # leads share one tuple of what showed them, and the Exposure is built when asked for
        self._seen: OrderedDict[tuple[str, str], tuple[Any, ...]] = OrderedDict()

    def explore(self, rows: list[dict[str, Any]], offset: int) -> list[dict[str, Any]]:
        """The page's rows in the order to show, each with ``source`` and ``propensity``.

        A first page with at least ``depth`` rows is, with chance ``exploration``, shown with
        its top ``depth`` rows shuffled uniformly (``rank`` becomes the position shown);
        otherwise the rows keep the model's order. The cached rows are not modified.
        """
        with self._lock:
            draw = self._rng.random()
            order = list(range(self.depth))
            self._rng.shuffle(order)
        if (
            self.exploration <= 0
            or offset != 0
            or len(rows) < self.depth
            or draw >= self.exploration
        ):
            return [{**r, "source": "ranking", "propensity": None} for r in rows]
        block = [rows[i] for i in order]
        shuffled = [
            {**r, "rank": position, "source": "random", "propensity": 1.0 / self.depth}
            for position, r in enumerate(block, start=1)
        ]
        rest = [{**r, "source": "ranking", "propensity": None} for r in rows[self.depth :]]
        return shuffled + rest

    def record(self, park_id: str, rows: list[dict[str, Any]], model: str, version: int) -> None:
        """Remember each row of a page as shown now."""
        if self.capacity <= 0 or not rows:
            return
        shown = (model, version, store.utcnow())
        entries = [
            (
                (park_id, str(r["enterprise_id"])),
                (int(r["rank"]), r["source"], r["propensity"], shown),
            )
            for r in rows
        ]
        with self._lock:
            seen = self._seen
            for key, entry in entries:
                seen[key] = entry
                seen.move_to_end(key)
            while len(seen) > self.capacity:
                seen.popitem(last=False)

    def get(self, park_id: str, enterprise_id: str) -> Exposure | None:
        """The latest exposure of a lead, if it was shown since the start (and not forgotten)."""
        with self._lock:
            entry = self._seen.get((park_id, enterprise_id))
        if entry is None:
            return None
        rank, source, propensity, (model, version, at) = entry
        return Exposure(rank, source, propensity, model, version, at)

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)


#: The service's statuses as outcomes (``new`` is not a contact yet: left out).
_OUTCOME_OF_STATUS = {
    "contacted": "contacted",
    "visited": "visited",
    "negotiating": "negotiating",
    "signed": "signed",
    "settled": "settled",
    "abandoned": "declined",
}
_STAGE_ORDER = ("contacted", "visited", "negotiating", "signed", "settled")


def outcomes_frame(session: Session, park_id: str | None = None) -> pd.DataFrame:
    """The tracked leads as an outcomes ledger with Chinese headers (one row per lead).

    ``跟进结果`` is the current status (已放弃 → 企业拒绝); ``最远进展`` the furthest stage in
    its history; ``首次联系日期`` the first change to a status past 新线索; ``日期`` the last
    change; the exposure columns what the lead was first tracked from, plus ``索引版本``. Leads
    still at 新线索 are not contacts yet and are left out.
    """
    L, H = store.LeadStatus, store.LeadHistory
    where = [] if park_id is None else [L.park_id == park_id]
    leads = session.scalars(select(L).where(*where).order_by(L.park_id, L.enterprise_id)).all()
    history: dict[tuple[str, str], list[tuple[str, datetime]]] = {}
    h_where = [] if park_id is None else [H.park_id == park_id]
    for h in session.execute(
        select(H.park_id, H.enterprise_id, H.status, H.changed_at)
        .where(*h_where)
        .order_by(H.changed_at, H.id)
    ):
        history.setdefault((h.park_id, h.enterprise_id), []).append((h.status, h.changed_at))
    zh = {c.name: c.zh for c in OUTCOME_COLUMNS}
    records = []
    for lead in leads:
        outcome = _OUTCOME_OF_STATUS.get(lead.status)
        if outcome is None:
            continue
        steps = history.get((lead.park_id, lead.enterprise_id), [])
        contacted = [at for status, at in steps if status != "new"]
        stages = [s for s, _ in steps if s in _STAGE_ORDER]
        stage = max(stages, key=_STAGE_ORDER.index) if stages else None
        records.append(
            {
                zh["park_id"]: lead.park_id,
                zh["enterprise_id"]: lead.enterprise_id,
                zh["outcome"]: outcome,
                zh["date"]: lead.updated_at.date().isoformat(),
                zh["first_contact"]: min(contacted).date().isoformat() if contacted else None,
                zh["stage_reached"]: stage,
                zh["source"]: lead.source,
                zh["shown_rank"]: lead.shown_rank,
                zh["scorer"]: lead.shown_model,
                zh["propensity"]: lead.shown_propensity,
                "索引版本": lead.shown_index_version,
            }
        )
    columns = [zh[c.name] for c in OUTCOME_COLUMNS] + ["索引版本"]
    return pd.DataFrame.from_records(records, columns=columns)
