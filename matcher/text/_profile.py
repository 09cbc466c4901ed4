"""What the text says about an enterprise or a park, in the form the index needs.

An enterprise's text becomes weighted *segments*: each scope clause's objects (verbs and registry
padding removed) with the clause's position weight, in the activity *group* of the clause
(production, digital, commerce, services); 主营产品 as a strong production segment; the name's
行业表述 as a weaker one. The text family compares each group with what the park wants (a
manufacturing park wants what firms make, a logistics park what they move and sell), so a firm
that only sells 铝材 does not match an aluminium-processing park on the word 铝材.

A park's positioning loses its refusal clauses (``电镀等重污染工序不得入园``), whose objects become
refused industries, and its stock phrases (园区、重点发展 …).

>>> p = enterprise_profile("铝型材制造；铝型材销售；道路货物运输", None, "巩义市华达铝型材有限公司")
>>> [(t, round(w, 2), GROUPS[g]) for t, w, g in p.segments]
[('铝型材', 1.0, 'production'), ('铝型材', 0.67, 'commerce'), ('道路货物', 0.5, 'services'), ('铝型材', 0.5, 'production')]
>>> pos = parse_positioning("重点发展铝型材。园区不再承接电解铝新增产能，电镀等重污染工序不得入园，"
...                         "单纯贸易类企业不予入驻。屠宰项目须在定点屠宰区建设，不在本园区安排。")
>>> pos.refused, pos.refuse_trade
(('电解铝', '电镀', '屠宰'), True)
"""

from __future__ import annotations

import functools
import gc
import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._inference import (
    Inference,
    _combined,
    _infer,
    _name_sources,
    _parts,
    _products_part,
    _scope_facts,
    _scope_of,
    _split_products,
)
from ._lexicon import get_lexicon
from ._name_kernel import fields_of_names
from ._names import NameFields, NameParts, _form_code, _retail, name_fields
from ._names import _parse as _parse_name
from ._normalize import normalize_text
from ._scope import _clean
from ._vocabulary import expand

__all__ = [
    "ACTIVITY_GROUP",
    "GROUPS",
    "KeyReader",
    "ParkPositioning",
    "Profile",
    "Readings",
    "enterprise_profile",
    "first_seen",
    "load_compiled_names",
    "parse_positioning",
    "readings_of",
]

#: Activity groups of the text family's column blocks.
GROUPS = ("production", "digital", "commerce", "services")
ACTIVITY_GROUP = {
    "make": 0,
    "rnd": 0,
    "agriculture": 0,
    "software": 1,
    "trade": 2,
    "repair_install": 3,
    "service": 3,
    "transport": 3,
    "catering": 3,
    "finance": 3,
    "construction": 3,
    "realestate": 3,
}
#: Weights of the 主营产品 column and of the name's 行业表述 in the text.
PRODUCTS_TEXT_WEIGHT = 1.2
NAME_TEXT_WEIGHT = 0.5


@dataclass(frozen=True)
class Profile:
    """The text of one enterprise: weighted segments, clause texts and the industry inference."""

    segments: tuple[tuple[str, float, int], ...]
    clauses: tuple[str, ...]
    inference: Inference

    @property
    def document(self) -> str:
        """The clauses as one text (for reasons): ``；`` between clauses."""
        return "；".join(self.clauses)


@functools.lru_cache(maxsize=200_000)
def _scope_segments(
    scope_text: str | None,
) -> tuple[tuple[tuple[str, float, int], ...], tuple[str, ...]]:
    parsed = _scope_of(scope_text)
    segments: list[tuple[str, float, int]] = []
    clauses: list[str] = []
    for clause in parsed.clauses:
        text = expand(" ".join(clause.objects))
        clauses.append(clause.text)
        if clause.activity == "unspecified":
            segments.append((text, clause.weight * 0.5, ACTIVITY_GROUP["make"]))
            segments.append((text, clause.weight * 0.5, ACTIVITY_GROUP["trade"]))
        else:
            segments.append((text, clause.weight, ACTIVITY_GROUP[clause.activity]))
    return tuple(segments), tuple(clauses)


@functools.lru_cache(maxsize=200_000)
def _product_segment(products: str, trader: bool) -> tuple[str, float, int, str] | None:
    objects = _split_products(products)
    if not objects:
        return None
    group = ACTIVITY_GROUP["trade" if trader else "make"]
    text = expand(" ".join(objects))
    return text, PRODUCTS_TEXT_WEIGHT, group, "主营产品：" + "、".join(objects)


