"""mkdocs hooks (``hooks:`` in mkdocs.yml): pages generated at build time.

``reference/cli.md`` is made from the typer app by ``scripts/make-cli-reference.py``
on every build, so the CLI reference cannot drift from the code. Top-level pages other
engineers add to ``docs/`` (capture.md, robustness.md, ...) that the nav does not list
yet are appended to its "Guides" section, titled by their first heading.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

_SCRIPT = Path(__file__).with_name("make-cli-reference.py")


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
            guides.append({heading: page.name})
    return config


def on_files(files: Files, config: Any) -> Files:
    files.append(File.generated(config, "reference/cli.md", content=_cli_reference()))
    return files
