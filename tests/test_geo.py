"""Tests of matcher.geo (gazetteer and distances)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from matcher.reference.geo import (
    EARTH_RADIUS_KM,
    Gazetteer,
    Region,
    get_gazetteer,
    haversine_km,
    normalize_place,
    place_key,
)

GONGYI = (34.749, 113.016)
DENGFENG = (34.455, 113.044)


def test_haversine_known_distances() -> None:
    assert float(haversine_km(*GONGYI, *DENGFENG)) == pytest.approx(32.8, abs=0.3)
    # 郑州 -> 上海
    assert float(haversine_km(34.7472, 113.6250, 31.2304, 121.4737)) == pytest.approx(830, abs=10)
    # a quarter of a great circle
    assert float(haversine_km(0, 0, 0, 90)) == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM)
    assert float(haversine_km(10, 20, 10, 20)) == 0.0
    assert float(haversine_km(90, 0, -90, 0)) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_haversine_broadcasts() -> None:
    lat = np.array([[34.749], [34.455]])
    lon = np.array([[113.016], [113.044]])
    d = haversine_km(lat, lon, np.array([34.749, 34.455]), np.array([113.016, 113.044]))
    assert isinstance(d, np.ndarray)
    assert d.shape == (2, 2)
    np.testing.assert_allclose(np.diag(d), 0.0, atol=1e-9)
    np.testing.assert_allclose(d, d.T)
    assert d[0, 1] == pytest.approx(32.8, abs=0.3)
    scalar = haversine_km(0.0, 0.0, 1.0, 0.0)
    assert isinstance(scalar, np.float64)
    assert float(scalar) == pytest.approx(111.195, abs=0.01)


def test_normalize_place_and_key() -> None:
    assert normalize_place("鞏義市") == "巩义市"
    assert normalize_place(" 郑州　市 ") == "郑州市"
    assert normalize_place(None) is None
    assert normalize_place(float("nan")) is None
    assert normalize_place("  ") is None
    assert place_key("河南省") == "河南"
    assert place_key("内蒙古自治区") == "内蒙古"
    assert place_key("宁夏回族自治区") == "宁夏"
    assert place_key("香港特别行政区") == "香港"
    assert place_key("巴音郭楞蒙古自治州") == "巴音郭楞"
    assert place_key("阿拉善盟") == "阿拉善"
    assert place_key("和县") == "和县"  # one character would be too little
    assert place_key("城区") == "城区"


@pytest.mark.parametrize(
    ("kwargs", "point", "level"),
    [
        ({"county": "巩义"}, GONGYI, "county"),
        ({"county": "巩义市"}, GONGYI, "county"),
        ({"county": "鞏義市"}, GONGYI, "county"),  # Traditional characters
        ({"province": "河南省", "city": "郑州市", "county": "巩义市"}, GONGYI, "county"),
        ({"province": "河南", "county": "登封"}, DENGFENG, "county"),
        ({"city": "郑州", "county": "二七区"}, (34.748, 113.619), "county"),
        ({"city": "郑州"}, (34.748, 113.619), "city"),
        ({"province": "河南"}, (34.766, 113.747), "province"),
        ({"city": "北京市"}, (39.903, 116.401), "city"),
        ({"city": "北京"}, (39.903, 116.401), "city"),
        ({"province": "上海", "county": "浦东新区"}, (31.223, 121.540), "county"),
        ({"city": "上海市", "county": "浦东"}, (31.223, 121.540), "county"),
        ({"city": "重庆", "county": "城口县"}, (31.950, 108.661), "county"),
        ({"province": "广西", "city": "南宁"}, (22.819, 108.363), "city"),
        ({"province": "广西壮族自治区"}, (22.818, 108.324), "province"),
        ({"city": "南京", "county": "鼓楼区"}, (32.068, 118.765), "county"),
        ({"province": "福建", "county": "鼓楼区"}, (26.085, 119.299), "county"),
        ({"city": "济源"}, (35.106, 112.576), "county"),  # a directly administered county city
        ({"province": "", "city": None, "county": "登封市"}, DENGFENG, "county"),
    ],
)
def test_lookup(kwargs: dict[str, str | None], point: tuple[float, float], level: str) -> None:
    hit = get_gazetteer().lookup(**kwargs)
    assert hit is not None
    lat, lon, got_level = hit
    assert got_level == level
    assert lat == pytest.approx(point[0], abs=2e-3)
    assert lon == pytest.approx(point[1], abs=2e-3)


def test_lookup_ambiguous_and_unknown() -> None:
    gaz = get_gazetteer()
    assert gaz.lookup(county="鼓楼区") is None  # 4 cities have one
    assert gaz.lookup(county="朝阳区") is None
    # still ambiguous in the province (江苏 has only 南京's and 徐州's 鼓楼区) -> province point
    hit = gaz.lookup(province="江苏", county="鼓楼区")
    assert hit is not None
    assert hit[2] == "province"
    # a county that is not in the city given -> the city point
    hit = gaz.lookup(city="洛阳", county="巩义")
    assert hit is not None
    assert hit[2] == "city"
    assert hit[:2] == gaz.lookup(city="洛阳市")[:2]  # type: ignore[index]
    # unknown names
    assert gaz.lookup(county="不存在的县") is None
    assert gaz.lookup() is None
    unknown_county = gaz.lookup(province="河南", county="不存在的县")
    assert unknown_county is not None
    assert unknown_county[2] == "province"


def test_lookup_region() -> None:
    region = get_gazetteer().lookup_region(province="河南省", city="郑州市", county="巩义市")
    assert region is not None
    assert (region.adcode, region.name, region.level, region.parent) == (
        "410181",
        "巩义市",
        3,
        "410100",
    )


def test_gazetteer_distances_between_places() -> None:
    gaz = get_gazetteer()
    gongyi = gaz.lookup(county="巩义")
    dengfeng = gaz.lookup(county="登封")
    zhengzhou = gaz.lookup(city="郑州")
    shanghai = gaz.lookup(city="上海")
    assert gongyi and dengfeng and zhengzhou and shanghai
    assert float(haversine_km(*gongyi[:2], *dengfeng[:2])) == pytest.approx(33, abs=1.0)
    assert float(haversine_km(*zhengzhou[:2], *shanghai[:2])) == pytest.approx(830, abs=15)


def test_locate_columns() -> None:
    gaz = get_gazetteer()
    provinces = pd.Series(["河南", "河南省", None, "福建", np.nan, "上海"])
    cities = pd.Series(["郑州", "郑州市", "北京", None, None, None])
    counties = pd.Series(["巩义", "巩义市", None, "鼓楼区", "鼓楼区", "浦东新区"])
    lat, lon, level = gaz.locate(provinces, cities, counties)
    assert lat.dtype == np.float64
    assert lon.dtype == np.float64
    assert level.dtype == object
    assert level.tolist() == ["county", "county", "city", "county", None, "county"]
    assert lat[0] == lat[1] == pytest.approx(GONGYI[0], abs=2e-3)
    assert math.isnan(lat[4])
    assert math.isnan(lon[4])
    for i in range(6):
        hit = gaz.lookup(provinces[i], cities[i], counties[i])
        if hit is None:
            assert math.isnan(lat[i])
        else:
            assert (lat[i], lon[i], level[i]) == hit


def test_locate_missing_columns_and_lengths() -> None:
    gaz = get_gazetteer()
    lat, _, level = gaz.locate(None, None, ["登封", "巩义"])
    assert level.tolist() == ["county", "county"]
    assert lat[0] == pytest.approx(DENGFENG[0], abs=2e-3)
    empty = gaz.locate([], [], [])
    assert [len(a) for a in empty] == [0, 0, 0]
    with pytest.raises(ValueError, match="长度"):
        gaz.locate(["河南"], ["郑州", "洛阳"], None)
    with pytest.raises(ValueError):
        gaz.locate(None, None, None)


def test_gazetteer_table() -> None:
    gaz = get_gazetteer()
    levels = [r.level for r in gaz.regions.values()]
    assert levels.count(1) == 34
    assert levels.count(2) >= 330
    assert levels.count(3) >= 2800
    for region in gaz.regions.values():
        assert len(region.adcode) == 6
        assert 3.0 < region.lat < 54.0
        assert 73.0 < region.lon < 136.0
        if region.level > 1:
            assert region.parent in gaz.regions
            assert gaz.regions[region.parent].level == region.level - 1


def test_small_gazetteer() -> None:
    regions = [
        Region("410000", "河南省", 1, None, 34.0, 113.0),
        Region("410100", "郑州市", 2, "410000", 34.7, 113.6),
        Region("410181", "巩义市", 3, "410100", 34.75, 113.02),
        Region("410102", "中原区", 3, "410100", 34.75, 113.6),
    ]
    gaz = Gazetteer(regions)
    assert len(gaz) == 4
    assert gaz.lookup(county="巩义") == (34.75, 113.02, "county")
    assert gaz.lookup(province="河南", county="登封") == (34.0, 113.0, "province")
