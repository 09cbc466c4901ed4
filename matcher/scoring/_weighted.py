"""Scorers: score = baseline + Σ contributions, one contribution per feature family.

:class:`WeightedScorer` is the transparent default: each family's value (neutral where unknown)
times its weight, on a 0–100 scale. It follows the scikit-learn estimator contract (``__init__``
only stores, ``fit`` resolves, fitted state ends in ``_``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator

from ..exceptions import ConfigError, NotFittedError
from ..features import DEFAULT_FAMILY_NAMES, default_families

__all__ = ["DEFAULT_WEIGHTS", "WeightedScorer", "parse_weights", "resolve_weights"]

#: Default weight of each default family (normalised to sum to 1, so scores run 0–100).
DEFAULT_WEIGHTS: dict[str, float] = {f.name: f.default_weight for f in default_families()}


def parse_weights(text: str | None) -> dict[str, float] | None:
    """Parse weights written as text, ``industry=0.5,text=0.3`` (``:`` and ``，`` too).

    Returns None when there is nothing to parse. Names and values are checked against the
    families when the weights are used (:func:`resolve_weights`).

    >>> parse_weights("industry=0.5，text: 0.3")
    {'industry': 0.5, 'text': 0.3}

    Raises
    ------
    ConfigError
        An item without ``=`` or with a value that is not a number.
    """
    if text is None or not text.strip():
        return None
    out: dict[str, float] = {}
    for part in text.replace("，", ",").split(","):
        if not part.strip():
            continue
        name, sep, value = part.replace(":", "=").partition("=")
        if not sep:
            raise ConfigError(
                f"权重应写作 名称=数值，用逗号分隔（如 industry=0.5,text=0.3），得到 {part!r}"
            )
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise ConfigError(f"权重「{name.strip()}」应为数字，得到 {value.strip()!r}") from None
    return out or None


def resolve_weights(
    *layers: Mapping[str, float] | None,
    families: Sequence[str] = DEFAULT_FAMILY_NAMES,
    defaults: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Merge weight layers (later ones win) over the defaults; return them normalised to sum 1.

    >>> resolve_weights({"industry": 1.0, "text": 1.0, "capacity": 0, "quality": 0, "location": 0})
    array([0.5, 0.5, 0. , 0. , 0. ])
    """
    base = DEFAULT_WEIGHTS if defaults is None else defaults
    merged = {f: float(base.get(f, 0.0)) for f in families}
    for layer in layers:
        if not layer:
            continue
        for name, value in layer.items():
            if name not in merged:
                known = "、".join(families)
                raise ConfigError(f"未知的评分维度「{name}」（可选：{known}）")
            try:
                weight = float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"权重「{name}」应为数字，得到 {value!r}") from None
            if not np.isfinite(weight) or weight < 0:
                raise ConfigError(f"权重「{name}」应为不小于 0 的数字，得到 {value!r}")
            merged[name] = weight
    vector = np.array([merged[f] for f in families], dtype=np.float64)
    total = vector.sum()
    if total <= 0:
        raise ConfigError("权重之和必须大于 0")
    return vector / total


class WeightedScorer(BaseEstimator):
    """Score = baseline + Σ scale × weight × component.

    Parameters
    ----------
    weights : dict of str to float, default=None
        Weight per feature family; missing families keep ``DEFAULT_WEIGHTS``. Weights are
        normalised to sum to 1.
    baseline : float, default=0.0
        Score of a pair whose every component is 0.
    scale : float, default=100.0
        Score of a pair whose every component is 1, minus the baseline.
    defaults : dict of str to float, default=None
        Weights of families missing from ``weights``; None uses ``DEFAULT_WEIGHTS`` (a
        ``Matcher`` passes its families' ``default_weight``).

    Examples
    --------
    >>> import numpy as np
    >>> scorer = WeightedScorer().fit()
    >>> float(scorer.decision_function(np.ones((1, 5)))[0])
    100.0
    """

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        *,
        baseline: float = 0.0,
        scale: float = 100.0,
        defaults: Mapping[str, float] | None = None,
    ):
        self.weights = weights
        self.baseline = baseline
        self.scale = scale
        self.defaults = defaults

    def fit(
        self,
        X: object = None,
        y: object = None,
        *,
        feature_names: Sequence[str] = DEFAULT_FAMILY_NAMES,
    ) -> WeightedScorer:
        """Resolve the weights against ``feature_names``; nothing is learned from ``X``."""
        self.feature_names_in_ = np.asarray(list(feature_names), dtype=object)
        self.weights_ = resolve_weights(
            self.weights, families=list(feature_names), defaults=self.defaults
        )
        self.coef_ = self.weights_ * self.scale
        self.n_features_in_ = len(self.coef_)
        return self

    def coef_for(self, *overrides: Mapping[str, float] | None) -> np.ndarray:
        """Coefficients with extra weight layers (per park, per call) on top of ``weights``."""
        self._check_fitted()
        if not any(overrides):
            return np.asarray(self.coef_)
        names = list(self.feature_names_in_)
        weights = resolve_weights(self.weights, *overrides, families=names, defaults=self.defaults)
        return weights * self.scale

    def contributions(self, X: np.ndarray, coef: np.ndarray | None = None) -> np.ndarray:
        """Per-family contributions (n, F); ``coef`` may be (F,) or one row per pair (n, F)."""
        self._check_fitted()
        coef = self.coef_ if coef is None else coef
        return np.asarray(X, dtype=np.float64) * coef

    def decision_function(self, X: np.ndarray, coef: np.ndarray | None = None) -> np.ndarray:
        """Scores: ``baseline + contributions(X).sum(axis=1)``.

        Summed column by column in a fixed order (not BLAS), so a row's score is the same to the
        last bit however rows are batched (chunks, Dask partitions, one page).
        """
        self._check_fitted()
        X = np.asarray(X)
        coef = np.asarray(self.coef_ if coef is None else coef, dtype=np.float64)
        score = np.full(X.shape[0], float(self.baseline), dtype=np.float64)
        for j in range(X.shape[1]):
            score += X[:, j].astype(np.float64) * (coef[j] if coef.ndim == 1 else coef[:, j])
        return score

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("WeightedScorer 尚未 fit")
