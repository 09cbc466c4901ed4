"""招商时机: a park's leads ordered by who is most likely choosing a location now.

The events behind it (financing, land, expansion, relocation, lease expiry …) are an input table
read by :func:`matcher.load_events` (:mod:`matcher.io`); the matcher turns them into the
``signal`` component (:class:`~matcher.features.SignalFeature`) when fitted with
``fit(..., events=...)``. :func:`timing_leads` re-orders a park's ranking by that component.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .exceptions import ConfigError

__all__ = ["timing_leads"]


def timing_leads(
    matcher: Any, park_id: str, *, k: int | None = 20, min_score: float | None = None
) -> pd.DataFrame:
    """A park's leads ordered by 招商时机: who is most likely choosing a location now.

    Parameters
    ----------
    matcher : Matcher
        A matcher fitted with a :class:`~matcher.features.SignalFeature` (``fit(..., events=...)``).
    park_id : str
    k : int or None, default=20
        How many rows to return.
    min_score : float, default=None
        Only enterprises whose fit score is at least this.

    Returns
    -------
    DataFrame
        ``enterprise_id, name, score, timing`` (the component, 0–1), ``reason`` (the events with
        their dates and the relocation push), best timing first, then score; enterprises whose
        timing is unknown are left out. ``attrs["total"]`` counts the rows before ``k``;
        ``attrs["as_of"]`` is the assessment date.

    Raises
    ------
    ConfigError
        When the matcher has no :class:`~matcher.features.SignalFeature`.
    """
    names = list(matcher.feature_names_)
    if "signal" not in names:
        raise ConfigError("该匹配器没有“招商时机”维度：请用 fit(..., events=事件表) 拟合")
    family = matcher.families_[names.index("signal")]
    ranked = matcher.rank_enterprises(park_id, k=None, min_score=min_score)
    index = matcher.index_
    rows = index.enterprises.position.rows(ranked["enterprise_id"].tolist())
    park = index.parks.position[str(park_id)]
    timing = family.compute(index, np.full(len(rows), park, dtype=np.intp), rows)
    known = ~np.isnan(timing)
    order = np.lexsort((-ranked["score"].to_numpy()[known], -timing[known]))
    picked = np.flatnonzero(known)[order]
    total = len(picked)
    if k is not None:
        picked = picked[: max(k, 0)]
    reasons = [family.reason(index, park, int(rows[i]), float(timing[i])) for i in picked]
    out = pd.DataFrame(
        {
            "enterprise_id": ranked["enterprise_id"].to_numpy()[picked],
            "name": ranked["name"].to_numpy()[picked],
            "score": ranked["score"].to_numpy()[picked],
            "timing": timing[picked].astype(float),
            "reason": reasons,
        }
    )
    out.attrs["total"] = total
    out.attrs["as_of"] = family.state(index).as_of
    return out
