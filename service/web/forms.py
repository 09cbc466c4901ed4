"""Form and query-string input of the pages, read leniently: a bad field becomes a message on
the page (and is ignored), never an error screen.

The leads view takes the same parameters as ``GET /parks/{park_id}/leads`` (repeated values or
values separated by commas or 、), plus the weight sliders (``w_<component>`` = 0–100) and the
page's sort; what comes out is the same :class:`service.ranking.LeadQuery` the JSON API builds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException
from starlette.datastructures import ImmutableMultiDict

from matcher import ConfigError
from matcher.scoring import parse_weights

from .. import ranking
from ..routes.leads import parse_statuses

__all__ = [
    "PAGE_SIZES",
    "SIZE_LABELS",
    "SORT_KEYS",
    "SRDI_LABELS",
    "LeadsForm",
    "parse_leads_form",
    "split_values",
]

SIZE_LABELS = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
SRDI_LABELS = {
    "none": "无",
    "innovative": "创新型中小企业",
    "provincial": "省级专精特新",
    "national": "国家级小巨人",
}
PAGE_SIZES = (20, 50, 100, 200)
#: Columns the leads table can be sorted by (within the page): key -> label.
SORT_KEYS = {
    "rank": "排名",
    "name": "企业",
    "score": "匹配分",
    "county": "区县",
    "industry_code": "行业",
    "size_class": "规模",
    "srdi_level": "专精特新",
    "status": "跟进状态",
}
_SPLIT = re.compile(r"[,，、;；\s]+")


def split_values(values: Sequence[str]) -> list[str]:
    """Values given repeatedly or separated by , ， 、 ; or spaces.

    >>> split_values(["巩义市、荥阳市", "新郑市"])
    ['巩义市', '荥阳市', '新郑市']
    """
    return [part for v in values for part in _SPLIT.split(v) if part]


@dataclass
class LeadsForm:
    """The leads view's input: the query for the library, what the form shows, what was wrong."""

    query: ranking.LeadQuery
    values: dict[str, Any]
    weights: dict[str, float] | None
    sort: str = "rank"
    descending: bool = False
    errors: list[str] = field(default_factory=list)

    def link(self, **changes: Any) -> str:
        """The query string of this view with ``changes`` (None removes a key)."""
        params: dict[str, Any] = {}
        v = {**self.values, **changes}
        for key in ("county", "industry", "min_score", "high_tech"):
            if v.get(key) not in (None, "", []):
                params[key] = v[key]
        for key in ("size_class", "srdi_level", "status"):
            if v.get(key):
                params[key] = list(v[key])
        if v.get("include_ineligible"):
            params["include_ineligible"] = "true"
        for name, value in (v.get("weights") or {}).items():
            params[f"w_{name}"] = value
        if v.get("limit") not in (None, 20):
            params["limit"] = v["limit"]
        if v.get("offset"):
            params["offset"] = v["offset"]
        if v.get("sort") not in (None, "rank"):
            params["sort"] = v["sort"]
        if v.get("order") == "desc":
            params["order"] = "desc"
        return urlencode(params, doseq=True)

    def api_params(self) -> str:
        """The same view as query parameters of the JSON API and the export."""
        q = self.query
        params: dict[str, Any] = {}
        f = q.filters
        if f.county:
            params["county"] = list(f.county)
        for key in ("srdi_level", "size_class"):
            if getattr(f, key):
                params[key] = list(getattr(f, key))
        if f.industry:
            params["industry"] = f.industry
        if f.high_tech is not None:
            params["high_tech"] = str(f.high_tech).lower()
        if q.status:
            params["status"] = list(q.status)
        if q.min_score is not None:
            params["min_score"] = q.min_score
        if q.include_ineligible:
            params["include_ineligible"] = "true"
        if q.weights:
            params["weights"] = ",".join(f"{k}={v:g}" for k, v in q.weights)
        params["limit"], params["offset"] = q.limit, q.offset
        return urlencode(params, doseq=True)


def _number(text: str | None, label: str, errors: list[str]) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text.strip())
    except ValueError:
        errors.append(f"{label}应为数字，得到「{text.strip()}」，已忽略")
        return None
    if not math.isfinite(value):
        errors.append(f"{label}应为有限的数字，已忽略")
        return None
    return value


def _int(text: str | None, label: str, default: int, lo: int, hi: int, errors: list[str]) -> int:
    value = _number(text, label, errors)
    if value is None:
        return default
    if not lo <= value <= hi or value != int(value):
        errors.append(f"{label}应为 {lo}–{hi} 的整数，得到「{text}」，已改用 {default}")
        return default
    return int(value)


