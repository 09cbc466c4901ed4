"""A page of ``GET /parks/{park_id}/leads`` as JSON bytes, from parts encoded once.

FastAPI renders a route's ``response_model`` by validating the returned dict and dumping it with
pydantic (``TypeAdapter(LeadsPublic).dump_json``). A cached page's rows do not change while its
index serves, so each row's JSON is encoded once, by the same pydantic serializer, and kept with
the page (:attr:`service.ranking.LeadPage.parts`): everything up to the row's ``tracking`` value.
A request then encodes only what is its own — the park, the lead statuses recorded for the
page's rows, ``count``/``limit``/``offset`` — and joins the bytes. The result is byte for byte
what the ``response_model`` path renders (``tests/service/test_leads_json.py`` compares them);
pages whose rows an exploration draw reordered take that path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import TypeAdapter

from .schemas import LeadPublic, LeadsPublic, LeadTrackingPublic

__all__ = ["page_json", "row_part", "row_parts", "tracking_json"]

_ROW = TypeAdapter(LeadPublic)
_ROWS = TypeAdapter(list[LeadPublic])
_PAGE = TypeAdapter(LeadsPublic)
_TRACKING = TypeAdapter(LeadTrackingPublic)

#: How a row shown in the model's order ends once its tracking value is written.
_ROW_END = b',"source":"ranking","propensity":null}'
_UNTRACKED_END = b"null" + _ROW_END
_DATA = b'"data":[]'


def row_part(row: Mapping[str, Any]) -> bytes:
    """The JSON of a cached row (no ``tracking`` key) up to its ``tracking`` value.

    Raises
    ------
    ValueError
        When the encoded row does not end as a row in the model's order does (a schema change
        this module has not followed).
    """
    encoded = _ROW.dump_json(
        _ROW.validate_python({**row, "tracking": None, "source": "ranking", "propensity": None}),
        by_alias=True,
    )
    if not encoded.endswith(_UNTRACKED_END):
        raise ValueError("LeadPublic 的 JSON 结尾与预期不符：请同步更新 service/leadjson.py")
    return encoded[: -len(_UNTRACKED_END)]


def row_parts(rows: Sequence[Mapping[str, Any]]) -> list[bytes]:
    """:func:`row_part` of every row of a page, the same bytes, from one validation and one
    encoding of the list (pydantic's per-call cost, paid for each of 20 rows, was most of it).

    The list's JSON is cut after each row's ``"tracking":null,"source":"ranking",
    "propensity":null}``: that text holds unescaped quotes, so it can occur in no JSON string
    and only ends a row. When the cuts do not give one piece a row (a schema change), the rows
    are encoded one by one, and :func:`row_part` says what is wrong.
    """
    if not rows:
        return []
    encoded = _ROWS.dump_json(
        _ROWS.validate_python(
            [{**row, "tracking": None, "source": "ranking", "propensity": None} for row in rows]
        ),
        by_alias=True,
    )
    pieces = encoded[1:].split(_UNTRACKED_END)  # [row, ",row", …, ",row", "]"]
    if (
        len(pieces) == len(rows) + 1
        and pieces[-1] == b"]"
        and all(p.startswith(b",{") for p in pieces[1:-1])
    ):
        return [pieces[0], *(p[1:] for p in pieces[1:-1])]
    return [row_part(row) for row in rows]


def tracking_json(tracking: LeadTrackingPublic) -> bytes:
    """A recorded lead status as the JSON of a lead's ``tracking`` value."""
    return _TRACKING.dump_json(tracking, by_alias=True)


def page_json(
    head: Mapping[str, Any],
    parts: Sequence[bytes],
    trackings: Sequence[bytes | None],
) -> bytes | None:
    """The page's JSON: ``head`` (every field of :class:`LeadsPublic` but ``data``) with the rows
    ``parts[i] + (trackings[i] or null)`` in order; None when ``head`` does not encode to a page
    with one empty ``data`` list to fill (then the caller renders the page the ordinary way)."""
    shell = _PAGE.dump_json(_PAGE.validate_python({**head, "data": []}), by_alias=True)
    if shell.count(_DATA) != 1:
        return None
    before, _, after = shell.partition(_DATA)
    rows = b",".join(
        part + (_UNTRACKED_END if tracked is None else tracked + _ROW_END)
        for part, tracked in zip(parts, trackings, strict=True)
    )
    return b"".join((before, b'"data":[', rows, b"]", after))
