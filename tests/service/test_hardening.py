"""Regression tests of issue 10's service defects: each failed (500, 409, a dead index, leaked
data) before the fix of its mechanism."""

from __future__ import annotations

import io
import threading

import pandas as pd
from sqlalchemy import insert
from sqlalchemy.orm import Session

from service import store

from .conftest import (
    ENTERPRISES_CSV,
    PARKS_CSV,
    ZHANG,
    make_settings,
    running,
    upload,
    wait_index,
)


def _counts(client) -> dict[str, int]:
    with Session(client.app.state.engine) as session:
        return store.counts(session)


# ---------------------------------------------------------------------------- defect 1
def test_one_bad_stored_row_never_takes_the_index_down(client):
    """A row that no longer validates (written around the API, or under older rules) used to
    make every rebuild fail, and after a restart every ranking answered 503."""
    with Session(client.app.state.engine) as session:
        session.execute(
            insert(store.Enterprise.__table__).values(
                enterprise_id="BAD",
                name="坏数据有限公司",
                industry_code="XYZ",  # not a GB/T 4754 code
                extra={},
                created_at=store.utcnow(),
                updated_at=store.utcnow(),
            )
        )
        store.mark_changed(session)
        session.commit()
    wait_index(client)
    health = client.get("/health").json()
    assert health["status"] == "ok", health
    assert health["index"]["skipped"] == {"enterprises": 1}
    assert health["index"]["enterprises"] == 8
    r = client.get("/parks/P-AL/leads")
    assert r.status_code == 200 and "BAD" not in {d["enterprise_id"] for d in r.json()["data"]}


def test_tenant_pairs_that_join_to_the_same_text_are_two_pairs(client):
    parks = "park_id,name\n1,园区一\n12,园区十二\n"
    ents = "enterprise_id,name\n23,企业二十三\n3,企业三\n"
    assert upload(client, "parks", parks).status_code == 200
    assert upload(client, "enterprises", ents).status_code == 200
    r = upload(client, "tenants", "park_id,enterprise_id\n1,23\n12,3\n")
    assert r.status_code == 200 and r.json()["inserted"] == 2, r.text
    wait_index(client)
    assert client.get("/health").json()["index"]["tenants"] == 2
    assert client.get("/parks/12/leads").status_code == 200


# ---------------------------------------------------------------------------- defect 5
def test_problem_list_is_capped_counted_and_downloadable(client):
    bad = "enterprise_id,name,patents\n" + "".join(f"B{i},企业{i},-1\n" for i in range(300))
    r = upload(client, "enterprises", bad)
    assert r.status_code == 422
    body = r.json()
    assert body["problem_total"] == 300 and len(body["problems"]) == 100
    assert body["problem_counts"][0]["count"] == 300
    url = body["problems_url"]
    assert url in body["detail"]
    assert client.get(url).status_code == 401  # a key holder's report
    full = client.get(url, headers=ZHANG)
    assert full.status_code == 200 and full.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.BytesIO(full.content), encoding="utf-8-sig")
    assert len(frame) == 300 and set(frame["row"]) == set(range(2, 302))
    assert client.get("/imports/problems/nope", headers=ZHANG).status_code == 404


def test_import_limits_are_settings(tmp_path):
    settings = make_settings(tmp_path, max_rows=5, max_columns=3, max_cell_chars=10)
    with running(settings) as client:
        rows = "enterprise_id,name\n" + "".join(f"E{i},企业{i}\n" for i in range(6))
        r = upload(client, "enterprises", rows)
        assert r.status_code == 422 and "行数" in r.json()["detail"]
        r = upload(client, "enterprises", "enterprise_id,name,a,b\nE1,甲,1,2\n")
        assert r.status_code == 422 and "列数" in r.json()["detail"]
        r = upload(client, "enterprises", "enterprise_id,name\nE1," + "长" * 11 + "\n")
        assert r.status_code == 422 and r.json()["problems"][0]["message"] == "单元格过长"
        assert _counts(client)["enterprises"] == 0


# ---------------------------------------------------------------------------- defect 6
def test_duplicate_and_blank_headers_are_422(client):
    before = _counts(client)
    for header in (
        "enterprise_id,name,enterprise_id",
        "enterprise_id,name,name",
        "enterprise_id,,name",
    ):
        r = upload(client, "enterprises", f"{header}\nN1,甲,乙\n")
        assert r.status_code == 422, header
        assert r.json()["problems"][0]["row"] == 1
    assert _counts(client) == before


# ---------------------------------------------------------------------------- defect 7
def test_clashing_weight_and_extra_keys_are_422(client):
    park = {"park_id": "P-K", "name": "园区", "weights": {"": 1, " ": 1}}
    r = client.post("/parks", json=park, headers=ZHANG)
    assert r.status_code == 422, r.text
    park = {"park_id": "P-K", "name": "园区", "extra": {"来源": 1, " 来源 ": 2}}
    r = client.post("/parks", json=park, headers=ZHANG)
    assert r.status_code == 422 and "重复" in r.text
    ent = {"enterprise_id": "N-K", "name": "企业", "extra": {" ": "x"}}
    assert client.post("/enterprises", json=ent, headers=ZHANG).status_code == 422
    r = client.patch(
        "/parks/P-AL", json={"weights": {"industry ": 1, "industry": 2}}, headers=ZHANG
    )
    assert r.status_code == 422


