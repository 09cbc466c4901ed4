"""Industry chains (产业链): curated chain data, placing enterprises on chain nodes, a park's chain
profile from its tenants, and the chain report of a park (强链、补链、延链).

Chain data live in ``matcher/data/chains/*.json``, one file per chain, in the project's own
format::

    {"id": "aluminium", "name": "铝产业链", "description": "…",
     "sources": [{"title": "…", "use": "…"}],
     "nodes": [{"id": "al_flat", "name": "铝板带箔", "segment": "中游",
                "codes": ["3252"], "keywords": ["铝板", "铝箔", …], "external": false}, …],
     "edges": [["al_alloy", "al_flat"], …]}            # upstream → downstream

``codes`` are GB/T 4754-2017 codes (any level; an enterprise code at or below one of them is on
the node). ``keywords`` are the node's products and technical words (placement by text).
``external`` marks nodes that belong to another industry (users, raw materials) or are shared
support services: they take part in supply relations but do not by themselves make a park belong
to the chain.

Placement (:func:`place_enterprises`) is vectorised over the fitted index: a code part (1 when the
enterprise's code lies at or below a node code, 0.5 when the code is coarser but above it,
discounted by the inference confidence for inferred codes) and a text part (cosine between the
enterprise's scope + products TF-IDF row and the node's keyword row, saturating at
:data:`TEXT_FULL`) give a confidence ``0.55 × code + 0.45 × text`` (``0.7 × code`` without text).
An enterprise with a *declared* code is placed only on nodes its code belongs to (the text
chooses among them); without a declared code the text alone can place it. It is placed on the
nodes of a chain whose confidence is at least :data:`MIN_CONF` and at least :data:`RELATIVE` ×
its best confidence in that chain, and keeps its :data:`MAX_NODES` best placements overall.

A park's profile (:func:`park_profiles`) marks each node of the park's chains as 已集聚 (strong),
薄弱 (thin: fewer than ``thin`` tenants), 缺失 (missing: a targeted node without tenants), 可延链
(extension: an untargeted node next to a targeted or occupied one), 园区禁止 (excluded: every
code of the node is under an excluded industry of the park, or the positioning refuses one of its
keywords) or 未涉及. A node is *targeted* when one of its codes and one of the park's leading codes
lie one under the other, or when one of its keywords appears in the park's positioning outside a
clause that refuses it (不再、不予、不得、严禁、禁止、不引进、不引入、不接纳、不承接 …). A chain
belongs to the park when one of its non-external nodes is targeted or holds at least ``thin``
tenants. Without tenant information for a park, targeted nodes are 目标环节（入驻情况未知）.

>>> chains = load_chains()
>>> [c.id for c in chains.chains][:3]
['aluminium', 'biomedicine', 'electronics']
>>> chains.node("al_flat").name, chains.node("al_flat").segment
('铝板带箔', '中游')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from . import taxonomy
from ._index import CODE_DECLARED, CODE_INFERRED, MatchIndex
from .exceptions import ConfigError, UnknownIdError
from .schema import validate_tenants

if TYPE_CHECKING:
    from .model import Matcher

__all__ = [
    "MAX_NODES",
    "MIN_CONF",
    "RELATIVE",
    "SEGMENTS",
    "STATUS_LABELS",
    "TEXT_FULL",
    "Chain",
    "ChainNode",
    "ChainReport",
    "ChainSet",
    "ChainState",
    "ParkChainProfile",
    "Placement",
    "chain_report",
    "chain_state",
    "load_chains",
    "load_sample_tenants",
    "park_profiles",
    "place_enterprises",
]

#: Segments of a chain, upstream first.
SEGMENTS = ("上游", "中游", "下游")

#: Placement parameters (see the module docstring).
CODE_WEIGHT, TEXT_WEIGHT, NO_TEXT_CODE_WEIGHT, COARSE_CODE = 0.55, 0.45, 0.7, 0.5
TEXT_FULL = 0.3
MIN_CONF = 0.35
RELATIVE = 0.8
MAX_NODES = 4

#: Node statuses in a park's profile, as int8 codes.
OUT, STRONG, THIN, MISSING, EXTEND, EXCLUDED, TARGET = 0, 1, 2, 3, 4, 5, 6
STATUS_KEYS = ("out", "strong", "thin", "missing", "extension", "excluded", "target")
#: Chinese label of each status.
STATUS_LABELS = {
    "out": "未涉及",
    "strong": "已集聚",
    "thin": "薄弱",
    "missing": "缺失",
    "extension": "可延链",
    "excluded": "园区禁止",
    "target": "目标环节（入驻情况未知）",
}
#: The gaps a chain report lists candidates for, most urgent first.
GAP_STATUSES = (MISSING, THIN, EXTEND, TARGET)

_REFUSAL = re.compile(r"不再|不予|不得|严禁|禁止|不引进|不引入|不接纳|不承接|不允许|不准")
_CLAUSE = re.compile(r"[，。；;,！!？?\n]")


# ============================================================================ chain data
@dataclass(frozen=True)
class ChainNode:
    """One link (环节) of a chain.

    Attributes
    ----------
    id, chain, name, segment : str
        Unique id, the chain's id, Chinese name, 上游/中游/下游.
    codes : tuple of str
        GB/T 4754-2017 codes of the node.
    keywords : tuple of str
        Products and technical words of the node.
    external : bool
        The node belongs to another industry (a user or a raw material of the chain).
    """

    id: str
    chain: str
    name: str
    segment: str
    codes: tuple[str, ...]
    keywords: tuple[str, ...]
    external: bool = False

    @property
    def document(self) -> str:
        """The node's text for TF-IDF placement: its name and keywords."""
        return " ".join((self.name, *self.keywords))


@dataclass(frozen=True)
class Chain:
    """One industry chain: nodes, upstream → downstream edges and where the structure comes from."""

    id: str
    name: str
    description: str
    sources: tuple[Mapping[str, str], ...]
    nodes: tuple[ChainNode, ...]
    edges: tuple[tuple[str, str], ...]

    def upstream(self, node_id: str) -> list[str]:
        """Ids of the nodes that supply ``node_id``."""
        return [a for a, b in self.edges if b == node_id]

    def downstream(self, node_id: str) -> list[str]:
        """Ids of the nodes that ``node_id`` supplies."""
        return [b for a, b in self.edges if a == node_id]

    def to_frame(self) -> pd.DataFrame:
        """One row per node: id, name, segment, codes, keywords, upstream, downstream."""
        return pd.DataFrame(
            {
                "node_id": [n.id for n in self.nodes],
                "node": [n.name for n in self.nodes],
                "segment": [n.segment for n in self.nodes],
                "codes": [";".join(n.codes) for n in self.nodes],
                "keywords": ["、".join(n.keywords) for n in self.nodes],
                "external": [n.external for n in self.nodes],
                "upstream": [";".join(self.upstream(n.id)) for n in self.nodes],
                "downstream": [";".join(self.downstream(n.id)) for n in self.nodes],
            }
        )


