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

Optional columns say how the lead came about, so that an evaluation can correct for what the
office was shown (see :mod:`matcher.evaluation`); old ledgers without them stay valid:

=================  ==============  =========================================================
column             中文表头        meaning
=================  ==============  =========================================================
``first_contact``  首次联系日期    when the lead was first contacted (``date`` is its last
                                   status); the time split of :func:`~matcher.evaluate` cuts
                                   on it
``stage_reached``  最远进展        the furthest progress stage (已联系 … 已落地), separate
                                   from how the lead ended: a visited lead later declined
                                   did reach a visit
``source``         线索来源        ``ranking`` 系统推荐 (picked from a ranking page), ``own``
                                   自有渠道 (the officers' own network), ``random`` 随机探索
                                   (an exploration page with shuffled positions)
``shown_rank``     展示名次        the position at which the lead was shown (empty when it did
                                   not come from a ranking)
``scorer``         排序模型        the model / scorer that ranked it (``default`` …)
``propensity``     展示概率        for ``random`` rows: the probability that the shuffle put
                                   the lead at ``shown_rank`` (e.g. 1/20)
=================  ==============  =========================================================

``gain`` is the graded relevance used by :mod:`matcher.evaluation`, taken from
``stage_reached`` when the ledger has it, else from ``outcome`` (:func:`ledger_gain`); pairs
that were never followed up are *implicit negatives* (gain 0): nobody knows how they would
have gone.

:func:`make_outcomes` draws a synthetic ledger whose hidden preferences are **not** the default
weights (and can return those preferences: ``return_truth=True``);
:func:`load_sample_outcomes` reads the bundled ``datasets/outcomes.csv`` drawn from the sample
data.

>>> outcomes = load_sample_outcomes()
>>> list(outcomes.columns[:4])
['park_id', 'enterprise_id', 'outcome', 'date']
>>> set(outcomes["outcome"]) <= set(OUTCOMES)
True
>>> sorted(outcomes["source"].unique())
['own', 'ranking']
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from .datasets import sample_dir
from .exceptions import ConfigError, Problem, SchemaError
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
    "SOURCES",
    "SOURCE_LABELS",
    "STAGES",
    "expected_gain",
    "ledger_gain",
    "load_outcomes",
    "load_sample_outcomes",
    "make_outcomes",
    "outcome_gain",
    "parse_outcome",
    "parse_source",
    "parse_stage",
    "validate_outcomes",
]

#: Outcome values: the progress stages in order, then the two ways a lead ends badly.
OUTCOMES = ("contacted", "visited", "negotiating", "signed", "settled", "declined", "rejected")
#: The progress stages, in order (what ``stage_reached`` takes).
STAGES = OUTCOMES[:5]
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

#: Where a lead came from: a ranking page, the officers' own network, an exploration page.
SOURCES = ("ranking", "own", "random")
#: Chinese label of each source (what :func:`make_outcomes` writes).
SOURCE_LABELS = {"ranking": "系统推荐", "own": "自有渠道", "random": "随机探索"}
_SOURCE_ALIASES = {
    "ranking": ("系统推荐", "推荐", "排名推荐", "模型推荐", "平台推荐", "系统"),
    "own": ("自有渠道", "自有", "自行发掘", "自主发掘", "干部推荐", "人脉", "其他渠道", "own"),
    "random": ("随机探索", "随机", "探索", "exploration"),
}
_SOURCE_OF = {key: name for name, keys in _SOURCE_ALIASES.items() for key in (name, *keys)}

#: Columns of an outcomes table (header aliases as for the other tables); all but the first
#: three are optional.
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
    Column(
        "first_contact",
        "text",
        "首次联系日期",
        ("首次联系", "联系日期", "首次接触日期", "首次对接日期"),
        doc="date of the first contact",
    ),
    Column(
        "stage_reached",
        "text",
        "最远进展",
        ("最远阶段", "最高进展", "最高阶段", "到达阶段", "stage"),
        doc="contacted / visited / negotiating / signed / settled",
    ),
    Column(
        "source", "text", "线索来源", ("来源", "线索渠道", "渠道"), doc="ranking / own / random"
    ),
    Column(
        "shown_rank",
        "text",
        "展示名次",
        ("推荐名次", "展示位置", "名次", "rank"),
        doc="position shown at, integer ≥ 1",
    ),
    Column("scorer", "text", "排序模型", ("评分模型", "模型", "model"), doc="model id"),
    Column(
        "propensity",
        "text",
        "展示概率",
        ("倾向概率", "倾向分"),
        doc="probability of being shown at shown_rank, in (0, 1]",
    ),
)

