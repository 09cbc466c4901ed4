"""A simulator of follow-up ledgers (招商跟进台账) with known hidden preferences.

:func:`make_outcomes` drew the bundled ``outcomes.csv``; with ``return_truth=True`` it also
returns every candidate pair's true relevance (:func:`expected_gain` of its hidden utility),
which the counterfactual estimates of :func:`matcher.learning.evaluate` aim at.
"""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from ..exceptions import ConfigError
from ..io import validate_enterprises, validate_parks
from ..learning import OUTCOME_LABELS, SOURCE_LABELS, STAGES
from ..matching import Matcher  # the simulator's officers work from the default ranking

__all__ = ["expected_gain", "make_outcomes"]

#: The officers' hidden taste, on the log-odds scale of a lead progressing. Unlike the default
#: weights it cares most about the business fit in words (text) and about 专精特新 and patents,
#: little about distance, and likes a small firm whose space need sits easily in the park.
_HIDDEN: dict[str, float] = {
    "industry": 1.6,
    "text": 7.0,
    "location": 0.4,
    "patents": 0.45,  # per log(1 + patents)
    "high_tech": 0.3,
    "space_x_small": 1.4,  # space fits easily AND a small or micro firm
    "noise": 0.7,
    "park_spread": 0.35,  # each park's officers weigh industry vs text their own way
}
#: What 专精特新 adds to the hidden utility (unknown: 0.3).
_HIDDEN_SRDI = {"none": 0.0, "innovative": 1.2, "provincial": 2.0, "national": 2.8}
#: Thresholds on the hidden utility for each stage after contact.
_STAGE_CUT = (6.3, 7.6, 8.6)  # visited, negotiating, signed
_STAGE_DAYS = (25.0, 40.0, 60.0, 90.0)  # mean days to the next stage
_SETTLE = 0.8  # chance that a signed lead settles


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return out


def expected_gain(utility: Any) -> np.ndarray:
    """The generator's expected gain of a contacted lead of hidden ``utility``, uncensored.

    A lead passes each stage after contact with probability ``sigmoid(utility - cut)`` and a
    signed lead settles with probability 0.8, so ``E[gain] = s1 + s1 s2 + s1 s2 s3 + 0.8 s1 s2
    s3``: what :func:`make_outcomes` (``return_truth=True``) reports as each pair's truth.

    >>> expected_gain([0.0, 8.0, 30.0]).round(3).tolist()
    [0.002, 1.675, 3.8]
    """
    u = np.asarray(utility, dtype=np.float64)
    s1, s2, s3 = (_sigmoid(u - cut) for cut in _STAGE_CUT)
    return s1 + s1 * s2 + s1 * s2 * s3 * (1.0 + _SETTLE)


@overload
def make_outcomes(
    parks: pd.DataFrame,
    enterprises: pd.DataFrame,
    *,
    random_state: int | np.random.Generator | None = None,
    contacts_per_park: tuple[int, int] = (50, 110),
    tool_share: float = 0.75,
    position_bias: float = 0.8,
    exploration: float = 0.0,
    exploration_depth: int = 20,
    start: str = "2022-01-01",
    end: str = "2024-12-31",
    return_truth: Literal[False] = False,
) -> pd.DataFrame: ...


@overload
def make_outcomes(
    parks: pd.DataFrame,
    enterprises: pd.DataFrame,
    *,
    random_state: int | np.random.Generator | None = None,
    contacts_per_park: tuple[int, int] = (50, 110),
    tool_share: float = 0.75,
    position_bias: float = 0.8,
    exploration: float = 0.0,
    exploration_depth: int = 20,
    start: str = "2022-01-01",
    end: str = "2024-12-31",
    return_truth: Literal[True],
) -> tuple[pd.DataFrame, pd.DataFrame]: ...


