"""Chain family: does the enterprise fill, strengthen or extend the park's industry chain?

An enterprise scores when its chain node (see :mod:`matcher.chains`) is, for the park:

=============================  =====  ==========================================================
status of the node             value  meaning
=============================  =====  ==========================================================
缺失 (a targeted node, empty)   1.0    补链: fills a missing link
薄弱 (fewer than ``thin``)       0.85   强链: strengthens a thin link
可延链 (next to the chain)      0.6    延链: extends the chain up- or downstream
已集聚                           0.45   joins a link that is already strong
=============================  =====  ==========================================================

plus 0.15 (capped at 1) when the node supplies or buys from a node that holds tenants, times the
enterprise's placement confidence; the best of its placements counts. An enterprise on no node of
the park's chains scores 0. The component is unknown (neutral) when the park has no tenant
information or belongs to no chain, and when the enterprise has neither a code nor a scope text.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from ..chains import (
    EXCLUDED,
    EXTEND,
    MISSING,
    STRONG,
    THIN,
    ChainSet,
    ChainState,
    Placement,
    chain_state,
    place_enterprises,
)
from ..index import MatchIndex
from ..reference import taxonomy
from ._base import FeatureFamily, FitContext, broadcast_pairs

__all__ = ["ChainFeature", "describe_placement", "tenant_names"]


def tenant_names(members: list[tuple[str, str, float]], limit: int = 3) -> str:
    """Names of tenants for a sentence: ``甲、乙、丙 等 5 家``."""
    shown = "、".join(m[1] for m in members[:limit])
    return shown + (f" 等 {len(members)} 家" if len(members) > limit else "")


def describe_placement(index: MatchIndex, state: ChainState, ent: int, node: int) -> str:
    """Why the enterprise sits on ``node``: its code and the node words its text shares."""
    E = index.enterprises
    chain_node = state.chains.nodes[node]
    basis = []
    code = E.code_at(ent)
    if code is not None and any(
        taxonomy.code_similarity(code, c)[0] >= 1.0 for c in chain_node.codes
    ):
        basis.append(f"行业代码 {code}")
    phrases = index.vectorizer.shared_phrases(E.docs[ent], chain_node.document, k=3)
    if phrases:
        basis.append("主营「" + "、".join(phrases) + "」")
    return "、".join(basis) if basis else "经营范围"


class ChainFeature(FeatureFamily):
    """补链、强链、延链 and supply relations with the park's tenants.

    Parameters
    ----------
    chains : ChainSet, default=None
        The chains; None uses the bundled ones (:func:`matcher.chains.load_chains`).
    thin : int, default=2
        A node with fewer tenants than this is thin (薄弱).

    Examples
    --------
    >>> from matcher import Matcher, load_sample
    >>> from matcher.datasets import load_sample_tenants
    >>> from matcher.features import default_families
    >>> parks, enterprises = load_sample()
    >>> m = Matcher(families=[*default_families(), ChainFeature()])
    >>> m = m.fit(parks, enterprises, load_sample_tenants())
    >>> "chain" in m.rank_enterprises("GY-LZ-AL", k=3).columns
    True
    """

    name: ClassVar[str] = "chain"
    label: ClassVar[str] = "产业链协同"
    neutral: ClassVar[float] = 0.3
    default_weight: ClassVar[float] = 0.15

    def __init__(self, *, chains: ChainSet | None = None, thin: int = 2):
        self.chains = chains
        self.thin = thin

    # ------------------------------------------------------------------ state
    def prepare(self, index: MatchIndex, context: FitContext) -> None:
        """Place the fitted enterprises and profile every park from the tenants."""
        state = chain_state(
            index, context.parks, context.tenants, chains=self.chains, thin=self.thin
        )
        index.parks.extras["chain_tenants"] = context.tenants
        index.parks.extras[f"{self.name}:state"] = state
        index.enterprises.extras[f"{self.name}:placement"] = state.placement

    def prepare_enterprises(self, index: MatchIndex, enterprises: pd.DataFrame) -> None:
        """Place enterprises that were not in the fitted data (``index`` holds only them)."""
        state = self.state(index)
        index.enterprises.extras[f"{self.name}:placement"] = place_enterprises(
            index, state.chains, node_tfidf=state.node_tfidf
        )

    def state(self, index: MatchIndex) -> ChainState:
        """The chain state built by :meth:`prepare`."""
        return index.parks.extras[f"{self.name}:state"]

    def placement(self, index: MatchIndex) -> Placement:
        """The placement of the index's enterprises."""
        return index.enterprises.extras[f"{self.name}:placement"]

    # ------------------------------------------------------------------ values
    def compute(self, index: MatchIndex, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Component values (float32 in [0, 1], NaN where unknown) for broadcast pairs."""
        p, e = broadcast_pairs(parks, ents)
        state, placement = self.state(index), self.placement(index)
        E = index.enterprises
        nodes, conf = placement.nodes[e], placement.conf[e]
        if len(p) and np.all(p == p[0]):
            values = state.value[p[0]][nodes]
        else:
            values = state.value[p[:, None], nodes]
        value = (conf * values).max(axis=1) if nodes.shape[1] else np.zeros(len(e))
        unknown = ~state.known[p] | ((E.code_source[e] == 0) & ~E.has_text[e])
        return np.where(unknown, np.nan, value).astype(np.float32)

    def best_node(self, index: MatchIndex, park: int, ent: int) -> tuple[int, float, float]:
        """The enterprise's node that counts for this park: (node, confidence, node value)."""
        state = self.state(index)
        best = (-1, 0.0, 0.0)
        for node, conf in self.placement(index).of(ent):
            v = float(state.value[park, node])
            if best[0] < 0 or conf * v > best[1] * best[2]:
                best = (node, conf, v)
        return best

    # ------------------------------------------------------------------ reasons
    def reason(self, index: MatchIndex, park: int, ent: int, value: float) -> str:
        """A sentence about one pair that names the node and the tenants involved."""
        state = self.state(index)
        prof = state.profiles[park]
        E = index.enterprises
        if not prof.has_tenants:
            return "园区未提供入驻企业名单，产业链协同未知（按中性分计）"
        if not prof.chains:
            return "园区主导产业不在已收录的产业链上，产业链协同未知（按中性分计）"
        if E.code_source[ent] == 0 and not E.has_text[ent]:
            return "企业既无行业代码也无经营范围，无法对应产业链环节，产业链协同未知（按中性分计）"
        node, conf, node_value = self.best_node(index, park, ent)
        chains = state.chains
        if node < 0:
            return "企业未对应到已收录产业链的任何环节，与园区产业链无协同"
        chain_node = chains.nodes[node]
        where = f"「{chain_node.name}」"
        basis = describe_placement(index, state, ent, node)
        placed = f"据{basis}对应到{where}环节（置信度 {conf:.0%}）"
        status = int(prof.status[node])
        chain_name = chains.chains[int(chains.chain_of[node])].name
        if node_value <= 0:
            if status == EXCLUDED:
                return f"企业{placed}，该环节为园区禁止或不再引进的环节"
            return f"企业{placed}，不在园区的产业链上"
        members = prof.tenants.get(node, [])
        if status == MISSING:
            text = f"补链：园区{chain_name}缺少{where}环节（{chain_node.segment}），企业{placed}，可补齐"
        elif status == THIN:
            text = (
                f"强链：园区{where}环节仅有 {len(members)} 家（{tenant_names(members)}），"
                f"企业{placed}，可壮大该环节"
            )
        elif status == EXTEND:
            text = (
                f"延链：{where}是园区{chain_name}的{chain_node.segment}延伸环节，"
                f"企业{placed}，可延长产业链"
            )
        elif status == STRONG:
            text = (
                f"园区{where}环节已有 {len(members)} 家企业（{tenant_names(members)}），"
                f"企业{placed}，可加入集聚"
            )
        else:  # pragma: no cover - every valued status is handled above
            text = f"企业{placed}"
        return text + _links(state, park, node)


def _links(state: ChainState, park: int, node: int) -> str:
    """``；可为园区企业 … 供货；可采购园区企业 … 的产品`` from the occupied neighbours."""
    prof = state.profiles[park]
    chains = state.chains
    parts = []
    downs = [(d, prof.tenants[d]) for d in chains.down[node].tolist() if d in prof.tenants]
    ups = [(u, prof.tenants[u]) for u in chains.up[node].tolist() if u in prof.tenants]
    if downs:
        who = "；".join(f"{tenant_names(m, 2)}（{chains.nodes[d].name}）" for d, m in downs[:2])
        parts.append(f"可为园区企业 {who} 供货")
    if ups:
        who = "；".join(f"{tenant_names(m, 2)}（{chains.nodes[u].name}）" for u, m in ups[:2])
        parts.append(f"可就近采购园区企业 {who} 的产品")
    return "".join(f"；{p}" for p in parts)
