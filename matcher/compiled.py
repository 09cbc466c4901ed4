"""Loops compiled by numba at their first call: :class:`CompiledLoop`.

The feature families (:mod:`matcher.features`), the cold ranking's weighted sum
(:mod:`matcher.ranking`) and the reading of enterprise names (:mod:`matcher.text`) each keep
their loops beside the code that calls them; this module only compiles them.
"""

from __future__ import annotations

import threading
import types
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["CompiledLoop"]


class CompiledLoop:
    """A plain-Python loop compiled by numba at its first call (``njit`` with ``nogil``, no
    bounds checks, no ``fastmath``: each multiply and add rounds as NumPy's do). The loop may
    call the plain functions given as ``helpers`` by name: they are compiled with it.

    numba is imported then, not when the module is (importing it takes about half a second, which
    a process that never runs the loop need not pay). The compiled code is cached on disk next to
    the loop's module when it is writable, else in numba's per-user cache; without any place to
    keep it, each process compiles it again.
    """

    def __init__(self, function: Callable[..., Any], helpers: tuple[Callable[..., Any], ...] = ()):
        self.function = function
        self.helpers = helpers
        self.compiled: Any = None
        self._lock = threading.Lock()

    def __call__(self, *args: Any) -> Any:
        compiled = self.compiled  # every call asks: no lock once it is made
        if compiled is None:
            with self._lock:
                if self.compiled is None:
                    self.compiled = self._compile()
            compiled = self.compiled
        return compiled(*args)

    def _compile(self) -> Any:
        import numba

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", numba.NumbaWarning)
            try:
                return self._jit(numba, cache=True)
            except RuntimeError:  # no place to keep a cache: compiled in each process
                return self._jit(numba, cache=False)

    def _jit(self, numba: Any, cache: bool) -> Any:
        """The loop compiled, calling its ``helpers`` compiled too: the loop's module keeps
        the plain functions, and the loop is compiled from a copy of its globals in which
        each helper's name is its compiled form."""
        options = {"nogil": True, "cache": cache, "boundscheck": False}
        function = self.function
        if self.helpers:
            names = {h.__name__: numba.njit(**options)(h) for h in self.helpers}
            function = types.FunctionType(
                function.__code__,
                {**function.__globals__, **names},
                function.__name__,
                function.__defaults__,
                function.__closure__,
            )
            function.__qualname__ = self.function.__qualname__
            function.__module__ = self.function.__module__
        return numba.njit(**options)(function)
