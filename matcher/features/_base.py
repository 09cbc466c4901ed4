"""The common interface of feature families.

A family turns pairs of (park row, enterprise row) of the fitted index into one float32 vector
in [0, 1], NaN where the component cannot be computed (unknown), and writes the reason for one
pair in Chinese. ``parks`` and ``ents`` are integer row arrays that broadcast against each other:
one park against many enterprises, one enterprise against many parks, or aligned pairs.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from ..index import MatchIndex

__all__ = ["FeatureFamily", "FitContext", "broadcast_pairs", "per_index", "replace_where", "take"]

T = TypeVar("T")


@dataclass
class FitContext:
    """The validated frames a ``Matcher`` was fitted on, handed to :meth:`FeatureFamily.prepare`.

    ``tenants`` holds ``park_id, enterprise_id`` pairs (None when not given). ``fitted_on`` is
    the day of the fit (None: today): a family whose results depend on the date (the event
    signal's ages) takes it as "today", so a matcher loaded later ranks as it did when fitted.
    """

    parks: pd.DataFrame
    enterprises: pd.DataFrame
    tenants: pd.DataFrame | None = None
    fitted_on: dt.date | None = None


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


def replace_where(values: np.ndarray, mask: np.ndarray, fill: float) -> np.ndarray:
    """``values`` with ``fill`` where ``mask`` (a new array), bit for bit as ``np.where`` gives.

    Written without branches, on the values' bits: a masked copy takes a branch per element,
    which costs tens of times more than arithmetic when the mask is irregular.

    >>> replace_where(np.array([1.0, np.nan], dtype=np.float32), np.array([False, True]), 0.5)
    array([1. , 0.5], dtype=float32)
    """
    bits = np.dtype(np.uint32 if values.dtype.itemsize == 4 else np.uint64)
    keep: np.ndarray = np.ascontiguousarray(mask, dtype=bool).view(np.uint8).astype(bits)
    np.negative(keep, out=keep)  # all ones where masked
    filled = np.bitwise_and(np.asarray(fill, dtype=values.dtype).view(bits), keep)
    np.invert(keep, out=keep)
    np.bitwise_and(keep, np.ascontiguousarray(values).view(bits), out=keep)
    np.bitwise_or(keep, filled, out=keep)
    return keep.view(values.dtype)


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
    #: Whether :meth:`compute_parks` is faster than one park at a time (batch jobs then compute
    #: the family for a block of parks at once).
    blockwise: ClassVar[bool] = False

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

    def compute_parks(
        self, index: MatchIndex, parks: Sequence[int], ents: np.ndarray | None = None
    ) -> np.ndarray:
        """:meth:`compute_park` of several parks at once, one column per park (n, len(parks)).

        Families with :attr:`blockwise` set compute a block of parks faster than one park at a
        time (the text family: one sparse product for the block); the default stacks
        :meth:`compute_park`.
        """
        return np.column_stack([self.compute_park(index, int(p), ents) for p in parks])

    @abstractmethod
    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        """A sentence an officer can read aloud about one pair (``value`` may be NaN)."""

    def reasons(
        self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray, values: np.ndarray
    ) -> list[str]:
        """:meth:`reason` of each pair of broadcast rows ``parks`` and ``ents`` with its value,
        in order (a ranking page's rows in one call).

        The default calls :meth:`reason` pair by pair; families whose reasons cost per row
        (the text and location families) override it to compute what the pairs share once and
        to do the arithmetic over every pair at once, with the same strings.
        """
        p, e = broadcast_pairs(parks, ents)
        v = np.broadcast_to(np.asarray(values, dtype=np.float64), p.shape).tolist()
        return [
            self.reason(index, park, ent, v[r])
            for r, (park, ent) in enumerate(zip(p.tolist(), e.tolist(), strict=True))
        ]

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