def make_outcomes(
    parks: pd.DataFrame,
    enterprises: pd.DataFrame,
    *,
    random_state: int | np.random.Generator | None = None,
    contacts_per_park: tuple[int, int] = (50, 110),
    tool_share: float = 0.75,
    position_bias: float = 0.8,
    exploration: float = 0.0,
    exploration_depth: int = 20,
    start: str = "2022-01-01",
    end: str = "2024-12-31",
    return_truth: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Draw a synthetic follow-up ledger for parks and enterprises.

    How the leads came about, and what the data therefore do and do not show:

    * **Position bias.** Each park's officers contacted ``contacts_per_park`` leads, a share
      ``tool_share`` of them from the *default* ranking, picked with a chance that falls with
      the rank as ``rank ** -position_bias``; the rest from their own network (leads they rate
      highly themselves). The ledger logs each lead's ``source``, ``shown_rank`` and
      ``scorer`` (``default``).
    * **Exploration** (``exploration > 0``): that share of the ranking picks came from pages
      whose top ``exploration_depth`` positions were shuffled uniformly; a pick from the
      shuffled block is logged with source 随机探索 and propensity ``1 / exploration_depth``.
    * **Hidden preferences that are not the default weights.** Whether a contacted lead moves on
      depends on a hidden utility that weighs the business fit in words (text) and 专精特新 and
      patents much more than the defaults do, distance much less, rewards a small or micro firm
      whose space need fits easily (an interaction the weighted sum cannot express), varies a
      little from park to park, and carries noise.
    * **Missing negatives.** Only contacted pairs appear; every other pair is an implicit
      negative whose outcome nobody knows.
    * **Censoring.** Contacts are spread over ``start``–``end``; a stage not reached by ``end``
      is not recorded, so late contacts look less advanced.

    Parameters
    ----------
    parks, enterprises : DataFrame
        Raw or validated tables.
    random_state : int, Generator or None, default=None
        Seed; the same seed and tables give the same ledger.
    contacts_per_park : (int, int), default=(50, 110)
        Range of the number of leads contacted per park.
    tool_share : float, default=0.75
        Share of the contacts picked from the default ranking.
    position_bias : float, default=0.8
        How steeply the chance of being contacted falls with the shown rank.
    exploration : float, default=0.0
        Share of the ranking picks made on exploration pages (0: none; the ledger is then the
        same as without this option).
    exploration_depth : int, default=20
        Positions shuffled on an exploration page.
    start, end : str, default="2022-01-01", "2024-12-31"
        Period of the ledger (ISO dates).
    return_truth : bool, default=False
        Also return the truth: every (park, enterprise) pair with its hidden ``utility``, the
        ``expected_gain`` of contacting it (:func:`expected_gain`, uncensored), ``p_visit``
        (the chance it reaches a visit), ``eligible`` and ``default_rank`` (its rank among the
        park's eligible enterprises under the default scorer, NaN when ineligible).

    Returns
    -------
    DataFrame, or (DataFrame, DataFrame) with ``return_truth=True``
        A raw sheet: ``park_id, enterprise_id, outcome`` (Chinese label), ``date`` (of the last
        status, ``YYYY-MM-DD``), ``first_contact``, ``stage_reached`` (Chinese label),
        ``source`` (Chinese label), ``shown_rank``, ``scorer`` and ``propensity`` (empty
        unless the source is exploration), every cell a string, sorted by date. Read it back
        with :func:`validate_outcomes`. The truth frame comes second.

    Examples
    --------
    >>> from matcher import load_sample
    >>> parks, enterprises = load_sample()
    >>> ledger = make_outcomes(parks, enterprises, random_state=1)
    >>> list(ledger.columns[:4])
    ['park_id', 'enterprise_id', 'outcome', 'date']
    >>> ledger.equals(make_outcomes(parks, enterprises, random_state=1))
    True
    >>> ledger, truth = make_outcomes(parks, enterprises, random_state=1, return_truth=True)
    >>> len(truth) == len(parks) * len(enterprises)
    True
    """
    rng = np.random.default_rng(random_state)
    if parks.attrs.get("parkmatch_schema") != "parks":
        parks = validate_parks(parks)
    if enterprises.attrs.get("parkmatch_schema") != "enterprises":
        enterprises = validate_enterprises(enterprises)
    lo, hi = contacts_per_park
    if not 0 < lo <= hi:
        raise ConfigError(f"contacts_per_park 应为 0 < 下限 ≤ 上限，得到 {contacts_per_park!r}")
    if not 0 <= tool_share <= 1:
        raise ConfigError(f"tool_share 应在 0 与 1 之间，得到 {tool_share!r}")
    if not 0 <= exploration <= 1:
        raise ConfigError(f"exploration 应在 0 与 1 之间，得到 {exploration!r}")
    if exploration_depth < 2:
        raise ConfigError(f"exploration_depth 应至少为 2，得到 {exploration_depth!r}")
    matcher = Matcher().fit(parks, enterprises)
    names = matcher.feature_names_
    col = {n: j for j, n in enumerate(names)}
    ents = matcher.enterprises_
    n_ent, n_park = len(ents), len(matcher.parks_)

    srdi_bonus = ents["srdi_level"].map(_HIDDEN_SRDI).fillna(0.3).to_numpy(dtype=float)
    patents = np.log1p(pd.to_numeric(ents["patents"], errors="coerce").to_numpy(dtype=float))
    patents = np.nan_to_num(patents, nan=0.4)
    high_tech = ents["high_tech"].astype("float64").fillna(0.1).to_numpy(dtype=float)
    small = ents["size_class"].isin(["small", "micro"]).to_numpy()
    need = pd.to_numeric(ents["space_need_sqm"], errors="coerce").to_numpy(dtype=float)
    firm = (
        srdi_bonus
        + _HIDDEN["patents"] * patents
        + _HIDDEN["high_tech"] * high_tech
        + rng.normal(0.0, _HIDDEN["noise"], n_ent)  # what officers see that the data do not
    )
    start_day = np.datetime64(start, "D")
    end_day = np.datetime64(end, "D")
    span = int((end_day - start_day).astype(int))
    records: list[tuple[Any, ...]] = []
    truth: list[tuple[np.ndarray, ...]] = []
    for p in range(n_park):
        rows = np.arange(n_ent)
        p_rows = np.full(n_ent, p)
        _, X = matcher.component_values(p_rows, rows)
        eligible = matcher.eligibility(p_rows, rows)
        default = matcher.scorer_.decision_function(X)
        free = float(matcher.parks_["available_sqm"].iloc[p])
        easy = np.where(np.isnan(need), 0.3, (need <= 0.1 * free).astype(float))
        tilt = rng.normal(0.0, _HIDDEN["park_spread"])
        utility = (
            _HIDDEN["industry"] * (1 - tilt) * X[:, col["industry"]]
            + _HIDDEN["text"] * (1 + tilt) * X[:, col["text"]]
            + _HIDDEN["location"] * X[:, col["location"]]
            + _HIDDEN["space_x_small"] * easy * small
            + firm
            + rng.normal(0.0, _HIDDEN["noise"], n_ent)  # the pair's own luck
        )
        candidates = np.flatnonzero(eligible)
        rank = np.full(n_ent, np.nan)
        order = candidates[np.lexsort((candidates, -default[candidates]))]
        rank[order] = np.arange(1, len(order) + 1)
        truth.append((np.full(n_ent, p), rows, utility, eligible, rank))
        if len(candidates) == 0:
            continue
        n_contacts = min(int(rng.integers(lo, hi + 1)), len(candidates))
        n_tool = round(tool_share * n_contacts)
        picks: list[tuple[int, str, int]] = []  # (enterprise row, source, shown rank)
        taken = np.zeros(n_ent, dtype=bool)
        if exploration > 0:  # drawn only when asked, so that a ledger without it is unchanged
            n_random = int(rng.binomial(n_tool, exploration))
            depth = min(exploration_depth, len(order))
            shown = rank.copy()
            shown[order[:depth]] = rng.permutation(depth) + 1
            log_w = -position_bias * np.log(shown[candidates])
            gumbel = rng.gumbel(size=len(candidates))
            for e in candidates[np.argsort(-(log_w + gumbel))[:n_random]]:
                source = "random" if shown[e] <= depth else "ranking"
                picks.append((int(e), source, int(shown[e])))
                taken[e] = True
            n_tool -= n_random
        # position bias: the default ranking, chance falling with rank (Gumbel top-k sampling)
        pool = candidates[~taken[candidates]]
        log_w = -position_bias * np.log(rank[pool])
        for e in pool[np.argsort(-(log_w + rng.gumbel(size=len(pool))))[:n_tool]]:
            picks.append((int(e), "ranking", int(rank[e])))
            taken[e] = True
        # their own network: leads the officers rate highly themselves
        rest = candidates[~taken[candidates]]
        own = rest[np.argsort(-(utility[rest] / 1.5 + rng.gumbel(size=len(rest))))]
        picks.extend((int(e), "own", 0) for e in own[: n_contacts - len(picks)])
        propensity = 1.0 / min(exploration_depth, len(order))
        for e, source, shown_rank in picks:
            story = _follow_up(rng, utility[e], start_day, span, end_day)
            records.append(
                (
                    p,
                    e,
                    *story,
                    source,
                    str(shown_rank) if shown_rank else "",
                    "" if source == "own" else "default",
                    f"{propensity:.6g}" if source == "random" else "",
                )
            )
    park_ids = matcher.parks_["park_id"].astype(str).to_numpy()
    ent_ids = ents["enterprise_id"].astype(str).to_numpy()
    frame = pd.DataFrame(
        records,
        columns=["park", "ent", "outcome", "stage", "first", "date", "source", "shown_rank",
                 "scorer", "propensity"],
    )  # fmt: skip
    frame = pd.DataFrame(
        {
            "park_id": park_ids[frame["park"].to_numpy(dtype=int)],
            "enterprise_id": ent_ids[frame["ent"].to_numpy(dtype=int)],
            "outcome": frame["outcome"].map(OUTCOME_LABELS),
            "date": frame["date"],
            "first_contact": frame["first"],
            "stage_reached": frame["stage"].map(OUTCOME_LABELS),
            "source": frame["source"].map(SOURCE_LABELS),
            "shown_rank": frame["shown_rank"],
            "scorer": frame["scorer"],
            "propensity": frame["propensity"],
        }
    )
    frame = frame.sort_values(["date", "park_id", "enterprise_id"], kind="stable")
    ledger = frame.reset_index(drop=True).astype(object)
    if not return_truth:
        return ledger
    p_all, e_all, u_all, ok_all, rank_all = (
        np.concatenate(parts) for parts in zip(*truth, strict=True)
    )
    u_all = u_all.astype(np.float64)
    truth_frame = pd.DataFrame(
        {
            "park_id": park_ids[p_all.astype(int)],
            "enterprise_id": ent_ids[e_all.astype(int)],
            "eligible": ok_all.astype(bool),
            "default_rank": rank_all,
            "utility": u_all,
            "expected_gain": expected_gain(u_all),
            "p_visit": _sigmoid(u_all - _STAGE_CUT[0]),
        }
    )
    return ledger, truth_frame


def _follow_up(
    rng: np.random.Generator,
    utility: float,
    start_day: np.datetime64,
    span: int,
    end_day: np.datetime64,
) -> tuple[str, str, str, str]:
    """One lead's story: contact, then each stage while the utility carries it and time allows.

    Returns the outcome, the furthest stage reached, the first contact date and the date of the
    last status.
    """
    first = day = start_day + np.timedelta64(int(rng.integers(0, span + 1)), "D")
    stage = 0  # contacted
    status = "contacted"
    for s, cut in enumerate(_STAGE_CUT, start=1):
        nxt = day + np.timedelta64(int(rng.exponential(_STAGE_DAYS[s - 1])) + 1, "D")
        if nxt > end_day:
            break  # not there yet when the ledger was exported
        if rng.random() >= float(_sigmoid(np.array(utility - cut))):
            ending = rng.random()
            if ending < 0.45:
                status = "declined"
                day = nxt
            elif ending < 0.65 and stage >= 1:
                status = "rejected"
                day = nxt
            break
        stage, status, day = s, STAGES[s], nxt
    else:
        nxt = day + np.timedelta64(int(rng.exponential(_STAGE_DAYS[3])) + 1, "D")
        if nxt <= end_day and rng.random() < _SETTLE:
            stage, status, day = 4, "settled", nxt
    return status, STAGES[stage], str(first), str(day)
