"""Counterfactual evaluation: what a ranking *would* have achieved, from a ledger another
ranking produced.

A follow-up ledger only knows the outcome of the leads somebody contacted, and most of those
were contacted *because* the default ranking put them near the top (position bias). Judged on
such a ledger with every other pair counted as a failure, the default ranking wins by
construction. The estimators here correct for it with a **position-based examination model**:

* a lead shown at rank ``r`` of its park's ranking is contacted at the rate ``γ_q · θ(r)``
  (a Poisson rate: the chance of being contacted is ``π = 1 - exp(-γ_q θ(r))``), where
  ``θ(r) = r ** -b`` is the examination curve shared by all parks (``θ(1) = 1``) and ``γ_q`` a
  park's own activity, set so that the park's expected number of contacts from rankings equals
  the number it made (:func:`contact_propensity`);
* what a contacted lead then achieves (its gain, :func:`~matcher.learning.ledger_gain`) does not
  depend on where it was shown, only on the pair.

The curve's exponent ``b`` is estimated (:func:`estimate_examination`), in this order of
preference:

1. ``randomised`` — from exploration pages (``source = random``): the positions of such a page
   were shuffled, so every position showed equally good leads on average and the contacts per
   position trace the curve itself (Poisson maximum likelihood of ``count_k ∝ k ** -b``);
2. ``pbm`` — otherwise, by maximum likelihood of the position-based model over every candidate
   of every park: contacted from a ranking at its shown rank, or not contacted at the rank the
   logging scorer gives it (the likelihood regression-EM maximises, maximised directly). It
   assumes that within a park the rank, not the lead, drives who gets contacted from a ranking;
3. ``prior`` — with fewer than :data:`MIN_CLICKS` ranking contacts: ``b = 1`` (click rates on
   ranked lists fall roughly as ``1 / rank``; Joachims et al. 2017, Wang et al. 2018).

Leads from the officers' own network (``source = own``) are not counted as contacts from a
ranking: they were chosen for reasons no ranking shows, so they carry no position information and
their outcomes would bias the estimates.

With each contacted lead's propensity ``π_i`` (at its *shown* rank), the DCG@k of any ranking
σ of a park's candidates is estimated as (``λ_i`` the discount σ gives pair ``i``, 0 beyond k):

* IPS: ``Σ_i λ_i c_i g_i / π_i`` — unbiased when the propensities are right;
* SNIPS: ``D_k · Σ_i λ_i c_i g_i / π_i / Σ_i λ_i c_i / π_i`` with ``D_k = Σ_{j≤k} 1/log2(j+1)``
  (the denominator's expectation is ``D_k``): lower variance, slightly biased; when σ's top k
  holds no contacted lead it falls back to the park's propensity-weighted mean gain;
* DR (doubly robust): ``Σ_i λ_i (m_i + c_i (g_i − m_i) / π_i)`` with ``m_i`` a reward model's
  prediction of the gain: unbiased when the propensities are right, and lower variance the better
  the reward model.

A lead contacted recently may not have had time to reach its later stages;
:func:`matcher.learning.evaluate` corrects each contact's gain for that before these
estimators see it (:func:`matcher.learning.uncensored_gain`).

NDCG estimates divide the DCG estimates by one estimated ideal DCG per park and ``k``
(:func:`population_ideal`, :func:`stage_ideal`: the best ranking of the candidates the contacts
stand for), the same for every model and estimator, so a park's NDCG estimates order the models
as its DCG estimates do. The ideal is built from realised gains, which spread wider than
expected gains, so NDCG estimates run below a simulator's true NDCG; compare models on the same
ledger.

Ties: a ranking's tied pairs share the discounts of the positions they occupy (the expected value
over every order of the ties; McSherry & Najork 2008), so no metric depends on input order.

>>> lam = tie_discounts([0.9, 0.5, 0.5], k=2)  # the tie shares positions 2 and 3 (3 is past k)
>>> [round(float(v), 4) for v in lam]
[1.0, 0.3155, 0.3155]
>>> round(ips_dcg(gain=[2, 0, 1], clicked=[1, 0, 1], propensity=[0.5, 1, 0.25], score=[3, 2, 1],
...                 k=3), 9)
6.0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from ..exceptions import ConfigError

__all__ = [
    "MIN_CLICKS",
    "PRIOR_EXPONENT",
    "Examination",
    "Ranked",
    "contact_propensity",
    "dr_dcg",
    "dr_values",
    "estimate_examination",
    "ideal_dcg",
    "ips_dcg",
    "population_ideal",
    "snips_dcg",
    "snips_from",
    "stage_ideal",
    "tie_average_precision",
    "tie_discounts",
    "tie_top_share",
]

#: Fewest contacts from rankings (with a known rank) needed to estimate the examination curve;
#: fewer and :data:`PRIOR_EXPONENT` is used. Also the fewest exploration contacts for the
#: ``randomised`` estimate.
MIN_CLICKS = 30
#: Exponent of the prior examination curve ``θ(r) = r ** -1``.
PRIOR_EXPONENT = 1.0
#: Bounds of the estimated exponent.
_EXPONENT_BOUNDS = (0.0, 3.0)


# ============================================================================ discounts
def _discounts(n: int, k: int) -> np.ndarray:
    """``1 / log2(j + 1)`` for positions j = 1 … n, 0 past k."""
    positions = np.arange(1, n + 1)
    return np.where(positions <= k, 1.0 / np.log2(positions + 1.0), 0.0)


def _check_k(k: int) -> None:
    if not (isinstance(k, int | np.integer) and k >= 1):
        raise ConfigError(f"k 应为正整数，得到 {k!r}")


def _groups(score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ranking order (score descending, input order within ties) and the tie groups.

    Returns ``order``, ``group`` (the tie group of each sorted position) and ``starts`` (the
    first sorted position of each group, with ``len(score)`` appended).
    """
    order = np.lexsort((np.arange(len(score)), -score))
    ranked = score[order]
    new = np.ones(len(ranked), dtype=bool)
    new[1:] = ranked[1:] != ranked[:-1]
    group = np.cumsum(new) - 1
    starts = np.append(np.flatnonzero(new), len(ranked))
    return order, group, starts


