"""Tests of the sample parks and the raw enterprise generator (matcher.datasets)."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
import opencc
import pandas as pd
import pytest

from matcher.datasets import (
    ENTERPRISE_FIELDS,
    ENTERPRISE_HEADERS_ZH,
    PARK_FIELDS,
    PARK_HEADERS_ZH,
    _sample,
    load_sample_frames,
    make_enterprises,
    sample_dir,
    sample_industries,
    write_sample,
)
from matcher.reference import sizes, taxonomy
from matcher.reference.creditcode import credit_code_check_digit, is_valid_credit_code
from matcher.reference.geo import Region, get_gazetteer

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"
PACKAGE_CODES = REPO / "matcher" / "data" / "gbt4754_2017.csv"
TEMPLATES = REPO / "matcher" / "datasets" / "templates"

HENAN_LAT = (31.3, 36.4)
HENAN_LON = (110.3, 116.7)
N = 5000


# ---------------------------------------------------------------------------- reference sets
@lru_cache(maxsize=1)
def reference_codes() -> dict[str, str]:
    """code -> name from the shared GB/T 4754-2017 table (every level, incl. implicit 中类)."""
    path = REFERENCE / "gbt4754_2017" / "gbt4754_2017.csv"
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["code"], row["name"])
            for level in ("section", "division", "group", "class"):
                if row[level]:
                    out.setdefault(row[level], "")
    return out


@lru_cache(maxsize=1)
def package_codes() -> set[str]:
    with PACKAGE_CODES.open(encoding="utf-8") as fh:
        return {row["code"] for row in csv.DictReader(fh)}


def code_sets() -> list[set[str]]:
    """The code sets available to check against (the test is skipped when there are none)."""
    sets = []
    if (REFERENCE / "gbt4754_2017" / "gbt4754_2017.csv").is_file():
        sets.append(set(reference_codes()))
    if PACKAGE_CODES.is_file():
        sets.append(package_codes())
    if not sets:
        pytest.skip("no GB/T 4754-2017 table available")
    return sets


def bare_code(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip().upper()
    return re.sub(r"^[A-T]", "", text) or text


def number(raw: object) -> float:
    return float(unicodedata.normalize("NFKC", str(raw)))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def sheet() -> pd.DataFrame:
    return make_enterprises(N, random_state=12345)


# ---------------------------------------------------------------------------- basics
def test_same_seed_same_frame() -> None:
    a = make_enterprises(300, random_state=7)
    b = make_enterprises(300, random_state=7)
    pd.testing.assert_frame_equal(a, b)


def test_different_seed_different_frame() -> None:
    a = make_enterprises(300, random_state=7)
    b = make_enterprises(300, random_state=8)
    assert not a.equals(b)
    assert (a["name"] != b["name"]).mean() > 0.9


def test_generator_accepted_as_random_state() -> None:
    a = make_enterprises(50, random_state=np.random.default_rng(3))
    b = make_enterprises(50, random_state=np.random.default_rng(3))
    pd.testing.assert_frame_equal(a, b)
    assert len(make_enterprises(5)) == 5


def test_zero_rows() -> None:
    empty = make_enterprises(0, random_state=1)
    assert empty.shape == (0, len(ENTERPRISE_FIELDS))
    assert list(empty.columns) == list(ENTERPRISE_FIELDS)


@pytest.mark.parametrize("n", [-1, -100])
def test_negative_n_rejected(n: int) -> None:
    with pytest.raises(ValueError, match="n must be"):
        make_enterprises(n)


def test_non_integer_n_rejected() -> None:
    with pytest.raises(TypeError):
        make_enterprises(2.5)  # type: ignore[arg-type]


def test_column_order(sheet: pd.DataFrame) -> None:
    assert list(sheet.columns) == list(ENTERPRISE_FIELDS)
    assert list(ENTERPRISE_HEADERS_ZH) == list(ENTERPRISE_FIELDS)
    assert list(PARK_HEADERS_ZH) == list(PARK_FIELDS)
    assert len(set(ENTERPRISE_HEADERS_ZH.values())) == len(ENTERPRISE_FIELDS)


def test_cells_are_strings_or_missing(sheet: pd.DataFrame) -> None:
    for column in sheet.columns:
        values = sheet[column].to_numpy(dtype=object)
        assert all(isinstance(v, str) or pd.isna(v) for v in values), column
        assert not any(isinstance(v, str) and not v.strip() for v in values), column


def test_ids_unique(sheet: pd.DataFrame) -> None:
    ids = sheet["enterprise_id"]
    assert ids.notna().all() and ids.is_unique
    assert ids.iloc[0] == "E000001"
    assert ids.str.fullmatch(r"E\d{6}").all()


def test_names_present_and_company_like(sheet: pd.DataFrame) -> None:
    names = sheet["name"]
    assert names.notna().all()
    assert names.str.contains("(?:有限公司|有限责任公司|有限責任公司)$").all()
    assert names.nunique() > 0.9 * len(names)


# ---------------------------------------------------------------------------- credit codes
def test_credit_codes_valid(sheet: pd.DataFrame) -> None:
    codes = sheet["credit_code"].dropna()
    assert len(codes) > 0.9 * len(sheet)
    assert codes.map(is_valid_credit_code).all()
    assert all(credit_code_check_digit(c[:17]) == c[17] for c in codes)
    assert codes.str.startswith("91").all()
    assert codes.str[2:8].str.fullmatch(r"\d{6}").all()


def county_of(row: pd.Series) -> Region | None:
    """The county the gazetteer (the bundled reference data) finds for a row's place names."""
    region = get_gazetteer().lookup_region(row["province"], row["city"], row["county"])
    return region if region is not None and region.level == 3 else None


