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


def test_control_plane_and_events_honoured_in_bundle_mode() -> None:
    """issue 14 item 10: in bundle mode both options were ignored, even for a file that does not exist."""
    plain = _run("explain", "--format", "json", str(BUNDLE))
    assert plain.returncode == 0, plain.stderr
    assert "control-plane-drift" not in plain.stdout
    out = _run("explain", "--format", "json", str(BUNDLE),
               "--control-plane", str(ROOT / "tests" / "data" / "seed" / "consul-endpoints-summary.txt"))
    assert out.returncode == 0, out.stderr
    assert "control-plane-drift" in out.stdout
    # the trace follows the capture, not the control plane: the verdicts stay those of the bundle alone
    verdicts = [t["verdict"]["code"] for t in json.loads(out.stdout)["traces"]]
    assert verdicts == [t["verdict"]["code"] for t in json.loads(plain.stdout)["traces"]]


def test_missing_control_plane_or_events_file_in_bundle_mode_is_exit_2(tmp_path: Path) -> None:
    for option, value in (("--control-plane", str(tmp_path / "nope.txt")),
                          ("--events", f"docker-1/overlay={tmp_path / 'nope.txt'}")):
        out = _run("explain", str(BUNDLE), option, value)
        assert out.returncode == 2, (option, out.returncode, out.stderr)
        assert "nope.txt" in out.stderr and "Traceback" not in out.stderr
        assert len(out.stderr.strip().splitlines()) <= 2, out.stderr


def test_events_added_in_bundle_mode_reach_the_inputs() -> None:
    from vxlan_inspect.explain.inputs import load_bundle, with_extras

    base = load_bundle(BUNDLE)
    bundle = ROOT / "captures" / "bundles" / "missing-neigh"
    log = next((bundle / "events").glob("docker-1.overlay.*"))
    extra = with_extras(base, None, [f"docker-1/overlay={log}"])
    added = extra.events[len(base.events):]
    assert extra.events[:len(base.events)] == base.events
    assert all(e.host == "docker-1" and e.namespace == "docker-1/overlay" and e.file == str(log) for e in added)
    assert len(added) == sum(1 for line in log.read_text().splitlines() if "miss" in line)
