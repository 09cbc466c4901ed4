"""The fit's faster paths build the same index as the plain ones, bit for bit.

- :func:`matcher.index._arrays.read_texts` reads the distinct texts a chunk at a time and keeps
  arrays; the plain path keeps every profile and lists each row's segments one by one.
- :meth:`TextVectorizer.transform_segment_ids` tokenises each distinct segment text once and
  builds the rows a chunk at a time; the plain path is one pass over every segment.
- Names: the place prefix is looked up only at the lengths of the place names that begin with
  the name's first two characters; the plain path tries every length from 10 down to 2.
- :func:`matcher.text._profile.readings_of` (what the fit reads) gives each key's pieces,
  document and inference by ids, reading a scope, products or name once; the plain path is a
  profile per key (:func:`profiles_of`).
"""

from __future__ import annotations

import gc
import re
import sys
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from matcher import load_sample
from matcher.datasets import make_enterprises
from matcher.exceptions import ConfigError, WorkerError
from matcher.index import _arrays as arrays
from matcher.index import build_index
from matcher.io import validate_enterprises
from matcher.text import TextVectorizer
from matcher.text import _inference as inference_module
from matcher.text import _name_kernel as names_module_kernel
from matcher.text import _names as names_module
from matcher.text import _profile as readings
from matcher.text._inference import CANDIDATES, Inference
from matcher.text._normalize import normalize_text
from matcher.text._profile import profiles_of

GROUPS = len(arrays.GROUPS)


def _bits(values: np.ndarray) -> np.ndarray:
    """The bytes of an array, so NaN equals NaN and -0.0 differs from 0.0."""
    return np.ascontiguousarray(values).view(np.uint8)


def _segment_texts(texts: arrays._Texts) -> list[str]:
    """Every segment text of every distinct key, in order."""
    return [texts.texts[i] for i in texts.segment.tolist()]


def _same_matrix(a: sparse.csr_matrix, b: sparse.csr_matrix) -> None:
    assert a.shape == b.shape
    assert a.dtype == b.dtype == np.float32
    assert a.indices.dtype == b.indices.dtype
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(_bits(a.data), _bits(b.data))


@pytest.fixture(scope="module")
def enterprises() -> pd.DataFrame:
    """Generated rows with repeated keys, the sample's real-looking rows, and missing texts."""
    frame = make_enterprises(1500, random_state=3)
    _, sample = load_sample()
    frame = pd.concat([frame, sample, frame.iloc[:200]], ignore_index=True)
    frame["enterprise_id"] = [f"T{i:05d}" for i in range(len(frame))]
    rng = np.random.default_rng(5)
    for col in ("business_scope", "products"):
        frame.loc[rng.random(len(frame)) < 0.1, col] = None
    frame.loc[rng.random(len(frame)) < 0.02, "business_scope"] = "  "
    return validate_enterprises(frame)


