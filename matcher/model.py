"""``Matcher``: fit the index once, then rank enterprises for a park and parks for an enterprise.

>>> from matcher import Matcher, load_sample
>>> parks, enterprises = load_sample()
>>> m = Matcher().fit(parks, enterprises)
>>> leads = m.rank_enterprises("GY-LZ-AL", k=3)
>>> list(leads.columns[:6])
['rank', 'enterprise_id', 'name', 'score', 'eligible', 'reasons']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import taxonomy
from ._index import CODE_INFERRED, MatchIndex, build_index
from .exceptions import ConfigError, NotFittedError, UnknownIdError
from .features import FeatureFamily, default_families
from .schema import validate_enterprises, validate_parks
from .scoring import WeightedScorer

__all__ = ["Explanation", "Matcher"]


@dataclass
class Explanation:
    """Why a pair scores what it scores: the scorer's own arithmetic.

    ``baseline + sum(contributions.values()) == score``; ``values`` are the components in
    [0, 1] (None where unknown, then the neutral value was used); ``reasons`` are sentences in
    Chinese, the eligibility verdict first.
    """

    park_id: str
    enterprise_id: str
    score: float
    eligible: bool
    baseline: float
    contributions: dict[str, float]
    values: dict[str, float | None]
    weights: dict[str, float]
    reasons: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per family: value, weight, contribution."""
        return pd.DataFrame(
            {
                "family": list(self.contributions),
                "value": [self.values[f] for f in self.contributions],
                "weight": [self.weights[f] for f in self.contributions],
                "contribution": list(self.contributions.values()),
            }
        )

    def __str__(self) -> str:
        head = f"{self.park_id} × {self.enterprise_id}: {self.score:.1f} 分"
        if not self.eligible:
            head += "（不符合入驻条件）"
        return "\n".join([head, *(f"  - {r}" for r in self.reasons)])


