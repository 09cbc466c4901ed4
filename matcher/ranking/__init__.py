"""Ranking: plain functions over a fitted index, its feature families and a scorer.

The steps every ranking takes, in order — :func:`component_values` of each family,
:func:`eligibility` (hard constraints), :func:`score_pairs`, :func:`select_page` (eligible
first, score descending, ties in row order; :func:`top_k` by ``argpartition``), a
:func:`ranking_page` with each family's contribution, and an :class:`Explanation` (the scorer's
own arithmetic, with reasons in Chinese). :class:`~matcher.Matcher` is a thin façade over them;
the batch jobs call them on chunks.
"""

from __future__ import annotations

from ._explain import (
    PAUSE_GC_ROWS,
    Explanation,
    TwoSidedExplanation,
    eligibility_reasons,
    explain_pair,
    explain_two_sided,
    page_eligibility_reasons,
    page_reasons,
    pair_reasons,
)
from ._page import RankedPage, page_rows, ranking_page
from ._score import (
    PARALLEL_MIN_ROWS,
    TRADER_MAKE_SHARE,
    component_values,
    eligibility,
    park_eligibility,
    score_pairs,
    score_park,
    traders,
)
from ._select import INELIGIBLE, candidate_mask, select_page, sort_key, top_k, top_k_rows

__all__ = [
    "INELIGIBLE",
    "PARALLEL_MIN_ROWS",
    "PAUSE_GC_ROWS",
    "TRADER_MAKE_SHARE",
    "Explanation",
    "RankedPage",
    "TwoSidedExplanation",
    "candidate_mask",
    "component_values",
    "eligibility",
    "eligibility_reasons",
    "explain_pair",
    "explain_two_sided",
    "page_eligibility_reasons",
    "page_reasons",
    "page_rows",
    "pair_reasons",
    "park_eligibility",
    "ranking_page",
    "score_pairs",
    "score_park",
    "select_page",
    "sort_key",
    "top_k",
    "top_k_rows",
    "traders",
]
