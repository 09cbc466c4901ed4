"""Chain data: curated chains from ``matcher/data/chains/*.json`` (or your own files)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ConfigError, UnknownIdError
from ..reference import taxonomy

__all__ = ["COARSE_CODE", "SEGMENTS", "Chain", "ChainNode", "ChainSet", "load_chains"]

#: Segments of a chain, upstream first.
SEGMENTS = ("上游", "中游", "下游")

#: Code part of the placement for an enterprise code above a node's code (大类 or 中类).
COARSE_CODE = 0.5


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
