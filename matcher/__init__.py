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

from .datasets import load_sample, make_enterprises
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
from .io import read_table, write_table
from .model import Explanation, Matcher
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
    "PARK_COLUMNS",
    "ConfigError",
    "Explanation",
    "FeatureFamily",
    "FitContext",
    "Matcher",
    "MatcherError",
    "ModelError",
    "NotFittedError",
    "Problem",
    "SchemaError",
    "UnknownIdError",
    "WeightedScorer",
    "__version__",
    "load_enterprises",
    "load_parks",
    "load_sample",
    "load_tenants",
    "make_enterprises",
    "normalize_text",
    "read_table",
    "validate_enterprises",
    "validate_parks",
    "validate_tenants",
    "write_table",
]
