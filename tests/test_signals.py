"""Events table: schema, validation, loaders, decay and the generator."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import ConfigError, SchemaError, load_events, load_sample
from matcher.datasets import SAMPLE_EVENTS_AS_OF, load_sample_events, make_events
from matcher.io import EVENT_KINDS, age_phrase, describe_event, event_weights, validate_events


def _events(*rows: tuple[str, str, str], confidence: str | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["enterprise_id", "kind", "date"])
    if confidence is not None:
        frame["confidence"] = confidence
    return validate_events(frame)


def test_chinese_headers_aliases_and_spellings_are_read() -> None:
    raw = pd.DataFrame(
        {
            "企业编号": ["E1", "E2", "E3"],
            "事件类型": ["融資", "新设子公司", "lease_expiry"],
            "发生日期": ["2026年9月15日", "2026/10/01", "20270301"],
            "信息来源": ["企业公告", None, "走訪記錄"],
            "详情": ["完成 B 轮融资 2 亿元，用于扩产", None, "现厂房租约到期"],
            "可信度": ["90%", None, "0.7"],
        }
    )
    events = validate_events(raw)
    assert events["kind"].tolist() == ["financing", "branch", "lease_expiry"]
    assert events["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-09-15",
        "2026-10-01",
        "2027-03-01",
    ]
    assert events["confidence"].tolist() == [0.9, 1.0, 0.7]
    # display text keeps Chinese punctuation; Traditional becomes Simplified
    assert events.loc[0, "detail"] == "完成 B 轮融资 2 亿元，用于扩产"
    assert events.loc[2, "source"] == "走访记录"
    assert events.attrs["parkmatch_schema"] == "events"


def test_every_problem_is_listed_with_row_and_column() -> None:
    raw = pd.DataFrame(
        {
            "企业编号": ["E1", "E1", "E9", None, "E1"],
            "事件类型": ["融资", "天降横财", "融资", "融资", "融资"],
            "日期": ["2026-09-15", "2026-02-30", "2026-01-01", "2026-01-01", "2026/9/15"],
            "置信度": ["1.2", "0.5", "abc", None, None],
        }
    )
    enterprises = pd.DataFrame({"enterprise_id": ["E1", "E2"]})
    with pytest.raises(SchemaError) as info:
        validate_events(raw, file="events.csv", enterprises=enterprises)
    found = {(p.row, p.column) for p in info.value.problems}
    assert (2, "置信度") in found  # 1.2 is neither a share nor a whole percentage
    assert (3, "事件类型") in found  # unknown kind
    assert (3, "日期") in found  # 30 February
    assert (4, "企业编号") in found  # not in the enterprises table
    assert (4, "置信度") in found
    assert (5, "企业编号") in found  # required and empty
    assert (6, "事件详情") in found  # the same event as row 2 (same id, kind, date, no detail)
    assert all(p.file == "events.csv" for p in info.value.problems)
    assert "第6行" in str(info.value) and "重复" in str(info.value)


def test_missing_required_columns_are_named() -> None:
    with pytest.raises(SchemaError) as info:
        validate_events(pd.DataFrame({"企业编号": ["E1"], "详情": ["x"]}))
    missing = {p.column for p in info.value.problems if p.message == "缺少必填列"}
    assert missing == {"事件类型", "日期"}


def test_load_events_reads_gb18030_csv_and_xlsx(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "企业编号": ["E1"],
            "事件类型": ["搬迁公告/外迁"],
            "日期": ["2026-05-01"],
            "详情": ["迁出"],
        }
    )
    csv = tmp_path / "事件.csv"
    csv.write_bytes(frame.to_csv(index=False).encode("gb18030"))
    xlsx = tmp_path / "事件.xlsx"
    frame.to_excel(xlsx, index=False)
    for path in (csv, xlsx):
        events = load_events(path)
        assert events["kind"].tolist() == ["relocation"]
    bad = tmp_path / "bad.csv"
    bad.write_text("企业编号,事件类型,日期\nE1,融资,明天\n", encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        load_events(bad)
    assert info.value.problems[0].file == "bad.csv" and info.value.problems[0].row == 2


# ---------------------------------------------------------------------------- decay
def test_weight_halves_every_half_life() -> None:
    events = _events(
        ("E1", "融资", "2026-12-01"),  # today
        ("E1", "融资", "2026-06-04"),  # 180 days: one half-life
        ("E1", "融资", "2025-12-06"),  # 360 days: two
        ("E1", "融资", "2016-12-01"),  # ten years: gone
    )
    w = event_weights(events, "2026-12-01")
    assert w[:3] == pytest.approx([0.6, 0.3, 0.15])
    assert 0 < w[3] < 1e-5


def test_confidence_scales_and_future_events_do_not_count() -> None:
    events = _events(("E1", "融资", "2026-12-01"), ("E1", "融资", "2027-01-01"), confidence="50%")
    assert event_weights(events, "2026-12-01").tolist() == pytest.approx([0.3, 0.0])


def test_lease_expiry_weighs_fully_in_the_year_before_and_fades_after() -> None:
    kind = EVENT_KINDS["lease_expiry"]
    events = _events(
        ("E1", "租约到期", "2027-06-19"),  # 200 days ahead: inside the lead year
        ("E1", "租约到期", "2028-04-14"),  # 500 days ahead
        ("E1", "租约到期", "2026-09-02"),  # 90 days ago: one half-life after it
    )
    w = event_weights(events, "2026-12-01")
    assert w[0] == pytest.approx(kind.strength)
    assert w[1] == pytest.approx(kind.strength * 0.5 ** ((500 - 365) / kind.half_life_days))
    assert w[2] == pytest.approx(kind.strength / 2)


def test_half_lives_and_strengths_are_configurable_by_chinese_label() -> None:
    events = _events(("E1", "融资", "2026-06-04"))
    assert event_weights(events, "2026-12-01", half_lives={"融资": 90}) == pytest.approx([0.15])
    assert event_weights(events, "2026-12-01", strengths={"financing": 1.0}) == pytest.approx([0.5])
    with pytest.raises(ConfigError, match="天降横财"):
        event_weights(events, "2026-12-01", half_lives={"天降横财": 30})
    with pytest.raises(ConfigError, match="半衰期"):
        event_weights(events, "2026-12-01", half_lives={"融资": 0})
    with pytest.raises(ConfigError, match="评估日期"):
        event_weights(events, "下周")


def test_event_sentences_name_the_event_and_its_date() -> None:
    events = validate_events(
        pd.DataFrame(
            {
                "enterprise_id": ["E1", "E1", "E1"],
                "kind": ["融资", "招聘扩张", "租约临期"],
                "date": ["2026-09-10", "2024-08-01", "2027-05-31"],
                "detail": ["完成 B 轮融资 2 亿元", None, "现厂房租约到期"],
            }
        )
    )
    texts = [describe_event(e, "2026-12-01") for e in events.to_dict("records")]
    assert texts == [
        "2026-09 完成 B 轮融资 2 亿元，近 3 个月",
        "2024-08 招聘扩张，2 年 4 个月前",
        "2027-05 现厂房租约到期，约 6 个月后",
    ]
    assert age_phrase("2026-11-25", "2026-12-01") == "近 1 个月"


# ---------------------------------------------------------------------------- generator
def test_generator_is_reproducible_and_consistent_with_records() -> None:
    _, enterprises = load_sample()
    sheet = make_events(enterprises.head(600), random_state=5)
    assert sheet.equals(make_events(enterprises.head(600), random_state=5))
    events = validate_events(sheet, enterprises=enterprises)  # a valid raw sheet
    assert set(events["kind"]) >= {"financing", "expansion", "hiring", "relocation"}
    end = pd.Timestamp(SAMPLE_EVENTS_AS_OF)
    past = events[events["kind"] != "lease_expiry"]
    assert (past["date"] <= end).all() and (past["date"] >= end - pd.Timedelta(days=1100)).all()
    # certification only for enterprises whose record says 专精特新 or 高新
    cert = events.loc[events["kind"] == "certification", "enterprise_id"]
    rec = enterprises.set_index("enterprise_id").loc[cert]
    assert ((rec["srdi_level"].fillna("none") != "none") | rec["high_tech"].fillna(False)).all()
    # eastern enterprises post relocation notices far more often (per enterprise)
    east = enterprises["province"].fillna("").str.startswith(("上海", "江苏", "浙江", "广东"))
    reloc = set(events.loc[events["kind"] == "relocation", "enterprise_id"])
    ids = enterprises.head(600)
    share = [
        np.mean([e in reloc for e in ids.loc[mask[: len(ids)], "enterprise_id"]])
        for mask in (east.to_numpy(), ~east.to_numpy())
    ]
    assert share[0] > 3 * share[1]


def test_sample_events_are_bundled_and_valid() -> None:
    _, enterprises = load_sample()
    events = load_sample_events()
    assert len(events) > 1000
    assert set(events["enterprise_id"]) <= set(enterprises["enterprise_id"])
    assert events["confidence"].between(0, 1).all()
    assert not math.isnan(float(events["confidence"].mean()))
