"""Placing enterprises on chain nodes, vectorised over the fitted index."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..index import CODE_DECLARED, CODE_INFERRED, MatchIndex
from ._data import ChainSet, load_chains

__all__ = [
    "MAX_NODES",
    "MIN_CONF",
    "RELATIVE",
    "TEXT_FULL",
    "Placement",
    "node_matrix",
    "place_enterprises",
]

#: Placement parameters (see :mod:`matcher.chains`).
CODE_WEIGHT, TEXT_WEIGHT, NO_TEXT_CODE_WEIGHT = 0.55, 0.45, 0.7
TEXT_FULL = 0.3
MIN_CONF = 0.35
RELATIVE = 0.8
MAX_NODES = 4


@dataclass
class Placement:
    """Chain nodes of each enterprise: ``nodes`` (n, K) int32 node indices (-1 = none) and
    ``conf`` (n, K) float32 confidences, best first."""

    nodes: np.ndarray
    conf: np.ndarray

    def __len__(self) -> int:
        return len(self.nodes)

    def of(self, row: int) -> list[tuple[int, float]]:
        """The (node index, confidence) pairs of one enterprise, best first."""
        keep = self.nodes[row] >= 0
        return [
            (int(n), float(c))
            for n, c in zip(self.nodes[row][keep], self.conf[row][keep], strict=True)
        ]

    def members(self, node: int, min_conf: float = 0.0) -> np.ndarray:
        """Rows placed on ``node`` with at least ``min_conf``."""
        hit = (self.nodes == node) & (self.conf >= min_conf)
        return np.flatnonzero(hit.any(axis=1))

    def node_conf(self, node: int) -> np.ndarray:
        """Confidence of every row on ``node`` (0 where not placed)."""
        return np.where(self.nodes == node, self.conf, 0.0).max(axis=1)


def node_matrix(chains: ChainSet, index: MatchIndex) -> sparse.csr_matrix:
    """TF-IDF rows of the nodes' keyword documents with the index's fitted vectoriser, in every
    activity block of the enterprise rows (a node's products match whatever a firm does with
    them: making, selling or servicing)."""
    plain = index.vectorizer.transform([n.document for n in chains.nodes])
    blocks = index.enterprises.X.shape[1] // max(plain.shape[1], 1)
    return index.vectorizer.block(plain, np.ones((plain.shape[0], blocks), dtype=np.float32))


def place_enterprises(
    index: MatchIndex,
    chains: ChainSet | None = None,
    *,
    node_tfidf: sparse.csr_matrix | None = None,
    chunk: int = 65536,
) -> Placement:
    """Place every enterprise of ``index`` on chain nodes, with a confidence (vectorised).

    Parameters
    ----------
    index : MatchIndex
        A fitted index (``Matcher().fit(...).index_``).
    chains : ChainSet, default=None
        None uses the bundled chains.
    node_tfidf : sparse matrix, default=None
        The nodes' TF-IDF rows (:func:`node_matrix`), computed when not given.
    chunk : int, default=65536
        Enterprises per block (bounds the dense (block × nodes) arrays).

    Returns
    -------
    Placement
    """
    chains = load_chains() if chains is None else chains
    node_tfidf = node_matrix(chains, index) if node_tfidf is None else node_tfidf
    E = index.enterprises
    n, N = len(E), len(chains)
    K = min(MAX_NODES, N)
    out_nodes = np.full((n, K), -1, dtype=np.int32)
    out_conf = np.zeros((n, K), dtype=np.float32)
    NT = sparse.csr_matrix(node_tfidf.T, dtype=np.float32)
    discount = np.where(E.code_source == CODE_INFERRED, E.code_conf, 1.0).astype(np.float32)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        code = chains.code_table[E.leaf[start:stop]] * discount[start:stop, None]
        cos = np.asarray((E.X[start:stop] @ NT).todense(), dtype=np.float32)
        text = np.minimum(1.0, cos / TEXT_FULL)
        has_text = E.has_text[start:stop, None]
        conf = np.where(
            has_text, CODE_WEIGHT * code + TEXT_WEIGHT * text, NO_TEXT_CODE_WEIGHT * code
        )
        declared = (E.code_source[start:stop] == CODE_DECLARED)[:, None]
        conf = np.where(declared & (code == 0), 0.0, conf)  # a declared code must hit the node
        best = np.maximum.reduceat(conf, chains.starts, axis=1)[:, chains.chain_of]
        keep = (conf >= MIN_CONF) & (conf >= RELATIVE * best)
        conf = np.where(keep, conf, 0.0).astype(np.float32)
        top = np.argsort(-conf, axis=1, kind="stable")[:, :K]
        top_conf = np.take_along_axis(conf, top, axis=1)
        out_nodes[start:stop] = np.where(top_conf > 0, top, -1)
        out_conf[start:stop] = top_conf
    return Placement(out_nodes, out_conf)
