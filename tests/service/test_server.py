"""The real server: ``python -m service`` on a free loopback port, spoken to over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .conftest import KEYS, PARKS_CSV, ZHANG

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_python_m_service_serves_http_on_loopback(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "PARKMATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}",
        "PARKMATCH_API_KEYS": json.dumps({"zhangsan": KEYS["zhangsan"]}),
        "PARKMATCH_PORT": str(port),
        "PARKMATCH_LOG_LEVEL": "warning",
    }
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "service"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as http:
            deadline = time.monotonic() + 90
            health = None
            while time.monotonic() < deadline:
                assert proc.poll() is None, (tmp_path / "server.log").read_text()
                try:
                    health = http.get("/health").json()
                    if health["index"]["state"] == "ready":
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.3)
            assert health is not None and health["index"]["state"] == "ready", health
            assert health["database"]["parks"] > 0  # seeded from the bundled sample
            leads = http.get("/parks/GY-LZ-AL/leads", params={"limit": 3})
            assert leads.status_code == 200
            body = leads.json()
            assert len(body["data"]) == 3 and body["count"] > 3
            assert body["model"]["description"] == "default weighted scorer"
            r = http.post("/imports/parks", files={"file": ("parks.csv", PARKS_CSV.encode())})
            assert r.status_code == 401
            r = http.post(
                "/imports/parks", files={"file": ("parks.csv", PARKS_CSV.encode())}, headers=ZHANG
            )
            assert r.status_code == 200 and r.json()["inserted"] == 2
            assert http.get("/docs").status_code == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()
    assert (tmp_path / "server.db").exists()
