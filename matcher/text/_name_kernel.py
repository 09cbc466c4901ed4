"""Many enterprise names read in one compiled pass (numba): what :func:`name_fields` gives.

A fit reads about 840,000 distinct names per million generated rows, each once. In Python a name's
reading (strip the legal forms from the end, the places from the start, the industry words from
the end of what is left) took about 4.5 µs, a fifth of a one-process fit. This module does the
same steps over the names' code points in one compiled loop; Python then only cuts each name
at the three positions the loop found.

The loop reads a name only when it is written in CJK ideographs alone (U+4E00 to U+9FFF) and
names no parent before its last two characters (公司, 厂, 集团: a branch, read by
:func:`name_fields`): such a name has no brackets, spaces or letters, and its pieces match the
lexicon's terms as they are written (:func:`matcher.text._lexicon._key` changes no ideograph).
Every other name is read by :func:`name_fields` itself. ``tests/test_fit_paths.py`` compares
both ways on generated, real and hand-made names.

The words the loop looks up (forms, places, industry words and their stems, the words whose
activity a name's industry implies) sit in one open-addressing table of FNV-1a hashes of their
code points, each entry checked character by character: a hash never decides alone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..compiled import CompiledLoop
from ._names import (
    _HEAD_LONGEST,
    _PLACE_LONGEST,
    _TRADE_SUFFIX,
    _WORD_LONGEST,
    NameFields,
    name_fields,
)

#: The code points the loop reads (CJK Unified Ideographs).
FIRST, LAST = 0x4E00, 0x9FFF

# flags of a table entry (the loop reads these and the other module constants as numba
# freezes globals: at compile time)
_FORM, _PLACE, _WORD, _STEM, _ACTIVE = 1, 2, 4, 8, 16
#: 业: X业 is the industry word X.
_TRADE = ord(_TRADE_SUFFIX)

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK64 = 0xFFFFFFFFFFFFFFFF


def _fnv(text: str) -> int:
    """FNV-1a over the code points of ``text`` (as :func:`_find` computes it)."""
    h = _FNV_OFFSET
    for char in text:
        h = ((h ^ ord(char)) * _FNV_PRIME) & _MASK64
    return h


@dataclass(frozen=True)
class NameTables:
    """What the loop looks up, as arrays (:func:`name_tables`).

    ``slot_*`` are the open-addressing table (``slot_length`` -1: empty), each entry a word
    of ``words`` (its code points from ``slot_start``) with its ``flags``, the activity a form
    implies (``form_activity``) and the one an industry word implies (``head_activity``), as
    indices into ``activities`` (-1: none). ``form_sizes``, ``word_sizes`` and
    ``place_sizes`` are bit masks, by ideograph (``code point - FIRST``), of the lengths a form
    or industry word ending with it and a place beginning with it can have."""

    slot_hash: np.ndarray  # uint64
    slot_start: np.ndarray  # int64
    slot_length: np.ndarray  # int64
    slot_flags: np.ndarray  # int64
    slot_form_activity: np.ndarray  # int64
    slot_head_activity: np.ndarray  # int64
    words: np.ndarray  # uint32
    form_sizes: np.ndarray  # int64
    word_sizes: np.ndarray  # int64
    place_sizes: np.ndarray  # int64
    national: np.ndarray  # uint32, (n, 2): the national words in their order
    activities: tuple[str, ...]


def _ideographs(text: str) -> bool:
    return bool(text) and all(FIRST <= ord(c) <= LAST for c in text)


@functools.lru_cache(maxsize=1)
def name_tables() -> NameTables:
    """The tables of :func:`name_fields`' words, for the loop (made once per process)."""
    from ._lexicon import get_lexicon
    from ._names import _ACTIVE_WORDS, _FORM_ACTIVITY, _NATIONAL, NAME_WORDS, _places

    lexicon = get_lexicon().codes
    activities = tuple(
        sorted({a for a in (*_FORM_ACTIVITY.values(), *_ACTIVE_WORDS.values()) if a is not None})
    )
    activity_at = {a: i for i, a in enumerate(activities)}
    entries: dict[str, list[int]] = {}  # word -> [flags, form activity, head activity]

    def add(word: str, flag: int) -> list[int]:
        entry = entries.setdefault(word, [0, -1, -1])
        entry[0] |= flag
        return entry

    for form, activity in _FORM_ACTIVITY.items():
        if _ideographs(form):
            add(form, _FORM)[1] = -1 if activity is None else activity_at[activity]
    for place in _places():
        if 2 <= len(place) <= _PLACE_LONGEST and _ideographs(place):
            add(place, _PLACE)
    for word in NAME_WORDS:
        if _ideographs(word):
            add(word, _WORD | _STEM)
    for term in lexicon:
        if _ideographs(term):
            add(term, (_WORD if len(term) >= 2 else 0) | _STEM)
    for word, activity in _ACTIVE_WORDS.items():
        if _ideographs(word) and activity is not None:
            add(word, _ACTIVE)[2] = activity_at[activity]

    form_sizes = np.zeros(LAST - FIRST + 1, dtype=np.int64)
    word_sizes = np.zeros_like(form_sizes)
    place_sizes = np.zeros_like(form_sizes)
    longest_stem = 0
    for word, (flags, _, _) in entries.items():
        if flags & _FORM:
            form_sizes[ord(word[-1]) - FIRST] |= 1 << len(word)
        if flags & _WORD:
            word_sizes[ord(word[-1]) - FIRST] |= 1 << len(word)
        if flags & _PLACE:
            place_sizes[ord(word[0]) - FIRST] |= 1 << len(word)
        if flags & _STEM:
            longest_stem = max(longest_stem, len(word))
    # X业 is the industry word X: any length from 2 to one more than the longest stem
    for size in range(2, longest_stem + 2):
        word_sizes[ord(_TRADE_SUFFIX) - FIRST] |= 1 << size

    size = 1 << max(4, (2 * len(entries)).bit_length())
    slot_hash = np.zeros(size, dtype=np.uint64)
    slot_start = np.full(size, -1, dtype=np.int64)
    slot_length = np.full(size, -1, dtype=np.int64)
    slot_flags = np.zeros(size, dtype=np.int64)
    slot_form = np.full(size, -1, dtype=np.int64)
    slot_head = np.full(size, -1, dtype=np.int64)
    chars: list[int] = []
    for word, (flags, form_activity, head_activity) in entries.items():
        h = _fnv(word)
        at = h & (size - 1)
        while slot_length[at] >= 0:
            at = (at + 1) & (size - 1)
        slot_hash[at], slot_start[at], slot_length[at] = h, len(chars), len(word)
        slot_flags[at], slot_form[at], slot_head[at] = flags, form_activity, head_activity
        chars.extend(map(ord, word))
    national = np.array([[ord(c) for c in w] for w in _NATIONAL], dtype=np.uint32)
    return NameTables(
        slot_hash=slot_hash,
        slot_start=slot_start,
        slot_length=slot_length,
        slot_flags=slot_flags,
        slot_form_activity=slot_form,
        slot_head_activity=slot_head,
        words=np.array(chars, dtype=np.uint32),
        form_sizes=form_sizes,
        word_sizes=word_sizes,
        place_sizes=place_sizes,
        national=national,
        activities=activities,
    )


