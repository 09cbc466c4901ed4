"""``Matcher.enterprise_page``: the ranking of ``rank_enterprises`` as arrays, no DataFrame."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from matcher import Matcher, load_sample
from matcher.ranking import RankedPage, page_rows, ranking_page


@pytest.fixture(scope="module")
def sample() -> Matcher:
    parks, enterprises = load_sample()
    return Matcher().fit(parks, enterprises)


CALLS: list[dict[str, Any]] = [
    {},
    {"k": 7, "offset": 13},
    {"k": None, "include_ineligible": True},
    {"k": 15, "weights": {"industry": 0.6, "text": 0.1}},
    {"k": 10, "min_score": 40.0},
    {"k": 5, "offset": 3, "candidates": "every third"},
]


def _args(m: Matcher, call: dict[str, Any]) -> dict[str, Any]:
    if call.get("candidates") == "every third":
        mask = np.zeros(len(m.enterprises_), dtype=bool)
        mask[::3] = True
        return {**call, "candidates": mask}
    return call


@pytest.mark.parametrize("call", CALLS)
def test_the_page_is_the_ranking_table_as_arrays(sample: Matcher, call: dict[str, Any]) -> None:
    m = sample
    for park in m.parks_["park_id"].astype(str)[:4]:
        args = _args(m, call)
        m.clear_cache()
        page = m.enterprise_page(park, **args)
        m.clear_cache()  # the table scored anew: nothing shared with the page above
        table = m.rank_enterprises(park, **args)
        assert isinstance(page, RankedPage)
        assert len(page) == len(table) and page.total == table.attrs["total"]
        assert page.rank.tolist() == table["rank"].tolist()
        assert page.ids.tolist() == table["enterprise_id"].tolist()
        assert page.names.tolist() == table["name"].tolist()
        # bit-identical numbers, not merely close
        assert np.array_equal(page.score, table["score"].to_numpy())
        assert np.array_equal(page.eligible, table["eligible"].to_numpy())
        assert page.families == tuple(m.feature_names_)
        assert np.array_equal(page.contributions, table[list(m.feature_names_)].to_numpy())
        assert ["；".join(r) for r in page.reasons] == table["reasons"].tolist()
        if len(page):
            assert all(page.reasons) and all(isinstance(x, str) for r in page.reasons for x in r)
            assert np.allclose(page.contributions.sum(axis=1), page.score)
        pd.testing.assert_frame_equal(page.to_frame(), table)


def test_the_page_without_reasons_and_the_table_agree(sample: Matcher) -> None:
    index = sample.check_fitted()
    parks = np.zeros(6, dtype=np.intp)
    ents = np.arange(0, 60, 10)
    args = (index, sample.families_, sample.scorer_, parks, ents, None)
    bare = page_rows(*args, other="enterprise", start=4, total=99, reasons=False)
    assert bare.reasons == [[]] * 6 and bare.total == 99
    assert bare.rank.tolist() == [5, 6, 7, 8, 9, 10]
    table = ranking_page(*args, other="enterprise", start=4, total=99, reasons=False)
    pd.testing.assert_frame_equal(bare.to_frame(), table)
    assert table["reasons"].tolist() == [""] * 6
    full = page_rows(*args, other="enterprise", start=4, total=99)
    assert np.array_equal(full.score, bare.score)
    assert all(full.reasons)
