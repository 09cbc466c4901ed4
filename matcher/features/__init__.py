"""Feature families: one module per component of the score, each with its own reasons.

A family (:class:`FeatureFamily`) turns one park and the fitted enterprise arrays — or one
enterprise and every park — into a float32 vector in [0, 1] (NaN where unknown, then its
``neutral`` value counts), and says why in Chinese. The five defaults
(:func:`default_families`): industry, text, capacity, quality, location. Optional ones:
:class:`ChainFeature` (industry-chain gaps, needs tenants), :class:`PreferenceFeature` (the
enterprise's side of a two-sided score) and :class:`SignalFeature` (招商时机, from events).
"""

from __future__ import annotations

import warnings
from typing import Any

from ._base import (
    PRECOMPUTE_PAIRS,
    SCRATCH_NAMES,
    SPARE_SETS,
    FeatureFamily,
    FitContext,
    broadcast_pairs,
    clear_scratch,
    gather,
    keep_scratch,
    per_index,
    per_park_table,
    replace_where,
    scratch,
    scratch_nbytes,
    scratch_session,
)
from ._kernels import CompiledLoop
from ._shared import help_open_blocks, run_blocks
from .capacity import CapacityFeature
from .chain import ChainFeature
from .industry import IndustryFeature
from .location import LocationFeature
from .preference import PreferenceFeature
from .quality import QualityFeature
from .signal import SignalFeature, attach_events
from .text import TextFeature

__all__ = [
    "DEFAULT_FAMILY_NAMES",
    "PRECOMPUTE_PAIRS",
    "SCRATCH_NAMES",
    "SPARE_SETS",
    "CapacityFeature",
    "ChainFeature",
    "CompiledLoop",
    "FeatureFamily",
    "FitContext",
    "IndustryFeature",
    "LocationFeature",
    "PreferenceFeature",
    "QualityFeature",
    "SignalFeature",
    "TextFeature",
    "attach_events",
    "broadcast_pairs",
    "clear_scratch",
    "default_families",
    "gather",
    "help_open_blocks",
    "keep_scratch",
    "per_index",
    "per_park_table",
    "replace_where",
    "run_blocks",
    "scratch",
    "scratch_nbytes",
    "scratch_session",
]


def default_families() -> list[FeatureFamily]:
    """Fresh instances of the five default families, in output order."""
    return [
        IndustryFeature(),
        TextFeature(),
        CapacityFeature(),
        QualityFeature(),
        LocationFeature(),
    ]


#: Names of the five default families, in output order (``default_families()`` makes them).
DEFAULT_FAMILY_NAMES: tuple[str, ...] = tuple(f.name for f in default_families())


def __getattr__(name: str) -> Any:
    if name == "DEFAULT_FAMILIES":
        warnings.warn(
            "matcher.features.DEFAULT_FAMILIES 已更名为 DEFAULT_FAMILY_NAMES（它是名称，不是实例）",
            DeprecationWarning,
            stacklevel=2,
        )
        return DEFAULT_FAMILY_NAMES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
