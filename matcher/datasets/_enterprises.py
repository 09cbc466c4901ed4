"""Sample data: the bundled Zhengzhou parks and a reproducible generator of raw enterprise sheets.

:func:`make_enterprises` draws a *raw* enterprise sheet such as an investment-attraction officer
would receive: canonical English headers, every cell a string (or missing), with the noise of real
spreadsheets — codes written as ``3252``/``C3252``/``３２５２``/``32``/``325``, 繁體 rows,
full-width digits, size classes written as ``小型``/``small``/``微``, 专精特新 levels in several
spellings, and most coordinates left blank for the gazetteer to fill. The industries are a
Henan-like mix of GB/T 4754-2017 小类 (see :func:`sample_industries`); the templates (industry
words, scope phrases, products, size and place preferences) are data in ``templates/``.

>>> frame = make_enterprises(4, random_state=7)
>>> frame.shape
(4, 18)
>>> list(frame.columns[:4])
['enterprise_id', 'name', 'credit_code', 'industry_code']
>>> frame["enterprise_id"].tolist()
['E000001', 'E000002', 'E000003', 'E000004']
>>> make_enterprises(4, random_state=7).equals(frame)
True
"""

from __future__ import annotations

import csv
import io
import json
import operator
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..io import ENTERPRISE_COLUMNS, PARK_COLUMNS
from ..reference import sizes, taxonomy
from ..reference.creditcode import CREDIT_CODE_CHARSET

__all__ = [
    "ENTERPRISE_FIELDS",
    "ENTERPRISE_HEADERS_ZH",
    "PARK_FIELDS",
    "PARK_HEADERS_ZH",
    "make_enterprises",
    "sample_industries",
]

#: Columns of a raw enterprise sheet, in order (the canonical schema's).
ENTERPRISE_FIELDS: tuple[str, ...] = tuple(c.name for c in ENTERPRISE_COLUMNS)

#: Columns of the parks file, in order.
PARK_FIELDS: tuple[str, ...] = tuple(c.name for c in PARK_COLUMNS)

#: Chinese headers of the enterprise sheet (used for the ``.xlsx`` sample).
ENTERPRISE_HEADERS_ZH: dict[str, str] = {
    "enterprise_id": "企业编号",
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "industry_code": "行业代码",
    "business_scope": "经营范围",
    "products": "主营产品",
    "employees": "从业人员",
    "revenue_wan": "营业收入(万元)",
    "size_class": "企业规模",
    "srdi_level": "专精特新",
    "high_tech": "高新技术企业",
    "patents": "专利数",
    "province": "省",
    "city": "市",
    "county": "区县",
    "lat": "纬度",
    "lon": "经度",
    "space_need_sqm": "需求面积(平方米)",
}

#: Chinese headers of the parks sheet.
PARK_HEADERS_ZH: dict[str, str] = {
    "park_id": "园区编号",
    "name": "园区名称",
    "province": "省",
    "city": "市",
    "county": "区县",
    "lat": "纬度",
    "lon": "经度",
    "leading_industries": "主导产业",
    "positioning": "产业定位",
    "available_sqm": "可用面积(平方米)",
    "excluded_industries": "禁止入驻行业",
    "park_type": "园区类型",
    "location_preference": "招引方向",
}

Strings = npt.NDArray[np.object_]


# ============================================================================ industry templates
@dataclass(frozen=True)
class _Industry:
    """Template of one GB/T 4754-2017 小类 for the generator (``templates/industries.json``)."""

    code: str
    family: str  # al mat equip elec food garment bio chem soft trade
    weight: float  # share in the mix (relative)
    words: tuple[str, ...]  # 行业词 of firm names
    scope: tuple[str, ...]  # 经营范围 phrases (一般项目 style)
    products: tuple[str, ...]
    employees: tuple[float, float]  # median, sigma of a lognormal
    revenue_per_head: float  # median 万元 per employee
    sqm_per_head: float  # floor space need per employee
    tech: float  # propensity to patents, 高新, 专精特新
    licence: tuple[str, ...] = ()  # 许可项目 phrases
    hot: dict[str, float] = field(default_factory=dict)  # Henan county -> extra weight
    relocation: float = 1.0  # propensity to come from 长三角/珠三角
    hot_far: dict[str, float] = field(default_factory=dict)  # 长三角/珠三角 county -> weight
    zhengzhou: float = 1.0  # weight of each Zhengzhou county in the home bucket

    @property
    def label(self) -> str:
        """The official name of the class (GB/T 4754-2017)."""
        return taxonomy.code_name(self.code)

    @property
    def section(self) -> str:
        """The 门类 letter of the class."""
        return taxonomy.section_of(self.code)

    @property
    def size_group(self) -> str:
        """The group of the 2017 size standard the class belongs to (``IND``, ``F51`` …)."""
        return sizes.size_group(self.code)


