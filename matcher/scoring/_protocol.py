"""What a scorer is: :class:`Scorer`, :class:`Reweightable`, and the checks every one passes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["Reweightable", "Scorer", "check_scorer"]


@runtime_checkable
class Scorer(Protocol):
    """Turns component values into contributions and a score, one contribution per family.

    ``decision_function(X, coef) == baseline + contributions(X, coef).sum(axis=1)`` for every
    row, so an explanation is the scorer's own arithmetic. ``coef`` is the per-family weight
    vector (F,) or one row per pair (n, F) for scorers that take weights (:class:`Reweightable`),
    and must be None for the others. Every scorer of this package is one
    (:class:`~matcher.scoring.WeightedScorer`, :class:`~matcher.scoring.ReciprocalScorer`,
    :class:`~matcher.scoring.LinearScorer`, :class:`~matcher.scoring.GBScorer`); a scorer of
    your own is one when it has these members, and :func:`check_scorer` tells whether it keeps
    the promise.
    """

    @property
    def baseline(self) -> float:
        """The score of a pair whose contributions are all 0."""

    def fit(self, X: Any = None, y: Any = None, **kwargs: Any) -> Any:
        """Fit (or only resolve) the scorer; ``feature_names=`` names the families."""

    def contributions(self, X: Any, coef: np.ndarray | None = None) -> np.ndarray:
        """Per-family contributions (n, F)."""

    def decision_function(self, X: Any, coef: np.ndarray | None = None) -> np.ndarray:
        """Scores (n,): baseline plus the row sums of the contributions."""


@runtime_checkable
class Reweightable(Protocol):
    """A scorer whose family weights can be overridden per park and per call."""

    def coef_for(self, *overrides: Mapping[str, float] | None) -> np.ndarray:
        """Coefficients (F,) with weight layers (later ones win) over the scorer's own."""


def check_scorer(scorer: Any, X: np.ndarray | None = None, *, random_state: int = 0) -> None:
    """Check that a *fitted* scorer keeps the :class:`Scorer` promise; raise AssertionError.

    On ``X`` (default: 64 random rows of component values in [0, 1], a few of them all 0 or
    all 1): the shapes of the outputs, finite values, ``decision_function == baseline + row
    sums of contributions`` (to 1e-9 relative), each row's score the same whether it is scored
    alone or with the others, and for a :class:`Reweightable` scorer the same with its own
    coefficients passed explicitly, and with one coefficient row per pair.

    Parameters
    ----------
    scorer : Scorer
        A fitted scorer with ``feature_names_in_`` or ``n_features_in_``.
    X : ndarray of shape (n, F), default=None
        Component values to check on.
    random_state : int, default=0
        Seed of the random rows.

    Examples
    --------
    >>> from matcher.scoring import WeightedScorer
    >>> check_scorer(WeightedScorer().fit())
    """
    assert isinstance(scorer, Scorer), f"{type(scorer).__name__} 不满足 Scorer 协议"
    names = getattr(scorer, "feature_names_in_", None)
    n_features = len(names) if names is not None else int(getattr(scorer, "n_features_in_", 0))
    if X is None:
        rng = np.random.default_rng(random_state)
        X = rng.random((64, n_features))
        X[0], X[1] = 0.0, 1.0
    X = np.asarray(X, dtype=np.float64)
    n = len(X)
    contrib = np.asarray(scorer.contributions(X))
    score = np.asarray(scorer.decision_function(X))
    assert contrib.shape == (n, n_features), f"contributions: {contrib.shape}"
    assert score.shape == (n,), f"decision_function: {score.shape}"
    assert np.isfinite(contrib).all() and np.isfinite(score).all(), "非有限值"
    baseline = float(scorer.baseline)
    np.testing.assert_allclose(
        baseline + contrib.sum(axis=1), score, rtol=1e-9, atol=1e-9, err_msg="贡献之和不等于得分"
    )
    alone = np.array([scorer.decision_function(X[i : i + 1])[0] for i in range(min(n, 8))])
    np.testing.assert_allclose(alone, score[: len(alone)], rtol=1e-12, atol=1e-9)
    if isinstance(scorer, Reweightable):
        coef = np.asarray(scorer.coef_for())
        assert coef.shape == (n_features,), f"coef_for: {coef.shape}"
        np.testing.assert_allclose(scorer.decision_function(X, coef), score, rtol=1e-12)
        rows = np.tile(coef, (n, 1))
        np.testing.assert_allclose(scorer.contributions(X, rows), contrib, rtol=1e-12)
        np.testing.assert_allclose(
            baseline + np.asarray(scorer.contributions(X, rows)).sum(axis=1),
            scorer.decision_function(X, rows),
            rtol=1e-9,
            atol=1e-9,
        )
