"""The fitted index: compact per-enterprise and per-park arrays built once by ``Matcher.fit``.

Feature families read these arrays; nothing on the ranking path touches a DataFrame.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import multiprocessing as mp
import pickle
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ..exceptions import ConfigError, UnknownIdError, WorkerError
from ..io import LOCATION_PREFERENCES, PARK_TYPES, SRDI_LEVELS
from ..reference import sizes, taxonomy
from ..reference.relatedness import get_relatedness
from ..text import ACTIVITIES, TextVectorizer, get_lexicon
from ..text import _profile as text_profiles
from ..text._inference import CANDIDATES, Inference
from ..text._profile import (
    KeyReader,
    Profile,
    Readings,
    first_seen,
    load_compiled_names,
    parse_positioning,
    profiles_of,
    readings_of,
)
from ._columns import RowPositions, StringColumn

__all__ = [
    "CODE_DECLARED",
    "CODE_INFERRED",
    "CODE_NONE",
    "CONFIDENT",
    "SIZE_SOURCES",
    "EnterpriseArrays",
    "IndustryInferrer",
    "MatchIndex",
    "ParkArrays",
    "build_index",
    "enterprise_arrays",
    "gc_paused",
    "park_arrays",
    "with_enterprises",
]

#: Integer codes of size classes in the index (-1 = unknown).
SIZE_CODES = {s: i for i, s in enumerate(sizes.SIZE_CLASSES)}
SRDI_CODES = {s: i for i, s in enumerate(SRDI_LEVELS)}

#: Code source in the index.
CODE_NONE, CODE_DECLARED, CODE_INFERRED = 0, 1, 2


#: Activity groups of the text column blocks (see :mod:`matcher.text`).
GROUPS = text_profiles.GROUPS
#: What a park of each 门类 wants of each activity group (production, digital, commerce,
#: services): a manufacturing park wants what firms make, a logistics park what they move.
WANTS = {
    "A": (1.0, 0.3, 0.3, 0.3),
    "B": (1.0, 0.5, 0.15, 0.3),
    "C": (1.0, 0.5, 0.15, 0.3),
    "D": (1.0, 0.5, 0.15, 0.3),
    "E": (0.5, 0.3, 0.2, 1.0),
    "F": (0.3, 0.3, 1.0, 0.7),
    "G": (0.2, 0.3, 0.7, 1.0),
    "I": (0.5, 1.0, 0.15, 0.4),
    "L": (0.3, 0.3, 0.5, 1.0),
    "M": (0.7, 0.6, 0.2, 1.0),
}
WANTS_DEFAULT = (0.6, 0.6, 0.6, 0.6)
#: Confidence from which an inferred code counts as the firm's code: for exclusions (the pair
#: becomes ineligible, 请核实) and for a conflict with a declared code.
CONFIDENT = 0.6
#: Index of each activity in the ``activity`` array (-1 unknown).
ACTIVITY_CODES = {a: i for i, a in enumerate(ACTIVITIES)}


def _text_keys(frame: pd.DataFrame) -> tuple[np.ndarray, Any]:
    """Each row's distinct (scope, products, name) and the distinct keys, first seen first."""
    keys = list(
        zip(
            frame["business_scope"].astype(object).tolist(),
            frame["products"].astype(object).tolist(),
            frame["name"].astype(object).tolist(),
            strict=True,
        )
    )
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object))
    return np.asarray(codes, dtype=np.int64), uniques


def enterprise_profiles(frame: pd.DataFrame) -> tuple[list[Profile], np.ndarray]:
    """The text profile of every distinct (scope, products, name), and each row's profile."""
    rows, uniques = _text_keys(frame)
    profiles = profiles_of(uniques, normalised=True)
    return profiles, rows


#: Distinct texts read at a time at fit: their profiles are reduced to arrays before the next
#: ones are read, so a million rows never hold a million profiles at once.
READ_CHUNK = 50_000


