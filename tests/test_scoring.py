"""matcher.scoring: weights written as text, and which objects are scorers."""

from __future__ import annotations

import pytest

from matcher import ConfigError
from matcher.scoring import (
    LinearScorer,
    ReciprocalScorer,
    Reweightable,
    Scorer,
    WeightedScorer,
    parse_weights,
)


@pytest.mark.parametrize(
    ("text", "weights"),
    [
        ("industry=0.5,text=0.3", {"industry": 0.5, "text": 0.3}),
        ("industry: 0.5， text =1", {"industry": 0.5, "text": 1.0}),
        (" industry=2 ,", {"industry": 2.0}),
        ("", None),
        (None, None),
        (" , ", None),
    ],
)
def test_parse_weights(text: str | None, weights: dict[str, float] | None) -> None:
    assert parse_weights(text) == weights


@pytest.mark.parametrize(
    ("text", "message"),
    [("industry", "名称=数值"), ("industry=much", "应为数字"), ("a=1,b", "'b'")],
)
def test_parse_weights_names_the_bad_item(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_weights(text)


def test_scorers_are_told_apart_by_the_protocols() -> None:
    weighted = WeightedScorer().fit()
    assert isinstance(weighted, Scorer) and isinstance(weighted, Reweightable)
    reciprocal = ReciprocalScorer().fit(feature_names=["industry", "preference"])
    assert isinstance(reciprocal, Scorer) and isinstance(reciprocal, Reweightable)
    assert not isinstance(LinearScorer(), Reweightable)  # learned weights are not overridden
    assert not isinstance(object(), Scorer)