def test_credit_code_adcode_is_the_county(sheet: pd.DataFrame) -> None:
    rows = sheet.dropna(subset=["credit_code", "county"])
    counties = rows.apply(county_of, axis=1).dropna()
    assert len(counties) > 0.5 * len(sheet)
    adcodes = counties.map(lambda region: region.adcode)
    assert (rows.loc[adcodes.index, "credit_code"].str[2:8] == adcodes).all()


# ---------------------------------------------------------------------------- rates
def rate(mask: pd.Series | np.ndarray) -> float:
    return float(np.mean(mask))


@pytest.mark.parametrize(
    ("column", "expected", "tol"),
    [
        ("industry_code", 0.10, 0.03),
        ("business_scope", 0.05, 0.02),
        ("products", 0.10, 0.03),
        ("space_need_sqm", 0.15, 0.03),
        ("size_class", 0.20, 0.03),
        ("credit_code", 0.05, 0.02),
        ("lat", 0.70, 0.04),
        ("employees", 0.08, 0.03),
        ("revenue_wan", 0.12, 0.03),
    ],
)
def test_missing_rates(sheet: pd.DataFrame, column: str, expected: float, tol: float) -> None:
    assert abs(rate(sheet[column].isna()) - expected) <= tol


def test_lat_lon_missing_together(sheet: pd.DataFrame) -> None:
    assert (sheet["lat"].isna() == sheet["lon"].isna()).all()


def srdi_level(raw: object) -> str:
    if pd.isna(raw):
        return "missing"
    text = str(raw)
    if "小巨人" in text:
        return "national"
    if "专精特新" in text:
        return "provincial"
    if "创新型" in text:
        return "innovative"
    assert text in {"无", "否"}, text
    return "none"


def test_srdi_rates(sheet: pd.DataFrame) -> None:
    level = sheet["srdi_level"].map(srdi_level)
    assert abs(rate(level == "innovative") - 0.06) < 0.02
    assert abs(rate(level == "provincial") - 0.03) < 0.012
    assert 0.0005 < rate(level == "national") < 0.013
    assert rate(level.isin(["none", "missing"])) > 0.85
    # mixed spellings, as in real sheets
    assert sheet["srdi_level"].dropna().nunique() >= 8


