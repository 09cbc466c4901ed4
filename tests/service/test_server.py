"""The real server: ``python -m service`` processes on free loopback ports, spoken to over HTTP.

Two processes on one database show the multi-process design: a write through one is served by
the other after exactly one rebuild, and both name the same index version.
"""

from __future__ import annotations

import time

import httpx

from .conftest import PARKS_CSV, ZHANG, database_url
from .servers import server_env, serving


def test_python_m_service_serves_http_on_loopback(tmp_path):
    env = server_env(database_url(tmp_path), tmp_path)
    with serving(env, tmp_path) as server:
        health = server.wait_ready()
        assert health["database"]["parks"] > 0  # seeded from the bundled sample
        with server.client() as http:
            leads = http.get("/parks/GY-LZ-AL/leads", params={"limit": 3})
            assert leads.status_code == 200
            body = leads.json()
            assert len(body["data"]) == 3 and body["count"] > 3
            assert body["model"]["description"] == "default weighted scorer"
            files = {"file": ("parks.csv", PARKS_CSV.encode())}
            assert http.post("/imports/parks", files=files).status_code == 401
            r = http.post("/imports/parks", files=files, headers=ZHANG)
            assert r.status_code == 200 and r.json()["inserted"] == 2
            docs = http.get("/docs")
            assert docs.status_code == 200 and "/static/swagger-ui/" in docs.text


def test_two_servers_on_one_database_follow_one_rebuild(tmp_path):
    url = database_url(tmp_path)
    env = server_env(url, tmp_path)
    with serving(env, tmp_path / "a") as a, serving(env, tmp_path / "b") as b:
        first_a, first_b = a.wait_ready(), b.wait_ready()
        version = first_a["index"]["version"]
        assert first_b["index"]["version"] == version  # b loaded what one process built
        with a.client() as http_a, b.client() as http_b:
            park = {"park_id": "P-TWO", "name": "两进程园区", "leading_industries": "3252"}
            assert http_a.post("/parks", json=park, headers=ZHANG).status_code == 201
            deadline = time.monotonic() + 120
            r: httpx.Response | None = None
            while time.monotonic() < deadline:
                r = http_b.get("/parks/P-TWO/leads", params={"limit": 3})
                if r.status_code == 200:
                    break
                assert r.status_code == 503, r.text  # in the database, index not there yet
                time.sleep(0.2)
            assert r is not None and r.status_code == 200, r.text if r else None
            assert r.json()["index_version"] == version + 1  # exactly one rebuild
            assert http_a.get("/parks/P-TWO/leads").json()["index_version"] == version + 1
            for http in (http_a, http_b):
                health = http.get("/health").json()
                assert health["index"]["version"] == version + 1
                assert health["database"]["parks"] == health["index"]["parks"]


def test_two_workers_of_one_server(tmp_path):
    env = server_env(database_url(tmp_path), tmp_path, PARKMATCH_SEED_SAMPLE="false")
    with serving(env, tmp_path, "--workers", "2") as server:
        with server.client() as http:
            files = {"file": ("parks.csv", PARKS_CSV.encode())}
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if http.get("/health").status_code in (200, 503):
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            assert http.post("/imports/parks", files=files, headers=ZHANG).status_code == 200
            ents = "enterprise_id,name,industry_code\nE1,铝业,3252\nE2,食品,1432\n"
            files = {"file": ("e.csv", ents.encode())}
            assert http.post("/imports/enterprises", files=files, headers=ZHANG).status_code == 200
            versions = set()
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and len(versions) < 1:
                r = http.get("/parks/P-AL/leads")
                if r.status_code == 200 and r.json()["count"] == 2:
                    versions.add(r.json()["index_version"])
                time.sleep(0.2)
            assert versions, server.log.read_text(encoding="utf-8")
            seen = {http.get("/parks/P-AL/leads").json()["index_version"] for _ in range(20)}
            assert seen == versions  # every worker serves the same version
