"""Enterprise size classes of 统计上大中小微型企业划分办法(2017).

The thresholds (国统字〔2017〕213号) are bundled as ``matcher/data/size_thresholds.csv``:
one row per industry group and indicator — 从业人员 ``employees`` (persons), 营业收入
``revenue_wan`` and 资产总额 ``assets_wan`` (万元). The industry group of a GB/T 4754-2017 code
is found by its deepest ancestor listed in a group's ``scope``; codes of no group (e.g. 金融业 J,
铁路运输业 53) fall back to ``OTHER`` (其他未列明行业).

Rules (the official 附注): 大型、中型和小型 must reach the lower bound of *every* indicator listed
for the group, otherwise the enterprise drops one tier (and is tested against that tier);
微型 needs only one indicator below the 小型 lower bound.

Missing indicators: when some of a group's indicators are missing (``None`` or NaN), the class is
decided with the known indicators only; when none of them is known the class is ``None``.
Indicators the group does not list are ignored.

Examples
--------
>>> classify_size("3252", employees=350, revenue_wan=30_000)
'medium'
>>> SIZE_LABELS[classify_size("C3252", employees=25, revenue_wan=250)]
'微型'
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import numpy as np
import numpy.typing as npt
import pandas as pd

from .taxonomy import get_taxonomy

__all__ = [
    "FALLBACK_GROUP",
    "INDICATORS",
    "SIZE_CLASSES",
    "SIZE_LABELS",
    "SizeGroup",
    "classify_size",
    "classify_sizes",
    "parse_size_class",
    "size_group",
    "size_groups",
]

#: Size classes from the largest to the smallest.
SIZE_CLASSES: tuple[str, ...] = ("large", "medium", "small", "micro")
#: Chinese label of each size class.
SIZE_LABELS: dict[str, str] = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
#: Indicator keys and their Chinese names (units: persons, 万元, 万元).
INDICATORS: dict[str, str] = {
    "employees": "从业人员",
    "revenue_wan": "营业收入（万元）",
    "assets_wan": "资产总额（万元）",
}
#: Group of codes that match no other group (其他未列明行业).
FALLBACK_GROUP = "OTHER"

_SIZE_WORDS = {
    "大": "large",
    "中": "medium",
    "小": "small",
    "微": "micro",
    "large": "large",
    "medium": "medium",
    "small": "small",
    "micro": "micro",
}
_CN_SIZE = re.compile(r"([大中小微])型?(?:企业|企業)?")


@dataclass(frozen=True)
class SizeGroup:
    """One industry group of the 2017 size standard.

    ``thresholds`` maps each listed indicator to its lower bounds ``(large, medium, small)``.
    """

    key: str
    name: str
    scope: tuple[str, ...]
    thresholds: dict[str, tuple[float, float, float]]


def _is_missing(raw: object) -> bool:
    if raw is None or raw is pd.NA:
        return True
    if isinstance(raw, float | np.floating):
        return math.isnan(raw)
    return isinstance(raw, str) and not raw.strip()


def parse_size_class(raw: object) -> str | None:
    """Size class key of a label such as ``'中型'``, ``'小型企业'``, ``'微'`` or ``'Large'``.

    Raises
    ------
    ValueError
        For any other text.

    Examples
    --------
    >>> parse_size_class("大型企业"), parse_size_class(" ＳＭＡＬＬ "), parse_size_class(None)
    ('large', 'small', None)
    """
    if _is_missing(raw):
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw))).lower()
    if text in _SIZE_WORDS:
        return _SIZE_WORDS[text]
    match = _CN_SIZE.fullmatch(text)
    if match is not None:
        return _SIZE_WORDS[match.group(1)]
    raise ValueError(
        f"企业规模 {raw!r} 无法识别；应为 大型/中型/小型/微型（或 大/中/小/微、大型企业…、"
        "large/medium/small/micro）"
    )


@lru_cache(maxsize=1)
def size_groups() -> dict[str, SizeGroup]:
    """The bundled size groups, keyed by group key (loaded once).

    Examples
    --------
    >>> g = size_groups()["IND"]
    >>> g.name, g.scope, g.thresholds["employees"]
    ('工业', ('B', 'C', 'D'), (1000.0, 300.0, 20.0))
    """
    text = (files("matcher") / "data" / "size_thresholds.csv").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    scopes: dict[str, tuple[str, ...]] = {}
    thresholds: dict[str, dict[str, tuple[float, float, float]]] = {}
    for row in csv.DictReader(text.splitlines()):
        key = row["group"]
        names[key] = row["group_name"]
        scopes[key] = tuple(c for c in row["scope"].split(";") if c)
        if row["indicator"] not in INDICATORS:
            raise ValueError(f"规模标准表有误：未知指标 {row['indicator']!r}")
        bounds = (float(row["large_min"]), float(row["medium_min"]), float(row["small_min"]))
        thresholds.setdefault(key, {})[row["indicator"]] = bounds
    groups = {key: SizeGroup(key, names[key], scopes[key], thresholds[key]) for key in names}
    if FALLBACK_GROUP not in groups:
        raise ValueError(f"规模标准表有误：缺少兜底行业组 {FALLBACK_GROUP}")
    return groups


@lru_cache(maxsize=1)
def _scope_index() -> dict[str, str]:
    """Scope code -> group key (fallback group excluded)."""
    index: dict[str, str] = {}
    for group in size_groups().values():
        if group.key == FALLBACK_GROUP:
            continue
        for code in group.scope:
            if code in index:
                raise ValueError(
                    f"规模标准表有误：代码 {code} 同时属于 {index[code]} 与 {group.key}"
                )
            index[code] = group.key
    return index


@lru_cache(maxsize=4096)
def _group_of_canonical(code: str) -> str:
    tax = get_taxonomy()
    index = _scope_index()
    for anc in reversed(tax.ancestors(code)):
        if anc in index:
            return index[anc]
    # A code coarser than a group's scope (a 门类 such as F, a 大类 such as 70): the group shared
    # by all its 小类, if there is a single one.
    if tax.level(code) < 4:
        found = {_group_of_canonical(leaf) for leaf in tax.descendants(code, 4)}
        if len(found) == 1:
            return found.pop()
    return FALLBACK_GROUP


def size_group(code: object) -> str:
    """Size group key of an industry code.

    The deepest ancestor of the code listed in a group's scope decides (so ``7010`` →
    ``K7010``, ``7020`` → ``K702``, ``6513`` → ``I65``). A code coarser than the scopes (a bare
    门类 like ``F``, or ``70``) gets the group shared by all its 小类 when unambiguous, else
    ``OTHER``. ``None`` and codes of no group → ``OTHER``.

    Raises
    ------
    ValueError
        If ``code`` is not a GB/T 4754-2017 code.

    Examples
    --------
    >>> size_group("C3252"), size_group("7010"), size_group("F"), size_group("L"), size_group(None)
    ('IND', 'K7010', 'OTHER', 'L', 'OTHER')
    """
    canonical = get_taxonomy().clean(code)
    if canonical is None:
        return FALLBACK_GROUP
    return _group_of_canonical(canonical)


def _check_value(name: str, value: float) -> None:
    if value < 0:
        raise ValueError(f"{INDICATORS[name]} 不能为负数（值：{value!r}）")


def _as_float(raw: object, name: str) -> float:
    if _is_missing(raw):
        return math.nan
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{INDICATORS[name]} 应为数值（值：{raw!r}）") from exc
    if not math.isnan(value):
        _check_value(name, value)
    return value


def classify_size(
    industry_code: object,
    employees: float | None,
    revenue_wan: float | None,
    assets_wan: float | None = None,
) -> str | None:
    """Size class (``'large'``, ``'medium'``, ``'small'``, ``'micro'``) of one enterprise.

    Parameters
    ----------
    industry_code : str or None
        GB/T 4754-2017 code; ``None`` uses the fallback group ``OTHER``.
    employees : float or None
        从业人员 (persons).
    revenue_wan, assets_wan : float or None
        营业收入 and 资产总额 in 万元.

    Returns
    -------
    str or None
        ``None`` when none of the group's indicators is known.

    Examples
    --------
    >>> classify_size("3252", 1_200, 50_000), classify_size("3252", 1_200, 1_000)
    ('large', 'small')
    >>> classify_size("6513", 8, None), classify_size("6513", None, None) is None
    ('micro', True)
    """
    values = {
        "employees": _as_float(employees, "employees"),
        "revenue_wan": _as_float(revenue_wan, "revenue_wan"),
        "assets_wan": _as_float(assets_wan, "assets_wan"),
    }
    group = size_groups()[size_group(industry_code)]
    known = {k: values[k] for k in group.thresholds if not math.isnan(values[k])}
    if not known:
        return None
    for tier, size in enumerate(SIZE_CLASSES[:3]):
        if all(v >= group.thresholds[k][tier] for k, v in known.items()):
            return size
    return "micro"


def _column(values: object, n: int | None, name: str) -> npt.NDArray[np.float64]:
    if values is None:
        if n is None:
            raise ValueError("至少需要提供一列指标数据")
        return np.full(n, np.nan)
    try:
        arr = pd.to_numeric(pd.Series(np.asarray(values, dtype=object).ravel()), errors="raise")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{INDICATORS[name]} 应为数值：{exc}") from exc
    out = np.asarray(arr, dtype=np.float64)
    if n is not None and len(out) != n:
        raise ValueError(f"{INDICATORS[name]} 的长度 {len(out)} 与行业代码的长度 {n} 不一致")
    negative = np.flatnonzero(out < 0)
    if negative.size:
        _check_value(name, float(out[negative[0]]))
    return out


def classify_sizes(
    codes: Sequence[object] | npt.ArrayLike,
    employees: Sequence[float | None] | npt.ArrayLike | None,
    revenue_wan: Sequence[float | None] | npt.ArrayLike | None,
    assets_wan: Sequence[float | None] | npt.ArrayLike | None = None,
) -> npt.NDArray[np.object_]:
    """Vectorised :func:`classify_size` for whole columns.

    Parameters
    ----------
    codes : sequence of str or None
        GB/T 4754-2017 codes (any form :func:`matcher.taxonomy.clean_code` accepts).
    employees, revenue_wan, assets_wan : sequence of float, or None
        Indicator columns of the same length (NaN / ``None`` = missing); ``None`` for a whole
        column that is not available.

    Returns
    -------
    numpy.ndarray of object
        Values from ``SIZE_CLASSES`` or ``None``.

    Raises
    ------
    ValueError
        For an invalid code, a non-numeric or negative indicator, or columns of other lengths.

    Examples
    --------
    >>> classify_sizes(["3252", "3252", "6513", None], [25, 1200, 8, 150], [250, 50000, None, None])
    array(['micro', 'large', 'micro', 'medium'], dtype=object)
    """
    code_arr = np.asarray(codes, dtype=object).ravel()
    n = len(code_arr)
    columns = {
        "employees": _column(employees, n, "employees"),
        "revenue_wan": _column(revenue_wan, n, "revenue_wan"),
        "assets_wan": _column(assets_wan, n, "assets_wan"),
    }
    result = np.full(n, None, dtype=object)
    if n == 0:
        return result
    labels, uniques = pd.factorize(code_arr, use_na_sentinel=True)
    group_of_unique = [size_group(u) for u in uniques]
    group_keys = sorted(set(group_of_unique) | {FALLBACK_GROUP})
    key_index = {k: i for i, k in enumerate(group_keys)}
    # label -1 (missing code) -> fallback group, via the appended last entry
    mapping = np.array([key_index[g] for g in group_of_unique] + [key_index[FALLBACK_GROUP]])
    row_group = mapping[labels]
    tiers = np.array([*SIZE_CLASSES, None], dtype=object)
    for key, gi in key_index.items():
        rows = np.flatnonzero(row_group == gi)
        if rows.size == 0:
            continue
        thresholds = size_groups()[key].thresholds
        known_any = np.zeros(rows.size, dtype=bool)
        tier = np.zeros(rows.size, dtype=np.int8)  # 0 large .. 3 micro
        for indicator, bounds in thresholds.items():
            v = columns[indicator][rows]
            known = ~np.isnan(v)
            known_any |= known
            # tier this indicator alone allows; the class is the lowest over known indicators
            own = np.select([v >= bounds[0], v >= bounds[1], v >= bounds[2]], [0, 1, 2], 3)
            tier = np.where(known, np.maximum(tier, own), tier)
        tier = np.where(known_any, tier, 4)
        result[rows] = tiers[tier]
    return result
