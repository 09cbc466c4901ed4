"""The notebooks run from top to bottom (so they cannot rot) and are stored without outputs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip(
    "nbformat", reason="nbformat 未安装：pip install -e '.[notebooks]' 后运行笔记本测试"
)

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["01_tour.ipynb", "02_weights.ipynb", "03_learned_rankers.ipynb"]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_stored_without_outputs(name: str) -> None:
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(book)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    text = "\n".join(c.source for c in code)
    assert "from matcher import" in text
    # the public API only: the front door and public subpackages, never a private module
    modules = re.findall(r"^\s*from (matcher[\w.]*) import", text, flags=re.M)
    assert modules and all("._" not in m for m in modules), modules
    assert "matcher._" not in text


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes(name: str) -> None:
    nbclient = pytest.importorskip(
        "nbclient", reason="nbclient 未安装：pip install -e '.[notebooks]'"
    )
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        book,
        timeout=600,
        kernel_name="python3",  # the interpreter running the tests (jupyter_client maps it)
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    errors = [
        output
        for cell in book.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []
