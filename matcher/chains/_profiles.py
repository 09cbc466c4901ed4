"""A park's chain profile: each node of its chains 已集聚, 薄弱, 缺失, 可延链, 园区禁止 or 未涉及."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..exceptions import ConfigError
from ..reference import taxonomy
from ._data import ChainSet
from ._placement import Placement

__all__ = [
    "EXCLUDED",
    "EXTEND",
    "GAP_STATUSES",
    "MISSING",
    "OUT",
    "STATUS_KEYS",
    "STATUS_LABELS",
    "STRONG",
    "TARGET",
    "THIN",
    "ParkChainProfile",
    "park_profiles",
]

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
