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

from ._data import COARSE_CODE, SEGMENTS, Chain, ChainNode, ChainSet, load_chains
from ._placement import (
    MAX_NODES,
    MIN_CONF,
    RELATIVE,
    TEXT_FULL,
    Placement,
    node_matrix,
    place_enterprises,
)
from ._profiles import (
    EXCLUDED,
    EXTEND,
    GAP_STATUSES,
    MISSING,
    OUT,
    STATUS_KEYS,
    STATUS_LABELS,
    STRONG,
    TARGET,
    THIN,
    ParkChainProfile,
    park_profiles,
)
from ._report import ChainReport, chain_report
from ._state import LINK_BONUS, STATUS_VALUE, ChainState, chain_state, matcher_chain_state

__all__ = [
    "COARSE_CODE",
    "EXCLUDED",
    "EXTEND",
    "GAP_STATUSES",
    "LINK_BONUS",
    "MAX_NODES",
    "MIN_CONF",
    "MISSING",
    "OUT",
    "RELATIVE",
    "SEGMENTS",
    "STATUS_KEYS",
    "STATUS_LABELS",
    "STATUS_VALUE",
    "STRONG",
    "TARGET",
    "TEXT_FULL",
    "THIN",
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
    "matcher_chain_state",
    "node_matrix",
    "park_profiles",
    "place_enterprises",
]