def test_high_tech_rate_and_forms(sheet: pd.DataFrame) -> None:
    values = sheet["high_tech"]
    assert set(values.dropna()) <= {"是", "否", "1", "0", "true", "false"}
    yes = values.isin(["是", "1", "true"])
    assert abs(rate(yes) - 0.08) < 0.025
    assert 0.05 < rate(values.isna()) < 0.4


def test_patents_correlated_with_srdi_and_high_tech(sheet: pd.DataFrame) -> None:
    patents = sheet["patents"].map(lambda v: number(v) if pd.notna(v) else np.nan)
    assert (patents.dropna() >= 0).all()
    assert (patents.dropna() == patents.dropna().round()).all()
    srdi = sheet["srdi_level"].map(srdi_level).isin(["innovative", "provincial", "national"])
    high_tech = sheet["high_tech"].isin(["是", "1", "true"])
    assert patents[srdi].mean() > 2 * patents[~srdi].mean()
    assert patents[high_tech].mean() > 2 * patents[~high_tech].mean()


def test_srdi_more_likely_in_manufacturing(sheet: pd.DataFrame) -> None:
    code = sheet["industry_code"].dropna().map(bare_code)
    srdi = sheet.loc[code.index, "srdi_level"].map(srdi_level) != "none"
    srdi &= sheet.loc[code.index, "srdi_level"].notna()
    manufacturing = code.str[:2].astype(int).between(13, 43)
    assert srdi[manufacturing].mean() > srdi[~manufacturing].mean()


def test_traditional_rows_exist(sheet: pd.DataFrame) -> None:
    t2s = opencc.OpenCC("t2s")
    traditional = sheet["name"].map(lambda s: t2s.convert(s) != s)
    assert 0.025 < rate(traditional) < 0.08
    scope = sheet["business_scope"].dropna()
    assert scope.map(lambda s: t2s.convert(s) != s).any()
    rows = sheet[traditional]
    assert rows["business_scope"].dropna().map(lambda s: t2s.convert(s) != s).mean() > 0.9


def test_full_width_digits_appear(sheet: pd.DataFrame) -> None:
    full = re.compile("[０-９]")
    for column in ("employees", "revenue_wan", "space_need_sqm"):
        values = sheet[column].dropna()
        share = rate(values.str.contains(full))
        assert 0.002 < share < 0.05, column
        assert values.map(number).ge(0).all(), column


def test_products_use_mixed_separators(sheet: pd.DataFrame) -> None:
    products = sheet["products"].dropna()
    for sep in ("、", "；", ";", ","):
        assert products.str.contains(sep, regex=False).any(), sep


def test_scope_reads_like_a_registration(sheet: pd.DataFrame) -> None:
    scope = sheet["business_scope"].dropna()
    assert rate(scope.str.contains("一般项目：|一般項目：")) > 0.5
    assert scope.str.contains("许可项目：").any()
    assert rate(scope.str.endswith(("）", "。"))) == 1.0


# ---------------------------------------------------------------------------- industries
def test_every_generated_code_is_real(sheet: pd.DataFrame) -> None:
    codes = {bare_code(c) for c in sheet["industry_code"].dropna()}
    for known in code_sets():
        assert codes <= known, sorted(codes - known)


def test_sample_industries_are_real_classes() -> None:
    industries = sample_industries()
    assert 25 <= len(industries) <= 40
    assert all(re.fullmatch(r"\d{4}", c) for c in industries)
    for known in code_sets():
        assert set(industries) <= known
    if (REFERENCE / "gbt4754_2017" / "gbt4754_2017.csv").is_file():
        names = reference_codes()
        assert {c: names[c] for c in industries} == industries


