"""Jinja2 templates of the workbench, their filters, and the one way pages are rendered."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from ..schemas import STATUS_LABELS
from .auth import WebContext, set_session_cookie
from .charts import CHAIN_COLORS, STATUS_COLORS
from .forms import SIZE_LABELS, SRDI_LABELS

__all__ = ["BEIJING", "NAV", "STATIC_DIR", "TEMPLATES", "render"]

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
BEIJING = timezone(timedelta(hours=8), "北京时间")

#: The navigation: (key, label, path).
NAV = (
    ("overview", "园区总览", "/app/"),
    ("leads", "园区线索", "/app/leads"),
    ("board", "跟进看板", "/app/board"),
    ("enterprises", "企业", "/app/enterprises"),
    ("match", "找园区", "/app/match"),
    ("chain", "产业链", "/app/chain"),
    ("allocation", "全市分配", "/app/allocation"),
    ("imports", "导入", "/app/imports"),
    ("models", "模型", "/app/models"),
)

TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))


def _num(value: Any, digits: int = 1) -> str:
    """A number for people: thousands separators, ``—`` when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,.{digits}f}"


def _area(value: Any) -> str:
    """Square metres as 平方米 / 万平方米."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "未知"
    number = float(value)
    if number >= 10_000:
        return f"{number / 10_000:,.1f} 万平方米"
    return f"{number:,.0f} 平方米"


def _when(value: datetime | None) -> str:
    """A time in Beijing time."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _tojson(value: Any) -> Markup:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


env = TEMPLATES.env
env.filters["num"] = _num
env.filters["area"] = _area
env.filters["when"] = _when
env.filters["json_script"] = _tojson
env.globals.update(
    NAV=NAV,
    STATUS_LABELS=STATUS_LABELS,
    STATUS_COLORS=STATUS_COLORS,
    CHAIN_COLORS=CHAIN_COLORS,
    SIZE_LABELS=SIZE_LABELS,
    SRDI_LABELS=SRDI_LABELS,
)


def render(
    ctx: WebContext,
    template: str,
    values: dict[str, Any],
    *,
    status_code: int = 200,
    nav: str | None = None,
    title: str | None = None,
) -> HTMLResponse:
    """Render a page for this request; a browser without a session gets its cookie."""
    response = TEMPLATES.TemplateResponse(
        ctx.request,
        template,
        {"ctx": ctx, "nav": nav, "title": title, **values},
        status_code=status_code,
    )
    if ctx.fresh:
        set_session_cookie(response, ctx)
    response.headers["Cache-Control"] = "no-store"
    return response