@dataclass
class _Texts:
    """What the index keeps of every distinct (scope, products, name), and each row's one.

    Segment ``j`` of distinct key ``i`` (``offsets[i] <= j < offsets[i + 1]``) is the text
    ``texts[segment[j]]`` with ``weight[j]`` in group ``group[j]``, as in its profile's
    ``segments``; ``documents`` and ``guess`` (:meth:`IndustryInferrer.table`) hold the rest.
    Key ``i``'s document is ``documents[document_at[i]]``: the read keeps each distinct document
    once (many keys share a scope and products: a quarter of the documents of a million
    generated rows are distinct), and each row takes its own in one gather of the bytes.
    """

    texts: list[str]
    segment: np.ndarray  # int64
    weight: np.ndarray  # float32
    group: np.ndarray  # int64
    offsets: np.ndarray  # int64 (distinct keys + 1)
    documents: StringColumn
    guess: dict[str, np.ndarray]
    rows: np.ndarray  # int64: each row's distinct key
    document_at: np.ndarray  # int64: each key's place in ``documents``

    def row_segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Text index, owner row, weight and group of every segment of every row."""
        lengths = np.diff(self.offsets)[self.rows]
        total = int(lengths.sum())
        owners = np.repeat(np.arange(len(self.rows), dtype=np.int64), lengths)
        before = np.cumsum(lengths) - lengths
        at = np.arange(total, dtype=np.int64) + np.repeat(self.offsets[self.rows] - before, lengths)
        return self.segment[at], owners, self.weight[at], self.group[at]


@dataclass
class _Chunk:
    """What :func:`read_texts` keeps of one chunk of distinct keys: its segment texts (first seen
    first) with chunk-local ids, and the other columns of :class:`_Texts` for its keys."""

    texts: list[str]
    segment: np.ndarray  # int64, index into ``texts``
    weight: np.ndarray  # float64
    group: np.ndarray  # int64
    lengths: np.ndarray  # int64: segments per key
    documents: list[str]
    guess: dict[str, np.ndarray]


#: Rows a :class:`_GuessTable` holds before it starts afresh (about 50 bytes each).
GUESS_ROWS = 1_000_000


class _GuessTable:
    """The rows of :meth:`IndustryInferrer.table_of_values` of the values one
    :class:`KeyReader` gave, by their ids (``Readings.value_ids``): each made once, however
    many chunks infer it (the 20 chunks of a million generated keys infer about 700,000 values,
    180,000 of them distinct), until the table holds :data:`GUESS_ROWS` rows; it then starts
    afresh."""

    def __init__(self, inferrer: IndustryInferrer) -> None:
        self.inferrer = inferrer
        self.clear()

    def clear(self) -> None:
        """Forget every row."""
        self.row_of: dict[int, int] = {}
        self.columns: dict[str, np.ndarray] = self.inferrer.table_of_values([])

    def take(self, read: Readings) -> dict[str, np.ndarray]:
        """Each key's row of ``read`` (its values' by ``key_inference``)."""
        if len(self.row_of) > GUESS_ROWS:
            self.clear()
        ids = read.value_ids.tolist()
        new = [j for j, v in enumerate(ids) if v not in self.row_of]
        if new:
            size = len(self.row_of)
            for k, j in enumerate(new):
                self.row_of[ids[j]] = size + k
            added = self.inferrer.table_of_values([read.values[j] for j in new])
            self.columns = {k: np.concatenate([v, added[k]]) for k, v in self.columns.items()}
        rows = np.fromiter((self.row_of[v] for v in ids), dtype=np.int64, count=len(ids))
        at = rows[read.key_inference]
        return {k: v[at] for k, v in self.columns.items()}


def _read_chunk(
    keys: Sequence[tuple[object, object, object]],
    reader: KeyReader,
    guesses: _GuessTable,
) -> _Chunk:
    """Read one chunk of distinct (scope, products, name) keys into arrays: what
    :func:`enterprise_profiles`' profiles say of them, from :func:`readings_of`' ids (``reader``
    remembers what earlier chunks read, ``guesses`` the inferences' rows they made for it)."""
    read = readings_of(keys, normalised=True, reader=reader)
    # each key's pieces in order (scope, products, name), then their segments in order
    length = np.append(read.piece_length, 0)  # -1: no piece
    start = np.append(read.piece_start, 0)
    lengths = length[read.key_pieces].sum(axis=1)
    pieces = read.key_pieces.ravel()
    pieces = pieces[pieces >= 0]
    piece_length = length[pieces]
    total = int(piece_length.sum())
    before = np.cumsum(piece_length) - piece_length
    at = np.arange(total, dtype=np.int64) + np.repeat(start[pieces] - before, piece_length)
    found = read.piece_text[at]
    # texts get ids in the order they are first seen, as one pass over the profiles gives
    first, segment = first_seen(found)
    return _Chunk(
        texts=[read.texts[i] for i in found[first].tolist()],
        segment=segment,
        weight=read.piece_weight[at],
        group=read.piece_group[at],
        lengths=lengths,
        documents=read.documents,
        guess=guesses.take(read),
    )


#: ``progress(done, total, message)`` of a fit (see :meth:`matcher.Matcher.fit`).
Progress = Callable[[int, int, str], None]

#: The keys, inferrer and groups of a fit that reads in worker processes, and the shared count
#: of groups taken: set before the workers are forked, so that they inherit them instead of
#: receiving them through a pipe.
_FORKED: tuple[Any, IndustryInferrer, list[np.ndarray], Any] | None = None

#: Groups of keys per process of ``n_jobs`` > 1: each process takes the next group when it is
#: done with one, so a process that reads more slowly takes fewer (with one group each, the
#: other process waited up to 3 s at 1M rows).
GROUPS_PER_JOB = 16


@dataclass
class _Read:
    """:class:`_Texts` without ``rows``, with each key's number of segments instead of their
    offsets: what the chunks of some distinct keys read (:func:`_gather`, :func:`_merge`). Its
    documents are the distinct ones in one UTF-8 column, not a Python string each (a worker
    sends them as two buffers, and the index's column is taken from them), and ``document_at``
    is each key's."""

    texts: list[str]
    segment: np.ndarray  # int64, into ``texts`` (first seen first)
    weight: np.ndarray  # float32
    group: np.ndarray  # int64
    lengths: np.ndarray  # int64: segments per key
    documents: StringColumn
    guess: dict[str, np.ndarray]
    document_at: np.ndarray  # as in :class:`_Texts`


def _chunks(
    keys: Any,
    inferrer: IndustryInferrer,
    reader: KeyReader | None = None,
    progress: Progress | None = None,
    guesses: _GuessTable | None = None,
) -> Iterator[_Chunk]:
    """Each chunk of ``READ_CHUNK`` of ``keys`` read, in order, by one :class:`KeyReader`
    (``reader``, or a new one, with ``guesses``, the table of what it inferred, or a new one):
    the segments one chunk read of a scope, product list or name serve the next chunks too.
    ``progress`` hears of each chunk read."""
    reader = KeyReader() if reader is None else reader
    guesses = _GuessTable(inferrer) if guesses is None else guesses
    for start in range(0, len(keys), READ_CHUNK):
        yield _read_chunk(keys[start : start + READ_CHUNK], reader, guesses)
        if progress is not None:
            done = min(start + READ_CHUNK, len(keys))
            progress(done, len(keys), f"已读 {done:,} / {len(keys):,} 条企业文本")


def _text_ids(index: dict[str, int], texts: list[str]) -> np.ndarray:
    """The ids of ``texts`` in ``index``, new texts numbered on from its size in their order."""
    return np.fromiter(
        (index.setdefault(t, len(index)) for t in texts), dtype=np.int64, count=len(texts)
    )


def _gather(chunks: Iterator[_Chunk], inferrer: IndustryInferrer) -> _Read:
    """The chunks' arrays end to end, their texts given ids in the order they are first seen
    (as one pass over the profiles gives them)."""
    index: dict[str, int] = {}
    segment = array("q")
    weight = array("f")
    group = array("q")
    lengths = array("q")
    # each distinct document once, first seen first, and each key's
    document_ids: dict[str, int] = {}
    document_at = array("q")
    guesses: list[dict[str, np.ndarray]] = []
    for chunk in chunks:
        # the chunk's texts in their first-seen order: new ones get ids as one pass would give
        remap = _text_ids(index, chunk.texts)
        segment.frombytes(remap[chunk.segment].tobytes())
        # narrowed here (as the index keeps them), each float64 exactly as after a later cast
        weight.frombytes(chunk.weight.astype(np.float32).tobytes())
        group.frombytes(chunk.group.tobytes())
        lengths.frombytes(chunk.lengths.tobytes())
        document_at.frombytes(_text_ids(document_ids, chunk.documents).tobytes())
        guesses.append(chunk.guess)
        del chunk, remap
    keys = guesses[0].keys() if guesses else inferrer.table([]).keys()
    # the arrays are views of the buffers filled above (a copy of each took 0.6 s at 1M keys,
    # most of it faulting in the new pages)
    return _Read(
        texts=list(index),
        segment=np.frombuffer(segment, dtype=np.int64),
        weight=np.frombuffer(weight, dtype=np.float32),
        group=np.frombuffer(group, dtype=np.int64),
        lengths=np.frombuffer(lengths, dtype=np.int64),
        documents=StringColumn.from_strings(list(document_ids)),  # every one a str
        document_at=np.frombuffer(document_at, dtype=np.int64),
        guess={
            k: np.concatenate([g[k] for g in guesses]) if guesses else inferrer.table([])[k]
            for k in keys
        },
    )


def _key_groups(keys: Any, n: int) -> list[np.ndarray]:
    """The positions of ``keys`` in ``n`` groups, every key of one scope in one group: what a
    process reads of a scope (its clauses, its evidence, each combination of it with a name's
    reading and with products) then serves only keys of its own group, and is read once over
    all processes, as in one. Scopes go, most keys first, to the group with the fewest keys
    so far (ties: the first), so that the groups hold about as many keys each."""
    scopes = pd.factorize(pd.Series([k[0] for k in keys], dtype=object), use_na_sentinel=False)[0]
    counts = np.bincount(scopes)
    load = [0] * n
    owner = np.empty(len(counts), dtype=np.int64)
    for scope in np.argsort(-counts, kind="stable").tolist():
        g = load.index(min(load))
        owner[scope] = g
        load[g] += int(counts[scope])
    of_key = owner[scopes]
    return [np.flatnonzero(of_key == g) for g in range(n)]


def _take_groups(progress: Progress | None = None) -> list[tuple[int, _Read]]:
    """:func:`_gather` of each group this process takes, with the group's number, until none is
    left (see :data:`_FORKED`); one :class:`KeyReader` for all of them (groups share product
    lists, never scopes). ``progress`` (in the process that fits) hears of each group taken."""
    assert _FORKED is not None
    keys, inferrer, groups, taken = _FORKED
    reader = KeyReader()
    guesses = _GuessTable(inferrer)
    out: list[tuple[int, _Read]] = []
    while True:
        with taken.get_lock():
            g = taken.value
            taken.value = g + 1
        if progress is not None:
            # the keys of the groups taken before this one, by any process: read or being read
            done = sum(len(at) for at in groups[: min(g, len(groups))])
            progress(done, len(keys), f"已读约 {done:,} / {len(keys):,} 条企业文本")
        if g >= len(groups):
            return out
        chunks = _chunks(keys.take(groups[g]), inferrer, reader, guesses=guesses)
        out.append((g, _gather(chunks, inferrer)))


def _send(connection: Any, message: object) -> None:
    """``message`` through ``connection``, its arrays as they are: the pickle (protocol 5) with
    the arrays' bytes left out, then each array's bytes on their own (:func:`_receive`). A
    worker's half of 1,000,000 rows took 1 s to pickle in one piece, much of it copying."""
    buffers: list[pickle.PickleBuffer] = []
    head = pickle.dumps(message, protocol=5, buffer_callback=buffers.append)
    views = [b.raw() for b in buffers]
    connection.send([v.nbytes for v in views])
    connection.send_bytes(head)
    for view in views:
        connection.send_bytes(view)


def _receive(connection: Any) -> Any:
    """What :func:`_send` sent, each array's bytes read into a buffer of its own (writable)."""
    sizes = connection.recv()
    head = connection.recv_bytes()
    buffers = []
    for size in sizes:
        buffer = bytearray(size)
        if size:
            connection.recv_bytes_into(buffer)
        else:
            connection.recv_bytes()
        buffers.append(buffer)
    return pickle.loads(head, buffers=buffers)


def _send_groups(send: Any) -> None:
    """In a forked worker: :func:`_take_groups` sent through ``send`` as ``(True, parts)``, or
    ``(False, error)`` when reading raised."""
    try:
        message: tuple[bool, Any] = (True, _take_groups())
    except BaseException as exc:  # handed to the parent, which raises it
        message = (False, exc)
    try:
        _send(send, message)
    except Exception as exc:  # the error itself would not pickle
        error = RuntimeError(f"{type(message[1]).__name__}: {message[1]} ({exc})")
        _send(send, (False, error))
    finally:
        send.close()


def _read_in_groups(
    keys: Any, inferrer: IndustryInferrer, n_jobs: int, progress: Progress | None = None
) -> _Read:
    """:func:`_gather` of every key, read in ``n_jobs`` processes (this one and ``n_jobs - 1``
    forked workers) that take the groups of :func:`_key_groups` (``GROUPS_PER_JOB`` a process)
    one after another; the groups' arrays are then put back in the keys' order and the texts
    numbered as one pass gives them: the same arrays bit for bit (every cache is a pure function
    of its key, so a key reads the same in any process).

    Raises
    ------
    WorkerError
        A worker ended without sending its groups (killed, or out of memory). Each worker has a
        pipe of its own, so the loss is seen at once instead of waited on; the other workers
        are stopped.
    """
    groups = [g for g in _key_groups(keys, n_jobs * GROUPS_PER_JOB) if len(g)]
    # what every reading loads once (the lexicon, the taxonomy, the place names, the compiled
    # name loop), loaded here so that each worker inherits it
    readings_of(keys[:1], normalised=True)
    load_compiled_names(min(max(map(len, groups), default=0), READ_CHUNK))
    context = mp.get_context("fork")
    workers: list[tuple[Any, Any]] = []
    global _FORKED
    _FORKED = (keys, inferrer, groups, context.Value("q", 0))
    try:
        for _ in range(1, n_jobs):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_send_groups, args=(send,), daemon=True)
            process.start()
            send.close()  # this process's copy: the pipe ends when the worker's copy does
            workers.append((process, receive))
        parts = _take_groups(progress)
        for process, receive in workers:
            try:
                ok, value = _receive(receive)
            except EOFError:
                process.join()
                raise WorkerError(
                    f"读取企业文本的工作进程意外退出（退出码 {process.exitcode}），"
                    "可能是内存不足：请减少 n_jobs 后重试"
                ) from None
            if not ok:
                raise value
            parts.extend(value)
    finally:
        _FORKED = None
        for process, receive in workers:
            receive.close()
            if process.is_alive():
                process.terminate()
            process.join()
    parts.sort(key=lambda part: part[0])
    return _merge([read for _, read in parts], groups, len(keys))


