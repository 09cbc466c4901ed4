"""``Matcher``: fit the index once, then rank enterprises for a park and parks for an enterprise.

The façade over the data flow: :meth:`Matcher.fit` validates the frames, builds the index
(:mod:`matcher.index`) and prepares the feature families (:mod:`matcher.features`) and the
scorer (:mod:`matcher.scoring`); the rankings and explanations are the plain functions of
:mod:`matcher.ranking` on that state. The matcher adds what a long-lived object needs: the
resolved weights per park, a small cache of per-park scores for paging, and saving.

>>> from matcher import Matcher, load_sample
>>> parks, enterprises = load_sample()
>>> m = Matcher().fit(parks, enterprises)
>>> leads = m.rank_enterprises("GY-LZ-AL", k=3)
>>> list(leads.columns[:6])
['rank', 'enterprise_id', 'name', 'score', 'eligible', 'reasons']
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from .exceptions import ConfigError, NotFittedError, UnknownIdError
from .features import (
    ChainFeature,
    FeatureFamily,
    FitContext,
    PreferenceFeature,
    attach_events,
    default_families,
)
from .index import MatchIndex, build_index, load_fitted, save_fitted, with_enterprises
from .io import validate_enterprises, validate_events, validate_parks, validate_tenants
from .ranking import (
    Explanation,
    RankedPage,
    candidate_mask,
    component_values,
    eligibility,
    explain_pair,
    page_rows,
    ranking_page,
    score_pairs,
    score_park,
    select_page,
)
from .scoring import ReciprocalScorer, Reweightable, Scorer, WeightedScorer

if TYPE_CHECKING:
    from .allocation import Allocation
    from .chains import ChainReport

__all__ = ["Matcher", "two_sided"]


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
    scorer : Scorer, default=None
        Turns component values into contributions and a score (:class:`matcher.scoring.Scorer`:
        ``fit(X, y=None, *, feature_names)``, ``contributions(X, coef=None)``,
        ``decision_function(X, coef=None)`` and ``baseline``, such that
        ``decision_function == baseline + contributions.sum(axis=1)``). None uses a
        :class:`~matcher.scoring.WeightedScorer` with ``weights``. Per-park and per-call weights
        apply only to a :class:`~matcher.scoring.Reweightable` scorer (the weighted ones).

    Attributes
    ----------
    index_ : MatchIndex
        The fitted arrays.
    scorer_ : Scorer
        The fitted scorer.
    families_ : list of FeatureFamily
        The prepared families, in output order.
    feature_names_ : list of str
        The family names, in output order.
    fitted_on_ : datetime.date
        The day of the fit (kept by :meth:`save`): the "today" of families that depend on the
        date, such as the event signal's ages when its ``as_of`` is None.
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
        n_jobs: int = 1,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> Matcher:
        """Validate (if needed) and index the parks, enterprises and optional tenants.

        Frames from :func:`load_parks` / :func:`load_enterprises` / :func:`load_tenants` are used
        as they are; raw frames are validated first (raising :class:`SchemaError`). ``events``
        (:func:`load_events`) adds the :class:`~matcher.features.SignalFeature` family
        (招商时机), or hands the events to the one listed in ``families``; without events the
        families are unchanged. ``n_jobs`` > 1 reads the enterprises' texts in that many processes,
        this one and ``n_jobs - 1`` forked workers, each the keys of its own scopes (where the
        platform forks, from 2,000 distinct texts; 1, the default, reads them here); the fitted
        index is the same bit for bit. ``progress(done, total, message)``, when given, is called
        as the enterprises' distinct texts are read (``done`` of ``total``) and once more when
        the index's arrays are built from them.
        """
        if parks.attrs.get("parkmatch_schema") != "parks":
            parks = validate_parks(parks)
        if enterprises.attrs.get("parkmatch_schema") != "enterprises":
            enterprises = validate_enterprises(enterprises)
        if tenants is not None:
            tenants = validate_tenants(tenants, parks=parks, enterprises=enterprises)
        families = list(self.families) if self.families is not None else default_families()
        if events is not None:
            if events.attrs.get("parkmatch_schema") != "events":
                events = validate_events(events, enterprises=enterprises)
            families = attach_events(families, events)
        names = [f.name for f in families]
        if len(set(names)) != len(names):
            raise ConfigError(f"评分维度重复：{names}")
        scorer = self._fitted_scorer(families)
        if self.park_weights:
            if not isinstance(scorer, Reweightable):
                raise ConfigError("park_weights 只适用于默认的加权评分器")
            unknown = [p for p in self.park_weights if p not in set(parks["park_id"])]
            if unknown:
                raise UnknownIdError("park", unknown[0])
            for layer in self.park_weights.values():
                scorer.coef_for(layer)  # validates names and values now, not mid-ranking
        index = build_index(parks, enterprises, n_jobs=n_jobs, progress=progress)
        fitted_on = dt.date.today()
        context = FitContext(
            parks=parks, enterprises=enterprises, tenants=tenants, fitted_on=fitted_on
        )
        for family in families:
            family.prepare(index, context)
        self.families_ = families
        self.feature_names_ = names
        self.fitted_on_ = fitted_on
        self.scorer_ = scorer
        self.index_: MatchIndex = index
        self.parks_ = parks.reset_index(drop=True)
        self.enterprises_ = enterprises.reset_index(drop=True)
        self.tenants_ = None if tenants is None else tenants.reset_index(drop=True)
        self._ready()
        return self

    def _fitted_scorer(self, families: Sequence[FeatureFamily]) -> Any:
        """The scorer for ``families``: the weighted default, or a clone of ``scorer`` fitted
        (when it is not) on the family names; it must keep the :class:`Scorer` promise."""
        names = [f.name for f in families]
        if self.scorer is None:
            defaults = {f.name: f.default_weight for f in families}
            scorer: Any = WeightedScorer(self.weights, defaults=defaults)
        else:
            if self.weights:
                raise ConfigError("weights 只适用于默认的加权评分器；已指定 scorer 时请勿同时指定")
            scorer = self.scorer if _is_fitted(self.scorer) else clone(self.scorer, safe=False)
        if not _is_fitted(scorer):
            scorer.fit(feature_names=names)
        if not isinstance(scorer, Scorer):
            raise ConfigError(
                f"评分器 {type(scorer).__name__} 应有 baseline、contributions 与 decision_function"
                "（见 matcher.scoring.Scorer）"
            )
        fitted_names = list(getattr(scorer, "feature_names_in_", names))
        if fitted_names != names:
            raise ConfigError(f"评分器的特征 {fitted_names} 与评分维度 {names} 不一致")
        return scorer

    def _ready(self) -> None:
        """Fresh cache and lock, then everything otherwise filled lazily, so that rankings only
        read shared state: the per-park coefficient table, and the per-index arrays the
        families compute on first use (one pair scored)."""
        self._cache: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._park_coefs: np.ndarray | None = None
        self._lock = threading.Lock()
        index = self.index_
        if len(index.parks) and len(index.enterprises):
            self.component_values(np.array([0]), np.array([0]))
            self.park_coefs(np.array([0]))
            # the one-park paths' per-index state (text columns, region levels, …)
            score_park(index, self.families_, self.scorer_, 0, None, self.park_coef(0))

    # ------------------------------------------------------------------ threads
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_lock", None)  # locks do not pickle; each copy gets its own
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "index_" in state:
            self._lock = threading.Lock()

    def __copy__(self) -> Matcher:
        """A shallow copy with its own score cache and lock (it may be refitted or slimmed)."""
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        if "index_" in self.__dict__:
            clone.__dict__.update(_cache=OrderedDict(), _lock=threading.Lock())
        return clone

    # ------------------------------------------------------------------ state
    def check_fitted(self) -> MatchIndex:
        """The fitted index; :class:`NotFittedError` before :meth:`fit`."""
        if not hasattr(self, "index_"):
            raise NotFittedError("Matcher 尚未 fit：请先调用 Matcher().fit(parks, enterprises)")
        return self.index_

    def park_coef(self, park: int, weights: Mapping[str, float] | None = None) -> np.ndarray | None:
        """The scorer's coefficients for one park row: the matcher's weights, the park's own
        (``weight_*`` columns, then ``park_weights``) and ``weights`` on top; None for a scorer
        that takes no weights (then ``weights`` must be None)."""
        if not isinstance(self.scorer_, Reweightable):
            if weights:
                raise ConfigError("weights 只适用于默认的加权评分器")
            return None
        P = self.index_.parks
        per_park = (self.park_weights or {}).get(str(P.ids[park]))
        return np.asarray(self.scorer_.coef_for(P.weights[park], per_park, weights))

    def park_coefs(
        self, parks: np.ndarray, weights: Mapping[str, float] | None = None
    ) -> np.ndarray | None:
        """One coefficient row per park row of ``parks`` (see :meth:`park_coef`); the parks' own
        rows are resolved once per fit."""
        if weights is None:
            with self._lock:
                table = self._park_coefs
                if table is None:
                    rows = [self.park_coef(p) for p in range(len(self.index_.parks))]
                    table = None if not rows or rows[0] is None else np.vstack(rows)  # type: ignore[arg-type]
                    self._park_coefs = table
            return None if table is None else table[np.asarray(parks, dtype=np.intp)]
        coefs = [self.park_coef(int(p), weights) for p in parks]
        if not coefs or coefs[0] is None:
            return None
        return np.vstack(coefs)  # type: ignore[arg-type]

    def clear_cache(self) -> None:
        """Forget the cached per-park scores (the next ranking of each park scores it anew)."""
        with self._lock:
            self._cache.clear()

    def without_enterprises(self) -> Matcher:
        """A copy of the fitted matcher that holds no enterprises: what a worker needs to score
        new ones (its parks, vectoriser, inferrer, families and scorer), with its own cache."""
        index = self.check_fitted()
        slim = copy.copy(self)
        empty = self.enterprises_.iloc[:0]
        view = with_enterprises(index, empty)
        slim.index_ = MatchIndex(view.enterprises, index.parks, index.vectorizer, index.inferrer)
        slim.enterprises_ = empty
        return slim

    # ------------------------------------------------------------------ components
    def component_values(
        self, parks: np.ndarray, ents: np.ndarray, *, index: MatchIndex | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw component values (n, F) with NaN for unknown, and the neutral-filled values
        (:func:`matcher.ranking.component_values` with the fitted families)."""
        index = self.check_fitted() if index is None else index
        return component_values(index, self.families_, parks, ents)

    def eligibility(
        self, parks: np.ndarray, ents: np.ndarray, *, index: MatchIndex | None = None
    ) -> np.ndarray:
        """Hard constraints of broadcast pairs (:func:`matcher.ranking.eligibility`)."""
        index = self.check_fitted() if index is None else index
        return eligibility(index, parks, ents)

    # ------------------------------------------------------------------ rankings
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
        return self.enterprise_page(
            park_id,
            k,
            offset=offset,
            include_ineligible=include_ineligible,
            weights=weights,
            min_score=min_score,
            candidates=candidates,
        ).to_frame()

    def enterprise_page(
        self,
        park_id: str,
        k: int | None = 20,
        *,
        offset: int = 0,
        include_ineligible: bool = False,
        weights: Mapping[str, float] | None = None,
        min_score: float | None = None,
        candidates: Sequence[str] | np.ndarray | None = None,
    ) -> RankedPage:
        """The ranking of :meth:`rank_enterprises` as arrays rather than a table.

        Same arguments, same rows, scores, reasons and contributions (``rank_enterprises``
        is this page's :meth:`~matcher.ranking.RankedPage.to_frame`); an adapter that renders
        its own rows (the service's JSON) skips building and unpacking a DataFrame.

        Returns
        -------
        RankedPage
            ``rank``, ``ids``, ``names``, ``score``, ``eligible``, ``reasons`` (a list per
            row), ``contributions`` (rows × families) and ``total`` (rows that qualified
            before ``k`` and ``offset`` were applied).
        """
        index = self.check_fitted()
        park = index.park_row(park_id)
        coef = self.park_coef(park, weights)
        key = (park, None if coef is None else tuple(np.round(coef, 12)))
        with self._lock:  # the LRU is shared by every thread; scoring runs outside the lock
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
        if cached is None:
            cached = score_park(index, self.families_, self.scorer_, park, None, coef)
            with self._lock:
                self._cache[key] = cached
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        score, eligible = cached
        rows, total = select_page(
            score,
            eligible,
            k=k,
            offset=offset,
            include_ineligible=include_ineligible,
            min_score=min_score,
            candidates=candidate_mask(candidates, index.enterprises.position, "enterprise"),
        )
        p = np.full(len(rows), park)
        return page_rows(
            index,
            self.families_,
            self.scorer_,
            p,
            rows,
            coef,
            other="enterprise",
            start=offset,
            total=total,
        )

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
        index = self.check_fitted()
        ent = index.enterprise_row(enterprise_id)
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
        parks = np.arange(len(index.parks))
        coef = self.park_coefs(parks, weights)
        score, eligible = score_pairs(
            index, self.families_, self.scorer_, parks, np.array([ent]), coef
        )
        rows, total = select_page(
            score,
            eligible,
            k=k,
            offset=offset,
            include_ineligible=include_ineligible,
            min_score=min_score,
            candidates=candidate_mask(candidates, index.parks.position, "park"),
        )
        e = np.full(len(rows), ent)
        page_coef = None if coef is None else coef[rows]
        return ranking_page(
            index,
            self.families_,
            self.scorer_,
            rows,
            e,
            page_coef,
            other="park",
            start=offset,
            total=total,
        )

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
        index = self.check_fitted()
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

    def explain(
        self, park_id: str, enterprise_id: str, *, weights: Mapping[str, float] | None = None
    ) -> Explanation:
        """The contributions (which sum to the score) and the reasons for one pair."""
        index = self.check_fitted()
        park, ent = index.park_row(park_id), index.enterprise_row(enterprise_id)
        coef = self.park_coef(park, weights)
        return explain_pair(index, self.families_, self.scorer_, park, ent, coef)

    def score(self, park_id: str, enterprise_id: str, **kwargs: Any) -> float:
        """The score of one pair (0–100 for the default scorer)."""
        return self.explain(park_id, enterprise_id, **kwargs).score

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path, *, key: str | bytes | None = None) -> Path:
        """Save the fitted matcher to a folder; :meth:`load` maps it back without refitting.

        The enterprise arrays are written as ``.npy`` files (memory-mappable), the rest with
        joblib (a pickle), plus a ``manifest.json`` holding the SHA-256 of every file. With
        ``key`` the manifest is signed (HMAC-SHA256), and ``load(..., key=key)`` refuses any
        folder not written with that key before unpickling anything (see
        :func:`matcher.index.save_fitted`).
        """
        index = self.check_fitted()
        state = {
            "params": {
                "weights": self.weights,
                "park_weights": self.park_weights,
                "families": self.families,
                "scorer": self.scorer,
            },
            "families_": self.families_,
            "scorer_": self.scorer_,
            "fitted_on": self.fitted_on_,
        }
        frames = {"parks": self.parks_, "enterprises": self.enterprises_, "tenants": self.tenants_}
        return save_fitted(path, index, state, frames, feature_names=self.feature_names_, key=key)

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
            Memory-map the enterprise arrays and the saved tables' columns instead of reading
            them into memory (pages are read from disk when used and shared between
            processes).
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
        index, state, frames = load_fitted(path, mmap=mmap, key=key)
        return cls(**state["params"])._restore(index, state, frames)

    def _restore(
        self, index: MatchIndex, state: dict[str, Any], frames: dict[str, pd.DataFrame | None]
    ) -> Matcher:
        """The fitted state read by :meth:`load`: the families are prepared again."""
        parks, enterprises, tenants = frames["parks"], frames["enterprises"], frames["tenants"]
        assert parks is not None and enterprises is not None
        self.families_ = state["families_"]
        self.feature_names_ = [f.name for f in self.families_]
        self.scorer_ = state["scorer_"]
        self.fitted_on_ = state["fitted_on"]
        context = FitContext(
            parks=parks, enterprises=enterprises, tenants=tenants, fitted_on=self.fitted_on_
        )
        for family in self.families_:
            family.prepare(index, context)
        self.index_ = index
        self.parks_, self.enterprises_, self.tenants_ = parks, enterprises, tenants
        self._ready()
        return self

    # ------------------------------------------------------------------ deprecated
    def chain_report(self, park_id: str, **kwargs: Any) -> ChainReport:
        """Deprecated: use :func:`matcher.chains.chain_report` ``(matcher, park_id, ...)``."""
        from .chains import chain_report

        warnings.warn(
            "Matcher.chain_report 已弃用，请改用 matcher.chains.chain_report(matcher, park_id)",
            DeprecationWarning,
            stacklevel=2,
        )
        return chain_report(self, park_id, **kwargs)

    def allocate(self, park_ids: Sequence[str] | None = None, **kwargs: Any) -> Allocation:
        """Deprecated: use :func:`matcher.allocation.allocate` ``(matcher, park_ids, ...)``."""
        from .allocation import allocate

        warnings.warn(
            "Matcher.allocate 已弃用，请改用 matcher.allocation.allocate(matcher, park_ids)",
            DeprecationWarning,
            stacklevel=2,
        )
        return allocate(self, park_ids, **kwargs)

    def __repr__(self) -> str:
        fitted = ""
        if hasattr(self, "index_"):
            n_parks, n_ents = len(self.index_.parks), len(self.index_.enterprises)
            fitted = f", fitted on {n_parks} parks × {n_ents} enterprises"
        return f"Matcher(weights={self.weights!r}{fitted})"