@functools.lru_cache(maxsize=50_000)
def _name_segment(industry: str, activity: str) -> tuple[str, float, int] | None:
    if not industry or not get_lexicon().hits(industry):  # product words, not 科技/贸易
        return None
    group = ACTIVITY_GROUP.get(activity, ACTIVITY_GROUP["make"])
    return expand(industry), NAME_TEXT_WEIGHT, group


def _profile(scope: str | None, products: str | None, name: str | None) -> Profile:
    """The profile of normalised texts (each source's part cached on its own)."""
    return _profile_of(*_reading_key(scope, products, name))


_NO_NAME = NameParts("", "", "", "", "")

#: What a profile reads: scope, products, and the name's 行业表述, parent's, activity and form.
_Reading = tuple[str | None, str | None, str, str, str | None, str]


def _reading_key(
    scope: str | None,
    products: str | None,
    name: str | None,
    parse: Callable[[str], NameParts] = _parse_name,
) -> _Reading:
    """What a profile reads of normalised texts: the scope, the products and of the name only its
    行业表述, its parent's, its activity and its form (the name read by ``parse``)."""
    return _reading_of(scope, products, parse(name) if name else _NO_NAME)


def _reading_of(scope: str | None, products: str | None, parts: NameParts) -> _Reading:
    """:func:`_reading_key` of a name already read into ``parts``."""
    return scope, products, parts.industry, parts.parent_industry, parts.activity, parts.form


def _name_parser() -> Callable[[str], NameParts]:
    """Names read for one call of many keys: nearly all different, they are remembered here
    rather than through the cache of 200,000 names that ``_parse_name`` keeps."""
    names: dict[str, NameParts] = {}

    def parse(name: str) -> NameParts:
        parts = names.get(name)
        if parts is None:
            parts = names[name] = _parse_name.__wrapped__(name)
        return parts

    return parse


_NO_FIELDS: NameFields = ("", "", "", "", "", None, "")


@functools.lru_cache(maxsize=200_000)
def _profile_of(
    scope: str | None,
    products: str | None,
    industry_words: str,
    parent_industry: str,
    name_activity: str | None,
    form: str,
) -> Profile:
    """The profile given what it reads of the name (its 行业表述, activity and form): firms that
    share a scope, products and name reading share one profile (个体户 of one template scope)."""
    return _read((scope, products, industry_words, parent_industry, name_activity, form), True)


def _read(reading: _Reading, evidence: bool) -> Profile:
    """:func:`_profile_of` of a reading, uncached; ``evidence=False`` leaves the inference's
    evidence empty."""
    scope, products, industry_words, parent_industry, name_activity, form = reading
    parts = NameParts("", "", "", industry_words, form, name_activity, parent_industry)
    inference = _infer(scope, products, parts, evidence=evidence)
    segments, clauses = _scope_segments(scope)
    segs = list(segments)
    shown = list(clauses)
    main, makes, _, _ = _scope_facts(scope)  # the scope's main activity, whether it makes
    if products:
        product = _product_segment(products, main == "trade" and not makes)
        if product is not None:
            segs.append(product[:3])
            shown.append(product[3])
    industry = parts.industry or parts.parent_industry
    if industry:
        name_seg = _name_segment(industry, parts.activity or main or "make")
        if name_seg is not None:
            segs.append(name_seg)
    return Profile(tuple(segs), tuple(shown), inference)


def enterprise_profile(
    scope: object, products: object, name: object, *, normalised: bool = False
) -> Profile:
    """The text profile of one enterprise (see the module docstring).

    ``normalised=True`` skips normalising texts that a validated table already normalised.
    """
    return _profile(*_texts(scope, products, name, normalised=normalised))


def _texts(
    scope: object, products: object, name: object, *, normalised: bool
) -> tuple[str | None, str | None, str | None]:
    """The three texts normalised (or only checked, when ``normalised``: a text of spaces only
    is none, as normalising makes it), spaces out of names: what :meth:`KeyReader.read_keys`
    makes of each column's distinct values."""
    if normalised:
        return _scope_text(scope), _scope_text(products), _name_text(name)
    return normalize_text(scope), normalize_text(products), _normalised_name(name)


