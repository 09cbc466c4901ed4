"""Place names to WGS-84 points, and great-circle distances.

The gazetteer is bundled as ``matcher/data/regions.csv`` (province, prefecture city and county
divisions of mainland China, as of 2020, with one WGS-84 point each; built by
``tools/build_reference_data.py``). Points are approximate centres; a prefecture city's point
is often the point of its main district.

Examples
--------
>>> lat, lon, level = get_gazetteer().lookup(province="河南省", city="郑州市", county="巩义市")
>>> round(lat, 3), round(lon, 3), level
(34.749, 113.016, 'county')
>>> round(float(haversine_km(34.749, 113.016, 34.455, 113.044)), 1)
32.8
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
import opencc
import pandas as pd

__all__ = [
    "EARTH_RADIUS_KM",
    "Gazetteer",
    "Region",
    "get_gazetteer",
    "haversine_km",
    "normalize_place",
    "place_key",
]

#: Mean earth radius (IUGG), km.
EARTH_RADIUS_KM = 6371.0088

#: Administrative suffixes removed to match names loosely, longest first.
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "新区",
    "林区",
    "特区",
    "矿区",
    "省",
    "市",
    "县",
    "区",
    "旗",
    "盟",
)
_ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 "
    "塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
#: Ethnic names, with 族, that may stand before an administrative suffix (广西壮族自治区 → 广西).
_ETHNIC_SUFFIXES = tuple(sorted((f"{e}族" for e in _ETHNIC), key=len, reverse=True))
#: Ethnic names written without 族 before 自治 (新疆维吾尔自治区, 巴音郭楞蒙古自治州).
_ETHNIC_BARE = ("柯尔克孜", "维吾尔", "哈萨克", "塔吉克", "鄂伦春", "蒙古", "锡伯")
#: Level-2 rows that are not cities (municipality districts, directly administered counties).
_NOT_A_CITY = re.compile(r"^(市辖区|县|.*直辖县级行政区划)$")
_LEVEL_NAMES = {1: "province", 2: "city", 3: "county"}


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalize_place(raw: object) -> str | None:
    """NFKC, Traditional→Simplified and no whitespace; ``None`` for missing values.

    Examples
    --------
    >>> normalize_place(" 鄭州市 "), normalize_place(float("nan"))
    ('郑州市', None)
    """
    if raw is None or raw is pd.NA:
        return None
    if isinstance(raw, float) and math.isnan(raw):
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(raw)))
    if not text:
        return None
    return str(_t2s().convert(text))


def place_key(name: str) -> str:
    """Loose key of a normalised place name: administrative and ethnic suffixes removed.

    A suffix is only removed when at least two characters remain.

    Examples
    --------
    >>> place_key("广西壮族自治区"), place_key("巩义市"), place_key("管城回族区"), place_key("矿区")
    ('广西', '巩义', '管城', '矿区')
    >>> place_key("新疆维吾尔自治区"), place_key("恩施土家族苗族自治州"), place_key("浦东新区")
    ('新疆', '恩施', '浦东')
    """
    key = name
    autonomous = False
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            autonomous = suffix.startswith("自治")
            key = key[: -len(suffix)]
            break
    stripped = True
    while stripped:
        stripped = False
        for suffix in _ETHNIC_SUFFIXES + (_ETHNIC_BARE if autonomous else ()):
            if key.endswith(suffix) and len(key) - len(suffix) >= 2:
                key = key[: -len(suffix)]
                stripped = True
                break
    return key


@dataclass(frozen=True)
class Region:
    """One administrative division of the gazetteer."""

    adcode: str
    name: str
    level: int
    parent: str | None
    lat: float
    lon: float


class Gazetteer:
    """Resolve province / city / county names to points.

    Names are matched exactly first, then loosely by :func:`place_key` (so ``'巩义'`` finds
    巩义市 and ``'广西'`` finds 广西壮族自治区), after NFKC and Traditional→Simplified conversion.

    Parameters
    ----------
    regions : sequence of Region
        Provinces (level 1), prefecture cities (level 2) and counties (level 3).

    Examples
    --------
    >>> gaz = get_gazetteer()
    >>> gaz.lookup(county="巩义")[2], gaz.lookup(city="北京市")[2], gaz.lookup(province="广西")[2]
    ('county', 'city', 'province')
    >>> gaz.lookup(county="鼓楼区") is None
    True
    """

    def __init__(self, regions: Sequence[Region]) -> None:
        self.regions: dict[str, Region] = {r.adcode: r for r in regions}
        self._exact: dict[int, dict[str, list[Region]]] = {1: {}, 2: {}, 3: {}}
        self._loose: dict[int, dict[str, list[Region]]] = {1: {}, 2: {}, 3: {}}
        self._children: dict[str, list[Region]] = {}
        for region in regions:
            if region.parent:
                self._children.setdefault(region.parent, []).append(region)
            if region.level == 2 and _NOT_A_CITY.match(region.name):
                continue
            name = normalize_place(region.name)
            if name is None:
                continue
            self._exact[region.level].setdefault(name, []).append(region)
            self._loose[region.level].setdefault(place_key(name), []).append(region)
        self._cache: dict[tuple[str | None, str | None, str | None], _Hit | None] = {}

    @classmethod
    def from_csv(cls, text: str) -> Gazetteer:
        """Build from the text of an ``adcode,name,level,parent,lat,lon`` CSV file."""
        rows = [
            Region(
                adcode=r["adcode"],
                name=r["name"],
                level=int(r["level"]),
                parent=r["parent"] or None,
                lat=float(r["lat"]),
                lon=float(r["lon"]),
            )
            for r in csv.DictReader(text.splitlines())
        ]
        return cls(rows)

    def __len__(self) -> int:
        return len(self.regions)

    def place_names(self) -> frozenset[str]:
        """Every province, city and county name, full and loose (郑州市 and 郑州).

        Used to find the 行政区划 part of an enterprise name.

        >>> {"巩义市", "巩义", "河南省", "河南"} <= get_gazetteer().place_names()
        True
        """
        names: set[str] = set()
        for level in (1, 2, 3):
            names.update(self._exact[level])
            names.update(k for k in self._loose[level] if len(k) >= 2)
        return frozenset(names)

    def _match(self, level: int, name: str) -> list[Region]:
        return self._exact[level].get(name) or self._loose[level].get(place_key(name), [])

    def _province(self, name: str) -> Region | None:
        found = self._match(1, name)
        return found[0] if len(found) == 1 else None

    def _cities(self, name: str, province: Region | None) -> tuple[Region | None, set[str]]:
        """The city named ``name`` (a point and the adcodes of its level-2 rows)."""
        found = [r for r in self._match(2, name) if _within(r, province)]
        if len(found) == 1:
            return found[0], {found[0].adcode}
        if found:
            return None, set()
        # A municipality or SAR written as a city: 北京市, 上海, 香港.
        muni = self._province(name)
        if muni is not None and _within(muni, province):
            kids = self._children.get(muni.adcode, [])
            if muni.name.endswith("市") or muni.name.endswith("特别行政区"):
                return muni, {r.adcode for r in kids if r.level == 2}
        return None, set()

    def _counties(self, name: str, province: Region | None, cities: set[str]) -> list[Region]:
        found = self._match(3, name)
        if cities:
            return [r for r in found if r.parent in cities]
        return [r for r in found if _within(r, province)]

    def lookup(
        self, province: object = None, city: object = None, county: object = None
    ) -> tuple[float, float, str] | None:
        """Point of the most specific place that resolves.

        Parameters
        ----------
        province, city, county : str or None
            Names in any usual form (``'河南省'``/``'河南'``, ``'巩义市'``/``'巩义'``, Traditional
            characters, full-width characters). Blank and NaN count as not given.

        Returns
        -------
        (lat, lon, level) or None
            ``level`` is ``'county'``, ``'city'`` or ``'province'``: the level of the point
            returned. A county name shared by several places (鼓楼区) is resolved by the city or
            province given; if it stays ambiguous — or contradicts the city / province given — the
            city point (else the province point) is returned. ``None`` when nothing resolves.

        Examples
        --------
        >>> gaz = get_gazetteer()
        >>> lat, lon, level = gaz.lookup(city="郑州", county="二七区")
        >>> round(lat, 2), round(lon, 2), level
        (34.75, 113.62, 'county')
        >>> gaz.lookup(province="上海", county="浦东新区")[2]
        'county'
        >>> gaz.lookup(city="福州", county="鼓楼区") != gaz.lookup(city="南京", county="鼓楼区")
        True
        """
        key = (normalize_place(province), normalize_place(city), normalize_place(county))
        if key not in self._cache:
            self._cache[key] = self._lookup(*key)
        hit = self._cache[key]
        return None if hit is None else (hit.region.lat, hit.region.lon, hit.level)

    def lookup_region(
        self, province: object = None, city: object = None, county: object = None
    ) -> Region | None:
        """Like :meth:`lookup` but returns the matched :class:`Region`.

        Examples
        --------
        >>> get_gazetteer().lookup_region(county="登封").adcode
        '410185'
        """
        key = (normalize_place(province), normalize_place(city), normalize_place(county))
        if key not in self._cache:
            self._cache[key] = self._lookup(*key)
        hit = self._cache[key]
        return None if hit is None else hit.region

    def _lookup(self, p_name: str | None, c_name: str | None, k_name: str | None) -> _Hit | None:
        prov = self._province(p_name) if p_name else None
        city: Region | None = None
        city_codes: set[str] = set()
        city_as_county: Region | None = None
        if c_name:
            city, city_codes = self._cities(c_name, prov)
            if city is None:
                # A county-level city in the city column (济源, 仙桃 …, or 巩义).
                found = self._counties(c_name, prov, set())
                if len(found) == 1:
                    city_as_county = found[0]
        if k_name:
            found = self._counties(k_name, prov, city_codes)
            if len(found) == 1:
                return _Hit(found[0], "county")
            if not found and city is None and city_as_county is None and not c_name:
                # A prefecture city written in the county column.
                as_city, _ = self._cities(k_name, prov)
                if as_city is not None:
                    return _Hit(as_city, "city")
        if city is not None:
            return _Hit(city, "city")
        if city_as_county is not None:
            return _Hit(city_as_county, "county")
        if prov is not None:
            return _Hit(prov, "province")
        return None

    def region_codes(
        self,
        provinces: Sequence[object] | npt.ArrayLike,
        cities: Sequence[object] | npt.ArrayLike,
        counties: Sequence[object] | npt.ArrayLike,
    ) -> npt.NDArray[np.int32]:
        """The 6-digit adcode of the most specific place of each row that resolves (0 where none),
        each distinct (province, city, county) resolved once.

        The first two digits name the province, the first four the prefecture city.

        Examples
        --------
        >>> get_gazetteer().region_codes(["河南", None, None], ["郑州", "上海", None], ["登封", None, None]).tolist()
        [410185, 310000, 0]
        """
        columns = [np.asarray(v, dtype=object).ravel() for v in (provinces, cities, counties)]
        # each column's distinct values (missing ones, None / NaN / NA, all read as None, as
        # lookup_region reads them), then each distinct (province, city, county) as one integer
        codes: list[np.ndarray] = []
        values: list[list[object]] = []
        key = np.zeros(len(columns[0]), dtype=np.int64)
        for column in columns:
            code, uniques = pd.factorize(column, use_na_sentinel=True)
            codes.append(code.astype(np.int64) + 1)
            values.append([None, *uniques.tolist()])
            key = pd.factorize(key * len(values[-1]) + codes[-1])[0].astype(np.int64)
        _, first = np.unique(key, return_index=True)
        table = np.zeros(len(first), dtype=np.int32)
        for i, row in enumerate(first.tolist()):
            region = self.lookup_region(
                *(v[int(c[row])] for v, c in zip(values, codes, strict=True))
            )
            table[i] = int(region.adcode) if region is not None else 0
        return table[key]

    def locate(
        self,
        provinces: Sequence[object] | npt.ArrayLike | None,
        cities: Sequence[object] | npt.ArrayLike | None,
        counties: Sequence[object] | npt.ArrayLike | None,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.object_]]:
        """:meth:`lookup` for whole columns, resolving each distinct triple once.

        Parameters
        ----------
        provinces, cities, counties : sequence of str, or None
            Columns of the same length; ``None`` for a column that is not available.

        Returns
        -------
        lat, lon : numpy.ndarray of float64
            NaN where nothing resolves.
        level : numpy.ndarray of object
            ``'county'``, ``'city'``, ``'province'`` or ``None``.

        Examples
        --------
        >>> gaz = get_gazetteer()
        >>> lat, lon, level = gaz.locate(["河南", None], ["郑州", "上海"], ["登封", None])
        >>> lat.round(2).tolist(), level.tolist()
        ([34.45, 31.23], ['county', 'city'])
        """
        given = [c for c in (provinces, cities, counties) if c is not None]
        if not given:
            raise ValueError("省、市、区县三列至少需要提供一列")
        n = len(np.asarray(given[0], dtype=object).ravel())
        columns: dict[str, npt.NDArray[np.object_]] = {}
        for label, values in (("province", provinces), ("city", cities), ("county", counties)):
            if values is None:
                columns[label] = np.full(n, "", dtype=object)
                continue
            arr = np.asarray(values, dtype=object).ravel()
            if len(arr) != n:
                raise ValueError(f"地名列长度不一致：{label} 列为 {len(arr)}，应为 {n}")
            columns[label] = arr
        if n == 0:
            return np.empty(0), np.empty(0), np.empty(0, dtype=object)
        frame = pd.DataFrame(columns).fillna("").astype(str)
        keys = frame["province"] + "\x1f" + frame["city"] + "\x1f" + frame["county"]
        codes, uniques = pd.factorize(keys)
        u_lat = np.full(len(uniques), np.nan)
        u_lon = np.full(len(uniques), np.nan)
        u_level = np.full(len(uniques), None, dtype=object)
        for i, key in enumerate(uniques):
            hit = self.lookup(*str(key).split("\x1f"))
            if hit is not None:
                u_lat[i], u_lon[i], u_level[i] = hit
        return u_lat[codes], u_lon[codes], u_level[codes]


@dataclass(frozen=True)
class _Hit:
    region: Region
    level: str


def _within(region: Region, province: Region | None) -> bool:
    return province is None or region.adcode[:2] == province.adcode[:2]


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The bundled gazetteer (loaded once).

    Examples
    --------
    >>> get_gazetteer() is get_gazetteer()
    True
    """
    text = (files("matcher") / "data" / "regions.csv").read_text(encoding="utf-8")
    return Gazetteer.from_csv(text)


def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> np.float64 | npt.NDArray[np.float64]:
    """Great-circle distance in km between points given in degrees (numpy broadcasting).

    Uses the mean earth radius ``EARTH_RADIUS_KM`` (6371.0088 km).

    Examples
    --------
    >>> round(float(haversine_km(34.7472, 113.6250, 31.2304, 121.4737)))
    830
    >>> haversine_km([34.749, 34.455], [113.016, 113.044], 34.749, 113.016).round(1).tolist()
    [0.0, 32.8]
    """
    phi1 = np.radians(np.asarray(lat1, dtype=np.float64))
    phi2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lon2, dtype=np.float64)) - np.radians(
        np.asarray(lon1, dtype=np.float64)
    )
    a = np.sin(dphi / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2.0) ** 2
    dist = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    if np.ndim(dist) == 0:
        return np.float64(dist)
    return np.asarray(dist, dtype=np.float64)
