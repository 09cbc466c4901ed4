"""The package's shape, kept by tests: modules import alone, no import circles, no reaching into
another subpackage's private names (issue 15; see ARCHITECTURE.md).

The import graph is read from the source (an AST walk): every ``import`` counts, at module
level or inside a function — a circle broken only by importing inside a function is still a
circle — except those under ``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("matcher", "service")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            out[_module_name(path)] = path
    return out


MODULES = _modules()


def _runtime_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run (not under ``if TYPE_CHECKING:``)."""

    def walk(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                yield from (n for s in child.orelse for n in walk_one(s))
                continue
            yield from walk_one(child)

    def walk_one(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        else:
            yield from walk(node)

    yield from walk(tree)


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[tuple[str, str | None]]:
    """(module imported, name imported from it or None) for one statement."""
    if isinstance(node, ast.Import):
        return [(a.name, None) for a in node.names]
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    return [(source, a.name) for a in node.names]


def _edges() -> dict[str, set[str]]:
    """Module → the project modules it imports (``from pkg import sub`` counts as pkg.sub)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _runtime_imports(tree):
            for source, name in _targets(module, node):
                if name is not None and f"{source}.{name}" in MODULES:
                    graph[module].add(f"{source}.{name}")
                elif source in MODULES:
                    graph[module].add(source)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), or a self-loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _unit(module: str) -> str:
    """The unit a module belongs to: its subpackage (``matcher.ranking``), or itself for a
    module of the package root (``matcher.matching``)."""
    parts = module.split(".")
    if (
        len(parts) >= 2
        and f"{parts[0]}.{parts[1]}" in MODULES
        and (MODULES[f"{parts[0]}.{parts[1]}"].name == "__init__.py")
    ):
        return f"{parts[0]}.{parts[1]}"
    return module


def test_the_graph_walker_sees_function_level_imports_and_skips_type_checking() -> None:
    source = textwrap.dedent(
        """
        from typing import TYPE_CHECKING
        from .b import x
        if TYPE_CHECKING:
            from .c import y
        def f():
            from .d import z
        """
    )
    seen = [n.module for n in _runtime_imports(ast.parse(source)) if isinstance(n, ast.ImportFrom)]
    assert seen == ["typing", "b", "d"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_import_circles() -> None:
    assert _cycles(_edges()) == []


def test_no_circles_between_subpackages() -> None:
    """The subpackages follow the data flow: no two of them import each other, even through
    others (the package root, whose front door imports several, is left out)."""
    units: dict[str, set[str]] = {}
    for module, targets in _edges().items():
        if module in PACKAGES:
            continue
        units.setdefault(_unit(module), set()).update(
            _unit(t) for t in targets if t not in PACKAGES and _unit(t) != _unit(module)
        )
    assert _cycles(units) == []


#: Private imports across units that are allowed, and why.
ALLOWED_PRIVATE = {
    # matcher.text is reworked separately (issue 15's brief keeps its files unchanged); the
    # index reads the text profiles it does not export yet.
    ("matcher.index._arrays", "matcher.text._profile"),
    ("matcher.index._arrays", "matcher.text._inference"),
    # the old module paths pickles written by 0.1 name (see matcher/_compat.py)
    ("matcher.learning", "matcher._compat"),
}


def _private(source: str, name: str | None) -> bool:
    parts = source.split(".")[1:] + ([name] if name else [])
    return any(p.startswith("_") and not p.startswith("__") for p in parts)


def test_no_module_imports_another_units_private_names() -> None:
    offenders = []
    for module, path in MODULES.items():
        if not module.startswith("matcher"):
            continue
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            for source, name in _targets(module, node):
                if not source.startswith("matcher") or _unit(source) == _unit(module):
                    continue
                sub = f"{source}.{name}" if name and f"{source}.{name}" in MODULES else None
                if _private(sub or source, None if sub else name):
                    if (module, sub or source) not in ALLOWED_PRIVATE:
                        offenders.append(f"{module}: from {source} import {name}")
    assert offenders == []


def _is_cls_call(node: ast.AST) -> bool:
    """``cls(...)._restore``: a private method of an instance the class just made."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "cls"


def test_no_module_touches_private_attributes_of_other_objects() -> None:
    """``matcher._coef(...)`` from batch code was the issue; ``self._x`` and ``cls._x`` are fine."""
    offenders = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
                and not _is_cls_call(node.value)
                and node.attr not in ("_replace", "_asdict", "_fields", "_make")  # namedtuple API
            ):
                offenders.append(f"{module}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []


def _import_in_fresh_children(modules: list[str]) -> dict[str, str]:
    """Import each module in a forked child of a process that preloaded only third-party
    libraries, so that no other project module is already imported; return the failures."""
    script = textwrap.dedent(
        """
        import importlib, os, sys, traceback
        for lib in ("numpy", "pandas", "scipy.sparse", "scipy.optimize", "sklearn.base",
                    "sklearn.ensemble", "sklearn.linear_model", "sklearn.model_selection",
                    "joblib", "opencc", "pyarrow", "typer", "rich", "ahocorasick", "openpyxl",
                    "fastapi", "sqlalchemy", "pydantic", "pydantic_settings", "jinja2",
                    "starlette", "uvicorn", "httpx", "sqlalchemy.orm", "pydantic.v1",
                    "fastapi.openapi.utils", "multipart"):
            try:
                importlib.import_module(lib)
            except ImportError:  # an optional extra that is not installed
                pass
        running = set()
        def reap():
            pid, _ = os.wait()
            running.discard(pid)
        for name in sys.argv[1:]:
            while len(running) >= max(2, os.cpu_count() or 1):
                reap()
            pid = os.fork()
            if pid == 0:
                try:
                    __import__(name)
                except BaseException:
                    sys.stderr.write(f"{name}\\n{traceback.format_exc()}\\n\\0")
                    sys.stderr.flush()
                    os._exit(1)
                os._exit(0)
            running.add(pid)
        while running:
            reap()
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script, *modules],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    failures = {}
    for block in run.stderr.split("\0"):
        if block.strip():
            name, _, trace = block.strip().partition("\n")
            failures[name] = trace
    return failures


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forking the clean interpreter needs POSIX")
def test_every_module_imports_on_its_own() -> None:
    modules = [m for m in MODULES if not m.endswith("__main__")]
    assert _import_in_fresh_children(modules) == {}