def _choices(
    values: Sequence[str], allowed: Mapping[str, str], label: str, errors: list[str]
) -> list[str]:
    by_label = {v: k for k, v in allowed.items()}
    out = []
    for value in split_values(values):
        key = value if value in allowed else by_label.get(value)
        if key is None:
            errors.append(
                f"未知的{label}「{value}」，已忽略（可选：{'、'.join(allowed.values())}）"
            )
        elif key not in out:
            out.append(key)
    return out


def parse_leads_form(
    params: ImmutableMultiDict[str, str] | Mapping[str, Any],
    components: Sequence[str],
) -> LeadsForm:
    """Read the leads view's query string; bad values are reported and left out.

    Parameters
    ----------
    params : mapping
        The request's query parameters (a multi-dict: repeated keys are kept).
    components : sequence of str
        The score components of the serving index (names of the weight sliders).
    """
    multi = params if isinstance(params, ImmutableMultiDict) else ImmutableMultiDict(params)
    errors: list[str] = []
    county = split_values(multi.getlist("county"))
    size_class = _choices(multi.getlist("size_class"), SIZE_LABELS, "企业规模", errors)
    srdi_level = _choices(multi.getlist("srdi_level"), SRDI_LABELS, "专精特新等级", errors)
    industry = (multi.get("industry") or "").strip() or None
    code = ranking.industry_prefix(industry)
    if industry is not None and not re.fullmatch(r"[A-Z]|\d{1,6}", code or ""):
        errors.append(f"行业代码「{industry}」无效，已忽略")
        industry = None
    high_tech_text = (multi.get("high_tech") or "").strip().lower()
    high_tech = {"true": True, "是": True, "1": True, "false": False, "否": False, "0": False}.get(
        high_tech_text
    )
    if high_tech_text and high_tech is None:
        errors.append(f"高新技术企业应为 是/否，得到「{high_tech_text}」，已忽略")
    try:
        status = list(parse_statuses(split_values(multi.getlist("status"))))
    except HTTPException as exc:
        errors.append(f"{exc.detail}，已忽略")
        status = []
    min_score = _number(multi.get("min_score"), "最低分", errors)
    include_ineligible = (multi.get("include_ineligible") or "").lower() in ("true", "on", "1")
    limit = _int(multi.get("limit"), "每页条数", 20, 1, 200, errors)
    offset = _int(multi.get("offset"), "起始位置", 0, 0, 10_000_000, errors)
    weights: dict[str, float] | None = None
    raw_weights = {c: multi.get(f"w_{c}") for c in components if multi.get(f"w_{c}")}
    if raw_weights:
        weights = {}
        for name, text in raw_weights.items():
            value = _number(text, f"权重「{name}」", errors)
            if value is not None and value < 0:
                errors.append(f"权重「{name}」不能为负数，已忽略")
                value = None
            if value is not None:
                weights[name] = value
        if weights and sum(weights.values()) <= 0:
            errors.append("权重不能全为 0，已恢复默认权重")
            weights = {}
        weights = weights or None
    elif multi.get("weights"):  # the API's form: industry=0.5,text=0.3
        try:
            parsed = parse_weights(multi.get("weights"))
        except ConfigError as exc:
            errors.append(f"{exc}，已忽略")
            parsed = None
        weights = None if parsed is None else {k: v * 100 for k, v in parsed.items()}
    sort = multi.get("sort") or "rank"
    if sort not in SORT_KEYS:
        errors.append(f"未知的排序「{sort}」，已按排名排序")
        sort = "rank"
    descending = multi.get("order") == "desc"
    query = ranking.LeadQuery(
        limit=limit,
        offset=offset,
        min_score=min_score,
        include_ineligible=include_ineligible,
        weights=None
        if weights is None
        else tuple(sorted((k, v / 100) for k, v in weights.items())),
        filters=ranking.LeadFilters.of(
            county=county,
            srdi_level=srdi_level,
            size_class=size_class,
            industry=industry,
            high_tech=high_tech,
        ),
        status=tuple(status),
    )
    values = {
        "county": "、".join(county),
        "size_class": size_class,
        "srdi_level": srdi_level,
        "industry": industry or "",
        "high_tech": "" if high_tech is None else str(high_tech).lower(),
        "status": status,
        "min_score": "" if min_score is None else f"{min_score:g}",
        "include_ineligible": include_ineligible,
        "limit": limit,
        "offset": offset,
        "weights": None if weights is None else {k: f"{v:g}" for k, v in weights.items()},
        "sort": sort,
        "order": "desc" if descending else "asc",
    }
    return LeadsForm(
        query=query,
        values=values,
        weights=weights,
        sort=sort,
        descending=descending,
        errors=errors,
    )
