"""Canonical columns, Chinese header aliases, validation and normalisation of input tables.

:func:`validate_enterprises` and :func:`validate_parks` take a raw frame (as read by
:func:`matcher.io.read_table`, headers in English or Chinese) and return a validated, normalised
frame with canonical column names, or raise :class:`~matcher.exceptions.SchemaError` listing
every problem found (sheet row, column, value, what was expected). Nothing half-validated is ever
returned. Unknown extra columns are kept unchanged after the canonical ones.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ConfigError, Problem, SchemaError
from ..reference import geo, sizes, taxonomy
from ..reference.creditcode import (
    CREDIT_CODE_CHARSET,
    credit_code_check_digit,
    credit_code_check_digits,
)
from ..text import is_missing, normalize_series, normalize_text
from ._partial import (
    REJECTED_COLUMNS,
    Errors,
    LoadResult,
    check_errors,
    keep_valid,
    loader,
    read_rows,
)
from ._tables import read_table

__all__ = [
    "ENTERPRISE_COLUMNS",
    "LOCATION_PREFERENCES",
    "LOCATION_PREFERENCE_LABELS",
    "PARK_COLUMNS",
    "PARK_TYPES",
    "PARK_TYPE_LABELS",
    "SRDI_LABELS",
    "SRDI_LEVELS",
    "TENANT_COLUMNS",
    "Column",
    "check_known_ids",
    "display_text",
    "load_enterprises",
    "load_parks",
    "load_tenants",
    "park_type_from_name",
    "parse_bool",
    "parse_cells",
    "parse_date",
    "parse_location_preference",
    "parse_park_type",
    "parse_srdi_level",
    "validate_enterprises",
    "validate_frame",
    "validate_parks",
    "validate_tenants",
]

#: 专精特新 levels, weakest first.
SRDI_LEVELS = ("none", "innovative", "provincial", "national")
SRDI_LABELS = {
    "none": "无",
    "innovative": "创新型中小企业",
    "provincial": "省级专精特新中小企业",
    "national": "国家级专精特新“小巨人”",
}

#: Kinds of parks, by the firms they are built for.
PARK_TYPES = ("micro", "specialized", "zone", "incubator", "logistics")
PARK_TYPE_LABELS = {
    "micro": "小微企业园",
    "specialized": "专业园区",
    "zone": "开发区/高新区",
    "incubator": "孵化器/众创空间",
    "logistics": "物流园",
}
#: Where a park looks for tenants: anywhere (default), at home (本地培育) or elsewhere (异地招引).
LOCATION_PREFERENCES = ("any", "local", "remote")
LOCATION_PREFERENCE_LABELS = {"any": "不限", "local": "本地培育", "remote": "异地招引"}


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind, Chinese header and accepted aliases."""

    name: str
    kind: str
    zh: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    doc: str = ""


ENTERPRISE_COLUMNS: tuple[Column, ...] = (
    Column("enterprise_id", "id", "企业编号", ("企业id", "企业代码", "编号", "id"), True),
    Column("name", "name", "企业名称", ("名称", "公司名称", "单位名称"), True),
    Column("credit_code", "credit", "统一社会信用代码", ("信用代码", "社会信用代码", "uscc")),
    Column(
        "industry_code", "code", "行业代码", ("国民经济行业代码", "行业分类代码", "所属行业代码")
    ),
    Column("business_scope", "text", "经营范围", ("scope",)),
    Column("products", "products", "主营产品", ("主要产品", "产品", "主营业务")),
    Column("employees", "int", "从业人员", ("从业人数", "员工人数", "职工人数", "从业人员(人)")),
    Column("revenue_wan", "float", "营业收入(万元)", ("营业收入", "营收(万元)", "营收", "revenue")),
    Column(
        "size_class", "size", "企业规模", ("规模", "企业规模类型", "企业类型(大中小微)", "size")
    ),
    Column("srdi_level", "srdi", "专精特新", ("专精特新等级", "专精特新级别", "srdi")),
    Column("high_tech", "bool", "高新技术企业", ("是否高新技术企业", "高新", "高新企业")),
    Column("patents", "int", "专利数", ("专利数量", "专利", "专利(件)")),
    Column("province", "place", "省", ("省份", "所在省")),
    Column("city", "place", "市", ("城市", "地市", "所在市")),
    Column("county", "place", "区县", ("县区", "县(市、区)", "县(市,区)", "所在区县", "区县(市)")),
    Column("lat", "lat", "纬度", ("latitude",)),
    Column("lon", "lon", "经度", ("longitude", "lng")),
    Column(
        "space_need_sqm",
        "float",
        "需求面积(平方米)",
        ("需求面积", "用地需求(平方米)", "厂房需求(平方米)"),
    ),
)

