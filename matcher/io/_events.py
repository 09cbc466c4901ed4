"""Opportunity signals (招商时机): dated events that say an enterprise is about to choose a location.

An events table has one row per event: ``enterprise_id, kind, date, source, detail, confidence``
(企业编号, 事件类型, 日期, 来源, 事件详情, 置信度). Kinds, with their default half-life (how fast
the evidence fades) and strength (how strongly a fresh, certain event says "choosing a location
now"):

=================  ============================  ==========  ========  ===========================
kind               中文                          half-life   strength  note
=================  ============================  ==========  ========  ===========================
financing          融资                          180 days    0.60      new money is spent on sites
branch             新设分支/子公司               180 days    0.55      expanding to new places
land               购地/招拍挂                   365 days    0.40      site search under way
expansion          扩产/新项目公告               270 days    0.70      a project needs space
hiring             招聘扩张                      90 days     0.35      growth, weak on its own
certification      专精特新/高新认定             365 days    0.30      growth, eligible for support
relocation         搬迁公告/外迁                 180 days    0.85      must choose a new site
lease_expiry       合同(租约)临期                90 days     0.60      dated by the expiry: full
                                                                       weight in the year before
bid_win            中标                          120 days    0.30      orders that may need capacity
=================  ============================  ==========  ========  ===========================

An event's weight on a date is ``confidence × strength × 0.5 ** (age / half_life)``; a lease
expiry weighs fully from a year before its date and fades after it. Events dated after the
assessment date (other than a lease expiry) are not counted. :class:`matcher.features.SignalFeature`
combines the weights of an enterprise's events (see there); an enterprise with no events is
*unknown*, never zero.

Relocation propensity: enterprises in the high-cost eastern regions that are losing
manufacturing to the interior (the direction of 《国务院关于中西部地区承接产业转移的指导意见》,
国发〔2010〕28号) carry a *push* (:data:`COST_PRESSURE`, parkmatch's own default judgement,
configurable); a relocation notice adds to it. The push counts for parks in the central and
western provinces (:data:`INLAND_PROVINCES`).

>>> raw = pd.DataFrame({"企业编号": ["E1"], "事件类型": ["融资"], "日期": ["2026/9/15"],
...                     "事件详情": ["完成 B 轮融资 2 亿元"]})
>>> events = validate_events(raw)
>>> events.loc[0, "enterprise_id"], events.loc[0, "kind"], float(events.loc[0, "confidence"])
('E1', 'financing', 1.0)
>>> describe_event(events.iloc[0], as_of="2026-12-01")
'2026-09 完成 B 轮融资 2 亿元，近 3 个月'
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from ..exceptions import ConfigError, Problem, SchemaError
from ..text import normalize_text
from ._partial import Errors, LoadResult
from ._schema import (
    Column,
    check_known_ids,
    display_text,
    load_partial,
    parse_cells,
    parse_date,
    validate_frame,
)

__all__ = [
    "COST_PRESSURE",
    "EAST_PROVINCES",
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "INLAND_PROVINCES",
    "EventKind",
    "age_phrase",
    "as_date",
    "describe_event",
    "event_weights",
    "load_events",
    "parse_event_kind",
    "validate_events",
]


@dataclass(frozen=True)
class EventKind:
    """One kind of event: label, aliases, how fast it fades and how much it says.

    ``forward`` kinds (a lease expiry) are dated by when something *will* happen: they weigh
    fully during ``lead_days`` before the date and fade after it.
    """

    key: str
    label: str
    aliases: tuple[str, ...]
    half_life_days: float
    strength: float
    relocation: bool = False
    forward: bool = False
    lead_days: float = 365.0


EVENT_KINDS: dict[str, EventKind] = {
    k.key: k
    for k in (
        EventKind(
            "financing", "融资", ("完成融资", "获得融资", "融资事件", "投融资", "融资轮"), 180, 0.60
        ),
        EventKind(
            "branch",
            "新设分支/子公司",
            ("新设分支", "新设子公司", "新设分公司", "设立子公司", "设立分公司", "对外投资"),
            180,
            0.55,
        ),
        EventKind(
            "land",
            "购地/招拍挂",
            ("购地", "招拍挂", "拿地", "竞得土地", "土地招拍挂", "土地竞拍"),
            365,
            0.40,
        ),
        EventKind(
            "expansion",
            "扩产/新项目公告",
            ("扩产", "新项目", "新项目公告", "扩产公告", "扩建", "项目公告", "扩产/新项目"),
            270,
            0.70,
        ),
        EventKind("hiring", "招聘扩张", ("招聘", "扩招", "招聘增长"), 90, 0.35),
        EventKind(
            "certification",
            "专精特新/高新认定",
            ("认定", "专精特新认定", "高新认定", "高新技术企业认定", "资质认定", "入选名单"),
            365,
            0.30,
        ),
        EventKind(
            "relocation",
            "搬迁公告/外迁",
            ("搬迁", "搬迁公告", "外迁", "迁址", "迁出", "外迁公告"),
            180,
            0.85,
            relocation=True,
        ),
        EventKind(
            "lease_expiry",
            "合同(租约)临期",
            ("租约临期", "租约到期", "合同临期", "合同到期", "厂房租约到期", "租赁到期", "租约"),
            90,
            0.60,
            forward=True,
        ),
        EventKind("bid_win", "中标", ("中标公告", "中标项目", "中选"), 120, 0.30),
    )
}


def _kind_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace(" ", "").replace("（", "(")


_KIND_OF: dict[str, str] = {}
for _k in EVENT_KINDS.values():
    for _alias in (_k.key, _k.label, *_k.aliases, _k.label.replace("(", "").replace(")", "")):
        _KIND_OF.setdefault(_kind_key(_alias), _k.key)
    for _part in _k.label.split("/"):
        _KIND_OF.setdefault(_kind_key(_part), _k.key)
_EXPECTED_KIND = (
    " / ".join(k.label for k in EVENT_KINDS.values()) + "（或 " + "/".join(EVENT_KINDS) + "）"
)

#: Columns of an events table (header aliases as for the other tables).
EVENT_COLUMNS: tuple[Column, ...] = (
    Column("enterprise_id", "id", "企业编号", ("企业id", "企业代码"), True),
    Column("kind", "text", "事件类型", ("类型", "事件", "信号类型", "事件类别"), True),
    Column("date", "text", "日期", ("事件日期", "发生日期", "发布日期", "时间"), True),
    Column("source", "text", "来源", ("信息来源", "数据来源", "渠道")),
    Column("detail", "text", "事件详情", ("详情", "内容", "事件内容", "说明", "描述")),
    Column("confidence", "text", "置信度", ("可信度", "可靠性", "conf")),
)

#: Provinces (adcode prefix → name) of the central and western regions: the parks that receive
#: industry moving inland (国发〔2010〕28号).
INLAND_PROVINCES: dict[str, str] = {
    "14": "山西省",
    "34": "安徽省",
    "36": "江西省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "15": "内蒙古自治区",
    "45": "广西壮族自治区",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
#: The eastern provinces (adcode prefix → name).
EAST_PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "35": "福建省",
    "37": "山东省",
    "44": "广东省",
    "46": "海南省",
}
#: Push on manufacturing to move out, by place name (a city wins over its province): land and
#: labour costs are highest in the first-tier and leading coastal cities. parkmatch's own default
#: judgement (no official figure exists); override with ``SignalFeature(cost_pressure=...)``.
COST_PRESSURE: dict[str, float] = {
    "北京市": 0.30,
    "上海市": 0.30,
    "深圳市": 0.30,
    "广州市": 0.25,
    "苏州市": 0.20,
    "杭州市": 0.20,
    "宁波市": 0.20,
    "南京市": 0.20,
    "无锡市": 0.20,
    "东莞市": 0.20,
    "佛山市": 0.20,
    "厦门市": 0.20,
    "天津市": 0.15,
    **dict.fromkeys(("河北省", "江苏省", "浙江省", "福建省", "山东省", "广东省", "海南省"), 0.1),
}


def parse_event_kind(raw: object) -> str:
    """Parse an event kind written in English or Chinese (繁體 and full width too).

    >>> [parse_event_kind(v) for v in ("融资", "新设子公司", "招拍挂", "外遷", "lease_expiry")]
    ['financing', 'branch', 'land', 'relocation', 'lease_expiry']
    """
    text = _kind_key(normalize_text(raw) or "")
    try:
        return _KIND_OF[text]
    except KeyError:
        raise ValueError(_EXPECTED_KIND) from None


def _confidence(raw: object) -> float:
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "")
    percent = text.endswith("%")
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise ValueError("0 到 1 之间的数（或 0% 到 100%）") from None
    if not percent and value > 1:  # "80" is 80 %; "1.2" is neither a share nor a percentage
        if value != int(value):
            raise ValueError("0 到 1 之间的数（或 0% 到 100%）")
        percent = True
    if percent:
        value /= 100.0
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError("0 到 1 之间的数（或 0% 到 100%）")
    return value


def validate_events(
    frame: pd.DataFrame,
    *,
    file: str | None = None,
    enterprises: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Validate and normalise an events table (see :data:`EVENT_COLUMNS`).

    Parameters
    ----------
    frame : DataFrame
        Raw table with English or Chinese headers.
    file : str, optional
        The file name to name in problems.
    enterprises : DataFrame, optional
        When given, every ``enterprise_id`` must be one of theirs.

    Returns
    -------
    DataFrame
        ``enterprise_id, kind`` (canonical English key), ``date`` (``datetime64``), ``source``,
        ``detail``, ``confidence`` (float in [0, 1], 1 where not given), then any extra columns.

    Raises
    ------
    SchemaError
        Listing every problem: missing columns, unknown kinds, bad dates or confidences, unknown
        enterprises, and the same event listed twice. Nothing is returned then.
    """
    out, problems, header_of = validate_frame(
        frame, EVENT_COLUMNS, kind="events", file=file, unique=False
    )
    rows = np.arange(len(out)) + 2
    parsers = (("kind", parse_event_kind), ("date", parse_date), ("confidence", _confidence))
    parsed = parse_cells(out, parsers, header_of, problems, file=file)
    check_known_ids(out, "enterprise_id", enterprises, "企业表", header_of, problems, file=file)
    seen: dict[tuple[Any, ...], int] = {}
    for i, key in enumerate(
        zip(out["enterprise_id"], parsed["kind"], parsed["date"], out["detail"], strict=True)
    ):
        if None in key[:3]:
            continue
        if key in seen:
            problems.append(
                Problem(
                    column=header_of.get("detail", "事件详情"),
                    row=int(rows[i]),
                    value=str(key[3]),
                    message=f"同一事件重复（与第{seen[key]}行相同：企业、类型、日期、详情均一致）",
                    expected="每个事件只列一行",
                    file=file,
                )
            )
        else:
            seen[key] = int(rows[i])
    if problems:
        raise SchemaError(problems, file=file)
    for col in ("detail", "source"):  # display text: 繁→简 and trimmed, punctuation kept
        if col in header_of:
            raw = frame.reset_index(drop=True)[header_of[col]].astype(object)
            out[col] = raw.map(display_text)
    out["kind"] = pd.Series(parsed["kind"], index=out.index, dtype=object)
    out["date"] = pd.to_datetime(pd.Series(parsed["date"], index=out.index, dtype=object))
    confidence = pd.Series(parsed["confidence"], index=out.index, dtype=object)
    out["confidence"] = pd.to_numeric(confidence, errors="coerce").fillna(1.0).astype("float64")
    canonical = [c.name for c in EVENT_COLUMNS]
    result = out[[*canonical, *[c for c in out.columns if c not in canonical]]]
    result = result.reset_index(drop=True)
    result.attrs["parkmatch_schema"] = "events"
    return result


