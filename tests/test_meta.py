"""Conventions kept by tests rather than by review."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import matcher
from matcher.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_every_public_name_has_a_docstring() -> None:
    missing = []
    for name in matcher.__all__:
        obj = getattr(matcher, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if not (obj.__doc__ or "").strip():
                missing.append(name)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member) and not attr.startswith("_"):
                        if not (member.__doc__ or "").strip():
                            missing.append(f"{name}.{attr}")
    assert missing == []


def test_every_cli_command_has_help_and_is_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert set(commands) >= {"rank", "explain", "validate", "sample"}
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert (command.callback.__doc__ or "").strip(), name
        assert re.search(rf"parkmatch {name}\b", readme), name


def test_readme_names_the_two_commands_and_ci_calls_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_all_is_sorted_and_complete() -> None:
    assert sorted(matcher.__all__, key=str.casefold) == sorted(
        set(matcher.__all__), key=str.casefold
    )
    for name in matcher.__all__:
        assert hasattr(matcher, name), name
