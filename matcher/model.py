"""``Matcher``: fit the index once, then rank enterprises for a park and parks for an enterprise.

>>> from matcher import Matcher, load_sample
>>> parks, enterprises = load_sample()
>>> m = Matcher().fit(parks, enterprises)
>>> leads = m.rank_enterprises("GY-LZ-AL", k=3)
>>> list(leads.columns[:6])
['rank', 'enterprise_id', 'name', 'score', 'eligible', 'reasons']
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from . import taxonomy
from ._index import CONFIDENT, MatchIndex, build_index, with_enterprises
from .exceptions import ConfigError, NotFittedError, UnknownIdError
from .features import FeatureFamily, FitContext, broadcast_pairs, default_families
from .schema import validate_enterprises, validate_parks, validate_tenants
from .scoring import WeightedScorer
from .text import ACTIVITIES

__all__ = ["Explanation", "Matcher"]

#: Main-activity code of trading firms, and the share of making evidence under which a trading
#: firm is a pure trader (for parks that refuse them).
TRADE = ACTIVITIES.index("trade")
TRADER_MAKE_SHARE = 0.25


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

    A fitted matcher is safe to share between threads: its score cache is locked, and
    everything otherwise filled on first use is prepared by :meth:`fit` and :meth:`load`.

    Parameters
    ----------
    weights : dict of str to float, default=None
        Weight per feature family over the families' default weights (normalised to sum to 1).
    park_weights : dict of str to dict, default=None
        Per-park weight overrides, ``{park_id: {family: weight}}``; they win over ``weights``
        and over ``weight_<family>`` columns of the parks table.
    families : list of FeatureFamily, default=None
        The feature families; None uses the five defaults (industry, text, capacity, quality,
        location).
    scorer : estimator, default=None
        Turns component values into contributions and a score: anything with
        ``fit(X, y=None, *, feature_names)``, ``contributions(X, coef=None)``,
        ``decision_function(X, coef=None)`` and a ``baseline`` attribute, such that
        ``decision_function == baseline + contributions.sum(axis=1)``. None uses a
        :class:`WeightedScorer` with ``weights``. Per-park and per-call weights apply only to a
        scorer with ``coef_for`` (the weighted one).

    Attributes
    ----------
    index_ : MatchIndex
        The fitted arrays.
    scorer_ : estimator
        The fitted scorer.
    feature_names_ : list of str
        The family names, in output order.
    parks_, enterprises_, tenants_ : DataFrame
        The validated frames the matcher was fitted on (``tenants_`` may be None).
    """

    #: How many per-park score vectors :meth:`rank_enterprises` keeps (filters and paging of the
    #: same park then cost a mask and a partial sort, not a rescoring).
    cache_size: int = 32

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        *,
        park_weights: Mapping[str, Mapping[str, float]] | None = None,
        families: Sequence[FeatureFamily] | None = None,
        scorer: Any = None,
    ):
        self.weights = weights
        self.park_weights = park_weights
        self.families = families
        self.scorer = scorer

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        parks: pd.DataFrame,
        enterprises: pd.DataFrame,
        tenants: pd.DataFrame | None = None,
        *,
        events: pd.DataFrame | None = None,
    ) -> Matcher:
        """Validate (if needed) and index the parks, enterprises and optional tenants.

        Frames from :func:`load_parks` / :func:`load_enterprises` / :func:`load_tenants` are used
        as they are; raw frames are validated first (raising :class:`SchemaError`). ``events``
        (:func:`load_events`) adds the :class:`SignalFeature` family (招商时机), or hands the
        events to the one listed in ``families``; without events the families are unchanged.
        """
        if parks.attrs.get("parkmatch_schema") != "parks":
            parks = validate_parks(parks)
        if enterprises.attrs.get("parkmatch_schema") != "enterprises":
            enterprises = validate_enterprises(enterprises)
        if tenants is not None:
            tenants = validate_tenants(tenants, parks=parks, enterprises=enterprises)
        families = list(self.families) if self.families is not None else default_families()
        if events is not None:
            from .features.signal import attach_events
            from .signals import validate_events

            if events.attrs.get("parkmatch_schema") != "events":
                events = validate_events(events, enterprises=enterprises)
            families = attach_events(families, events)
        names = [f.name for f in families]
        if len(set(names)) != len(names):
            raise ConfigError(f"评分维度重复：{names}")
        defaults = {f.name: f.default_weight for f in families}
        if self.scorer is None:
            scorer: Any = WeightedScorer(self.weights, defaults=defaults)
        else:
            if self.weights:
                raise ConfigError("weights 只适用于默认的加权评分器；已指定 scorer 时请勿同时指定")
            scorer = self.scorer if _is_fitted(self.scorer) else clone(self.scorer, safe=False)
        if not _is_fitted(scorer):
            scorer.fit(feature_names=names)
        fitted_names = list(getattr(scorer, "feature_names_in_", names))
        if fitted_names != names:
            raise ConfigError(f"评分器的特征 {fitted_names} 与评分维度 {names} 不一致")
        if self.park_weights:
            if not hasattr(scorer, "coef_for"):
                raise ConfigError("park_weights 只适用于默认的加权评分器")
            unknown = [p for p in self.park_weights if p not in set(parks["park_id"])]
            if unknown:
                raise UnknownIdError("park", unknown[0])
            for layer in self.park_weights.values():
                scorer.coef_for(layer)  # validates names and values now, not mid-ranking
        index = build_index(parks, enterprises)
        context = FitContext(parks=parks, enterprises=enterprises, tenants=tenants)
        for family in families:
            family.prepare(index, context)
        self.families_ = families
        self.feature_names_ = names
        self.scorer_ = scorer
        self._neutral = np.array([f.neutral for f in families], dtype=np.float32)
        self.index_: MatchIndex = index
        self.parks_ = parks.reset_index(drop=True)
        self.enterprises_ = enterprises.reset_index(drop=True)
        self.tenants_ = None if tenants is None else tenants.reset_index(drop=True)
        self._cache: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._park_coefs: np.ndarray | None = None
        self._lock = threading.Lock()
        self._warm()
        return self

    # ------------------------------------------------------------------ threads
    def _warm(self) -> None:
        """Fill everything that is otherwise filled lazily, so that rankings only read shared
        state: the per-park coefficient table, and the per-index arrays the families compute
        on first use (one pair scored)."""
        index = self.index_
        if len(index.parks) and len(index.enterprises):
            self.component_values(np.array([0]), np.array([0]))
            self._coef_rows(np.array([0]), None)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_lock", None)  # locks do not pickle; each copy gets its own
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "index_" in state:
            self._lock = threading.Lock()

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

    def _coef(self, park: int, weights: Mapping[str, float] | None) -> np.ndarray | None:
        """Coefficients for one park (None for scorers without per-park weights)."""
        if not hasattr(self.scorer_, "coef_for"):
            if weights:
                raise ConfigError("weights 只适用于默认的加权评分器")
            return None
        P = self.index_.parks
        per_park = (self.park_weights or {}).get(str(P.ids[park]))
        return np.asarray(self.scorer_.coef_for(P.weights[park], per_park, weights))

    def _coef_rows(
        self, parks: np.ndarray, weights: Mapping[str, float] | None
    ) -> np.ndarray | None:
        if weights is None:  # every park's own coefficients, resolved once per fit
            with self._lock:
                table = getattr(self, "_park_coefs", None)
                if table is None:
                    rows = [self._coef(p, None) for p in range(len(self.index_.parks))]
                    table = None if not rows or rows[0] is None else np.vstack(rows)  # type: ignore[arg-type]
                    self._park_coefs = table
            return None if table is None else table[np.asarray(parks, dtype=np.intp)]
        coefs = [self._coef(int(p), weights) for p in parks]
        if not coefs or coefs[0] is None:
            return None
        return np.vstack(coefs)  # type: ignore[arg-type]

    def component_values(
        self, parks: np.ndarray, ents: np.ndarray, *, index: MatchIndex | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw component values (n, F) with NaN for unknown, and the neutral-filled values.

        On large inputs the families are computed on a small thread pool (numpy and the sparse
        mat-vec release the GIL); every value is the same as computed one family at a time.
        """
        index = self._check_fitted() if index is None else index
        p, e = broadcast_pairs(parks, ents)
        pool = _pool() if len(p) >= PARALLEL_MIN_ROWS else None
        if pool is not None:
            futures = [pool.submit(f.compute, index, p, e) for f in self.families_]
            columns = (future.result() for future in futures)
        else:
            columns = (f.compute(index, p, e) for f in self.families_)
        # column-major: each family's values are contiguous, for the column-wise scorer
        raw = np.empty((len(p), len(self.families_)), dtype=np.float32, order="F")
        filled = np.empty_like(raw, order="F")
        for j, values in enumerate(columns):
            raw[:, j] = values
            filled[:, j] = values
            np.copyto(filled[:, j], self._neutral[j], where=np.isnan(values))
        return raw, filled

    def eligibility(
        self, parks: np.ndarray, ents: np.ndarray, *, index: MatchIndex | None = None
    ) -> np.ndarray:
        """Hard constraints: an excluded or refused industry (declared, or read from the scope
        with confidence), a pure trading firm where the park refuses them, or a space need over
        the free space."""
        index = self._check_fitted() if index is None else index
        p, e = broadcast_pairs(parks, ents)
        E, P = index.enterprises, index.parks
        ok = ~(E.space[e] > P.available[p])  # NaN compares False: unknown never excludes
        confident = E.inferred_conf[e] >= CONFIDENT
        one = len(p) and np.all(p == p[0])
        for table in (P.excl_hit, P.refused_hit):
            if one:
                declared, inferred = (
                    table[p[0]][E.declared_leaf[e]],
                    table[p[0]][E.inferred_leaf[e]],
                )
            else:
                declared, inferred = table[p, E.declared_leaf[e]], table[p, E.inferred_leaf[e]]
            ok &= ~declared & ~(inferred & confident)
        ok &= ~(P.refuse_trade[p] & self._traders(index, e))
        return ok

    @staticmethod
    def _traders(index: MatchIndex, e: np.ndarray) -> np.ndarray:
        """Firms that only trade: main activity trade and little evidence of making."""
        E = index.enterprises
        return (E.activity[e] == TRADE) & (E.make_share[e] < TRADER_MAKE_SHARE)

    def _eligibility_reasons(self, index: MatchIndex, park: int, ent: int) -> list[str]:
        E, P = index.enterprises, index.parks
        out = []
        declared = E.declared_at(ent)
        raw_leaf = int(E.inferred_leaf[ent])
        inferred = None if raw_leaf < 0 else taxonomy.get_taxonomy().codes[raw_leaf]
        conf = float(E.inferred_conf[ent])
        rules = [(f"「{c} {taxonomy.code_name(c)}」", c, "禁止入驻行业") for c in P.excluded[park]]
        rules += [(f"「{w}」", c, "产业定位写明不予引进的") for w, c in P.refused[park]]
        for label, rule_code, kind in rules:
            if declared is not None and taxonomy.code_similarity(declared, rule_code)[0] >= 1.0:
                out.append(f"不符合入驻条件：所属行业属于园区{kind}{label}")
                break
            if inferred is not None and taxonomy.code_similarity(inferred, rule_code)[0] >= 1.0:
                name = f"「{inferred} {taxonomy.code_name(inferred)}」"
                if conf >= CONFIDENT:
                    out.append(
                        f"不符合入驻条件（请核实）：据经营范围判断主营{name}（置信度 {conf:.0%}），"
                        f"属于园区{kind}{label}"
                    )
                else:
                    out.append(
                        f"注意：经营范围显示可能从事{name}（置信度 {conf:.0%}），属于园区{kind}{label}，请核实"
                    )
                break
        if bool(P.refuse_trade[park]) and bool(self._traders(index, np.array([ent]))[0]):
            out.append("不符合入驻条件：园区不接受单纯贸易类企业，该企业经营范围以销售为主")
        if E.space[ent] > P.available[park]:
            out.append(
                f"不符合入驻条件：需求面积 {E.space[ent]:,.0f} 平方米超过园区可用面积 "
                f"{P.available[park]:,.0f} 平方米"
            )
        return out

    def _reasons(
        self, index: MatchIndex, park: int, ent: int, raw: np.ndarray, contrib: np.ndarray
    ) -> list[str]:
        reasons = self._eligibility_reasons(index, park, ent)
        order = np.argsort(-contrib, kind="stable")
        for j in order:
            fam = self.families_[j]
            reasons.append(f"{fam.label}：{fam.reason(index, park, ent, float(raw[j]))}")
        return reasons

    def _scores(
        self, index: MatchIndex, p: np.ndarray, e: np.ndarray, coef: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        pool = _pool() if len(e) >= PARALLEL_MIN_ROWS else None
        eligible_future = pool.submit(self.eligibility, p, e, index=index) if pool else None
        _, filled = self.component_values(p, e, index=index)
        score = np.asarray(self.scorer_.decision_function(filled, coef), dtype=np.float64)
        if eligible_future is not None:
            return score, eligible_future.result()
        return score, self.eligibility(p, e, index=index)

    def _select(
        self,
        score: np.ndarray,
        eligible: np.ndarray,
        *,
        k: int | None,
        offset: int,
        include_ineligible: bool,
        min_score: float | None,
        candidates: np.ndarray | None,
    ) -> tuple[np.ndarray, int]:
        """Rows of the ranking page (best first) and the total number of rows that qualify."""
        keep = np.ones(len(score), dtype=bool) if candidates is None else candidates.copy()
        if not include_ineligible:
            keep &= eligible
        if min_score is not None:
            keep &= score >= min_score
        rows = np.flatnonzero(keep)
        total = len(rows)
        # eligible first, then score descending, then input order (stable, deterministic)
        key = np.where(eligible[rows], 0.0, -1e9) + score[rows]
        need = None if k is None else max(offset, 0) + max(k, 0)
        if need is not None and need < len(rows):
            if need == 0:
                rows, key = rows[:0], key[:0]
            else:
                threshold = key[np.argpartition(-key, need - 1)[:need]].min()
                rows, key = rows[key >= threshold], key[key >= threshold]  # keep ties
        rows = rows[np.lexsort((rows, -key))]
        if need is not None:
            rows = rows[max(offset, 0) : need]
        return rows, total

    def _frame(
        self,
        index: MatchIndex,
        p: np.ndarray,
        e: np.ndarray,
        coef: np.ndarray | None,
        *,
        other: str,
        start: int,
        total: int,
        reasons: bool = True,
    ) -> pd.DataFrame:
        """The ranking page for aligned pairs: contributions and reasons recomputed per row."""
        raw, filled = self.component_values(p, e, index=index)
        contrib = np.asarray(self.scorer_.contributions(filled, coef), dtype=np.float64)
        score = float(getattr(self.scorer_, "baseline", 0.0)) + contrib.sum(axis=1)
        eligible = self.eligibility(p, e, index=index)
        E, P = index.enterprises, index.parks
        ids, names = (E.ids[e], E.names[e]) if other == "enterprise" else (P.ids[p], P.names[p])
        out = pd.DataFrame(
            {
                "rank": np.arange(start + 1, start + len(p) + 1),
                f"{other}_id": ids.astype(str),
                "name": names.astype(str),
                "score": score,
                "eligible": eligible,
                "reasons": [
                    "；".join(self._reasons(index, int(p[r]), int(e[r]), raw[r], contrib[r]))
                    if reasons
                    else ""
                    for r in range(len(p))
                ],
            }
        )
        for j, name in enumerate(self.feature_names_):
            out[name] = contrib[:, j]
        out.attrs["total"] = total
        return out

    # ------------------------------------------------------------------ public
    def rank_enterprises(
        self,
        park_id: str,
        k: int | None = 20,
        *,
        offset: int = 0,
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
        offset : int, default=0
            Skip this many rows first (paging); ``rank`` still counts from the top.
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
            with its contribution (they sum to ``score`` minus the scorer's baseline, which is 0
            for the default scorer). ``attrs["total"]`` holds how many rows qualified before
            ``k`` and ``offset`` were applied.
        """
        index = self._check_fitted()
        park = self._park_row(park_id)
        coef = self._coef(park, weights)
        key = (park, None if coef is None else tuple(np.round(coef, 12)))
        n = len(index.enterprises)
        with self._lock:  # the LRU is shared by every thread; scoring runs outside the lock
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
        if cached is None:
            cached = self._scores(index, np.array([park]), np.arange(n), coef)
            with self._lock:
                self._cache[key] = cached
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        score, eligible = cached
        rows, total = self._select(
            score,
            eligible,
            k=k,
            offset=offset,
            include_ineligible=include_ineligible,
            min_score=min_score,
            candidates=self._mask(candidates, n, "enterprise"),
        )
        p = np.full(len(rows), park)
        return self._frame(index, p, rows, coef, other="enterprise", start=offset, total=total)

    def rank_parks(
        self,
        enterprise_id: str,
        k: int | None = 5,
        *,
        offset: int = 0,
        include_ineligible: bool = False,
        weights: Mapping[str, float] | None = None,
        min_score: float | None = None,
        candidates: Sequence[str] | np.ndarray | None = None,
    ) -> pd.DataFrame:
        """Rank parks for one enterprise, best first (mirrors :meth:`rank_enterprises`)."""
        index = self._check_fitted()
        ent = self._enterprise_row(enterprise_id)
        return self._rank_parks(
            index,
            ent,
            k=k,
            offset=offset,
            include_ineligible=include_ineligible,
            weights=weights,
            min_score=min_score,
            candidates=candidates,
        )

    def _rank_parks(
        self,
        index: MatchIndex,
        ent: int,
        *,
        k: int | None,
        offset: int,
        include_ineligible: bool,
        weights: Mapping[str, float] | None,
        min_score: float | None,
        candidates: Sequence[str] | np.ndarray | None,
    ) -> pd.DataFrame:
        m = len(index.parks)
        parks = np.arange(m)
        coef = self._coef_rows(parks, weights)
        score, eligible = self._scores(index, parks, np.array([ent]), coef)
        rows, total = self._select(
            score,
            eligible,
            k=k,
            offset=offset,
            include_ineligible=include_ineligible,
            min_score=min_score,
            candidates=self._mask(candidates, m, "park"),
        )
        e = np.full(len(rows), ent)
        page_coef = None if coef is None else coef[rows]
        return self._frame(index, rows, e, page_coef, other="park", start=offset, total=total)

    def rank_parks_for(
        self,
        profile: Mapping[str, Any] | pd.DataFrame,
        k: int | None = 5,
        **kwargs: Any,
    ) -> pd.DataFrame:
        """Rank parks for an enterprise that is not in the fitted data.

        Parameters
        ----------
        profile : dict or one-row DataFrame
            Enterprise fields in the enterprises schema (English or Chinese keys);
            ``enterprise_id`` and ``name`` may be left out.
        k, **kwargs
            As for :meth:`rank_parks`.

        Raises
        ------
        SchemaError
            When the profile breaks the schema.
        """
        index = self._check_fitted()
        frame = pd.DataFrame([dict(profile)]) if isinstance(profile, Mapping) else profile.copy()
        if len(frame) != 1:
            raise ConfigError(f"profile 应为一家企业，得到 {len(frame)} 行")
        frame = frame.astype(object)
        for col, default in (("enterprise_id", "profile"), ("name", "（待匹配企业）")):
            zh = "企业编号" if col == "enterprise_id" else "企业名称"
            if col not in frame.columns and zh not in frame.columns:
                frame[col] = default
        validated = validate_enterprises(frame, file="profile")
        view = with_enterprises(index, validated)
        for family in self.families_:
            family.prepare_enterprises(view, validated)
        return self._rank_parks(
            view,
            0,
            k=k,
            offset=kwargs.pop("offset", 0),
            include_ineligible=kwargs.pop("include_ineligible", False),
            weights=kwargs.pop("weights", None),
            min_score=kwargs.pop("min_score", None),
            candidates=kwargs.pop("candidates", None),
            **kwargs,
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
        index = self._check_fitted()
        park, ent = self._park_row(park_id), self._enterprise_row(enterprise_id)
        p, e = np.array([park]), np.array([ent])
        raw, filled = self.component_values(p, e)
        coef = self._coef(park, weights)
        contrib = np.asarray(self.scorer_.contributions(filled, coef), dtype=np.float64)[0]
        baseline = float(getattr(self.scorer_, "baseline", 0.0))
        names = self.feature_names_
        if coef is not None:
            shown = coef / float(getattr(self.scorer_, "scale", 1.0))
        else:
            shown = np.asarray(getattr(self.scorer_, "coef_", np.full(len(names), np.nan)))
        return Explanation(
            park_id=str(park_id),
            enterprise_id=str(enterprise_id),
            score=baseline + float(contrib.sum()),
            eligible=bool(self.eligibility(p, e)[0]),
            baseline=baseline,
            contributions={n: float(c) for n, c in zip(names, contrib, strict=True)},
            values={
                n: (None if np.isnan(v) else float(v)) for n, v in zip(names, raw[0], strict=True)
            },
            weights={n: float(w) for n, w in zip(names, np.ravel(shown), strict=True)},
            reasons=self._reasons(index, park, ent, raw[0], contrib),
        )

    def save(self, path: str | Path, *, key: str | bytes | None = None) -> Path:
        """Save the fitted matcher to a folder; :meth:`load` maps it back without refitting.

        The enterprise arrays are written as ``.npy`` files (memory-mappable), the rest with
        joblib (a pickle), plus a ``manifest.json`` holding the SHA-256 of every file. With
        ``key`` the manifest is signed (HMAC-SHA256), and ``load(..., key=key)`` refuses any
        folder not written with that key before unpickling anything.
        """
        from . import _index_io as io

        index = self._check_fitted()
        folder = Path(path)
        if folder.exists() and any(folder.iterdir()) and not (folder / "manifest.json").exists():
            raise ConfigError(f"目录 {folder} 已存在且不是 parkmatch 保存的匹配器，拒绝覆盖")
        folder.mkdir(parents=True, exist_ok=True)
        files: dict[str, str] = {}
        io.save_index(index, folder / "enterprises", files)
        io.dump(index.parks, folder / "parks.joblib")
        state = {
            "params": {
                "weights": self.weights,
                "park_weights": self.park_weights,
                "families": self.families,
                "scorer": self.scorer,
            },
            "families_": self.families_,
            "scorer_": self.scorer_,
            "vectorizer": index.vectorizer,
            "inferrer": index.inferrer,
        }
        io.dump(state, folder / "model.joblib")
        (folder / "frames").mkdir(exist_ok=True)
        self.parks_.to_parquet(folder / "frames" / "parks.parquet")
        self.enterprises_.to_parquet(folder / "frames" / "enterprises.parquet")
        if self.tenants_ is not None:
            self.tenants_.to_parquet(folder / "frames" / "tenants.parquet")
        io.write_manifest(
            folder,
            {
                "n_parks": len(index.parks),
                "n_enterprises": len(index.enterprises),
                "feature_names": self.feature_names_,
                "files": {
                    k: f"enterprises/{v}" if not k.endswith(".shape") else v
                    for k, v in files.items()
                },
            },
            key=key,
        )
        return folder

    @classmethod
    def load(
        cls, path: str | Path, *, mmap: bool = True, key: str | bytes | None = None
    ) -> Matcher:
        """Load a matcher saved with :meth:`save`.

        Parameters
        ----------
        path : str or Path
            The folder written by :meth:`save`.
        mmap : bool, default=True
            Memory-map the enterprise arrays instead of reading them into memory.
        key : str or bytes, default=None
            The key the folder was signed with: an unsigned folder, another key's or a changed
            file is refused before anything is unpickled. Without a key the folder must come
            from a source you trust (its files are still checked against their SHA-256).

        Raises
        ------
        ModelError
            When the folder is missing, incomplete, changed, unsigned (with ``key``) or written by
            other library versions.
        """
        from . import _index_io as io

        folder = Path(path)
        manifest = io.read_manifest(folder, key=key)
        state = io.load(folder / "model.joblib")
        parks_arrays = io.load(folder / "parks.joblib")
        files = {k: v.removeprefix("enterprises/") for k, v in manifest["files"].items()}
        index = io.load_index(
            folder / "enterprises",
            files,
            mmap=mmap,
            parks=parks_arrays,
            vectorizer=state["vectorizer"],
            inferrer=state["inferrer"],
        )
        matcher = cls(**state["params"])
        frames = folder / "frames"
        parks = pd.read_parquet(frames / "parks.parquet")
        enterprises = pd.read_parquet(frames / "enterprises.parquet")
        tenants_path = frames / "tenants.parquet"
        tenants = pd.read_parquet(tenants_path) if tenants_path.exists() else None
        parks.attrs["parkmatch_schema"] = "parks"
        enterprises.attrs["parkmatch_schema"] = "enterprises"
        matcher.families_ = state["families_"]
        matcher.feature_names_ = [f.name for f in matcher.families_]
        matcher.scorer_ = state["scorer_"]
        matcher._neutral = np.array([f.neutral for f in matcher.families_], dtype=np.float32)
        context = FitContext(parks=parks, enterprises=enterprises, tenants=tenants)
        for family in matcher.families_:
            family.prepare(index, context)
        matcher.index_ = index
        matcher.parks_, matcher.enterprises_, matcher.tenants_ = parks, enterprises, tenants
        matcher._cache = OrderedDict()
        matcher._park_coefs = None
        matcher._lock = threading.Lock()
        matcher._warm()
        return matcher

    def score(self, park_id: str, enterprise_id: str, **kwargs: Any) -> float:
        """The score of one pair (0–100 for the default scorer)."""
        return self.explain(park_id, enterprise_id, **kwargs).score

    def chain_report(self, park_id: str, **kwargs: Any) -> Any:
        """The park's chain map, its gaps and the best candidates per gap.

        See :func:`matcher.chains.chain_report` for the options (``k``, ``tenants``, ``thin`` …);
        returns a :class:`~matcher.chains.ChainReport`.
        """
        from .chains import chain_report

        return chain_report(self, park_id, **kwargs)

    def allocate(self, park_ids: Sequence[str] | None = None, **kwargs: Any) -> Any:
        """Propose which enterprise to pursue for which park, maximising the total fit.

        See :func:`matcher.allocation.allocate` for the options (``candidates``,
        ``max_per_park`` …); returns an :class:`~matcher.allocation.Allocation`.
        """
        from .allocation import allocate

        return allocate(self, park_ids, **kwargs)

    def __repr__(self) -> str:
        fitted = ""
        if hasattr(self, "index_"):
            n_parks, n_ents = len(self.index_.parks), len(self.index_.enterprises)
            fitted = f", fitted on {n_parks} parks × {n_ents} enterprises"
        return f"Matcher(weights={self.weights!r}{fitted})"


#: Inputs at least this long are scored on a thread pool (one thread a core, at most 4).
PARALLEL_MIN_ROWS = 200_000
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor | None:
    """The shared scoring pool (None on a single core)."""
    global _POOL
    workers = min(4, os.cpu_count() or 1)
    if workers < 2:
        return None
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="parkmatch")
        return _POOL


def _is_fitted(estimator: Any) -> bool:
    return any(k.endswith("_") and not k.startswith("_") for k in vars(estimator))
