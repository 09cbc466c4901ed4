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
  looks the page up in the cache, counted as the route counts it, ranks it in the library and
  caches it; a status-filtered page reads the lead table as the route does; an id the index
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

import re
import threading
from collections import OrderedDict
from typing import Any

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from . import ranking
from .deps import clean_id, key_holder
from .routes.leads import cached_leads_response

__all__ = ["CachedLeadPages", "LeadQueryMemo"]

_PATH = re.compile(r"/parks/([^/]+)/leads")


class LeadQueryMemo:
    """Raw query strings the leads route has validated → the :class:`~service.ranking.LeadQuery`
    it parsed from each (the parsing depends on the query string alone); the oldest forgotten
    first beyond ``size``."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._data: OrderedDict[bytes, ranking.LeadQuery] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, raw: bytes) -> ranking.LeadQuery | None:
        """The query parsed from ``raw`` before, if remembered."""
        return self._data.get(raw)

    def put(self, raw: bytes, query: ranking.LeadQuery) -> None:
        """Remember that the route parsed ``raw`` into ``query``."""
        if self.size <= 0 or raw in self._data:
            return
        with self._lock:
            self._data[raw] = query
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
            return response  # its look-up counted as the route counts it
        if response is not None:
            ranking.cached_page(snapshot, key, query)  # the hit, counted as the route counts it
        return response
