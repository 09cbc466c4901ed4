"""The leads table at the terminal's width: CJK cells, numbers with their units, whole names."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from rich.cells import cell_len
from rich.console import Console

from matcher.cli._layout import name_tokens, print_leads, text_tokens, wrap_tokens

from .cli_runner import run

REASONS = (
    "产业匹配：所属行业「3252 铝压延加工」正是园区主导产业；"
    "业务契合：「有色金属铸造」与园区产业定位高度契合（共同关键词：有色金属铸造、铝板带箔）；"
    "空间规模：需求面积约 1.9 万平方米，园区可用 8.6 万平方米，可以容纳，中型企业（按从业人员"
    "和营业收入测算），体量偏大，小微企业园承载有限；区位：距园区约 23 公里（上街区）；"
    "成长质量：省级专精特新中小企业、高新技术企业、专利 1,300 件"
)
PAGE = pd.DataFrame(
    {
        "rank": [1, 2, 3],
        "enterprise_id": ["E001801", "E000029", "E9"],
        "name": [
            "巩义市明泰铝业有限公司",
            "河南中孚实业股份有限公司",
            "郑州华晶金刚石股份有限公司",
        ],
        "score": [91.94, 89.56, 40.0],
        "eligible": [True, True, False],
        "reasons": [REASONS, REASONS.replace("8.6", "12.0"), "经营范围与园区产业定位无明显关联"],
        "industry": [35.0, 35.0, 0.0],
        "text": [25.0, 24.3, 1.0],
        "capacity": [12.6, 15.0, 10.0],
        "quality": [9.4, 5.3, 1.0],
        "location": [9.9, 9.9, float("nan")],
    }
)
UNITS = re.compile(r"(万平方米|平方米|公里)")  # in these reasons, always after a number


def render(width: int, *, wide: bool = False) -> list[str]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None)
    title = "巩义市鲁庄镇铝精深加工小微企业园 推荐招商企业"
    print_leads(console, PAGE, title, "enterprise_id", wide=wide)
    return buffer.getvalue().splitlines()


def assert_units_kept(lines: list[str]) -> None:
    for line in lines:
        for found in UNITS.finditer(line):
            # the number the unit belongs to is right before it, on the same line
            assert re.search(r"\d ?$", line[: found.start()]), line


@pytest.mark.parametrize("width", [80, 100, 64])
def test_compact_table_fits_the_terminal(width: int) -> None:
    lines = render(width)
    assert lines and all(cell_len(line) <= width for line in lines)
    text = "\n".join(lines)
    assert "8.6 万平方米" in text and "12.0 万平方米" in text and "1,300 件" in text
    assert "23 公里" in text
    assert_units_kept(lines)
    for part in ("明泰铝业", "有限公司", "股份有限公司", "有色金属铸造", "铝板带箔"):
        assert part in text, part  # never cut across two lines
    assert "E001801" in text  # the id under the name
    assert "编号" not in text and "产业" not in lines[2]  # compact: no id or component columns


def test_wide_table_shows_every_column() -> None:
    lines = render(80, wide=True)
    header = next(line for line in lines if "排名" in line)
    for title in ("编号", "名称", "得分", "产业", "业务", "空间", "质量", "区位", "推荐理由"):
        assert title in header
    assert "8.6 万平方米" in "\n".join(lines)
    assert_units_kept(lines)


def test_a_wide_terminal_gets_every_column_without_asking() -> None:
    lines = render(200)
    assert all(cell_len(line) <= 200 for line in lines)
    assert "编号" in next(line for line in lines if "排名" in line)


@pytest.mark.parametrize("width", range(6, 40))
def test_wrapping_never_parts_a_number_from_its_unit(width: int) -> None:
    lines = wrap_tokens(text_tokens(REASONS), width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == REASONS.replace(" ", "")
    if width >= cell_len("12.0 万平方米"):
        assert_units_kept(lines)


def test_name_tokens_are_the_parts_of_the_name() -> None:
    assert name_tokens("巩义市明泰铝业有限公司") == ["巩义市", "明泰铝业", "有限公司"]
    parts = name_tokens("巩义市鲁庄镇铝精深加工小微企业园", 14)
    assert "".join(parts) == "巩义市鲁庄镇铝精深加工小微企业园"
    assert "鲁庄镇" in parts and "小微企业园" in parts


def test_rank_table_at_80_columns(monkeypatch, capsys) -> None:
    code, out, _ = run(monkeypatch, capsys, "rank", "--park", "GY-LZ-AL", "--top", "5", columns=80)
    assert code == 0
    lines = out.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), max(lines, key=cell_len)
    assert "万平方米" in out
    assert_units_kept(lines)
    code, wide, _ = run(
        monkeypatch, capsys, "rank", "--park", "GY-LZ-AL", "--top", "5", "--wide", columns=80
    )
    assert code == 0 and "编号" in wide and "区位" in wide.splitlines()[2]
