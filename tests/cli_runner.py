"""Run the parkmatch command line in-process, as a user would, and capture what it prints."""

from __future__ import annotations

import sys

import pytest

from matcher.cli import main


def run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    columns: int = 200,
) -> tuple[int, str, str]:
    """``parkmatch *args`` on a terminal ``columns`` cells wide: exit code, stdout, stderr.

    Fails if a traceback was printed."""
    monkeypatch.setattr(sys, "argv", ["parkmatch", *args])
    monkeypatch.setenv("COLUMNS", str(columns))
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err
