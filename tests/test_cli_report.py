"""``parkmatch signals / policies / vet / rate / report`` and the new ``validate`` kinds, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from matcher.io import write_table

from .cli_runner import run
from .conftest import ENTERPRISES, PARKS
from .test_policies import SHEET
from .test_vetting import GOOD

AS_OF = ("--as-of", "2026-11-30")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    events = pd.DataFrame(
        {
            "企业编号": ["E1", "E9", "E8"],
            "事件类型": ["融资", "扩产", "外迁"],
            "日期": ["2026-09-10", "2026-10-01", "2026-08-01"],
            "事件详情": ["完成 B 轮融资 2 亿元", "公告铜板带扩产项目", "拟迁出上海"],
        }
    )
    policies = tmp_path / "政策.csv"
    policies.write_text(SHEET, encoding="utf-8")
    project = tmp_path / "项目.json"
    project.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    return {
        "parks": write_table(pd.DataFrame(PARKS), tmp_path / "parks.csv"),
        "enterprises": write_table(pd.DataFrame(ENTERPRISES), tmp_path / "enterprises.csv"),
        "events": write_table(events, tmp_path / "事件.csv"),
        "policies": policies,
        "project": project,
    }


def _common(files: dict[str, Path]) -> list[str]:
    return ["--parks", str(files["parks"]), "--enterprises", str(files["enterprises"])]


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf"])
def test_report_writes_each_format(monkeypatch, capsys, files, tmp_path, suffix) -> None:
    if suffix == ".pdf":
        from matcher.report import FontNotFoundError, find_cjk_font

        try:
            find_cjk_font()
        except FontNotFoundError as exc:
            pytest.skip(f"no Chinese TrueType font on this machine: {exc}")
    target = tmp_path / f"研判{suffix}"
    code, out, err = run(
        monkeypatch,
        capsys,
        "report",
        *_common(files),
        "--park",
        "P-AL",
        "--enterprise",
        "E1",
        "--events",
        str(files["events"]),
        "--policies",
        str(files["policies"]),
        "--project",
        str(files["project"]),
        *AS_OF,
        "-o",
        str(target),
    )
    assert code == 0, err
    assert "招商研判报告：巩义市恒达铝业有限公司 × 巩义铝精深加工园" in out
    assert "项目评审：通过" in out and "2026-09 完成 B 轮融资 2 亿元" in out
    assert target.stat().st_size > 1000 and f"已写出研判报告到 {target}" in err


def test_report_errors_are_one_line(monkeypatch, capsys, files, tmp_path) -> None:
    args = ["report", *_common(files), "--park", "P-AL"]
    code, _, err = run(monkeypatch, capsys, *args, "--enterprise", "NOPE")
    assert code == 1 and "未找到企业编号 'NOPE'" in err
    code, _, err = run(
        monkeypatch, capsys, *args, "--enterprise", "E1", "-o", str(tmp_path / "r.txt")
    )
    assert code == 2 and ".pdf、.xlsx 或 .docx" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("企业编号,事件类型,日期\nE1,天降横财,2026-01-01\n", encoding="utf-8")
    code, _, err = run(monkeypatch, capsys, *args, "--enterprise", "E1", "--events", str(bad))
    assert code == 1 and "bad.csv，第2行，列「事件类型」" in err


def test_report_on_the_sample_without_files(monkeypatch, capsys) -> None:
    code, out, err = run(
        monkeypatch, capsys, "report", "--park", "GY-LZ-AL", "--enterprise", "E001230", *AS_OF
    )
    assert code == 0, err
    assert "政策匹配：" in out and "项目评审：需补充信息" in out


def test_signals_lists_the_timely_enterprises(monkeypatch, capsys, files) -> None:
    code, out, err = run(
        monkeypatch,
        capsys,
        "signals",
        *_common(files),
        "--events",
        str(files["events"]),
        "--park",
        "P-AL",
        "--min-score",
        "0",
        *AS_OF,
    )
    assert code == 0, err
    assert "E1" in out and "E9" in out and "完成 B 轮融资" in out
    assert "E3" not in out  # no events and no relocation push: timing unknown, not listed


def test_policies_for_one_enterprise_and_as_a_lead_filter(monkeypatch, capsys, files) -> None:
    base = ["policies", *_common(files), "--policies", str(files["policies"]), "--park", "P-AL"]
    code, out, err = run(monkeypatch, capsys, *base, "--enterprise", "E1", *AS_OF)
    assert code == 0, err
    for text in ("小微企业租金补贴", "推荐", "已过期", "不推荐", "需补充信息"):
        assert text in out, text
    code, out, err = run(monkeypatch, capsys, *base, "--min-policies", "2", "--boost", "5", *AS_OF)
    assert code == 0, err
    assert "符合至少 2 项政策的线索" in out and "E1" in out


def test_vet_and_rate(monkeypatch, capsys, files, tmp_path) -> None:
    code, out, err = run(monkeypatch, capsys, "vet", "--project", str(files["project"]))
    assert code == 0, err
    assert "评审结论：通过" in out and "投资强度：达标" in out
    sheet = tmp_path / "项目.csv"
    sheet.write_text(
        "项目名称,用地面积(亩),达产年税收(万元)\n甲,10,100\n乙,10,很多\n", encoding="utf-8"
    )
    code, _, err = run(monkeypatch, capsys, "vet", "--project", str(sheet))
    assert code == 1 and "第3行" in err and "达产年税收" in err
    data = tmp_path / "亩均.csv"
    data.write_text(
        "企业编号,用地面积(亩),实缴税收(万元),产值(万元),综合能耗(吨标准煤),从业人员\n"
        "A,10,300,5000,500,50\nB,20,100,3000,900,60\nC,,10,100,10,5\n",
        encoding="utf-8",
    )
    out_file = tmp_path / "评级.xlsx"
    code, out, err = run(monkeypatch, capsys, "rate", str(data), "--no-rd", "-o", str(out_file))
    assert code == 0, err
    assert "需补充信息" in out and pd.read_excel(out_file)["grade"].tolist()[:2] == ["A", "B"]


def test_validate_new_kinds(monkeypatch, capsys, files, tmp_path) -> None:
    code, out, _ = run(monkeypatch, capsys, "validate", str(files["events"]))
    assert code == 0 and "共 3 条事件" in out
    code, out, _ = run(monkeypatch, capsys, "validate", str(files["policies"]))
    assert code == 0 and "行政策条件" in out
    bad = tmp_path / "policies.json"
    bad.write_text(json.dumps([{"policy_id": "Z", "park_id": "P"}]), encoding="utf-8")
    code, _, err = run(monkeypatch, capsys, "validate", str(bad))
    assert code == 1 and "policies[0].name" in err


def test_rank_with_events_adds_the_timing_family(monkeypatch, capsys, files) -> None:
    code, out, err = run(
        monkeypatch,
        capsys,
        "rank",
        *_common(files),
        "--events",
        str(files["events"]),
        "--park",
        "P-AL",
        "--format",
        "csv",
    )
    assert code == 0, err
    assert "招商时机贡献" in out.splitlines()[0]
