"""Rankings for the routes: filters → candidate masks, one library call, rows for JSON.

No score is computed here: :meth:`matcher.Matcher.rank_enterprises`, ``rank_parks``,
``rank_parks_for`` and ``explain`` do all of it. This module turns query filters into the
boolean ``candidates`` mask the library takes (built from the validated frame the matcher was
fitted on, plus the lead-status table), caches ranking pages per index version (results only
change when the index does) and overlays each lead's recorded status.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from matcher import SchemaError
from matcher.text import normalize_text

from . import leadjson, store
from .rankers import Page, page_rows, split_reasons
from .schemas import LeadTrackingPublic
from .snapshot import Snapshot

__all__ = [
    "UNTRACKED",
    "LeadFilters",
    "LeadPage",
    "LeadQuery",
    "cached_page",
    "explain",
    "industry_prefix",
    "keep_page",
    "lead_page",
    "peek_cached_page",
    "rank_leads",
    "rank_parks",
    "rank_profile",
    "ranked_page",
    "served_parks",
    "trackings",
    "with_tracking",
]

#: The status filter value for leads nobody has recorded a status for yet.
UNTRACKED = "untracked"


def industry_prefix(value: str | None) -> str | None:
    """An industry-code prefix as the data holds codes: ``C32`` / ``Ｃ３２`` / ``32`` → ``32``.

    Stored codes are the digits (a lone 门类 letter stays a letter), so a letter before digits
    is dropped and separators are removed.
    """
    text = normalize_text(value)
    if text is None:
        return None
    code = re.sub(r"[\s.\-_/]", "", text).upper()
    if re.fullmatch(r"[A-Z]\d+", code):
        code = code[1:]
    return code or None


def _norm(values: Sequence[str] | None) -> tuple[str, ...]:
    if not values:
        return ()
    return tuple(sorted({t for v in values if (t := normalize_text(v))}))


@dataclass(frozen=True)
class LeadFilters:
    """Filters on the enterprises (all optional; values within one filter are OR-ed)."""

    county: tuple[str, ...] = ()
    city: tuple[str, ...] = ()
    srdi_level: tuple[str, ...] = ()
    size_class: tuple[str, ...] = ()
    industry: str | None = None
    high_tech: bool | None = None

    @classmethod
    def of(
        cls,
        *,
        county: Sequence[str] | None = None,
        city: Sequence[str] | None = None,
        srdi_level: Sequence[str] | None = None,
        size_class: Sequence[str] | None = None,
        industry: str | None = None,
        high_tech: bool | None = None,
    ) -> LeadFilters:
        """Filters from query values, normalised as the library normalises the data."""
        return cls(
            county=_norm(county),
            city=_norm(city),
            srdi_level=tuple(sorted(set(srdi_level or ()))),
            size_class=tuple(sorted(set(size_class or ()))),
            industry=industry_prefix(industry),
            high_tech=high_tech,
        )

    @property
    def empty(self) -> bool:
        """True when nothing is filtered."""
        return self == LeadFilters()


@dataclass(frozen=True)
class LeadQuery:
    """One leads request: paging, score options, filters and lead statuses."""

    limit: int = 20
    offset: int = 0
    min_score: float | None = None
    include_ineligible: bool = False
    weights: tuple[tuple[str, float], ...] | None = None
    filters: LeadFilters = field(default_factory=LeadFilters)
    status: tuple[str, ...] = ()

    @property
    def weight_dict(self) -> dict[str, float] | None:
        """The per-call weights as the library takes them."""
        return None if self.weights is None else dict(self.weights)


def _attribute_mask(snapshot: Snapshot, filters: LeadFilters) -> np.ndarray | None:
    if filters.empty:
        return None
    cached = snapshot.masks.get(filters)
    if cached is not None:
        return cached
    cols = snapshot.columns
    mask = np.ones(snapshot.n_enterprises, dtype=bool)
    for name in ("county", "city", "srdi_level", "size_class"):
        wanted = getattr(filters, name)
        if wanted:
            mask &= np.isin(cols[name], list(wanted))
    if filters.industry:
        codes = pd.Series(cols["industry_code"], dtype=object)
        mask &= codes.str.startswith(filters.industry, na=False).to_numpy(dtype=bool)
    if filters.high_tech is not None:
        mask &= cols["high_tech"] == filters.high_tech
    mask.setflags(write=False)
    snapshot.masks.put(filters, mask)
    return mask


def _status_mask(
    session: Session | Connection, snapshot: Snapshot, park_id: str, statuses: Sequence[str]
) -> np.ndarray:
    rows = session.execute(
        select(store.LeadStatus.enterprise_id, store.LeadStatus.status).where(
            store.LeadStatus.park_id == park_id
        )
    ).all()
    wanted = set(statuses)
    picked = [e for e, s in rows if s in wanted]
    mask = np.zeros(snapshot.n_enterprises, dtype=bool)
    if UNTRACKED in wanted:
        mask[:] = True
        tracked = snapshot.positions.get_indexer([e for e, _ in rows])
        mask[tracked[tracked >= 0]] = False
    pos = snapshot.positions.get_indexer(picked)
    mask[pos[pos >= 0]] = True
    return mask


_LEADS = store.LeadStatus.__table__
# Built once: these run on every leads request, and a prebuilt statement skips re-compiling.
_TRACKED_OF_PARK = select(_LEADS).where(
    _LEADS.c.park_id == bindparam("park_id"),
    _LEADS.c.enterprise_id.in_(bindparam("ids", expanding=True)),
)
_TRACKED_OF_ENTERPRISE = select(_LEADS).where(_LEADS.c.enterprise_id == bindparam("enterprise_id"))


def trackings(
    session: Session,
    *,
    park_id: str | None = None,
    enterprise_id: str | None = None,
    ids: Sequence[str] = (),
) -> dict[str, LeadTrackingPublic]:
    """Recorded statuses of ``ids`` for one park, or of one enterprise's parks, by the other id."""
    if park_id is not None:
        if not ids:
            return {}
        params: dict[str, Any] = {"park_id": park_id, "ids": list(ids)}
        stmt, key = _TRACKED_OF_PARK, "enterprise_id"
    else:
        params = {"enterprise_id": enterprise_id}
        stmt, key = _TRACKED_OF_ENTERPRISE, "park_id"
    rows = session.connection().execute(stmt, params).mappings()
    return {row[key]: LeadTrackingPublic.model_validate(dict(row)) for row in rows}


