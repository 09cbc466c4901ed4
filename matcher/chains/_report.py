"""The chain report of a park: its chain map, gaps and the best candidates per gap."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import ConfigError
from ..io import write_excel
from ._data import SEGMENTS, ChainSet
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
)
from ._state import matcher_chain_state

if TYPE_CHECKING:
    from ..matching import Matcher

__all__ = ["ChainReport", "chain_report"]

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
    park = matcher.check_fitted().park_row(park_id)
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
                        rows = index.enterprises.position.rows(ranked.enterprise_id.tolist())
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
