"""The batch job beyond one machine: top-k enterprises per park over a Dask DataFrame.

Each partition of enterprises (e.g. partitioned Parquet) is scored by the same library
functions as the single-machine job (:func:`matcher.batch.score_chunk`), and the per-partition
candidates are merged into each park's top ``k`` (:func:`matcher.batch.merge_top_k`). The fitted
matcher is shipped once per worker (``Client.scatter(..., broadcast=True)``), slimmed to what
scoring new enterprises needs (parks, vectoriser, inferrer, scorer), not once per task. Results
equal :func:`matcher.batch.top_enterprises` on the same enterprises: same ids, same scores.

Point it at a real cluster with ``Client("tcp://scheduler:8786")`` (or ``scheduler=`` here);
workers need the same ``parkmatch`` version installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import ConfigError
from ..index import with_enterprises
from ..io import validate_enterprises
from ..ranking import ranking_page
from ._local import merge_top_k, score_chunk

if TYPE_CHECKING:
    from ..matching import Matcher

__all__ = ["slim_matcher", "top_enterprises_dask"]


def slim_matcher(matcher: Matcher) -> Matcher:
    """A copy of a fitted matcher without its enterprises (what a worker needs to score)."""
    return matcher.without_enterprises()


def _score_partition(
    frame: pd.DataFrame,
    matcher: Matcher,
    *,
    partition: int,
    offset: int,
    k: int,
    park_rows: Sequence[int],
    include_ineligible: bool,
    validated: bool,
    reasons: bool,
) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    if validated:
        frame.attrs["parkmatch_schema"] = "enterprises"
    else:
        frame = validate_enterprises(frame, file=f"partition {partition}")
    index = with_enterprises(matcher.index_, frame)
    for family in matcher.families_:
        family.prepare_enterprises(index, frame)
    order = offset + np.arange(len(frame), dtype=np.int64)  # the row in the whole Dask frame
    cands = score_chunk(
        matcher,
        index,
        park_rows,
        np.arange(len(frame)),
        k=k,
        include_ineligible=include_ineligible,
        order=order,
    )
    pages = []
    for park, group in cands.groupby("park_row", sort=True):
        e = group["ent_row"].to_numpy(np.intp)
        p = np.full(len(e), int(park))
        page = ranking_page(
            index,
            matcher.families_,
            matcher.scorer_,
            p,
            e,
            matcher.park_coef(int(park)),
            other="enterprise",
            reasons=reasons,
        )
        page.insert(0, "park_id", str(index.parks.ids[int(park)]))
        page["park_row"], page["key"], page["order"] = (
            int(park),
            group["key"].to_numpy(),
            group["order"].to_numpy(),
        )
        pages.append(page)
    return pd.concat(pages, ignore_index=True) if pages else pd.DataFrame()


def top_enterprises_dask(
    matcher: Matcher,
    enterprises: Any,
    *,
    k: int = 20,
    park_ids: Sequence[str] | None = None,
    client: Any = None,
    scheduler: str | None = None,
    include_ineligible: bool = False,
    validated: bool = True,
    reasons: bool = False,
) -> pd.DataFrame:
    """Top ``k`` enterprises for every park over a Dask DataFrame of enterprises.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher (its parks, vectoriser, inferrer and scorer are used).
    enterprises : dask.dataframe.DataFrame
        Enterprises in the canonical schema, e.g. ``dd.read_parquet("enterprises/*.parquet")``.
    client : distributed.Client, optional
        The cluster to use; default: ``Client(scheduler)`` when ``scheduler`` is given, else the
        current client.
    validated : bool, default=True
        Partitions hold validated frames (written from :func:`load_enterprises`); with False
        each partition is validated on its worker (a :class:`SchemaError` names the partition).

    Returns
    -------
    DataFrame
        ``park_id`` and the columns of :meth:`Matcher.rank_enterprises`, best first per park.
        Ties break by the enterprise's row in ``enterprises`` (as the single-machine job breaks
        them by row in the fitted data).
    """
    from distributed import Client, get_client

    if k < 1:
        raise ConfigError(f"k 应为正整数，得到 {k}")
    index = matcher.check_fitted()
    parks = (
        [index.park_row(p) for p in park_ids]
        if park_ids is not None
        else list(range(len(index.parks)))
    )
    own_client = False
    if client is None:
        if scheduler is not None:
            client, own_client = Client(scheduler), True
        else:
            client = get_client()
    try:
        shipped = client.scatter(slim_matcher(matcher), broadcast=True, hash=False)
        partitions = client.compute(enterprises.to_delayed())
        lengths = client.gather(client.map(len, partitions))
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist()
        futures = [
            client.submit(
                _score_partition,
                part,
                shipped,
                partition=i,
                offset=offsets[i],
                k=k,
                park_rows=parks,
                include_ineligible=include_ineligible,
                validated=validated,
                reasons=reasons,
                pure=False,
            )
            for i, part in enumerate(partitions)
        ]
        candidates = [c for c in client.gather(futures) if not c.empty]
    finally:
        if own_client:
            client.close()
    if not candidates:
        return pd.DataFrame()
    merged = merge_top_k(pd.concat(candidates, ignore_index=True), k)
    return merged.drop(columns=["park_row", "key", "order"]).reset_index(drop=True)
