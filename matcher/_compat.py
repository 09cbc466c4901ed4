"""Old module paths of pickled classes, so that files written by parkmatch 0.1 still load.

Pickles name each class by the module it was defined in. Version 0.2 moved those modules into
subpackages (``matcher._index`` → :mod:`matcher.index`, ``matcher.reciprocal`` →
:mod:`matcher.scoring`, …). A :class:`Matcher` folder (``Matcher.save``) or a model file
(``save_scorer``) written before the move names the old paths; this module serves them:

* removed modules (``matcher._index``, ``matcher._columns``, ``matcher.reciprocal``,
  ``matcher.model``) are answered by a finder on ``sys.meta_path`` with a module that holds only
  the classes pickles may name;
* classes that left a package which still exists (``matcher.learning.LinearScorer`` is now
  :class:`matcher.scoring.LinearScorer`) are answered by that package's ``__getattr__``
  (:func:`moved_class`).

Nothing here is an API: ``from matcher._index import ParkArrays`` works only because a pickle
may ask for it. :func:`install` runs when :mod:`matcher` is imported.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
import types
from collections.abc import Sequence
from typing import Any

__all__ = ["PICKLED_CLASSES", "install", "moved_class"]

#: (old module, class name) → new module, for every class a 0.1 file may name at a moved path.
PICKLED_CLASSES: dict[tuple[str, str], str] = {
    ("matcher._columns", "StringColumn"): "matcher.index",
    ("matcher._index", "EnterpriseArrays"): "matcher.index",
    ("matcher._index", "IndustryInferrer"): "matcher.index",
    ("matcher._index", "MatchIndex"): "matcher.index",
    ("matcher._index", "ParkArrays"): "matcher.index",
    ("matcher.reciprocal", "ReciprocalScorer"): "matcher.scoring",
    ("matcher.learning", "GBScorer"): "matcher.scoring",
    ("matcher.learning", "LinearScorer"): "matcher.scoring",
    ("matcher.model", "Explanation"): "matcher.ranking",
    ("matcher.model", "Matcher"): "matcher.matching",
}
_REMOVED = frozenset(m for m, _ in PICKLED_CLASSES) - {"matcher.learning"}


def moved_class(module: str, name: str) -> Any:
    """The class a pickle names as ``module.name``; AttributeError when it names none."""
    target = PICKLED_CLASSES.get((module, name))
    if target is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    return getattr(importlib.import_module(target), name)


class _OldPathLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = types.ModuleType(spec.name, f"Old path of pickled classes ({__name__}).")
        module.__getattr__ = lambda name: moved_class(spec.name, name)  # type: ignore[method-assign]
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class _OldPathFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in _REMOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, _OldPathLoader())


_FINDER = _OldPathFinder()
_LOCK = threading.Lock()


def install() -> None:
    """Put the finder of old module paths on ``sys.meta_path`` (once)."""
    with _LOCK:
        if _FINDER not in sys.meta_path:
            sys.meta_path.append(_FINDER)
