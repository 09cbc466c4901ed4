"""Scorers: score = baseline + Σ contributions, one contribution per feature family.

:class:`Scorer` is the protocol every scorer keeps (:func:`check_scorer` checks it);
:class:`WeightedScorer` is the transparent default (weights per family, per-park overrides:
:class:`Reweightable`), :class:`ReciprocalScorer` combines a park side and an enterprise side,
:class:`LinearScorer` and :class:`GBScorer` are learned from outcomes. :func:`save_scorer` /
:func:`load_scorer` write and read a fitted scorer's file with a checked (optionally signed)
manifest.
"""

from __future__ import annotations

from ._files import (
    MANIFEST_FORMAT,
    load_scorer,
    manifest_path,
    read_scorer_manifest,
    save_scorer,
    training_data_sha256,
)
from ._learned import GBScorer, LinearScorer
from ._protocol import Reweightable, Scorer, check_scorer
from ._reciprocal import MEAN_LABELS, MEANS, ReciprocalScorer, side_weights
from ._weighted import DEFAULT_WEIGHTS, WeightedScorer, parse_weights, resolve_weights

__all__ = [
    "DEFAULT_WEIGHTS",
    "MANIFEST_FORMAT",
    "MEANS",
    "MEAN_LABELS",
    "GBScorer",
    "LinearScorer",
    "ReciprocalScorer",
    "Reweightable",
    "Scorer",
    "WeightedScorer",
    "check_scorer",
    "load_scorer",
    "manifest_path",
    "parse_weights",
    "read_scorer_manifest",
    "resolve_weights",
    "save_scorer",
    "side_weights",
    "training_data_sha256",
]