class Ranked:
    """A ranking by score and its tie groups, sorted once for any number of metrics.

    Parameters
    ----------
    score : array-like of shape (n,)
        Higher is better; no NaN.

    Examples
    --------
    >>> r = Ranked([0.9, 0.5, 0.5, 0.1])
    >>> r.top_share(2).tolist(), float(r.auc([1, 0, 1, 0]))
    ([1.0, 0.5, 0.5, 0.0], 0.875)
    """

    def __init__(self, score: Any):
        s = np.asarray(score, dtype=np.float64).ravel()
        if np.isnan(s).any():
            raise ConfigError("score 含有缺失值")
        self.n = len(s)
        if self.n:
            self.order, self.group, self.starts = _groups(s)
        else:
            self.order = self.group = np.zeros(0, dtype=np.intp)
            self.starts = np.zeros(1, dtype=np.intp)

    def _spread(self, per_group: np.ndarray) -> np.ndarray:
        out = np.empty(self.n)
        out[self.order] = per_group[self.group]
        return out

    def discounts(self, k: int) -> np.ndarray:
        """Each pair's discount in the top ``k``, ties sharing their positions' (see
        :func:`tie_discounts`)."""
        _check_k(k)
        if self.n == 0:
            return np.zeros(0)
        cum = np.concatenate([[0.0], np.cumsum(_discounts(self.n, k))])
        starts = self.starts
        return self._spread((cum[starts[1:]] - cum[starts[:-1]]) / np.diff(starts))

    def top_share(self, k: int) -> np.ndarray:
        """Each pair's chance of being in the top ``k`` when ties are ordered at random."""
        _check_k(k)
        if self.n == 0:
            return np.zeros(0)
        starts = self.starts
        inside = np.minimum(starts[1:], k) - np.minimum(starts[:-1], k)
        return self._spread(inside / np.diff(starts))

    def average_precision(self, relevant: Any) -> float:
        """Average precision expected over every order of the ties (:func:`tie_average_precision`)."""
        rel = np.asarray(relevant, dtype=bool).ravel()
        n_rel = int(rel.sum())
        if n_rel == 0:
            return float("nan")
        per_group = np.bincount(self.group, weights=rel[self.order], minlength=len(self.starts) - 1)
        before = np.concatenate([[0.0], np.cumsum(per_group)[:-1]])
        total = 0.0
        for g in np.flatnonzero(per_group):
            a, m = int(self.starts[g]), int(self.starts[g + 1] - self.starts[g])
            r, h = per_group[g], before[g]
            j = np.arange(1, m + 1)
            others = (j - 1) * (r - 1) / (m - 1) if m > 1 else np.zeros(m)
            total += r * float(np.mean((h + 1 + others) / (a + j)))
        return total / n_rel

    def auc(self, relevant: Any) -> float:
        """Chance a relevant pair outscores an irrelevant one, ties counting half."""
        rel = np.asarray(relevant, dtype=bool).ravel()
        n_pos = int(rel.sum())
        n_neg = self.n - n_pos
        if n_pos == 0 or n_neg == 0:
            return float("nan")
        starts = self.starts
        sizes = np.diff(starts)
        midrank = self.n - starts[:-1] - (sizes - 1) / 2.0  # ascending ranks, ties averaged
        ranks = self._spread(midrank)
        return float((ranks[rel].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def tie_discounts(score: Any, k: int) -> np.ndarray:
    """The DCG discount a ranking by ``score`` gives each pair, ties sharing their positions'.

    ``λ_i = 1 / log2(position + 1)`` for the pairs in the top ``k`` (0 below), averaged over the
    positions a group of tied scores occupies: the expected discount over every order of the
    ties. Any DCG-like sum ``Σ λ_i x_i`` is then the same whatever the input order.

    Parameters
    ----------
    score : array-like of shape (n,)
        Higher is better; no NaN.
    k : int
        Cut-off.

    Returns
    -------
    ndarray of shape (n,)
        The discount of each pair, in input order.

    Examples
    --------
    >>> tie_discounts([0.1, 0.9], k=1).tolist()
    [0.0, 1.0]
    >>> tie_discounts([0.5, 0.5], k=1).tolist()  # one top slot shared by a tie of two
    [0.5, 0.5]
    """
    _check_k(k)
    return Ranked(score).discounts(k)


def tie_top_share(score: Any, k: int) -> np.ndarray:
    """The chance each pair is in the top ``k`` when ties are ordered at random.

    >>> tie_top_share([0.9, 0.5, 0.5, 0.1], k=2).tolist()
    [1.0, 0.5, 0.5, 0.0]
    """
    _check_k(k)
    return Ranked(score).top_share(k)


def tie_average_precision(relevant: Any, score: Any) -> float:
    """Average precision, expected over every order of tied scores; NaN when none is relevant.

    For a tie group at positions ``a+1 … a+m`` holding ``r`` relevant pairs after ``h`` relevant
    ones, each relevant pair's expected precision is ``(1/m) Σ_j (h + 1 + (j−1)(r−1)/(m−1)) /
    (a + j)``.

    >>> float(tie_average_precision([1, 0], [0.5, 0.5]))  # (1/1 + 1/2) / 2
    0.75
    """
    return Ranked(score).average_precision(relevant)


def ideal_dcg(values: Any, k: int) -> float:
    """DCG@k of the ranking that sorts ``values`` descending (the best any ranking can do).

    >>> round(ideal_dcg([1, 3, 0], k=2), 4)  # 3/1 + 1/log2(3)
    3.6309
    """
    _check_k(k)
    v = np.sort(np.asarray(values, dtype=np.float64).ravel())[::-1][:k]
    return float(v @ _discounts(len(v), k))


# ============================================================================ estimators
def _arrays(
    gain: Any, clicked: Any, propensity: Any, score: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    g = np.asarray(gain, dtype=np.float64).ravel()
    c = np.asarray(clicked, dtype=bool).ravel()
    p = np.asarray(propensity, dtype=np.float64).ravel()
    s = np.asarray(score, dtype=np.float64).ravel()
    if not len(g) == len(c) == len(p) == len(s):
        raise ConfigError(
            f"gain、clicked、propensity、score 长度应相同，得到 {len(g)}、{len(c)}、{len(p)}、{len(s)}"
        )
    if c.any() and not (p[c] > 0).all():
        raise ConfigError("被联系线索的倾向概率 propensity 应大于 0")
    return g, c, p, s


def _ipw(g: np.ndarray, c: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pair ``c / π`` and ``c g / π`` (0 where not contacted)."""
    w = np.zeros(len(g))
    w[c] = 1.0 / p[c]
    return w, w * g


def ips_dcg(gain: Any, clicked: Any, propensity: Any, score: Any, k: int) -> float:
    """Inverse-propensity estimate of the DCG@k of the ranking by ``score``.

    Parameters
    ----------
    gain : array-like of shape (n,)
        Each pair's gain (used only where ``clicked``).
    clicked : array-like of bool
        Contacted from a ranking.
    propensity : array-like of float
        Each contacted pair's chance of having been contacted (:func:`contact_propensity`).
    score : array-like of float
        The ranking to evaluate (ties share their positions' discounts).
    k : int
        Cut-off.

    Examples
    --------
    >>> # ranking: pair 0 (gain 2, π 0.5), pair 1 (never contacted), pair 2 (gain 1, π 0.25)
    >>> round(ips_dcg([2, 0, 1], [1, 0, 1], [0.5, 1, 0.25], [3, 2, 1], k=3), 9)  # 2/.5 + 4/2
    6.0
    """
    g, c, p, s = _arrays(gain, clicked, propensity, score)
    _, wg = _ipw(g, c, p)
    return float(tie_discounts(s, k) @ wg)


def snips_dcg(gain: Any, clicked: Any, propensity: Any, score: Any, k: int) -> float:
    """Self-normalised IPS estimate of the DCG@k of the ranking by ``score``.

    ``D_k × Σ λ_i c_i g_i / π_i ÷ Σ λ_i c_i / π_i``: the propensity-weighted mean gain of the
    contacted pairs in the top k, times the total discount ``D_k`` of k positions. When the top
    k holds no contacted pair, the park's propensity-weighted mean gain stands in (NaN when
    nothing was contacted at all).

    >>> snips_dcg([2, 0, 1], [1, 0, 1], [0.5, 1, 0.25], [3, 2, 1], k=1)  # D_1 = 1, only pair 0
    2.0
    >>> snips_dcg([2, 0, 1], [1, 0, 1], [0.5, 1, 0.25], [1, 3, 2], k=1)  # top 1 never contacted
    1.3333333333333333
    """
    g, c, p, s = _arrays(gain, clicked, propensity, score)
    if not c.any():
        return float("nan")
    return snips_from(tie_discounts(s, k), g, c, p, k)


def snips_from(lam: np.ndarray, gain: Any, clicked: Any, propensity: Any, k: int) -> float:
    """:func:`snips_dcg` from the ranking's discounts ``lam`` (:meth:`Ranked.discounts`)."""
    g = np.asarray(gain, dtype=np.float64)
    c = np.asarray(clicked, dtype=bool)
    p = np.asarray(propensity, dtype=np.float64)
    if not c.any():
        return float("nan")
    w, wg = _ipw(g, c, p)
    total = float(_discounts(len(g), k).sum())
    den = float(lam @ w)
    if den <= 0:
        return total * float(wg.sum() / w.sum())
    return total * float(lam @ wg) / den


def dr_dcg(gain: Any, clicked: Any, propensity: Any, score: Any, k: int, *, reward: Any) -> float:
    """Doubly robust estimate of the DCG@k of the ranking by ``score``.

    ``Σ λ_i (m_i + c_i (g_i − m_i) / π_i)`` with ``m_i`` = ``reward`` (a model's predicted gain
    of each pair).

    >>> # per pair: 1 + (2 − 1)/0.5 = 3; 0.5 (never contacted); 1 + 0/0.25 = 1
    >>> round(dr_dcg([2, 0, 1], [1, 0, 1], [0.5, 1, 0.25], [3, 2, 1], k=3, reward=[1, 0.5, 1]), 4)
    3.8155
    """
    g, c, p, s = _arrays(gain, clicked, propensity, score)
    return float(tie_discounts(s, k) @ dr_values(g, c, p, reward))


def dr_values(gain: Any, clicked: Any, propensity: Any, reward: Any) -> np.ndarray:
    """Per-pair doubly robust gain estimates ``m_i + c_i (g_i − m_i) / π_i``."""
    g = np.asarray(gain, dtype=np.float64).ravel()
    c = np.asarray(clicked, dtype=bool).ravel()
    p = np.asarray(propensity, dtype=np.float64).ravel()
    m = np.asarray(reward, dtype=np.float64).ravel()
    if len(m) != len(g):
        raise ConfigError(f"reward 长度应为 {len(g)}，得到 {len(m)}")
    out = m.copy()
    out[c] += (g[c] - m[c]) / p[c]
    return out


def population_ideal(gain: Any, clicked: Any, propensity: Any, k: int) -> float:
    """Estimated ideal DCG@k of a park: the candidates its contacts stand for, best first.

    Each contacted pair stands for ``1 / π`` candidates of its gain (the IPS view of the park),
    so ``S_j = Σ_i c_i [g_i ≥ j] / π_i`` estimates how many candidates would reach stage ``j``;
    filling the top ``k`` positions with the best of them gives the DCG the best possible
    ranking would reach (:func:`stage_ideal`). It is the common normaliser of the IPS, SNIPS and
    DR NDCG estimates (one per park and ``k``, whatever the model), so those are ratios of the
    DCG estimates. Gains are stage counts (0–4). NaN when nothing was contacted.

    >>> population_ideal([3, 1], [1, 1], [0.5, 0.5], k=3)  # positions 1–2 gain 3, 3 gain 1
    5.392789260714372
    """
    _check_k(k)
    g, c, p, _ = _arrays(gain, clicked, propensity, np.zeros(len(np.ravel(gain))))
    if not c.any():
        return float("nan")
    top = int(np.ceil(g[c].max())) if c.any() else 0
    stages = np.arange(1, top + 1)
    reached = (g[c][:, None] >= stages[None, :]) / p[c][:, None]
    return stage_ideal(reached.sum(axis=0), k)


def stage_ideal(counts: Any, k: int) -> float:
    """Ideal DCG@k of a population with ``counts[j-1]`` candidates reaching stage ``j``.

    Position ``t`` of the best ranking holds a candidate reaching every stage whose count
    exceeds ``t - 1`` (fractional counts share a position), so its gain is
    ``Σ_j clip(S_j − (t − 1), 0, 1)``.

    >>> round(stage_ideal([3.5, 1.5, 1.5, 1.5], k=2), 4)  # position 1: gain 4; 2: 1 + 3 × 0.5
    5.5773
    """
    _check_k(k)
    counts = np.asarray(counts, dtype=np.float64).ravel()
    before = np.arange(k, dtype=np.float64)[:, None]  # positions 1…k, t − 1
    slot_gain = np.clip(counts[None, :] - before, 0.0, 1.0).sum(axis=1)
    return float(slot_gain @ _discounts(k, k))


# ============================================================================ examination
@dataclass(frozen=True)
class Examination:
    """The examination curve ``θ(r) = r ** -exponent`` of a position-based model.

    Attributes
    ----------
    method : str
        ``randomised``, ``pbm``, ``prior`` or ``given``.
    exponent : float
        ``b`` in ``θ(r) = r ** -b``.
    n_clicks : int
        Contacts the estimate used (exploration contacts for ``randomised``).
    detail : dict
        What else the estimate found (e.g. contacts per shuffled position).
    """

    method: str
    exponent: float
    n_clicks: int = 0
    detail: dict[str, Any] = field(default_factory=dict)

    def theta(self, rank: Any) -> np.ndarray:
        """Relative examination at each rank (1 at rank 1)."""
        r = np.maximum(np.asarray(rank, dtype=np.float64), 1.0)
        return np.asarray(r**-self.exponent, dtype=np.float64)

    def describe(self) -> str:
        """One line in Chinese: how the curve was obtained."""
        how = {
            "randomised": f"由 {self.n_clicks} 条随机探索线索估计",
            "pbm": f"由 {self.n_clicks} 条系统推荐线索按位置模型极大似然估计",
            "prior": f"系统推荐线索不足 {MIN_CLICKS} 条，采用先验",
            "given": "由调用者给定",
        }.get(self.method, self.method)
        return f"位置检视曲线 θ(r) = r^-{self.exponent:.2f}（{how}）"


def _calibrate(theta: np.ndarray, n_clicks: float) -> float:
    """The rate γ with ``Σ (1 − exp(−γ θ_i)) = n_clicks`` (bisection on log γ)."""
    if n_clicks <= 0:
        return 0.0
    if n_clicks >= len(theta):
        return float("inf")

    def excess(log_gamma: float) -> float:
        return float(-np.expm1(-np.exp(log_gamma) * theta).sum()) - n_clicks

    lo, hi = -30.0, 30.0
    while excess(hi) < 0:  # pragma: no cover - only for absurdly small θ
        hi *= 2
    return float(np.exp(optimize.brentq(excess, lo, hi, xtol=1e-10)))


def contact_propensity(
    examination: Examination,
    groups: Any,
    ranks: Any,
    clicked: Any,
    *,
    floor: float = 1e-6,
) -> np.ndarray:
    """Each pair's chance of being contacted from a ranking, ``1 − exp(−γ_q θ(r))``.

    ``γ_q`` is set per group (park) so that the expected number of contacts equals the number
    of ``clicked`` pairs in the group (the maximum-likelihood rate given the curve).

    Parameters
    ----------
    examination : Examination
        The curve.
    groups : array-like of shape (n,)
        Park of each candidate pair.
    ranks : array-like of shape (n,)
        The rank each pair was shown at (contacted) or is ranked at by the logging scorer.
    clicked : array-like of bool
        Contacted from a ranking.
    floor : float, default=1e-6
        Smallest propensity returned.

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> pi = contact_propensity(Examination("prior", 1.0), ["a"] * 4, [1, 2, 3, 4], [1, 1, 0, 0])
    >>> round(float(pi.sum()), 6), bool(pi[0] > pi[1] > pi[2] > pi[3])
    (2.0, True)
    """
    codes, _ = pd.factorize(np.asarray(groups))
    theta = examination.theta(ranks)
    c = np.asarray(clicked, dtype=bool)
    out = np.empty(len(theta))
    for g in range(codes.max() + 1 if len(codes) else 0):
        rows = codes == g
        gamma = _calibrate(theta[rows], float(c[rows].sum()))
        out[rows] = 1.0 if np.isinf(gamma) else -np.expm1(-gamma * theta[rows])
    return np.maximum(out, floor)


def _fit_randomised(shown: np.ndarray, depth: int) -> float:
    """Exponent from contacts per shuffled position: Poisson MLE of ``count_k ∝ k ** -b``."""
    counts = np.bincount(shown.astype(int), minlength=depth + 1)[1 : depth + 1].astype(float)
    log_k = np.log(np.arange(1, depth + 1))

    def nll(b: float) -> float:
        rate = np.exp(-b * log_k)
        return float(counts.sum() * np.log(rate.sum()) + b * (counts @ log_k))

    result = optimize.minimize_scalar(nll, bounds=_EXPONENT_BOUNDS, method="bounded")
    return float(result.x)


def _fit_pbm(groups: np.ndarray, ranks: np.ndarray, clicked: np.ndarray) -> float:
    """Exponent by maximum likelihood of the position-based model over every candidate."""
    codes, uniques = pd.factorize(groups)
    n_groups = len(uniques)
    log_r = np.log(np.maximum(ranks, 1.0))
    c = clicked.astype(np.float64)

    def nll(params: np.ndarray) -> tuple[float, np.ndarray]:
        b, log_gamma = params[0], params[1:]
        h = np.exp(log_gamma[codes] - b * log_r)
        # log P(click) = log(1 − e^−h); log P(no click) = −h
        log_p = np.log(-np.expm1(-np.minimum(h, 700.0)) + 1e-300)
        value = -float(c @ log_p - (1 - c) @ h)
        dh = c / np.expm1(np.clip(h, 1e-300, 700.0)) - (1 - c)  # d loglik / d h
        grad_b = float((dh * h) @ log_r)  # d(-loglik)/db = Σ dh · h · log r
        grad_g = -np.bincount(codes, weights=dh * h, minlength=n_groups)
        return value, np.concatenate([[grad_b], grad_g])

    share = np.bincount(codes, weights=c, minlength=n_groups) / np.bincount(codes)
    x0 = np.concatenate([[PRIOR_EXPONENT], np.log(np.maximum(share, 1e-4))])
    bounds = [_EXPONENT_BOUNDS] + [(-30.0, 30.0)] * n_groups
    result = optimize.minimize(nll, x0, jac=True, method="L-BFGS-B", bounds=bounds)
    return float(result.x[0])


def estimate_examination(
    groups: Any,
    ranks: Any,
    clicked: Any,
    *,
    random_rank: Any = None,
    random_depth: int | None = None,
    method: str = "auto",
    prior_exponent: float = PRIOR_EXPONENT,
) -> Examination:
    """Estimate the examination curve ``θ(r) = r ** -b`` from a ledger's contacts.

    Parameters
    ----------
    groups : array-like of shape (n,)
        Park of each candidate pair (every eligible pair of the parks, contacted or not).
    ranks : array-like of shape (n,)
        Shown rank of the pairs contacted from a ranking, logging-scorer rank of the others.
    clicked : array-like of bool
        Contacted from a ranking (own-network leads are not).
    random_rank : array-like of int, optional
        Shown positions of the contacts made on exploration pages (shuffled positions).
    random_depth : int, optional
        Positions shuffled on an exploration page (default: the largest of ``random_rank``).
    method : {"auto", "randomised", "pbm", "prior"}, default="auto"
        ``auto`` takes ``randomised`` with at least :data:`MIN_CLICKS` exploration contacts,
        else ``pbm`` with at least :data:`MIN_CLICKS` ranking contacts, else ``prior``.
    prior_exponent : float, default=1.0
        The prior's exponent.

    Returns
    -------
    Examination

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ranks = np.tile(np.arange(1, 201), 50); parks = np.repeat(np.arange(50), 200)
    >>> clicked = rng.random(len(ranks)) < -np.expm1(-0.8 * ranks ** -0.7)
    >>> fitted = estimate_examination(parks, ranks, clicked)
    >>> fitted.method, round(fitted.exponent, 1)
    ('pbm', 0.7)
    """
    if method not in ("auto", "randomised", "pbm", "prior"):
        raise ConfigError(f"method 应为 auto、randomised、pbm 或 prior，得到 {method!r}")
    g = np.asarray(groups)
    r = np.asarray(ranks, dtype=np.float64)
    c = np.asarray(clicked, dtype=bool)
    shown = np.zeros(0) if random_rank is None else np.asarray(random_rank, dtype=np.float64)
    shown = shown[np.isfinite(shown)]
    n_random, n_clicks = len(shown), int(c.sum())
    if method == "auto":
        if n_random >= MIN_CLICKS:
            method = "randomised"
        elif n_clicks >= MIN_CLICKS:
            method = "pbm"
        else:
            method = "prior"
    if method == "randomised":
        if n_random == 0:
            raise ConfigError("台账中没有随机探索的线索，无法用 randomised 估计位置偏差")
        depth = int(random_depth or shown.max())
        counts = np.bincount(shown.astype(int), minlength=depth + 1)[1 : depth + 1]
        b = _fit_randomised(shown, depth)
        return Examination("randomised", b, n_random, {"depth": depth, "counts": counts.tolist()})
    if method == "pbm":
        if n_clicks == 0:
            raise ConfigError("台账中没有来自排名的线索，无法估计位置偏差")
        return Examination("pbm", _fit_pbm(g, r, c), n_clicks)
    return Examination("prior", float(prior_exponent), n_clicks)
