"""Training scorers from outcomes: fitted weights, bias-corrected learners, one call per kind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from sklearn.utils import check_random_state

from ..exceptions import ConfigError
from ..scoring import GBScorer, LinearScorer, WeightedScorer
from ._pairs import labelled_pairs, logged_ranks, pair_features

__all__ = [
    "MIN_TRAINING_PROPENSITY",
    "PROPENSITY_POWER",
    "SCORER_KINDS",
    "examination_of",
    "fit_ips",
    "fit_scorer",
    "fit_weights",
    "ranking_contacts",
    "train_ips",
    "train_scorer",
    "weights_frame",
]


# ============================================================================ fitted weights
def _logistic_nonneg(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    *,
    alpha: float,
    intercept: bool,
) -> np.ndarray:
    """Minimise weighted log-loss + alpha/2 ||w||² with w ≥ 0 (L-BFGS-B); return w."""
    F = X.shape[1]
    sw = sample_weight / sample_weight.sum()
    sign = np.where(y > 0, 1.0, -1.0)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:F], (theta[F] if intercept else 0.0)
        margin = sign * (X @ w + b)
        value = float(sw @ np.logaddexp(0.0, -margin)) + 0.5 * alpha * float(w @ w)
        g = -sw * sign * np.exp(-np.logaddexp(0.0, margin))  # d loss / d (Xw + b)
        grad_w = X.T @ g + alpha * w
        grad = np.append(grad_w, g.sum()) if intercept else grad_w
        return value, grad

    theta0 = np.zeros(F + (1 if intercept else 0))
    bounds = [(0.0, None)] * F + ([(None, None)] if intercept else [])
    result = optimize.minimize(loss, theta0, jac=True, method="L-BFGS-B", bounds=bounds)
    return np.asarray(result.x[:F])


def fit_weights(
    X: Any,
    y: Any,
    *,
    groups: Any = None,
    objective: str = "pairwise",
    alpha: float = 1e-4,
    feature_names: Sequence[str] | None = None,
    sample_weight: Any = None,
    max_pairs: int = 200_000,
    random_state: int | None = 0,
) -> dict[str, float]:
    """Non-negative weights for the default weighted scorer, fitted to outcomes.

    The office keeps the transparent ``score = 100 × Σ weight × component``; only the weights
    come from its own history. The weights are the coefficients of a logistic model constrained
    to be non-negative, normalised to sum to 1.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n, F)
        Component values (:func:`pair_features`).
    y : array-like of shape (n,)
        Labels or graded gains (higher is better; 0 for never followed up).
    groups : array-like of shape (n,), default=None
        Park of each row; required for ``objective="pairwise"``.
    objective : {"pairwise", "pointwise"}, default="pairwise"
        ``pairwise``: within each park, a better lead should outscore a worse one (logistic
        loss on score differences: what a ranking needs; park-level effects cancel).
        ``pointwise``: logistic regression of ``y > 0`` with an intercept.
    alpha : float, default=1e-4
        L2 penalty on the weights.
    feature_names : sequence of str, default=None
        Names of the columns of an array ``X``; a DataFrame brings its own.
    sample_weight : array-like of shape (n,), default=None
        Row weights. Pointwise: each row's weight in the loss; pairwise: a (better, worse)
        pair weighs the product of its two rows' weights.
    max_pairs : int, default=200_000
        Most (better, worse) pairs sampled per fit (pairwise).
    random_state : int or None, default=0
        Seed of the pair sample.

    Returns
    -------
    dict of str to float
        ``{family: weight}``, non-negative, summing to 1: pass it as ``Matcher(weights=...)``.

    Raises
    ------
    ConfigError
        Bad arguments, or outcomes that carry no signal (every weight fitted to 0).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((400, 3)); y = (2 * X[:, 0] + X[:, 1] + rng.normal(0, .3, 400) > 2).astype(int)
    >>> w = fit_weights(X, y, objective="pointwise", feature_names=["a", "b", "c"])
    >>> round(sum(w.values()), 6), w["a"] > w["b"] > w["c"]
    (1.0, True)
    """
    if objective not in ("pairwise", "pointwise"):
        raise ConfigError(f"objective 应为 pairwise 或 pointwise，得到 {objective!r}")
    names = (
        list(X.columns)
        if isinstance(X, pd.DataFrame) and feature_names is None
        else (list(feature_names) if feature_names is not None else None)
    )
    values = np.asarray(X, dtype=np.float64)
    target = np.asarray(y, dtype=np.float64).ravel()
    if values.ndim != 2 or len(values) != len(target):
        raise ConfigError(f"X 应为 (n, F) 矩阵且与 y 等长，得到 {values.shape} 与 {target.shape}")
    if names is None:
        names = [f"x{j}" for j in range(values.shape[1])]
    if len(names) != values.shape[1]:
        raise ConfigError(f"feature_names 有 {len(names)} 个，而 X 有 {values.shape[1]} 列")
    if not np.isfinite(values).all():
        raise ConfigError("X 含有缺失或无穷值：请用 pair_features 的取值（未知已取中性值）")
    sw = np.ones(len(target)) if sample_weight is None else np.asarray(sample_weight, float)
    if sw.shape != target.shape or not (np.isfinite(sw).all() and (sw >= 0).all()):
        raise ConfigError(f"sample_weight 应为与 y 等长的非负有限数，得到形状 {sw.shape}")
    if objective == "pointwise":
        if len(np.unique(target > 0)) < 2:
            raise ConfigError("结果数据只有一类（全为正例或全为负例），无法拟合权重")
        w = _logistic_nonneg(values, (target > 0).astype(float), sw, alpha=alpha, intercept=True)
    else:
        if groups is None:
            raise ConfigError("objective='pairwise' 需要 groups（每行所属园区）")
        better, worse = _pairs(target, np.asarray(groups), max_pairs, random_state)
        if len(better) == 0:
            raise ConfigError("没有可比较的线索对：每个园区至少需要一条进展更好的线索")
        pair_weight = sw[better] * sw[worse]
        if not pair_weight.sum() > 0:
            raise ConfigError("sample_weight 使全部线索对的权重为 0，无法拟合权重")
        diffs = values[better] - values[worse]
        ones = np.ones(len(diffs))
        w = _logistic_nonneg(diffs, ones, pair_weight, alpha=alpha, intercept=False)
    total = float(w.sum())
    if not total > 1e-12:
        raise ConfigError("结果数据中没有支持任何维度的信号：拟合出的权重全为 0")
    return {name: float(v / total) for name, v in zip(names, w, strict=True)}


def _pairs(
    gain: np.ndarray, groups: np.ndarray, max_pairs: int, random_state: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``(better, worse)`` of sampled pairs of the same group with different gains."""
    rng = check_random_state(random_state)
    codes, _ = pd.factorize(groups)
    blocks: list[tuple[np.ndarray, np.ndarray]] = []
    counts = []
    for g in range(codes.max() + 1 if len(codes) else 0):
        rows = np.flatnonzero(codes == g)
        levels = np.unique(gain[rows])
        for level in levels[1:]:
            better = rows[gain[rows] == level]
            worse = rows[gain[rows] < level]
            blocks.append((better, worse))
            counts.append(len(better) * len(worse))
    total = int(sum(counts))
    if total == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    share = min(1.0, max_pairs / total)
    out_b, out_w = [], []
    for (better, worse), count in zip(blocks, counts, strict=True):
        k = max(1, round(count * share))
        if k >= count:
            b, w = np.repeat(better, len(worse)), np.tile(worse, len(better))
        else:
            b, w = rng.choice(better, k), rng.choice(worse, k)
        out_b.append(b)
        out_w.append(w)
    return np.concatenate(out_b), np.concatenate(out_w)