def _contributions(record: Mapping[str, Any], names: Sequence[str]) -> dict[str, float]:
    return {n: float(record[n]) for n in names}


class LeadPage:
    """A page of ranked leads as the response cache keeps it: the rows (without their lead
    status, which changes without the index), the total that qualify, and each row's JSON
    (:attr:`parts`, encoded on first use by :func:`service.leadjson.row_parts`, or given when
    a ranking worker process encoded them)."""

    __slots__ = ("_parts", "ids", "rows", "total")

    def __init__(
        self, rows: list[dict[str, Any]], total: int, parts: list[bytes] | None = None
    ) -> None:
        self.rows = rows
        self.total = total
        self.ids = [r["enterprise_id"] for r in rows]
        self._parts: list[bytes] | None = parts

    @property
    def parts(self) -> list[bytes]:
        """Each row's JSON up to its ``tracking`` value (the same bytes however often asked)."""
        if self._parts is None:
            self._parts = leadjson.row_parts(self.rows)
        return self._parts


def _page_key(park_id: str, query: LeadQuery) -> tuple[str, LeadQuery] | None:
    """The response-cache key of a query; None when the page depends on the lead table."""
    return None if query.status else (park_id, query)


def cached_page(snapshot: Snapshot, park_id: str, query: LeadQuery) -> LeadPage | None:
    """The cached page of ``query`` for ``park_id`` (a stored, normalised id), if any.

    One look-up in the response cache (counted in its hits and misses); a status-filtered
    query is never cached and is not looked up.
    """
    key = _page_key(park_id, query)
    page: LeadPage | None = None if key is None else snapshot.responses.get(key)
    return page


def peek_cached_page(snapshot: Snapshot, park_id: str, query: LeadQuery) -> LeadPage | None:
    """The cached page of ``query`` for ``park_id`` like :func:`cached_page`, but without
    counting a hit or a miss (a request that will count its look-up later, once it knows it
    answers from this page, through :func:`cached_page`)."""
    key = _page_key(park_id, query)
    page: LeadPage | None = None if key is None else snapshot.responses.peek(key)
    return page


def served_parks(snapshot: Snapshot) -> frozenset[str]:
    """The ids of the parks ``snapshot`` ranks for (built once per snapshot)."""
    parks: frozenset[str] = snapshot.derive(
        "served_parks",
        lambda: frozenset(snapshot.matcher.parks_["park_id"].astype(str).tolist()),
    )
    return parks