class Matcher:
    """Scores the fit between parks and enterprises and ranks them both ways.

    Parameters
    ----------
    weights : dict of str to float, default=None
        Weight per feature family over ``DEFAULT_WEIGHTS`` (normalised to sum to 1).
    park_weights : dict of str to dict, default=None
        Per-park weight overrides, ``{park_id: {family: weight}}``; they win over ``weights``
        and over ``weight_<family>`` columns of the parks table.
    families : list of FeatureFamily, default=None
        The feature families; None uses the five defaults (industry, text, capacity, quality,
        location).

    Attributes
    ----------
    index_ : MatchIndex
        The fitted arrays.
    scorer_ : WeightedScorer
        The fitted scorer.
    feature_names_ : list of str
        The family names, in output order.
    """

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        *,
        park_weights: Mapping[str, Mapping[str, float]] | None = None,
        families: Sequence[FeatureFamily] | None = None,
    ):
        self.weights = weights
        self.park_weights = park_weights
        self.families = families

    # ------------------------------------------------------------------ fit
    def fit(self, parks: pd.DataFrame, enterprises: pd.DataFrame) -> Matcher:
        """Validate (if needed) and index the parks and enterprises.

        Frames from :func:`load_parks` / :func:`load_enterprises` are used as they are; raw
        frames are validated first (raising :class:`SchemaError`).
        """
        if parks.attrs.get("parkmatch_schema") != "parks":
            parks = validate_parks(parks)
        if enterprises.attrs.get("parkmatch_schema") != "enterprises":
            enterprises = validate_enterprises(enterprises)
        self.families_ = list(self.families) if self.families is not None else default_families()
        self.feature_names_ = [f.name for f in self.families_]
        self.scorer_ = WeightedScorer(self.weights).fit(feature_names=self.feature_names_)
        self._neutral = np.array([f.neutral for f in self.families_], dtype=np.float32)
        if self.park_weights:
            unknown = [p for p in self.park_weights if p not in set(parks["park_id"])]
            if unknown:
                raise UnknownIdError("park", unknown[0])
            for layer in self.park_weights.values():
                self.scorer_.coef_for(layer)  # validates names and values now, not mid-ranking
        self.index_: MatchIndex = build_index(parks, enterprises)
        self.parks_ = parks.reset_index(drop=True)
        self.enterprises_ = enterprises.reset_index(drop=True)
        return self

    # ------------------------------------------------------------------ helpers
    def _check_fitted(self) -> MatchIndex:
        if not hasattr(self, "index_"):
            raise NotFittedError("Matcher 尚未 fit：请先调用 Matcher().fit(parks, enterprises)")
        return self.index_

    def _park_row(self, park_id: str) -> int:
        index = self._check_fitted()
        try:
            return index.parks.position[str(park_id)]
        except KeyError:
            raise UnknownIdError("park", park_id) from None

    def _enterprise_row(self, enterprise_id: str) -> int:
        index = self._check_fitted()
        try:
            return index.enterprises.position[str(enterprise_id)]
        except KeyError:
            raise UnknownIdError("enterprise", enterprise_id) from None

    def _coef(self, park: int, weights: Mapping[str, float] | None) -> np.ndarray:
        P = self.index_.parks
        per_park = (self.park_weights or {}).get(str(P.ids[park]))
        return self.scorer_.coef_for(P.weights[park], per_park, weights)

    def component_values(
        self, parks: np.ndarray, ents: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw component values (n, F) with NaN for unknown, and the neutral-filled values."""
        index = self._check_fitted()
        raw = np.column_stack([f.compute(index, parks, ents) for f in self.families_])
        filled = np.where(np.isnan(raw), self._neutral, raw).astype(np.float32)
        return raw, filled

    def eligibility(self, parks: np.ndarray, ents: np.ndarray) -> np.ndarray:
        """Hard constraints: an excluded (declared) industry or a space need over the free space."""
        index = self._check_fitted()
        from .features import broadcast_pairs

        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        ok = ~(E.space[e] > P.available[p])  # NaN compares False: unknown never excludes
        if len(p) and np.all(p == p[0]):
            ok &= ~P.excl_hit[p[0]][E.declared_leaf[e]]
        else:
            ok &= ~P.excl_hit[p, E.declared_leaf[e]]
        return ok

    def _eligibility_reasons(self, park: int, ent: int) -> list[str]:
        E, P = self.index_.enterprises, self.index_.parks
        out = []
        checks = [(E.declared[ent], False)]
        if E.code_source[ent] == CODE_INFERRED:
            checks.append((E.code[ent], True))
        for code, inferred in checks:
            if code is None:
                continue
            for excluded in P.excluded[park]:
                if taxonomy.code_similarity(code, excluded)[0] >= 1.0:
                    name = f"「{excluded} {taxonomy.code_name(excluded)}」"
                    if inferred:
                        out.append(f"注意：推断行业可能属于园区禁止入驻行业{name}，请核实")
                    else:
                        out.append(f"不符合入驻条件：所属行业属于园区禁止入驻行业{name}")
                    break
        if E.space[ent] > P.available[park]:
            out.append(
                f"不符合入驻条件：需求面积 {E.space[ent]:,.0f} 平方米超过园区可用面积 "
                f"{P.available[park]:,.0f} 平方米"
            )
        return out

    def _reasons(self, park: int, ent: int, raw: np.ndarray, contrib: np.ndarray) -> list[str]:
        reasons = self._eligibility_reasons(park, ent)
        order = np.argsort(-contrib, kind="stable")
        for j in order:
            fam = self.families_[j]
            reasons.append(f"{fam.label}：{fam.reason(self.index_, park, ent, float(raw[j]))}")
        return reasons

    def _ranked(
        self,
        *,
        parks: np.ndarray,
        ents: np.ndarray,
        coef: np.ndarray,
        k: int | None,
        include_ineligible: bool,
        min_score: float | None,
        candidates: np.ndarray | None,
        other: str,
    ) -> pd.DataFrame:
        from .features import broadcast_pairs

        p, e = broadcast_pairs(parks, ents)
        raw, filled = self.component_values(p, e)
        contrib = self.scorer_.contributions(filled, coef)
        score = self.scorer_.baseline + contrib.sum(axis=1)
        eligible = self.eligibility(p, e)
        keep = np.ones(len(p), dtype=bool) if candidates is None else candidates.copy()
        if not include_ineligible:
            keep &= eligible
        if min_score is not None:
            keep &= score >= min_score
        rows = np.flatnonzero(keep)
        # eligible first, then score descending, then input order (stable, deterministic)
        key = np.where(eligible[rows], 0.0, -1e9) + score[rows]
        if k is not None and k < len(rows):
            if k <= 0:
                rows, key = rows[:0], key[:0]
            else:
                cut = np.argpartition(-key, k - 1)[:k]
                threshold = key[cut].min()
                rows = rows[key >= threshold]  # keep ties, then cut after a stable sort
                key = key[key >= threshold]
        order = np.lexsort((rows, -key))
        rows = rows[order]
        if k is not None:
            rows = rows[: max(k, 0)]
        E, P = self.index_.enterprises, self.index_.parks
        if other == "enterprise":
            ids, names = E.ids[e[rows]], E.names[e[rows]]
        else:
            ids, names = P.ids[p[rows]], P.names[p[rows]]
        out = pd.DataFrame(
            {
                "rank": np.arange(1, len(rows) + 1),
                f"{other}_id": ids.astype(str),
                "name": names.astype(str),
                "score": score[rows],
                "eligible": eligible[rows],
                "reasons": [
                    "；".join(self._reasons(int(p[r]), int(e[r]), raw[r], contrib[r])) for r in rows
                ],
            }
        )
        for j, name in enumerate(self.feature_names_):
            out[name] = contrib[rows, j]
        return out

    # ------------------------------------------------------------------ public
    def rank_enterprises(
        self,
        park_id: str,
        k: int | None = 20,
        *,
        include_ineligible: bool = False,
        weights: Mapping[str, float] | None = None,
        min_score: float | None = None,
        candidates: Sequence[str] | np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Rank enterprises for one park, best first.

        Parameters
        ----------
        park_id : str
            A park of the fitted data.
        k : int or None, default=20
            How many rows to return; None returns all.
        include_ineligible : bool, default=False
            Also return ineligible enterprises, always after the eligible ones.
        weights : dict, default=None
            Weight overrides for this call only.
        min_score : float, default=None
            Drop rows scoring below this.
        candidates : sequence of str or boolean array, default=None
            Restrict the ranking to these enterprise ids (or this mask over the fitted rows).

        Returns
        -------
        DataFrame
            ``rank, enterprise_id, name, score, eligible, reasons`` and one column per family
            with its contribution (they sum to ``score``).
        """
        park = self._park_row(park_id)
        n = len(self.index_.enterprises)
        return self._ranked(
            parks=np.array([park]),
            ents=np.arange(n),
            coef=self._coef(park, weights),
            k=k,
            include_ineligible=include_ineligible,
            min_score=min_score,
            candidates=self._mask(candidates, n, "enterprise"),
            other="enterprise",
        )

    def rank_parks(
        self,
        enterprise_id: str,
        k: int | None = 5,
        *,
        include_ineligible: bool = False,
        weights: Mapping[str, float] | None = None,
        min_score: float | None = None,
        candidates: Sequence[str] | np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Rank parks for one enterprise, best first (mirrors :meth:`rank_enterprises`)."""
        ent = self._enterprise_row(enterprise_id)
        m = len(self.index_.parks)
        coef = np.vstack([self._coef(p, weights) for p in range(m)]) if m else np.zeros((0, 5))
        return self._ranked(
            parks=np.arange(m),
            ents=np.array([ent]),
            coef=coef,
            k=k,
            include_ineligible=include_ineligible,
            min_score=min_score,
            candidates=self._mask(candidates, m, "park"),
            other="park",
        )

    def _mask(
        self, candidates: Sequence[str] | np.ndarray | None, n: int, kind: str
    ) -> np.ndarray | None:
        if candidates is None:
            return None
        arr = np.asarray(candidates)
        if arr.dtype == bool:
            if arr.shape != (n,):
                raise ConfigError(f"候选掩码长度应为 {n}，得到 {arr.shape}")
            return arr
        position = (self.index_.enterprises if kind == "enterprise" else self.index_.parks).position
        mask = np.zeros(n, dtype=bool)
        for c in arr.tolist():
            if str(c) not in position:
                raise UnknownIdError(kind, c)
            mask[position[str(c)]] = True
        return mask

    def explain(
        self, park_id: str, enterprise_id: str, *, weights: Mapping[str, float] | None = None
    ) -> Explanation:
        """The contributions (which sum to the score) and the reasons for one pair."""
        park, ent = self._park_row(park_id), self._enterprise_row(enterprise_id)
        p, e = np.array([park]), np.array([ent])
        raw, filled = self.component_values(p, e)
        coef = self._coef(park, weights)
        contrib = self.scorer_.contributions(filled, coef)[0]
        names = self.feature_names_
        return Explanation(
            park_id=str(park_id),
            enterprise_id=str(enterprise_id),
            score=float(self.scorer_.baseline + contrib.sum()),
            eligible=bool(self.eligibility(p, e)[0]),
            baseline=float(self.scorer_.baseline),
            contributions={n: float(c) for n, c in zip(names, contrib, strict=True)},
            values={
                n: (None if np.isnan(v) else float(v)) for n, v in zip(names, raw[0], strict=True)
            },
            weights={n: float(w) for n, w in zip(names, coef / self.scorer_.scale, strict=True)},
            reasons=self._reasons(park, ent, raw[0], contrib),
        )

    def score(self, park_id: str, enterprise_id: str, **kwargs: Any) -> float:
        """The score of one pair (0–100)."""
        return self.explain(park_id, enterprise_id, **kwargs).score

    def __repr__(self) -> str:
        fitted = ""
        if hasattr(self, "index_"):
            fitted = f", fitted on {len(self.index_.parks)} parks × {len(self.index_.enterprises)} enterprises"
        return f"Matcher(weights={self.weights!r}{fitted})"