def _merge(parts: list[_Read], groups: list[np.ndarray], n: int) -> _Read:
    """The groups' reads as one read of all ``n`` keys in order (``groups[g]``: the positions
    of ``parts[g]``'s keys)."""
    lengths = np.zeros(n, dtype=np.int64)
    for part, at in zip(parts, groups, strict=True):
        lengths[at] = part.lengths
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    total = int(offsets[-1])
    segment = np.empty(total, dtype=np.int64)
    weight = np.empty(total, dtype=np.float32)
    group = np.empty(total, dtype=np.int64)
    texts: dict[str, int] = {}
    guess: dict[str, np.ndarray] = {}
    firsts: list[tuple[np.ndarray, np.ndarray]] = []  # each part's text ids, where first seen
    for part, at in zip(parts, groups, strict=True):
        # each segment's place among all keys' segments: its key's start, then its rank in it
        before = np.cumsum(part.lengths) - part.lengths
        to = np.arange(len(part.segment), dtype=np.int64) + np.repeat(
            offsets[at] - before, part.lengths
        )
        ids = _text_ids(texts, part.texts)
        segment[to] = ids[part.segment]
        weight[to] = part.weight
        group[to] = part.group
        for k, v in part.guess.items():
            if k not in guess:
                guess[k] = np.empty((n, *v.shape[1:]), dtype=v.dtype)
            guess[k][at] = v
        if len(part.segment):
            # the part numbers its texts as they first appear: text j first appears where the
            # running maximum of the ids grows to j
            grown = np.flatnonzero(np.diff(np.maximum.accumulate(part.segment), prepend=-1))
            firsts.append((ids, to[grown]))
    # the texts numbered in the order the keys first show them, as one pass numbers them
    first = np.full(len(texts), total, dtype=np.int64)
    for ids, at in firsts:
        first[ids] = np.minimum(first[ids], at)
    order = np.argsort(first, kind="stable")
    renumber = np.empty(len(texts), dtype=np.int64)
    renumber[order] = np.arange(len(order), dtype=np.int64)
    names = list(texts)
    # the parts' documents end to end: key at[j] of a part has the part's document_at[j]-th
    place = np.empty(n, dtype=np.int64)
    shift = 0
    for part, at in zip(parts, groups, strict=True):
        place[at] = part.document_at + shift
        shift += len(part.documents)
    documents = StringColumn.concat(part.documents for part in parts)
    return _Read(
        texts=[names[i] for i in order.tolist()],
        segment=renumber[segment],
        weight=weight,
        group=group,
        lengths=lengths,
        documents=documents,
        guess=guess,
        document_at=place,
    )


