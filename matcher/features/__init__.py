"""Feature families: one module per component of the score."""

from __future__ import annotations

from ._base import FeatureFamily, FitContext, broadcast_pairs
from .capacity import CapacityFeature
from .industry import IndustryFeature
from .location import LocationFeature
from .quality import QualityFeature
from .text import TextFeature

__all__ = [
    "DEFAULT_FAMILIES",
    "CapacityFeature",
    "FeatureFamily",
    "FitContext",
    "IndustryFeature",
    "LocationFeature",
    "QualityFeature",
    "TextFeature",
    "broadcast_pairs",
    "default_families",
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


DEFAULT_FAMILIES = tuple(f.name for f in default_families())
