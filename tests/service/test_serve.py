"""``python -m service`` starting and stopping: a busy port refused up front, Ctrl-C quiet."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import pytest

from service.__main__ import port_problem

from .servers import free_port, server_env, serving


def test_port_problem_is_none_for_a_free_port():
    assert port_problem("127.0.0.1", free_port()) is None


def test_port_problem_names_a_busy_port_and_how_to_choose_another():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        problem = port_problem("127.0.0.1", port)
    assert problem is not None
    assert f"端口 {port} 已被占用" in problem
    assert f"PORT={port + 1}" in problem and "--port" in problem


def test_port_problem_refuses_an_impossible_port():
    problem = port_problem("127.0.0.1", 70000)
    assert problem is not None and "1–65535" in problem


def test_busy_port_exits_before_the_database_is_created(tmp_path):
    db = tmp_path / "parkmatch.db"
    env = server_env(f"sqlite:///{db}", tmp_path)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "service", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"端口 {port} 已被占用" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    assert not db.exists()  # nothing created, nothing seeded


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_the_server_ends_quietly_with_a_goodbye(tmp_path, stop):
    env = server_env(f"sqlite:///{tmp_path / 'parkmatch.db'}", tmp_path)
    with serving(env, tmp_path) as server:
        server.wait_ready()
        server.proc.send_signal(stop)
        assert server.proc.wait(timeout=30) == 0
        log = server.log.read_text(encoding="utf-8")
    assert "再见" in log
    assert "Traceback" not in log and "KeyboardInterrupt" not in log
