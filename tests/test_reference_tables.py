"""Compare the bundled data files with the public reference tables in ``shared/reference``.

The reference folder sits next to the repository (``<repo>/../shared/reference``); these tests
are skipped when it is absent. The package itself never reads it.
"""

from __future__ import annotations

import csv
from importlib.resources import files
from pathlib import Path

import pytest

from matcher.reference.geo import get_gazetteer, haversine_km
from matcher.reference.sizes import size_groups
from matcher.reference.taxonomy import get_taxonomy

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def _reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"reference table not available: {path}")
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _bundled(name: str) -> list[dict[str, str]]:
    text = (files("matcher") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_bundled_files_are_plain_utf8() -> None:
    for name in ("gbt4754_2017.csv", "regions.csv", "size_thresholds.csv"):
        raw = (files("matcher") / "data" / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), name
        raw.decode("utf-8")
        assert b"\r\n" not in raw, name


def test_industry_codes_and_names() -> None:
    rows = _read(_reference("gbt4754_2017", "gbt4754_2017.csv"))
    tax = get_taxonomy()
    expected: dict[str, str] = {}
    for row in rows:
        # the reference repeats 374 (its second row is really 3741); the first row is right
        expected.setdefault(row["code"], row["name"].strip())
    for row in rows:
        if row["level"] == "4":
            expected.setdefault(row["group"], row["name"].strip())  # derived 中类
    for code, name in expected.items():
        assert tax.names.get(code) == name, code
    levels = {lv: set(tax.codes_at_level(lv)) for lv in (1, 2, 3, 4)}
    assert len(levels[1]) == 20
    assert len(levels[2]) == 97
    assert len(levels[3]) == 473
    assert len(levels[4]) >= 1380
    ref_classes = {r["class"] for r in rows if r["level"] == "4"}
    assert len(ref_classes) == 1380
    assert ref_classes <= levels[4]
    for row in rows:
        if row["level"] == "4":
            assert tax.ancestors(row["class"]) == (
                row["section"],
                row["division"],
                row["group"],
                row["class"],
            )


def test_industry_amendment_codes() -> None:
    rows = _read(_reference("gbt4754_2017", "gbt4754_2017_nbs_notes.csv"))
    tax = get_taxonomy()
    notes = {r["code"]: r for r in rows}
    for level in (1, 2, 3, 4):
        assert {c for c, r in notes.items() if r["level"] == str(level)} == set(
            tax.codes_at_level(level)
        ), level
    for code in tax.codes_at_level(4):
        assert tax.parent(code) == notes[code]["parent"]
    assert tax.names["9233"] == notes["9233"]["name"].strip()
    assert tax.names["3741"] == notes["3741"]["name"].strip()


def test_size_thresholds() -> None:
    rows = _read(_reference("sme_size_thresholds", "sme_size_thresholds_2017.csv"))
    indicator = {"从业人员": "employees", "营业收入": "revenue_wan", "资产总额": "assets_wan"}
    expected: dict[str, dict[str, tuple[float, float, float]]] = {}
    for row in rows:
        key = next(v for k, v in indicator.items() if row["indicator"].startswith(k))
        bounds = (float(row["large_min"]), float(row["medium_min"]), float(row["small_min"]))
        assert float(row["micro_below"]) == bounds[2]
        expected.setdefault(row["sector_key"], {})[key] = bounds
    groups = size_groups()
    assert {k: g.thresholds for k, g in groups.items()} == expected
    names = {row["sector_key"]: row["sector_name"] for row in rows}
    assert {k: g.name for k, g in groups.items()} == names


def test_regions() -> None:
    rows = _read(_reference("admin_divisions", "region_2020_bd09_with_wgs84.csv"))
    gaz = get_gazetteer()
    by_code = {r["code"]: r for r in rows}
    kept = [r for r in rows if r["level"] in ("1", "2", "3")]
    assert len(gaz.regions) == len(kept)
    for row in kept:
        region = gaz.regions[row["code12"]]
        assert region.name == row["name"]
        assert region.level == int(row["level"])
        parent = by_code[row["parent_code"]]["code12"] if row["parent_code"] else None
        assert region.parent == parent


def test_henan_county_points() -> None:
    rows = _read(_reference("admin_divisions", "region_2020_bd09_with_wgs84.csv"))
    gaz = get_gazetteer()
    henan = [r for r in rows if r["level"] == "3" and r["code12"].startswith("41")]
    assert len(henan) > 150
    for row in henan:
        region = gaz.regions[row["code12"]]
        d = haversine_km(region.lat, region.lon, float(row["lat_wgs84"]), float(row["lng_wgs84"]))
        assert float(d) < 1.0, row["name"]
    gongyi = gaz.regions["410181"]
    assert (round(gongyi.lat, 3), round(gongyi.lon, 3)) == (34.749, 113.016)
    dengfeng = gaz.regions["410185"]
    assert (round(dengfeng.lat, 3), round(dengfeng.lon, 3)) == (34.455, 113.044)


def test_points_near_seats_of_government() -> None:
    """Province and city points lie near the seat-of-government points of the second table."""
    rows = _read(_reference("admin_divisions", "geotoolcn_province_city_centers_wgs84.csv"))
    gaz = get_gazetteer()
    checked = 0
    for row in rows:
        region = gaz.regions.get(row["adcode"])
        if region is None or region.adcode == "232700":  # 大兴安岭: seat 加格达奇 is right
            continue
        d = haversine_km(region.lat, region.lon, float(row["center_lat"]), float(row["center_lng"]))
        assert float(d) < 30.0, (row["name"], float(d))
        checked += 1
    assert checked > 380


def test_points_follow_the_sources() -> None:
    """Every point is the geocode of the source, or a documented correction of it."""
    rows = _read(_reference("admin_divisions", "region_2020_bd09_with_wgs84.csv"))
    seats = {
        r["adcode"]: (float(r["center_lat"]), float(r["center_lng"]))
        for r in _read(_reference("admin_divisions", "geotoolcn_province_city_centers_wgs84.csv"))
    }
    gaz = get_gazetteer()
    corrected = []
    for row in rows:
        if row["level"] not in ("1", "2", "3"):
            continue
        region = gaz.regions[row["code12"]]
        point = (region.lat, region.lon)
        if float(haversine_km(*point, float(row["lat_wgs84"]), float(row["lng_wgs84"]))) < 1.0:
            continue
        corrected.append(region.adcode)
        alternatives = [seats.get(region.adcode)]
        if region.parent:
            parent = gaz.regions[region.parent]
            alternatives.append((parent.lat, parent.lon))
        assert any(
            alt is not None and float(haversine_km(*point, *alt)) < 1.0 for alt in alternatives
        ), region.name
    assert 0 < len(corrected) <= 40
    assert {"429004", "469007", "622926", "659006"} <= set(corrected)