_EXPECTED_OUTCOME = (
    "已联系 / 已走访 / 洽谈中 / 已签约 / 已落地 / 企业拒绝 / 园区否决"
    "（或 contacted/visited/negotiating/signed/settled/declined/rejected）"
)
_EXPECTED_STAGE = (
    "已联系 / 已走访 / 洽谈中 / 已签约 / 已落地（或 contacted/visited/negotiating/signed/settled）"
)
_EXPECTED_SOURCE = "系统推荐 / 自有渠道 / 随机探索（或 ranking/own/random）"
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


def parse_stage(raw: object) -> str:
    """Parse a progress stage (an outcome that is not an ending).

    >>> [parse_stage(v) for v in ("已走访", "settled", "洽談中")]
    ['visited', 'settled', 'negotiating']
    """
    try:
        stage = parse_outcome(raw)
    except ValueError:
        raise ValueError(_EXPECTED_STAGE) from None
    if stage not in STAGES:
        raise ValueError(_EXPECTED_STAGE)
    return stage


def parse_source(raw: object) -> str:
    """Parse a lead source: ranking 系统推荐, own 自有渠道 or random 随机探索.

    >>> [parse_source(v) for v in ("系统推荐", "Own", "随机探索")]
    ['ranking', 'own', 'random']
    """
    text = (normalize_text(raw) or "").lower().replace(" ", "")
    try:
        return _SOURCE_OF[text]
    except KeyError:
        raise ValueError(_EXPECTED_SOURCE) from None


def _parse_rank(raw: object) -> int:
    text = (normalize_text(raw) or "").replace(",", "")
    try:
        value = float(text)
    except ValueError:
        raise ValueError("正整数名次（1 为第一名）") from None
    if not value.is_integer() or value < 1 or value > 1e9:
        raise ValueError("正整数名次（1 为第一名）")
    return int(value)


def _parse_propensity(raw: object) -> float:
    text = normalize_text(raw) or ""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ValueError("0 到 1 之间的概率（大于 0），如 0.05 或 5%") from None
    if not 0 < value <= 1:
        raise ValueError("0 到 1 之间的概率（大于 0），如 0.05 或 5%")
    return value


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


def ledger_gain(outcomes: pd.DataFrame) -> np.ndarray:
    """Graded relevance of each row of a validated ledger: its ``stage_reached`` when given,
    else its ``outcome`` (a lead visited and later declined counts as a visit).

    >>> ledger = validate_outcomes(pd.DataFrame({"park_id": ["P1", "P1"],
    ...     "enterprise_id": ["E1", "E2"], "outcome": ["企业拒绝", "企业拒绝"],
    ...     "stage_reached": ["已走访", None]}))
    >>> ledger_gain(ledger).tolist()
    [1, 0]
    """
    stage = outcomes["stage_reached"] if "stage_reached" in outcomes else None
    chosen = (
        outcomes["outcome"] if stage is None else stage.where(stage.notna(), outcomes["outcome"])
    )
    return outcome_gain(chosen.astype(str))