PARK_COLUMNS: tuple[Column, ...] = (
    Column("park_id", "id", "园区编号", ("园区id", "园区代码", "编号", "id"), True),
    Column("name", "name", "园区名称", ("名称",), True),
    Column("province", "place", "省", ("省份",)),
    Column("city", "place", "市", ("城市", "地市")),
    Column("county", "place", "区县", ("县区", "县(市、区)", "县(市,区)")),
    Column("lat", "lat", "纬度", ("latitude",)),
    Column("lon", "lon", "经度", ("longitude", "lng")),
    Column("leading_industries", "codes", "主导产业", ("主导产业代码", "主导行业")),
    Column("positioning", "text", "产业定位", ("园区定位", "定位")),
    Column(
        "available_sqm", "float", "可用面积(平方米)", ("可用面积", "剩余面积", "可招商面积(平方米)")
    ),
    Column("excluded_industries", "codes", "禁止入驻行业", ("禁止行业", "负面清单行业")),
    Column("park_type", "park_type", "园区类型", ("园区性质", "园区类别", "type")),
    Column(
        "location_preference",
        "location_preference",
        "招引方向",
        ("区位偏好", "招商方向", "招引偏好"),
    ),
)

#: Tenants: which enterprises already sit in which park (one row per pair).
TENANT_COLUMNS: tuple[Column, ...] = (
    Column("park_id", "id", "园区编号", ("园区id", "园区代码"), True),
    Column("enterprise_id", "id", "企业编号", ("企业id", "企业代码"), True),
)

_ENTERPRISE_EXTRA = ("size_class_source", "location_source")
_PARK_EXTRA = ("location_source", "park_type_source")


# ---------------------------------------------------------------------------- header matching
def _header_key(header: object) -> str:
    text = normalize_text(header) or ""
    text = text.lower().replace("*", "").replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", text)


def _alias_map(columns: Sequence[Column]) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in columns:
        for alias in (col.name, col.zh, *col.aliases):
            out.setdefault(_header_key(alias), col.name)
    return out


# ---------------------------------------------------------------------------- value parsers
# Each parser takes a non-missing raw cell and returns the parsed value or raises ValueError
# whose message says what was expected.
_UNITS = re.compile(r"(万元|元|人|名|平方米|平米|㎡|m2|m²|件|项|个)$", re.IGNORECASE)


def _number(raw: object) -> float:
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "").replace(" ", "")
    text = _UNITS.sub("", text)
    try:
        value = float(text)
    except ValueError:
        raise ValueError("数字") from None
    if not math.isfinite(value):
        raise ValueError("有限的数字")
    return value


def _non_negative(raw: object) -> float:
    value = _number(raw)
    if value < 0:
        raise ValueError("不小于 0 的数字")
    return value


#: Largest integer accepted in an integer column (well inside int64; no real count is larger).
MAX_INT = 10**15


def _non_negative_int(raw: object) -> int:
    value = _non_negative(raw)
    if value != int(value):
        raise ValueError("不小于 0 的整数")
    if value > MAX_INT:
        raise ValueError(f"不超过 {MAX_INT:.0e} 的整数")
    return int(value)


def _latitude(raw: object) -> float:
    value = _number(raw)
    if not -90 <= value <= 90:
        hint = "；该值像经度，纬度和经度是否填反了？" if 73 <= value <= 136 else ""
        raise ValueError(f"-90 到 90 之间的纬度（WGS-84）{hint}")
    return value


def _longitude(raw: object) -> float:
    value = _number(raw)
    if not -180 <= value <= 180:
        raise ValueError("-180 到 180 之间的经度（WGS-84）")
    return value


