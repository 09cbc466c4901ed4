"""Industry inference from a scope, products and the name, with a calibrated confidence.

Evidence comes from knowledge, never from a sample: each clause of the parsed scope
(:func:`parse_scope`) is matched against the industry lexicon (:func:`get_lexicon`); the activity
of the clause routes each product code (a 销售 clause about 铝材 is evidence for 5164 金属及金属矿
批发, not for 3252 铝压延加工; a 维修 clause about 汽车 for 8111); the clause's position weight
says how much it counts (the main business is listed first). 主营产品 count as a strong clause, the
name's 行业表述 as a weaker one (its 字号 never). The code is chosen top-down: the 大类 with the
most evidence, then its 中类 and 小类 while one of them holds most of the evidence below; the
confidence is the calibrated probability that the 大类 is right. Below :data:`ABSTAIN_BELOW` the
inference abstains: the code is unknown (neutral in scores), not a guess.

>>> inf = infer_industry("一般项目：铝合金型材制造；铝合金型材销售；道路货物运输（不含危险货物）")
>>> inf.code, inf.activity, inf.confidence > 0.5
('3252', 'make', True)
>>> infer_industry("耐火材料销售；建筑材料销售").code
'5165'
>>> infer_industry("").code is None
True
"""

from __future__ import annotations

import bisect
import csv
import functools
import itertools
import math
import operator
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files

import numpy as np

from .. import taxonomy
from ._lexicon import Lexicon, TermHit, get_lexicon
from ._names import NameParts, _form_code, _retail, industry_pieces, parse_name
from ._scope import Clause, Scope, _strip_verbs, is_verb, parse_scope

__all__ = [
    "ABSTAIN_BELOW",
    "Evidence",
    "Inference",
    "calibrate",
    "infer_industry",
    "route_code",
]

