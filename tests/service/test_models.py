"""Models: train from an outcomes ledger, list with manifests, switch the active model, and
register the model files of the models folder at start (refusing changed ones)."""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from matcher.datasets import load_sample_outcomes
from matcher.scoring import load_scorer, save_scorer

from .conftest import LI, ZHANG, literal_app, make_settings, running, wait_index

PARK = "GY-LZ-AL"


def _train(
    client: Any, name: str, content: bytes, headers: dict[str, str] | None = None, **form: Any
) -> Any:
    data = {"name": name, **{k: str(v) for k, v in form.items()}}
    return client.post(
        "/models",
        files={"file": ("outcomes.csv", content, "text/csv")},
        data=data,
        headers=ZHANG if headers is None else headers,
    )


@pytest.fixture(scope="module")
def sample_outcomes_csv() -> bytes:
    return load_sample_outcomes().to_csv(index=False).encode("utf-8")


@pytest.fixture(scope="module")
def trained(
    tmp_path_factory: pytest.TempPathFactory, sample_outcomes_csv: bytes
) -> Iterator[tuple[Any, Any, Path]]:
    """The sample data and a logistic ranker ``ranker`` trained once from the sample outcomes."""
    folder = tmp_path_factory.mktemp("models-app")
    with running(make_settings(folder, seed_sample=True)) as client:
        r = _train(client, "ranker", sample_outcomes_csv, kind="logistic", evaluate_folds=2)
        yield client, r, folder


def _names(client: Any) -> list[str]:
    return [m["name"] for m in client.get("/models").json()["data"]]


def test_a_fresh_service_lists_only_the_default_model(shared_client):
    body = shared_client.get("/models").json()
    assert body["count"] == 1 and body["active"] == "default"
    (model,) = body["data"]
    assert model["name"] == "default" and model["kind"] == "default"
    assert model["active"] and model["serving"] and model["manifest"] is None
    assert body["serving"]["name"] == "default"


