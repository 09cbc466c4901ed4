"""The TF-IDF vectoriser over character 1- and 2-grams, and registry boilerplate stripping."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
from scipy import sparse

from ..exceptions import ConfigError
from ._lexicon import Lexicon, get_lexicon

__all__ = ["TextVectorizer", "strip_boilerplate", "strip_boilerplate_many"]

# Phrases that every 经营范围 repeats and that say nothing about the business.
_BOILERPLATE = re.compile(
    r"(除(依法)?须经批准的项目外[^)]*|依法须经批准的项目[^)。;]*|"
    r"凭营业执照依法自主开展经营活动|经相关部门批准后方可开展经营活动|"
    r"具体经营项目以[^)。;]*为准|一般项目|许可项目|一般经营项目|许可经营项目|"
    r"涉及许可经营项目[^)。;]*|国家禁止[^)。;]*|法律法规[^)。;]*)"
)
_PUNCT = re.compile(r"[\s,.;:!?()\[\]{}<>\"'`~@#$%^&*+=|\\/_\-—、。；：，！？“”‘’《》【】…·]+")


def strip_boilerplate(text: str) -> str:
    """Remove registration boilerplate and punctuation from a normalised scope text.

    >>> strip_boilerplate("一般项目:铝合金型材销售。(除依法须经批准的项目外,凭营业执照依法自主开展经营活动)")
    '铝合金型材销售'
    """
    text = _BOILERPLATE.sub(" ", text)
    return _PUNCT.sub(" ", text).strip()


_UNIGRAM_LIMIT = np.uint64(1 << 21)  # every Unicode code point is below 2**21


@functools.lru_cache(maxsize=4096)
def _stripped(text: str) -> str:
    """:func:`strip_boilerplate`, remembered (a ranking page compares the same park text with
    every clause of every row shown)."""
    return strip_boilerplate(text)


def strip_boilerplate_many(docs: Iterable[str | None]) -> list[str]:
    """:func:`strip_boilerplate` over many texts at once (Arrow's RE2 kernels; None → '').

    >>> strip_boilerplate_many(["一般项目:铝型材销售。", None])
    ['铝型材销售', '']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(list(docs), type=pa.large_string()).fill_null("")
    array = pc.replace_substring_regex(array, _BOILERPLATE.pattern, " ")
    array = pc.replace_substring_regex(array, _PUNCT.pattern, " ")
    return list(pc.utf8_trim_whitespace(array).to_pylist())


def _analyzer(doc: str) -> list[str]:
    """Character 1- and 2-grams inside each run of text (no n-gram crosses punctuation).

    The reference definition of the tokens that :class:`TextVectorizer` counts (vectorised).

    >>> _analyzer("铝板 型材")
    ['铝', '板', '铝板', '型', '材', '型材']
    """
    grams: list[str] = []
    for run in doc.split():
        grams.extend(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def _token_keys(docs: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Integer keys of every 1- and 2-gram of ``docs`` and the document each comes from.

    A unigram's key is its code point; a bigram's is ``(first + 1) * 2**21 + second``, so keys
    of the two kinds never collide and decode back to text.
    """
    text = "\n".join(docs)
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    sep = cp == 10
    doc = np.cumsum(sep, dtype=np.int64)
    tok = ~(sep | (cp == 32))
    uni = np.flatnonzero(tok)
    bi = np.flatnonzero(tok[:-1] & tok[1:])
    keys = np.concatenate(
        [
            cp[uni].astype(np.uint64),
            (cp[bi].astype(np.uint64) + np.uint64(1)) * _UNIGRAM_LIMIT + cp[bi + 1],
        ]
    )
    return keys, np.concatenate([doc[uni], doc[bi]])


def _distinct(docs: Iterable[str | None]) -> tuple[list[str | None], np.ndarray]:
    """The distinct documents (first occurrence order) and each document's index among them."""
    first: dict[str | None, int] = {}
    inverse = [first.setdefault(d, len(first)) for d in docs]
    return list(first), np.asarray(inverse, dtype=np.int64)


def _weighted(
    docs: Iterable[str | None], sample_weight: npt.ArrayLike
) -> tuple[list[str | None], np.ndarray]:
    """The documents of positive weight and their weights (int64), checked."""
    docs = list(docs)
    weight = np.asarray(sample_weight)
    if weight.ndim != 1 or len(weight) != len(docs):
        raise ConfigError(
            f"sample_weight 应与文档一一对应：{len(docs)} 个文档，却有 {weight.size} 个权重"
        )
    if weight.dtype.kind not in "iub" and not (
        weight.dtype.kind == "f"
        and np.all(np.isfinite(weight))
        and np.all(weight == np.rint(weight))
    ):
        raise ConfigError("sample_weight 应为整数（每个文档出现的次数）")
    weight = weight.astype(np.int64)
    if len(weight) and weight.min() < 0:
        raise ConfigError("sample_weight 不能为负数（每个文档出现的次数）")
    if not weight.all():
        keep = np.flatnonzero(weight)
        docs, weight = [docs[i] for i in keep.tolist()], weight[keep]
    return docs, weight


def _key_text(key: int) -> str:
    if key < int(_UNIGRAM_LIMIT):
        return chr(key)
    return chr(key // int(_UNIGRAM_LIMIT) - 1) + chr(key % int(_UNIGRAM_LIMIT))


@functools.lru_cache(maxsize=4096)
def _terms_in(lexicon: Lexicon, text: str) -> dict[str, str]:
    """``lexicon.terms_in`` of the boilerplate-free ``text``, remembered (read-only: a ranking
    page compares the same park text with every clause of every row shown)."""
    return lexicon.terms_in(_stripped(text))


#: Threads that build the text rows' chunks at fit (at most; one per core): 2 halved the
#: 5.7-6.0 s of a 1,000,000-row fit's text rows to 3.1 s on the 2-core machine.
ROW_THREADS = 2


def _stack_rows(parts: list[sparse.csr_matrix], width: int, workers: int = 1) -> sparse.csr_matrix:
    """The rows of ``parts`` one after another (``sparse.vstack``), each part let go once
    copied, so the copy never holds every part twice; ``workers`` threads copy parts at once
    (NumPy copies without the interpreter lock; most of the time is the first touch of the new
    arrays' pages)."""
    nnz = sum(p.nnz for p in parts)
    n = sum(p.shape[0] for p in parts)
    index = np.int32 if max(nnz, n, width) < 2**31 else np.int64
    data = np.empty(nnz, dtype=np.float32)
    indices = np.empty(nnz, dtype=index)
    indptr = np.zeros(n + 1, dtype=index)
    sizes = np.array([p.nnz for p in parts], dtype=np.int64)
    heights = np.array([p.shape[0] for p in parts], dtype=np.int64)
    ats = (np.cumsum(sizes) - sizes).tolist()
    rows = (np.cumsum(heights) - heights).tolist()

    def copy(i: int) -> None:
        part, at, row = parts[i], ats[i], rows[i]
        k, r = part.nnz, part.shape[0]
        data[at : at + k] = part.data
        indices[at : at + k] = part.indices
        indptr[row + 1 : row + r + 1] = part.indptr[1:] + at
        parts[i] = None

    if workers < 2 or len(parts) < 2:
        for i in range(len(parts)):
            copy(i)
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="parkmatch-stack") as pool:
            list(pool.map(copy, range(len(parts))))
    return sparse.csr_matrix((data, indices, indptr), shape=(n, width), dtype=np.float32)


class TextVectorizer:
    """TF-IDF over character uni- and bigrams of normalised, boilerplate-free text.

    Chinese has no spaces between words; character bigrams capture most two-character words
    (铝材, 型材, 耐火, 磨料) without a segmentation dictionary, and unigrams keep single-character
    signals such as 铝 or 碳. Term frequencies are sublinear (``1 + log tf``), IDF is smoothed
    (``ln((1 + n) / (1 + df)) + 1``) and rows are L2-normalised, so a dot product is a cosine
    similarity — the same numbers as scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` on
    these tokens, computed with numpy over code points (several times faster on large tables).

    Parameters
    ----------
    min_df : int, default=1
        Ignore n-grams that appear in fewer documents.
    max_features : int or None, default=200_000
        Keep at most this many n-grams (those in the most documents).
    chunk_size : int, default=50_000
        Documents tokenised at a time (bounds memory).
    unigram_weight : float, default=1.0
        Multiplies the IDF of single characters: below 1, a shared character (品 in 食品 and
        制品) counts less than a shared word.
    """

    def __init__(
        self,
        *,
        min_df: int = 1,
        max_features: int | None = 200_000,
        chunk_size: int = 50_000,
        unigram_weight: float = 1.0,
    ):
        self.min_df = min_df
        self.max_features = max_features
        self.chunk_size = chunk_size
        self.unigram_weight = unigram_weight

    def _prepare(self, docs: Iterable[str | None]) -> list[str]:
        return strip_boilerplate_many(docs)

    def _chunks(self, docs: list[str]) -> list[list[str]]:
        size = max(1, self.chunk_size)
        return [docs[i : i + size] for i in range(0, len(docs), size)] or [[]]

    def _counts(self, docs: list[str]) -> sparse.csr_matrix:
        keys, rows = _token_keys(docs)
        vocab = self.keys_
        col = np.searchsorted(vocab, keys)
        col[col >= len(vocab)] = 0
        ok = (vocab[col] == keys) if len(vocab) else np.zeros(len(keys), dtype=bool)
        counts = sparse.csr_matrix(
            (np.ones(int(ok.sum()), dtype=np.float32), (rows[ok], col[ok])),
            shape=(len(docs), len(vocab)),
        )
        counts.sum_duplicates()
        return counts

    def _weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        counts.data = (1.0 + np.log(counts.data)) * self.idf_[counts.indices]
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        out = sparse.csr_matrix(sparse.diags((1.0 / norms).astype(np.float32)) @ counts)
        return sparse.csr_matrix(out, dtype=np.float32)

    def fit(
        self, docs: Iterable[str | None], *, sample_weight: npt.ArrayLike | None = None
    ) -> TextVectorizer:
        """Learn the vocabulary and IDF weights from ``docs`` (normalised texts).

        ``sample_weight`` gives how many times each document occurs: a text that recurs in
        5,000 rows can be given once with weight 5,000 (document frequencies and the number of
        documents count it that often), and the fit is the one of the repeated list. Weights
        are whole numbers, 0 or more; a document of weight 0 is left out.
        """
        self._fit(docs, sample_weight)
        return self

    def fit_transform(self, docs: Iterable[str | None]) -> sparse.csr_matrix:
        """:meth:`fit` then :meth:`transform`, tokenising each distinct document once."""
        counts, inverse = self._fit(docs)
        return sparse.csr_matrix(self._weigh(counts)[inverse])

    def _fit(
        self, docs: Iterable[str | None], sample_weight: npt.ArrayLike | None = None
    ) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Fit; the counts of each distinct document and each document's row among them."""
        # document frequency over every document: a distinct text counts as often as it occurs
        # (with ``sample_weight``, as often as its weights say)
        if sample_weight is None:
            distinct, inverse = _distinct(docs)
            times = np.bincount(inverse, minlength=len(distinct))
            n = max(len(inverse), 1)
        else:
            docs, weight = _weighted(docs, sample_weight)
            distinct, inverse = _distinct(docs)
            times = np.bincount(inverse, weights=weight, minlength=len(distinct))
            n = max(int(weight.sum()), 1)
        prepared = self._prepare(distinct)
        chunks = self._chunks(prepared)
        self.keys_ = np.unique(np.concatenate([np.unique(_token_keys(c)[0]) for c in chunks]))
        counts = sparse.csr_matrix(sparse.vstack([self._counts(c) for c in chunks]))
        owner = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        df = np.bincount(counts.indices, weights=times[owner], minlength=len(self.keys_))
        df = np.rint(df).astype(np.int64)
        keep = df >= self.min_df
        if self.max_features is not None and keep.sum() > self.max_features:
            order = np.lexsort((np.arange(len(df)), -df))  # most documents first, stable
            top = np.zeros(len(df), dtype=bool)
            top[order[: self.max_features]] = True
            keep &= top
        if not keep.all():
            self.keys_ = self.keys_[keep]
            counts = sparse.csr_matrix(counts[:, np.flatnonzero(keep)])
            df = df[keep]
        self.idf_ = (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)
        self.idf_[self.keys_ < _UNIGRAM_LIMIT] *= np.float32(self.unigram_weight)
        self.vocabulary_ = np.asarray([_key_text(int(k)) for k in self.keys_], dtype=object)
        self.idf_map_ = dict(zip(self.vocabulary_.tolist(), self.idf_.tolist(), strict=True))
        return counts, inverse

    def transform(self, docs: Iterable[str | None]) -> sparse.csr_matrix:
        """Sparse float32 rows, L2-normalised; an empty document is a zero row."""
        distinct, inverse = _distinct(docs)
        prepared = self._prepare(distinct)
        parts = [self._weigh(self._counts(c)) for c in self._chunks(prepared)]
        return sparse.csr_matrix(sparse.vstack(parts)[inverse], dtype=np.float32)

    def _weighted_counts(self, docs: Sequence[str | None]) -> sparse.csr_matrix:
        """Sublinear TF × IDF rows, not normalised (each distinct text counted once)."""
        distinct, inverse = _distinct(docs)
        parts = []
        for chunk in self._chunks(self._prepare(distinct)):
            counts = self._counts(chunk)
            counts.data = (1.0 + np.log(counts.data)) * self.idf_[counts.indices]
            parts.append(counts)
        return sparse.csr_matrix(sparse.vstack(parts)[inverse], dtype=np.float32)

    def transform_segments(
        self,
        texts: list[str],
        owners: np.ndarray,
        weights: np.ndarray,
        groups: np.ndarray,
        *,
        n_rows: int,
        n_groups: int,
    ) -> sparse.csr_matrix:
        """Rows of weighted text segments in column blocks, one block per group.

        Segment ``i`` (``texts[i]``) adds ``weights[i]`` × its TF-IDF to row ``owners[i]``,
        in the block of group ``groups[i]`` (columns ``groups[i] * V …``); rows are then
        L2-normalised over all blocks, so a dot product with a blocked park row
        (:meth:`block`) is a cosine in which each group counts as much as the park wants it.
        """
        distinct, inverse = _distinct(texts)
        return self.transform_segment_ids(
            distinct, inverse, owners, weights, groups, n_rows=n_rows, n_groups=n_groups
        )

    def transform_segment_ids(
        self,
        texts: Sequence[str | None],
        ids: np.ndarray,
        owners: np.ndarray,
        weights: np.ndarray,
        groups: np.ndarray,
        *,
        n_rows: int,
        n_groups: int,
    ) -> sparse.csr_matrix:
        """:meth:`transform_segments` of segments given as indices into ``texts``.

        Segment ``i`` is ``texts[ids[i]]``: each text is tokenised once however many segments
        repeat it. Rows are built ``chunk_size`` at a time (a row's segments in their order,
        so every row, its sums and its norm are the ones one pass over all rows makes), which
        bounds the temporary coordinate arrays.
        """
        V = len(self.keys_)
        width = n_groups * V
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return sparse.csr_matrix((n_rows, width), dtype=np.float32)
        owners = np.asarray(owners, dtype=np.int64)
        weights = np.asarray(weights, dtype=np.float32)
        groups = np.asarray(groups, dtype=np.int64)
        if np.any(owners[1:] < owners[:-1]):  # each row's segments together, in their order
            order = np.argsort(owners, kind="stable")
            ids, owners, weights, groups = ids[order], owners[order], weights[order], groups[order]
        D = self._weighted_counts(texts)
        step = max(1, self.chunk_size)
        starts = np.arange(0, n_rows, step, dtype=np.int64)
        bounds = np.searchsorted(owners, np.append(starts, n_rows))

        def rows_of(chunk: tuple[int, int]) -> sparse.csr_matrix:
            k, first = chunk
            a, b = int(bounds[k]), int(bounds[k + 1])
            S = sparse.coo_matrix(D[ids[a:b]])
            rows = owners[a:b][S.row] - first
            cols = S.col.astype(np.int64) + groups[a:b][S.row] * V
            data = S.data * weights[a:b][S.row]
            size = min(step, n_rows - first)
            X = sparse.csr_matrix((data, (rows, cols)), shape=(size, width), dtype=np.float32)
            X.sum_duplicates()
            norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            return sparse.csr_matrix(
                sparse.diags((1.0 / norms).astype(np.float32)) @ X, dtype=np.float32
            )

        chunks = list(enumerate(starts.tolist()))
        workers = min(ROW_THREADS, os.cpu_count() or 1, len(chunks))
        if workers < 2:
            parts = [rows_of(chunk) for chunk in chunks]
        else:  # chunks are independent, and numpy and scipy do most of a chunk without the GIL
            with ThreadPoolExecutor(workers, thread_name_prefix="parkmatch-rows") as pool:
                parts = list(pool.map(rows_of, chunks))
        return parts[0] if len(parts) == 1 else _stack_rows(parts, width, workers)

    @staticmethod
    def block(X: sparse.csr_matrix, wants: np.ndarray) -> sparse.csr_matrix:
        """Blocked rows: row ``i`` of ``X`` repeated in every group block, times ``wants[i, g]``."""
        wants = np.asarray(wants, dtype=np.float32)
        parts = [sparse.diags(wants[:, g]) @ X for g in range(wants.shape[1])]
        return sparse.csr_matrix(sparse.hstack(parts), dtype=np.float32)

    def shared_phrases(self, a: str | None, b: str | None, k: int = 4) -> list[str]:
        """Up to ``k`` whole terms that both texts contain, most telling first.

        The terms are the industry lexicon's (:func:`matcher.text.get_lexicon`) found whole in
        both boilerplate-free texts, never a slice of a word (色金属铸造 is not shown for
        有色金属铸造). A term inside another shared term is dropped (有色金属 when 有色金属铸造 is
        shared), and the rest are ranked by the summed IDF of their bigrams, so specific words
        (铝板带箔, 耐火材料) come before generic ones; a term is never shortened to fit.

        Parameters
        ----------
        a, b : str or None
            Two normalised texts (a scope clause and a park's positioning, say).
        k : int, default=4
            Most terms returned; the rest are dropped whole.

        Returns
        -------
        list of str
            The terms as written in ``a``.
        """
        if not a or not b:
            return []
        lexicon = get_lexicon()
        in_a, in_b = _terms_in(lexicon, a), _terms_in(lexicon, b)
        shared = [key for key in in_a if key in in_b]
        if not shared:  # most of a page's clauses: nothing to rank
            return []
        whole = [t for t in shared if not any(t != o and t in o for o in shared)]
        idf = self.idf_map_

        def strength(term: str) -> float:
            return sum(idf.get(term[j : j + 2], 0.0) for j in range(len(term) - 1))

        ranked = sorted(whole, key=lambda t: (-strength(in_a[t]), -len(t), t))
        return [in_a[t] for t in ranked[:k]]
