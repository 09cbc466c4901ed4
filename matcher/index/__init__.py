"""The fitted index: compact per-enterprise and per-park arrays, built once, saved and loaded.

:func:`build_index` reads every text once (scope, products, names → TF-IDF rows, inferred
industry codes, activities) and turns the validated frames into arrays
(:class:`EnterpriseArrays`, :class:`ParkArrays` in a :class:`MatchIndex`); feature families read
only these. :func:`save_fitted` / :func:`load_fitted` write and read a fitted matcher's folder
(memory-mappable ``.npy`` arrays, signed manifest).
"""

from __future__ import annotations

from ._arrays import (
    CODE_DECLARED,
    CODE_INFERRED,
    CODE_NONE,
    CONFIDENT,
    SIZE_SOURCES,
    EnterpriseArrays,
    IndustryInferrer,
    MatchIndex,
    ParkArrays,
    build_index,
    enterprise_arrays,
    gc_paused,
    park_arrays,
    with_enterprises,
)
from ._columns import RowPositions, StringColumn
from ._io import FORMAT_VERSION, SAVED_STATE, load_fitted, load_index, save_fitted, save_index

__all__ = [
    "CODE_DECLARED",
    "CODE_INFERRED",
    "CODE_NONE",
    "CONFIDENT",
    "FORMAT_VERSION",
    "SAVED_STATE",
    "SIZE_SOURCES",
    "EnterpriseArrays",
    "IndustryInferrer",
    "MatchIndex",
    "ParkArrays",
    "RowPositions",
    "StringColumn",
    "build_index",
    "enterprise_arrays",
    "gc_paused",
    "load_fitted",
    "load_index",
    "park_arrays",
    "save_fitted",
    "save_index",
    "with_enterprises",
]
