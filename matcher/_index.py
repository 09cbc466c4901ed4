"""The fitted index: compact per-enterprise and per-park arrays built once by ``Matcher.fit``.

Feature families read these arrays; nothing on the ranking path touches a DataFrame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from . import sizes, taxonomy
from ._columns import StringColumn
from .schema import SRDI_LEVELS
from .text import TextVectorizer

__all__ = [
    "EnterpriseArrays",
    "IndustryInferrer",
    "MatchIndex",
    "ParkArrays",
    "build_index",
    "enterprise_arrays",
    "park_arrays",
    "with_enterprises",
]

#: Integer codes of size classes in the index (-1 = unknown).
SIZE_CODES = {s: i for i, s in enumerate(sizes.SIZE_CLASSES)}
SRDI_CODES = {s: i for i, s in enumerate(SRDI_LEVELS)}

#: Code source in the index.
CODE_NONE, CODE_DECLARED, CODE_INFERRED = 0, 1, 2


def enterprise_documents(frame: pd.DataFrame) -> list[str]:
    """Scope and products of each enterprise as one text (products twice: they are specific)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def col(name: str) -> pa.Array:
        values = frame[name].astype(object).where(frame[name].notna(), "")
        return pa.array(values.tolist(), type=pa.large_string())

    products = col("products")
    sep = pa.scalar(" ", type=pa.large_string())
    joined = pc.binary_join_element_wise(col("business_scope"), products, products, sep)
    return list(pc.utf8_trim_whitespace(joined).to_pylist())


def park_documents(frame: pd.DataFrame) -> list[str]:
    """Positioning of each park plus the official names of its leading industries."""
    docs = []
    for positioning, codes in zip(
        frame["positioning"].fillna("").astype(str), frame["leading_industries"], strict=True
    ):
        names = " ".join(taxonomy.code_name(c) for c in _split(codes))
        docs.append(f"{positioning} {names}".strip())
    return docs


def _split(codes: object) -> tuple[str, ...]:
    if codes is None or (isinstance(codes, float) and np.isnan(codes)) or codes == "":
        return ()
    return tuple(str(codes).split(";"))


