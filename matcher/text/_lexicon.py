"""The industry lexicon: product and activity terms with the GB/T 4754-2017 codes they belong to.

Built from knowledge, not from any sample: the stems of the official category names and the
items of the NBS explanatory notes (``matcher/data/industry_terms.csv``, written by
``tools/build_lexicon.py``), extended by hand with the words registries, sheets and officers use
that the notes lack — abbreviations (PCB, MLCC, IGBT, CDMO), trade names (镁炭砖, 立方氮化硼),
registry wording (五金交电, 日用百货) — in ``matcher/data/industry_terms_manual.csv``. A hand-written
entry replaces the derived codes of the same term.

Matching is leftmost-longest over the text (Aho-Corasick), so 铝合金门窗 is one term, not 铝合金 +
门窗; an ASCII term only matches as a whole word (ABS is not found inside ABSORB).

>>> lex = get_lexicon()
>>> [(h.term, h.codes) for h in lex.hits("镁炭砖、立方氮化硼及PCB")]
[('镁炭砖', ('3089',)), ('立方氮化硼', ('3099',)), ('PCB', ('3982',))]
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from .. import taxonomy

__all__ = ["Lexicon", "TermHit", "get_lexicon"]

#: 门类 of public bodies, social organisations and international bodies: no registered enterprise
#: belongs there, so terms derived from their notes (医学研究 from 专业性团体's 学会) say nothing
#: about a firm (hand-written terms may still name them).
NOT_ENTERPRISES = frozenset({"S", "T"})
#: Weight of a term by the source of its fact.
SOURCE_WEIGHT = {"manual": 1.0, "name": 1.0, "note": 0.9, "strategic": 0.8, "xref": 0.7}
#: A derived term that belongs to more codes than this says nothing specific and is dropped.
MAX_DERIVED_CODES = 4
#: A derived term that occurs in the names and notes of more 小类 than this (国内, 企业, 安全,
#: 管道) is dropped; one that occurs under more than :data:`SPECIFIC_SPREAD` counts half.
MAX_SPREAD = 10
SPECIFIC_SPREAD = 4
#: Derived terms that are too generic to be evidence of an industry.
STOP_TERMS = frozenset(
    {
        "设备",
        "附件",
        "零件",
        "配件",
        "制品",
        "材料",
        "产品",
        "服务",
        "咨询",
        "管理",
        "交流",
        "转让",
        "推广",
        "开发",
        "技术",
        "业务",
        "活动",
        "项目",
        "工程",
        "用品",
        "器材",
        "器具",
        "装置",
        "系统",
        "机械",
        "部件",
        "元件",
        "其他",
        "专用",
        "通用",
        "相关",
        "类似",
        "各种",
        "蒸馏",  # processes used in many industries, not products
        "精馏",
        "提纯",
        "萃取",
        "新型",
        "高端",
        "高性能",
        "特种",
        "普通",
        "一般",
        "综合",
        "中心",
        "信息",
        "销售",
        "批发",
        "零售",
        "代理",
        "进出口",
        "租赁",
        "维修",
        "安装",
        "加工",
        "生产",
        "制造",
        "设计",
        "研发",
        "检测",
        "运输",
        "仓储",
        "配套",
        "成套",
        "组件",
        "模块",
        "原料",
        "辅料",
        "耗材",
        "工具",
        "内容",
        "平台",
        "文化",
        "体育",
        "教育",
        "卫生",
        "医疗",
        "交通",
        "建筑",
        "办公",
        "娱乐",
        "家用",
        "工业",
        "农业",
        "商业",
        "民用",
        "电子",
        "电气",
        "电工",
        "化学",
        "金属",
        "非金属",
        "分别",
        "车站",
        "机场",
        "码头",
        "火车",
        "轮船",
        "宾馆",
        "专业",
    }
)


def _length_weight(term: str) -> float:
    """Short terms are weaker evidence: 2 characters 0.6, 3 characters 0.85, longer 1."""
    n = len(term)
    if term.isascii():
        return 0.9
    return 0.6 if n <= 2 else (0.85 if n == 3 else 1.0)


@dataclass(frozen=True)
class TermHit:
    """One lexicon term found in a text."""

    term: str
    start: int
    end: int
    codes: tuple[str, ...]
    weight: float


def _key(text: str) -> str:
    """Matching form: letters upper-cased, with the length unchanged (offsets stay valid)."""
    upper = text.upper()
    if len(upper) == len(text):
        return upper
    return "".join(c.upper() if c.isascii() else c for c in text)


def _inside_word(key: str, term: str, start: int, end: int) -> bool:
    """An ASCII term found at ``key[start:end + 1]`` inside a longer Latin word (ABS in ABSORB)."""
    return term.isascii() and (
        (start > 0 and key[start - 1].isascii() and key[start - 1].isalnum())
        or (end + 1 < len(key) and key[end + 1].isascii() and key[end + 1].isalnum())
    )


class Lexicon:
    """Terms with their codes and weights, and fast leftmost-longest matching.

    Parameters
    ----------
    entries : iterable of (term, code, source, spread)
        ``source`` is one of :data:`SOURCE_WEIGHT`; codes of any level of GB/T 4754-2017;
        ``spread`` in how many 小类' notes a derived term occurs (0 for hand-written ones). Terms
        are written in Simplified characters (they are matched against normalised text).
    """

    def __init__(self, entries: Iterable[tuple[str, str, str, int]]) -> None:
        import ahocorasick

        tax = taxonomy.get_taxonomy()
        manual: dict[str, list[str]] = {}
        derived: dict[str, dict[str, str]] = {}
        spreads: dict[str, int] = {}
        for raw, code, source, spread in entries:
            term = _key(unicodedata.normalize("NFKC", raw).strip())
            if not term or code not in tax.ids:
                continue
            if source == "manual":
                manual.setdefault(term, [])
                if code not in manual[term]:
                    manual[term].append(code)
            elif (
                len(term) >= 2
                and term not in STOP_TERMS
                and spread <= MAX_SPREAD
                and tax.section(code) not in NOT_ENTERPRISES
            ):
                derived.setdefault(term, {}).setdefault(code, source)
                spreads[term] = spread
        self.codes: dict[str, tuple[str, ...]] = {}
        self.weights: dict[str, float] = {}
        for term, by_code in derived.items():
            by_code = _kept_codes(by_code, tax)
            if term in manual or len(by_code) > MAX_DERIVED_CODES:
                continue
            self.codes[term] = tuple(by_code)
            best = max(SOURCE_WEIGHT[s] for s in by_code.values())
            common = 1.0 if spreads[term] <= SPECIFIC_SPREAD else 0.5
            self.weights[term] = best * _length_weight(term) * common
        for term, listed in manual.items():
            self.codes[term] = tuple(listed)
            self.weights[term] = SOURCE_WEIGHT["manual"] * _length_weight(term)
        self.by_code: dict[str, list[str]] = {}
        for term, codes in self.codes.items():
            for code in codes:
                self.by_code.setdefault(code, []).append(term)
        automaton: Any = ahocorasick.Automaton()
        for term in self.codes:
            automaton.add_word(term, term)
        automaton.make_automaton()
        self._automaton = automaton

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and _key(term) in self.codes

    def __repr__(self) -> str:
        return f"<Lexicon: {len(self.codes)} terms over {len(self.by_code)} codes>"

    def hits(self, text: str) -> list[TermHit]:
        """Terms found in ``text`` (normalised), leftmost-longest and not overlapping."""
        key = _key(text)
        out = []
        for end, term in self._automaton.iter_long(key):
            start = end - len(term) + 1
            if _inside_word(key, term, start, end):
                continue  # an abbreviation inside a longer Latin word
            out.append(TermHit(term, start, end + 1, self.codes[term], self.weights[term]))
        return out

    def terms_in(self, text: str) -> dict[str, str]:
        """Every term that occurs whole in ``text``, overlapping ones included.

        Unlike :meth:`hits` (leftmost-longest, one reading of the text), this lists each term
        found anywhere: 有色金属铸造 yields 有色金属铸造, 有色金属 and 铸造. An ASCII term counts only as
        a whole word.

        Returns
        -------
        dict of str to str
            Matching form of each term (upper-cased letters) → the term as written in ``text``.

        >>> sorted(get_lexicon().terms_in("铝合金门窗"))
        ['铝合金', '铝合金门窗', '门窗']
        """
        key = _key(text)
        found: dict[str, str] = {}
        for end, term in self._automaton.iter(key):
            start = end - len(term) + 1
            if _inside_word(key, term, start, end):
                continue
            found.setdefault(term, text[start : end + 1])
        return found

    def terms_of(self, code: str, *, limit: int | None = None) -> list[str]:
        """Terms of one code, strongest (then shortest) first."""
        terms = sorted(self.by_code.get(code, []), key=lambda t: (-self.weights[t], len(t), t))
        return terms if limit is None else terms[:limit]


def _kept_codes(by_code: dict[str, str], tax: Any) -> dict[str, str]:
    """The codes a derived term keeps (code → source).

    A 门类's name strings its 大类' names together (信息传输、软件和信息技术服务业): when a 大类
    under it has the term in its own name too, the 门类 goes (软件和信息技术 → 65, not I). Then a
    code under another code of the term adds nothing (通用设备: 34 ⊃ 3499).
    """
    kept = {
        c: s
        for c, s in by_code.items()
        if not (
            len(c) == 1
            and s == "name"
            and any(
                s2 == "name" and c2 != c and c in tax.ancestors(c2) for c2, s2 in by_code.items()
            )
        )
    }
    return {c: s for c, s in kept.items() if not any(a in kept for a in tax.ancestors(c)[:-1])}


def _rows(name: str) -> list[dict[str, str]]:
    text = (files("matcher") / "data" / name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines))


@functools.lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    """The bundled lexicon (derived terms plus the hand-written ones), loaded once.

    >>> get_lexicon() is get_lexicon()
    True
    """
    derived = (
        (r["term"], r["code"], r["source"], int(r["spread"])) for r in _rows("industry_terms.csv")
    )
    manual = ((r["term"], r["code"], "manual", 0) for r in _rows("industry_terms_manual.csv"))
    return Lexicon([*derived, *manual])
