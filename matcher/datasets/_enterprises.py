"""Sample data: the bundled Zhengzhou parks and a reproducible generator of raw enterprise sheets.

:func:`make_enterprises` draws a *raw* enterprise sheet such as an investment-attraction officer
would receive: canonical English headers, every cell a string (or missing), with the noise of real
spreadsheets — codes written as ``3252``/``C3252``/``３２５２``/``32``/``325``, 繁體 rows,
full-width digits, size classes written as ``小型``/``small``/``微``, 专精特新 levels in several
spellings, and most coordinates left blank for the gazetteer to fill. The industries are a
Henan-like mix of GB/T 4754-2017 小类 (see :data:`SAMPLE_INDUSTRIES`).

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

import operator
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..io import ENTERPRISE_COLUMNS, PARK_COLUMNS
from ..reference.creditcode import CREDIT_CODE_CHARSET

__all__ = [
    "ENTERPRISE_FIELDS",
    "ENTERPRISE_HEADERS_ZH",
    "PARK_FIELDS",
    "PARK_HEADERS_ZH",
    "SAMPLE_INDUSTRIES",
    "make_enterprises",
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
    """Template of one GB/T 4754-2017 小类 for the generator."""

    code: str
    label: str
    family: str  # al mat equip elec food garment bio chem soft trade
    size_group: str  # key of _SIZE_RULES
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
    def section(self) -> str:
        division = int(self.code[:2])
        if 13 <= division <= 43:
            return "C"
        if division in (51, 52):
            return "F"
        if 53 <= division <= 60:
            return "G"
        if 63 <= division <= 65:
            return "I"
        return "M"


# fmt: off
_INDUSTRIES: tuple[_Industry, ...] = (
    # ------------------------------------------------------------------ 铝 (aluminium chain)
    _Industry(
        "3216", "铝冶炼", "al", "IND", 0.8,
        ("铝业", "有色金属", "铝材", "冶金"),
        ("铝冶炼", "常用有色金属冶炼", "有色金属合金制造", "有色金属合金销售",
         "铝锭、铝合金锭的生产与销售", "生产性废旧金属回收", "金属材料销售", "炭素制品销售"),
        ("电解铝", "铝锭", "铝液", "铝合金锭", "再生铝锭", "铝合金圆棒", "铝母线", "A00铝锭",
         "铸造铝合金锭", "高纯铝"),
        (180, 0.9), 220, 90, 0.6,
        licence=("道路货物运输（不含危险货物）",),
        hot={"上街区": 8, "巩义市": 6, "登封市": 3, "渑池县": 3, "伊川县": 3, "新安县": 2,
             "马村区": 2},
        relocation=0.2, zhengzhou=0.3,
    ),
    _Industry(
        "3252", "铝压延加工", "al", "IND", 4.0,
        ("铝业", "铝材", "铝箔", "铝业科技", "新材料", "金属材料", "铝制品"),
        ("有色金属压延加工", "铝板带箔的生产与销售", "铝合金型材的生产与销售", "有色金属合金销售",
         "金属材料销售", "金属材料制造", "铝箔制品加工与销售", "高性能有色金属及合金材料销售",
         "新材料技术研发", "建筑用金属配件制造"),
        ("铝板", "铝带", "铝箔", "铝卷", "花纹铝板", "铝合金型材", "工业铝型材", "建筑铝型材",
         "铝单板", "双零铝箔", "空调箔", "电池铝箔", "铝塑复合板", "彩涂铝卷", "铝合金厚板",
         "汽车用铝板"),
        (45, 1.0), 120, 70, 1.0,
        hot={"巩义市": 12, "上街区": 4, "荥阳市": 3, "长葛市": 1.5, "登封市": 1, "新安县": 1},
        relocation=0.6, hot_far={"南海区": 3, "江阴市": 2},
    ),
    _Industry(
        "3392", "有色金属铸造", "al", "IND", 2.0,
        ("精密铸造", "铸造", "压铸", "机械", "金属制品"),
        ("有色金属铸造", "铝合金铸件的生产与销售", "汽车零部件及配件制造", "机械零件、零部件加工",
         "模具制造", "金属制品销售", "有色金属合金销售", "黑色金属铸造"),
        ("铝合金压铸件", "铝合金铸件", "汽车铝铸件", "铝合金轮毂毛坯", "电机壳体", "变速箱壳体",
         "铜铸件", "锌合金压铸件", "低压铸造件", "消失模铸件", "精密铸件"),
        (40, 0.9), 70, 60, 0.9,
        hot={"巩义市": 5, "上街区": 3, "中牟县": 2, "荥阳市": 2, "长葛市": 2, "林州市": 2},
        relocation=0.8, hot_far={"北仑区": 1, "武进区": 1},
    ),
    _Industry(
        "3311", "金属结构制造", "al", "IND", 2.0,
        ("钢结构", "钢构", "钢结构工程", "建材", "金属结构"),
        ("金属结构制造", "金属结构销售", "钢结构件的加工与安装", "建筑用金属配件制造",
         "轻质建筑材料制造", "建筑材料销售", "金属制品销售", "货架、网架的生产与销售"),
        ("钢结构件", "网架", "H型钢", "彩钢板", "钢格板", "轻钢龙骨", "铝合金模板", "脚手架",
         "活动板房", "仓储货架", "箱式房", "螺栓球网架"),
        (35, 0.9), 60, 80, 0.6,
        licence=("建设工程施工",),
        hot={"荥阳市": 3, "郑州经济技术开发区": 3, "中牟县": 2, "巩义市": 2},
        relocation=0.5,
    ),
    _Industry(
        "3312", "金属门窗制造", "al", "IND", 2.0,
        ("门窗", "门窗幕墙", "幕墙", "建筑装饰", "门业"),
        ("金属门窗制造", "金属门窗工程施工", "铝合金门窗、幕墙的设计、生产与安装",
         "建筑装饰材料销售", "门窗销售", "五金产品零售", "住宅室内装饰装修"),
        ("断桥铝门窗", "铝合金门窗", "系统门窗", "玻璃幕墙", "铝单板幕墙", "防火窗", "阳光房",
         "推拉门", "平开窗", "防盗门", "铝木复合窗"),
        (25, 0.9), 45, 60, 0.5,
        licence=("建设工程施工",),
        hot={"巩义市": 4, "荥阳市": 2, "中牟县": 2, "新郑市": 2},
        relocation=0.6, hot_far={"南海区": 2},
    ),
    _Industry(
        "3670", "汽车零部件及配件制造", "al", "IND", 3.5,
        ("汽车零部件", "汽车配件", "汽配", "汽车部件", "机械", "精工"),
        ("汽车零部件及配件制造", "汽车零配件批发", "汽车零部件研发", "机械零件、零部件加工",
         "新能源汽车电附件销售", "橡胶制品制造", "模具制造", "汽车零配件零售"),
        ("制动器", "刹车片", "汽车散热器", "铝合金轮毂", "汽车线束", "汽车座椅骨架", "减震器",
         "离合器总成", "汽车电池托盘", "车身冲压件", "汽车轻量化结构件", "变速箱壳体",
         "排气系统", "汽车空调管路", "新能源汽车电机壳体"),
        (60, 1.1), 70, 50, 1.2,
        hot={"中牟县": 10, "郑州经济技术开发区": 6, "林州市": 3, "淇滨区": 2, "上街区": 2,
             "巩义市": 1.5, "长葛市": 1},
        relocation=1.0, hot_far={"北仑区": 2, "武进区": 2, "昆山市": 1},
    ),
    # ------------------------------------------------------------------ 新材料 (new materials)
    _Industry(
        "3089", "耐火陶瓷制品及其他耐火材料制造", "mat", "IND", 4.0,
        ("耐火材料", "耐材", "耐火", "高温材料", "窑炉材料", "新材料"),
        ("耐火材料生产", "耐火材料销售", "不定形耐火材料的生产与销售", "耐火陶瓷制品制造",
         "高温炉窑材料研发", "保温材料销售", "非金属矿物制品制造", "窑炉砌筑工程服务"),
        ("高铝砖", "镁碳砖", "刚玉砖", "莫来石砖", "耐火浇注料", "耐火可塑料", "硅砖", "耐火球",
         "轻质保温砖", "陶瓷纤维毯", "铝镁尖晶石砖", "耐火泥", "滑板砖", "透气砖"),
        (40, 1.0), 60, 80, 0.9,
        licence=("建设工程施工",),
        hot={"新密市": 12, "巩义市": 8, "登封市": 6, "荥阳市": 1},
        relocation=0.2,
    ),
    _Industry(
        "3091", "石墨及碳素制品制造", "mat", "IND", 1.5,
        ("碳素", "炭素", "石墨", "新材料", "碳材料"),
        ("石墨及碳素制品制造", "石墨及碳素制品销售", "石墨电极的生产与销售",
         "预焙阳极的生产与销售", "新型碳材料研发", "非金属矿及制品销售"),
        ("石墨电极", "预焙阳极", "等静压石墨", "阴极炭块", "炭素糊", "石墨坩埚", "高纯石墨",
         "石墨烯粉体", "碳毡", "石墨舟", "锂电池负极材料", "增碳剂"),
        (70, 1.0), 90, 90, 1.1,
        hot={"巩义市": 3, "登封市": 3, "新密市": 2, "上街区": 2, "林州市": 2},
        relocation=0.3,
    ),
    _Industry(
        "3099", "其他非金属矿物制品制造", "mat", "IND", 3.0,
        ("超硬材料", "金刚石", "磨料磨具", "磨具", "新材料", "钻石工具"),
        ("超硬材料制品制造", "超硬材料制品销售", "人造金刚石、立方氮化硼的生产与销售",
         "磨料磨具的生产与销售", "非金属矿物制品制造", "金刚石工具制造", "新材料技术研发",
         "金属工具销售"),
        ("人造金刚石", "金刚石单晶", "金刚石微粉", "立方氮化硼", "聚晶金刚石复合片", "金刚石砂轮",
         "树脂砂轮", "金刚石锯片", "金刚石切割片", "金刚石线锯", "培育钻石", "刚玉磨料",
         "碳化硅微粉", "涂附磨具", "砂布砂纸"),
        (35, 1.0), 55, 40, 1.6,
        hot={"中原区": 3, "柘城县": 6, "长葛市": 5, "方城县": 3, "登封市": 3, "新密市": 1,
             "二七区": 1},
        relocation=0.4,
    ),
    _Industry(
        "3073", "特种陶瓷制品制造", "mat", "IND", 1.0,
        ("特种陶瓷", "精密陶瓷", "新材料", "陶瓷科技", "陶瓷"),
        ("特种陶瓷制品制造", "特种陶瓷制品销售", "先进陶瓷材料研发", "电子专用材料销售",
         "耐磨材料的生产与销售", "非金属矿物制品制造"),
        ("氧化铝陶瓷", "氧化锆陶瓷", "碳化硅陶瓷", "氮化硅陶瓷", "蜂窝陶瓷", "陶瓷过滤器",
         "耐磨陶瓷衬板", "陶瓷基板", "陶瓷球", "陶瓷柱塞", "陶瓷膜"),
        (40, 0.9), 45, 50, 1.5,
        hot={"登封市": 3, "新密市": 3, "巩义市": 2, "长葛市": 2, "中原区": 1},
        relocation=0.6,
    ),
    _Industry(
        "2666", "环境污染处理专用药剂材料制造", "chem", "IND", 1.0,
        ("净水材料", "环保科技", "水处理", "环保材料", "净水剂"),
        ("环境污染处理专用药剂材料制造", "环境污染处理专用药剂材料销售", "水处理剂的生产与销售",
         "化工产品销售（不含许可类化工产品）", "专用化学产品制造（不含危险化学品）",
         "污水处理及其再生利用"),
        ("聚合氯化铝", "聚丙烯酰胺", "聚合硫酸铁", "活性炭", "净水剂", "絮凝剂", "阻垢剂",
         "除磷剂", "高铁酸钾", "石英砂滤料", "活性氧化铝"),
        (30, 0.9), 60, 70, 0.9,
        licence=("危险化学品经营",),
        hot={"巩义市": 12, "新密市": 1, "荥阳市": 1},
        relocation=0.3,
    ),
    # ------------------------------------------------------------------ 装备 (equipment)
    _Industry(
        "3511", "矿山机械制造", "equip", "IND", 2.5,
        ("矿山机械", "重工", "矿机", "机械设备", "机械制造", "重型机械"),
        ("矿山机械制造", "矿山机械销售", "冶金专用设备制造", "建筑材料生产专用机械制造",
         "机械设备租赁", "通用设备修理", "环境保护专用设备制造", "机械零件、零部件加工"),
        ("颚式破碎机", "圆锥破碎机", "反击式破碎机", "制砂机", "球磨机", "振动筛", "给料机",
         "浮选机", "烘干机", "回转窑", "移动破碎站", "雷蒙磨粉机", "带式输送机"),
        (50, 1.0), 60, 70, 1.1,
        hot={"荥阳市": 8, "上街区": 5, "郑州经济技术开发区": 3, "巩义市": 3, "涧西区": 3},
        relocation=0.6,
    ),
    _Industry(
        "3514", "建筑工程用机械制造", "equip", "IND", 1.5,
        ("建筑机械", "建设机械", "工程机械", "重工", "机械"),
        ("建筑工程用机械制造", "建筑工程用机械销售", "建筑工程机械与设备租赁", "特种设备销售",
         "机械零件、零部件加工", "专用设备修理"),
        ("混凝土搅拌站", "混凝土搅拌机", "稳定土拌合站", "沥青搅拌站", "干混砂浆设备", "湿喷机",
         "桩工机械", "旋挖钻机", "压路机", "摊铺机", "混凝土输送泵"),
        (60, 1.0), 70, 70, 1.1,
        licence=("特种设备制造", "特种设备安装改造修理"),
        hot={"荥阳市": 8, "郑州经济技术开发区": 4, "长葛市": 1, "中牟县": 1},
        relocation=0.6,
    ),
    _Industry(
        "3432", "生产专用起重机制造", "equip", "IND", 1.5,
        ("起重机械", "起重设备", "重工", "起重", "机械"),
        ("起重机械制造", "起重机械销售", "特种设备销售", "物料搬运装备制造",
         "机械零件、零部件加工", "通用设备修理"),
        ("桥式起重机", "门式起重机", "电动单梁起重机", "冶金起重机", "塔式起重机", "防爆起重机",
         "悬臂起重机", "起重机配件", "电动葫芦"),
        (70, 1.0), 60, 80, 1.0,
        licence=("特种设备制造", "特种设备安装改造修理", "特种设备设计"),
        hot={"长垣市": 14, "荥阳市": 2, "红旗区": 1, "郑州经济技术开发区": 1},
        relocation=0.4,
    ),
    _Industry(
        "3443", "阀门和旋塞制造", "equip", "IND", 1.5,
        ("阀门", "阀业", "流体控制", "流体设备", "机械"),
        ("阀门和旋塞研发", "阀门和旋塞销售", "通用设备制造（不含特种设备制造）",
         "泵及真空设备制造", "机械零件、零部件加工", "仪器仪表销售"),
        ("闸阀", "截止阀", "球阀", "蝶阀", "止回阀", "调节阀", "电动阀门", "安全阀", "减压阀",
         "排污阀", "煤粉阀", "阀门执行器"),
        (40, 0.9), 55, 50, 1.0,
        licence=("特种设备制造",),
        hot={"荥阳市": 4, "郑州经济技术开发区": 3, "巩义市": 2, "中牟县": 1, "新郑市": 1},
        relocation=1.0, hot_far={"乐清市": 2},
    ),
    _Industry(
        "3484", "机械零部件加工", "equip", "IND", 3.0,
        ("机械", "精密机械", "机械制造", "精工", "机电"),
        ("机械零件、零部件加工", "机械零件、零部件销售", "通用零部件制造", "金属切削加工服务",
         "模具制造", "五金产品制造", "金属制品销售"),
        ("精密机加工件", "数控车削件", "齿轮", "轴类零件", "法兰", "钣金件", "冲压件", "焊接件",
         "传动轴", "紧固件", "非标零件", "液压件"),
        (25, 1.0), 40, 45, 0.9,
        hot={"二七区": 4, "郑州经济技术开发区": 4, "荥阳市": 3, "中牟县": 2, "新郑市": 2,
             "中原区": 1.5, "上街区": 2, "长葛市": 1},
        relocation=1.0, hot_far={"昆山市": 1, "新吴区": 1, "北仑区": 1},
    ),
    _Industry(
        "3491", "工业机器人制造", "equip", "IND", 0.6,
        ("智能装备", "机器人", "智能科技", "自动化", "智能制造"),
        ("工业机器人制造", "工业机器人销售", "工业机器人安装、维修", "智能机器人的研发",
         "工业自动控制系统装置制造", "智能基础制造装备制造", "软件开发"),
        ("六轴工业机器人", "码垛机器人", "焊接机器人", "搬运机器人", "AGV小车", "机器人工作站",
         "协作机器人", "自动化生产线", "机器视觉系统", "桁架机械手"),
        (45, 1.0), 50, 30, 2.2,
        hot={"郑州经济技术开发区": 3, "中原区": 2, "二七区": 2, "郑州航空港经济综合实验区": 1,
             "涧西区": 2},
        relocation=1.5, hot_far={"宝安区": 2, "吴中区": 2, "嘉定区": 1},
    ),
    _Industry(
        "3823", "配电开关控制设备制造", "equip", "IND", 1.5,
        ("电气", "电力设备", "电力科技", "电器", "智能电气", "电力"),
        ("配电开关控制设备制造", "配电开关控制设备销售", "输配电及控制设备制造",
         "智能输配电及控制设备销售", "电力设施器材制造", "电线、电缆经营", "电子元器件制造"),
        ("高低压开关柜", "环网柜", "箱式变电站", "配电箱", "断路器", "隔离开关", "智能电表箱",
         "无功补偿装置", "柱上开关", "充电桩", "母线槽"),
        (60, 1.0), 60, 35, 1.4,
        licence=("输电、供电、受电电力设施的安装、维修和试验",),
        hot={"魏都区": 6, "郑州经济技术开发区": 2, "中原区": 2, "金水区": 1, "荥阳市": 1},
        relocation=1.0, hot_far={"乐清市": 4, "闵行区": 1},
    ),
    # ------------------------------------------------------------------ 电子信息 (electronics)
    _Industry(
        "3922", "通信终端设备制造", "elec", "IND", 1.0,
        ("电子科技", "通讯", "通信科技", "智能科技", "电子", "精密电子"),
        ("通信设备制造", "移动终端设备制造", "通讯设备销售", "移动通信设备销售", "电子产品销售",
         "计算机软硬件及外围设备制造", "智能家庭消费设备制造"),
        ("智能手机", "手机主板", "手机外壳", "智能穿戴设备", "平板电脑", "对讲机", "路由器",
         "蓝牙耳机", "手机摄像头模组", "5G通信模组", "智能手表", "数据线"),
        (120, 1.2), 80, 25, 1.6,
        hot={"郑州航空港经济综合实验区": 14, "郑州经济技术开发区": 2, "金水区": 1},
        relocation=2.5, hot_far={"宝安区": 6, "龙岗区": 4, "东莞市": 6, "昆山市": 3},
    ),
    _Industry(
        "3982", "电子电路制造", "elec", "IND", 1.5,
        ("电子", "电路", "电子科技", "线路板", "精密电子"),
        ("电子电路制造", "电子元器件制造", "电子元器件批发", "电子产品销售", "电子专用材料销售",
         "电子元器件与机电组件设备制造"),
        ("印制电路板", "PCB线路板", "多层线路板", "柔性电路板", "高频电路板", "铝基板",
         "SMT贴片加工", "PCBA", "HDI板", "软硬结合板"),
        (70, 1.0), 50, 30, 1.4,
        hot={"郑州航空港经济综合实验区": 8, "郑州经济技术开发区": 2, "淇滨区": 2, "新郑市": 1},
        relocation=2.5, hot_far={"宝安区": 4, "东莞市": 4, "昆山市": 3, "吴江区": 2},
    ),
    _Industry(
        "3976", "光电子器件制造", "elec", "IND", 1.0,
        ("光电", "光电科技", "光电子", "激光", "电子科技"),
        ("光电子器件制造", "光电子器件销售", "光通信设备制造", "半导体照明器件制造",
         "光学仪器制造", "电子元器件制造"),
        ("光模块", "光收发模块", "激光器", "光耦合器", "光纤连接器", "光分路器", "红外探测器",
         "LED器件", "光电传感器", "激光二极管"),
        (50, 1.0), 55, 25, 1.8,
        hot={"郑州航空港经济综合实验区": 6, "中原区": 2, "宛城区": 4, "淇滨区": 1},
        relocation=1.8, hot_far={"龙岗区": 3, "吴中区": 2},
    ),
    _Industry(
        "3983", "敏感元件及传感器制造", "elec", "IND", 1.0,
        ("传感", "传感技术", "电子科技", "仪器仪表", "智能科技", "电子"),
        ("敏感元件及传感器制造", "传感器销售", "智能仪器仪表制造", "仪器仪表销售",
         "物联网设备制造", "物联网技术服务", "安防设备制造"),
        ("气体传感器", "压力传感器", "温湿度传感器", "红外传感器", "燃气报警器", "可燃气体探测器",
         "流量传感器", "MEMS传感器", "电化学传感器", "智能燃气表"),
        (45, 1.0), 50, 20, 2.0,
        hot={"中原区": 3, "金水区": 2, "郑州航空港经济综合实验区": 2, "二七区": 1},
        relocation=1.2,
    ),
    _Industry(
        "3985", "电子专用材料制造", "elec", "IND", 0.8,
        ("电子材料", "新材料", "材料科技", "电子科技"),
        ("电子专用材料制造", "电子专用材料销售", "电子专用材料研发", "石墨及碳素制品销售",
         "新材料技术研发", "锂离子电池材料的生产与销售"),
        ("覆铜板", "电子铜箔", "电子浆料", "单晶硅片", "蓝宝石衬底", "溅射靶材",
         "锂电池正极材料", "锂电池隔膜", "铁氧体磁芯", "电子级氢氟酸", "导电银浆"),
        (60, 1.0), 90, 40, 1.8,
        hot={"郑州航空港经济综合实验区": 3, "红旗区": 2, "中原区": 1, "涧西区": 1},
        relocation=1.2,
    ),
    # ------------------------------------------------------------------ 食品 (food)
    _Industry(
        "1432", "速冻食品制造", "food", "IND", 2.0,
        ("食品", "速冻食品", "冷冻食品", "食品科技"),
        ("速冻食品的生产与销售", "食用农产品初加工", "低温仓储（不含危险化学品等需许可审批的项目）",
         "食品进出口", "农副产品销售", "食品销售（仅销售预包装食品）"),
        ("速冻水饺", "汤圆", "速冻馄饨", "速冻包子", "手抓饼", "速冻粽子", "烧麦", "春卷", "油条",
         "预制菜", "速冻馒头", "速冻面点"),
        (60, 1.1), 70, 45, 0.5,
        licence=("食品生产", "食品销售", "食品互联网销售"),
        hot={"惠济区": 4, "新郑市": 5, "郑州经济技术开发区": 2, "中牟县": 2, "管城回族区": 1,
             "临颍县": 2, "源汇区": 2},
        relocation=0.3,
    ),
    _Industry(
        "1431", "米、面制品制造", "food", "IND", 1.5,
        ("食品", "面业", "面粉", "粮油", "食品科技"),
        ("米、面制品制造", "谷物磨制", "粮食收购", "农副产品销售", "食用农产品批发",
         "食品销售（仅销售预包装食品）"),
        ("挂面", "鲜湿面", "方便米饭", "米线", "饺子粉", "面粉", "烩面", "馒头", "手工空心面",
         "宽粉", "油泼面"),
        (35, 1.0), 60, 45, 0.4,
        licence=("粮食加工食品生产", "食品生产", "食品销售"),
        hot={"新郑市": 3, "中牟县": 2, "管城回族区": 1, "惠济区": 1, "源汇区": 2, "临颍县": 3},
        relocation=0.2,
    ),
    _Industry(
        "1419", "饼干及其他焙烤食品制造", "food", "IND", 1.0,
        ("食品", "烘焙", "食品科技", "糕点"),
        ("焙烤食品的生产与销售", "食品销售（仅销售预包装食品）", "农副产品销售", "食品进出口",
         "食用农产品零售"),
        ("饼干", "面包", "蛋糕", "月饼", "枣糕", "酥饼", "沙琪玛", "威化饼干", "桃酥", "糕点礼盒",
         "红枣夹心饼"),
        (30, 1.0), 40, 35, 0.4,
        licence=("食品生产", "食品销售"),
        hot={"新郑市": 6, "临颍县": 3, "惠济区": 1, "二七区": 1},
        relocation=0.4,
    ),
    _Industry(
        "1353", "肉制品及副产品加工", "food", "IND", 1.0,
        ("食品", "肉业", "肉制品", "食品科技"),
        ("肉制品的生产与销售", "低温仓储（不含危险化学品等需许可审批的项目）",
         "食用农产品批发", "冷链物流服务", "农副产品销售"),
        ("火腿肠", "低温肉制品", "卤肉制品", "酱牛肉", "熏鸡", "牛肉干", "烤肠", "调理肉制品",
         "冷鲜肉", "烧鸡"),
        (50, 1.1), 80, 45, 0.4,
        licence=("食品生产", "生猪屠宰", "食品销售"),
        hot={"源汇区": 8, "临颍县": 2, "新郑市": 2, "中牟县": 2},
        relocation=0.2,
    ),
    _Industry(
        "1391", "淀粉及淀粉制品制造", "food", "IND", 0.8,
        ("食品", "淀粉", "粉业", "农业科技"),
        ("淀粉及淀粉制品制造", "淀粉及淀粉制品销售", "农副产品销售", "粮食收购",
         "食用农产品初加工"),
        ("红薯粉条", "粉丝", "粉皮", "玉米淀粉", "红薯淀粉", "马铃薯淀粉", "变性淀粉", "酸辣粉",
         "宽粉条"),
        (30, 1.0), 50, 50, 0.4,
        licence=("食品生产",),
        hot={"新郑市": 2, "中牟县": 2, "登封市": 1, "新密市": 1, "川汇区": 2, "驿城区": 1},
        relocation=0.1,
    ),
    # ------------------------------------------------------------------ 服装 (garments)
    _Industry(
        "1819", "其他机织服装制造", "garment", "IND", 2.5,
        ("服饰", "服装", "制衣", "时装", "服装服饰"),
        ("服装制造", "服饰制造", "服装服饰批发", "服装服饰零售", "面料纺织加工", "服装辅料销售",
         "针纺织品销售", "互联网销售（除销售需要许可的商品）"),
        ("女裤", "西裤", "休闲裤", "女装", "衬衫", "西服", "职业装", "校服", "羽绒服", "牛仔裤",
         "风衣", "工装"),
        (40, 1.0), 25, 20, 0.3,
        hot={"二七区": 8, "新密市": 3, "管城回族区": 1, "中原区": 1},
        relocation=2.5, hot_far={"番禺区": 2, "白云区": 2, "余杭区": 1, "东莞市": 2},
    ),
    # ------------------------------------------------------------------ 生物医药 (biomedicine)
    _Industry(
        "2720", "化学药品制剂制造", "bio", "IND", 1.0,
        ("药业", "制药", "医药", "生物医药", "医药科技"),
        ("医学研究和试验发展", "化工产品销售（不含许可类化工产品）", "医药原料及中间体研发",
         "药品委托生产", "消毒剂销售（不含危险化学品）"),
        ("片剂", "胶囊剂", "注射液", "冻干粉针剂", "颗粒剂", "口服溶液", "软膏剂", "滴眼液",
         "缓释片", "阿莫西林胶囊", "头孢类制剂"),
        (120, 1.0), 70, 45, 1.8,
        licence=("药品生产", "药品批发", "药品进出口"),
        hot={"惠济区": 3, "郑州经济技术开发区": 2, "新郑市": 2, "红旗区": 3, "解放区": 1,
             "金水区": 1},
        relocation=1.0, hot_far={"余杭区": 1, "闵行区": 1},
    ),
    _Industry(
        "2740", "中成药生产", "bio", "IND", 1.0,
        ("药业", "制药", "中药", "医药", "本草"),
        ("中草药种植", "中草药收购", "地产中草药（不含中药饮片）购销", "医学研究和试验发展",
         "保健食品（预包装）销售"),
        ("中成药", "颗粒剂", "丸剂", "口服液", "胶囊剂", "中药饮片", "浓缩丸", "片剂", "糖浆剂",
         "膏方"),
        (90, 1.0), 60, 50, 1.3,
        licence=("药品生产", "药品批发", "中药饮片生产"),
        hot={"宛城区": 3, "禹州市": 4, "惠济区": 2, "新郑市": 1, "登封市": 1, "新密市": 1},
        relocation=0.4,
    ),
    _Industry(
        "3584", "医疗、外科及兽医用器械制造", "bio", "IND", 1.2,
        ("医疗器械", "医疗科技", "医用", "卫材", "生物科技"),
        ("第一类医疗器械生产", "第一类医疗器械销售", "第二类医疗器械销售",
         "医护人员防护用品生产（Ⅰ类医疗器械）", "卫生用品和一次性使用医疗用品销售"),
        ("一次性使用无菌注射器", "输液器", "医用导管", "手术器械", "采血针", "留置针",
         "麻醉穿刺包", "医用缝合线", "吻合器", "医用镊子", "骨科器械"),
        (50, 1.0), 45, 35, 1.5,
        licence=("第二类医疗器械生产", "第三类医疗器械生产", "第三类医疗器械经营"),
        hot={"长垣市": 10, "惠济区": 3, "郑州航空港经济综合实验区": 2,
             "郑州经济技术开发区": 1, "新郑市": 1},
        relocation=1.0,
    ),
    _Industry(
        "2770", "卫生材料及医药用品制造", "bio", "IND", 1.0,
        ("卫材", "医用材料", "医疗用品", "卫生材料", "医疗科技"),
        ("卫生用品和一次性使用医疗用品销售", "医用口罩生产", "医用口罩零售",
         "日用口罩（非医用）生产", "产业用纺织制成品制造", "第一类医疗器械生产"),
        ("医用纱布", "医用口罩", "医用敷料", "医用胶带", "创可贴", "医用棉签", "弹性绷带",
         "手术衣", "防护服", "无纺布制品", "护理垫"),
        (45, 1.0), 40, 40, 1.0,
        licence=("第二类医疗器械生产", "卫生用品和一次性使用医疗用品生产"),
        hot={"长垣市": 10, "惠济区": 1, "新郑市": 1},
        relocation=0.5,
    ),
    # ------------------------------------------------------------------ 化工 (chemicals)
    _Industry(
        "2614", "有机化学原料制造", "chem", "IND", 0.8,
        ("化工", "化学", "新材料", "化工科技", "精细化工"),
        ("化工产品生产（不含许可类化工产品）", "化工产品销售（不含许可类化工产品）",
         "基础化学原料制造（不含危险化学品等许可类化学品的制造）",
         "专用化学产品制造（不含危险化学品）"),
        ("甲醇", "乙二醇", "醋酸", "己二酸", "苯酐", "丁二醇", "环氧丙烷", "乙酸乙酯", "甲醛",
         "二甲醚", "苯胺"),
        (90, 1.0), 150, 110, 1.0,
        licence=("危险化学品生产", "危险化学品经营"),
        hot={"华龙区": 5, "新华区": 3, "文峰区": 1, "解放区": 1},
        relocation=0.3, zhengzhou=0.2,
    ),
    # ------------------------------------------------------------------ 软件和信息服务 (software)
    _Industry(
        "6513", "应用软件开发", "soft", "I65", 3.0,
        ("信息技术", "网络科技", "软件", "科技", "数字科技", "信息科技", "智能科技"),
        ("软件开发", "软件销售", "信息技术咨询服务", "信息系统集成服务", "数据处理和存储支持服务",
         "网络技术服务", "人工智能应用软件开发", "互联网数据服务", "计算机系统服务"),
        ("智慧园区管理平台", "ERP系统", "政务服务平台", "小程序开发", "智慧工地系统", "MES系统",
         "电商SaaS平台", "数据可视化平台", "智慧停车系统", "招商管理系统", "移动应用开发",
         "OA办公系统"),
        (25, 1.0), 30, 8, 1.6,
        licence=("第二类增值电信业务",),
        hot={"金水区": 8, "中原区": 4, "惠济区": 2, "管城回族区": 1, "二七区": 1,
             "郑州航空港经济综合实验区": 1, "郑州经济技术开发区": 1},
        relocation=1.5, hot_far={"闵行区": 1, "余杭区": 2, "龙岗区": 1},
    ),
    _Industry(
        "6531", "信息系统集成服务", "soft", "I65", 1.5,
        ("信息技术", "智能科技", "网络工程", "信息工程", "科技", "数据科技"),
        ("信息系统集成服务", "计算机系统服务", "安全技术防范系统设计施工服务", "网络设备销售",
         "计算机软硬件及辅助设备批发", "智能控制系统集成", "物联网技术服务"),
        ("综合布线", "安防监控系统", "数据中心机房建设", "智能化弱电工程", "视频会议系统",
         "网络安全设备", "服务器", "智慧教室", "门禁系统", "云计算服务"),
        (30, 1.0), 45, 10, 1.3,
        licence=("建筑智能化系统设计", "建设工程施工"),
        hot={"金水区": 8, "中原区": 3, "管城回族区": 2, "二七区": 2, "惠济区": 1},
        relocation=0.8,
    ),
    # ------------------------------------------------------------------ 商贸物流 (trade, logistics)
    _Industry(
        "5179", "其他机械设备及电子产品批发", "trade", "F51", 2.0,
        ("商贸", "贸易", "工贸", "机电设备", "供应链", "设备"),
        ("机械设备销售", "电子产品销售", "五金产品批发", "电气设备销售", "仪器仪表销售",
         "国内贸易代理", "机械设备租赁"),
        ("工程机械配件", "电气设备", "电子元器件", "数控机床", "仪器仪表", "电动工具", "液压设备",
         "工控产品", "电线电缆", "叉车"),
        (10, 0.9), 200, 20, 0.3,
        hot={"管城回族区": 4, "郑州经济技术开发区": 3, "金水区": 3, "二七区": 3, "中原区": 2},
        relocation=0.5,
    ),
    _Industry(
        "5990", "其他仓储业", "trade", "G59", 1.0,
        ("物流", "仓储", "供应链", "仓储服务", "供应链管理"),
        ("普通货物仓储服务（不含危险化学品等需许可审批的项目）", "装卸搬运", "国内货物运输代理",
         "供应链管理服务", "低温仓储（不含危险化学品等需许可审批的项目）", "仓储设备租赁服务",
         "信息咨询服务（不含许可类信息咨询服务）"),
        ("仓储服务", "冷链仓储", "城市配送", "电商云仓", "保税仓储", "供应链管理服务", "零担物流",
         "第三方物流"),
        (25, 1.0), 30, 400, 0.2,
        licence=("道路货物运输（不含危险货物）",),
        hot={"郑州经济技术开发区": 5, "郑州航空港经济综合实验区": 5, "管城回族区": 2,
             "中牟县": 2, "新郑市": 2, "惠济区": 1},
        relocation=0.3,
    ),
)

# fmt: on

#: The GB/T 4754-2017 小类 drawn by :func:`make_enterprises`: code -> official name.
SAMPLE_INDUSTRIES: dict[str, str] = {ind.code: ind.label for ind in _INDUSTRIES}

#: Lower bounds (large, medium, small) of (employees, revenue 万元) per size group, from
#: 《统计上大中小微型企业划分办法（2017）》. 大/中/小 need both bounds; micro is the rest.
_SIZE_RULES: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "IND": ((1000, 300, 20), (40000, 2000, 300)),
    "F51": ((200, 20, 5), (40000, 5000, 1000)),
    "G59": ((200, 100, 20), (30000, 1000, 100)),
    "I65": ((300, 100, 10), (10000, 1000, 50)),
}

#: Generic 行业词 that say nothing about the industry.
_GENERIC_WORDS = ("科技", "实业", "工贸", "实业发展", "科技发展", "工业")
_GENERIC_SHARE = 0.25

#: Decoy words by family: a firm of another family may carry one as its 字号.
_DECOYS: dict[str, tuple[str, ...]] = {
    "al": ("铝都", "铝城", "银铝", "豫铝"),
    "mat": ("金刚", "钻石", "碳素"),
    "equip": ("重工", "重机", "机电"),
    "elec": ("芯源", "芯谷", "光电", "电子城"),
    "food": ("麦香", "粮丰", "食尚", "面都"),
    "garment": ("衣都", "锦衣", "纺都"),
    "bio": ("药谷", "百草", "康药"),
    "chem": ("化工城", "精化"),
    "soft": ("数码", "云端", "软通"),
    "trade": ("物流港", "商都"),
}

_ZIHAO_CHARS = (
    "恒华瑞鑫金泰宏盛兴隆博源嘉明德丰润通达昌正信诚宇天汇新鼎豪"
    "创永利佳升晟力航睿锦辉耀龙腾远益祥和安广东豫凯森峰旭"
)
_ZIHAO_SPECIAL = (
    "中原",
    "黄河",
    "嵩山",
    "少林",
    "河洛",
    "豫中",
    "伏羲",
    "轩辕",
    "商都",
    "绿城",
    "中州",
    "大河",
    "嵩阳",
    "嵩岳",
    "郑发",
    "天地",
    "万通",
    "宇通",
    "金鹰",
    "东方",
)

_COMMON_SCOPE = (
    "货物进出口",
    "技术进出口",
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",
    "五金产品批发",
    "机械设备销售",
    "金属材料销售",
    "建筑材料销售",
    "非居住房地产租赁",
    "普通货物仓储服务（不含危险化学品等需许可审批的项目）",
    "国内贸易代理",
    "劳务服务（不含劳务派遣）",
    "包装材料及制品销售",
)
_OLD_COMMON_SCOPE = (
    "从事货物和技术的进出口业务（国家限定公司经营或禁止进出口的商品和技术除外）",
    "五金交电、建材的销售",
    "机械设备的销售与租赁",
    "技术咨询与技术服务",
)
_GENERAL_TAIL = "。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
_LICENCE_TAIL = (
    "。（依法须经批准的项目，经相关部门批准后方可开展经营活动，"
    "具体经营项目以相关部门批准文件或许可证件为准）"
)
_OLD_TAIL = "。（依法须经批准的项目，经相关部门批准后方可开展经营活动）"
_PRODUCT_SEPARATORS = ("、", "；", ";", ",")

# ============================================================================ places
# (province, city, county or None, adcode, lat, lon, kind). WGS-84 points of the county seats,
# rounded to 4 decimals; kind: zz = 郑州 county, hn = other Henan, far = 长三角/珠三角 source.
# fmt: off
_PLACES: tuple[tuple[str, str, str | None, str, float, float, str], ...] = (
    ("河南省", "郑州市", "中原区", "410102", 34.7496, 113.6070, "zz"),
    ("河南省", "郑州市", "二七区", "410103", 34.7484, 113.6190, "zz"),
    ("河南省", "郑州市", "管城回族区", "410104", 34.7549, 113.6709, "zz"),
    ("河南省", "郑州市", "金水区", "410105", 34.8010, 113.6539, "zz"),
    ("河南省", "郑州市", "上街区", "410106", 34.8037, 113.3026, "zz"),
    ("河南省", "郑州市", "惠济区", "410108", 34.8685, 113.6109, "zz"),
    ("河南省", "郑州市", "中牟县", "410122", 34.7200, 113.9701, "zz"),
    ("河南省", "郑州市", "郑州经济技术开发区", "410171", 34.7083, 113.8197, "zz"),
    ("河南省", "郑州市", "郑州航空港经济综合实验区", "410173", 34.5199, 113.8117, "zz"),
    ("河南省", "郑州市", "巩义市", "410181", 34.7489, 113.0157, "zz"),
    ("河南省", "郑州市", "荥阳市", "410182", 34.7884, 113.3765, "zz"),
    ("河南省", "郑州市", "新密市", "410183", 34.5406, 113.3845, "zz"),
    ("河南省", "郑州市", "新郑市", "410184", 34.3969, 113.7339, "zz"),
    ("河南省", "郑州市", "登封市", "410185", 34.4545, 113.0436, "zz"),
    ("河南省", "开封市", "祥符区", "410212", 34.7577, 114.4351, "hn"),
    ("河南省", "开封市", "兰考县", "410225", 34.8233, 114.8154, "hn"),
    ("河南省", "洛阳市", "涧西区", "410305", 34.6586, 112.3897, "hn"),
    ("河南省", "洛阳市", "洛龙区", "410311", 34.6197, 112.4578, "hn"),
    ("河南省", "洛阳市", "新安县", "410323", 34.7296, 112.1277, "hn"),
    ("河南省", "洛阳市", "伊川县", "410329", 34.4225, 112.4197, "hn"),
    ("河南省", "平顶山市", "新华区", "410402", 33.7389, 113.2877, "hn"),
    ("河南省", "安阳市", "文峰区", "410502", 36.0904, 114.3509, "hn"),
    ("河南省", "安阳市", "林州市", "410581", 36.0833, 113.8128, "hn"),
    ("河南省", "鹤壁市", "淇滨区", "410611", 35.7414, 114.2931, "hn"),
    ("河南省", "新乡市", "红旗区", "410702", 35.3044, 113.8691, "hn"),
    ("河南省", "新乡市", "长垣市", "410783", 35.2021, 114.6634, "hn"),
    ("河南省", "焦作市", "解放区", "410802", 35.2411, 113.2246, "hn"),
    ("河南省", "焦作市", "马村区", "410804", 35.2565, 113.3155, "hn"),
    ("河南省", "濮阳市", "华龙区", "410902", 35.7772, 115.0680, "hn"),
    ("河南省", "许昌市", "魏都区", "411002", 34.0491, 113.8250, "hn"),
    ("河南省", "许昌市", "禹州市", "411081", 34.1437, 113.4824, "hn"),
    ("河南省", "许昌市", "长葛市", "411082", 34.1973, 113.8081, "hn"),
    ("河南省", "漯河市", "源汇区", "411102", 33.5738, 113.9782, "hn"),
    ("河南省", "漯河市", "临颍县", "411122", 33.8286, 113.9252, "hn"),
    ("河南省", "三门峡市", "湖滨区", "411202", 34.7713, 111.1830, "hn"),
    ("河南省", "三门峡市", "渑池县", "411221", 34.7684, 111.7558, "hn"),
    ("河南省", "南阳市", "宛城区", "411302", 33.0057, 112.5342, "hn"),
    ("河南省", "南阳市", "方城县", "411322", 33.2562, 113.0059, "hn"),
    ("河南省", "商丘市", "梁园区", "411402", 34.4452, 115.6085, "hn"),
    ("河南省", "商丘市", "柘城县", "411424", 34.0924, 115.3003, "hn"),
    ("河南省", "信阳市", "浉河区", "411502", 32.1189, 114.0531, "hn"),
    ("河南省", "周口市", "川汇区", "411602", 33.6489, 114.6456, "hn"),
    ("河南省", "驻马店市", "驿城区", "411702", 32.9751, 113.9882, "hn"),
    ("河南省", "济源市", "济源市", "419001", 35.1060, 112.5759, "hn"),
    ("上海市", "上海市", "松江区", "310117", 31.0332, 121.2236, "far"),
    ("上海市", "上海市", "嘉定区", "310114", 31.3765, 121.2616, "far"),
    ("上海市", "上海市", "闵行区", "310112", 31.1151, 121.3774, "far"),
    ("江苏省", "苏州市", "昆山市", "320583", 31.3867, 120.9767, "far"),
    ("江苏省", "苏州市", "吴江区", "320509", 31.1411, 120.6408, "far"),
    ("江苏省", "苏州市", "吴中区", "320506", 31.2645, 120.6278, "far"),
    ("江苏省", "无锡市", "新吴区", "320214", 31.5503, 120.3593, "far"),
    ("江苏省", "无锡市", "江阴市", "320281", 31.9223, 120.2804, "far"),
    ("江苏省", "常州市", "武进区", "320412", 31.7029, 119.9373, "far"),
    ("浙江省", "杭州市", "萧山区", "330109", 30.1839, 120.2595, "far"),
    ("浙江省", "杭州市", "余杭区", "330110", 30.4215, 120.2955, "far"),
    ("浙江省", "宁波市", "北仑区", "330206", 29.9015, 121.8399, "far"),
    ("浙江省", "宁波市", "慈溪市", "330282", 30.1720, 121.2617, "far"),
    ("浙江省", "温州市", "乐清市", "330382", 28.1154, 120.9819, "far"),
    ("广东省", "深圳市", "宝安区", "440306", 22.5567, 113.8791, "far"),
    ("广东省", "深圳市", "龙岗区", "440307", 22.7225, 114.2432, "far"),
    ("广东省", "东莞市", None, "441900", 23.0237, 113.7468, "far"),
    ("广东省", "佛山市", "顺德区", "440606", 22.8070, 113.2887, "far"),
    ("广东省", "佛山市", "南海区", "440605", 23.0314, 113.1375, "far"),
    ("广东省", "广州市", "番禺区", "440113", 22.9402, 113.3785, "far"),
    ("广东省", "广州市", "白云区", "440111", 23.1607, 113.2677, "far"),
)

# fmt: on

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
    ind = _INDUSTRIES[k]
    siblings = [
        p
        for j, other in enumerate(_INDUSTRIES)
        if j != k and other.family == ind.family
        for p in other.scope
    ]
    pool = []
    for _ in range(size):
        phrases = py.sample(ind.scope, py.randint(2, min(5, len(ind.scope))))
        if siblings and py.random() < 0.12:
            phrases.append(py.choice(siblings))
        old_style = py.random() < 0.3
        commons = _OLD_COMMON_SCOPE if old_style else _COMMON_SCOPE
        phrases += py.sample(commons, py.choices((0, 1, 2), (0.3, 0.45, 0.25))[0])
        if old_style:
            text = "；".join(phrases) + (_OLD_TAIL if py.random() < 0.6 else "。")
        else:
            text = "一般项目：" + "；".join(phrases) + _GENERAL_TAIL
            if ind.licence and py.random() < 0.6:
                lic = py.sample(ind.licence, py.randint(1, len(ind.licence)))
                lic.sort(key=ind.licence.index)
                text = "许可项目：" + "；".join(lic) + _LICENCE_TAIL + text
        pool.append(text)
    return pool


def _product_pool(py: random.Random, k: int, size: int) -> list[str]:
    """``size`` product lists (主营产品) for industry ``k``, with mixed separators."""
    products = _INDUSTRIES[k].products
    pool = []
    for _ in range(size):
        chosen = py.sample(products, py.choices((1, 2, 3, 4), (0.25, 0.35, 0.25, 0.15))[0])
        pool.append(py.choice(_PRODUCT_SEPARATORS).join(chosen))
    return pool


def _place_weights(ind: _Industry) -> npt.NDArray[np.float64]:
    """Probability of each entry of ``_PLACES`` as the home of a firm of industry ``ind``."""
    names = [p[2] or p[1] for p in _PLACES]
    kind = np.array([p[6] for p in _PLACES])
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
    return np.stack([_place_weights(ind) for ind in _INDUSTRIES])


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
    for key, (emp_bounds, rev_bounds) in _SIZE_RULES.items():
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
    if n == 0:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in ENTERPRISE_FIELDS})

    n_ind = len(_INDUSTRIES)
    mix = np.array([ind.weight for ind in _INDUSTRIES])
    ind_idx = rng.choice(n_ind, size=n, p=mix / mix.sum())

    # ---------------------------------------------------------------- where
    place_idx = np.empty(n, dtype=np.intp)
    weights = _place_weight_table()
    for k in range(n_ind):
        rows = np.flatnonzero(ind_idx == k)
        place_idx[rows] = rng.choice(len(_PLACES), size=len(rows), p=weights[k])
    provinces = _objects(p[0] for p in _PLACES)
    cities = _objects(p[1] for p in _PLACES)
    counties = _objects(p[2] for p in _PLACES)
    adcodes = _objects(p[3] for p in _PLACES)
    p_lat = np.array([p[4] for p in _PLACES])
    p_lon = np.array([p[5] for p in _PLACES])

    # ---------------------------------------------------------------- size and quality
    sections = _objects(ind.section for ind in _INDUSTRIES)[ind_idx]
    groups = _objects(ind.size_group for ind in _INDUSTRIES)[ind_idx]
    emp_median = np.array([ind.employees[0] for ind in _INDUSTRIES])[ind_idx]
    emp_sigma = np.array([ind.employees[1] for ind in _INDUSTRIES])[ind_idx]
    employees = np.clip(np.rint(emp_median * np.exp(emp_sigma * rng.standard_normal(n))), 1, 30000)
    per_head = np.array([ind.revenue_per_head for ind in _INDUSTRIES])[ind_idx]
    revenue = np.maximum(employees * per_head * np.exp(0.6 * rng.standard_normal(n)), 1.0)
    tier = _size_tier(groups, employees, revenue)

    tech = np.array([ind.tech for ind in _INDUSTRIES])[ind_idx]
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

    sqm_head = np.array([ind.sqm_per_head for ind in _INDUSTRIES])[ind_idx]
    space = employees * sqm_head * np.exp(0.45 * rng.standard_normal(n))
    space = np.clip(space, np.where(sections == "C", 200.0, 50.0), 150000.0)
    step = np.select([space >= 10000, space >= 1000], [500, 100], 50)
    space = np.maximum(np.rint(space / step) * step, step)

    # ---------------------------------------------------------------- names
    fams = _objects(ind.family for ind in _INDUSTRIES)[ind_idx]
    word_table, word_len = _ragged([ind.words for ind in _INDUSTRIES])
    word = _take_ragged(rng, word_table, word_len, ind_idx)
    generic = (rng.random(n) < _GENERIC_SHARE) & (sections == "C")
    word[generic] = _objects(_GENERIC_WORDS)[rng.integers(len(_GENERIC_WORDS), size=generic.sum())]
    chars = _objects(_ZIHAO_CHARS)
    first = rng.integers(len(_ZIHAO_CHARS), size=n)
    second = (first + 1 + rng.integers(len(_ZIHAO_CHARS) - 1, size=n)) % len(_ZIHAO_CHARS)
    zihao = chars[first] + chars[second]
    special = rng.random(n) < 0.15
    zihao[special] = _objects(_ZIHAO_SPECIAL)[rng.integers(len(_ZIHAO_SPECIAL), size=special.sum())]
    decoy = rng.random(n) < 0.03
    family_keys = list(_DECOYS)
    decoy_rows = np.flatnonzero(decoy)
    other = rng.integers(len(family_keys) - 1, size=len(decoy_rows))
    for r, o in zip(decoy_rows, other, strict=True):
        others = [f for f in family_keys if f != fams[r]]
        words = _DECOYS[others[o % len(others)]]
        zihao[r] = words[int(rng.integers(len(words)))]
        word[r] = _INDUSTRIES[ind_idx[r]].words[0]
    # 地名: the county (县/县级市), the city or the province, by how firms are really named
    place_names = np.empty((len(_PLACES), 3), dtype=object)
    for i, (prov, city, county, *_rest) in enumerate(_PLACES):
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
    codes = _objects(ind.code for ind in _INDUSTRIES)
    variants = np.stack(
        [
            codes,
            _objects(ind.section + ind.code for ind in _INDUSTRIES),
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