def _find(  # pragma: no cover - compiled by numba with _read_names
    chars: Any,
    lo: Any,
    hi: Any,
    slot_hash: Any,
    slot_start: Any,
    slot_length: Any,
    words: Any,
) -> Any:
    """The slot of the table's entry that is ``chars[lo:hi]`` (-1: none): FNV-1a of the code
    points (as :func:`_fnv`), linear probing, each candidate compared character by
    character."""
    mask = np.uint64(slot_hash.shape[0] - 1)
    h = np.uint64(0xCBF29CE484222325)
    for j in range(lo, hi):
        h = (h ^ np.uint64(chars[j])) * np.uint64(0x100000001B3)
    at = h & mask
    while slot_length[at] >= 0:
        if slot_hash[at] == h and slot_length[at] == hi - lo:
            s = slot_start[at]
            same = True
            for j in range(hi - lo):
                if words[s + j] != chars[lo + j]:
                    same = False
                    break
            if same:
                return np.int64(at)
        at = (at + np.uint64(1)) & mask
    return np.int64(-1)


def _read_names(  # pragma: no cover - compiled by numba (covered by the tests' comparisons)
    chars: Any,
    offsets: Any,
    slot_hash: Any,
    slot_start: Any,
    slot_length: Any,
    slot_flags: Any,
    slot_form_activity: Any,
    slot_head_activity: Any,
    words: Any,
    form_sizes: Any,
    word_sizes: Any,
    place_sizes: Any,
    national: Any,
    out: Any,
) -> None:
    """Each name's region end, industry start, form start (offsets into the name) and activity
    (index, -1: none) into ``out`` (shape (n, 4)); ``out[i, 0] = -1`` for a name left to
    :func:`name_fields`. Each look-up hashes ``chars[lo:hi]`` (FNV-1a, as :func:`_fnv`),
    probes the table and compares the entry's characters: ``found`` is its slot or -1."""
    for i in range(offsets.shape[0] - 1):
        a, e = offsets[i], offsets[i + 1]
        out[i, 0] = -1
        if e - a < 1:
            continue
        plain = True
        for k in range(a, e):
            if chars[k] < FIRST or chars[k] > LAST:
                plain = False
                break
        if not plain:
            continue
        # a parent named before the last two characters (公司, 厂, 集团): a branch, in Python
        for k in range(a, e - 2):
            c = chars[k]
            if c == 0x5382:  # 厂
                plain = False
                break
            if k + 1 < e - 2 and (
                (c == 0x516C and chars[k + 1] == 0x53F8) or (c == 0x96C6 and chars[k + 1] == 0x56E2)
            ):  # 公司, 集团
                plain = False
                break
        if not plain:
            continue

        # the legal forms from the end: the longest form ending the text (the whole text when
        # a length exceeds it), stripped while more than one character is left
        end = e
        form_activity = -1
        while True:
            sizes = form_sizes[chars[end - 1] - FIRST]
            width = 0
            taken = np.int64(-1)
            for size in range(15, 0, -1):
                if not (sizes >> size) & 1:
                    continue
                lo, hi = end - min(size, end - a), end
                found = _find(chars, lo, hi, slot_hash, slot_start, slot_length, words)
                if found >= 0 and slot_flags[found] & _FORM:
                    width = hi - lo
                    taken = found
                    break
            if width == 0 or end - a <= width + 1:
                break
            end -= width
            if form_activity < 0:
                form_activity = slot_form_activity[taken]
        form_start = end

        # national words and places from the start, each leaving enough characters
        r = a
        changed = True
        while changed:
            changed = False
            # each national word in its order, where it begins what is left (``_strip_region``
            # first asks whether any begins it: a shortcut that changes nothing)
            for w in range(national.shape[0]):
                if end - r > 4 and chars[r] == national[w, 0] and chars[r + 1] == national[w, 1]:
                    r += 2
                    changed = True
            limit = min(_PLACE_LONGEST, end - r - 2)
            if limit >= 2:
                sizes = place_sizes[chars[r] - FIRST]
                for size in range(limit, 1, -1):
                    if not (sizes >> size) & 1:
                        continue
                    lo, hi = r, r + size
                    found = _find(chars, lo, hi, slot_hash, slot_start, slot_length, words)
                    if found >= 0 and slot_flags[found] & _PLACE:
                        r += size
                        changed = True
                        break

        # industry words from the end, the longest first, leaving a brand of two characters:
        # a word, or X业 with X a stem
        start = end
        while start - r > 2:
            top = min(_WORD_LONGEST, start - r - 2)
            sizes = word_sizes[chars[start - 1] - FIRST]
            width = 0
            for size in range(top, 0, -1):
                if not (sizes >> size) & 1:
                    continue
                for stem in range(2):
                    if stem == 1 and not (size >= 2 and chars[start - 1] == _TRADE):
                        break
                    lo, hi = start - size, start - stem
                    found = _find(chars, lo, hi, slot_hash, slot_start, slot_length, words)
                    if found >= 0 and slot_flags[found] & (_WORD if stem == 0 else _STEM):
                        width = size
                        break
                if width:
                    break
            if width == 0:
                break
            start -= width

        # the activity the industry's last word implies, else the form's
        activity = -1
        for size in range(min(_HEAD_LONGEST, end - start), 0, -1):
            lo, hi = end - size, end
            found = _find(chars, lo, hi, slot_hash, slot_start, slot_length, words)
            if found >= 0 and slot_flags[found] & _ACTIVE:
                activity = slot_head_activity[found]
                break
        out[i, 0] = r - a
        out[i, 1] = start - a
        out[i, 2] = form_start - a
        out[i, 3] = activity if activity >= 0 else form_activity


