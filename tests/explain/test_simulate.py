"""What-if traces (``explain --simulate``): predictions from the tables, checked against every shipped bundle."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.explain.conftest import BUNDLES, explain_json, run_cli
from tests.explain.test_bundles import BUNDLE_NAMES, expected_code


def _probe(name: str) -> tuple[list[str], str]:
    """The bundle's last recorded ping as --simulate options, and the snapshot label taken before it."""
    doc = json.loads((BUNDLES / name / "scenario.json").read_text())
    ips = {c["name"]: c["ip"] for c in doc["containers"]}
    label = "before"
    for item in doc["traffic"]:
        if item["step"] == "add-container":
            ips[item["name"]] = item["ip"]
        if item["step"] == "snapshot":  # a snapshot taken after a change and before the ping (x2-join: joined)
            label = item["label"]
    ping = [t for t in doc["traffic"] if t["step"] == "ping"][-1]
    args = ["--simulate", ips[ping["src"]], ips[ping["dst"]], "--size", str(ping["size"]), "--label", label]
    return args + (["--df"] if ping["df"] else []), label


def _simulate(name: str, capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    args, _ = _probe(name)
    return explain_json([str(BUNDLES / name), *args, *extra], capsys)


@pytest.mark.parametrize("name", BUNDLE_NAMES)
def test_simulation_on_the_snapshots_before_predicts_the_recorded_verdict(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = _simulate(name, capsys)
    assert data["mode"] == "simulated"
    (trace,) = data["traces"]
    assert trace["mode"] == "simulated"
    assert trace["verdict"]["code"] == expected_code(name)
    assert all(s["summary"].count("would") or s["status"] != "ok" for s in trace["steps"])
    deciding = [s for s in trace["steps"] if s["kind"] in ("fdb-lookup", "neigh-resolve", "decapsulate")]
    assert all(any(e["kind"] == "row" and e["file"].startswith("snapshots/") for e in s["evidence"])
               for s in deciding), "each deciding step cites a table row of the snapshot"
    assert trace["verdict"]["evidence"]
    # the captures are there too: they agree with the prediction of the same probe
    mismatches = [f for f in trace["verdict"]["findings"] if f.startswith("prediction-mismatch")]
    assert mismatches == []
    assert any(o["verdict"]["code"] == expected_code(name) for o in data["observed"])


def test_each_step_cites_the_deciding_row(capsys: pytest.CaptureFixture[str]) -> None:
    data = _simulate("wrong-vtep", capsys)
    steps = {s["kind"]: s for s in data["traces"][0]["steps"]}
    fdb = steps["fdb-lookup"]
    assert fdb["facts"]["dst"] == "192.168.1.7"
    assert fdb["evidence"][0]["text"].startswith("02:42:c0:a8:0a:64 dev vxlan0 dst 192.168.1.7")
    assert fdb["evidence"][0]["file"] == "snapshots/before/docker-2.overlay.fdb.txt" and fdb["evidence"][0]["line"]


def _explicit(tables: str, wire: str) -> list[str]:
    """--state options for the hosts' snapshots/before of bundle ``tables``, --capture for the captures of ``wire``."""
    before = BUNDLES / tables / "snapshots" / "before"
    states = [f"--state={h}={before}/{h}.snapshot.json" for h in ("docker-1", "docker-2")]
    doc = json.loads((BUNDLES / wire / "scenario.json").read_text())
    return states + [f"--capture={c['host']}/{c['namespace'].partition('/')[2]}/{c['interface']}="
                     f"{BUNDLES / wire / c['file']}" for c in doc["captures"] if c["host"]]


def test_other_sizes_are_not_compared(capsys: pytest.CaptureFixture[str]) -> None:
    """mtu: the default 84-byte probe is compared with the 84-byte ping only, not with the 1500-byte one."""
    data = explain_json([str(BUNDLES / "mtu"), "--simulate", "192.168.10.2", "192.168.10.100"], capsys)
    (trace,) = data["traces"]
    assert trace["verdict"]["code"] == "delivered"
    findings = trace["verdict"]["findings"]
    assert not [f for f in findings if f.startswith("prediction-mismatch")]
    assert any(f.startswith("not compared: 1 observed echo flow(s) of another packet size") for f in findings)


@pytest.mark.parametrize("fault", ["wrong-vni", "missing-fdb", "wrong-port", "wrong-vtep"])
def test_healthy_tables_against_a_fault_capture(fault: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Tables from before a change (healthy), wire from after it (a fault): the disagreement is a finding."""
    data = explain_json(["--simulate", "192.168.10.2", "192.168.10.100", *_explicit("healthy-ping", fault)], capsys)
    (trace,) = data["traces"]
    assert trace["verdict"]["code"] == "delivered"
    found = [f for f in trace["verdict"]["findings"] if f.startswith("prediction-mismatch")]
    assert found and all(f.startswith("prediction-mismatch: the tables say delivered, the wire shows ")
                         and "the wire shows delivered" not in f for f in found)


def test_healthy_bundles_have_no_mismatch_in_text(capsys: pytest.CaptureFixture[str]) -> None:
    args, _ = _probe("healthy-ping")
    code, out, _ = run_cli(["explain", str(BUNDLES / "healthy-ping"), *args], capsys)
    assert code == 0
    assert out.startswith("What-if trace: predicted from the tables, nothing was sent.")
    assert "would deliver it to 192.168.10.100" in out and "prediction-mismatch" not in out
    assert "Predicted and observed, side by side" in out and "verdict: delivered" in out


def test_only_the_senders_tables_stop_at_the_underlay(capsys: pytest.CaptureFixture[str]) -> None:
    snap = BUNDLES / "healthy-ping" / "snapshots" / "before" / "docker-2.snapshot.json"
    data = explain_json(["--simulate", "192.168.10.2", "192.168.10.100", f"--state=docker-2={snap}"], capsys)
    (trace,) = data["traces"]
    assert trace["verdict"]["code"] == "undetermined"
    assert trace["steps"][-1]["kind"] == "underlay-transit" and trace["steps"][-1]["status"] == "unknown"
    (unknown,) = trace["verdict"]["unknowns"]
    assert "192.168.1.4" in unknown["question"] and "bridge fdb show" in unknown["settle_with"]
    assert "observed" not in data


def test_simulate_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["explain", str(BUNDLES / "healthy-ping"), "--simulate", "192.168.10.2", "nope"], capsys)
    assert code == 1 and "not an IP address" in err and "Traceback" not in err


def test_evidence_rows_from_json_dumps_are_iproute2_words(capsys: pytest.CaptureFixture[str]) -> None:
    """A link row from a JSON dump spells its vxlan part as words (was a Python dict: {'id': 256, ...})."""
    snaps = BUNDLES / "healthy-ping" / "snapshots" / "after"
    states = [f"--state=docker-2/overlay={snaps}/docker-2.overlay.{kind}.json" for kind in ("link", "fdb", "neigh")]
    capture = f"--capture=docker-2/host/eth0={BUNDLES / 'healthy-ping' / 'captures' / 'docker-2.underlay.pcap'}"
    data = explain_json([*states, capture], capsys)
    texts = [e["text"] for t in data["traces"] for s in t["steps"] for e in s["evidence"] if e["kind"] == "row"]
    links = [t for t in texts if t.startswith("ifindex") and "ifname vxlan0" in t]
    assert links and all("{" not in t and "'" not in t for t in texts)
    assert "vxlan id 256 srcport 0 0 dstport 4789" in links[0] and " proxy l2miss l3miss" in links[0]


@pytest.mark.parametrize("fmt", ["tree", "mermaid", "markdown", "html"])
def test_simulate_in_every_format(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["explain", str(BUNDLES / "missing-fdb"), "--simulate", "192.168.10.2", "192.168.10.100",
                              "--format", fmt], capsys)
    assert code == 0, err
    assert "missing-fdb" in out and "would" in out and "id None" not in out
