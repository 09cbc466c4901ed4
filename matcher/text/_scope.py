"""Reading a 经营范围 (business scope) the way a registry writes it.

A scope is a list of activities: ``一般项目：电子专用材料制造；电子专用材料销售；技术服务、技术开发…
（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）许可项目：道路货物运输（不含危险货物）``
in today's style, ``生产、销售：低压电器；销售：五金交电、建筑材料`` in the older one. Registries
list the main business first; the verb says what the firm does with the object (生产/制造/加工 make
it, 销售/批发/零售/进出口 trade it, 安装/维修 service it, 运输/仓储 move it …).

:func:`parse_scope` removes the boilerplate and the restriction brackets, splits the text into
clauses, strips each item's leading and trailing verbs (``铝型材的生产、销售`` → object ``铝型材``,
activities make + trade; ``食品加工机械销售`` → object ``食品加工机械``, trade), lets a verb before a
colon carry over the items after it (``批发、零售：金属材料，冶金原辅材料``), marks generic items
(技术服务、技术开发、货物进出口 …) and weighs clauses by position, so the main business counts more
than a trailing side line.

>>> scope = parse_scope("一般项目：铝合金型材制造；铝合金型材销售；技术服务、技术开发；"
...                     "货物进出口。许可项目：道路货物运输（不含危险货物）")
>>> [(c.text, c.activity) for c in scope.clauses]
[('铝合金型材制造', 'make'), ('铝合金型材销售', 'trade'), ('道路货物运输', 'transport')]
>>> scope.main_activity
'make'
>>> scope.clauses[0].objects
('铝合金型材',)
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field

from ._lexicon import get_lexicon
from ._normalize import normalize_text

__all__ = [
    "ACTIVITIES",
    "ACTIVITY_LABELS",
    "Clause",
    "Scope",
    "parse_scope",
    "split_clauses",
]

#: What a firm does with the objects of a clause.
ACTIVITIES = (
    "make",
    "rnd",
    "software",
    "trade",
    "repair_install",
    "service",
    "transport",
    "catering",
    "finance",
    "construction",
    "agriculture",
    "realestate",
    "unspecified",
)

#: Chinese names of the activities (reasons).
ACTIVITY_LABELS = {
    "make": "生产制造",
    "rnd": "研发",
    "software": "软件和信息服务",
    "trade": "销售贸易",
    "repair_install": "安装维修",
    "service": "服务",
    "transport": "运输物流",
    "catering": "餐饮住宿",
    "finance": "投资金融",
    "construction": "建筑施工",
    "agriculture": "种植养殖",
    "realestate": "房地产",
    "unspecified": "未写明经营方式",
}

# Verbs by activity, matched at the start or the end of an item (longest first).
_VERBS: dict[str, tuple[str, ...]] = {
    "make": (
        "生产",
        "制造",
        "加工",
        "制作",
        "组装",
        "装配",
        "研制",
        "冶炼",
        "铸造",
        "锻造",
        "压延",
        "轧制",
        "挤压",
        "冲压",
        "注塑",
        "纺织",
        "织造",
        "纺纱",
        "印染",
        "染整",
        "酿造",
        "酿制",
        "烘焙",
        "屠宰",
        "分装",
        "灌装",
        "复配",
        "电镀",
        "喷涂",
        "涂装",
        "精炼",
        "炼制",
        "提炼",
        "缝制",
        "编织",
        "产销",
        "来料加工",
        "研产",
        "制",
        "造",
        "印刷",
        "烧制",
        "熔炼",
        "炮制",
        "开采",
        "采掘",
        "采选",
        "提取",
        "培育",
        "封装",
    ),
    "rnd": ("研发", "研究", "研究开发", "试验", "技术研发", "开发"),
    "trade": (
        "批发",
        "零售",
        "销售",
        "经销",
        "代销",
        "购销",
        "批零",
        "兼营",
        "经营",
        "代理",
        "进出口",
        "出口",
        "进口",
        "供应",
        "采购",
        "收购",
        "营销",
        "分销",
        "销",
        "售",
        "贸易",
        "批零兼营",
        "零售兼批发",
        "批发兼零售",
        "网上销售",
        "直销",
        "代购",
        "寄售",
        "销售代理",
    ),
    "repair_install": (
        "安装",
        "维修",
        "修理",
        "维护",
        "保养",
        "检修",
        "调试",
        "售后服务",
        "改装",
        "翻新",
    ),
    "service": (
        "服务",
        "咨询",
        "设计",
        "策划",
        "检测",
        "检验",
        "租赁",
        "出租",
        "培训",
        "中介",
        "管理",
        "外包",
        "运营",
        "推广",
        "承接",
        "信息服务",
        "技术服务",
        "技术咨询",
        "代办",
        "规划",
    ),
    "transport": ("运输", "货运", "物流", "仓储", "装卸", "搬运", "配送", "储存", "运送", "快递"),
    "construction": ("施工", "承包", "总承包", "分包", "建设", "建造"),
    "agriculture": ("种植", "养殖", "栽培", "育苗", "饲养", "捕捞", "繁育", "育种"),
}
# Objects that carry their own activity when the verb is generic or missing.
_OBJECT_ACTIVITY: tuple[tuple[str, str], ...] = (
    ("软件", "software"),
    ("软硬件", "software"),
    ("信息系统", "software"),
    ("系统集成", "software"),
    ("信息技术", "software"),
    ("数据处理", "software"),
    ("云计算", "software"),
    ("互联网", "software"),
    ("网络技术", "software"),
    ("大数据", "software"),
    ("人工智能", "software"),
    ("物联网", "software"),
    ("集成电路设计", "software"),
    ("餐饮", "catering"),
    ("住宿", "catering"),
    ("酒店", "catering"),
    ("宾馆", "catering"),
    ("饭店", "catering"),
    ("小吃", "catering"),
    ("火锅", "catering"),
    ("酒楼", "catering"),
    ("房地产", "realestate"),
    ("物业", "realestate"),
    ("房屋租赁", "realestate"),
    ("投资", "finance"),
    ("资产管理", "finance"),
    ("担保", "finance"),
    ("金融", "finance"),
    ("典当", "finance"),
    ("保险", "finance"),
    ("融资", "finance"),
    ("贷款", "finance"),
    ("运输", "transport"),
    ("物流", "transport"),
    ("货运", "transport"),
    ("仓储", "transport"),
    ("快递", "transport"),
    ("货代", "transport"),
    ("客运", "transport"),
    ("工程", "construction"),
    ("装饰装修", "construction"),
    ("装修", "construction"),
    ("绿化", "construction"),
    ("种植", "agriculture"),
    ("养殖", "agriculture"),
    ("农场", "agriculture"),
    # processes of making, written without a verb (织布; 电镀; 水力发电)
    ("纺纱", "make"),
    ("织布", "make"),
    ("织造", "make"),
    ("印染", "make"),
    ("染整", "make"),
    ("电镀", "make"),
    ("冲压", "make"),
    ("锻造", "make"),
    ("铸造", "make"),
    ("压铸", "make"),
    ("注塑", "make"),
    ("喷涂", "make"),
    ("热处理", "make"),
    ("发电", "make"),
    ("进出口", "trade"),
    ("百货", "trade"),
    ("商贸", "trade"),
    ("贸易", "trade"),
)
#: Items that every scope repeats and that say nothing about the business.
GENERIC_ITEMS = frozenset(
    {
        "技术服务",
        "技术开发",
        "技术咨询",
        "技术交流",
        "技术转让",
        "技术推广",
        "技术推广服务",
        "货物进出口",
        "技术进出口",
        "进出口代理",
        "货物及技术进出口",
        "货物和技术进出口",
        "进出口业务",
        "自营和代理各类商品及技术的进出口业务",
        "国内贸易",
        "国内贸易代理",
        "销售代理",
        "信息咨询服务",
        "社会经济咨询服务",
        "企业管理咨询",
        "咨询服务",
        "信息咨询",
        "商务信息咨询",
        "经济信息咨询",
        "技术信息咨询",
        "会议及展览服务",
        "非居住房地产租赁",
        "住房租赁",
        "租赁服务",
        "劳务服务",
        "市场营销策划",
        "组织文化艺术交流活动",
        "礼仪服务",
        "日用百货销售",
        "日用品销售",
        "办公用品销售",
        "互联网销售",
        "五金产品零售",
        "五金产品批发",
        "电子产品销售",
        "机械设备销售",
        "进出口",
        "自营和代理各类商品和技术的进出口",
        "技术开发、技术咨询、技术服务",
        "无",
        "一般经营项目",
        "许可经营项目",
        "经营范围",
    }
)
# Items that are generic whatever object they name (货物进出口, 技术进出口, 进出口代理 …).
_GENERIC_SUFFIX = re.compile(r"(进出口|进出口业务|进出口代理|贸易代理)$")

_SECTION = re.compile(
    r"(一般项目|许可项目|一般经营项目|许可经营项目|经营范围|主营项目|主营|兼营项目)\s*[:：]?"
)
_SIDE = re.compile(r"兼营\s*[:：]")
_SENTENCES = (
    r"除(?:依法)?须经批准的项目外[^。；;)）]*",
    r"依法须经批准的项目[^。；;)）]*",
    r"凭营业执照依法自主开展经营活动",
    r"经相关部门批准后方可开展经营活动[^。；;)）]*",
    r"具体经营项目以[^。；;)）]*为准",
    r"(?:以上|上述)(?:经营)?(?:范围|项目)[^。；;)）]*",
    r"涉及许可经营项目[^。；;)）]*",
    r"国家(?:限定|禁止|规定)[^。；;)）]*",
    r"法律[、,，]?(?:行政)?法规[^。；;)）]*",
    r"(?:未取得|取得)[^。；;)）]*许可[^。；;)）]*",
)
_BOILERPLATE = re.compile("|".join(_SENTENCES))
#: Words that make a bracket a restriction, not part of the object.
_RESTRICTION = re.compile(
    r"不含|除|凭|须|许可|批准|审批|限|禁止|涉及|国家|法律|法规|以上|上述|有效期|危险|前置|专项|"
    r"资质|分支机构|登记|证|取得|方可|为准|不得|仅|只|按|依法|规定|另行|外资|外商|监控|易制毒|级|类$"
)
_BRACKET = re.compile(r"[（(【\[]([^（）()【】\[\]]*)[）)】\]]")
_JUNK = re.compile(r"[〓※＊*+#＃@★☆◆◇■□●○…]+")
_SENTENCE_SPLIT = re.compile(r"[；;。\n！!？?]+")
_CLAUSE_SPLIT = re.compile(r"[，,]+")
_ITEM_SPLIT = re.compile(r"[、/\s]+")
_CONNECT = "及和与并兼、的之，,或"

#: How many times a making clause counts when the main activity is chosen.
MAKE_BOOST = 1.8
#: Weight of the k-th clause of a list carried by a verb before a colon (销售：A，B，C).
LIST_DECAY = 0.5
#: Position weight of the i-th clause: 1, 0.67, 0.5, 0.4, … (registries list the main business first).
POSITION_DECAY = 0.5


def _verb_table() -> list[tuple[str, str]]:
    pairs = [(verb, act) for act, verbs in _VERBS.items() for verb in verbs]
    return sorted(pairs, key=lambda p: -len(p[0]))


_VERB_TABLE = _verb_table()
# Which of a group's verbs says what the firm is: making first (a maker also sells), then the
# trades whose verbs name them; selling before installing and repairing (销售、安装、维修 is a
# dealer's after-sales service; a repair shop writes 维修 alone).
_ACT_PRECEDENCE = {
    act: i
    for i, act in enumerate(
        (
            "make",
            "agriculture",
            "construction",
            "software",
            "rnd",
            "transport",
            "catering",
            "finance",
            "realestate",
            "trade",
            "repair_install",
            "service",
            "unspecified",
        )
    )
}


@dataclass(frozen=True)
class Clause:
    """One clause of a scope.

    Attributes
    ----------
    text : str
        The clause as written, boilerplate and restriction brackets removed.
    objects : tuple of str
        What the clause is about, verbs stripped (``铝型材``, ``食品加工机械``).
    items : tuple of str
        The clause's items as written, verbs kept (``机械加工``, ``道路货物运输``): terms that
        contain their verb are matched in these.
    activities : tuple of str
        Every activity its verbs name (``make``, ``trade`` …), strongest first.
    activity : str
        The clause's activity: make over the others, ``unspecified`` when no verb says.
    position : int
        Index among the scope's non-generic clauses.
    weight : float
        Position weight (1 for the first clause, falling with position; 0.3× on a side line
        written after 兼营).
    generic : bool
        Registry padding (技术服务、货物进出口 …): kept for display, never used as evidence.
    """

    text: str
    objects: tuple[str, ...]
    activities: tuple[str, ...]
    activity: str
    position: int
    weight: float
    generic: bool = False
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    """A parsed 经营范围: its clauses, main activity and the text that says what the firm does."""

    clauses: tuple[Clause, ...]
    generic: tuple[Clause, ...] = field(default=())

    @functools.cached_property
    def activity_shares(self) -> dict[str, float]:
        """Share of clause weight per activity (sums to 1; empty without clauses)."""
        total = sum(c.weight for c in self.clauses)
        out: dict[str, float] = {}
        for c in self.clauses:
            out[c.activity] = out.get(c.activity, 0.0) + c.weight / total
        return out

    @functools.cached_property
    def main_activity(self) -> str | None:
        """The activity with the largest share, making counted :data:`MAKE_BOOST` times (None
        without clauses): a firm that makes its goods also sells them, and is a maker."""
        shares = self.activity_shares
        if not shares:
            return None
        boosted = {
            a: v * (MAKE_BOOST if a in ("make", "agriculture") else 1.0) for a, v in shares.items()
        }
        return max(boosted, key=lambda a: (boosted[a], -_ACT_PRECEDENCE[a]))

    @property
    def objects_text(self) -> str:
        """Every object of every clause, space separated (what the firm works with)."""
        return " ".join(o for c in self.clauses for o in c.objects)

    def __len__(self) -> int:
        return len(self.clauses)


def _strip_brackets(text: str) -> str:
    """Drop restriction brackets (（不含危险化学品）); keep the content of the others."""

    def repl(match: re.Match[str]) -> str:
        inner = match.group(1)
        return " " if _RESTRICTION.search(inner) or not inner.strip() else f" {inner} "

    previous = None
    while previous != text:  # nested brackets: innermost first
        previous = text
        text = _BRACKET.sub(repl, text)
    return re.sub(r"[（()）【】\[\]]", " ", text)


_SPLIT_WORDS = re.compile(r"(软|硬)[、/](硬|软)件")


def _clean(text: str) -> str:
    text = _JUNK.sub(" ", text)
    text = _SPLIT_WORDS.sub(r"\1\2件", text)  # 计算机软、硬件 → 计算机软硬件
    text = _BOILERPLATE.sub("；", text)
    text = _strip_brackets(text)
    return text


_NOISE_SUFFIX = re.compile(r"(业务|项目|经营活动|等)$")
#: Heads that make a leading verb part of a noun: 印刷材料, 加工设备, 包装机械 are things.
_NOUN_HEADS = (
    "材料",
    "设备",
    "机械",
    "用品",
    "器材",
    "制品",
    "产品",
    "配件",
    "耗材",
    "工具",
    "机",
    "器具",
    "装置",
    "原料",
    "辅料",
    "机器",
    "器械",
    "助剂",
    "用具",
    "仪器",
)


#: Verbs by length, longest first: (length, {verb: [(table position, activity), ...]}).
_VERBS_BY_LENGTH: tuple[tuple[int, dict[str, list[tuple[int, str]]]], ...] = tuple(
    (
        length,
        {
            verb: [(i, a) for i, (v, a) in enumerate(_VERB_TABLE) if v == verb]
            for verb, _ in _VERB_TABLE
            if len(verb) == length
        },
    )
    for length in sorted({len(v) for v, _ in _VERB_TABLE}, reverse=True)
)


@functools.lru_cache(maxsize=4096)
def is_verb(word: str) -> bool:
    """True when ``word`` is a verb of the verb table (种植, 销售, 加工 …)."""
    return any(verb == word for verb, _ in _verbs_at(word, True))


def _verbs_at(text: str, end: bool) -> list[tuple[str, str]]:
    """The verbs of the table that end (or start) ``text``, in table order."""
    found: list[tuple[int, str, str]] = []
    for length, table in _VERBS_BY_LENGTH:
        if len(text) < length:
            continue
        verb = text[-length:] if end else text[:length]
        for i, act in table.get(verb, ()):
            found.append((i, verb, act))
    found.sort()
    return [(verb, act) for _, verb, act in found]


def _strip_verbs(item: str) -> tuple[str, list[str], list[str]]:
    """The object of an item and the activities of its leading and of its trailing verbs.

    Trailing verbs are stripped before leading ones (供应链管理 → 供应链 + 管理); a leading verb
    is not stripped when one character would remain (供应链 stays), a trailing one may (鞋制造 →
    鞋).
    """
    text, lead, trail = _strip_verbs_cached(item)
    return text, list(lead), list(trail)


@functools.lru_cache(maxsize=200_000)
def _strip_verbs_cached(item: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    lead: list[str] = []
    trail: list[str] = []
    text = _NOISE_SUFFIX.sub("", item.strip(" " + _CONNECT + ":：")).strip(" " + _CONNECT)

    def suffix(text: str) -> tuple[str, str] | None:
        for verb, act in _verbs_at(text, True):
            if len(text) > len(verb):
                body = text[: -len(verb)].rstrip(" " + _CONNECT)
                if len(verb) == 1 and (len(body) == 1 or body[-1:] in ("产", "研", "开", "")):
                    continue  # 销/售/制/造 alone: only after an object of two characters
                return body, act
        return None

    def prefix(text: str) -> tuple[str, str] | None:
        for verb, act in _verbs_at(text, False):
            rest = text[len(verb) :].lstrip(" " + _CONNECT + ":：")
            if rest in _NOUN_HEADS or rest.startswith("性"):
                continue  # 印刷材料 is a material, 经营性 an adjective
            if len(rest) == 1 or (len(verb) == 1 and (not rest or rest[0] in "品作型")):
                continue  # 制品, 制作, 造型 are words, not a verb + object
            return rest, act
        return None

    while text:
        found = suffix(text)
        if found is not None:
            text, act = found
            trail.append(act)
            continue
        found = prefix(text)
        if found is not None:
            text, act = found
            lead.append(act)
            continue
        break
    return text.strip(), tuple(lead), tuple(trail)


@functools.lru_cache(maxsize=100_000)
def _object_activity(obj: str) -> str | None:
    """The activity an object names by itself (中型餐饮 → catering), from its last words."""
    for word, act in _OBJECT_ACTIVITY:
        if obj.endswith(word):
            return act
    return None


def _pick(acts: list[str], objects: list[str]) -> tuple[tuple[str, ...], str]:
    """The group's activities (strongest first) and its activity.

    An object that names its own activity (软件, 餐饮, 物流 …) replaces the verbs that only say
    服务/管理/开发 (计算机软件开发 → software, 餐饮管理 → catering, 房地产开发 → realestate) and
    decides when there is no verb; it never overrides a trading or making verb (软件销售 stays
    trade).
    """
    found = list(dict.fromkeys(acts))
    implied = next((a for a in map(_object_activity, objects) if a is not None), None)
    if implied is not None and implied != "trade":
        soft = [a for a in found if a in ("service", "rnd")]
        if soft or not found:
            found = [implied, *(a for a in found if a not in ("service", "rnd"))]
    elif implied == "trade" and not found:
        found = ["trade"]
    if not found:
        return (), "unspecified"
    found = list(dict.fromkeys(found))
    found.sort(key=lambda a: _ACT_PRECEDENCE[a])
    if "rnd" in found and "trade" in found and "make" not in found:
        # 开发、销售：电子产品 — a firm that develops and sells goods it does not make trades
        found.remove("rnd")
        found.append("rnd")
    if "trade" in found and "construction" in found and not any("工程" in o for o in objects):
        # goods sold and fitted (石材、瓷砖的批发、零售及安装、施工): a dealer that installs
        found.remove("trade")
        found.insert(found.index("construction"), "trade")
    return tuple(found), found[0]


def split_clauses(text: str) -> list[tuple[str, bool]]:
    """Clauses of a cleaned scope text and whether each was written as a side line (兼营).

    An empty clause marks the end of a sentence (a verb before a colon carries up to there).
    """
    out: list[tuple[str, bool]] = []
    side = False
    for sentence in _SENTENCE_SPLIT.split(text):
        for k, part in enumerate(_SIDE.split(sentence)):
            side = side or k > 0
            for j, section in enumerate(_PART.split(part)):
                if j and out:
                    out.append((SECTION_MARK, side))
                for clause in _CLAUSE_SPLIT.split(_SECTION.sub(" ", section)):
                    if clause.strip(" " + _CONNECT):
                        out.append((clause, side))
        out.append(("", side))
    return out


#: Marks the start of a registry section (一般项目 / 许可项目) in :func:`split_clauses`' output.
SECTION_MARK = "§"
#: Sections of today's scopes: each lists its own items from the most important, and which
#: section a registry writes first says nothing about the business.
_PART = re.compile(r"(?:一般项目|许可项目|一般经营项目|许可经营项目)\s*[:：]?")


Group = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _spaceless(text: str) -> str:
    r"""``text`` without whitespace: ``re.sub(r"\s+", "", text)``, whose ``\s`` is exactly what
    ``str.split()`` splits on (each code point checked), at a fraction of the cost (a fit of
    real registry rows called it half a million times per 30,000 rows)."""
    return "".join(text.split())


def _generic_item(item: str) -> bool:
    compact = _spaceless(item).strip(_CONNECT)
    return compact in GENERIC_ITEMS or bool(_GENERIC_SUFFIX.search(compact))


@functools.lru_cache(maxsize=200_000)
def _parse_clause(
    raw: str, carry: tuple[str, ...]
) -> tuple[tuple[Group, ...], tuple[str, ...], tuple[str, ...]]:
    """Groups of (objects, verb activities) of one clause, its generic items, and the verbs it
    carries onwards.

    Verbs before a colon (``批发、零售：``) apply to every item up to the end of the sentence;
    leading verbs apply to the items after them in the clause; trailing verbs (``…批发零售``)
    apply to the verbless items before them; a verb-only item right after a group joins that
    group (``铝型材生产、销售``).
    """
    head, colon, tail = raw.partition("：") if "：" in raw else raw.partition(":")
    if colon:
        obj, lead, trail = _strip_verbs(head)
        if not obj and (lead or trail):
            carry = tuple(lead + trail)
            raw = tail
        else:
            raw = f"{head}、{tail}"
    local = list(carry)
    groups: list[tuple[list[str], list[str], list[str]]] = []
    generic: list[str] = []
    pending: list[str] = []
    pending_items: list[str] = []
    run: list[str] = []  # verbs of consecutive verb-only items
    lone: list[tuple[str, list[str]]] = []  # verb-only items that are lexicon terms (仓储)
    last_closed = False
    for item in _split_items(raw):
        if not item.strip(" " + _CONNECT):
            continue
        if _generic_item(item):
            generic.append(item.strip(" " + _CONNECT))
            # padding, but its verbs still read the list they close or open
            # (化妆品、日用化学品、日用百货销售: the 销售 is every item's)
            _, g_lead, g_trail = _strip_verbs(item)
            if g_trail and pending:
                groups.append((pending, g_trail + run, pending_items))
                pending, pending_items, run = [], [], []
                last_closed = True
            elif g_lead:
                local = run + g_lead
                run = []
            continue
        obj, lead, trail = _strip_verbs(item)
        written = item.strip(" " + _CONNECT + ":：")
        if not obj and set(lead + trail) == {"make"} and _names_a_process(written):
            # 纺纱, 注塑: a verb of making that names its own industry is the item's object too
            obj, lead, trail = written, [], lead + trail
        if not obj:
            verbs = lead + trail
            if _names_a_process(written):
                lone.append((written, verbs))
            if last_closed and groups and not pending:
                groups[-1][1].extend(verbs)
            else:
                run.extend(verbs)
            continue
        lead = run + lead
        run = []
        if lead:
            local = list(lead)
        if trail:
            groups.append(([*pending, obj], trail + lead, [*pending_items, written]))
            pending, pending_items = [], []
            last_closed = True
        elif lead:
            groups.append(([obj], lead, [written]))
            last_closed = True
        else:
            pending.append(obj)
            pending_items.append(written)
            last_closed = False
    if run and pending:
        groups.append((pending, run, pending_items))
        pending, pending_items = [], []
    if pending:
        groups.append((pending, local, pending_items))
    if not groups and lone:
        # a clause of activities only (仓储服务; 装卸搬运): the words that name an industry are
        # its objects, or the clause would say nothing
        groups = [([word], verbs, [word]) for word, verbs in lone]
    out = tuple(
        (tuple(o for obj in objs for o in obj.split()), tuple(acts), tuple(items))
        for objs, acts, items in groups
    )
    return out, tuple(generic), carry


_AND = "及和与并"


def _split_items(raw: str) -> list[str]:
    """Items of a clause; an item that joins two written activities with 及/和/与/并 (模具制造及
    注塑加工) is two items, each with its own object and verb. A verb alone before the joint
    (生产及销售) or an object without a verb (计算机及配件) keeps the item whole."""
    out: list[str] = []
    for item in _ITEM_SPLIT.split(raw):
        start = 0
        for i, ch in enumerate(item):
            if ch not in _AND or i == start or i + 1 >= len(item):
                continue
            left = item[start:i]
            verb = next((v for v, _ in _verbs_at(left, True) if len(v) >= 2), None)
            if verb is not None and len(left) - len(verb) >= 2:
                out.append(left)
                start = i + 1
        out.append(item[start:])
    return out


@functools.lru_cache(maxsize=4096)
def _names_a_process(word: str) -> bool:
    """True when a whole item that reads as a verb (纺纱, 注塑, 电镀) is also a lexicon term: it
    names the industry that does it."""
    hits = get_lexicon().hits(word)
    return len(hits) == 1 and hits[0].start == 0 and hits[0].end == len(word) and len(word) >= 2


def _is_generic(text: str, objects: tuple[str, ...]) -> bool:
    compact = _spaceless(text)
    if compact in GENERIC_ITEMS:
        return True
    if objects and all(o in GENERIC_ITEMS or _GENERIC_SUFFIX.search(o) for o in objects):
        return True
    items = [_spaceless(i) for i in _ITEM_SPLIT.split(compact) if i.strip()]
    return bool(items) and all(i in GENERIC_ITEMS or _GENERIC_SUFFIX.search(i) for i in items)


@functools.lru_cache(maxsize=100_000)
def _parse(text: str) -> Scope:
    clauses: list[Clause] = []
    generic: list[Clause] = []
    carry: tuple[str, ...] = ()
    carry_position = 0
    position = 0
    listed = 0
    members: list[int] = []  # indices in ``clauses`` of the list being read under one verb
    section_start = 0  # position of the first clause of the current registry section
    for raw, side in split_clauses(_clean(text)):
        if not raw:
            carry = ()
            continue
        if raw == SECTION_MARK:
            carry = ()
            section_start = position
            continue
        before = carry
        groups, padding, carry = _parse_clause(raw, carry)
        generic.extend(Clause(g, (g,), (), "unspecified", -1, 0.0, True, (g,)) for g in padding)
        # a clause that only continues a list under a carried verb keeps that list's position
        continuation = bool(before) and all(acts == before for _, acts, _ in groups)
        at = carry_position if continuation else position
        # a clause that continues a list under a carried verb is the list's next item
        listed = listed + 1 if continuation else 0
        if not continuation:
            _share_list(clauses, members)
            members = []
        shown = raw.strip(" " + _CONNECT + ":：")
        used = False
        for objects, acts, items in groups:
            activities, activity = _pick(list(acts), list(objects))
            if not objects:
                continue
            text_shown = shown if len(groups) == 1 and not padding else "、".join(objects)
            if _is_generic(text_shown, objects):
                generic.append(
                    Clause(text_shown, objects, activities, activity, -1, 0.0, True, items)
                )
                continue
            rank = at - section_start if at >= section_start else at
            weight = 1.0 / (1.0 + POSITION_DECAY * rank) / (1.0 + LIST_DECAY * listed)
            if side:
                weight *= 0.3
            members.append(len(clauses))
            clauses.append(
                Clause(text_shown, objects, activities, activity, at, weight, False, items)
            )
            used = True
        if used and not continuation:
            carry_position = position
            position += 1
    _share_list(clauses, members)
    return Scope(tuple(clauses), tuple(generic))


def _share_list(clauses: list[Clause], members: list[int]) -> None:
    """Scale the clauses of one list under a carried verb (批发、零售：A，B，C) to the weight of
    its first clause: the list is one line of business written with commas, as ``A、B、C`` is
    one clause, so a long list of goods sold does not outweigh the main business before it."""
    if len(members) < 2:
        return
    total = sum(clauses[i].weight for i in members)
    scale = clauses[members[0]].weight / total
    for i in members:
        clauses[i] = dataclasses.replace(clauses[i], weight=clauses[i].weight * scale)


def parse_scope(text: object) -> Scope:
    """Parse a 经营范围 into weighted clauses with their objects and activities.

    Parameters
    ----------
    text : str or None
        The scope as a registry or a sheet holds it (any script, full-width or not).

    Returns
    -------
    Scope
        ``clauses`` in written order (boilerplate and generic padding removed; the padding is in
        ``generic``), ``main_activity``, ``activity_shares`` and ``objects_text``.

    Examples
    --------
    >>> s = parse_scope("批发、零售：金属材料，冶金原辅材料（上述经营范围应在有效期内经营）")
    >>> [(c.objects, c.activity) for c in s.clauses]
    [(('金属材料',), 'trade'), (('冶金原辅材料',), 'trade')]
    >>> parse_scope("耐火材料销售").main_activity
    'trade'
    >>> parse_scope("生产、销售：聚苯乙烯泡沫制品").clauses[0].activities
    ('make', 'trade')
    >>> parse_scope(None).main_activity is None
    True
    """
    normalised = normalize_text(text)
    if normalised is None:
        return Scope(())
    return _parse(normalised)
