"""Honest evaluation of rankings against outcomes: logged and counterfactual.

Metrics (one ranking at a time, hand-checkable): :func:`ndcg_at_k`, :func:`dcg_at_k`,
:func:`recall_at_k`, :func:`average_precision` (MAP is its mean over parks) and :func:`auc`.
Rankings sort by score, best first. **Ties** are broken by one documented rule everywhere: tied
pairs share the discounts of the positions they occupy, i.e. every metric is its expected value
over all orders of the ties (McSherry & Najork 2008), so no result depends on input order (a
baseline whose top 10 is one big tie gets the tie's average, not whichever rows came first).
Gains are the ledger's graded relevance (:func:`~matcher.learning.ledger_gain`: visited 1 …
settled 4, from ``stage_reached`` when the ledger has it); a pair is *relevant* when its gain is
above 0.

:func:`evaluate` compares scorers on held-out parks (cross-validation grouped by park: no park
is in both the training and the test part of a fold) and on a time split (train on the leads
first contacted before a cut-off date, test on those first contacted after it), and returns one
tidy table: ``model, split, fold, metric, value, n_parks, ci_low, ci_high``. :func:`summarize`
turns it into one row per (split, model).

Two kinds of figures, to be read differently:

* **Logged** (``ndcg@k``, ``recall@k``, ``map``, ``auc``): the contacted pairs at their gain and
  every other pair at 0. The leads in a ledger were mostly picked from the default ranking
  (position bias), so these favour the default: it is scored on ground its own choices prepared.
* **Counterfactual** (``ips_*``, ``snips_*``, ``dr_*`` of DCG@k and NDCG@k): estimates of what
  each ranking would have achieved had the office followed it, from the leads contacted from
  rankings weighted by the inverse of their contact propensity under a position-based
  examination model (:mod:`matcher.learning`). With ``truth`` (a simulator's true
  relevance) :func:`evaluate` also reports ``true_*``, what the estimates aim at.

>>> round(ndcg_at_k([0, 3, 0, 1], [0.9, 0.8, 0.7, 0.1], k=2), 4)  # (3/log2 3) / (3 + 1/log2 3)
0.5213
>>> recall_at_k([0, 3, 0, 1], [0.9, 0.8, 0.7, 0.1], k=2)
0.5
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

from ..exceptions import ConfigError
from ..scoring import WeightedScorer
from ._counterfactual import (
    Examination,
    Ranked,
    contact_propensity,
    dr_values,
    ideal_dcg,
    snips_from,
    stage_ideal,
    tie_average_precision,
    tie_discounts,
    tie_top_share,
)
from ._outcomes import OUTCOME_GAIN
from ._pairs import labelled_pairs, logged_ranks, pair_features
from ._training import (
    MIN_TRAINING_PROPENSITY,
    SCORER_KINDS,
    examination_of,
    fit_scorer,
    ranking_contacts,
)

__all__ = [
    "CI_PREFIXES",
    "DEFAULT_MODELS",
    "MATURE_DAYS",
    "MODELS",
    "auc",
    "average_precision",
    "dcg_at_k",
    "evaluate",
    "grouped_splits",
    "ndcg_at_k",
    "ranking_metrics",
    "recall_at_k",
    "summarize",
    "time_cutoff",
    "uncensored_gain",
]

#: Models :func:`evaluate` knows, with what they are.
MODELS = {
    "default": "默认权重（加权评分器）",
    "weights": "按结果拟合的非负权重（加权评分器）",
    "logistic": "逻辑回归 LinearScorer",
    "ridge": "岭回归 LinearScorer(loss='ridge')",
    "gbm": "梯度提升 GBScorer",
    "ips_logistic": "纠偏逻辑回归：只用系统推荐的已跟进线索，按位置倾向的 -0.5 次方加权（fit_ips）",
    "ips_weights": "纠偏拟合权重：同上，在每个园区的已跟进线索间成对比较进展（fit_ips kind='weights'）",
    "industry_only": "基线：仅产业匹配",
    "text_only": "基线：仅业务契合",
    "capacity_only": "基线：仅空间规模",
    "quality_only": "基线：仅成长质量",
    "location_only": "基线：仅区位",
    "popularity": "基线：企业热度（在其他园区的进展）",
}
#: What :func:`evaluate` compares when ``models`` is None.
DEFAULT_MODELS = tuple(MODELS)
#: Fewest training contacts for the doubly robust estimator's reward model to be learned.
_MIN_REWARD_ROWS = 50

#: Progress hook: ``progress(done, total, message)``.
Progress = Callable[[int, int, str], None]


# ============================================================================ metrics
def _gains(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray]:
    gains = np.asarray(y_true, dtype=np.float64).ravel()
    score = np.asarray(y_score, dtype=np.float64).ravel()
    if gains.shape != score.shape:
        raise ConfigError(f"y_true 与 y_score 长度不同：{gains.shape} 与 {score.shape}")
    if np.isnan(score).any():
        raise ConfigError("y_score 含有缺失值")
    return gains, score


def dcg_at_k(y_true: Any, y_score: Any, k: int = 10) -> float:
    """Discounted cumulative gain of the top ``k``: ``Σ_{i ≤ k} gain_i / log2(i + 1)``.

    Tied scores share the discounts of their positions (see the module notes).

    >>> round(dcg_at_k([1, 3], [0.9, 0.2], k=2), 4)  # 1 + 3/log2(3)
    2.8928
    """
    gains, score = _gains(y_true, y_score)
    return float(tie_discounts(score, k) @ gains)


def ndcg_at_k(y_true: Any, y_score: Any, k: int = 10) -> float:
    """Normalised discounted cumulative gain of the top ``k``.

    ``DCG@k = Σ_{i ≤ k} gain_i / log2(i + 1)`` over the ranking (linear gains), divided by the
    same sum over the ideal ranking. NaN when nothing is relevant. Tied scores share the
    discounts of their positions (the expected value over every order of the ties).

    >>> ndcg_at_k([1, 0], [0.2, 0.9], k=2)  # the relevant lead second: 1/log2(3)
    0.6309297535714575
    >>> ndcg_at_k([1, 0], [0.5, 0.5], k=1)  # a tie for the one slot: half of it
    0.5
    """
    gains, score = _gains(y_true, y_score)
    best = ideal_dcg(gains, k)
    if best <= 0:
        return float("nan")
    return float(tie_discounts(score, k) @ gains) / best


def recall_at_k(y_true: Any, y_score: Any, k: int = 10) -> float:
    """Share of the relevant pairs (gain > 0) found in the top ``k``; NaN when none is relevant.

    A relevant pair tied across the cut-off counts with the share of its tie inside the top k.

    >>> recall_at_k([1, 0, 2, 0], [0.9, 0.8, 0.1, 0.5], k=2)
    0.5
    """
    gains, score = _gains(y_true, y_score)
    relevant = gains > 0
    if not relevant.any():
        return float("nan")
    return float(tie_top_share(score, k)[relevant].sum() / relevant.sum())


def average_precision(y_true: Any, y_score: Any) -> float:
    """Mean of precision@i over the ranks i of the relevant pairs; NaN when none is relevant.

    Expected over every order of tied scores.

    >>> average_precision([1, 0, 1], [0.9, 0.8, 0.1])  # (1/1 + 2/3) / 2
    0.8333333333333333
    """
    gains, score = _gains(y_true, y_score)
    return float(tie_average_precision(gains > 0, score))


def auc(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve: the chance a relevant pair outscores an irrelevant one (ties
    count half); NaN without both kinds.

    >>> auc([1, 0, 1, 0], [0.9, 0.5, 0.5, 0.1])  # 3 of 4 pairs ordered right, 1 tie
    0.875
    """
    gains, score = _gains(y_true, y_score)
    return Ranked(score).auc(gains > 0)


