"""Vocabulary bridges: abbreviations, trade names and product → category words.

``matcher/data/vocabulary.csv`` lists words that say the same as other words (PCB → 印制电路板,
镁炭砖 → 耐火材料, LFP → 磷酸铁锂 正极材料). :func:`expand` appends the expansions of every alias a
text contains, so enterprise texts and park positionings meet whichever words each side used.

>>> expand("镁炭砖、PCB")
'镁炭砖、PCB 耐火材料 耐火砖 印制电路板 线路板'
>>> expand("普通机械") == "普通机械"
True
"""

from __future__ import annotations

import csv
import functools
from importlib.resources import files
from typing import Any

__all__ = ["expand", "vocabulary"]


@functools.lru_cache(maxsize=1)
def vocabulary() -> dict[str, str]:
    """Alias (matching form, upper-case Latin) → expansion."""
    text = (files("matcher") / "data" / "vocabulary.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return {r["alias"].upper(): r["expansion"] for r in csv.DictReader(lines)}


@functools.lru_cache(maxsize=1)
def _automaton() -> Any:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for alias in vocabulary():
        automaton.add_word(alias, alias)
    automaton.make_automaton()
    return automaton


def expand(text: str) -> str:
    """``text`` followed by the expansions of the aliases it contains (each once)."""
    if not text:
        return text
    key = text.upper() if len(text.upper()) == len(text) else text
    found: list[str] = []
    for end, alias in _automaton().iter(key):
        start = end - len(alias) + 1
        if alias.isascii() and (
            (start > 0 and key[start - 1].isascii() and key[start - 1].isalnum())
            or (end + 1 < len(key) and key[end + 1].isascii() and key[end + 1].isalnum())
        ):
            continue
        expansion = vocabulary()[alias]
        if expansion not in found:
            found.append(expansion)
    return " ".join([text, *found]) if found else text
