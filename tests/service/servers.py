"""Real servers for the tests: ``python -m service`` processes on free loopback ports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .conftest import KEYS

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nobody listens on (loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``python -m service`` process."""

    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=kwargs.pop("timeout", 30), **kwargs)

    def wait_ready(self, timeout: float = 120) -> dict[str, Any]:
        """Poll ``/health`` until the index is ready; the health body."""
        deadline = time.monotonic() + timeout
        health: dict[str, Any] = {}
        with self.client(timeout=5) as http:
            while time.monotonic() < deadline:
                assert self.proc.poll() is None, self.log.read_text(encoding="utf-8")
                try:
                    health = http.get("/health").json()
                    if health["index"]["state"] == "ready" and not health["index"]["pending"]:
                        return health
                except (httpx.TransportError, ValueError):
                    pass
                time.sleep(0.2)
        raise AssertionError(f"server not ready: {health}\n{self.log.read_text(encoding='utf-8')}")


def server_env(database_url: str, folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a server on ``database_url`` with its files in ``folder``."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PARKMATCH_DATABASE_URL": database_url,
        "PARKMATCH_API_KEYS": json.dumps(KEYS),
        "PARKMATCH_SNAPSHOT_DIR": str(folder / "snapshots"),
        "PARKMATCH_MODELS_DIR": str(folder / "models"),
        "PARKMATCH_SECRET_KEY": "test-server-secret-0123456789",
        "PARKMATCH_LOG_LEVEL": "warning",
        "PARKMATCH_GC_FREEZE": "false",
        **extra,
    }


@contextmanager
def serving(env: dict[str, str], folder: Path, *args: str) -> Iterator[Server]:
    """Start ``python -m service`` with ``env`` on a free port; stop it afterwards."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / f"server-{port}.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "--port", str(port), *args],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield Server(proc, f"http://127.0.0.1:{port}", log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()