class ChainSet:
    """Several chains flattened into one node axis (the columns of placements and profiles).

    Parameters
    ----------
    chains : sequence of Chain
        Node ids must be unique across chains.

    Attributes
    ----------
    nodes : tuple of ChainNode
        Every node, chain by chain (the node axis).
    chain_of : numpy.ndarray of int
        Chain index of each node.
    starts : numpy.ndarray of int
        Index of each chain's first node.
    up, down : list of numpy.ndarray
        Node indices that supply / are supplied by each node.
    code_table : numpy.ndarray of float32, shape (n_codes + 1, n_nodes)
        The code part of the placement for every GB/T code id (last row: no code).
    """

    def __init__(self, chains: Sequence[Chain]):
        self.chains = tuple(chains)
        self.nodes = tuple(n for c in self.chains for n in c.nodes)
        self.position = {n.id: i for i, n in enumerate(self.nodes)}
        if len(self.position) != len(self.nodes):
            ids = [n.id for n in self.nodes]
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ConfigError(f"产业链环节编号重复：{'、'.join(dup)}（各链的环节编号须全局唯一）")
        tax = taxonomy.get_taxonomy()
        self.flat_code_ids = np.array(
            [tax.ids[c] for n in self.nodes for c in n.codes], dtype=np.intp
        )
        self.flat_node = np.array(
            [j for j, n in enumerate(self.nodes) for _ in n.codes], dtype=np.intp
        )
        self.code_nodes: dict[str, list[int]] = {}
        for j, n in enumerate(self.nodes):
            for c in n.codes:
                self.code_nodes.setdefault(c, []).append(j)
        self.chain_of = np.repeat(
            np.arange(len(self.chains)), [len(c.nodes) for c in self.chains]
        ).astype(np.intp)
        self.starts = np.concatenate([[0], np.cumsum([len(c.nodes) for c in self.chains])[:-1]])
        self.starts = self.starts.astype(np.intp)
        self.up: list[np.ndarray] = [np.empty(0, np.intp) for _ in self.nodes]
        self.down: list[np.ndarray] = [np.empty(0, np.intp) for _ in self.nodes]
        ups: list[list[int]] = [[] for _ in self.nodes]
        downs: list[list[int]] = [[] for _ in self.nodes]
        for chain in self.chains:
            for a, b in chain.edges:
                ups[self.position[b]].append(self.position[a])
                downs[self.position[a]].append(self.position[b])
        self.up = [np.asarray(u, dtype=np.intp) for u in ups]
        self.down = [np.asarray(d, dtype=np.intp) for d in downs]
        self.external = np.array([n.external for n in self.nodes], dtype=bool)
        self.code_table = _code_table(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        return f"ChainSet({len(self.chains)} chains, {len(self.nodes)} nodes)"

    def chain(self, chain_id: str) -> Chain:
        """The chain with this id."""
        for c in self.chains:
            if c.id == chain_id:
                return c
        raise UnknownIdError("chain", chain_id)

    def node(self, node_id: str) -> ChainNode:
        """The node with this id."""
        try:
            return self.nodes[self.position[node_id]]
        except KeyError:
            raise UnknownIdError("chain node", node_id) from None

    def to_frame(self) -> pd.DataFrame:
        """Every node of every chain (see :meth:`Chain.to_frame`), with the chain's id and name."""
        frames = [c.to_frame().assign(chain=c.id, chain_name=c.name) for c in self.chains]
        out = pd.concat(frames, ignore_index=True)
        return out[["chain", "chain_name", *frames[0].columns]]


def _code_table(nodes: Sequence[ChainNode]) -> np.ndarray:
    tax = taxonomy.get_taxonomy()
    table = np.zeros((len(tax.codes) + 1, len(nodes)), dtype=np.float32)
    for j, node in enumerate(nodes):
        for code in node.codes:
            sim, _ = tax.similarity_tables([code])
            table[:, j] = np.maximum(table[:, j], np.where(sim >= 1.0, 1.0, 0.0))
            for anc in tax.ancestors(code)[1:-1]:  # 大类 and 中类 above the code, not the 门类
                table[tax.ids[anc], j] = max(table[tax.ids[anc], j], COARSE_CODE)
    table[-1] = 0.0
    return table


def _chain_from_dict(data: Mapping[str, Any], where: str) -> Chain:
    problems: list[str] = []

    def need(obj: Mapping[str, Any], key: str, kind: type, ctx: str) -> Any:
        value = obj.get(key)
        if not isinstance(value, kind) or (isinstance(value, str | list) and not value):
            problems.append(f"{ctx}缺少字段「{key}」或其类型不是 {kind.__name__}")
            return kind()
        return value

    chain_id = str(need(data, "id", str, ""))
    name = str(need(data, "name", str, ""))
    nodes: list[ChainNode] = []
    for k, raw in enumerate(need(data, "nodes", list, "")):
        ctx = f"第 {k + 1} 个环节："
        if not isinstance(raw, Mapping):
            problems.append(f"{ctx}应为对象")
            continue
        segment = str(raw.get("segment", ""))
        if segment not in SEGMENTS:
            problems.append(f"{ctx}segment 应为 上游/中游/下游 之一，得到 {segment!r}")
        codes = []
        for code in raw.get("codes", []) or []:
            try:
                cleaned = taxonomy.clean_code(code)
            except ValueError as exc:
                problems.append(f"{ctx}行业代码 {code!r} 无效：{exc}")
                continue
            if cleaned is not None:
                codes.append(cleaned)
        keywords = [str(w).strip() for w in raw.get("keywords", []) or [] if str(w).strip()]
        if not codes and not keywords:
            problems.append(f"{ctx}至少需要一个行业代码或关键词")
        nodes.append(
            ChainNode(
                id=str(need(raw, "id", str, ctx)),
                chain=chain_id,
                name=str(need(raw, "name", str, ctx)),
                segment=segment,
                codes=tuple(codes),
                keywords=tuple(keywords),
                external=bool(raw.get("external", False)),
            )
        )
    ids = {n.id for n in nodes}
    edges: list[tuple[str, str]] = []
    for k, edge in enumerate(data.get("edges", []) or []):
        if not (isinstance(edge, Sequence) and len(edge) == 2):
            problems.append(f"第 {k + 1} 条上下游关系应为 [上游环节, 下游环节]，得到 {edge!r}")
            continue
        a, b = str(edge[0]), str(edge[1])
        for end in (a, b):
            if end not in ids:
                problems.append(f"第 {k + 1} 条上下游关系引用了不存在的环节 {end!r}")
        if a == b:
            problems.append(f"第 {k + 1} 条上下游关系首尾相同：{a!r}")
        edges.append((a, b))
    if not problems and _has_cycle(ids, edges):
        problems.append("上下游关系存在环路（应为从上游到下游的有向无环图）")
    sources = tuple(dict(s) for s in data.get("sources", []) or [] if isinstance(s, Mapping))
    if not sources:
        problems.append("缺少 sources（产业链结构的来源说明）")
    if problems:
        raise ConfigError(f"产业链数据 {where} 有误：" + "；".join(problems))
    return Chain(
        id=chain_id,
        name=name,
        description=str(data.get("description", "")),
        sources=sources,
        nodes=tuple(nodes),
        edges=tuple(edges),
    )


def _has_cycle(ids: set[str], edges: list[tuple[str, str]]) -> bool:
    indegree = dict.fromkeys(ids, 0)
    for _, b in edges:
        indegree[b] += 1
    ready = [n for n, d in indegree.items() if d == 0]
    seen = 0
    while ready:
        node = ready.pop()
        seen += 1
        for a, b in edges:
            if a == node:
                indegree[b] -= 1
                if indegree[b] == 0:
                    ready.append(b)
    return seen != len(ids)


@lru_cache(maxsize=1)
def _bundled_chains() -> ChainSet:
    folder = files("matcher") / "data" / "chains"
    chains = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            chains.append(_chain_from_dict(data, entry.name))
    return ChainSet(chains)


def load_chains(paths: str | Path | Iterable[str | Path] | None = None) -> ChainSet:
    """Load industry chains: the bundled ones, or JSON files / folders of JSON files.

    Parameters
    ----------
    paths : path, iterable of paths, or None
        None loads the bundled chains (铝、新材料、装备制造、电子信息、食品加工、生物医药、
        纺织服装), loaded once and shared.

    Raises
    ------
    ConfigError
        When a file breaks the chain format (bad segment, unknown GB/T code, an edge to a node
        that does not exist, a cycle, no sources), naming every problem.
    """
    if paths is None:
        return _bundled_chains()
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    files_: list[Path] = []
    for item in items:
        path = Path(item)
        files_.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    chains = []
    for path in files_:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"无法读取产业链文件 {path}：{exc}") from None
        chains.append(_chain_from_dict(data, path.name))
    if not chains:
        raise ConfigError(f"没有找到产业链文件（已查找：{'、'.join(map(str, items))}）")
    return ChainSet(chains)


