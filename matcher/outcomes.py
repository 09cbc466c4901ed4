"""Outcomes: what became of the leads a park's officers followed up (招商跟进台账).

One row per (park, enterprise) pair that was followed up: ``park_id, enterprise_id, outcome,
date``. ``outcome`` is the furthest status the lead reached, or how it ended:

===========  ==========================  =====  ======================================
outcome      中文                        gain   meaning
===========  ==========================  =====  ======================================
contacted    已联系                      0      first contact made, nothing more yet
visited      已走访                      1      officers visited / the firm came to see
negotiating  洽谈中                      2      terms under negotiation
signed       已签约                      3      agreement signed
settled      已落地（已入驻）            4      the firm moved in
declined     企业拒绝（企业无意向）      0      the enterprise said no
rejected     园区否决                    0      the park turned the lead down
===========  ==========================  =====  ======================================

``gain`` is the graded relevance used by :mod:`matcher.evaluation`; pairs that were never
followed up are *implicit negatives* (gain 0): nobody knows how they would have gone.

:func:`make_outcomes` draws a synthetic ledger whose hidden preferences are **not** the default
weights; :func:`load_sample_outcomes` reads the bundled ``datasets/outcomes.csv`` drawn from the
sample data.

>>> outcomes = load_sample_outcomes()
>>> list(outcomes.columns[:4])
['park_id', 'enterprise_id', 'outcome', 'date']
>>> set(outcomes["outcome"]) <= set(OUTCOMES)
True
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .datasets import sample_dir
from .exceptions import ConfigError, SchemaError
from .io import read_table
from .schema import (
    Column,
    _validate,
    check_known_ids,
    parse_cells,
    validate_enterprises,
    validate_parks,
)
from .text import normalize_text

__all__ = [
    "OUTCOMES",
    "OUTCOME_COLUMNS",
    "OUTCOME_GAIN",
    "OUTCOME_LABELS",
    "load_outcomes",
    "load_sample_outcomes",
    "make_outcomes",
    "outcome_gain",
    "parse_outcome",
    "validate_outcomes",
]

#: Outcome values: the progress stages in order, then the two ways a lead ends badly.
OUTCOMES = ("contacted", "visited", "negotiating", "signed", "settled", "declined", "rejected")
#: Chinese label of each outcome (what :func:`make_outcomes` writes).
OUTCOME_LABELS = {
    "contacted": "已联系",
    "visited": "已走访",
    "negotiating": "洽谈中",
    "signed": "已签约",
    "settled": "已落地",
    "declined": "企业拒绝",
    "rejected": "园区否决",
}
#: Graded relevance of each outcome (a never-followed-up pair counts 0).
OUTCOME_GAIN = {
    "contacted": 0,
    "visited": 1,
    "negotiating": 2,
    "signed": 3,
    "settled": 4,
    "declined": 0,
    "rejected": 0,
}
_ALIASES = {
    "contacted": ("已联系", "联系", "已接触", "初步接触", "已对接", "对接中", "跟进中"),
    "visited": ("已走访", "走访", "已拜访", "已考察", "考察", "实地考察", "已来访"),
    "negotiating": ("洽谈中", "洽谈", "在谈", "谈判中", "商谈中", "已洽谈"),
    "signed": ("已签约", "签约", "已签订协议", "签订协议"),
    "settled": ("已落地", "落地", "已入驻", "入驻", "已投产", "已开工"),
    "declined": ("企业拒绝", "企业无意向", "无意向", "拒绝", "企业放弃", "放弃"),
    "rejected": ("园区否决", "否决", "未通过评审", "未通过", "不予引进", "园区拒绝"),
}
_OUTCOME_OF = {
    key: name for name, keys in _ALIASES.items() for key in (name, OUTCOME_LABELS[name], *keys)
}

#: Columns of an outcomes table (header aliases as for the other tables).
OUTCOME_COLUMNS: tuple[Column, ...] = (
    Column("park_id", "id", "园区编号", ("园区id", "园区代码"), True),
    Column("enterprise_id", "id", "企业编号", ("企业id", "企业代码"), True),
    Column(
        "outcome",
        "text",
        "跟进结果",
        ("结果", "跟进状态", "状态", "进展", "进度", "招商进展", "status"),
        True,
        "contacted / visited / negotiating / signed / settled / declined / rejected",
    ),
    Column("date", "text", "日期", ("跟进日期", "结果日期", "更新日期", "时间", "日期时间")),
)

_EXPECTED_OUTCOME = (
    "已联系 / 已走访 / 洽谈中 / 已签约 / 已落地 / 企业拒绝 / 园区否决"
    "（或 contacted/visited/negotiating/signed/settled/declined/rejected）"
)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_outcome(raw: object) -> str:
    """Parse an outcome written in English or Chinese (繁體 and full width too).

    >>> [parse_outcome(v) for v in ("已走访", "Signed", "已入駐", "企业无意向")]
    ['visited', 'signed', 'settled', 'declined']
    """
    text = (normalize_text(raw) or "").lower().replace(" ", "")
    try:
        return _OUTCOME_OF[text]
    except KeyError:
        raise ValueError(_EXPECTED_OUTCOME) from None


def parse_date(raw: object) -> dt.date:
    """Parse ``2023-05-12``, ``2023/5/12``, ``2023.5.12``, ``2023年5月12日`` or ``20230512``.

    A time part after the date (as Excel writes it) is ignored.

    >>> parse_date("2023年5月12日"), parse_date("２０２３/05/12 00:00:00")
    (datetime.date(2023, 5, 12), datetime.date(2023, 5, 12))
    """
    text = normalize_text(raw) or ""
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        raise ValueError("日期，如 2023-05-12、2023/5/12 或 2023年5月12日")
    year, month, day = (int(g) for g in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise ValueError("存在的日期（年月日不合法）") from None
    if not 1949 <= year <= 2100:
        raise ValueError("1949 到 2100 年之间的日期")
    return date


def outcome_gain(outcomes: pd.Series | list[str]) -> np.ndarray:
    """Graded relevance (:data:`OUTCOME_GAIN`) of canonical outcome values, as int array.

    >>> outcome_gain(["contacted", "visited", "settled", "declined"]).tolist()
    [0, 1, 4, 0]
    """
    return np.array([OUTCOME_GAIN[str(o)] for o in outcomes], dtype=np.int64)


def validate_outcomes(
    frame: pd.DataFrame,
    *,
    file: str | None = None,
    parks: pd.DataFrame | None = None,
    enterprises: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Validate and normalise an outcomes table (see :data:`OUTCOME_COLUMNS`).

    Parameters
    ----------
    frame : DataFrame
        Raw table with English or Chinese headers.
    file : str, optional
        The file name to name in problems.
    parks, enterprises : DataFrame, optional
        When given, every ``park_id`` / ``enterprise_id`` must be one of theirs.

    Returns
    -------
    DataFrame
        ``park_id, enterprise_id, outcome`` (canonical English value), ``date``
        (``datetime64``, NaT where not given), then any extra columns unchanged.

    Raises
    ------
    SchemaError
        Listing every problem: missing columns, unknown outcomes, bad dates, unknown ids, and a
        pair listed twice (one row per pair: its furthest status).

    Examples
    --------
    >>> raw = pd.DataFrame({"园区编号": ["P1"], "企业编号": ["E1"], "跟进结果": ["已签約"],
    ...                     "日期": ["2023/5/12"]})
    >>> validate_outcomes(raw)[["outcome", "date"]].iloc[0].tolist()
    ['signed', Timestamp('2023-05-12 00:00:00')]
    """
    # kind="tenants": a row is unique by its (park_id, enterprise_id) pair, as a ledger's is
    out, problems, header_of = _validate(frame, OUTCOME_COLUMNS, kind="tenants", file=file)
    parsers = (("outcome", parse_outcome), ("date", parse_date))
    parsed = parse_cells(out, parsers, header_of, problems, file=file)
    check_known_ids(out, "park_id", parks, "园区表", header_of, problems, file=file)
    check_known_ids(out, "enterprise_id", enterprises, "企业表", header_of, problems, file=file)
    if problems:
        raise SchemaError(problems, file=file)
    out["outcome"] = pd.Series(parsed["outcome"], index=out.index, dtype=object)
    out["date"] = pd.to_datetime(pd.Series(parsed["date"], index=out.index, dtype=object))
    canonical = [c.name for c in OUTCOME_COLUMNS]
    result = out[[*canonical, *[c for c in out.columns if c not in canonical]]]
    result.attrs["parkmatch_schema"] = "outcomes"
    return result