def two_sided(matcher: Matcher) -> Matcher:
    """A two-sided matcher on the data a fitted matcher holds.

    Its families are the matcher's own plus, when missing, :class:`~matcher.features.ChainFeature`
    and :class:`~matcher.features.PreferenceFeature` (the enterprise's side); its scorer is a
    :class:`~matcher.scoring.ReciprocalScorer` (harmonic mean of the park side and the
    enterprise side), so a pair ranks high only when both sides like it. Fitted on the same
    parks, enterprises and tenants.

    >>> from matcher import Matcher, load_sample
    >>> both = two_sided(Matcher().fit(*load_sample()))
    >>> both.feature_names_[-2:], type(both.scorer_).__name__
    (['chain', 'preference'], 'ReciprocalScorer')
    """
    matcher.check_fitted()
    families = list(matcher.families_)
    have = {f.name for f in families}
    if "chain" not in have:
        families.append(ChainFeature())
    if "preference" not in have:
        families.append(PreferenceFeature())
    both = Matcher(families=families, scorer=ReciprocalScorer())
    return both.fit(matcher.parks_, matcher.enterprises_, matcher.tenants_)


def _is_fitted(estimator: Any) -> bool:
    return any(k.endswith("_") and not k.startswith("_") for k in vars(estimator))