def weights_frame(weights: Mapping[str, float], defaults: Mapping[str, float]) -> pd.DataFrame:
    """Fitted weights beside the defaults, one row per family (for printing)."""
    return pd.DataFrame(
        {
            "family": list(weights),
            "default": [float(defaults.get(f, np.nan)) for f in weights],
            "fitted": [float(v) for v in weights.values()],
        }
    )


# ============================================================================ bias-corrected
#: Smallest contact propensity an IPS weight divides by when training (caps weights at 50).
MIN_TRAINING_PROPENSITY = 0.02
#: Power of the inverse propensity the bias-corrected learners weigh a contact by. Chosen on the
#: simulator's development seeds (``make_outcomes`` seeds 100–124 at 1,000 outcomes, 100–107 at
#: 5,000; the README's truth benchmark uses seeds 0–9): power 1 (plain IPS) learned worse
#: rankers than power 0 at 1,000 outcomes and better at 5,000, and 0.5 was ahead of plain
#: logistic regression at both. Not chosen on real ledgers: none is available yet.
PROPENSITY_POWER = 0.5


def ranking_contacts(pairs: pd.DataFrame, logged_rank: Any) -> pd.DataFrame:
    """Which candidate pairs were contacted *from a ranking*, and the rank that counts for each.

    A pair counts as contacted from a ranking when its ``source`` is ``ranking`` or ``random``
    (or is not given while a ``shown_rank`` is); its rank is the ``shown_rank`` when logged,
    else ``logged_rank`` (the logging scorer's rank). Own-network leads are not contacts from a
    ranking. A ledger without any ``source`` or ``shown_rank`` (an old ledger) is read as if
    every followed-up lead came from the logging ranking at its logged rank.

    Parameters
    ----------
    pairs : DataFrame
        :func:`labelled_pairs`.
    logged_rank : array-like of int
        :func:`logged_ranks` of the same pairs.

    Returns
    -------
    DataFrame
        ``clicked`` (bool), ``rank`` (float), ``random`` (bool: an exploration contact),
        indexed like ``pairs``.
    """
    followed = pairs["outcome"].notna().to_numpy()
    source = pairs["source"].to_numpy(dtype=object)
    shown = pairs["shown_rank"].to_numpy(dtype=np.float64, na_value=np.nan)
    known = np.array([s is not None and s == s for s in source]) | ~np.isnan(shown)
    logged = np.asarray(logged_rank, dtype=np.float64)
    if not (known & followed).any():  # an old ledger: no exposure logged
        clicked = followed
    else:
        from_ranking = np.isin(source, ["ranking", "random"])
        unknown_source = ~np.isin(source, ["ranking", "random", "own"])
        clicked = followed & (from_ranking | (unknown_source & ~np.isnan(shown)))
    rank = np.where(clicked & ~np.isnan(shown), shown, logged)
    random = clicked & (source == "random")
    return pd.DataFrame({"clicked": clicked, "rank": rank, "random": random}, index=pairs.index)


