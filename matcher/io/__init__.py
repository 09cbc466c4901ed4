"""Reading and writing tables: files, schema, validation, normalisation, safe exports.

* :func:`read_table` (CSV/XLSX/Parquet, UTF-8 or GB18030, within :class:`ReadLimits`) and the
  writers :func:`write_table` / :func:`write_excel` (cells sanitised by :func:`safe_cell`);
* the schemas of the input tables — parks, enterprises, tenants (:func:`validate_parks`,
  :func:`load_parks`, … with Chinese or English headers) and events (:func:`validate_events`,
  :data:`EVENT_KINDS`); every problem is reported with file, row and column;
* partial loads on purpose: the loaders' ``errors="skip"``, :func:`read_rows` and
  :func:`keep_valid` return a :class:`LoadResult` (the valid rows, and every rejected row with
  its problems, :data:`REJECTED_COLUMNS`); all-or-nothing stays the default;
* the signing of saved files (:func:`sign`, :func:`verify`) and the versions they record.

Reference facts (GB/T 4754, size thresholds, gazetteer) live in :mod:`matcher.reference`.
"""

from __future__ import annotations

from ._events import (
    COST_PRESSURE,
    EAST_PROVINCES,
    EVENT_COLUMNS,
    EVENT_KINDS,
    INLAND_PROVINCES,
    EventKind,
    age_phrase,
    as_date,
    describe_event,
    event_weights,
    load_events,
    parse_event_kind,
    validate_events,
)
from ._partial import REJECTED_COLUMNS, Errors, LoadResult, keep_valid, read_rows
from ._schema import (
    ENTERPRISE_COLUMNS,
    LOCATION_PREFERENCE_LABELS,
    LOCATION_PREFERENCES,
    PARK_COLUMNS,
    PARK_TYPE_LABELS,
    PARK_TYPES,
    SRDI_LABELS,
    SRDI_LEVELS,
    TENANT_COLUMNS,
    Column,
    check_known_ids,
    display_text,
    load_enterprises,
    load_parks,
    load_tenants,
    park_type_from_name,
    parse_bool,
    parse_cells,
    parse_date,
    parse_location_preference,
    parse_park_type,
    parse_srdi_level,
    validate_enterprises,
    validate_frame,
    validate_parks,
    validate_tenants,
)
from ._signing import SIGNATURE_FIELD, file_sha256, sign, verify
from ._tables import (
    SUPPORTED_SUFFIXES,
    ReadLimits,
    detect_encoding,
    read_table,
    safe_cell,
    safe_frame,
    write_excel,
    write_table,
)
from ._versions import package_version

__all__ = [
    "COST_PRESSURE",
    "EAST_PROVINCES",
    "ENTERPRISE_COLUMNS",
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "INLAND_PROVINCES",
    "LOCATION_PREFERENCES",
    "LOCATION_PREFERENCE_LABELS",
    "PARK_COLUMNS",
    "PARK_TYPES",
    "PARK_TYPE_LABELS",
    "REJECTED_COLUMNS",
    "SIGNATURE_FIELD",
    "SRDI_LABELS",
    "SRDI_LEVELS",
    "SUPPORTED_SUFFIXES",
    "TENANT_COLUMNS",
    "Column",
    "Errors",
    "EventKind",
    "LoadResult",
    "ReadLimits",
    "age_phrase",
    "as_date",
    "check_known_ids",
    "describe_event",
    "detect_encoding",
    "display_text",
    "event_weights",
    "file_sha256",
    "keep_valid",
    "load_enterprises",
    "load_events",
    "load_parks",
    "load_tenants",
    "package_version",
    "park_type_from_name",
    "parse_bool",
    "parse_cells",
    "parse_date",
    "parse_event_kind",
    "parse_location_preference",
    "parse_park_type",
    "parse_srdi_level",
    "read_rows",
    "read_table",
    "safe_cell",
    "safe_frame",
    "sign",
    "validate_enterprises",
    "validate_events",
    "validate_frame",
    "validate_parks",
    "validate_tenants",
    "verify",
    "write_excel",
    "write_table",
]
