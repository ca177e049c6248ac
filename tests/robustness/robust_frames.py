"""Hypothesis strategies that build VXLAN frames and say where every header is.

A generated :class:`Built` frame is Ethernet [802.1Q/802.1ad tags] / IPv4 or
IPv6 / UDP (a VXLAN port) / VXLAN / inner Ethernet / (ARP or IPv4 ICMP echo),
or, without VXLAN, Ethernet / IPv4 / ICMP echo. ``headers`` lists what the
decoder must find, in order: ``(layer name, offset, header length, fields)``.
The bytes are built with ``struct`` (checksums included) so a test can cut
them anywhere; ``test_robust_properties`` cross-checks them against scapy.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


@dataclass
class Built:
    """A frame and the headers the decoder walks in it."""

    data: bytes = b""
    headers: list[tuple[str, int, int, dict[str, Any]]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def header_end(self) -> int:
        """Where the last walked header ends: a prefix shorter than this cuts a header."""
        return max(off + length for _, off, length, _ in self.headers)

    def add(self, name: str, raw: bytes, **fields: Any) -> None:
        self.headers.append((name, len(self.data), len(raw), fields))
        self.data += raw


macs = st.binary(min_size=6, max_size=6)
ip4s = st.binary(min_size=4, max_size=4).filter(lambda b: b[0] not in (0, 127) and b[0] < 224)
ip6s = st.binary(min_size=16, max_size=16).filter(lambda b: b[0] != 0xFF)


def _mac(b: bytes) -> str:
    return b.hex(":")


def _icmp_echo(itype: int, ident: int, seq: int, payload: bytes) -> bytes:
    head = struct.pack("!BBHHH", itype, 0, 0, ident, seq)
    csum = checksum(head + payload)
    return struct.pack("!BBHHH", itype, 0, csum, ident, seq)


def _ip4_header(src: bytes, dst: bytes, proto: int, payload_len: int, ttl: int, ident: int) -> bytes:
    head = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, ident, 0x4000, ttl, proto, 0, src, dst)
    return head[:10] + struct.pack("!H", checksum(head)) + head[12:]


@st.composite
def inner_frames(draw: st.DrawFn) -> tuple[list[tuple[str, bytes, dict[str, Any]]], bytes, dict[str, Any]]:
    """(headers as (name, raw, fields), trailing payload, params) of an inner Ethernet frame."""
    dst, src = draw(macs), draw(macs)
    kind = draw(st.sampled_from(["arp", "icmp"]))
    p: dict[str, Any] = {"inner_dst": dst, "inner_src": src, "inner": kind}
    if kind == "arp":
        op = draw(st.sampled_from([1, 2]))
        sha, tha, spa, tpa = draw(macs), draw(macs), draw(ip4s), draw(ip4s)
        p.update(op=op, sha=sha, tha=tha, spa=spa, tpa=tpa)
        eth = struct.pack("!6s6sH", dst, src, 0x0806)
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, spa, tha, tpa)
        heads = [("ether", eth, {"dst": _mac(dst), "src": _mac(src), "type": 0x0806}),
                 ("arp", arp, {"op": op, "sha": _mac(sha), "spa": str(ipaddress.IPv4Address(spa)),
                               "tha": _mac(tha), "tpa": str(ipaddress.IPv4Address(tpa))})]
        return heads, b"", p
    isrc, idst = draw(ip4s), draw(ip4s)
    itype = draw(st.sampled_from([0, 8]))
    ident, seq = draw(st.integers(0, 0xFFFF)), draw(st.integers(0, 0xFFFF))
    payload = draw(st.binary(max_size=48))
    ttl = draw(st.integers(1, 255))
    p.update(isrc=isrc, idst=idst, itype=itype, iident=ident, seq=seq, payload=payload, ittl=ttl)
    eth = struct.pack("!6s6sH", dst, src, 0x0800)
    icmp = _icmp_echo(itype, ident, seq, payload)
    ip = _ip4_header(isrc, idst, 1, len(icmp) + len(payload), ttl, ident)
    heads = [("ether", eth, {"dst": _mac(dst), "src": _mac(src), "type": 0x0800}),
             ("ip", ip, {"src": str(ipaddress.IPv4Address(isrc)), "dst": str(ipaddress.IPv4Address(idst)),
                         "proto": 1, "ttl": ttl, "total_length": 28 + len(payload)}),
             ("icmp", icmp, {"type": itype, "id": ident, "seq": seq})]
    return heads, payload, p


@st.composite
def vxlan_frames(draw: st.DrawFn) -> Built:
    """A whole outer frame carrying VXLAN (or, sometimes, a plain Ethernet/IPv4/ICMP frame)."""
    inner_heads, inner_payload, p = draw(inner_frames())
    b = Built(params=p)
    if draw(st.integers(0, 7)) == 0 and p["inner"] == "icmp":  # no overlay at all
        for name, raw, fields in inner_heads:
            b.add(name, raw, **fields)
        b.data += inner_payload
        return b
    inner = b"".join(raw for _, raw, _ in inner_heads) + inner_payload
    dst, src = draw(macs), draw(macs)
    tags = draw(st.lists(st.tuples(st.sampled_from([0x8100, 0x88A8]), st.integers(0, 7), st.integers(0, 4095)),
                         max_size=2))
    v6 = draw(st.booleans())
    dport = draw(st.sampled_from([4789, 8472]))
    sport = draw(st.integers(1024, 65535))
    vni = draw(st.integers(0, (1 << 24) - 1))
    ttl = draw(st.integers(1, 255))
    p.update(dst=dst, src=src, tags=tags, v6=v6, sport=sport, dport=dport, vni=vni, ttl=ttl)
    types = [t for t, _, _ in tags] + [0x86DD if v6 else 0x0800]
    b.add("ether", struct.pack("!6s6sH", dst, src, types[0]), dst=_mac(dst), src=_mac(src), type=types[0])
    for (tpid, pcp, vid), nxt in zip(tags, types[1:], strict=True):
        b.add("vlan", struct.pack("!HH", (pcp << 13) | vid, nxt), tpid=tpid, pcp=pcp, vid=vid, type=nxt)
    udp_len = 8 + 8 + len(inner)
    if v6:
        s6, d6 = draw(ip6s), draw(ip6s)
        p.update(src6=s6, dst6=d6)
        b.add("ip6", struct.pack("!IHBB16s16s", 6 << 28, udp_len, 17, ttl, s6, d6),
              src=str(ipaddress.IPv6Address(s6)), dst=str(ipaddress.IPv6Address(d6)), payload_length=udp_len,
              next_header=17, hop_limit=ttl)
    else:
        s4, d4 = draw(ip4s), draw(ip4s)
        ident = draw(st.integers(0, 0xFFFF))
        p.update(src4=s4, dst4=d4, ident=ident)
        b.add("ip", _ip4_header(s4, d4, 17, udp_len, ttl, ident), src=str(ipaddress.IPv4Address(s4)),
              dst=str(ipaddress.IPv4Address(d4)), proto=17, ttl=ttl, total_length=20 + udp_len)
    b.add("udp", struct.pack("!HHHH", sport, dport, udp_len, 0), sport=sport, dport=dport, ulen=udp_len)
    b.add("vxlan", struct.pack("!II", 0x08000000, vni << 8), vni=vni, i_flag=True, flags=0x08)
    for name, raw, fields in inner_heads:
        b.add(name, raw, **fields)
    b.data += inner_payload
    return b
