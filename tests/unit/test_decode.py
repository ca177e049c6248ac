"""The decoder against two independent oracles: dpkt on real captures, scapy-built frames."""

from __future__ import annotations

import socket
from pathlib import Path

import dpkt
import pytest
from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
from scapy.layers.l2 import ARP, Dot1Q, Ether
from scapy.layers.vxlan import VXLAN

from vxlan_inspect.capture import open_capture
from vxlan_inspect.decode import DecodeConfig, decode_packet, decode_record

ROOT = Path(__file__).resolve().parents[2]
CAPTURES = sorted((ROOT / "captures" / "basic").glob("*.pcap")) + sorted(
    (ROOT / "captures" / "bundles").glob("*/captures/*.underlay.pcap")
)


def _ip(b: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6 if len(b) == 16 else socket.AF_INET, b)


def _dpkt_fields(buf: bytes, ports: set[int]) -> list[tuple[str, object]]:
    """Fields an independent decoder (dpkt) finds, outermost first, inner frames after VXLAN."""
    out: list[tuple[str, object]] = []
    eth = _dpkt_ether(buf, out)
    while eth is not None:
        out.append(("ether", (eth.src.hex(":"), eth.dst.hex(":"))))
        for tag in getattr(eth, "vlan_tags", []) or []:
            out.append(("vlan", tag.id))
        if getattr(eth, "mpls_labels", None):
            # dpkt looks through an MPLS label stack; our decoder stops at it (only the tcpdump
            # printer decodes MPLS, render/tcpdump/mpls.py), so nothing after it is compared.
            return out
        net = eth.data
        if isinstance(net, dpkt.arp.ARP):
            # dpkt's ARP has fixed 6- and 4-byte address fields whatever ar_hln and ar_pln
            # say: for other lengths (crafted in icmp-edges.pcap) its addresses are wrong bytes.
            if net.hln == 6 and net.pln == 4:
                out.append(("arp", (net.op, _ip(net.spa), _ip(net.tpa))))
            return out
        if not isinstance(net, (dpkt.ip.IP, dpkt.ip6.IP6)):
            return out
        out.append(("ip", (_ip(net.src), _ip(net.dst))))
        tr = net.data
        if isinstance(tr, dpkt.icmp.ICMP):
            out.append(("icmp", (tr.type, tr.code)))
            return out
        if isinstance(tr, dpkt.tcp.TCP):
            out.append(("tcp", (tr.sport, tr.dport, tr.seq, tr.flags)))
            return out
        if not isinstance(tr, dpkt.udp.UDP):
            return out
        out.append(("udp", (tr.sport, tr.dport)))
        if tr.sport not in ports and tr.dport not in ports:
            return out
        body = bytes(tr.data)
        out.append(("vxlan", int.from_bytes(body[4:7], "big")))
        eth = _dpkt_ether(body[8:], out)
    return out


def _dpkt_ether(buf: bytes, out: list[tuple[str, object]]) -> dpkt.ethernet.Ethernet | None:
    """dpkt's Ethernet frame, or None (after noting its addresses) when dpkt cannot parse its payload.

    dpkt decodes an 802.3 frame's LLC payload too, and its STP class needs a full 35-byte
    BPDU: a 4-byte TCN BPDU (tcpdump's ``STP 802.1d, Topology Change``) makes it raise.
    """
    try:
        return dpkt.ethernet.Ethernet(buf)
    except (dpkt.UnpackError, IndexError):  # IndexError: dpkt's MPLS guess on an empty payload
        out.append(("ether", (buf[6:12].hex(":"), buf[0:6].hex(":"))))
        return None


def _our_fields(packet) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    out: list[tuple[str, object]] = []
    for layer in packet.layers:
        n = layer.name
        if n == "ether":
            out.append(("ether", (layer.src, layer.dst)))
        elif n == "vlan":
            out.append(("vlan", layer.vid))
        elif n == "arp":
            out.append(("arp", (layer.op, layer.spa, layer.tpa)))
        elif n in ("ip", "ip6"):
            out.append(("ip", (layer.src, layer.dst)))
        elif n == "icmp":
            out.append(("icmp", (layer.type, layer.code)))
        elif n == "tcp":
            out.append(("tcp", (layer.sport, layer.dport, layer.seq, layer.flags)))
        elif n == "udp":
            out.append(("udp", (layer.sport, layer.dport)))
        elif n == "vxlan":
            out.append(("vxlan", layer.vni))
    return out


def _case_id(p: Path) -> str:
    return p.parent.parent.name + "/" + p.name if "bundles" in str(p) else p.name