def _check_rows(out: pd.DataFrame, header_of: dict[str, str], file: str | None) -> list[Problem]:
    """Problems across the columns of a row: contradictions between the optional columns."""
    problems: list[Problem] = []
    rows = np.arange(len(out)) + 2

    def problem(i: int, col: str, message: str, expected: str) -> None:
        raw = out[col].iat[i]
        problems.append(
            Problem(
                column=header_of.get(col, col),
                row=int(rows[i]),
                value=None if raw is None else str(raw),
                message=message,
                expected=expected,
                file=file,
            )
        )

    rank = {s: i for i, s in enumerate(STAGES)}
    for i in range(len(out)):
        outcome, stage = out["outcome"].iat[i], out["stage_reached"].iat[i]
        if outcome in rank and stage in rank and rank[stage] < rank[outcome]:
            problem(
                i, "stage_reached", "最远进展早于跟进结果", f"不早于「{OUTCOME_LABELS[outcome]}」"
            )
        source, shown, prop = (
            out["source"].iat[i],
            out["shown_rank"].iat[i],
            out["propensity"].iat[i],
        )
        if source == "own" and shown is not None:
            problem(i, "shown_rank", "自有渠道的线索不应有展示名次", "留空，或把来源改为系统推荐")
        if source == "random" and (shown is None or prop is None):
            missing = "shown_rank" if shown is None else "propensity"
            problem(i, missing, "随机探索的线索需要展示名次和展示概率", "非空的值")
        if prop is not None and source != "random" and source is not None:
            if prop < 1:
                problem(i, "propensity", "只有随机探索的线索有小于 1 的展示概率", "留空或 1")
        first, last = out["first_contact"].iat[i], out["date"].iat[i]
        if first is not None and last is not None and first > last:
            problem(i, "first_contact", "首次联系日期晚于结果日期", f"不晚于 {last}")
    return problems


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
        (``datetime64``, NaT where not given), ``first_contact`` (``datetime64``),
        ``stage_reached`` and ``source`` (canonical values or None), ``shown_rank``
        (``Int64``), ``scorer`` (str or None), ``propensity`` (float, NaN where not given),
        then any extra columns unchanged. A ledger without the optional columns gets them
        empty.

    Raises
    ------
    SchemaError
        Listing every problem: missing columns, unknown outcomes, stages or sources, bad dates,
        ranks or probabilities, unknown ids, contradictions within a row (a stage reached
        before the outcome, an own-network lead with a shown rank, an exploration lead without
        its propensity, a first contact after the last status), and a pair listed twice (one
        row per pair: its furthest status).

    Examples
    --------
    >>> raw = pd.DataFrame({"园区编号": ["P1"], "企业编号": ["E1"], "跟进结果": ["已签約"],
    ...                     "日期": ["2023/5/12"], "展示名次": ["3"], "线索来源": ["系统推荐"]})
    >>> row = validate_outcomes(raw).iloc[0]
    >>> row["outcome"], row["date"], int(row["shown_rank"]), row["source"]
    ('signed', Timestamp('2023-05-12 00:00:00'), 3, 'ranking')
    """
    # kind="tenants": a row is unique by its (park_id, enterprise_id) pair, as a ledger's is
    out, problems, header_of = _validate(frame, OUTCOME_COLUMNS, kind="tenants", file=file)
    parsers: tuple[tuple[str, Any], ...] = (
        ("outcome", parse_outcome),
        ("date", parse_date),
        ("first_contact", parse_date),
        ("stage_reached", parse_stage),
        ("source", parse_source),
        ("shown_rank", _parse_rank),
        ("propensity", _parse_propensity),
    )
    parsed = parse_cells(out, parsers, header_of, problems, file=file)
    check_known_ids(out, "park_id", parks, "园区表", header_of, problems, file=file)
    check_known_ids(out, "enterprise_id", enterprises, "企业表", header_of, problems, file=file)
    checked = pd.DataFrame({col: pd.Series(v, dtype=object) for col, v in parsed.items()})
    problems.extend(_check_rows(checked, header_of, file))
    if problems:
        raise SchemaError(problems, file=file)
    for col in ("outcome", "stage_reached", "source"):
        out[col] = pd.Series(parsed[col], index=out.index, dtype=object)
    for col in ("date", "first_contact"):
        out[col] = pd.to_datetime(pd.Series(parsed[col], index=out.index, dtype=object))
    out["shown_rank"] = pd.array(parsed["shown_rank"], dtype="Int64")
    out["propensity"] = pd.Series(parsed["propensity"], index=out.index, dtype="float64")
    out["scorer"] = out["scorer"].astype(object)
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
    from .model import Matcher  # the generator ranks with the default matcher

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
