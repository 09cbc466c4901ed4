"""The 研判 report: one enterprise × one park, in a document an officer can send.

:func:`assessment_report` gathers the fit score with its waterfall (baseline + each family's
contribution = the score) and reasons, the enterprise's position on the park's industry chains,
its opportunity signals, the park's policies it qualifies for, the vetting of a proposed
project, and the risks and missing data; :class:`AssessmentReport` writes it as XLSX, PDF or
DOCX (Chinese text throughout).

PDF needs a TrueType font with Chinese glyphs found on the machine; nothing is downloaded. The
search order is ``PARKMATCH_CJK_FONT`` (a ``.ttf``/``.ttc`` path), then the usual places of
WenQuanYi Zen Hei / Micro Hei, Droid Sans Fallback, AR PL UMing, SimSun/SimHei/Microsoft YaHei
and Arial Unicode. OpenType fonts with PostScript outlines (Noto Sans CJK ``.ttc``, Source Han)
cannot be embedded by the PDF writer and are skipped. When none is found,
:class:`FontNotFoundError` says how to install one (Debian/Ubuntu:
``apt-get install fonts-wqy-zenhei``); XLSX and DOCX need no font.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .exceptions import ConfigError, MatcherError
from .io import EVENT_KINDS, SRDI_LABELS, as_date, safe_cell
from .reference.sizes import SIZE_LABELS

__all__ = [
    "REPORT_FORMATS",
    "AssessmentReport",
    "FontNotFoundError",
    "assessment_report",
    "find_cjk_font",
]

#: File suffixes :meth:`AssessmentReport.save` writes.
REPORT_FORMATS = (".pdf", ".xlsx", ".docx")


class FontNotFoundError(MatcherError):
    """No TrueType font with Chinese glyphs was found for the PDF report."""


_FONT_HELP = (
    "未找到可嵌入 PDF 的中文 TrueType 字体。请安装一种中文字体后重试："
    "Debian/Ubuntu 运行 sudo apt-get install fonts-wqy-zenhei；"
    "或设置环境变量 PARKMATCH_CJK_FONT=/path/to/font.ttf（如 simhei.ttf、msyh.ttc、"
    "wqy-zenhei.ttc；Noto Sans CJK 等 PostScript 轮廓的 OpenType 字体无法嵌入）。"
    "XLSX 和 DOCX 格式不需要该字体。"
)

#: Known TrueType fonts with Chinese glyphs (path, collection index).
_KNOWN_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("C:/Windows/Fonts/simsun.ttc", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
    ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0),
)
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")
_FONT_HINTS = ("wqy", "droid", "uming", "ukai", "simhei", "simsun", "msyh", "notosanssc", "sarasa")


def _usable(path: str, index: int) -> bool:
    """True when reportlab can embed the font and it has Chinese glyphs."""
    try:
        from reportlab.pdfbase.ttfonts import TTFont

        font = TTFont("probe", path, subfontIndex=index)
    except Exception:  # PostScript outlines, damaged files, unreadable paths
        return False
    return ord("中") in font.face.charToGlyph


def find_cjk_font(preferred: str | None = None) -> tuple[str, int]:
    """A TrueType font with Chinese glyphs for PDF: ``(path, collection index)``.

    Parameters
    ----------
    preferred : str, default=None
        A font file to use; None reads ``PARKMATCH_CJK_FONT``, then searches the machine.

    Raises
    ------
    FontNotFoundError
        When the given font cannot be used or none is found; the message says how to install one.
    """
    return _find_font(preferred or os.environ.get("PARKMATCH_CJK_FONT") or None)


@lru_cache(maxsize=8)
def _find_font(wanted: str | None) -> tuple[str, int]:
    if wanted:
        path = str(Path(wanted).expanduser())
        if _usable(path, 0):
            return path, 0
        raise FontNotFoundError(
            f"字体 {wanted} 不存在或无法嵌入 PDF（需含中文字形的 TrueType 字体）。{_FONT_HELP}"
        )
    for path, index in _KNOWN_FONTS:
        if Path(path).is_file() and _usable(path, index):
            return path, index
    for folder in _FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for candidate in sorted(root.rglob("*")):
            name = candidate.name.lower().replace("-", "").replace("_", "")
            if candidate.suffix.lower() in (".ttf", ".ttc") and any(h in name for h in _FONT_HINTS):
                if _usable(str(candidate), 0):
                    return str(candidate), 0
    raise FontNotFoundError(_FONT_HELP)


# ---------------------------------------------------------------------------- the report
@dataclass
class AssessmentReport:
    """The 研判 report of one enterprise × one park.

    Attributes
    ----------
    park_id, park_name, enterprise_id, enterprise_name : str
    as_of : datetime.date
        The assessment date (signals, policy windows).
    score : float
        The fit score; ``baseline + waterfall["contribution"].sum() == score``.
    eligible : bool
    baseline : float
    model : str
        What produced the score.
    waterfall : DataFrame
        One row per family: ``family, label, value`` (None when unknown), ``weight,
        contribution, cumulative``.
    reasons : list of str
    enterprise, park : dict
        Key facts shown in the summary (Chinese labels → text).
    chain : DataFrame
        The enterprise's chain nodes: ``chain, node, segment, status, confidence, tenants``.
    chain_note : str
    signal_value : float or None
        The 招商时机 component for this pair (None: unknown or not assessed).
    signals : DataFrame
        ``date, kind, detail, source, confidence, weight, age``, strongest first.
    signal_note : str
    policies : DataFrame or None
        :func:`matcher.policies.match_policies` for the park (None when no policies were given).
    vetting : VettingResult or None
    risks, missing : list of str
    """

    park_id: str
    park_name: str
    enterprise_id: str
    enterprise_name: str
    as_of: dt.date
    score: float
    eligible: bool
    baseline: float
    model: str
    waterfall: pd.DataFrame
    reasons: list[str]
    enterprise: dict[str, str]
    park: dict[str, str]
    chain: pd.DataFrame
    chain_note: str
    signal_value: float | None
    signals: pd.DataFrame
    signal_note: str
    policies: pd.DataFrame | None
    vetting: Any
    risks: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    # ------------------------------------------------------------------ text
    @property
    def title(self) -> str:
        """``招商研判报告：<enterprise> × <park>``."""
        return f"招商研判报告：{self.enterprise_name} × {self.park_name}"

    def summary(self) -> list[str]:
        """The conclusion in a few sentences (the report's first section)."""
        lines = [
            f"匹配得分 {self.score:.1f} 分（满分 100）"
            + ("" if self.eligible else "，不符合园区入驻条件"),
        ]
        if self.signal_value is not None:
            level = (
                "强" if self.signal_value >= 0.6 else ("中" if self.signal_value >= 0.35 else "弱")
            )
            lines.append(f"招商时机：{level}（{self.signal_value:.2f}）。{self.signal_note}")
        else:
            lines.append(f"招商时机：未知。{self.signal_note}")
        if self.policies is not None and len(self.policies):
            counts = self.policies["status"].value_counts()
            parts = [
                f"{k} {int(counts[k])} 项"
                for k in ("推荐", "可能", "需补充信息", "不推荐", "已过期")
                if k in counts
            ]
            lines.append("政策匹配：" + "，".join(parts) + "。")
        elif self.policies is not None:
            lines.append("政策匹配：园区未登记政策。")
        else:
            lines.append("政策匹配：未提供园区政策。")
        if self.vetting is not None:
            lines.append(f"项目评审：{self.vetting.verdict}。")
        else:
            lines.append("项目评审：需补充信息（未提供拟落地项目的用地、投资、产值和税收）。")
        if self.risks:
            lines.append(
                f"风险提示 {len(self.risks)} 条，缺失信息 {len(self.missing)} 项，详见文末。"
            )
        return lines

    def __str__(self) -> str:
        lines = [self.title, f"评估日期：{self.as_of:%Y-%m-%d}"]
        lines += [f"  {s}" for s in self.summary()]
        lines.append("得分分解：")
        lines.append(f"  基线 {self.baseline:.1f}")
        for r in self.waterfall.itertuples(index=False):
            value = "未知" if r.value is None or pd.isna(r.value) else f"{r.value:.2f}"
            lines.append(f"  + {r.label} {r.contribution:.1f}（取值 {value}，权重 {r.weight:.2f}）")
        lines.append(f"  = {self.score:.1f}")
        lines.append("理由：")
        lines += [f"  - {r}" for r in self.reasons]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the service)."""

        def records(frame: pd.DataFrame | None) -> list[dict[str, Any]] | None:
            if frame is None:
                return None
            return json.loads(frame.to_json(orient="records", force_ascii=False, date_format="iso"))

        return {
            "park_id": self.park_id,
            "park_name": self.park_name,
            "enterprise_id": self.enterprise_id,
            "enterprise_name": self.enterprise_name,
            "as_of": self.as_of.isoformat(),
            "score": self.score,
            "eligible": self.eligible,
            "baseline": self.baseline,
            "model": self.model,
            "summary": self.summary(),
            "waterfall": records(self.waterfall),
            "reasons": self.reasons,
            "enterprise": self.enterprise,
            "park": self.park,
            "chain": records(self.chain),
            "chain_note": self.chain_note,
            "signal_value": self.signal_value,
            "signals": records(self.signals),
            "signal_note": self.signal_note,
            "policies": records(self.policies),
            "vetting": None if self.vetting is None else self.vetting.to_dict(),
            "risks": self.risks,
            "missing": self.missing,
        }

    # ------------------------------------------------------------------ sections as tables
    def _sections(self) -> list[tuple[str, list[str], list[list[str]], list[str]]]:
        """(heading, header, rows, notes) of every section after the summary."""
        wf = [
            [
                str(r.label),
                "未知" if r.value is None or pd.isna(r.value) else f"{r.value:.2f}",
                f"{r.weight:.2f}",
                f"{r.contribution:.1f}",
                f"{r.cumulative:.1f}",
            ]
            for r in self.waterfall.itertuples(index=False)
        ]
        chain = [
            [
                str(r.chain),
                str(r.node),
                str(r.segment),
                str(r.status),
                f"{r.confidence:.0%}",
                str(r.tenants),
            ]
            for r in self.chain.itertuples(index=False)
        ]
        signals = [
            [
                str(r.date),
                str(r.kind),
                str(r.detail),
                str(r.source),
                f"{r.confidence:.0%}",
                f"{r.weight:.2f}",
                str(r.age),
            ]
            for r in self.signals.itertuples(index=False)
        ]
        sections = [
            (
                "匹配得分分解",
                ["维度", "取值", "权重", "贡献", "累计"],
                wf,
                [
                    f"基线 {self.baseline:.1f} + 各维度贡献 = 总分 {self.score:.1f}（{self.model}）",
                    *self.reasons,
                ],
            ),
            (
                "产业链位置",
                ["产业链", "环节", "上中下游", "园区该环节", "对应置信度", "园区已有企业"],
                chain,
                [self.chain_note],
            ),
            (
                "招商时机",
                ["日期", "类型", "事件", "来源", "可信度", "当前权重", "距今"],
                signals,
                [self.signal_note],
            ),
        ]
        if self.policies is not None:
            pol = [
                [
                    str(r.name),
                    str(r.status),
                    "" if pd.isna(r.amount_wan) else f"{r.amount_wan:g}",
                    str(r.window),
                    str(r.reason),
                ]
                for r in self.policies.itertuples(index=False)
            ]
            sections.append(
                ("政策匹配", ["政策", "结论", "最高金额(万元)", "申报期", "依据"], pol, [])
            )
        else:
            sections.append(
                (
                    "政策匹配",
                    [],
                    [],
                    [
                        "未提供园区政策（用 --policies 或接口的政策导入提供），无法判断可申请的政策。"
                    ],
                )
            )
        if self.vetting is not None:
            table = self.vetting.table
            vet = [
                [str(r.label), "硬性" if r.hard else "软性", str(r.status), str(r.figures)]
                for r in table.itertuples(index=False)
                if r.status_key != "no_standard"
            ]
            notes = [f"评审结论：{self.vetting.verdict}"]
            if self.vetting.missing:
                notes.append("需补充：" + "、".join(self.vetting.missing))
            sections.append(("项目评审", ["指标", "类型", "结论", "计算与标准"], vet, notes))
        else:
            sections.append(
                (
                    "项目评审",
                    [],
                    [],
                    [
                        "需补充信息：未提供拟落地项目的用地面积、固定资产投资、达产年产值和税收等，无法对照园区准入标准评审。"
                    ],
                )
            )
        sections.append(("风险提示", [], [], self.risks or ["未发现明显风险。"]))
        sections.append(("缺失信息（需补充）", [], [], self.missing or ["无。"]))
        return sections

    def _facts(self) -> list[tuple[str, str]]:
        return [
            ("企业", f"{self.enterprise_name}（{self.enterprise_id}）"),
            ("园区", f"{self.park_name}（{self.park_id}）"),
            ("评估日期", f"{self.as_of:%Y-%m-%d}"),
            ("生成时间", f"{self.generated:%Y-%m-%d %H:%M}"),
            ("匹配得分", f"{self.score:.1f}"),
            ("符合入驻条件", "是" if self.eligible else "否"),
            *[(f"企业·{k}", v) for k, v in self.enterprise.items()],
            *[(f"园区·{k}", v) for k, v in self.park.items()],
        ]

    # ------------------------------------------------------------------ writers
    def save(self, path: str | Path, *, font: str | None = None) -> Path:
        """Write by the file's suffix: ``.pdf``, ``.xlsx`` or ``.docx``."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            return self.to_pdf(path, font=font)
        if suffix == ".xlsx":
            return self.to_excel(path)
        if suffix == ".docx":
            return self.to_docx(path)
        raise ConfigError(f"研判报告可写出为 .pdf、.xlsx 或 .docx，得到 {path.name!r}")

    def to_excel(self, path: str | Path) -> Path:
        """XLSX: sheets 概要, 得分分解 (with a waterfall chart), 产业链, 时机信号, 政策匹配, 项目评审,
        风险与缺失. Text cells are stored as text (a cell starting with ``=`` is never a formula)."""
        from openpyxl import Workbook
        from openpyxl.chart import BarChart, Reference
        from openpyxl.styles import Alignment, Font

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = Workbook()
        ws = wb.active
        ws.title = "概要"
        bold = Font(bold=True)
        _put(ws, 1, 1, self.title).font = Font(bold=True, size=14)
        row = 3
        for line in self.summary():
            _put(ws, row, 1, line)
            row += 1
        row += 1
        for key, value in self._facts():
            _put(ws, row, 1, key).font = bold
            _put(ws, row, 2, value)
            row += 1
        ws.column_dimensions["A"].width = 22
        ws.column_dimensions["B"].width = 80
        names = {"匹配得分分解": "得分分解", "产业链位置": "产业链", "招商时机": "时机信号"}
        for heading, header, rows, notes in self._sections():
            title = names.get(heading, heading).replace("（需补充）", "")[:31]
            if heading == "缺失信息（需补充）":
                sheet = wb["风险提示"]
                start = sheet.max_row + 2
                _put(sheet, start, 1, "缺失信息（需补充）").font = bold
                for i, note in enumerate(notes, start=start + 1):
                    _put(sheet, i, 1, note)
                sheet.title = "风险与缺失"
                continue
            sheet = wb.create_sheet(title)
            r = 1
            if header:
                for c, text in enumerate(header, start=1):
                    _put(sheet, r, c, text).font = bold
                for values in rows:
                    r += 1
                    for c, text in enumerate(values, start=1):
                        cell = _put(sheet, r, c, text)
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                r += 2
            for note in notes:
                _put(sheet, r, 1, note)
                r += 1
            for c in range(1, max(len(header), 1) + 1):
                sheet.column_dimensions[chr(64 + c)].width = 16 if c < len(header) else 60
        # the waterfall chart: an invisible base series under the contributions
        sheet = wb["得分分解"]
        base = len(self.waterfall) + 4 + len(self.reasons) + 2
        _put(sheet, base, 1, "图表数据").font = bold
        _put(sheet, base + 1, 1, "项目")
        _put(sheet, base + 1, 2, "起点")
        _put(sheet, base + 1, 3, "贡献")
        bars = [("基线", 0.0, self.baseline)]
        start = self.baseline
        for r in self.waterfall.itertuples(index=False):
            bars.append((str(r.label), start, float(r.contribution)))
            start += float(r.contribution)
        bars.append(("总分", 0.0, self.score))
        for i, (label, begin, height) in enumerate(bars, start=base + 2):
            _put(sheet, i, 1, label)
            sheet.cell(row=i, column=2, value=round(begin, 3))
            sheet.cell(row=i, column=3, value=round(height, 3))
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = "得分瀑布图"
        data = Reference(
            sheet, min_col=2, max_col=3, min_row=base + 1, max_row=base + 1 + len(bars)
        )
        cats = Reference(sheet, min_col=1, min_row=base + 2, max_row=base + 1 + len(bars))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.series[0].graphicalProperties.noFill = True
        chart.series[0].graphicalProperties.line.noFill = True
        chart.legend = None
        chart.width, chart.height = 18, 8
        sheet.add_chart(chart, f"G{2}")
        wb.save(path)
        return path

    def to_docx(self, path: str | Path) -> Path:
        """DOCX (Word): the same sections; fonts are the reader's (宋体 / SimSun requested)."""
        from docx import Document
        from docx.oxml.ns import qn
        from docx.shared import Pt

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = Document()
        for style_name in ("Normal", "Heading 1", "Heading 2", "Title"):
            style = doc.styles[style_name]
            style.font.name = "SimSun"
            style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
        doc.styles["Normal"].font.size = Pt(10.5)
        doc.add_heading(self.title, level=0)
        doc.add_paragraph(
            f"评估日期：{self.as_of:%Y-%m-%d}　生成时间：{self.generated:%Y-%m-%d %H:%M}"
        )
        doc.add_heading("一、结论", level=1)
        for line in self.summary():
            doc.add_paragraph(line, style="List Bullet")
        facts = doc.add_table(rows=0, cols=2)
        facts.style = "Table Grid"
        for key, value in self._facts()[4:]:
            cells = facts.add_row().cells
            cells[0].text, cells[1].text = key, value
        numbers = "二三四五六七八九十"
        for n, (heading, header, rows, notes) in enumerate(self._sections()):
            doc.add_heading(f"{numbers[n]}、{heading}", level=1)
            if heading == "匹配得分分解":
                for r in self.waterfall.itertuples(index=False):
                    bar = "█" * max(0, round(float(r.contribution) / 2))
                    doc.add_paragraph(f"{r.label}　{bar} {r.contribution:.1f}")
            if header:
                table = doc.add_table(rows=1, cols=len(header))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, header, strict=True):
                    cell.text = text
                for values in rows:
                    cells = table.add_row().cells
                    for cell, text in zip(cells, values, strict=True):
                        cell.text = _clean(text)
            for note in notes:
                doc.add_paragraph(_clean(note))
        doc.save(str(path))
        return path

    def to_pdf(self, path: str | Path, *, font: str | None = None) -> Path:
        """PDF with an embedded Chinese TrueType font (see :func:`find_cjk_font`).

        Raises
        ------
        FontNotFoundError
            When no usable font is on the machine (the message says how to install one).
        """
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_LEFT
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.lib.units import mm
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        from reportlab.platypus import (
            Paragraph,
            SimpleDocTemplate,
            Spacer,
            Table,
            TableStyle,
        )

        font_path, index = find_cjk_font(font)
        name = f"ParkmatchCJK-{Path(font_path).stem}-{index}"  # one registration per font file
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, font_path, subfontIndex=index))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        body = ParagraphStyle(
            "body", fontName=name, fontSize=9.5, leading=14, wordWrap="CJK", alignment=TA_LEFT
        )
        small = ParagraphStyle("small", parent=body, fontSize=8, leading=11)
        h0 = ParagraphStyle("h0", parent=body, fontSize=16, leading=22, spaceAfter=4)
        h1 = ParagraphStyle(
            "h1",
            parent=body,
            fontSize=12,
            leading=18,
            spaceBefore=8,
            spaceAfter=4,
            textColor=colors.HexColor("#1f4e79"),
        )

        def para(text: str, style: ParagraphStyle = body) -> Paragraph:
            return Paragraph(_escape(text), style)

        story: list[Any] = [
            para(self.title, h0),
            para(
                f"评估日期 {self.as_of:%Y-%m-%d}　生成时间 {self.generated:%Y-%m-%d %H:%M}　模型：{self.model}",
                small,
            ),
            Spacer(1, 4 * mm),
            para("一、结论", h1),
        ]
        story += [para("· " + line) for line in self.summary()]
        facts = [[para(k, small), para(v, small)] for k, v in self._facts()[4:]]
        grid = TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f3f6")),
            ]
        )
        story += [Spacer(1, 2 * mm), Table(facts, colWidths=[32 * mm, 138 * mm], style=grid)]
        numbers = "二三四五六七八九十"
        width = 170 * mm
        for n, (heading, header, rows, notes) in enumerate(self._sections()):
            story.append(para(f"{numbers[n]}、{heading}", h1))
            if heading == "匹配得分分解":
                story.append(_waterfall_drawing(self, name, width))
            if header:
                data = [[para(h, small) for h in header]]
                data += [[para(_clean(c), small) for c in values] for values in rows]
                widths = _col_widths(header, width)
                style = TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde7f0")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
                story.append(Table(data, colWidths=widths, style=style, repeatRows=1))
                story.append(Spacer(1, 2 * mm))
            story += [para(_clean(note)) for note in notes if note]

        def footer(canvas: Any, doc: Any) -> None:
            canvas.saveState()
            canvas.setFont(name, 8)
            canvas.drawString(
                20 * mm,
                10 * mm,
                f"parkmatch 招商研判报告 · {self.enterprise_name} × {self.park_name}",
            )
            canvas.drawRightString(190 * mm, 10 * mm, f"第 {doc.page} 页")
            canvas.restoreState()

        doc = SimpleDocTemplate(
            str(path),
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=self.title,
            author="parkmatch",
            subject="招商研判报告",
        )
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
        return path