@pytest.mark.parametrize("path", CAPTURES, ids=_case_id)
def test_decoder_agrees_with_dpkt(path: Path) -> None:
    ports = {4789, 8472}
    compared = 0
    ethernet_records = 0
    with open_capture(path) as cap:
        for rec in cap:
            if rec.linktype != 1:
                continue
            ethernet_records += 1
            ours = decode_record(rec)
            if ours.issues:
                continue
            theirs = _dpkt_fields(rec.data, ports)
            mine = _our_fields(ours)
            # dpkt stops at ICMP errors; we go on into the quoted datagram.
            assert mine[: len(theirs)] == theirs, f"record {rec.index}"
            compared += 1
    # Every clean Ethernet record was compared; a capture may legitimately be empty (a fault).
    assert ethernet_records == 0 or compared > 0


def test_scapy_built_vxlan_stack_round_trips() -> None:
    inner = Ether(src="02:42:c0:a8:0a:02", dst="02:42:c0:a8:0a:64") / IP(src="192.168.10.2", dst="192.168.10.100",
                                                                             id=77, ttl=63) / ICMP(id=256, seq=3)
    frame = bytes(
        Ether(src="02:00:c0:a8:01:05", dst="02:00:c0:a8:01:04")
        / Dot1Q(vlan=100, prio=5)
        / IP(src="192.168.1.5", dst="192.168.1.4", flags="DF")
        / UDP(sport=45031, dport=4789)
        / VXLAN(vni=256, flags=0x88, gpid=42)
        / inner
    )
    p = decode_packet(frame)
    assert [layer.name for layer in p.layers] == ["ether", "vlan", "ip", "udp", "vxlan", "ether", "ip", "icmp"]
    vlan = p.layers[1]
    assert (vlan.vid, vlan.pcp, vlan.type) == (100, 5, 0x0800)
    outer_ip = p.first("ip")
    assert (outer_ip.src, outer_ip.dst, outer_ip.df, outer_ip.proto) == ("192.168.1.5", "192.168.1.4", True, 17)
    vx = p.vxlan
    assert vx is not None and (vx.vni, vx.i_flag, vx.gbp, vx.policy_id, vx.udp_port) == (256, True, True, 42, 4789)
    icmp = p.last("icmp")
    assert (icmp.type, icmp.id, icmp.seq) == (8, 256, 3)
    assert [layer.name for layer in p.inner()] == ["ether", "ip", "icmp"]
    assert p.inner()[1].id == 77 and p.inner()[1].ttl == 63
    assert not p.issues


def test_scapy_built_ipv6_and_arp() -> None:
    p6 = decode_packet(bytes(Ether() / IPv6(src="fd00::5", dst="fd00::4") / UDP(sport=1, dport=8472)
                             / VXLAN(vni=7) / Ether() / IPv6(src="fd00:10::2", dst="fd00:10::100")
                             / ICMPv6EchoRequest(id=9, seq=1)))
    assert p6.vxlan is not None and p6.vxlan.vni == 7 and p6.vxlan.udp_port == 8472
    echo = p6.last("icmp6")
    assert (echo.type, echo.id, echo.seq) == (128, 9, 1)
    pa = decode_packet(bytes(Ether() / ARP(op=2, psrc="192.168.10.100", hwsrc="02:42:c0:a8:0a:64",
                                            pdst="192.168.10.2")))
    arp = pa.last("arp")
    assert (arp.op, arp.spa, arp.sha, arp.tpa) == (2, "192.168.10.100", "02:42:c0:a8:0a:64", "192.168.10.2")


def test_truncation_is_recorded_not_raised() -> None:
    frame = bytes(Ether() / IP() / UDP(sport=1, dport=4789) / VXLAN(vni=1) / Ether() / IP() / ICMP())
    headers = [(0, 14, "ether"), (14, 20, "ip"), (34, 8, "udp"), (42, 8, "vxlan"), (50, 14, "ether"),
               (64, 20, "ip"), (84, 8, "icmp")]
    assert headers[-1][0] + headers[-1][1] == len(frame)
    for cut in range(len(frame)):
        p = decode_packet(frame[:cut])
        cut_in = next(name for start, size, name in headers if start <= cut < start + size)
        assert [(i.layer, i.kind) for i in p.issues] == [(cut_in, "truncated")], cut
    assert decode_packet(frame).issues == []


def test_unknown_vxlan_port_and_depth_cap() -> None:
    frame = bytes(Ether() / IP() / UDP(sport=1234, dport=9999) / VXLAN(vni=5) / Ether() / IP() / ICMP())
    assert decode_packet(frame).vxlan is None
    assert decode_packet(frame, config=DecodeConfig(vxlan_ports=frozenset({9999}))).vxlan.vni == 5
    nested = Ether() / IP() / ICMP()
    for level in range(10):
        nested = Ether() / IP() / UDP(dport=4789) / VXLAN(vni=level) / nested
    p = decode_packet(bytes(nested))
    assert sum(1 for layer in p.layers if layer.name == "vxlan") == 9
    assert [i.kind for i in p.issues] == ["depth"]
