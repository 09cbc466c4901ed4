"""Build the reference data files bundled in ``matcher/data/``.

A one-off generator, kept so that the provenance of the bundled tables is reproducible. It reads
the public reference tables in ``shared/reference`` (next to the repository; see each folder's
``SOURCE.txt``) and writes the project's own files, which hold only facts of public standards:

``matcher/data/gbt4754_2017.csv``: ``code,level,name,parent``
    GB/T 4754-2017 国民经济行业分类: every 门类, 大类, 中类 and 小类, plus the 小类 codes added by
    the 2019 第1号修改单 (names only; the 2017 names of existing codes are kept).
``matcher/data/regions.csv``: ``adcode,name,level,parent,lat,lon``
    Province (1), prefecture city (2) and county (3) divisions with a WGS-84 point (5 decimals);
    obvious geocoding failures of the source are corrected (see :func:`build_regions`).
``matcher/data/size_thresholds.csv``:
    ``group,group_name,scope,indicator,large_min,medium_min,small_min``
    Thresholds of 统计上大中小微型企业划分办法(2017); ``scope`` lists GB/T 4754 code prefixes.

Run from the repository root::

    .venv/bin/python tools/build_reference_data.py [--reference PATH] [--out PATH]

The package never reads ``shared/reference`` at run time; the generated files are committed.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference"
DEFAULT_OUT = REPO / "matcher" / "data"

SECTIONS = "ABCDEFGHIJKLMNOPQRST"

#: sector key of the reference table -> GB/T 4754-2017 code prefixes of its scope.
#: 工业 = 采矿业 B + 制造业 C + 电力、热力、燃气及水 D; 交通运输业 excludes 53 铁路运输业;
#: 信息传输业 = 63 + 64; 租赁和商务服务业 = 71 + 72; 其他未列明行业 lists M, N, O, 85 社会工作, R,
#: 703 房地产中介服务 and 709 其他房地产业 (it is also the fallback for every other code).
SIZE_SCOPES: dict[str, tuple[str, ...]] = {
    "A": ("A",),
    "IND": ("B", "C", "D"),
    "E": ("E",),
    "F51": ("51",),
    "F52": ("52",),
    "G_TRANS": ("54", "55", "56", "57", "58"),
    "G59": ("59",),
    "G60": ("60",),
    "H61": ("61",),
    "H62": ("62",),
    "I_INFO": ("63", "64"),
    "I65": ("65",),
    "K7010": ("7010",),
    "K702": ("702",),
    "L": ("71", "72"),
    "OTHER": ("M", "N", "O", "85", "R", "703", "709"),
}

#: Geocodes further than this from the seat-of-government point of the second table are replaced.
SEAT_TOLERANCE_KM = 30.0
#: Units whose geocode is right although the second table's point is far from it.
SEAT_EXEMPT = frozenset({"232700"})  # 大兴安岭地区: seat 加格达奇
#: Counties further than this from their prefecture city's point are geocoding failures.
COUNTY_OUTLIER_KM = 1000.0

#: indicator label prefix in the reference table -> the project's indicator key.
INDICATORS = {"从业人员": "employees", "营业收入": "revenue_wan", "资产总额": "assets_wan"}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            n += 1
    return n


def _industry_sort_key(item: tuple[str, str]) -> tuple[int, str]:
    code, section = item
    return (SECTIONS.index(section), "" if code == section else code)


def build_industries(reference: Path) -> list[tuple[str, int, str, str]]:
    """Rows ``(code, level, name, parent)`` of GB/T 4754-2017 in the standard's order."""
    folder = reference / "gbt4754_2017"
    main = _read(folder / "gbt4754_2017.csv")
    names: dict[str, str] = {}
    sections: dict[str, str] = {}
    for row in main:
        level = int(row["level"])
        code = row["code"]
        expected = {1: row["section"], 2: row["division"], 3: row["group"], 4: row["class"]}[level]
        if code != expected:
            raise ValueError(f"inconsistent row {row['code']!r} {row['name']!r}")
        # The main table repeats 374 (a second row that really is 3741 飞机制造, which the
        # amendment table below supplies); the first row of a code is the right one.
        names.setdefault(code, row["name"])
        sections.setdefault(code, row["section"])
    for row in main:
        group = row["group"]
        if row["level"] == "4" and group not in names:
            # A 中类 with a single 小类 (e.g. 019 / 0190) is only listed as the 小类.
            names[group] = row["name"]
            sections[group] = row["section"]
    # 小类 codes of the 2019 第1号修改单 that the 2017 table does not hold (e.g. 9233).
    for row in _read(folder / "gbt4754_2017_nbs_notes.csv"):
        if row["level"] == "4" and row["code"] not in names:
            names[row["code"]] = row["name"]
            sections[row["code"]] = row["section"]

    out = []
    for code, section in sorted(sections.items(), key=_industry_sort_key):
        level = 1 if code.isalpha() else len(code)
        parent = "" if level == 1 else (section if level == 2 else code[:-1])
        if parent and parent not in names:
            raise ValueError(f"code {code} has no parent {parent}")
        out.append((code, level, names[code], parent))
    return out


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (same formula as ``matcher.geo.haversine_km``)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def build_regions(
    reference: Path, log: list[str] | None = None
) -> list[tuple[str, str, int, str, str, str]]:
    """Rows ``(adcode, name, level, parent, lat, lon)`` of provinces, cities and counties.

    Points are the WGS-84 points of ``region_2020_bd09_with_wgs84.csv`` (Baidu geocodes of the
    names), with two corrections of geocoding failures, each written to ``log``:

    1. A unit that ``geotoolcn_province_city_centers_wgs84.csv`` also lists (provinces,
       prefecture cities and the county-level cities/counties directly under a province) takes
       that table's seat-of-government point when the geocode lies more than
       ``SEAT_TOLERANCE_KM`` from it (e.g. 仙桃/潜江/天门/神农架 geocoded to 武汉, the Hainan
       counties to 海口, 三沙 to 沙市 in Hubei, 铁门关 to Chongqing). 大兴安岭地区 is exempt: its
       geocode is the seat 加格达奇 while the other table's point lies 200 km north.
    2. A county more than ``COUNTY_OUTLIER_KM`` from its prefecture city's point (e.g. 东乡族自治县
       geocoded to Jiangxi) takes the prefecture city's point.
    """
    folder = reference / "admin_divisions"
    rows = _read(folder / "region_2020_bd09_with_wgs84.csv")
    seats = {r["adcode"]: r for r in _read(folder / "geotoolcn_province_city_centers_wgs84.csv")}
    by_code = {row["code"]: row for row in rows}
    points: dict[str, tuple[float, float]] = {}
    out = []
    for row in rows:
        level = int(row["level"])
        if level not in (1, 2, 3):
            continue  # level 9: townships of 东莞/中山/儋州 etc.
        adcode = row["code12"]
        parent = by_code[row["parent_code"]]["code12"] if row["parent_code"] else ""
        lat, lon = float(row["lat_wgs84"]), float(row["lng_wgs84"])
        seat = seats.get(adcode)
        if seat is not None and adcode not in SEAT_EXEMPT and seat["name"] == row["name"]:
            s_lat, s_lon = float(seat["center_lat"]), float(seat["center_lng"])
            d = _km(lat, lon, s_lat, s_lon)
            if d > SEAT_TOLERANCE_KM:
                if log is not None:
                    log.append(
                        f"{adcode} {row['name']}: geocode {d:.0f} km from the seat; seat used"
                    )
                lat, lon = s_lat, s_lon
        if level == 3 and parent in points:
            p_lat, p_lon = points[parent]
            d = _km(lat, lon, p_lat, p_lon)
            if d > COUNTY_OUTLIER_KM:
                if log is not None:
                    log.append(f"{adcode} {row['name']}: {d:.0f} km from its city; city point used")
                lat, lon = p_lat, p_lon
        points[adcode] = (lat, lon)
        out.append((adcode, row["name"], level, parent, f"{lat:.5f}", f"{lon:.5f}"))
    return out


