"""Render the README's report picture: page 1 of the sample 研判 report as docs/report-page1.png.

Writes the PDF of ``parkmatch report --park GY-LZ-AL --enterprise E001230 --as-of 2026-11-30``
(bundled sample with its tenants, events and policies, plus the example project below) to a
temporary folder and renders its first page with pypdfium2. Run from the repository root:
.venv/bin/python tools/render_report_page.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pypdfium2 as pdfium

from matcher import Matcher, load_sample
from matcher.datasets import (
    SAMPLE_EVENTS_AS_OF,
    load_sample_events,
    load_sample_tenants,
    sample_dir,
)
from matcher.features import SignalFeature, default_families
from matcher.features.chain import ChainFeature
from matcher.policies import load_policies
from matcher.report import assessment_report

PROJECT = {
    "项目名称": "年产 2 万吨再生铝合金锭项目",
    "用地面积(亩)": 30,
    "固定资产投资(万元)": 10500,
    "达产年产值(万元)": 15000,
    "达产年税收(万元)": 420,
    "总建筑面积(平方米)": 22000,
    "建筑及堆场占地面积(平方米)": 9000,
    "行政办公及生活服务设施用地(平方米)": 1200,
}


def main() -> None:
    parks, enterprises = load_sample()
    families = [*default_families(), ChainFeature(), SignalFeature(as_of=SAMPLE_EVENTS_AS_OF)]
    matcher = Matcher(families=families).fit(
        parks, enterprises, load_sample_tenants(), events=load_sample_events()
    )
    report = assessment_report(
        matcher,
        "GY-LZ-AL",
        "E001230",
        policies=load_policies(sample_dir() / "policies.csv", parks=parks),
        project=PROJECT,
        as_of=SAMPLE_EVENTS_AS_OF,
    )
    target = Path(__file__).resolve().parents[1] / "docs" / "report-page1.png"
    with tempfile.TemporaryDirectory() as folder:
        pdf_path = report.save(Path(folder) / "report.pdf")
        pdf = pdfium.PdfDocument(str(pdf_path))
        pdf[0].render(scale=1.25).to_pil().convert("RGB").save(target, optimize=True)
        print(f"{len(pdf)} pages; page 1 written to {target}")
        pdf.close()


if __name__ == "__main__":
    main()
