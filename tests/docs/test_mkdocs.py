"""The documentation site builds with ``mkdocs build --strict`` (broken links, missing snippets, bad nav fail)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    site = tmp_path / "site"
    cli = (site / "reference" / "cli" / "index.html").read_text()
    assert "vxlan-inspect read" in cli and "vxlan-inspect state diff" in cli  # generated from the typer app
    runbook = (site / "runbooks" / "missing-fdb" / "index.html").read_text()
    assert "Final verdict: missing-fdb" in runbook and "--8&lt;--" not in runbook  # snippets were included
    assert (site / "notebooks" / "01-anatomy" / "index.html").exists()
