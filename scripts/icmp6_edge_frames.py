"""Crafted ICMPv6 frames for captures/basic/icmp-edges.pcap (see scripts/icmp_edge_frames.py).

Echo, every error with its codes (port unreachable quoting UDP or TCP behind extension
headers), MLDv1 and MLDv2 queries and reports, neighbour discovery (RS, RA, NS, NA,
redirect) with every option tcpdump decodes, unknown and malformed options, router
renumbering, node information queries and replies, inverse ND, home-agent discovery,
mobile prefix messages, RPL (DIS, DIO, DAO, DAO-ACK, secured), unknown types, checksums,
cuts by the snapshot length, and ICMPv6 inside VXLAN.
"""

from __future__ import annotations

import socket
import struct

from edge_pcap import cksum
from ip_edge_frames import vxlan
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether
from scapy.packet import Raw

SRC6, DST6 = "fe80::1", "fd00:20::2"
MAC_A, MAC_B = "02:00:5e:20:00:01", "02:00:5e:20:00:02"


def a6(text: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6, text)


def icmp6(itype: int, code: int, rest: bytes = bytes(4), data: bytes = b"", csum: int | None = None,
          src: str = SRC6, dst: str = DST6) -> bytes:
    """An ICMPv6 message with its checksum over the IPv6 pseudo-header (unless ``csum``)."""
    body = bytes([itype, code]) + b"\0\0" + rest + data
    pseudo = a6(src) + a6(dst) + struct.pack("!I", len(body)) + b"\0\0\0\x3a"
    value = cksum(pseudo + body) if csum is None else csum
    return body[:2] + struct.pack("!H", value) + body[4:]


def v6(msg: bytes, src: str = SRC6, dst: str = DST6, hbh: bool = False, **fields: object) -> bytes:
    """``msg`` in IPv6 (a hop-by-hop router alert first when ``hbh``) in Ethernet."""
    if hbh:
        ext = bytes([58, 0, 5, 2, 0, 0, 1, 0])
        pkt = IPv6(src=src, dst=dst, nh=0, hlim=1, **fields) / Raw(ext + msg)  # type: ignore[arg-type]
    else:
        pkt = IPv6(src=src, dst=dst, nh=58, hlim=255, **fields) / Raw(msg)  # type: ignore[arg-type]
    return bytes(Ether(src=MAC_A, dst=MAC_B) / pkt)


def m(itype: int, code: int = 0, rest: bytes = bytes(4), data: bytes = b"", **kw: object) -> bytes:
    """A whole frame: ICMPv6 type/code/rest/data from SRC6 to DST6 (or ``src``/``dst`` in ``kw``)."""
    src = str(kw.pop("src", SRC6))
    dst = str(kw.pop("dst", DST6))
    csum = kw.pop("csum", None)
    return v6(icmp6(itype, code, rest, data, csum, src, dst), src, dst, **kw)  # type: ignore[arg-type]


def q6(nh: int, upper: bytes, ext: bytes = b"") -> bytes:
    """A quoted IPv6 packet from fd00:20::2 to fd00:40::9 whose first header after IPv6 is ``nh``."""
    body = ext + upper
    return (struct.pack("!IHBB", 0x60000000, len(body), nh, 64) + a6("fd00:20::2") + a6("fd00:40::9") + body)


UDP_HDR = struct.pack("!HHHH", 40000, 33434, 16, 0) + b"probe..."
TCP_HDR = struct.pack("!HHII", 40001, 443, 7, 0) + b"\x50\x02\xff\xff\0\0\0\0"


def lladdr(t: int, mac: bytes = bytes.fromhex("02005e200001")) -> bytes:
    return bytes([t, 1]) + mac


