"""Bytes to typed layers, for the library, tables, filters and explanations.

``decode_packet`` walks the frame with ``struct.unpack_from`` on offsets (no
copies), one protocol at a time, from the link type inward; VXLAN on a
configured UDP port recurses into the inner Ethernet frame, up to a depth cap.
Truncation and impossible values become :class:`~vxlan_inspect.decode.layers.Issue`
records on the packet; decoding never raises for packet content.

The dispatch tables are built here from explicit configuration
(:class:`DecodeConfig`), never by import-time registration.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

from vxlan_inspect.decode.layers import (
    ARP,
    ICMP,
    TCP,
    UDP,
    VXLAN,
    Ethernet,
    ICMPv6,
    IPv4,
    IPv6,
    Issue,
    LinuxSLL,
    Null,
    Packet,
    Payload,
    Vlan,
)
from vxlan_inspect.decode.tunnels import NOT_VXLAN_PORTS

_ETH = struct.Struct("!6s6sH")
_IP4 = struct.Struct("!BBHHHBBH4s4s")
_IP6 = struct.Struct("!IHBB16s16s")
_UDP = struct.Struct("!HHHH")
_TCP = struct.Struct("!HHIIBBHHH")
_ARP = struct.Struct("!HHBBH")
_SLL = struct.Struct("!HHH8sH")
_SLL2 = struct.Struct("!HHIHBB8s")
_VLAN_TPIDS = frozenset({0x8100, 0x88A8, 0x9100, 0x9200})
_IP6_EXT = frozenset({0, 43, 44, 60})


@dataclass(frozen=True, slots=True)
class DecodeConfig:
    """What decoding needs to know beyond the bytes: VXLAN ports and the depth cap."""

    vxlan_ports: frozenset[int] = frozenset({4789, 8472})
    max_depth: int = 8


DEFAULT_CONFIG = DecodeConfig()


def _mac(b: bytes) -> str:
    return b.hex(":")


def _ip4(b: bytes) -> str:
    return "%d.%d.%d.%d" % (b[0], b[1], b[2], b[3])


def _ip6(b: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6, b)


class _Walker:
    """Decoding state for one packet: the buffer, its captured end, layers and issues."""

    __slots__ = ("buf", "cfg", "depth", "end", "issues", "layers")

    def __init__(self, buf: bytes, cfg: DecodeConfig) -> None:
        self.buf = buf
        self.end = len(buf)
        self.cfg = cfg
        self.layers: list[object] = []
        self.issues: list[Issue] = []
        self.depth = 0

    def trunc(self, layer: str, off: int, need: int) -> None:
        got = max(0, self.end - off)
        self.issues.append(Issue(layer, "truncated", off, f"{layer} header needs {need} bytes at offset {off}, "
                                                            f"got {got}"))

    def invalid(self, layer: str, off: int, message: str) -> None:
        self.issues.append(Issue(layer, "invalid", off, message))

    def payload(self, off: int, end: int, proto: str = "") -> None:
        if end > off:
            self.layers.append(Payload(off, end - off, proto))

    # -- link layers ----------------------------------------------------------
    def ether(self, off: int) -> None:
        buf = self.buf
        if off + 14 > self.end:
            self.trunc("ether", off, 14)
            return
        dst, src, etype = _ETH.unpack_from(buf, off)
        self.layers.append(Ethernet(off, 14, _mac(dst), _mac(src), etype))
        self.ethertype(etype, off + 14)

    def ethertype(self, etype: int, off: int) -> None:
        buf = self.buf
        while etype in _VLAN_TPIDS:
            if off + 4 > self.end:
                self.trunc("vlan", off, 4)
                return
            tci, inner = struct.unpack_from("!HH", buf, off)
            self.layers.append(Vlan(off, 4, etype, tci >> 13, (tci >> 12) & 1, tci & 0xFFF, inner))
            etype = inner
            off += 4
        if etype == 0x0800:
            self.ipv4(off)
        elif etype == 0x86DD:
            self.ipv6(off)
        elif etype == 0x0806 or etype == 0x8035:
            self.arp(off)
        elif etype <= 1500:
            self.payload(off, self.end, "802.2")  # 802.3: a length, then LLC (render/tcpdump/llc.py prints it)
        else:
            self.payload(off, self.end, "ethertype 0x%04x" % etype)

    def sll(self, off: int, version: int) -> None:
        buf = self.buf
        if version == 1:
            if off + 16 > self.end:
                self.trunc("sll", off, 16)
                return
            pkttype, hatype, halen, addr, proto = _SLL.unpack_from(buf, off)
            self.layers.append(LinuxSLL(off, 16, 1, pkttype, hatype, _mac(addr[: min(halen, 8)]), proto))
            nxt = off + 16
        else:
            if off + 20 > self.end:
                self.trunc("sll2", off, 20)
                return
            proto, _res, ifindex, hatype, pkttype, halen, addr = _SLL2.unpack_from(buf, off)
            self.layers.append(LinuxSLL(off, 20, 2, pkttype, hatype, _mac(addr[: min(halen, 8)]), proto, ifindex))
            nxt = off + 20
        if proto <= 1500:
            self.payload(nxt, self.end, "802.2")
        else:
            self.ethertype(proto, nxt)

    def null(self, off: int) -> None:
        if off + 4 > self.end:
            self.trunc("null", off, 4)
            return
        family = int.from_bytes(self.buf[off : off + 4], "little")
        if family & 0xFFFF0000:
            family = int.from_bytes(self.buf[off : off + 4], "big")
        self.layers.append(Null(off, 4, family))
        if family == 2:
            self.ipv4(off + 4)
        elif family in (24, 28, 30):
            self.ipv6(off + 4)
        else:
            self.payload(off + 4, self.end, "af %u" % family)

    def raw(self, off: int) -> None:
        if off >= self.end:
            self.trunc("ip", off, 1)
            return
        version = self.buf[off] >> 4
        if version == 4:
            self.ipv4(off)
        elif version == 6:
            self.ipv6(off)
        else:
            self.invalid("ip", off, f"unknown IP version {version}")

    # -- network layers -------------------------------------------------------
    def ipv4(self, off: int) -> None:
        buf = self.buf
        if off + 20 > self.end:
            self.trunc("ip", off, 20)
            return
        vhl, tos, total, ident, frag, ttl, proto, csum, src, dst = _IP4.unpack_from(buf, off)
        ihl = (vhl & 0x0F) * 4
        if vhl >> 4 != 4:
            self.invalid("ip", off, f"IP version {vhl >> 4} in an IPv4 header")
            return
        if ihl < 20:
            self.invalid("ip", off, f"header length {ihl} < 20")
            return
        if off + ihl > self.end:
            self.trunc("ip", off, ihl)
            return
        options = buf[off + 20 : off + ihl] if ihl > 20 else b""
        layer = IPv4(off, ihl, ihl, tos, total, ident, bool(frag & 0x4000), bool(frag & 0x2000),
                     (frag & 0x1FFF) * 8, ttl, proto, csum, _ip4(src), _ip4(dst), options)
        self.layers.append(layer)
        end = off + total
        if total == 0:
            end = self.end  # TSO / BIG TCP: length unknown, take what was captured
        elif total < ihl:
            self.invalid("ip", off, f"total length {total} < header length {ihl}")
            return
        elif end < self.end:
            self.end = end  # drop Ethernet padding
        if layer.frag_offset:
            self.payload(off + ihl, self.end, "fragment")
            return
        self.transport(proto, off + ihl, min(end, self.end) if total else self.end, end - off - ihl)

    def ipv6(self, off: int) -> None:
        buf = self.buf
        if off + 40 > self.end:
            self.trunc("ip6", off, 40)
            return
        vcf, plen, nh, hlim, src, dst = _IP6.unpack_from(buf, off)
        if vcf >> 28 != 6:
            self.invalid("ip6", off, f"IP version {vcf >> 28} in an IPv6 header")
            return
        layer = IPv6(off, 40, (vcf >> 20) & 0xFF, vcf & 0xFFFFF, plen, nh, hlim, _ip6(src), _ip6(dst))
        self.layers.append(layer)
        end = off + 40 + plen if plen else self.end
        if end < self.end:
            self.end = end
        p = off + 40
        ext: list[int] = []
        while nh in _IP6_EXT:
            if p + 8 > self.end:
                self.trunc("ip6", p, 8)
                return
            ext.append(nh)
            if nh == 44:
                layer.fragment = True
                frag_off = struct.unpack_from("!H", buf, p + 2)[0] & 0xFFF8
                nh = buf[p]
                p += 8
                if frag_off:
                    layer.ext = tuple(ext)
                    layer.proto = nh
                    self.payload(p, self.end, "fragment")
                    return
                continue
            hlen = (buf[p + 1] + 1) * 8
            nh = buf[p]
            p += hlen
        layer.ext = tuple(ext)
        layer.proto = nh
        layer.length = p - off
        self.transport(nh, p, self.end, end - p)

    def arp(self, off: int) -> None:
        buf = self.buf
        if off + 8 > self.end:
            self.trunc("arp", off, 8)
            return
        hrd, pro, hln, pln, op = _ARP.unpack_from(buf, off)
        total = 8 + 2 * (hln + pln)
        if off + total > self.end:
            self.trunc("arp", off, total)
            return
        p = off + 8
        sha = buf[p : p + hln]
        spa = buf[p + hln : p + hln + pln]
        tha = buf[p + hln + pln : p + 2 * hln + pln]
        tpa = buf[p + 2 * hln + pln : p + 2 * hln + 2 * pln]

        def paddr(b: bytes) -> str:
            return _ip4(b) if pln == 4 else b.hex(":")

        self.layers.append(ARP(off, total, hrd, pro, hln, pln, op, sha.hex(":"), paddr(spa), tha.hex(":"),
                               paddr(tpa)))

    # -- transport ------------------------------------------------------------
    def transport(self, proto: int, off: int, end: int, length: int) -> None:
        if proto == 17:
            self.udp(off, length)
        elif proto == 6:
            self.tcp(off, length)
        elif proto == 1:
            self.icmp(off, length)
        elif proto == 58:
            self.icmp6(off, length)
        elif proto == 4:
            self.ipv4(off)
        elif proto == 41:
            self.ipv6(off)
        else:
            self.payload(off, end, "ip-proto-%u" % proto)

    def udp(self, off: int, length: int) -> None:
        if off + 8 > self.end:
            self.trunc("udp", off, 8)
            return
        sport, dport, ulen, csum = _UDP.unpack_from(self.buf, off)
        self.layers.append(UDP(off, 8, sport, dport, ulen, csum))
        if ulen < 8:
            self.invalid("udp", off, f"UDP length {ulen} < 8")
            return
        if ulen > length:
            self.invalid("udp", off, f"UDP length {ulen} > IP payload {length}")
        ports = self.cfg.vxlan_ports
        body = min(ulen, length) - 8
        if (sport in ports and sport not in NOT_VXLAN_PORTS) or (dport in ports and dport not in NOT_VXLAN_PORTS):
            self.vxlan(off + 8, body, dport if dport in ports and dport not in NOT_VXLAN_PORTS else sport)
        else:
            self.payload(off + 8, min(self.end, off + 8 + body), "udp")

    def vxlan(self, off: int, length: int, port: int) -> None:
        if length < 8:
            self.invalid("vxlan", off, f"VXLAN payload of {length} bytes is shorter than its 8-byte header")
            return
        if off + 8 > self.end:
            self.trunc("vxlan", off, 8)
            return
        word0, word1 = struct.unpack_from("!II", self.buf, off)
        flags = word0 >> 24
        self.depth += 1
        layer = VXLAN(off, 8, flags, bool(flags & 0x08), word1 >> 8, bool(flags & 0x80),
                      bool((word0 >> 16) & 0x40), bool((word0 >> 16) & 0x08), word0 & 0xFFFF, port, self.depth)
        self.layers.append(layer)
        if not layer.i_flag:
            self.invalid("vxlan", off, "I flag not set: the VNI is not valid")
        if self.depth > self.cfg.max_depth:
            self.issues.append(Issue("vxlan", "depth", off, f"decapsulation stopped after depth {self.cfg.max_depth}"))
            self.payload(off + 8, self.end, "vxlan")
            return
        saved = self.end
        self.end = min(self.end, off + length)
        self.ether(off + 8)
        self.end = saved

    def tcp(self, off: int, length: int) -> None:
        if off + 20 > self.end:
            self.trunc("tcp", off, 20)
            return
        sport, dport, seq, ack, doff, flags, win, csum, urg = _TCP.unpack_from(self.buf, off)
        hlen = (doff >> 4) * 4
        opts = self.buf[off + 20 : off + hlen] if hlen > 20 else b""
        self.layers.append(TCP(off, hlen, sport, dport, seq, ack, hlen, flags, win, csum, urg, opts,
                               max(0, length - hlen)))
        if hlen < 20:
            self.invalid("tcp", off, f"data offset {hlen} < 20")
            return
        if off + hlen > self.end:
            self.trunc("tcp", off, hlen)
            return
        self.payload(off + hlen, min(self.end, off + length), "tcp")

    def icmp(self, off: int, length: int) -> None:
        buf = self.buf
        if off + 8 > self.end:
            self.trunc("icmp", off, 8)
            return
        itype, code, csum, w1, w2 = struct.unpack_from("!BBHHH", buf, off)
        layer = ICMP(off, 8, itype, code, csum, payload_length=max(0, length - 8))
        if itype in (0, 8, 13, 14, 15, 16, 17, 18):
            layer.id, layer.seq = w1, w2
        elif itype == 3 and code == 4:
            layer.mtu = w2
        elif itype == 5:
            layer.gateway = _ip4(buf[off + 4 : off + 8])
        self.layers.append(layer)
        if itype in (3, 4, 5, 11, 12) and off + 8 < self.end:
            # The quoted original datagram: decoded, so explanations can match it.
            saved_end = self.end
            self.ipv4(off + 8)
            self.end = saved_end
        else:
            self.payload(off + 8, min(self.end, off + length), "icmp")

    def icmp6(self, off: int, length: int) -> None:
        buf = self.buf
        if off + 8 > self.end:
            self.trunc("icmp6", off, 8)
            return
        itype, code, csum, w1, w2 = struct.unpack_from("!BBHHH", buf, off)
        layer = ICMPv6(off, 8, itype, code, csum, payload_length=max(0, length - 8))
        if itype in (128, 129):
            layer.id, layer.seq = w1, w2
        elif itype == 2:
            layer.mtu = (w1 << 16) | w2
        elif itype in (135, 136, 137) and off + 24 <= self.end:
            layer.target = _ip6(buf[off + 8 : off + 24])
        self.layers.append(layer)


def decode_packet(
    data: bytes,
    linktype: int = 1,
    *,
    index: int = 0,
    ts_ns: int = 0,
    wirelen: int | None = None,
    config: DecodeConfig = DEFAULT_CONFIG,
) -> Packet:
    """Decode one frame of ``linktype`` into a :class:`Packet` (never raises for bad bytes)."""
    walker = _Walker(data, config)
    if linktype == 1:
        walker.ether(0)
    elif linktype == 113:
        walker.sll(0, 1)
    elif linktype == 276:
        walker.sll(0, 2)
    elif linktype == 0:
        walker.null(0)
    elif linktype in (101, 228, 229):
        walker.raw(0)
    else:
        walker.payload(0, len(data), f"linktype {linktype}")
    caplen = len(data)
    return Packet(index, ts_ns, linktype, caplen, caplen if wirelen is None else wirelen,
                  walker.layers, walker.issues, data)  # type: ignore[arg-type]
