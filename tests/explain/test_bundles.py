"""Acceptance 1: every shipped bundle's primary verdict is its injected fault (or healthy), from the JSON output."""

from __future__ import annotations

import json

import pytest

from tests.explain.conftest import BUNDLES, explain_json

#: injected fault (scenario.json) -> verdict code; healthy scenarios -> delivered
FAULT_CODES = {
    "missing-fdb": "missing-fdb", "missing-neigh": "missing-neigh", "wrong-vtep": "wrong-vtep",
    "wrong-vni": "vni-mismatch", "wrong-port": "port-mismatch", "mtu": "mtu-exceeded", "proxy-off": "proxy-off",
    "stale-neigh": "stale-neigh", "reply-fdb": "missing-fdb",
}
BUNDLE_NAMES = sorted(p.name for p in BUNDLES.iterdir() if (p / "scenario.json").is_file())


def expected_code(name: str) -> str:
    doc = json.loads((BUNDLES / name / "scenario.json").read_text())
    faults = [item["fault"] for item in doc["injected"]]
    return FAULT_CODES[faults[0]] if faults else "delivered"


def test_every_scenario_is_covered() -> None:
    assert len(BUNDLE_NAMES) >= 14


@pytest.mark.parametrize("name", BUNDLE_NAMES)
def test_primary_verdict_is_the_injected_fault(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json([str(BUNDLES / name)], capsys)
    assert data["format"] == "vxlan-inspect/explain" and data["version"] == 1
    assert data["primary"]["code"] == expected_code(name)
    failing = [t for t in data["traces"] if t["verdict"]["code"] == data["primary"]["code"]]
    assert failing and failing[0]["verdict"]["evidence"], "a verdict must carry evidence"


@pytest.mark.parametrize(("name", "finding"), [("arp-proxy", "arp-proxied"), ("healthy-ping", "arp-proxied"),
                                                ("learning", "arp-flooded"), ("multicast", "arp-flooded"),
                                                ("p2p", "arp-flooded")])
def test_healthy_findings(name: str, finding: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json([str(BUNDLES / name)], capsys)
    assert finding in data["traces"][0]["verdict"]["findings"]


def test_healthy_seed_trace_names_every_hop(capsys: pytest.CaptureFixture[str]) -> None:
    """The seed story: proxy ARP, veth -> br0, FDB -> dst 192.168.1.4, VNI 256 udp/4789, decap, deliver, mirror."""
    data = explain_json([str(BUNDLES / "healthy-ping")], capsys)
    (trace,) = data["traces"]
    steps = trace["steps"]
    request = [s["kind"] for s in steps if s["direction"] == "request"]
    assert request == ["neigh-resolve", "container-egress", "fdb-lookup", "encapsulate", "underlay-transit",
                       "decapsulate", "deliver"]
    reply = [s["kind"] for s in steps if s["direction"] == "reply"]
    assert reply[-5:] == ["fdb-lookup", "encapsulate", "underlay-transit", "decapsulate", "deliver"]
    by_kind = {s["kind"]: s for s in steps if s["direction"] == "request"}
    resolve = by_kind["neigh-resolve"]
    assert resolve["facts"]["answered_by"] == "proxy" and resolve["facts"]["permanent"] is True
    assert resolve["facts"]["lladdr"] == "02:42:c0:a8:0a:64"
    assert by_kind["fdb-lookup"]["facts"]["dst"] == "192.168.1.4"
    assert by_kind["fdb-lookup"]["facts"]["dst_host"] == "docker-1"
    enc = by_kind["encapsulate"]["facts"]
    assert (enc["vni"], enc["outer_src"], enc["outer_dst"], enc["dport"]) == (256, "192.168.1.5", "192.168.1.4", 4789)
    assert enc["outer_ip_len"] - enc["inner_ip_len"] == 50 == enc["overhead"]
    assert by_kind["decapsulate"]["facts"]["device_vni"] == 256
    assert by_kind["deliver"]["location"]["namespace"] == "docker-1/X-1"
    assert all(s["status"] == "ok" for s in steps)


def test_evidence_points_at_real_frames_and_rows(capsys: pytest.CaptureFixture[str]) -> None:
    """Every frame reference re-reads to the quoted tcpdump line; every row reference is that line of the dump."""
    from vxlan_inspect.capture import open_capture
    from vxlan_inspect.render.tcpdump import Options, PacketFormatter

    bundle = BUNDLES / "healthy-ping"
    data = explain_json([str(bundle)], capsys)
    scenario = json.loads((bundle / "scenario.json").read_text())
    names = {c["file"]: c["namespace"] for c in scenario["captures"]}
    ifmaps = {ns["id"]: {int(k): v for k, v in ns["ifindex"].items()} for ns in scenario["namespaces"]}
    checked = 0
    for step in data["traces"][0]["steps"]:
        for ev in step["evidence"]:
            if ev["kind"] == "frame":
                fmt = PacketFormatter(Options(tflag=1, ifnames=ifmaps[names[ev["file"]]], system_ifnames=False))
                with open_capture(bundle / ev["file"]) as cap:
                    rec = next(r for r in cap if r.index == ev["frame"])
                text = fmt.format(rec.index, rec.ts_ns, rec.linktype, rec.caplen, rec.wirelen, rec.data)
                assert text.replace("\n", " | ") == ev["text"]
            else:
                lines = (bundle / ev["file"]).read_text().splitlines()
                assert ev["text"].startswith(lines[ev["line"] - 1].strip())
            checked += 1
    assert checked >= 20


def test_ping_selects_one_flow(capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json([str(BUNDLES / "mtu"), "--ping", "192.168.10.2 192.168.10.100"], capsys)
    assert {t["verdict"]["code"] for t in data["traces"]} == {"delivered", "mtu-exceeded"}
    data = explain_json([str(BUNDLES / "mtu"), "--ping", "192.168.10.100,192.168.10.2"], capsys)
    assert data["traces"] == [] and data["primary"] is None


def test_mtu_arithmetic(capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json([str(BUNDLES / "mtu")], capsys)
    step = next(s for t in data["traces"] for s in t["steps"] if s["kind"] == "mtu")
    assert step["facts"] == {"ip_len": 1500, "device_mtu": 1450, "overhead": 50, "underlay_needed": 1550}


def test_reply_path_fault_names_the_destination_host(capsys: pytest.CaptureFixture[str]) -> None:
    """issue 14 item 5: a fault on docker-1's reply path is fixed on docker-1 towards docker-2 (192.168.1.5)."""
    data = explain_json([str(BUNDLES / "reply-fdb")], capsys)
    verdict = data["primary"]
    assert verdict["code"] == "missing-fdb"
    assert verdict["summary"].startswith("docker-1 has no FDB entry for 02:42:c0:a8:0a:02 (192.168.10.2)")
    assert verdict["fix"].startswith("on docker-1: bridge fdb add 02:42:c0:a8:0a:02 dev vxlan0 dst 192.168.1.5 ")
    failing = [s for t in data["traces"] for s in t["steps"] if s["status"] == "fail"]
    assert [(s["kind"], s["direction"], s["location"]["host"]) for s in failing] == [
        ("fdb-lookup", "reply", "docker-1")]