def profiles_of(
    keys: Iterable[tuple[object, object, object]],
    *,
    normalised: bool = False,
    evidence: bool = True,
) -> list[Profile]:
    """The profiles of many (scope, products, name) at once.

    The garbage collector pauses meanwhile: reading a million texts creates tens of millions of
    small objects that hold no reference cycles, and tracing them again at every collection cost
    up to half of a large fit.

    ``evidence=False`` (what an index keeps): the inferences' ``evidence`` is left empty, and
    keys that read the same (one scope and products, names with the same 行业表述) share one
    profile found in a dictionary of this call rather than in the cache of
    :func:`enterprise_profile`, which keeps profiles with their evidence.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        if evidence:
            return [enterprise_profile(*key, normalised=normalised) for key in keys]
        read: dict[_Reading, Profile] = {}
        parse = _name_parser()
        out = []
        for key in keys:
            reading = _reading_key(*_texts(*key, normalised=normalised), parse)
            profile = read.get(reading)
            if profile is None:
                profile = read[reading] = _read(reading, False)
            out.append(profile)
        return out
    finally:
        if paused:
            gc.enable()


@dataclass
class Readings:
    """What :func:`profiles_of` (``evidence=False``) says of many keys, by ids instead of a
    profile each (what an index keeps of them).

    Key ``k``'s segments are those of piece ``key_pieces[3k]`` (its scope's), then of piece
    ``key_pieces[3k + 1]`` (its products') and ``key_pieces[3k + 2]`` (its name's), -1 standing
    for none; piece ``p``'s segments are ``piece_start[p] <= j < piece_start[p] + piece_length[p]``
    with text ``texts[piece_text[j]]``, weight ``piece_weight[j]`` and group ``piece_group[j]``.
    Key ``k``'s document is ``documents[k]`` and its inference ``inferences[key_inference[k]]``
    (without evidence; keys that infer the same share one), whose fields but the evidence are
    ``values[key_inference[k]]`` (code, confidence, raw code, activity, make share, candidates,
    raw confidence: what an index keeps, without an object per inference).
    """

    texts: list[str]
    piece_text: np.ndarray  # int64
    piece_weight: np.ndarray  # float64 (the profile's floats)
    piece_group: np.ndarray  # int64
    piece_start: np.ndarray  # int64
    piece_length: np.ndarray  # int64
    key_pieces: np.ndarray  # int64 (keys, 3)
    documents: list[str]
    values: list[tuple]
    key_inference: np.ndarray  # int64
    #: each of ``values``' id in its reader's life: equal ids, equal values, in any call
    value_ids: np.ndarray  # int64

    @functools.cached_property
    def inferences(self) -> list[Inference]:
        """The inferences of ``values`` (made when first asked for)."""
        return [
            Inference(code, conf, raw_code, activity, make, candidates, (), raw)
            for code, conf, raw_code, activity, make, candidates, raw in self.values
        ]


#: How many scopes, product lists, names and scope-and-name readings a :class:`KeyReader`
#: remembers before it starts afresh (generated rows share a few thousand scopes and some tens
#: of thousands of scope-and-name readings; a registry's rows all differ).
READER_LIMIT = 200_000


#: How many combinations of the sources' parts a :class:`KeyReader` remembers before it forgets
#: them (about 280,000 at 1,000,000 generated rows, about 0.1 GB).
COMBINED_LIMIT = 500_000


def first_seen(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``codes`` (integers) in the order they are first seen: where each
    is first seen, and each code's distinct value (0, 1, … in that order).

    By hashing (:func:`pandas.factorize` numbers values in the order it first sees them) rather
    than sorting: 5-9× faster than ``np.unique`` on a chunk's codes. A value is seen first where
    the running maximum of the numbers grows."""
    numbers, _ = pd.factorize(np.asarray(codes).reshape(-1))
    numbers = numbers.astype(np.int64, copy=False)
    if not len(numbers):
        return np.zeros(0, dtype=np.int64), numbers
    top = np.maximum.accumulate(numbers)
    grows = np.empty(len(top), dtype=bool)
    grows[0] = True
    np.greater(top[1:], top[:-1], out=grows[1:])
    return np.flatnonzero(grows), numbers


