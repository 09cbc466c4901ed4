"""Model files: round trip, tampered files refused, version drift refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from matcher import Matcher, ModelError
from matcher.scoring import (
    GBScorer,
    LinearScorer,
    WeightedScorer,
    load_scorer,
    read_scorer_manifest,
    save_scorer,
    training_data_sha256,
)

FAMILIES = ["industry", "text", "capacity", "quality", "location"]


def _data(n: int = 300) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((n, 5)), columns=FAMILIES)
    return X, (X["text"] + 0.5 * X["industry"] > 0.8).astype(int).to_numpy()


@pytest.mark.parametrize(
    "make",
    [
        lambda X, y: LinearScorer().fit(X, y),
        lambda X, y: GBScorer(max_iter=10, random_state=0).fit(X, y),
        lambda X, y: WeightedScorer({"text": 0.6, "industry": 0.4}).fit(),
    ],
)
def test_round_trip_keeps_scores_and_writes_the_manifest(tmp_path, make) -> None:
    X, y = _data()
    scorer = make(X, y)
    path = tmp_path / "models" / "ranker.joblib"
    written = save_scorer(
        scorer, path, metrics={"ndcg@10": 0.5}, training_data=[X, b"labels"], extra={"by": "me"}
    )
    manifest = read_scorer_manifest(path)
    assert manifest == written
    assert (tmp_path / "models" / "ranker.json").is_file()
    assert manifest["feature_names"] == FAMILIES
    assert set(manifest["versions"]) >= {"parkmatch", "scikit-learn", "numpy"}
    assert manifest["training_data_sha256"] == training_data_sha256([X, b"labels"])
    assert manifest["metrics"] == {"ndcg@10": 0.5}
    assert manifest["created"].endswith("+00:00")
    assert len(manifest["model_sha256"]) == 64
    loaded = load_scorer(path, feature_names=FAMILIES)
    assert type(loaded) is type(scorer)
    values = X.to_numpy()[:20]
    assert np.allclose(loaded.decision_function(values), scorer.decision_function(values))


def test_loaded_model_ranks_in_a_matcher(tmp_path, parks, enterprises) -> None:
    X, y = _data()
    save_scorer(LinearScorer().fit(X, y), tmp_path / "m.joblib")
    matcher = Matcher(scorer=load_scorer(tmp_path / "m.joblib")).fit(parks, enterprises)
    assert len(matcher.rank_enterprises("P-AL", k=3)) == 3


def test_tampered_file_is_refused_before_unpickling(tmp_path) -> None:
    X, y = _data()
    path = tmp_path / "m.joblib"
    save_scorer(LinearScorer().fit(X, y), path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"SHA-256.*篡改"):
        load_scorer(path)


def test_swapped_model_file_is_refused(tmp_path) -> None:
    X, y = _data()
    save_scorer(LinearScorer().fit(X, y), tmp_path / "a.joblib")
    save_scorer(LinearScorer(C=0.01).fit(X, y), tmp_path / "b.joblib")
    (tmp_path / "a.joblib").write_bytes((tmp_path / "b.joblib").read_bytes())
    with pytest.raises(ModelError, match="篡改"):
        load_scorer(tmp_path / "a.joblib")


def test_version_mismatch_is_refused(tmp_path) -> None:
    X, y = _data()
    path = tmp_path / "m.joblib"
    save_scorer(LinearScorer().fit(X, y), path)
    manifest_file = tmp_path / "m.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["versions"]["scikit-learn"] = "0.24.2"
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match=r"scikit-learn 训练时 0\.24\.2"):
        load_scorer(path)
    assert load_scorer(path, check_versions=False) is not None  # an explicit override


def test_missing_or_foreign_files(tmp_path) -> None:
    with pytest.raises(ModelError, match="不存在"):
        load_scorer(tmp_path / "none.joblib")
    X, y = _data()
    path = tmp_path / "m.joblib"
    save_scorer(LinearScorer().fit(X, y), path)
    with pytest.raises(ModelError, match="不一致"):
        load_scorer(path, feature_names=["industry", "text"])
    (tmp_path / "m.json").unlink()
    with pytest.raises(ModelError, match="清单"):
        load_scorer(path)
    with pytest.raises(ModelError, match=r"\.json"):
        save_scorer(LinearScorer().fit(X, y), tmp_path / "m.json")


def test_unfitted_scorer_is_not_saved(tmp_path) -> None:
    with pytest.raises(ModelError, match="已训练"):
        save_scorer(LinearScorer(), tmp_path / "m.joblib")
    assert not (tmp_path / "m.joblib").exists()


def test_a_saved_matcher_weighs_its_events_as_on_the_day_it_was_fitted(
    tmp_path, monkeypatch
) -> None:
    """The event signal's "today" (``as_of=None``) is the fit's day, kept by save and load."""
    import datetime as dt
    import types

    import matcher.matching
    from matcher import load_sample
    from matcher.datasets import load_sample_events

    parks, enterprises = load_sample()
    events = load_sample_events()
    fit_day = dt.date.today() + dt.timedelta(days=180)  # any day but today
    real = matcher.matching.dt
    monkeypatch.setattr(
        matcher.matching,
        "dt",
        types.SimpleNamespace(date=types.SimpleNamespace(today=lambda: fit_day)),
    )
    then = Matcher().fit(parks, enterprises, events=events)
    monkeypatch.setattr(matcher.matching, "dt", real)
    assert then.fitted_on_ == fit_day
    park = then.parks_["park_id"].iloc[0]
    ranked = then.rank_enterprises(park, k=30)
    loaded = Matcher.load(then.save(tmp_path / "m"))
    assert loaded.fitted_on_ == fit_day
    again = loaded.rank_enterprises(park, k=30)
    assert again["enterprise_id"].tolist() == ranked["enterprise_id"].tolist()
    np.testing.assert_array_equal(again["signal"].to_numpy(), ranked["signal"].to_numpy())
    # fitted today instead, the same events are half a year younger: the signal differs
    today = Matcher().fit(parks, enterprises, events=events).rank_enterprises(park, k=30)
    merged = ranked.merge(today, on="enterprise_id", suffixes=("_then", "_now"))
    assert not np.allclose(merged["signal_then"], merged["signal_now"])
