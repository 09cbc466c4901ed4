"""Signed model files and matcher folders (issue 10): with a key, only files written with that
key load, and the check runs before anything is unpickled."""

from __future__ import annotations

import json
import pickle
import shutil

import pandas as pd
import pytest

from matcher import Matcher, ModelError
from matcher.scoring import WeightedScorer, load_scorer, save_scorer

from .conftest import ENTERPRISES, PARKS

KEY = "server-secret-0123456789"


class _Boom:
    """Unpickling this runs code: the attack a signature must stop."""

    def __reduce__(self):  # pragma: no cover - only ever pickled
        return (exec, ("raise SystemExit('code ran on load')",))


@pytest.fixture(scope="module")
def fitted() -> Matcher:
    return Matcher().fit(pd.DataFrame(PARKS), pd.DataFrame(ENTERPRISES))


def test_signed_model_loads_and_unsigned_or_swapped_is_refused_before_unpickling(tmp_path):
    path = tmp_path / "m.joblib"
    save_scorer(WeightedScorer({"text": 0.5}).fit(), path, key=KEY)
    assert type(load_scorer(path, key=KEY)).__name__ == "WeightedScorer"
    with pytest.raises(ModelError, match="签名不符"):
        load_scorer(path, key="another-secret-0123456789")
    # an attacker replaces the pickle and fixes the hash in the manifest, without the key
    path.write_bytes(pickle.dumps(_Boom()))
    manifest = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    import hashlib

    manifest["model_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_suffix(".json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match="签名不符"):
        load_scorer(path, key=KEY)
    del manifest["signature"]
    path.with_suffix(".json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match="没有签名"):
        load_scorer(path, key=KEY)


def test_signed_matcher_folder_round_trip_and_refusals(fitted, tmp_path):
    folder = fitted.save(tmp_path / "idx", key=KEY)
    back = Matcher.load(folder, key=KEY)
    pd.testing.assert_frame_equal(back.rank_enterprises("P-AL"), fitted.rank_enterprises("P-AL"))
    with pytest.raises(ModelError, match="签名不符"):
        Matcher.load(folder, key="another-secret-0123456789")
    unsigned = fitted.save(tmp_path / "plain")
    Matcher.load(unsigned)  # without a key: trusted source, hashes still checked
    with pytest.raises(ModelError, match="没有签名"):
        Matcher.load(unsigned, key=KEY)
    # a pickle swapped after signing
    swapped = tmp_path / "swapped"
    shutil.copytree(folder, swapped)
    (swapped / "model.joblib").write_bytes(pickle.dumps(_Boom()))
    with pytest.raises(ModelError, match=r"model\.joblib"):
        Matcher.load(swapped, key=KEY)


def test_half_written_folder_is_refused(fitted, tmp_path):
    folder = fitted.save(tmp_path / "idx", key=KEY)
    npy = sorted((folder / "enterprises").glob("*.npy"))[0]
    npy.write_bytes(npy.read_bytes()[: len(npy.read_bytes()) // 2])  # cut short
    with pytest.raises(ModelError, match="缺失或与清单不符"):
        Matcher.load(folder, key=KEY)
    with pytest.raises(ModelError, match="缺失或与清单不符"):
        Matcher.load(folder)  # the hashes are checked without a key too