def _first_seen_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`first_seen` of the rows of a 2-d integer array: its columns numbered one after
    the other (a pair of numbers below ``len(rows)`` each is one integer below its square)."""
    rows = np.asarray(rows, dtype=np.int64)
    n = len(rows)
    if rows.ndim != 2 or not rows.shape[1] or not n:
        return first_seen(np.zeros(n, dtype=np.int64))
    numbers = first_seen(rows[:, 0])[1]
    for j in range(1, rows.shape[1]):
        numbers = first_seen(numbers * n + first_seen(rows[:, j])[1])[1]
    return first_seen(numbers)


def _scope_text(value: object) -> str | None:
    """A scope or products text a validated table normalised, checked (:func:`_texts`)."""
    return value if isinstance(value, str) and value.strip() else None


def _name_text(value: object) -> str | None:
    """A name a validated table normalised, checked, spaces out (:func:`_texts`)."""
    return value.replace(" ", "") if isinstance(value, str) and value.strip() else None


def _normalised_name(value: object) -> str | None:
    """A name normalised, spaces out (:func:`_texts`)."""
    text = normalize_text(value)
    return None if text is None else text.replace(" ", "")


#: Names from which a call reads them in numba's compiled loop (:mod:`._name_kernel`): fewer
#: are read by :func:`name_fields` one by one (loading the compiled loop from numba's cache
#: takes longer than reading a few hundred names).
COMPILED_NAMES = 2_000


def _fields_of(names: list[str | None]) -> list[NameFields]:
    """:func:`name_fields` of each name (:data:`_NO_FIELDS` for none), compiled from
    :data:`COMPILED_NAMES` names (the same fields)."""
    if len(names) < COMPILED_NAMES:
        return [name_fields(name) if name else _NO_FIELDS for name in names]
    present = [k for k, name in enumerate(names) if name]
    given = [name for name in names if name]
    fields = [_NO_FIELDS] * len(names)
    for k, got in zip(present, fields_of_names(given), strict=True):
        fields[k] = got
    return fields


def load_compiled_names(names: int) -> None:
    """Load the compiled name loop and its tables now if a call of ``names`` names would use
    them (a process about to fork workers that make such calls: they inherit them)."""
    if names >= COMPILED_NAMES:
        fields_of_names(["华达铝业有限公司"])


def _key_columns(keys: Iterable[tuple[object, object, object]]) -> list[np.ndarray]:
    """The scopes, products and names of ``keys``, as three object arrays."""
    rows = keys if isinstance(keys, list | tuple | np.ndarray) else list(keys)
    columns = [np.empty(len(rows), dtype=object) for _ in range(3)]
    if len(rows):
        for column, values in zip(columns, zip(*rows, strict=True), strict=True):
            column[:] = values
    return columns


def _column_ids(
    column: np.ndarray, text_of: Callable[[object], str | None]
) -> tuple[np.ndarray, list[str | None]]:
    """Each value's id among the distinct texts ``text_of`` makes of ``column``'s values (ids
    0, 1, … in the order the texts are first seen), and those texts in that order: what a
    ``dict.setdefault`` per value gives, with ``text_of`` called once per distinct string.

    Strings are told apart by pandas' hash table; missing values each get their own text. A
    column holding anything else (numbers: ``1 == 1.0 == True`` in a hash table, not in
    ``str``) takes every value's text first."""
    if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(column)
        texts = [text_of(u) for u in uniques.tolist()]
        missing = np.flatnonzero(codes < 0)
        if len(missing):
            codes = codes.astype(np.int64)
            slot_of: dict[str | None, int] = {}
            for k in missing.tolist():
                text = text_of(column[k])
                slot = slot_of.get(text)
                if slot is None:
                    slot = slot_of[text] = len(texts)
                    texts.append(text)
                codes[k] = slot
    else:
        texts = [text_of(v) for v in column.tolist()]
        codes = np.arange(len(texts), dtype=np.int64)
    first, number = first_seen(codes)
    ids: dict[str | None, int] = {}
    remap = np.fromiter(
        (ids.setdefault(texts[c], len(ids)) for c in codes[first].tolist()),
        dtype=np.int64,
        count=len(first),
    )
    return remap[number], list(ids)