# ============================================================================ placement
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


# ============================================================================ park profiles
@dataclass
class ParkChainProfile:
    """The chain profile of one park.

    Attributes
    ----------
    park_id : str
    chains : list of int
        Indices of the chains the park belongs to.
    status : numpy.ndarray of int8
        Status of every node (see :data:`STATUS_LABELS`); 未涉及 outside the park's chains.
    targeted : numpy.ndarray of bool
        Nodes the park's leading industries or positioning aim at.
    tenants : dict of int to list of (str, str, float)
        Tenants on each node: (enterprise_id, name, placement confidence), best first.
    has_tenants : bool
        Whether tenant information exists for the park (else occupancy is unknown).
    n_tenants : int
        How many tenants the park has in the tenants table.
    """

    park_id: str
    chains: list[int]
    status: np.ndarray
    targeted: np.ndarray
    tenants: dict[int, list[tuple[str, str, float]]] = field(default_factory=dict)
    has_tenants: bool = False
    n_tenants: int = 0

    @property
    def occupied(self) -> np.ndarray:
        """Nodes that hold at least one tenant."""
        occ = np.zeros(len(self.status), dtype=bool)
        occ[list(self.tenants)] = True
        return occ


def _text_hits(chains: ChainSet, positioning: str) -> tuple[np.ndarray, np.ndarray]:
    """Nodes whose keywords the positioning names: in a welcoming clause / in a refusing one."""
    clauses = [c for c in _CLAUSE.split(positioning or "") if c]
    welcome = " ".join(c for c in clauses if not _REFUSAL.search(c))
    refuse = " ".join(c for c in clauses if _REFUSAL.search(c))
    wanted = np.zeros(len(chains), dtype=bool)
    refused = np.zeros(len(chains), dtype=bool)
    for j, node in enumerate(chains.nodes):
        words = [w for w in node.keywords if len(w) >= 2]
        wanted[j] = any(w in welcome for w in words)
        refused[j] = any(w in refuse for w in words)
    return wanted, refused