#: Calibrated confidence below which inference abstains: the lowest threshold at which the codes it
#: answers are right at 大类 level at least 90 % of the time on the real-text development set
#: (81.9 % of rows answered; 0.5 answers 92.3 % at 86.0 %). See README.
ABSTAIN_BELOW = 0.6
#: Weight of the 主营产品 column and of the name's 行业表述, relative to a scope's first clause.
PRODUCTS_WEIGHT = 1.2
NAME_WEIGHT = 0.6
#: Weight of a specific product in the name when the scope names nothing the firm makes.
NAME_ALONE_WEIGHT = 1.5
#: A modifier term (not the last one of an object) counts this much of the head term.
MODIFIER_WEIGHT = 0.35
#: How many codes an inference keeps: the chosen one and the strongest alternatives.
CANDIDATES = 3
#: Share of a parent's evidence a child needs before the choice descends to it.
DESCEND = 0.6
#: Activities whose objects keep their own (maker's or service) code.
_KEEP = frozenset(
    {
        "make",
        "rnd",
        "software",
        "service",
        "transport",
        "catering",
        "finance",
        "construction",
        "agriculture",
        "realestate",
    }
)
#: Equipment heads: 食品加工机械 is a machine for the food industry, not food.
_EQUIPMENT_HEADS = (
    "加工机械",
    "加工设备",
    "生产设备",
    "生产线",
    "机械设备",
    "机械",
    "设备",
    "机器",
)
_EQUIPMENT_FOR = {
    "A": "357",
    "13": "3531",
    "14": "3531",
    "15": "3531",
    "17": "3551",
    "18": "3553",
    "19": "3553",
    "22": "3542",
    "23": "3542",
    "26": "3521",
    "27": "3544",
    "29": "3523",
    "30": "3515",
    "31": "3516",
    "32": "3516",
    "33": "3516",
    "36": "3670",
    "38": "3562",
    "39": "3562",
}


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: where it was read, the term found and the code it supports."""

    source: str  # "scope", "products" or "name"
    text: str  # the clause, product list or name part it was read in
    term: str
    code: str
    mass: float


@dataclass(frozen=True)
class Inference:
    """What the text says about an enterprise's industry.

    Attributes
    ----------
    code : str or None
        The inferred GB/T 4754 code (小类, or 中类/大类 when the evidence does not go deeper);
        None when inference abstains or there is no evidence.
    confidence : float
        Calibrated probability that the code's 大类 is right (0 without evidence).
    raw_code : str or None
        The best code even when inference abstains (for diagnostics and reasons).
    activity : str or None
        The main activity of the scope (or of the name when the scope says nothing).
    make_share : float
        Share of the evidence on making, R&D, software or farming (production), in [0, 1].
    candidates : tuple of (str, float)
        The chosen code with the share of the evidence at or below it, then the strongest
        codes elsewhere with theirs (at most :data:`CANDIDATES`).
    evidence : tuple of Evidence
        The pieces of evidence, strongest first.
    raw_confidence : float
        The uncalibrated score behind ``confidence`` (for calibration).
    """

    code: str | None
    confidence: float
    raw_code: str | None = None
    activity: str | None = None
    make_share: float = 0.0
    candidates: tuple[tuple[str, float], ...] = ()
    evidence: tuple[Evidence, ...] = field(default=())
    raw_confidence: float = 0.0

    @property
    def abstained(self) -> bool:
        """True when there was evidence but too little to name a code."""
        return self.code is None and self.raw_code is not None


#: Sections (or 大类 / 中类 prefixes) whose codes name each activity directly.
_NATIVE: dict[str, tuple[str, ...]] = {
    "make": ("B", "C", "D"),
    "agriculture": ("A",),
    "trade": ("F",),
    "repair_install": ("43", "49", "81"),
    "transport": ("G",),
    "catering": ("H",),
    "software": ("I",),
    "finance": ("J", "7212"),
    "realestate": ("K",),
    "construction": ("E",),
    "service": ("L", "M", "N", "O", "P", "Q", "R"),
    "rnd": ("73", "C"),
}


def _native(code: str, activity: str) -> bool:
    prefixes = _NATIVE.get(activity, ())
    return any(a in prefixes for a in taxonomy.ancestors(code))


@functools.lru_cache(maxsize=1)
def _retail_of() -> dict[str, str]:
    """Retail code of each wholesale code (the first pair listed in trade_codes.csv)."""
    out: dict[str, str] = {}
    for wholesale, retail, _, _ in _trade_table().values():
        if retail:
            out.setdefault(wholesale, retail)
    return out


@functools.lru_cache(maxsize=1)
def _trade_table() -> dict[str, tuple[str, str, str, str]]:
    text = (files("matcher") / "data" / "trade_codes.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    rows = csv.DictReader(lines)
    return {r["prefix"]: (r["wholesale"], r["retail"], r["repair"], r["made"]) for r in rows}


@functools.lru_cache(maxsize=1)
def _farm_of() -> dict[str, str]:
    """The farm code of each processing code of trade_codes.csv's ``made`` column (1371 → 014),
    the most detailed farm prefix where several make one code."""
    out: dict[str, str] = {}
    for prefix, (_, _, _, made) in _trade_table().items():
        if made and (made not in out or len(prefix) > len(out[made])):
            out[made] = prefix
    return out


def _lookup(code: str) -> tuple[str, str, str, str] | None:
    table = _trade_table()
    for anc in reversed(taxonomy.ancestors(code)):
        if anc in table:
            return table[anc]
    return None


#: Sections of goods (farming, mining, manufacturing, energy): what is made, grown or traded.
_GOODS = frozenset({"A", "B", "C", "D"})
#: Words that make a making clause about a farm product a processing one.
_PROCESSING_WORDS = ("加工", "制品", "制作", "制造", "罐头", "腌制", "烘焙", "酿造", "屠宰")


#: Goods a dealer sells at retail unless the clause says 批发: a car dealer's 汽车销售 is 汽车新车
#: 零售 (NBS classes 4S stores under 5261), a motorcycle dealer's 5264.
RETAIL_FIRST = {"361": "5261", "3751": "5264"}


def route_code(
    code: str,
    activity: str,
    *,
    retail: bool = False,
    processing: bool = True,
    wholesale: bool = False,
) -> str:
    """The code of an activity on a product: trading, repairing or making it.

    >>> route_code("3252", "trade"), route_code("3252", "make"), route_code("3670", "repair_install")
    ('5164', '3252', '8111')
    >>> route_code("2720", "trade", retail=True), route_code("014", "make")
    ('5251', '1371')
    >>> route_code("361", "transport")
    '543'
    """
    section = taxonomy.section_of(code)
    if activity == "trade":
        if section == "F":
            return _retail_of().get(code, code) if retail and code.startswith("51") else code
        if not wholesale:
            for anc in taxonomy.ancestors(code):
                if anc in RETAIL_FIRST:
                    return RETAIL_FIRST[anc]
        row = _lookup(code)
        if row is None:
            return code
        return row[1] if retail and row[1] else row[0]
    if activity == "make" and section == "A" and processing:  # 蔬菜制品的加工: processing
        row = _lookup(code)
        return row[3] if row is not None and row[3] else code
    if activity == "agriculture" and section == "C":  # 食用菌种植: growing, not processing
        farm = _farm_of()
        for anc in reversed(taxonomy.ancestors(code)):
            if anc in farm:
                return farm[anc]
        return code
    if activity == "research" and section in _GOODS:
        # research on a product without making it is 研究和试验发展 (药品研究开发 → 7340)
        path = taxonomy.ancestors(code)
        if section == "A":
            return "7330"
        if "27" in path or "358" in path:
            return "7340"
        return "7320"
    if activity == "construction" and section in ("C", "D"):
        # 幕墙工程, 门窗工程: fitting goods to buildings; 电力工程: building power lines
        return "487" if section == "D" else "501"
    if activity == "transport" and section in _GOODS:
        return ACTIVITY_CODES["transport"]  # 钢材运输, 汽车运输: carrying goods is freight
    if activity == "repair_install" and section in ("C", "I"):
        row = _lookup(code)
        return row[2] if row is not None and row[2] else code
    return code


def _is_service(code: str) -> bool:
    """True for codes of services (not goods), software excepted (软件 is sold like a good)."""
    anc = taxonomy.ancestors(code)
    return anc[0] not in ("A", "B", "C", "D", "F") and (len(anc) < 2 or anc[1] != "65")


def _equipment(code: str, obj: str, hit: TermHit) -> str:
    """食品加工机械 → 3531: a product term followed by an equipment head is equipment for it."""
    tail = obj[hit.end :]
    if not tail or not any(h in tail for h in _EQUIPMENT_HEADS):
        return code
    anc = taxonomy.ancestors(code)
    if anc[0] == "C" and len(anc) > 1 and anc[1] in ("34", "35", "38", "39", "40"):
        return code  # already a machine or device
    for key in reversed(anc):
        if key in _EQUIPMENT_FOR:
            return _EQUIPMENT_FOR[key]
    return "35" if anc[0] == "C" else code


#: Weight of the k-th item of a list: 1, 0.67, 0.5, … (the main product is named first).
ITEM_DECAY = 0.5


def _clause_hits(items: Sequence[str]) -> tuple[tuple[str, TermHit, float], ...]:
    """(item, hit, weight) of every term; the last term of an item is its head."""
    return _clause_hits_cached(tuple(items))


@functools.lru_cache(maxsize=200_000)
def _clause_hits_cached(items: tuple[str, ...]) -> tuple[tuple[str, TermHit, float], ...]:
    lexicon = get_lexicon()
    out = []
    for position, item in enumerate(items):
        hits = _item_hits(lexicon, item)
        decay = 1.0 / (1.0 + ITEM_DECAY * position)
        # the head is the last term, a verb of the verb table excepted: in 食用菌种植 the verb
        # 种植 says what is done with the object, the object says the industry
        head = len(hits) - 1
        while head > 0 and is_verb(hits[head].term):
            head -= 1
        for k, hit in enumerate(hits):
            factor = 1.0 if k == head else MODIFIER_WEIGHT
            out.append((item, hit, hit.weight * factor * decay))
    return tuple(out)


def _item_hits(lexicon: Lexicon, item: str) -> list[TermHit]:
    """Terms of one written item; a term that begins inside the item's leading verb and runs into
    its object is a slice of two words (售电 in 零售电子产品), so the object is read alone then."""
    hits = lexicon.hits(item)
    if not hits or hits[0].start == 0:
        return hits
    obj, lead, _ = _strip_verbs(item)
    if not lead or not obj:
        return hits
    boundary = item.find(obj)  # matching keeps offsets (it only upper-cases Latin letters)
    if boundary <= 0 or not any(0 < h.start < boundary < h.end for h in hits):
        return hits
    return [
        TermHit(h.term, h.start + boundary, h.end + boundary, h.codes, h.weight)
        for h in lexicon.hits(item[boundary:])
    ]


class _Collector:
    def __init__(self) -> None:
        self.mass: dict[str, float] = defaultdict(float)
        self.evidence: list[Evidence] = []
        self.production = 0.0
        self.total = 0.0
        # what research is about (汽车零部件研发 → 3670 behind 7320): the industry it serves
        self.subjects: dict[str, float] = defaultdict(float)

    def add_code(self, source: str, text: str, code: str, weight: float) -> None:
        """Evidence for one code named outright (a form such as 加油站)."""
        self.mass[code] += weight
        self.evidence.append(Evidence(source, text, text, code, weight))
        if _native(code, "make") or _native(code, "agriculture"):
            self.production += weight
        self.total += weight

    def add(
        self,
        source: str,
        text: str,
        objects: Sequence[str],
        weight: float,
        activity: str,
        *,
        make_prior: float,
        retail: bool,
        made: frozenset[str] = frozenset(),
        wholesale: bool = False,
        research: bool = False,
        processed: bool = False,
    ) -> bool:
        """Add one clause; ``made`` holds the codes the firm makes (selling them is ancillary)."""
        hits = _clause_hits(objects)
        # 生产 of a farm product is farming; 加工 of it is processing (蔬菜制品的加工)
        processing = processed or any(w in text for w in _PROCESSING_WORDS)
        norm = sum(w for _, _, w in hits)
        if norm <= 0:
            default = ACTIVITY_CODES.get(activity)
            if default is None:
                return False
            self.add_code(source, text, default, weight * DEFAULT_WEIGHT)
            return True
        if activity == "unspecified":
            routes = [("make", make_prior), ("trade", 1.0 - make_prior)]
        elif activity in _KEEP or activity == "repair_install":
            routes = [(activity, 1.0)]
        else:
            routes = [(activity, 1.0)]
        # a dealer of cars sells their parts at retail too (汽车、汽车零部件销售)
        if not retail and not wholesale and activity == "trade":
            retail = any(
                _strip_verbs(item)[0].endswith(hit.term) and any(a in RETAIL_FIRST for a in anc)
                for item, hit, _ in hits
                for anc in map(_ancestors, hit.codes)
            )
        if research and activity == "rnd":
            routes = [("research", 1.0)]  # a firm that makes nothing researches products
        for obj, hit, w in hits:
            # a term of several codes (电气设备: 4350 修理, 5175 批发) keeps the ones that name the
            # clause's activity directly when there are any
            codes = hit.codes
            if len(codes) > 1 and activity != "unspecified":
                native = tuple(c for c in codes if _native(c, activity))
                codes = native or tuple(c for c in codes if _native(c, "make")) or codes
            if activity in ("make", "agriculture") and all(_native(c, "trade") for c in codes):
                continue  # a wholesaler's word (五金交电) says nothing about what is made
            share = weight * w / norm / len(codes)
            for code in codes:
                base = _equipment(code, obj, hit)
                own = activity in ("trade", "unspecified") and base in made
                if own:
                    chosen = [("make", 1.0)]
                elif _is_service(base) and activity in ("unspecified", "trade"):
                    chosen = [("keep", 1.0)]  # 电信业务, 餐饮: a service is not made or traded
                else:
                    chosen = routes
                # 建筑机械租赁: leasing a good is the 租赁业, not making or serving it
                leased = (
                    _leasing_code(base)
                    if activity != "make" and any(v in obj for v in _LEASING_VERBS)
                    else None
                )
                for act, p in chosen:
                    if p <= 0:
                        continue
                    routed = leased or route_code(
                        base, act, retail=retail, processing=processing, wholesale=wholesale
                    )
                    if routed.startswith("54"):  # 铁路快运, 水路货物运输: the mode decides
                        routed = _transport_mode(obj) or routed
                    self.mass[routed] += share * p
                    self.evidence.append(Evidence(source, text, hit.term, routed, share * p))
                    if act == "research":
                        self.subjects[base] += share * p
                    if act in ("make", "rnd", "research", "software", "agriculture"):
                        self.production += share * p
                    self.total += share * p
        return True


#: Leasing of goods (机械设备租赁, 汽车出租): the GB/T 711 小类 by the goods' code prefix (the
#: longest listed prefix decides; any other good 7119).
_LEASING = {
    "36": "7111",  # motor vehicles
    "357": "7112",  # farm machinery
    "351": "7113",  # construction and mining machinery
    "391": "7114",  # computers
    "392": "7114",  # telecom equipment
    "358": "7115",  # medical equipment
    "C": "7119",
    "F": "7119",
}
_LEASING_VERBS = ("租赁", "出租")


#: Transport by a mode other than road: the 大类 of the mode named in the item.
_MODES = (
    ("铁路", "53"),
    ("水路", "55"),
    ("水上", "55"),
    ("海运", "55"),
    ("内河", "55"),
    ("航运", "55"),
    ("船舶运输", "55"),
    ("航空", "56"),
    ("管道运输", "57"),
)


def _transport_mode(item: str) -> str | None:
    """The 大类 of a transport item that names its mode (铁路小件货物快运 → 53), else None."""
    return next((code for word, code in _MODES if word in item), None)


def _leasing_code(code: str) -> str | None:
    """The leasing 小类 of a good's code, or None when ``code`` is not a good."""
    anc = taxonomy.ancestors(code)
    if anc[0] not in ("C", "F"):
        return None
    for key in reversed(anc):
        if key in _LEASING:
            return _LEASING[key]
    return None