#: Distinct keys from which ``n_jobs`` > 1 reads in worker processes (fewer: in this one).
PARALLEL_MIN_KEYS = 2_000


def read_texts(
    frame: pd.DataFrame,
    inferrer: IndustryInferrer,
    n_jobs: int = 1,
    progress: Progress | None = None,
) -> _Texts:
    """Read every distinct (scope, products, name) of ``frame`` once, ``READ_CHUNK`` at a time,
    keeping only arrays of what :func:`enterprise_profiles`' profiles say.

    ``n_jobs`` > 1 reads the keys in that many processes (this one and forked workers, where the
    platform forks, from :data:`PARALLEL_MIN_KEYS` distinct keys), each the keys of its own
    scopes; the result is the same bit for bit. ``progress(done, total, message)`` hears how
    many of the distinct keys are read (with workers: of the groups taken so far).
    """
    rows, uniques = _text_keys(frame)
    forks = (
        n_jobs > 1 and len(uniques) >= PARALLEL_MIN_KEYS and "fork" in mp.get_all_start_methods()
    )
    if forks:
        read = _read_in_groups(uniques, inferrer, n_jobs, progress)
    else:
        read = _gather(_chunks(uniques, inferrer, progress=progress), inferrer)
    offsets = np.zeros(len(read.lengths) + 1, dtype=np.int64)
    np.cumsum(read.lengths, out=offsets[1:])
    return _Texts(
        texts=read.texts,
        segment=read.segment,
        weight=read.weight,
        group=read.group,
        offsets=offsets,
        documents=read.documents,
        guess=read.guess,
        rows=rows,
        document_at=read.document_at,
    )


