"""parkmatch: explained fit scores between industrial parks and enterprises.

The public API; everything else in ``matcher`` is private and may change.

>>> from matcher import Matcher, load_sample
>>> parks, enterprises = load_sample()
>>> leads = Matcher().fit(parks, enterprises).rank_enterprises("GY-LZ-AL", k=5)
>>> len(leads)
5
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .allocation import Allocation, allocate
from .chains import ChainReport, ChainSet, chain_report, load_chains, load_sample_tenants
from .datasets import load_sample, make_enterprises, make_events
from .evaluation import evaluate
from .exceptions import (
    ConfigError,
    MatcherError,
    ModelError,
    NotFittedError,
    Problem,
    SchemaError,
    UnknownIdError,
)
from .features import FeatureFamily, FitContext
from .features.chain import ChainFeature
from .features.preference import PreferenceFeature
from .features.signal import SignalFeature, timing_leads
from .io import ReadLimits, read_table, safe_cell, safe_frame, write_excel, write_table
from .learning import (
    GBScorer,
    LinearScorer,
    fit_weights,
    labelled_pairs,
    pair_features,
    train_ips,
)
from .model import Explanation, Matcher
from .outcomes import (
    OUTCOME_COLUMNS,
    load_outcomes,
    load_sample_outcomes,
    make_outcomes,
    validate_outcomes,
)
from .persistence import load_model, read_manifest, save_model
from .policies import (
    load_policies,
    match_policies,
    policies_from_json,
    rank_with_policies,
    validate_policies,
)
from .reciprocal import ReciprocalScorer, TwoSidedExplanation, explain_two_sided
from .report import AssessmentReport, FontNotFoundError, assessment_report
from .schema import (
    ENTERPRISE_COLUMNS,
    PARK_COLUMNS,
    load_enterprises,
    load_parks,
    load_tenants,
    validate_enterprises,
    validate_parks,
    validate_tenants,
)
from .scoring import DEFAULT_WEIGHTS, WeightedScorer
from .signals import (
    EVENT_COLUMNS,
    EVENT_KINDS,
    load_events,
    load_sample_events,
    parse_event_kind,
    validate_events,
)
from .text import normalize_text
from .vetting import VettingResult, load_standards, rate_tenants, validate_standards, vet_project

try:
    __version__ = version("parkmatch")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = [
    "DEFAULT_WEIGHTS",
    "ENTERPRISE_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "OUTCOME_COLUMNS",
    "PARK_COLUMNS",
    "Allocation",
    "AssessmentReport",
    "ChainFeature",
    "ChainReport",
    "ChainSet",
    "ConfigError",
    "Explanation",
    "FeatureFamily",
    "FitContext",
    "FontNotFoundError",
    "GBScorer",
    "LinearScorer",
    "Matcher",
    "MatcherError",
    "ModelError",
    "NotFittedError",
    "PreferenceFeature",
    "Problem",
    "ReadLimits",
    "ReciprocalScorer",
    "SchemaError",
    "SignalFeature",
    "TwoSidedExplanation",
    "UnknownIdError",
    "VettingResult",
    "WeightedScorer",
    "__version__",
    "allocate",
    "assessment_report",
    "chain_report",
    "evaluate",
    "explain_two_sided",
    "fit_weights",
    "labelled_pairs",
    "load_chains",
    "load_enterprises",
    "load_events",
    "load_model",
    "load_outcomes",
    "load_parks",
    "load_policies",
    "load_sample",
    "load_sample_events",
    "load_sample_outcomes",
    "load_sample_tenants",
    "load_standards",
    "load_tenants",
    "make_enterprises",
    "make_events",
    "make_outcomes",
    "match_policies",
    "normalize_text",
    "pair_features",
    "parse_event_kind",
    "policies_from_json",
    "rank_with_policies",
    "rate_tenants",
    "read_manifest",
    "read_table",
    "safe_cell",
    "safe_frame",
    "save_model",
    "timing_leads",
    "train_ips",
    "validate_enterprises",
    "validate_events",
    "validate_outcomes",
    "validate_parks",
    "validate_policies",
    "validate_standards",
    "validate_tenants",
    "vet_project",
    "write_excel",
    "write_table",
]