def fit_ips(
    X: Any,
    gain: Any,
    clicked: Any,
    propensity: Any,
    *,
    kind: str = "logistic",
    groups: Any = None,
    feature_names: Sequence[str] | None = None,
    min_gain: int = 1,
    min_propensity: float = MIN_TRAINING_PROPENSITY,
    propensity_power: float = PROPENSITY_POWER,
    random_state: int | None = 0,
) -> Any:
    """A scorer learned from the leads contacted from rankings, corrected for position bias.

    Trained only on the pairs contacted from a ranking, whose outcome is known; pairs never
    contacted are *not* negatives (nobody knows their outcome), which is what keeps the default
    ranking's choices out of the labels. Each contact is weighted by ``π ** -propensity_power``
    (``π`` its contact propensity, :func:`~matcher.learning.contact_propensity`, floored at
    ``min_propensity``): with power 1 the weighted sample stands, without bias, for every
    candidate the rankings could have shown (inverse propensity weighting); lower powers trade
    some of that correction for much less variance (a contact shown at rank 150 weighs about
    12 times one shown at rank 1 with power 0.5, about 150 times with power 1).

    Parameters
    ----------
    X : array-like or DataFrame of shape (n, F)
        Component values of every candidate pair (:func:`pair_features`).
    gain : array-like of shape (n,)
        Gains (:func:`labelled_pairs`).
    clicked : array-like of bool
        Contacted from a ranking (:func:`ranking_contacts`).
    propensity : array-like of float
        Contact propensity of each pair.
    kind : {"logistic", "weights"}, default="logistic"
        ``logistic``: a :class:`LinearScorer` of "reached at least ``min_gain``" (explained like
        it, contributions sum to the score); ``weights``: non-negative weights for the default
        weighted scorer, fitted pairwise within each of ``groups`` on the contacts' graded
        gains (:func:`fit_weights`; a pair weighs the product of its two contacts' weights),
        returned as a :class:`~matcher.scoring.WeightedScorer`.
    groups : array-like of shape (n,), default=None
        Park of each pair (``kind="weights"`` compares contacts of the same park only); None
        compares every contact with every other.
    feature_names : sequence of str, default=None
        Names of the columns of an array ``X``.
    min_gain : int, default=1
        The positive label's least gain (``kind="logistic"``).
    min_propensity : float, default=0.02
        Floor of the propensity a weight divides by (bounds the weights' variance).
    propensity_power : float, default=0.5
        Power of the inverse propensity, in [0, 1]: 1 is plain inverse propensity weighting
        (unbiased, high variance), 0 weighs every contact alike (treats contacts as missing at
        random given their components). See :data:`PROPENSITY_POWER` for how 0.5 was chosen.
    random_state : int or None, default=0
        Seed of the pair sample (``kind="weights"``).

    Returns
    -------
    LinearScorer or WeightedScorer
        Fitted; ``n_training_`` (contacted pairs used) is set on it.

    Raises
    ------
    ConfigError
        Too few contacted pairs, or outcomes that cannot be told apart (``logistic``: only one
        kind among the contacts; ``weights``: no park with two contacts of different gains).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((4000, 2)); rank = np.argsort(np.argsort(-X[:, 0])) + 1
    >>> pi = -np.expm1(-30 * rank ** -0.8)                   # contacts follow the ranking by x0
    >>> clicked = rng.random(4000) < pi
    >>> gain = (X[:, 1] + 0.2 * rng.random(4000) > 0.7).astype(int)  # but x1 drives outcomes
    >>> s = fit_ips(X, gain, clicked, pi, feature_names=["industry", "text"])
    >>> bool(s.coef_[1] > s.coef_[0])
    True
    """
    if kind not in ("logistic", "weights"):
        raise ConfigError(f"kind 应为 logistic 或 weights，得到 {kind!r}")
    if not 0.0 <= propensity_power <= 1.0:
        raise ConfigError(f"propensity_power 应在 [0, 1] 之间，得到 {propensity_power!r}")
    names = list(X.columns) if isinstance(X, pd.DataFrame) else feature_names
    values = np.asarray(X, dtype=np.float64)
    c = np.asarray(clicked, dtype=bool)
    g = np.asarray(gain, dtype=np.float64)
    pi = np.maximum(np.asarray(propensity, dtype=np.float64), min_propensity)
    if c.sum() < 10:
        raise ConfigError(
            f"来自排名推荐的已跟进线索只有 {int(c.sum())} 条，至少需要 10 条才能纠偏训练"
        )
    weight = pi[c] ** -propensity_power
    weight = weight / weight.mean()
    scorer: Any
    if kind == "logistic":
        y = (g[c] >= min_gain).astype(int)
        if len(np.unique(y)) < 2:
            raise ConfigError(
                "来自排名推荐的已跟进线索结果只有一类（全部进展或全部未进展），无法训练"
            )
        scorer = LinearScorer().fit(values[c], y, feature_names=names, sample_weight=weight)
    else:
        park = np.zeros(int(c.sum())) if groups is None else np.asarray(groups)[c]
        fitted = fit_weights(
            values[c],
            g[c],
            groups=park,
            objective="pairwise",
            feature_names=names,
            sample_weight=weight,
            random_state=random_state,
        )
        scorer = WeightedScorer(fitted).fit(feature_names=list(fitted))
    scorer.n_training_ = int(c.sum())
    return scorer


