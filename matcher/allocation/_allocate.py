"""City-level allocation: which enterprise to pursue for which park.

Given several parks with their free space and a pool of enterprises, :func:`allocate` proposes
an assignment that maximises the total fit (the matcher's scores) such that

- every enterprise goes to at most one park (so the same popular enterprise is not every park's
  first lead: it is proposed where it adds most to the city's total), and
- the space needs assigned to a park add up to at most its free space (``available_sqm``; a park
  whose free space is unknown has no space limit), and optionally
- a park gets at most ``max_per_park`` leads.

An enterprise whose space need is unknown counts with a default need: by default the median need
of the fitted enterprises of the same size class (the median of all known needs when its size is
unknown, 2,000 m² when no need is known at all); the result flags these rows.

The candidate pool is the top ``candidates`` eligible enterprises of each park (by the matcher's
ranking), which keeps the problem small: a mixed-integer program with one binary variable per
(park, candidate) pair solved exactly by scipy's HiGHS (:func:`scipy.optimize.milp`); when each
park takes one lead and space cannot bind, the assignment problem is solved by
:func:`scipy.optimize.linear_sum_assignment` (:func:`~matcher.allocation.solve_allocation`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import ConfigError, UnknownIdError
from ._solver import solve_allocation

if TYPE_CHECKING:
    from ..matching import Matcher

__all__ = ["FALLBACK_SPACE", "Allocation", "allocate", "default_space_needs"]

#: Space need (m²) assumed when no enterprise's need is known at all.
FALLBACK_SPACE = 2000.0


def default_space_needs(matcher: Matcher, default_space: float | str = "median") -> np.ndarray:
    """Space need of every fitted enterprise, unknown needs filled with the default.

    ``'median'``: the median known need of the same size class, else of all enterprises, else
    :data:`FALLBACK_SPACE`; a number: that need for every unknown one.
    """
    E = matcher.index_.enterprises
    need = E.space.astype(np.float64)
    unknown = np.isnan(need)
    if isinstance(default_space, str):
        if default_space != "median":
            raise ConfigError(f"default_space 应为 'median' 或面积数值，得到 {default_space!r}")
        known = ~unknown
        overall = float(np.median(need[known])) if known.any() else FALLBACK_SPACE
        fill = np.full(len(need), overall)
        for size in np.unique(E.size[unknown]):
            same = known & (E.size == size)
            if size >= 0 and same.any():
                fill[E.size == size] = float(np.median(need[same]))
    else:
        try:
            value = float(default_space)
        except (TypeError, ValueError):
            raise ConfigError(f"default_space 应为面积数值，得到 {default_space!r}") from None
        if not np.isfinite(value) or value < 0:
            raise ConfigError(f"default_space 应为不小于 0 的面积，得到 {default_space!r}")
        fill = np.full(len(need), value)
    return np.where(unknown, fill, need)


def _area(x: float) -> str:
    return f"{x / 10000:.1f} 万平方米" if x >= 10000 else f"{x:,.0f} 平方米"


@dataclass
class Allocation:
    """A proposed allocation of enterprises (leads) to parks.

    Attributes
    ----------
    assignments : DataFrame
        One row per proposed (park, enterprise): ``park_id, park_name, priority, enterprise_id,
        name, score, park_rank, n_candidate_parks, best_park_id, space_need, space_assumed,
        reason`` — ``priority`` orders each park's leads by score, ``park_rank`` is the rank in
        the park's own ranking.
    unassigned : DataFrame
        Candidates left out: ``enterprise_id, name, best_park_id, best_park_name, best_score,
        n_candidate_parks, space_need, space_assumed, reason``.
    parks : DataFrame
        Per park: ``park_id, name, available_sqm, assigned_sqm, remaining_sqm, n_candidates,
        n_assigned, total_score``.
    total_score : float
        Sum of the assigned scores (the objective).
    solver : str
    params : dict
        The settings used.
    """

    assignments: pd.DataFrame
    unassigned: pd.DataFrame
    parks: pd.DataFrame
    total_score: float
    solver: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Assigned rows then unassigned ones, with a ``status`` column (已分配 / 未分配)."""
        left = self.unassigned.rename(
            columns={
                "best_park_id": "park_id",
                "best_park_name": "park_name",
                "best_score": "score",
            }
        )
        frames = [self.assignments.assign(status="已分配"), left.assign(status="未分配")]
        frames = [f for f in frames if len(f)]
        if not frames:
            return self.assignments.assign(status=pd.Series(dtype=object))
        return pd.concat(frames, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the service)."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return json.loads(frame.to_json(orient="records", force_ascii=False))

        return {
            "total_score": self.total_score,
            "solver": self.solver,
            "params": self.params,
            "parks": records(self.parks),
            "assignments": records(self.assignments),
            "unassigned": records(self.unassigned),
        }

    def to_excel(self, path: str | Path) -> Path:
        """Write the allocation as XLSX: sheets 分配方案, 未分配, 园区汇总 (Chinese headers).

        Text cells go through :func:`matcher.io.safe_cell` (no formulas, no control characters).
        """
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            raise ConfigError(f"分配方案只能写出为 .xlsx 文件，得到 {path.name!r}")
        from ..io import write_excel

        return write_excel(
            {
                "分配方案": self.assignments.rename(columns=_HEADERS),
                "未分配": self.unassigned.rename(columns=_HEADERS),
                "园区汇总": self.parks.rename(columns=_HEADERS),
            },
            path,
        )

    def __str__(self) -> str:
        return self.summary()

    def summary(self, per_park: int | None = None) -> str:
        """The allocation as text: totals, then each park's leads (``per_park`` at most)."""
        n_assigned, n_left = len(self.assignments), len(self.unassigned)
        lines = [
            f"分配方案：{len(self.parks)} 个园区，分配 {n_assigned} 家企业，"
            f"总匹配分 {self.total_score:,.1f}（求解器 {self.solver}），未分配候选 {n_left} 家"
        ]
        contested = int((self.assignments["n_candidate_parks"] > 1).sum()) if n_assigned else 0
        if contested:
            lines.append(f"  其中 {contested} 家同时是多个园区的候选，各只分配给一个园区")
        for park in self.parks.itertuples(index=False):
            lines.append(
                f"【{park.name}（{park.park_id}）】{park.n_assigned} 家，"
                f"用地 {_area(park.assigned_sqm)} / 可用 "
                + ("不限" if np.isnan(park.available_sqm) else _area(park.available_sqm))
            )
            rows = self.assignments[self.assignments["park_id"] == park.park_id]
            shown = rows if per_park is None else rows.head(per_park)
            for r in shown.itertuples(index=False):
                lines.append(
                    f"  {r.priority}. {r.name}（{r.enterprise_id}）{r.score:.1f} 分：{r.reason}"
                )
            if len(rows) > len(shown):
                lines.append(f"  …另有 {len(rows) - len(shown)} 家")
        return "\n".join(lines)


