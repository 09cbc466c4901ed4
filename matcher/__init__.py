"""parkmatch: explained fit scores between industrial parks and enterprises.

The names a user needs first: :class:`Matcher` (fit, rank both ways, explain, save), the
loaders of the input tables, the bundled sample and the errors. Everything else lives in the
subpackage that owns it — :mod:`matcher.io` (tables, schema, reference data),
:mod:`matcher.features`, :mod:`matcher.scoring`, :mod:`matcher.ranking`,
:mod:`matcher.learning`, :mod:`matcher.chains`, :mod:`matcher.allocation`,
:mod:`matcher.batch`, :mod:`matcher.datasets`, … (see ``ARCHITECTURE.md``).

>>> from matcher import Matcher, load_sample
>>> parks, enterprises = load_sample()
>>> leads = Matcher().fit(parks, enterprises).rank_enterprises("GY-LZ-AL", k=5)
>>> len(leads)
5
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from . import _compat
from .datasets import load_sample
from .exceptions import (
    ConfigError,
    MatcherError,
    ModelError,
    NotFittedError,
    SchemaError,
    UnknownIdError,
    WorkerError,
)
from .io import load_enterprises, load_events, load_parks, load_tenants, package_version
from .learning import load_outcomes
from .matching import Matcher
from .ranking import Explanation

_compat.install()  # old module paths that pickles written by 0.1 name

__version__ = package_version("parkmatch")

__all__ = [
    "ConfigError",
    "Explanation",
    "Matcher",
    "MatcherError",
    "ModelError",
    "NotFittedError",
    "SchemaError",
    "UnknownIdError",
    "WorkerError",
    "__version__",
    "load_enterprises",
    "load_events",
    "load_outcomes",
    "load_parks",
    "load_sample",
    "load_tenants",
]

#: Names this module exported in 0.1, now in their subpackage: old name → (module, name).
#: They still resolve, with a DeprecationWarning, for one release.
MOVED: dict[str, tuple[str, str]] = {
    "allocate": ("matcher.allocation", "allocate"),
    "Allocation": ("matcher.allocation", "Allocation"),
    "assessment_report": ("matcher.report", "assessment_report"),
    "AssessmentReport": ("matcher.report", "AssessmentReport"),
    "chain_report": ("matcher.chains", "chain_report"),
    "ChainFeature": ("matcher.features", "ChainFeature"),
    "ChainReport": ("matcher.chains", "ChainReport"),
    "ChainSet": ("matcher.chains", "ChainSet"),
    "DEFAULT_WEIGHTS": ("matcher.scoring", "DEFAULT_WEIGHTS"),
    "ENTERPRISE_COLUMNS": ("matcher.io", "ENTERPRISE_COLUMNS"),
    "evaluate": ("matcher.learning", "evaluate"),
    "EVENT_COLUMNS": ("matcher.io", "EVENT_COLUMNS"),
    "EVENT_KINDS": ("matcher.io", "EVENT_KINDS"),
    "explain_two_sided": ("matcher.ranking", "explain_two_sided"),
    "FeatureFamily": ("matcher.features", "FeatureFamily"),
    "fit_weights": ("matcher.learning", "fit_weights"),
    "FitContext": ("matcher.features", "FitContext"),
    "FontNotFoundError": ("matcher.report", "FontNotFoundError"),
    "GBScorer": ("matcher.scoring", "GBScorer"),
    "labelled_pairs": ("matcher.learning", "labelled_pairs"),
    "LinearScorer": ("matcher.scoring", "LinearScorer"),
    "load_chains": ("matcher.chains", "load_chains"),
    "load_model": ("matcher.scoring", "load_scorer"),
    "load_policies": ("matcher.policies", "load_policies"),
    "load_sample_events": ("matcher.datasets", "load_sample_events"),
    "load_sample_outcomes": ("matcher.datasets", "load_sample_outcomes"),
    "load_sample_tenants": ("matcher.datasets", "load_sample_tenants"),
    "load_standards": ("matcher.vetting", "load_standards"),
    "make_enterprises": ("matcher.datasets", "make_enterprises"),
    "make_events": ("matcher.datasets", "make_events"),
    "make_outcomes": ("matcher.datasets", "make_outcomes"),
    "match_policies": ("matcher.policies", "match_policies"),
    "normalize_text": ("matcher.text", "normalize_text"),
    "OUTCOME_COLUMNS": ("matcher.learning", "OUTCOME_COLUMNS"),
    "pair_features": ("matcher.learning", "pair_features"),
    "PARK_COLUMNS": ("matcher.io", "PARK_COLUMNS"),
    "parse_event_kind": ("matcher.io", "parse_event_kind"),
    "policies_from_json": ("matcher.policies", "policies_from_json"),
    "PreferenceFeature": ("matcher.features", "PreferenceFeature"),
    "Problem": ("matcher.exceptions", "Problem"),
    "rank_with_policies": ("matcher.policies", "rank_with_policies"),
    "rate_tenants": ("matcher.vetting", "rate_tenants"),
    "read_manifest": ("matcher.scoring", "read_scorer_manifest"),
    "read_table": ("matcher.io", "read_table"),
    "ReadLimits": ("matcher.io", "ReadLimits"),
    "ReciprocalScorer": ("matcher.scoring", "ReciprocalScorer"),
    "safe_cell": ("matcher.io", "safe_cell"),
    "safe_frame": ("matcher.io", "safe_frame"),
    "save_model": ("matcher.scoring", "save_scorer"),
    "SignalFeature": ("matcher.features", "SignalFeature"),
    "timing_leads": ("matcher.signals", "timing_leads"),
    "train_ips": ("matcher.learning", "train_ips"),
    "TwoSidedExplanation": ("matcher.ranking", "TwoSidedExplanation"),
    "validate_enterprises": ("matcher.io", "validate_enterprises"),
    "validate_events": ("matcher.io", "validate_events"),
    "validate_outcomes": ("matcher.learning", "validate_outcomes"),
    "validate_parks": ("matcher.io", "validate_parks"),
    "validate_policies": ("matcher.policies", "validate_policies"),
    "validate_standards": ("matcher.vetting", "validate_standards"),
    "validate_tenants": ("matcher.io", "validate_tenants"),
    "vet_project": ("matcher.vetting", "vet_project"),
    "VettingResult": ("matcher.vetting", "VettingResult"),
    "WeightedScorer": ("matcher.scoring", "WeightedScorer"),
    "write_excel": ("matcher.io", "write_excel"),
    "write_table": ("matcher.io", "write_table"),
}


def __getattr__(name: str) -> Any:
    if name in MOVED:
        module, new = MOVED[name]
        warnings.warn(
            f"matcher.{name} 已移至 {module}.{new}（0.2 起顶层只保留常用名称），请改为从那里导入",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(module), new)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