def test_long_upload_names_are_shortened_not_500(client):
    name = "很长的企业名单" * 40 + ".csv"  # 840 bytes of UTF-8
    r = upload(client, "enterprises", ENTERPRISES_CSV, name=name)
    assert r.status_code == 200, r.text
    assert len(r.json()["file"].encode()) <= 150 and r.json()["file"].endswith(".csv")
    r = upload(client, "enterprises", ENTERPRISES_CSV, name="../../etc/" + "x" * 300)
    assert r.status_code == 200 and "/" not in r.json()["file"]


def test_ids_that_cannot_be_addressed_are_refused(client):
    before = _counts(client)
    for bad in ("A/B", "A\\B", "..", "E\x00", "E\x01x"):
        body = {"enterprise_id": bad, "name": "企业"}
        r = client.post("/enterprises", json=body, headers=ZHANG)
        assert r.status_code == 422, (bad, r.text)
    csv = 'enterprise_id,name\nOK1,甲\n"X/1",乙\n'
    r = upload(client, "enterprises", csv)
    assert r.status_code == 422
    assert [(p["row"], p["column"]) for p in r.json()["problems"]] == [(3, "enterprise_id")]
    r = upload(client, "parks", "park_id,name\nP/1,园区\n")
    assert r.status_code == 422
    assert _counts(client) == before


# ---------------------------------------------------------------------------- defect 9
def test_health_with_reads_closed_shows_no_counts_or_error_texts(tmp_path):
    settings = make_settings(tmp_path, reads_open=False)
    with running(settings) as client:
        upload(client, "parks", PARKS_CSV)
        upload(client, "enterprises", ENTERPRISES_CSV)
        wait_index(client)
        body = client.get("/health").json()
        assert body["status"] == "ok"
        assert body["database"]["parks"] is None and body["index"]["enterprises"] is None
        assert body["index"]["response_cache"] is None
        full = client.get("/health", headers=ZHANG).json()
        assert full["database"]["parks"] == 2 and full["index"]["enterprises"] == 8


def test_two_identical_concurrent_imports_both_succeed(tmp_path):
    with running(make_settings(tmp_path)) as client:
        upload(client, "parks", PARKS_CSV)
        start = threading.Barrier(2)
        results = []

        def one() -> None:
            start.wait()
            results.append(upload(client, "enterprises", ENTERPRISES_CSV))

        threads = [threading.Thread(target=one) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert sorted(r.status_code for r in results) == [200, 200], [r.text for r in results]
        assert _counts(client)["enterprises"] == 8


def test_a_read_of_a_fresh_write_waits_for_the_index_instead_of_503(tmp_path):
    """The bounded fuzzing pass found 503s for reads right after writes; a read of an id the
    index does not hold yet now waits (PARKMATCH_INDEX_WAIT_S) for the version being built."""
    with running(make_settings(tmp_path, index_wait_s=30)) as client:
        upload(client, "parks", PARKS_CSV)
        upload(client, "enterprises", ENTERPRISES_CSV)
        wait_index(client)
        park = {"park_id": "P-NOW", "name": "刚建的园区", "leading_industries": "3252"}
        assert client.post("/parks", json=park, headers=ZHANG).status_code == 201
        r = client.get("/parks/P-NOW/leads")  # no wait_index: the read itself waits
        assert r.status_code == 200, r.text
        assert client.get("/exports/parks/P-NOW/leads").status_code == 200


# ---------------------------------------------------------------------------- defect 8
def test_405_allow_lists_every_method_of_the_path(shared_client):
    r = shared_client.post("/parks/P-AL")
    assert r.status_code == 405
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "PATCH", "DELETE"}
    r = shared_client.delete("/parks")
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST"}
    assert r.json()["detail"]


def test_openapi_documents_the_error_bodies_and_docs_work_offline(shared_client):
    schema = shared_client.get("/openapi.json").json()
    assert "ErrorPublic" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    op = schema["paths"]["/imports/{kind}"]["post"]
    assert {"401", "403", "404", "413", "422", "503"} <= set(op["responses"])
    ref = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ErrorPublic")
    assert "429" in schema["paths"]["/allocations"]["post"]["responses"]
    reads = schema["paths"]["/parks"]["get"]
    assert "security" not in reads and "401" not in reads["responses"]  # reads are open here
    docs = shared_client.get("/docs").text
    assert "cdn" not in docs.lower() and "https://" not in docs
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        r = shared_client.get(f"/static/swagger-ui/{asset}")
        assert r.status_code == 200 and len(r.content) > 1000


def test_a_short_key_stops_the_server_with_one_line(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from .servers import ROOT

    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PARKMATCH_API_KEYS": json.dumps({"zhaoliu": "short"}),
        "PARKMATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
    }
    run = subprocess.run(
        [sys.executable, "-m", "service"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "zhaoliu" in run.stderr and "16" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