def train_ips(
    matcher: Any,
    outcomes: pd.DataFrame,
    *,
    kind: str = "logistic",
    examination: Any = "auto",
    min_propensity: float = MIN_TRAINING_PROPENSITY,
    propensity_power: float = PROPENSITY_POWER,
) -> Any:
    """:func:`fit_ips` on a ledger: contacts, examination curve and propensities in one call.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher whose scorer produced the rankings the ledger's leads were picked from
        (``Matcher()`` for the default weights).
    outcomes : DataFrame
        The ledger.
    kind : {"logistic", "weights"}, default="logistic"
        As for :func:`fit_ips`.
    examination : str or Examination, default="auto"
        How to get the examination curve (:func:`~matcher.learning.estimate_examination`
        method) or the curve itself.
    min_propensity, propensity_power : float
        As for :func:`fit_ips`.

    Returns
    -------
    LinearScorer or WeightedScorer
        With ``examination_`` (the curve used) set.
    """
    from ._counterfactual import Examination, contact_propensity

    pairs = labelled_pairs(matcher, outcomes)
    X = pair_features(matcher, pairs)
    contacts = ranking_contacts(pairs, logged_ranks(matcher, pairs, X))
    exam = (
        examination
        if isinstance(examination, Examination)
        else examination_of(pairs, contacts, method=str(examination))
    )
    park = pairs["park_id"].to_numpy()
    pi = contact_propensity(exam, park, contacts["rank"], contacts["clicked"])
    scorer = fit_ips(
        X,
        pairs["gain"],
        contacts["clicked"],
        pi,
        kind=kind,
        groups=park,
        min_propensity=min_propensity,
        propensity_power=propensity_power,
    )
    scorer.examination_ = exam
    return scorer


