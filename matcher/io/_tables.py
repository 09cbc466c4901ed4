"""Reading and writing tables: CSV (UTF-8, UTF-8 with BOM, GB18030/GBK, UTF-16), XLSX, Parquet.

Cells are read as text (codes such as ``0610`` keep their leading zero); blank cells become
missing. Nothing here knows about parks or enterprises.

Reading is bounded (:class:`ReadLimits`: rows, columns, characters per cell, and the
decompressed size of an XLSX file), and the header row is checked before anything else:
blank and duplicate headers are problems, not columns called ``Unnamed: 1`` or ``name.1``.

Writing is safe for spreadsheets: :func:`safe_cell` is the one sanitiser every writer of this
package uses (:func:`write_table`, the chain and allocation reports, the CLI and the service's
exports). It drops control characters that XLSX cannot hold and neutralises text that a
spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from ..exceptions import Problem, SchemaError

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ReadLimits",
    "detect_encoding",
    "read_table",
    "safe_cell",
    "safe_frame",
    "write_excel",
    "write_table",
]

SUPPORTED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".pq")

# ---------------------------------------------------------------------------- safe writing
#: Characters that make a spreadsheet treat a text cell as a formula (ASCII and full-width:
#: Excel and WPS convert ＝＋－＠ to their ASCII forms when a cell is edited).
FORMULA_CHARS = frozenset("=+-@＝＋－＠")
# Control characters XLSX cannot store (tab and newline are kept), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# What may hide a formula character at the start of a cell: whitespace of every kind
# (incl. the ideographic space U+3000) and zero-width characters.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u180e"


def _leading_blank(ch: str) -> bool:
    return ch.isspace() or ch in _INVISIBLE


def safe_cell(value: Any) -> Any:
    """A cell value that a spreadsheet shows as the text it is, never runs as a formula.

    Text loses the control characters XLSX cannot hold (``\\x00``–``\\x1f`` except tab and
    newline, and ``\\x7f``) and gets a leading apostrophe when its first visible character is
    one of ``= + - @ ＝ ＋ － ＠`` (also behind leading spaces, ideographic spaces, tabs,
    newlines or zero-width characters), or when it starts with a tab or a newline (OWASP
    "CSV injection"). Numbers, booleans, dates and missing values are returned unchanged.

    >>> safe_cell('=HYPERLINK("http://x")'), safe_cell("-1+2"), safe_cell(-1.5)
    ('\\'=HYPERLINK("http://x")', "'-1+2", -1.5)
    >>> safe_cell("\\u3000＝1+1"), safe_cell("张三\\x01"), safe_cell("巩义市")
    ("'\\u3000＝1+1", '张三', '巩义市')
    """
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", value)
    i = 0
    while i < len(text) and _leading_blank(text[i]):
        i += 1
    if (i < len(text) and text[i] in FORMULA_CHARS) or text[:1] in ("\t", "\n"):
        return "'" + text
    return text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`safe_cell` applied to every text cell (and header)."""
    out = frame.copy()
    out.columns = [safe_cell(c) for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            out.isetitem(i, col.astype(object).map(safe_cell, na_action="ignore"))
    return out


def write_excel(sheets: Mapping[str, pd.DataFrame], path: str | Path | BinaryIO) -> Any:
    """Write frames as the sheets of one XLSX workbook, every text cell made safe.

    Text is always stored as text (never as a formula) and the header row is frozen.

    Parameters
    ----------
    sheets : dict of str to DataFrame
        Sheet name → table, in order.
    path : str, Path or binary file object
        Where to write (a ``BytesIO`` for a download).

    Returns
    -------
    Path or file object
        ``path`` (as a Path when a name was given).
    """
    if isinstance(path, str | Path):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe_frame(frame).to_excel(writer, sheet_name=name, index=False)
            ws = writer.sheets[name]
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.data_type = "s"  # openpyxl would store "=…" as a formula
            ws.freeze_panes = "A2"
    return path


# ---------------------------------------------------------------------------- limits
@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what :func:`read_table` accepts (None: no bound).

    Parameters
    ----------
    max_rows : int, default=1_000_000
        Data rows (the header not counted).
    max_columns : int, default=500
        Columns.
    max_cell_chars : int, default=32_767
        Characters in one cell (Excel's own limit).
    max_decompressed_bytes : int, default=512 MiB
        Total uncompressed size of the parts of an XLSX file (a ZIP archive): a small file
        that inflates to gigabytes is refused before it is parsed.
    """

    max_rows: int | None = 1_000_000
    max_columns: int | None = 500
    max_cell_chars: int | None = 32_767
    max_decompressed_bytes: int | None = 512 * 1024 * 1024


# ---------------------------------------------------------------------------- reading
def detect_encoding(raw: bytes) -> str:
    """Guess the encoding of a CSV file's bytes.

    UTF-8 (with or without BOM) is tried first, then UTF-16 by its BOM or, without one, by
    the zero bytes of mostly-ASCII text, then GB18030 (a superset of GBK and GB2312, what
    Excel writes on Chinese Windows).

    >>> detect_encoding("企业名称".encode("gbk"))
    'gb18030'
    >>> detect_encoding(b"\\xef\\xbb\\xbfname")
    'utf-8-sig'
    >>> detect_encoding("enterprise_id,企业名称".encode("utf-16-le"))
    'utf-16-le'
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = raw[:4096]
    if len(head) >= 4 and head.count(0) * 4 >= len(head):  # UTF-16 text without a BOM
        even, odd = head[0::2].count(0), head[1::2].count(0)
        for encoding in ("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le"):
            try:
                raw[: len(raw) // 2 * 2].decode(encoding)
                return encoding
            except UnicodeDecodeError:
                continue
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise ValueError("无法识别文件编码（支持 UTF-8、UTF-8 BOM、GB18030/GBK、UTF-16）") from exc


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _unreadable(path: Path, why: str) -> SchemaError:
    return SchemaError(
        [Problem(column=None, message=f"无法读取文件：{why}", file=path.name)], file=path.name
    )


def _too_large(path: Path, what: str, limit: int, got: str, hint: str) -> SchemaError:
    problem = Problem(
        column=None,
        message=f"文件超出上限：{what}",
        value=got,
        expected=f"不超过 {limit:,}（{hint}）",
        file=path.name,
    )
    return SchemaError([problem], file=path.name)


def _check_xlsx_size(path: Path, limits: ReadLimits) -> None:
    if limits.max_decompressed_bytes is None:
        return
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise _unreadable(path, f"不是有效的 XLSX 文件（{exc}）") from exc
    if total > limits.max_decompressed_bytes:
        raise _too_large(
            path,
            "解压后的大小",
            limits.max_decompressed_bytes,
            f"{total:,} 字节",
            "字节；文件内容被高度压缩，可能含有超长单元格",
        )


def _headers(
    path: Path, frame: pd.DataFrame, raw_header: list[Any] | None
) -> tuple[list[Problem], list[int]]:
    """Blank and duplicate headers, named by their column letter (A, B, …).

    Returns the problems and the positions of blank-headed columns that hold no value at all
    (a trailing delimiter, formatted but empty spreadsheet columns): those are dropped.
    """
    problems: list[Problem] = []
    drop: list[int] = []
    headers = list(frame.columns) if raw_header is None else raw_header
    names = ["" if h is None else str(h).strip() for h in headers]
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        letter = _column_letter(i)
        if not name or (raw_header is None and re.fullmatch(r"Unnamed: \d+", name)):
            if i < frame.shape[1] and frame.iloc[:, i].isna().all():
                drop.append(i)
                continue
            problems.append(
                Problem(
                    column=f"第 {letter} 列",
                    row=1,
                    message="表头为空，但该列有数据",
                    expected="每列都有表头（填写表头，或删除该列）",
                    file=path.name,
                )
            )
            continue
        if name in seen:
            problems.append(
                Problem(
                    column=name,
                    row=1,
                    value=name,
                    message=f"表头重复（第 {letter} 列与第 {_column_letter(seen[name])} 列同名）",
                    expected="每个表头只出现一次",
                    file=path.name,
                )
            )
            continue
        seen[name] = i
    return problems, drop


def _column_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        out = chr(65 + rem) + out
    return out


def _check_cells(path: Path, frame: pd.DataFrame, limits: ReadLimits) -> None:
    limit = limits.max_cell_chars
    if limit is None or frame.empty:
        return
    problems: list[Problem] = []
    for j, col in enumerate(frame.columns):
        lengths = frame.iloc[:, j].map(len, na_action="ignore")
        for i in lengths.index[lengths.to_numpy(dtype=float, na_value=0) > limit][:20]:
            problems.append(
                Problem(
                    column=str(col),
                    row=int(i) + 2,
                    value=f"{int(lengths.iat[int(i)]):,} 个字符",
                    message="单元格过长",
                    expected=f"不超过 {limit:,} 个字符",
                    file=path.name,
                )
            )
    if problems:
        raise SchemaError(problems, file=path.name)


def _explain(exc: Exception) -> str:
    """A reader's failure in words an officer can act on (never an exception class name)."""
    text = str(exc)
    if isinstance(exc, zipfile.BadZipFile) or "zip file" in text.lower():
        return "不是有效的 XLSX 文件（文件损坏，或扩展名与内容不符）"
    if isinstance(exc, UnicodeDecodeError):
        return "无法识别文件编码（支持 UTF-8、UTF-8 BOM、GB18030/GBK、UTF-16）"
    if "Error tokenizing data" in text or ("Expected" in text and "fields" in text):
        found = re.search(r"line (\d+)", text)
        where = f"第 {found.group(1)} 行" if found else "某行"
        return f"CSV 格式错误：{where}的列数与表头不一致（检查分隔符和引号）"
    if "EOF" in text:
        return "CSV 格式错误：引号未闭合"
    if "Parquet" in text or "parquet" in text or "magic bytes" in text:
        return "不是有效的 Parquet 文件"
    if "worksheet" in text.lower() or "sheet" in text.lower():
        return "找不到指定的工作表"
    return "文件内容无法解析（请另存为 UTF-8 CSV 或 XLSX 后重试）"


def read_table(
    path: str | Path, *, sheet: str | int = 0, limits: ReadLimits | None = None
) -> pd.DataFrame:
    """Read a table file into a DataFrame of strings (missing cells are ``None``).

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.tsv``/``.txt``, ``.xlsx``/``.xlsm`` or ``.parquet`` file.
    sheet : str or int, default=0
        Worksheet of an Excel file.
    limits : ReadLimits, default=None
        Bounds on rows, columns, cell length and decompressed size; None uses
        ``ReadLimits()``'s defaults.

    Raises
    ------
    SchemaError
        When the file is missing, empty, of an unsupported kind, cannot be decoded, breaks a
        limit, or has blank or duplicate headers, or when lines of a CSV file do not parse
        (every such line is listed with its line number; :func:`matcher.io.read_rows` sets them aside).
    """
    frame, _, broken = _read_lines(path, sheet=sheet, limits=limits)
    if broken:
        raise SchemaError(broken, file=Path(path).name)
    return frame


def _read_lines(
    path: str | Path, *, sheet: str | int = 0, limits: ReadLimits | None = None
) -> tuple[pd.DataFrame, np.ndarray, list[Problem]]:
    """:func:`read_table` that sets aside the lines of a CSV file that do not parse.

    A line with more fields than the header (a broken encoding, an unquoted delimiter) cannot be
    placed in columns; :func:`read_table` refuses the file listing every such line, this
    returns the rows that parse and one problem per line that does not.

    Returns
    -------
    frame : DataFrame
        The rows that parse, as :func:`read_table` returns them.
    rows : ndarray of int
        The sheet row (line number, header = 1) of each row of ``frame``.
    broken : list of Problem
        One per line that does not parse: its line number and the line as written.

    Raises
    ------
    SchemaError
        For everything :func:`read_table` refuses except such lines.
    """
    path = Path(path)
    limits = ReadLimits() if limits is None else limits
    rows: np.ndarray | None = None
    broken: list[Problem] = []
    if not path.exists():
        raise _unreadable(path, "文件不存在")
    if path.is_dir():
        raise _unreadable(path, "这是一个文件夹，不是表格文件")
    suffix = path.suffix.lower()
    raw_header: list[Any] | None = None
    nrows = None if limits.max_rows is None else limits.max_rows + 1
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            raw = path.read_bytes()
            if not raw.strip():
                raise _unreadable(path, "文件为空")
            text = raw.decode(detect_encoding(raw))
            text = text.removeprefix("\ufeff")
            if "\x00" in text:
                raise _unreadable(path, "文件含有空字符（NUL），可能是二进制文件而不是 CSV")
            sep = _sniff_delimiter(text)
            first = next(csv.reader(io.StringIO(text.split("\n", 1)[0]), delimiter=sep), [])
            if limits.max_columns is not None and len(first) > limits.max_columns:
                raise _too_large(path, "列数", limits.max_columns, f"{len(first):,} 列", "列")
            # the header is read as a row: a data row with more fields than the header is an
            # error, never a silent shift of columns into an index
            try:
                frame = pd.read_csv(
                    io.StringIO(text),
                    sep=sep,
                    dtype=str,
                    keep_default_na=False,
                    na_values=[""],
                    skipinitialspace=False,
                    quoting=csv.QUOTE_MINIMAL,
                    header=None,
                    index_col=False,
                    nrows=None if nrows is None else nrows + 1,
                )
            except pd.errors.ParserError as exc:
                if "Expected" not in str(exc):
                    raise
                frame, rows, broken = _scan_records(path, text, sep, nrows)
            raw_header = [None if pd.isna(h) else h for h in frame.iloc[0].tolist()]
            frame = frame.iloc[1:].reset_index(drop=True)
            frame.columns = pd.RangeIndex(frame.shape[1])
        elif suffix in (".xlsx", ".xlsm"):
            _check_xlsx_size(path, limits)
            frame = pd.read_excel(
                path,
                sheet_name=sheet,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                engine="openpyxl",
                header=None,
                nrows=None if nrows is None else nrows + 1,
            )
            if frame.empty:
                raise _unreadable(path, "工作表为空")
            raw_header = [None if pd.isna(h) else h for h in frame.iloc[0].tolist()]
            frame = frame.iloc[1:].reset_index(drop=True)
            frame.columns = pd.RangeIndex(frame.shape[1])
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
            frame = frame.astype(object).where(frame.notna(), None)
            frame = frame.map(lambda v: v if v is None or isinstance(v, str) else str(v))
        else:
            kinds = "、".join(SUPPORTED_SUFFIXES)
            raise _unreadable(path, f"不支持的文件类型「{suffix or '无后缀'}」（支持 {kinds}）")
    except SchemaError:
        raise
    except ValueError as exc:
        message = str(exc)
        if not re.search(r"[\u4e00-\u9fff]", message):
            message = _explain(exc)
        raise _unreadable(path, message) from exc
    except Exception as exc:  # any parser failure is the user's file, not our bug
        raise _unreadable(path, _explain(exc)) from exc
    if limits.max_columns is not None and frame.shape[1] > limits.max_columns:
        raise _too_large(path, "列数", limits.max_columns, f"{frame.shape[1]:,} 列", "列")
    if limits.max_rows is not None and len(frame) > limits.max_rows:
        raise _too_large(path, "行数", limits.max_rows, f"超过 {limits.max_rows:,} 行", "数据行")
    if raw_header is not None and len(raw_header) == frame.shape[1]:
        frame.columns = ["" if h is None else str(h).strip() for h in raw_header]
    else:
        raw_header = None
    problems, drop = _headers(path, frame, raw_header)
    if problems:
        raise SchemaError(problems, file=path.name)
    if drop:
        frame = frame.iloc[:, [i for i in range(frame.shape[1]) if i not in set(drop)]]
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.astype(object).where(frame.notna(), None)
    _check_cells(path, frame, limits)
    return frame, np.arange(len(frame)) + 2 if rows is None else rows, broken


def _scan_records(
    path: Path, text: str, sep: str, nrows: int | None
) -> tuple[pd.DataFrame, np.ndarray, list[Problem]]:
    """Read a CSV text record by record: the records that fit under the header as a frame
    (header first, as pandas reads it), the line number of each data record, and a problem for
    each record with more fields than the header."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records: list[list[str]] = []
    rows: list[int] = []
    broken: list[Problem] = []
    width = 0
    line = 1
    for fields in reader:
        start, line = line, reader.line_num + 1
        if not fields:  # a blank line, as pandas skips it
            continue
        if not records:
            width = len(fields)
        elif len(fields) > width:
            shown = sep.join(fields)
            broken.append(
                Problem(
                    column=None,
                    row=start,
                    value=shown if len(shown) <= 200 else shown[:200] + "…",
                    message=f"该行无法解析：有 {len(fields)} 个字段，多于表头的 {width} 列",
                    expected=f"{width} 个字段（检查文件编码、分隔符和引号）",
                    file=path.name,
                )
            )
            continue
        else:
            rows.append(start)
        records.append(fields + [""] * (width - len(fields)))
        if nrows is not None and len(records) > nrows + 1:
            break
    frame = pd.DataFrame(records, dtype=object).replace("", None)
    return frame, np.asarray(rows, dtype=int), broken


def write_table(frame: pd.DataFrame, path: str | Path, *, safe: bool = True) -> Path:
    """Write a frame by the file's suffix: CSV (UTF-8 with BOM, opens in Excel), XLSX, Parquet.

    Parameters
    ----------
    frame : DataFrame
        The table.
    path : str or Path
        ``.csv``/``.txt``, ``.tsv``, ``.xlsx``/``.xlsm`` or ``.parquet``/``.pq``.
    safe : bool, default=True
        Pass every text cell of a CSV or XLSX file through :func:`safe_cell` (no formulas, no
        control characters). Parquet is data, not a spreadsheet, and is written as it is;
        ``safe=False`` writes CSV and XLSX cells unchanged too (for files a program reads back).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    sheet = safe_frame(frame) if safe and suffix != ".parquet" and suffix != ".pq" else frame
    if suffix in (".csv", ".txt"):
        sheet.to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".tsv":
        sheet.to_csv(path, index=False, sep="\t", encoding="utf-8-sig")
    elif suffix in (".xlsx", ".xlsm"):
        if safe:
            write_excel({"Sheet1": frame}, path)
        else:
            frame.to_excel(path, index=False, engine="openpyxl")
    elif suffix in (".parquet", ".pq"):
        frame.to_parquet(path, index=False)
    else:
        raise ValueError(f"不支持写出的文件类型「{suffix}」（支持 .csv .tsv .xlsx .parquet）")
    return path