def load_outcomes(
    path: str | Path,
    *,
    sheet: str | int = 0,
    parks: pd.DataFrame | None = None,
    enterprises: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Read and validate an outcomes file (CSV in UTF-8/GB18030, XLSX or Parquet).

    Raises
    ------
    SchemaError
        When the file cannot be read or any row breaks the schema; nothing is loaded then.
    """
    return validate_outcomes(
        read_table(path, sheet=sheet), file=Path(path).name, parks=parks, enterprises=enterprises
    )


def load_sample_outcomes() -> pd.DataFrame:
    """The bundled ``outcomes.csv`` drawn from the sample data, validated.

    It was written by ``make_outcomes(*load_sample(), random_state=2022)``; the ids match
    :func:`~matcher.load_sample`.
    """
    return load_outcomes(sample_dir() / "outcomes.csv")


# ============================================================================ the generator
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


def _sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return out


def make_outcomes(
    parks: pd.DataFrame,
    enterprises: pd.DataFrame,
    *,
    random_state: int | np.random.Generator | None = None,
    contacts_per_park: tuple[int, int] = (50, 110),
    tool_share: float = 0.75,
    position_bias: float = 0.8,
    start: str = "2022-01-01",
    end: str = "2024-12-31",
) -> pd.DataFrame:
    """Draw a synthetic follow-up ledger for parks and enterprises.

    How the leads came about, and what the data therefore do and do not show:

    * **Position bias.** Each park's officers contacted ``contacts_per_park`` leads, a share
      ``tool_share`` of them from the *default* ranking, picked with a chance that falls with
      the rank as ``rank ** -position_bias``; the rest from their own network (leads they rate
      highly themselves).
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
        How steeply the chance of being contacted falls with the default rank.
    start, end : str, default="2022-01-01", "2024-12-31"
        Period of the ledger (ISO dates).

    Returns
    -------
    DataFrame
        A raw sheet: ``park_id, enterprise_id, outcome`` (Chinese label) and ``date``
        (``YYYY-MM-DD``), every cell a string, sorted by date. Read it back with
        :func:`validate_outcomes`.

    Examples
    --------
    >>> from matcher import load_sample
    >>> parks, enterprises = load_sample()
    >>> ledger = make_outcomes(parks, enterprises, random_state=1)
    >>> list(ledger.columns)
    ['park_id', 'enterprise_id', 'outcome', 'date']
    >>> ledger.equals(make_outcomes(parks, enterprises, random_state=1))
    True
    """
    from .model import Matcher  # the generator ranks with the default matcher

    rng = np.random.default_rng(random_state)
    if parks.attrs.get("parkmatch_schema") != "parks":
        parks = validate_parks(parks)
    if enterprises.attrs.get("parkmatch_schema") != "enterprises":
        enterprises = validate_enterprises(enterprises)
    matcher = Matcher().fit(parks, enterprises)
    names = matcher.feature_names_
    col = {n: j for j, n in enumerate(names)}
    ents = matcher.enterprises_
    n_ent, n_park = len(ents), len(matcher.parks_)
    lo, hi = contacts_per_park
    if not 0 < lo <= hi:
        raise ConfigError(f"contacts_per_park 应为 0 < 下限 ≤ 上限，得到 {contacts_per_park!r}")
    if not 0 <= tool_share <= 1:
        raise ConfigError(f"tool_share 应在 0 与 1 之间，得到 {tool_share!r}")

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
    records: list[tuple[int, int, str, str]] = []
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
        if len(candidates) == 0:
            continue
        n_contacts = min(int(rng.integers(lo, hi + 1)), len(candidates))
        # position bias: the default ranking, chance falling with rank (Gumbel top-k sampling)
        order = candidates[np.lexsort((candidates, -default[candidates]))]
        rank = np.empty(n_ent)
        rank[order] = np.arange(1, len(order) + 1)
        n_tool = round(tool_share * n_contacts)
        log_w = -position_bias * np.log(rank[candidates])
        pick = candidates[np.argsort(-(log_w + rng.gumbel(size=len(candidates))))[:n_tool]]
        # their own network: leads the officers rate highly themselves
        rest = np.setdiff1d(candidates, pick)
        own = rest[np.argsort(-(utility[rest] / 1.5 + rng.gumbel(size=len(rest))))]
        pick = np.concatenate([pick, own[: n_contacts - n_tool]])
        for e in pick:
            records.append(_follow_up(rng, utility[e], start_day, span, end_day, p, int(e)))
    park_ids = matcher.parks_["park_id"].astype(str).to_numpy()
    ent_ids = ents["enterprise_id"].astype(str).to_numpy()
    frame = pd.DataFrame(records, columns=["park", "ent", "outcome", "date"])
    frame = pd.DataFrame(
        {
            "park_id": park_ids[frame["park"].to_numpy(dtype=int)],
            "enterprise_id": ent_ids[frame["ent"].to_numpy(dtype=int)],
            "outcome": frame["outcome"].map(OUTCOME_LABELS),
            "date": frame["date"],
        }
    )
    frame = frame.sort_values(["date", "park_id", "enterprise_id"], kind="stable")
    return frame.reset_index(drop=True).astype(object)


def _follow_up(
    rng: np.random.Generator,
    utility: float,
    start_day: np.datetime64,
    span: int,
    end_day: np.datetime64,
    park: int,
    ent: int,
) -> tuple[int, int, str, str]:
    """One lead's story: contact, then each stage while the utility carries it and time allows."""
    day = start_day + np.timedelta64(int(rng.integers(0, span + 1)), "D")
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
        stage, status, day = s, ("visited", "negotiating", "signed")[s - 1], nxt
    else:
        nxt = day + np.timedelta64(int(rng.exponential(_STAGE_DAYS[3])) + 1, "D")
        if nxt <= end_day and rng.random() < 0.8:
            status, day = "settled", nxt
    return park, ent, status, str(day)
