"""Data for the pages' ECharts figures, computed on the server as plain JSON-ready values.

No score is computed here: the waterfall is the explanation's own arithmetic (baseline + each
contribution = score), the chain graph is the library's chain report laid out, and the map
places parks and leads at their stored coordinates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "CHAIN_COLORS",
    "STATUS_COLORS",
    "chain_graph",
    "map_bounds",
    "waterfall",
]

#: Colour of each lead status on the map and the board.
STATUS_COLORS = {
    "new": "#5470c6",
    "contacted": "#73c0de",
    "visited": "#3ba272",
    "negotiating": "#fac858",
    "signed": "#ee6666",
    "settled": "#9a60b4",
    "abandoned": "#999999",
}
#: Colour of each chain-node status label.
CHAIN_COLORS = {
    "已集聚": "#2e7d32",
    "薄弱": "#f9a825",
    "缺失": "#c62828",
    "可延链": "#1565c0",
    "园区禁止": "#616161",
    "未涉及": "#bdbdbd",
}
_SEGMENT_X = {"上游": 0, "中游": 1, "下游": 2}


def waterfall(
    baseline: float,
    contributions: Mapping[str, float],
    labels: Mapping[str, str],
    score: float,
) -> dict[str, Any]:
    """The steps of a waterfall: baseline, one bar per component, then the score.

    Each step has ``label``, ``value`` (its contribution), ``start`` and ``end`` (the running
    total before and after it); the last step's ``end`` is ``score``.

    >>> w = waterfall(0.0, {"industry": 30.0, "text": -2.5}, {"industry": "产业匹配"}, 27.5)
    >>> [(s["label"], s["start"], s["end"]) for s in w["steps"]]
    [('基线', 0.0, 0.0), ('产业匹配', 0.0, 30.0), ('text', 30.0, 27.5), ('总分', 0.0, 27.5)]
    >>> w["balanced"]
    True
    """
    steps: list[dict[str, Any]] = [
        {"key": "baseline", "label": "基线", "value": baseline, "start": 0.0, "end": baseline}
    ]
    running = baseline
    for name, value in contributions.items():
        steps.append(
            {
                "key": name,
                "label": labels.get(name, name),
                "value": float(value),
                "start": running,
                "end": running + float(value),
            }
        )
        running += float(value)
    steps.append({"key": "score", "label": "总分", "value": score, "start": 0.0, "end": score})
    for step in steps:
        for key in ("value", "start", "end"):
            step[key] = round(float(step[key]), 4)
    return {"steps": steps, "balanced": math.isclose(running, score, abs_tol=1e-6)}


def chain_graph(report: Mapping[str, Any]) -> dict[str, Any]:
    """The chain report as graph nodes (placed by chain and segment) and edges.

    Nodes of one chain form a band; within it, upstream → midstream → downstream run left to
    right. Edges join nodes of the same chain by name (the report names the chain by its id in
    nodes and by its name in edges; both are accepted).

    >>> report = {
    ...     "nodes": [
    ...         {"chain": "al", "chain_name": "铝产业链", "node_id": "a", "node": "氧化铝",
    ...          "segment": "上游", "status_label": "缺失", "n_tenants": 0},
    ...         {"chain": "al", "chain_name": "铝产业链", "node_id": "b", "node": "铝型材",
    ...          "segment": "中游", "status_label": "已集聚", "n_tenants": 3},
    ...     ],
    ...     "edges": [{"chain": "铝产业链", "upstream": "氧化铝", "downstream": "铝型材"}],
    ... }
    >>> g = chain_graph(report)
    >>> [(n["name"], n["x"], n["status"]) for n in g["nodes"]], g["edges"]
    ([('氧化铝', 0, '缺失'), ('铝型材', 260, '已集聚')], [{'source': 'al:a', 'target': 'al:b'}])
    """
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    ids: dict[tuple[str, str], str] = {}
    band = 0.0
    chains = list(dict.fromkeys(n["chain"] for n in report.get("nodes", [])))
    for chain in chains:
        members = [n for n in report["nodes"] if n["chain"] == chain]
        rows: dict[int, int] = {}
        for node in members:
            x = _SEGMENT_X.get(node["segment"], 1)
            y = rows.get(x, 0)
            rows[x] = y + 1
            node_key = f"{chain}:{node['node_id']}"
            ids[(chain, node["node"])] = ids[(node["chain_name"], node["node"])] = node_key
            nodes.append(
                {
                    "id": node_key,
                    "name": node["node"],
                    "chain": node["chain_name"],
                    "x": x * 260,
                    "y": (band + y) * 70,
                    "status": node["status_label"],
                    "n_tenants": node["n_tenants"],
                    "symbolSize": 18 + min(int(node["n_tenants"]), 10) * 3,
                    "itemStyle": {"color": CHAIN_COLORS.get(node["status_label"], "#90a4ae")},
                }
            )
        band += max(rows.values(), default=0) + 1
    for edge in report.get("edges", []):
        source = ids.get((edge["chain"], edge["upstream"]))
        target = ids.get((edge["chain"], edge["downstream"]))
        if source and target:
            edges.append({"source": source, "target": target})
    categories = list(dict.fromkeys(n["status"] for n in nodes))
    return {"nodes": nodes, "edges": edges, "categories": categories}


def map_bounds(points: Sequence[tuple[float, float]], *, pad: float = 1.0) -> list[list[float]]:
    """``[[west, north], [east, south]]`` around the points with ``pad`` degrees; China when
    there are none.

    >>> map_bounds([(113.0, 34.5), (114.0, 34.0)])
    [[112.0, 35.5], [115.0, 33.0]]
    """
    good = [(lon, lat) for lon, lat in points if math.isfinite(lon) and math.isfinite(lat)]
    if not good:
        return [[73.0, 54.0], [135.0, 18.0]]
    lons = [p[0] for p in good]
    lats = [p[1] for p in good]
    return [[min(lons) - pad, max(lats) + pad], [max(lons) + pad, min(lats) - pad]]
