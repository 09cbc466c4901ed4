"""Pair features: the component values and labels of (park, enterprise) pairs for learning.

Everything here works on the *same* component values the default scorer uses
(:meth:`Matcher.component_values`, neutral-filled), so a learned scorer drops into
``Matcher(scorer=...)`` and its explanations keep the default's arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ConfigError, NotFittedError, UnknownIdError
from ._outcomes import ledger_gain, validate_outcomes

__all__ = ["labelled_pairs", "logged_ranks", "pair_features"]


# ============================================================================ pair features
def _rows(matcher: Any, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Index rows of the pairs' parks and enterprises (UnknownIdError for an unknown id)."""
    if not hasattr(matcher, "index_"):
        raise NotFittedError("Matcher 尚未 fit：请先调用 Matcher().fit(parks, enterprises)")
    missing = [c for c in ("park_id", "enterprise_id") if c not in pairs.columns]
    if missing:
        raise ConfigError(f"pairs 应含 park_id 和 enterprise_id 两列，缺少 {missing}")
    out = []
    for col, table, kind in (
        ("park_id", matcher.parks_, "park"),
        ("enterprise_id", matcher.enterprises_, "enterprise"),
    ):
        ids = pairs[col].astype(str).to_numpy()
        rows = pd.Index(table[col].astype(str)).get_indexer(ids)
        if (rows < 0).any():
            raise UnknownIdError(kind, ids[np.flatnonzero(rows < 0)[0]])
        out.append(rows.astype(np.intp))
    return out[0], out[1]


def pair_features(
    matcher: Any, pairs: pd.DataFrame, *, missing_indicators: bool = False
) -> pd.DataFrame:
    """The pair-feature matrix: each family's component value for each pair.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher; its families make the features.
    pairs : DataFrame
        ``park_id`` and ``enterprise_id`` columns (e.g. an outcomes table or
        :func:`labelled_pairs`).
    missing_indicators : bool, default=False
        Also add one ``<family>_missing`` column (1.0 where the component was unknown and took
        its neutral value). A scorer meant for ``Matcher(scorer=...)`` must be trained without
        them: the Matcher hands scorers the neutral-filled values only.

    Returns
    -------
    DataFrame
        float32 columns named after the families (the Matcher's ``feature_names_``), values in
        [0, 1] with unknown components at the family's neutral value, indexed like ``pairs``.

    Raises
    ------
    UnknownIdError
        A park or enterprise the matcher was not fitted on.
    """
    p, e = _rows(matcher, pairs)
    names = list(matcher.feature_names_)
    if len(p) == 0:
        raw = filled = np.zeros((0, len(names)), dtype=np.float32)
    else:
        raw, filled = matcher.component_values(p, e)
    frame = pd.DataFrame(filled, columns=names, index=pairs.index)
    if missing_indicators:
        for j, name in enumerate(names):
            frame[f"{name}_missing"] = np.isnan(raw[:, j]).astype(np.float32)
    return frame


