"""Conventions kept by tests rather than by review."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import matcher
from matcher.cli import app

ROOT = Path(__file__).resolve().parents[1]


#: The public doors: the front door and every subpackage or public module users import from.
PUBLIC_MODULES = [
    "matcher",
    "matcher.allocation",
    "matcher.batch",
    "matcher.chains",
    "matcher.datasets",
    "matcher.exceptions",
    "matcher.features",
    "matcher.index",
    "matcher.io",
    "matcher.learning",
    "matcher.matching",
    "matcher.policies",
    "matcher.ranking",
    "matcher.reference",
    "matcher.report",
    "matcher.scoring",
    "matcher.signals",
    "matcher.vetting",
]


def _public() -> list[tuple[str, str, object]]:
    out = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        out += [(module_name, name, getattr(module, name)) for name in module.__all__]
    return out


def test_every_public_name_has_a_docstring() -> None:
    missing = []
    for module_name, name, obj in _public():
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if not (obj.__doc__ or "").strip():
                missing.append(f"{module_name}.{name}")
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member) and not attr.startswith("_"):
                        # an override of a documented interface method inherits its text
                        if not (inspect.getdoc(getattr(obj, attr)) or "").strip():
                            missing.append(f"{module_name}.{name}.{attr}")
        elif inspect.ismodule(obj) and not (obj.__doc__ or "").strip():
            missing.append(f"{module_name}.{name}")
    assert missing == []


def test_every_subpackage_says_what_it_owns() -> None:
    folder = ROOT / "matcher"
    packages = sorted(p.parent.name for p in folder.glob("*/__init__.py"))
    assert set(packages) >= {
        "allocation", "batch", "chains", "cli", "datasets", "features", "index", "io",
        "learning", "ranking", "reference", "scoring",
    }  # fmt: skip
    for package in packages:
        doc = importlib.import_module(f"matcher.{package}").__doc__ or ""
        assert len(doc.split()) >= 12, package  # more than a title


def test_the_front_door_is_small() -> None:
    """About a dozen names a user needs first; everything else from its subpackage."""
    assert len(matcher.__all__) <= 16
    assert {"Matcher", "load_parks", "load_enterprises", "load_sample", "MatcherError"} <= set(
        matcher.__all__
    )


def test_names_moved_out_of_the_front_door_still_resolve_with_a_warning() -> None:
    for old, (module, new) in matcher.MOVED.items():
        with pytest.warns(DeprecationWarning, match=old):
            obj = getattr(matcher, old)
        assert obj is getattr(importlib.import_module(module), new), old
    with pytest.raises(AttributeError):
        _ = matcher.no_such_name


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


def _isort_key(name: str) -> tuple[int, list[object]]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then the rest,
    each in natural order (``x2`` before ``x10``)."""
    group = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    parts = re.split(r"(\d+)", name)
    return group, [int(p) if p.isdigit() else p for p in parts]


def test_isort_key_orders_like_ruff() -> None:
    names = ["x10", "Matcher", "load", "MAX_INT", "x2", "__version__", "ConfigError"]
    assert sorted(names, key=_isort_key) == [
        "MAX_INT", "ConfigError", "Matcher", "__version__", "load", "x2", "x10",
    ]  # fmt: skip


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_all_is_sorted_unique_and_complete(module_name: str) -> None:
    module = importlib.import_module(module_name)
    names = list(module.__all__)
    assert len(set(names)) == len(names), "duplicates in __all__"
    assert names == sorted(names, key=_isort_key), "__all__ is not in order"
    for name in names:
        assert hasattr(module, name), name
