"""``GET /parks/{park_id}/leads`` answered without the framework: cached pages and cold ones.

A page the response cache holds costs one database round trip and a join of bytes encoded
when it was cached (:func:`service.routes.leads.cached_leads_response`); routing, resolving the
route's thirteen query parameters and its dependencies, and the hop to a worker thread for the
sync route cost FastAPI more than that. :class:`CachedLeadPages` (ASGI middleware) answers such
a request itself, and only when everything the route would do is known to end the same way:

* the query string was parsed and validated by the route before (:class:`LeadQueryMemo` keeps
  each one's :class:`~service.ranking.LeadQuery`, as the route's own parsing produced it; a
  query string seen for the first time, or one that fails validation, always goes to the
  route, which answers its errors);
* reads are open, or the ``X-API-Key`` header holds a configured key (what the router's
  :func:`~service.deps.require_reader` checks; any other case goes to the route, which answers
  401/403);
* an index serves and either the response cache holds the page (looked up without counting;
  the hit is counted once the fast path has answered, as the route counts it) or the serving
  index ranks for the park (a cold page: :func:`~service.routes.leads.cached_leads_response`
  ranks it in the library and, once answered, caches it and counts the miss as the route
  counts it; a status-filtered page reads the lead table as the route does; an id the index
  does not serve goes to the route, which answers 404 or waits for the index);
* the page cannot be an exploration page (exploration is off, or the page is not a first page).

The database query, the exposure draw and record and the bytes are the route's own code, run
in a worker thread (the event loop never waits for the database); the response is the same
``Response`` the route returns. Anything that goes wrong before the answer is sent (the park
deleted, the database away) hands the request to the route, which answers as it always does.
A cold page costs one hop to a worker thread (ranking, the one SQL statement, the bytes, the
exposure record) instead of the framework's routing, its thirteen query parameters and
dependencies and its own hop. ``tests/service/test_fast_leads.py`` checks that both paths send
the same bytes and headers, record the same exposures and count the same cache hits and
misses, cached and cold, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from matcher.scoring import parse_weights

from . import ranking
from .deps import clean_id, key_holder
from .routes.leads import cached_leads_response

__all__ = ["CachedLeadPages", "LeadQueryMemo"]

_PATH = re.compile(r"/parks/([^/]+)/leads")


_NAME = re.compile(rb"[A-Za-z_]+")
_WEIGHTS = b"weights="


def _weights_split(raw: bytes) -> tuple[tuple[str, bytes], str] | None:
    """A query string with one ``weights`` value → (its key with that value left out, the
    value as the route reads it); None when it has no such pair, or when its parameter names
    are not all plain (a name Starlette would decode differently from its bytes)."""
    if _WEIGHTS not in raw:
        return None
    pairs = raw.split(b"&")
    found = -1
    for i, pair in enumerate(pairs):
        name = pair.partition(b"=")[0]
        if not _NAME.fullmatch(name) and pair:
            return None
        if name == b"weights":
            if found >= 0 or not pair.startswith(_WEIGHTS):
                return None  # the route reads the last of several, or a bare name as ""
            found = i
    if found < 0:
        return None
    # the value as Starlette parses it (QueryParams: latin-1, then parse_qsl)
    value = parse_qsl(pairs[found].decode("latin-1"), keep_blank_values=True)[0][1]
    pairs[found] = _WEIGHTS
    return ("weights", b"&".join(pairs)), value


class LeadQueryMemo:
    """Raw query strings the leads route has validated → the :class:`~service.ranking.LeadQuery`
    it parsed from each (the parsing depends on the query string alone); the oldest forgotten
    first beyond ``size``.

    A query string with per-call ``weights`` is remembered without its weights value: the
    route's parsing of the other parameters does not depend on it, and the weights are parsed
    by :func:`matcher.scoring.parse_weights`, as the route parses them, for each request (a
    value it refuses, or an empty one, goes to the route). Clients that send their own weights
    with each request (a cold page each time) take the fast path after the first.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._data: OrderedDict[bytes | tuple[str, bytes], ranking.LeadQuery] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, raw: bytes) -> ranking.LeadQuery | None:
        """The query parsed from ``raw`` before, if remembered."""
        query = self._data.get(raw)
        if query is not None:
            return query
        split = _weights_split(raw)
        if split is None:
            return None
        key, value = split
        query = self._data.get(key)
        if query is None or query.weights is None or not value:
            return None
        try:
            parsed = parse_weights(value)
        except Exception:  # the route answers it
            return None
        if parsed is None:
            return None
        return dataclasses.replace(query, weights=tuple(sorted(parsed.items())))

    def put(self, raw: bytes, query: ranking.LeadQuery) -> None:
        """Remember that the route parsed ``raw`` into ``query``."""
        split = None if query.weights is None else _weights_split(raw)
        key: bytes | tuple[str, bytes] = raw if split is None else split[0]
        if self.size <= 0 or key in self._data:
            return
        with self._lock:
            self._data[key] = query
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        """Forget every query string (the next request of each goes to the route)."""
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def _api_key(scope: Scope) -> str | None:
    """The first ``X-API-Key`` header as Starlette decodes it (latin-1), as the route reads it."""
    for name, value in scope.get("headers", ()):
        if name == b"x-api-key":
            return str(value.decode("latin-1"))
    return None


class CachedLeadPages:
    """ASGI middleware answering cached ``GET /parks/{park_id}/leads`` pages (module docs).

    Parameters
    ----------
    app : ASGIApp
        The rest of the application (the route answers whatever this does not).
    state : Any
        The FastAPI app's ``state``: ``settings``, ``engine``, ``indexer``, ``exposures`` and
        ``lead_queries`` (a :class:`LeadQueryMemo`), read at each request.
    """

    def __init__(self, app: ASGIApp, *, state: Any) -> None:
        self.app = app
        self.state = state
        #: Requests answered here (the rest went to the route).
        self.answered = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path"):
            match = _PATH.fullmatch(scope["path"])
            if match is not None:
                response = await self._cached(scope, match.group(1))
                if response is not None:
                    self.answered += 1
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _cached(self, scope: Scope, park_id: str) -> Any:
        state = self.state
        query: ranking.LeadQuery | None = state.lead_queries.get(scope["query_string"])
        if query is None:
            return None
        settings = state.settings
        if not settings.reads_open and key_holder(settings, _api_key(scope)) is None:
            return None
        exposures = state.exposures
        if exposures.exploration > 0 and query.offset == 0:
            return None
        snapshot = state.indexer.snapshot
        if snapshot is None:
            return None
        key = clean_id(park_id)
        page = ranking.peek_cached_page(snapshot, key, query)
        # a cold page is ranked here only for a park this index serves (any other id goes to
        # the route, which answers 404 or waits for the index as it always does)
        if page is None and key not in ranking.served_parks(snapshot):
            return None
        try:
            response = await anyio.to_thread.run_sync(
                cached_leads_response, state.engine, exposures, park_id, key, snapshot, query, page
            )
        except Exception:  # the route answers it as it answers every error
            return None
        if page is None:
            return response  # its miss counted once answered, as the route counts it
        if response is not None:
            ranking.cached_page(snapshot, key, query)  # the hit, counted as the route counts it
        return response