class KeyReader:
    """What :func:`readings_of` has read: each scope's, products' and name's segments (as
    pieces), what an inference reads besides the products per scope and name reading, and
    what each combination of the sources' parts inferred, kept from one call to the next (the
    chunks of one fit). Every entry is a pure function of its key, so a key reads the same
    whether it was remembered or not."""

    def __init__(self) -> None:
        # the ids of the values of combinations (see _combine) are never given twice in the
        # reader's life, even after clear(): Readings.value_ids can be remembered by them
        self._next_value_id = 0
        self.clear()

    def clear(self) -> None:
        """Forget everything read."""
        self.texts: list[str] = []
        self._text_ids: dict[str, int] = {}
        self._segment_text = array("q")
        self._segment_weight = array("d")
        self._segment_group = array("q")
        self._piece_start = array("q")
        self._piece_length = array("q")
        self._scopes: dict[str | None, tuple[int, tuple[str, ...], bool, str | None]] = {}
        self._products: dict[tuple[str, bool], tuple[int, str] | None] = {}
        self._names: dict[tuple[str, str], int] = {}
        # one entry per scope and name reading; most recur from chunk to chunk (generated rows:
        # 22,700 in each chunk of 50,000 keys, of which 2,500 new by the fourth chunk)
        self._sides: dict[tuple[str | None, str, str, str | None, str, bool], tuple] = {}
        # each combination of the sources' parts (by their keys) with the activity, and what
        # _combined made of it: most recur (generated rows: 5,800 distinct parts, 78 % of the
        # readings of a later chunk of 50,000 keys combine parts combined before)
        # (with an id for its values: equal values, equal id)
        self._combined: dict[tuple[int, int, int, str | None], tuple[tuple, int]] = {}
        self._value_ids: dict[tuple, int] = {}
        # each legal form's part of a side's key (whether it names a code, whether a shop's)
        self._forms: dict[str, tuple[str, bool]] = {}
        # of one call only (their ids and texts are the call's)
        self._inferences: dict[tuple, int] = {}
        self._value_at: dict[int, int] = {}
        # each inference id's values id (the first, when two ids' values are equal)
        self._call_value_ids: list[int] = []

    def __len__(self) -> int:
        return len(self._scopes) + len(self._products) + len(self._names) + len(self._sides)

    def _piece(self, segments: tuple[tuple[str, float, int], ...]) -> int:
        self._piece_start.append(len(self._segment_text))
        self._piece_length.append(len(segments))
        ids = self._text_ids
        for text, w, g in segments:
            at = ids.get(text)
            if at is None:
                at = ids[text] = len(self.texts)
                self.texts.append(text)
            self._segment_text.append(at)
            self._segment_weight.append(w)
            self._segment_group.append(g)
        return len(self._piece_start) - 1

    def _scope(self, scope: str | None) -> tuple[int, tuple[str, ...], bool, str | None]:
        """The scope's piece, its clauses, whether it only trades and its main activity (read
        once per scope)."""
        got = self._scopes.get(scope)
        if got is None:
            segments, clauses = _scope_segments(scope)
            main, makes, _, _ = _scope_facts(scope)
            got = (self._piece(segments), clauses, main == "trade" and not makes, main)
            self._scopes[scope] = got
        return got

    def _side(self, scope: str | None, fields: NameFields) -> tuple:
        """What a key reads besides its products: the inference's sources (see
        :func:`_name_sources`), the scope's piece, clauses and trading, and the name's piece;
        ``fields`` are the name's parts in :class:`NameParts`' order (:func:`name_fields`).

        Of the name's form these read only whether it is a shop's and the code it names, and the
        form itself only when it names one (加油站): names that differ only in a legal form
        (有限公司, 股份有限公司, 有限责任公司) share an entry."""
        _, _, _, industry_words, form, name_activity, parent_industry = fields
        read_form = self._forms.get(form)
        if read_form is None:
            read_form = self._forms[form] = (
                form if _form_code(form) is not None else "",
                _retail(form),
            )
        key = (scope, industry_words, parent_industry, name_activity, *read_form)
        got = self._sides.get(key)
        if got is None:
            piece, clauses, trader, main = self._scope(scope)
            sources = _name_sources(scope, industry_words, parent_industry, name_activity, form)
            name_piece = -1
            industry = industry_words or parent_industry
            if industry:
                activity = name_activity or main or "make"
                at = self._names.get((industry, activity))
                if at is None:
                    segment = _name_segment(industry, activity)
                    at = -1 if segment is None else self._piece((segment,))
                    self._names[(industry, activity)] = at
                name_piece = at
            got = self._sides[key] = (*sources, piece, clauses, trader, name_piece)
        return got

    def _product(self, products: str, trader: bool) -> tuple[int, str] | None:
        """The products' piece and what the document shows of them (None when they say nothing)."""
        key = (products, trader)
        if key in self._products:
            return self._products[key]
        segment = _product_segment(products, trader)
        got = None if segment is None else (self._piece((segment[:3],)), segment[3])
        self._products[key] = got
        return got

    def read_keys(
        self, keys: Iterable[tuple[object, object, object]], normalised: bool
    ) -> Readings:
        """:func:`readings_of` of ``keys`` with this reader.

        Column by column rather than key by key: each distinct scope, products text and name of
        the call is checked (or normalised) once (:func:`_column_ids`) and each distinct name
        read into its fields (:func:`name_fields`, or the compiled loop from
        :data:`COMPILED_NAMES` names), and everything else is read once per distinct value in
        the call, first seen first, and handed to the keys by numpy's gathers: each scope and
        name reading (:meth:`_side`), each products with what the side reads them as, each
        combination of the sources' parts (what :func:`_combined` reads), each document. A
        million generated keys hold about 800,000 distinct readings but some 200,000
        combinations and 260,000 documents."""
        columns = _key_columns(keys)
        n = len(columns[0])
        if not n:
            return self.readings(np.zeros((0, 3), dtype=np.int64), [], np.zeros(0, dtype=np.int64))
        text_of = _scope_text if normalised else normalize_text
        of_scope, scopes = _column_ids(columns[0], text_of)
        of_product, product_texts = _column_ids(columns[1], text_of)
        of_name, names = _column_ids(columns[2], _name_text if normalised else _normalised_name)
        # each name read once; what its reading takes of it: industry, parent's industry,
        # activity, form (a reading's fields are those of its first name)
        reading_ids: dict[tuple, int] = {}
        fields_of: list[NameFields] = []
        reading_of_name = array("q")
        for fields in _fields_of(names):
            reading = (fields[3], fields[6], fields[5], fields[4])
            r = reading_ids.get(reading)
            if r is None:
                r = reading_ids[reading] = len(fields_of)
                fields_of.append(fields)
            reading_of_name.append(r)
        of_reading = np.frombuffer(reading_of_name, dtype=np.int64)[of_name]

        # each scope and name reading (a side), first seen first
        first, of_side = first_seen(of_scope * len(fields_of) + of_reading)
        sides = [
            self._side(scopes[s], fields_of[r])
            for s, r in zip(of_scope[first].tolist(), of_reading[first].tolist(), strict=True)
        ]
        # (scope_part, prior, act, name_part, activity, piece, clauses, trader, name_piece)
        activity_ids: dict[str | None, int] = {}
        reads_as: dict[tuple[str, float], int] = {}  # (act, the prior it reads products with)
        columns = np.array(
            [
                (
                    side[0].key,
                    -1 if side[3] is None else side[3].key,
                    activity_ids.setdefault(side[4], len(activity_ids)),
                    reads_as.setdefault(
                        (side[2], side[1] if side[2] == "unspecified" else 0.0), len(reads_as)
                    ),
                    int(side[7]),
                    side[5],
                    side[8],
                )
                for side in sides
            ],
            dtype=np.int64,
        ).reshape(-1, 7)[of_side]
        scope_key, name_key, activity, read_as, trader, piece, name_piece = columns.T
        activities = list(activity_ids)
        has_products = np.array([bool(p) for p in product_texts], dtype=bool)[of_product]

        # the products' part of the inference, as each key's side reads them (_products_part)
        products_key = np.full(n, -1, dtype=np.int64)
        with_products = np.flatnonzero(has_products)
        if len(with_products):
            pairs = of_product[with_products] * len(reads_as) + read_as[with_products]
            first, of_pair = first_seen(pairs)
            keys_of_pairs = [
                _products_part(product_texts[of_product[k]], *sides[of_side[k]][2:0:-1]).key
                for k in with_products[first].tolist()
            ]
            products_key[with_products] = np.array(keys_of_pairs, dtype=np.int64)[of_pair]

        # each combination of the parts' keys and the activity: the call's inference id
        combination = np.stack([scope_key, products_key, name_key, activity], axis=1)
        first, of_combination = _first_seen_rows(combination)
        remembered = self._combined.get
        value_at = self._value_at.get
        at_of = array("q")
        for (scope_k, products_k, name_k, activity_k), side, products in zip(
            combination[first].tolist(),
            (sides[j] for j in of_side[first].tolist()),
            (product_texts[j] for j in of_product[first].tolist()),
            strict=True,
        ):
            combined = (scope_k, products_k, name_k, activities[activity_k])
            entry = remembered(combined)
            if entry is None:
                entry = self._combine(combined, side, products)
            at = value_at(entry[1])
            if at is None:
                at = self._inference_at(entry)
            at_of.append(at)
        key_inference = np.frombuffer(at_of, dtype=np.int64)[of_combination]

        # the products' piece and what the document shows of them (by trading or not)
        product_piece = np.full(n, -1, dtype=np.int64)
        shown: list[str | None] = [None]  # 0: nothing shown
        shown_at = np.zeros(n, dtype=np.int64)
        if len(with_products):
            first, of_pair = first_seen(of_product[with_products] * 2 + trader[with_products])
            got = [
                self._product(product_texts[of_product[k]], bool(trader[k]))
                for k in with_products[first].tolist()
            ]
            product_piece[with_products] = np.array(
                [-1 if g is None else g[0] for g in got], dtype=np.int64
            )[of_pair]
            shown.extend(None if g is None else g[1] for g in got)
            shown_at[with_products] = np.arange(1, len(got) + 1, dtype=np.int64)[of_pair]

        # each document: the scope's clauses, then what the products show
        first, of_document = first_seen(of_scope * len(shown) + shown_at)
        texts = []
        for k in first.tolist():
            clauses, extra = sides[of_side[k]][6], shown[shown_at[k]]
            texts.append("；".join(clauses if extra is None else (*clauses, extra)))
        documents = [texts[d] for d in of_document.tolist()]
        key_pieces = np.stack([piece, product_piece, name_piece], axis=1)
        return self.readings(key_pieces, documents, key_inference)

    def _combine(self, combined: tuple, side: tuple, products: str | None) -> tuple[tuple, int]:
        """What :func:`_combined` makes of a combination of the sources' parts (their keys and
        the activity), read from one of its keys' side and products, with the id of its values
        (remembered)."""
        if len(self._combined) >= COMBINED_LIMIT:
            self._combined.clear()
            self._value_ids.clear()
        scope_part, prior, act, name_part, activity = side[:5]
        values = _combined(_parts(scope_part, products, act, prior, name_part), activity)
        # the values' floats are never -0.0 nor NaN (sums and ratios of positive evidence), so
        # equal values are the same inference: one id for them, never given again
        value_id = self._value_ids.get(values)
        if value_id is None:
            value_id = self._value_ids[values] = self._next_value_id
            self._next_value_id += 1
        entry = self._combined[combined] = (values, value_id)
        return entry

    def _inference_at(self, entry: tuple[tuple, int]) -> int:
        """The call's inference id of the values of an entry of :meth:`_combine` first seen in
        the call."""
        values, value_id = entry
        at = self._inferences.get(values)
        if at is None:
            at = self._inferences[values] = len(self._inferences)
            self._call_value_ids.append(value_id)
        self._value_at[value_id] = at
        return at

    def readings(
        self, key_pieces: np.ndarray, documents: list[str], key_inference: np.ndarray
    ) -> Readings:
        """The :class:`Readings` of one call (``key_pieces`` an int64 array of shape (keys, 3),
        ``key_inference`` one of the keys), and the call's own state let go."""
        values = list(self._inferences)
        self._inferences = {}
        self._value_at = {}
        value_ids, self._call_value_ids = self._call_value_ids, []
        # copies of the reader's buffers: they keep growing in the next call
        return Readings(
            texts=self.texts,
            piece_text=np.frombuffer(self._segment_text, dtype=np.int64).copy(),
            piece_weight=np.frombuffer(self._segment_weight, dtype=np.float64).copy(),
            piece_group=np.frombuffer(self._segment_group, dtype=np.int64).copy(),
            piece_start=np.frombuffer(self._piece_start, dtype=np.int64).copy(),
            piece_length=np.frombuffer(self._piece_length, dtype=np.int64).copy(),
            key_pieces=key_pieces,
            documents=documents,
            values=values,
            key_inference=key_inference,
            value_ids=np.array(value_ids, dtype=np.int64),
        )