def test_code_forms_are_mixed(sheet: pd.DataFrame) -> None:
    codes = sheet["industry_code"].dropna()
    assert rate(codes.str.fullmatch(r"\d{4}")) > 0.4
    assert codes.str.fullmatch(r"[A-T]\d{4}").any()
    assert codes.str.contains("[０-９]").any()
    assert codes.str.fullmatch(r"\d{2}").any()
    assert codes.str.fullmatch(r"\d{3}").any()


def test_section_letters_match(sheet: pd.DataFrame) -> None:
    prefixed = sheet["industry_code"].dropna()
    prefixed = prefixed[prefixed.str.fullmatch(r"[A-T]\d{4}")]
    assert len(prefixed) > 0
    for code in prefixed:
        assert taxonomy.section_of(code[1:]) == code[0], code


def test_bundled_size_thresholds_match_reference() -> None:
    """The size standard the generator (and the validation) reads is the official one."""
    path = REFERENCE / "sme_size_thresholds" / "sme_size_thresholds_2017.csv"
    if not path.is_file():
        pytest.skip("no reference size thresholds")
    table = pd.read_csv(path, dtype=str)
    groups = sizes.size_groups()
    for key in ("IND", "F51", "G59", "I65"):
        rows = table[table["sector_key"] == key]
        for indicator, name in (("从业人员X", "employees"), ("营业收入Y", "revenue_wan")):
            row = rows[rows["indicator"] == indicator].iloc[0]
            expected = tuple(float(row[c]) for c in ("large_min", "medium_min", "small_min"))
            assert groups[key].thresholds[name] == expected, (key, indicator)


def parse_size(raw: str) -> str:
    text = raw.lower()
    for key, words in {
        "large": ("大", "large"),
        "medium": ("中", "medium"),
        "small": ("小", "small"),
        "micro": ("微", "micro"),
    }.items():
        if any(text.startswith(w) for w in words):
            return key
    raise AssertionError(raw)


def test_size_class_consistent_with_standard(sheet: pd.DataFrame) -> None:
    rows = sheet.dropna(subset=["size_class", "employees", "revenue_wan", "industry_code"])
    code = rows["industry_code"].map(bare_code)
    rows = rows[code.str.len() == 4]
    assert len(rows) > 0.3 * len(sheet)
    for i in rows.index:
        expected = sizes.classify_size(
            code[i], number(rows.at[i, "employees"]), number(rows.at[i, "revenue_wan"])
        )
        assert parse_size(rows.at[i, "size_class"]) == expected, i
    classes = sheet["size_class"].dropna().map(parse_size)
    assert {"micro", "small", "medium"} <= set(classes)
    assert sheet["size_class"].dropna().nunique() >= 10


def test_space_need_tied_to_size(sheet: pd.DataFrame) -> None:
    space = sheet["space_need_sqm"].map(lambda v: number(v) if pd.notna(v) else np.nan)
    assert space.dropna().between(50, 150000).all()
    employees = sheet["employees"].map(lambda v: number(v) if pd.notna(v) else np.nan)
    both = space.notna() & employees.notna()
    corr = np.corrcoef(np.log(space[both]), np.log(employees[both]))[0, 1]
    assert corr > 0.5
    assert space.dropna().between(500, 5000).mean() > 0.4


def test_decoy_and_generic_names(sheet: pd.DataFrame) -> None:
    code = sheet["industry_code"].dropna().map(bare_code)
    food = code[code.str.startswith("1")].index
    not_aluminium = code[~code.str[:2].isin(["32", "33", "36"])].index
    assert len(food) > 0
    # decoy 字号: firms outside the aluminium chain whose name still says 铝 (铝都, 豫铝 …)
    assert sheet.loc[not_aluminium, "name"].str.contains("铝").any()
    manufacturing = code[code.str[:2].astype(int).between(13, 43)].index
    generic = sheet.loc[manufacturing, "name"].str.contains("(?:科技|实业|工贸|工业)")
    assert 0.1 < rate(generic) < 0.6