def park_documents(frame: pd.DataFrame) -> list[str]:
    """What each park wants, in words: its positioning without refusals and stock phrases,
    plus the official names of its leading industries."""
    docs = []
    for positioning, codes in zip(
        frame["positioning"].astype(object), frame["leading_industries"], strict=True
    ):
        wanted = parse_positioning(positioning).text
        names = " ".join(taxonomy.code_name(c) for c in _split(codes))
        docs.append(f"{wanted} {names}".strip())
    return docs


def _split(codes: object) -> tuple[str, ...]:
    if codes is None or (isinstance(codes, float) and np.isnan(codes)) or codes == "":
        return ()
    return tuple(str(codes).split(";"))


class IndustryInferrer:
    """Industry inference over a table: :func:`matcher.text.infer_industry` for every distinct
    text, its code as taxonomy ids, with the confidence and the abstentions.

    Nothing is learned from the fitted sample: inference is knowledge (the lexicon, the scope
    reader), so it behaves the same on every data set.
    """

    def predict(self, profiles: list[Profile], rows: np.ndarray) -> dict[str, np.ndarray]:
        """Arrays per row: ``code`` (object, None when abstained), ``conf``, ``raw`` (the best
        guess even when abstained), ``activity`` (int8) and ``make_share`` (float32)."""
        table = self.table([p.inference for p in profiles])
        empty = self.table([Inference(None, 0.0, None, None)])
        return {k: np.concatenate([v, empty[k]])[rows] for k, v in table.items()}

    def table(self, inferences: Sequence[Inference]) -> dict[str, np.ndarray]:
        """The arrays of :meth:`predict` with one row per inference."""
        return self.table_of_values(
            [
                (i.code, i.confidence, i.raw_code, i.activity, i.make_share, i.candidates)
                for i in inferences
            ]
        )

    def table_of_values(self, values: Sequence[tuple]) -> dict[str, np.ndarray]:
        """:meth:`table` of inferences given as their fields (code, confidence, raw code,
        activity, make share, candidates and any more: ``Readings.values``), without an
        :class:`Inference` each."""
        n = len(values)
        columns = list(zip(*values, strict=True))[:6] if n else [()] * 6
        codes, confs, raws, activities, makes, candidates = columns
        code = np.array(codes, dtype=object)
        raw = np.array(raws, dtype=object)
        conf = np.array(confs, dtype=np.float32)
        act = np.array([ACTIVITY_CODES.get(a or "", -1) for a in activities], dtype=np.int8)
        make = np.array(makes, dtype=np.float32)
        ids = taxonomy.get_taxonomy().ids
        k = CANDIDATES
        # filled as flat lists, then converted in one call each (the same int32 ids and float32
        # roundings as setting the arrays' elements one by one, in a third less time)
        leaf = [-1] * (n * k)
        share = [0.0] * (n * k)
        at = 0
        for found in candidates:
            j = at
            for cand, part in found[:k]:
                leaf[j] = ids[cand]
                share[j] = part
                j += 1
            at += k
        return {
            "cand_leaf": np.array(leaf, dtype=np.int32).reshape(n, k),
            "cand_share": np.array(share, dtype=np.float32).reshape(n, k),
            "code": code,
            "raw": raw,
            "conf": conf,
            "activity": act,
            "make_share": make,
        }


#: Integer codes of where an enterprise's size class came from.
SIZE_SOURCES = (None, "declared", "derived", "inferred")


@dataclass
class EnterpriseArrays:
    """Per-enterprise arrays, aligned by row: numbers, small integer codes, sparse text rows.

    Strings are kept compact (:class:`StringColumn`, fixed-width ids); industry codes are kept as
    taxonomy ids (``leaf``), with ``code`` / ``declared`` derived from them on demand.
    """

    ids: np.ndarray  # <U fixed width
    names: StringColumn
    code_source: np.ndarray  # int8: CODE_NONE / CODE_DECLARED / CODE_INFERRED
    code_conf: np.ndarray  # float32: 1 for declared, inference confidence otherwise
    leaf: np.ndarray  # int32: taxonomy id of the effective code, -1 missing
    declared_leaf: np.ndarray  # int32: taxonomy id of the declared code (for exclusions)
    inferred_leaf: np.ndarray  # int32: what the text says (best guess, even below the threshold)
    inferred_conf: np.ndarray  # float32: its calibrated confidence (0 without text evidence)
    conflict: np.ndarray  # bool: declared code and confident inference disagree
    cand_leaf: np.ndarray  # int32 (n, K): the inferred code and its alternatives, -1 padded
    cand_share: np.ndarray  # float32 (n, K): their shares of the text evidence
    activity: np.ndarray  # int8: main activity (index into text.ACTIVITIES), -1 unknown
    make_share: np.ndarray  # float32: share of the text evidence on making / R&D / farming
    X: sparse.csr_matrix  # blocked TF-IDF rows of clause objects, products and name words
    docs: StringColumn  # the clauses behind X, "；"-separated (for reasons)
    has_text: np.ndarray  # bool
    lat: np.ndarray  # float64, NaN unknown
    lon: np.ndarray
    place: StringColumn  # county / city name for reasons
    region: np.ndarray  # int32: adcode of the most specific place known, 0 unknown
    space: np.ndarray  # float32, NaN unknown
    size: np.ndarray  # int8, -1 unknown
    size_source: np.ndarray  # int8 index into SIZE_SOURCES
    srdi: np.ndarray  # int8, -1 unknown
    high_tech: np.ndarray  # int8, -1 unknown
    patents: np.ndarray  # float32, NaN unknown
    position: RowPositions = field(default_factory=lambda: RowPositions(np.zeros(0, dtype=str)))
    # per-row state of feature families; a value with a ``saved_arrays()`` method (name → array)
    # is saved with the index, and a loaded index holds those arrays under
    # ``extras[SAVED_STATE][name]`` for the family to rebuild its state from (memory-mapped)
    extras: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def code_at(self, row: int) -> str | None:
        """Effective code of one enterprise."""
        leaf = int(self.leaf[row])
        return None if leaf < 0 else taxonomy.get_taxonomy().codes[leaf]

    def declared_at(self, row: int) -> str | None:
        """Declared code of one enterprise."""
        leaf = int(self.declared_leaf[row])
        return None if leaf < 0 else taxonomy.get_taxonomy().codes[leaf]

    @property
    def code(self) -> np.ndarray:
        """Effective GB/T code of each enterprise (declared, else inferred, else None)."""
        return _codes_of(self.leaf)

    @property
    def declared(self) -> np.ndarray:
        """Declared GB/T code of each enterprise (None where missing)."""
        return _codes_of(self.declared_leaf)