def test_training_writes_a_model_file_with_its_manifest(trained):
    client, r, folder = trained
    assert r.status_code == 201, r.text
    model = r.json()
    assert model["name"] == "ranker" and model["kind"] == "logistic"
    assert not model["active"] and not model["serving"]  # trained, not switched to
    manifest = model["manifest"]
    assert manifest["feature_names"] == ["industry", "text", "capacity", "quality", "location"]
    path = folder / "models" / "ranker.joblib"
    assert manifest["file"] == "ranker.joblib"
    assert manifest["model_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (folder / "models" / "ranker.json").is_file()
    assert len(manifest["training_data_sha256"]) == 64
    assert manifest["created"] and manifest["versions"]["scikit-learn"]
    ledger = load_sample_outcomes()
    extra = manifest["extra"]
    assert extra["trained_by"] == "zhangsan" and extra["model"] == "logistic"
    assert extra["outcomes_rows"] == len(ledger)
    assert 0 < extra["n_positive"] < extra["n_pairs"]
    rows = {(m["split"], m["model"]) for m in manifest["metrics"]}
    assert {("park_cv", "default"), ("park_cv", "logistic")} <= rows
    assert all(0.0 <= m["auc"] <= 1.0 for m in manifest["metrics"])
    listed = {m["name"]: m for m in client.get("/models").json()["data"]}
    assert listed["ranker"]["manifest"]["model_sha256"] == manifest["model_sha256"]


def test_training_needs_the_api_key(trained, sample_outcomes_csv):
    client, _, folder = trained
    before = _names(client)
    r = _train(client, "nokey", sample_outcomes_csv, headers={})
    assert r.status_code == 401
    r = _train(client, "nokey", sample_outcomes_csv, headers={"X-API-Key": "wrong"})
    assert r.status_code == 403
    assert _names(client) == before
    assert not (folder / "models" / "nokey.joblib").exists()


def test_switching_the_model_changes_what_ranks_the_leads(trained):
    client, _, _ = trained
    default_leads = client.get(f"/parks/{PARK}/leads", params={"limit": 10}).json()
    assert default_leads["model"]["name"] == "default"
    r = client.put("/models/active", json={"name": "ranker"}, headers=LI)
    assert r.status_code == 200, r.text
    assert r.json()["model"]["name"] == "ranker" and r.json()["model"]["active"]
    wait_index(client)
    leads = client.get(f"/parks/{PARK}/leads", params={"limit": 10}).json()
    assert leads["model"]["name"] == "ranker"
    assert leads["index_version"] > default_leads["index_version"]
    scores = [d["score"] for d in leads["data"]]
    assert scores != [d["score"] for d in default_leads["data"]]
    top = leads["data"][0]
    detail = client.get(f"/parks/{PARK}/leads/{top['enterprise_id']}").json()
    assert detail["model"]["name"] == "ranker"
    explanation = detail["explanation"]  # the learned scorer still explains: baseline + Σ = score
    total = explanation["baseline"] + sum(explanation["contributions"].values())
    assert total == pytest.approx(explanation["score"], abs=1e-6)
    listed = client.get("/models").json()
    assert listed["active"] == "ranker" and listed["serving"]["name"] == "ranker"
    assert client.get("/health").json()["index"]["model"]["name"] == "ranker"
    # back to the default
    assert client.put("/models/active", json={"name": "default"}, headers=ZHANG).status_code == 200
    wait_index(client)
    assert client.get(f"/parks/{PARK}/leads").json()["model"]["name"] == "default"


def test_switching_needs_the_key_and_a_known_name(trained):
    client, _, _ = trained
    assert client.put("/models/active", json={"name": "ranker"}).status_code == 401
    r = client.put("/models/active", json={"name": "no-such-model"}, headers=ZHANG)
    assert r.status_code == 404
    assert "no-such-model" in r.json()["detail"] and "ranker" in r.json()["detail"]
    assert client.put("/models/active", json={}, headers=ZHANG).status_code == 422
    r = client.put("/models/active", json={"name": "ranker", "x": 1}, headers=ZHANG)
    assert r.status_code == 422
    assert client.get("/models").json()["active"] == "default"


def test_names_must_be_new_and_valid(trained, sample_outcomes_csv):
    client, _, _ = trained
    r = _train(client, "ranker", sample_outcomes_csv)
    assert r.status_code == 409 and "ranker" in r.json()["detail"]
    for bad in ("../evil", "default", "a b", ".hidden"):
        r = _train(client, bad, sample_outcomes_csv)
        assert r.status_code == 422, bad
        assert r.json()["detail"]
    r = _train(client, "x", sample_outcomes_csv, kind="forest")
    assert r.status_code == 422 and r.json()["problems"][0]["column"] == "请求体 kind"


def test_a_bad_outcomes_file_lists_every_problem_and_trains_nothing(trained):
    client, _, folder = trained
    before = sorted(p.name for p in (folder / "models").iterdir())
    bad = (
        "park_id,enterprise_id,outcome,date\n"
        "GY-LZ-AL,E000001,已走访,2023-05-01\n"
        "NOPE,E000002,visited,2023-05-02\n"
        "GY-LZ-AL,NOSUCH,visited,2023-05-03\n"
        "GY-LZ-AL,E000003,maybe,2023-05-04\n"
        "GY-LZ-AL,E000004,signed,not-a-date\n"
    )
    r = _train(client, "broken", bad.encode("utf-8"))
    assert r.status_code == 422
    body = r.json()
    problems = body["problems"]
    assert len(problems) >= 4
    assert {"park_id", "enterprise_id", "outcome", "date"} <= {p["column"] for p in problems}
    assert all(p["row"] is not None for p in problems)
    assert {p["value"] for p in problems} >= {"NOPE", "NOSUCH", "maybe", "not-a-date"}
    r = _train(client, "broken", b"park_id,enterprise_id\nGY-LZ-AL,E000001\n")
    assert r.status_code == 422
    assert any("outcome" in (p["expected"] or "") for p in r.json()["problems"])
    assert sorted(p.name for p in (folder / "models").iterdir()) == before
    assert "broken" not in _names(client)


def test_a_ledger_without_progress_cannot_train(trained):
    client, _, _ = trained
    ledger = load_sample_outcomes()
    contacted = ledger[ledger["outcome"] == "contacted"].head(30)
    r = _train(client, "flat", contacted.to_csv(index=False).encode("utf-8"))
    assert r.status_code == 422
    assert "走访" in r.json()["detail"]


def test_fitted_weights_keep_the_transparent_scorer(trained, sample_outcomes_csv):
    client, _, _ = trained
    r = _train(client, "office-weights", sample_outcomes_csv, kind="weights", evaluate_folds=0)
    assert r.status_code == 201, r.text
    model = r.json()
    assert model["kind"] == "weights" and model["manifest"]["metrics"] is None
    r = client.put("/models/active", json={"name": "office-weights"}, headers=ZHANG)
    assert r.status_code == 200
    wait_index(client)
    leads = client.get(f"/parks/{PARK}/leads", params={"limit": 1}).json()
    assert leads["model"]["name"] == "office-weights"
    eid = leads["data"][0]["enterprise_id"]
    weights = client.get(f"/parks/{PARK}/leads/{eid}").json()["explanation"]["weights"]
    assert sum(weights.values()) == pytest.approx(1.0)
    assert weights != {
        "industry": 0.35,
        "text": 0.25,
        "capacity": 0.15,
        "quality": 0.15,
        "location": 0.1,
    }
    # per-request weights work with it, as with the default scorer
    r = client.get(f"/parks/{PARK}/leads", params={"weights": "industry=1"})
    assert r.status_code == 200
    assert client.put("/models/active", json={"name": "default"}, headers=ZHANG).status_code == 200
    wait_index(client)


def test_a_restart_registers_the_files_and_remembers_the_active_model(trained):
    client, _, folder = trained
    assert client.put("/models/active", json={"name": "ranker"}, headers=ZHANG).status_code == 200
    wait_index(client)
    try:
        with running(make_settings(folder, seed_sample=True)) as again:
            body = again.get("/models").json()
            assert {"default", "ranker"} <= {m["name"] for m in body["data"]}
            assert body["active"] == "ranker" and body["serving"]["name"] == "ranker"
            ranker = next(m for m in body["data"] if m["name"] == "ranker")
            assert ranker["manifest"]["extra"]["trained_by"] == "zhangsan"
    finally:
        client.put("/models/active", json={"name": "default"}, headers=ZHANG)
        wait_index(client)


def test_changed_or_foreign_model_files_are_skipped_at_start(trained, tmp_path, caplog):
    _, _, source = trained
    models = tmp_path / "models"
    models.mkdir()
    shutil.copy(source / "secret.key", tmp_path / "secret.key")  # the same server: same key
    scorer = load_scorer(source / "models" / "ranker.joblib", key=_key(source))
    save_scorer(scorer, models / "foreign.joblib", key="someone-elses-secret-key")
    save_scorer(scorer, models / "unsigned.joblib")
    for stem in ("good", "tampered"):
        shutil.copy(source / "models" / "ranker.joblib", models / f"{stem}.joblib")
        shutil.copy(source / "models" / "ranker.json", models / f"{stem}.json")
    with (models / "tampered.joblib").open("ab") as fh:
        fh.write(b"\x00")
    (models / "orphan.joblib").write_bytes(b"not a model")  # no manifest
    (models / "active-model.txt").write_text("tampered\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="parkmatch.service"):
        with literal_app(tmp_path) as client:
            body = client.get("/models").json()
            assert sorted(m["name"] for m in body["data"]) == ["default", "good"]
            assert body["active"] == "default"  # the remembered model was refused
            assert client.get("/health").json()["status"] == "ok"
            assert client.get("/parks/P-AL/leads").status_code == 200
    logged = caplog.text
    assert "tampered.joblib" in logged and "SHA-256" in logged
    assert "orphan.joblib" in logged
    assert "foreign.joblib" in logged and "签名不符" in logged
    assert "unsigned.joblib" in logged and "没有签名" in logged


def _key(folder: Path) -> str:
    return (folder / "secret.key").read_text(encoding="utf-8").strip()
