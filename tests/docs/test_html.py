"""The notebook display of packets and layers (vxlan_inspect.render.html)."""

from __future__ import annotations

from pathlib import Path

from vxlan_inspect.capture import open_capture
from vxlan_inspect.decode import decode_record
from vxlan_inspect.render.html import field_spans, fields_side_by_side_html, hexdump_html

ROOT = Path(__file__).resolve().parents[2]
UNDERLAY = ROOT / "captures/bundles/healthy-ping/captures/docker-1.underlay.pcap"


def _first_vxlan():
    with open_capture(str(UNDERLAY)) as cap:
        for record in cap:
            packet = decode_record(record)
            if packet.vxlan:
                return packet
    raise AssertionError("no VXLAN packet")


def test_every_captured_byte_belongs_to_one_field() -> None:
    packet = _first_vxlan()
    spans = field_spans(packet)
    covered = sorted(i for s in spans for i in range(s.start, s.end))
    assert covered == list(range(packet.caplen))
    vni = [s for s in spans if s.layer == "vxlan" and s.field == "vni"]
    assert [(s.start, s.end, s.hex, s.value) for s in vni] == [(46, 49, "000100", "256")]
    assert {s.inner for s in spans if s.layer == "icmp"} == {True}


def test_html_reprs() -> None:
    packet = _first_vxlan()
    page = packet._repr_html_()
    assert "VNI 256" in page and "inner.ether" not in page
    assert "outer vxlan.vni = 256" in hexdump_html(packet)
    assert "VXLAN (vxlan, bytes 42–49)" in packet.vxlan._repr_html_()  # type: ignore[union-attr]
    side = fields_side_by_side_html(packet)
    assert side.index("outer: underlay") < side.index("inner: the container")


def test_traces_and_state_tables_display_themselves_in_notebooks() -> None:
    from vxlan_inspect.explain import explain_bundle
    from vxlan_inspect.state.snapshot import load_snapshots

    bundle = ROOT / "captures/bundles/healthy-ping"
    trace = explain_bundle(bundle).traces[0]
    page = trace._repr_html_()
    assert "verdict: delivered" in page and page.count("<tr") == len(trace.steps) + 1
    snapshot = load_snapshots(sorted((bundle / "snapshots/before").glob("docker-1.*.txt")))
    assert any(ns.fdb for ns in snapshot.namespaces) and any(ns.neigh for ns in snapshot.namespaces)
    page = snapshot._repr_html_()
    for ns in snapshot.namespaces:
        assert f"namespace {ns.name}" in page
        if ns.fdb:
            assert f"fdb ({len(ns.fdb)})" in page and ns.fdb[0].mac in page
        if ns.neigh:
            assert f"neigh ({len(ns.neigh)})" in page
    assert ns._repr_html_() in page