#: The code an activity names when its clause names no known object (普通货运 → 543), and how
#: much that counts.
ACTIVITY_CODES = {
    "transport": "543",
    "catering": "62",
    "software": "65",
    "construction": "E",
    "finance": "J",
    "realestate": "70",
    "agriculture": "A",
}
DEFAULT_WEIGHT = 0.6
#: Weight of a trading clause of a firm that also makes things (selling is then a side line).
ANCILLARY_TRADE = 0.7


def _made_codes(scope: Scope) -> frozenset[str]:
    """Codes of what the scope's making clauses make (铝合金型材制造 → 3252)."""
    out: set[str] = set()
    for clause in scope.clauses:
        if clause.activity == "make":
            for obj, hit, _ in _clause_hits(clause.items):
                out.update(_equipment(c, obj, hit) for c in hit.codes)
    return frozenset(out)


def _name_activity(industry: str, scope: Scope, main: str | None) -> str:
    """What a name's product word says the firm does with it, when no word of the name says.

    A name that names what the scope only trades, at the same level of detail (鹏鑫金属材料 |
    批发、零售：金属材料), is a trader's; one that names a product the scope does not mention, or
    a finer one (宏骏铝合金车轮 | 金属材料销售, 华铂铝箔 | 有色金属合金销售), names what the firm
    makes — the naming rules require the 行业表述 to state the main business.
    """
    return _activity_named(industry, main, _traded_codes(scope) if main == "trade" else ())