_READ_NAMES = CompiledLoop(_read_names, helpers=(_find,))


def read_names(names: list[str]) -> np.ndarray:
    """For each name, where its region ends, its industry words begin and its forms begin, and
    the index of its activity in ``name_tables().activities`` (-1: none), as an int64 array of
    shape (n, 4); row ``[-1, …]`` for a name the loop leaves to :func:`name_fields`."""
    out = np.empty((len(names), 4), dtype=np.int64)
    if not names:
        return out
    lengths = np.fromiter(map(len, names), dtype=np.int64, count=len(names))
    offsets = np.zeros(len(names) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    chars = np.frombuffer("".join(names).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    t = name_tables()
    _READ_NAMES(
        chars,
        offsets,
        t.slot_hash,
        t.slot_start,
        t.slot_length,
        t.slot_flags,
        t.slot_form_activity,
        t.slot_head_activity,
        t.words,
        t.form_sizes,
        t.word_sizes,
        t.place_sizes,
        t.national,
        out,
    )
    return out


def fields_of_names(names: list[str]) -> list[NameFields]:
    """:func:`name_fields` of each name (normalised, none empty): the loop's cuts where it
    reads the name, :func:`name_fields` where it leaves it."""
    cuts = read_names(names)
    activities = (*name_tables().activities, None)  # -1: none
    out: list[NameFields] = []
    append = out.append
    for name, region, industry, form, activity in zip(names, *cuts.T.tolist(), strict=True):
        if region < 0:
            append(name_fields(name))
        else:
            append(
                (
                    name,
                    name[:region],
                    name[region:industry],
                    name[industry:form],
                    name[form:],
                    activities[activity],
                    "",
                )
            )
    return out
