"""A ranking page as a table: score, eligibility, reasons and each family's contribution."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..features import FeatureFamily
from ..index import MatchIndex
from ._explain import pair_reasons
from ._score import component_values, eligibility

__all__ = ["ranking_page"]


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
    (they cost about a millisecond a row).
    """
    p, e = parks, ents
    raw, filled = component_values(index, families, p, e)
    contrib = np.asarray(scorer.contributions(filled, coef), dtype=np.float64)
    score = float(scorer.baseline) + contrib.sum(axis=1)
    eligible = eligibility(index, p, e)
    E, P = index.enterprises, index.parks
    ids, names = (E.ids[e], E.names[e]) if other == "enterprise" else (P.ids[p], P.names[p])
    out = pd.DataFrame(
        {
            "rank": np.arange(start + 1, start + len(p) + 1),
            f"{other}_id": ids.astype(str),
            "name": names.astype(str),
            "score": score,
            "eligible": eligible,
            "reasons": [
                "；".join(pair_reasons(index, families, int(p[r]), int(e[r]), raw[r], contrib[r]))
                if reasons
                else ""
                for r in range(len(p))
            ],
        }
    )
    for j, family in enumerate(families):
        out[family.name] = contrib[:, j]
    out.attrs["total"] = len(p) if total is None else total
    return out