@overload
def load_events(
    path: str | Path,
    *,
    sheet: str | int = ...,
    enterprises: pd.DataFrame | None = ...,
    errors: Literal["raise"] = ...,
) -> pd.DataFrame: ...
@overload
def load_events(
    path: str | Path,
    *,
    sheet: str | int = ...,
    enterprises: pd.DataFrame | None = ...,
    errors: Literal["skip"],
) -> LoadResult: ...
def load_events(
    path: str | Path,
    *,
    sheet: str | int = 0,
    enterprises: pd.DataFrame | None = None,
    errors: Errors = "raise",
) -> pd.DataFrame | LoadResult:
    """Read and validate an events file (CSV in UTF-8/GB18030, XLSX or Parquet).

    Parameters
    ----------
    path : str or Path
    sheet : str or int, default=0
        Worksheet of an Excel file.
    enterprises : DataFrame, optional
        When given, every ``enterprise_id`` must be one of theirs.
    errors : {"raise", "skip"}, default="raise"
        As for :func:`matcher.io.load_enterprises`: ``"skip"`` returns a
        :class:`~matcher.io.LoadResult` with the valid events and the rejected rows.

    Raises
    ------
    SchemaError
        When the file cannot be read or (``errors="raise"``) any row breaks the schema;
        nothing is loaded then.
    """
    return load_partial(path, validate_events, sheet=sheet, errors=errors, enterprises=enterprises)


