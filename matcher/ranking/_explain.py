"""Explanations: the scorer's own arithmetic for one pair, and the reasons in Chinese.

:class:`Explanation` holds ``baseline + Σ contributions == score``; the reasons start with the
eligibility verdict, then one sentence per family, largest contribution first.
:func:`explain_two_sided` splits a two-sided (reciprocal) score into its park side and its
enterprise side.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ConfigError
from ..features import FeatureFamily, broadcast_pairs
from ..index import CONFIDENT, MatchIndex, gc_paused
from ..reference import taxonomy
from ..scoring import MEAN_LABELS, ReciprocalScorer
from ._score import component_values, eligibility, traders

__all__ = [
    "PAUSE_GC_ROWS",
    "Explanation",
    "TwoSidedExplanation",
    "eligibility_reasons",
    "explain_pair",
    "explain_two_sided",
    "page_eligibility_reasons",
    "page_reasons",
    "pair_reasons",
]


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


def eligibility_reasons(index: MatchIndex, park: int, ent: int) -> list[str]:
    """Why a pair breaks a hard constraint (empty when it breaks none), or a warning to check
    an industry the scope suggests with little confidence."""
    return page_eligibility_reasons(index, np.array([park]), np.array([ent]))[0]


def page_eligibility_reasons(index: MatchIndex, parks: Any, ents: Any) -> list[list[str]]:
    """:func:`eligibility_reasons` of every pair of broadcast rows ``parks`` and ``ents`` at
    once: the banned-code, trading and space tests are array operations over the pairs, and only
    the pairs under a park's rule look for its words."""
    p, e = broadcast_pairs(parks, ents)
    E, P = index.enterprises, index.parks
    codes = taxonomy.get_taxonomy().codes
    declared_leaf, inferred_leaf = E.declared_leaf[e], E.inferred_leaf[e]
    one = len(p) > 0 and bool(np.all(p == p[0]))
    hit = []  # at or below a rule's code, per code id
    for table in (P.excl_hit, P.refused_hit):
        if one:
            hit.append(table[p[0]][declared_leaf] | table[p[0]][inferred_leaf])
        else:
            hit.append(table[p, declared_leaf] | table[p, inferred_leaf])
    ruled = (hit[0] | hit[1]).tolist()
    trading = (P.refuse_trade[p] & traders(index, e)).tolist()
    need, free = E.space[e], P.available[p]
    over = (need > free).tolist()
    need, free = need.tolist(), free.tolist()
    out: list[list[str]] = []
    for r, (park, ent) in enumerate(zip(p.tolist(), e.tolist(), strict=True)):
        reasons: list[str] = []
        if ruled[r]:  # else neither code lies under any rule: the loop would say nothing
            declared = E.declared_at(ent)
            raw_leaf = int(inferred_leaf[r])
            inferred = None if raw_leaf < 0 else codes[raw_leaf]
            conf = float(E.inferred_conf[ent])
            rules = [
                (f"「{c} {taxonomy.code_name(c)}」", c, "禁止入驻行业") for c in P.excluded[park]
            ]
            rules += [(f"「{w}」", c, "产业定位写明不予引进的") for w, c in P.refused[park]]
            for label, rule_code, kind in rules:
                if declared is not None and taxonomy.code_similarity(declared, rule_code)[0] >= 1.0:
                    reasons.append(f"不符合入驻条件：所属行业属于园区{kind}{label}")
                    break
                if inferred is not None and taxonomy.code_similarity(inferred, rule_code)[0] >= 1.0:
                    name = f"「{inferred} {taxonomy.code_name(inferred)}」"
                    if conf >= CONFIDENT:
                        reasons.append(
                            f"不符合入驻条件（请核实）：据经营范围判断主营{name}（置信度 {conf:.0%}），"
                            f"属于园区{kind}{label}"
                        )
                    else:
                        reasons.append(
                            f"注意：经营范围显示可能从事{name}（置信度 {conf:.0%}），"
                            f"属于园区{kind}{label}，请核实"
                        )
                    break
        if trading[r]:
            reasons.append("不符合入驻条件：园区不接受单纯贸易类企业，该企业经营范围以销售为主")
        if over[r]:
            reasons.append(
                f"不符合入驻条件：需求面积 {need[r]:,.0f} 平方米超过园区可用面积 "
                f"{free[r]:,.0f} 平方米"
            )
        out.append(reasons)
    return out


def pair_reasons(
    index: MatchIndex,
    families: Sequence[FeatureFamily],
    park: int,
    ent: int,
    raw: np.ndarray,
    contrib: np.ndarray,
) -> list[str]:
    """The eligibility verdict, then each family's reason, largest contribution first."""
    return page_reasons(
        index, families, np.array([park]), np.array([ent]), raw[None, :], contrib[None, :]
    )[0]


#: Pairs from which :func:`page_reasons` pauses the cyclic garbage collector. The reasons of
#: many rows make hundreds of thousands of lists and strings without cycles, and a fit leaves
#: a million or more objects in the parsers' caches (30,000 registry rows: 1.2 M), which a
#: full collection then traces (1.2-1.5 s, every few whole rankings of those rows). Pages of a
#: few rows never pause it.
PAUSE_GC_ROWS = 1_000