def ranked_page(
    snapshot: Snapshot,
    session: Session | Connection,
    park_id: str,
    query: LeadQuery,
    *,
    keep: bool = True,
    processes: bool = False,
) -> LeadPage:
    """Rank the page of ``query`` in the library (no cache look-up) and cache it (with
    ``keep`` False the caller does, through :func:`keep_page`, once it has answered);
    ``session`` (or a plain connection) reads the lead table for a status filter. With
    ``processes`` the page is ranked by one of the snapshot's ranking worker processes when
    it has them (:mod:`service.rankers`; the same rows and bytes), else here."""
    mask = _attribute_mask(snapshot, query.filters)
    if query.status:
        by_status = _status_mask(session, snapshot, park_id, query.status)
        mask = by_status if mask is None else mask & by_status

    options: dict[str, Any] = {
        "k": query.limit,
        "offset": query.offset,
        "include_ineligible": query.include_ineligible,
        "min_score": query.min_score,
        "candidates": mask,
    }

    def here() -> Page:
        with snapshot.ranking_slots:  # a few at once: see Snapshot.ranking_slots
            ranked = snapshot.matcher.enterprise_page(park_id, weights=query.weight_dict, **options)
        # the library's arrays straight to JSON-ready rows (no DataFrame to build and unpack)
        return page_rows(ranked, snapshot.columns, snapshot.positions.get_loc), ranked.total, None

    if processes and snapshot.rankers is not None and snapshot.folder is not None:
        # by a worker process (each row's JSON encoded there too) or here, the same page
        rows, total, parts = snapshot.rankers.page(
            snapshot.folder,
            snapshot.version,
            park_id,
            weights=query.weights,
            here=here,
            **options,
        )
    else:
        rows, total, parts = here()
    page = LeadPage(rows, total, parts)
    if keep:
        key = _page_key(park_id, query)
        if key is not None:
            snapshot.responses.put(key, page)
    return page


def keep_page(snapshot: Snapshot, park_id: str, query: LeadQuery, page: LeadPage) -> None:
    """Cache a page ranked with ``keep=False`` after a :func:`peek_cached_page` found none,
    counting that look-up's miss now, as :func:`lead_page` counts it (a status-filtered
    query is neither cached nor counted)."""
    key = _page_key(park_id, query)
    if key is not None:
        snapshot.responses.miss()
        snapshot.responses.put(key, page)


def lead_page(snapshot: Snapshot, session: Session, park_id: str, query: LeadQuery) -> LeadPage:
    """The page of ``query`` for ``park_id``: from the response cache, else ranked and cached."""
    return cached_page(snapshot, park_id, query) or ranked_page(snapshot, session, park_id, query)


def with_tracking(session: Session, park_id: str, page: LeadPage) -> list[dict[str, Any]]:
    """The page's rows, each with its recorded lead status (``tracking``, None when untracked)."""
    tracked = trackings(session, park_id=park_id, ids=page.ids)
    return [{**r, "tracking": tracked.get(r["enterprise_id"])} for r in page.rows]


def rank_leads(
    snapshot: Snapshot, session: Session, park_id: str, query: LeadQuery
) -> tuple[list[dict[str, Any]], int]:
    """A page of ranked enterprises for a park with their tracking, and the total that qualify."""
    page = lead_page(snapshot, session, park_id, query)
    return with_tracking(session, park_id, page), page.total


def _park_rows(snapshot: Snapshot, frame: pd.DataFrame) -> list[dict[str, Any]]:
    names = snapshot.matcher.feature_names_
    return [
        {
            "rank": int(record["rank"]),
            "park_id": str(record["park_id"]),
            "name": str(record["name"]),
            "score": float(record["score"]),
            "eligible": bool(record["eligible"]),
            "contributions": _contributions(record, names),
            "reasons": split_reasons(record["reasons"]),
        }
        for record in frame.to_dict("records")
    ]


def rank_parks(
    snapshot: Snapshot,
    session: Session,
    enterprise_id: str,
    *,
    limit: int,
    offset: int,
    include_ineligible: bool,
    min_score: float | None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of parks ranked for a stored enterprise, with the lead's tracking per park."""
    frame = snapshot.matcher.rank_parks(
        enterprise_id,
        k=limit,
        offset=offset,
        include_ineligible=include_ineligible,
        min_score=min_score,
    )
    rows = _park_rows(snapshot, frame)
    tracked = trackings(session, enterprise_id=enterprise_id)
    for row in rows:
        row["tracking"] = tracked.get(row["park_id"])
    return rows, int(frame.attrs["total"])


def rank_profile(
    snapshot: Snapshot,
    profile: Mapping[str, Any],
    *,
    limit: int,
    offset: int,
    include_ineligible: bool,
    min_score: float | None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of parks ranked for an enterprise profile that is not in the database."""
    try:
        frame = snapshot.matcher.rank_parks_for(
            dict(profile),
            k=limit,
            offset=offset,
            include_ineligible=include_ineligible,
            min_score=min_score,
        )
    except SchemaError as exc:  # a JSON body has no sheet rows
        problems = [dataclasses.replace(p, row=None, file=None) for p in exc.problems]
        raise SchemaError(problems, file="请求体") from None
    return _park_rows(snapshot, frame), int(frame.attrs["total"])


def explain(snapshot: Snapshot, park_id: str, enterprise_id: str) -> dict[str, Any]:
    """The library's explanation of one pair, as plain values."""
    e = snapshot.matcher.explain(park_id, enterprise_id)
    return {
        "score": e.score,
        "eligible": e.eligible,
        "baseline": e.baseline,
        "contributions": e.contributions,
        "values": e.values,
        "weights": e.weights,
        "reasons": e.reasons,
    }
