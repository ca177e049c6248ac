#!/usr/bin/env python3
"""Screenshots of ``explain --format html`` for the docs: docs/img/explain-html-<bundle>.png.

    .venv/bin/python scripts/make-html-screenshots.py     # needs chromium (apt-get install chromium)

Each page is rendered by this checkout's CLI and photographed by headless Chromium with a fresh profile.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLES = ("healthy-ping", "wrong-vtep")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)  # the pages name the bundles relative to the repository, as the docs do
    from vxlan_inspect.cli import main as cli

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("make-html-screenshots: chromium not found (apt-get install chromium)", file=sys.stderr)
        return 4
    with tempfile.TemporaryDirectory() as tmp:
        for name in BUNDLES:
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                cli(["explain", f"captures/bundles/{name}", "--format", "html"])
            page = Path(tmp) / f"{name}.html"
            page.write_text(buf.getvalue(), encoding="utf-8")
            out = ROOT / "docs" / "img" / f"explain-html-{name}.png"
            subprocess.run([browser, *FLAGS, f"--user-data-dir={tmp}/profile-{name}", "--window-size=1200,1000",
                            f"--screenshot={out}", page.as_uri()], check=True, capture_output=True, timeout=120)
            print(out.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
