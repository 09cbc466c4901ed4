"""Policies (政策匹配): a park's support policies as structured rules, matched to enterprises.

A policy has a name, an issuer, a benefit (text and amount, 万元), an application window and
conditions over enterprise fields. Policies are kept as a sheet with **one row per condition**
(policy-level cells may be left blank after a policy's first row) or as JSON:

===================  =====================  ===================================================
column               中文表头               meaning
===================  =====================  ===================================================
policy_id            政策编号               required; rows with the same id form one policy
park_id              园区编号               required; the park offering it
name                 政策名称               required (once per policy)
issuer               发布单位
benefit              扶持内容               what the enterprise gets
amount_wan           扶持金额(万元)         the most it can get
start, end           申报开始, 申报截止     the application window (either may be open)
field                条件字段               see :data:`FIELDS`; blank: a policy without conditions
op                   比较                   ``>= > <= < == != in not_in between`` or 不低于, 高于,
                                            不超过, 低于, 等于, 不等于, 属于, 不属于, 介于
value                条件值                 codes ``3252;3392``, 省级, 是, ``100``, ``10~100`` …
hard                 硬性条件               是 (default): failing it rules the policy out;
                                            否: a soft condition (加分项)
within_days          事件时限(天)           for ``event`` conditions (default 365)
note                 条件说明               shown with the condition
===================  =====================  ===================================================

For a firm × park, each policy is (first rule that applies wins):

* **已过期** — the window closed before the assessment date;
* **不推荐** — a hard condition failed;
* **需补充信息** — a condition depends on a field the enterprise's record lacks (never a silent
  fail: the missing fields are named);
* **可能** — only soft conditions failed;
* **推荐** — every condition is met.

>>> sheet = pd.DataFrame({
...     "政策编号": ["ZC1", "ZC1"], "园区编号": ["P1", None],
...     "政策名称": ["专精特新企业入园奖励", None], "扶持金额(万元)": ["50", None],
...     "条件字段": ["专精特新", "行业代码"], "比较": ["不低于", "属于"], "条件值": ["省级", "3252;3392"]})
>>> policies = validate_policies(sheet)
>>> firm = {"srdi_level": "provincial", "industry_code": "3252"}
>>> match_policies(policies, firm)[["name", "status"]].values.tolist()
[['专精特新企业入园奖励', '推荐']]
>>> match_policies(policies, {"industry_code": "3252"})["missing"].iloc[0]
'专精特新'
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import ConfigError, Problem, SchemaError
from .io import (
    EVENT_KINDS,
    SRDI_LEVELS,
    Column,
    as_date,
    check_known_ids,
    display_text,
    event_weights,
    parse_bool,
    parse_date,
    parse_event_kind,
    parse_srdi_level,
    read_table,
    validate_enterprises,
    validate_frame,
)
from .reference import taxonomy
from .reference.geo import normalize_place, place_key
from .reference.sizes import SIZE_CLASSES, SIZE_LABELS, parse_size_class
from .text import normalize_text

__all__ = [
    "FIELDS",
    "OPS",
    "POLICY_COLUMNS",
    "STATUSES",
    "STATUS_LABELS",
    "Field",
    "load_policies",
    "match_policies",
    "policies_from_json",
    "policy_fit",
    "rank_with_policies",
    "validate_policies",
]

#: Policy states, in the order that decides them.
STATUSES = ("expired", "not_recommended", "needs_info", "possible", "recommended")
STATUS_LABELS = {
    "expired": "已过期",
    "not_recommended": "不推荐",
    "needs_info": "需补充信息",
    "possible": "可能",
    "recommended": "推荐",
}

#: Columns of a policies sheet (one row per condition).
POLICY_COLUMNS: tuple[Column, ...] = (
    Column("policy_id", "id", "政策编号", ("政策id", "政策代码", "政策编码"), True),
    Column("park_id", "id", "园区编号", ("园区id", "园区代码")),
    Column("name", "text", "政策名称", ("政策", "名称")),
    Column("issuer", "text", "发布单位", ("发文单位", "发布机关", "制定单位", "发文机关")),
    Column("benefit", "text", "扶持内容", ("政策内容", "优惠内容", "扶持方式", "支持内容")),
    Column(
        "amount_wan",
        "text",
        "扶持金额(万元)",
        ("扶持金额", "奖补金额", "最高金额(万元)", "金额(万元)"),
    ),
    Column("start", "text", "申报开始", ("开始日期", "生效日期", "申报开始日期", "起始日期")),
    Column("end", "text", "申报截止", ("截止日期", "失效日期", "申报截止日期", "有效期至")),
    Column("field", "text", "条件字段", ("条件项", "字段", "条件")),
    Column("op", "text", "比较", ("运算", "条件运算", "比较方式", "关系", "运算符")),
    Column("value", "text", "条件值", ("取值", "阈值", "值", "条件取值")),
    Column("hard", "text", "硬性条件", ("是否硬性", "刚性条件", "必须满足", "硬性")),
    Column("within_days", "text", "事件时限(天)", ("事件时限", "近n天", "时限(天)")),
    Column("note", "text", "条件说明", ("说明", "备注")),
)
_POLICY_LEVEL = ("park_id", "name", "issuer", "benefit", "amount_wan", "start", "end")


@dataclass(frozen=True)
class Field:
    """An enterprise field a condition can test."""

    key: str
    label: str
    kind: str  # codes, size, srdi, bool, number, place, event
    aliases: tuple[str, ...] = ()
    unit: str = ""


FIELDS: dict[str, Field] = {
    f.key: f
    for f in (
        Field("industry_code", "行业代码", "codes", ("行业", "所属行业", "国民经济行业代码")),
        Field("size_class", "企业规模", "size", ("规模", "企业类型")),
        Field("srdi_level", "专精特新", "srdi", ("专精特新等级", "专精特新级别")),
        Field("high_tech", "高新技术企业", "bool", ("高新", "高新企业")),
        Field("patents", "专利数", "number", ("专利", "专利数量"), "件"),
        Field("revenue_wan", "营业收入(万元)", "number", ("营业收入", "营收"), "万元"),
        Field("employees", "从业人员", "number", ("从业人数", "员工人数"), "人"),
        Field("space_need_sqm", "需求面积(平方米)", "number", ("需求面积", "用地需求"), "平方米"),
        Field("province", "省", "place", ("省份", "所在省")),
        Field("city", "市", "place", ("城市", "所在市", "地市")),
        Field("county", "区县", "place", ("县区", "所在区县")),
        Field("event", "企业动态", "event", ("事件", "动态", "时机信号", "事件类型")),
    )
}

#: Operators, with their Chinese spellings.
OPS: dict[str, tuple[str, ...]] = {
    ">=": ("不低于", "至少", "≥", "大于等于", "不少于", "以上"),
    ">": ("高于", "大于", "超过", "多于"),
    "<=": ("不超过", "不高于", "至多", "≤", "小于等于", "不多于", "以下"),
    "<": ("低于", "小于", "少于"),
    "==": ("=", "等于", "是", "为"),
    "!=": ("不等于", "不是", "非", "≠"),
    "in": ("属于", "包含于", "在", "之一", "任一", "包括"),
    "not_in": ("不属于", "不在", "排除", "not in"),
    "between": ("介于", "区间", "在…之间"),
}
_OP_OF = {
    unicodedata.normalize("NFKC", a).lower(): key
    for key, aliases in OPS.items()
    for a in (key, *aliases)
}
_OP_TEXT = {
    ">=": "不低于",
    ">": "高于",
    "<=": "不超过",
    "<": "低于",
    "==": "为",
    "!=": "不为",
    "in": "属于",
    "not_in": "不属于",
    "between": "介于",
}
#: Operators each kind of field takes; the first is the default when ``op`` is blank.
_KIND_OPS = {
    "codes": ("in", "not_in"),
    "size": ("in", "not_in", "==", "!=", ">=", "<="),
    "srdi": (">=", "==", "!=", "in", "not_in"),
    "bool": ("==", "!="),
    "number": (">=", ">", "<=", "<", "==", "!=", "between"),
    "place": ("in", "not_in", "==", "!="),
    "event": ("in",),
}
_FIELD_OF = {
    unicodedata.normalize("NFKC", a).lower().replace(" ", ""): f.key
    for f in FIELDS.values()
    for a in (f.key, f.label, *f.aliases)
}
_SIZE_ORDER = {s: i for i, s in enumerate(reversed(SIZE_CLASSES))}  # micro 0 … large 3
_SRDI_ORDER = {s: i for i, s in enumerate(SRDI_LEVELS)}
_SRDI_SHORT = {"none": "无", "innovative": "创新型", "provincial": "省级", "national": "国家级"}
_HARD = {"是", "硬性", "必须", "必要", "刚性", "true", "1", "yes", "y", "hard"}
_SOFT = {"否", "软性", "加分", "加分项", "优先", "非必须", "false", "0", "no", "n", "soft"}
_SPLIT = re.compile(r"\s*[;；,，、/]\s*")
_RANGE = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*(?:~|～|-|—|至|到)\s*([-+]?\d+(?:\.\d+)?)\s*$")


# ---------------------------------------------------------------------------- parsing
def _field(raw: object) -> str:
    text = unicodedata.normalize("NFKC", str(raw)).lower().replace(" ", "")
    text = text.replace("（", "(").replace("）", ")")
    try:
        return _FIELD_OF[text]
    except KeyError:
        names = "、".join(f.label for f in FIELDS.values())
        raise ValueError(f"条件字段之一：{names}") from None


def _op(raw: object, field: Field) -> str:
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    key = _OP_OF.get(text)
    allowed = _KIND_OPS[field.kind]
    if key is None or key not in allowed:
        shown = "、".join(f"{k}（{_OP_TEXT[k]}）" for k in allowed)
        raise ValueError(f"「{field.label}」可用的比较：{shown}")
    return key


def _items(raw: object) -> list[str]:
    text = normalize_text(raw) or ""
    return [t for t in _SPLIT.split(text) if t]


def _number(text: str) -> float:
    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    cleaned = re.sub(r"(万元|元|人|件|项|平方米|平米|㎡)$", "", cleaned)
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError
    return value


def _value(raw: object, field: Field, op: str) -> str:
    """The condition value in canonical text form; ValueError says what was expected."""
    kind = field.kind
    if kind == "codes":
        try:
            codes = taxonomy.split_codes(raw)
        except ValueError as exc:
            raise ValueError(f"GB/T 4754-2017 行业代码，多个用 ; 分隔（{exc}）") from None
        if not codes:
            raise ValueError("至少一个行业代码")
        return ";".join(codes)
    if kind == "size":
        sizes = [parse_size_class(v) for v in _items(raw)]
        if not sizes or any(s is None for s in sizes):
            raise ValueError("大/中/小/微（多个用 ; 分隔）")
        return ";".join(str(s) for s in sizes)
    if kind == "srdi":
        try:
            return ";".join(parse_srdi_level(v) for v in _items(raw))
        except ValueError as exc:
            raise ValueError(str(exc)) from None
    if kind == "bool":
        return "true" if parse_bool(raw) else "false"
    if kind == "number":
        text = normalize_text(raw) or ""
        if op == "between":
            match = _RANGE.match(text)
            if match is None or float(match.group(1)) > float(match.group(2)):
                raise ValueError("区间，如 10~100（下限不大于上限）")
            return f"{float(match.group(1)):g}~{float(match.group(2)):g}"
        try:
            return f"{_number(text):g}"
        except ValueError:
            raise ValueError(f"数字{('（' + field.unit + '）') if field.unit else ''}") from None
    if kind == "place":
        places = [normalize_place(v) for v in _items(raw)]
        if not places:
            raise ValueError("地名（多个用 ; 分隔）")
        return ";".join(str(p) for p in places)
    kinds = list(dict.fromkeys(parse_event_kind(v) for v in _items(raw)))
    if not kinds:
        raise ValueError("事件类型（多个用 ; 分隔）")
    return ";".join(kinds)


def _hard(raw: object) -> bool:
    text = (normalize_text(raw) or "").lower()
    if text in _HARD:
        return True
    if text in _SOFT:
        return False
    raise ValueError("是（硬性条件）或 否（软性条件、加分项）")


def _days(raw: object) -> float:
    value = _number(str(raw))
    if value <= 0:
        raise ValueError
    return value


def _amount(raw: object) -> float:
    value = _number(str(raw))
    if value < 0:
        raise ValueError
    return value


def validate_policies(
    frame: pd.DataFrame, *, file: str | None = None, parks: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Validate and normalise a policies sheet (one row per condition; see the module doc).

    Parameters
    ----------
    frame : DataFrame
        Raw sheet with English or Chinese headers.
    file : str, optional
        The file name to name in problems.
    parks : DataFrame, optional
        When given, every ``park_id`` must be one of theirs.

    Returns
    -------
    DataFrame
        One row per condition (a policy without conditions has one row with ``field`` None),
        the policy-level columns filled on every row; ``field`` and ``op`` canonical, ``value``
        canonical text, ``hard`` bool, ``amount_wan`` / ``within_days`` float, ``start`` /
        ``end`` ``datetime64``.

    Raises
    ------
    SchemaError
        Listing every problem: missing columns, unknown fields or operators, values that do not
        fit the field, bad dates or amounts, a window that ends before it starts, a policy
        without a name or park, policy cells that contradict an earlier row of the same policy,
        unknown parks.
    """
    out, problems, header_of = validate_frame(
        frame, POLICY_COLUMNS, kind="policies", file=file, unique=False
    )
    rows = np.arange(len(out)) + 2
    for col in ("name", "issuer", "benefit", "note"):  # display text keeps its punctuation
        if col in header_of:
            out[col] = frame.reset_index(drop=True)[header_of[col]].astype(object).map(display_text)

    def bad(i: int, col: str, raw: object, expected: str, message: str = "取值无效") -> None:
        problems.append(
            Problem(
                column=header_of.get(col, next(c.zh for c in POLICY_COLUMNS if c.name == col)),
                row=int(rows[i]),
                value=None if raw is None else str(raw),
                message=message,
                expected=expected,
                file=file,
            )
        )

    parsed: dict[str, list[Any]] = {c: [None] * len(out) for c in ("field", "op", "value")}
    parsed["hard"] = [True] * len(out)
    scalars: dict[str, tuple[Callable[[Any], Any], str]] = {
        "amount_wan": (_amount, "不小于 0 的金额（万元）"),
        "within_days": (_days, "大于 0 的天数"),
        "start": (parse_date, "日期，如 2026-01-01"),
        "end": (parse_date, "日期，如 2026-12-31"),
    }
    for col in scalars:
        parsed[col] = [None] * len(out)
    for i, rec in enumerate(out.to_dict("records")):
        for col, (parser, expected) in scalars.items():
            if rec[col] is not None:
                try:
                    parsed[col][i] = parser(rec[col])
                except ValueError as exc:
                    bad(i, col, rec[col], str(exc) or expected)
        if rec["hard"] is not None:
            try:
                parsed["hard"][i] = _hard(rec["hard"])
            except ValueError as exc:
                bad(i, "hard", rec["hard"], str(exc))
        if rec["field"] is None:
            for col in ("op", "value"):
                if rec[col] is not None:
                    bad(i, col, rec[col], "先填写条件字段", "有条件值却没有条件字段")
            continue
        try:
            field = FIELDS[_field(rec["field"])]
        except ValueError as exc:
            bad(i, "field", rec["field"], str(exc))
            continue
        parsed["field"][i] = field.key
        op = _KIND_OPS[field.kind][0]
        if rec["op"] is not None:
            try:
                op = _op(rec["op"], field)
            except ValueError as exc:
                bad(i, "op", rec["op"], str(exc))
                continue
        parsed["op"][i] = op
        if rec["value"] is None:
            if field.kind == "event":
                parsed["value"][i] = ";".join(EVENT_KINDS)  # any event
            else:
                bad(i, "value", None, f"「{field.label}」的条件值", "缺少条件值")
            continue
        try:
            parsed["value"][i] = _value(rec["value"], field, op)
        except ValueError as exc:
            bad(i, "value", rec["value"], str(exc))
    for col in ("field", "op", "value", "hard", *scalars):
        out[col] = pd.Series(parsed[col], index=out.index, dtype=object)

    # policy-level cells: filled down within a policy, contradictions reported
    first: dict[tuple[str, str], tuple[object, int]] = {}
    for i, rec in enumerate(out.to_dict("records")):
        pid = rec["policy_id"]
        if not isinstance(pid, str):
            continue
        for col in _POLICY_LEVEL:
            value = rec[col]
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            seen = first.get((pid, col))
            if seen is None:
                first[(pid, col)] = (value, int(rows[i]))
            elif seen[0] != value:
                bad(
                    i,
                    col,
                    value,
                    f"与第{seen[1]}行相同的值，或留空",
                    f"与同一政策第{seen[1]}行的值（{seen[0]}）不一致",
                )
    for pid in dict.fromkeys(p for p in out["policy_id"] if isinstance(p, str)):
        i = int(np.flatnonzero((out["policy_id"] == pid).to_numpy())[0])
        for col, what in (("name", "政策名称"), ("park_id", "园区编号")):
            if (pid, col) not in first:
                bad(i, col, None, f"政策 {pid} 的{what}（填在该政策的任一行即可）", f"缺少{what}")
        start, end = first.get((pid, "start")), first.get((pid, "end"))
        if start and end and start[0] > end[0]:  # type: ignore[operator]
            problems.append(
                Problem(
                    column=header_of.get("end", "申报截止"),
                    row=end[1],
                    value=str(end[0]),
                    message="申报截止早于申报开始",
                    expected=f"不早于 {start[0]} 的日期",
                    file=file,
                )
            )
    for col in _POLICY_LEVEL:
        fill = {pid: first[(pid, col)][0] for (pid, c) in first if c == col}
        out[col] = out["policy_id"].map(lambda p, f=fill: f.get(p))
    check_known_ids(out, "park_id", parks, "园区表", header_of, problems, file=file)
    if problems:
        raise SchemaError(problems, file=file)
    out["amount_wan"] = pd.to_numeric(out["amount_wan"], errors="coerce").astype("float64")
    out["within_days"] = pd.to_numeric(out["within_days"], errors="coerce").astype("float64")
    out["hard"] = out["hard"].astype(bool)
    for col in ("start", "end"):
        out[col] = pd.to_datetime(out[col])
    canonical = [c.name for c in POLICY_COLUMNS]
    result = out[[*canonical, *[c for c in out.columns if c not in canonical]]]
    result = result.reset_index(drop=True)
    result.attrs["parkmatch_schema"] = "policies"
    return result


