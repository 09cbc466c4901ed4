"""Lead lists as CSV and XLSX with Chinese headers, safe against spreadsheet formula injection.

Every text cell goes through the library's one sanitiser, :func:`matcher.io.safe_cell`: control
characters that XLSX cannot hold are dropped, and a cell whose first visible character would
start a formula (``= + - @`` and their full-width forms, also behind spaces, ideographic spaces
or zero-width characters) gets a leading apostrophe, so it shows as the text it is. Numbers stay
numbers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pandas as pd

from matcher.io import safe_frame, write_excel

__all__ = ["lead_table", "to_csv_bytes", "to_xlsx_bytes"]


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
    return frame.astype(object).where(frame.notna(), None)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a BOM (so that Excel opens the Chinese text correctly), cells made safe."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, *, sheet: str = "招商线索") -> bytes:
    """An XLSX workbook; every text cell is written as safe text, never as a formula."""
    out = io.BytesIO()
    write_excel({sheet: frame}, out)
    return out.getvalue()
