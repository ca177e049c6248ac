"""The shipped scenario bundles: complete, small, and each showing its signature."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lab_signatures import Bundle, check_signature

from tests.conftest import require_tool
from vxlan_inspect.lab.scenarios import SCENARIOS

BUNDLES = Path(__file__).resolve().parents[2] / "captures" / "bundles"
REQUIRED = [
    "healthy-ping",
    "arp-proxy",
    "x2-join",
    "missing-fdb",
    "missing-neigh",
    "wrong-vtep",
    "wrong-vni",
    "wrong-port",
    "mtu",
    "proxy-off",
    "stale-neigh",
]


def test_every_scenario_is_shipped() -> None:
    shipped = sorted(p.name for p in BUNDLES.iterdir() if (p / "scenario.json").is_file())
    assert set(REQUIRED) <= set(shipped)
    assert shipped == sorted(SCENARIOS)


def test_bundles_are_small() -> None:
    total = sum(f.stat().st_size for f in BUNDLES.rglob("*") if f.is_file())
    assert total < 4_000_000, total
    for pcap in BUNDLES.rglob("*.pcap"):
        assert pcap.stat().st_size < 64_000, pcap


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_bundle_is_complete(name: str) -> None:
    b = Bundle(BUNDLES / name)
    assert b.doc["format"] == "vxlan-inspect-scenario" and b.doc["version"] == 1
    assert b.doc["scenario"] == name
    for cap in b.doc["captures"]:
        assert (b.root / cap["file"]).is_file()
        expected = 276 if cap["interface"] == "any" else 1
        assert cap["linktype"] == expected, cap
    for ns in b.doc["namespaces"]:
        assert ns["ifindex"], ns["id"]
        assert ns["ifindex"]["1"] == "lo"
        assert "after" in ns["snapshots"]
        for label in ns["snapshots"]:
            for kind in ("link", "neigh", "fdb", "addr", "route"):
                for form in ("json", "text"):
                    assert (b.root / ns["snapshots"][label][kind][form]).is_file()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_bundle_signature(name: str) -> None:
    check_signature(Bundle(BUNDLES / name))


def _read_output(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TZ="UTC")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=60)


def compare_read_with_tcpdump(pcap: Path) -> None:
    """``vxlan-inspect read -n -r`` must print what ``tcpdump -n -r`` prints."""
    tcpdump = require_tool("tcpdump")
    ours = _read_output([sys.executable, "-m", "vxlan_inspect", "read", "-n", "-r", str(pcap)])
    theirs = _read_output([tcpdump, "-n", "-r", str(pcap)])
    assert theirs.returncode == 0, theirs.stderr
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_underlay_capture_reads_like_tcpdump(name: str) -> None:
    for cap in json.loads((BUNDLES / name / "scenario.json").read_text())["captures"]:
        if cap["id"].endswith(".underlay"):
            compare_read_with_tcpdump(BUNDLES / name / cap["file"])
