"""Small helpers shared by the routers: paging parameters, LIKE patterns, value lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Query

from matcher.text import normalize_text

__all__ = ["Limit", "Offset", "like_escape", "like_pattern", "norm_values"]

Limit = Annotated[int, Query(ge=1, le=500, description="每页条数（1–500）")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="跳过的条数（分页）")]


def like_escape(text: str) -> str:
    """Escape ``%``, ``_`` and the escape character for a LIKE pattern (escape ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """``%text%`` with the text escaped."""
    return f"%{like_escape(text)}%"


def norm_values(values: Sequence[str] | None) -> list[str]:
    """Query values normalised as the library normalises text (NFKC, 繁→简, trimmed)."""
    return sorted({t for v in values or () if (t := normalize_text(v))})
