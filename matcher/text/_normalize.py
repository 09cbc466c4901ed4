"""Normalising every text and code that enters parkmatch.

Unicode NFKC (full-width letters, digits and punctuation become half-width), then Chinese
script conversion with OpenCC's own offline dictionaries, then collapsed whitespace. Text that is
written in Traditional characters is converted with OpenCC's ``tw2sp`` configuration, which also
turns Taiwan wording into mainland wording (軟體 → 软件, 資訊 → 信息, 晶片 → 芯片, 程式設計 →
编程); text already in Simplified characters is left alone by that step, because ``tw2sp``
rewrites some mainland words (文件 → 文档, 呼叫 → 调用).

>>> normalize_text("  鋁型材ＡＢＣ　加工（１２３）")
'铝型材ABC 加工(123)'
>>> normalize_text("軟體設計、資訊系統整合")
'软件设计、信息系统集成'
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["is_missing", "normalize_series", "normalize_text", "to_mainland"]

_WS = re.compile(r"\s+")
#: Characters that differ after t2s before a text counts as written in Traditional characters.
TRADITIONAL_MIN = 2


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _tw2sp() -> Any:
    import opencc

    return opencc.OpenCC("tw2sp")


def to_mainland(text: str) -> str:
    """Mainland Simplified form of a text: Taiwan phrases and characters when it is Traditional.

    A text counts as Traditional when at least :data:`TRADITIONAL_MIN` characters change under
    plain t2s conversion (one stray character is converted on its own).

    >>> to_mainland("印刷電路板、表面黏著技術、軟體")
    '印刷电路板、表面黏着技术、软件'
    >>> to_mainland("文件管理软件")  # already Simplified: mainland words stay
    '文件管理软件'
    """
    simple = _t2s().convert(text)
    if len(simple) != len(text):
        return simple
    changed = sum(a != b for a, b in zip(text, simple, strict=True))
    if changed >= TRADITIONAL_MIN:
        return str(_tw2sp().convert(text))
    return simple


def is_missing(value: object) -> bool:
    """True for None, NaN, pandas NA and blank strings."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def normalize_text(value: object) -> str | None:
    """NFKC, Traditional → Simplified (Taiwan wording too), collapsed whitespace; missing → None.

    Parameters
    ----------
    value : object
        Any cell value; non-strings are converted with ``str``.

    Returns
    -------
    str or None
        The normalised text, or None when the value is missing or blank.

    Examples
    --------
    >>> normalize_text("鋁板帶箔")
    '铝板带箔'
    >>> normalize_text("   ") is None
    True
    """
    if is_missing(value):
        return None
    text = unicodedata.normalize("NFKC", str(value))
    text = to_mainland(text)
    text = _WS.sub(" ", text).strip()
    return text or None


def normalize_series(values: pd.Series | Iterable[object]) -> pd.Series:
    """Vectorised :func:`normalize_text`: each distinct value is converted once."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    normalised = np.empty(len(uniques) + 1, dtype=object)  # last slot: missing (code -1)
    normalised[:-1] = [normalize_text(u) for u in uniques]
    normalised[-1] = None
    return pd.Series(normalised[codes], index=series.index, dtype=object)
