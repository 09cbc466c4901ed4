"""Outcomes: schema with Chinese aliases, every problem listed, and the synthetic ledger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher import ConfigError, Matcher, SchemaError, load_outcomes, load_sample
from matcher.datasets import expected_gain, load_sample_outcomes, make_outcomes
from matcher.io import write_table
from matcher.learning import (
    OUTCOME_COLUMNS,
    OUTCOME_GAIN,
    OUTCOMES,
    labelled_pairs,
    ledger_gain,
    outcome_gain,
    pair_features,
    validate_outcomes,
)


def test_columns_and_values() -> None:
    assert [c.name for c in OUTCOME_COLUMNS] == [
        "park_id", "enterprise_id", "outcome", "date", "first_contact", "stage_reached",
        "source", "shown_rank", "scorer", "propensity",
    ]  # fmt: skip
    assert [c.name for c in OUTCOME_COLUMNS if c.required] == [
        "park_id",
        "enterprise_id",
        "outcome",
    ]
    assert set(OUTCOME_GAIN) == set(OUTCOMES)


def test_old_ledgers_stay_valid_with_empty_exposure_columns() -> None:
    raw = pd.DataFrame({"园区编号": ["P1"], "企业编号": ["E1"], "跟进结果": ["已走访"]})
    out = validate_outcomes(raw)
    assert out["outcome"].tolist() == ["visited"]
    assert out["source"].isna().all() and out["stage_reached"].isna().all()
    assert out["shown_rank"].isna().all() and out["propensity"].isna().all()
    assert str(out["shown_rank"].dtype) == "Int64"
    assert ledger_gain(out).tolist() == [1]


def test_exposure_columns_with_chinese_headers_and_aliases() -> None:
    raw = pd.DataFrame(
        {
            "园区编号": ["P1", "P1", "P1", "P2"],
            "企业编号": ["E1", "E2", "E3", "E1"],
            "跟进结果": ["企业拒绝", "已签约", "已联系", "园区否决"],
            "结果日期": ["2023-05-01", "2023-06-01", "2023-07-01", "2023-08-01"],
            "首次联系日期": ["2023-01-02", "2023/2/3", None, "2023年3月4日"],
            "最远进展": ["已走访", "已签约", None, "洽談中"],
            "线索来源": ["系统推荐", "随机探索", "自有渠道", "ranking"],
            "展示名次": ["3", "12.0", None, "１"],
            "排序模型": ["default", "default", None, "模型A"],
            "展示概率": [None, "5%", None, None],
        }
    )
    out = validate_outcomes(raw)
    assert out["source"].tolist() == ["ranking", "random", "own", "ranking"]
    assert out["stage_reached"].tolist() == ["visited", "signed", None, "negotiating"]
    assert out["shown_rank"].tolist() == [3, 12, pd.NA, 1]
    assert out["propensity"].iloc[1] == pytest.approx(0.05)
    assert out["first_contact"].iloc[3] == pd.Timestamp("2023-03-04")
    assert out["scorer"].tolist()[:2] == ["default", "default"]
    # a declined lead that reached a visit counts as a visit; a rejected one at negotiation as 2
    assert ledger_gain(out).tolist() == [1, 3, 0, 2]


def test_exposure_problems_are_listed_with_row_and_column() -> None:
    raw = pd.DataFrame(
        {
            "park_id": ["P1", "P1", "P1", "P1", "P1", "P1"],
            "enterprise_id": ["E1", "E2", "E3", "E4", "E5", "E6"],
            "outcome": ["signed", "visited", "visited", "visited", "visited", "visited"],
            "date": ["2023-05-01"] * 5 + ["2023-01-01"],
            "first_contact": [None] * 5 + ["2023-02-01"],
            "stage_reached": ["visited", "declined", None, None, None, None],
            "source": ["ranking", "ranking", "own", "random", "网络", "ranking"],
            "shown_rank": ["1", "0", "5", None, None, "2.5"],
            "propensity": [None, None, None, None, None, "1.5"],
        }
    )
    with pytest.raises(SchemaError) as info:
        validate_outcomes(raw, file="台账.xlsx")
    found = {(p.row, p.column, p.message) for p in info.value.problems}
    assert (2, "stage_reached", "最远进展早于跟进结果") in found  # signed but reached a visit
    assert (3, "stage_reached", "取值无效") in found  # an ending is not a stage
    assert (3, "shown_rank", "取值无效") in found  # rank 0
    assert (4, "shown_rank", "自有渠道的线索不应有展示名次") in found
    assert (5, "shown_rank", "随机探索的线索需要展示名次和展示概率") in found
    assert (6, "source", "取值无效") in found
    assert (7, "shown_rank", "取值无效") in found and (7, "propensity", "取值无效") in found
    assert (7, "first_contact", "首次联系日期晚于结果日期") in found
    assert all(p.file == "台账.xlsx" for p in info.value.problems)


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


def test_make_outcomes_logs_what_was_shown(sample) -> None:
    parks, enterprises = sample
    raw, truth = make_outcomes(parks, enterprises, random_state=3, return_truth=True)
    ledger = validate_outcomes(raw, parks=parks, enterprises=enterprises)
    from_ranking = ledger["source"] == "ranking"
    assert set(ledger["source"]) == {"ranking", "own"}
    assert 0.6 < from_ranking.mean() < 0.9  # tool_share 0.75
    assert ledger.loc[from_ranking, "shown_rank"].notna().all()
    assert ledger.loc[~from_ranking, "shown_rank"].isna().all()
    assert set(ledger.loc[from_ranking, "scorer"]) == {"default"}
    # the shown rank is the pair's rank in the default ranking of its park
    ranks = truth.set_index(["park_id", "enterprise_id"])["default_rank"]
    shown = ledger[from_ranking].set_index(["park_id", "enterprise_id"])["shown_rank"]
    assert (shown.astype(float) == ranks.reindex(shown.index)).all()
    # the stage reached is never before the outcome, and first contact never after its date
    order = {s: i for i, s in enumerate(OUTCOMES[:5])}
    progressed = ledger["outcome"].isin(order)
    assert (
        ledger.loc[progressed, "stage_reached"].map(order)
        >= ledger.loc[progressed, "outcome"].map(order)
    ).all()
    assert (ledger["first_contact"] <= ledger["date"]).all()
    # some declined leads had reached a visit first: their gain keeps it
    ended = ledger["outcome"].isin(["declined", "rejected"])
    assert (ledger.loc[ended, "stage_reached"] != "contacted").any()


def test_make_outcomes_returns_the_truth(sample) -> None:
    parks, enterprises = sample
    ledger, truth = make_outcomes(
        parks, enterprises, random_state=4, contacts_per_park=(20, 30), return_truth=True
    )
    assert len(truth) == len(parks) * len(enterprises)
    assert list(truth.columns) == [
        "park_id", "enterprise_id", "eligible", "default_rank", "utility", "expected_gain", "p_visit"
    ]  # fmt: skip
    assert truth["expected_gain"].between(0, 4).all() and truth["p_visit"].between(0, 1).all()
    assert np.allclose(truth["expected_gain"], expected_gain(truth["utility"]))
    assert truth.loc[~truth["eligible"], "default_rank"].isna().all()
    # the same seed with and without the truth gives the same ledger
    assert ledger.equals(
        make_outcomes(parks, enterprises, random_state=4, contacts_per_park=(20, 30))
    )
    # outcomes follow the truth: contacted leads that progressed had higher expected gain
    merged = validate_outcomes(ledger).merge(truth, on=["park_id", "enterprise_id"])
    gain = ledger_gain(merged)
    assert (
        merged.loc[gain > 0, "expected_gain"].mean() > merged.loc[gain == 0, "expected_gain"].mean()
    )


def test_expected_gain_matches_simulated_stories() -> None:
    from matcher.datasets._outcomes import _follow_up

    rng = np.random.default_rng(0)
    start, end = np.datetime64("2000-01-01"), np.datetime64("2099-12-31")
    for utility in (5.0, 7.5, 9.5):
        stories = [_follow_up(rng, utility, start, 10, end) for _ in range(4000)]
        reached = outcome_gain([stage for _, stage, _, _ in stories])
        assert abs(reached.mean() - expected_gain(utility)) < 4 * reached.std() / np.sqrt(4000)


def test_exploration_is_logged_with_its_propensity(sample) -> None:
    parks, enterprises = sample
    raw = make_outcomes(parks, enterprises, random_state=6, exploration=0.5, exploration_depth=10)
    ledger = validate_outcomes(raw)
    random = ledger[ledger["source"] == "random"]
    assert len(random) > 20
    assert random["shown_rank"].between(1, 10).all()
    assert np.allclose(random["propensity"], 0.1)
    assert ledger.loc[ledger["source"] != "random", "propensity"].isna().all()
    with pytest.raises(ConfigError):
        make_outcomes(parks, enterprises, exploration=1.5)