def _put(ws: Any, row: int, col: int, value: str) -> Any:
    """Write text as text: never a formula (:func:`matcher.io.safe_cell`, the one sanitiser every
    writer uses), control characters removed."""
    cell = ws.cell(row=row, column=col)
    cell.value = safe_cell(str(value))
    cell.data_type = "s"
    return cell


def _clean(text: object) -> str:
    """Text without control characters (which XLSX, DOCX and PDF refuse or garble)."""
    return "".join(ch for ch in str(text) if ch >= " " or ch in "\t\n")


def _escape(text: str) -> str:
    return _clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _col_widths(header: Sequence[str], width: float) -> list[float]:
    share = {
        "依据": 3.0,
        "事件": 2.6,
        "计算与标准": 3.2,
        "园区已有企业": 2.6,
        "日期": 1.4,
        "申报期": 1.4,
    }
    weights = [share.get(h, 1.0) for h in header]
    total = sum(weights)
    return [width * w / total for w in weights]


def _waterfall_drawing(report: AssessmentReport, font: str, width: float) -> Any:
    """baseline, each contribution as a floating bar, the total; labels in Chinese."""
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    bars = [("基线", 0.0, report.baseline, colors.HexColor("#9aa5b1"))]
    start = report.baseline
    for r in report.waterfall.itertuples(index=False):
        c = float(r.contribution)
        bars.append((str(r.label), start, c, colors.HexColor("#2e75b6")))
        start += c
    bars.append(("总分", 0.0, report.score, colors.HexColor("#c55a11")))
    height = 150.0
    top = max(100.0, max(b + h for _, b, h, _ in bars))
    scale = (height - 40) / top
    drawing = Drawing(width, height)
    slot = width / len(bars)
    drawing.add(Line(0, 24, width, 24, strokeColor=colors.grey, strokeWidth=0.5))
    for i, (label, begin, h, color) in enumerate(bars):
        x = i * slot + slot * 0.18
        y = 24 + begin * scale
        drawing.add(Rect(x, y, slot * 0.64, max(h * scale, 0.5), fillColor=color, strokeColor=None))
        drawing.add(
            String(
                x + slot * 0.32,
                y + h * scale + 3,
                f"{h:.1f}",
                fontName=font,
                fontSize=7,
                textAnchor="middle",
            )
        )
        drawing.add(
            String(x + slot * 0.32, 12, label[:6], fontName=font, fontSize=7, textAnchor="middle")
        )
    return drawing


