"""Regressions found while writing the docs: explain's help text and --control-plane input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "captures" / "bundles" / "healthy-ping"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vxlan_inspect", *args], capture_output=True, text=True, check=False)


def test_help_with_brackets_in_option_text() -> None:
    out = _run("explain", "--help")
    assert out.returncode == 0, out.stderr
    assert "HOST[/NETNS[/IFACE]]=PCAP" in out.stdout


def test_control_plane_with_explicit_inputs() -> None:
    out = _run(
        "explain", "--format", "json",
        "--control-plane", str(ROOT / "tests" / "data" / "seed" / "consul-endpoints-summary.txt"),
        "--state", f"docker-2/overlay={BUNDLE / 'snapshots' / 'after' / 'docker-2.overlay.fdb.txt'}",
        "--capture", f"docker-2={BUNDLE / 'captures' / 'docker-2.underlay.pcap'}",
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    doc = json.loads(out.stdout)
    assert "control-plane-drift" in json.dumps(doc)
