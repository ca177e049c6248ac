"""Every notebook runs top to bottom (its asserts are what it teaches), fast, and is committed clean."""

from __future__ import annotations

import copy
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

#: Cells with one of these tags need root or a live lab; they are shown in the docs but never run by the tests.
SKIP_TAGS = frozenset({"needs-root", "needs-lab"})
TIME_LIMIT_S = 120


def executable_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without its tagged cells."""
    out = copy.deepcopy(nb)
    out.cells = [c for c in out.cells if not SKIP_TAGS & set(c.get("metadata", {}).get("tags", []))]
    return out


def run_notebook(path: Path) -> tuple[nbformat.NotebookNode, float]:
    """Execute ``path`` (tagged cells left out) in its own directory; return the executed copy and the seconds taken."""
    nb = executable_copy(nbformat.read(path, as_version=4))
    client = NotebookClient(nb, timeout=TIME_LIMIT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.monotonic()
    client.execute()
    return nb, time.monotonic() - start


ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_five_notebooks_exist() -> None:
    assert [p.name[:3] for p in NOTEBOOKS] == ["01-", "02-", "03-", "04-", "05-"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"
        assert set(cell.metadata.get("tags", [])) <= SKIP_TAGS | {"hide-input"}
        if cell.cell_type == "markdown":
            # mkdocs-jupyter does not rewrite links, so a relative link works in Jupyter or on the site, never both
            assert not re.search(r"\]\((?!https?:)[^)]*\.(md|ipynb)\b", cell.source), f"{path.name}: relative link"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path: Path) -> None:
    nb, seconds = run_notebook(path)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert seconds < TIME_LIMIT_S, f"{path.name} took {seconds:.0f} s"


if __name__ == "__main__":  # python3 tests/docs/test_notebooks.py notebooks/01-anatomy.ipynb ...
    for arg in sys.argv[1:]:
        print(f"{arg}: {run_notebook(Path(arg))[1]:.1f} s", flush=True)
