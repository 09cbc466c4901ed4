"""The leads table of ``parkmatch rank`` laid out for the terminal it is printed on.

Widths are display cells (an East Asian Wide character takes 2, :func:`rich.cells.cell_len`).
Text is wrapped here, not by rich, so that a line only breaks between tokens a reader keeps
together: a number with its unit (``8.6 万平方米``, ``23 公里``), a lexicon term (有色金属铸造), a
Latin word, the parts of a name (巩义市 | 明泰铝业 | 有限公司); closing punctuation stays with
what it closes. Below :data:`WIDE_FROM` cells the table is compact (rank, name with its id
underneath, score, reasons); ``--wide`` (or a wide terminal) shows every column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..text import get_lexicon, parse_name

__all__ = [
    "WIDE_FROM",
    "leads_table",
    "name_tokens",
    "print_leads",
    "text_tokens",
    "wrap_tokens",
]

#: Terminal width (cells) from which every column is shown without ``--wide``.
WIDE_FROM = 140

#: Units a number is never separated from.
_UNITS = "万平方米|平方米|万元|亿元|万人|公里|千米|平方公里|万|亿|亩|件|人|家|项|个月|个|年|天|倍|分|%|％"
_NUMBER = re.compile(rf"[-+]?\d[\d,]*(?:\.\d+)?(?:\s?(?:{_UNITS}))?")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9._\-/]*")
_NAME_PARTS = re.compile(
    r"(^[^镇乡]{1,4}?(?:镇|乡|街道)|(?:小微企业园|产业园|工业园|科技园|创业园|企业园|"
    r"产业基地|基地|园区|开发区|集聚区|有限责任公司|股份有限公司|有限公司)$)"
)
_CLOSING = set("，。、；：！？）」』》】”’…,.;:!?)]%")
_OPENING = set("（「『《【“‘([")

#: Contribution columns of a ranking page and their headers in the wide table.
_COMPONENT_HEADERS = {
    "industry": "产业",
    "text": "业务",
    "capacity": "空间",
    "quality": "质量",
    "location": "区位",
    "signal": "时机",
    "chain": "产业链",
}


def text_tokens(text: str) -> list[str]:
    """Split ``text`` into the pieces a line may break between.

    Numbers keep their unit, lexicon terms and Latin words stay whole, every other character is
    a piece of its own; closing punctuation joins the piece before it, opening punctuation the
    piece after it.

    >>> text_tokens("园区可用 8.6 万平方米（共同关键词：有色金属）")
    ['园区', '可', '用 ', '8.6 万平方米', '（共', '同', '关', '键', '词：', '有色金属）']
    """
    terms = {hit.start: hit.end for hit in get_lexicon().hits(text)}
    raw: list[str] = []
    i = 0
    while i < len(text):
        found = _NUMBER.match(text, i) or _LATIN.match(text, i)
        if found is not None:
            end = found.end()
        elif i in terms:
            end = terms[i]
        else:
            end = i + 1
        raw.append(text[i:end])
        i = end
    return _glue(raw)


def _glue(raw: Sequence[str]) -> list[str]:
    """Attach spaces and closing punctuation to the piece before, opening to the piece after."""
    out: list[str] = []
    pending = ""
    for piece in raw:
        if out and not pending and (piece.isspace() or piece[0] in _CLOSING):
            out[-1] += piece
        elif piece[-1] in _OPENING:
            pending += piece
        else:
            out.append(pending + piece)
            pending = ""
    if pending:
        out.append(pending)
    return out


def name_tokens(name: str, width: int = 14) -> list[str]:
    """A name in the parts a reader sees: place, trade name, industry, legal form.

    A part wider than ``width`` cells is split further into :func:`text_tokens` (lexicon terms
    stay whole).

    >>> name_tokens("巩义市明泰铝业有限公司")
    ['巩义市', '明泰铝业', '有限公司']
    """
    parts = parse_name(name)
    pieces = [p for p in (parts.region, parts.brand, parts.industry, parts.form) if p]
    if "".join(pieces) != name:
        return text_tokens(name)
    out: list[str] = []
    for piece in pieces:
        if cell_len(piece) <= width:
            out.append(piece)
            continue
        # a long part: its town (鲁庄镇) and the kind of park (小微企业园) stay whole
        for sub in _NAME_PARTS.split(piece):
            if sub:
                whole = _NAME_PARTS.fullmatch(sub) or cell_len(sub) <= width // 2
                out.extend([sub] if whole else text_tokens(sub))
    return out


def wrap_tokens(tokens: Sequence[str], width: int, *, indent: str = "") -> list[str]:
    """Fill lines of at most ``width`` cells with whole tokens.

    A token wider than a whole line is the only thing cut, character by character. Lines after
    the first start with ``indent``. Trailing spaces are removed.
    """
    lines: list[str] = []
    line = ""
    for token in tokens:
        if cell_len(line + token.rstrip()) <= width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
            line = indent
        token = token.lstrip() if line == indent else token
        while cell_len(line + token.rstrip()) > width:  # a token longer than a line: cut it
            room = width - cell_len(line)
            cut = 0
            while cut < len(token) and cell_len(token[: cut + 1]) <= room:
                cut += 1
            cut = max(cut, 1)
            lines.append((line + token[:cut]).rstrip())
            line, token = indent, token[cut:]
        line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _wrapped(text: str, width: int, *, bullet: str = "") -> str:
    tokens = text_tokens(text)
    if bullet:
        tokens = [bullet + tokens[0], *tokens[1:]] if tokens else [bullet]
    return "\n".join(wrap_tokens(tokens, width, indent=" " * cell_len(bullet)))


def leads_table(frame: pd.DataFrame, title: str, id_col: str, *, width: int, wide: bool) -> Table:
    """The ranking page as a table that fits in ``width`` cells.

    Parameters
    ----------
    frame : DataFrame
        A page of :meth:`matcher.Matcher.rank_enterprises` or ``rank_parks``.
    title : str
        Shown above the table.
    id_col : str
        ``enterprise_id`` or ``park_id``.
    width : int
        Display cells available (the terminal's width).
    wide : bool
        Every column (id, each contribution), even when narrower than :data:`WIDE_FROM`; the
        table may then be wider than ``width``.

    Returns
    -------
    rich.table.Table
        Text already wrapped to the column widths (rich never folds it again).
    """
    wide = wide or width >= WIDE_FROM
    components = [c for c in _COMPONENT_HEADERS if wide and c in frame.columns]
    rank_w = max(4, *(len(str(r)) for r in frame["rank"])) if len(frame) else 4
    id_w = max(4, *(cell_len(str(v)) for v in frame[id_col])) if wide and len(frame) else 0
    score_w, comp_w = 6, 6
    others = [rank_w, score_w, *([id_w] if wide else []), *[comp_w] * len(components)]
    room = width - sum(others) - 3 * (len(others) + 2) - 1  # name + reasons, SQUARE box
    if wide:
        name_w, reasons_w = 20, max(40, room - 20)
    else:  # the name gives way first: reasons keep at least about half the line
        name_w = max(12, min(14, room - 30))  # 股份有限公司 fits on a line
        reasons_w = max(12, room - name_w)

    table = Table(title=title, show_lines=True, title_justify="left", box=box.SQUARE)
    table.add_column("排名", justify="right", width=rank_w, no_wrap=True)
    if wide:
        table.add_column("编号", width=id_w, no_wrap=True)
    table.add_column("名称", width=name_w, no_wrap=True)
    table.add_column("得分", justify="right", width=score_w, no_wrap=True)
    for c in components:
        table.add_column(_COMPONENT_HEADERS[c], justify="right", width=comp_w, no_wrap=True)
    table.add_column("推荐理由", width=reasons_w, no_wrap=True)
    for row in frame.to_dict(orient="records"):
        name = Text("\n".join(wrap_tokens(name_tokens(str(row["name"]), name_w), name_w)))
        if not wide:
            name.append(f"\n{row[id_col]}", style="dim")
        score = f"{row['score']:.1f}"
        if not row["eligible"]:
            score += "\n" + "\n".join(wrap_tokens(text_tokens("不符合条件"), score_w))
        reasons = "\n".join(
            _wrapped(r, reasons_w, bullet="•") for r in str(row["reasons"]).split("；") if r
        )
        values = ["" if pd.isna(row[c]) else f"{row[c]:.1f}" for c in components]
        ids = [Text(str(row[id_col]))] if wide else []
        texts = [Text(score), *map(Text, values), Text(reasons)]
        table.add_row(Text(str(row["rank"])), *ids, name, *texts)
    return table


def print_leads(
    console: Console, frame: pd.DataFrame, title: str, id_col: str, *, wide: bool
) -> None:
    """Print :func:`leads_table` at ``console``'s width; ``wide`` lets it run past the edge."""
    table = leads_table(frame, title, id_col, width=console.width, wide=wide)
    if not wide:
        console.print(table)
        return
    # every column at its full width, even past the terminal's edge (the user asked for it)
    needed = int(console.measure(table, options=console.options.update(width=10_000)).maximum)
    Console(
        file=console.file,
        width=max(console.width, needed),
        soft_wrap=False,
        color_system=console.color_system,  # type: ignore[arg-type]
        force_terminal=console.is_terminal,
        record=console.record,
    ).print(table)