_HEADERS = {
    "park_id": "园区编号",
    "park_name": "园区名称",
    "name": "名称",
    "priority": "优先顺序",
    "enterprise_id": "企业编号",
    "score": "得分",
    "park_rank": "园区排名",
    "n_candidate_parks": "候选园区数",
    "best_park_id": "得分最高的园区",
    "best_park_name": "得分最高的园区名称",
    "best_score": "最高得分",
    "space_need": "需求面积(平方米)",
    "space_assumed": "需求面积为估计值",
    "reason": "分配理由",
    "available_sqm": "可用面积(平方米)",
    "assigned_sqm": "已分配面积(平方米)",
    "remaining_sqm": "剩余面积(平方米)",
    "n_candidates": "候选企业数",
    "n_assigned": "分配企业数",
    "total_score": "总匹配分",
}


def allocate(
    matcher: Matcher,
    park_ids: Sequence[str] | None = None,
    *,
    candidates: int = 30,
    enterprise_ids: Sequence[str] | None = None,
    include_tenants: bool = False,
    max_per_park: int | None = None,
    default_space: float | str = "median",
    min_score: float | None = None,
    weights: dict[str, float] | None = None,
    time_limit: float = 60.0,
) -> Allocation:
    """Propose which enterprise to pursue for which park, maximising the total fit.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher (its scores are the fit; a matcher with a
        :class:`~matcher.scoring.ReciprocalScorer` allocates by two-sided fit).
    park_ids : sequence of str, default=None
        The parks; None uses every park of the matcher.
    candidates : int, default=30
        The top-N eligible enterprises of each park form the pool.
    enterprise_ids : sequence of str, default=None
        Restrict the pool to these enterprises.
    include_tenants : bool, default=False
        Also consider enterprises that are already tenants of a park.
    max_per_park : int, default=None
        At most this many leads per park (None: only space limits it).
    default_space : 'median' or float, default='median'
        Space need assumed for enterprises whose need is unknown (see the module docstring).
    min_score : float, default=None
        Ignore pairs scoring below this.
    weights : dict, default=None
        Weight overrides for the scores (weighted scorers only).
    time_limit : float, default=60.0
        Seconds the MILP solver may use.

    Returns
    -------
    Allocation

    Raises
    ------
    UnknownIdError
        For a park or enterprise the matcher does not hold.
    ConfigError
        For invalid settings.
    """
    index = matcher.check_fitted()
    if candidates < 1:
        raise ConfigError(f"candidates 应为不小于 1 的整数，得到 {candidates!r}")
    P, E = index.parks, index.enterprises
    if park_ids is None:
        parks = np.arange(len(P))
    else:
        ids = [park_ids] if isinstance(park_ids, str) else list(park_ids)
        if not ids:
            raise ConfigError("park_ids 为空：请至少指定一个园区")
        parks = np.array([index.park_row(p) for p in dict.fromkeys(map(str, ids))])
    pool = np.ones(len(E), dtype=bool)
    if enterprise_ids is not None:
        pool[:] = False
        pool_ids = list(enterprise_ids)
        given = E.position.rows([str(eid) for eid in pool_ids])
        if (given < 0).any():
            raise UnknownIdError("enterprise", pool_ids[int(np.argmax(given < 0))])
        pool[given] = True
    if not include_tenants:
        tenants = index.parks.extras.get("chain_tenants", matcher.tenants_)
        if tenants is not None:
            tenant_rows = E.position.rows(tenants["enterprise_id"].astype(str).tolist())
            pool[tenant_rows[tenant_rows >= 0]] = False
    needs_all = default_space_needs(matcher, default_space)
    # candidate pairs from each park's own ranking
    pair_park: list[int] = []
    pair_ent: list[int] = []
    pair_score: list[float] = []
    pair_rank: list[int] = []
    for i, park in enumerate(parks):
        ranked = matcher.rank_enterprises(
            str(P.ids[park]), k=candidates, candidates=pool, min_score=min_score, weights=weights
        )
        ranked_rows = E.position.rows(ranked["enterprise_id"].tolist()).tolist()
        pair_park.extend([i] * len(ranked_rows))
        pair_ent.extend(ranked_rows)
        pair_score.extend(ranked["score"].astype(float).tolist())
        pair_rank.extend(ranked["rank"].astype(int).tolist())
    ents = np.array(sorted(set(pair_ent)), dtype=np.intp)
    col = {int(r): j for j, r in enumerate(ents)}
    m, n = len(parks), len(ents)
    scores = np.full((m, n), np.nan)
    ranks = np.zeros((m, n), dtype=np.int64)
    for i, r, s, rk in zip(pair_park, pair_ent, pair_score, pair_rank, strict=True):
        scores[i, col[r]] = s
        ranks[i, col[r]] = rk
    needs = needs_all[ents]
    capacity = P.available[parks].astype(np.float64)
    capacity = np.where(np.isnan(capacity), np.inf, capacity)
    assign, total, solver = solve_allocation(
        scores, needs, capacity, max_per_park=max_per_park, time_limit=time_limit
    )
    used = np.zeros(m)
    count = np.zeros(m, dtype=np.int64)
    for j, i in enumerate(assign):
        if i >= 0:
            used[i] += needs[j]
            count[i] += 1
    remaining = capacity - used
    assumed = np.isnan(E.space[ents])
    park_name = [str(P.names[p]) for p in parks]
    park_id = [str(P.ids[p]) for p in parks]

    def blocked(i: int, j: int) -> str | None:
        """Why enterprise ``j`` could not (also) go to park ``i`` in the final allocation."""
        if needs[j] > remaining[i]:
            return (
                f"剩余面积不足（剩 {_area(max(remaining[i], 0.0))}，需 {_area(needs[j])}），"
                "其空间已分配给匹配度更高的企业组合"
            )
        if max_per_park is not None and count[i] >= max_per_park:
            return f"线索名额已满（每园区 {max_per_park} 家）"
        return None

    assigned_rows = []
    left_rows = []
    for j, r in enumerate(ents):
        wanted = np.flatnonzero(~np.isnan(scores[:, j]))
        order = wanted[np.argsort(-scores[wanted, j], kind="stable")]
        best = int(order[0])
        note = f"；需求面积未知，按 {_area(needs[j])} 估计" if assumed[j] else ""
        i = int(assign[j])
        if i >= 0:
            s = scores[i, j]
            if i == best:
                if len(order) == 1:
                    why = f"仅本园区将其列为候选（第 {ranks[i, j]} 名）"
                else:
                    others = "、".join(f"{park_name[o]} {scores[o, j]:.1f} 分" for o in order[1:3])
                    why = (
                        f"在将其列为候选的 {len(order)} 个园区中本园区得分最高"
                        f"（另有 {others}），分配至此"
                    )
            else:
                q = best
                reason = blocked(q, j) or "调往该园区不会提高总匹配分"
                why = (
                    f"得分更高的{park_name[q]}（{scores[q, j]:.1f} 分）{reason}；"
                    f"本园区得分 {s:.1f}（第 {ranks[i, j]} 名），分配至此使全市总匹配分最高"
                )
            assigned_rows.append(
                {
                    "park_id": park_id[i],
                    "park_name": park_name[i],
                    "enterprise_id": str(E.ids[r]),
                    "name": str(E.names[int(r)]),
                    "score": float(s),
                    "park_rank": int(ranks[i, j]),
                    "n_candidate_parks": len(order),
                    "best_park_id": park_id[best],
                    "space_need": float(needs[j]),
                    "space_assumed": bool(assumed[j]),
                    "reason": why + note,
                }
            )
        else:
            parts = []
            for q in order[:2]:
                reason = blocked(int(q), j) or "加入后不会提高总匹配分"
                parts.append(f"{park_name[q]}（{scores[q, j]:.1f} 分）{reason}")
            left_rows.append(
                {
                    "enterprise_id": str(E.ids[r]),
                    "name": str(E.names[int(r)]),
                    "best_park_id": park_id[best],
                    "best_park_name": park_name[best],
                    "best_score": float(scores[best, j]),
                    "n_candidate_parks": len(order),
                    "space_need": float(needs[j]),
                    "space_assumed": bool(assumed[j]),
                    "reason": "；".join(parts) + note,
                }
            )
    a_cols = [
        "park_id",
        "park_name",
        "priority",
        "enterprise_id",
        "name",
        "score",
        "park_rank",
        "n_candidate_parks",
        "best_park_id",
        "space_need",
        "space_assumed",
        "reason",
    ]
    assignments = pd.DataFrame(assigned_rows, columns=[c for c in a_cols if c != "priority"])
    if len(assignments):
        order_key = {pid: k for k, pid in enumerate(park_id)}
        assignments = assignments.assign(_p=assignments["park_id"].map(order_key))
        assignments = assignments.sort_values(["_p", "score"], ascending=[True, False])
        assignments = assignments.drop(columns="_p").reset_index(drop=True)
        assignments["priority"] = assignments.groupby("park_id").cumcount() + 1
    else:
        assignments["priority"] = pd.Series(dtype=np.int64)
    assignments = assignments[a_cols]
    u_cols = [
        "enterprise_id",
        "name",
        "best_park_id",
        "best_park_name",
        "best_score",
        "n_candidate_parks",
        "space_need",
        "space_assumed",
        "reason",
    ]
    unassigned = pd.DataFrame(left_rows, columns=u_cols)
    if len(unassigned):
        unassigned = unassigned.sort_values("best_score", ascending=False, kind="stable")
        unassigned = unassigned.reset_index(drop=True)
    park_scores = np.zeros(m)
    for j, i in enumerate(assign):
        if i >= 0:
            park_scores[i] += scores[i, j]
    park_table = pd.DataFrame(
        {
            "park_id": park_id,
            "name": park_name,
            "available_sqm": P.available[parks].astype(np.float64),
            "assigned_sqm": used,
            "remaining_sqm": np.where(np.isinf(remaining), np.nan, remaining),
            "n_candidates": (~np.isnan(scores)).sum(axis=1),
            "n_assigned": count,
            "total_score": park_scores,
        }
    )
    return Allocation(
        assignments=assignments,
        unassigned=unassigned,
        parks=park_table,
        total_score=total,
        solver=solver,
        params={
            "candidates": candidates,
            "max_per_park": max_per_park,
            "default_space": default_space,
            "min_score": min_score,
            "include_tenants": include_tenants,
        },
    )
