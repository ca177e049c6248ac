"""mkdocs hooks (``hooks:`` in mkdocs.yml): pages generated at build time.

``reference/cli.md`` is made from the typer app by ``scripts/make-cli-reference.py``
on every build, so the CLI reference cannot drift from the code.
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


def on_files(files: Files, config: Any) -> Files:
    files.append(File.generated(config, "reference/cli.md", content=_cli_reference()))
    return files