# ---------------------------------------------------------------------------- decay
def as_date(value: object = None) -> dt.date:
    """A date from ``None`` (today), a ``date``/``datetime``/``Timestamp`` or text.

    >>> as_date("2026-12-01"), as_date(pd.Timestamp("2026-03-05 10:00"))
    (datetime.date(2026, 12, 1), datetime.date(2026, 3, 5))
    """
    if value is None:
        return dt.date.today()
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ConfigError(f"评估日期 {value!r} 无效：应为{exc}") from None


def _resolve(overrides: Mapping[str, float] | None, what: str, attr: str) -> dict[str, float]:
    table = {k: float(getattr(v, attr)) for k, v in EVENT_KINDS.items()}
    for key, value in (overrides or {}).items():
        try:
            kind = parse_event_kind(key)
        except ValueError:
            raise ConfigError(f"{what}中的事件类型「{key}」无效：应为{_EXPECTED_KIND}") from None
        value = float(value)
        if not (math.isfinite(value) and value > 0) or (attr == "strength" and value > 1):
            bound = "0 到 1 之间（不含 0）" if attr == "strength" else "大于 0"
            raise ConfigError(f"{what}「{key}」应{bound}，得到 {value!r}")
        table[kind] = value
    return table


def event_weights(
    events: pd.DataFrame,
    as_of: object = None,
    *,
    half_lives: Mapping[str, float] | None = None,
    strengths: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Weight of each event on ``as_of``: ``confidence × strength × 0.5 ** (age / half_life)``.

    Parameters
    ----------
    events : DataFrame
        Validated events (:func:`validate_events`).
    as_of : date, str or None, default=None
        The assessment date; None is today.
    half_lives : dict, default=None
        Half-life in days per kind (English key or Chinese label) over the defaults.
    strengths : dict, default=None
        Strength in (0, 1] per kind over the defaults.

    Returns
    -------
    numpy.ndarray of float64
        In [0, 1]; 0 for events dated after ``as_of`` (except lease expiries, which weigh fully
        from ``lead_days`` before their date).

    Examples
    --------
    >>> ev = validate_events(pd.DataFrame({"enterprise_id": ["E1", "E1"], "kind": ["融资", "融资"],
    ...                                    "date": ["2026-06-04", "2025-12-06"]}))
    >>> event_weights(ev, "2026-12-01").round(3).tolist()   # 180 and 360 days old
    [0.3, 0.15]
    """
    half = _resolve(half_lives, "半衰期", "half_life_days")
    strength = _resolve(strengths, "信号强度", "strength")
    day = np.datetime64(as_date(as_of), "D")
    dates = events["date"].to_numpy(dtype="datetime64[D]")
    age = (day - dates).astype(np.int64).astype(np.float64)
    kinds = events["kind"].to_numpy(dtype=object)
    h = np.array([half[k] for k in kinds], dtype=np.float64)
    s = np.array([strength[k] for k in kinds], dtype=np.float64)
    forward = np.array([EVENT_KINDS[k].forward for k in kinds], dtype=bool)
    lead = np.array([EVENT_KINDS[k].lead_days for k in kinds], dtype=np.float64)
    decay = np.where(age >= 0, np.exp2(-np.maximum(age, 0.0) / h), 0.0)
    # a lease expiry: full weight from lead_days before it, fading before that and after it
    ahead = -age
    fwd = np.where(
        age >= 0,
        np.exp2(-np.maximum(age, 0.0) / h),
        np.where(ahead <= lead, 1.0, np.exp2(-np.maximum(ahead - lead, 0.0) / h)),
    )
    decay = np.where(forward, fwd, decay)
    conf = events["confidence"].to_numpy(dtype=np.float64)
    return np.clip(conf * s * decay, 0.0, 1.0)


def age_phrase(date: object, as_of: object = None, *, forward: bool = False) -> str:
    """How long ago (or until) ``date`` is, as officers say it.

    >>> [age_phrase(d, "2026-12-01") for d in ("2026-11-20", "2026-09-01", "2024-08-01")]
    ['近 1 个月', '近 3 个月', '2 年 4 个月前']
    >>> age_phrase("2027-05-31", "2026-12-01", forward=True)
    '约 6 个月后'
    """
    day = as_date(as_of)
    when = as_date(date)
    days = (day - when).days
    if days < 0:
        months = max(1, round(-days / 30.44))
        return f"约 {_span(months)}后" if forward else f"日期晚于评估日（{_span(months)}后）"
    months = max(1, round(days / 30.44))
    if forward:
        return "本月" if days < 31 else f"已过 {_span(round(days / 30.44))}"
    if months <= 12:
        return f"近 {months} 个月"
    return f"{_span(round(days / 30.44))}前"


def _span(months: int) -> str:
    years, rest = divmod(months, 12)
    if years == 0:
        return f"{rest} 个月"
    return f"{years} 年" + (f" {rest} 个月" if rest else "")


def describe_event(event: Mapping[str, Any] | pd.Series, as_of: object = None) -> str:
    """One event as a sentence: ``2026-09 完成 B 轮融资 2 亿元，近 3 个月``.

    The detail is used when given, else the kind's label.
    """
    kind = EVENT_KINDS[str(event["kind"])]
    date = as_date(event["date"])
    detail = event.get("detail")
    text = str(detail) if isinstance(detail, str) and detail.strip() else kind.label
    return f"{date:%Y-%m} {text}，{age_phrase(date, as_of, forward=kind.forward)}"
