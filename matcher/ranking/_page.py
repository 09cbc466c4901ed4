"""A ranking page as a table: score, eligibility, reasons and each family's contribution."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..features import FeatureFamily
from ..index import MatchIndex
from ._explain import page_reasons
from ._score import component_values, eligibility, park_component_values, park_eligibility

__all__ = ["RankedPage", "page_rows", "ranking_page"]


@dataclass(frozen=True)
class RankedPage:
    """A ranking page as arrays, best first: what :func:`ranking_page` lays out as a table.

    Attributes
    ----------
    other : str
        The side ranked: ``enterprise`` or ``park``.
    rank : ndarray of int64
        Ranks, counting from the page's start + 1.
    ids, names : ndarray of str
        The ranked rows' ids and names.
    score : ndarray of float64
        Scores (the scorer's baseline plus the contributions).
    eligible : ndarray of bool
        Whether each pair meets the hard constraints.
    reasons : list of list of str
        Each row's reasons in Chinese, the eligibility verdict first (empty lists when the page
        was made without reasons).
    contributions : ndarray of float64, shape (rows, families)
        Each family's contribution, in the order of ``families``.
    families : tuple of str
        The families' names.
    total : int
        How many rows qualified before paging.
    """

    other: str
    rank: np.ndarray
    ids: np.ndarray
    names: np.ndarray
    score: np.ndarray
    eligible: np.ndarray
    reasons: list[list[str]]
    contributions: np.ndarray
    families: tuple[str, ...]
    total: int

    def __len__(self) -> int:
        return len(self.rank)

    def to_frame(self) -> pd.DataFrame:
        """The page as :func:`ranking_page` returns it: ``rank, <other>_id, name, score,
        eligible, reasons`` (joined with ``；``), one column per family, ``attrs["total"]``."""
        columns: dict[str, Any] = {
            "rank": self.rank,
            f"{self.other}_id": self.ids,
            "name": self.names,
            "score": self.score,
            "eligible": self.eligible,
            "reasons": ["；".join(r) for r in self.reasons],
        }
        for j, name in enumerate(self.families):
            columns[name] = self.contributions[:, j]
        out = pd.DataFrame(columns)  # one construction: a column inserted at a time costs 4 ×
        out.attrs["total"] = self.total
        return out


def page_rows(
    index: MatchIndex,
    families: Sequence[FeatureFamily],
    scorer: Any,
    parks: np.ndarray,
    ents: np.ndarray,
    coef: np.ndarray | None,
    *,
    other: str,
    start: int = 0,
    total: int | None = None,
    reasons: bool = True,
) -> RankedPage:
    """The page of aligned pairs ``(parks[i], ents[i])`` as arrays (see :func:`ranking_page`,
    which takes the same arguments and lays this out as a table)."""
    p, e = parks, ents
    if len(p) and np.all(p == p[0]):  # one park's page: its one-park paths
        raw, filled = park_component_values(index, families, int(p[0]), e)
        eligible = park_eligibility(index, int(p[0]), e)
    else:
        raw, filled = component_values(index, families, p, e)
        eligible = eligibility(index, p, e)
    contrib = np.asarray(scorer.contributions(filled, coef), dtype=np.float64)
    score = float(scorer.baseline) + contrib.sum(axis=1)
    E, P = index.enterprises, index.parks
    ids, names = (E.ids[e], E.names[e]) if other == "enterprise" else (P.ids[p], P.names[p])
    return RankedPage(
        other=other,
        rank=np.arange(start + 1, start + len(p) + 1),
        ids=ids.astype(str),
        names=names.astype(str),
        score=score,
        eligible=eligible,
        reasons=(
            page_reasons(index, families, p, e, raw, contrib)
            if reasons
            else [[] for _ in range(len(p))]
        ),
        contributions=contrib,
        families=tuple(f.name for f in families),
        total=len(p) if total is None else total,
    )


def ranking_page(
    index: MatchIndex,
    families: Sequence[FeatureFamily],
    scorer: Any,
    parks: np.ndarray,
    ents: np.ndarray,
    coef: np.ndarray | None,
    *,
    other: str,
    start: int = 0,
    total: int | None = None,
    reasons: bool = True,
) -> pd.DataFrame:
    """The page of aligned pairs ``(parks[i], ents[i])``, best first as given.

    Columns ``rank, <other>_id, name, score, eligible, reasons`` and one per family with its
    contribution (they sum to ``score`` minus the scorer's baseline). ``other`` is the side
    being ranked (``enterprise`` or ``park``); ``rank`` counts from ``start + 1``;
    ``attrs["total"]`` holds ``total`` (the rows that qualified before paging). Contributions
    and reasons are recomputed for the page's pairs only; ``reasons=False`` leaves them empty
    (each family's reasons are built for the page's rows in one call). :func:`page_rows` gives the same page as arrays.
    """
    return page_rows(
        index,
        families,
        scorer,
        parks,
        ents,
        coef,
        other=other,
        start=start,
        total=total,
        reasons=reasons,
    ).to_frame()
