"""A corpus of malformed import files: each is refused with a 4xx that says what is wrong.

Every entry is ``(case id, import kind, file name, content)``; the content is built here (no
binary fixtures in the repository). The classes: encodings and binary junk, headers (blank,
duplicate, missing, aliases that clash), values (codes, numbers, coordinates, credit codes,
flags, ids), structure (ragged rows, quotes, wrong or damaged formats), limits (rows, columns,
cell length, decompressed size, upload size), tenants and parks specifics, hostile file names,
and the opportunity data (events, policies as a sheet or JSON, entry standards).
The limits are those of :data:`LIMITS` (the corpus app's settings).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from openpyxl import Workbook

#: Settings of the app the corpus is sent to (small limits, so limit cases stay small files).
LIMITS = {
    "max_rows": 1000,
    "max_columns": 50,
    "max_cell_chars": 1000,
    "max_decompressed_mb": 2.0,
    "max_upload_mb": 1.0,
}

ENT_HEAD = "enterprise_id,name,industry_code,employees,revenue_wan,lat,lon,credit_code"
GOOD_ENT = "G1,郑州铝业有限公司,3252,50,2000,34.7,113.6,"


def _csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def _ents(*rows: str, head: str = ENT_HEAD) -> bytes:
    return _csv("\n".join([head, GOOD_ENT, *rows]) + "\n")


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _bomb() -> bytes:
    """A valid-looking XLSX whose sheet inflates past the decompressed-size limit."""
    sheet = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>'
        + b"<row><c t='inlineStr'><is><t>"
        + b"A" * 3_000_000
        + b"</t></is></c></row>"
        + b"</sheetData></worksheet>"
    )
    good = _xlsx([["enterprise_id", "name"], ["E1", "甲"]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = sheet
    return _zip(parts)


Case = tuple[str, str, str, bytes]
_BUILDERS: list[Callable[[], Case]] = []


def case(kind: str, name: str) -> Callable[[Callable[[], bytes]], Callable[[], bytes]]:
    """Register a builder of one malformed file."""

    def register(build: Callable[[], bytes]) -> Callable[[], bytes]:
        _BUILDERS.append(lambda: (build.__name__.removeprefix("_"), kind, name, build()))
        return build

    return register


# ---------------------------------------------------------------------------- encodings, junk
@case("enterprises", "empty.csv")
def _empty() -> bytes:
    return b""


@case("enterprises", "blank.csv")
def _only_whitespace() -> bytes:
    return b"  \n\n \t \n"


@case("enterprises", "bom.csv")
def _only_bom() -> bytes:
    return b"\xef\xbb\xbf"


@case("enterprises", "junk.csv")
def _binary_junk() -> bytes:
    return bytes(range(256)) * 8


@case("enterprises", "nul.csv")
def _nul_bytes() -> bytes:
    return _ents("N1,有\x00空字符,3252,1,1,,,")


@case("enterprises", "latin1.csv")
def _undecodable_bytes() -> bytes:
    return ENT_HEAD.encode() + b"\nX1,\xff\xfe\xfd\x80\x81,3252,1,1,,,\n"


@case("enterprises", "utf16.csv")
def _utf16_without_bom_bad_values() -> bytes:
    return ("\n".join([ENT_HEAD, "U1,甲,XYZ,-5,1,,,"]) + "\n").encode("utf-16-le")


@case("enterprises", "utf16be.csv")
def _utf16_be_missing_column() -> bytes:
    return "name,industry_code\n甲,3252\n".encode("utf-16-be")


@case("enterprises", "gbk.csv")
def _gbk_with_bad_codes() -> bytes:
    return _csv("企业编号,企业名称,行业代码\nK1,甲公司,9999\nK2,乙公司,ABC\n", "gbk")


@case("enterprises", "image.csv")
def _png_named_csv() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# ---------------------------------------------------------------------------- headers
@case("enterprises", "dup.csv")
def _duplicate_id_header() -> bytes:
    return _csv("enterprise_id,name,enterprise_id\nD1,甲,D2\n")


@case("enterprises", "dup-name.csv")
def _duplicate_name_header() -> bytes:
    return _csv("enterprise_id,name,name\nD1,甲,乙\n")


@case("enterprises", "dup-space.csv")
def _duplicate_after_trimming() -> bytes:
    return _csv("enterprise_id, name,name \nD1,甲,乙\n")


@case("enterprises", "dup-alias.csv")
def _alias_and_english_clash() -> bytes:
    return _csv("enterprise_id,企业编号,name\nD1,D1,甲\n")


@case("enterprises", "dup.xlsx")
def _duplicate_header_xlsx() -> bytes:
    return _xlsx([["enterprise_id", "name", "name"], ["D1", "甲", "乙"]])


@case("enterprises", "blank-head.csv")
def _blank_header_with_data() -> bytes:
    return _csv("enterprise_id,,name\nB1,值,甲\n")


@case("enterprises", "blank-head.xlsx")
def _blank_header_xlsx() -> bytes:
    return _xlsx([["enterprise_id", None, "name"], ["B1", "值", "甲"]])


@case("enterprises", "no-id.csv")
def _missing_id_column() -> bytes:
    return _csv("name,industry_code\n甲,3252\n")


@case("enterprises", "no-name.csv")
def _missing_name_column() -> bytes:
    return _csv("enterprise_id,industry_code\nM1,3252\n")


@case("enterprises", "unknown-heads.csv")
def _no_known_header() -> bytes:
    return _csv("foo,bar,baz\n1,2,3\n")


@case("parks", "no-park-id.csv")
def _park_missing_id() -> bytes:
    return _csv("园区名称,主导产业\n甲园区,3252\n")


# ---------------------------------------------------------------------------- values
@case("enterprises", "codes.csv")
def _bad_industry_codes() -> bytes:
    return _ents("C1,甲,XYZ,1,1,,,", "C2,乙,9999,1,1,,,", "C3,丙,C99999,1,1,,,")


@case("enterprises", "negative.csv")
def _negative_numbers() -> bytes:
    return _ents("N1,甲,3252,-5,1,,,", "N2,乙,3252,1,-100,,,")


@case("enterprises", "words.csv")
def _words_for_numbers() -> bytes:
    return _ents("W1,甲,3252,很多,1,,,", "W2,乙,3252,1,不详,,,")


@case("enterprises", "lat-only.csv")
def _latitude_without_longitude() -> bytes:
    return _ents("L1,甲,3252,1,1,34.7,,")


@case("enterprises", "lat-range.csv")
def _coordinates_out_of_range() -> bytes:
    return _ents("L2,甲,3252,1,1,134.7,213.6,", "L3,乙,3252,1,1,-95,-190,")


@case("enterprises", "credit.csv")
def _bad_credit_codes() -> bytes:
    return _ents("R1,甲,3252,1,1,,,91410100MA44XXXXX1", "R2,乙,3252,1,1,,,123")


@case("enterprises", "dup-ids.csv")
def _duplicate_ids() -> bytes:
    return _ents("G1,重复,3252,1,1,,,", "G2,甲,3252,1,1,,,", "G2,乙,3252,1,1,,,")


@case("enterprises", "empty-id.csv")
def _empty_required_values() -> bytes:
    return _ents(",无编号,3252,1,1,,,", "E9,,3252,1,1,,,")


@case("enterprises", "slash-id.csv")
def _ids_that_cannot_be_addressed() -> bytes:
    return _ents("A/B,甲,3252,1,1,,,", "..,乙,3252,1,1,,,")


@case("enterprises", "ctrl-id.csv")
def _control_character_in_id() -> bytes:
    return _ents("X\x01Y,甲,3252,1,1,,,")


@case("enterprises", "huge.csv")
def _number_too_large() -> bytes:
    return _ents("H1,甲,3252,99999999999999999999999999,1,,,")


@case("enterprises", "srdi.csv")
def _unknown_srdi_and_flags() -> bytes:
    head = "enterprise_id,name,srdi_level,high_tech,size_class"
    return _csv(f"{head}\nS1,甲,超级小巨人,也许,巨型\n")


@case("enterprises", "patents.csv")
def _fractional_patents() -> bytes:
    return _csv("enterprise_id,name,patents,space_need_sqm\nP1,甲,2.5,-10\n")


@case("enterprises", "zh-values.xlsx")
def _chinese_headers_bad_values_xlsx() -> bytes:
    return _xlsx([["企业编号", "企业名称", "从业人员", "纬度"], ["Z1", "甲", "负数", "九十"]])


@case("enterprises", "mixed.csv")
def _many_kinds_in_one_file() -> bytes:
    rows = [f"M{i},企业{i},{'XYZ' if i % 3 == 0 else '3252'},{-i},1,,," for i in range(1, 40)]
    return _ents(*rows)


# ---------------------------------------------------------------------------- structure
@case("enterprises", "ragged.csv")
def _ragged_rows() -> bytes:
    return _csv("enterprise_id,name\nR1,甲,多余,字段\nR2,乙\n")


@case("enterprises", "quote.csv")
def _unclosed_quote() -> bytes:
    return _csv('enterprise_id,name\nQ1,"甲\nQ2,乙\n')


@case("enterprises", "broken.xlsx")
def _truncated_xlsx() -> bytes:
    return _xlsx([["enterprise_id", "name"], ["E1", "甲"]])[:300]


@case("enterprises", "text.xlsx")
def _csv_named_xlsx() -> bytes:
    return _csv("enterprise_id,name\nE1,甲\n")


@case("enterprises", "zip.xlsx")
def _zip_without_workbook() -> bytes:
    return _zip({"readme.txt": b"not a workbook"})


@case("enterprises", "empty-sheet.xlsx")
def _empty_sheet() -> bytes:
    return _xlsx([])


@case("enterprises", "report.pdf")
def _unsupported_suffix() -> bytes:
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


@case("enterprises", "bad.parquet")
def _not_parquet() -> bytes:
    return b"PAR1" + b"\x00" * 32


@case("enterprises", "html.csv")
def _html_page() -> bytes:
    return _csv("<html><body><table><tr><td>enterprise_id</td></tr></table></body></html>\n")


@case("enterprises", "json.csv")
def _json_document() -> bytes:
    return _csv('[{"enterprise_id": "E1", "name": "甲"}]\n')


# ---------------------------------------------------------------------------- limits
@case("enterprises", "rows.csv")
def _too_many_rows() -> bytes:
    return _csv("enterprise_id,name\n" + "".join(f"R{i},企业{i}\n" for i in range(1001)))


@case("enterprises", "cols.csv")
def _too_many_columns() -> bytes:
    head = ",".join(["enterprise_id", "name", *(f"c{i}" for i in range(60))])
    return _csv(f"{head}\nC1,甲{',x' * 60}\n")


@case("enterprises", "cols10k.csv")
def _ten_thousand_columns() -> bytes:
    head = ",".join(["enterprise_id", "name", *(f"c{i}" for i in range(10_000))])
    return _csv(f"{head}\nC1,甲{',' * 10_000}\n")


@case("enterprises", "cell.csv")
def _cell_too_long() -> bytes:
    return _csv("enterprise_id,name,business_scope\nL1,甲," + "铝" * 1001 + "\n")


@case("enterprises", "cell.xlsx")
def _cell_too_long_xlsx() -> bytes:
    return _xlsx([["enterprise_id", "name", "business_scope"], ["L1", "甲", "铝" * 30_000]])


@case("enterprises", "bomb.xlsx")
def _decompression_bomb() -> bytes:
    return _bomb()


@case("enterprises", "big.csv")
def _upload_too_large() -> bytes:
    return _csv("enterprise_id,name\n" + "X1,甲\n" * 300_000)


@case("enterprises", "rows.xlsx")
def _too_many_rows_xlsx() -> bytes:
    return _xlsx([["enterprise_id", "name"], *([f"R{i}", f"企业{i}"] for i in range(1001))])


# ---------------------------------------------------------------------------- tenants
@case("tenants", "tenants-unknown.csv")
def _tenant_unknown_ids() -> bytes:
    return _csv("park_id,enterprise_id\nNOPE,E000001\nGY-LZ-AL,NOPE\n")


@case("tenants", "tenants-dup.csv")
def _tenant_duplicate_pairs() -> bytes:
    return _csv("park_id,enterprise_id\nGY-LZ-AL,E000001\nGY-LZ-AL,E000001\n")


@case("tenants", "tenants-cols.csv")
def _tenant_missing_column() -> bytes:
    return _csv("park_id\nGY-LZ-AL\n")


@case("tenants", "tenants-empty.csv")
def _tenant_empty_values() -> bytes:
    return _csv("park_id,enterprise_id\n,E000001\nGY-LZ-AL,\n")


@case("tenants", "tenants.xlsx")
def _tenant_duplicate_header_xlsx() -> bytes:
    return _xlsx([["park_id", "park_id", "enterprise_id"], ["GY-LZ-AL", "x", "E000001"]])


# ---------------------------------------------------------------------------- parks
@case("parks", "parks-codes.csv")
def _park_bad_codes() -> bytes:
    return _csv("park_id,name,leading_industries,excluded_industries\nP1,园区,XYZ;3252,ABC\n")


@case("parks", "parks-area.csv")
def _park_negative_area() -> bytes:
    return _csv("park_id,name,available_sqm\nP1,园区,-100\nP2,园区二,很多\n")


@case("parks", "parks-weights.csv")
def _park_unknown_weight_family() -> bytes:
    return _csv("park_id,name,weight_colour\nP1,园区,0.5\n")


@case("parks", "parks-neg-weight.csv")
def _park_negative_weight() -> bytes:
    return _csv("park_id,name,weight_industry\nP1,园区,-1\n")


@case("parks", "parks-zero-weights.csv")
def _park_weights_all_zero() -> bytes:
    head = "park_id,name,weight_industry,weight_text,weight_capacity,weight_quality,weight_location"
    return _csv(f"{head}\nP1,园区,0,0,0,0,0\n")


@case("parks", "parks-dup.csv")
def _park_duplicate_ids() -> bytes:
    return _csv("park_id,name\nP1,园区\nP1,园区二\n")


@case("parks", "parks-lat.csv")
def _park_coordinates() -> bytes:
    return _csv("park_id,name,lat,lon\nP1,园区,95,500\n")


# ---------------------------------------------------------------------------- names
@case("enterprises", "很长的文件名" * 60 + ".csv")
def _long_file_name() -> bytes:
    return _ents("F1,甲,XYZ,1,1,,,")


@case("enterprises", "../../etc/passwd.csv")
def _path_in_file_name() -> bytes:
    return _ents("F2,甲,XYZ,1,1,,,")


@case("enterprises", "a\x01b\x1fc.csv")
def _control_characters_in_file_name() -> bytes:
    return _ents("F3,甲,XYZ,1,1,,,")


@case("enterprises", "noext")
def _no_suffix_bad_content() -> bytes:
    return _ents("F4,甲,XYZ,1,1,,,")


# ---------------------------------------------------------------------------- events
EVENT_HEAD = "企业编号,事件类型,日期,来源,事件详情,置信度"
GOOD_EVENT = "E000001,融资,2026-09-10,企业公告,完成 B 轮融资,1"


def _events(*rows: str, head: str = EVENT_HEAD) -> bytes:
    return _csv("\n".join([head, GOOD_EVENT, *rows]) + "\n")


@case("events", "events-kind.csv")
def _event_unknown_kind() -> bytes:
    return _events("E000001,天降横财,2026-01-01,,,1")


@case("events", "events-date.csv")
def _event_bad_dates() -> bytes:
    return _events("E000001,扩产,2026-13-01,,,1", "E000001,扩产,去年,,,1")


@case("events", "events-unknown.csv")
def _event_unknown_enterprise() -> bytes:
    return _events("NOPE,融资,2026-01-01,,,1")


@case("events", "events-confidence.csv")
def _event_confidence_out_of_range() -> bytes:
    return _events("E000001,融资,2026-01-01,,,150%", "E000001,融资,2026-01-02,,,很高")


@case("events", "events-cols.csv")
def _event_missing_columns() -> bytes:
    return _csv("企业编号,来源\nE000001,公告\n")


@case("events", "events-dup-head.csv")
def _event_duplicate_header() -> bytes:
    return _csv("企业编号,事件类型,事件类型,日期\nE000001,融资,扩产,2026-01-01\n")


@case("events", "events.json")
def _event_json_instead_of_sheet() -> bytes:
    return _csv('[{"enterprise_id": "E000001", "kind": "融资", "date": "2026-01-01"}]')


@case("events", "events-rows.csv")
def _event_too_many_rows() -> bytes:
    return _csv(EVENT_HEAD + "\n" + "E000001,融资,2026-01-01,,,1\n" * 1001)


@case("events", "events-cell.csv")
def _event_cell_too_long() -> bytes:
    return _events("E000001,融资,2026-01-01,," + "长" * 1001 + ",1")


@case("events", "events-junk.xlsx")
def _event_junk_xlsx() -> bytes:
    return bytes(range(256)) * 4


@case("events", "events-bomb.xlsx")
def _event_decompression_bomb() -> bytes:
    return _bomb()


# ---------------------------------------------------------------------------- policies
POLICY_HEAD = "政策编号,园区编号,政策名称,条件字段,比较,条件值,硬性条件"


@case("policies", "policies-park.csv")
def _policy_unknown_park() -> bytes:
    return _csv(f"{POLICY_HEAD}\nZ1,NOPE,补贴,行业代码,属于,3252,是\n")


@case("policies", "policies-field.csv")
def _policy_unknown_field_and_op() -> bytes:
    return _csv(f"{POLICY_HEAD}\nZ1,GY-LZ-AL,补贴,星座,约等于,狮子座,也许\n")


@case("policies", "policies-value.csv")
def _policy_bad_values() -> bytes:
    return _csv(
        f"{POLICY_HEAD}\nZ1,GY-LZ-AL,补贴,专利数,不低于,很多,是\nZ2,GY-LZ-AL,,行业代码,属于,XYZ,是\n"
    )


@case("policies", "policies-no-id.csv")
def _policy_missing_id_column() -> bytes:
    return _csv("园区编号,政策名称\nGY-LZ-AL,补贴\n")


@case("policies", "policies-bad.json")
def _policy_json_syntax() -> bytes:
    return _csv('{"policies": [{"policy_id": "Z1",')


@case("policies", "policies-deep.json")
def _policy_json_nested_too_deep() -> bytes:
    return _csv("[" * 100_000 + "]" * 100_000)


@case("policies", "policies-shape.json")
def _policy_json_wrong_shape() -> bytes:
    return _csv('{"policies": [1, "two", null, {"policy_id": ["x"]}]}')


@case("policies", "policies-park.json")
def _policy_json_unknown_park() -> bytes:
    return _csv('{"policies": [{"policy_id": "Q", "park_id": "NOPE", "name": "x"}]}')


@case("policies", "policies-gbk.json")
def _policy_json_not_utf8() -> bytes:
    return _csv('{"policies": [{"policy_id": "Z1", "name": "补贴"}]}', "gbk")


@case("policies", "policies-big.json")
def _policy_json_too_large() -> bytes:
    return _csv('{"policies": [], "pad": "' + "x" * 1_100_000 + '"}')


# ---------------------------------------------------------------------------- standards
@case("standards", "standards-indicator.csv")
def _standard_unknown_indicator() -> bytes:
    return _csv("园区编号,指标,标准值,硬性条件\nGY-LZ-AL,幸福指数,100,是\n")


@case("standards", "standards-value.csv")
def _standard_bad_threshold_and_park() -> bytes:
    return _csv("园区编号,指标,标准值,硬性条件\nGY-LZ-AL,亩均税收,很高,是\nNOPE,容积率,1.2,是\n")


@case("standards", "standards-cols.csv")
def _standard_missing_columns() -> bytes:
    return _csv("园区编号,依据\nGY-LZ-AL,文件\n")


@case("standards", "standards.json")
def _standard_json_instead_of_sheet() -> bytes:
    return _csv('[{"indicator": "亩均税收", "threshold": 25}]')


def corpus() -> list[Case]:
    """Every malformed file of the corpus."""
    return [build() for build in _BUILDERS]