def error_frames() -> list[tuple[bytes, int]]:
    out = [m(128, 0, struct.pack("!HH", 0x99, 1), b"ping6 data"), m(129, 0, struct.pack("!HH", 0x99, 1), b"pong"),
           m(128, 3, struct.pack("!HH", 1, 2), b"bad sum", csum=0x1234), m(129, 0, struct.pack("!HH", 1, 2), csum=0)]
    for code in range(8):
        out.append(m(1, code, bytes(4), q6(17, UDP_HDR)))
    frag0 = bytes([17, 0]) + struct.pack("!H", 0) + bytes(4)
    frag9 = bytes([17, 0]) + struct.pack("!H", 9 << 3) + bytes(4)
    for nh, upper, ext in ((6, TCP_HDR, b""), (0, UDP_HDR, bytes([17, 0, 1, 4, 0, 0, 0, 0])),
                           (60, TCP_HDR, bytes([6, 1]) + bytes(14)), (44, UDP_HDR, frag0), (44, UDP_HDR, frag9),
                           (51, UDP_HDR, bytes([17, 1, 0, 0]) + bytes(8)),
                           (43, UDP_HDR, bytes([17, 0, 0, 0]) + bytes(4)),
                           (47, UDP_HDR, b""), (59, b"", b""), (50, UDP_HDR, b"")):
        out.append(m(1, 4, bytes(4), q6(nh, upper, ext)))
    out += [m(2, 0, struct.pack("!I", 1280), q6(17, UDP_HDR)), m(2, 1, struct.pack("!I", 0), q6(17, UDP_HDR))]
    for code in (0, 1, 2):
        out.append(m(3, code, bytes(4), q6(17, UDP_HDR)))
    for code in (0, 1, 2, 3, 4):
        out.append(m(4, code, struct.pack("!I", 40 + code), q6(17, UDP_HDR)))
    result = [(f, 0) for f in out]
    # Cuts: in the quoted header, before the port (TTEST fails: "goto trunc"), in echo and errors.
    port = m(1, 4, bytes(4), q6(17, UDP_HDR))
    result += [(port, 54 + n) for n in (8, 14, 20, 47, 50, 51, 52)]
    result += [(m(1, 0, bytes(4), q6(17, UDP_HDR)), 54 + 40), (m(1, 2, bytes(4), q6(17, UDP_HDR)), 54 + 30)]
    result += [(m(4, 0, bytes(4), q6(17, UDP_HDR)), 54 + 47), (m(4, 0, bytes(4), q6(17, UDP_HDR)), 54 + 7)]
    result += [(m(2, 0, struct.pack("!I", 1500), q6(17, UDP_HDR)), 54 + 6),
               (m(3, 0, bytes(4), q6(17, UDP_HDR)), 54 + 30)]
    echo = m(128, 0, struct.pack("!HH", 0x99, 1), b"ping6 data")
    result += [(echo, 54 + n) for n in (0, 1, 5, 7, 12)]
    result.append((bytes(Ether(src=MAC_A, dst=MAC_B) / IPv6(src=SRC6, dst=DST6, nh=58, plen=0)), 0))
    result.append((m(200, 0, bytes(4), b"mtrace"), 0))
    result.append((m(201, 0, bytes(4), b"mtrace"), 0))
    result.append((m(250, 9, b"\1\2\3\4", b"unknown type"), 0))
    result.append((m(250, 9, b"\1\2\3\4", b"unknown type"), 54 + 9))
    # A first fragment (no checksum under -v), a later one, ICMP (1) over IPv6.
    echo6 = icmp6(128, 0, struct.pack("!HH", 7, 7), b"fragmented ping6 payload")
    fh = struct.pack("!BBHI", 58, 0, 1, 0x1234)
    result += [(bytes(Ether(src=MAC_A, dst=MAC_B) / IPv6(src=SRC6, dst=DST6, nh=44) / Raw(fh + echo6[:16])), 0),
               (bytes(Ether(src=MAC_A, dst=MAC_B) / IPv6(src=SRC6, dst=DST6, nh=44)
                      / Raw(struct.pack("!BBHI", 58, 0, 2 << 3, 0x1234) + echo6[16:])), 0),
               (bytes(Ether(src=MAC_A, dst=MAC_B) / IPv6(src=SRC6, dst=DST6, nh=1) / Raw(bytes(8))), 0)]
    return result


