"""Batch ranking in bounded memory: every park's top-k enterprises, every enterprise's top-k parks.

:func:`top_enterprises` / :func:`top_parks` score enterprise chunks with the ranking functions of
:mod:`matcher.ranking` and merge the chunks' candidates (:func:`score_chunk`,
:func:`merge_top_k`), so results equal the matcher's own rankings; :func:`top_enterprises_dask`
does the same over the partitions of a Dask DataFrame (``distributed`` is imported only then).
"""

from __future__ import annotations

from ._dask import slim_matcher, top_enterprises_dask
from ._local import merge_top_k, score_chunk, top_enterprises, top_parks

__all__ = [
    "merge_top_k",
    "score_chunk",
    "slim_matcher",
    "top_enterprises",
    "top_enterprises_dask",
    "top_parks",
]
