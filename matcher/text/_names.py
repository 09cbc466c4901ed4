"""Reading an enterprise name: 行政区划 + 字号 + 行业表述 + 组织形式.

By the naming rules of registered enterprises, a name is a place, a brand (字号), an industry
expression (行业表述) and a legal form: ``河南省 + 永鼎 + 耐火材料 + 有限公司``. The industry
expression is evidence of what the firm does; the brand is not (稀土火锅 is a hotpot restaurant,
华芯餐饮 a caterer). :func:`parse_name` splits a name so that only the industry expression is
used; a branch (``…公司标准件批发部``) is read as its own unit.

>>> p = parse_name("包头市稀土火锅店")
>>> p.region, p.brand, p.industry, p.form
('包头市', '稀土', '火锅', '店')
>>> parse_name("昆山鑫达精密模具有限公司").industry
'精密模具'
>>> parse_name("深圳市华芯新材料贸易有限公司").activity
'trade'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ._lexicon import get_lexicon
from ._normalize import normalize_text

__all__ = ["NameParts", "parse_name"]

#: Unit words without an activity of their own (营业部, 中心 …): kept as the unit of a form.
_UNITS = frozenset({"营业部", "办事处", "中心", "合作社", "支局", "所", "站", "社", "场"})
#: Legal forms and unit words at the end of a name, longest first, with the activity they imply.
FORMS: tuple[tuple[str, str | None], ...] = tuple(
    sorted(
        (
            ("股份有限公司", None),
            ("有限责任公司", None),
            ("集团有限公司", None),
            ("集团股份有限公司", None),
            ("有限公司", None),
            ("集团公司", None),
            ("总公司", None),
            ("分公司", None),
            ("子公司", None),
            ("公司", None),
            ("集团", None),
            ("有限合伙", None),
            ("普通合伙", None),
            ("合伙企业", None),
            ("个人独资企业", None),
            ("股份合作公司", None),
            ("联营公司", None),
            ("企业", None),
            ("连锁", None),
            ("总厂", "make"),
            ("分厂", "make"),
            ("厂", "make"),
            ("工厂", "make"),
            ("作坊", "make"),
            ("车间", "make"),
            ("商行", "trade"),
            ("经营部", "trade"),
            ("门市部", "trade"),
            ("批发部", "trade"),
            ("销售部", "trade"),
            ("商店", "trade"),
            ("商场", "trade"),
            ("超市", "trade"),
            ("店", "trade"),
            ("门市", "trade"),
            ("经销处", "trade"),
            ("代销点", "trade"),
            ("销售点", "trade"),
            ("供应站", "trade"),
            ("营业部", None),
            ("营业厅", None),
            ("营业所", None),
            ("营业点", None),
            ("办事处", None),
            ("中心", None),
            ("工作室", "service"),
            ("事务所", "service"),
            ("研究所", "rnd"),
            ("研究院", "rnd"),
            ("设计院", "service"),
            ("合作社", None),
            ("专业合作社", "agriculture"),
            ("农场", "agriculture"),
            ("养殖场", "agriculture"),
            ("大药房", "trade"),
            ("药房", "trade"),
            ("药店", "trade"),
            ("药堂", "trade"),
            ("林场", "agriculture"),
            ("牧场", "agriculture"),
            ("加油站", "trade"),
            ("酒店", "catering"),
            ("宾馆", "catering"),
            ("饭店", "catering"),
            ("酒楼", "catering"),
            ("餐厅", "catering"),
            ("支行", "finance"),
            ("分行", "finance"),
            ("分理处", "finance"),
            ("支局", None),
            ("所", None),
            ("站", None),
            ("社", None),
            ("场", None),
        ),
        key=lambda f: -len(f[0]),
    )
)
#: Forms that also name the industry: a 加油站 retails fuel whatever its brand.
FORM_CODES = {
    "加油站": "5265",
    "大药房": "5251",
    "药房": "5251",
    "药店": "5251",
    "药堂": "5251",
    "超市": "5212",
    "酒店": "6110",
    "宾馆": "6110",
    "饭店": "6210",
    "酒楼": "6210",
    "餐厅": "6210",
    "支行": "6621",
    "分行": "6621",
    "分理处": "6621",
    "农场": "01",
    "养殖场": "03",
    "林场": "02",
    "牧场": "03",
    "研究所": "73",
    "研究院": "73",
    "设计院": "7484",
    "事务所": "72",
}
#: Forms of a branch that serves customers of its parent's business at one place.
OUTLETS = ("营业部", "营业厅", "营业所", "营业点", "支局", "分局", "服务网点")
#: Forms of shops: what they sell, they sell by retail.
RETAIL_FORMS = (
    "店",
    "商店",
    "超市",
    "门市部",
    "门市",
    "代销点",
    "销售点",
    "药房",
    "大药房",
    "药店",
    "药堂",
    "加油站",
    "商场",
)
#: Industry words of names that name no single code but say what kind of firm it is.
NAME_WORDS: dict[str, str | None] = {
    "科技": "rnd",
    "技术": "rnd",
    "高新技术": "rnd",
    "生物科技": "rnd",
    "电子科技": "rnd",
    "智能科技": "rnd",
    "信息科技": "software",
    "网络科技": "software",
    "信息技术": "software",
    "软件": "software",
    "数据": "software",
    "网络": "software",
    "信息": "software",
    "实业": None,
    "发展": None,
    "工贸": None,
    "产业": None,
    "工业": "make",
    "制品": "make",
    "制造": "make",
    "制造业": "make",
    "新材料": None,
    "材料": None,
    "精密": "make",
    "贸易": "trade",
    "商贸": "trade",
    "经贸": "trade",
    "国际贸易": "trade",
    "进出口": "trade",
    "商业": "trade",
    "供销": "trade",
    "百货": "trade",
    "贸": "trade",
    "商务": "service",
    "物流": "transport",
    "维修": "repair_install",
    "修理": "repair_install",
    "再制造": "repair_install",
    "安装": "repair_install",
    "租赁": "service",
    "运输": "transport",
    "货运": "transport",
    "供应链": "transport",
    "快递": "transport",
    "仓储": "transport",
    "餐饮": "catering",
    "餐饮管理": "catering",
    "投资": "finance",
    "控股": "finance",
    "资本": "finance",
    "资产管理": "finance",
    "置业": "realestate",
    "地产": "realestate",
    "房地产": "realestate",
    "物业": "realestate",
    "建设": "construction",
    "建筑": "construction",
    "工程": "construction",
    "装饰": "construction",
    "建工": "construction",
    "农业": "agriculture",
    "养殖": "agriculture",
    "种植": "agriculture",
    "果业": "agriculture",
    "种养": "agriculture",
    "农牧": "agriculture",
    "生态农业": "agriculture",
    "咨询": "service",
    "管理": "service",
    "服务": "service",
    "文化": "service",
    "传媒": "service",
    "广告": "service",
    "设计": "service",
    "开发": None,
    "能源": None,
    "新能源": None,
    "环保": None,
    "智能": None,
    "国际": None,
    "控股集团": "finance",
    "电子商务": "trade",
    "机械": "make",
    "电子": None,
    "电器": None,
    "电气": None,
    "机电": None,
    "化工": None,
    "五金": None,
    "物资": "trade",
    "五交化": "trade",
    "交化": "trade",
    "连锁": "trade",
    "农资": "trade",
    "文化传播": "service",
    "传播": "service",
    "线缆": None,
    "电讯": None,
    "塑胶": None,
    "时装": None,
    "服饰": None,
    "织造": "make",
    "纺织": None,
    "食品": None,
    "生物": None,
    "医药": None,
    "药业": None,
    "制药": "make",
}
#: ``X业`` (酒业, 茶业, 铝业, 纸业 …) is the industry word X.
_TRADE_SUFFIX = "业"
_BRACKET = re.compile(r"[（(]([^（）()]*)[）)]")
_BRANCH = re.compile(r"^(.*?(?:公司|厂|集团))([^公厂]{2,}?)$")
#: Leading words that are not a place but stand where one does.
_NATIONAL = ("中国", "中华", "国际", "全国")
assert all(len(word) == 2 for word in _NATIONAL)  # what _strip_region's first check relies on
#: The longest place name stripped from the start of a name.
_PLACE_LONGEST = 10
#: The longest industry word read from the end of a name (:func:`_industry_words`).
_WORD_LONGEST = 8
#: The longest end of a 行业表述 looked up for the activity it implies (:func:`_head_activity`).
_HEAD_LONGEST = 6


@dataclass(frozen=True)
class NameParts:
    """The parts of an enterprise name and the activity its industry words and form imply."""

    name: str
    region: str
    brand: str
    industry: str
    form: str
    activity: str | None = None
    parent_industry: str = ""

    @property
    def form_code(self) -> str | None:
        """The code a form names by itself (加油站 → 5265), None for most forms."""
        return _form_code(self.form)

    @property
    def retail(self) -> bool:
        """True for shops (…店, …门市部, …超市): what they sell, they sell by retail."""
        return _retail(self.form)


#: Forms that say only how a firm is organised (公司, 合伙, 连锁), not what kind of unit it is.
_LEGAL = re.compile(
    "(" + "|".join(re.escape(f) for f, a in FORMS if a is None and f not in _UNITS) + ")$"
)


def _unit(form: str) -> str:
    """The unit word of a form without its legal words (大药房连锁有限公司 → 大药房)."""
    while True:
        match = _LEGAL.search(form)
        if match is None or match.start() == 0:
            return form
        form = form[: match.start()]


@functools.lru_cache(maxsize=1024)
def _form_code(form: str) -> str | None:
    unit = _unit(form)
    for end, code in FORM_CODES.items():
        if unit.endswith(end):
            return code
    return None


@functools.lru_cache(maxsize=1024)
def _retail(form: str) -> bool:
    match = _FORM_END.search(_unit(form))  # the longest form word the unit ends with
    if match is None or _FORM_ACTIVITY[match.group(1)] != "trade":
        return False  # a 酒店 is no shop
    return any(match.group(1).endswith(f) for f in RETAIL_FORMS)


@functools.lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    from ..geo import get_gazetteer

    return get_gazetteer().place_names()


_FORM_ACTIVITY = dict(FORMS)
_FORM_END = re.compile("(" + "|".join(re.escape(f) for f, _ in FORMS) + ")$")


def _suffix_sizes(words: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """The lengths of ``words`` by their last character, longest first: what ends a text can be
    one of them only at those lengths."""
    sizes: dict[str, set[int]] = {}
    for word in words:
        if word:
            sizes.setdefault(word[-1], set()).add(len(word))
    return {k: tuple(sorted(v, reverse=True)) for k, v in sizes.items()}


#: The forms' lengths by their last character (公司 → 8, 6, 5 …, 2): :func:`_strip_form` tries
#: only those, longest first, which is what ``_FORM_END`` finds (the longest form that ends
#: the text).
_FORM_SIZES = _suffix_sizes(f for f, _ in FORMS)


def _strip_form(text: str) -> tuple[str, str, str | None]:
    """Strip legal forms and unit words from the end (集团有限公司, 厂有限公司 …)."""
    form_parts: list[str] = []
    activity: str | None = None
    while True:
        # the longest form that ends the text (as ``_FORM_END.search`` finds it)
        for size in _FORM_SIZES.get(text[-1:], ()):
            form = text[-size:]
            if form in _FORM_ACTIVITY:
                break
        else:
            break
        if len(text) <= len(form) + 1:
            break
        text = text[: -len(form)]
        form_parts.append(form)
        activity = activity or _FORM_ACTIVITY[form]
    form_parts.reverse()
    return text, "".join(form_parts), activity


@functools.lru_cache(maxsize=1)
def _place_lengths() -> dict[str, tuple[int, ...]]:
    """The lengths of the place names (up to :data:`_PLACE_LONGEST` characters) that begin with
    each pair of characters, longest first: a name's place prefix is looked up only at those
    lengths."""
    lengths: dict[str, set[int]] = {}
    for place in _places():
        if 2 <= len(place) <= _PLACE_LONGEST:
            lengths.setdefault(place[:2], set()).add(len(place))
    return {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}


def _strip_region(text: str) -> tuple[str, str]:
    """Strip national words and the longest place names (each leaving at least two
    characters) from the start."""
    places = _places()
    lengths = _place_lengths()
    region = ""
    changed = True
    while changed:
        changed = False
        if text[:2] in _NATIONAL:  # each national word has two characters: none starts here else
            for word in _NATIONAL:
                if text.startswith(word) and len(text) > len(word) + 2:
                    region += word
                    text = text[len(word) :]
                    changed = True
        limit = min(_PLACE_LONGEST, len(text) - 2)
        for size in lengths.get(text[:2], ()):
            if size <= limit and text[:size] in places:
                region += text[:size]
                text = text[size:]
                changed = True
                break
    return text, region


@functools.lru_cache(maxsize=100_000)
def _is_industry_word(piece: str) -> bool:
    lexicon = get_lexicon()
    if piece in NAME_WORDS or (len(piece) >= 2 and piece in lexicon):
        return True
    stem = piece[:-1]
    return piece.endswith(_TRADE_SUFFIX) and bool(stem) and (stem in lexicon or stem in NAME_WORDS)


@functools.lru_cache(maxsize=1)
def _word_sizes() -> dict[str, tuple[int, ...]]:
    """The lengths an industry word (:func:`_is_industry_word`) can have by its last character,
    longest first (a superset: a length listed may still be no word). The lexicon's terms are
    kept in their matching form (:func:`_key`: letters upper-cased); see :func:`_sizes_at`."""
    words = [*NAME_WORDS, *get_lexicon().codes]
    sizes = _suffix_sizes(words)
    # X业 is the industry word X: any length from 2 to one more than the longest word
    sizes[_TRADE_SUFFIX] = tuple(range(max(map(len, words), default=1) + 1, 1, -1))
    return sizes


def _sizes_at(sizes: dict[str, tuple[int, ...]], char: str) -> tuple[int, ...]:
    """The lengths of :func:`_word_sizes` for a text ending with ``char``, in either case."""
    upper = char.upper()
    if upper == char:
        return sizes.get(char, ())
    both = {*sizes.get(char, ()), *sizes.get(upper, ())}
    return tuple(sorted(both, reverse=True))


def _industry_words(rest: str, min_brand: int) -> tuple[int, tuple[str, ...]]:
    """Industry words at the end of ``rest``, longest first from the end, leaving at least
    ``min_brand`` characters: where they begin, and the words in order."""
    words: list[str] = []
    end = len(rest)
    sizes = _word_sizes()
    while end > min_brand:
        top = min(_WORD_LONGEST, end - min_brand)
        # the longest word ending here, tried only at the lengths a word ending so can have (a
        # Chinese character has no case)
        char = rest[end - 1]
        lengths = sizes.get(char, ()) if "\u4e00" <= char <= "\u9fff" else _sizes_at(sizes, char)
        for size in lengths:
            if size <= top and _is_industry_word(rest[end - size : end]):
                words.append(rest[end - size : end])
                end -= size
                break
        else:
            break
    return end, tuple(reversed(words))


def _industry_suffix(rest: str, min_brand: int = 2) -> tuple[str, str]:
    """Split what follows the place into brand and industry words (the brand keeps
    ``min_brand`` characters: a registered name always has a 字号)."""
    end, _ = _industry_words(rest, min_brand)
    return rest[:end], rest[end:]


@functools.lru_cache(maxsize=50_000)
def industry_pieces(industry: str) -> tuple[str, ...]:
    """The industry words of a 行业表述, in order: 塑料五金 → (塑料, 五金), two lines of
    business named side by side; 铝合金车轮 stays one word."""
    end, words = _industry_words(industry, 0)
    return words if end == 0 else (industry,)  # not all words: read as written


#: The industry words of names that imply an activity, with it.
_ACTIVE_WORDS = {word: activity for word, activity in NAME_WORDS.items() if activity is not None}


@functools.lru_cache(maxsize=50_000)
def _head_activity(industry: str) -> str | None:
    """The activity the last industry word of a 行业表述 implies (remembered: many names share
    their 行业表述)."""
    get = _ACTIVE_WORDS.get
    for size in range(min(_HEAD_LONGEST, len(industry)), 0, -1):
        activity = get(industry[-size:])
        if activity is not None:
            return activity
    return None


#: The fields of a :class:`NameParts` in their order (name, region, brand, industry, form,
#: activity, parent_industry): what :func:`name_fields` gives without making the object.
NameFields = tuple[str, str, str, str, str, str | None, str]


@functools.lru_cache(maxsize=200_000)
def _parse(name: str) -> NameParts:
    return NameParts(*name_fields(name))


def name_fields(name: str) -> NameFields:
    """The fields of :func:`_parse`'s parts of a normalised name, as a tuple in
    :class:`NameParts`' order (uncached; no object made: a fit reads hundreds of thousands of
    names once each)."""
    region = ""
    text = name
    if "(" in name or "（" in name:
        for inner in _BRACKET.findall(name):
            if inner in _places():
                region += inner
        text = _BRACKET.sub("", name)
    text = text.strip()
    parent: NameParts | None = None
    # a branch's parent ends with 公司, 厂 or 集团 and its own part has two characters or more:
    # without such a word before the last two characters, the pattern cannot match
    head = text[:-2]
    branch = _BRANCH.match(text) if "公司" in head or "厂" in head or "集团" in head else None
    if branch and _strip_form(branch.group(2))[1]:
        parent = _parse(branch.group(1))
        text = branch.group(2)
    text, form, form_activity = _strip_form(text)
    text, place = _strip_region(text)
    region = place + region
    # a branch unit (…公司标准件批发部) needs no brand of its own
    end, _ = _industry_words(text, 0 if parent else 2)  # _industry_suffix, without its call
    brand, industry = text[:end], text[end:]
    if parent is not None and parent.industry and _unit(form).endswith(OUTLETS):
        # an outlet (营业部, 营业厅, 支局) sells its parent's services; its own words name the
        # place it serves (中国电信…嘉鱼高铁营业部: 高铁 is the station, not the industry)
        brand, industry = text, ""
    activity = _head_activity(industry) or form_activity
    if parent is not None:
        region = region or parent.region
        activity = activity or parent.activity
        return name, region, brand, industry, form, activity, parent.industry
    return name, region, brand, industry, form, activity, ""


def parse_name(name: object) -> NameParts:
    """Split an enterprise name into place, brand, industry words and legal form.

    Parameters
    ----------
    name : str
        The registered name (any script, full-width or not).

    Returns
    -------
    NameParts
        ``industry`` is the 行业表述 (empty when the name has none); ``activity`` is what its
        head word or the form implies (``trade`` for …贸易有限公司 or …经营部, ``make`` for …厂),
        None when they say nothing.

    Examples
    --------
    >>> parse_name("自贡市万里汽车配件公司标准件批发部").industry
    '标准件'
    >>> parse_name("自贡市万里汽车配件公司标准件批发部").activity
    'trade'
    >>> parse_name(None).industry
    ''
    """
    text = normalize_text(name)
    if text is None:
        return NameParts("", "", "", "", "")
    return _parse(text.replace(" ", ""))