def _traded_codes(scope: Scope) -> tuple[str, ...]:
    """The codes the scope's trading clauses name, in order."""
    return tuple(
        c
        for clause in scope.clauses
        if clause.activity == "trade"
        for _, hit, _ in _clause_hits(clause.items)
        for c in hit.codes
    )


def _activity_named(industry: str, main: str | None, traded: tuple[str, ...]) -> str:
    """:func:`_name_activity` given the codes the scope's trading clauses name (read only for
    a trader)."""
    if main is None:
        return "unspecified"
    if main != "trade":
        return main
    tax = taxonomy.get_taxonomy()
    named = [c for h in get_lexicon().hits(industry) for c in h.codes]
    if not named or not traded:
        return "trade"  # nothing to compare: the name follows the scope
    for code in named:
        for other in traded:
            same_division = tax.ancestors(code)[:2] == tax.ancestors(other)[:2]
            if same_division and tax.level(code) <= tax.level(other):
                return "trade"
    return "make"


def name_weight(industry: str, scope: Scope | None = None) -> float:
    """Weight of a name's 行业表述: a specific product (铝合金车轮, 耐火材料) counts like a main
    clause — the naming rules require it to state the main business —, and more when the scope
    names nothing the firm makes; a generic word (科技, 实业) counts less."""
    makes = scope is not None and any(c.activity == "make" for c in scope.clauses)
    return _name_weight(industry, makes, scope is not None)


def _name_weight(industry: str, makes: bool, scoped: bool) -> float:
    """:func:`name_weight` given whether the scope makes anything (``scoped``: a scope given)."""
    hits = get_lexicon().hits(industry)
    if hits and hits[-1].end == len(industry) and len(hits[-1].term) >= 3:
        # only a good can be made behind a scope that only sells (投资管理 names a service)
        goods = any(taxonomy.section_of(c) in _GOODS for c in hits[-1].codes)
        return NAME_ALONE_WEIGHT if goods and scoped and not makes else 1.0
    return NAME_WEIGHT


@functools.lru_cache(maxsize=50_000)
def _names_product(industry: str) -> bool:
    return bool(get_lexicon().hits(industry))


