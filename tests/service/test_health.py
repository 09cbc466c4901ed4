"""Health, docs, unknown paths, and conventions of the service package."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import matcher
import matcher.io
from service import store

from .conftest import running


def test_health_reports_database_and_ready_index(sample_client, backend):
    r = sample_client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["version"] == matcher.__version__
    assert body["database"]["ok"] is True
    assert body["database"]["dialect"] == backend
    assert body["database"]["parks"] == body["index"]["parks"] > 0
    assert body["database"]["enterprises"] == body["index"]["enterprises"] > 0
    index = body["index"]
    assert index["state"] == "ready" and index["pending"] is False
    assert index["version"] >= 1 and index["fitted_at"] and index["fit_seconds"] > 0
    assert index["model"]["description"] == "default weighted scorer"


def test_empty_database_without_seed_says_how_to_load_data(tmp_path):
    from .conftest import make_settings

    with running(make_settings(tmp_path)) as client:
        health = client.get("/health").json()
        assert health["index"]["state"] == "empty"
        assert health["database"]["parks"] == 0
        r = client.get("/parks/ANY/leads")
        assert r.status_code == 404  # the park is not in the database
        r = client.post("/match", json={"industry_code": "3252"})
        assert r.status_code == 503
        assert "/imports/parks" in r.json()["detail"]


def test_docs_and_openapi_list_every_route(sample_client):
    assert sample_client.get("/docs").status_code == 200
    paths = set(sample_client.get("/openapi.json").json()["paths"])
    assert paths >= {
        "/health",
        "/parks",
        "/parks/{park_id}",
        "/enterprises",
        "/enterprises/{enterprise_id}",
        "/parks/{park_id}/leads",
        "/parks/{park_id}/leads/{enterprise_id}",
        "/enterprises/{enterprise_id}/parks",
        "/match",
        "/leads",
        "/imports/{kind}",
        "/exports/parks/{park_id}/leads",
        "/tenants",
        "/tenants/{park_id}/{enterprise_id}",
    }


def test_unknown_path_is_a_json_404_in_chinese(sample_client):
    r = sample_client.get("/no/such/path")
    assert r.status_code == 404
    assert "/docs" in r.json()["detail"]


def test_root_points_to_docs(sample_client):
    assert sample_client.get("/").json()["docs"] == "/docs"


def test_store_columns_are_the_library_schema():
    assert store.PARK_FIELDS == tuple(c.name for c in matcher.io.PARK_COLUMNS)
    assert store.ENTERPRISE_FIELDS == tuple(c.name for c in matcher.io.ENTERPRISE_COLUMNS)


def _is_module(name):
    return importlib.util.find_spec(name) is not None


def test_service_imports_only_public_names_of_the_library():
    """From the front door or a public subpackage, and only names in its ``__all__``."""
    folder = Path(__file__).resolve().parents[2] / "service"
    offenders = []
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] != "matcher":
                    continue
                if any(part.startswith("_") for part in node.module.split(".")):
                    offenders.append(f"{path.name}: from {node.module}")
                    continue
                public = importlib.import_module(node.module).__all__
                offenders += [
                    f"{path.name}: from {node.module} import {a.name}"
                    for a in node.names
                    if a.name not in public
                    and (a.name.startswith("_") or not _is_module(f"{node.module}.{a.name}"))
                ]
            elif isinstance(node, ast.Import):
                offenders += [
                    f"{path.name}: import {a.name}"
                    for a in node.names
                    if a.name.startswith("matcher.") and "._" in a.name
                ]
    assert offenders == []


def test_health_is_not_pending_while_a_poll_finds_nothing_new(tmp_path):
    """The indexer looks at the database every second; while such a look finds nothing new,
    a ready index is not pending (it was, for the moment the look took: a flaky health check
    under load). A look that answers a rebuild request keeps it pending until it is done."""
    import threading

    from .conftest import make_settings, wait_index

    with running(make_settings(tmp_path, seed_sample=True)) as client:
        indexer = client.app.state.indexer
        real = indexer._sync

        def held_look() -> tuple[threading.Event, threading.Event]:
            looking, done = threading.Event(), threading.Event()

            def slow_look():
                indexer._sync = real
                looking.set()
                done.wait(30)
                real()

            indexer._sync = slow_look
            return looking, done

        looking, done = held_look()
        try:
            assert looking.wait(indexer.poll_seconds + 30), "the indexer did not poll"
            index = client.get("/health").json()["index"]
            assert index["state"] == "ready" and index["pending"] is False
        finally:
            done.set()
        wait_index(client)
        looking, done = held_look()
        try:
            indexer.request_rebuild()
            assert looking.wait(30), "the indexer did not answer the request"
            assert client.get("/health").json()["index"]["pending"] is True
        finally:
            done.set()
        wait_index(client)
        index = client.get("/health").json()["index"]
        assert index["state"] == "ready" and index["pending"] is False
