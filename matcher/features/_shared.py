"""Blocks of one long computation that idle threads of the scoring pool may share.

A cold ranking computes each feature family of one park on the scoring pool's threads; the text
family's columns take longest, and the threads done with the other families would wait. The
text family runs its blocks of rows through :func:`run_blocks`, and the pool's other threads,
once free, take blocks of it (:func:`help_open_blocks`). Each block is computed by exactly one
thread, into its own slice of the result: the values are the same bit for bit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["help_open_blocks", "run_blocks"]


class _Blocks:
    """Blocks ``0 … count - 1`` of one computation, taken one at a time by any thread."""

    def __init__(self, count: int, run: Callable[[int], None]):
        self.count = count
        self.run = run
        self.taken = 0
        self.done = 0
        self.error: BaseException | None = None
        self.lock = threading.Lock()
        self.finished = threading.Condition(self.lock)

    def left(self) -> bool:
        with self.lock:
            return self.taken < self.count

    def work(self) -> None:
        """Run blocks not yet taken until none is left."""
        while True:
            with self.lock:
                block = self.taken
                if block >= self.count:
                    return
                self.taken += 1
            try:
                self.run(block)
            except BaseException as exc:  # raised by the thread that owns the computation
                with self.lock:
                    self.error = self.error or exc
            finally:
                with self.finished:
                    self.done += 1
                    self.finished.notify_all()


_OPEN: list[_Blocks] = []
_OPEN_LOCK = threading.Lock()


def run_blocks(count: int, run: Callable[[int], None]) -> None:
    """``run(b)`` for every block ``b`` of ``count``, on this thread and on any thread that calls
    :func:`help_open_blocks` meanwhile; returns when every block is done (raising the first
    error a block raised, wherever it ran)."""
    blocks = _Blocks(count, run)
    with _OPEN_LOCK:
        _OPEN.append(blocks)
    try:
        blocks.work()
    finally:
        with _OPEN_LOCK:
            _OPEN.remove(blocks)
        with blocks.finished:  # blocks another thread took are written before this returns
            blocks.finished.wait_for(lambda: blocks.done == blocks.taken)
    if blocks.error is not None:
        raise blocks.error


def help_open_blocks() -> None:
    """Take blocks of the open computations (:func:`run_blocks`) until none is left. Waits on
    nothing: a pool thread may call it at any time, and it returns at once when there is no
    work."""
    while True:
        with _OPEN_LOCK:
            open_ = [b for b in _OPEN if b.left()]
        if not open_:
            return
        open_[-1].work()
