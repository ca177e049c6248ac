"""One ``mkdocs build --strict`` (notebooks executed by scripts/mkdocs_hooks.py) shared by the docs tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site directory of a strict build; the build's stderr is kept beside it as build.log."""
    out = tmp_path_factory.mktemp("mkdocs")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "VXLAN_INSPECT_DOCS_EXECUTE": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out / "site")],
                          cwd=ROOT, capture_output=True, text=True, env=env, timeout=600, check=False)
    (out / "build.log").write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out / "site"