def readings_of(
    keys: Iterable[tuple[object, object, object]],
    *,
    normalised: bool = False,
    reader: KeyReader | None = None,
) -> Readings:
    """:func:`profiles_of` of many keys without evidence, as :class:`Readings`: the same
    segments, documents and inferences without a profile, a name's parts or an inference per
    key. What depends only on a scope, on a scope and the name's reading, or on the products is
    read once for all the keys that share it, in this call and in the earlier calls given the
    same ``reader`` (until it holds :data:`READER_LIMIT` entries; it then starts afresh).

    ``normalised=True`` takes texts a validated table normalised (a text of spaces only counts
    as none, as in :func:`profiles_of`)."""
    if reader is None:
        reader = KeyReader()
    elif len(reader) > READER_LIMIT:
        reader.clear()
    paused = gc.isenabled()
    gc.disable()
    try:
        return reader.read_keys(keys, normalised)
    finally:
        if paused:
            gc.enable()


# ----------------------------------------------------------------------------- parks
_REFUSAL = re.compile(
    r"不再承接|不再新增|不再|不予引进|不予|不得|严禁|禁止|不引进|不引入|不接纳|不承接|不允许|不准|"
    r"不安排|不宜|限制|淘汰|不在本?园区"
)
_TRADE_WORDS = re.compile(r"贸易|销售|批发|零售|经销|商贸|代理")
#: Stock phrases of positionings that name no industry.
_PARK_STOP = re.compile(
    r"园区|依托|重点发展|延伸发展|配套发展|积极引进|优先引进|着力|打造|聚焦|承接|推动|建设|形成|"
    r"产业集群|产业基础|集聚区|企业|项目|入驻|入园|落户|欢迎|鼓励|支持|提供|培育|壮大|发展|引进|"
    r"重点|主要|以及|及其|相关|等|为主|方向|领域|服务于|面向|适合|"
    r"有限|公司|我市|本市|全市|全省|全国|国家级|省级|特色|示范|一体化|高质量|现代化|规模化"
)
_REFUSED_OBJECT = re.compile(
    r"(?:新增产能|产能|项目|企业|工序|类|等|的|新增|重污染|高污染|高耗能|入园|入驻|引进|承接|安排|建设|布局)+"
)


