"""Learning from outcomes: pair features, learned scorers and fitted weights.

Everything here works on the *same* component values the default scorer uses
(:meth:`Matcher.component_values`, neutral-filled), so a learned scorer drops into
``Matcher(scorer=...)`` and its explanations keep the default's arithmetic: score = baseline +
Σ contributions.

* :func:`pair_features` — the pair-feature matrix for (park_id, enterprise_id) pairs.
* :func:`labelled_pairs` — every eligible pair of the parks in an outcomes table, with its gain
  and a 0/1 label (never-followed-up pairs are implicit negatives).
* :class:`LinearScorer` — logistic (or ridge) regression; contributions are ``coef × value`` on
  a 0–100 scale, exactly like :class:`~matcher.WeightedScorer`.
* :class:`GBScorer` — histogram gradient boosting; contributions are exact Shapley values over
  the families against a background sample (computed for the rows asked for: the Matcher asks
  only for the page it shows).
* :func:`fit_weights` — non-negative weights for the transparent default scorer, fitted to the
  outcomes: ``Matcher(weights=fit_weights(X, y))``.

>>> from matcher import Matcher, load_sample, load_sample_outcomes
>>> parks, enterprises = load_sample()
>>> m = Matcher().fit(parks, enterprises)
>>> pairs = labelled_pairs(m, load_sample_outcomes())
>>> X = pair_features(m, pairs)
>>> list(X.columns)
['industry', 'text', 'capacity', 'quality', 'location']
>>> scorer = LinearScorer().fit(X, pairs["label"])
>>> leads = Matcher(scorer=scorer).fit(parks, enterprises).rank_enterprises("GY-LZ-AL", k=3)
>>> bool(abs(leads["score"] - leads[list(X.columns)].sum(axis=1) - scorer.baseline).max() < 1e-9)
True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import validate_data
from threadpoolctl import threadpool_limits

from .exceptions import ConfigError, NotFittedError, UnknownIdError
from .outcomes import ledger_gain, validate_outcomes

__all__ = [
    "MIN_TRAINING_PROPENSITY",
    "GBScorer",
    "LinearScorer",
    "examination_of",
    "fit_ips",
    "fit_weights",
    "labelled_pairs",
    "logged_ranks",
    "pair_features",
    "ranking_contacts",
    "train_ips",
]

_NO_NAMES = "X does not have valid feature names"


class _NotFittedError(NotFittedError, SklearnNotFittedError):
    """Ours (a ``MatcherError``) and scikit-learn's, so both kinds of caller recognise it."""