def page_reasons(
    index: MatchIndex,
    families: Sequence[FeatureFamily],
    parks: np.ndarray,
    ents: np.ndarray,
    raw: np.ndarray,
    contrib: np.ndarray,
) -> list[list[str]]:
    """:func:`pair_reasons` of aligned pairs ``(parks[i], ents[i])`` with their component
    values ``raw`` and contributions ``contrib`` (rows × families): each family's
    :meth:`~matcher.features.FeatureFamily.reasons` once over every pair, then each row's
    sentences ordered by its contributions.

    From :data:`PAUSE_GC_ROWS` pairs on, the cyclic garbage collector pauses meanwhile (see
    there)."""
    long = len(parks) >= PAUSE_GC_ROWS
    with gc_paused() if long else contextlib.nullcontext():
        out = page_eligibility_reasons(index, parks, ents)
        if not len(out):
            return out
        said = [
            [f"{fam.label}：{text}" for text in fam.reasons(index, parks, ents, raw[:, j])]
            for j, fam in enumerate(families)
        ]
        orders = np.argsort(-np.asarray(contrib), axis=1, kind="stable").tolist()
        for r, reasons in enumerate(out):
            reasons.extend(said[j][r] for j in orders[r])
        return out


def explain_pair(
    index: MatchIndex,
    families: Sequence[FeatureFamily],
    scorer: Any,
    park: int,
    ent: int,
    coef: np.ndarray | None = None,
) -> Explanation:
    """The :class:`Explanation` of one pair (rows of ``index``) under ``scorer`` with the
    coefficients ``coef`` (None: the scorer's own)."""
    p, e = np.array([park]), np.array([ent])
    raw, filled = component_values(index, families, p, e)
    contrib = np.asarray(scorer.contributions(filled, coef), dtype=np.float64)[0]
    baseline = float(scorer.baseline)
    names = [f.name for f in families]
    if coef is not None:
        shown = coef / float(getattr(scorer, "scale", 1.0))
    else:
        shown = np.asarray(getattr(scorer, "coef_", np.full(len(names), np.nan)))
    return Explanation(
        park_id=str(index.parks.ids[park]),
        enterprise_id=str(index.enterprises.ids[ent]),
        score=baseline + float(contrib.sum()),
        eligible=bool(eligibility(index, p, e)[0]),
        baseline=baseline,
        contributions={n: float(c) for n, c in zip(names, contrib, strict=True)},
        values={n: (None if np.isnan(v) else float(v)) for n, v in zip(names, raw[0], strict=True)},
        weights={n: float(w) for n, w in zip(names, np.ravel(shown), strict=True)},
        reasons=pair_reasons(index, families, park, ent, raw[0], contrib),
    )


@dataclass
class TwoSidedExplanation:
    """A pair's score explained from both sides.

    ``score == combine(park_score, enterprise_score)`` and equals the matcher's score;
    ``reasons`` are grouped 园区视角 first, then 企业视角, each family's reason prefixed.
    """

    park_id: str
    enterprise_id: str
    score: float
    park_score: float
    enterprise_score: float
    mean: str
    eligible: bool
    contributions: dict[str, float]
    sides: dict[str, str]
    reasons: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per family: side (park/enterprise) and contribution."""
        return pd.DataFrame(
            {
                "family": list(self.contributions),
                "side": [self.sides[f] for f in self.contributions],
                "contribution": list(self.contributions.values()),
            }
        )

    def __str__(self) -> str:
        head = (
            f"{self.park_id} × {self.enterprise_id}: {self.score:.1f} 分"
            f"（{MEAN_LABELS[self.mean]}：园区视角 {self.park_score:.1f}，"
            f"企业视角 {self.enterprise_score:.1f}）"
        )
        return "\n".join([head, *(f"  - {r}" for r in self.reasons)])


def explain_two_sided(
    matcher: Any,
    park_id: str,
    enterprise_id: str,
    *,
    weights: Mapping[str, float] | None = None,
) -> TwoSidedExplanation:
    """Explain a pair scored by a matcher with a :class:`~matcher.scoring.ReciprocalScorer`
    from both sides.

    Raises
    ------
    ConfigError
        When the matcher's scorer is not a :class:`~matcher.scoring.ReciprocalScorer`.
    """
    index = matcher.check_fitted()
    scorer = matcher.scorer_
    if not isinstance(scorer, ReciprocalScorer):
        raise ConfigError("双向解释需要使用 ReciprocalScorer 的 Matcher")
    base = matcher.explain(park_id, enterprise_id, weights=weights)
    names = list(matcher.feature_names_)
    park, ent = index.park_row(park_id), index.enterprise_row(enterprise_id)
    _, filled = component_values(index, matcher.families_, np.array([park]), np.array([ent]))
    coef = matcher.park_coef(park, weights)
    s_park, s_ent = scorer.side_scores(filled, coef)
    sides = {
        n: ("enterprise" if m else "park")
        for n, m in zip(names, scorer.enterprise_mask_, strict=True)
    }
    labels = {f.label: f.name for f in matcher.families_}
    weaker = "企业视角" if s_ent[0] < s_park[0] else "园区视角"
    summary = (
        f"{MEAN_LABELS[scorer.mean]}：园区视角 {s_park[0]:.1f} 分，企业视角 {s_ent[0]:.1f} 分"
        + ("" if abs(s_park[0] - s_ent[0]) < 1e-9 else f"，短板在{weaker}")
    )
    park_reasons, ent_reasons, other = [], [], []
    for reason in base.reasons:
        label = reason.split("：", 1)[0]
        fam = labels.get(label)
        if fam is None:
            other.append(reason)
        elif sides[fam] == "enterprise":
            ent_reasons.append(f"企业视角·{reason}")
        else:
            park_reasons.append(f"园区视角·{reason}")
    return TwoSidedExplanation(
        park_id=str(park_id),
        enterprise_id=str(enterprise_id),
        score=base.score,
        park_score=float(s_park[0]),
        enterprise_score=float(s_ent[0]),
        mean=scorer.mean,
        eligible=base.eligible,
        contributions=base.contributions,
        sides=sides,
        reasons=[*other, summary, *park_reasons, *ent_reasons],
    )