def _json_rows(data: Any, file: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Policies JSON → sheet rows, and the JSON path of each row."""
    policies = data.get("policies") if isinstance(data, dict) else data
    if not isinstance(policies, list):
        raise SchemaError(
            Problem(
                column=None,
                message="JSON 应为政策列表，或含 policies 列表的对象",
                expected='{"policies": [{"policy_id": …, "conditions": [{"field": …}]}]}',
                file=file,
            ),
            file=file,
        )
    rows: list[dict[str, Any]] = []
    paths: list[str] = []
    for i, policy in enumerate(policies):
        if not isinstance(policy, dict):
            raise SchemaError(
                Problem(column=f"policies[{i}]", message="每项政策应为 JSON 对象", file=file),
                file=file,
            )
        head = {k: v for k, v in policy.items() if k != "conditions"}
        conditions = policy.get("conditions") or [{}]
        if not isinstance(conditions, list):
            conditions = [conditions]
        for j, cond in enumerate(conditions):
            cond = cond if isinstance(cond, dict) else {"field": cond}
            rows.append({**head, **cond})
            paths.append(
                f"policies[{i}]" + (f".conditions[{j}]" if policy.get("conditions") else "")
            )
    frame = pd.DataFrame(rows, dtype=object)
    frame = frame.astype(object).where(frame.notna(), None)
    frame = frame.map(lambda v: v if v is None or isinstance(v, str) else _json_cell(v))
    return frame, paths


def _json_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def load_policies(
    path: str | Path, *, sheet: str | int = 0, parks: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Read and validate policies: a sheet (CSV/XLSX/Parquet, one row per condition) or JSON.

    JSON is a list of policies, or ``{"policies": [...]}``; each policy holds the policy-level
    keys of the sheet and ``conditions``, a list of ``{"field", "op", "value", "hard",
    "within_days", "note"}``. Problems in JSON name the place (``policies[2].conditions[0]``).

    Raises
    ------
    SchemaError
        When the file cannot be read or anything breaks the schema; nothing is loaded then.
    """
    path = Path(path)
    if path.suffix.lower() != ".json":
        return validate_policies(read_table(path, sheet=sheet), file=path.name, parks=parks)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise SchemaError(
            Problem(column=None, message="无法读取文件：文件不存在", file=path.name),
            file=path.name,
        ) from None
    except (ValueError, OSError) as exc:
        raise SchemaError(
            Problem(column=None, message=f"无法读取 JSON：{exc}", file=path.name), file=path.name
        ) from None
    return policies_from_json(data, file=path.name, parks=parks)


def policies_from_json(
    data: Any, *, file: str | None = None, parks: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Validate policies given as parsed JSON (see :func:`load_policies`)."""
    frame, paths = _json_rows(data, file)
    try:
        return validate_policies(frame, file=file, parks=parks)
    except SchemaError as exc:
        moved = [
            Problem(
                column=(paths[p.row - 2] + "." + _json_key(p.column))
                if p.row is not None
                else p.column,
                message=p.message,
                row=None,
                value=p.value,
                expected=p.expected,
                file=file,
            )
            for p in exc.problems
        ]
        raise SchemaError(moved, file=file) from None


def _json_key(column: str | None) -> str:
    for c in POLICY_COLUMNS:
        if column in (c.name, c.zh):
            return c.name
    return str(column)


# ---------------------------------------------------------------------------- evaluation
def _enterprise_frame(enterprise: Any) -> pd.DataFrame:
    """One or more enterprises as a validated frame (a dict, Series or frame, any headers)."""
    if isinstance(enterprise, pd.DataFrame):
        if enterprise.attrs.get("parkmatch_schema") == "enterprises":
            return enterprise.reset_index(drop=True)
        frame = enterprise.copy()
    elif isinstance(enterprise, pd.Series):
        frame = pd.DataFrame([enterprise.to_dict()])
    elif isinstance(enterprise, Mapping):
        frame = pd.DataFrame([dict(enterprise)])
    else:
        raise ConfigError(
            f"enterprise 应为企业记录（dict、Series 或 DataFrame），得到 {type(enterprise).__name__}"
        )
    frame = frame.astype(object)
    for col, zh, default in (
        ("enterprise_id", "企业编号", "profile"),
        ("name", "企业名称", "（企业）"),
    ):
        if col not in frame.columns and zh not in frame.columns:
            frame[col] = default
    for col in ("size_class_source", "location_source"):  # a validated row given as a dict
        if col in frame.columns:
            frame = frame.drop(columns=col)
    return validate_enterprises(frame, file="enterprise")


def _place_match(values: Sequence[Any], wanted: str) -> np.ndarray:
    keys = {place_key(w) for w in wanted.split(";")}
    return np.array(
        [v is not None and place_key(normalize_place(v) or "") in keys for v in values],
        dtype=bool,
    )


def _condition(
    cond: Mapping[str, Any],
    ents: pd.DataFrame,
    events: pd.DataFrame | None,
    as_of: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """(met, missing) of one condition for every enterprise row."""
    field = FIELDS[str(cond["field"])]
    op, value = str(cond["op"]), str(cond["value"])
    n = len(ents)
    if field.kind == "event":
        if events is None:
            return np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
        days = cond.get("within_days")
        days = 365.0 if days is None or pd.isna(days) else float(days)
        day = pd.Timestamp(as_date(as_of))
        kinds = set(value.split(";"))
        lead = {k: (v.lead_days if v.forward else 0.0) for k, v in EVENT_KINDS.items()}
        ahead = pd.to_timedelta(events["kind"].map(lead), unit="D")
        recent = events[
            events["kind"].isin(kinds)
            & (events["date"] <= day + ahead)
            & (events["date"] >= day - pd.Timedelta(days=days))
        ]
        if len(recent):  # an event that no longer weighs anything does not count
            recent = recent[event_weights(recent, as_of) > 0]
        have = set(recent["enterprise_id"].astype(str))
        met = ents["enterprise_id"].astype(str).isin(have).to_numpy()
        return met, np.zeros(n, dtype=bool)
    col = ents[field.key]
    missing = col.isna().to_numpy()
    raw = col.astype(object).where(col.notna(), None).tolist()
    if field.kind == "codes":
        targets = value.split(";")
        codes, uniques = pd.factorize(pd.Series(raw, dtype=object), use_na_sentinel=True)
        per_code = np.array(
            [any(taxonomy.code_similarity(c, t)[0] >= 1.0 for t in targets) for c in uniques]
            + [False],
            dtype=bool,
        )
        hit = per_code[codes]  # each distinct code is compared once (-1 → the last slot)
        return (hit if op == "in" else ~hit) & ~missing, missing
    if field.kind == "place":
        codes, uniques = pd.factorize(pd.Series(raw, dtype=object), use_na_sentinel=True)
        hit = np.append(_place_match(list(uniques), value), False)[codes]
        met = hit if op in ("in", "==") else ~hit
        return met & ~missing, missing
    if field.kind == "bool":
        want = value == "true"
        hit = np.array([v is not None and bool(v) == want for v in raw], dtype=bool)
        return (hit if op == "==" else ~hit) & ~missing, missing
    if field.kind in ("size", "srdi"):
        order = _SIZE_ORDER if field.kind == "size" else _SRDI_ORDER
        levels = value.split(";")
        rank = np.array([order.get(v, -1) if v is not None else -1 for v in raw])
        if op in ("in", "=="):
            hit = np.isin(np.array(raw, dtype=object), levels)
        elif op in ("not_in", "!="):
            hit = ~np.isin(np.array(raw, dtype=object), levels)
        else:
            bound = order[levels[0]]
            hit = rank >= bound if op == ">=" else rank <= bound
        return hit & ~missing, missing
    x = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        if op == "between":
            lo, hi = (float(v) for v in value.split("~"))
            hit = (x >= lo) & (x <= hi)
        else:
            t = float(value)
            hit = {
                ">=": x >= t,
                ">": x > t,
                "<=": x <= t,
                "<": x < t,
                "==": x == t,
                "!=": x != t,
            }[op]
    return hit & ~missing, missing


def describe_condition(cond: Mapping[str, Any]) -> str:
    """A condition as officers read it: ``专精特新不低于省级``, ``行业代码属于 3252、3392``.

    >>> describe_condition({"field": "revenue_wan", "op": ">=", "value": "2000", "hard": True})
    '营业收入不低于 2000 万元'
    """
    field = FIELDS[str(cond["field"])]
    op, value = str(cond["op"]), str(cond["value"])
    items = value.split(";")
    if field.kind == "codes":
        shown = "、".join(f"{c}（{taxonomy.code_name(c)}）" for c in items)
    elif field.kind == "size":
        shown = "、".join(SIZE_LABELS.get(s, s) for s in items)
    elif field.kind == "srdi":
        shown = "、".join(_SRDI_SHORT.get(s, s) for s in items)
    elif field.kind == "bool":
        return f"{'是' if (value == 'true') == (op == '==') else '不是'}{field.label}"
    elif field.kind == "event":
        days = cond.get("within_days")
        days = 365 if days is None or pd.isna(days) else int(days)
        kinds = "、".join(EVENT_KINDS[k].label for k in items)
        if len(items) == len(EVENT_KINDS):
            kinds = "任一动态"
        return f"近 {days} 天内有{kinds}记录"
    elif field.kind == "number":
        unit = f" {field.unit}" if field.unit else ""
        label = re.sub(r"\(.*\)$", "", field.label)
        return f"{label}{_OP_TEXT[op]} {value.replace('~', '–')}{unit}" + _note(cond)
    else:
        shown = "、".join(items)
    gap = " " if field.kind == "codes" else ""
    return f"{field.label}{_OP_TEXT[op]}{gap}{shown}" + _note(cond)


def _note(cond: Mapping[str, Any]) -> str:
    note = cond.get("note")
    return f"（{note}）" if isinstance(note, str) and note else ""


def _why_missing(cond: Mapping[str, Any]) -> str:
    field = FIELDS[str(cond["field"])]
    if field.kind == "event":
        return "企业动态（未提供事件表）"
    return field.label


def _evaluate(
    policies: pd.DataFrame,
    ents: pd.DataFrame,
    events: pd.DataFrame | None,
    as_of: Any,
    park_id: str | None,
) -> list[dict[str, Any]]:
    """Per policy: its head and, per enterprise row, the state and the deciding conditions."""
    if policies.attrs.get("parkmatch_schema") != "policies":
        policies = validate_policies(policies)
    if park_id is not None:
        policies = policies[policies["park_id"] == str(park_id)]
    day = pd.Timestamp(as_date(as_of))
    n = len(ents)
    out = []
    for pid, group in policies.groupby("policy_id", sort=False):
        head = group.iloc[0]
        met_all = np.ones(n, dtype=bool)
        hard_fail = np.zeros(n, dtype=bool)
        soft_fail = np.zeros(n, dtype=bool)
        missing_any = np.zeros(n, dtype=bool)
        conds = []
        for cond in group[group["field"].notna()].to_dict("records"):
            met, missing = _condition(cond, ents, events, as_of)
            failed = ~met & ~missing
            if cond["hard"]:
                hard_fail |= failed
            else:
                soft_fail |= failed
            missing_any |= missing
            met_all &= met
            conds.append((cond, met, missing, failed))
        expired = pd.notna(head["end"]) and head["end"] < day
        status = np.where(
            hard_fail,
            "not_recommended",
            np.where(missing_any, "needs_info", np.where(soft_fail, "possible", "recommended")),
        ).astype(object)
        if expired:
            status[:] = "expired"
        out.append({"policy_id": str(pid), "head": head, "status": status, "conds": conds})
    return out


def _window(head: pd.Series) -> str:
    start, end = head["start"], head["end"]
    if pd.isna(start) and pd.isna(end):
        return "长期有效"
    a = "" if pd.isna(start) else f"{start:%Y-%m-%d}"
    b = "" if pd.isna(end) else f"{end:%Y-%m-%d}"
    return f"{a} 至 {b}" if a and b else (f"{a} 起" if a else f"截至 {b}")


def match_policies(
    policies: pd.DataFrame,
    enterprise: Mapping[str, Any] | pd.Series | pd.DataFrame,
    *,
    park_id: str | None = None,
    events: pd.DataFrame | None = None,
    as_of: Any = None,
) -> pd.DataFrame:
    """Which of the policies an enterprise qualifies for, and why.

    Parameters
    ----------
    policies : DataFrame
        From :func:`load_policies` / :func:`validate_policies` (raw sheets are validated).
    enterprise : dict, Series or one-row DataFrame
        The enterprise's record in the enterprises schema (English or Chinese keys).
    park_id : str, default=None
        Only this park's policies; None keeps all.
    events : DataFrame, default=None
        The events table (:func:`matcher.load_events`) for ``event`` conditions; without it
        those conditions need information.
    as_of : date or str, default=None
        The assessment date (windows, event recency); None is today.

    Returns
    -------
    DataFrame
        One row per policy, best state first: ``policy_id, park_id, name, issuer, benefit,
        amount_wan, window, status`` (推荐 / 可能 / 需补充信息 / 不推荐 / 已过期), ``status_key``,
        ``deciding`` (the conditions that decided the state), ``met``, ``failed``, ``missing``
        (field labels to supply) and ``reason`` (a sentence).
    """
    ents = _enterprise_frame(enterprise)
    if len(ents) != 1:
        raise ConfigError(f"enterprise 应为一家企业，得到 {len(ents)} 行")
    if events is not None and events.attrs.get("parkmatch_schema") != "events":
        from .io import validate_events

        events = validate_events(events)
    if events is not None:
        events = events[events["enterprise_id"].astype(str) == str(ents["enterprise_id"].iloc[0])]
    rows = []
    for pol in _evaluate(policies, ents, events, as_of, park_id):
        head, key = pol["head"], str(pol["status"][0])
        met = [describe_condition(c) for c, m, _, _ in pol["conds"] if m[0]]
        failed = [
            describe_condition(c) + ("" if c["hard"] else "（软性）")
            for c, _, _, f in pol["conds"]
            if f[0]
        ]
        missing = list(dict.fromkeys(_why_missing(c) for c, _, miss, _ in pol["conds"] if miss[0]))
        hard_failed = [describe_condition(c) for c, _, _, f in pol["conds"] if f[0] and c["hard"]]
        window = _window(head)
        if key == "expired":
            deciding = [f"申报期 {window}，已截止"]
            reason = f"申报期已于 {head['end']:%Y-%m-%d} 截止"
        elif key == "not_recommended":
            deciding = hard_failed
            reason = "不满足硬性条件：" + "；".join(hard_failed)
        elif key == "needs_info":
            deciding = [describe_condition(c) for c, _, miss, _ in pol["conds"] if miss[0]]
            reason = "企业信息缺少「" + "、".join(missing) + "」，无法判断：" + "；".join(deciding)
        elif key == "possible":
            deciding = failed
            reason = "硬性条件均满足，未满足软性条件：" + "；".join(failed)
        else:
            deciding = met or ["无限制条件"]
            reason = "满足全部条件：" + "；".join(deciding)
        start = head["start"]
        if key != "expired" and pd.notna(start) and start > pd.Timestamp(as_date(as_of)):
            reason += f"（申报期自 {start:%Y-%m-%d} 起）"
        rows.append(
            {
                "policy_id": pol["policy_id"],
                "park_id": head["park_id"],
                "name": head["name"],
                "issuer": head["issuer"],
                "benefit": head["benefit"],
                "amount_wan": head["amount_wan"],
                "window": window,
                "status": STATUS_LABELS[key],
                "status_key": key,
                "deciding": "；".join(deciding),
                "met": "；".join(met),
                "failed": "；".join(failed),
                "missing": "、".join(missing),
                "reason": reason,
            }
        )
    columns = [
        "policy_id",
        "park_id",
        "name",
        "issuer",
        "benefit",
        "amount_wan",
        "window",
        "status",
        "status_key",
        "deciding",
        "met",
        "failed",
        "missing",
        "reason",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    order = {k: i for i, k in enumerate(reversed(STATUSES))}  # recommended first
    frame = frame.iloc[np.argsort(frame["status_key"].map(order).to_numpy(), kind="stable")]
    frame = frame.reset_index(drop=True)
    frame.attrs["as_of"] = as_date(as_of)
    return frame


def policy_fit(
    policies: pd.DataFrame,
    enterprises: pd.DataFrame,
    *,
    park_id: str | None = None,
    events: pd.DataFrame | None = None,
    as_of: Any = None,
) -> pd.DataFrame:
    """How many of a park's policies each enterprise qualifies for (vectorised over rows).

    Returns
    -------
    DataFrame
        ``enterprise_id``, one count column per state (``recommended, possible, needs_info,
        not_recommended, expired``) and ``recommended_names`` / ``possible_names`` (policy
        names joined by ``、``), aligned with ``enterprises``.
    """
    ents = _enterprise_frame(enterprises)
    if events is not None and events.attrs.get("parkmatch_schema") != "events":
        from .io import validate_events

        events = validate_events(events)
    counts = {k: np.zeros(len(ents), dtype=np.int64) for k in STATUSES}
    names: dict[str, list[list[str]]] = {
        "recommended": [[] for _ in range(len(ents))],
        "possible": [[] for _ in range(len(ents))],
    }
    for pol in _evaluate(policies, ents, events, as_of, park_id):
        status = pol["status"]
        for key in STATUSES:
            counts[key] += status == key
        for key, lists in names.items():
            for i in np.flatnonzero(status == key):
                lists[i].append(str(pol["head"]["name"]))
    out = pd.DataFrame({"enterprise_id": ents["enterprise_id"].astype(str).to_numpy()})
    for key in STATUSES:
        out[key] = counts[key]
    for key, lists in names.items():
        out[f"{key}_names"] = ["、".join(x) for x in lists]
    return out


def rank_with_policies(
    matcher: Any,
    park_id: str,
    policies: pd.DataFrame,
    *,
    k: int | None = 20,
    min_recommended: int = 0,
    boost: float = 0.0,
    count_possible: bool = False,
    events: pd.DataFrame | None = None,
    as_of: Any = None,
    **rank_kwargs: Any,
) -> pd.DataFrame:
    """Rank a park's leads with policy fit: filter by it, and optionally boost by it.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher.
    park_id : str
    policies : DataFrame
        Policies (the park's are used).
    k : int or None, default=20
        How many rows to return.
    min_recommended : int, default=0
        Keep only enterprises that qualify (推荐) for at least this many policies (with
        ``count_possible``, 可能 counts too).
    boost : float, default=0.0
        Points added to the ranking score per qualifying policy (half for 可能 when
        ``count_possible``). ``score`` stays the fit score (its contributions sum to it);
        ``rank_score = score + policy_bonus`` orders the rows.
    count_possible : bool, default=False
        Count 可能 policies in the filter (and, at half weight, in the boost).
    events, as_of
        As for :func:`match_policies`.
    **rank_kwargs
        Passed to :meth:`Matcher.rank_enterprises` (``include_ineligible``, ``weights`` …).

    Returns
    -------
    DataFrame
        The ranking with ``policies_recommended``, ``policies_possible``, ``policy_names``,
        ``policy_bonus`` and ``rank_score``; the reasons start with the policy fit
        (``政策匹配：符合 3 项政策（…）``). ``attrs["total"]`` counts the rows that qualified.
    """
    if boost < 0 or not math.isfinite(boost):
        raise ConfigError(f"boost 应为不小于 0 的数，得到 {boost!r}")
    if min_recommended < 0:
        raise ConfigError(f"min_recommended 应为不小于 0 的整数，得到 {min_recommended!r}")
    if park_id not in set(matcher.parks_["park_id"].astype(str)):
        from .exceptions import UnknownIdError

        raise UnknownIdError("park", park_id)
    fit = policy_fit(policies, matcher.enterprises_, park_id=park_id, events=events, as_of=as_of)
    n_rec = fit["recommended"].to_numpy()
    n_pos = fit["possible"].to_numpy()
    counted = n_rec + (n_pos if count_possible else 0)
    bonus = boost * (n_rec + (0.5 * n_pos if count_possible else 0.0))
    mask = counted >= min_recommended
    candidates = rank_kwargs.pop("candidates", None)
    if candidates is not None:
        wanted = np.asarray(candidates)
        if wanted.dtype == bool:
            mask &= wanted
        else:
            mask &= fit["enterprise_id"].isin([str(c) for c in wanted.tolist()]).to_numpy()
    offset = max(int(rank_kwargs.pop("offset", 0)), 0)
    need = None if k is None else offset + max(k, 0)
    max_bonus = float(bonus[mask].max()) if mask.any() else 0.0
    position = pd.Index(fit["enterprise_id"])
    pool = need
    while True:
        ranked = matcher.rank_enterprises(park_id, k=pool, candidates=mask, **rank_kwargs)
        total = int(ranked.attrs.get("total", len(ranked)))
        rows = position.get_indexer(ranked["enterprise_id"].astype(str))
        ranked_bonus = bonus[rows]
        rank_score = ranked["score"].to_numpy(dtype=float) + ranked_bonus
        eligible = ranked["eligible"].to_numpy(dtype=bool)
        key = np.where(eligible, 0.0, -1e9) + rank_score
        if pool is None or need is None or len(ranked) >= total or need == 0:
            break
        # a row outside the pool ranks after the pool's last row by (eligible, score), so its
        # key is at most that row's key before the bonus plus the largest bonus
        bound = (0.0 if eligible[-1] else -1e9) + float(ranked["score"].iloc[-1]) + max_bonus
        if np.sort(key)[::-1][need - 1] >= bound:
            break
        pool *= 2
    out = ranked.copy()
    out["policies_recommended"] = n_rec[rows]
    out["policies_possible"] = n_pos[rows]
    out["policy_names"] = fit["recommended_names"].to_numpy()[rows]
    out["policy_bonus"] = ranked_bonus
    out["rank_score"] = rank_score
    out = out.iloc[np.lexsort((np.arange(len(out)), -key))]
    lines = []
    for r in out.itertuples(index=False):
        text = f"政策匹配：符合 {r.policies_recommended} 项政策"
        if r.policies_recommended:
            text += f"（{r.policy_names}）"
        if r.policies_possible:
            text += f"，另有 {r.policies_possible} 项可能符合"
        lines.append(text + (f"；{r.reasons}" if r.reasons else ""))
    out["reasons"] = lines
    end = None if k is None else offset + k
    out = out.iloc[offset:end].reset_index(drop=True)
    out["rank"] = np.arange(offset + 1, offset + 1 + len(out))
    out.attrs["total"] = total
    return out
