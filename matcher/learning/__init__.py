"""Learning from outcomes: the ledger, pair features, training and honest evaluation.

* the follow-up ledger (:func:`validate_outcomes`, :func:`load_outcomes`, :func:`ledger_gain`);
* :func:`pair_features` / :func:`labelled_pairs` — the same component values the default
  scorer uses, for every candidate pair of a ledger's parks;
* training: :func:`train_scorer` (one call per kind, as the CLI and the service train),
  :func:`fit_weights`, :func:`fit_ips` / :func:`train_ips` (corrected for position bias); the
  learned scorers themselves live in :mod:`matcher.scoring`;
* evaluation: :func:`evaluate` (logged and counterfactual figures on park folds and a time
  split), :func:`summarize`, the ranking metrics and the counterfactual estimators.

>>> import numpy as np
>>> from matcher import Matcher, load_sample
>>> from matcher.datasets import load_sample_outcomes
>>> from matcher.scoring import LinearScorer
>>> parks, enterprises = load_sample()
>>> m = Matcher().fit(parks, enterprises)
>>> pairs = labelled_pairs(m, load_sample_outcomes())
>>> X = pair_features(m, pairs)
>>> list(X.columns)
['industry', 'text', 'capacity', 'quality', 'location']
>>> scorer = LinearScorer().fit(X, pairs["label"])
>>> leads = Matcher(scorer=scorer).fit(parks, enterprises).rank_enterprises("GY-LZ-AL", k=3)
>>> shown = pair_features(m, leads.assign(park_id="GY-LZ-AL"))  # the same pairs' values
>>> bool(np.allclose(leads["score"], scorer.decision_function(shown)))
True
"""

from __future__ import annotations

from typing import Any

from .._compat import moved_class
from ._counterfactual import (
    MIN_CLICKS,
    PRIOR_EXPONENT,
    Examination,
    Ranked,
    contact_propensity,
    dr_dcg,
    dr_values,
    estimate_examination,
    ideal_dcg,
    ips_dcg,
    population_ideal,
    snips_dcg,
    snips_from,
    stage_ideal,
    tie_average_precision,
    tie_discounts,
    tie_top_share,
)
from ._evaluation import (
    CI_PREFIXES,
    DEFAULT_MODELS,
    MATURE_DAYS,
    MODELS,
    auc,
    average_precision,
    dcg_at_k,
    evaluate,
    grouped_splits,
    ndcg_at_k,
    ranking_metrics,
    recall_at_k,
    summarize,
    time_cutoff,
    uncensored_gain,
)
from ._outcomes import (
    OUTCOME_COLUMNS,
    OUTCOME_GAIN,
    OUTCOME_LABELS,
    OUTCOMES,
    SOURCE_LABELS,
    SOURCES,
    STAGES,
    ledger_gain,
    load_outcomes,
    outcome_gain,
    parse_outcome,
    parse_source,
    parse_stage,
    validate_outcomes,
)
from ._pairs import labelled_pairs, logged_ranks, pair_features
from ._training import (
    MIN_TRAINING_PROPENSITY,
    PROPENSITY_POWER,
    SCORER_KINDS,
    examination_of,
    fit_ips,
    fit_scorer,
    fit_weights,
    ranking_contacts,
    train_ips,
    train_scorer,
    weights_frame,
)

__all__ = [
    "CI_PREFIXES",
    "DEFAULT_MODELS",
    "MATURE_DAYS",
    "MIN_CLICKS",
    "MIN_TRAINING_PROPENSITY",
    "MODELS",
    "OUTCOMES",
    "OUTCOME_COLUMNS",
    "OUTCOME_GAIN",
    "OUTCOME_LABELS",
    "PRIOR_EXPONENT",
    "PROPENSITY_POWER",
    "SCORER_KINDS",
    "SOURCES",
    "SOURCE_LABELS",
    "STAGES",
    "Examination",
    "Ranked",
    "auc",
    "average_precision",
    "contact_propensity",
    "dcg_at_k",
    "dr_dcg",
    "dr_values",
    "estimate_examination",
    "evaluate",
    "examination_of",
    "fit_ips",
    "fit_scorer",
    "fit_weights",
    "grouped_splits",
    "ideal_dcg",
    "ips_dcg",
    "labelled_pairs",
    "ledger_gain",
    "load_outcomes",
    "logged_ranks",
    "ndcg_at_k",
    "outcome_gain",
    "pair_features",
    "parse_outcome",
    "parse_source",
    "parse_stage",
    "population_ideal",
    "ranking_contacts",
    "ranking_metrics",
    "recall_at_k",
    "snips_dcg",
    "snips_from",
    "stage_ideal",
    "summarize",
    "tie_average_precision",
    "tie_discounts",
    "tie_top_share",
    "time_cutoff",
    "train_ips",
    "train_scorer",
    "uncensored_gain",
    "validate_outcomes",
    "weights_frame",
]


def __getattr__(name: str) -> Any:
    # LinearScorer and GBScorer lived here in 0.1; pickles written then name this module
    return moved_class(__name__, name)