def _make_prior(scope_text: str | None, industry: str, activity: str | None, retail: bool) -> float:
    """How likely a clause that names no verb is about making (rather than selling), given the
    name's 行业表述, its activity and whether its form is a shop's."""
    if activity == "make":
        return 0.85
    if activity == "trade" or retail:
        return 0.1
    product_name = bool(industry) and activity is None and _names_product(industry)
    made, sold = _scope_facts(scope_text)[2:]
    if made > sold:
        return 0.7
    if sold > 0:
        return 0.35 if product_name else 0.2
    return 0.65 if product_name else 0.4


@functools.lru_cache(maxsize=100_000)
def _scope_facts(scope_text: str | None) -> tuple[str | None, bool, float, float]:
    """The scope's main activity, whether it makes anything, and its making and selling shares."""
    scope = _scope_of(scope_text)
    shares = scope.activity_shares
    made = sum(shares.get(a, 0.0) for a in ("make", "rnd", "agriculture"))
    makes = any(c.activity == "make" for c in scope.clauses)
    return scope.main_activity, makes, made, shares.get("trade", 0.0)


@functools.cache
def _ancestors(code: str) -> tuple[str, ...]:
    return taxonomy.ancestors(code)


@functools.cache
def _children(code: str) -> tuple[str, ...]:
    return taxonomy.children(code)


def _decide(mass: dict[str, float]) -> tuple[str | None, float, list[tuple[str, float]]]:
    """Top-down choice: 大类 by evidence, then 中类 and 小类 while one holds most of it."""
    total = sum(mass.values())
    if total <= 0:
        return None, 0.0, []
    node: dict[str, float] = {}
    divisions: dict[str, None] = {}
    for code, m in mass.items():
        ancestors = _ancestors(code)
        for anc in ancestors:
            node[anc] = node.get(anc, 0.0) + m
        if len(ancestors) >= 2:
            divisions[ancestors[1]] = None
    if not divisions:  # evidence only at 门类 level
        best = max(node, key=node.__getitem__)
        return best, node[best] / total, [(best, node[best] / total)]
    best = max(divisions, key=lambda c: (node[c], c))
    share = node[best] / total
    chosen = best
    while True:
        children = _children(chosen)
        if len(children) == 1:  # a 中类 of one 小类 is that 小类 (367 → 3670)
            chosen = children[0]
            continue
        kids = [c for c in children if c in node]
        if not kids:
            break
        kid = max(kids, key=lambda c: (node[c], c)) if len(kids) > 1 else kids[0]
        # evidence that stops at the parent (食品 → 14) is consistent with every child, so the
        # child is judged against its siblings only
        if len(kids) > 1 and node[kid] < DESCEND * sum([node[c] for c in kids]):
            break
        chosen = kid
    # the chosen code with the share of the evidence at or below it, then the strongest codes
    # elsewhere (a firm that both makes and sells aluminium: 3252 first, then 5164)
    alternatives = [(chosen, node.get(chosen, 0.0) / total)]
    others = [c for c in mass if chosen not in _ancestors(c)]
    if len(others) > 1:  # strongest first, ties by code (a reversed sort keeps ties in order)
        others.sort()
        others.sort(key=mass.__getitem__, reverse=True)
    alternatives += [(c, mass[c] / total) for c in others[: CANDIDATES - 1]]
    return chosen, share, alternatives


@functools.lru_cache(maxsize=1)
def _calibration() -> tuple[np.ndarray, np.ndarray]:
    """Knots (raw score, P(大类 right)) of ``matcher/data/inference_calibration.csv``, written by
    ``tools/calibrate_inference.py`` (isotonic regression on the real-text development set);
    the identity when the file is absent."""
    path = files("matcher") / "data" / "inference_calibration.csv"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return np.array([0.0, 1.0]), np.array([0.0, 1.0])
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    return (
        np.array([float(r["raw"]) for r in rows]),
        np.array([float(r["probability"]) for r in rows]),
    )


def calibrate(raw: float | np.ndarray) -> float | np.ndarray:
    """Calibrated confidence of a raw inference score (monotone, in [0, 1])."""
    xs, ys = _calibration()
    out = np.interp(raw, xs, ys)
    return float(out) if np.ndim(out) == 0 else out


@functools.lru_cache(maxsize=1)
def _knots() -> tuple[list[float], list[float]]:
    xs, ys = _calibration()
    return xs.tolist(), ys.tolist()


def _calibrate_one(raw: float) -> float:
    """:func:`calibrate` of one score without numpy (same linear interpolation)."""
    xs, ys = _knots()
    if raw != raw:  # nan
        return float(calibrate(raw))
    if raw <= xs[0]:
        return ys[0]
    if raw >= xs[-1]:
        return ys[-1]
    j = bisect.bisect_right(xs, raw) - 1
    if xs[j] == raw:
        return ys[j]
    slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j])
    return slope * (raw - xs[j]) + ys[j]


def raw_score(share: float, total: float, coverage: float) -> float:
    """Uncalibrated confidence: the 大类's share, damped when there is little evidence."""
    strength = 1.0 - math.exp(-total / 0.6)
    return share * strength * (0.6 + 0.4 * coverage)


def infer_industry(scope: object = None, products: object = None, name: object = None) -> Inference:
    """Infer the GB/T 4754 code of one enterprise from its scope, products and name.

    Parameters
    ----------
    scope : str or None
        经营范围.
    products : str or None
        主营产品 (separated by ``;`` ``；`` ``、`` ``,``).
    name : str or None
        The registered name (only its 行业表述 is used).

    Returns
    -------
    Inference
    """
    from ._normalize import normalize_text

    text = normalize_text(scope)
    return _infer(text, normalize_text(products), parse_name(name))


