"""Lead lists as CSV and XLSX with Chinese headers, safe against spreadsheet formula injection.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run
as a formula by Excel, WPS or LibreOffice (OWASP "CSV injection"); such cells get a leading
apostrophe, so they show as the text they are. Numbers stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "escape_cell", "lead_table", "to_csv_bytes", "to_xlsx_bytes"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """Neutralise a text cell a spreadsheet would treat as a formula.

    >>> escape_cell("=HYPERLINK(\\"http://x\\")"), escape_cell("-1+2"), escape_cell(-1.5)
    ('\\'=HYPERLINK("http://x")', "'-1+2", -1.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def lead_table(
    rows: Sequence[dict[str, Any]],
    components: Sequence[dict[str, str]],
    status_labels: dict[str, str],
) -> pd.DataFrame:
    """Ranked leads as a table with Chinese headers (one column per score component)."""
    records = []
    for row in rows:
        tracking = row.get("tracking")
        record: dict[str, Any] = {
            "排名": row["rank"],
            "企业编号": row["enterprise_id"],
            "企业名称": row["name"],
            "匹配分": round(row["score"], 2),
            "符合入驻条件": "是" if row["eligible"] else "否",
        }
        for comp in components:
            record[f"{comp['label']}（分）"] = round(row["contributions"][comp["name"]], 2)
        record.update(
            {
                "区县": row.get("county"),
                "行业代码": row.get("industry_code"),
                "跟进状态": None if tracking is None else status_labels[tracking.status],
                "负责人": None if tracking is None else tracking.owner,
                "备注": None if tracking is None else tracking.note,
                "推荐理由": "；".join(row["reasons"]),
            }
        )
        records.append(record)
    columns = [
        "排名",
        "企业编号",
        "企业名称",
        "匹配分",
        "符合入驻条件",
        *(f"{c['label']}（分）" for c in components),
        "区县",
        "行业代码",
        "跟进状态",
        "负责人",
        "备注",
        "推荐理由",
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.astype(object).where(frame.notna(), None).map(escape_cell)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a BOM (so that Excel opens the Chinese text correctly)."""
    return frame.map(escape_cell).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, *, sheet: str = "招商线索") -> bytes:
    """An XLSX workbook; every text cell is written as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append(list(frame.columns))
    for values in frame.map(escape_cell).itertuples(index=False, name=None):
        ws.append(list(values))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
