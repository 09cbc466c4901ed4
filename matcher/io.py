"""Reading and writing tables: CSV (UTF-8, UTF-8 with BOM, GB18030/GBK, UTF-16), XLSX, Parquet.

Cells are read as text (codes such as ``0610`` keep their leading zero); blank cells become
missing. Nothing here knows about parks or enterprises.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from .exceptions import Problem, SchemaError

__all__ = ["SUPPORTED_SUFFIXES", "detect_encoding", "read_table", "write_table"]

SUPPORTED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet", ".pq")


def detect_encoding(raw: bytes) -> str:
    """Guess the encoding of a CSV file's bytes.

    UTF-8 (with or without BOM) is tried first, then UTF-16 by its BOM, then GB18030 (a superset
    of GBK and GB2312, what Excel writes on Chinese Windows).

    >>> detect_encoding("企业名称".encode("gbk"))
    'gb18030'
    >>> detect_encoding(b"\\xef\\xbb\\xbfname")
    'utf-8-sig'
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
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


def read_table(path: str | Path, *, sheet: str | int = 0) -> pd.DataFrame:
    """Read a table file into a DataFrame of strings (missing cells are ``None``).

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.tsv``/``.txt``, ``.xlsx``/``.xlsm`` or ``.parquet`` file.
    sheet : str or int, default=0
        Worksheet of an Excel file.

    Raises
    ------
    SchemaError
        When the file is missing, empty, of an unsupported kind or cannot be decoded.
    """
    path = Path(path)
    if not path.exists():
        raise _unreadable(path, "文件不存在")
    if path.is_dir():
        raise _unreadable(path, "这是一个文件夹，不是表格文件")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            raw = path.read_bytes()
            if not raw.strip():
                raise _unreadable(path, "文件为空")
            text = raw.decode(detect_encoding(raw))
            text = text.removeprefix("\ufeff")
            frame = pd.read_csv(
                io.StringIO(text),
                sep=_sniff_delimiter(text),
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skipinitialspace=False,
                quoting=csv.QUOTE_MINIMAL,
            )
        elif suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(
                path,
                sheet_name=sheet,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                engine="openpyxl",
            )
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
        raise _unreadable(path, str(exc)) from exc
    except Exception as exc:  # any parser failure is the user's file, not our bug
        raise _unreadable(path, f"{type(exc).__name__}: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.astype(object).where(frame.notna(), None)
    return frame


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a frame by the file's suffix: CSV (UTF-8 with BOM, opens in Excel), XLSX, Parquet."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".tsv":
        frame.to_csv(path, index=False, sep="\t", encoding="utf-8-sig")
    elif suffix in (".xlsx", ".xlsm"):
        frame.to_excel(path, index=False, engine="openpyxl")
    elif suffix in (".parquet", ".pq"):
        frame.to_parquet(path, index=False)
    else:
        raise ValueError(f"不支持写出的文件类型「{suffix}」（支持 .csv .tsv .xlsx .parquet）")
    return path
