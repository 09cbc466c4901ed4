"""A generator of events tables (企业动态) for enterprises: financing, land, expansion, ….

:func:`make_events` drew the bundled ``events.csv`` (``tools/build_sample_events.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..io import validate_enterprises

__all__ = ["SAMPLE_EVENTS_AS_OF", "make_events"]

#: The assessment date the bundled ``events.csv`` was drawn for (its latest past event is
#: before it; lease expiries may lie after it).
SAMPLE_EVENTS_AS_OF = "2026-11-30"

#: Chinese label written for each event kind (what :func:`make_events` writes).
_EVENT_LABELS = {
    "financing": "融资",
    "branch": "新设分支/子公司",
    "land": "购地/招拍挂",
    "expansion": "扩产/新项目公告",
    "hiring": "招聘扩张",
    "certification": "专精特新/高新认定",
    "relocation": "搬迁公告/外迁",
    "lease_expiry": "合同(租约)临期",
    "bid_win": "中标",
}
#: Where each kind of event is usually learnt, and how far it is trusted.
_EVENT_SOURCES: dict[str, tuple[tuple[str, float], ...]] = {
    "financing": (("企业公告", 1.0), ("财经新闻", 0.8), ("投融资数据库", 0.9)),
    "branch": (("工商登记变更", 1.0),),
    "land": (("公共资源交易平台", 1.0),),
    "expansion": (("企业公告", 0.9), ("环评公示", 1.0), ("新闻报道", 0.7)),
    "hiring": (("招聘网站", 0.6),),
    "certification": (("主管部门公示名单", 1.0),),
    "relocation": (("企业公告", 0.9), ("走访记录", 0.7), ("新闻报道", 0.6)),
    "lease_expiry": (("走访记录", 0.7), ("企业座谈", 0.8)),
    "bid_win": (("政府采购网", 1.0), ("招标投标公共服务平台", 1.0)),
}
_ROUNDS = {
    "micro": ("天使轮", "Pre-A 轮", "A 轮"),
    "small": ("Pre-A 轮", "A 轮", "A+ 轮", "B 轮"),
    "medium": ("A 轮", "B 轮", "C 轮", "战略"),
    "large": ("C 轮", "战略", "定向增发"),
}
_SPACE = " "
_TARGET_CITIES = ("郑州市", "洛阳市", "武汉市", "西安市", "合肥市", "长沙市", "成都市", "许昌市")
#: Events per enterprise over the period (Poisson mean) by size class.
_EVENT_RATE = {"large": 1.6, "medium": 1.0, "small": 0.55, "micro": 0.3}
_EAST = ("北京", "天津", "河北", "上海", "江苏", "浙江", "福建", "山东", "广东", "海南")


def _amount(wan: float) -> str:
    """``5,000 万元`` or ``2 亿元`` (one decimal where needed)."""
    if wan >= 10_000:
        yi = round(wan / 10_000, 1)
        return f"{yi:g} 亿元"
    return f"{round(wan, -2):,.0f} 万元"


def _first_product(products: object) -> str:
    if not isinstance(products, str) or not products.strip():
        return "主营产品"
    return products.replace("；", "、").replace(";", "、").split("、")[0].strip() or "主营产品"


def make_events(
    enterprises: pd.DataFrame,
    *,
    random_state: int | np.random.Generator | None = None,
    as_of: str = SAMPLE_EVENTS_AS_OF,
    years: float = 3.0,
) -> pd.DataFrame:
    """Draw a realistic synthetic events table (企业动态) for enterprises.

    Larger enterprises make more news (Poisson means 1.6 / 1.0 / 0.55 / 0.3 events for large,
    medium, small, micro over the period); 专精特新 and 高新 enterprises raise money and get
    certified more often, and only they get certification events (consistent with their
    records); enterprises in the eastern provinces post relocation notices and lease expiries
    several times more often than others. Dates are spread over the ``years`` before
    ``as_of``; a lease expiry is dated by the expiry, up to 18 months after ``as_of``. Details are
    written like a feed (``完成 B 轮融资 2 亿元``, ``竞得巩义市工业用地 45 亩``) and sources and
    confidences follow the channel (a 公示 1.0, a 走访记录 about 0.7).

    Parameters
    ----------
    enterprises : DataFrame
        Raw or validated enterprises.
    random_state : int, Generator or None, default=None
        Seed; the same seed and table give the same events.
    as_of : str, default=SAMPLE_EVENTS_AS_OF
        The end of the period (ISO date).
    years : float, default=3.0
        Length of the period.

    Returns
    -------
    DataFrame
        A raw sheet: ``enterprise_id, kind`` (Chinese label), ``date`` (``YYYY-MM-DD``),
        ``source, detail, confidence``, every cell a string, sorted by date. Read it back with
        :func:`matcher.io.validate_events`.

    Examples
    --------
    >>> from matcher import load_sample
    >>> _, enterprises = load_sample()
    >>> events = make_events(enterprises.head(200), random_state=1)
    >>> list(events.columns)
    ['enterprise_id', 'kind', 'date', 'source', 'detail', 'confidence']
    >>> events.equals(make_events(enterprises.head(200), random_state=1))
    True
    """
    rng = np.random.default_rng(random_state)
    if enterprises.attrs.get("parkmatch_schema") != "enterprises":
        enterprises = validate_enterprises(enterprises)
    end = np.datetime64(as_of, "D")
    span = round(years * 365.25)
    records: list[tuple[str, str, str, str, str, str]] = []
    for row in enterprises.itertuples(index=False):
        size = row.size_class if isinstance(row.size_class, str) else "small"
        srdi = row.srdi_level if isinstance(row.srdi_level, str) else "none"
        high_tech = bool(row.high_tech) if not pd.isna(row.high_tech) else False
        east = isinstance(row.province, str) and row.province.startswith(_EAST)
        weights = {
            "financing": 1.0 + 1.5 * (srdi != "none") + 1.0 * high_tech,
            "branch": 0.8 + 0.6 * (size in ("large", "medium")),
            "land": 0.5 + 0.5 * (size in ("large", "medium")),
            "expansion": 1.2,
            "hiring": 1.5,
            "certification": (1.2 if srdi != "none" else 0.0) + (1.0 if high_tech else 0.0),
            "relocation": 0.15 + 1.6 * east,
            "lease_expiry": 0.4 + 1.2 * east + 0.4 * (size in ("small", "micro")),
            "bid_win": 0.7,
        }
        kinds = list(weights)
        p = np.array([weights[k] for k in kinds], dtype=float)
        p /= p.sum()
        n_events = int(rng.poisson(_EVENT_RATE.get(size, 0.5) * (1.3 if east else 1.0)))
        for kind in rng.choice(kinds, size=n_events, p=p):
            age = int(rng.integers(0, span + 1))
            day = end - np.timedelta64(age, "D")
            detail = _event_detail(rng, str(kind), row, srdi, high_tech, size)
            if kind == "lease_expiry":
                day = end + np.timedelta64(int(rng.integers(-120, 540)), "D")
                area = int(round(float(rng.uniform(800, 6000)), -2))
                detail = f"现厂房租约到期（租赁面积 {area:,} 平方米）"
            source, trust = _EVENT_SOURCES[str(kind)][
                int(rng.integers(0, len(_EVENT_SOURCES[str(kind)])))
            ]
            conf = min(1.0, max(0.3, trust + float(rng.normal(0.0, 0.05))))
            records.append(
                (
                    str(row.enterprise_id),
                    _EVENT_LABELS[str(kind)],
                    str(day),
                    source,
                    detail,
                    f"{conf:.2f}",
                )
            )
    frame = pd.DataFrame(
        records, columns=["enterprise_id", "kind", "date", "source", "detail", "confidence"]
    )
    frame = frame.drop_duplicates(["enterprise_id", "kind", "date", "detail"])
    frame = frame.sort_values(["date", "enterprise_id", "kind"], kind="stable")
    return frame.reset_index(drop=True).astype(object)


def _event_detail(
    rng: np.random.Generator, kind: str, row: Any, srdi: str, high_tech: bool, size: str
) -> str:
    """The detail text of one event (``完成 B 轮融资 2 亿元``)."""
    product = _first_product(row.products)
    scale = {"large": 20.0, "medium": 6.0, "small": 1.5, "micro": 0.4}.get(size, 1.0)
    if kind == "financing":
        rounds = _ROUNDS.get(size, _ROUNDS["small"])
        round_ = rounds[int(rng.integers(0, len(rounds)))]
        gap = _SPACE if round_[0].isascii() else ""
        money = "" if round_ == "定向增发" else "融资"
        return f"完成{gap}{round_}{money} {_amount(scale * float(rng.uniform(800, 5000)))}"
    if kind == "branch":
        city = _TARGET_CITIES[int(rng.integers(0, len(_TARGET_CITIES)))]
        what = ("子公司", "分公司", "生产基地")[int(rng.integers(0, 3))]
        return f"在{city}新设{what}"
    if kind == "land":
        county = row.county if isinstance(row.county, str) else "当地"
        return f"竞得{county}工业用地 {int(rng.integers(15, 160))} 亩"
    if kind == "expansion":
        if rng.random() < 0.5:
            return f"公告{product}扩产项目，计划新增产能 {int(rng.integers(20, 120))}%"
        return f"新项目公告：年产{product} {int(rng.integers(2, 50))} 万件项目"
    if kind == "hiring":
        return (
            f"发布招聘岗位 {int(scale * rng.integers(15, 60))} 个，"
            f"较上季度增加 {int(rng.integers(30, 150))}%"
        )
    if kind == "certification":
        if srdi != "none" and (not high_tech or rng.random() < 0.5):
            level = {"national": "国家级专精特新“小巨人”企业", "innovative": "创新型中小企业"}
            return f"入选{level.get(srdi, '省级专精特新中小企业')}名单"
        return "通过高新技术企业认定"
    if kind == "relocation":
        city = row.city if isinstance(row.city, str) else "现址"
        if rng.random() < 0.5:
            return f"公告拟将生产基地迁出{city}"
        return "因厂房租金和用工成本上涨，拟整体搬迁"
    if kind == "bid_win":
        return f"中标{product}采购项目，金额 {_amount(scale * float(rng.uniform(50, 600)))}"
    return _EVENT_LABELS[kind]