def _split_products(products: str | None) -> list[str]:
    return list(_product_objects(products)) if products else []


@functools.lru_cache(maxsize=200_000)
def _product_objects(products: str) -> tuple[str, ...]:
    """The objects of a 主营产品 text (remembered: its evidence is read once per way of reading
    it, its segment once per fit)."""
    text = products.replace(";", "、").replace("；", "、")
    return tuple(p for p in parse_scope(text).objects_text.split() if p)


@dataclass(frozen=True)
class _Part:
    """The evidence one source (scope, products or name) gives, before the sources are added."""

    mass: tuple[tuple[str, float], ...]
    production: float
    total: float  # evidence mass
    weight: float  # clause weight read (the denominator of coverage)
    matched: float  # clause weight that found a known term
    strongest: tuple[Evidence, ...]  # the part's evidence, strongest first (at most 8)
    subjects: tuple[tuple[str, float], ...] = ()  # the products its research is about
    #: The same number for parts equal in everything :func:`_combined` reads of them (all but
    #: ``strongest``) and never for parts that differ (see :func:`_part_key`). Equal means equal
    #: floats: a part's are sums of positive evidence, never -0.0 (equal to 0.0 but another
    #: sign), and a NaN equals nothing, so its part gets a number of its own.
    key: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        signature = (self.mass, self.production, self.total, self.weight, self.matched)
        object.__setattr__(self, "key", _part_key((*signature, self.subjects)))

    @classmethod
    def of(cls, collector: _Collector, weight: float, matched: float) -> _Part:
        return cls(
            tuple(collector.mass.items()),
            collector.production,
            collector.total,
            weight,
            matched,
            tuple(sorted(collector.evidence, key=_MASS, reverse=True)[:EVIDENCE_KEPT]),
            tuple(collector.subjects.items()),
        )


#: Each signature of a part (what :func:`_combined` reads of it) with its number, and the
#: numbers given so far. Forgotten past :data:`_PART_KEYS_LIMIT` signatures; the numbers go on
#: counting, so a number never stands for two signatures.
_PART_KEYS: dict[tuple, int] = {}
_PART_KEYS_LIMIT = 500_000
_part_numbers = itertools.count()


def _part_key(signature: tuple) -> int:
    """The number of a part's signature: equal signatures get one number (until the table is
    forgotten: then a new one), different signatures never share one."""
    key = _PART_KEYS.get(signature)
    if key is None:
        if len(_PART_KEYS) >= _PART_KEYS_LIMIT:
            _PART_KEYS.clear()
        key = _PART_KEYS[signature] = next(_part_numbers)
    return key


_MASS = operator.attrgetter("mass")


#: How many pieces of evidence an inference keeps.
EVIDENCE_KEPT = 8
_EMPTY = _Part((), 0.0, 0.0, 0.0, 0.0, ())


def _scope_part(scope_text: str | None, prior: float, retail_name: bool) -> _Part:
    """Evidence of the scope's clauses (cached by the scope's text: many firms share one).

    The prior of making routes only the objects of clauses without a verb (``unspecified``):
    a scope without one reads the same whatever the prior, so it is read once for every prior
    (firms' names give it several).
    """
    return _scope_evidence(scope_text, prior if _reads_prior(scope_text) else 0.0, retail_name)


@functools.lru_cache(maxsize=100_000)
def _reads_prior(scope_text: str | None) -> bool:
    """True when the scope's evidence depends on the prior of making (a clause without a verb)."""
    return any(c.activity == "unspecified" for c in _evidence_clauses(_scope_of(scope_text)))


def _evidence_clauses(scope: Scope) -> tuple[Clause, ...]:
    """The clauses the scope's evidence is read from: its clauses, or its padding when only
    that says anything."""
    clauses = scope.clauses
    if not any(_clause_hits(c.items) for c in clauses) and scope.generic:
        # only padding says anything (物业管理；家政服务 of a 物业管理有限公司): use it, weakly
        clauses = tuple(
            Clause(g.text, g.objects, g.activities, g.activity, k, 0.5 / (1 + k), False, g.items)
            for k, g in enumerate(scope.generic)
        )
    return clauses


@functools.lru_cache(maxsize=200_000)
def _scope_evidence(scope_text: str | None, prior: float, retail_name: bool) -> _Part:
    """:func:`_scope_part` of one prior (cached)."""
    scope = _scope_of(scope_text)
    collector = _Collector()
    total_weight = 0.0
    matched = 0.0
    made = _made_codes(scope)
    # a scope whose first word of selling is 零售 and that never says 批发 or 购销 sells at
    # retail in every trading clause (零售电子产品、五金交电、电线电缆: the verb is written once,
    # before the list); a wholesaler that retails a side line (药品…销售；化工试剂零售) does not
    scope_retail = _retail_scope(scope_text)
    for clause in _evidence_clauses(scope):
        weight = clause.weight
        if clause.activity == "trade" and made:
            weight *= ANCILLARY_TRADE
        total_weight += weight
        retail = (
            retail_name or scope_retail or ("零售" in clause.text and "批发" not in clause.text)
        )
        if collector.add(
            "scope",
            clause.text,
            clause.items,
            weight,
            clause.activity,
            make_prior=prior,
            retail=retail,
            made=made,
            wholesale=any(w in clause.text for w in _WHOLESALE_WORDS),
            research=not made and set(clause.activities) <= _RESEARCH_ONLY,
        ):
            matched += weight
    return _Part.of(collector, total_weight, matched)


