"""Honest evaluation of rankings against outcomes.

Metrics (one ranking at a time, hand-checkable): :func:`ndcg_at_k`, :func:`recall_at_k`,
:func:`average_precision` (MAP is its mean over parks) and :func:`auc`. Rankings sort by score,
best first, ties in input order (as the Matcher does). Gains are the outcomes' graded relevance
(:data:`~matcher.outcomes.OUTCOME_GAIN`: visited 1 … settled 4); a pair is *relevant* when its
gain is above 0.

:func:`evaluate` compares scorers on held-out parks (cross-validation grouped by park: no park
is in both the training and the test part of a fold) and on a time split (train on what was
known before a cut-off date, test on the leads followed up after it), and returns one tidy
table: ``model, split, fold, metric, value, n_parks``. :func:`summarize` turns it into one row
per (split, model).

Read the figures with the data's history in mind: the leads in a ledger were mostly picked
from the default ranking (position bias), so the default is scored on ground its own choices
prepared; a learned model has to beat it there.

>>> round(ndcg_at_k([0, 3, 0, 1], [0.9, 0.8, 0.7, 0.1], k=2), 4)  # (3/log2 3) / (3 + 1/log2 3)
0.5213
>>> recall_at_k([0, 3, 0, 1], [0.9, 0.8, 0.7, 0.1], k=2)
0.5
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold

from .exceptions import ConfigError
from .learning import GBScorer, LinearScorer, fit_weights, labelled_pairs, pair_features
from .scoring import WeightedScorer

__all__ = [
    "DEFAULT_MODELS",
    "MODELS",
    "auc",
    "average_precision",
    "evaluate",
    "grouped_splits",
    "ndcg_at_k",
    "ranking_metrics",
    "recall_at_k",
    "summarize",
    "time_cutoff",
]

#: Models :func:`evaluate` knows, with what they are.
MODELS = {
    "default": "默认权重（加权评分器）",
    "weights": "按结果拟合的非负权重（加权评分器）",
    "logistic": "逻辑回归 LinearScorer",
    "ridge": "岭回归 LinearScorer(loss='ridge')",
    "gbm": "梯度提升 GBScorer",
    "industry_only": "基线：仅产业匹配",
    "text_only": "基线：仅业务契合",
    "popularity": "基线：企业热度（在其他园区的进展）",
}
#: What :func:`evaluate` compares when ``models`` is None.
DEFAULT_MODELS = tuple(MODELS)

#: Progress hook: ``progress(done, total, message)``.
Progress = Callable[[int, int, str], None]


# ============================================================================ metrics
def _order(y_score: Any) -> np.ndarray:
    """Row order of a ranking: score descending, ties in input order."""
    score = np.asarray(y_score, dtype=np.float64)
    return np.lexsort((np.arange(len(score)), -score))


def _gains(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray]:
    gains = np.asarray(y_true, dtype=np.float64).ravel()
    score = np.asarray(y_score, dtype=np.float64).ravel()
    if gains.shape != score.shape:
        raise ConfigError(f"y_true 与 y_score 长度不同：{gains.shape} 与 {score.shape}")
    if np.isnan(score).any():
        raise ConfigError("y_score 含有缺失值")
    return gains, score


def ndcg_at_k(y_true: Any, y_score: Any, k: int = 10) -> float:
    """Normalised discounted cumulative gain of the top ``k``.

    ``DCG@k = Σ_{i ≤ k} gain_i / log2(i + 1)`` over the ranking (linear gains), divided by the
    same sum over the ideal ranking. NaN when nothing is relevant.

    >>> ndcg_at_k([1, 0], [0.2, 0.9], k=2)  # the relevant lead second: 1/log2(3)
    0.6309297535714575
    """
    gains, score = _gains(y_true, y_score)
    if k < 1:
        raise ConfigError(f"k 应为正整数，得到 {k!r}")
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    top = gains[_order(score)][:k]
    ideal = np.sort(gains)[::-1][:k]
    best = float(ideal @ discount[: len(ideal)])
    if best <= 0:
        return float("nan")
    return float(top @ discount[: len(top)]) / best


def recall_at_k(y_true: Any, y_score: Any, k: int = 10) -> float:
    """Share of the relevant pairs (gain > 0) found in the top ``k``; NaN when none is relevant.

    >>> recall_at_k([1, 0, 2, 0], [0.9, 0.8, 0.1, 0.5], k=2)
    0.5
    """
    gains, score = _gains(y_true, y_score)
    if k < 1:
        raise ConfigError(f"k 应为正整数，得到 {k!r}")
    relevant = gains > 0
    if not relevant.any():
        return float("nan")
    return float(relevant[_order(score)][:k].sum() / relevant.sum())


def average_precision(y_true: Any, y_score: Any) -> float:
    """Mean of precision@i over the ranks i of the relevant pairs; NaN when none is relevant.

    >>> average_precision([1, 0, 1], [0.9, 0.8, 0.1])  # (1/1 + 2/3) / 2
    0.8333333333333333
    """
    gains, score = _gains(y_true, y_score)
    relevant = (gains > 0)[_order(score)]
    if not relevant.any():
        return float("nan")
    hits = np.cumsum(relevant)
    ranks = np.arange(1, len(relevant) + 1)
    return float((hits[relevant] / ranks[relevant]).mean())


def auc(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve: the chance a relevant pair outscores an irrelevant one (ties
    count half); NaN without both kinds.

    >>> auc([1, 0, 1, 0], [0.9, 0.5, 0.5, 0.1])  # 3 of 4 pairs ordered right, 1 tie
    0.875
    """
    gains, score = _gains(y_true, y_score)
    relevant = gains > 0
    n_pos, n_neg = int(relevant.sum()), int((~relevant).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = pd.Series(score).rank(method="average").to_numpy()  # midranks for ties
    return float((ranks[relevant].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


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


def _fit_model(
    name: str,
    X: np.ndarray,
    gain: np.ndarray,
    groups: np.ndarray,
    names: list[str],
    defaults: dict[str, float],
    random_state: int | None,
) -> Callable[[np.ndarray], np.ndarray]:
    """Train ``name`` on the training rows; return a function scoring feature rows."""
    label = (gain > 0).astype(int)
    col = {n: j for j, n in enumerate(names)}
    if name == "default":
        scorer: Any = WeightedScorer(defaults=defaults).fit(feature_names=names)
    elif name == "weights":
        weights = fit_weights(X, gain, groups=groups, feature_names=names)
        scorer = WeightedScorer(weights, defaults=defaults).fit(feature_names=names)
    elif name in ("logistic", "ridge"):
        scorer = LinearScorer(loss=name).fit(X, label, feature_names=names)
    elif name == "gbm":
        scorer = GBScorer(monotonic_cst=[1] * len(names), random_state=random_state).fit(
            X, label, feature_names=names
        )
    elif name in ("industry_only", "text_only"):
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


def evaluate(
    data: Any,
    outcomes: pd.DataFrame,
    *,
    models: Sequence[str] | None = None,
    folds: int = 5,
    time_split: bool = True,
    quantile: float = 0.7,
    ks: Sequence[int] = (10, 50),
    random_state: int | None = 0,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Compare scorers on held-out parks and on later outcomes; return one tidy table.

    Parameters
    ----------
    data : Matcher or (parks, enterprises)
        A fitted matcher (its families make the features) or the two tables.
    outcomes : DataFrame
        The follow-up ledger (raw or validated).
    models : sequence of str, default=None
        Names from :data:`MODELS`; None compares them all.
    folds : int, default=5
        Folds of the cross-validation grouped by park (fewer when there are fewer parks).
    time_split : bool, default=True
        Also train on the outcomes dated before the ``quantile`` of the dates and test on
        those after (on the leads not yet followed up at the cut-off).
    quantile : float, default=0.7
        Share of the dated outcomes on the training side of the time split.
    ks : sequence of int, default=(10, 50)
        Cut-offs of NDCG@k and recall@k.
    random_state : int or None, default=0
        Seed for the fold assignment and the models.
    progress : callable, default=None
        Called as ``progress(done, total, message)`` after each (split, model).

    Returns
    -------
    DataFrame
        ``model, split, fold, metric, value, n_parks``: ``split`` is ``park_cv`` (folds 0…) or
        ``time`` (fold 0); ``value`` is the mean over the test parks that had a relevant
        lead, ``n_parks`` how many those were. Candidates are the eligible pairs; learned
        models train on the binary label "reached at least a visit".

    Examples
    --------
    >>> from matcher import load_sample, load_sample_outcomes
    >>> table = evaluate(load_sample(), load_sample_outcomes(), models=["default", "text_only"],
    ...                  folds=2, time_split=False)
    >>> sorted(table["model"].unique()), sorted(table["split"].unique())
    (['default', 'text_only'], ['park_cv'])
    """
    from .model import Matcher

    chosen = list(DEFAULT_MODELS if models is None else models)
    for name in chosen:
        if name not in MODELS:
            raise ConfigError(f"未知的模型「{name}」（可选：{'、'.join(MODELS)}）")
    if isinstance(data, Matcher):
        matcher = data
    else:
        try:
            parks, enterprises = data
        except (TypeError, ValueError):
            raise ConfigError("data 应为已 fit 的 Matcher 或 (parks, enterprises)") from None
        matcher = Matcher().fit(parks, enterprises)
    pairs = labelled_pairs(matcher, outcomes)
    names = list(matcher.feature_names_)
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

    splits: list[_Split] = []
    for i, (train, test) in enumerate(grouped_splits(park, folds, random_state=random_state)):
        tr = np.zeros(len(park), dtype=bool)
        te = np.zeros(len(park), dtype=bool)
        tr[train], te[test] = True, True
        splits.append(_Split("park_cv", i, tr, te, gain, gain))
    if time_split:
        cutoff = time_cutoff(pairs["date"], quantile)
        if cutoff is not None:
            dated = pairs["date"].notna().to_numpy()
            followed = pairs["outcome"].notna().to_numpy()
            before = dated & (pairs["date"] < cutoff).to_numpy()
            undated = followed & ~dated  # when they happened is unknown: left out
            train_gain = np.where(before, gain, 0.0)
            test_gain = np.where(before, 0.0, gain)
            splits.append(_Split("time", 0, ~undated, ~undated & ~before, train_gain, test_gain))

    total = len(splits) * len(chosen)
    done = 0
    records: list[dict[str, Any]] = []
    for split in splits:
        tr, te = split.train, split.test
        for name in chosen:
            if name == "popularity":
                pop = _popularity(ents, division, tr, split.train_gain, len(ent_index))
                score = pop[ents[te]]
            else:
                fitted = _fit_model(
                    name, X[tr], split.train_gain[tr], park[tr], names, defaults, random_state
                )
                score = fitted(X[te])
            per_park = ranking_metrics(split.test_gain[te], score, park[te], ks=ks)
            per_park = per_park[per_park["n_relevant"] > 0]
            for metric in per_park.columns.drop(["group", "n", "n_relevant"]):
                values = per_park[metric].dropna()
                records.append(
                    {
                        "model": name,
                        "split": split.name,
                        "fold": split.fold,
                        "metric": metric,
                        "value": float(values.mean()) if len(values) else float("nan"),
                        "n_parks": len(values),
                    }
                )
            done += 1
            if progress is not None:
                progress(done, total, f"{split.name} {split.fold} · {name}")
    return pd.DataFrame.from_records(
        records, columns=["model", "split", "fold", "metric", "value", "n_parks"]
    )


def summarize(table: pd.DataFrame) -> pd.DataFrame:
    """Mean of each metric over the folds: one row per (split, model), one column per metric.

    Models keep the order of the table; metrics too.
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
    return wide.loc[order, metrics]
