"""The common interface of feature families.

A family turns pairs of (park row, enterprise row) of the fitted index into one float32 vector
in [0, 1], NaN where the component cannot be computed (unknown), and writes the reason for one
pair in Chinese. ``parks`` and ``ents`` are integer row arrays that broadcast against each other:
one park against many enterprises, one enterprise against many parks, or aligned pairs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from ..index import MatchIndex

__all__ = ["FeatureFamily", "FitContext", "broadcast_pairs", "per_index", "take"]

T = TypeVar("T")


@dataclass
class FitContext:
    """The validated frames a ``Matcher`` was fitted on, handed to :meth:`FeatureFamily.prepare`.

    ``tenants`` holds ``park_id, enterprise_id`` pairs (None when not given).
    """

    parks: pd.DataFrame
    enterprises: pd.DataFrame
    tenants: pd.DataFrame | None = None


def broadcast_pairs(parks: np.ndarray, ents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast two row arrays to the same length (1 against n, or n against n)."""
    parks = np.atleast_1d(np.asarray(parks, dtype=np.intp))
    ents = np.atleast_1d(np.asarray(ents, dtype=np.intp))
    p, e = np.broadcast_arrays(parks, ents)
    return p, e


def per_index(store: dict[str, Any], key: str, build: Callable[[], T]) -> T:
    """``store[key]``, built once by ``build()`` (per-index state of a family's fast path).

    Building twice from two threads is harmless: both build the same arrays from the same index.
    """
    value = store.get(key)
    if value is None:
        value = store[key] = build()
    return value


def take(values: np.ndarray, ents: np.ndarray | None) -> np.ndarray:
    """``values`` of the rows ``ents`` (all rows, not copied, when None)."""
    return values if ents is None else values[ents]


class FeatureFamily(ABC):
    """One feature family: a component of the score with its own reasons.

    Attributes
    ----------
    name : str
        Identifier used for weights and output columns (``industry``, ``text``, …).
    label : str
        Chinese label shown to users.
    neutral : float
        The value used in the score when the component is unknown: never a perfect score.
    default_weight : float
        The family's weight when no weights are given (weights are normalised to sum to 1).
    """

    name: ClassVar[str]
    label: ClassVar[str]
    neutral: ClassVar[float]
    default_weight: ClassVar[float]

    def prepare(self, index: MatchIndex, context: FitContext) -> None:  # noqa: B027
        """Build whatever the family needs beyond the index, once per ``Matcher.fit``.

        Families that keep per-row state store it in ``index.enterprises.extras`` /
        ``index.parks.extras`` under their own keys. The default does nothing.
        """

    def prepare_enterprises(self, index: MatchIndex, enterprises: pd.DataFrame) -> None:  # noqa: B027
        """Fill per-enterprise state for enterprises not seen at fit (``index`` is a view
        holding only them). The default does nothing."""

    @abstractmethod
    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Component values (float32 in [0, 1], NaN where unknown) for broadcast pairs."""

    def compute_park(
        self, index: MatchIndex, park: int, ents: np.ndarray | None = None
    ) -> np.ndarray:
        """Component values of one park against the enterprise rows ``ents`` (every row when
        None): the same values as :meth:`compute` gives for these pairs, bit for bit.

        The default calls :meth:`compute`; the dense families override it with a one-park path
        (the park's values as scalars, only the branch the park needs, per-index state computed
        once). The result may be read-only state of the index: copy it before changing it.
        """
        rows = np.arange(len(index.enterprises)) if ents is None else ents
        return self.compute(index, np.array([park]), rows)

    @abstractmethod
    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        """A sentence an officer can read aloud about one pair (``value`` may be NaN)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
