"""The 研判 report: content, the three formats, text extracted from the PDF, pages rendered."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import ConfigError, Matcher
from matcher.io import validate_events
from matcher.policies import validate_policies
from matcher.report import FontNotFoundError, assessment_report, find_cjk_font
from tests.test_policies import SHEET
from tests.test_vetting import GOOD

AS_OF = "2026-11-30"


@pytest.fixture
def policies(tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "p.csv"
    path.write_text(SHEET, encoding="utf-8")
    from matcher.policies import load_policies

    return load_policies(path)


@pytest.fixture
def events() -> pd.DataFrame:
    return validate_events(
        pd.DataFrame(
            {
                "enterprise_id": ["E1", "E1", "E8"],
                "kind": ["融资", "扩产", "外迁"],
                "date": ["2026-09-10", "2026-10-01", "2026-08-01"],
                "detail": [
                    "完成 B 轮融资 2 亿元",
                    "公告铝板带扩产项目",
                    "公告拟将生产基地迁出上海市",
                ],
                "source": ["企业公告", "环评公示", "新闻报道"],
            }
        )
    )


@pytest.fixture
def full(
    parks: pd.DataFrame, enterprises: pd.DataFrame, events: pd.DataFrame, policies: pd.DataFrame
) -> object:
    m = Matcher().fit(parks, enterprises, events=events)
    return assessment_report(m, "P-AL", "E1", policies=policies, project=GOOD, as_of=AS_OF)


def _pdf_font() -> None:
    try:
        find_cjk_font()
    except FontNotFoundError as exc:  # .ci/run installs fonts-wqy-zenhei; skip only without it
        pytest.skip(f"no Chinese TrueType font on this machine: {exc}")


def test_report_content_is_the_matchers_own_arithmetic(full: object, parks: pd.DataFrame) -> None:
    report = full
    assert report.enterprise_name == "巩义市恒达铝业有限公司"  # type: ignore[attr-defined]
    wf = report.waterfall  # type: ignore[attr-defined]
    assert report.baseline + wf["contribution"].sum() == pytest.approx(report.score)  # type: ignore[attr-defined]
    assert wf["cumulative"].iloc[-1] == pytest.approx(report.score)  # type: ignore[attr-defined]
    assert "signal" in set(wf["family"])
    # signals: the events of E1, strongest first, named with their dates
    signals = report.signals  # type: ignore[attr-defined]
    assert signals["detail"].tolist() == ["公告铝板带扩产项目", "完成 B 轮融资 2 亿元"]
    assert "2026-09 完成 B 轮融资 2 亿元，近 3 个月" in report.signal_note  # type: ignore[attr-defined]
    # the park's policies (Z7 is another park's)
    states = dict(zip(report.policies["policy_id"], report.policies["status"], strict=True))  # type: ignore[attr-defined]
    assert states == {
        "Z1": "不推荐",
        "Z2": "推荐",
        "Z3": "推荐",
        "Z4": "已过期",
        "Z5": "推荐",
        "Z6": "不推荐",
    }
    assert report.vetting.verdict == "通过"  # type: ignore[attr-defined]


def test_missing_enterprise_fields_show_up_as_needed_information(
    parks: pd.DataFrame, enterprises: pd.DataFrame, policies: pd.DataFrame
) -> None:
    # E4 has no 专精特新 level, no 高新 flag and no patents: the policies needing them say so
    report = assessment_report(
        Matcher().fit(parks, enterprises), "P-AL", "E4", policies=policies, as_of=AS_OF
    )
    assert report.policies.set_index("policy_id").loc["Z1", "status"] == "需补充信息"  # type: ignore[union-attr]
    joined = "\n".join(report.missing)
    assert "政策「专精特新入园奖励」需补充：专精特新" in joined
    assert "专精特新、高新技术企业、专利数" in joined
    assert any("推断" in r for r in report.risks)  # its industry code was inferred


def test_pdf_text_and_pages(full: object, tmp_path: Path) -> None:
    _pdf_font()
    import pypdfium2 as pdfium

    path = full.save(tmp_path / "研判.pdf")  # type: ignore[attr-defined]
    pdf = pdfium.PdfDocument(str(path))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    text = text.replace("\r", "").replace("\n", "")
    for needle in (
        "招商研判报告",
        "巩义市恒达铝业有限公司",
        "巩义铝精深加工园",
        f"匹配得分 {full.score:.1f} 分",  # type: ignore[attr-defined]
        "匹配得分分解",
        "产业链位置",
        "招商时机",
        "2026-09 完成 B 轮融资 2 亿元",
        "政策匹配",
        "专精特新入园奖励",
        "已过期",
        "不推荐",
        "项目评审",
        "评审结论：通过",
        "风险提示",
        "缺失信息",
    ):
        assert needle in text, needle
    # every page renders to a picture with ink on it
    ink = []
    for i in range(len(pdf)):
        image = pdf[i].render(scale=0.6).to_pil().convert("L")
        assert image.size[0] > 300 and image.size[1] > 400
        ink.append(float((np.asarray(image) < 128).mean()))
    assert min(ink) > 0.0005 and ink[0] > 0.01  # text and tables, no blank page
    pdf.close()


def test_xlsx_and_docx(full: object, tmp_path: Path) -> None:
    from docx import Document
    from openpyxl import load_workbook

    xlsx = full.save(tmp_path / "研判.xlsx")  # type: ignore[attr-defined]
    wb = load_workbook(xlsx)
    assert wb.sheetnames == [
        "概要",
        "得分分解",
        "产业链",
        "时机信号",
        "政策匹配",
        "项目评审",
        "风险与缺失",
    ]
    assert wb["概要"]["A1"].value == full.title  # type: ignore[attr-defined]
    policies = [[c.value for c in row] for row in wb["政策匹配"].iter_rows(min_row=2)]
    assert any(r[0] == "小微企业租金补贴" and r[1] == "推荐" for r in policies)
    assert len(wb["得分分解"]._charts) == 1
    docx = full.save(tmp_path / "研判.docx")  # type: ignore[attr-defined]
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "招商研判报告" in text and "项目评审" in text and "风险提示" in text
    with pytest.raises(ConfigError, match=r"\.pdf"):
        full.save(tmp_path / "研判.txt")  # type: ignore[attr-defined]


def test_without_events_policies_or_project_everything_needs_information(
    parks: pd.DataFrame, enterprises: pd.DataFrame, tmp_path: Path
) -> None:
    m = Matcher().fit(parks, enterprises)
    report = assessment_report(m, "P-AL", "E7", as_of=AS_OF)
    assert report.signal_value is None and report.policies is None and report.vetting is None
    summary = "\n".join(report.summary())
    assert "招商时机：未知" in summary and "未提供园区政策" in summary
    assert "项目评审：需补充信息" in summary
    joined = "\n".join(report.missing)
    for needed in ("企业动态事件", "园区政策", "拟落地项目", "行业代码", "经营范围"):
        assert needed in joined, needed
    # XLSX needs no font
    assert report.save(tmp_path / "r.xlsx").stat().st_size > 0


def test_text_cells_never_become_formulas(parks: pd.DataFrame, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ents = pd.DataFrame(
        [{"enterprise_id": "X1", "name": '=HYPERLINK("http://x","点我")', "industry_code": "3252"}]
    )
    report = assessment_report(Matcher().fit(parks, ents), "P-AL", "X1", as_of=AS_OF)
    wb = load_workbook(report.save(tmp_path / "x.xlsx"))
    cell = wb["概要"]["A1"]
    assert cell.data_type == "s" and str(cell.value).endswith("× 巩义铝精深加工园")
    # the same sanitiser as every other writer: a cell holding the name alone is quoted
    texts = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value]
    alone = [t for t in texts if t.lstrip("'").startswith("=HYPERLINK")]
    assert alone and all(t.startswith("'") for t in alone), alone


def test_missing_font_says_how_to_install_and_other_formats_still_work(
    full: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "不是字体.ttf"
    fake.write_bytes(b"not a font")
    monkeypatch.setenv("PARKMATCH_CJK_FONT", str(fake))
    with pytest.raises(FontNotFoundError, match="fonts-wqy-zenhei"):
        full.save(tmp_path / "r.pdf")  # type: ignore[attr-defined]
    assert not (tmp_path / "r.pdf").exists()
    assert full.save(tmp_path / "r.docx").stat().st_size > 0  # type: ignore[attr-defined]
    assert full.save(tmp_path / "r.xlsx").stat().st_size > 0  # type: ignore[attr-defined]


def test_policies_validated_on_the_fly(parks: pd.DataFrame, enterprises: pd.DataFrame) -> None:
    raw = pd.DataFrame({"政策编号": ["Q"], "园区编号": ["P-AL"], "政策名称": ["普惠"]})
    report = assessment_report(
        Matcher().fit(parks, enterprises), "P-AL", "E1", policies=validate_policies(raw)
    )
    assert report.policies["status"].tolist() == ["推荐"]  # type: ignore[index]
