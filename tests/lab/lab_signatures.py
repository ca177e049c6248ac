"""Read scenario bundles with dpkt and check each scenario's signature.

Shared by the shipped-bundle tests (no root) and the root tests that record
fresh bundles. The decoding here is deliberately independent of vxlan_inspect.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dpkt

X1_MAC = "02:42:c0:a8:0a:64"
WRONG_MAC = "02:42:c0:a8:0a:99"


def mac(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


def ip4(raw: bytes) -> str:
    return ".".join(str(b) for b in raw)


@dataclass(frozen=True)
class Tunnelled:
    src: str
    dst: str
    dport: int
    vni: int
    inner: dpkt.ethernet.Ethernet


def frames(path: Path) -> list[tuple[int, bytes]]:
    """(linktype, frame) for every record of a pcap."""
    with path.open("rb") as fh:
        reader = dpkt.pcap.Reader(fh)
        linktype = reader.datalink()
        return [(linktype, bytes(buf)) for _, buf in reader]


def l3(linktype: int, frame: bytes) -> tuple[int, bytes, str | None]:
    """(ethertype, network-layer bytes, destination MAC or None) for EN10MB and SLL2 frames."""
    if linktype == 1:
        eth = dpkt.ethernet.Ethernet(frame)
        return eth.type, bytes(eth.data), mac(eth.dst)
    if linktype == 276:  # SLL2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8)
        (proto,) = struct.unpack_from("!H", frame, 0)
        return proto, frame[20:], None
    raise AssertionError(f"unexpected link type {linktype}")


class Bundle:
    """A recorded scenario bundle."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.doc: dict[str, Any] = json.loads((root / "scenario.json").read_text())

    def capture(self, cid: str) -> list[tuple[int, bytes]]:
        entry = next(c for c in self.doc["captures"] if c["id"] == cid)
        return frames(self.root / entry["file"])

    def vxlan(self, cid: str) -> list[Tunnelled]:
        out = []
        for linktype, frame in self.capture(cid):
            etype, data, _ = l3(linktype, frame)
            if etype != 0x0800:
                continue
            ip = dpkt.ip.IP(data)
            if ip.p != 17 or ip.offset & 0x1FFF:
                continue
            udp = ip.data
            payload = bytes(udp.data)
            if udp.dport not in (4789, 8472) or len(payload) < 8 or payload[0] & 0x08 == 0:
                continue
            vni = int.from_bytes(payload[4:7], "big")
            out.append(
                Tunnelled(ip4(ip.src), ip4(ip.dst), udp.dport, vni, dpkt.ethernet.Ethernet(payload[8:]))
            )
        return out

    def port_unreachables(self, cid: str) -> list[str]:
        """Sources of ICMP port-unreachable messages in a capture."""
        out = []
        for linktype, frame in self.capture(cid):
            etype, data, _ = l3(linktype, frame)
            if etype == 0x0800:
                ip = dpkt.ip.IP(data)
                if ip.p == 1 and ip.data.type == 3 and ip.data.code == 3:
                    out.append(ip4(ip.src))
        return out

    def arps(self, cid: str) -> list[tuple[int, str, str]]:
        """(op, target-or-sender IP, MAC) of ARP messages: requests give (1, tpa, ''), replies (2, spa, sha)."""
        out = []
        for linktype, frame in self.capture(cid):
            etype, data, _ = l3(linktype, frame)
            if etype == 0x0806:
                arp = dpkt.arp.ARP(data)
                out.append((1, ip4(arp.tpa), "") if arp.op == 1 else (2, ip4(arp.spa), mac(arp.sha)))
        return out

    def echo_requests(self, cid: str) -> list[tuple[int, str | None]]:
        """(IP total length, destination MAC) of ICMP echo requests in a capture."""
        out = []
        for linktype, frame in self.capture(cid):
            etype, data, dst_mac = l3(linktype, frame)
            if etype == 0x0800:
                ip = dpkt.ip.IP(data)
                if ip.p == 1 and ip.data.type == 8:
                    out.append((ip.len, dst_mac))
        return out

    def events(self, host: str) -> str:
        return (self.root / f"events/{host}.overlay.neigh-monitor.txt").read_text()

    def table(self, label: str, ns: str, kind: str) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads(
            (self.root / "snapshots" / label / f"{ns.replace('/', '.')}.{kind}.json").read_text() or "[]"
        )
        return data

    def vxlan0(self, label: str, host: str) -> dict[str, Any]:
        link = next(x for x in self.table(label, f"{host}/overlay", "link") if x["ifname"] == "vxlan0")
        info: dict[str, Any] = link["linkinfo"]["info_data"]
        return info

    def pings(self) -> list[dict[str, Any]]:
        return [t for t in self.doc["traffic"] if t["step"] == "ping"]

    def underlay_vxlan(self) -> list[Tunnelled]:
        return [t for c in self.doc["captures"] if c["id"].endswith(".underlay") for t in self.vxlan(c["id"])]


def _icmp_echo(t: Tunnelled, kind: int) -> bool:
    return t.inner.type == 0x0800 and t.inner.data.p == 1 and t.inner.data.data.type == kind