_WHOLESALE_WORDS = ("批发", "购销")
#: The activities of a clause that only researches (研究、开发; 技术开发、技术服务).
_RESEARCH_ONLY = frozenset({"rnd", "service"})
_SELLING = re.compile("零售|销售|经销|代销|购销|批发")


def _retail_scope(scope_text: str | None) -> bool:
    """True when the scope's first word of selling is 零售 and it never says 批发 or 购销."""
    if not scope_text or any(w in scope_text for w in _WHOLESALE_WORDS):
        return False
    first = _SELLING.search(scope_text)
    return first is not None and first.group() == "零售"


def _products_part(products: str | None, act: str, prior: float) -> _Part:
    """Evidence of the 主营产品 column, read as ``act`` (make, trade or the service).

    The prior of making routes only objects read without an activity (``unspecified``):
    products read as an activity (as :func:`_name_sources` always reads them) read the same
    whatever the prior, so they are read once for every prior.
    """
    return _products_evidence(products, act, prior if act == "unspecified" else 0.0)


@functools.lru_cache(maxsize=200_000)
def _products_evidence(products: str | None, act: str, prior: float) -> _Part:
    """:func:`_products_part` of one prior (cached)."""
    objects = _split_products(products)
    if not objects:
        return _EMPTY
    collector = _Collector()
    found = collector.add(
        "products",
        "、".join(objects),
        objects,
        PRODUCTS_WEIGHT,
        act,
        make_prior=prior,
        retail=False,
        processed=act == "make",  # a maker's 干香菇 is a processed good, a farm's is a crop
    )
    return _Part.of(collector, PRODUCTS_WEIGHT, PRODUCTS_WEIGHT if found else 0.0)


@functools.lru_cache(maxsize=50_000)
def _name_items(industry: str) -> tuple[str, ...]:
    """A 行业表述 as items: broad industry words side by side (塑料五金, 五金电器) are lines of
    business named in order; anything else (铝合金车轮, 建筑机械租赁) is one item."""
    pieces = industry_pieces(industry)
    if len(pieces) < 2:
        return (industry,)
    lexicon = get_lexicon()
    for piece in pieces:
        hits = lexicon.hits(piece)
        if len(hits) != 1 or hits[0].term != piece or is_verb(piece):
            return (industry,)
        if any(len(c) > 3 for c in hits[0].codes):  # a 小类: a specific product
            return (industry,)
    return pieces


@functools.lru_cache(maxsize=50_000)
def _name_part(
    industry: str,
    act: str,
    weight: float,
    prior: float,
    retail: bool,
    form: str,
    form_code: str | None,
) -> _Part:
    """Evidence of the name: its 行业表述 read as ``act``, and a form that names an industry."""
    collector = _Collector()
    total = matched = 0.0
    if industry:
        total += weight
        # 塑料五金: two lines of business side by side, the first named first (not a modifier)
        items = _name_items(industry)
        if collector.add("name", industry, items, weight, act, make_prior=prior, retail=retail):
            matched += weight
    if form_code is not None:
        total += NAME_WEIGHT
        collector.add_code("name", form, form_code, NAME_WEIGHT)
        matched += NAME_WEIGHT
    return _Part.of(collector, total, matched)


@functools.lru_cache(maxsize=100_000)
def _scope_of(scope_text: str | None) -> Scope:
    from ._scope import _parse

    return _parse(scope_text) if scope_text else Scope(())


def _name_reading(industry: str, scope_text: str | None) -> tuple[str, float]:
    """The activity a name's 行业表述 implies (when no word of it says) and its weight.

    Of the scope, these read only its main activity, whether it makes anything and, for a
    trader, the codes its trading clauses name: names are read once per such facts (many
    scopes share them) rather than once per scope.
    """
    return _name_reading_of(industry, _name_facts(scope_text))


#: What :func:`_name_reading` reads of a scope: its main activity, whether a clause makes, and
#: the codes its trading clauses name (a trader's only).
_NameFacts = tuple[str | None, bool, tuple[str, ...]]


@functools.lru_cache(maxsize=100_000)
def _name_facts(scope_text: str | None) -> _NameFacts:
    """The scope's main activity, whether a clause makes, and (for a trader) the codes its
    trading clauses name, in order."""
    scope = _scope_of(scope_text)
    main = scope.main_activity
    makes = any(c.activity == "make" for c in scope.clauses)
    return main, makes, _traded_codes(scope) if main == "trade" else ()


@functools.lru_cache(maxsize=100_000)
def _name_reading_of(industry: str, facts: _NameFacts) -> tuple[str, float]:
    """:func:`_name_reading` given the scope's facts (:func:`_name_facts`)."""
    main, makes, traded = facts
    return _activity_named(industry, main, traded), _name_weight(industry, makes, True)


def _infer(
    scope_text: str | None, products: str | None, name: NameParts, *, evidence: bool = True
) -> Inference:
    """Inference from normalised texts: the three sources' evidence (each cached), added.

    ``evidence=False`` leaves the inference's evidence empty (what an index keeps of it does
    not read it); everything else is the same.
    """
    scope_part, prior, act, name_part, activity = _name_sources(
        scope_text, name.industry, name.parent_industry, name.activity, name.form
    )
    return _combine(_parts(scope_part, products, act, prior, name_part), activity, evidence)


