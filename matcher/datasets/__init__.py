"""Sample data: the bundled Zhengzhou sample and reproducible generators of realistic tables.

:func:`load_sample` (and the sample tenants, events and ledger) read the files in ``datasets/``;
:func:`make_enterprises` draws raw enterprise sheets from industry templates kept as data
(``matcher/datasets/templates/``), :func:`make_events` events tables, and
:func:`make_outcomes` follow-up ledgers from a simulator with known hidden preferences.
"""

from __future__ import annotations

from ._enterprises import (
    ENTERPRISE_FIELDS,
    ENTERPRISE_HEADERS_ZH,
    PARK_FIELDS,
    PARK_HEADERS_ZH,
    make_enterprises,
    sample_industries,
)
from ._events import SAMPLE_EVENTS_AS_OF, make_events
from ._outcomes import expected_gain, make_outcomes
from ._sample import (
    load_sample,
    load_sample_events,
    load_sample_frames,
    load_sample_outcomes,
    load_sample_tenants,
    sample_dir,
    write_sample,
)

__all__ = [
    "ENTERPRISE_FIELDS",
    "ENTERPRISE_HEADERS_ZH",
    "PARK_FIELDS",
    "PARK_HEADERS_ZH",
    "SAMPLE_EVENTS_AS_OF",
    "expected_gain",
    "load_sample",
    "load_sample_events",
    "load_sample_frames",
    "load_sample_outcomes",
    "load_sample_tenants",
    "make_enterprises",
    "make_events",
    "make_outcomes",
    "sample_dir",
    "sample_industries",
    "write_sample",
]