def examination_of(pairs: pd.DataFrame, contacts: pd.DataFrame, *, method: str = "auto") -> Any:
    """The examination curve of a ledger (:func:`~matcher.learning.estimate_examination`).

    Exploration contacts give the shuffled positions and their depth (``1 / propensity``).
    """
    from ._counterfactual import estimate_examination

    random = contacts["random"].to_numpy()
    depth = None
    if random.any():
        logged_p = pairs["propensity"].to_numpy(dtype=np.float64)[random]
        logged_p = logged_p[np.isfinite(logged_p)]
        if len(logged_p):
            depth = round(1.0 / float(np.median(logged_p)))
    return estimate_examination(
        pairs["park_id"].to_numpy(),
        contacts["rank"].to_numpy(),
        contacts["clicked"].to_numpy(),
        random_rank=contacts["rank"].to_numpy()[random],
        random_depth=depth,
        method=method,
    )


# ============================================================================ one call per kind
#: What :func:`fit_scorer` and :func:`train_scorer` can train.
SCORER_KINDS = ("logistic", "ridge", "gbm", "weights", "ips_logistic", "ips_weights")


def fit_scorer(
    kind: str,
    X: Any,
    gain: Any,
    *,
    feature_names: Sequence[str],
    groups: Any = None,
    defaults: Mapping[str, float] | None = None,
    clicked: Any = None,
    propensity: Any = None,
    random_state: int | None = 0,
) -> Any:
    """A scorer of ``kind`` fitted on pair features ``X`` and their gains.

    ``logistic`` / ``ridge``: :class:`~matcher.scoring.LinearScorer` of "reached at least a
    visit" (gain > 0); ``gbm``: :class:`~matcher.scoring.GBScorer` of the same label, monotone
    in every family; ``weights``: a :class:`~matcher.scoring.WeightedScorer` with
    :func:`fit_weights` (pairwise within each of ``groups``, over ``defaults``);
    ``ips_logistic`` / ``ips_weights``: :func:`fit_ips` with ``clicked`` and ``propensity``.

    Raises
    ------
    ConfigError
        An unknown kind, or what the chosen learner refuses.
    """
    names = list(feature_names)
    label = (np.asarray(gain, dtype=np.float64) > 0).astype(int)
    if kind == "weights":
        weights = fit_weights(X, gain, groups=groups, feature_names=names)
        return WeightedScorer(weights, defaults=defaults).fit(feature_names=names)
    if kind in ("logistic", "ridge"):
        return LinearScorer(loss=kind).fit(X, label, feature_names=names)
    if kind == "gbm":
        scorer = GBScorer(monotonic_cst=[1] * len(names), random_state=random_state)
        return scorer.fit(X, label, feature_names=names)
    if kind in ("ips_logistic", "ips_weights"):
        return fit_ips(
            X,
            gain,
            clicked,
            propensity,
            kind=kind.removeprefix("ips_"),
            groups=groups,
            feature_names=names,
            random_state=random_state,
        )
    raise ConfigError(f"未知的模型类型「{kind}」（可选：{'、'.join(SCORER_KINDS)}）")


