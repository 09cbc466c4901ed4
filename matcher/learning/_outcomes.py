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
office was shown (see :mod:`matcher.learning`); old ledgers without them stay valid:

=================  ==============  =========================================================
column             中文表头        meaning
=================  ==============  =========================================================
``first_contact``  首次联系日期    when the lead was first contacted (``date`` is its last
                                   status); the time split of :func:`~matcher.learning.evaluate` cuts
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

``gain`` is the graded relevance used by :mod:`matcher.learning`, taken from
``stage_reached`` when the ledger has it, else from ``outcome`` (:func:`ledger_gain`); pairs
that were never followed up are *implicit negatives* (gain 0): nobody knows how they would
have gone.

:func:`~matcher.datasets.make_outcomes` draws a synthetic ledger whose hidden preferences are **not** the default
weights (and can return those preferences: ``return_truth=True``);
:func:`~matcher.datasets.load_sample_outcomes` reads the bundled ``datasets/outcomes.csv`` drawn from the sample
data.

>>> from matcher.datasets import load_sample_outcomes
>>> outcomes = load_sample_outcomes()
>>> list(outcomes.columns[:4])
['park_id', 'enterprise_id', 'outcome', 'date']
>>> set(outcomes["outcome"]) <= set(OUTCOMES)
True
>>> sorted(outcomes["source"].unique())
['own', 'ranking']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import Problem, SchemaError
from ..io import (
    Column,
    check_known_ids,
    parse_cells,
    parse_date,
    read_table,
    validate_frame,
)
from ..text import normalize_text

__all__ = [
    "OUTCOMES",
    "OUTCOME_COLUMNS",
    "OUTCOME_GAIN",
    "OUTCOME_LABELS",
    "SOURCES",
    "SOURCE_LABELS",
    "STAGES",
    "ledger_gain",
    "load_outcomes",
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
    out, problems, header_of = validate_frame(frame, OUTCOME_COLUMNS, kind="tenants", file=file)
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
