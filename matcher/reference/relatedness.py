"""How related two industries are: the GB/T 4754 tree, industry chains and strategic groups.

The tree alone is a poor notion of relatedness: MEMS sensors (3983) and battery materials (3985)
share the 中类 398 but not a customer, while graphite anodes (3091), separators (2921),
electrolyte (2669) and copper foil (3251) sit in four other 大类 yet are what a lithium-battery
park (3841) needs. :class:`Relatedness` combines:

- the tree: an enterprise code at or below a park code is a full match (1.0); sharing the 中类
  counts :data:`TREE[3]`, the 大类 :data:`TREE[2]`, a service 门类 :data:`TREE[1]` (all of
  manufacturing is one 门类, which says nothing);
- industry chains: the curated chains in ``matcher/data/chains`` and the supply links of
  ``matcher/data/industry_links.csv`` (上游 → 下游): a direct supplier or customer counts
  :data:`CHAIN_LINK`, another member of the same chain :data:`CHAIN_MEMBER`;
- the 战略性新兴产业分类 (2018) groups of ``matcher/data/strategic_groups.csv``: codes of one small
  category count :data:`STRATEGIC`.

The best of these is the relatedness, and :meth:`Relatedness.explain` says which one it was
("锂电池产业链上游：正负极材料").

>>> rel = get_relatedness()
>>> rel.value("3091", "3841"), rel.value("3252", "325"), rel.explain("3091", "3841")
(0.7, 1.0, '锂电池产业链上游（石墨负极材料）')

A battery-materials park is not an electronics park, although both list 3985:

>>> battery = ["3841", "3985", "2613"]
>>> round(float(rel.table(battery)[taxonomy.get_taxonomy().ids["3983"]]), 2)  # MEMS sensors
0.45
>>> round(float(rel.table(battery)[taxonomy.get_taxonomy().ids["2921"]]), 2)  # separators
0.7
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import numpy.typing as npt

from . import taxonomy

__all__ = [
    "ANCESTOR",
    "CHAIN_CUSTOMER",
    "CHAIN_LINK",
    "CHAIN_MEMBER",
    "SITE_BOUND",
    "STRATEGIC",
    "TREE",
    "Relatedness",
    "get_relatedness",
]

#: Relatedness by the deepest level two codes share (4: at or below the park code).
TREE = {0: 0.0, 1: 0.1, 2: 0.25, 3: 0.45, 4: 1.0}
#: A direct supplier of the park's industry (补链), a direct customer (延链), and any other
#: member of the same chain.
CHAIN_LINK = 0.7
CHAIN_CUSTOMER = 0.5
CHAIN_MEMBER = 0.35
#: An enterprise code coarser than the park code (a firm known only as 26 化学原料和化学制品制造业
#: for a 2614 park) may well be exactly what the park wants: by the level it stops at.
ANCESTOR = {1: 0.0, 2: 0.45, 3: 0.65}
#: Farms and mines (门类 A, B) work where the land or the deposit is: as suppliers of a park of
#: another 门类 they are chain neighbours, not tenants, and count this share of the relation.
SITE_BOUND = 0.5
#: Codes of one 战略性新兴产业 category (categories of at most :data:`STRATEGIC_MAX` codes).
STRATEGIC = 0.4
STRATEGIC_MAX = 12


_LAND = ("A", "B")


@dataclass(frozen=True)
class _Relation:
    """Codes ``others`` are related to ``code`` with ``value``; ``label`` says how (for reasons)."""

    code: str
    others: tuple[str, ...]
    value: float
    label: str
    chain: str | None = None


def _data(name: str) -> str:
    return (files("matcher") / "data" / name).read_text(encoding="utf-8")


def _csv(name: str) -> list[dict[str, str]]:
    lines = [line for line in _data(name).splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines))


def _chain_relations() -> list[_Relation]:
    """Relations of the supply links file first (their labels are the most specific), then of
    the curated chains."""
    return [*_link_relations(), *_curated_relations()]


def _curated_relations() -> list[_Relation]:
    out: list[_Relation] = []
    chains_dir = files("matcher") / "data" / "chains"
    for entry in sorted(chains_dir.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        chain = json.loads(entry.read_text(encoding="utf-8"))
        nodes = {n["id"]: n for n in chain["nodes"]}
        members = [n for n in chain["nodes"] if not n.get("external")]
        for node in members:
            others = tuple(c for m in members if m is not node for c in m["codes"])
            for code in node["codes"]:
                out.append(
                    _Relation(code, others, CHAIN_MEMBER, f"同属{chain['name']}", chain["name"])
                )
        for up, down in chain.get("edges", []):
            a, b = nodes[up], nodes[down]
            for code in b["codes"]:
                label = f"{chain['name']}上游（{a['name']}）"
                out.append(_Relation(code, tuple(a["codes"]), CHAIN_LINK, label, chain["name"]))
            for code in a["codes"]:
                label = f"{chain['name']}下游（{b['name']}）"
                out.append(_Relation(code, tuple(b["codes"]), CHAIN_CUSTOMER, label, chain["name"]))
    return out


def _link_relations() -> list[_Relation]:
    out: list[_Relation] = []
    by_chain: dict[str, set[str]] = {}
    for row in _csv("industry_links.csv"):
        chain = row["chain"]
        by_chain.setdefault(chain, set()).update((row["upstream"], row["downstream"]))
        up, down = row["upstream"], row["downstream"]
        out.append(
            _Relation(down, (up,), CHAIN_LINK, f"{chain}上游（{row['upstream_name']}）", chain)
        )
        out.append(
            _Relation(
                up, (down,), CHAIN_CUSTOMER, f"{chain}下游（{row['downstream_name']}）", chain
            )
        )
    for chain, codes in by_chain.items():
        for code in codes:
            others = tuple(sorted(codes - {code}))
            out.append(_Relation(code, others, CHAIN_MEMBER, f"同属{chain}", chain))
    return out


def _strategic_relations() -> list[_Relation]:
    groups: dict[str, set[str]] = {}
    for row in _csv("strategic_groups.csv"):
        groups.setdefault(row["group"], set()).add(row["code"])
    out = []
    for group, codes in groups.items():
        if len(codes) < 2 or len(codes) > STRATEGIC_MAX:
            continue
        name = group.split(">")[-1]
        for code in codes:
            others = tuple(sorted(codes - {code}))
            out.append(_Relation(code, others, STRATEGIC, f"同属战略性新兴产业「{name}」"))
    return out


class Relatedness:
    """Relatedness of every GB/T code to a park's codes (tree, chains, strategic groups).

    Parameters
    ----------
    relations : sequence of _Relation, optional
        Extra relations beyond the tree; None loads the bundled chains, links and groups.
    """

    def __init__(self, relations: Sequence[_Relation] | None = None) -> None:
        tax = taxonomy.get_taxonomy()
        self._tax = tax
        rels = (
            list(relations)
            if relations is not None
            else [
                *_chain_relations(),
                *_strategic_relations(),
            ]
        )
        self._relations: dict[str, list[_Relation]] = {}
        for rel in rels:
            if rel.code in tax.ids and all(o in tax.ids for o in rel.others):
                self._relations.setdefault(rel.code, []).append(rel)
        n = len(tax.codes)
        self._paths = tax.paths(list(tax.codes))  # (n, 4) ids of ancestors
        self._level = np.array([tax.level(c) for c in tax.codes], dtype=np.int8)
        self._site_bound = np.array([tax.section(c) in _LAND for c in tax.codes], dtype=bool)
        self._n = n

    def _subtree(self, code: str) -> npt.NDArray[np.bool_]:
        """Mask over code ids: the code and every code below it."""
        cid = self._tax.ids[code]
        level = self._tax.level(code)
        return np.asarray(self._paths[:, level - 1] == cid)

    def _relations_of(self, park_code: str, chains: frozenset[str] | None) -> list[_Relation]:
        """Relations that apply to a park code: its own, its ancestors' and its descendants',
        of the given chains only (None: every chain)."""
        out: list[_Relation] = []
        codes = list(self._tax.ancestors(park_code))
        level = self._tax.level(park_code)
        if level < 4:
            codes.extend(self._tax.descendants(park_code, level=4))
        for code in codes:
            out.extend(
                r
                for r in self._relations.get(code, [])
                if r.chain is None or chains is None or r.chain in chains
            )
        return out

    def chains_of(self, park_codes: Sequence[str]) -> frozenset[str]:
        """The chains a park belongs to: those that hold at least two of its codes (or its only
        code), counting a code when it lies above, at or below a member of the chain."""
        return self._chains_of(tuple(park_codes))

    @functools.cached_property
    def _members(self) -> dict[str, set[str]]:
        """The member codes of each chain."""
        members: dict[str, set[str]] = {}
        for rels in self._relations.values():
            for r in rels:
                if r.chain is not None and r.value == CHAIN_MEMBER:
                    members.setdefault(r.chain, set()).add(r.code)
        return members

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one instance per process
    def _chains_of(self, park_codes: tuple[str, ...]) -> frozenset[str]:
        members = self._members
        tax = self._tax
        codes = [c for c in (tax.clean(x) for x in park_codes) if c is not None]
        need = min(2, len(codes))
        out = set()
        for chain, found in members.items():
            hits = 0
            for code in codes:
                anc = set(tax.ancestors(code))
                if any(m in anc or code in tax.ancestors(m) for m in found):
                    hits += 1
            if need and hits >= need:
                out.add(chain)
        return frozenset(out)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one instance per process
    def row(
        self, park_code: str, chains: frozenset[str] | None = None
    ) -> tuple[npt.NDArray[np.float32], tuple[str, ...]]:
        """Relatedness of every code id to one park code (last entry: missing code, 0), and for
        each code id the label of the relation that gave its value ("" for the tree).

        ``chains`` limits the chain relations to the park's own chains (see :meth:`chains_of`):
        a sensor maker supplies an electronics park, not a battery-materials park, although
        both list 3985.
        """
        tax = self._tax
        code = tax.clean(park_code)
        if code is None:
            raise ValueError(f"行业代码为空：{park_code!r}")
        level = tax.level(code)
        pid = self._paths[tax.ids[code]]
        shared = (self._paths[:, :level] == pid[:level]).sum(axis=1)
        # codes at or below the park code: full match; else by the deepest shared level
        tree_vals = np.array([TREE[0], TREE[1], TREE[2], TREE[3]], dtype=np.float64)
        values = np.where(shared == level, 1.0, tree_vals[np.minimum(shared, 3)])
        # codes above the park code (coarser enterprise codes on its path)
        for depth, value in ANCESTOR.items():
            if depth < level:
                values[pid[depth - 1]] = max(values[pid[depth - 1]], value)
        if tax.section(code) == "C":  # all of manufacturing is one 门类: that says nothing
            values = np.where((shared == 1) & (level > 1), 0.0, values)
        labels = np.full(self._n, -1, dtype=np.int32)
        names: list[str] = []
        for rel in self._relations_of(code, chains):
            mask = np.zeros(self._n, dtype=bool)
            for other in rel.others:
                mask |= self._subtree(other)
            better = mask & (rel.value > values)
            if better.any():
                values = np.where(better, rel.value, values)
                names.append(rel.label)
                labels[better] = len(names) - 1
        if tax.section(code) not in _LAND:
            values = np.where(self._site_bound, values * SITE_BOUND, values)
        out = np.zeros(self._n + 1, dtype=np.float32)
        out[:-1] = values
        why = (*(names[i] if i >= 0 else "" for i in labels.tolist()), "")
        return out, why

    def table(self, park_codes: Sequence[str]) -> npt.NDArray[np.float32]:
        """Best relatedness of every code id to any of a park's codes, within the park's own
        chains (last entry: missing code, 0)."""
        chains = self.chains_of(park_codes)
        out = np.zeros(self._n + 1, dtype=np.float32)
        for code in park_codes:
            np.maximum(out, self.row(code, chains)[0], out=out)
        return out

    def value(self, code: str, park_code: str, chains: frozenset[str] | None = None) -> float:
        """Relatedness of one enterprise code to one park code."""
        cid = self._tax.ids[self._tax.clean(code) or ""]
        return round(float(self.row(park_code, chains)[0][cid]), 4)

    def explain(self, code: str, park_code: str, chains: frozenset[str] | None = None) -> str:
        """How ``code`` relates to ``park_code`` beyond the tree ("" when only the tree does)."""
        cid = self._tax.ids[self._tax.clean(code) or ""]
        return self.row(park_code, chains)[1][cid]

    def best(self, code: str, park_codes: Sequence[str]) -> tuple[str, float, str]:
        """The park code most related to ``code`` (within the park's chains), the value, and
        the relation's label."""
        chains = self.chains_of(park_codes)
        best = ("", -1.0, "")
        for park_code in park_codes:
            value = self.value(code, park_code, chains)
            if value > best[1]:
                best = (park_code, value, self.explain(code, park_code, chains))
        return best


@functools.lru_cache(maxsize=1)
def get_relatedness() -> Relatedness:
    """The bundled relatedness (tree, curated chains, supply links, strategic groups)."""
    return Relatedness()