# ---------------------------------------------------------------------------- assembling
def _facts_of_enterprise(row: Mapping[str, Any], index: Any, ent: int) -> dict[str, str]:
    from .reference import taxonomy

    facts: dict[str, str] = {}
    code = row.get("industry_code")
    effective = index.enterprises.code_at(ent)
    if isinstance(code, str):
        facts["所属行业"] = f"{code} {taxonomy.code_name(code)}"
    elif effective is not None:
        conf = float(index.enterprises.code_conf[ent])
        facts["所属行业"] = (
            f"{effective} {taxonomy.code_name(effective)}（据经营范围推断，置信度 {conf:.0%}）"
        )
    else:
        facts["所属行业"] = "未知"
    size = row.get("size_class")
    facts["企业规模"] = SIZE_LABELS.get(size, "未知") if isinstance(size, str) else "未知"
    srdi = row.get("srdi_level")
    facts["专精特新"] = SRDI_LABELS.get(srdi, "未知") if isinstance(srdi, str) else "未知"
    ht = row.get("high_tech")
    facts["高新技术企业"] = "未知" if ht is None or pd.isna(ht) else ("是" if ht else "否")
    for key, label, unit in (
        ("patents", "专利数", " 件"),
        ("employees", "从业人员", " 人"),
        ("revenue_wan", "营业收入", " 万元"),
        ("space_need_sqm", "需求面积", " 平方米"),
    ):
        value = row.get(key)
        facts[label] = "未知" if value is None or pd.isna(value) else f"{float(value):,.0f}{unit}"
    place = "".join(
        str(row[k]) for k in ("province", "city", "county") if isinstance(row.get(k), str)
    )
    facts["所在地"] = place or "未知"
    products = row.get("products")
    if isinstance(products, str):
        facts["主营产品"] = products
    return facts