_TRUE = {"是", "true", "t", "yes", "y", "1", "1.0", "有", "√", "高新技术企业", "高新"}
_FALSE = {"否", "false", "f", "no", "n", "0", "0.0", "无", "×", "非", "不是"}


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(raw: object) -> dt.date:
    """Parse ``2023-05-12``, ``2023/5/12``, ``2023.5.12``, ``2023年5月12日`` or ``20230512``.

    A time part after the date (as Excel writes it) is ignored.

    >>> parse_date("2023年5月12日"), parse_date("２０２３/05/12 00:00:00")
    (datetime.date(2023, 5, 12), datetime.date(2023, 5, 12))
    """
    text = normalize_text(raw) or ""
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        raise ValueError("日期，如 2023-05-12、2023/5/12 或 2023年5月12日")
    year, month, day = (int(g) for g in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise ValueError("存在的日期（年月日不合法）") from None
    if not 1949 <= year <= 2100:
        raise ValueError("1949 到 2100 年之间的日期")
    return date


def parse_bool(raw: object) -> bool:
    """Parse 是/否, true/false, yes/no, 1/0.

    >>> parse_bool("是"), parse_bool("FALSE"), parse_bool("１")
    (True, False, True)
    """
    text = (normalize_text(raw) or "").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("是/否、true/false 或 1/0")


def parse_srdi_level(raw: object) -> str:
    """Parse a 专精特新 level written in any of the usual forms.

    >>> [parse_srdi_level(v) for v in ("无", "创新型中小企业", "专精特新中小企业", '国家级专精特新"小巨人"')]
    ['none', 'innovative', 'provincial', 'national']
    """
    text = (normalize_text(raw) or "").lower().replace(" ", "")
    if text in SRDI_LEVELS:
        return text
    if text in {"无", "否", "非", "0", "no", "不是", "-", "/", "none"}:
        return "none"
    if "小巨人" in text or "国家" in text or text == "national":
        return "national"
    if "专精特新" in text or "省" in text:
        return "provincial"
    if "创新型" in text:
        return "innovative"
    raise ValueError(
        "无 / 创新型中小企业 / 省级专精特新 / 国家级专精特新“小巨人”（或 none/innovative/provincial/national）"
    )


def parse_park_type(raw: object) -> str:
    """Parse a park type written in Chinese or English.

    >>> [parse_park_type(v) for v in ("小微企业园", "国家级高新区", "专业园区", "众创空间", "物流园")]
    ['micro', 'zone', 'specialized', 'incubator', 'logistics']
    """
    text = (normalize_text(raw) or "").lower().replace(" ", "")
    if text in PARK_TYPES:
        return text
    found = park_type_from_name(text)
    if found is None:
        raise ValueError(
            "小微企业园 / 专业园区 / 开发区（经开区、高新区） / 孵化器（众创空间） / 物流园"
            "（或 micro/specialized/zone/incubator/logistics）"
        )
    return found


_TYPE_WORDS = (
    ("micro", re.compile(r"小微")),
    ("incubator", re.compile(r"孵化|众创|加速器|创客|创业园|创业中心")),
    ("logistics", re.compile(r"物流园|物流港|物流中心|物流基地|陆港|保税物流")),
    ("zone", re.compile(r"高新|开发区|经开区|高新区|新区|保税区|综保区|自贸|产业集聚区|zone")),
    ("specialized", re.compile(r"产业园|工业园|科技园|园区|基地|专业园|产业城|小镇")),
)


def park_type_from_name(name: object) -> str | None:
    """The park type a name says (…小微企业园, …高新技术产业开发区, …产业园), None if it says none.

    >>> park_type_from_name("巩义市鲁庄镇铝精深加工小微企业园"), park_type_from_name("苏州工业园区")
    ('micro', 'specialized')
    >>> park_type_from_name("武汉经济技术开发区"), park_type_from_name("某某") is None
    ('zone', True)
    """
    text = normalize_text(name) or ""
    for kind, pattern in _TYPE_WORDS:
        if pattern.search(text):
            return kind
    return None


def parse_location_preference(raw: object) -> str:
    """Parse a park's location preference.

    >>> [parse_location_preference(v) for v in ("本地培育", "异地招引", "不限", "remote")]
    ['local', 'remote', 'any', 'remote']
    """
    text = (normalize_text(raw) or "").lower().replace(" ", "")
    if text in LOCATION_PREFERENCES:
        return text
    if "本地" in text or "就近" in text:
        return "local"
    if "异地" in text or "外地" in text or "转移" in text:
        return "remote"
    if text in {"不限", "无", "任意", "都可", "均可"}:
        return "any"
    raise ValueError("不限 / 本地培育 / 异地招引（或 any/local/remote）")


def _credit_code(raw: object) -> str:
    code = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw))).upper()
    if len(code) != 18:
        raise ValueError(f"18 位统一社会信用代码（当前 {len(code)} 位）")
    bad = sorted({c for c in code if c not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValueError(f"仅含数字和大写字母（不含 I、O、Z、S、V），发现 {''.join(bad)}")
    check = credit_code_check_digit(code[:17])
    if code[17] != check:
        raise ValueError(f"校验位正确的统一社会信用代码（按 GB 32100-2015 末位应为 {check}）")
    return code


def _code(raw: object) -> str:
    code = taxonomy.clean_code(raw)
    if code is None:
        raise ValueError("GB/T 4754-2017 行业代码")
    return code


def _codes(raw: object) -> str:
    codes = taxonomy.split_codes(raw)
    return ";".join(dict.fromkeys(codes))


def _size(raw: object) -> str:
    size = sizes.parse_size_class(raw)
    if size is None:
        raise ValueError("大/中/小/微 或 large/medium/small/micro")
    return size


_PRODUCT_SEP = re.compile(r"\s*[;,、]\s*")


def _products(raw: object) -> str:
    text = normalize_text(raw) or ""
    return "、".join(p for p in _PRODUCT_SEP.split(text) if p)


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "credit": _credit_code,
    "code": _code,
    "codes": _codes,
    "int": _non_negative_int,
    "float": _non_negative,
    "size": _size,
    "srdi": parse_srdi_level,
    "bool": parse_bool,
    "lat": _latitude,
    "lon": _longitude,
    "products": _products,
    "park_type": parse_park_type,
    "location_preference": parse_location_preference,
}


def _parse_column(
    series: pd.Series, parser: Callable[[Any], Any]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Parse each distinct non-missing value once.

    Returns the parsed values (object array, None where missing or invalid), the rows whose
    value is invalid, and the expected-text for each of those rows.
    """
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    n_u = len(uniques)
    parsed = np.full(n_u + 1, None, dtype=object)  # last slot: missing (code -1)
    error = np.full(n_u + 1, None, dtype=object)
    batch = _BATCH_PARSERS.get(parser)
    todo = [k for k in range(n_u) if not is_missing(uniques[k])]
    if batch is not None:
        values, errors = batch([uniques[k] for k in todo])
        for k, value, err in zip(todo, values, errors, strict=True):
            parsed[k], error[k] = value, err
    else:
        for k in todo:
            try:
                parsed[k] = parser(uniques[k])
            except ValueError as exc:
                error[k] = str(exc)
    bad_rows = np.flatnonzero(pd.notna(error)[codes])
    return parsed[codes], bad_rows, [str(error[codes[i]]) for i in bad_rows]


def _credit_codes(raws: list[Any]) -> tuple[list[str | None], list[str | None]]:
    """Batch form of :func:`_credit_code` (vectorised check digits)."""
    codes = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(r))).upper() for r in raws]
    expected = credit_code_check_digits(codes)
    values: list[str | None] = []
    errors: list[str | None] = []
    for code, check in zip(codes, expected, strict=True):
        if check and code[17] == check:
            values.append(code)
            errors.append(None)
            continue
        try:
            _credit_code(code)  # the scalar path says precisely what is wrong
        except ValueError as exc:
            values.append(None)
            errors.append(str(exc))
    return values, errors


_BATCH_PARSERS: dict[Callable[[Any], Any], Callable[[list[Any]], tuple[list[Any], list[Any]]]] = {
    _credit_code: _credit_codes,
}


# ---------------------------------------------------------------------------- the validator
def _rename(
    frame: pd.DataFrame, columns: Sequence[Column], file: str | None, problems: list[Problem]
) -> pd.DataFrame:
    aliases = _alias_map(columns)
    rename: dict[str, str] = {}
    seen: dict[str, str] = {}
    for header in frame.columns:
        canonical = aliases.get(_header_key(header))
        if canonical is None:
            continue
        if canonical in seen:
            problems.append(
                Problem(
                    column=str(header),
                    message=f"与列「{seen[canonical]}」重复，都表示 {canonical}",
                    expected="每个字段只出现一列",
                    file=file,
                )
            )
            continue
        seen[canonical] = str(header)
        rename[str(header)] = canonical
    return frame.rename(columns=rename)


def validate_frame(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    *,
    kind: str,
    file: str | None,
    unique: bool = True,
) -> tuple[pd.DataFrame, list[Problem], dict[str, str]]:
    """Rename, parse and check every canonical column; ``unique=False`` skips the id check
    (tables such as events hold many rows per id)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    problems: list[Problem] = []
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    # a rejected-rows file fixed by hand comes back with its problem columns: not data
    frame = frame.drop(columns=[c for c in REJECTED_COLUMNS if c in frame.columns])
    original_headers = list(frame.columns)
    frame = _rename(frame, columns, file, problems)
    header_of = {new: old for old, new in zip(original_headers, frame.columns, strict=True)}
    frame = frame.reset_index(drop=True)
    rows = np.arange(len(frame)) + 2  # the header is row 1 of the sheet

    out = pd.DataFrame(index=frame.index)
    for col in columns:
        shown = header_of.get(col.name, col.zh)
        if col.name not in frame.columns:
            if col.required:
                names = f"{col.name} 或 {col.zh}"
                problems.append(
                    Problem(column=col.zh, message="缺少必填列", expected=names, file=file)
                )
            out[col.name] = pd.Series([None] * len(frame), dtype=object)
            continue
        raw = frame[col.name].astype(object)
        if col.kind in ("id", "name", "text", "place"):
            values = normalize_series(raw)
            if col.kind == "id":
                values = values.map(lambda v: v if v is None else v.replace(" ", ""))
        else:
            parsed, bad_rows, expected = _parse_column(raw, _PARSERS[col.kind])
            values = pd.Series(parsed, index=frame.index, dtype=object)
            for i, why in zip(bad_rows, expected, strict=True):
                problems.append(
                    Problem(
                        column=shown,
                        row=int(rows[i]),
                        value=str(raw.iat[i]),
                        message="取值无效",
                        expected=why,
                        file=file,
                    )
                )
        if col.required:
            for i in np.flatnonzero(values.isna().to_numpy()):
                problems.append(
                    Problem(
                        column=shown,
                        row=int(rows[i]),
                        message="必填项为空",
                        expected=f"非空的{col.zh}",
                        file=file,
                    )
                )
        out[col.name] = values

    id_col = columns[0].name
    key_cols = ["park_id", "enterprise_id"] if kind == "tenants" else [id_col]
    # a tenant row is unique by its (park, enterprise) pair: compared as a pair of values,
    # never as a joined string (a separator can be lost, and "1"+"23" equals "12"+"3")
    keys = out[key_cols].astype(object)
    present = keys.notna().all(axis=1) & unique  # rows of a non-unique table (events) repeat
    first_seen = keys[present].drop_duplicates(keep="first")
    dup_later = present & keys.duplicated(keep="first")
    if dup_later.any():
        first_row = {
            tuple(k): int(rows[i])
            for i, k in zip(first_seen.index, first_seen.itertuples(index=False), strict=True)
        }
        for i in np.flatnonzero(dup_later.to_numpy()):
            key = tuple(keys.iloc[i])
            problems.append(
                Problem(
                    column=header_of.get(id_col, columns[0].zh),
                    row=int(rows[i]),
                    value=" / ".join(str(k) for k in key),
                    message=f"编号重复（与第{first_row[key]}行相同）",
                    expected="每行唯一的编号",
                    file=file,
                )
            )

    if kind != "tenants":
        _check_lat_lon_pairs(frame, rows, header_of, file, problems)
    extras = [c for c in frame.columns if c not in {col.name for col in columns}]
    for c in extras:
        out[c] = frame[c]
    return out, problems, header_of


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def display_text(raw: object) -> str | None:
    """Text shown to people as written: Traditional → Simplified, whitespace trimmed and
    collapsed, Chinese punctuation kept (NFKC would turn ``，`` into ``,``); missing → None.

    >>> display_text("  完成B輪融資，用於擴產 ")
    '完成B轮融资，用于扩产'
    """
    if raw is None or (isinstance(raw, float) and raw != raw) or not str(raw).strip():
        return None
    return " ".join(str(_t2s().convert(str(raw))).split())


def parse_cells(
    out: pd.DataFrame,
    parsers: Sequence[tuple[str, Callable[[Any], Any]]],
    header_of: dict[str, str],
    problems: list[Problem],
    *,
    file: str | None,
) -> dict[str, list[Any]]:
    """Parse columns of a renamed frame cell by cell (missing stays None).

    Each parser takes a non-missing cell and raises ValueError saying what was expected; every
    invalid cell adds a problem (sheet row, column as written in the file). Returns the parsed
    values per column, None where missing or invalid.
    """
    rows = np.arange(len(out)) + 2
    parsed: dict[str, list[Any]] = {}
    for col, parser in parsers:
        values: list[Any] = []
        for i, raw in enumerate(out[col].tolist()):
            if raw is None:
                values.append(None)
                continue
            try:
                values.append(parser(raw))
            except ValueError as exc:
                values.append(None)
                problems.append(
                    Problem(
                        column=header_of.get(col, col),
                        row=int(rows[i]),
                        value=str(raw),
                        message="取值无效",
                        expected=str(exc),
                        file=file,
                    )
                )
        parsed[col] = values
    return parsed


def check_known_ids(
    out: pd.DataFrame,
    col: str,
    known: pd.DataFrame | None,
    label: str,
    header_of: dict[str, str],
    problems: list[Problem],
    *,
    file: str | None,
) -> None:
    """Add a problem for every ``col`` value that is not an id of ``known`` (skipped if None)."""
    if known is None or col not in out:
        return
    ids = set(known[col].astype(str))
    for i, value in enumerate(out[col].tolist()):
        if isinstance(value, str) and value not in ids:
            problems.append(
                Problem(
                    column=header_of.get(col, col),
                    row=i + 2,
                    value=str(value),
                    message=f"编号不在{label}中",
                    expected=f"{label}中已有的编号",
                    file=file,
                )
            )


def _check_lat_lon_pairs(
    frame: pd.DataFrame,
    rows: np.ndarray,
    header_of: dict[str, str],
    file: str | None,
    problems: list[Problem],
) -> None:
    if "lat" not in frame.columns and "lon" not in frame.columns:
        return

    def present(col: str) -> np.ndarray:
        if col not in frame.columns:
            return np.zeros(len(frame), dtype=bool)
        codes, uniques = pd.factorize(frame[col].to_numpy(dtype=object), use_na_sentinel=True)
        known = np.array([not is_missing(u) for u in uniques] + [False], dtype=bool)
        return known[codes]

    has_lat, has_lon = present("lat"), present("lon")
    for i in np.flatnonzero(has_lat ^ has_lon):
        missing = "lon" if has_lat[i] else "lat"
        problems.append(
            Problem(
                column=header_of.get(missing, "经度" if missing == "lon" else "纬度"),
                row=int(rows[i]),
                message="经纬度只填了一个",
                expected="纬度和经度同时填写，或同时留空（按区县自动定位）",
                file=file,
            )
        )


def _fill_locations(out: pd.DataFrame) -> None:
    lat = pd.to_numeric(out["lat"], errors="coerce").to_numpy(dtype=float, copy=True)
    lon = pd.to_numeric(out["lon"], errors="coerce").to_numpy(dtype=float, copy=True)
    todo = ~(np.isfinite(lat) & np.isfinite(lon))
    source = np.full(len(lat), None, dtype=object)
    source[~todo] = "given"
    if todo.any():
        g_lat, g_lon, g_level = geo.get_gazetteer().locate(
            out.loc[todo, "province"].tolist(),
            out.loc[todo, "city"].tolist(),
            out.loc[todo, "county"].tolist(),
        )
        lat[todo] = g_lat
        lon[todo] = g_lon
        source[todo] = [lv if isinstance(lv, str) else None for lv in g_level]
    out["lat"] = lat
    out["lon"] = lon
    out["location_source"] = source


def _finish(out: pd.DataFrame, columns: Sequence[Column], extra: Sequence[str]) -> pd.DataFrame:
    canonical = [c.name for c in columns]
    for col in columns:
        if col.kind in ("int",):
            out[col.name] = pd.array(out[col.name].tolist(), dtype="Int64")
        elif col.kind in ("float", "lat", "lon"):
            out[col.name] = pd.to_numeric(out[col.name], errors="coerce").astype("float64")
        elif col.kind == "bool":
            out[col.name] = pd.array(out[col.name].tolist(), dtype="boolean")
    rest = [c for c in out.columns if c not in canonical and c not in extra]
    return out[[*canonical, *[e for e in extra if e in out.columns], *rest]]


def validate_enterprises(frame: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """Validate and normalise an enterprises table.

    Parameters
    ----------
    frame : DataFrame
        Raw table with English or Chinese headers (see ``ENTERPRISE_COLUMNS``).
    file : str, optional
        The file name to name in problems.

    Returns
    -------
    DataFrame
        Canonical columns first (codes cleaned, texts NFKC + 繁→简, numbers typed), then
        ``size_class_source`` (declared/derived/None) and ``location_source``
        (given/county/city/province/None), then any unknown extra columns unchanged.

    Raises
    ------
    SchemaError
        Listing every problem found; nothing is returned in that case.
    """
    out, problems, _ = validate_frame(frame, ENTERPRISE_COLUMNS, kind="enterprises", file=file)
    if problems:
        raise SchemaError(problems, file=file)
    declared = out["size_class"].notna().to_numpy()
    derived = sizes.classify_sizes(
        out["industry_code"].tolist(),
        pd.to_numeric(out["employees"], errors="coerce").to_numpy(dtype=float),
        pd.to_numeric(out["revenue_wan"], errors="coerce").to_numpy(dtype=float),
    )
    size = np.where(declared, out["size_class"].to_numpy(dtype=object), derived)
    out["size_class"] = size
    size_source = np.full(len(out), None, dtype=object)
    size_source[~pd.isna(derived)] = "derived"
    size_source[declared] = "declared"
    out["size_class_source"] = size_source
    _fill_locations(out)
    result = _finish(out, ENTERPRISE_COLUMNS, _ENTERPRISE_EXTRA)
    result.attrs["parkmatch_schema"] = "enterprises"
    return result


def _park_weight_problems(frame: pd.DataFrame, scorer: Any, *, file: str | None) -> list[Problem]:
    """Each park's ``weight_*`` layer that ``scorer.coef_for`` refuses (unknown family, no
    positive total), as problems; none for a scorer without per-park weights."""
    cols = [c for c in frame.columns if str(c).startswith("weight_")]
    if not cols or not hasattr(scorer, "coef_for"):
        return []
    names = [str(n) for n in getattr(scorer, "feature_names_in_", ())]
    problems = []
    for i, (_, row) in enumerate(frame[cols].iterrows()):
        layer = {str(c).removeprefix("weight_"): float(v) for c, v in row.items() if pd.notna(v)}
        if not layer:
            continue
        try:
            scorer.coef_for(layer)
        except ConfigError as exc:
            problems.append(
                Problem(
                    column=",".join(f"weight_{k}" for k in layer),
                    row=i + 2,
                    value=str(layer),
                    message=f"园区权重无效：{exc}",
                    expected=f"评分维度 {'、'.join(names)} 的非负权重，且不全为 0",
                    file=file,
                )
            )
    return problems


def validate_parks(
    frame: pd.DataFrame, *, file: str | None = None, scorer: Any = None
) -> pd.DataFrame:
    """Validate and normalise a parks table (see ``PARK_COLUMNS``).

    ``leading_industries`` and ``excluded_industries`` come back as cleaned codes joined by
    ``;``. Optional ``weight_<family>`` columns (e.g. ``weight_industry``) hold per-park weight
    overrides and must be non-negative numbers.

    Parameters
    ----------
    frame : DataFrame
        The raw table (Chinese or English headers).
    file : str, default=None
        The file name problems are reported with.
    scorer : Reweightable, default=None
        A scorer taking per-park weights (``coef_for``), e.g. the one that will rank these
        parks or ``matcher.scoring.WeightedScorer().fit()``: each park's weights must then be
        ones it accepts (known families, a positive total), checked once the table is
        otherwise valid. Other scorers take no weights, and nothing more is checked.

    Raises
    ------
    SchemaError
        Listing every problem (file, row, column, value, what was expected).
    """
    out, problems, _ = validate_frame(frame, PARK_COLUMNS, kind="parks", file=file)
    rows = np.arange(len(out)) + 2
    for c in [c for c in out.columns if str(c).startswith("weight_")]:
        parsed, bad_rows, expected = _parse_column(out[c].astype(object), _non_negative)
        for i, why in zip(bad_rows, expected, strict=True):
            problems.append(
                Problem(
                    column=str(c),
                    row=int(rows[i]),
                    value=str(out[c].iat[i]),
                    message="权重无效",
                    expected=why,
                    file=file,
                )
            )
        out[c] = pd.to_numeric(pd.Series(parsed, index=out.index), errors="coerce")
    if problems:
        raise SchemaError(problems, file=file)
    if scorer is not None:
        problems = _park_weight_problems(out, scorer, file=file)
        if problems:
            raise SchemaError(problems, file=file)
    _fill_locations(out)
    named = out["name"].map(park_type_from_name)
    declared = out["park_type"].notna()
    source = pd.Series(None, index=out.index, dtype=object)
    source[named.notna()] = "name"
    source[declared] = "declared"
    out["park_type_source"] = source
    out["park_type"] = out["park_type"].where(declared, named)
    result = _finish(out, PARK_COLUMNS, _PARK_EXTRA)
    result.attrs["parkmatch_schema"] = "parks"
    return result


def load_partial(
    path: str | Path,
    validate: Callable[..., pd.DataFrame],
    *,
    sheet: str | int,
    errors: str,
    **kwargs: Any,
) -> pd.DataFrame | LoadResult:
    """Read ``path`` and run ``validate`` over it, all or nothing or (``errors="skip"``) row
    by row; what every loader of this package does."""
    check_errors(errors)
    name = Path(path).name
    if errors == "skip":
        return keep_valid(read_rows(path, sheet=sheet), validate, file=name, **kwargs)
    return validate(read_table(path, sheet=sheet), file=name, **kwargs)


@loader
def load_enterprises(
    path: str | Path, *, sheet: str | int = 0, errors: Errors = "raise"
) -> pd.DataFrame | LoadResult:
    """Read and validate an enterprises file (see :func:`validate_enterprises`).

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8/GB18030), XLSX or Parquet; Chinese or English headers.
    sheet : str or int, default=0
        Worksheet of an Excel file.
    errors : {"raise", "skip"}, default="raise"
        ``"raise"``: all or nothing, any problem refuses the whole file. ``"skip"``: load the
        valid rows and set the others aside with their problems (a line that does not parse
        included); problems of the whole file (unreadable, a missing required column) still
        raise. See :func:`matcher.io.keep_valid`.

    Returns
    -------
    DataFrame or LoadResult
        The validated table; with ``errors="skip"`` a :class:`~matcher.io.LoadResult` whose
        ``data`` is it and whose ``rejected`` holds every rejected row as written, plus its
        problems, ready to be fixed and imported again.

    Raises
    ------
    SchemaError
        When the file cannot be read or (``errors="raise"``) any row breaks the schema;
        nothing is loaded then.

    Examples
    --------
    >>> result = load_enterprises("registry.xlsx", errors="skip")  # doctest: +SKIP
    >>> result.summary()  # doctest: +SKIP
    'registry.xlsx：已载入 44787 行，拒绝 30 行'
    >>> result.write_rejected("rejected.xlsx")  # doctest: +SKIP
    """
    return load_partial(path, validate_enterprises, sheet=sheet, errors=errors)


@loader
def load_parks(
    path: str | Path, *, sheet: str | int = 0, errors: Errors = "raise"
) -> pd.DataFrame | LoadResult:
    """Read and validate a parks file (see :func:`validate_parks`).

    ``errors`` and the result as for :func:`load_enterprises`: ``"raise"`` (the default) refuses
    the file on any problem, ``"skip"`` returns a :class:`~matcher.io.LoadResult`.
    """
    return load_partial(path, validate_parks, sheet=sheet, errors=errors)


def validate_tenants(
    frame: pd.DataFrame,
    *,
    file: str | None = None,
    parks: pd.DataFrame | None = None,
    enterprises: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Validate a tenants table (``park_id, enterprise_id``; 园区编号, 企业编号).

    When ``parks`` / ``enterprises`` are given, every id must exist in them.
    """
    out, problems, header_of = validate_frame(frame, TENANT_COLUMNS, kind="tenants", file=file)
    rows = np.arange(len(out)) + 2
    for col, known, label in (
        ("park_id", parks, "园区表"),
        ("enterprise_id", enterprises, "企业表"),
    ):
        if known is None or col not in out:
            continue
        ids = set(known[col].astype(str))
        for i in np.flatnonzero(out[col].map(lambda v, s=ids: v is not None and v not in s)):
            problems.append(
                Problem(
                    column=header_of.get(col, col),
                    row=int(rows[i]),
                    value=str(out[col].iat[i]),
                    message=f"编号不在{label}中",
                    expected=f"{label}中已有的编号",
                    file=file,
                )
            )
    if problems:
        raise SchemaError(problems, file=file)
    result = _finish(out, TENANT_COLUMNS, ())
    result.attrs["parkmatch_schema"] = "tenants"
    return result


@loader
def load_tenants(
    path: str | Path, *, sheet: str | int = 0, errors: Errors = "raise"
) -> pd.DataFrame | LoadResult:
    """Read and validate a tenants file (``park_id, enterprise_id``).

    ``errors`` and the result as for :func:`load_enterprises`: ``"raise"`` (the default) refuses
    the file on any problem, ``"skip"`` returns a :class:`~matcher.io.LoadResult`.
    """
    return load_partial(path, validate_tenants, sheet=sheet, errors=errors)
