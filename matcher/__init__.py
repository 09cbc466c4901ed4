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
from .datasets import load_sample, make_enterprises
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
from .io import read_table, write_table
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
from .reciprocal import ReciprocalScorer, TwoSidedExplanation, explain_two_sided
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
from .text import normalize_text

try:
    __version__ = version("parkmatch")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = [
    "DEFAULT_WEIGHTS",
    "ENTERPRISE_COLUMNS",
    "OUTCOME_COLUMNS",
    "PARK_COLUMNS",
    "Allocation",
    "ChainFeature",
    "ChainReport",
    "ChainSet",
    "ConfigError",
    "Explanation",
    "FeatureFamily",
    "FitContext",
    "GBScorer",
    "LinearScorer",
    "Matcher",
    "MatcherError",
    "ModelError",
    "NotFittedError",
    "PreferenceFeature",
    "Problem",
    "ReciprocalScorer",
    "SchemaError",
    "TwoSidedExplanation",
    "UnknownIdError",
    "WeightedScorer",
    "__version__",
    "allocate",
    "chain_report",
    "evaluate",
    "explain_two_sided",
    "fit_weights",
    "labelled_pairs",
    "load_chains",
    "load_enterprises",
    "load_model",
    "load_outcomes",
    "load_parks",
    "load_sample",
    "load_sample_outcomes",
    "load_sample_tenants",
    "load_tenants",
    "make_enterprises",
    "make_outcomes",
    "normalize_text",
    "pair_features",
    "read_manifest",
    "read_table",
    "save_model",
    "train_ips",
    "validate_enterprises",
    "validate_outcomes",
    "validate_parks",
    "validate_tenants",
    "write_table",
]