def test_industry_aware_locations(sheet: pd.DataFrame) -> None:
    code = sheet["industry_code"].dropna()
    aluminium = sheet.loc[code[code.map(bare_code) == "3252"].index, "credit_code"].dropna()
    top = aluminium.str[2:8].value_counts().index[0]
    assert top == "410181"  # 巩义市
    refractory = sheet.loc[code[code.map(bare_code) == "3089"].index, "credit_code"].dropna()
    assert set(refractory.str[2:8].value_counts().index[:3]) <= {"410183", "410181", "410185"}


def test_location_mix(sheet: pd.DataFrame) -> None:
    adcode = sheet["credit_code"].dropna().str[2:8]
    henan = adcode.str.startswith("41")
    zhengzhou = adcode.str.startswith("4101")
    assert 0.5 < rate(zhengzhou) < 0.75
    assert 0.83 < rate(henan) < 0.95
    assert rate(~henan) > 0.05
    assert adcode[~henan].str[:2].isin(["31", "32", "33", "44"]).all()
    written = sheet["county"].dropna()
    assert written.isin(["巩义", "登封", "新密"]).any()  # abbreviated names occur
    assert sheet["city"].dropna().isin(["郑州"]).any()


def test_given_coordinates_near_county(sheet: pd.DataFrame) -> None:
    rows = sheet.dropna(subset=["lat", "lon", "county"])
    counties = rows.apply(county_of, axis=1).dropna()
    rows = rows.loc[counties.index]
    assert len(rows) > 0.15 * len(sheet)
    for (_, row), county in zip(rows.iterrows(), counties, strict=True):
        assert haversine_km(float(row["lat"]), float(row["lon"]), county.lat, county.lon) < 8.0
    henan = rows[counties.map(lambda region: region.adcode.startswith("41"))]
    assert len(henan) > 0.5 * len(rows)
    assert henan["lat"].astype(float).between(*HENAN_LAT).all()
    assert henan["lon"].astype(float).between(*HENAN_LON).all()


def test_place_template_matches_reference() -> None:
    """The generator's places (a data file) are real counties at their real seats."""
    path = REFERENCE / "admin_divisions" / "region_2020_bd09_with_wgs84.csv"
    if not path.is_file():
        pytest.skip("no reference admin divisions")
    table = pd.read_csv(path, dtype=str).set_index("code12")
    places = pd.read_csv(TEMPLATES / "places.csv", dtype={"adcode": str}, keep_default_na=False)
    for province, city, county, adcode, lat, lon, _kind in places.itertuples(index=False):
        row = table.loc[adcode]
        row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
        assert row["name"] == (county or city), adcode
        ref = (float(row["lat_wgs84"]), float(row["lng_wgs84"]))
        assert haversine_km(lat, lon, *ref) < 0.05, adcode
        assert province.endswith(("省", "市"))


# ---------------------------------------------------------------------------- parks
@pytest.fixture(scope="module")
def parks() -> pd.DataFrame:
    frame, _ = load_sample_frames()
    return frame


def test_parks_columns_and_ids(parks: pd.DataFrame) -> None:
    assert list(parks.columns) == list(PARK_FIELDS)
    assert parks["park_id"].is_unique
    assert len(parks) >= 10
    required = {"GY-LZ-AL", "DF-XCL", "DF-ZHKC"}
    assert required <= set(parks["park_id"])
    counties = set(parks["county"])
    assert {"二七区", "惠济区", "巩义市", "登封市"} <= counties


def test_parks_leading_and_excluded_codes(parks: pd.DataFrame) -> None:
    sets = code_sets()
    for _, park in parks.iterrows():
        leading = [c for c in park["leading_industries"].split(";") if c]
        excluded = [c for c in str(park["excluded_industries"]).split(";") if c]
        assert len(leading) >= 1, park["park_id"]
        assert not set(leading) & set(excluded), park["park_id"]
        for known in sets:
            assert set(leading) | set(excluded) <= known, park["park_id"]