def train_scorer(
    matcher: Any,
    outcomes: pd.DataFrame,
    *,
    kind: str = "logistic",
    pairs: pd.DataFrame | None = None,
    random_state: int | None = 0,
) -> Any:
    """Train a scorer of ``kind`` on a ledger, on the matcher's parks and enterprises.

    What ``parkmatch train`` and the service's ``POST /models`` do: the ledger's
    :func:`labelled_pairs`, their :func:`pair_features`, then :func:`fit_scorer` (the
    ``ips_*`` kinds: :func:`train_ips`, which corrects for the position the leads were shown
    at).

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher (for ``ips_*``: the one whose rankings the leads were picked from).
    outcomes : DataFrame
        The validated ledger.
    kind : str, default="logistic"
        One of :data:`SCORER_KINDS`.
    pairs : DataFrame, default=None
        ``labelled_pairs(matcher, outcomes)`` when already computed.
    random_state : int or None, default=0
        Seed of the boosting.

    Returns
    -------
    Scorer
        Fitted on the matcher's families, ready for ``Matcher(scorer=...)`` and
        :func:`~matcher.scoring.save_scorer`.

    Raises
    ------
    ConfigError
        An unknown kind, or a ledger whose candidate pairs are all positive or all negative.
    """
    if kind not in SCORER_KINDS:
        raise ConfigError(f"未知的模型类型「{kind}」（可选：{'、'.join(SCORER_KINDS)}）")
    if kind.startswith("ips_"):
        return train_ips(matcher, outcomes, kind=kind.removeprefix("ips_"))
    pairs = labelled_pairs(matcher, outcomes) if pairs is None else pairs
    n_pos = int(pairs["label"].sum())
    if n_pos == 0 or n_pos == len(pairs):
        raise ConfigError(
            f"台账无法用于训练：{len(pairs)} 个候选对中 {n_pos} 个至少已走访；"
            "需要既有进展到走访及以上的线索，也有未进展或未跟进的线索"
        )
    X = pair_features(matcher, pairs)
    return fit_scorer(
        kind,
        X,
        pairs["gain"],
        feature_names=list(matcher.feature_names_),
        groups=pairs["park_id"],
        random_state=random_state,
    )