class IndustryInferrer:
    """Infer a GB/T 4754 code from scope and product text, with a confidence.

    A nearest-centroid classifier on the TF-IDF rows: one centroid per code, built from the
    enterprises of the same fit whose code is declared, plus one pseudo-document per 小类 made of
    its official name (so inference works even when no enterprise declares a code). The
    confidence combines how clearly the best code beats the runner-up and how similar the text
    is to it at all; it is a heuristic, reported in README with its measured accuracy.

    Parameters
    ----------
    temperature : float, default=0.05
        Softmax temperature over the top cosine similarities.
    full_similarity : float, default=0.3
        Cosine at which the similarity part of the confidence saturates.
    """

    def __init__(self, *, temperature: float = 0.05, full_similarity: float = 0.3):
        self.temperature = temperature
        self.full_similarity = full_similarity

    def fit(
        self, X: sparse.csr_matrix, codes: np.ndarray, vectorizer: TextVectorizer
    ) -> IndustryInferrer:
        """Build centroids from rows ``X`` with declared ``codes`` (None where missing)."""
        tax = taxonomy.get_taxonomy()
        labelled = np.array([c is not None for c in codes], dtype=bool)
        label_codes = list(dict.fromkeys(codes[labelled].tolist()))
        class_codes = tax.codes_at_level(4)
        labels = list(dict.fromkeys([*label_codes, *class_codes]))
        pos = {c: i for i, c in enumerate(labels)}
        rows = np.flatnonzero(labelled)
        assign = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), ([pos[c] for c in codes[rows]], rows)),
            shape=(len(labels), X.shape[0]),
        )
        centroids = assign @ X
        names = vectorizer.transform([tax.names[c] for c in class_codes])
        name_rows = sparse.csr_matrix(
            (
                np.ones(len(class_codes), dtype=np.float32),
                ([pos[c] for c in class_codes], np.arange(len(class_codes))),
            ),
            shape=(len(labels), len(class_codes)),
        )
        centroids = centroids + name_rows @ names
        norms = np.sqrt(np.asarray(centroids.multiply(centroids).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self.centroids_ = sparse.csr_matrix(sparse.diags(1.0 / norms) @ centroids, dtype=np.float32)
        self.labels_ = np.asarray(labels, dtype=object)
        return self

    def predict(self, X: sparse.csr_matrix, *, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
        """Best code per row (None for an empty row) and its confidence in [0, 1]."""
        n = X.shape[0]
        codes = np.full(n, None, dtype=object)
        conf = np.zeros(n, dtype=np.float32)
        ct = self.centroids_.T.tocsc()
        for start in range(0, n, chunk):
            block = X[start : start + chunk]
            sims = (block @ ct).toarray()
            if sims.shape[1] < 2:
                continue
            top2 = np.argpartition(-sims, 1, axis=1)[:, :2]
            s = np.take_along_axis(sims, top2, axis=1)
            order = np.argsort(-s, axis=1)
            top2 = np.take_along_axis(top2, order, axis=1)
            s = np.take_along_axis(s, order, axis=1)
            margin = 1.0 / (1.0 + np.exp(-(s[:, 0] - s[:, 1]) / self.temperature))
            margin = (margin - 0.5) * 2.0
            strength = np.minimum(1.0, s[:, 0] / self.full_similarity)
            has = s[:, 0] > 0
            idx = np.arange(start, start + block.shape[0])
            codes[idx[has]] = self.labels_[top2[has, 0]]
            conf[idx] = np.where(has, np.clip(margin * strength, 0.0, 1.0), 0.0)
        return codes, conf


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
    X: sparse.csr_matrix  # TF-IDF rows of scope + products
    docs: StringColumn  # the text behind X (for reasons)
    has_text: np.ndarray  # bool
    lat: np.ndarray  # float64, NaN unknown
    lon: np.ndarray
    place: StringColumn  # county / city name for reasons
    space: np.ndarray  # float32, NaN unknown
    size: np.ndarray  # int8, -1 unknown
    size_source: np.ndarray  # int8 index into SIZE_SOURCES
    srdi: np.ndarray  # int8, -1 unknown
    high_tech: np.ndarray  # int8, -1 unknown
    patents: np.ndarray  # float32, NaN unknown
    position: dict[str, int] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)  # per-row state of feature families

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
    lead_sim: np.ndarray  # float32 (m, n_codes + 1): industry similarity of every code id
    excl_hit: np.ndarray  # bool (m, n_codes + 1): code id at or below an excluded industry
    X: sparse.csr_matrix
    docs: StringColumn
    has_text: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    place: StringColumn
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


def _tables(lists: list[tuple[str, ...]]) -> np.ndarray:
    """One row per park: the similarity of every code id to the park's codes."""
    tax = taxonomy.get_taxonomy()
    out = np.zeros((len(lists), len(tax.codes) + 1), dtype=np.float32)
    for i, codes in enumerate(lists):
        if codes:
            out[i] = tax.similarity_tables(codes)[0]
    return out


def _int8_map(values: pd.Series, mapping: dict[str, int]) -> np.ndarray:
    """Small integer code of each value (-1 for missing or unmapped), one look-up per distinct."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    table = np.array([mapping.get(u, -1) if isinstance(u, str) else -1 for u in uniques] + [-1])
    return table[codes].astype(np.int8)


def _place(frame: pd.DataFrame) -> StringColumn:
    place = frame["county"].fillna(frame["city"]).fillna(frame["province"])
    return StringColumn.from_iterable(place.astype(object).where(place.notna(), None))


def _fixed_ids(values: pd.Series) -> np.ndarray:
    return np.asarray(values.astype(str).tolist(), dtype=str)


def _declared_codes(enterprises: pd.DataFrame) -> np.ndarray:
    col = enterprises["industry_code"]
    return col.astype(object).where(col.notna(), None).to_numpy(dtype=object, copy=True)


def enterprise_arrays(
    enterprises: pd.DataFrame,
    X: sparse.csr_matrix,
    docs: list[str],
    inferrer: IndustryInferrer,
) -> EnterpriseArrays:
    """Per-enterprise arrays from a validated frame and its TF-IDF rows.

    Missing codes are inferred with the fitted ``inferrer``; missing sizes are then derived
    from the inferred code.
    """
    tax = taxonomy.get_taxonomy()
    declared = _declared_codes(enterprises)
    has_text = np.diff(X.indptr) > 0
    code = declared.copy()
    source = np.where(pd.notna(declared), CODE_DECLARED, CODE_NONE).astype(np.int8)
    conf = np.where(source == CODE_DECLARED, 1.0, 0.0).astype(np.float32)
    missing = np.flatnonzero((source == CODE_NONE) & has_text)
    if len(missing):
        guessed, guessed_conf = inferrer.predict(X[missing])
        ok = np.array([g is not None for g in guessed], dtype=bool)
        code[missing[ok]] = guessed[ok]
        source[missing[ok]] = CODE_INFERRED
        conf[missing[ok]] = guessed_conf[ok]

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
        declared_leaf=tax.leaves(tax.paths(list(declared))),
        X=X,
        docs=StringColumn.from_iterable(docs),
        has_text=has_text,
        lat=pd.to_numeric(enterprises["lat"], errors="coerce").to_numpy(dtype=np.float64),
        lon=pd.to_numeric(enterprises["lon"], errors="coerce").to_numpy(dtype=np.float64),
        place=_place(enterprises),
        space=pd.to_numeric(enterprises["space_need_sqm"], errors="coerce").to_numpy(np.float32),
        size=_int8_map(pd.Series(size_values, dtype=object), SIZE_CODES),
        size_source=size_source,
        srdi=_int8_map(enterprises["srdi_level"], SRDI_CODES),
        high_tech=np.where(ht.isna(), -1, ht.fillna(False).astype(bool)).astype(np.int8),
        patents=pd.to_numeric(enterprises["patents"], errors="coerce").to_numpy(np.float32),
    )
    ents.position = {k: i for i, k in enumerate(ents.ids.tolist())}
    return ents


def park_arrays(parks: pd.DataFrame, X: sparse.csr_matrix, docs: list[str]) -> ParkArrays:
    """Per-park arrays from a validated frame and its TF-IDF rows."""
    leading = [_split(v) for v in parks["leading_industries"]]
    excluded = [_split(v) for v in parks["excluded_industries"]]
    weight_cols = [c for c in parks.columns if str(c).startswith("weight_")]
    weights = (
        [
            {c.removeprefix("weight_"): float(row[c]) for c in weight_cols if pd.notna(row[c])}
            for _, row in parks[weight_cols].iterrows()
        ]
        if weight_cols
        else [{} for _ in range(len(parks))]
    )
    arrays = ParkArrays(
        ids=_fixed_ids(parks["park_id"]),
        names=StringColumn.from_iterable(parks["name"].astype(str)),
        leading=leading,
        excluded=excluded,
        lead_sim=_tables(leading),
        excl_hit=_tables(excluded) >= 1.0,
        X=X,
        docs=StringColumn.from_iterable(docs),
        has_text=np.diff(X.indptr) > 0,
        lat=pd.to_numeric(parks["lat"], errors="coerce").to_numpy(dtype=np.float64),
        lon=pd.to_numeric(parks["lon"], errors="coerce").to_numpy(dtype=np.float64),
        place=_place(parks),
        available=pd.to_numeric(parks["available_sqm"], errors="coerce").to_numpy(np.float32),
        weights=weights,
    )
    arrays.position = {k: i for i, k in enumerate(arrays.ids.tolist())}
    return arrays


def build_index(parks: pd.DataFrame, enterprises: pd.DataFrame) -> MatchIndex:
    """Fit the text vectoriser and the industry inferrer, then build every array."""
    ent_docs = enterprise_documents(enterprises)
    park_docs = park_documents(parks)
    vectorizer = TextVectorizer()
    X_all = vectorizer.fit_transform([*ent_docs, *park_docs])
    X_ent = sparse.csr_matrix(X_all[: len(ent_docs)])
    X_park = sparse.csr_matrix(X_all[len(ent_docs) :])
    inferrer = IndustryInferrer().fit(X_ent, _declared_codes(enterprises), vectorizer)
    ents = enterprise_arrays(enterprises, X_ent, ent_docs, inferrer)
    return MatchIndex(ents, park_arrays(parks, X_park, park_docs), vectorizer, inferrer)


def with_enterprises(index: MatchIndex, enterprises: pd.DataFrame) -> MatchIndex:
    """A view of ``index`` whose enterprises are ``enterprises`` (not seen at fit).

    Uses the fitted vectoriser and inferrer, so the new rows are scored exactly as fitted ones.
    """
    docs = enterprise_documents(enterprises)
    X = index.vectorizer.transform(docs)
    ents = enterprise_arrays(enterprises, X, docs, index.inferrer)
    return MatchIndex(ents, index.parks, index.vectorizer, index.inferrer)