def _plain_segments(
    profiles: list, rows: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Texts, owner rows, weights and groups of every segment, row by row."""
    texts, owners, weights, groups = [], [], [], []
    for row, key in enumerate(rows.tolist()):
        for text, weight, group in profiles[key].segments:
            texts.append(text)
            owners.append(row)
            weights.append(weight)
            groups.append(group)
    return (
        texts,
        np.asarray(owners, np.int64),
        np.asarray(weights, np.float32),
        np.asarray(groups, np.int64),
    )


@pytest.mark.parametrize("guess_rows", [arrays.GUESS_ROWS, 0])
def test_read_texts_keeps_what_the_profiles_say(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, guess_rows: int
) -> None:
    """Each key's segments, document and inference as its profile says, over many chunks that
    share one reader and one table of inferences (kept, or started afresh every chunk)."""
    profiles, rows = arrays.enterprise_profiles(enterprises)
    monkeypatch.setattr(arrays, "READ_CHUNK", 97)  # many chunks, the last one short
    monkeypatch.setattr(arrays, "GUESS_ROWS", guess_rows)
    inferrer = arrays.IndustryInferrer()
    texts = arrays.read_texts(enterprises, inferrer)
    assert len(set(rows.tolist())) < len(rows)  # some keys repeat
    np.testing.assert_array_equal(texts.rows, rows)
    assert _segment_texts(texts) == [t for p in profiles for t, _, _ in p.segments]
    # each distinct document once, each key's found through document_at
    assert texts.document_at is not None
    assert len(texts.documents) == len({p.document for p in profiles}) < len(profiles)
    assert texts.documents.take(texts.document_at).tolist() == [p.document for p in profiles]
    plain = inferrer.predict(profiles, rows)
    assert sorted(plain) == sorted(texts.guess)
    for key, values in plain.items():
        mine = texts.guess[key][rows]
        assert mine.dtype == values.dtype
        if values.dtype == object:
            assert mine.tolist() == values.tolist()
        else:
            np.testing.assert_array_equal(_bits(mine), _bits(values))

    ids, owners, weights, groups = texts.row_segments()
    seg_texts, seg_owners, seg_weights, seg_groups = _plain_segments(profiles, rows)
    assert [texts.texts[i] for i in ids.tolist()] == seg_texts
    np.testing.assert_array_equal(owners, seg_owners)
    np.testing.assert_array_equal(_bits(weights), _bits(seg_weights))
    np.testing.assert_array_equal(groups, seg_groups)


def _one_pass(
    vectorizer: TextVectorizer,
    texts: list[str],
    owners: np.ndarray,
    weights: np.ndarray,
    groups: np.ndarray,
    n_rows: int,
) -> sparse.csr_matrix:
    """Every segment in one pass (the plain path the chunked one must equal)."""
    V = len(vectorizer.keys_)
    S = sparse.coo_matrix(vectorizer._weighted_counts(texts))
    rows = owners[S.row]
    cols = S.col.astype(np.int64) + groups[S.row] * V
    data = S.data * weights[S.row]
    X = sparse.csr_matrix((data, (rows, cols)), shape=(n_rows, GROUPS * V), dtype=np.float32)
    X.sum_duplicates()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags((1.0 / norms).astype(np.float32)) @ X, dtype=np.float32)


@pytest.mark.parametrize("chunk_size", [1, 7, 50_000])
def test_segment_rows_in_chunks_equal_one_pass(enterprises: pd.DataFrame, chunk_size: int) -> None:
    profiles, rows = arrays.enterprise_profiles(enterprises)
    texts, owners, weights, groups = _plain_segments(profiles, rows)
    n = len(rows) + 3  # rows without any segment at the end too
    vectorizer = TextVectorizer(chunk_size=chunk_size).fit(texts)
    expected = _one_pass(vectorizer, texts, owners, weights, groups, n)
    assert expected.nnz > 0
    _same_matrix(
        vectorizer.transform_segments(texts, owners, weights, groups, n_rows=n, n_groups=GROUPS),
        expected,
    )
    # segments of a row apart from each other: each row's own order is what counts
    order = np.random.default_rng(0).permutation(len(texts))
    order = order[np.argsort(owners[order], kind="stable")][::-1]
    order = np.concatenate([order[::2], order[1::2]])
    by_row = np.argsort(owners[order], kind="stable")
    shuffled = [texts[i] for i in order.tolist()]
    got = vectorizer.transform_segments(
        shuffled, owners[order], weights[order], groups[order], n_rows=n, n_groups=GROUPS
    )
    _same_matrix(
        got,
        _one_pass(
            vectorizer,
            [shuffled[i] for i in by_row.tolist()],
            owners[order][by_row],
            weights[order][by_row],
            groups[order][by_row],
            n,
        ),
    )
    empty = vectorizer.transform_segments(
        [], owners[:0], weights[:0], groups[:0], n_rows=4, n_groups=GROUPS
    )
    assert empty.shape == (4, GROUPS * len(vectorizer.keys_)) and empty.nnz == 0


@pytest.mark.parametrize("threads", [2, 3])
def test_segment_rows_on_threads_equal_one_thread(
    enterprises: pd.DataFrame, threads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text rows' chunks built on several threads are the rows one thread builds."""
    from matcher.text import _vectorizer as vectorizer_module

    profiles, rows = arrays.enterprise_profiles(enterprises)
    texts, owners, weights, groups = _plain_segments(profiles, rows)
    vectorizer = TextVectorizer(chunk_size=97).fit(texts)
    n = len(rows) + 3

    def build() -> sparse.csr_matrix:
        return vectorizer.transform_segments(
            texts, owners, weights, groups, n_rows=n, n_groups=GROUPS
        )

    monkeypatch.setattr(vectorizer_module.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(vectorizer_module, "ROW_THREADS", 1)
    one = build()
    monkeypatch.setattr(vectorizer_module, "ROW_THREADS", threads)
    _same_matrix(build(), one)
    assert one.nnz > 0 and n // 97 > 10


def test_build_index_in_chunks_equals_one_chunk(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    parks, _ = load_sample()
    whole = build_index(parks, enterprises)
    monkeypatch.setattr(arrays, "READ_CHUNK", 13)
    monkeypatch.setattr(TextVectorizer, "__init__", _small_chunks(TextVectorizer.__init__))
    chunked = build_index(parks, enterprises)
    a, b = whole.enterprises, chunked.enterprises
    _same_matrix(a.X, b.X)
    for name, value in vars(a).items():
        other = getattr(b, name)
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(_bits(value), _bits(other), err_msg=name)
        elif isinstance(value, arrays.StringColumn):
            assert value.tolist() == other.tolist(), name
    np.testing.assert_array_equal(_bits(whole.vectorizer.idf_), _bits(chunked.vectorizer.idf_))


def test_build_index_fits_the_vectoriser_on_every_segment_text(enterprises: pd.DataFrame) -> None:
    # the fit is given each distinct text once with how often it occurs: the same vocabulary
    # and weights as a fit on every segment of every distinct key, then the parks' documents
    parks, _ = load_sample()
    index = build_index(parks, enterprises)
    texts = arrays.read_texts(enterprises, arrays.IndustryInferrer())
    every = _segment_texts(texts)
    plain = TextVectorizer().fit([*every, *arrays.park_documents(parks)])
    assert len(every) > 2 * len(texts.texts)  # texts recur
    assert index.vectorizer.vocabulary_.tolist() == plain.vocabulary_.tolist()
    np.testing.assert_array_equal(_bits(index.vectorizer.idf_), _bits(plain.idf_))


def _small_chunks(init):  # type: ignore[no-untyped-def]
    def wrapped(self, **kwargs):  # type: ignore[no-untyped-def]
        init(self, **{**kwargs, "chunk_size": 11})

    return wrapped


def _plain_strip_region(text: str) -> tuple[str, str]:
    """The place prefix found by trying every length from 10 characters down to 2."""
    places = names_module._places()
    region = ""
    changed = True
    while changed:
        changed = False
        for word in names_module._NATIONAL:
            if text.startswith(word) and len(text) > len(word) + 2:
                region += word
                text = text[len(word) :]
                changed = True
        for size in range(min(10, len(text) - 2), 1, -1):
            if text[:size] in places:
                region += text[:size]
                text = text[size:]
                changed = True
                break
    return text, region


def test_place_prefix_lookup_equals_trying_every_length(enterprises: pd.DataFrame) -> None:
    names = [n for n in enterprises["name"].astype(object).tolist() if isinstance(n, str)]
    places = sorted(names_module._places())
    rng = np.random.default_rng(1)
    made = [
        "".join(rng.choice(places, size=int(rng.integers(1, 4)))) + tail
        for tail in ("华达铝业有限公司", "华达", "达", "")
        for _ in range(300)
    ]
    made += [
        "中国国际郑州华达有限公司",
        "中华全国总工会",
        "郑州市",
        "郑州",
        "国际",
        "中国中国华达公司",
        "国际中国郑州华达有限公司",
        "全国中华",
        "中国",
        "中",
    ]
    for name in names + made:
        stripped, _, _ = names_module._strip_form(name)
        assert names_module._strip_region(stripped) == _plain_strip_region(stripped), name
        assert names_module._strip_region(name) == _plain_strip_region(name), name
    assert names_module._parse.__wrapped__("（郑州）华达铝业有限公司").region == "郑州"


def test_region_codes_equal_one_lookup_per_row(enterprises: pd.DataFrame) -> None:
    from matcher.reference.geo import get_gazetteer

    gazetteer = get_gazetteer()
    provinces = [*enterprises["province"], "河南", None, np.nan, pd.NA, "河南省", " 河南 ", "河南"]
    cities = [*enterprises["city"], "郑州", "上海", None, "郑州", float("nan"), "鄭州", None]
    counties = [*enterprises["county"], "登封", None, None, "登封", "登封", None, "巩义"]
    got = gazetteer.region_codes(provinces, cities, counties)
    expected = []
    for p, c, k in zip(provinces, cities, counties, strict=True):
        region = gazetteer.lookup_region(p, c, k)
        expected.append(int(region.adcode) if region is not None else 0)
    assert got.dtype == np.int32
    assert got.tolist() == expected
    assert len(set(expected)) > 5 and 0 in expected
    assert gazetteer.region_codes([], [], []).tolist() == []


def _reading_keys(enterprises: pd.DataFrame) -> list[tuple[object, object, object]]:
    """The frame's keys, plus keys that read the same: one scope and products under names with
    the same 行业表述, a name with no industry words, and the same texts twice."""
    keys = list(
        zip(
            enterprises["business_scope"].astype(object),
            enterprises["products"].astype(object),
            enterprises["name"].astype(object),
            strict=True,
        )
    )
    scope, products = "铝型材制造；铝型材销售；道路货物运输", "铝型材、铝板"
    keys += [
        (scope, products, "巩义市华达铝型材有限公司"),
        (scope, products, "郑州市宏骏铝型材有限公司"),
        (scope, products, "郑州华达有限公司"),
        (scope, products, "郑州宏骏有限公司"),
        (scope, None, "郑州宏骏有限公司"),
        (None, None, "郑州宏骏铝型材厂"),
        (None, None, None),
    ]
    return keys + keys[:50]


def test_profiles_without_evidence_equal_the_cached_profiles(enterprises: pd.DataFrame) -> None:
    keys = _reading_keys(enterprises)
    lean = profiles_of(keys, evidence=False)
    # read without evidence first: the cache of full profiles must not keep those
    full = profiles_of(keys)
    assert len(lean) == len(full) == len(keys)
    assert any(p.inference.evidence for p in full)
    assert all(p.inference.evidence == () for p in lean)
    for a, b in zip(lean, full, strict=True):
        assert a.segments == b.segments
        assert a.clauses == b.clauses
        assert replace(a.inference, evidence=b.inference.evidence) == b.inference
    # keys that read the same share one profile within a call: names with the same 行业表述,
    # names without one, the same texts again
    n = len(enterprises)
    assert lean[n] is lean[n + 1] and lean[n + 2] is lean[n + 3]
    assert lean[n + 1] is not lean[n + 2]
    assert all(lean[i] is lean[n + 7 + i] for i in range(50))


def _plain_combine(parts: list, activity: str | None) -> Inference:
    """The sources added into an empty dict, the code chosen without a memory (the plain path
    :func:`_inference._combine` must equal)."""
    mass: dict[str, float] = {}
    for part in parts:
        for code, m in part.mass:
            mass[code] = mass.get(code, 0.0) + m
    total = sum(p.total for p in parts)
    total_weight = sum(p.weight for p in parts)
    matched = sum(p.matched for p in parts)
    production = sum(p.production for p in parts)
    code, share, candidates = inference_module._decide(mass)
    if code is None:
        return Inference(None, 0.0, None, activity)
    coverage = matched / total_weight if total_weight else 0.0
    raw = inference_module.raw_score(share, total, coverage)
    conf = inference_module._calibrate_one(raw)
    pieces = [e for p in parts for e in p.strongest]
    evidence = tuple(
        sorted(pieces, key=lambda e: e.mass, reverse=True)[: inference_module.EVIDENCE_KEPT]
    )
    subjects = [s for p in parts for s in p.subjects]
    if subjects and code.startswith("73") and total > 0:
        subject, mass_ = max(subjects, key=lambda s: (s[1], s[0]))
        candidates = [candidates[0], (subject, mass_ / total), *candidates[1:]][:CANDIDATES]
    chosen = code if conf >= inference_module.ABSTAIN_BELOW else None
    make_share = production / total if total else 0.0
    return Inference(chosen, conf, code, activity, make_share, tuple(candidates), evidence, raw)


def test_combined_evidence_equals_plain_addition(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[list, str | None]] = []
    combine = inference_module._combine

    def spy(parts, activity, evidence):  # type: ignore[no-untyped-def]
        seen.append((list(parts), activity))
        return combine(parts, activity, evidence)

    monkeypatch.setattr(inference_module, "_combine", spy)
    inference_module._decided.cache_clear()
    profiles_of(_reading_keys(enterprises), evidence=False)
    monkeypatch.undo()
    assert inference_module._decided.cache_info().hits > 0  # sources that add up the same
    assert {len(parts) for parts, _ in seen} == {1, 2, 3}
    assert any(parts[0].mass == () for parts, _ in seen)  # no evidence at all
    for parts, activity in seen:
        assert combine(parts, activity, True) == _plain_combine(parts, activity)


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
@pytest.mark.parametrize("compiled", [0, 10**9])
def test_reading_in_worker_processes_equals_one_process(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, compiled: int
) -> None:
    parks, _ = load_sample()
    monkeypatch.setattr(arrays, "READ_CHUNK", 101)
    monkeypatch.setattr(readings, "COMPILED_NAMES", compiled)
    one = build_index(parks, enterprises)
    calls: list[int] = []
    process = arrays.mp.get_context("fork").Process

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(calls) + 1)
        return process(*args, **kwargs)

    monkeypatch.setattr(arrays.mp.get_context("fork"), "Process", counted)
    monkeypatch.setattr(arrays, "PARALLEL_MIN_KEYS", 10)
    for n_jobs in (2, 3):
        calls.clear()
        two = build_index(parks, enterprises, n_jobs=n_jobs)
        assert calls == list(range(1, n_jobs))  # this process and n_jobs - 1 workers read
        a, b = one.enterprises, two.enterprises
        _same_matrix(a.X, b.X)
        for name, value in vars(a).items():
            other = getattr(b, name)
            if isinstance(value, np.ndarray):
                assert value.dtype == other.dtype, name
                if value.dtype == object:
                    assert value.tolist() == other.tolist(), name
                else:
                    np.testing.assert_array_equal(_bits(value), _bits(other), err_msg=name)
            elif isinstance(value, arrays.StringColumn):  # the same bytes, not only values
                for part in ("data", "offsets", "missing"):
                    left, right = getattr(value, part), getattr(other, part)
                    assert left.dtype == right.dtype, name
                    np.testing.assert_array_equal(left, right, err_msg=f"{name}.{part}")
        np.testing.assert_array_equal(one.vectorizer.keys_, two.vectorizer.keys_)
        np.testing.assert_array_equal(_bits(one.vectorizer.idf_), _bits(two.vectorizer.idf_))
    # below the bound, the keys are read here
    monkeypatch.setattr(arrays, "PARALLEL_MIN_KEYS", len(enterprises) + 1)
    calls.clear()
    build_index(parks, enterprises, n_jobs=2)
    assert calls == []


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_a_worker_that_dies_or_fails_is_an_error_not_a_wait(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    parks, _ = load_sample()
    monkeypatch.setattr(arrays, "PARALLEL_MIN_KEYS", 10)
    take_groups = arrays._take_groups
    here = os.getpid()

    def dies(progress=None) -> list:  # type: ignore[no-untyped-def]
        if os.getpid() != here:  # a worker, killed as by the kernel when memory runs out
            os._exit(9)
        return take_groups(progress)

    monkeypatch.setattr(arrays, "_take_groups", dies)
    with pytest.raises(WorkerError, match=r"退出码 9.*n_jobs"):
        build_index(parks, enterprises, n_jobs=3)

    def fails(progress=None) -> list:  # type: ignore[no-untyped-def]
        if os.getpid() != here:
            raise ValueError("这一组读不出")
        return take_groups(progress)

    monkeypatch.setattr(arrays, "_take_groups", fails)
    with pytest.raises(ValueError, match="这一组读不出"):
        build_index(parks, enterprises, n_jobs=3)
    assert not arrays.mp.active_children()  # every worker stopped and joined


def test_key_groups_keep_each_scope_in_one_group_and_balance_the_keys() -> None:
    keys = [("甲", None, f"n{i}") for i in range(7)]
    keys += [("乙", "铝", f"m{i}") for i in range(4)]
    keys += [(s, None, "x") for s in ("丙", "丁", "戊", None)]
    keys += [(None, None, "y"), (None, "铜", "z")]
    groups = arrays._key_groups(keys, 2)
    assert sorted(np.concatenate(groups).tolist()) == list(range(len(keys)))
    for g in groups:
        assert np.all(np.diff(g) > 0)  # in the keys' order
    owner = {i: g for g, at in enumerate(groups) for i in at.tolist()}
    for scope in {k[0] for k in keys}:
        assert len({owner[i] for i, k in enumerate(keys) if k[0] == scope}) == 1, scope
    # 甲 (7 keys) to the first group, 乙 (4) and None (3) to the second; then the single
    # scopes each to the group with fewer keys (ties: the first): 丙 first, 丁 second, 戊 first
    assert [len(g) for g in groups] == [9, 8]
    assert [len(g) for g in arrays._key_groups(keys[:7], 3)] == [7, 0, 0]


@pytest.mark.parametrize("n_jobs", [0, -1, 1.5, "2", True])
def test_n_jobs_must_be_a_positive_integer(enterprises: pd.DataFrame, n_jobs: object) -> None:
    parks, _ = load_sample()
    with pytest.raises(ConfigError, match="n_jobs"):
        build_index(parks, enterprises, n_jobs=n_jobs)  # type: ignore[arg-type]


def _segments_of(read: readings.Readings, k: int) -> list[tuple[str, float, int]]:
    """Key ``k``'s segments as a profile lists them, from its pieces."""
    out = []
    for piece in read.key_pieces[k].tolist():
        if piece < 0:
            continue
        start = int(read.piece_start[piece])
        for j in range(start, start + int(read.piece_length[piece])):
            out.append(
                (
                    read.texts[int(read.piece_text[j])],
                    float(read.piece_weight[j]),
                    int(read.piece_group[j]),
                )
            )
    return out


@pytest.mark.parametrize("compiled", [0, 10**9])
@pytest.mark.parametrize("limit", [readings.READER_LIMIT, 0])
def test_readings_equal_the_profiles(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, limit: int, compiled: int
) -> None:
    """The ids of :func:`readings_of` say what the lean profiles say, key by key: in calls that
    share a reader (what earlier calls read is reused) and in calls where it starts afresh;
    with the names read by the compiled loop and one by one."""
    monkeypatch.setattr(readings, "READER_LIMIT", limit)
    monkeypatch.setattr(readings, "COMPILED_NAMES", compiled)
    keys = _reading_keys(enterprises)
    lean = profiles_of(keys, evidence=False)
    reader = readings.KeyReader()
    cut = len(keys) // 3
    calls = [readings.readings_of(keys[a:b], reader=reader) for a, b in ((0, cut), (cut, None))]
    assert len(reader) > 0
    got = [(read, k) for read in calls for k in range(len(read.key_pieces))]
    assert len(got) == len(keys)
    for profile, (read, k) in zip(lean, got, strict=True):
        segments = _segments_of(read, k)
        assert segments == list(profile.segments)
        # bit for bit: the weights are the profile's floats
        assert [w.hex() for _, w, _ in segments] == [w.hex() for _, w, _ in profile.segments]
        assert read.documents[k] == profile.document
        assert read.inferences[int(read.key_inference[k])] == profile.inference
    # keys that infer the same share one inference; every one is used
    for read in calls:
        assert len(read.inferences) < len(read.key_inference)
        assert sorted(set(read.key_inference.tolist())) == list(range(len(read.inferences)))
    assert readings.readings_of([]).key_pieces.shape == (0, 3)


def test_a_reader_remembers_scope_and_name_readings_between_calls(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later call given the same reader (the next chunk of a fit) does not read a scope and
    name reading again that an earlier call read, and its keys read as they did the first time;
    a reader that starts afresh (past READER_LIMIT) reads them again."""
    keys = _reading_keys(enterprises)
    calls: list[tuple] = []
    name_sources = readings._name_sources

    def counted(*args):  # type: ignore[no-untyped-def]
        calls.append(args)
        return name_sources(*args)

    monkeypatch.setattr(readings, "_name_sources", counted)
    reader = readings.KeyReader()
    first = readings.readings_of(keys, reader=reader)
    read_first = len(calls)
    assert 0 < read_first < len(keys)  # keys share readings within a call too
    again = readings.readings_of(keys[::-1], reader=reader)
    assert len(calls) == read_first  # nothing read again
    for k, j in zip(range(len(keys)), range(len(keys) - 1, -1, -1), strict=True):
        assert _segments_of(again, j) == _segments_of(first, k)
        assert again.documents[j] == first.documents[k]
        assert (
            again.inferences[int(again.key_inference[j])]
            == first.inferences[int(first.key_inference[k])]
        )
    monkeypatch.setattr(readings, "READER_LIMIT", 0)
    readings.readings_of(keys, reader=reader)
    assert len(calls) == 2 * read_first


def test_build_index_lets_the_texts_go_before_the_text_rows(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What was read (segments, documents, inference arrays per key) is freed once the
    enterprises' arrays are taken from it, before the text rows are built (the fit's peak)."""
    parks, _ = load_sample()
    refs: list[weakref.ref] = []
    read_texts = arrays.read_texts

    def remembered(*args, **kwargs):  # type: ignore[no-untyped-def]
        texts = read_texts(*args, **kwargs)
        refs.append(weakref.ref(texts))
        return texts

    transform = TextVectorizer.transform_segment_ids
    alive: list[bool] = []

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        alive.append(refs[0]() is not None)
        return transform(self, *args, **kwargs)

    monkeypatch.setattr(arrays, "read_texts", remembered)
    monkeypatch.setattr(TextVectorizer, "transform_segment_ids", spy)
    index = build_index(parks, enterprises)
    assert alive == [False]
    profiles, rows = arrays.enterprise_profiles(enterprises)
    assert index.enterprises.docs.tolist() == [profiles[r].document for r in rows.tolist()]


@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_small_codes_of_a_string_column_equal_those_of_its_objects(dtype: object) -> None:
    """Codes of a pandas string column (numbered through its Arrow array) equal the codes of
    the same values as Python objects: mapped, unmapped and missing values alike."""
    mapping = {"declared": 1, "derived": 2, "inferred": 3}
    values = ["declared", None, "derived", "other", "", "inferred", "derived", np.nan]
    column = pd.Series(values * 30, dtype=dtype)
    codes = arrays._int8_map(column, mapping)
    expected = [mapping.get(v, -1) if isinstance(v, str) else -1 for v in values * 30]
    np.testing.assert_array_equal(codes, np.array(expected, dtype=np.int8))
    assert codes.dtype == np.int8
    np.testing.assert_array_equal(codes, arrays._int8_map(column.astype(object), mapping))


def _first_seen_by_sorting(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`first_seen` means, by sorting: ``np.unique``'s first positions, reordered."""
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return first[order], rank[inverse.reshape(-1)]


@pytest.mark.parametrize("seed", range(6))
def test_first_seen_by_hashing_equals_sorting(seed: int) -> None:
    """:func:`first_seen` (pandas' hash table) and :func:`_first_seen_rows` (columns numbered
    in turn) give what sorting gives: where each value is first seen, and each code's value in
    that order; for values near the int64 limits, negatives, one value, none."""
    rng = np.random.default_rng(seed)
    cases = [
        rng.integers(0, 40, 500),
        rng.integers(-(2**62), 2**62, 300),
        rng.integers(-5, 5, 1_000) * 7919,
        np.full(17, 3),
        np.zeros(0, dtype=np.int64),
    ]
    for codes in cases:
        got, expected = readings.first_seen(codes), _first_seen_by_sorting(codes)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)
            assert a.dtype == np.int64
    for width in (1, 2, 4):
        rows = rng.integers(-3, 6, (400, width))
        rows[::7] = rows[0]  # repeats of one row far apart
        void = np.ascontiguousarray(rows).view(np.dtype((np.void, width * 8))).ravel()
        got, expected = readings._first_seen_rows(rows), _first_seen_by_sorting(void)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)
    empty = readings._first_seen_rows(np.zeros((0, 4), dtype=np.int64))
    assert [len(a) for a in empty] == [0, 0]


@pytest.mark.parametrize(
    "values",
    [
        ["铝板", None, "铝板", " ", np.nan, "铝 板", "铝板", None, "  铝板", pd.NA],
        [1, 1.0, True, "1", None, "True", 2.5],  # equal in a hash table, not as texts
        [None, None, np.nan],
        [],
    ],
)
@pytest.mark.parametrize("normalised", [True, False])
def test_key_column_ids_equal_one_setdefault_per_value(
    values: list[object], normalised: bool
) -> None:
    """A key column's ids (pandas' hash table over its strings, each distinct string's text
    made once) equal the ids a ``dict.setdefault`` per value's text gives, first seen first."""
    for text_of in (
        (readings._scope_text, readings._name_text)
        if normalised
        else (readings.normalize_text, readings._normalised_name)
    ):
        column = np.empty(len(values), dtype=object)
        column[:] = values
        ids, texts = readings._column_ids(column, text_of)
        expected: dict[object, int] = {}
        expected_ids = [expected.setdefault(text_of(v), len(expected)) for v in values]
        assert ids.tolist() == expected_ids
        assert texts == list(expected)


def _generation_of(obj: object) -> int | None:
    """The collector's generation holding ``obj`` (None: untracked or frozen)."""
    for generation in range(3):
        if any(o is obj for o in gc.get_objects(generation=generation)):
            return generation
    return None


@pytest.fixture
def nothing_frozen() -> Iterator[None]:
    """No object frozen (another test's service may have frozen its index: released meanwhile,
    frozen again after)."""
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    try:
        yield
    finally:
        if frozen:
            gc.freeze()


@pytest.mark.usefixtures("nothing_frozen")
def test_build_index_leaves_what_it_made_in_the_oldest_generation(
    enterprises: pd.DataFrame,
) -> None:
    """With the collector paused, what a build keeps would all sit in the youngest generation
    (and be traced by the next young collections); it is handed to the oldest one instead."""
    parks, _ = load_sample()
    assert gc.isenabled()
    index = build_index(parks, enterprises)
    # counted at once: listing the generations below takes long enough for another thread
    # (an earlier test's server) to make objects meanwhile
    young = gc.get_count()[0]
    made = index.parks.leading  # a list the build made and the index keeps
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert _generation_of(made) == 2
    assert young < 50  # the young generation starts empty (but for this test's)
    fresh: list[object] = []
    assert _generation_of(fresh) == 0  # objects made afterwards are young again


@pytest.mark.usefixtures("nothing_frozen")
def test_build_index_leaves_frozen_objects_frozen(enterprises: pd.DataFrame) -> None:
    """A service that froze its loaded index (gc.freeze) keeps it frozen across a fit, and
    what the fit makes is left to the collector as usual (not frozen with it)."""
    parks, _ = load_sample()
    kept: list[object] = [object()]
    gc.freeze()
    try:
        assert _generation_of(kept) is None
        index = build_index(parks, enterprises)
        assert gc.get_freeze_count() > 0
        assert _generation_of(kept) is None
        assert _generation_of(index.parks.leading) is not None
    finally:
        gc.unfreeze()


def test_build_index_keeps_the_collector_off_when_it_was_off(enterprises: pd.DataFrame) -> None:
    parks, _ = load_sample()
    gc.disable()
    try:
        build_index(parks, enterprises)
        assert not gc.isenabled()
    finally:
        gc.enable()


#: Every prior of making :func:`_inference._make_prior` gives, and one it does not.
PRIORS = (0.1, 0.2, 0.35, 0.4, 0.65, 0.7, 0.85, 0.5)


def test_sources_read_once_for_every_prior_they_ignore(enterprises: pd.DataFrame) -> None:
    """A scope without a clause lacking a verb, and products read as an activity, do not depend
    on the prior of making: they are read once for every prior, and that reading equals the
    plain one with each prior (every field of the evidence, its strongest pieces included)."""
    scopes = sorted({s for s in enterprises["business_scope"].tolist() if isinstance(s, str)})
    scopes += ["", "电子产品", "五金交电、电线电缆", "物业管理；家政服务", "研究、开发"]
    plain_scope = inference_module._scope_evidence.__wrapped__
    ignores = 0
    for scope in [*scopes, None]:
        ignores += not inference_module._reads_prior(scope)
        for prior in PRIORS:
            for retail in (False, True):
                got = inference_module._scope_part(scope, prior, retail)
                assert got == plain_scope(scope, prior, retail), (scope, prior)
    assert 0 < ignores < len(scopes)  # both kinds are here
    products = sorted({p for p in enterprises["products"].tolist() if isinstance(p, str)})
    plain_products = inference_module._products_evidence.__wrapped__
    for text in [*products[:300], "", "铝型材；铝板;铝箔", "咨询"]:
        for act in ("make", "trade", "service", "transport", "repair_install", "unspecified"):
            for prior in PRIORS:
                got = inference_module._products_part(text, act, prior)
                assert got == plain_products(text, act, prior), (text, act, prior)
        objects = inference_module._split_products(text)
        objects.append("changed")  # a list of its own: the memory is not changed
        assert "changed" not in inference_module._split_products(text)


def test_name_reading_by_scope_facts_equals_reading_the_scope(enterprises: pd.DataFrame) -> None:
    """A name's implied activity and weight read from the scope's facts equal those read from
    the scope itself, for traders (whose traded codes decide), makers and scopes of nothing."""
    scopes = sorted({s for s in enterprises["business_scope"].tolist() if isinstance(s, str)})
    scopes += ["批发、零售：金属材料", "金属材料销售", "有色金属合金销售", "物业管理"]
    names = [n for n in enterprises["name"].tolist()[:400] if isinstance(n, str)]
    industries = sorted({names_module._parse(n).industry for n in names} - {""})
    industries += ["金属材料", "铝合金车轮", "铝箔", "耐火材料", "科技", "投资管理"]
    kinds = set()
    for scope_text in [*scopes[:150], *scopes[-4:], None]:
        scope = inference_module._scope_of(scope_text)
        kinds.add(scope.main_activity)
        for industry in industries:
            plain = (
                inference_module._name_activity(industry, scope, scope.main_activity),
                inference_module.name_weight(industry, scope),
            )
            assert inference_module._name_reading(industry, scope_text) == plain
    assert {None, "trade", "make"} <= kinds


def test_branch_check_never_skips_a_branch(enterprises: pd.DataFrame) -> None:
    """A name is matched against the branch pattern only when 公司, 厂 or 集团 stands before its
    last two characters: every name the pattern matches passes that check, so no branch is
    missed; and branches still read as branches."""
    names = [n for n in enterprises["name"].astype(object).tolist() if isinstance(n, str)]
    made = [
        "自贡市万里汽车配件公司标准件批发部",
        "郑州华达厂门市部",
        "华达集团郑州营业部",
        "华达公司ab",
        "华达公司a",
        "华达厂",
        "公司门市",
        "集团",
        "",
        "中国电信股份有限公司嘉鱼高铁营业部",
        "郑州华达有限公司（郑州）",
    ]
    matched = 0
    for name in names + made:
        text = names_module._BRACKET.sub("", name).strip()
        head = text[:-2]
        if names_module._BRANCH.match(text):
            matched += 1
            assert "公司" in head or "厂" in head or "集团" in head, name
    assert matched >= 5
    parts = names_module._parse.__wrapped__("自贡市万里汽车配件公司标准件批发部")
    assert (parts.industry, parts.parent_industry, parts.activity) == (
        "标准件",
        "汽车配件",
        "trade",
    )


def test_names_that_differ_in_form_read_as_their_profiles(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names that differ only in a legal form share what the sources read (one reading for
    有限公司, 股份有限公司, 有限责任公司), and forms that say something (a shop's, a form that names
    a code, a factory's) are read on their own: every key reads what its profile says."""
    scopes = [
        "铝型材制造；铝型材销售；道路货物运输",
        "汽油、柴油零售；润滑油销售",
        "电子产品销售",
        None,
        *[s for s in enterprises["business_scope"].tolist()[:3] if isinstance(s, str)],
    ]
    brands = ("华达", "宏骏")
    tails = ("铝型材", "石化", "电子", "")
    forms = ("有限公司", "股份有限公司", "有限责任公司", "厂", "店", "加油站", "经营部", "集团公司")
    keys = [
        (scope, products, f"郑州{brand}{tail}{form}")
        for scope in scopes
        for products in (None, "铝型材")
        for brand in brands
        for tail in tails
        for form in forms
    ]
    calls = []
    sources = readings._name_sources

    def counted(*args):  # type: ignore[no-untyped-def]
        calls.append(args)
        return sources(*args)

    monkeypatch.setattr(readings, "_name_sources", counted)
    read = readings.readings_of(keys)
    monkeypatch.undo()
    lean = profiles_of(keys, evidence=False)
    for k, profile in enumerate(lean):
        assert _segments_of(read, k) == list(profile.segments)
        assert read.documents[k] == profile.document
        assert read.inferences[int(read.key_inference[k])] == profile.inference
    # fewer reads of the sources than scope and name readings with their form
    forms_read = {(s, names_module._parse(n)) for s, _, n in keys}
    assert len(calls) < len({(s, p.industry, p.activity, p.form) for s, p in forms_read})


def _names_to_parse(enterprises: pd.DataFrame) -> list[str]:
    """The frame's names, generated ones, and edge cases: empty, punctuation, full-width, no
    region, no form, mixed scripts, brackets, branches and outlets."""
    names = [n for n in enterprises["name"].astype(object).tolist() if isinstance(n, str)]
    names += make_enterprises(300, random_state=17)["name"].tolist()
    names += [
        "",
        "公司",
        "厂",
        "、；（）",
        "ＡＢＣ科技有限公司",
        "华达",
        "华达铝型材",
        "华达铝型材有限公司",
        "郑州华达",
        "中国华达国际贸易有限公司",
        "ABC Trading 有限公司",
        "郑州abc电子科技有限公司",
        "华达(郑州)精工有限公司",
        "华达（巩义）铝业有限公司",
        "自贡市万里汽车配件公司标准件批发部",
        "中国电信股份有限公司嘉鱼高铁营业部",
        "郑州市中原区华达加油站",
        "郑州华达大药房连锁有限公司",
        "郑州华达集团有限公司郑州分公司",
    ]
    return names


def test_name_fields_equal_the_name_parts(enterprises: pd.DataFrame) -> None:
    """``name_fields`` (what a fit reads of a name, as a tuple) gives the fields of the parsed
    parts, in order, for every name: the frame's, generated ones and edge cases."""
    names = _names_to_parse(enterprises)
    parsed = [names_module._parse.__wrapped__(n) for n in names]
    assert any(p.parent_industry for p in parsed) and any(p.region for p in parsed)
    assert any(p.industry for p in parsed) and any(not p.industry for p in parsed)
    for name, parts in zip(names, parsed, strict=True):
        fields = names_module.name_fields(name)
        assert names_module.NameParts(*fields) == parts, name
        assert fields == (
            parts.name,
            parts.region,
            parts.brand,
            parts.industry,
            parts.form,
            parts.activity,
            parts.parent_industry,
        )


def _composed_names(count: int, seed: int) -> list[str]:
    """Names put together from the words a name is read by: national words, places (short and
    long), a brand, industry words (lexicon terms, X业, the name words) and chains of forms,
    each part present or not; some cut short, some only a form."""
    rng = np.random.default_rng(seed)
    ideographs = names_module_kernel.FIRST, names_module_kernel.LAST

    def plain(words: Iterable[str]) -> list[str]:
        return sorted(
            w for w in words if w and all(ideographs[0] <= ord(c) <= ideographs[1] for c in w)
        )

    places = plain(names_module._places())
    terms = plain(names_module.get_lexicon().codes)
    forms = plain(f for f, _ in names_module.FORMS)
    words = plain(names_module.NAME_WORDS)
    brands = ["华达", "鑫", "永鼎盛", "金", "中原", "新材", "铝", "司", "业", "国际", "全国"]

    def pick(seq: list[str]) -> str:
        return seq[int(rng.integers(len(seq)))]

    out = []
    for _ in range(count):
        parts = []
        if rng.random() < 0.15:
            parts.append(pick(list(names_module._NATIONAL)))
        for _ in range(int(rng.integers(0, 3))):
            parts.append(pick(places))
        if rng.random() < 0.8:
            parts.append(pick(brands))
        for _ in range(int(rng.integers(0, 3))):
            kind = rng.random()
            term = pick(terms)
            parts.append(pick(words) if kind < 0.1 else term + "业" if kind < 0.3 else term)
        for _ in range(int(rng.integers(0, 3))):
            parts.append(pick(forms))
        name = "".join(parts) or pick(forms)
        if rng.random() < 0.1:
            name = name[: int(rng.integers(1, len(name) + 1))]
        out.append(name)
    return out


#: The real registry sample (never copied into the repository; its tests skip without it).
REGISTRY = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpora"
    / "registry_sample"
    / "registry_sample.csv"
)


def _registry_names() -> list[str]:
    """The real registry sample's names, normalised as a validated table holds them."""
    frame = pd.read_csv(REGISTRY, usecols=["企业名称"], dtype=str)
    names = (normalize_text(n) for n in frame["企业名称"].tolist())
    return [n.replace(" ", "") for n in names if n]


def _assert_compiled_names_equal(names: list[str]) -> np.ndarray:
    """The compiled loop's fields equal :func:`name_fields`' for every name; its cuts."""
    got = names_module_kernel.fields_of_names(names)
    for name, fields in zip(names, got, strict=True):
        assert fields == names_module.name_fields(name), name
    return names_module_kernel.read_names(names)


def test_compiled_names_equal_name_fields(enterprises: pd.DataFrame) -> None:
    """Names read by the compiled loop (:mod:`matcher.text._name_kernel`) give the fields
    :func:`name_fields` gives: the frame's, generated and edge-case names, and 20,000 names
    composed of national words, places, brands, industry words and forms. The loop reads
    names of ideographs only and leaves the rest (letters, brackets, branches) to Python."""
    # beyond the basic plane, and a lone surrogate (a file decoded with surrogateescape)
    odd = ["𠀀华达铝业有限公司", "华达\udc80铝业有限公司"]
    edge = [n for n in _names_to_parse(enterprises) if n] + odd
    cuts = _assert_compiled_names_equal(edge)
    left = {n for n, c in zip(edge, cuts[:, 0].tolist(), strict=True) if c < 0}
    assert set(odd) <= left
    assert {
        "ABC Trading 有限公司",
        "华达(郑州)精工有限公司",
        "郑州华达集团有限公司郑州分公司",
    } <= left
    assert {"华达铝型材有限公司", "中国华达国际贸易有限公司", "郑州市中原区华达加油站"}.isdisjoint(
        left
    )
    composed = _composed_names(20_000, seed=5)
    cuts = _assert_compiled_names_equal(composed)
    assert (cuts[:, 0] >= 0).mean() > 0.8  # most composed names are read by the loop
    read = cuts[cuts[:, 0] >= 0]
    assert (read[:, 0] > 0).any() and (read[:, 1] < read[:, 2]).any() and (read[:, 3] >= 0).any()


@pytest.mark.skipif(not REGISTRY.exists(), reason="../shared/corpora/registry_sample is absent")
def test_compiled_names_equal_name_fields_on_the_registry_sample() -> None:
    """Every name of the 30,000 real registry rows reads the same compiled and in Python."""
    names = _registry_names()
    cuts = _assert_compiled_names_equal(names)
    assert len(names) > 20_000 and (cuts[:, 0] >= 0).mean() > 0.5


@pytest.mark.parametrize("compiled", [0, 10**9])
def test_normalised_readings_equal_the_profiles(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, compiled: int
) -> None:
    """``readings_of(..., normalised=True)`` (a fit's path: the texts only checked, not
    normalised) reads what the profiles of the same keys say, for missing, empty, non-string,
    spaced and spaces-only values too (names by the compiled loop and one by one)."""
    monkeypatch.setattr(readings, "COMPILED_NAMES", compiled)
    keys: list[tuple[object, object, object]] = [
        (s, p, n) for s, p, n in _reading_keys(enterprises)
    ]
    keys += [
        ("", "", ""),
        (float("nan"), None, "郑州 华达 铝型材 有限公司"),
        ("铝型材制造", 3, "   "),
        ("   ", " \t", " 郑州华达铝型材有限公司 "),
        ("铝型材制造；铝型材销售", "  ", None),
        ("铝型材制造", "铝板", "郑州华达铝型材有限公司"),
        (None, "铝板", "郑州华达铝型材有限公司"),
    ]
    lean = profiles_of(keys, normalised=True, evidence=False)
    read = readings.readings_of(keys, normalised=True)
    for k, profile in enumerate(lean):
        assert _segments_of(read, k) == list(profile.segments), keys[k]
        assert read.documents[k] == profile.document
        assert read.inferences[int(read.key_inference[k])] == profile.inference


def test_inference_table_of_values_equals_the_inferences(enterprises: pd.DataFrame) -> None:
    """The index's inference table from ``Readings.values`` (no ``Inference`` per value) holds
    each inference's fields, element by element, and an empty one has the same columns."""
    from matcher import taxonomy

    read = readings.readings_of(_reading_keys(enterprises))
    inferences = read.inferences
    assert len(inferences) == len(read.values) > 100
    inferrer = arrays.IndustryInferrer()
    table = inferrer.table_of_values(read.values)
    ids = taxonomy.get_taxonomy().ids
    assert any(len(i.candidates) > 1 for i in inferences)
    assert any(i.code is None for i in inferences) and any(i.code for i in inferences)
    for r, inference in enumerate(inferences):
        assert table["code"][r] == inference.code and table["raw"][r] == inference.raw_code
        assert table["conf"][r] == np.float32(inference.confidence)
        assert table["make_share"][r] == np.float32(inference.make_share)
        activity = arrays.ACTIVITY_CODES.get(inference.activity or "", -1)
        assert table["activity"][r] == activity
        leaf = [ids[c] for c, _ in inference.candidates[:CANDIDATES]]
        share = [np.float32(s) for _, s in inference.candidates[:CANDIDATES]]
        pad = CANDIDATES - len(leaf)
        assert table["cand_leaf"][r].tolist() == leaf + [-1] * pad
        assert table["cand_share"][r].tolist() == share + [0.0] * pad
    empty = inferrer.table_of_values([])
    assert {k: (v.dtype, v.shape[1:]) for k, v in empty.items()} == {
        k: (v.dtype, v.shape[1:]) for k, v in table.items()
    }
    assert all(len(v) == 0 for v in empty.values())


def _plain_head_activity(industry: str) -> str | None:
    """The activity of the longest word of :data:`NAME_WORDS` (up to six characters) that ends
    the 行业表述 and implies one, looked up in that dictionary at every length."""
    for size in range(min(6, len(industry)), 0, -1):
        word = industry[-size:]
        if word in names_module.NAME_WORDS and names_module.NAME_WORDS[word] is not None:
            return names_module.NAME_WORDS[word]
    return None


def test_head_activity_equals_the_name_words_lookup(enterprises: pd.DataFrame) -> None:
    """A 行业表述's activity from the words that imply one equals the lookup in every name word
    (words without an activity, 实业 or 新材料, included: they end the search no sooner)."""
    names = _names_to_parse(enterprises)
    industries = {names_module._parse(n).industry for n in names}
    words = list(names_module.NAME_WORDS)
    industries |= set(words) | {"铝型材" + w for w in words} | {w + "实业" for w in words}
    industries |= {"", "业", "新材料贸易", "电子商务", "农业科技", "科技发展", "塑料五金"}
    activities = set()
    for industry in sorted(industries):
        got = names_module._head_activity(industry)
        assert got == _plain_head_activity(industry), industry
        activities.add(got)
    assert None in activities and {"trade", "make", "rnd", "software"} <= activities


_FORM_PATTERN = re.compile("(" + "|".join(re.escape(f) for f, _ in names_module.FORMS) + ")$")


def _plain_strip_form(text: str) -> tuple[str, str, str | None]:
    """Forms stripped from the end as the pattern of every form finds them (the longest form
    that ends the text), while more than one character would be left."""
    parts: list[str] = []
    activity = None
    while True:
        match = _FORM_PATTERN.search(text)
        if match is None or len(text) <= len(match.group(1)) + 1:
            break
        text = text[: -len(match.group(1))]
        parts.insert(0, match.group(1))
        activity = activity or dict(names_module.FORMS)[match.group(1)]
    return text, "".join(parts), activity


def test_form_lookup_by_last_character_equals_the_form_pattern(
    enterprises: pd.DataFrame,
) -> None:
    """Forms looked up only at the lengths of the forms that end in the text's last character
    strip what the pattern of every form strips: the frame's names, every form alone, doubled,
    after one character and after a name, and texts shorter than the forms."""
    names = _names_to_parse(enterprises)
    forms = [f for f, _ in names_module.FORMS]
    made = [*forms, *(f + f for f in forms), *("华" + f for f in forms)]
    made += [f"华达{a}{b}" for a in forms[:12] for b in forms]
    made += ["司", "有限", "限公司", "A公司", "x", "华达厂 ", "厂厂厂"]
    stripped = 0
    for text in names + made:
        got = names_module._strip_form(text)
        assert got == _plain_strip_form(text), text
        stripped += bool(got[1])
    assert stripped > len(names) // 2


def _plain_industry_words(rest: str, min_brand: int) -> tuple[int, tuple[str, ...]]:
    """Industry words at the end, trying every length from eight characters down to one."""
    words: list[str] = []
    end = len(rest)
    while end > min_brand:
        for size in range(min(8, end - min_brand), 0, -1):
            if names_module._is_industry_word(rest[end - size : end]):
                words.append(rest[end - size : end])
                end -= size
                break
        else:
            break
    return end, tuple(reversed(words))


_FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def test_industry_word_lengths_by_last_character_equal_trying_every_length(
    enterprises: pd.DataFrame,
) -> None:
    """Industry words tried only at the lengths a word ending in the character can have are
    the words found by trying every length: names after their place and form, with and
    without a least brand, lexicon terms with Latin letters in either case (full-width too),
    X业 words and the name words."""
    from matcher.text._lexicon import get_lexicon

    names = _names_to_parse(enterprises)
    rests = [names_module._strip_region(names_module._strip_form(n)[0])[0] for n in names]
    latin = [t for t in get_lexicon().codes if any(c.isascii() and c.isalpha() for c in t)]
    assert latin  # terms such as LED, PVC
    words = [*names_module.NAME_WORDS, *sorted(get_lexicon().codes)[:300], *latin]
    rests += ["华达" + w for w in words] + ["华达" + w.lower() for w in latin]
    rests += ["华达" + w.lower().translate(_FULL_WIDTH) for w in latin]
    rests += ["华达" + w + "业" for w in words[:200]] + ["华达" + w + "铝业" for w in latin]
    rests += ["", "业", "铝业", "华达ß业", "华达ǅ", "华达Straße电子", "ａｂｃ电子"]
    found = 0
    for rest in rests:
        for min_brand in (0, 2):
            got = names_module._industry_words(rest, min_brand)
            assert got == _plain_industry_words(rest, min_brand), (rest, min_brand)
            found += bool(got[1])
    assert found > len(rests)


def _part(mass: tuple = (("3252", 1.0),), **fields: object) -> inference_module._Part:
    values: dict[str, object] = {
        "mass": mass,
        "production": 1.0,
        "total": 1.0,
        "weight": 1.0,
        "matched": 1.0,
        "strongest": (),
        "subjects": (),
    }
    values.update(fields)
    return inference_module._Part(**values)  # type: ignore[arg-type]


def test_parts_share_a_key_exactly_when_combining_reads_them_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Parts equal in everything ``_combined`` reads get one key, whatever their evidence; a
    part that differs in any of it gets another; once the table is forgotten, a signature seen
    before gets a new number, never one given to another signature."""
    evidence = inference_module.Evidence("scope", "铝型材", "铝型材", "3252", 1.0)
    base = _part()
    assert _part(strongest=(evidence,)).key == base.key
    changed = [
        _part((("3252", 1.0), ("32", 0.5))),
        _part((("3252", 0.5),)),
        _part((("3251", 1.0),)),
        _part(production=0.5),
        _part(total=2.0),
        _part(weight=2.0),
        _part(matched=0.5),
        _part(subjects=(("3252", 1.0),)),
    ]
    keys = {p.key for p in changed}
    assert len(keys) == len(changed) and base.key not in keys
    monkeypatch.setattr(inference_module, "_PART_KEYS", {})
    monkeypatch.setattr(inference_module, "_PART_KEYS_LIMIT", 2)
    given = [_part(total=float(t)).key for t in range(6)]
    assert len(set(given)) == 6  # forgotten twice: never one number for two signatures
    again = _part(total=0.0).key
    assert again not in given[1:] and again not in keys and again != base.key
    assert len(inference_module._PART_KEYS) <= 2


def test_a_reader_combines_each_combination_of_parts_once(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readings whose sources' parts add up alike are combined once for the reader's life,
    and read as combining them anew does (the profiles'); a reader that starts afresh combines
    them again."""
    keys = _reading_keys(enterprises)
    calls: list[tuple] = []
    combined = readings._combined

    def counted(parts, activity):  # type: ignore[no-untyped-def]
        calls.append((tuple(p.key for p in parts), activity))
        return combined(parts, activity)

    monkeypatch.setattr(readings, "_combined", counted)
    reader = readings.KeyReader()
    first = readings.readings_of(keys, reader=reader)
    assert len(calls) == len(set(calls))  # never the same combination twice
    # fewer combinations than readings: other readings, the same parts' signatures
    distinct = {readings._reading_key(*readings._texts(*k, normalised=False)) for k in keys}
    assert 0 < len(calls) < len(distinct)
    lean = profiles_of(keys, evidence=False)
    for k, profile in enumerate(lean):
        assert first.inferences[int(first.key_inference[k])] == profile.inference
    before = len(calls)
    readings.readings_of(keys[::-1], reader=reader)
    assert len(calls) == before
    limit = readings.READER_LIMIT
    monkeypatch.setattr(readings, "READER_LIMIT", 0)
    readings.readings_of(keys, reader=reader)
    assert len(calls) == 2 * before
    # past COMBINED_LIMIT the combinations are forgotten, and the keys read the same
    monkeypatch.setattr(readings, "READER_LIMIT", limit)
    monkeypatch.setattr(readings, "COMBINED_LIMIT", 2)
    small = readings.KeyReader()
    again = readings.readings_of(keys, reader=small)
    # one call combines each of its combinations once, remembered or not
    assert len(small._combined) <= 2 and len(calls) == 3 * before
    readings.readings_of(keys, reader=small)
    assert len(calls) >= 4 * before - 2  # forgotten (all but the last two): combined again
    for k in range(len(keys)):
        assert (
            again.inferences[int(again.key_inference[k])]
            == first.inferences[int(first.key_inference[k])]
        )


def _plain_name_sources(scope_text: str | None, name: names_module.NameParts) -> tuple:
    """The sources an inference reads, from the name's :class:`NameParts` and its properties
    (what ``_name_sources`` read before it took the fields it needs as they are)."""
    main, makes, _, _ = inference_module._scope_facts(scope_text)
    if name.activity == "make":
        prior = 0.85
    elif name.activity == "trade" or name.retail:
        prior = 0.1
    else:
        product_name = (
            bool(name.industry)
            and name.activity is None
            and inference_module._names_product(name.industry)
        )
        made, sold = inference_module._scope_facts(scope_text)[2:]
        if made > sold:
            prior = 0.7
        elif sold > 0:
            prior = 0.35 if product_name else 0.2
        else:
            prior = 0.65 if product_name else 0.4
    scope_part = inference_module._scope_part(scope_text, prior, name.retail)
    if main in ("repair_install", "transport", "service", "agriculture") and (
        name.activity != "make"
    ):
        act = main
    else:
        act = "trade" if main == "trade" and not makes else "make"
    industry = name.industry or name.parent_industry
    name_part = None
    if industry or name.form_code is not None:
        implied, weight = (
            inference_module._name_reading(industry, scope_text) if industry else ("", 0.0)
        )
        name_part = inference_module._name_part(
            industry,
            name.activity or implied,
            weight,
            prior,
            name.retail,
            name.form,
            name.form_code,
        )
    return scope_part, prior, act, name_part, main or name.activity


def test_name_sources_of_the_fields_equal_reading_the_name_parts(
    enterprises: pd.DataFrame,
) -> None:
    """The sources read from the name's fields (no :class:`NameParts` made) equal those read
    from its parts: shops, forms that name a code, branches, makers, traders and no name."""
    scopes = sorted({s for s in enterprises["business_scope"].tolist() if isinstance(s, str)})
    scopes = [*scopes[:40], "汽油、柴油零售；润滑油销售", "电子产品", "注塑机维修", None]
    names = _names_to_parse(enterprises)[:150] + _names_to_parse(enterprises)[-19:]
    names += ["郑州华达铝型材厂", "郑州华达五金店", "郑州华达贸易有限公司", "郑州华达科技有限公司"]
    parts = [names_module._parse(n) for n in names] + [readings._NO_NAME]
    assert any(p.form_code for p in parts) and any(p.retail for p in parts)
    assert any(p.parent_industry for p in parts) and any(p.activity == "make" for p in parts)
    for scope in scopes:
        for p in parts:
            got = inference_module._name_sources(
                scope, p.industry, p.parent_industry, p.activity, p.form
            )
            assert got == _plain_name_sources(scope, p), (scope, p)


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_fit_tells_its_progress(enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher import Matcher

    parks, _ = load_sample()
    monkeypatch.setattr(arrays, "READ_CHUNK", 97)
    monkeypatch.setattr(arrays, "PARALLEL_MIN_KEYS", 10)
    distinct = len(arrays._text_keys(enterprises)[1])
    for n_jobs in (1, 2):
        calls: list[tuple[int, int, str]] = []

        def heard(done: int, total: int, message: str, calls: list = calls) -> None:
            calls.append((done, total, message))

        Matcher().fit(parks, enterprises, n_jobs=n_jobs, progress=heard)
        assert len(calls) >= 3, n_jobs
        assert {total for _, total, _ in calls} == {distinct}
        done = [d for d, _, _ in calls]
        assert done == sorted(done) and done[0] < distinct and done[-1] == distinct
        assert "索引" in calls[-1][2] and all("企业文本" in m for _, _, m in calls[:-1])


def test_build_index_hands_the_freed_heap_back(
    enterprises: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build gives the C heap's free pages back after the reading, after the text rows and
    at its end, before the first ranking adds the text columns; the index is the same."""
    parks, _ = load_sample()
    plain = build_index(parks, enterprises)
    calls: list[int] = []
    monkeypatch.setattr(arrays, "trim_heap", lambda: calls.append(1))
    index = build_index(parks, enterprises)
    assert len(calls) == 3
    assert (index.enterprises.X != plain.enterprises.X).nnz == 0


def test_trim_heap_uses_glibc_where_there_is_one() -> None:
    import platform

    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        assert arrays._malloc_trim() is None or callable(arrays._malloc_trim())
        pytest.skip("glibc only")
    assert arrays._malloc_trim() is not None
    arrays.trim_heap()  # returns, whatever the heap holds


@pytest.mark.parametrize("workers", [1, 2])
def test_stacked_text_rows_equal_scipys_vstack(workers: int) -> None:
    """The text rows' chunks stacked by one thread or two are ``sparse.vstack`` of them, bit
    for bit, and each chunk is let go once copied."""
    from matcher.text import _vectorizer as vectorizer_module

    rng = np.random.default_rng(3)
    parts = [
        sparse.random(rows, 40, density=0.2, format="csr", dtype=np.float32, random_state=rng)
        for rows in (5, 0, 17, 1, 9)
    ]
    expected = sparse.vstack(parts, format="csr")
    given = list(parts)
    stacked = vectorizer_module._stack_rows(given, 40, workers)
    assert given == [None] * len(parts)
    assert stacked.shape == expected.shape
    np.testing.assert_array_equal(stacked.indptr, expected.indptr)
    np.testing.assert_array_equal(stacked.indices, expected.indices)
    assert stacked.data.tobytes() == expected.data.tobytes()