def _chain_part(matcher: Any, park: int, ent: int) -> tuple[pd.DataFrame, str]:
    from .chains import STATUS_KEYS, STATUS_LABELS, matcher_chain_state

    columns = ["chain", "node", "segment", "status", "confidence", "tenants"]
    state = matcher_chain_state(matcher)
    prof = state.profiles[park]
    chains = state.chains
    rows = []
    for node, conf in state.placement.of(ent):
        chain_node = chains.nodes[node]
        members = prof.tenants.get(node, [])
        status = STATUS_LABELS[STATUS_KEYS[int(prof.status[node])]]
        rows.append(
            {
                "chain": chains.chains[int(chains.chain_of[node])].name,
                "node": chain_node.name,
                "segment": chain_node.segment,
                "status": status,
                "confidence": conf,
                "tenants": "、".join(m[1] for m in members[:5])
                + (f" 等 {len(members)} 家" if len(members) > 5 else ""),
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    if not prof.chains:
        note = "园区主导产业不在已收录的产业链上，无法判断补链、强链价值。"
    elif frame.empty:
        note = "企业未对应到已收录产业链的任何环节。"
    else:
        best = frame.iloc[0]
        note = f"企业主要处在{best['chain']}「{best['node']}」环节（{best['segment']}），该环节在园区为：{best['status']}。"
    if not prof.has_tenants:
        note += "园区未提供入驻企业名单，环节的集聚、薄弱、缺失情况未知（需补充入驻企业名单）。"
    return frame, note


def _signal_part(
    matcher: Any, park_id: str, enterprise_id: str, events: pd.DataFrame | None, as_of: Any
) -> tuple[float | None, pd.DataFrame, str, bool]:
    """(value, events table, note, assessed) for the pair."""
    from .features.signal import SignalFeature
    from .matching import Matcher

    columns = ["date", "kind", "detail", "source", "confidence", "weight", "age"]
    family = next((f for f in matcher.families_ if isinstance(f, SignalFeature)), None)
    m = matcher
    if family is not None and events is None:
        if family.state(matcher.index_).as_of == as_of:
            events = None  # the matcher's own evaluation on the same date
        else:
            events, family = family.events, None
            if events is None:
                events = pd.DataFrame(columns=["enterprise_id", "kind", "date"])
    if family is None and events is None:
        note = "未提供企业动态事件表（融资、扩产、搬迁、租约到期等），招商时机未评估。"
        return None, pd.DataFrame(columns=columns), note, False
    if family is None:
        # a small matcher over this enterprise alone, with the signal family only
        ents = matcher.enterprises_
        one = ents[ents["enterprise_id"].astype(str) == enterprise_id]
        assert events is not None
        if events.attrs.get("parkmatch_schema") != "events":
            from .io import validate_events

            events = validate_events(events)
        own = events[events["enterprise_id"].astype(str) == enterprise_id].copy()
        own.attrs["parkmatch_schema"] = "events"
        family = SignalFeature(own, as_of=as_of)
        m = Matcher(families=[family]).fit(matcher.parks_, one)
    explanation = m.explain(park_id, enterprise_id)
    value = explanation.values.get("signal")
    reason = next((r for r in explanation.reasons if r.startswith(family.label)), "")
    index = m.index_
    ent = index.enterprises.position[enterprise_id]
    own_events = family.events_of(index, ent)
    state_as_of = family.state(index).as_of
    from .io import age_phrase

    rows = [
        {
            "date": f"{pd.Timestamp(e['date']):%Y-%m-%d}",
            "kind": EVENT_KINDS[e["kind"]].label,
            "detail": e.get("detail") or "",
            "source": e.get("source") or "",
            "confidence": float(e["confidence"]),
            "weight": float(e["weight"]),
            "age": age_phrase(e["date"], state_as_of, forward=EVENT_KINDS[e["kind"]].forward),
        }
        for e in own_events.to_dict("records")
    ]
    note = reason.removeprefix(f"{family.label}：")
    return value, pd.DataFrame(rows, columns=columns), note, True


def assessment_report(
    matcher: Any,
    park_id: str,
    enterprise_id: str,
    *,
    events: pd.DataFrame | None = None,
    policies: pd.DataFrame | None = None,
    standards: pd.DataFrame | None = None,
    project: Mapping[str, Any] | None = None,
    as_of: Any = None,
) -> AssessmentReport:
    """The 研判 report of one enterprise for one park.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher (its score, contributions and reasons; its tenants for the chain part;
        its :class:`SignalFeature` and events when it has them).
    park_id, enterprise_id : str
    events : DataFrame, default=None
        Events (:func:`matcher.load_events`) when the matcher was fitted without them.
    policies : DataFrame, default=None
        Policies (:func:`matcher.policies.load_policies`); the park's are matched.
    standards : DataFrame, default=None
        Entry standards (:func:`matcher.vetting.load_standards`); None uses the defaults.
    project : dict, default=None
        The proposed project's figures for :func:`matcher.vetting.vet_project`; None leaves the
        vetting as 需补充信息.
    as_of : date or str, default=None
        Assessment date; None is today.

    Returns
    -------
    AssessmentReport

    Raises
    ------
    UnknownIdError
        For a park or enterprise the matcher does not hold.
    """
    from .policies import match_policies
    from .vetting import vet_project

    day = as_date(as_of)
    explanation = matcher.explain(park_id, enterprise_id)
    index = matcher.index_
    park = index.parks.position[str(park_id)]
    ent = index.enterprises.position[str(enterprise_id)]
    labels = {f.name: f.label for f in matcher.families_}
    cumulative = explanation.baseline
    wf_rows = []
    for name, contribution in explanation.contributions.items():
        cumulative += contribution
        wf_rows.append(
            {
                "family": name,
                "label": labels.get(name, name),
                "value": explanation.values.get(name),
                "weight": explanation.weights.get(name, float("nan")),
                "contribution": contribution,
                "cumulative": cumulative,
            }
        )
    waterfall = pd.DataFrame(wf_rows)
    ent_row = matcher.enterprises_.iloc[ent].to_dict()
    park_row = matcher.parks_.iloc[park].to_dict()
    park_facts = {
        "所在地": "".join(
            str(park_row[k])
            for k in ("province", "city", "county")
            if isinstance(park_row.get(k), str)
        )
        or "未知",
        "主导产业": "、".join(index.parks.leading[park]) or "未知",
        "可用面积": "未知"
        if pd.isna(park_row.get("available_sqm"))
        else f"{float(park_row['available_sqm']):,.0f} 平方米",
    }
    chain, chain_note = _chain_part(matcher, park, ent)
    signal_value, signals, signal_note, assessed = _signal_part(
        matcher, str(park_id), str(enterprise_id), events, day
    )
    family_events = events
    if family_events is None:
        from .features.signal import SignalFeature

        fam = next((f for f in matcher.families_ if isinstance(f, SignalFeature)), None)
        family_events = None if fam is None else fam.events
    policy_frame = None
    if policies is not None:
        policy_frame = match_policies(
            policies,
            matcher.enterprises_.iloc[[ent]],
            park_id=str(park_id),
            events=family_events,
            as_of=day,
        )
    vetting = None
    if project is not None:
        vetting = vet_project(project, standards, park_id=str(park_id))

    risks: list[str] = [r for r in explanation.reasons if r.startswith(("不符合入驻条件", "注意"))]
    missing: list[str] = []
    if index.enterprises.code_source[ent] == 2:
        risks.append("行业代码系据经营范围推断，请向企业核实（见“所属行业”）。")
    for name, value in explanation.values.items():
        if value is None:
            missing.append(f"{labels.get(name, name)}无法计算（按中性分计），相关信息缺失。")
    field_labels = {
        "industry_code": "行业代码",
        "business_scope": "经营范围",
        "products": "主营产品",
        "employees": "从业人员",
        "revenue_wan": "营业收入(万元)",
        "srdi_level": "专精特新",
        "high_tech": "高新技术企业",
        "patents": "专利数",
        "space_need_sqm": "需求面积(平方米)",
        "county": "区县",
    }
    absent = [
        label
        for key, label in field_labels.items()
        if ent_row.get(key) is None or pd.isna(ent_row.get(key))
    ]
    if absent:
        missing.append("企业信息缺少：" + "、".join(absent) + "。")
    if ent_row.get("location_source") in ("county", "city", "province"):
        risks.append("企业位置按所在行政区中心估计，距离为近似值。")
    if not assessed:
        missing.append("企业动态事件（融资、扩产、搬迁、租约到期等）未提供，招商时机未知。")
    elif len(signals) and float(signals["weight"].max()) < 0.05:
        risks.append("企业动态均已过时效，招商时机需重新核实。")
    if policy_frame is not None:
        need = policy_frame[policy_frame["status_key"] == "needs_info"]
        for r in need.itertuples(index=False):
            missing.append(f"政策「{r.name}」需补充：{r.missing}。")
        if (policy_frame["status_key"] == "recommended").sum() == 0:
            risks.append("企业目前不符合园区任何政策的全部条件，政策吸引力有限。")
    else:
        missing.append("园区政策未提供，无法判断可申请的政策。")
    if vetting is not None:
        failed = vetting.table[(vetting.table["status_key"] == "fail")]
        for r in failed.itertuples(index=False):
            kind = "硬性" if r.hard else "软性"
            risks.append(f"项目{r.label}未达{kind}准入标准：{r.figures}。")
        if vetting.missing:
            missing.append("项目评审需补充：" + "、".join(vetting.missing) + "。")
    else:
        missing.append(
            "拟落地项目信息（用地面积、固定资产投资、达产年产值和税收等）未提供，项目评审需补充信息。"
        )
    model = getattr(matcher.scorer_, "model_label", None) or type(matcher.scorer_).__name__
    if type(matcher.scorer_).__name__ == "WeightedScorer":
        model = "默认加权评分"
    return AssessmentReport(
        park_id=str(park_id),
        park_name=str(index.parks.names[park]),
        enterprise_id=str(enterprise_id),
        enterprise_name=str(index.enterprises.names[ent]),
        as_of=day,
        score=float(explanation.score),
        eligible=bool(explanation.eligible),
        baseline=float(explanation.baseline),
        model=str(model),
        waterfall=waterfall,
        reasons=list(explanation.reasons),
        enterprise=_facts_of_enterprise(ent_row, index, ent),
        park=park_facts,
        chain=chain,
        chain_note=chain_note,
        signal_value=None
        if signal_value is None or (isinstance(signal_value, float) and math.isnan(signal_value))
        else float(signal_value),
        signals=signals,
        signal_note=signal_note,
        policies=policy_frame,
        vetting=vetting,
        risks=list(dict.fromkeys(risks)),
        missing=list(dict.fromkeys(missing)),
    )