def ranking_metrics(
    y_true: Any, y_score: Any, groups: Any, *, ks: Sequence[int] = (10, 50)
) -> pd.DataFrame:
    """Every metric for each group (park) separately: one row per group.

    Columns: ``group``, ``n``, ``n_relevant``, ``ndcg@k`` and ``recall@k`` for each ``k``,
    ``map`` (average precision) and ``auc``.
    """
    gains, score = _gains(y_true, y_score)
    groups = np.asarray(groups)
    rows = []
    for g in pd.unique(groups):
        mask = groups == g
        t, s = gains[mask], score[mask]
        row: dict[str, Any] = {"group": g, "n": int(mask.sum()), "n_relevant": int((t > 0).sum())}
        for k in ks:
            row[f"ndcg@{k}"] = ndcg_at_k(t, s, k)
        for k in ks:
            row[f"recall@{k}"] = recall_at_k(t, s, k)
        row["map"] = average_precision(t, s)
        row["auc"] = auc(t, s)
        rows.append(row)
    return pd.DataFrame(rows)


# ============================================================================ splits
def grouped_splits(
    groups: Any, n_splits: int = 5, *, random_state: int | None = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train/test row indices with every group (park) wholly on one side of each fold.

    >>> groups = np.array(["a", "a", "b", "c", "c", "d"])
    >>> folds = grouped_splits(groups, 2)
    >>> [bool(set(groups[train]) & set(groups[test])) for train, test in folds]
    [False, False]
    >>> sorted(str(g) for _, test in folds for g in set(groups[test]))  # each tested once
    ['a', 'b', 'c', 'd']
    """
    groups = np.asarray(groups)
    n_groups = len(pd.unique(groups))
    if n_groups < 2:
        raise ConfigError(f"按园区分组交叉验证至少需要 2 个有结果的园区，得到 {n_groups} 个")
    if n_splits < 2:
        raise ConfigError(f"折数应至少为 2，得到 {n_splits}")
    splitter = GroupKFold(n_splits=min(n_splits, n_groups), shuffle=True, random_state=random_state)
    return list(splitter.split(np.zeros(len(groups)), groups=groups))


def time_cutoff(dates: Any, quantile: float = 0.7) -> pd.Timestamp | None:
    """The cut-off date leaving ``quantile`` of the dated outcomes before it (None if no dates)."""
    stamps = pd.to_datetime(pd.Series(dates)).dropna()
    if stamps.empty:
        return None
    if not 0 < quantile < 1:
        raise ConfigError(f"quantile 应在 0 与 1 之间，得到 {quantile!r}")
    return pd.Timestamp(stamps.quantile(quantile)).normalize()


# ============================================================================ evaluate
@dataclass
class _Split:
    name: str
    fold: int
    train: np.ndarray  # row mask
    test: np.ndarray  # row mask
    train_gain: np.ndarray  # gains as known at training time (all rows)
    test_gain: np.ndarray
    train_click: np.ndarray  # contacted from a ranking, on the training side (all rows)
    test_click: np.ndarray


@dataclass
class _Training:
    """What a model may learn from on the training side of a split."""

    X: np.ndarray
    gain: np.ndarray
    groups: np.ndarray
    clicked: np.ndarray
    propensity: np.ndarray


def _fit_model(
    name: str,
    data: _Training,
    names: list[str],
    defaults: dict[str, float],
    random_state: int | None,
    spec: Any = None,
) -> Callable[[np.ndarray], np.ndarray]:
    """Train ``name`` on the training rows; return a function scoring feature rows.

    ``spec`` is a caller's model: weights for the default scorer, or a fitted scorer.
    """
    X, gain = data.X, data.gain
    col = {n: j for j, n in enumerate(names)}
    if spec is not None:
        if isinstance(spec, Mapping):
            scorer: Any = WeightedScorer(dict(spec), defaults=defaults).fit(feature_names=names)
        else:
            scorer = spec
        return lambda values: np.asarray(scorer.decision_function(values), dtype=np.float64)
    if name == "default":
        scorer = WeightedScorer(defaults=defaults).fit(feature_names=names)
    elif name in SCORER_KINDS:
        scorer = fit_scorer(
            name,
            X,
            gain,
            feature_names=names,
            groups=data.groups,
            defaults=defaults,
            clicked=data.clicked,
            propensity=data.propensity,
            random_state=random_state,
        )
    elif name.endswith("_only") and name in MODELS:
        family = name.removesuffix("_only")
        if family not in col:
            raise ConfigError(f"基线 {name} 需要评分维度「{family}」")
        return lambda values: values[:, col[family]].astype(np.float64)
    else:
        raise ConfigError(f"未知的模型「{name}」（可选：{'、'.join(MODELS)}）")
    return lambda values: np.asarray(scorer.decision_function(values), dtype=np.float64)


def _popularity(
    ents: np.ndarray, division: np.ndarray, train: np.ndarray, gain: np.ndarray, n_ent: int
) -> np.ndarray:
    """Per-enterprise popularity: its gains in the training rows, then its industry's rate."""
    own = np.bincount(ents[train], weights=gain[train], minlength=n_ent)
    codes, uniques = pd.factorize(division)
    seen = np.bincount(codes[train], minlength=len(uniques)).astype(float)
    won = np.bincount(codes[train], weights=(gain[train] > 0), minlength=len(uniques))
    rate = np.divide(won, seen, out=np.zeros_like(won), where=seen > 0)
    industry_rate = np.zeros(n_ent)
    industry_rate[ents] = rate[codes]
    return own + industry_rate / (1.0 + industry_rate.max())  # the rate only breaks ties


def _reward_model(data: _Training, random_state: int | None) -> Callable[[np.ndarray], np.ndarray]:
    """The doubly robust estimator's reward model: predicted gain of a pair if contacted.

    Poisson gradient boosting on the training side's ranking contacts, weighted by ``1 / π``
    (floored like the learners') so that it fits every candidate, not just the top of the
    logging ranking; the weighted mean gain when there are too few contacts.
    """
    from sklearn.ensemble import HistGradientBoostingRegressor

    c = data.clicked
    weight = 1.0 / np.maximum(data.propensity[c], MIN_TRAINING_PROPENSITY)
    y = data.gain[c].astype(np.float64)
    top = float(max(OUTCOME_GAIN.values()))
    if c.sum() < _MIN_REWARD_ROWS or not (y > 0).any():
        mean = float(weight @ y / weight.sum()) if c.any() else 0.0
        return lambda values: np.full(len(values), mean)
    model = HistGradientBoostingRegressor(
        loss="poisson",
        max_iter=100,
        max_leaf_nodes=15,
        min_samples_leaf=20,
        l2_regularization=1.0,
        random_state=random_state,
    )
    with threadpool_limits(limits=1, user_api="openmp"):
        model.fit(data.X[c], y, sample_weight=weight / weight.mean())

    def predict(values: np.ndarray) -> np.ndarray:
        with threadpool_limits(limits=1, user_api="openmp"):
            return np.clip(np.asarray(model.predict(values), dtype=np.float64), 0.0, top)

    return predict


@dataclass
class _ParkSlice:
    """One test park of a split: what every model's ranking is judged against."""

    group: str
    gain: np.ndarray  # logged gains (implicit negatives 0)
    clicked: np.ndarray
    click_gain: np.ndarray  # gains of the contacts from rankings
    propensity: np.ndarray
    ips_values: np.ndarray  # c g / π per pair
    dr_values: np.ndarray | None  # m + c (g − m) / π per pair
    truth: np.ndarray | None
    ideal: dict[str, float]  # normaliser per estimator and k


def _park_slices(
    rows: np.ndarray,
    park: np.ndarray,
    gain: np.ndarray,
    click_stages: np.ndarray,
    clicked: np.ndarray,
    propensity: np.ndarray,
    reward: np.ndarray | None,
    truth: np.ndarray | None,
    ks: Sequence[int],
) -> list[_ParkSlice]:
    out = []
    for g in pd.unique(park[rows]):
        at = rows[park[rows] == g]
        c = clicked[at]
        stages = np.where(c[:, None], click_stages[at], 0.0)
        cg = stages.sum(axis=1)
        pi = np.where(c, propensity[at], 1.0)
        reaching = (stages / pi[:, None]).sum(axis=0)  # candidates estimated to reach each stage
        ideal: dict[str, float] = {}
        for k in ks:
            ideal[f"logged@{k}"] = ideal_dcg(gain[at], k)
            ideal[f"cf@{k}"] = stage_ideal(reaching, k) if c.any() else float("nan")
            if truth is not None:
                ideal[f"true@{k}"] = ideal_dcg(truth[at], k)
        out.append(
            _ParkSlice(
                group=str(g),
                gain=gain[at],
                clicked=c,
                click_gain=cg,
                propensity=pi,
                ips_values=np.where(c, cg / pi, 0.0),
                dr_values=None if reward is None else dr_values(cg, c, pi, reward[at]),
                truth=None if truth is None else truth[at],
                ideal=ideal,
            )
        )
    return out


def _ratio(value: float, best: float) -> float:
    return value / best if best > 0 and np.isfinite(best) else float("nan")


def _park_metrics(
    piece: _ParkSlice, score: np.ndarray, ks: Sequence[int], counterfactual: bool
) -> dict[str, float]:
    """Every metric of one park's ranking by ``score`` (sorted once)."""
    ranked = Ranked(score)
    lams = {k: ranked.discounts(k) for k in ks}
    gain = piece.gain
    relevant = gain > 0
    nan = float("nan")
    out: dict[str, float] = {}
    for k in ks:
        out[f"ndcg@{k}"] = _ratio(float(lams[k] @ gain), piece.ideal[f"logged@{k}"])
    for k in ks:
        share = ranked.top_share(k)
        out[f"recall@{k}"] = (
            float(share[relevant].sum() / relevant.sum()) if relevant.any() else nan
        )
    out["map"] = ranked.average_precision(relevant)
    out["auc"] = ranked.auc(relevant) if relevant.any() else nan
    c, cg, pi = piece.clicked, piece.click_gain, piece.propensity
    for k in ks:
        lam = lams[k]
        if counterfactual and not c.any():  # nothing contacted from a ranking: no estimate
            for name in ("ips", "snips", "dr"):
                out[f"{name}_dcg@{k}"] = out[f"{name}_ndcg@{k}"] = nan
        elif counterfactual:
            ips = float(lam @ piece.ips_values)
            snips = snips_from(lam, cg, c, pi, k)
            out[f"ips_dcg@{k}"] = ips
            out[f"ips_ndcg@{k}"] = _ratio(ips, piece.ideal[f"cf@{k}"])
            out[f"snips_dcg@{k}"] = snips
            out[f"snips_ndcg@{k}"] = _ratio(snips, piece.ideal[f"cf@{k}"])
            if piece.dr_values is not None:
                dr = float(lam @ piece.dr_values)
                out[f"dr_dcg@{k}"] = dr
                out[f"dr_ndcg@{k}"] = _ratio(dr, piece.ideal[f"cf@{k}"])
        if piece.truth is not None:
            true = float(lam @ piece.truth)
            out[f"true_dcg@{k}"] = true
            out[f"true_ndcg@{k}"] = _ratio(true, piece.ideal[f"true@{k}"])
    return out


def _bootstrap(
    values: np.ndarray, n_bootstrap: int, rng: np.random.Generator
) -> tuple[float, float]:
    """Percentile 95 % interval of the mean over parks, resampling parks."""
    values = values[np.isfinite(values)]
    if n_bootstrap < 1 or len(values) == 0:
        return float("nan"), float("nan")
    picks = rng.integers(0, len(values), size=(n_bootstrap, len(values)))
    means = values[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


#: Stages whose reaching counts one gain point each (visited 1 … settled 4).
_STAGES = 4
#: Days a contact needs before reaching a visit, negotiation, signing, settling counts (or not)
#: in the counterfactual estimates: a 招商 lead is typically visited within three months and
#: settles within a year. Pass your office's own to :func:`evaluate`.
MATURE_DAYS = (90, 180, 270, 365)


def _windows(mature_days: Any) -> tuple[float, ...] | None:
    """Days a lead needs for each stage 1–4 to count (None: no censoring correction)."""
    if mature_days is None:
        return None
    if isinstance(mature_days, int | float | np.integer):
        values = (float(mature_days),) * _STAGES
    else:
        values = tuple(float(d) for d in mature_days)
    if len(values) != _STAGES or any(not d >= 0 for d in values):
        raise ConfigError(
            f"mature_days 应为非负整数、{_STAGES} 个非负整数（各阶段）或 None，得到 {mature_days!r}"
        )
    return values


def _ages(pairs: pd.DataFrame) -> np.ndarray:
    """Days from each pair's first contact to the ledger's last date (NaN when unknown)."""
    first = pairs["first_contact"]
    if first.isna().all():
        return np.full(len(pairs), np.nan)
    as_of = max(pairs["date"].max(), first.max())
    return ((as_of - first).dt.days).to_numpy(dtype=np.float64)


def uncensored_gain(
    gain: np.ndarray,
    clicked: np.ndarray,
    ages: np.ndarray,
    park: np.ndarray,
    rows: np.ndarray,
    windows: tuple[float, ...] | None,
) -> np.ndarray:
    """Each contact's gain corrected for leads too young to have reached their stage yet.

    Stage ``j`` (visited, negotiating, signed, settled) counts only for contacts at least
    ``windows[j-1]`` days old, divided by the park's share of such contacts: when a lead was
    contacted does not depend on which lead it was, so this keeps the expected gain of a contact
    whatever its age (inverse-probability-of-censoring weighting with a window per stage).
    Contacts without a first-contact date count as old.

    Parameters
    ----------
    gain : ndarray of shape (n,)
        Stages reached (0–4) of every pair (used where ``clicked``).
    clicked : ndarray of bool
        Contacted from a ranking.
    ages : ndarray of float
        Days from first contact to the ledger's last date (NaN: unknown).
    park : ndarray
        Park of each pair.
    rows : ndarray of int
        The rows to correct (the others are returned uncorrected).
    windows : tuple of 4 float, or None
        Days each stage needs (None: no correction).

    Examples
    --------
    >>> # one park, three contacts: settled at 400 days old, visited at 100, visited at 30
    >>> g = uncensored_gain(np.array([4, 1, 1]), np.array([True, True, True]),
    ...                     np.array([400.0, 100.0, 30.0]), np.array(["P"] * 3), np.arange(3),
    ...                     (90, 180, 270, 365))
    >>> g.round(3).tolist()  # a visit counts ×3/2 (2 of 3 contacts are 90+ days old), later ×3
    [10.5, 1.5, 0.0]
    """
    return uncensored_stages(gain, clicked, ages, park, rows, windows).sum(axis=1)


def uncensored_stages(
    gain: np.ndarray,
    clicked: np.ndarray,
    ages: np.ndarray,
    park: np.ndarray,
    rows: np.ndarray,
    windows: tuple[float, ...] | None,
) -> np.ndarray:
    """Per-stage form of :func:`uncensored_gain`: an (n, 4) array whose rows sum to it.

    Column ``j - 1`` holds each contact's corrected indicator of reaching stage ``j``.
    """
    stages = np.arange(1, _STAGES + 1)
    out = (clicked[:, None] & (gain[:, None] >= stages[None, :])).astype(np.float64)
    if windows is None:
        return out
    codes, _ = pd.factorize(park[rows])
    c = clicked[rows]
    n_clicks = np.bincount(codes, weights=c, minlength=codes.max() + 1 if len(codes) else 0)
    for j, window in enumerate(windows, start=1):
        old = np.isnan(ages[rows]) | (ages[rows] >= window)
        n_old = np.bincount(codes, weights=c & old, minlength=len(n_clicks))
        share = np.divide(n_old, n_clicks, out=np.zeros_like(n_old), where=n_clicks > 0)
        reached = c & old & (gain[rows] >= j)
        out[rows, j - 1] = np.divide(
            reached, share[codes], out=np.zeros(len(rows)), where=share[codes] > 0
        )
    return out


def _chosen_models(models: Any) -> tuple[list[str] | None, dict[str, Any]]:
    """Model names to compare and the caller's own models (``(name, weights or scorer)``)."""
    if models is None:
        return None, {}
    chosen: list[str] = []
    specs: dict[str, Any] = {}
    for entry in models:
        if isinstance(entry, str):
            if entry not in MODELS:
                raise ConfigError(f"未知的模型「{entry}」（可选：{'、'.join(MODELS)}）")
            name = entry
        else:
            try:
                name, spec = entry
            except (TypeError, ValueError):
                raise ConfigError(
                    f"模型应为名称或 (名称, 权重字典或已训练评分器)，得到 {entry!r}"
                ) from None
            name = str(name)
            if not isinstance(spec, Mapping) and not hasattr(spec, "decision_function"):
                raise ConfigError(f"模型「{name}」应给出权重字典或带 decision_function 的评分器")
            specs[name] = spec
        if name in chosen:
            raise ConfigError(f"模型「{name}」重复")
        chosen.append(name)
    return chosen, specs


def _truth_of(pairs: pd.DataFrame, truth: pd.DataFrame | None, column: str) -> np.ndarray | None:
    if truth is None:
        return None
    missing = [c for c in ("park_id", "enterprise_id", column) if c not in truth.columns]
    if missing:
        raise ConfigError(f"truth 缺少列 {missing}（应有 park_id、enterprise_id 和 {column}）")
    key = truth["park_id"].astype(str) + "\x00" + truth["enterprise_id"].astype(str)
    lookup = pd.Series(truth[column].to_numpy(dtype=np.float64), index=key)
    wanted = pairs["park_id"].astype(str) + "\x00" + pairs["enterprise_id"].astype(str)
    values = lookup.reindex(wanted.to_numpy()).to_numpy(dtype=np.float64)
    if np.isnan(values).any():
        raise ConfigError(f"truth 没有覆盖全部候选组合：缺 {int(np.isnan(values).sum())} 个")
    return values


def evaluate(
    data: Any,
    outcomes: pd.DataFrame,
    *,
    models: Sequence[Any] | None = None,
    folds: int = 5,
    time_split: bool = True,
    quantile: float = 0.7,
    ks: Sequence[int] = (10, 50),
    random_state: int | None = 0,
    progress: Progress | None = None,
    counterfactual: bool = True,
    examination: str | Examination = "auto",
    n_bootstrap: int = 200,
    mature_days: int | Sequence[int] | None = MATURE_DAYS,
    min_propensity: float = 0.0,
    truth: pd.DataFrame | None = None,
    truth_column: str = "expected_gain",
) -> pd.DataFrame:
    """Compare scorers on held-out parks and on later outcomes; return one tidy table.

    Parameters
    ----------
    data : Matcher or (parks, enterprises)
        A fitted matcher (its families make the features; its scorer is taken as the one that
        ranked the leads) or the two tables (then ``Matcher()``: the default weights).
    outcomes : DataFrame
        The follow-up ledger (raw or validated).
    models : sequence, default=None
        Names from :data:`MODELS`, or ``(name, spec)`` pairs for the caller's own candidates:
        ``spec`` a dict of weights for the default weighted scorer (e.g. a weighting the office
        considers) or an already fitted scorer (used as it is, not retrained). None compares
        every model of :data:`MODELS` (the one-family baselines of the families the matcher
        has).
    folds : int, default=5
        Folds of the cross-validation grouped by park (fewer when there are fewer parks).
    time_split : bool, default=True
        Also train on the leads *first contacted* before the ``quantile`` of those dates and test
        on the leads first contacted after it (and on the pairs nobody had contacted by then).
        The ledger's ``first_contact`` is used, its ``date`` where that is missing.
    quantile : float, default=0.7
        Share of the dated leads on the training side of the time split.
    ks : sequence of int, default=(10, 50)
        Cut-offs of NDCG@k, DCG@k and recall@k.
    random_state : int or None, default=0
        Seed for the fold assignment, the models and the bootstrap.
    progress : callable, default=None
        Called as ``progress(done, total, message)`` after each (split, model).
    counterfactual : bool, default=True
        Also report the IPS, SNIPS and doubly robust estimates (:mod:`matcher.learning`).
    examination : str or Examination, default="auto"
        The examination curve: an estimation method (``auto``, ``randomised``, ``pbm``,
        ``prior``) or a given :class:`~matcher.learning.Examination`.
    n_bootstrap : int, default=200
        Bootstrap resamples of the test parks for the confidence intervals (0: none).
    mature_days : int, sequence of 4 int, or None, default=(90, 180, 270, 365)
        Censoring: a lead contacted last month has not had time to settle, and counting its
        stage so far as its outcome would penalise the rankings that find leads which take
        longer to land (usually the better ones). For the counterfactual estimates, reaching a
        visit, negotiation, signing and settling counts only for contacts first made at least
        this many days (one number, or one per stage; :data:`MATURE_DAYS`) before the ledger's
        last date, divided by the park's share of such contacts (inverse-probability-of-
        censoring weighting: when a lead was contacted does not depend on which lead it was).
        Ledgers without ``first_contact`` are not corrected; None turns it off.
    min_propensity : float, default=0.0
        Floor of the propensities the estimates divide by (clipped IPS: less variance for
        rankings whose top reaches deep into the logged ranking, at the price of a bias against
        them); 0 keeps the estimates unbiased.
    truth : DataFrame, optional
        The true relevance of every candidate pair (``park_id``, ``enterprise_id`` and
        ``truth_column``), e.g. from ``make_outcomes(..., return_truth=True)``: adds
        ``true_dcg@k`` and ``true_ndcg@k``.
    truth_column : str, default="expected_gain"
        The column of ``truth`` holding the relevance.

    Returns
    -------
    DataFrame
        ``model, split, fold, metric, value, n_parks, ci_low, ci_high``: ``split`` is ``park_cv``
        (folds 0…) or ``time`` (fold 0); ``value`` is the mean over the test parks where the
        metric is defined, ``n_parks`` how many those were, ``ci_low``/``ci_high`` a 95 %
        bootstrap interval of that mean (resampling the fold's test parks). Metrics: the logged
        ones (``ndcg@k``, ``recall@k``, ``map``, ``auc``: contacted pairs at their gain, every
        other pair 0); ``ips_dcg@k``, ``ips_ndcg@k``, ``snips_dcg@k``, ``snips_ndcg@k``,
        ``dr_dcg@k``, ``dr_ndcg@k`` (counterfactual, on the park folds only: a time split tests
        the latest contacts, too young for their later stages to count); ``true_dcg@k``,
        ``true_ndcg@k`` (with ``truth``). Candidates are the eligible pairs; learned models train on the label
        "reached at least a visit". ``attrs["examination"]`` holds the curve used.

    Examples
    --------
    >>> from matcher import load_sample
    >>> from matcher.datasets import load_sample_outcomes
    >>> table = evaluate(load_sample(), load_sample_outcomes(), models=["default", "text_only"],
    ...                  folds=2, time_split=False)
    >>> sorted(table["model"].unique()), sorted(table["split"].unique())
    (['default', 'text_only'], ['park_cv'])
    >>> {"ips_ndcg@10", "snips_ndcg@10", "dr_ndcg@10"} <= set(table["metric"])
    True
    """
    from ..matching import Matcher

    chosen, specs = _chosen_models(models)
    if isinstance(data, Matcher):
        matcher = data
    else:
        try:
            parks, enterprises = data
        except (TypeError, ValueError):
            raise ConfigError("data 应为已 fit 的 Matcher 或 (parks, enterprises)") from None
        matcher = Matcher().fit(parks, enterprises)
    names = list(matcher.feature_names_)
    if chosen is None:
        chosen = [
            m for m in DEFAULT_MODELS if not m.endswith("_only") or m.removesuffix("_only") in names
        ]
    pairs = labelled_pairs(matcher, outcomes)
    if not 0 <= min_propensity < 1:
        raise ConfigError(f"min_propensity 应在 [0, 1) 之间，得到 {min_propensity!r}")
    defaults = {f.name: f.default_weight for f in matcher.families_}
    X = pair_features(matcher, pairs).to_numpy(dtype=np.float64)
    gain = pairs["gain"].to_numpy(dtype=np.float64)
    park = pairs["park_id"].astype(str).to_numpy()
    ent_index = pd.Index(matcher.enterprises_["enterprise_id"].astype(str))
    ents = ent_index.get_indexer(pairs["enterprise_id"].astype(str))
    codes = matcher.enterprises_["industry_code"].astype(object).to_numpy()
    division_of = np.array(
        [str(c)[:2] if isinstance(c, str) and c[:1].isdigit() else "?" for c in codes], dtype=object
    )
    division = division_of[ents]
    contacts = ranking_contacts(pairs, logged_ranks(matcher, pairs, X))
    clicked = contacts["clicked"].to_numpy()
    rank = contacts["rank"].to_numpy()
    exam = (
        examination
        if isinstance(examination, Examination)
        else examination_of(pairs, contacts, method=str(examination))
    )
    true_gain = _truth_of(pairs, truth, truth_column)
    windows = _windows(mature_days)
    ages = _ages(pairs)

    splits: list[_Split] = []
    for i, (train, test) in enumerate(grouped_splits(park, folds, random_state=random_state)):
        tr = np.zeros(len(park), dtype=bool)
        te = np.zeros(len(park), dtype=bool)
        tr[train], te[test] = True, True
        splits.append(_Split("park_cv", i, tr, te, gain, gain, clicked, clicked))
    if time_split:
        contact_day = pairs["first_contact"].fillna(pairs["date"])
        cutoff = time_cutoff(contact_day, quantile)
        if cutoff is not None:
            dated = contact_day.notna().to_numpy()
            followed = pairs["outcome"].notna().to_numpy()
            before = dated & (contact_day < cutoff).to_numpy()
            undated = followed & ~dated  # when they happened is unknown: left out
            train_gain = np.where(before, gain, 0.0)
            test_gain = np.where(before, 0.0, gain)
            splits.append(
                _Split(
                    "time",
                    0,
                    ~undated,
                    ~undated & ~before,
                    train_gain,
                    test_gain,
                    clicked & before,
                    clicked & ~before,
                )
            )

    rng = np.random.default_rng(random_state)
    total = len(splits) * len(chosen)
    done = 0
    records: list[dict[str, Any]] = []
    for split in splits:
        tr_rows, te_rows = np.flatnonzero(split.train), np.flatnonzero(split.test)
        pi_train = contact_propensity(
            exam, park[tr_rows], rank[tr_rows], split.train_click[tr_rows]
        )
        pi_test = np.ones(len(park))
        pi_test[te_rows] = contact_propensity(
            exam, park[te_rows], rank[te_rows], split.test_click[te_rows]
        )
        training = _Training(
            X[tr_rows],
            split.train_gain[tr_rows],
            park[tr_rows],
            split.train_click[tr_rows],
            pi_train,
        )
        # each contact's gain, corrected for stages too recent to have been reached yet
        cf_stages = uncensored_stages(
            split.test_gain, split.test_click, ages, park, te_rows, windows
        )
        cf_pi = np.maximum(pi_test, min_propensity)
        # the time split tests the latest contacts: too young for the later stages to count
        estimate = counterfactual and split.name == "park_cv"
        reward = None
        if estimate:
            tr_gain = uncensored_gain(
                split.train_gain, split.train_click, ages, park, tr_rows, windows
            )
            mature_training = _Training(
                X[tr_rows], tr_gain[tr_rows], park[tr_rows], split.train_click[tr_rows], pi_train
            )
            reward = np.zeros(len(park))
            reward[te_rows] = _reward_model(mature_training, random_state)(X[te_rows])
        pieces = _park_slices(
            te_rows,
            park,
            split.test_gain,
            cf_stages,
            split.test_click,
            cf_pi,
            reward,
            true_gain,
            ks,
        )
        picks = rng.integers(0, 2**31)  # the same park resamples for every model of a split
        for name in chosen:
            if name == "popularity":
                pop = _popularity(ents, division, split.train, split.train_gain, len(ent_index))
                scores = pop[ents]
            else:
                scores = np.zeros(len(park))
                fitted = _fit_model(name, training, names, defaults, random_state, specs.get(name))
                scores[te_rows] = fitted(X[te_rows])
            per_park = pd.DataFrame(
                [
                    _park_metrics(piece, scores[te_rows][park[te_rows] == piece.group], ks,
                                  estimate)
                    for piece in pieces
                ]
            )  # fmt: skip
            boot = np.random.default_rng(picks)
            for metric in per_park.columns:
                values = per_park[metric].to_numpy(dtype=np.float64)
                finite = values[np.isfinite(values)]
                low, high = _bootstrap(values, n_bootstrap, boot)
                records.append(
                    {
                        "model": name,
                        "split": split.name,
                        "fold": split.fold,
                        "metric": metric,
                        "value": float(finite.mean()) if len(finite) else float("nan"),
                        "n_parks": len(finite),
                        "ci_low": low,
                        "ci_high": high,
                    }
                )
            done += 1
            if progress is not None:
                progress(done, total, f"{split.name} {split.fold} · {name}")
    table = pd.DataFrame.from_records(
        records,
        columns=["model", "split", "fold", "metric", "value", "n_parks", "ci_low", "ci_high"],
    )
    table.attrs["examination"] = {
        "method": exam.method,
        "exponent": exam.exponent,
        "n_clicks": exam.n_clicks,
        "text": exam.describe(),
    }
    return table


#: Metrics :func:`summarize` gives confidence intervals for by default (the counterfactual ones).
CI_PREFIXES = ("ips_", "snips_", "dr_")


def summarize(table: pd.DataFrame, *, ci: bool | Sequence[str] = True) -> pd.DataFrame:
    """Mean of each metric over the folds: one row per (split, model), one column per metric.

    With ``ci``, each counterfactual metric (``ips_*``, ``snips_*``, ``dr_*``; or the metrics
    listed) also gets ``<metric>_ci_low`` and ``<metric>_ci_high``: a 95 % interval of the mean
    over folds, combining the folds' bootstrap intervals as independent normal errors
    (``se = sqrt(Σ se_f²) / n_folds``, ``se_f`` = a fold's interval width / 3.92). Models keep
    the order of the table; metrics too.
    """
    if table.empty:
        return pd.DataFrame()
    models = list(pd.unique(table["model"]))
    metrics = list(pd.unique(table["metric"]))
    wide = table.pivot_table(
        index=["split", "model"], columns="metric", values="value", aggfunc="mean", sort=False
    )
    splits = [s for s in ("park_cv", "time") if s in set(table["split"])]
    splits += [s for s in pd.unique(table["split"]) if s not in splits]
    order = [(s, m) for s in splits for m in models if (s, m) in wide.index]
    out = wide.loc[order, metrics]
    if ci is False or "ci_low" not in table.columns:
        return out
    wanted = (
        [m for m in metrics if str(m).startswith(CI_PREFIXES)]
        if ci is True
        else [m for m in ci if m in metrics]
    )
    if not wanted:
        return out
    part = table[table["metric"].isin(wanted)].copy()
    part["var"] = ((part["ci_high"] - part["ci_low"]) / 3.92) ** 2
    grouped = part.groupby(["split", "model", "metric"], sort=False)
    stats = grouped.agg(mean=("value", "mean"), var=("var", "sum"), n=("value", "size"))
    half = 1.96 * np.sqrt(stats["var"]) / stats["n"]
    low = (stats["mean"] - half).unstack("metric")
    high = (stats["mean"] + half).unstack("metric")
    columns: dict[str, pd.Series] = {}
    for metric in metrics:
        columns[metric] = out[metric]
        if metric in wanted:
            columns[f"{metric}_ci_low"] = low[metric].reindex(out.index)
            columns[f"{metric}_ci_high"] = high[metric].reindex(out.index)
    return pd.DataFrame(columns, index=out.index)