def labelled_pairs(
    matcher: Any,
    outcomes: pd.DataFrame,
    *,
    parks: Sequence[str] | None = None,
    eligible_only: bool = True,
    min_gain: int = 1,
) -> pd.DataFrame:
    """Every candidate pair of the followed-up parks, labelled from the outcomes.

    Pairs that were never followed up are implicit negatives (gain 0): the ledger only lists the
    leads someone contacted.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher.
    outcomes : DataFrame
        An outcomes table (raw or validated); its ids must be the matcher's.
    parks : sequence of str, default=None
        Parks to include; None takes every park with at least one outcome.
    eligible_only : bool, default=True
        Keep only eligible pairs (the only ones a ranking shows).
    min_gain : int, default=1
        ``label`` is 1 where the gain reaches this: 1 = at least visited.

    Returns
    -------
    DataFrame
        ``park_id, enterprise_id, outcome`` (missing if never followed up), ``date`` and
        ``first_contact`` (NaT), ``gain`` (int: of ``stage_reached`` when the ledger has it,
        else of ``outcome``; :func:`~matcher.learning.ledger_gain`), ``label`` (0/1),
        ``eligible``, and the ledger's exposure columns ``source``, ``shown_rank`` (Int64),
        ``scorer`` and ``propensity``; parks in table order, enterprises in fitted order.
    """
    if not hasattr(matcher, "index_"):
        raise NotFittedError("Matcher 尚未 fit：请先调用 Matcher().fit(parks, enterprises)")
    outcomes = validate_outcomes(
        outcomes, parks=matcher.parks_, enterprises=matcher.enterprises_, file="outcomes"
    )
    park_ids = matcher.parks_["park_id"].astype(str).to_numpy()
    ent_ids = matcher.enterprises_["enterprise_id"].astype(str).to_numpy()
    wanted = set(outcomes["park_id"].astype(str)) if parks is None else {str(p) for p in parks}
    unknown = wanted - set(park_ids)
    if unknown:
        raise UnknownIdError("park", sorted(unknown)[0])
    park_rows = np.array([i for i, pid in enumerate(park_ids) if pid in wanted], dtype=np.intp)
    n = len(ent_ids)
    p = np.repeat(park_rows, n)
    e = np.tile(np.arange(n, dtype=np.intp), len(park_rows))
    eligible = matcher.eligibility(p, e) if len(p) else np.zeros(0, dtype=bool)
    pos_p = pd.Index(park_ids).get_indexer(outcomes["park_id"].astype(str))
    pos_e = pd.Index(ent_ids).get_indexer(outcomes["enterprise_id"].astype(str))
    key = pd.Index(p.astype(np.int64) * n + e)
    at = key.get_indexer(pos_p.astype(np.int64) * n + pos_e)
    found = at >= 0
    where = at[found]

    def spread(column: str, fill: Any, dtype: Any) -> np.ndarray:
        values = np.full(len(p), fill, dtype=dtype)
        values[where] = outcomes[column].to_numpy(dtype=dtype, na_value=fill)[found]
        return values

    outcome = spread("outcome", None, object)
    gain = np.zeros(len(p), dtype=np.int64)
    gain[where] = ledger_gain(outcomes)[found]
    shown = np.full(len(p), np.nan)
    shown[where] = outcomes["shown_rank"].to_numpy(dtype=np.float64, na_value=np.nan)[found]
    frame = pd.DataFrame(
        {
            "park_id": park_ids[p],
            "enterprise_id": ent_ids[e],
            "outcome": outcome,
            "date": spread("date", np.datetime64("NaT"), "datetime64[ns]"),
            "first_contact": spread("first_contact", np.datetime64("NaT"), "datetime64[ns]"),
            "gain": gain,
            "label": (gain >= min_gain).astype(np.int64),
            "eligible": eligible,
            "source": spread("source", None, object),
            "shown_rank": pd.array(shown, dtype="Float64").astype("Int64"),
            "scorer": spread("scorer", None, object),
            "propensity": spread("propensity", np.nan, np.float64),
        }
    )
    if eligible_only:
        frame = frame[frame["eligible"]].reset_index(drop=True)
    return frame


def logged_ranks(matcher: Any, pairs: pd.DataFrame, X: Any = None) -> np.ndarray:
    """Each pair's rank within its park under the matcher's scorer (1 = first).

    This is the ranking that was shown (the *logging* ranking) when the matcher is the one that
    ranked the leads, e.g. ``Matcher()`` for a ledger produced from the default weights.
    Ranks count among the given pairs (usually a park's eligible candidates), ties in row order,
    as the Matcher breaks them.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher.
    pairs : DataFrame
        ``park_id`` and ``enterprise_id`` (e.g. :func:`labelled_pairs`).
    X : array-like, optional
        Their feature matrix when already computed (:func:`pair_features`).

    Returns
    -------
    ndarray of int
    """
    values = pair_features(matcher, pairs) if X is None else X
    score = np.asarray(matcher.scorer_.decision_function(np.asarray(values)), dtype=np.float64)
    codes, _ = pd.factorize(pairs["park_id"].astype(str).to_numpy())
    order = np.lexsort((np.arange(len(score)), -score, codes))
    ranks = np.empty(len(score), dtype=np.int64)
    start = np.searchsorted(codes[order], codes[order], side="left")
    ranks[order] = np.arange(len(score)) - start + 1
    return ranks