def _codes_of(leaf: np.ndarray) -> np.ndarray:
    table = np.asarray([*taxonomy.get_taxonomy().codes, None], dtype=object)
    return table[leaf]


@dataclass
class ParkArrays:
    """Per-park arrays, aligned by row; code lists are flattened with an offsets array."""

    ids: np.ndarray
    names: StringColumn
    leading: list[tuple[str, ...]]
    excluded: list[tuple[str, ...]]
    lead_sim: np.ndarray  # float32 (m, n_codes + 1): industry relatedness of every code id
    excl_hit: np.ndarray  # bool (m, n_codes + 1): code id at or below an excluded industry
    refused: list[tuple[tuple[str, str], ...]]  # (word, code) refused by the positioning
    refused_hit: np.ndarray  # bool (m, n_codes + 1): code id under a refused word's code
    refuse_trade: np.ndarray  # bool: the positioning refuses pure trading firms
    wants: np.ndarray  # float32 (m, len(GROUPS)): weight of each activity group in the text
    X: sparse.csr_matrix  # blocked rows (what the park wants, × wants per block)
    docs: StringColumn
    has_text: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    place: StringColumn
    region: np.ndarray  # int32 adcode, 0 unknown
    park_type: np.ndarray  # int8: index into schema.PARK_TYPES, -1 unknown
    location_preference: np.ndarray  # int8: index into schema.LOCATION_PREFERENCES (0 any)
    available: np.ndarray  # float32, NaN unknown
    weights: list[dict[str, float]]  # per-park overrides from weight_* columns
    position: dict[str, int] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)  # per-row state of feature families

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class MatchIndex:
    """Everything the feature families need, built once by :func:`build_index`."""

    enterprises: EnterpriseArrays
    parks: ParkArrays
    vectorizer: TextVectorizer
    inferrer: IndustryInferrer

    def park_row(self, park_id: str) -> int:
        """The row of a park; :class:`~matcher.exceptions.UnknownIdError` when it is not here."""
        try:
            return self.parks.position[str(park_id)]
        except KeyError:
            raise UnknownIdError("park", park_id) from None

    def enterprise_row(self, enterprise_id: str) -> int:
        """The row of an enterprise; :class:`~matcher.exceptions.UnknownIdError` when it is not
        here."""
        try:
            return self.enterprises.position[str(enterprise_id)]
        except KeyError:
            raise UnknownIdError("enterprise", enterprise_id) from None


def _tables(lists: list[tuple[str, ...]]) -> np.ndarray:
    """One row per park: whether every code id lies at or below one of the park's codes."""
    tax = taxonomy.get_taxonomy()
    out = np.zeros((len(lists), len(tax.codes) + 1), dtype=np.float32)
    for i, codes in enumerate(lists):
        if codes:
            out[i] = tax.similarity_tables(codes)[0]
    return out


def _relatedness_tables(lists: list[tuple[str, ...]]) -> np.ndarray:
    """One row per park: the relatedness of every code id to the park's leading codes."""
    rel = get_relatedness()
    out = np.zeros((len(lists), len(taxonomy.get_taxonomy().codes) + 1), dtype=np.float32)
    for i, codes in enumerate(lists):
        if codes:
            out[i] = rel.table(codes)
    return out


def park_wants(lists: list[tuple[str, ...]], refuse_trade: np.ndarray) -> np.ndarray:
    """What each park wants of each activity group (best over its leading codes' 门类)."""
    out = np.zeros((len(lists), len(GROUPS)), dtype=np.float32)
    for i, codes in enumerate(lists):
        rows = [WANTS.get(taxonomy.section_of(c), WANTS_DEFAULT) for c in codes] or [WANTS_DEFAULT]
        out[i] = np.max(np.asarray(rows, dtype=np.float32), axis=0)
        if refuse_trade[i]:
            out[i, GROUPS.index("commerce")] = 0.0
    return out


