"""Ranking that holds on real registry text: one hand-written case per class of failure.

Each case is written the way registries and officers' sheets write such firms; none of them
comes from the bundled sample or the generator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher import Matcher
from matcher.io import validate_enterprises, validate_parks
from matcher.reference.relatedness import get_relatedness
from matcher.reference.taxonomy import section_of
from matcher.text import infer_industry, parse_name, parse_scope, to_mainland

_PLACE = {"province": "河南省", "city": "郑州市", "county": "登封市"}


def _park(pid: str, name: str, leading: str, positioning: str, **kw: str) -> dict[str, str]:
    return {
        "park_id": pid,
        "name": name,
        "leading_industries": leading,
        "positioning": positioning,
        "available_sqm": "80000",
        **_PLACE,
        **kw,
    }


def _ent(eid: str, name: str, scope: str | None, **kw: str | None) -> dict[str, str | None]:
    return {"enterprise_id": eid, "name": name, "business_scope": scope, **_PLACE, **kw}


def _fit(parks: list[dict], ents: list[dict]) -> Matcher:
    return Matcher().fit(
        validate_parks(pd.DataFrame(parks)), validate_enterprises(pd.DataFrame(ents))
    )


def _row(m: Matcher, park: str, eid: str) -> pd.Series:
    leads = m.rank_enterprises(park, k=None, include_ineligible=True).set_index("enterprise_id")
    return leads.loc[eid]


# ---------------------------------------------------------------------------- trading vs making
def test_trading_is_read_as_trading_not_making() -> None:
    sell = infer_industry("耐火材料销售；建筑材料销售")
    make = infer_industry("耐火材料的生产、销售；耐火材料技术研发")
    assert section_of(sell.code) == "F" and sell.activity == "trade"
    assert make.code == "3089" and make.activity == "make"
    pharmacy = infer_industry(
        "许可项目：药品零售；第三类医疗器械经营。一般项目：第二类医疗器械销售",
        name="某某大药房连锁有限公司",
    )
    assert pharmacy.code is not None and pharmacy.code.startswith("52")


def test_a_verb_written_once_reads_the_whole_list() -> None:
    # a leading 零售 is not the first character of a term (售电 in 零售电子产品 is no power sale),
    # and it makes the scope a retailer's
    shop = infer_industry("零售电子产品、五金交电、电线电缆、建筑材料（不含危险化学品）")
    assert shop.code is not None and shop.code.startswith("52"), shop
    assert all(e.term != "售电" for e in shop.evidence)
    wire = infer_industry("生产和销售电线、插头、插座、电源线")
    assert wire.code is not None and wire.code.startswith("38") and wire.activity == "make"
    assert all(e.term != "售电" for e in wire.evidence)
    # a real power seller keeps its term
    assert any(e.term == "售电" for e in infer_industry("售电业务；电力设施安装").evidence)
    # the 销售 of a padding item (日用百货销售) still makes the items before it trade
    cosmetics = parse_scope("化妆品、日用化学品、日用百货销售")
    assert [c.activity for c in cosmetics.clauses] == ["trade"]
    assert section_of(infer_industry("化妆品、日用化学品、日用百货销售").code) == "F"
    # and a verb carried from a colon reads on past the padding
    opened = parse_scope("销售：日用百货销售、化妆品、服装")
    assert opened.clauses and {c.activity for c in opened.clauses} == {"trade"}


def test_leasing_carrying_and_selling_cars_are_not_making_them() -> None:
    # leasing a machine is the 租赁业 (71), whatever other verb leads its group
    assert infer_industry("建筑工程机械与设备租赁；机械设备租赁；特种设备出租").code == "7113"
    assert infer_industry("建筑机械租赁、安装、拆卸服务").code == "7113"
    assert infer_industry("汽车租赁；二手车销售").code == "7111"
    assert infer_industry("建筑机械制造、销售").code == "3514"  # making it stays making
    # carrying goods is freight, not the goods' industry
    for scope in ("汽车运输", "钢材运输、仓储"):
        assert infer_industry(scope).code == "543", scope
    # a car dealer: 汽车 alone is a word of the registries (销售 → trade, not manufacturing)
    dealer = infer_industry("汽车销售；汽车零配件销售")
    assert section_of(dealer.code) == "F" and dealer.activity == "trade"


def test_words_across_a_word_boundary_and_section_names() -> None:
    # 化工 straddles 智能化|工程: the whole word is read, and no chemicals are found
    assert all(e.code != "26" for e in infer_industry("电子与智能化工程；安防工程").evidence)
    # a 大类's own name beats the 门类 whose long name lists it (信息传输、软件和信息技术服务业)
    it = infer_industry("软件和信息技术服务业；计算机系统集成")
    assert it.code is not None and it.code.startswith("65"), it


def test_a_seller_ranks_below_the_maker_and_says_why() -> None:
    park = _park("P", "登封市新材料小微企业园", "3089;3099", "重点发展高端耐火材料和超硬材料制品。")
    m = _fit(
        [park],
        [
            _ent("MAKER", "登封市耐源高温材料有限公司", "耐火材料、耐火砖的生产与销售"),
            _ent("SELLER", "郑州鑫盛商贸有限公司", "耐火材料销售；建筑材料、五金交电销售"),
            _ent("OTHER", "郑州好味餐饮管理有限公司", "餐饮服务；预包装食品销售"),
        ],
    )
    leads = m.rank_enterprises("P", k=None)
    assert leads["enterprise_id"].tolist() == ["MAKER", "SELLER", "OTHER"]
    seller = _row(m, "P", "SELLER")
    assert seller["industry"] < 0.5 * _row(m, "P", "MAKER")["industry"]
    assert "以销售为主" in seller["reasons"]


# ---------------------------------------------------------------------------- boilerplate
BOILER = (
    "一般项目：{}；技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；货物进出口；"
    "技术进出口（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）（依法须经批准的项目，"
    "经相关部门批准后方可开展经营活动，具体经营项目以审批结果为准）"
)


def test_registry_boilerplate_is_not_evidence() -> None:
    scope = parse_scope(BOILER.format("铝合金型材制造"))
    assert [c.text for c in scope.clauses][:1] == ["铝合金型材制造"]
    assert {"技术服务", "货物进出口"} <= {g.text for g in scope.generic}
    park = _park(
        "P", "巩义铝加工园", "3252", "重点发展铝型材、铝板带箔，配套技术研发和技术服务平台。"
    )
    m = _fit(
        [park],
        [
            _ent("PLAIN", "甲公司", "铝合金型材制造"),
            _ent("PADDED", "乙公司", BOILER.format("铝合金型材制造")),
            _ent("ONLY", "丙公司", BOILER.format("日用百货销售")),
        ],
    )
    plain, padded, only = (_row(m, "P", e) for e in ("PLAIN", "PADDED", "ONLY"))
    assert padded["text"] == pytest.approx(plain["text"], rel=0.05)
    assert m.explain("P", "ONLY").values["text"] is None  # padding only: nothing to compare
    assert only["text"] < plain["text"]
    reasons = " ".join(m.explain("P", e).reasons[1] for e in ("PADDED", "ONLY"))
    assert "技术服务" not in reasons and "技术开发" not in reasons and "许可" not in reasons


# ---------------------------------------------------------------------------- side lines
def test_a_trailing_side_line_does_not_decide() -> None:
    inf = infer_industry("汽车零部件及配件制造；道路普通货物运输（不含危险货物）；五金产品批发")
    assert inf.code == "3670"
    clauses = parse_scope("汽车零部件及配件制造；道路普通货物运输").clauses
    assert clauses[0].weight > clauses[1].weight
    parks = [
        _park("AUTO", "汽车零部件产业园", "3670", "汽车零部件及配件"),
        _park("LOG", "商贸物流园", "5431;5920", "公路货运、仓储配送和物流服务"),
    ]
    m = _fit(
        parks,
        [
            _ent("PARTS", "甲汽配公司", "汽车零部件及配件制造；道路普通货物运输（不含危险货物）"),
            _ent("TRUCKS", "乙物流公司", "道路普通货物运输；普通货物仓储服务；国内货物运输代理"),
        ],
    )
    assert m.rank_enterprises("AUTO", k=1)["enterprise_id"].iloc[0] == "PARTS"
    assert m.rank_enterprises("LOG", k=1)["enterprise_id"].iloc[0] == "TRUCKS"


# ---------------------------------------------------------------------------- wording bridges
def test_taiwan_wording_reads_as_mainland_wording() -> None:
    assert to_mainland("軟體開發、資訊系統整合、晶片設計") == "软件开发、信息系统集成、芯片设计"
    assert to_mainland("文件管理软件") == "文件管理软件"  # Simplified text is left alone
    tw = infer_industry(
        "電子零組件製造業、軟體設計、資訊軟體服務業", name="台北聯訊資訊股份有限公司"
    )
    assert tw.code is not None and tw.code.startswith("65")
    park = _park("SOFT", "软件园", "6513;6531", "应用软件开发、信息系统集成")
    m = _fit(
        [park],
        [
            _ent("TW", "聯訊資訊股份有限公司", "軟體設計、資訊系統整合"),
            _ent("CN", "联讯信息股份有限公司", "软件设计、信息系统集成"),
        ],
    )
    assert _row(m, "SOFT", "TW")["text"] == pytest.approx(_row(m, "SOFT", "CN")["text"], rel=1e-5)


@pytest.mark.parametrize(
    ("scope", "division"),
    [
        ("PCB、SMT贴片加工", "39"),
        ("MLCC、片式电感的生产", "39"),
        ("LFP正极材料、NCM三元前驱体制造", "39"),
        ("IGBT模块封装", "39"),
        ("CNC精密加工", "34"),
        ("API原料药、医药中间体生产", "27"),
        ("镁炭砖、高铝砖、浇注料生产", "30"),
        ("立方氮化硼、人造金刚石单晶的研发、生产", "30"),
        ("丸剂、注射剂生产", "27"),
    ],
)
def test_abbreviations_and_trade_names_find_their_industry(scope: str, division: str) -> None:
    inf = infer_industry(scope)
    assert inf.raw_code is not None and inf.raw_code[:2] == division


def test_product_names_meet_the_parks_category_words() -> None:
    park = _park("NM", "新材料园", "3089;3099", "高端耐火材料、超硬材料制品、印制电路板配套材料")
    m = _fit(
        [park],
        [
            _ent("BRICK", "甲公司", None, products="镁炭砖"),
            _ent("CBN", "乙公司", None, products="立方氮化硼"),
            _ent("NONE", "丙公司", None, products="速冻水饺"),
        ],
    )
    brick, cbn = _row(m, "NM", "BRICK")["text"], _row(m, "NM", "CBN")["text"]
    assert brick > 0 and cbn > 0
    assert _row(m, "NM", "NONE")["text"] < 0.25 * min(brick, cbn)


# ---------------------------------------------------------------------------- names
def test_the_name_industry_counts_and_the_brand_does_not() -> None:
    hotpot = parse_name("包头市稀土火锅店")
    assert (hotpot.brand, hotpot.industry) == ("稀土", "火锅")
    assert infer_industry(None, None, "包头市稀土火锅店").code.startswith("62")
    scope = "一般项目：有色金属合金销售；金属材料销售"
    wheel = infer_industry(scope, name="滨州宏骏铝合金车轮有限公司")  # names what it makes
    plain = infer_industry(scope, name="滨州宏骏实业有限公司")
    wheel_share = dict(wheel.candidates).get("3670", 0.0)
    assert wheel_share >= 0.4 and "3670" not in dict(plain.candidates)
    assert wheel.make_share > plain.make_share
    trader = infer_industry("批发、零售：金属材料", name="杭州鹏鑫金属材料有限公司")
    assert section_of(trader.raw_code) == "F"  # the name names what is sold
    park = _park("RE", "稀土新材料产业园", "3254;3985", "稀土永磁材料、稀土抛光材料")
    m = _fit([park], [_ent("POT", "包头市稀土火锅店", "火锅餐饮服务")])
    assert _row(m, "RE", "POT")["score"] < 40


def test_a_unit_word_counts_before_a_legal_form() -> None:
    # 大药房 / 超市 / 酒店 followed by 连锁 or 有限公司 still say what kind of unit the firm is
    pharmacy = parse_name("贵阳益康大药房连锁有限公司")
    assert pharmacy.retail and pharmacy.form_code == "5251"
    hotel = parse_name("成都市锦华酒店有限公司")
    assert hotel.form_code == "6110" and not hotel.retail  # a 酒店 is no shop
    assert parse_name("昆明百顺超市连锁有限公司").form_code == "5212"
    assert not parse_name("杭州鹏鑫金属材料有限公司").retail
    # a shop's unqualified 销售 is retail: the whole evidence stays in 52 零售业
    scope = "许可项目：药品零售；第三类医疗器械经营。一般项目：日用百货销售；化妆品零售"
    inf = infer_industry(scope, name="贵阳益康大药房连锁有限公司")
    assert inf.code == "5251"
    assert all(code.startswith("52") for code, _ in inf.candidates)


# ---------------------------------------------------------------------------- conflicts
def test_a_declared_code_the_scope_contradicts_gets_half_credit() -> None:
    park = _park("SOFT", "软件园", "6513", "应用软件开发、SaaS")
    reseller = "销售：服务器、计算机软硬件及辅助设备、正版软件授权；计算机系统集成"
    m = _fit(
        [park],
        [
            _ent("DEV", "甲软件公司", "应用软件开发；软件技术服务", industry_code="6513"),
            _ent("RES", "乙科技公司", reseller, industry_code="6513"),
        ],
    )
    dev, res = _row(m, "SOFT", "DEV"), _row(m, "SOFT", "RES")
    assert res["industry"] < dev["industry"]
    assert "不一致" in res["reasons"] and "请核实" in res["reasons"]
    assert m.rank_enterprises("SOFT", k=1)["enterprise_id"].iloc[0] == "DEV"


# ---------------------------------------------------------------------------- relatedness
def test_a_chain_neighbour_beats_an_unrelated_sibling() -> None:
    rel = get_relatedness()
    battery = ["3841"]
    anode, separator, mems = (rel.table(battery)[rel_id] for rel_id in _ids("3091", "2921", "3983"))
    assert anode >= 0.7 and separator >= 0.7 and mems < 0.5
    park = _park("LI", "锂电池产业园", "3841", "锂离子电池电芯与模组")
    m = _fit(
        [park],
        [
            _ent("ANODE", "甲碳素公司", "锂离子电池负极用石墨材料的生产", industry_code="3091"),
            _ent("MEMS", "乙传感公司", "MEMS传感器的研发、生产", industry_code="3983"),
        ],
    )
    assert _row(m, "LI", "ANODE")["industry"] > _row(m, "LI", "MEMS")["industry"]
    assert "锂电池产业链上游" in _row(m, "LI", "ANODE")["reasons"]


def _ids(*codes: str) -> list[int]:
    from matcher.reference.taxonomy import get_taxonomy

    tax = get_taxonomy()
    return [tax.ids[c] for c in codes]


# ---------------------------------------------------------------------------- park types
def test_large_firms_suit_a_development_zone_not_a_small_micro_park() -> None:
    big = _ent("BIG", "甲铝业公司", "铝型材制造", industry_code="3252", size_class="大型")
    parks = [
        _park("MICRO", "巩义市铝加工小微企业园", "3252", "铝型材"),
        _park("ZONE", "巩义经济技术开发区", "3252", "铝型材"),
    ]
    m = _fit(parks, [big])
    micro, zone = _row(m, "MICRO", "BIG"), _row(m, "ZONE", "BIG")
    assert zone["capacity"] > micro["capacity"]
    assert "小微企业园难以承载" in micro["reasons"] and "小微企业园" not in zone["reasons"]


# ---------------------------------------------------------------------------- exclusions
def test_a_confident_inference_under_an_excluded_industry_is_ineligible() -> None:
    park = _park(
        "FOOD",
        "食品产业园",
        "1353;1371",
        "肉制品和蔬菜加工。屠宰项目须在定点屠宰区建设，不在本园区安排。",
        excluded_industries="1351",
    )
    m = _fit(
        [park],
        [
            _ent("SLAUGHTER", "甲肉联厂", "生猪屠宰；鲜肉、冷鲜肉销售"),
            _ent("SAUSAGE", "乙食品公司", "肉制品（香肠、火腿）加工、销售"),
        ],
    )
    slaughter = m.explain("FOOD", "SLAUGHTER")
    assert not slaughter.eligible
    assert "请核实" in slaughter.reasons[0] and "置信度" in slaughter.reasons[0]
    assert m.explain("FOOD", "SAUSAGE").eligible
    assert m.rank_enterprises("FOOD", k=None)["enterprise_id"].tolist() == ["SAUSAGE"]


def test_positioning_refusals_exclude_what_they_name() -> None:
    park = _park(
        "AL",
        "铝精深加工园",
        "3252",
        "重点发展铝型材。电镀等重污染工序不得入园，单纯贸易类企业不予入驻。",
    )
    m = _fit(
        [park],
        [
            _ent("PLATING", "甲表面处理公司", "金属表面处理、电镀加工"),
            _ent("TRADER", "乙商贸公司", "铝材、铝型材销售；五金交电销售"),
            _ent("MAKER", "丙铝业公司", "铝型材挤压加工、销售"),
        ],
    )
    assert not m.explain("AL", "PLATING").eligible
    trader = m.explain("AL", "TRADER")
    assert not trader.eligible and "单纯贸易" in trader.reasons[0]
    assert m.explain("AL", "MAKER").eligible


def test_unknowns_do_not_decide_the_ranking() -> None:
    parks = [_park("AL", "铝加工园", "3252", "铝型材、铝板带箔")]
    far = dict(province="广东省", city="佛山市", county="南海区")
    m = _fit(
        parks,
        [
            _ent("NEAR", "甲公司", "日用百货销售"),
            _ent("FAR", "乙铝业公司", "铝型材挤压加工", **far),
            _ent("BLANK", "丙公司", None),
        ],
    )
    leads = m.rank_enterprises("AL", k=None)
    assert leads["enterprise_id"].iloc[0] == "FAR"  # 1,300 km away and still first
    blank = _row(m, "AL", "BLANK")
    assert np.isclose(blank["score"], m.explain("AL", "BLANK").score)


# --- reading a scope the way registries write it (second pass) ----------------------------


def test_a_list_under_one_verb_weighs_as_one_line_of_business() -> None:
    scope = (
        "计算机软硬件开发；批发、零售：计算机软硬件、配件及外部设备，电子产品，"
        "非专控通讯器材，办公设备，五金、交电，日用百货；经济信息咨询。"
    )
    first, *listed = parse_scope(scope).clauses
    trade = [c for c in listed if c.activity == "trade"]
    assert len(trade) >= 5  # the commas still separate the goods
    # together they weigh what one clause at their position weighs (1 / (1 + 0.5 x position))
    assert sum(c.weight for c in trade) == pytest.approx(1 / (1 + 0.5 * trade[0].position))
    assert first.weight == 1.0
    assert infer_industry(scope, None, "济南九思科技有限公司").raw_code.startswith("65")


def test_two_activities_joined_by_ji_are_two_items() -> None:
    items = [i for c in parse_scope("模具制造及注塑加工").clauses for i in c.items]
    assert items[0] == "模具制造"  # not one item whose last term (注塑) would be its head
    assert infer_industry("模具制造及注塑加工").raw_code == "3525"
    # a verb alone before 及 and an object without a verb keep the item whole
    assert [c.items for c in parse_scope("塑料制品生产及销售").clauses] == [("塑料制品生产",)]
    assert [c.items for c in parse_scope("销售计算机及配件").clauses] == [("销售计算机及配件",)]


def test_growing_a_crop_is_farming_and_a_makers_products_are_processed() -> None:
    farm = infer_industry(
        "食用菌种植；食用农产品初加工；食用农产品批发", None, "古田县菇乡食用菌专业合作社"
    )
    assert farm.raw_code.startswith("014")
    made = infer_industry("食用菌加工；食品生产", "干香菇、香菇酱", "西峡县菇源香菇制品有限公司")
    assert made.raw_code.startswith("137")


def test_car_dealers_retail_unless_they_say_wholesale() -> None:
    dealer = infer_industry("汽车、汽车零部件销售", None, "枣阳市腾泰汽车销售有限公司")
    assert dealer.raw_code.startswith("526")
    assert infer_industry("汽车零配件批发").raw_code.startswith("517")
    # a wholesaler that retails one side line stays a wholesaler
    drugs = infer_industry(
        "药品、医疗器械、卫生用品、日用百货、化妆品销售；小包装化工试剂零售",
        None,
        "台州上药医药有限公司",
    )
    assert drugs.raw_code.startswith("51")


def test_research_without_making_is_research_and_keeps_its_subject() -> None:
    inf = infer_industry("一般经营项目：药品、保健食品、化妆品、医疗器械的研究、开发。")
    assert inf.raw_code.startswith("73")
    auto = infer_industry(
        "汽车零部件研发；工程和技术研究和试验发展；软件开发", None, "上海驰衡汽车技术有限公司"
    )
    assert auto.raw_code.startswith("73")
    assert any(code.startswith("36") for code, _ in auto.candidates)  # the industry it serves
    # a firm that also makes its products is a maker
    maker = infer_industry("电子元器件研究、开发；电子元器件、电源连接器制造")
    assert section_of(maker.raw_code) == "C"
    # developing and selling goods it does not make is trading
    trader = infer_industry("开发、销售：计算机网络产品、电子产品及元器件、仪器仪表")
    assert trader.raw_code.startswith("51")


def test_goods_fitted_to_buildings_and_freight_by_mode() -> None:
    assert infer_industry("建筑幕墙工程施工；门窗工程施工").raw_code.startswith("50")
    assert infer_industry("石材、瓷砖、洁具、涂料的批发、零售及安装、施工").raw_code.startswith(
        "51"
    )
    assert infer_industry("铁路小件货物快运；铁路票据快运；货运代办").raw_code.startswith("53")
    assert infer_industry("道路普通货物运输；货运代办").raw_code.startswith("54")


def test_both_registry_sections_list_their_main_items_first() -> None:
    s = parse_scope(
        "许可项目：道路货物运输（不含危险货物）。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
        "一般项目：低温仓储；国内货物运输代理。"
    )
    weights = [c.weight for c in s.clauses]
    assert weights[:2] == [1.0, 1.0]
    assert weights[2] < 1.0


def test_broad_industry_words_side_by_side_in_a_name_are_lines_of_business() -> None:
    scope = "塑料制品、五金件、电器配件的制造、加工"
    assert infer_industry(scope, None, "宁波市海曙永宏塑料五金厂").raw_code.startswith("29")
    # a specific product stays one word (铝合金车轮 is a wheel, not aluminium and a wheel)
    assert parse_name("滨州宏骏铝合金车轮有限公司").industry == "铝合金车轮"


def test_farms_supply_a_processing_park_but_are_not_its_tenants() -> None:
    rel = get_relatedness()
    vegetables, processing = "0141", "1371"
    assert 0 < rel.value(vegetables, processing) <= 0.5 * 0.7 + 1e-6
    # an agricultural park keeps its farms at full relatedness
    assert rel.value(vegetables, "014") == 1.0


def test_packaging_names_no_material() -> None:
    scope = "塑料制品制造；塑料制品销售；包装材料及制品销售；纸制品制造"
    assert infer_industry(scope, None, "临沂金盾包装制品有限公司").raw_code.startswith("29")


def test_an_outlet_of_a_branch_sells_its_parents_business() -> None:
    outlet = parse_name("中国电信股份有限公司嘉鱼高铁营业部")
    assert outlet.industry == "" and outlet.parent_industry == "电信"
    assert infer_industry(
        "许可经营项目", None, "中国电信股份有限公司嘉鱼高铁营业部"
    ).raw_code.startswith("63")
    # a branch that names its own goods keeps them (标准件批发部)
    assert parse_name("某某机械有限公司标准件批发部").industry == "标准件"


def test_a_process_written_alone_is_making() -> None:
    # 纺纱 reads as a verb of making; alone, it is also what the firm makes
    s = parse_scope("纺纱。织布；轴承、电机及纺织配件销售")
    assert [c.activity for c in s.clauses][:2] == ["make", "make"]
    assert infer_industry("纺纱。织布；轴承、电机及纺织配件销售").raw_code.startswith("17")
    assert infer_industry("水力发电；劳务服务").raw_code == "4413"  # not traded electricity
    # a verb alone still closes the list before it
    assert [c.items for c in parse_scope("铝型材生产、销售").clauses] == [("铝型材生产",)]


def test_a_clause_of_activities_alone_names_its_industry() -> None:
    # 仓储服务 is two verbs; alone in its clause, 仓储 is what the firm does
    assert infer_industry("仓储服务；货运信息服务；普通货运").raw_code == "5920"
    # after goods, the same verb is what is done with them (钢材运输、仓储: freight)
    assert infer_industry("钢材运输、仓储").raw_code == "543"
