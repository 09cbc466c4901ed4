"""A few threads of their own for cold leads pages, fed first come first served.

The pre-routing fast path (:mod:`service.fastleads`) answers a cold page in one hop off the
event loop: the library ranks it, one SQL statement reads the park and the page's lead
statuses, the bytes are joined and the exposures recorded. Through anyio's shared pool every
waiting request holds a thread of its own (eight clients: eight threads, most of them parked
on the ranking slots, the rest reading the database and encoding at the same time as the
rankings), and a released slot is taken by whichever thread the scheduler wakes. Here a fixed
number of threads (``PARKMATCH_RANKING_THREADS``, the ranking slots' count) take whole pages
from one queue in the order they arrived: no more threads in play than pages ranked at once,
and no request overtakes another that was queued before it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["PageWorkers"]

T = TypeVar("T")


class PageWorkers:
    """``size`` threads answering whole pages in arrival order (one FIFO queue).

    Parameters
    ----------
    size : int
        Threads, started on first use (at least 1).
    name : str, default="parkmatch-page"
        The threads' name prefix (seen in ``py-spy`` and thread dumps).

    Raises
    ------
    ValueError
        When ``size`` is below 1.
    """

    def __init__(self, size: int, *, name: str = "parkmatch-page") -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self.name = name
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix=name)

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` on one of the threads, after every call submitted before it started.

        Raises what ``call`` raises, and ``RuntimeError`` once :meth:`close` has been called
        (the caller then answers another way).
        """
        return await asyncio.wrap_future(self._executor.submit(call, *args))

    def close(self) -> None:
        """Finish the calls already submitted, refuse new ones and end the threads."""
        self._executor.shutdown(wait=True)
