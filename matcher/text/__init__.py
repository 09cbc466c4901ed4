"""Text: normalisation, reading a 经营范围, vocabulary, and the TF-IDF vectoriser.

- :func:`normalize_text` — NFKC, 繁→简 (Taiwan wording too), collapsed whitespace.
- :func:`parse_scope` — a 经营范围 as weighted clauses with objects and activities.
- :class:`TextVectorizer` — TF-IDF over character 1- and 2-grams.
"""

from __future__ import annotations

from ._inference import ABSTAIN_BELOW, Evidence, Inference, infer_industry, route_code
from ._lexicon import Lexicon, TermHit, get_lexicon
from ._names import NameParts, parse_name
from ._normalize import is_missing, normalize_series, normalize_text, to_mainland
from ._scope import ACTIVITIES, ACTIVITY_LABELS, Clause, Scope, parse_scope, split_clauses
from ._vectorizer import TextVectorizer, _analyzer, strip_boilerplate, strip_boilerplate_many

__all__ = [
    "ABSTAIN_BELOW",
    "ACTIVITIES",
    "ACTIVITY_LABELS",
    "Clause",
    "Evidence",
    "Inference",
    "Lexicon",
    "NameParts",
    "Scope",
    "TermHit",
    "TextVectorizer",
    "get_lexicon",
    "infer_industry",
    "is_missing",
    "normalize_series",
    "normalize_text",
    "parse_name",
    "parse_scope",
    "route_code",
    "split_clauses",
    "strip_boilerplate",
    "strip_boilerplate_many",
    "to_mainland",
]
_ = _analyzer  # re-exported for the tests that compare the vectoriser with its reference