@dataclass(frozen=True)
class _Templates:
    """What ``templates/`` holds: industries, name parts, scope phrases and places."""

    industries: tuple[_Industry, ...]
    generic_words: tuple[str, ...]
    decoys: dict[str, tuple[str, ...]]
    zihao_chars: str
    zihao_special: tuple[str, ...]
    common_scope: tuple[str, ...]
    old_common_scope: tuple[str, ...]
    tails: dict[str, str]
    #: (province, city, county or None, adcode, lat, lon, kind): WGS-84 points of the county
    #: seats; kind: zz = 郑州 county, hn = other Henan, far = 长三角/珠三角 source.
    places: tuple[tuple[str, str, str | None, str, float, float, str], ...]


def _read_json(name: str) -> Any:
    return json.loads((files(__package__) / "templates" / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _templates() -> _Templates:
    """The generator's templates, read once from ``matcher/datasets/templates``."""
    industries = tuple(
        _Industry(
            code=row["code"],
            family=row["family"],
            weight=row["weight"],
            words=tuple(row["words"]),
            scope=tuple(row["scope"]),
            products=tuple(row["products"]),
            employees=(row["employees"][0], row["employees"][1]),
            revenue_per_head=row["revenue_per_head"],
            sqm_per_head=row["sqm_per_head"],
            tech=row["tech"],
            licence=tuple(row.get("licence", ())),
            hot=dict(row.get("hot", {})),
            relocation=row.get("relocation", 1.0),
            hot_far=dict(row.get("hot_far", {})),
            zhengzhou=row.get("zhengzhou", 1.0),
        )
        for row in _read_json("industries.json")["industries"]
    )
    names = _read_json("names.json")
    scope = _read_json("scope.json")
    text = (files(__package__) / "templates" / "places.csv").read_text(encoding="utf-8")
    places = tuple(
        (r["province"], r["city"], r["county"] or None, r["adcode"], float(r["lat"]),
         float(r["lon"]), r["kind"])
        for r in csv.DictReader(io.StringIO(text))
    )  # fmt: skip
    return _Templates(
        industries=industries,
        generic_words=tuple(names["generic_words"]),
        decoys={k: tuple(v) for k, v in names["decoys"].items()},
        zihao_chars=names["zihao_chars"],
        zihao_special=tuple(names["zihao_special"]),
        common_scope=tuple(scope["common"]),
        old_common_scope=tuple(scope["old_common"]),
        tails=dict(scope["tails"]),
        places=places,
    )


def sample_industries() -> dict[str, str]:
    """The GB/T 4754-2017 小类 :func:`make_enterprises` draws: code → official name."""
    return {ind.code: ind.label for ind in _templates().industries}


#: Share of manufacturing firms whose name carries a generic 行业词 (科技, 实业 …).
_GENERIC_SHARE = 0.25
_PRODUCT_SEPARATORS = ("、", "；", ";", ",")

#: Shares of the three location buckets (before each industry's relocation propensity).
_HOME, _HENAN, _FAR = 0.70, 0.20, 0.13

_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


# ============================================================================ helpers
def _short(name: str) -> str:
    """``'郑州市'`` -> ``'郑州'``, ``'河南省'`` -> ``'河南'`` (names of 2 characters are kept)."""
    for suffix in ("省", "市", "县"):
        if name.endswith(suffix) and len(name) > 2:
            return name[: -len(suffix)]
    return name


def _objects(values: Iterable[Any]) -> Strings:
    """A 1-D object array of ``values`` (never a 2-D array, even for equal-length strings)."""
    items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _blank(rng: np.random.Generator, values: Strings, rate: float) -> Strings:
    """Set about ``rate`` of the cells to None (in place) and return the array."""
    values[rng.random(len(values)) < rate] = None
    return values


def _pick(rng: np.random.Generator, options: tuple[str, ...], n: int, p: list[float]) -> Strings:
    return _objects(options)[rng.choice(len(options), size=n, p=p)]


def _full_width(rng: np.random.Generator, values: Strings, rate: float) -> Strings:
    """Write the digits of about ``rate`` of the present cells in full width (in place)."""
    hit = (rng.random(len(values)) < rate) & pd.notna(values)
    values[hit] = [str(v).translate(_FULL_WIDTH_DIGITS) for v in values[hit]]
    return values


def _ragged(rows: list[tuple[str, ...]]) -> tuple[Strings, npt.NDArray[np.int64]]:
    """Pad a list of string tuples into a 2-D object array plus the row lengths."""
    width = max(len(r) for r in rows)
    table = np.full((len(rows), width), "", dtype=object)
    for i, r in enumerate(rows):
        table[i, : len(r)] = r
    return table, np.array([len(r) for r in rows], dtype=np.int64)


def _take_ragged(
    rng: np.random.Generator,
    table: Strings,
    lengths: npt.NDArray[np.int64],
    rows: npt.NDArray[np.intp],
) -> Strings:
    """One random element of ``table[r, :lengths[r]]`` for each r in ``rows``."""
    cols = (rng.random(len(rows)) * lengths[rows]).astype(np.intp)
    return table[rows, cols]


def _scope_pool(py: random.Random, k: int, size: int) -> list[str]:
    """``size`` business-scope texts (经营范围) for industry ``k``."""
    t = _templates()
    ind = t.industries[k]
    siblings = [
        p
        for j, other in enumerate(t.industries)
        if j != k and other.family == ind.family
        for p in other.scope
    ]
    pool = []
    for _ in range(size):
        phrases = py.sample(ind.scope, py.randint(2, min(5, len(ind.scope))))
        if siblings and py.random() < 0.12:
            phrases.append(py.choice(siblings))
        old_style = py.random() < 0.3
        commons = t.old_common_scope if old_style else t.common_scope
        phrases += py.sample(commons, py.choices((0, 1, 2), (0.3, 0.45, 0.25))[0])
        if old_style:
            text = "；".join(phrases) + (t.tails["old"] if py.random() < 0.6 else "。")
        else:
            text = "一般项目：" + "；".join(phrases) + t.tails["general"]
            if ind.licence and py.random() < 0.6:
                lic = py.sample(ind.licence, py.randint(1, len(ind.licence)))
                lic.sort(key=ind.licence.index)
                text = "许可项目：" + "；".join(lic) + t.tails["licence"] + text
        pool.append(text)
    return pool


def _product_pool(py: random.Random, k: int, size: int) -> list[str]:
    """``size`` product lists (主营产品) for industry ``k``, with mixed separators."""
    products = _templates().industries[k].products
    pool = []
    for _ in range(size):
        chosen = py.sample(products, py.choices((1, 2, 3, 4), (0.25, 0.35, 0.25, 0.15))[0])
        pool.append(py.choice(_PRODUCT_SEPARATORS).join(chosen))
    return pool


def _place_weights(ind: _Industry) -> npt.NDArray[np.float64]:
    """Probability of each place of the templates as the home of a firm of industry ``ind``."""
    places = _templates().places
    names = [p[2] or p[1] for p in places]
    kind = np.array([p[6] for p in places])
    hot = np.array([ind.hot.get(n, 0.0) for n in names])
    home = np.where(kind == "zz", ind.zhengzhou, 0.0) + hot
    henan = np.where((kind == "hn") & (hot == 0), 1.0, 0.0)
    far = np.where(kind == "far", 1.0, 0.0) + np.array([ind.hot_far.get(n, 0.0) for n in names])
    p_far = min(_FAR * ind.relocation, 0.5)
    p_home = (1 - p_far) * _HOME / (_HOME + _HENAN)
    p_henan = (1 - p_far) * _HENAN / (_HOME + _HENAN)
    weights: npt.NDArray[np.float64] = (
        p_home * home / home.sum() + p_henan * henan / henan.sum() + p_far * far / far.sum()
    )
    return weights / weights.sum()


@lru_cache(maxsize=1)
def _place_weight_table() -> npt.NDArray[np.float64]:
    return np.stack([_place_weights(ind) for ind in _templates().industries])


@lru_cache(maxsize=1)
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def _org_check(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """GB 11714 check character (as a value 0..10, 10 = 'X') of 8-character organisation codes."""
    weights = np.array([3, 7, 9, 10, 5, 8, 4, 2])
    check = 11 - (values * weights).sum(axis=1) % 11
    return np.where(check == 11, 0, check)


def _credit_codes(rng: np.random.Generator, adcodes: Strings) -> Strings:
    """Valid 18-character 统一社会信用代码 ``91`` + adcode + organisation code + check digit."""
    n = len(adcodes)
    charset = np.frombuffer(CREDIT_CODE_CHARSET.encode("ascii"), dtype=np.uint8)
    # value of each credit-code character in the organisation-code (GB 11714) alphabet
    org_value = np.array(
        [int(c) if c.isdigit() else ord(c) - 55 for c in CREDIT_CODE_CHARSET], dtype=np.int64
    )
    body = np.empty((n, 8), dtype=np.int64)  # indices into the credit charset
    new_style = rng.random(n) < 0.6  # 'MA' + 6 characters, issued since 2015
    body[:] = rng.integers(0, 10, size=(n, 8))
    letters = rng.integers(0, len(CREDIT_CODE_CHARSET), size=(n, 6))
    body[new_style, 0] = CREDIT_CODE_CHARSET.index("M")
    body[new_style, 1] = CREDIT_CODE_CHARSET.index("A")
    body[new_style, 2:] = letters[new_style]
    org = _org_check(org_value[body])
    org_char = np.where(org == 10, CREDIT_CODE_CHARSET.index("X"), org)
    digits = np.frombuffer("".join(adcodes.tolist()).encode("ascii"), dtype=np.uint8)
    first = np.empty((n, 17), dtype=np.int64)
    first[:, 0] = 9
    first[:, 1] = 1
    first[:, 2:8] = (digits.reshape(n, 6) - ord("0")).astype(np.int64)
    first[:, 8:16] = body
    first[:, 16] = org_char
    weights = np.array([pow(3, i, 31) for i in range(17)])  # GB 32100-2015 weights
    check = (31 - (first * weights).sum(axis=1) % 31) % 31
    chars = charset[np.concatenate([first, check[:, None]], axis=1)]
    return _objects(chars.view("S18").ravel().astype("U18"))


def _size_tier(
    group: Strings, employees: npt.NDArray[np.float64], revenue: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """0 micro, 1 small, 2 medium, 3 large by the 2017 standard (each tier needs both bounds)."""
    tier = np.zeros(len(group), dtype=np.int64)
    standard = sizes.size_groups()
    for key in sorted(set(group.tolist())):
        emp_bounds = standard[key].thresholds["employees"]
        rev_bounds = standard[key].thresholds["revenue_wan"]
        rows = group == key
        by_emp = sum((employees[rows] >= b).astype(np.int64) for b in emp_bounds)
        by_rev = sum((revenue[rows] >= b).astype(np.int64) for b in rev_bounds)
        tier[rows] = np.minimum(by_emp, by_rev)
    return tier


def _weighted_draw(
    rng: np.random.Generator, weight: npt.NDArray[np.float64], rate: float
) -> npt.NDArray[np.float64]:
    """Per-row probabilities averaging ``rate``, proportional to ``weight`` (capped at 0.9)."""
    mean = float(weight.mean()) if len(weight) else 0.0
    if mean <= 0:
        return np.zeros(len(weight))
    return np.minimum(rate * weight / mean, 0.9)


# ============================================================================ the generator
def make_enterprises(
    n: int, *, random_state: int | np.random.Generator | None = None
) -> pd.DataFrame:
    """Generate a raw enterprise sheet of ``n`` firms (reproducible for a given seed).

    The sheet looks like what an investment-attraction officer receives: every cell is a string
    or missing, nothing is normalised. About 10 % of the industry codes are missing and the rest
    are written as ``3252``, ``C3252``, ``３２５２``, or only the 大类 ``32`` / 中类 ``325``;
    about 5 % of the rows have their name, scope and products in Traditional Chinese; size
    classes, 专精特新 levels and 高新 flags come in mixed spellings; about 70 % of the rows have
    no coordinates (the county locates them). About 3 % of the names are decoys carrying a word
    of another industry (e.g. a food company named ``…铝都食品有限公司``). All credit codes
    present are valid.

    Parameters
    ----------
    n : int
        Number of enterprises (``0`` gives an empty frame with the columns).
    random_state : int, numpy.random.Generator or None, optional
        Seed or generator; the same seed gives the same frame.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ENTERPRISE_FIELDS` in that order.

    Raises
    ------
    ValueError
        If ``n`` is negative.

    Examples
    --------
    >>> sheet = make_enterprises(200, random_state=1)
    >>> sheet["enterprise_id"].is_unique, bool(sheet["credit_code"].str.len().dropna().eq(18).all())
    (True, True)
    >>> sheet.equals(make_enterprises(200, random_state=1))
    True
    """
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = np.random.default_rng(random_state)
    t = _templates()
    industries, places = t.industries, t.places
    if n == 0:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in ENTERPRISE_FIELDS})

    n_ind = len(industries)
    mix = np.array([ind.weight for ind in industries])
    ind_idx = rng.choice(n_ind, size=n, p=mix / mix.sum())

    # ---------------------------------------------------------------- where
    place_idx = np.empty(n, dtype=np.intp)
    weights = _place_weight_table()
    for k in range(n_ind):
        rows = np.flatnonzero(ind_idx == k)
        place_idx[rows] = rng.choice(len(places), size=len(rows), p=weights[k])
    provinces = _objects(p[0] for p in places)
    cities = _objects(p[1] for p in places)
    counties = _objects(p[2] for p in places)
    adcodes = _objects(p[3] for p in places)
    p_lat = np.array([p[4] for p in places])
    p_lon = np.array([p[5] for p in places])

    # ---------------------------------------------------------------- size and quality
    sections = _objects(ind.section for ind in industries)[ind_idx]
    groups = _objects(ind.size_group for ind in industries)[ind_idx]
    emp_median = np.array([ind.employees[0] for ind in industries])[ind_idx]
    emp_sigma = np.array([ind.employees[1] for ind in industries])[ind_idx]
    employees = np.clip(np.rint(emp_median * np.exp(emp_sigma * rng.standard_normal(n))), 1, 30000)
    per_head = np.array([ind.revenue_per_head for ind in industries])[ind_idx]
    revenue = np.maximum(employees * per_head * np.exp(0.6 * rng.standard_normal(n)), 1.0)
    tier = _size_tier(groups, employees, revenue)

    tech = np.array([ind.tech for ind in industries])[ind_idx]
    manufacturing = np.where(sections == "C", 1.0, 0.5)
    srdi_weight = tech * manufacturing * np.array([0.35, 1.0, 1.8, 0.0])[tier]
    p_national = _weighted_draw(rng, srdi_weight, 0.005)
    p_provincial = _weighted_draw(rng, srdi_weight, 0.03)
    p_innovative = _weighted_draw(rng, srdi_weight, 0.06)
    u = rng.random(n)
    srdi = np.select(
        [
            u < p_national,
            u < p_national + p_provincial,
            u < p_national + p_provincial + p_innovative,
        ],
        [3, 2, 1],
        0,
    )
    ht_weight = tech * np.array([0.4, 1.0, 1.6, 1.6])[tier] * np.where(srdi > 0, 3.0, 1.0)
    high_tech = rng.random(n) < _weighted_draw(rng, ht_weight, 0.08)
    patent_rate = (
        0.6
        * tech
        * np.array([0.5, 1.5, 4.0, 10.0])[tier]
        * np.where(high_tech, 4.0, 1.0)
        * np.array([1.0, 3.0, 6.0, 10.0])[srdi]
    )
    patents = rng.poisson(patent_rate)

    sqm_head = np.array([ind.sqm_per_head for ind in industries])[ind_idx]
    space = employees * sqm_head * np.exp(0.45 * rng.standard_normal(n))
    space = np.clip(space, np.where(sections == "C", 200.0, 50.0), 150000.0)
    step = np.select([space >= 10000, space >= 1000], [500, 100], 50)
    space = np.maximum(np.rint(space / step) * step, step)

    # ---------------------------------------------------------------- names
    fams = _objects(ind.family for ind in industries)[ind_idx]
    word_table, word_len = _ragged([ind.words for ind in industries])
    word = _take_ragged(rng, word_table, word_len, ind_idx)
    generic = (rng.random(n) < _GENERIC_SHARE) & (sections == "C")
    word[generic] = _objects(t.generic_words)[
        rng.integers(len(t.generic_words), size=generic.sum())
    ]
    chars = _objects(t.zihao_chars)
    first = rng.integers(len(t.zihao_chars), size=n)
    second = (first + 1 + rng.integers(len(t.zihao_chars) - 1, size=n)) % len(t.zihao_chars)
    zihao = chars[first] + chars[second]
    special = rng.random(n) < 0.15
    zihao[special] = _objects(t.zihao_special)[
        rng.integers(len(t.zihao_special), size=special.sum())
    ]
    decoy = rng.random(n) < 0.03
    family_keys = list(t.decoys)
    decoy_rows = np.flatnonzero(decoy)
    other = rng.integers(len(family_keys) - 1, size=len(decoy_rows))
    for r, o in zip(decoy_rows, other, strict=True):
        others = [f for f in family_keys if f != fams[r]]
        words = t.decoys[others[o % len(others)]]
        zihao[r] = words[int(rng.integers(len(words)))]
        word[r] = industries[ind_idx[r]].words[0]
    # 地名: the county (县/县级市), the city or the province, by how firms are really named
    place_names = np.empty((len(places), 3), dtype=object)
    for i, (prov, city, county, *_rest) in enumerate(places):
        if county is not None and county.endswith(("市", "县")) and prov != city:
            place_names[i] = (county, _short(city), _short(prov))
        else:
            place_names[i] = (_short(city), city, _short(prov))
    place_pick = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    place = place_names[place_idx, place_pick]
    suffix = _pick(rng, ("有限公司", "有限责任公司", "股份有限公司"), n, [0.75, 0.18, 0.07])
    names = place + zihao + word + suffix
    bracket = rng.random(n) < 0.04
    city_short = _objects(_short(c) for c in cities)[place_idx]
    names[bracket] = (
        zihao[bracket] + "（" + city_short[bracket] + "）" + word[bracket] + suffix[bracket]
    )

    # ---------------------------------------------------------------- texts
    pool_size = 96
    py = random.Random(int(rng.integers(2**63)))  # fast scalar draws for the template pools
    scope_table = np.array([_scope_pool(py, k, pool_size) for k in range(n_ind)], dtype=object)
    product_table = np.array([_product_pool(py, k, pool_size) for k in range(n_ind)], dtype=object)
    scope = scope_table[ind_idx, rng.integers(pool_size, size=n)]
    products = product_table[ind_idx, rng.integers(pool_size, size=n)]

    traditional = np.flatnonzero(rng.random(n) < 0.05)
    if len(traditional):
        converter = _s2t()
        memo: dict[str, str] = {}
        for column in (names, scope, products):
            for r in traditional:
                text = column[r]
                if text not in memo:
                    memo[text] = converter.convert(text)
                column[r] = memo[text]

    # ---------------------------------------------------------------- codes
    codes = _objects(ind.code for ind in industries)
    variants = np.stack(
        [
            codes,
            _objects(ind.section + ind.code for ind in industries),
            _objects(c.translate(_FULL_WIDTH_DIGITS) for c in codes),
            _objects(c[:2] for c in codes),
            _objects(c[:3] for c in codes),
        ],
        axis=1,
    )
    form = rng.choice(5, size=n, p=[0.55, 0.15, 0.07, 0.10, 0.13])
    industry_code = _blank(rng, variants[ind_idx, form], 0.10)
    credit = _blank(rng, _credit_codes(rng, adcodes[place_idx]), 0.05)

    # ---------------------------------------------------------------- numbers as written
    emp_text = _full_width(
        rng, _blank(rng, _objects(employees.astype(np.int64).astype(str)), 0.08), 0.02
    )
    decimals = rng.choice(3, size=n, p=[0.4, 0.3, 0.3])
    rev_text = np.empty(n, dtype=object)
    for d in range(3):
        rows = decimals == d
        rev_text[rows] = np.char.mod(f"%.{d}f", np.round(revenue[rows], d)).tolist()
    rev_text = _full_width(rng, _blank(rng, rev_text, 0.12), 0.02)
    patent_text = _full_width(rng, _blank(rng, _objects(patents.astype(str)), 0.10), 0.02)
    space_text = _full_width(
        rng, _blank(rng, _objects(space.astype(np.int64).astype(str)), 0.15), 0.02
    )

    size_forms = (
        ("微型", "微型企业", "微", "micro"),
        ("小型", "小型企业", "小", "small"),
        ("中型", "中型企业", "中", "medium"),
        ("大型", "大型企业", "大", "large"),
    )
    size_table = np.array(size_forms, dtype=object)
    size_text = _blank(rng, size_table[tier, rng.choice(4, size=n, p=[0.4, 0.3, 0.15, 0.15])], 0.20)

    srdi_forms = (
        ("无", "否", "无"),
        ("创新型中小企业", "创新型中小企业", "创新型"),
        ("专精特新中小企业", "省级专精特新", "河南省专精特新中小企业"),
        ('国家级专精特新"小巨人"', "专精特新“小巨人”企业", "国家级专精特新小巨人"),
    )
    srdi_text = np.array(srdi_forms, dtype=object)[srdi, rng.integers(3, size=n)]
    srdi_missing = np.where(srdi == 0, 0.5, 0.05)
    srdi_text[rng.random(n) < srdi_missing] = None

    ht_text = np.where(
        high_tech,
        _pick(rng, ("是", "1", "true"), n, [0.6, 0.2, 0.2]),
        _pick(rng, ("否", "0", "false"), n, [0.6, 0.2, 0.2]),
    ).astype(object)
    ht_text[rng.random(n) < np.where(high_tech, 0.03, 0.25)] = None

    # ---------------------------------------------------------------- places as written
    prov_text = _pick(rng, ("full", "short"), n, [0.9, 0.1])
    prov_text = np.where(
        prov_text == "full", provinces[place_idx], _objects(_short(p) for p in provinces)[place_idx]
    ).astype(object)
    _blank(rng, prov_text, 0.05)
    city_text = np.where(rng.random(n) < 0.15, city_short, cities[place_idx]).astype(object)
    _blank(rng, city_text, 0.03)
    county_short = _objects(
        _short(c) if c is not None and c.endswith(("市", "县")) and len(c) > 2 else c
        for c in counties
    )
    county_text = np.where(
        rng.random(n) < 0.15, county_short[place_idx], counties[place_idx]
    ).astype(object)
    _blank(rng, county_text, 0.04)

    has_point = rng.random(n) < 0.30
    offset = np.clip(rng.normal(0.0, 0.015, size=(n, 2)), -0.035, 0.035)
    lat = p_lat[place_idx] + offset[:, 0]
    lon = p_lon[place_idx] + offset[:, 1]
    lat_text = np.full(n, None, dtype=object)
    lon_text = np.full(n, None, dtype=object)
    lat_text[has_point] = np.char.mod("%.6f", lat[has_point]).tolist()
    lon_text[has_point] = np.char.mod("%.6f", lon[has_point]).tolist()

    width = max(6, len(str(n)))
    ids = _objects(f"E{i:0{width}d}" for i in range(1, n + 1))

    columns: dict[str, Strings] = {
        "enterprise_id": ids,
        "name": names,
        "credit_code": credit,
        "industry_code": industry_code,
        "business_scope": _blank(rng, scope, 0.05),
        "products": _blank(rng, products, 0.10),
        "employees": emp_text,
        "revenue_wan": rev_text,
        "size_class": size_text,
        "srdi_level": srdi_text,
        "high_tech": ht_text,
        "patents": patent_text,
        "province": prov_text,
        "city": city_text,
        "county": county_text,
        "lat": lat_text,
        "lon": lon_text,
        "space_need_sqm": space_text,
    }
    return pd.DataFrame(columns, columns=list(ENTERPRISE_FIELDS))