def mld_frames() -> list[tuple[bytes, int]]:
    grp, s1, s2 = a6("ff02::1:ff00:2"), a6("fd00:20::7"), a6("fd00:20::8")
    out = [m(130, 0, struct.pack("!HH", 10000, 0), bytes(16), dst="ff02::1", hbh=True),
           m(130, 0, struct.pack("!HH", 1000, 0), grp, hbh=True),
           m(130, 0, struct.pack("!HH", 1000, 0), grp + b"\0", hbh=True),
           m(130, 0, struct.pack("!HH", 1000, 0), grp + b"\0\0\0", hbh=True),
           m(130, 0, struct.pack("!HH", 1000, 0), grp + bytes([0x02, 125, 0, 0]), hbh=True),
           m(130, 0, struct.pack("!HH", 0x8123, 0), grp + bytes([0x0A, 200, 0, 2]) + s1 + s2, hbh=True),
           m(130, 0, struct.pack("!HH", 0xFFFF, 0), grp + bytes([0x0F, 0xFF, 0, 3]) + s1 + s2, hbh=True),
           m(130, 0, struct.pack("!HH", 1, 0), grp + bytes([0, 127, 0, 1]) + s1, hbh=True),
           m(131, 0, bytes(4), grp, hbh=True), m(132, 0, struct.pack("!HH", 5, 0), grp, hbh=True),
           m(131, 0, bytes(4), grp[:8], hbh=True)]

    def rec(rtype: int, srcs: list[bytes], aux: bytes = b"", nsrcs: int | None = None) -> bytes:
        n = len(srcs) if nsrcs is None else nsrcs
        return struct.pack("!BBH", rtype, len(aux) // 4, n) + grp + b"".join(srcs) + aux

    for records, count in (([rec(4, []), rec(1, [s1, s2]), rec(6, [s1])], 3), ([rec(9, [s1])], 1),
                           ([rec(2, [])], 2), ([rec(3, [s1], nsrcs=3)], 1), ([], 0), ([rec(5, [s1, s2])], 0)):
        out.append(m(143, 0, struct.pack("!HH", 0, count), b"".join(records), dst="ff02::16", hbh=True))
    out.append(m(143, 0, b"\0\0", dst="ff02::16", hbh=True))
    return [(f, 0) for f in out]


def nd_frames() -> list[tuple[bytes, int]]:
    """RS, RA, NS, NA and redirect, with every option tcpdump decodes and broken ones."""
    pfx = a6("fd00:20::")
    prefix = bytes([3, 4, 64, 0xC0]) + struct.pack("!II", 2592000, 604800) + bytes(4) + pfx
    prefix_all = bytes([3, 4, 48, 0xFF]) + struct.pack("!II", 0xFFFFFFFF, 0) + bytes(4) + pfx
    mtu = bytes([5, 1, 0, 0]) + struct.pack("!I", 1450)
    mtu_bad = bytes([5, 2, 0, 0]) + struct.pack("!I", 9000) + bytes(8)
    rdnss = bytes([25, 5, 0, 0]) + struct.pack("!I", 300) + a6("fd00:53::1") + a6("fd00:53::2")
    rdnss_empty = bytes([25, 1, 0, 0]) + struct.pack("!I", 0)
    rdnss_odd = bytes([25, 4, 0, 0]) + struct.pack("!I", 7) + a6("fd00:53::3") + bytes(8)
    names = b"\x07example\x04test\x00\x03lab\x00"
    dnssl = bytes([31, 4, 0, 0]) + struct.pack("!I", 600) + names + bytes(32 - 8 - len(names))
    advint, hainfo = bytes([7, 1, 0, 0]) + struct.pack("!I", 30000), bytes([8, 1, 0, 0]) + struct.pack("!HH", 10, 1800)
    routes = [bytes([24, 1, 0, 0x08]) + struct.pack("!I", 100),
              bytes([24, 2, 48, 0x18]) + struct.pack("!I", 0xFFFFFFFF) + a6("fd00:99::")[:8],
              bytes([24, 3, 64, 0x10]) + struct.pack("!I", 3600) + a6("fd00:98:1:2::")]
    route4 = bytes([24, 4, 64, 0]) + struct.pack("!I", 1) + bytes(24)
    unknown = bytes([99, 2]) + bytes(range(14))
    redirected = bytes([4, 6]) + bytes(6) + q6(17, UDP_HDR)[:40]
    ra_head = struct.pack("!BBH", 64, 0xC0, 1800)
    reach = struct.pack("!II", 30000, 1000)
    ra_opts = lladdr(1) + mtu + prefix + rdnss + dnssl + advint + hainfo + b"".join(routes)
    out = [m(133, 0, bytes(4), lladdr(1), dst="ff02::2"), m(133, 0, dst="ff02::2"),
           m(133, 0, bytes(4), unknown + lladdr(1), dst="ff02::2"),
           m(134, 0, ra_head, reach + ra_opts, dst="ff02::1"),
           m(134, 0, struct.pack("!BBH", 0, 0xFF, 0), reach + prefix_all + mtu_bad + rdnss_empty + rdnss_odd,
             dst="ff02::1"),
           m(134, 0, struct.pack("!BBH", 255, 0x08, 65535), reach, dst="ff02::1"),
           m(134, 0, struct.pack("!BBH", 1, 0x10, 9), reach + unknown + lladdr(1), dst="ff02::1"),
           m(134, 0, struct.pack("!BBH", 1, 0x1A, 9), reach + route4 + lladdr(1), dst="ff02::1"),
           m(134, 0, ra_head, reach + bytes([3, 3]) + prefix[2:24] + lladdr(1), dst="ff02::1"),
           m(134, 0, ra_head, reach + lladdr(1) + bytes([1, 0, 0, 0, 0, 0, 0, 0]), dst="ff02::1"),
           m(134, 0, ra_head, reach + lladdr(1) + bytes([1, 3]) + bytes(6), dst="ff02::1"),
           m(134, 0, ra_head, reach + redirected, dst="ff02::1"),
           m(134, 0, ra_head, reach + bytes([1, 2]) + bytes.fromhex("02005e2000010000000000000000"), dst="ff02::1"),
           m(135, 0, bytes(4), a6("fd00:20::2") + lladdr(1), dst="ff02::1:ff00:2"),
           m(135, 0, bytes(4), a6("fd00:20::2"), src="::", dst="ff02::1:ff00:2"),
           m(135, 0, bytes(4), a6("fd00:20::2") + bytes([14, 1]) + bytes(range(6)), src="::", dst="ff02::1:ff00:2"),
           m(136, 0, struct.pack("!I", 0xE0000000), a6("fd00:20::2") + lladdr(2)),
           m(136, 0, struct.pack("!I", 0x40000000), a6("fd00:20::2")),
           m(136, 0, struct.pack("!I", 0x1FFFFFFF), a6("fd00:20::2") + lladdr(2)),
           m(137, 0, bytes(4), a6("fe80::fe") + a6("fd00:40::9") + lladdr(2) + redirected),
           m(137, 0, bytes(4), a6("fd00:40::9") + a6("fd00:40::9"))]
    # DNSSL: a compression pointer (relative to the first option), a name running past the option.
    ptr_names = b"\x03lab\x00\x04host\xc0\x10\x00"
    for life in (1, 2):  # twice: names are remembered per message, not from one packet to the next
        out.append(m(134, 0, ra_head, reach + lladdr(1) + bytes([31, 3, 0, 0]) + struct.pack("!I", life) + ptr_names
                     + bytes(16 - len(ptr_names)), dst="ff02::1"))
    out.append(m(134, 0, ra_head, reach + bytes([31, 2, 0, 0]) + struct.pack("!I", 1) + b"\x20abc", dst="ff02::1"))
    out.append(m(133, 0, bytes(4), bytes([1, 3]) + bytes(range(1, 23)), dst="ff02::2"))
    out.append(m(133, 0, bytes(4), bytes(7), dst="ff02::2"))
    out.append(m(133, 0, b"", dst="ff02::2"))
    out.append(m(136, 0, bytes(4), a6("fd00:20::2")[:8]))
    result = [(f, 0) for f in out]
    # Cuts: inside an option's type/length, inside its body, before the RA's fixed fields, in NS/NA targets.
    ra = m(134, 0, ra_head, reach + lladdr(1) + mtu + prefix, dst="ff02::1")
    result += [(ra, 54 + n) for n in (5, 8, 15, 16, 17, 20, 26, 40, 60)]
    ns = m(135, 0, bytes(4), a6("fd00:20::2") + lladdr(1), dst="ff02::1:ff00:2")
    result += [(ns, 54 + n) for n in (10, 24, 25, 28)]
    result += [(m(137, 0, bytes(4), a6("fe80::fe") + a6("fd00:40::9")), 54 + 30)]
    return result


def other_frames() -> list[tuple[bytes, int]]:
    """Router renumbering, node information, inverse ND, home agent, mobile prefix, RPL."""
    pfx = a6("fd00:77::")
    match = bytes([1, 3 + 4 * 2, 7, 48, 48, 64]) + b"\0\0" + pfx
    use = bytes([64, 48, 0xC0, 0x80]) + struct.pack("!II", 86400, 0xFFFFFFFF) + bytes([0xC0, 0, 0, 0]) + pfx
    use2 = bytes([56, 48, 0, 0]) + struct.pack("!II", 0xFFFFFFFF, 3600) + bytes(4) + a6("fd00:78::")
    rr = struct.pack("!BBHI", 1, 0xF8, 500, 0)
    out = [m(138, 0, struct.pack("!I", 42), rr + match + use + use2, dst="ff02::2"),
           m(138, 0, struct.pack("!I", 43), struct.pack("!BBHI", 0, 0, 0, 0x77) + bytes([9, 3, 1, 0, 0, 0, 0, 0]) + pfx,
             dst="ff02::2"),
           m(138, 0, struct.pack("!I", 44), rr + bytes([2, 4, 1, 0, 0, 0, 0, 0]) + pfx, dst="ff02::2"),
           m(138, 1, struct.pack("!I", 45), rr + bytes(24)), m(138, 255, struct.pack("!I", 0), rr),
           m(138, 9, struct.pack("!I", 46), rr)]
    nonce = bytes(range(0xA0, 0xA8))
    ni_queries = [(0, 0, b""), (0, 1, b"\0\0"), (1, 1, b""), (2, 0, b""), (2, 0, a6("fd00:20::2")),
                  (2, 0, a6("fd00:20::2") + b"\0"), (2, 1, b"\x04host\x03lab\x00"), (2, 1, b"\x07pascal!"),
                  (2, 1, b"\x04host\x09"), (2, 2, bytes([10, 20, 0, 2])), (2, 2, bytes([10, 20, 0, 2, 0])),
                  (3, 0, a6("fd00:20::2")), (4, 0, a6("fd00:20::2")), (9, 5, b"\0\0\0\0"), (3, 7, b"xx")]
    for qtype, code, data in ni_queries:
        flags = {1: 1, 3: 0x7F}.get(qtype, 0)
        out.append(m(139, code, struct.pack("!HH", qtype, flags), nonce + data))
    out.append(m(139, 0, struct.pack("!HH", 0, 0)))
    ni_replies = [(0, 0, 0, b""), (0, 0, 0, b"\0"), (0, 1, 0, b""), (0, 1, 0, b"\0"), (0, 2, 0, b"\0"), (0, 3, 0, b""),
                  (1, 0, 1, b"\0\0\0\0"), (2, 0, 1, struct.pack("!I", 3600) + b"\x04host\x03lab\x00"),
                  (2, 0, 0, struct.pack("!I", 0) + b"\x0ahost.lab.x"),
                  (3, 0, 0x3F, struct.pack("!I", 60) + a6("fd00:20::2") + struct.pack("!I", 0) + a6("fe80::2")
                   + b"\0\0"),
                  (4, 0, 0, bytes(4)), (7, 0, 0, b"")]
    for qtype, code, flags, data in ni_replies:
        out.append(m(140, code, struct.pack("!HH", qtype, flags), nonce + data))
    out += [m(141, 0, bytes(4), lladdr(1)), m(142, 0, bytes(4), lladdr(2)),
            m(144, 0, struct.pack("!HH", 0x1234, 0)),
            m(145, 0, struct.pack("!HH", 0x1234, 0), a6("fd00:20::1") + a6("fd00:20::2")),
            m(146, 0, struct.pack("!HH", 0xBEEF, 0)), m(147, 0, struct.pack("!HH", 0xBEEF, 0xC000), lladdr(1)),
            m(147, 0, struct.pack("!HH", 0xBEEF, 0x4000)), m(147, 0, struct.pack("!HH", 0xBEEF, 0))]
    dagid = a6("fd00:1::1")
    dio = struct.pack("!BBHBBBB", 7, 2, 256, 0x80 | (2 << 3) | 3, 9, 0, 0) + dagid
    rpl_opts = b"\x00" + bytes([1, 2, 0, 0]) + bytes([4, 4, 1, 2, 3, 4]) + bytes([0x42, 1, 0xEE])
    out += [m(155, 0, b"\0\0\0\0"), m(155, 1, dio[:4], dio[4:] + rpl_opts), m(155, 1, dio[:4], dio[4:12]),
            m(155, 1, dio[:4], dio[4:] + bytes([4, 9, 1])),
            m(155, 2, bytes([5, 0x80, 0, 3])), m(155, 2, bytes([5, 0x40, 0, 4]), dagid + bytes([5, 2, 0, 64])),
            m(155, 2, bytes([5, 0x40, 0, 4]), dagid[:8]), m(155, 2, b"\x05\x00"),
            m(155, 3, bytes([5, 0, 4, 0])), m(155, 3, bytes([5, 0x80, 4, 1]), dagid),
            m(155, 0x80, bytes(4), bytes(8)), m(155, 0x81, bytes(4)), m(155, 0x0A, bytes(4)),
            m(155, 1, dio[:4], dio[4:] + b"\x00\x00\x01")]
    return [(f, 0) for f in out]


def vxlan6_frames() -> list[tuple[bytes, int]]:
    def inner(msg: bytes, dst: str) -> bytes:
        return bytes(Ether(src="02:42:c0:a8:0a:02", dst="02:42:c0:a8:0a:64")
                     / IPv6(src="fd00:10::2", dst=dst, nh=58, hlim=255) / Raw(msg))

    ns = icmp6(135, 0, bytes(4), a6("fd00:10::100") + lladdr(1), src="fd00:10::2", dst="ff02::1:ff00:100")
    echo = icmp6(128, 0, struct.pack("!HH", 5, 1), b"data", src="fd00:10::2", dst="fd00:10::100")
    big = icmp6(2, 0, struct.pack("!I", 1450), q6(17, UDP_HDR), src="fd00:10::2", dst="fd00:10::100")
    return [(vxlan(inner(ns, "ff02::1:ff00:100")), 0), (vxlan(inner(echo, "fd00:10::100")), 0),
            (vxlan(inner(big, "fd00:10::100")), 0), (vxlan(inner(ns, "ff02::1:ff00:100")), 50 + 14 + 40 + 30)]


def icmp6_frames() -> list[tuple[bytes, int]]:
    return error_frames() + mld_frames() + nd_frames() + other_frames() + vxlan6_frames()