# ============================================================================ pair features
def _rows(matcher: Any, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Index rows of the pairs' parks and enterprises (UnknownIdError for an unknown id)."""
    if not hasattr(matcher, "index_"):
        raise NotFittedError("Matcher 尚未 fit：请先调用 Matcher().fit(parks, enterprises)")
    missing = [c for c in ("park_id", "enterprise_id") if c not in pairs.columns]
    if missing:
        raise ConfigError(f"pairs 应含 park_id 和 enterprise_id 两列，缺少 {missing}")
    out = []
    for col, table, kind in (
        ("park_id", matcher.parks_, "park"),
        ("enterprise_id", matcher.enterprises_, "enterprise"),
    ):
        ids = pairs[col].astype(str).to_numpy()
        rows = pd.Index(table[col].astype(str)).get_indexer(ids)
        if (rows < 0).any():
            raise UnknownIdError(kind, ids[np.flatnonzero(rows < 0)[0]])
        out.append(rows.astype(np.intp))
    return out[0], out[1]


def pair_features(
    matcher: Any, pairs: pd.DataFrame, *, missing_indicators: bool = False
) -> pd.DataFrame:
    """The pair-feature matrix: each family's component value for each pair.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher; its families make the features.
    pairs : DataFrame
        ``park_id`` and ``enterprise_id`` columns (e.g. an outcomes table or
        :func:`labelled_pairs`).
    missing_indicators : bool, default=False
        Also add one ``<family>_missing`` column (1.0 where the component was unknown and took
        its neutral value). A scorer meant for ``Matcher(scorer=...)`` must be trained without
        them: the Matcher hands scorers the neutral-filled values only.

    Returns
    -------
    DataFrame
        float32 columns named after the families (the Matcher's ``feature_names_``), values in
        [0, 1] with unknown components at the family's neutral value, indexed like ``pairs``.

    Raises
    ------
    UnknownIdError
        A park or enterprise the matcher was not fitted on.
    """
    p, e = _rows(matcher, pairs)
    names = list(matcher.feature_names_)
    if len(p) == 0:
        raw = filled = np.zeros((0, len(names)), dtype=np.float32)
    else:
        raw, filled = matcher.component_values(p, e)
    frame = pd.DataFrame(filled, columns=names, index=pairs.index)
    if missing_indicators:
        for j, name in enumerate(names):
            frame[f"{name}_missing"] = np.isnan(raw[:, j]).astype(np.float32)
    return frame


def labelled_pairs(
    matcher: Any,
    outcomes: pd.DataFrame,
    *,
    parks: Sequence[str] | None = None,
    eligible_only: bool = True,
    min_gain: int = 1,
) -> pd.DataFrame:
    """Every candidate pair of the followed-up parks, labelled from the outcomes.

    Pairs that were never followed up are implicit negatives (gain 0): the ledger only lists the
    leads someone contacted.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher.
    outcomes : DataFrame
        An outcomes table (raw or validated); its ids must be the matcher's.
    parks : sequence of str, default=None
        Parks to include; None takes every park with at least one outcome.
    eligible_only : bool, default=True
        Keep only eligible pairs (the only ones a ranking shows).
    min_gain : int, default=1
        ``label`` is 1 where the gain reaches this: 1 = at least visited.

    Returns
    -------
    DataFrame
        ``park_id, enterprise_id, outcome`` (missing if never followed up), ``date`` and
        ``first_contact`` (NaT), ``gain`` (int: of ``stage_reached`` when the ledger has it,
        else of ``outcome``; :func:`~matcher.outcomes.ledger_gain`), ``label`` (0/1),
        ``eligible``, and the ledger's exposure columns ``source``, ``shown_rank`` (Int64),
        ``scorer`` and ``propensity``; parks in table order, enterprises in fitted order.
    """
    if not hasattr(matcher, "index_"):
        raise NotFittedError("Matcher 尚未 fit：请先调用 Matcher().fit(parks, enterprises)")
    outcomes = validate_outcomes(
        outcomes, parks=matcher.parks_, enterprises=matcher.enterprises_, file="outcomes"
    )
    park_ids = matcher.parks_["park_id"].astype(str).to_numpy()
    ent_ids = matcher.enterprises_["enterprise_id"].astype(str).to_numpy()
    wanted = set(outcomes["park_id"].astype(str)) if parks is None else {str(p) for p in parks}
    unknown = wanted - set(park_ids)
    if unknown:
        raise UnknownIdError("park", sorted(unknown)[0])
    park_rows = np.array([i for i, pid in enumerate(park_ids) if pid in wanted], dtype=np.intp)
    n = len(ent_ids)
    p = np.repeat(park_rows, n)
    e = np.tile(np.arange(n, dtype=np.intp), len(park_rows))
    eligible = matcher.eligibility(p, e) if len(p) else np.zeros(0, dtype=bool)
    pos_p = pd.Index(park_ids).get_indexer(outcomes["park_id"].astype(str))
    pos_e = pd.Index(ent_ids).get_indexer(outcomes["enterprise_id"].astype(str))
    key = pd.Index(p.astype(np.int64) * n + e)
    at = key.get_indexer(pos_p.astype(np.int64) * n + pos_e)
    found = at >= 0
    where = at[found]

    def spread(column: str, fill: Any, dtype: Any) -> np.ndarray:
        values = np.full(len(p), fill, dtype=dtype)
        values[where] = outcomes[column].to_numpy(dtype=dtype, na_value=fill)[found]
        return values

    outcome = spread("outcome", None, object)
    gain = np.zeros(len(p), dtype=np.int64)
    gain[where] = ledger_gain(outcomes)[found]
    shown = np.full(len(p), np.nan)
    shown[where] = outcomes["shown_rank"].to_numpy(dtype=np.float64, na_value=np.nan)[found]
    frame = pd.DataFrame(
        {
            "park_id": park_ids[p],
            "enterprise_id": ent_ids[e],
            "outcome": outcome,
            "date": spread("date", np.datetime64("NaT"), "datetime64[ns]"),
            "first_contact": spread("first_contact", np.datetime64("NaT"), "datetime64[ns]"),
            "gain": gain,
            "label": (gain >= min_gain).astype(np.int64),
            "eligible": eligible,
            "source": spread("source", None, object),
            "shown_rank": pd.array(shown, dtype="Float64").astype("Int64"),
            "scorer": spread("scorer", None, object),
            "propensity": spread("propensity", np.nan, np.float64),
        }
    )
    if eligible_only:
        frame = frame[frame["eligible"]].reset_index(drop=True)
    return frame


def logged_ranks(matcher: Any, pairs: pd.DataFrame, X: Any = None) -> np.ndarray:
    """Each pair's rank within its park under the matcher's scorer (1 = first).

    This is the ranking that was shown (the *logging* ranking) when the matcher is the one that
    ranked the leads, e.g. ``Matcher()`` for a ledger produced from the default weights.
    Ranks count among the given pairs (usually a park's eligible candidates), ties in row order,
    as the Matcher breaks them.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher.
    pairs : DataFrame
        ``park_id`` and ``enterprise_id`` (e.g. :func:`labelled_pairs`).
    X : array-like, optional
        Their feature matrix when already computed (:func:`pair_features`).

    Returns
    -------
    ndarray of int
    """
    values = pair_features(matcher, pairs) if X is None else X
    score = np.asarray(matcher.scorer_.decision_function(np.asarray(values)), dtype=np.float64)
    codes, _ = pd.factorize(pairs["park_id"].astype(str).to_numpy())
    order = np.lexsort((np.arange(len(score)), -score, codes))
    ranks = np.empty(len(score), dtype=np.int64)
    start = np.searchsorted(codes[order], codes[order], side="left")
    ranks[order] = np.arange(len(score)) - start + 1
    return ranks


# ============================================================================ shared helpers
def _check_input(estimator: BaseEstimator, X: Any) -> np.ndarray:
    """Validate X at predict time; arrays in the fitted column order are fine without names."""
    if X is None:
        raise ConfigError(f"{type(estimator).__name__}：X 不能为空")
    if isinstance(X, pd.DataFrame):
        return np.asarray(validate_data(estimator, X, reset=False))
    with warnings.catch_warnings():
        # the Matcher hands over arrays in feature_names_in_ order (checked at Matcher.fit)
        warnings.filterwarnings("ignore", message=_NO_NAMES, category=UserWarning)
        return np.asarray(validate_data(estimator, X, reset=False))


def _fit_input(
    estimator: BaseEstimator, X: Any, y: Any, feature_names: Sequence[str] | None
) -> tuple[np.ndarray, np.ndarray]:
    name = type(estimator).__name__
    if X is None:
        raise ConfigError(
            f"{name} 需要用结果数据训练：fit(X, y)，X 可由 pair_features 得到；"
            f"请先训练再交给 Matcher(scorer=...)"
        )
    X, y = validate_data(estimator, X, y, reset=True)
    check_classification_targets(y)
    classes = np.unique(y)
    if len(classes) > 2:
        y_type = type_of_target(y, input_name="y")
        raise ValueError(
            f"{name} 只支持二分类（正例/负例），得到 {len(classes)} 个类别。"
            f"Only binary classification is supported. The type of the target is {y_type}."
        )
    if len(classes) < 2:
        raise ValueError(f"{name} 需要正例和负例两个类别，只得到 1 个（got 1 class）")
    if feature_names is not None:
        names = list(feature_names)
        if len(names) != X.shape[1]:
            raise ConfigError(f"feature_names 有 {len(names)} 个，而 X 有 {X.shape[1]} 列")
        estimator.feature_names_in_ = np.asarray(names, dtype=object)
    estimator.classes_ = classes
    return np.asarray(X, dtype=np.float64), np.asarray(y)


def _binary_tags(tags: Any) -> Any:
    tags.classifier_tags.multi_class = False
    return tags


# ============================================================================ LinearScorer
class LinearScorer(ClassifierMixin, BaseEstimator):
    """A linear model learned from outcomes; explained like the default weighted scorer.

    The model is a logistic (or ridge) regression of the 0/1 label on the component values.
    Its score maps the model's log-odds linearly onto 0–100: a pair whose components are all at
    their best scores 100, all at their worst 0. So ``score = baseline + Σ coef_ × scale ×
    value`` — with non-negative coefficients the baseline is 0 and the scorer is a
    :class:`~matcher.WeightedScorer` with weights ``coef_``. The ranking is the model's own
    (the map is increasing).

    Parameters
    ----------
    C : float, default=1.0
        Inverse strength of the L2 penalty (ridge: ``alpha = 1 / C``).
    loss : {"logistic", "ridge"}, default="logistic"
        Logistic regression (with :meth:`predict_proba`) or ridge classification.
    class_weight : dict or "balanced", default=None
        As for scikit-learn's linear models.
    scale : float or None, default=100.0
        Score of the best pair minus the worst; None keeps the raw log-odds
        (``decision_function > 0`` ⇔ class 1, scikit-learn's convention).
    max_iter : int, default=1000
        Solver iterations (logistic).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The labels; the second is the positive one.
    coef_ : ndarray of shape (n_features,)
        Shares of the score per feature (their absolute values sum to 1), or the raw log-odds
        coefficients when ``scale`` is None.
    baseline_ : float
        Score of a pair whose components are all 0 (``baseline`` reads it).
    logit_coef_, logit_intercept_ : ndarray, float
        The fitted model on its own scale.
    threshold_ : float
        The score at which the model's log-odds are 0 (:meth:`predict` says 1 above it).
    estimator_ : LogisticRegression or RidgeClassifier
        The fitted model.
    n_iter_ : int
        Solver iterations (1 for ridge's closed form).
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of str
        Feature names (from a DataFrame's columns or ``feature_names``).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((200, 2)); y = (X[:, 0] + 0.1 * rng.random(200) > 0.55).astype(int)
    >>> s = LinearScorer().fit(X, y, feature_names=["industry", "text"])
    >>> best = (s.coef_ > 0).astype(float)[None, :]  # every helpful component at 1, others 0
    >>> bool(s.coef_[0] > s.coef_[1]), round(float(s.decision_function(best)[0]), 6)
    (True, 100.0)
    """

    def __init__(
        self,
        C: float = 1.0,
        *,
        loss: str = "logistic",
        class_weight: Any = None,
        scale: float | None = 100.0,
        max_iter: int = 1000,
    ):
        self.C = C
        self.loss = loss
        self.class_weight = class_weight
        self.scale = scale
        self.max_iter = max_iter

    def __sklearn_tags__(self) -> Any:
        """Binary only."""
        return _binary_tags(super().__sklearn_tags__())

    def fit(
        self,
        X: Any = None,
        y: Any = None,
        *,
        feature_names: Sequence[str] | None = None,
        sample_weight: Any = None,
    ) -> LinearScorer:
        """Fit the model to component values ``X`` (n, F) and 0/1 labels ``y``.

        ``feature_names`` name the columns of an array ``X`` (a DataFrame brings its own); they
        must be the matcher's families for ``Matcher(scorer=...)``.
        """
        if self.loss not in ("logistic", "ridge"):
            raise ConfigError(f"loss 应为 logistic 或 ridge，得到 {self.loss!r}")
        if not self.C > 0:
            raise ConfigError(f"C 应为正数，得到 {self.C!r}")
        X, y = _fit_input(self, X, y, feature_names)
        estimator: LogisticRegression | RidgeClassifier
        if self.loss == "logistic":
            estimator = LogisticRegression(
                C=self.C, class_weight=self.class_weight, max_iter=self.max_iter
            )
        else:
            estimator = RidgeClassifier(alpha=1.0 / self.C, class_weight=self.class_weight)
        estimator.fit(X, y, sample_weight=sample_weight)
        w = np.asarray(estimator.coef_, dtype=np.float64).ravel()
        b = float(np.ravel(estimator.intercept_)[0])
        self.estimator_ = estimator
        self.n_iter_ = int(np.max(estimator.n_iter_)) if self.loss == "logistic" else 1
        self.logit_coef_ = w
        self.logit_intercept_ = b
        total = float(np.abs(w).sum())
        if self.scale is None:
            self.coef_ = w
            self.baseline_ = b
            self.threshold_ = 0.0
        elif total == 0:  # no signal: every pair scores the middle
            self.coef_ = np.zeros_like(w)
            self.baseline_ = self.scale / 2.0
            self.threshold_ = self.baseline_ if b == 0 else (-math.inf if b > 0 else math.inf)
        else:
            self.coef_ = w / total
            self.baseline_ = -float(self.scale) * float(np.minimum(self.coef_, 0).sum())
            self.threshold_ = self.baseline_ - float(self.scale) * b / total
        return self

    @property
    def baseline(self) -> float:
        """Score of a pair whose components are all 0 (the scorer protocol's ``baseline``)."""
        self._check_fitted()
        return float(self.baseline_)

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise _NotFittedError("LinearScorer 尚未 fit：请先用结果数据训练 fit(X, y)")

    def _factor(self) -> float:
        return 1.0 if self.scale is None else float(self.scale)

    def contributions(self, X: Any, coef: np.ndarray | None = None) -> np.ndarray:
        """Per-feature contributions (n, F): ``scale × coef_ × X``; they sum to the score
        minus ``baseline``. ``coef`` (F,) or (n, F) overrides ``coef_``."""
        self._check_fitted()
        values = _check_input(self, X)
        coef = self.coef_ if coef is None else np.asarray(coef, dtype=np.float64)
        return values * (self._factor() * coef)

    def decision_function(self, X: Any, coef: np.ndarray | None = None) -> np.ndarray:
        """Scores: ``baseline + contributions(X).sum(axis=1)`` (0–100 on [0, 1] values)."""
        return self.baseline + self.contributions(X, coef).sum(axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """The label the model favours (positive where its log-odds exceed 0)."""
        self._check_fitted()
        logit = self.estimator_.decision_function(_check_input(self, X))
        return np.asarray(self.classes_[(np.ravel(logit) > 0).astype(int)])

    def _has_proba(self) -> bool:
        return self.loss == "logistic"

    @available_if(_has_proba)
    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of the two classes (logistic loss only)."""
        self._check_fitted()
        return np.asarray(self.estimator_.predict_proba(_check_input(self, X)))


# ============================================================================ GBScorer
class GBScorer(ClassifierMixin, BaseEstimator):
    """Histogram gradient boosting learned from outcomes, explained by exact Shapley values.

    The score is ``scale × P(label = 1)``. :meth:`contributions` splits a pair's score among
    the features with exact interventional Shapley values against ``background_`` (a sample of
    training rows), so ``baseline + Σ contributions == score`` for every row. The cost grows
    with ``2 ** n_features × n_background`` predictions per row: cheap for the five families
    and a ranking page (the Matcher asks only for the rows it shows; ranking uses
    :meth:`decision_function`).

    Parameters
    ----------
    learning_rate, max_iter, max_leaf_nodes, min_samples_leaf, l2_regularization
        As for :class:`~sklearn.ensemble.HistGradientBoostingClassifier`.
    monotonic_cst : array-like of int, default=None
        Per-feature monotonic constraints (1: the score may only rise with the value).
    class_weight : dict or "balanced", default=None
        Class weights.
    n_background : int, default=64
        Training rows sampled as the Shapley background (the baseline is their mean score).
    scale : float or None, default=100.0
        Score of a certain positive; None gives the raw log-odds (``decision_function > 0`` ⇔
        class 1).
    n_threads : int or None, default=1
        OpenMP threads for fitting and predicting; None uses every core. One thread is the
        fast choice for the small batches of a ranking page and on a busy machine.
    random_state : int or None, default=None
        Seed for the boosting's validation split and the background sample.

    Attributes
    ----------
    classes_, n_features_in_, feature_names_in_
        As for :class:`LinearScorer`.
    estimator_ : HistGradientBoostingClassifier
        The fitted model.
    n_iter_ : int
        Boosting iterations run.
    background_ : ndarray of shape (n_background, n_features)
        Reference rows of the Shapley values.
    baseline_ : float
        Mean score of ``background_``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((300, 3)); y = (X[:, 0] * X[:, 1] > 0.25).astype(int)
    >>> s = GBScorer(random_state=0).fit(X, y)
    >>> c = s.contributions(X[:4])
    >>> bool(np.allclose(s.baseline + c.sum(axis=1), s.decision_function(X[:4])))
    True
    """

    #: Most features :meth:`contributions` decomposes exactly (2 ** n coalitions).
    max_exact_features = 12

    def __init__(
        self,
        learning_rate: float = 0.1,
        max_iter: int = 100,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 20,
        l2_regularization: float = 1.0,
        *,
        monotonic_cst: Any = None,
        class_weight: Any = None,
        n_background: int = 64,
        scale: float | None = 100.0,
        n_threads: int | None = 1,
        random_state: int | None = None,
    ):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.monotonic_cst = monotonic_cst
        self.class_weight = class_weight
        self.n_background = n_background
        self.scale = scale
        self.n_threads = n_threads
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        """Binary only."""
        return _binary_tags(super().__sklearn_tags__())

    def fit(
        self,
        X: Any = None,
        y: Any = None,
        *,
        feature_names: Sequence[str] | None = None,
        sample_weight: Any = None,
    ) -> GBScorer:
        """Fit the boosting to component values ``X`` and 0/1 labels ``y``."""
        if not (isinstance(self.n_background, int | np.integer) and self.n_background >= 1):
            raise ConfigError(f"n_background 应为正整数，得到 {self.n_background!r}")
        X, y = _fit_input(self, X, y, feature_names)
        estimator = HistGradientBoostingClassifier(
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            monotonic_cst=self.monotonic_cst,
            class_weight=self.class_weight,
            random_state=self.random_state,
        )
        with self._threads():
            estimator.fit(X, y, sample_weight=sample_weight)
        self.estimator_ = estimator
        self.n_iter_ = int(estimator.n_iter_)
        rng = check_random_state(self.random_state)
        take = rng.choice(len(X), size=min(self.n_background, len(X)), replace=False)
        self.background_ = X[np.sort(take)]
        self.baseline_ = float(self._score(self.background_).mean())
        return self

    @property
    def baseline(self) -> float:
        """Mean score of the background rows (the scorer protocol's ``baseline``)."""
        self._check_fitted()
        return float(self.baseline_)

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            raise _NotFittedError("GBScorer 尚未 fit：请先用结果数据训练 fit(X, y)")

    def _threads(self) -> AbstractContextManager[Any]:
        if self.n_threads is None:
            return nullcontext()
        return threadpool_limits(limits=int(self.n_threads), user_api="openmp")

    def _score(self, values: np.ndarray) -> np.ndarray:
        with self._threads():
            if self.scale is None:
                return np.asarray(self.estimator_.decision_function(values), dtype=np.float64)
            proba = self.estimator_.predict_proba(values)[:, 1]
        return float(self.scale) * np.asarray(proba, dtype=np.float64)

    def decision_function(self, X: Any, coef: np.ndarray | None = None) -> np.ndarray:
        """Scores: ``scale × P(label = 1)`` (raw log-odds when ``scale`` is None).

        ``coef`` is part of the scorer protocol; a boosted model has no per-feature weights to
        override, so it must be None.
        """
        self._check_fitted()
        if coef is not None:
            raise ConfigError("GBScorer 没有可覆盖的维度权重（weights 只适用于加权评分器）")
        return self._score(_check_input(self, X))

    def contributions(
        self, X: Any, coef: np.ndarray | None = None, *, chunk_rows: int = 2**18
    ) -> np.ndarray:
        """Exact interventional Shapley values (n, F); ``baseline + row sum == score``.

        Parameters
        ----------
        X : array-like of shape (n, F)
            Component values.
        coef : None
            Part of the scorer protocol; must be None.
        chunk_rows : int, default=2**18
            Most model rows predicted at once (bounds memory).
        """
        self._check_fitted()
        if coef is not None:
            raise ConfigError("GBScorer 没有可覆盖的维度权重（weights 只适用于加权评分器）")
        values = _check_input(self, X)
        n, F = values.shape
        if F > self.max_exact_features:
            raise ConfigError(
                f"精确 Shapley 分解最多支持 {self.max_exact_features} 个特征，得到 {F} 个"
            )
        background = self.background_
        nb = len(background)
        masks = np.arange(2**F)
        member = ((masks[:, None] >> np.arange(F)) & 1).astype(bool)  # (M, F)
        M = len(masks)
        V = np.empty((M, n))
        step = max(1, chunk_rows // (M * nb))
        with self._threads():
            for start in range(0, n, step):
                x = values[start : start + step]  # (c, F)
                c = len(x)
                z = np.where(member[:, None, None, :], x[None, :, None, :], background[None, None])
                scores = self._score(z.reshape(-1, F)).reshape(M, c, nb)
                V[:, start : start + c] = scores.mean(axis=2)
        V[-1] = self._score(values)  # all features the pair's own: the score itself
        V[0] = self.baseline_  # none: the background's mean
        size = member.sum(axis=1)
        fact = [math.factorial(i) for i in range(F + 1)]
        weight = np.array([fact[s] * fact[F - s - 1] / fact[F] if s < F else 0.0 for s in size])
        phi = np.empty((n, F))
        for j in range(F):
            without = masks[~member[:, j]]
            phi[:, j] = weight[without] @ (V[without | (1 << j)] - V[without])
        return phi

    def predict(self, X: Any) -> np.ndarray:
        """The more probable label."""
        self._check_fitted()
        values = _check_input(self, X)
        with self._threads():
            return np.asarray(self.estimator_.predict(values))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of the two classes."""
        self._check_fitted()
        values = _check_input(self, X)
        with self._threads():
            return np.asarray(self.estimator_.predict_proba(values))


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
        Row weights (pointwise only).
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
    if objective == "pointwise":
        sw = np.ones(len(target)) if sample_weight is None else np.asarray(sample_weight, float)
        if len(np.unique(target > 0)) < 2:
            raise ConfigError("结果数据只有一类（全为正例或全为负例），无法拟合权重")
        w = _logistic_nonneg(values, (target > 0).astype(float), sw, alpha=alpha, intercept=True)
    else:
        if groups is None:
            raise ConfigError("objective='pairwise' 需要 groups（每行所属园区）")
        diffs = _pair_differences(values, target, np.asarray(groups), max_pairs, random_state)
        if len(diffs) == 0:
            raise ConfigError("没有可比较的线索对：每个园区至少需要一条进展更好的线索")
        ones = np.ones(len(diffs))
        w = _logistic_nonneg(diffs, ones, ones, alpha=alpha, intercept=False)
    total = float(w.sum())
    if not total > 1e-12:
        raise ConfigError("结果数据中没有支持任何维度的信号：拟合出的权重全为 0")
    return {name: float(v / total) for name, v in zip(names, w, strict=True)}


def _pair_differences(
    X: np.ndarray, gain: np.ndarray, groups: np.ndarray, max_pairs: int, random_state: Any
) -> np.ndarray:
    """Rows ``X[better] - X[worse]`` for sampled pairs of the same group with different gains."""
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
        return np.zeros((0, X.shape[1]))
    share = min(1.0, max_pairs / total)
    out = []
    for (better, worse), count in zip(blocks, counts, strict=True):
        k = max(1, round(count * share))
        if k >= count:
            b, w = np.repeat(better, len(worse)), np.tile(worse, len(better))
        else:
            b, w = rng.choice(better, k), rng.choice(worse, k)
        out.append(X[b] - X[w])
    return np.vstack(out)


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
    feature_names: Sequence[str] | None = None,
    min_gain: int = 1,
    min_propensity: float = MIN_TRAINING_PROPENSITY,
    random_state: int | None = 0,
) -> Any:
    """A scorer learned from the leads contacted from rankings, corrected for position bias.

    Trained only on the pairs contacted from a ranking, whose outcome is known, each weighted by
    ``1 / π`` (its contact propensity, :func:`~matcher.counterfactual.contact_propensity`,
    floored at ``min_propensity``): the weighted sample stands for every candidate the rankings
    could have shown, not just the top of the default ranking. Pairs never contacted are *not*
    negatives (nobody knows their outcome), which is what keeps the default ranking's choices
    out of the labels.

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
        weighted scorer (:func:`fit_weights`, pointwise), returned as a
        :class:`~matcher.WeightedScorer`.
    feature_names : sequence of str, default=None
        Names of the columns of an array ``X``.
    min_gain : int, default=1
        The positive label's least gain.
    min_propensity : float, default=0.02
        Floor of the propensity an IPS weight divides by (bounds the weights' variance).
    random_state : int or None, default=0
        Unused by the linear models; kept for a uniform signature.

    Returns
    -------
    LinearScorer or WeightedScorer
        Fitted; ``n_training_`` (contacted pairs used) is set on it.

    Raises
    ------
    ConfigError
        Too few contacted pairs, or only one kind of outcome among them.

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
    names = list(X.columns) if isinstance(X, pd.DataFrame) else feature_names
    values = np.asarray(X, dtype=np.float64)
    c = np.asarray(clicked, dtype=bool)
    g = np.asarray(gain, dtype=np.float64)
    pi = np.maximum(np.asarray(propensity, dtype=np.float64), min_propensity)
    if c.sum() < 10:
        raise ConfigError(
            f"来自排名推荐的已跟进线索只有 {int(c.sum())} 条，至少需要 10 条才能纠偏训练"
        )
    y = (g[c] >= min_gain).astype(int)
    if len(np.unique(y)) < 2:
        raise ConfigError("来自排名推荐的已跟进线索结果只有一类（全部进展或全部未进展），无法训练")
    weight = 1.0 / pi[c]
    weight = weight / weight.mean()
    scorer: Any
    if kind == "logistic":
        scorer = LinearScorer().fit(values[c], y, feature_names=names, sample_weight=weight)
    else:
        from .scoring import WeightedScorer

        fitted = fit_weights(
            values[c], y, objective="pointwise", feature_names=names, sample_weight=weight
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
        How to get the examination curve (:func:`~matcher.counterfactual.estimate_examination`
        method) or the curve itself.
    min_propensity : float, default=0.02
        As for :func:`fit_ips`.

    Returns
    -------
    LinearScorer or WeightedScorer
        With ``examination_`` (the curve used) set.
    """
    from .counterfactual import Examination, contact_propensity

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
        X, pairs["gain"], contacts["clicked"], pi, kind=kind, min_propensity=min_propensity
    )
    scorer.examination_ = exam
    return scorer


def examination_of(pairs: pd.DataFrame, contacts: pd.DataFrame, *, method: str = "auto") -> Any:
    """The examination curve of a ledger (:func:`~matcher.counterfactual.estimate_examination`).

    Exploration contacts give the shuffled positions and their depth (``1 / propensity``).
    """
    from .counterfactual import estimate_examination

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
