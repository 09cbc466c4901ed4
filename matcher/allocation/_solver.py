"""The allocation as an optimisation problem: the scores of (park, enterprise) candidates,
space needs and park capacities in, the assignment that maximises the total score out.

>>> import numpy as np
>>> scores = np.array([[90.0, 80.0], [85.0, np.nan]])  # enterprise 1 is no candidate of park 1
>>> assign, total, solver = solve_allocation(scores, np.array([10.0, 10.0]), np.array([10.0, 20.0]))
>>> assign.tolist(), total
([1, 0], 165.0)
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp

from ..exceptions import ConfigError, MatcherError

__all__ = ["solve_allocation"]


def solve_allocation(
    scores: np.ndarray,
    needs: np.ndarray,
    capacity: np.ndarray,
    *,
    max_per_park: int | None = None,
    time_limit: float = 60.0,
) -> tuple[np.ndarray, float, str]:
    """Maximise the total score of an assignment of enterprises to parks.

    Parameters
    ----------
    scores : ndarray, shape (m, n)
        Score of each (park, enterprise) pair; NaN where the enterprise is no candidate.
    needs : ndarray, shape (n,)
        Space need of each enterprise (known, ≥ 0).
    capacity : ndarray, shape (m,)
        Free space of each park (``inf`` for no limit).
    max_per_park : int, default=None
        At most this many enterprises per park.
    time_limit : float, default=60.0
        Seconds the MILP solver may use.

    Returns
    -------
    assign : ndarray of int, shape (n,)
        The park of each enterprise, -1 for none.
    total : float
        The total score.
    solver : str
        ``'linear_sum_assignment'``, ``'milp'`` or ``'milp (time limit)'``.
    """
    scores = np.asarray(scores, dtype=np.float64)
    needs = np.asarray(needs, dtype=np.float64)
    capacity = np.asarray(capacity, dtype=np.float64)
    m, n = scores.shape
    if needs.shape != (n,) or capacity.shape != (m,):
        raise ConfigError(
            f"形状不一致：scores {scores.shape}，needs {needs.shape}，capacity {capacity.shape}"
        )
    if np.isnan(needs).any() or (needs < 0).any():
        raise ConfigError("needs 应为已知且不小于 0 的面积")
    assign = np.full(n, -1, dtype=np.intp)
    cand = ~np.isnan(scores) & (needs[None, :] <= capacity[:, None])
    if not cand.any():
        return assign, 0.0, "milp"
    if max_per_park is not None and max_per_park < 1:
        return assign, 0.0, "milp"
    if max_per_park == 1:  # one lead per park: space cannot bind beyond the candidate filter
        cost = np.where(cand, -scores, 0.0)
        rows, cols = linear_sum_assignment(cost)
        keep = cand[rows, cols]
        assign[cols[keep]] = rows[keep]
        total = float(scores[rows[keep], cols[keep]].sum())
        return assign, total, "linear_sum_assignment"
    p_idx, e_idx = np.nonzero(cand)
    k = len(p_idx)
    value = scores[p_idx, e_idx]
    blocks = []
    upper = []
    # each enterprise at most once
    blocks.append(sparse.csr_matrix((np.ones(k), (e_idx, np.arange(k))), shape=(n, k)))
    upper.append(np.ones(n))
    finite = np.isfinite(capacity)
    if finite.any():
        rows = np.flatnonzero(finite)
        remap = np.full(m, -1)
        remap[rows] = np.arange(len(rows))
        use = finite[p_idx]
        blocks.append(
            sparse.csr_matrix(
                (needs[e_idx[use]], (remap[p_idx[use]], np.flatnonzero(use))),
                shape=(len(rows), k),
            )
        )
        upper.append(capacity[rows])
    if max_per_park is not None:
        blocks.append(sparse.csr_matrix((np.ones(k), (p_idx, np.arange(k))), shape=(m, k)))
        upper.append(np.full(m, float(max_per_park)))
    A = sparse.vstack(blocks, format="csr")
    ub = np.concatenate(upper)
    result = milp(
        -value,
        integrality=np.ones(k),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(A, -np.inf, ub),
        options={"time_limit": float(time_limit), "mip_rel_gap": 0.0, "disp": False},
    )
    if result.x is None:
        raise MatcherError(f"分配求解失败：{result.message}（可减少 candidates 或园区数）")
    chosen = result.x > 0.5
    assign[e_idx[chosen]] = p_idx[chosen]
    solver = "milp" if result.status == 0 else "milp (time limit)"
    return assign, float(value[chosen].sum()), solver
