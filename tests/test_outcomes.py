"""Outcomes: schema with Chinese aliases, every problem listed, and the synthetic ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher import (
    OUTCOME_COLUMNS,
    Matcher,
    SchemaError,
    labelled_pairs,
    load_outcomes,
    load_sample,
    load_sample_outcomes,
    make_outcomes,
    pair_features,
    validate_outcomes,
    write_table,
)
from matcher.outcomes import OUTCOME_GAIN, OUTCOMES, outcome_gain


def test_columns_and_values() -> None:
    assert [c.name for c in OUTCOME_COLUMNS] == ["park_id", "enterprise_id", "outcome", "date"]
    assert set(OUTCOME_GAIN) == set(OUTCOMES)


def test_chinese_headers_aliases_and_dates() -> None:
    raw = pd.DataFrame(
        {
            "园区编号": ["P1", "P1", "P2", "P2", "P3", "P3", "P3"],
            "企业编号": ["E1", "E2", "E1", "E3", "E1", "E2", "E3"],
            "跟进状态": ["已联系", "已走訪", "洽談中", "Signed", "已入驻", "企业无意向", "园区否决"],
            "跟进日期": ["2023-01-05", "2023/2/6", "2023.3.7", "2023年4月8日", "20230509",
                     "2023-06-10 00:00:00", None],
        }
    )  # fmt: skip
    out = validate_outcomes(raw)
    assert out["outcome"].tolist() == list(OUTCOMES)
    assert out["date"].iloc[3] == pd.Timestamp("2023-04-08")
    assert out["date"].iloc[4] == pd.Timestamp("2023-05-09")
    assert pd.isna(out["date"].iloc[6])
    assert out.attrs["parkmatch_schema"] == "outcomes"
    assert outcome_gain(out["outcome"]).tolist() == [0, 1, 2, 3, 4, 0, 0]


def test_every_problem_is_listed_with_row_and_column() -> None:
    raw = pd.DataFrame(
        {
            "park_id": ["P1", "P1", "P1", None],
            "enterprise_id": ["E1", "E1", "E2", "E3"],
            "outcome": ["visited", "visited", "maybe", "signed"],
            "date": ["2023-01-05", "2023-02-30", "soon", "2023-01-01"],
        }
    )
    with pytest.raises(SchemaError) as info:
        validate_outcomes(raw, file="台账.csv")
    problems = {(p.row, p.column, p.message) for p in info.value.problems}
    assert (3, "park_id", "编号重复（与第2行相同）") in problems  # the pair is listed twice
    assert (4, "outcome", "取值无效") in problems
    assert (3, "date", "取值无效") in problems and (4, "date", "取值无效") in problems
    assert (5, "park_id", "必填项为空") in problems
    assert all(p.file == "台账.csv" for p in info.value.problems)
    bad_day = next(p for p in info.value.problems if p.row == 3 and p.column == "date")
    assert "不合法" in (bad_day.expected or "")


def test_missing_columns_and_unknown_ids(parks, enterprises) -> None:
    with pytest.raises(SchemaError) as info:
        validate_outcomes(pd.DataFrame({"park_id": ["P-AL"]}))
    missing = {p.column for p in info.value.problems if p.message == "缺少必填列"}
    assert missing == {"企业编号", "跟进结果"}
    raw = pd.DataFrame(
        {"park_id": ["P-AL", "P-X"], "enterprise_id": ["E404", "E1"], "outcome": ["已联系"] * 2}
    )
    with pytest.raises(SchemaError) as info:
        validate_outcomes(raw, parks=parks, enterprises=enterprises)
    found = {(p.row, p.value) for p in info.value.problems}
    assert found == {(2, "E404"), (3, "P-X")}


def test_load_outcomes_reads_xlsx_with_chinese_headers(tmp_path) -> None:
    frame = pd.DataFrame({"园区编号": ["P1"], "企业编号": ["E1"], "跟进结果": ["已落地"],
                          "日期": ["2024-01-02"]})  # fmt: skip
    path = write_table(frame, tmp_path / "台账.xlsx")
    out = load_outcomes(path)
    assert out.loc[0, "outcome"] == "settled"


@pytest.fixture(scope="module")
def sample():
    parks, enterprises = load_sample()
    return parks, enterprises


def test_make_outcomes_is_reproducible_and_valid(sample) -> None:
    parks, enterprises = sample
    a = make_outcomes(parks, enterprises, random_state=5, contacts_per_park=(10, 20))
    b = make_outcomes(parks, enterprises, random_state=5, contacts_per_park=(10, 20))
    assert a.equals(b)
    assert not a.equals(
        make_outcomes(parks, enterprises, random_state=6, contacts_per_park=(10, 20))
    )
    out = validate_outcomes(a, parks=parks, enterprises=enterprises)
    per_park = out.groupby("park_id").size()
    assert per_park.between(10, 20).all() and len(per_park) == len(parks)
    assert out["date"].between("2022-01-01", "2024-12-31").all()
    assert out["date"].is_monotonic_increasing


def test_bundled_sample_is_the_generator_output(sample) -> None:
    parks, enterprises = sample
    bundled = load_sample_outcomes()
    again = validate_outcomes(make_outcomes(parks, enterprises, random_state=2022))
    pd.testing.assert_frame_equal(bundled, again, check_dtype=False)


def test_ledger_shows_position_bias_missing_negatives_and_other_tastes(sample) -> None:
    parks, enterprises = sample
    ledger = load_sample_outcomes()
    matcher = Matcher().fit(parks, enterprises)
    # missing negatives: a small share of the pairs were ever followed up
    assert len(ledger) < 0.05 * len(parks) * len(enterprises)
    # position bias: contacted leads sit high in the default ranking of their park
    pairs = labelled_pairs(matcher, ledger)
    pairs["score"] = matcher.scorer_.decision_function(pair_features(matcher, pairs).to_numpy())
    pairs["rank"] = pairs.groupby("park_id")["score"].rank(ascending=False, method="first")
    contacted = pairs[pairs["outcome"].notna()]
    share_top100 = (contacted["rank"] <= 100).mean()
    assert share_top100 > 5 * 100 / len(enterprises)  # over five times a random pick's share
    assert contacted["rank"].median() < len(enterprises) / 4
    # other tastes: among contacted leads, 专精特新 firms progress more often than the rest
    ents = enterprises.set_index("enterprise_id")
    srdi = ents.loc[ledger["enterprise_id"], "srdi_level"].to_numpy()
    progressed = outcome_gain(ledger["outcome"]) > 0
    assert (
        progressed[np.isin(srdi, ["provincial", "national"])].mean()
        > progressed[srdi == "none"].mean()
    )