def _scope_tokens(text: str) -> list[str]:
    """Leading code tokens of a reference scope text such as ``'B+C+D (06-46)'``."""
    text = re.sub(r"\([^)]*\)", "", text.replace("Q(社会工作)", "85"))
    return [t for t in re.split(r"[+\s]+", text) if t]


def build_size_thresholds(reference: Path) -> list[tuple[str, str, str, str, int, int, int]]:
    """Rows ``(group, group_name, scope, indicator, large_min, medium_min, small_min)``."""
    rows = _read(reference / "sme_size_thresholds" / "sme_size_thresholds_2017.csv")
    out = []
    for row in rows:
        group = row["sector_key"]
        scope = SIZE_SCOPES[group]
        tokens = _scope_tokens(row["gbt4754_scope"])
        # 租赁和商务服务业 is written as its two divisions rather than the section letter L.
        if tuple(tokens) != (("L",) if group == "L" else scope):
            raise ValueError(f"scope of {group}: {tokens} != {scope}")
        indicator = next(v for k, v in INDICATORS.items() if row["indicator"].startswith(k))
        large, medium, small = (int(row[k]) for k in ("large_min", "medium_min", "small_min"))
        if int(row["micro_below"]) != small or not large > medium > small >= 0:
            raise ValueError(f"unexpected thresholds in {row}")
        out.append((group, row["sector_name"], ";".join(scope), indicator, large, medium, small))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    ref: Path = args.reference
    out: Path = args.out
    if not ref.is_dir():
        parser.error(f"reference folder not found: {ref}")
    log: list[str] = []
    counts = {
        "gbt4754_2017.csv": _write(
            out / "gbt4754_2017.csv", ("code", "level", "name", "parent"), build_industries(ref)
        ),
        "regions.csv": _write(
            out / "regions.csv",
            ("adcode", "name", "level", "parent", "lat", "lon"),
            build_regions(ref, log),
        ),
        "size_thresholds.csv": _write(
            out / "size_thresholds.csv",
            ("group", "group_name", "scope", "indicator", "large_min", "medium_min", "small_min"),
            build_size_thresholds(ref),
        ),
    }
    for line in log:
        sys.stdout.write(f"regions.csv: {line}\n")
    for name, n in counts.items():
        sys.stdout.write(f"wrote {out / name} ({n} rows)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