@dataclass(frozen=True)
class ParkPositioning:
    """A park's positioning read for matching.

    Attributes
    ----------
    text : str
        What the park wants, refusal clauses and stock phrases removed, vocabulary expanded.
    refused : tuple of str
        Objects of refusal clauses (``电镀``, ``电解铝``).
    refuse_trade : bool
        A refusal clause refuses trading firms (单纯贸易类企业不予入驻).
    """

    text: str
    refused: tuple[str, ...]
    refuse_trade: bool


def _refused_objects(text: str) -> list[str]:
    out = []
    for item in re.split(r"[、和及与或/\s]+", _PARK_STOP.sub("、", text)):
        obj = _REFUSED_OBJECT.sub("", item).strip()
        obj = re.sub(r"^(须在|须|在|本|定点).*$", "", obj)
        if len(obj) >= 2:
            out.append(obj)
    return out


@functools.lru_cache(maxsize=10_000)
def _positioning(text: str) -> ParkPositioning:
    kept: list[str] = []
    refused: list[str] = []
    refuse_trade = False
    for sentence in re.split(r"[。；;！!？?\n]+", _clean(text)):
        previous: str | None = None
        for clause in re.split(r"[，,]+", sentence):
            if not clause.strip():
                continue
            if not _REFUSAL.search(clause):
                kept.append(_PARK_STOP.sub(" ", clause))
                previous = clause
                continue
            if _TRADE_WORDS.search(clause):
                refuse_trade = True
                continue
            objects = _refused_objects(_REFUSAL.sub("、", clause))
            if not objects and previous is not None:
                # 屠宰项目须在定点屠宰区建设，不在本园区安排: the refusal is about the clause before
                kept.pop()
                objects = _refused_objects(previous)
            refused.extend(objects)
    wanted = re.sub(r"\s+", " ", " ".join(kept)).strip()
    return ParkPositioning(expand(wanted), tuple(dict.fromkeys(refused)), refuse_trade)


def parse_positioning(text: object) -> ParkPositioning:
    """Read a park's positioning (产业定位): what it wants and what it refuses."""
    if not isinstance(text, str) or not text.strip():
        return ParkPositioning("", (), False)
    return _positioning(normalize_text(text) or "")