def check_signature(b: Bundle) -> None:
    """Assert the signature of ``b``'s scenario (AssertionError says what is missing)."""
    name = b.doc["scenario"]
    pings = b.pings()
    under = b.underlay_vxlan()
    if name in ("healthy-ping", "learning", "multicast", "p2p"):
        assert all(p["returncode"] == 0 for p in pings), pings
        d1 = b.vxlan("docker-1.underlay")
        req = [
            t
            for t in d1
            if _icmp_echo(t, 8)
            and (t.src, t.dst, t.dport, t.vni) == ("192.168.1.5", "192.168.1.4", 4789, 256)
        ]
        rep = [
            t
            for t in d1
            if _icmp_echo(t, 0)
            and (t.src, t.dst, t.dport, t.vni) == ("192.168.1.4", "192.168.1.5", 4789, 256)
        ]
        assert len(req) >= 3 and len(rep) >= 3, (len(req), len(rep))
        inner_arp = [t for t in under if t.inner.type == 0x0806]
        if name == "healthy-ping":
            assert not inner_arp, "docker mode: ARP must not cross the tunnel"
        if name == "learning":
            assert inner_arp, "flood-and-learn: the ARP request is replicated through the tunnel"
            assert any(e["mac"] == "00:00:00:00:00:00" for e in b.table("before", "docker-2/overlay", "fdb"))
        if name == "multicast":
            assert any(t.dst == "239.1.1.1" for t in under), "unknown traffic flooded to 239.1.1.1"
            assert b.vxlan0("before", "docker-2").get("group") == "239.1.1.1"
        if name == "p2p":
            assert b.vxlan0("before", "docker-2").get("remote") == "192.168.1.4"
    elif name == "arp-proxy":
        arps = b.arps("docker-2.overlay")
        assert (1, "192.168.10.100", "") in arps and (2, "192.168.10.100", X1_MAC) in arps, arps
        assert not [t for t in under if t.inner.type == 0x0806], "ARP crossed the tunnel"
        assert not [a for a in b.arps("docker-1.overlay") if a[1] == "192.168.10.100"]
    elif name == "x2-join":
        before = {n["dst"] for n in b.table("before", "docker-2/overlay", "neigh")}
        joined = b.table("joined", "docker-2/overlay", "neigh")
        fdb = b.table("joined", "docker-2/overlay", "fdb")
        assert "192.168.10.200" not in before
        assert any(
            n["dst"] == "192.168.10.200" and n["lladdr"] == "02:42:c0:a8:0a:c8" and "PERMANENT" in n["state"]
            for n in joined
        ), joined
        assert any(e["mac"] == "02:42:c0:a8:0a:c8" and e.get("dst") == "192.168.1.4" for e in fdb), fdb
        assert pings and pings[0]["returncode"] == 0
    elif name == "missing-fdb":
        assert not under, "no VXLAN packet may leave"
        assert f"miss dev vxlan0 lladdr {X1_MAC}" in b.events("docker-2")
        assert (2, "192.168.10.100", X1_MAC) in b.arps("docker-2.C-2")
        assert b.echo_requests("docker-2.C-2") and pings[0]["returncode"] != 0
    elif name == "missing-neigh":
        assert "miss 192.168.10.100 dev vxlan0" in b.events("docker-2")
        arps = b.arps("docker-2.C-2")
        assert (1, "192.168.10.100", "") in arps and not [
            a for a in arps if a[0] == 2 and a[1] == "192.168.10.100"
        ]
        assert not under and pings[0]["returncode"] != 0
    elif name == "wrong-vtep":
        d2 = b.vxlan("docker-2.underlay")
        assert d2 and all(t.dst == "192.168.1.7" for t in d2), [t.dst for t in d2]
        assert "192.168.1.7" in b.port_unreachables("docker-2.underlay")
        assert not [t for t in b.vxlan("docker-1.underlay") if t.dst == "192.168.1.4"]
    elif name == "wrong-vni":
        arrived = [t for t in b.vxlan("docker-1.underlay") if t.dst == "192.168.1.4" and _icmp_echo(t, 8)]
        assert arrived and all(t.vni == 256 for t in arrived)
        assert b.vxlan0("after", "docker-1")["id"] != 256
        assert not b.echo_requests("docker-1.X-1") and not b.echo_requests("docker-1.overlay")
        assert pings[0]["returncode"] != 0
    elif name == "wrong-port":
        assert [t for t in b.vxlan("docker-1.underlay") if t.dst == "192.168.1.4" and t.dport == 4789]
        assert "192.168.1.4" in b.port_unreachables("docker-1.underlay")
        assert b.vxlan0("after", "docker-1")["port"] == 8472
        assert not b.echo_requests("docker-1.X-1")
    elif name == "mtu":
        big = [r for r in b.echo_requests("docker-2.C-2") if r[0] == 1500]
        assert big, "1500-byte echo requests leave C-2"
        assert not [t for t in under if _icmp_echo(t, 8) and t.inner.data.len == 1500]
        assert [p["returncode"] for p in pings] == [0, 1], pings
    elif name == "proxy-off":
        arps = b.arps("docker-2.C-2")
        assert (1, "192.168.10.100", "") in arps and not [a for a in arps if a[0] == 2]
        assert "proxy" not in b.vxlan0("after", "docker-2") or not b.vxlan0("after", "docker-2")["proxy"]
        assert not under and pings[0]["returncode"] != 0
    elif name == "stale-neigh":
        assert (2, "192.168.10.100", WRONG_MAC) in b.arps("docker-2.C-2")
        assert [r for r in b.echo_requests("docker-2.C-2") if r[1] == WRONG_MAC]
        assert f"miss dev vxlan0 lladdr {WRONG_MAC}" in b.events("docker-2")
        assert not under and pings[0]["returncode"] != 0
    elif name == "reply-fdb":
        d1 = b.vxlan("docker-1.underlay")
        assert [t for t in d1 if _icmp_echo(t, 8) and (t.src, t.dst) == ("192.168.1.5", "192.168.1.4")]
        assert not [t for t in under if t.src == "192.168.1.4" and _icmp_echo(t, 0)], "no reply may be tunnelled"
        assert "miss dev vxlan0 lladdr 02:42:c0:a8:0a:02" in b.events("docker-1")
        assert pings[0]["returncode"] != 0
    else:
        raise AssertionError(f"no signature for scenario {name}")
