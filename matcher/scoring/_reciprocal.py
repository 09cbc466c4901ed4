"""Two-sided fit: a reciprocal scorer that combines the park's side and the enterprise's side.

The park-side score is the weighted mean of the park-side families (industry, text, capacity,
quality, location, chain …) and the enterprise-side score the weighted mean of the
enterprise-side ones (``preference``), each on 0–100. They are combined by a mean that punishes
lopsided pairs — harmonic by default, or geometric, min or arithmetic — so that a pair the park
loves but the enterprise would not move for ranks below a pair both sides like.

Contributions still sum to the score: with side weights ``λ_park, λ_ent`` such that
``score = λ_park × S_park + λ_ent × S_ent`` (harmonic: ``λ_park = S_ent / (S_park + S_ent)``;
geometric: ``λ_park = ½ √(S_ent / S_park)``; min: all weight on the weaker side; arithmetic:
½ each), each family contributes ``λ_side × 100 × w × value / Σ w_side``.

>>> import numpy as np
>>> scorer = ReciprocalScorer().fit(feature_names=["industry", "preference"])
>>> X = np.array([[0.8, 0.2], [0.5, 0.5]])   # same arithmetic mean, one lopsided
>>> scorer.decision_function(X).round(1).tolist()
[32.0, 50.0]
>>> bool(np.allclose(scorer.contributions(X).sum(axis=1), scorer.decision_function(X)))
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from sklearn.base import BaseEstimator

from ..exceptions import ConfigError, NotFittedError
from ..features import default_families
from ._weighted import resolve_weights

if TYPE_CHECKING:
    pass

__all__ = ["MEANS", "MEAN_LABELS", "ReciprocalScorer", "side_weights"]

#: The means a :class:`ReciprocalScorer` can combine the two sides with.
MEANS = ("harmonic", "geometric", "min", "arithmetic")
#: Chinese name of each mean.
MEAN_LABELS = {
    "harmonic": "调和平均",
    "geometric": "几何平均",
    "min": "取较低一方",
    "arithmetic": "算术平均",
}


def _known_defaults() -> dict[str, float]:
    from ..features.chain import ChainFeature
    from ..features.preference import PreferenceFeature

    families = [*default_families(), ChainFeature(), PreferenceFeature()]
    return {f.name: f.default_weight for f in families}


def side_weights(s_park: np.ndarray, s_ent: np.ndarray, mean: str) -> tuple[np.ndarray, np.ndarray]:
    """``λ_park, λ_ent`` with ``mean(S_park, S_ent) == λ_park S_park + λ_ent S_ent``.

    >>> lp, le = side_weights(np.array([80.0]), np.array([20.0]), "harmonic")
    >>> float(lp[0] * 80 + le[0] * 20)
    32.0
    """
    a = np.asarray(s_park, dtype=np.float64)
    b = np.asarray(s_ent, dtype=np.float64)
    if mean == "arithmetic":
        return np.full_like(a, 0.5), np.full_like(b, 0.5)
    if mean == "harmonic":
        total = a + b
        safe = np.where(total > 0, total, 1.0)
        return np.where(total > 0, b / safe, 0.5), np.where(total > 0, a / safe, 0.5)
    if mean == "geometric":
        both = (a > 0) & (b > 0)
        sa, sb = np.where(both, a, 1.0), np.where(both, b, 1.0)
        return (
            np.where(both, 0.5 * np.sqrt(sb / sa), 0.0),
            np.where(both, 0.5 * np.sqrt(sa / sb), 0.0),
        )
    if mean == "min":
        lp = np.where(a < b, 1.0, np.where(a > b, 0.0, 0.5))
        return lp, 1.0 - lp
    raise ConfigError(f"mean 应为 {'/'.join(MEANS)} 之一，得到 {mean!r}")


class ReciprocalScorer(BaseEstimator):
    """Score = mean(park-side score, enterprise-side score), harmonic by default.

    Follows the scorer protocol of :class:`~matcher.Matcher` (``fit(feature_names=...)``,
    ``contributions``, ``decision_function``, ``baseline``, ``coef_for``): use it with
    ``Matcher(families=[*default_families(), ChainFeature(), PreferenceFeature()],
    scorer=ReciprocalScorer())`` and both ranking directions are two-sided.

    Parameters
    ----------
    weights : dict of str to float, default=None
        Weight per family over the families' default weights; normalised within each side.
    mean : {'harmonic', 'geometric', 'min', 'arithmetic'}, default='harmonic'
        How the two sides are combined.
    enterprise_side : sequence of str, default=('preference',)
        The families that speak for the enterprise; every other family speaks for the park.
    scale : float, default=100.0
        Score of a pair whose every component is 1.
    baseline : float, default=0.0
        Added to every score.
    defaults : dict of str to float, default=None
        Default weights of families missing from ``weights``; None uses the families' own
        ``default_weight`` for the known families.

    Attributes
    ----------
    feature_names_in_ : ndarray of str
    coef_ : ndarray
        ``scale ×`` the weights normalised over all families (per-side normalisation happens in
        :meth:`contributions`).
    enterprise_mask_ : ndarray of bool
        Which features are on the enterprise side.
    """

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        *,
        mean: str = "harmonic",
        enterprise_side: Sequence[str] = ("preference",),
        scale: float = 100.0,
        baseline: float = 0.0,
        defaults: Mapping[str, float] | None = None,
    ):
        self.weights = weights
        self.mean = mean
        self.enterprise_side = enterprise_side
        self.scale = scale
        self.baseline = baseline
        self.defaults = defaults

    def fit(
        self,
        X: object = None,
        y: object = None,
        *,
        feature_names: Sequence[str] = ("industry", "text", "capacity", "quality", "location"),
    ) -> ReciprocalScorer:
        """Resolve weights and sides against ``feature_names``; nothing is learned from ``X``."""
        if self.mean not in MEANS:
            raise ConfigError(f"mean 应为 {'/'.join(MEANS)} 之一，得到 {self.mean!r}")
        names = list(feature_names)
        known = _known_defaults()
        defaults = {**known, **(self.defaults or {})}
        missing = [n for n in names if n not in defaults and n not in (self.weights or {})]
        if missing:
            raise ConfigError(
                f"评分维度 {'、'.join(missing)} 没有默认权重：请在 ReciprocalScorer(weights=...) 中指定"
            )
        side = set(self.enterprise_side)
        unknown = sorted(side - set(names))
        if unknown:
            raise ConfigError(
                f"enterprise_side 中的评分维度 {'、'.join(unknown)} 不在评分维度 {names} 中"
                "（企业视角需要 PreferenceFeature 等企业侧维度）"
            )
        mask = np.array([n in side for n in names], dtype=bool)
        if mask.all() or not mask.any():
            raise ConfigError("园区视角和企业视角都至少需要一个评分维度")
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.enterprise_mask_ = mask
        self.weights_ = resolve_weights(self.weights, families=names, defaults=defaults)
        self._defaults = defaults
        self._check_sides(self.weights_)
        self.coef_ = self.weights_ * self.scale
        self.n_features_in_ = len(names)
        return self

    def _check_sides(self, weights: np.ndarray) -> None:
        w = np.atleast_2d(weights)
        if (w[:, ~self.enterprise_mask_].sum(axis=1) <= 0).any():
            raise ConfigError("园区视角的权重之和必须大于 0")
        if (w[:, self.enterprise_mask_].sum(axis=1) <= 0).any():
            raise ConfigError("企业视角的权重之和必须大于 0")

    def coef_for(self, *overrides: Mapping[str, float] | None) -> np.ndarray:
        """Coefficients with extra weight layers (per park, per call) on top of ``weights``."""
        self._check_fitted()
        if not any(overrides):
            return np.asarray(self.coef_)
        names = list(self.feature_names_in_)
        weights = resolve_weights(self.weights, *overrides, families=names, defaults=self._defaults)
        self._check_sides(weights)
        return weights * self.scale

    def side_scores(
        self, X: np.ndarray, coef: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Park-side and enterprise-side scores (0–``scale``) of each row."""
        self._check_fitted()
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        w = np.broadcast_to(self.coef_ if coef is None else np.asarray(coef), X.shape)
        ent = self.enterprise_mask_
        park = ~ent
        wp = np.where(park, w, 0.0)
        we = np.where(ent, w, 0.0)
        s_park = self.scale * (wp * X).sum(axis=1) / wp.sum(axis=1)
        s_ent = self.scale * (we * X).sum(axis=1) / we.sum(axis=1)
        return s_park, s_ent

    def contributions(self, X: np.ndarray, coef: np.ndarray | None = None) -> np.ndarray:
        """Per-family contributions (n, F) that sum to ``decision_function - baseline``."""
        self._check_fitted()
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        w = np.broadcast_to(self.coef_ if coef is None else np.asarray(coef), X.shape)
        ent = self.enterprise_mask_
        wp = np.where(~ent, w, 0.0)
        we = np.where(ent, w, 0.0)
        s_park, s_ent = self.side_scores(X, coef)
        lp, le = side_weights(s_park, s_ent, self.mean)
        part_park = self.scale * wp * X / wp.sum(axis=1, keepdims=True)
        part_ent = self.scale * we * X / we.sum(axis=1, keepdims=True)
        return lp[:, None] * part_park + le[:, None] * part_ent

    def decision_function(self, X: np.ndarray, coef: np.ndarray | None = None) -> np.ndarray:
        """Scores: ``baseline + contributions(X).sum(axis=1)``."""
        return self.baseline + self.contributions(X, coef).sum(axis=1)

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("ReciprocalScorer 尚未 fit")
