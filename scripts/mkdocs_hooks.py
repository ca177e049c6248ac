"""mkdocs hooks (``hooks:`` in mkdocs.yml): pages generated at build time.

``reference/cli.md`` is made from the typer app by ``scripts/make-cli-reference.py``
on every build, so the CLI reference cannot drift from the code. Top-level pages other
engineers add to ``docs/`` (capture.md, robustness.md, ...) that the nav does not list
yet are appended to its "Guides" section, titled by their first heading (inline code
marks stripped: the nav shows text, not backticks).

Notebooks are executed at build time (nbclient, in their own directory) so the site
shows their outputs: tables, plots and diagrams, without the reader running anything.
Cells tagged ``needs-root`` or ``needs-lab`` are shown but not run (they build real
namespaces); the tests run the same selection (tests/docs/test_notebooks.py). The
executed copies live in a temporary directory; the committed notebooks stay clean.
Set ``VXLAN_INSPECT_DOCS_EXECUTE=0`` to build without executing (faster previews).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

_SCRIPT = Path(__file__).with_name("make-cli-reference.py")
#: Same tags as tests/docs/test_notebooks.py: shown on the site, never executed there.
SKIP_TAGS = frozenset({"needs-root", "needs-lab"})
CELL_TIMEOUT_S = 120
_TMP: list[tempfile.TemporaryDirectory[str]] = []


def _cli_reference() -> str:
    spec = importlib.util.spec_from_file_location("make_cli_reference", _SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.cli_reference()
    return text


def _nav_paths(node: Any) -> set[str]:
    if isinstance(node, str):
        return {node.split("#")[0]}
    if isinstance(node, list):
        return set().union(*(_nav_paths(n) for n in node)) if node else set()
    if isinstance(node, dict):
        return set().union(*(_nav_paths(v) for v in node.values())) if node else set()
    return set()


def on_config(config: Any) -> Any:
    nav = config["nav"]
    listed = _nav_paths(nav)
    guides = next((item["Guides"] for item in nav if isinstance(item, dict) and "Guides" in item), None)
    if guides is None:
        return config
    for page in sorted(Path(config["docs_dir"]).glob("*.md")):
        if page.name not in listed:
            heading = next((line[2:].strip() for line in page.read_text(encoding="utf-8").splitlines()
                            if line.startswith("# ")), page.stem)
            guides.append({heading.replace("`", ""): page.name})
    return config


def execute_notebook(src: Path, dest: Path) -> float:
    """Run the untagged code cells of ``src`` in its directory, write the notebook with outputs to ``dest``."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(src, as_version=4)
    # cells run `vxlan-inspect` as a command: the one installed beside this Python
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(src.resolve().parent)}})
    start = time.monotonic()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and not SKIP_TAGS & set(cell.metadata.get("tags", [])):
                client.execute_cell(cell, index)
    nbformat.write(nb, dest)
    return time.monotonic() - start


def _executed_notebooks(files: Files, config: Any) -> Files:
    if os.environ.get("VXLAN_INSPECT_DOCS_EXECUTE", "1") == "0":
        return files
    tmp = tempfile.TemporaryDirectory(prefix="vxlan-inspect-docs-")
    _TMP.append(tmp)  # kept until the process ends: pages are read after on_files
    for file in list(files):
        if not file.src_uri.endswith(".ipynb") or file.abs_src_path is None:
            continue
        dest = Path(tmp.name) / file.src_uri
        dest.parent.mkdir(parents=True, exist_ok=True)
        seconds = execute_notebook(Path(file.abs_src_path), dest)
        print(f"INFO    -  executed {file.src_uri} in {seconds:.1f} s", flush=True)
        files.remove(file)
        files.append(File(file.src_uri, tmp.name, config["site_dir"], config["use_directory_urls"]))
    return files


@event_priority(100)  # before mkdocs-jupyter turns the .ipynb files into pages
def on_files(files: Files, config: Any) -> Files:
    files.append(File.generated(config, "reference/cli.md", content=_cli_reference()))
    return _executed_notebooks(files, config)
