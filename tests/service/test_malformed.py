"""Issue 10's corpus of malformed files (tests/service/malformed.py, at least 60), for every
import endpoint including issue 13's events, policies and standards: each upload is
answered with a 4xx that lists its problems, within 10 s (the issue's bound, far above the
usual answer), and the database is exactly as before."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import opportunity as opp
from service import store

from .conftest import ZHANG, make_settings, running
from .malformed import LIMITS, corpus

CASES = corpus()


def test_the_corpus_has_at_least_60_files_of_every_class():
    assert len(CASES) >= 60
    assert len({c[0] for c in CASES}) == len(CASES)
    kinds = {"parks", "enterprises", "tenants", "events", "policies", "standards"}
    assert {c[1] for c in CASES} == kinds


@pytest.fixture(scope="module")
def corpus_client(tmp_path_factory: pytest.TempPathFactory, backend: str):
    folder = tmp_path_factory.mktemp("corpus")
    settings = make_settings(Path(folder), seed_sample=True, **LIMITS)
    with running(settings) as client:
        yield client


def _state(client) -> tuple:
    with Session(client.app.state.engine) as session:
        counts = store.counts(session)
        version = store.data_version(session)
        newest = session.scalar(select(func.max(store.Enterprise.updated_at)))
        opportunity = [
            session.scalar(select(func.count()).select_from(table))
            for table in (opp.Event, opp.Policy, opp.EntryStandard)
        ]
    return counts, version, newest, opportunity


@pytest.mark.parametrize(("case_id", "kind", "name", "content"), CASES, ids=[c[0] for c in CASES])
def test_malformed_file_is_refused_with_its_problems(corpus_client, case_id, kind, name, content):
    before = _state(corpus_client)
    start = time.perf_counter()
    r = corpus_client.post(f"/imports/{kind}", files={"file": (name, content)}, headers=ZHANG)
    elapsed = time.perf_counter() - start
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:500])
    body = r.json()
    assert body["detail"], body
    assert "Traceback" not in r.text and "Error:" not in r.text
    if r.status_code == 422:
        assert body["problems"], body
        assert all(p["message"] for p in body["problems"])
        assert body["problem_total"] >= len(body["problems"])
    else:
        assert r.status_code == 413 and "上限" in body["detail"]
    assert elapsed < 10, f"{case_id}: {elapsed:.1f} s"
    assert _state(corpus_client) == before  # nothing written, nothing counted as a change