def _node_hits(chains: ChainSet, codes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per node: whether one of its codes and one of ``codes`` lie one under the other, and
    whether every one of its codes lies under ``codes``."""
    N = len(chains)
    if not codes:
        return np.zeros(N, dtype=bool), np.zeros(N, dtype=bool)
    tax = taxonomy.get_taxonomy()
    sim, _ = tax.similarity_tables(list(codes))
    below = sim[chains.flat_code_ids] >= 1.0  # node code at or below one of ``codes``
    n_codes = np.bincount(chains.flat_node, minlength=N)
    n_below = np.bincount(chains.flat_node, weights=below, minlength=N)
    any_hit = n_below > 0
    for code in codes:  # a park code inside a node code: the node contains it
        for anc in tax.ancestors(code):
            any_hit[chains.code_nodes.get(anc, [])] = True
    all_under = (n_codes > 0) & (n_below == n_codes)
    return any_hit, all_under


def park_profiles(
    chains: ChainSet,
    parks: pd.DataFrame,
    placement: Placement,
    enterprise_ids: np.ndarray,
    enterprise_names: Sequence[str | None],
    tenants: pd.DataFrame | None,
    *,
    thin: int = 2,
) -> list[ParkChainProfile]:
    """The chain profile of every park (rows of ``parks``, a validated parks frame).

    Parameters
    ----------
    chains : ChainSet
    parks : DataFrame
        Validated parks (``park_id``, ``leading_industries``, ``excluded_industries``,
        ``positioning``).
    placement : Placement
        Placement of the enterprises ``enterprise_ids`` (same rows).
    enterprise_ids, enterprise_names : arrays
        Ids and names of the placed enterprises.
    tenants : DataFrame or None
        ``park_id, enterprise_id`` pairs; None means occupancy is unknown for every park. A park
        that does not appear in the table also has unknown occupancy.
    thin : int, default=2
        A node with fewer tenants than this is thin (薄弱).
    """
    if thin < 1:
        raise ConfigError(f"thin 应为不小于 1 的整数，得到 {thin!r}")
    position = {str(k): i for i, k in enumerate(np.asarray(enterprise_ids).tolist())}
    by_park: dict[str, list[int]] = {}
    if tenants is not None:
        for pid, eid in zip(
            tenants["park_id"].astype(str), tenants["enterprise_id"].astype(str), strict=True
        ):
            if eid in position:
                by_park.setdefault(pid, []).append(position[eid])
    N = len(chains)
    out = []
    for row in parks.itertuples(index=False):
        pid = str(row.park_id)
        leading = taxonomy.split_codes(getattr(row, "leading_industries", None))
        excluded = taxonomy.split_codes(getattr(row, "excluded_industries", None))
        by_code, _ = _node_hits(chains, leading)
        _, all_excluded = _node_hits(chains, excluded)
        by_text, refused = _text_hits(chains, getattr(row, "positioning", "") or "")
        all_excluded |= refused
        targeted = (by_code | by_text) & ~all_excluded
        has_tenants = pid in by_park
        tenant_rows = by_park.get(pid, [])
        on_node: dict[int, list[tuple[str, str, float]]] = {}
        for r in tenant_rows:
            for node, conf in placement.of(r):
                name = enterprise_names[r] or str(enterprise_ids[r])
                on_node.setdefault(node, []).append((str(enterprise_ids[r]), str(name), conf))
        for node in on_node:
            on_node[node].sort(key=lambda t: -t[2])
        counts = np.zeros(N, dtype=np.int32)
        for node, members in on_node.items():
            counts[node] = len(members)
        park_chains = []
        for ci in range(len(chains.chains)):
            cols = np.flatnonzero(chains.chain_of == ci)
            core = cols[~chains.external[cols]]
            if targeted[core].any() or counts[core].sum() >= thin:
                park_chains.append(ci)
        status = np.full(N, OUT, dtype=np.int8)
        for ci in park_chains:
            cols = np.flatnonzero(chains.chain_of == ci)
            anchor = targeted[cols] | (counts[cols] > 0)
            for j in cols:
                if all_excluded[j]:
                    status[j] = EXCLUDED
                elif not has_tenants and targeted[j]:
                    status[j] = TARGET
                elif counts[j] >= thin:
                    status[j] = STRONG
                elif counts[j] > 0:
                    status[j] = THIN
                elif targeted[j]:
                    status[j] = MISSING
            for j in cols[~anchor]:
                if status[j] != OUT:
                    continue
                neighbours = np.concatenate([chains.up[j], chains.down[j]])
                if any(targeted[k] or counts[k] > 0 for k in neighbours):
                    status[j] = EXTEND
        out.append(
            ParkChainProfile(
                park_id=pid,
                chains=park_chains,
                status=status,
                targeted=targeted,
                tenants=on_node,
                has_tenants=has_tenants,
                n_tenants=len(tenant_rows),
            )
        )
    return out


# ============================================================================ state per fit
#: Value of a node for the chain component, by status (补链 > 强链 > 延链 > 集聚).
STATUS_VALUE = {MISSING: 1.0, THIN: 0.85, EXTEND: 0.6, STRONG: 0.45}
#: Added when the node supplies or buys from a node that holds tenants (capped at 1).
LINK_BONUS = 0.15


@dataclass
class ChainState:
    """Everything the chain-aware parts need for one fitted index.

    Attributes
    ----------
    chains : ChainSet
    thin : int
    node_tfidf : sparse matrix
        The nodes' TF-IDF rows with the index's vectoriser.
    placement : Placement
        Placement of the fitted enterprises.
    profiles : list of ParkChainProfile
        One per park row.
    value : numpy.ndarray of float32, shape (m, n_nodes + 1)
        Chain component value of each node for each park (last column: no node, 0).
    neighbours : numpy.ndarray of float32, shape (m, n_nodes + 1)
        Presence of suppliers and customers among each park's tenants for an enterprise on each
        node, NaN where unknown (used by the preference component).
    known : numpy.ndarray of bool
        Parks with chain and tenant information.
    tenant_rows : numpy.ndarray of bool
        Fitted enterprises that are tenants of some park.
    """

    chains: ChainSet
    thin: int
    node_tfidf: sparse.csr_matrix
    placement: Placement
    profiles: list[ParkChainProfile]
    value: np.ndarray
    neighbours: np.ndarray
    known: np.ndarray
    tenant_rows: np.ndarray


def _park_tables(
    chains: ChainSet, profiles: list[ParkChainProfile]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m, N = len(profiles), len(chains)
    value = np.zeros((m, N + 1), dtype=np.float32)
    neighbours = np.full((m, N + 1), np.nan, dtype=np.float32)
    known = np.zeros(m, dtype=bool)
    for i, prof in enumerate(profiles):
        known[i] = prof.has_tenants and bool(prof.chains)
        if not prof.has_tenants:
            continue
        occupied = prof.occupied
        for j in range(N):
            ups, downs = chains.up[j], chains.down[j]
            linked = bool(occupied[ups].any() or occupied[downs].any())
            base = STATUS_VALUE.get(int(prof.status[j]), 0.0)
            if base > 0:
                value[i, j] = min(1.0, base + LINK_BONUS * linked)
            parts = []
            if len(ups):
                parts.append(float(occupied[ups].any()))
            if len(downs):
                parts.append(float(occupied[downs].any()))
            neighbours[i, j] = float(np.mean(parts)) if parts else np.nan
    return value, neighbours, known


def chain_state(
    index: MatchIndex,
    parks: pd.DataFrame,
    tenants: pd.DataFrame | None,
    *,
    chains: ChainSet | None = None,
    thin: int = 2,
    cache: bool = True,
) -> ChainState:
    """Build (or fetch from ``index.parks.extras``) the chain state of a fitted index.

    Parameters
    ----------
    index : MatchIndex
    parks : DataFrame
        The validated parks the index was built from (same rows).
    tenants : DataFrame or None
        Validated ``park_id, enterprise_id`` pairs.
    chains : ChainSet, default=None
        None uses the bundled chains.
    thin : int, default=2
        Fewer tenants than this on a node is thin.
    cache : bool, default=True
        Keep the state in ``index.parks.extras["chain_states"]`` so that several families
        share it (the key is the chain set, ``thin`` and the tenants table).
    """
    chains = load_chains() if chains is None else chains
    key = (id(chains), int(thin), None if tenants is None else id(tenants))
    store: dict[tuple[int, int, int | None], ChainState] = index.parks.extras.setdefault(
        "chain_states", {}
    )
    if cache and key in store:
        return store[key]
    E = index.enterprises
    node_tfidf = node_matrix(chains, index)
    placement = place_enterprises(index, chains, node_tfidf=node_tfidf)
    names = E.names.tolist() if hasattr(E.names, "tolist") else list(E.names)
    profiles = park_profiles(chains, parks, placement, np.asarray(E.ids), names, tenants, thin=thin)
    value, neighbours, known = _park_tables(chains, profiles)
    tenant_rows = np.zeros(len(E), dtype=bool)
    if tenants is not None:
        for eid in tenants["enterprise_id"].astype(str):
            row = E.position.get(eid)
            if row is not None:
                tenant_rows[row] = True
    state = ChainState(
        chains, int(thin), node_tfidf, placement, profiles, value, neighbours, known, tenant_rows
    )
    if cache:
        store[key] = state
    return state


# ============================================================================ sample tenants
def load_sample_tenants() -> pd.DataFrame:
    """The tenants of the bundled sample parks (``datasets/tenants.csv``), validated.

    Tenants were drawn from the sample enterprises of each park's industries, leaving some
    chain nodes thin or missing on purpose, so that chain reports have gaps to find.

    Examples
    --------
    >>> tenants = load_sample_tenants()
    >>> list(tenants.columns[:2]), "GY-LZ-AL" in set(tenants["park_id"])
    (['park_id', 'enterprise_id'], True)
    """
    from .datasets import sample_dir

    path = sample_dir() / "tenants.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return validate_tenants(frame, file="tenants.csv")


# ============================================================================ report
_STATUS_MARK = {
    STRONG: "●",
    THIN: "◐",
    MISSING: "○",
    EXTEND: "→",
    EXCLUDED: "✕",
    TARGET: "?",
    OUT: "·",
}


@dataclass
class ChainReport:
    """The chain map of one park with its gaps and the best candidate enterprises per gap.

    Attributes
    ----------
    park_id, park_name : str
    has_tenants : bool
        Whether tenant information existed for the park.
    n_tenants : int
    chains : list of str
        Names of the park's chains.
    nodes : DataFrame
        One row per node of the park's chains: ``chain, chain_name, node_id, node, segment,
        status, status_label, n_tenants, tenants, upstream, downstream, codes, candidates``.
    leads : DataFrame
        The candidates of each gap: ``chain, node_id, node, status_label, rank, enterprise_id,
        name, score, placement_conf, reasons`` (ranked by the matcher's score).
    edges : DataFrame
        ``chain, upstream, downstream`` (node names) of the park's chains.
    """

    park_id: str
    park_name: str
    has_tenants: bool
    n_tenants: int
    chains: list[str]
    nodes: pd.DataFrame
    leads: pd.DataFrame
    edges: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The chain map: one row per node (see ``nodes``)."""
        return self.nodes.copy()

    def gaps(self) -> pd.DataFrame:
        """The nodes that are missing, thin or extension opportunities, most urgent first."""
        keys = [STATUS_KEYS[s] for s in GAP_STATUSES]
        gaps = self.nodes[self.nodes["status"].isin(keys)].copy()
        order = {k: i for i, k in enumerate(keys)}
        gaps["_o"] = gaps["status"].map(order)
        return gaps.sort_values(["_o"], kind="stable").drop(columns="_o")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the service)."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return json.loads(frame.to_json(orient="records", force_ascii=False))

        return {
            "park_id": self.park_id,
            "park_name": self.park_name,
            "has_tenants": self.has_tenants,
            "n_tenants": self.n_tenants,
            "chains": self.chains,
            "nodes": records(self.nodes),
            "leads": records(self.leads),
            "edges": records(self.edges),
        }

    def to_excel(self, path: str | Path) -> Path:
        """Write the report as XLSX: sheets 产业链图谱, 补链线索, 上下游关系 (Chinese headers).

        Text cells go through :func:`matcher.io.safe_cell` (no formulas, no control characters).
        """
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            raise ConfigError(f"产业链报告只能写出为 .xlsx 文件，得到 {path.name!r}")
        nodes = self.nodes.drop(columns=["status"]).rename(columns=_NODE_HEADERS)
        leads = self.leads.rename(columns=_LEAD_HEADERS)
        edges = self.edges.rename(columns={"chain": "产业链", "upstream": "上游环节"}).rename(
            columns={"downstream": "下游环节"}
        )
        from .io import write_excel

        return write_excel({"产业链图谱": nodes, "补链线索": leads, "上下游关系": edges}, path)

    def __str__(self) -> str:
        lines = [f"{self.park_name}（{self.park_id}）产业链图谱"]
        if not self.chains:
            lines.append("  园区主导产业不在已收录的产业链上。")
            return "\n".join(lines)
        if self.has_tenants:
            lines.append(f"  已入驻企业 {self.n_tenants} 家")
        else:
            lines.append("  未提供入驻企业名单：只能标出目标环节，无法判断缺失与薄弱")
        legend = "  图例：● 已集聚  ◐ 薄弱  ○ 缺失  → 可延链  ✕ 园区禁止  ? 入驻情况未知  · 未涉及"
        lines.append(legend)
        for chain in self.chains:
            lines.append(f"【{chain}】")
            part = self.nodes[self.nodes["chain_name"] == chain]
            for segment in SEGMENTS:
                seg = part[part["segment"] == segment]
                if seg.empty:
                    continue
                cells = []
                for r in seg.itertuples(index=False):
                    mark = _STATUS_MARK[STATUS_KEYS.index(str(r.status))]
                    count = f"{r.n_tenants}" if r.n_tenants else ""
                    cells.append(f"{mark}{r.node}{count and '(' + count + ')'}")
                lines.append(f"  {segment}：" + "  ".join(cells))
        gaps = self.gaps()
        if not gaps.empty:
            lines.append("补链、强链、延链线索：")
            for r in gaps.itertuples(index=False):
                leads = self.leads[self.leads["node_id"] == r.node_id]
                head = f"  [{r.status_label}] {r.node}（{r.segment}）"
                if r.tenants:
                    head += f"，现有：{r.tenants}"
                lines.append(head)
                if leads.empty:
                    lines.append("      暂无合适的候选企业")
                for lead in leads.itertuples(index=False):
                    lines.append(
                        f"      {lead.rank}. {lead.name}（{lead.enterprise_id}）{lead.score:.1f} 分"
                    )
        return "\n".join(lines)


_NODE_HEADERS = {
    "chain": "产业链编号",
    "chain_name": "产业链",
    "node_id": "环节编号",
    "node": "环节",
    "segment": "上中下游",
    "status_label": "状态",
    "n_tenants": "入驻企业数",
    "tenants": "入驻企业",
    "upstream": "上游环节",
    "downstream": "下游环节",
    "codes": "行业代码",
    "candidates": "候选企业",
}
_LEAD_HEADERS = {
    "chain": "产业链",
    "node_id": "环节编号",
    "node": "环节",
    "status_label": "状态",
    "rank": "排名",
    "enterprise_id": "企业编号",
    "name": "企业名称",
    "score": "得分",
    "placement_conf": "环节对应置信度",
    "reasons": "推荐理由",
}


def _names(members: Sequence[tuple[str, str, float]], limit: int = 3) -> str:
    shown = "、".join(m[1] for m in members[:limit])
    return shown + (f" 等 {len(members)} 家" if len(members) > limit else "")


def matcher_chain_state(
    matcher: Matcher,
    *,
    tenants: pd.DataFrame | None = None,
    chains: ChainSet | None = None,
    thin: int = 2,
) -> ChainState:
    """The chain state of a fitted matcher (shared with its chain families when they match)."""
    index = matcher._check_fitted()
    if tenants is not None:
        tenants = validate_tenants(
            tenants, parks=matcher.parks_, enterprises=matcher.enterprises_, file="tenants"
        )
        return chain_state(index, matcher.parks_, tenants, chains=chains, thin=thin, cache=False)
    for key, value in index.parks.extras.items():  # the state a chain family built at fit
        if key.endswith(":state") and isinstance(value, ChainState) and value.thin == thin:
            if chains is None or value.chains is chains:
                return value
    family_tenants = index.parks.extras.get("chain_tenants", matcher.tenants_)
    return chain_state(index, matcher.parks_, family_tenants, chains=chains, thin=thin)


def chain_report(
    matcher: Matcher,
    park_id: str,
    *,
    k: int = 5,
    tenants: pd.DataFrame | None = None,
    chains: ChainSet | None = None,
    thin: int = 2,
    min_conf: float = 0.5,
    include_tenants: bool = False,
) -> ChainReport:
    """The chain map of a park, its gaps, and the best candidate enterprises for each gap.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher; its tenants (``fit(..., tenants)``) are used unless ``tenants`` is
        given. Candidates are ranked with the matcher's own score (so a matcher with
        :class:`~matcher.features.chain.ChainFeature` ranks chain fit in).
    park_id : str
    k : int, default=5
        Candidates per gap.
    tenants : DataFrame, default=None
        ``park_id, enterprise_id`` pairs overriding the matcher's tenants.
    chains : ChainSet, default=None
        None uses the bundled chains.
    thin : int, default=2
        A node with fewer tenants than this is thin.
    min_conf : float, default=0.5
        Placement confidence a candidate needs on the gap's node.
    include_tenants : bool, default=False
        Also propose enterprises that are already tenants of some park.

    Returns
    -------
    ChainReport

    Raises
    ------
    UnknownIdError
        For a park the matcher does not hold.
    """
    park = matcher._park_row(park_id)
    if k < 0:
        raise ConfigError(f"k 应为不小于 0 的整数，得到 {k!r}")
    state = matcher_chain_state(matcher, tenants=tenants, chains=chains, thin=thin)
    chains = state.chains
    prof = state.profiles[park]
    index = matcher.index_
    park_name = str(index.parks.names[park])
    pool = np.ones(len(index.enterprises), dtype=bool)
    if not include_tenants:
        pool &= ~state.tenant_rows
    node_rows = []
    lead_frames = []
    edge_rows = []
    for ci in prof.chains:
        chain = chains.chains[ci]
        for a, b in chain.edges:
            edge_rows.append(
                {
                    "chain": chain.name,
                    "upstream": chains.node(a).name,
                    "downstream": chains.node(b).name,
                }
            )
        cols = sorted(
            np.flatnonzero(chains.chain_of == ci).tolist(),
            key=lambda j: SEGMENTS.index(chains.nodes[j].segment),
        )
        for j in cols:
            node = chains.nodes[j]
            status = int(prof.status[j])
            members = prof.tenants.get(j, [])
            candidates = ""
            if status in GAP_STATUSES and k > 0:
                conf = state.placement.node_conf(j)
                mask = pool & (conf >= min_conf)
                if mask.any():
                    ranked = matcher.rank_enterprises(park_id, k=k, candidates=mask)
                    if len(ranked):
                        rows = np.array(
                            [index.enterprises.position[e] for e in ranked.enterprise_id]
                        )
                        lead_frames.append(
                            pd.DataFrame(
                                {
                                    "chain": chain.name,
                                    "node_id": node.id,
                                    "node": node.name,
                                    "status_label": STATUS_LABELS[STATUS_KEYS[status]],
                                    "rank": ranked["rank"].to_numpy(),
                                    "enterprise_id": ranked["enterprise_id"].to_numpy(),
                                    "name": ranked["name"].to_numpy(),
                                    "score": ranked["score"].to_numpy(),
                                    "placement_conf": conf[rows].round(3),
                                    "reasons": ranked["reasons"].to_numpy(),
                                }
                            )
                        )
                        candidates = "、".join(ranked["name"].astype(str).tolist())
            node_rows.append(
                {
                    "chain": chain.id,
                    "chain_name": chain.name,
                    "node_id": node.id,
                    "node": node.name,
                    "segment": node.segment,
                    "status": STATUS_KEYS[status],
                    "status_label": STATUS_LABELS[STATUS_KEYS[status]],
                    "n_tenants": len(members),
                    "tenants": _names(members, limit=5),
                    "upstream": "、".join(chains.nodes[u].name for u in chains.up[j]),
                    "downstream": "、".join(chains.nodes[d].name for d in chains.down[j]),
                    "codes": ";".join(node.codes),
                    "candidates": candidates,
                }
            )
    lead_columns = [
        "chain",
        "node_id",
        "node",
        "status_label",
        "rank",
        "enterprise_id",
        "name",
        "score",
        "placement_conf",
        "reasons",
    ]
    leads = (
        pd.concat(lead_frames, ignore_index=True)
        if lead_frames
        else pd.DataFrame({c: [] for c in lead_columns})
    )
    node_columns = [
        "chain",
        "chain_name",
        "node_id",
        "node",
        "segment",
        "status",
        "status_label",
        "n_tenants",
        "tenants",
        "upstream",
        "downstream",
        "codes",
        "candidates",
    ]
    nodes = pd.DataFrame(node_rows, columns=node_columns)
    return ChainReport(
        park_id=str(park_id),
        park_name=park_name,
        has_tenants=prof.has_tenants,
        n_tenants=prof.n_tenants,
        chains=[chains.chains[ci].name for ci in prof.chains],
        nodes=nodes,
        leads=leads,
        edges=pd.DataFrame(edge_rows, columns=["chain", "upstream", "downstream"]),
    )