def _refused_codes(words: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(word, code) of the refused words the lexicon knows (电镀 → 3360)."""
    lexicon = get_lexicon()
    out: list[tuple[str, str]] = []
    for word in words:
        hits = lexicon.hits(word)
        if hits:
            out.extend((word, c) for c in hits[-1].codes)
    return tuple(dict.fromkeys(out))


def _int8_map(values: pd.Series, mapping: dict[str, int]) -> np.ndarray:
    """Small integer code of each value (-1 for missing or unmapped), one look-up per distinct
    (a pandas string column is numbered through its Arrow array, without Python objects)."""
    plain = isinstance(values.dtype, pd.StringDtype)
    codes, uniques = pd.factorize(
        values if plain else values.to_numpy(dtype=object), use_na_sentinel=True
    )
    table = np.array([mapping.get(u, -1) if isinstance(u, str) else -1 for u in uniques] + [-1])
    return table[codes].astype(np.int8)


def _place(frame: pd.DataFrame) -> StringColumn:
    place = frame["county"].fillna(frame["city"]).fillna(frame["province"])
    return StringColumn.from_iterable(place.astype(object).where(place.notna(), None))


def _regions(frame: pd.DataFrame) -> np.ndarray:
    from ..reference.geo import get_gazetteer

    return get_gazetteer().region_codes(frame["province"], frame["city"], frame["county"])


def _fixed_ids(values: pd.Series) -> np.ndarray:
    return np.asarray(values.astype(str).tolist(), dtype=str)


def _declared_codes(enterprises: pd.DataFrame) -> np.ndarray:
    col = enterprises["industry_code"]
    return col.astype(object).where(col.notna(), None).to_numpy(dtype=object, copy=True)


def _conflicts(declared: np.ndarray, inferred: np.ndarray, conf: np.ndarray) -> np.ndarray:
    """Declared code and a confident inference in different 大类 (a reseller declared as a
    software developer): the text contradicts the sheet."""
    tax = taxonomy.get_taxonomy()
    out = np.zeros(len(declared), dtype=bool)
    cand = np.flatnonzero((declared >= 0) & (inferred >= 0) & (conf >= CONFIDENT))
    if not len(cand):
        return out
    d, i = tax.id_paths(declared[cand]), tax.id_paths(inferred[cand])
    same_division = (d[:, 1] >= 0) & (d[:, 1] == i[:, 1])
    out[cand] = ~same_division & (d[:, 0] != -1)
    return out


def enterprise_arrays(
    enterprises: pd.DataFrame,
    vectorizer: TextVectorizer,
    inferrer: IndustryInferrer,
    texts: _Texts | None = None,
) -> EnterpriseArrays:
    """Per-enterprise arrays from a validated frame, with the fitted vectoriser.

    Missing codes are inferred from the text (abstaining below the confidence threshold);
    missing sizes are then derived from the inferred code. ``texts`` is what
    :func:`read_texts` read of the frame (read here when not given); it is let go as soon as what
    the index keeps of it is taken, so a caller that hands it over without keeping a reference
    (as :func:`build_index` does) frees its arrays and documents before the rest is built.
    """
    tax = taxonomy.get_taxonomy()
    if texts is None:
        texts = read_texts(enterprises, inferrer)
    n = len(enterprises)
    rows = texts.rows
    ids, owners, weights, groups = texts.row_segments()
    segment_texts, documents = texts.texts, texts.documents
    guess = {k: v[rows] for k, v in texts.guess.items()}
    at = texts.document_at[rows]  # each row's document
    del texts  # the segment and inference arrays go before the text rows are built
    X = vectorizer.transform_segment_ids(
        segment_texts, ids, owners, weights, groups, n_rows=n, n_groups=len(GROUPS)
    )
    del ids, owners, weights, groups, segment_texts
    trim_heap()  # what the text rows' threads freed
    # after the text rows: the column reuses what building them held
    docs = documents.take(at)
    del documents, rows, at
    declared = _declared_codes(enterprises)
    has_text = np.diff(X.indptr) > 0
    code = declared.copy()
    source = np.where(pd.notna(declared), CODE_DECLARED, CODE_NONE).astype(np.int8)
    conf = np.where(source == CODE_DECLARED, 1.0, 0.0).astype(np.float32)
    missing = np.flatnonzero((source == CODE_NONE) & pd.notna(guess["code"]))
    code[missing] = guess["code"][missing]
    source[missing] = CODE_INFERRED
    conf[missing] = guess["conf"][missing]
    declared_leaf = tax.leaves(tax.paths(list(declared)))
    inferred_leaf = tax.leaves(tax.paths(list(guess["raw"])))

    size_values = (
        enterprises["size_class"]
        .astype(object)
        .where(enterprises["size_class"].notna(), None)
        .to_numpy(dtype=object, copy=True)
    )
    size_source = _int8_map(
        enterprises["size_class_source"], {s: i for i, s in enumerate(SIZE_SOURCES) if s}
    )
    size_source[size_source < 0] = 0
    need_size = np.flatnonzero((pd.isna(size_values)) & (source == CODE_INFERRED))
    if len(need_size):
        derived = sizes.classify_sizes(
            list(code[need_size]),
            pd.to_numeric(enterprises["employees"], errors="coerce").to_numpy(float)[need_size],
            pd.to_numeric(enterprises["revenue_wan"], errors="coerce").to_numpy(float)[need_size],
        )
        size_values[need_size] = derived
        size_source[need_size[~pd.isna(derived)]] = SIZE_SOURCES.index("inferred")

    ht = enterprises["high_tech"]
    ents = EnterpriseArrays(
        ids=_fixed_ids(enterprises["enterprise_id"]),
        names=StringColumn.from_iterable(enterprises["name"].astype(str)),
        code_source=source,
        code_conf=conf,
        leaf=tax.leaves(tax.paths(list(code))),
        declared_leaf=declared_leaf,
        inferred_leaf=inferred_leaf,
        inferred_conf=np.where(inferred_leaf >= 0, guess["conf"], 0.0).astype(np.float32),
        conflict=_conflicts(declared_leaf, inferred_leaf, guess["conf"]),
        cand_leaf=guess["cand_leaf"],
        cand_share=guess["cand_share"],
        activity=guess["activity"].astype(np.int8),
        make_share=guess["make_share"].astype(np.float32),
        X=X,
        docs=docs,
        has_text=has_text,
        lat=pd.to_numeric(enterprises["lat"], errors="coerce").to_numpy(dtype=np.float64),
        lon=pd.to_numeric(enterprises["lon"], errors="coerce").to_numpy(dtype=np.float64),
        place=_place(enterprises),
        region=_regions(enterprises),
        space=pd.to_numeric(enterprises["space_need_sqm"], errors="coerce").to_numpy(np.float32),
        size=_int8_map(pd.Series(size_values, dtype=object), SIZE_CODES),
        size_source=size_source,
        srdi=_int8_map(enterprises["srdi_level"], SRDI_CODES),
        high_tech=np.where(ht.isna(), -1, ht.fillna(False).astype(bool)).astype(np.int8),
        patents=pd.to_numeric(enterprises["patents"], errors="coerce").to_numpy(np.float32),
    )
    ents.position = RowPositions(ents.ids)
    return ents


def park_arrays(parks: pd.DataFrame, vectorizer: TextVectorizer, docs: list[str]) -> ParkArrays:
    """Per-park arrays from a validated frame and its documents (:func:`park_documents`)."""
    leading = [_split(v) for v in parks["leading_industries"]]
    excluded = [_split(v) for v in parks["excluded_industries"]]
    positionings = [parse_positioning(v) for v in parks["positioning"].astype(object)]
    refused = [_refused_codes(p.refused) for p in positionings]
    refuse_trade = np.array([p.refuse_trade for p in positionings], dtype=bool)
    wants = park_wants(leading, refuse_trade)
    weight_cols = [c for c in parks.columns if str(c).startswith("weight_")]
    weights = (
        [
            {c.removeprefix("weight_"): float(row[c]) for c in weight_cols if pd.notna(row[c])}
            for _, row in parks[weight_cols].iterrows()
        ]
        if weight_cols
        else [{} for _ in range(len(parks))]
    )
    plain = vectorizer.transform(docs)
    arrays = ParkArrays(
        ids=_fixed_ids(parks["park_id"]),
        names=StringColumn.from_iterable(parks["name"].astype(str)),
        leading=leading,
        excluded=excluded,
        lead_sim=_relatedness_tables(leading),
        excl_hit=_tables(excluded) >= 1.0,
        refused=refused,
        refused_hit=_tables([tuple(c for _, c in r) for r in refused]) >= 1.0,
        refuse_trade=refuse_trade,
        wants=wants,
        X=vectorizer.block(plain, wants),
        docs=StringColumn.from_iterable(docs),
        has_text=np.diff(plain.indptr) > 0,
        lat=pd.to_numeric(parks["lat"], errors="coerce").to_numpy(dtype=np.float64),
        lon=pd.to_numeric(parks["lon"], errors="coerce").to_numpy(dtype=np.float64),
        place=_place(parks),
        region=_regions(parks),
        park_type=_int8_map(parks["park_type"], {t: i for i, t in enumerate(PARK_TYPES)}),
        location_preference=np.maximum(
            _int8_map(
                parks["location_preference"],
                {t: i for i, t in enumerate(LOCATION_PREFERENCES)},
            ),
            0,
        ).astype(np.int8),
        available=pd.to_numeric(parks["available_sqm"], errors="coerce").to_numpy(np.float32),
        weights=weights,
    )
    arrays.position = {k: i for i, k in enumerate(arrays.ids.tolist())}
    return arrays


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused meanwhile (and restored as it was).

    Building an index creates millions of small objects without reference cycles (the texts'
    profiles, keys, tuples); every few thousand allocations the collector would trace all of
    them again, which cost about a sixth of a fit at 200,000 rows. The reasons of a long
    ranking page pause it too (:data:`matcher.ranking.PAUSE_GC_ROWS`).
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            _to_oldest_generation()
            gc.enable()


@functools.lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def trim_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; nothing
    elsewhere).

    What a fit frees in the middle of the heap, or in the heap of a thread that built text rows,
    stays resident until something else takes it: 0.2-0.5 GiB at 1,000,000 rows, which the
    text columns' transpose (built at the fit's first ranking) then added to. Each call takes
    about 5 ms.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _to_oldest_generation() -> None:
    """Move every object the collector tracks into its oldest generation, without tracing any.

    While the collector was paused, everything the build made and kept stayed in the youngest
    generation; the first young collection after it would trace all of it (1.4 s after a fit of
    1,000,000 rows), and the middle one again. Freezing and unfreezing moves them to the oldest
    generation, which only a full collection traces, as it would anyway. Skipped when objects
    are frozen already (e.g. a service froze its loaded index): unfreezing would release them.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def build_index(
    parks: pd.DataFrame,
    enterprises: pd.DataFrame,
    *,
    n_jobs: int = 1,
    progress: Progress | None = None,
) -> MatchIndex:
    """Read every text, fit the vectoriser on what enterprises and parks say, build the arrays.

    ``n_jobs`` > 1 reads the enterprises' texts in that many processes (see
    :func:`read_texts`); the index is the same bit for bit. ``progress(done, total, message)``
    hears how many distinct texts are read, then once more before the arrays are built.
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs < 1:
        raise ConfigError(f"n_jobs 应为正整数（读取文本的进程数），而不是 {n_jobs!r}")
    with gc_paused():
        return _build_index(parks, enterprises, int(n_jobs), progress)


def _build_index(
    parks: pd.DataFrame, enterprises: pd.DataFrame, n_jobs: int, progress: Progress | None
) -> MatchIndex:
    inferrer = IndustryInferrer()
    read = [read_texts(enterprises, inferrer, n_jobs, progress)]
    trim_heap()  # what the reading freed
    if progress is not None:
        n = len(read[0].offsets) - 1
        progress(n, n, "文本已读完，正在建立索引数组")
    park_docs = park_documents(parks)
    # each distinct segment text once, weighted by how often it occurs: the same fit as on
    # every segment text of every key (5.3 million at 1,000,000 generated rows, 3,262 distinct)
    texts = read[0]
    occurs = np.bincount(texts.segment, minlength=len(texts.texts))
    vectorizer = TextVectorizer().fit(
        [*texts.texts, *park_docs],
        sample_weight=np.concatenate([occurs, np.ones(len(park_docs), dtype=np.int64)]),
    )
    del texts
    # handed over, not kept: the texts' arrays and documents go once the enterprises' are taken
    ents = enterprise_arrays(enterprises, vectorizer, inferrer, read.pop())
    index = MatchIndex(ents, park_arrays(parks, vectorizer, park_docs), vectorizer, inferrer)
    trim_heap()  # what the build freed, before the first ranking adds the text columns
    return index


def with_enterprises(index: MatchIndex, enterprises: pd.DataFrame) -> MatchIndex:
    """A view of ``index`` whose enterprises are ``enterprises`` (not seen at fit).

    Uses the fitted vectoriser and inferrer, so the new rows are scored exactly as fitted ones.
    """
    with gc_paused():
        ents = enterprise_arrays(enterprises, index.vectorizer, index.inferrer)
    return MatchIndex(ents, index.parks, index.vectorizer, index.inferrer)
