"""Scorers learned from outcomes, explained like the weighted one: score = baseline + Σ contributions.

* :class:`LinearScorer` — logistic (or ridge) regression; contributions are ``coef × value`` on
  a 0–100 scale, exactly like :class:`~matcher.scoring.WeightedScorer`.
* :class:`GBScorer` — histogram gradient boosting; contributions are exact Shapley values over
  the families against a background sample (computed for the rows asked for: the Matcher asks
  only for the page it shows).

Both follow the scikit-learn estimator contract (binary classifiers on the component values);
:mod:`matcher.learning` trains them from a ledger.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import validate_data
from threadpoolctl import threadpool_limits

from ..exceptions import ConfigError, NotFittedError

__all__ = ["GBScorer", "LinearScorer"]

_NO_NAMES = "X does not have valid feature names"


class _NotFittedError(NotFittedError, SklearnNotFittedError):
    """Ours (a ``MatcherError``) and scikit-learn's, so both kinds of caller recognise it."""


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
    :class:`~matcher.scoring.WeightedScorer` with weights ``coef_``. The ranking is the model's own
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
