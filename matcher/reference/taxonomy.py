"""GB/T 4754-2017 国民经济行业分类 (National Industries Classification).

The four levels of the standard are 门类 (section, a letter ``A``–``T``), 大类 (division, two
digits), 中类 (group, three digits) and 小类 (class, four digits). A code is written canonically as
its digits (``'3252'``, ``'32'``, ``'325'``) or, for a section, as its letter (``'C'``). The 小类
codes added by the 2019 第1号修改单 (e.g. ``'9233'``) are valid too.

The table is bundled as ``matcher/data/gbt4754_2017.csv`` (built by
``tools/build_reference_data.py``) and loaded once by :func:`get_taxonomy`.

Examples
--------
>>> clean_code("C 3252")
'3252'
>>> code_name("3252")
'铝压延加工'
>>> ancestors("3252")
('C', '32', '325', '3252')
>>> split_codes("3252；C32、3311")
['3252', '32', '3311']
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "LEVEL_NAMES",
    "LEVEL_SIMILARITY",
    "Taxonomy",
    "ancestors",
    "children",
    "clean_code",
    "code_level",
    "code_name",
    "code_similarity",
    "get_taxonomy",
    "is_valid_code",
    "parent",
    "section_of",
    "split_codes",
]

#: Similarity of two codes by the deepest level they share (0 = not even the same 门类).
LEVEL_SIMILARITY: dict[int, float] = {0: 0.0, 1: 0.2, 2: 0.6, 3: 0.8, 4: 1.0}

#: Chinese names of the four levels.
LEVEL_NAMES: dict[int, str] = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}

_EXPECTED = (
    "GB/T 4754-2017 行业代码：门类字母（如 C）、2 位大类（如 32）、3 位中类（如 325）"
    "或 4 位小类（如 3252），数字前可带门类字母（如 C3252）"
)
_SEPARATORS = re.compile(r"[\s.\-_/]+")
_CODE_RE = re.compile(r"([A-Z])?(\d*)")
_LIST_SPLIT = re.compile(r"[;；,，、/\s]+")


def _is_missing(raw: object) -> bool:
    if raw is None or raw is pd.NA or raw is pd.NaT:
        return True
    if isinstance(raw, float | np.floating):
        return math.isnan(raw)
    return isinstance(raw, str) and not raw.strip()


def _to_text(raw: object) -> str:
    """Text form of a raw cell; integral numbers are written without a decimal part."""
    if isinstance(raw, bool | np.bool_):
        raise ValueError(f"行业代码 {raw!r} 格式不正确；应为{_EXPECTED}")
    if isinstance(raw, int | np.integer):
        return str(int(raw))
    if isinstance(raw, float | np.floating):
        if not float(raw).is_integer():
            raise ValueError(f"行业代码 {raw!r} 格式不正确；应为{_EXPECTED}")
        return str(int(raw))
    return str(raw)


class Taxonomy:
    """The GB/T 4754-2017 code table with fast look-ups and vectorised code similarity.

    Parameters
    ----------
    rows : sequence of (code, level, name, parent)
        Every code of the standard, parents before children.

    Attributes
    ----------
    codes : tuple of str
        All canonical codes in the standard's order; ``codes[i]`` has integer id ``i``.
    names : dict of str to str
        Official name of every code.
    ids : dict of str to int
        Integer id of every code (its position in ``codes``).

    Examples
    --------
    >>> tax = get_taxonomy()
    >>> tax.level("325"), tax.parent("325"), tax.names["C"]
    (3, '32', '制造业')
    >>> tax.paths(["3252", "32", None]).tolist() == [
    ...     [tax.ids["C"], tax.ids["32"], tax.ids["325"], tax.ids["3252"]],
    ...     [tax.ids["C"], tax.ids["32"], -1, -1],
    ...     [-1, -1, -1, -1],
    ... ]
    True
    """

    def __init__(self, rows: Sequence[tuple[str, int, str, str]]) -> None:
        self.codes: tuple[str, ...] = tuple(r[0] for r in rows)
        self.ids: dict[str, int] = {code: i for i, code in enumerate(self.codes)}
        self.names: dict[str, str] = {r[0]: r[2] for r in rows}
        self._levels: dict[str, int] = {r[0]: int(r[1]) for r in rows}
        # each code's shared levels with every code, read once (see _code_similarity)
        self._shared: dict[str, npt.NDArray[np.int8]] = {}
        self._parents: dict[str, str | None] = {r[0]: (r[3] or None) for r in rows}
        kids: dict[str, list[str]] = {code: [] for code in self.codes}
        for code, par in self._parents.items():
            if par is not None:
                if par not in kids:
                    raise ValueError(f"行业代码表有误：{code} 的上级 {par} 不存在")
                kids[par].append(code)
        self._children = {code: tuple(v) for code, v in kids.items()}
        self._paths: dict[str, tuple[str, ...]] = {}
        for code in self.codes:
            par = self._parents[code]
            self._paths[code] = (*self._paths[par], code) if par is not None else (code,)
        # id path of each code: shape (n_codes + 1, 4); the last row is the "missing" path.
        table = np.full((len(self.codes) + 1, 4), -1, dtype=np.int32)
        for i, code in enumerate(self.codes):
            for j, anc in enumerate(self._paths[code]):
                table[i, j] = self.ids[anc]
        self._id_paths = table
        if np.any(table.max(axis=1)[:-1] != np.arange(len(self.codes))):
            raise ValueError("行业代码表有误：上级代码须排在下级代码之前")

    @classmethod
    def from_csv(cls, text: str) -> Taxonomy:
        """Build from the text of a ``code,level,name,parent`` CSV file."""
        reader = csv.DictReader(text.splitlines())
        rows = [(r["code"], int(r["level"]), r["name"], r["parent"]) for r in reader]
        return cls(rows)

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self.ids

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{LEVEL_NAMES[lv]} {len(self.codes_at_level(lv))}" for lv in range(1, 5)
        )
        return f"<Taxonomy GB/T 4754-2017: {counts}>"

    # -- cleaning ---------------------------------------------------------------------------
    def clean(self, raw: object) -> str | None:
        """Canonical code of ``raw`` (see :func:`clean_code`)."""
        if _is_missing(raw):
            return None
        text = _to_text(raw)
        if text in self.ids:  # fast path: already canonical
            return text
        norm = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).strip().upper())
        if not norm:
            return None
        match = _CODE_RE.fullmatch(norm)
        if match is None or not (match.group(1) or match.group(2)):
            raise ValueError(f"行业代码 {raw!r} 格式不正确；应为{_EXPECTED}")
        letter, digits = match.group(1), match.group(2)
        if digits and len(digits) not in (2, 3, 4):
            raise ValueError(
                f"行业代码 {raw!r} 格式不正确：数字部分应为 2、3 或 4 位；应为{_EXPECTED}"
            )
        code = digits or letter
        if code not in self.ids:
            raise ValueError(
                f"行业代码 {raw!r} 不存在于 GB/T 4754-2017 国民经济行业分类中；应为{_EXPECTED}"
            )
        if letter and digits:
            section = self._paths[code][0]
            if section != letter:
                raise ValueError(
                    f"行业代码 {raw!r} 的门类字母 {letter} 与数字代码 {digits} 不符："
                    f"{digits}（{self.names[digits]}）属于门类 {section}（{self.names[section]}）"
                )
        return code

    def _canonical(self, code: object) -> str:
        if isinstance(code, str) and code in self.ids:  # fast path: already canonical
            return code
        cleaned = self.clean(code)
        if cleaned is None:
            raise ValueError(f"行业代码为空（值：{code!r}）；应为{_EXPECTED}")
        return cleaned

    # -- hierarchy --------------------------------------------------------------------------
    def level(self, code: object) -> int:
        """Level 1..4 (门类, 大类, 中类, 小类) of a code."""
        return self._levels[self._canonical(code)]

    def name(self, code: object) -> str:
        """Official name of a code."""
        return self.names[self._canonical(code)]

    def parent(self, code: object) -> str | None:
        """Code one level up, ``None`` for a 门类."""
        return self._parents[self._canonical(code)]

    def ancestors(self, code: object) -> tuple[str, ...]:
        """Codes from the 门类 down to the code itself."""
        return self._paths[self._canonical(code)]

    def children(self, code: object) -> tuple[str, ...]:
        """Codes one level down (empty for a 小类)."""
        return self._children[self._canonical(code)]

    def section(self, code: object) -> str:
        """门类 letter of a code."""
        return self._paths[self._canonical(code)][0]

    def codes_at_level(self, level: int) -> tuple[str, ...]:
        """All codes of one level (1 门类 … 4 小类), in the standard's order.

        Examples
        --------
        >>> len(get_taxonomy().codes_at_level(1))
        20
        """
        if level not in LEVEL_NAMES:
            raise ValueError(
                f"层级 {level!r} 无效；应为 1（门类）、2（大类）、3（中类）或 4（小类）"
            )
        return tuple(c for c in self.codes if self._levels[c] == level)

    def descendants(self, code: object, level: int = 4) -> tuple[str, ...]:
        """Codes at ``level`` that lie at or below ``code`` (the code itself if at that level)."""
        start = self._canonical(code)
        out: list[str] = []
        stack = [start]
        while stack:
            current = stack.pop()
            if self._levels[current] == level:
                out.append(current)
            elif self._levels[current] < level:
                stack.extend(reversed(self._children[current]))
        return tuple(out)

    # -- vectorised pieces ------------------------------------------------------------------
    def paths(self, codes: Sequence[object] | npt.ArrayLike) -> npt.NDArray[np.int32]:
        """Integer ancestor ids of many codes.

        Parameters
        ----------
        codes : sequence of str or None
            Codes in any form :func:`clean_code` accepts; ``None``, NaN and ``''`` are missing.

        Returns
        -------
        numpy.ndarray of int32, shape (n, 4)
            Column ``j`` holds the id (see ``ids``) of the code's ancestor at level ``j + 1``,
            or -1 where the code is coarser than that level or missing.

        Raises
        ------
        ValueError
            If a code is malformed or not in the standard.

        Examples
        --------
        >>> tax = get_taxonomy()
        >>> p = tax.paths(["C3252", "C", ""])
        >>> [[tax.codes[i] if i >= 0 else None for i in row] for row in p.tolist()]
        [['C', '32', '325', '3252'], ['C', None, None, None], [None, None, None, None]]
        """
        values = np.asarray(codes, dtype=object).ravel()
        if values.size == 0:
            return np.empty((0, 4), dtype=np.int32)
        labels, uniques = pd.factorize(values, use_na_sentinel=True)
        missing_row = len(self.codes)
        rows = np.empty(len(uniques) + 1, dtype=np.intp)
        for k, value in enumerate(uniques):
            cleaned = self.clean(value)
            rows[k] = missing_row if cleaned is None else self.ids[cleaned]
        rows[-1] = missing_row  # label -1 (NA) picks the last entry
        return self._id_paths[rows[labels]]

    def similarity(
        self, ent_paths: npt.NDArray[np.integer[Any]], park_codes: Sequence[object]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int8]]:
        """Best industry similarity of each enterprise to a park's codes.

        For one park code, an enterprise code that lies at or below it (all of the park code's
        levels match) scores 1.0 with shared level = the park code's level; otherwise it scores
        ``LEVEL_SIMILARITY[d]`` where ``d`` is the deepest level both codes share. The best score
        over the park's codes is kept (ties: the deeper shared level).

        Parameters
        ----------
        ent_paths : numpy.ndarray, shape (n, 4)
            Enterprise paths from :meth:`paths`.
        park_codes : sequence of str
            The park's codes (any accepted form; missing entries are ignored).

        Returns
        -------
        similarity : numpy.ndarray of float32, shape (n,)
        shared_level : numpy.ndarray of int8, shape (n,)
            0..4; 0 for missing enterprise codes (similarity 0.0) and for other 门类.

        Examples
        --------
        >>> tax = get_taxonomy()
        >>> ent = tax.paths(["3252", "3251", "3216", "32", "3311", None])
        >>> sim, lvl = tax.similarity(ent, ["C325"])
        >>> [round(float(x), 2) for x in sim], lvl.tolist()
        ([1.0, 1.0, 0.6, 0.6, 0.2, 0.0], [3, 3, 2, 2, 1, 0])
        """
        ent = np.asarray(ent_paths)
        if ent.ndim != 2 or ent.shape[1] != 4:
            raise ValueError(f"ent_paths 的形状应为 (n, 4)，实际为 {ent.shape}")
        sim_table, level_table = self.similarity_tables(park_codes)
        # Parents come before their children in ``codes``, so the deepest id of a path is its
        # largest entry (-1 when the code is missing, which picks the table's last, zero entry).
        leaf = self.leaves(ent)
        return np.take(sim_table, leaf), np.take(level_table, leaf)

    def id_paths(self, ids: npt.ArrayLike) -> npt.NDArray[np.int32]:
        """Ancestor ids (n, 4) of code ids (-1 picks the all-missing path).

        >>> tax = get_taxonomy()
        >>> [tax.codes[i] for i in tax.id_paths([tax.ids["3252"]])[0]]
        ['C', '32', '325', '3252']
        """
        return self._id_paths[np.asarray(ids, dtype=np.intp)]

    def leaves(self, paths: npt.NDArray[np.integer[Any]]) -> npt.NDArray[np.int32]:
        """The id of each path's own code (its deepest entry), -1 where missing.

        Parents come before their children in ``codes``, so the deepest id of a path is its
        largest entry. Index a table from :meth:`similarity_tables` with it (-1 picks the
        table's last, "missing" entry).
        """
        ent = np.asarray(paths)
        leaf = np.maximum(ent[:, 0], ent[:, 1])
        np.maximum(leaf, ent[:, 2], out=leaf)
        np.maximum(leaf, ent[:, 3], out=leaf)
        return leaf.astype(np.int32, copy=False)

    def similarity_tables(
        self, park_codes: Sequence[object]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int8]]:
        """Best similarity and shared level of every code to ``park_codes``.

        Both arrays have one entry per code id plus a last entry (0) for missing codes; a
        fitted index keeps one such row per park, so scoring is a single gather.
        """
        n_codes = len(self.codes)
        best_sim = np.zeros(n_codes + 1, dtype=np.float64)
        best_lvl = np.zeros(n_codes + 1, dtype=np.int8)
        for raw in park_codes:
            code = self.clean(raw)
            if code is None:
                continue
            sim, shared = self._code_similarity(code)
            # the best (similarity, shared level) of every code, which is the same whatever
            # the order of the park's codes
            better = (sim > best_sim[:n_codes]) | (
                (sim == best_sim[:n_codes]) & (shared > best_lvl[:n_codes])
            )
            best_sim[:n_codes] = np.where(better, sim, best_sim[:n_codes])
            best_lvl[:n_codes] = np.where(better, shared, best_lvl[:n_codes])
        return best_sim.astype(np.float32), best_lvl

    def _code_similarity(self, code: str) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int8]]:
        """Similarity and shared level of every code to one canonical ``code``. The shared
        levels are remembered (one byte a code: at most 3.9 MB for the whole table; a fit of
        1,000 parks asks for some 1,500 codes' rows, most of them the same codes)."""
        depth = self._levels[code]
        shared = self._shared.get(code)
        if shared is None:
            path = self._id_paths[self.ids[code]]
            # ids are unique across levels and nested, so a match at level j implies matches
            # above it: the number of matching levels is the deepest shared level.
            table = self._id_paths[: len(self.codes)]
            shared = (table[:, :depth] == path[:depth]).sum(axis=1).astype(np.int8)
            shared.flags.writeable = False
            shared = self._shared.setdefault(code, shared)
        level_sim = np.array([LEVEL_SIMILARITY[d] for d in range(5)], dtype=np.float64)
        return np.where(shared == depth, 1.0, level_sim[shared]), shared


@lru_cache(maxsize=1)
def get_taxonomy() -> Taxonomy:
    """The bundled GB/T 4754-2017 table (loaded once).

    Examples
    --------
    >>> get_taxonomy() is get_taxonomy()
    True
    """
    text = (files("matcher") / "data" / "gbt4754_2017.csv").read_text(encoding="utf-8")
    return Taxonomy.from_csv(text)


def clean_code(raw: object) -> str | None:
    """Canonical form of an industry code.

    Full-width characters are normalised (NFKC), case and spaces are ignored, and the separators
    ``. - _ /`` are removed. The canonical code is the digits when there are any, else the 门类
    letter.

    Parameters
    ----------
    raw : str or None
        E.g. ``'3252'``, ``'C3252'``, ``'c 3252'``, ``'３２５２'``, ``'32'``, ``'C32'``, ``'C'``.

    Returns
    -------
    str or None
        ``None`` for ``None``, NaN and blank strings.

    Raises
    ------
    ValueError
        If the format is wrong, the code is not in the standard, or a letter prefix contradicts
        the digits (e.g. ``'A3252'``).

    Examples
    --------
    >>> clean_code("c 3252"), clean_code("３２５２"), clean_code("C"), clean_code(None)
    ('3252', '3252', 'C', None)
    >>> clean_code("A3252")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 行业代码 'A3252' 的门类字母 A 与数字代码 3252 不符：...属于门类 C（制造业）
    """
    return get_taxonomy().clean(raw)


def is_valid_code(raw: object) -> bool:
    """True when ``raw`` is a code of the standard in an accepted form (missing is not valid).

    Examples
    --------
    >>> is_valid_code("C3252"), is_valid_code("3250"), is_valid_code(None)
    (True, False, False)
    """
    try:
        return clean_code(raw) is not None
    except ValueError:
        return False


def code_level(code: object) -> int:
    """Level of a code: 1 门类, 2 大类, 3 中类, 4 小类.

    Examples
    --------
    >>> code_level("C"), code_level("32"), code_level("325"), code_level("C3252")
    (1, 2, 3, 4)
    """
    return get_taxonomy().level(code)


def code_name(code: object) -> str:
    """Official name of a code.

    Examples
    --------
    >>> code_name("32")
    '有色金属冶炼和压延加工业'
    """
    return get_taxonomy().name(code)


def parent(code: object) -> str | None:
    """Code one level up (``None`` for a 门类).

    Examples
    --------
    >>> parent("3252"), parent("32"), parent("C")
    ('325', 'C', None)
    """
    return get_taxonomy().parent(code)


def ancestors(code: object) -> tuple[str, ...]:
    """Codes from the 门类 down to the code itself.

    Examples
    --------
    >>> ancestors("0190")
    ('A', '01', '019', '0190')
    """
    return get_taxonomy().ancestors(code)


def children(code: object) -> tuple[str, ...]:
    """Codes one level down (empty for a 小类).

    Examples
    --------
    >>> children("325")
    ('3251', '3252', '3253', '3254', '3259')
    """
    return get_taxonomy().children(code)


def section_of(code: object) -> str:
    """门类 letter of a code.

    Examples
    --------
    >>> section_of("6513")
    'I'
    """
    return get_taxonomy().section(code)


def code_similarity(code: object, park_code: object) -> tuple[float, int]:
    """Similarity of one enterprise code to one park code, and their deepest shared level.

    The scalar twin of :meth:`Taxonomy.similarity` (used for reasons of a single pair).

    Examples
    --------
    >>> code_similarity("3252", "32"), code_similarity("3251", "3252"), code_similarity("1432", "3252")
    ((1.0, 2), (0.8, 3), (0.2, 1))
    """
    tax = get_taxonomy()
    a, b = tax.clean(code), tax.clean(park_code)
    if a is None or b is None:
        return 0.0, 0
    pa, pb = tax.ancestors(a), tax.ancestors(b)
    shared = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        shared += 1
    if shared == len(pb):
        return 1.0, shared
    return LEVEL_SIMILARITY[shared], shared


def split_codes(raw: object) -> list[str]:
    """Codes of a list cell, separated by ``; ； , ， 、 /`` or whitespace.

    Each item is cleaned with :func:`clean_code`; repeated codes are kept once, in order.

    Raises
    ------
    ValueError
        Naming the first bad item.

    Examples
    --------
    >>> split_codes("C3252, 3311 / 34")
    ['3252', '3311', '34']
    >>> split_codes(None)
    []
    """
    if _is_missing(raw):
        return []
    text = unicodedata.normalize("NFKC", _to_text(raw))
    items = [item for item in _LIST_SPLIT.split(text) if item]
    out: list[str] = []
    for k, item in enumerate(items, start=1):
        try:
            code = clean_code(item)
        except ValueError as exc:
            raise ValueError(f"代码列表 {raw!r} 的第 {k} 项 {item!r} 无效：{exc}") from exc
        if code is not None and code not in out:
            out.append(code)
    return out