def test_parks_positioning_and_space(parks: pd.DataFrame) -> None:
    for _, park in parks.iterrows():
        sentences = [s for s in park["positioning"].split("。") if s.strip()]
        assert 2 <= len(sentences) <= 4, park["park_id"]
        assert 20000 <= float(park["available_sqm"]) <= 150000, park["park_id"]


def test_parks_inside_henan(parks: pd.DataFrame) -> None:
    lat = parks["lat"].astype(float)
    lon = parks["lon"].astype(float)
    assert lat.between(*HENAN_LAT).all()
    assert lon.between(*HENAN_LON).all()
    assert (parks["province"] == "河南省").all()


def test_parks_near_their_county(parks: pd.DataFrame) -> None:
    for _, park in parks.iterrows():
        county = county_of(park)
        assert county is not None, park["park_id"]
        distance = haversine_km(float(park["lat"]), float(park["lon"]), county.lat, county.lon)
        assert 0.5 < distance < 10.0, park["park_id"]


def test_aluminium_park_content(parks: pd.DataFrame) -> None:
    park = parks.set_index("park_id").loc["GY-LZ-AL"]
    assert {"3252", "3392", "3670"} <= set(park["leading_industries"].split(";"))
    assert "3216" in park["excluded_industries"].split(";")
    assert "铝" in park["positioning"]


# ---------------------------------------------------------------------------- sample files
def test_sample_dir_holds_the_files() -> None:
    folder = sample_dir()
    assert (folder / "parks.csv").is_file()
    assert (folder / "enterprises.csv").is_file()


def test_bundled_enterprises_match_the_generator() -> None:
    _, enterprises = load_sample_frames()
    expected = make_enterprises(3000, random_state=2022)
    assert enterprises.shape == (3000, len(ENTERPRISE_FIELDS))
    pd.testing.assert_frame_equal(
        enterprises.astype(object).where(enterprises.notna(), None),
        expected.astype(object).where(expected.notna(), None),
    )
    raw = (sample_dir() / "enterprises.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")


def test_write_sample(tmp_path: Path) -> None:
    written = write_sample(tmp_path / "out", n=40, random_state=5)
    assert set(written) == {"parks", "enterprises", "enterprises_xlsx"}
    assert all(p.is_file() for p in written.values())
    assert written["enterprises"].read_bytes().startswith(b"\xef\xbb\xbf")
    assert written["parks"].read_bytes() == (sample_dir() / "parks.csv").read_bytes()
    back = pd.read_csv(written["enterprises"], dtype=str, encoding="utf-8-sig")
    assert list(back.columns) == list(ENTERPRISE_FIELDS) and len(back) == 40
    xlsx = pd.read_excel(written["enterprises_xlsx"], dtype=str)
    assert list(xlsx.columns) == list(ENTERPRISE_HEADERS_ZH.values())
    assert xlsx["企业编号"].tolist() == back["enterprise_id"].tolist()
    # writing into the bundled folder itself must not fail on copying parks.csv onto itself
    again = write_sample(tmp_path / "out", n=3, random_state=5)
    assert again["parks"].read_bytes() == written["parks"].read_bytes()


def test_sample_dir_error_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "pkg" / "matcher" / "datasets" / "_sample.py"
    fake.parent.mkdir(parents=True)
    monkeypatch.setattr(_sample, "__file__", str(fake))
    with pytest.raises(FileNotFoundError, match=r"示例数据.*sample data"):
        sample_dir()


def test_sample_dir_prefers_installed_copy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "pkg" / "matcher" / "datasets" / "_sample.py"
    (fake.parents[1] / "_sample").mkdir(parents=True)
    (tmp_path / "pkg" / "datasets").mkdir()
    monkeypatch.setattr(_sample, "__file__", str(fake))
    assert sample_dir() == (fake.parents[1] / "_sample").resolve()