def _name_sources(
    scope_text: str | None,
    industry_words: str,
    parent_industry: str,
    name_activity: str | None,
    form: str,
) -> tuple[_Part, float, str, _Part | None, str | None]:
    """What an inference reads besides the products: the scope's evidence, the prior of making,
    how the products are read (``act``), the name's evidence (None when the name says nothing)
    and the activity. It depends on the scope and on the name's 行业表述 (``industry_words``, and
    its parent's), activity and form only (the fields of :class:`NameParts` it reads, given as
    they are: no object per name), so firms that share them share it."""
    main, makes, _, _ = _scope_facts(scope_text)
    retail = _retail(form)
    prior = _make_prior(scope_text, industry_words, name_activity, retail)
    scope_part = _scope_part(scope_text, prior, retail)
    # a firm's products are what it makes, what it sells if it only trades, and what it
    # services if servicing is its main business (a repairer's 注塑机)
    if main in ("repair_install", "transport", "service", "agriculture") and (
        name_activity != "make"
    ):
        act = main
    else:
        act = "trade" if main == "trade" and not makes else "make"
    industry = industry_words or parent_industry
    form_code = _form_code(form)
    name_part = None
    if industry or form_code is not None:
        implied, weight = _name_reading(industry, scope_text) if industry else ("", 0.0)
        name_act = name_activity or implied
        name_part = _name_part(industry, name_act, weight, prior, retail, form, form_code)
    return scope_part, prior, act, name_part, main or name_activity


def _parts(
    scope_part: _Part, products: str | None, act: str, prior: float, name_part: _Part | None
) -> list[_Part]:
    """The sources' evidence in the order they are added: scope, products (when given), name."""
    parts = [scope_part]
    if products:
        parts.append(_products_part(products, act, prior))
    if name_part is not None:
        parts.append(name_part)
    return parts


#: What :func:`_combined` says: code (None when abstaining), confidence, raw code, activity,
#: make share, candidates and raw score (the fields of :class:`Inference` but its evidence).
_Values = tuple[
    str | None, float, str | None, str | None, float, tuple[tuple[str, float], ...], float
]


def _combine(parts: list[_Part], activity: str | None, evidence: bool) -> Inference:
    """The sources' evidence added (in the order of ``parts``) and the code chosen."""
    values = _combined(parts, activity)
    if not evidence or values[2] is None:
        kept: tuple[Evidence, ...] = ()
    elif len(parts) == 1:
        kept = parts[0].strongest
    else:  # each part's strongest, in order: a stable sort of them all begins the same way
        pieces = [e for p in parts for e in p.strongest]
        kept = tuple(sorted(pieces, key=_MASS, reverse=True)[:EVIDENCE_KEPT])
    code, conf, raw_code, act, make_share, candidates, raw = values
    return Inference(code, conf, raw_code, act, make_share, candidates, kept, raw)


def _combined(parts: list[_Part], activity: str | None) -> _Values:
    """:func:`_combine` without the evidence, as a tuple (no object per inference)."""
    first = parts[0]
    if len(parts) == 1:
        # the part's masses are the items of a dictionary already (distinct codes, in order)
        masses = first.mass
        total, total_weight, matched = first.total, first.weight, first.matched
        production = first.production
    else:
        # the first part's masses as they are (0.0 + m is m), the others' added in order
        mass = dict(first.mass)
        get = mass.get
        for part in parts[1:]:
            for part_code, m in part.mass:
                mass[part_code] = get(part_code, 0.0) + m
        masses = tuple(mass.items())
        # sum() as before (from Python 3.12 it adds floats with compensation), of tuples: two
        # or three parts (what _parts gives) without a list comprehension per number
        if len(parts) == 2:
            second = parts[1]
            total = sum((first.total, second.total))
            total_weight = sum((first.weight, second.weight))
            matched = sum((first.matched, second.matched))
            production = sum((first.production, second.production))
        elif len(parts) == 3:
            second, third = parts[1], parts[2]
            total = sum((first.total, second.total, third.total))
            total_weight = sum((first.weight, second.weight, third.weight))
            matched = sum((first.matched, second.matched, third.matched))
            production = sum((first.production, second.production, third.production))
        else:
            total = sum([p.total for p in parts])
            total_weight = sum([p.weight for p in parts])
            matched = sum([p.matched for p in parts])
            production = sum([p.production for p in parts])
    if not masses:
        return None, 0.0, None, activity, 0.0, (), 0.0
    code, share, candidates = _decided(masses)
    if code is None:
        return None, 0.0, None, activity, 0.0, (), 0.0
    coverage = matched / total_weight if total_weight else 0.0
    raw = raw_score(share, total, coverage)
    conf = _calibrate_one(raw)
    make_share = production / total if total else 0.0
    if code.startswith("73") and total > 0:
        subjects = [s for p in parts for s in p.subjects]
        if subjects:
            # a firm that researches products serves their industry: its strongest subject is
            # the first alternative, with the share of the evidence behind it
            subject, mass_ = max(subjects, key=lambda s: (s[1], s[0]))
            candidates = (candidates[0], (subject, mass_ / total), *candidates[1:])[:CANDIDATES]
    chosen = code if conf >= ABSTAIN_BELOW else None
    return chosen, conf, code, activity, make_share, tuple(candidates), raw


@functools.lru_cache(maxsize=100_000)
def _decided(mass: tuple[tuple[str, float], ...]) -> tuple[str | None, float, tuple]:
    """:func:`_decide` of the masses in this order, remembered: many firms' sources add up to
    the same evidence (one template scope with products of one kind)."""
    code, share, candidates = _decide(dict(mass))
    return code, share, tuple(candidates)
