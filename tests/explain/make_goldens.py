"""Regenerate tests/explain/golden/ from real runs of the tool on the shipped bundles.

    python3 tests/explain/make_goldens.py      # from the repository root

Each file is exactly what ``vxlan-inspect explain captures/bundles/<name> --format <fmt>``
prints. Review a regenerated golden by reading it; never edit one by hand. Re-run this
after the bundles are re-recorded (frame numbers, ports and latencies come from them).
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = ("healthy-ping", "wrong-vtep", "missing-neigh", "mtu")
FORMATS = {"text": "txt", "markdown": "md", "mermaid": "mmd"}


def render(name: str, fmt: str) -> str:
    """The CLI's stdout for one bundle and format, run from the repository root."""
    from vxlan_inspect.cli import main

    old = os.getcwd()
    os.chdir(ROOT)
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            code = main(["explain", f"captures/bundles/{name}", "--format", fmt])
    finally:
        os.chdir(old)
    if code != 0:
        raise SystemExit(f"explain {name} --format {fmt} exited {code}")
    return buf.getvalue()


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name in CASES:
        for fmt, ext in FORMATS.items():
            (GOLDEN / f"{name}.{ext}").write_text(render(name, fmt), encoding="utf-8")


if __name__ == "__main__":
    main()
