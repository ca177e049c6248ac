"""Crafted ICMP, ICMPv6 and ARP frames for captures/basic/icmp-edges.pcap (``make-captures.py icmp-edges``).

Also runs on its own, without root: ``python3 scripts/icmp_edge_frames.py``. Synthetic input
for what real traffic rarely shows, so that the ICMP, ICMPv6 and ARP printers can be compared
with real tcpdump 4.99.3 on every branch of ``print-icmp.c``, ``print-icmp6.c`` and
``print-arp.c``:

* ICMP: every type and code tcpdump names (echo, each unreachable code with need-frag and its
  MTU, redirects with their gateway, source quench, time exceeded, parameter problem, router
  advertisement and solicitation, timestamps, information and address mask messages) and
  unknown ones; errors quoting UDP, TCP, ICMP and optioned headers (printed under ``-v``); bad
  checksums; RFC 4884 multi-part extensions with RFC 4950 MPLS label stacks, other objects,
  bad versions, checksums and lengths; fragments; cuts by the snapshot length at every field;
  ICMP inside VXLAN.
* ICMPv6 (scripts/icmp6_edge_frames.py): echo, every error, MLDv1/v2, neighbour discovery with
  every option tcpdump decodes (good, bad and unknown), router renumbering, node information,
  home-agent and mobile-prefix messages, RPL, unknown types, cuts.
* ARP: request, reply, RARP, InARP, NAK, unknown operations, non-Ethernet hardware (Frame
  Relay's Q.922 addresses, ATM RFC 2225, IEEE 1394, InfiniBand, unknown), other protocols,
  odd address lengths, cuts at every field, ARP inside VXLAN.

Frames are built by hand (scapy for the Ethernet, IP and VXLAN wrapping) and written with fixed
timestamps, records possibly cut short (caplen < wirelen), so the file is the same on every
run. Every outer IPv4/IPv6 header is whole and valid. The expected text of every golden on it
comes from real tcpdump (scripts/make-goldens.py).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

from edge_pcap import cksum
from icmp6_edge_frames import icmp6_frames
from ip_edge_frames import eth, ip4, vxlan
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "captures" / "basic" / "icmp-edges.pcap"

MAC_A, MAC_B = "02:00:5e:20:00:01", "02:00:5e:20:00:02"
ROUTER = "10.20.0.254"


def icmp(itype: int, code: int, rest: bytes = bytes(4), data: bytes = b"", csum: int | None = None) -> bytes:
    """An ICMP message: type, code, checksum (computed unless given), 4 header bytes, data."""
    body = bytes([itype, code]) + b"\0\0" + rest + data
    value = cksum(body) if csum is None else csum
    return body[:2] + struct.pack("!H", value) + body[4:]


def v4(msg: bytes, **fields: object) -> bytes:
    """``msg`` in IPv4 (protocol ICMP unless given) from the router to 10.20.0.2, in Ethernet."""
    fields.setdefault("proto", 1)
    fields.setdefault("src", ROUTER)
    return eth(ip4(Raw(msg), **fields))


def quoted(payload: object, length: int | None = 28, **fields: object) -> bytes:
    """The first ``length`` bytes of a datagram from 10.20.0.2 (all of it when None)."""
    fields.setdefault("src", "10.20.0.2")
    fields.setdefault("dst", "10.40.0.9")
    raw = bytes(IP(id=0x55, ttl=1, **fields) / payload)  # type: ignore[arg-type, operator]
    return raw if length is None else raw[:length]


Q_UDP = quoted(UDP(sport=40000, dport=33434) / Raw(b"traceroute probe 0123456789ab"))
Q_UDP_FULL = quoted(UDP(sport=40000, dport=33434) / Raw(b"traceroute probe 0123456789ab"), None)
Q_TCP = quoted(TCP(sport=40001, dport=443, flags="S", seq=7))
Q_TCP_FULL = quoted(TCP(sport=40001, dport=443, flags="S", seq=7), None)
Q_ECHO = quoted(Raw(icmp(8, 0, struct.pack("!HH", 9, 3), b"ping data")), None, proto=1)
Q_RAW = quoted(Raw(b"\x00\x00\x08\x00\x11\x22\x33\x44"), proto=253)
Q_OPTS = bytes(IP(id=0x56, ttl=1, src="10.20.0.2", dst="10.40.0.10", options=b"\x94\x04\x00\x00")
               / UDP(sport=40002, dport=53) / Raw(b"q"))[:32]
ECHO_DATA = b"abcdefghijklmnopqrstuvwxyz012345"


def basic_frames() -> list[tuple[bytes, int]]:
    """Every type and code tcpdump names, and unknown ones."""
    out = [v4(icmp(8, 0, struct.pack("!HH", 0x1234, 1), ECHO_DATA), src="10.20.0.1", dst="10.20.0.2"),
           v4(icmp(0, 0, struct.pack("!HH", 0x1234, 1), ECHO_DATA), dst="10.20.0.1"),
           v4(icmp(8, 7, struct.pack("!HH", 0, 65535))),
           v4(icmp(0, 0, struct.pack("!HH", 1, 2), ECHO_DATA, csum=0xBEEF)),
           v4(icmp(8, 0, struct.pack("!HH", 1, 3), b"odd", csum=0))]
    for code in range(17):
        out.append(v4(icmp(3, code, bytes(4), Q_UDP)))
    out += [v4(icmp(3, 255, bytes(4), Q_UDP)),
            v4(icmp(3, 3, bytes(4), Q_TCP)), v4(icmp(3, 3, bytes(4), Q_RAW)), v4(icmp(3, 3, bytes(4), Q_OPTS)),
            v4(icmp(3, 3, bytes(4), Q_UDP_FULL)), v4(icmp(3, 2, bytes(4), Q_RAW)),
            v4(icmp(3, 4, struct.pack("!HH", 0, 1400), Q_UDP)), v4(icmp(3, 4, struct.pack("!HH", 7, 0), Q_UDP)),
            v4(icmp(3, 4, struct.pack("!HH", 0, 65535), Q_TCP_FULL))]
    gw = bytes([10, 20, 0, 253])
    for code in (0, 1, 2, 3, 4, 200):
        out.append(v4(icmp(5, code, gw, Q_UDP)))
    out.append(v4(icmp(4, 0, bytes(4), Q_UDP)))
    out.append(v4(icmp(4, 9, bytes(4), Q_TCP)))
    for code in (0, 1, 2, 255):
        out.append(v4(icmp(11, code, bytes(4), Q_UDP_FULL)))
    out.append(v4(icmp(11, 0, bytes(4), Q_ECHO)))
    out.append(v4(icmp(11, 0, bytes(4), Q_OPTS)))
    for code, ptr in ((0, 20), (0, 0), (1, 5), (2, 255)):
        out.append(v4(icmp(12, code, bytes([ptr, 0, 0, 0]), Q_OPTS)))
    out += router_advert_frames()
    out += [v4(icmp(10, 0)), v4(icmp(10, 3, bytes(4), b"extra"))]
    ts = struct.pack("!III", 0, 45_296_789, 86_399_999)
    out += [v4(icmp(13, 0, struct.pack("!HH", 77, 1), ts)), v4(icmp(14, 0, struct.pack("!HH", 77, 1), ts)),
            v4(icmp(14, 0, struct.pack("!HH", 1, 2), struct.pack("!III", 0xFFFFFFFF, 3_600_000, 1)))]
    out += [v4(icmp(15, 0, struct.pack("!HH", 5, 6))), v4(icmp(16, 0, struct.pack("!HH", 5, 6))),
            v4(icmp(17, 0, struct.pack("!HH", 8, 9), bytes(4))),
            v4(icmp(18, 0, struct.pack("!HH", 8, 9), bytes([255, 255, 240, 0])))]
    for itype in (1, 2, 6, 7, 19, 30, 37, 40, 42, 43, 253, 255):
        out.append(v4(icmp(itype, 1, b"\x01\x02\x03\x04", b"unknown")))
    return [(f, 0) for f in out]


def router_advert_frames() -> list[bytes]:
    """ICMP router advertisements (RFC 1256): lifetimes, address lists, odd sizes, a long list."""
    def radv(num: int, size: int, lifetime: int, entries: int, **fields: object) -> bytes:
        data = b"".join(bytes([10, 20, 0, 1 + i]) + struct.pack("!i", (i - 1) * 100) for i in range(entries))
        return v4(icmp(9, 0, struct.pack("!BBH", num, size, lifetime), data), dst="224.0.0.1", **fields)

    return [radv(1, 2, 1800, 1), radv(2, 2, 59, 2), radv(3, 2, 9000, 3), radv(0, 2, 0, 0),
            radv(1, 3, 60, 1), radv(2, 1, 3600, 2), radv(10, 2, 65535, 10), radv(3, 2, 600, 2),
            v4(icmp(9, 5, struct.pack("!BBH", 2, 2, 1800), bytes([10, 20, 0, 1]) + bytes(4)))]


def _ext(objects: bytes, version: int = 2, csum: int | None = None) -> bytes:
    head = bytes([version << 4, 0]) + b"\0\0"
    value = cksum(head + objects) if csum is None else csum
    return head[:2] + struct.pack("!H", value) + objects


def _obj(cls: int, ctype: int, data: bytes, length: int | None = None) -> bytes:
    return struct.pack("!HBB", len(data) + 4 if length is None else length, cls, ctype) + data


def _label(label: int, tc: int, s: int, ttl: int) -> bytes:
    return struct.pack("!I", (label << 12) | (tc << 9) | (s << 8) | ttl)


def extension_frames() -> list[tuple[bytes, int]]:
    """RFC 4884 multi-part ICMP with RFC 4950 MPLS objects, under -v."""
    orig = Q_UDP_FULL + bytes(128 - len(Q_UDP_FULL))
    mpls1 = _obj(1, 1, _label(16001, 0, 1, 1))
    mpls2 = _obj(1, 1, _label(24005, 5, 0, 254) + _label(16, 7, 1, 0))
    cases = [
        (11, 32, _ext(mpls1)), (11, 0, _ext(mpls1)), (11, 0, _ext(mpls1, csum=0x1234)),
        (11, 32, _ext(mpls2)), (3, 32, _ext(mpls1 + _obj(2, 3, b"\x01\x02\x03\x04eth0"))),
        (12, 32, _ext(mpls1, version=1)), (11, 32, _ext(mpls1, csum=0xFFFF)),
        (11, 32, _ext(_obj(1, 2, b"\xaa\xbb\xcc\xdd"))), (11, 32, _ext(_obj(9, 1, b"other object"))),
        (11, 32, _ext(_obj(1, 1, _label(1, 1, 0, 9), length=3))),
        (11, 32, _ext(_obj(0, 1, _label(1, 1, 0, 9)))),
        (11, 32, _ext(_obj(1, 1, _label(2, 0, 1, 5), length=40))),
        (11, 32, _ext(b"")), (11, 32, _ext(b"\x00")), (11, 32, _ext(b"\x00\x05\x01")),
        (5, 32, _ext(mpls1)), (3, 32, bytes(3)),
    ]
    out: list[tuple[bytes, int]] = []
    for itype, words, tail in cases:
        out.append((v4(icmp(itype, 0, bytes([0, words, 0, 0]), orig + tail)), 0))
    whole = v4(icmp(11, 0, bytes([0, 32, 0, 0]), orig + _ext(mpls2)))
    for cut in (136, 140, 141, 144, 147, 150):
        out.append((whole, 34 + cut))
    zero = v4(icmp(11, 0, bytes(4), orig + _ext(mpls1)))
    out.append((zero, 34 + 145))
    return out


def quoted_frames() -> list[tuple[bytes, int]]:
    """Odd quoted datagrams (printed by the IPv4 printer under -v) and nested errors."""
    bad_version = b"\x65" + Q_UDP[1:]
    short_ihl = b"\x44" + Q_UDP[1:]
    zero_len = Q_UDP[:2] + b"\0\0" + Q_UDP[4:]
    len3, len4 = Q_UDP[:2] + b"\0\3" + Q_UDP[4:], Q_UDP[:2] + b"\0\4" + Q_UDP[4:]
    long_ihl = b"\x4f" + Q_UDP[1:]
    nested = quoted(Raw(icmp(11, 0, bytes(4), Q_UDP)), None, proto=1, src="10.40.0.1", dst="10.20.0.2")
    frag = quoted(Raw(b"fragment body 12"), None, proto=17, flags="MF", frag=0)
    later = quoted(Raw(b"later fragment 1"), None, proto=17, frag=3)
    odd = (bad_version, short_ihl, zero_len, len3, len4, long_ihl, nested, frag, later)
    out = [v4(icmp(3, 3, bytes(4), q)) for q in odd]
    out += [v4(icmp(3, 1, bytes(4), Q_UDP[:20])), v4(icmp(3, 1, bytes(4), Q_UDP[:12])), v4(icmp(3, 1, bytes(4))),
            v4(icmp(11, 0, bytes(4), Q_UDP[:20])), v4(icmp(11, 1, bytes(4), Q_ECHO[:24])),
            v4(icmp(4, 0, bytes(4), Q_UDP + b"extra bytes after the quoted eight"))]
    # RFC 4884 length longer than 128 bytes: tcpdump still looks for the extension at 128.
    orig = Q_UDP_FULL + bytes(160 - len(Q_UDP_FULL))
    out.append(v4(icmp(11, 0, bytes([0, 40, 0, 0]), orig + _ext(_obj(1, 1, _label(7, 0, 1, 1))))))
    return [(f, 0) for f in out]


def truncated_frames() -> list[tuple[bytes, int]]:
    """ICMP cut by the snapshot length (or by the IP total length) at every field."""
    out: list[tuple[bytes, int]] = []
    echo = v4(icmp(8, 0, struct.pack("!HH", 0x4242, 7), ECHO_DATA))
    out += [(echo, 34 + n) for n in (0, 1, 2, 4, 5, 6, 7, 8, 20)]
    unreach = v4(icmp(3, 1, bytes(4), Q_UDP))
    out += [(unreach, 34 + n) for n in (8, 24, 27, 28, 30)]
    port = v4(icmp(3, 3, bytes(4), Q_UDP))
    out += [(port, 34 + n) for n in (8, 16, 17, 27, 30, 31, 32, 36)]
    need = v4(icmp(3, 4, struct.pack("!HH", 0, 1500), Q_UDP))
    out += [(need, 34 + n) for n in (6, 7, 27)]
    redirect = v4(icmp(5, 1, bytes([10, 20, 0, 253]), Q_UDP))
    out += [(redirect, 34 + n) for n in (5, 8, 27)]
    exceeded = v4(icmp(11, 0, bytes(4), Q_UDP_FULL))
    out += [(exceeded, 34 + n) for n in (8, 20, 27, 28, 36, 40, 60)]
    param = v4(icmp(12, 0, bytes([7, 0, 0, 0]), Q_UDP))
    out += [(param, 34 + 4), (param, 34 + 5)]
    ts = v4(icmp(14, 0, struct.pack("!HH", 1, 2), struct.pack("!III", 1, 2, 3)))
    out += [(ts, 34 + n) for n in (8, 16, 19, 20)]
    out += [(v4(icmp(13, 0, struct.pack("!HH", 1, 2), bytes(12))), 34 + 6)]
    mask = v4(icmp(18, 0, bytes(4), bytes([255, 255, 255, 0])))
    out += [(mask, 34 + 8), (mask, 34 + 11)]
    radv = v4(icmp(9, 0, struct.pack("!BBH", 2, 2, 1800), bytes([10, 20, 0, 1]) + bytes(4) + bytes([10, 20, 0, 2])))
    out += [(radv, 34 + n) for n in (4, 5, 7, 8, 15, 16, 20)]
    out.append((radv, 0))
    out += [(v4(icmp(17, 0)), 34 + 3), (v4(icmp(42, 0)), 34 + 1)]
    # The IP total length ends the ICMP message early (Ethernet padding follows).
    out += [(v4(icmp(8, 0, struct.pack("!HH", 1, 1), ECHO_DATA), len=24), 0),
            (v4(icmp(3, 3, bytes(4), Q_UDP), len=20 + 8 + 20), 0),
            (v4(icmp(0, 0, struct.pack("!HH", 1, 1), b"padded"), len=20 + 14) + bytes(12), 0)]
    return out


def fragment_frames() -> list[tuple[bytes, int]]:
    """Fragmented ICMP: no checksum check under -v; a later fragment is not ICMP to tcpdump."""
    big = icmp(8, 0, struct.pack("!HH", 3, 3), ECHO_DATA * 4)
    return [(v4(big[:40], flags="MF", len=60), 0), (v4(big[40:], frag=5, len=20 + len(big) - 40), 0),
            (v4(icmp(3, 3, bytes(4), Q_UDP), flags="MF"), 0)]


def vxlan_frames() -> list[tuple[bytes, int]]:
    """ICMP inside VXLAN: the inner frame goes through the same printers."""
    def inner(msg: bytes, **fields: object) -> bytes:
        fields.setdefault("proto", 1)
        return bytes(Ether(src="02:42:c0:a8:0a:02", dst="02:42:c0:a8:0a:64")
                     / IP(src="192.168.10.2", dst="192.168.10.100", id=9, **fields) / Raw(msg))  # type: ignore[arg-type]

    echo = inner(icmp(8, 0, struct.pack("!HH", 0x77, 1), ECHO_DATA))
    out = [(vxlan(echo), 0), (vxlan(inner(icmp(0, 0, struct.pack("!HH", 0x77, 1), ECHO_DATA, csum=1))), 0),
           (vxlan(inner(icmp(3, 3, bytes(4), Q_UDP_FULL))), 0),
           (vxlan(inner(icmp(3, 4, struct.pack("!HH", 0, 1450), Q_TCP))), 0),
           (vxlan(inner(icmp(11, 0, bytes(4), Q_UDP))), 0),
           (vxlan(inner(icmp(9, 0, struct.pack("!BBH", 1, 2, 1800), bytes([192, 168, 10, 1]) + bytes(4)))), 0),
           (vxlan(inner(icmp(18, 0, bytes(4), bytes([255, 255, 255, 0])))), 0),
           (vxlan(inner(icmp(40, 0))), 0)]
    out += [(vxlan(echo), 50 + 14 + 20 + n) for n in (0, 3, 6)]
    out.append((vxlan(inner(icmp(8, 0, struct.pack("!HH", 1, 1), ECHO_DATA), flags="MF")), 0))
    return out


def arp(hrd: int, pro: int, hln: int, pln: int, op: int, sha: bytes, spa: bytes, tha: bytes, tpa: bytes) -> bytes:
    return struct.pack("!HHBBH", hrd, pro, hln, pln, op) + sha + spa + tha + tpa


def arp_frames() -> list[tuple[bytes, int]]:
    """ARP and RARP: operations, hardware and protocol types, address lengths, cuts, VXLAN."""
    mac_a, mac_b = bytes.fromhex("02005e200001"), bytes.fromhex("02005e200002")
    ip_a, ip_b = bytes([10, 20, 0, 1]), bytes([10, 20, 0, 2])

    def frame(body: bytes, etype: int = 0x0806, dst: str = "ff:ff:ff:ff:ff:ff") -> bytes:
        return bytes(Ether(src=MAC_A, dst=dst, type=etype) / Raw(body))

    out: list[bytes] = []
    for op, tha in ((1, bytes(6)), (1, mac_b), (2, mac_b), (3, mac_b), (4, mac_b), (8, mac_b), (9, mac_b),
                    (10, mac_b), (0, mac_b), (99, mac_b)):
        out.append(frame(arp(1, 0x0800, 6, 4, op, mac_a, ip_a, tha, ip_b)))
    for op in (3, 4, 1):
        out.append(frame(arp(1, 0x0800, 6, 4, op, mac_a, bytes(4), mac_a, ip_a), etype=0x8035))
    out.append(frame(arp(1, 0x0800, 6, 4, 2, mac_a, ip_a, mac_b, ip_b) + bytes(18)))
    # Protocol types and lengths: trailer (0x1000), IPv6, unknown; plen 16 and 0 with IPv4; hlen 0, 8, 20.
    v6a, v6b = bytes.fromhex("fd000020" + "00" * 11 + "01"), bytes.fromhex("fd000020" + "00" * 11 + "02")
    out += [frame(arp(1, 0x1000, 6, 4, 1, mac_a, ip_a, bytes(6), ip_b)),
            frame(arp(1, 0x86DD, 6, 16, 1, mac_a, v6a, bytes(6), v6b)),
            frame(arp(1, 0x1234, 6, 4, 2, mac_a, ip_a, mac_b, ip_b)),
            frame(arp(1, 0x0800, 6, 16, 2, mac_a, v6a, mac_b, v6b)),
            frame(arp(1, 0x0800, 6, 0, 1, mac_a, b"", mac_b, b"")),
            frame(arp(1, 0x0800, 0, 4, 1, b"", ip_a, b"", ip_b)),
            frame(arp(1, 0x0800, 0, 4, 2, b"", ip_a, b"", ip_b)),
            frame(arp(1, 0x0800, 8, 4, 2, mac_a + b"\1\2", ip_a, mac_b + b"\3\4", ip_b)),
            frame(arp(1, 0x0800, 3, 4, 1, mac_a[:3], ip_a, b"\0\0\1", ip_b))]
    # Hardware types: token ring, ArcNet, Strip, IEEE 1394 (16-byte addresses), InfiniBand (20), unknown.
    for hrd, hln in ((6, 6), (7, 1), (23, 6), (24, 16), (32, 20), (999, 6)):
        sha = bytes(range(1, hln + 1))
        out.append(frame(arp(hrd, 0x0800, hln, 4, 2, sha, ip_a, sha[::-1], ip_b)))
        out.append(frame(arp(hrd, 0x0800, hln, 4, 1, sha, ip_a, sha[::-1], ip_b)))
    # Frame Relay: Q.922 addresses of 2, 3 and 4 bytes, an invalid one (EA bit first), 1 byte, empty.
    for dlci in (b"\x18\x41", b"\x18\x40\x01", b"\x18\x40\x80\x21", b"\x01\x00", b"\x18", b"\x18\x40\x80\x80", b""):
        n = len(dlci)
        out.append(frame(arp(15, 0x0800, n, 4, 8, dlci, ip_a, dlci, ip_b)))
    out.append(frame(arp(15, 0x0800, 2, 4, 2, b"\x18\x41", ip_a, b"\x00\x00", ip_b)))
    out.append(frame(arp(15, 0x0800, 2, 4, 1, b"\x18\x41", ip_a, b"\x20\x51", ip_b)))
    out += atm_arp_frames(frame)
    result = [(f, 0) for f in out]
    req = frame(arp(1, 0x0800, 6, 4, 1, mac_a, ip_a, mac_b, ip_b))
    result += [(req, 14 + n) for n in (0, 4, 7, 8, 14, 18, 24, 27)]
    reply = frame(arp(1, 0x0800, 6, 4, 2, mac_a, ip_a, mac_b, ip_b))
    result += [(reply, 14 + 13), (frame(arp(1, 0x0800, 6, 4, 3, mac_a, ip_a, mac_b, ip_b)), 14 + 23)]
    inner_req = bytes(Ether(src="02:42:c0:a8:0a:02", dst="ff:ff:ff:ff:ff:ff", type=0x0806)
                      / Raw(arp(1, 0x0800, 6, 4, 1, bytes.fromhex("0242c0a80a02"), bytes([192, 168, 10, 2]),
                                bytes(6), bytes([192, 168, 10, 100]))))
    inner_rev = bytes(Ether(src="02:42:c0:a8:0a:02", dst="ff:ff:ff:ff:ff:ff", type=0x8035)
                      / Raw(arp(1, 0x0800, 6, 4, 3, mac_a, bytes(4), mac_a, bytes(4))))
    inner_odd = bytes(Ether(src="02:42:c0:a8:0a:02", dst="ff:ff:ff:ff:ff:ff", type=0x0806)
                      / Raw(arp(6, 0x86DD, 6, 16, 1, mac_a, v6a, bytes(6), v6b)))
    result += [(vxlan(inner_req), 0), (vxlan(inner_req + bytes(18)), 0), (vxlan(inner_rev), 0),
               (vxlan(inner_odd), 0), (vxlan(inner_req), 50 + 14 + 20)]
    return result


def atm_arp_frames(frame: Callable[[bytes], bytes]) -> list[bytes]:
    """ATM ARP (RFC 2225): type/length bytes, subaddresses, E.164 bit, odd protocol lengths."""
    atm = bytes(range(0x40, 0x54))  # a 20-byte ATM address
    sub = bytes(range(0x60, 0x65))
    ip_a, ip_b = bytes([10, 20, 0, 1]), bytes([10, 20, 0, 2])

    def atmarp(op: int, shl: int, ssl: int, spl: int, thl: int, tsl: int, tpl: int, pro: int = 0x0800) -> bytes:
        head = struct.pack("!HHBBHBBBB", 19, pro, shl, ssl, op, spl, thl, tsl, tpl)
        return (head + atm[: shl & 0x3F] + sub[: ssl & 0x3F] + (ip_a + bytes(12))[:spl]
                + atm[::-1][: thl & 0x3F] + sub[::-1][: tsl & 0x3F] + (ip_b + bytes(12))[:tpl])

    bodies = [atmarp(1, 20, 0, 4, 0, 0, 4), atmarp(1, 20, 5, 4, 20, 5, 4), atmarp(2, 0x40 | 20, 0, 4, 0, 0, 4),
              atmarp(2, 0, 0, 4, 0, 0, 4), atmarp(8, 20, 5, 4, 20, 0, 4), atmarp(9, 20, 0, 4, 0, 0, 4),
              atmarp(10, 20, 0, 4, 20, 0, 4), atmarp(5, 20, 0, 4, 0, 0, 4), atmarp(1, 20, 0, 16, 0, 0, 4),
              atmarp(2, 20, 0, 4, 0, 0, 0), atmarp(1, 20, 0, 4, 0, 0, 4, pro=0x86DD)]
    return [frame(b) for b in bodies]


def frames() -> list[tuple[bytes, int]]:
    """Every edge frame with its captured length (0: the whole frame)."""
    return (basic_frames() + extension_frames() + quoted_frames() + truncated_frames() + fragment_frames()
            + vxlan_frames() + icmp6_frames() + arp_frames())


if __name__ == "__main__":
    from edge_pcap import write_frames_pcap

    print(f"icmp_edge_frames: {OUT.relative_to(ROOT)}: {write_frames_pcap(OUT, frames())} frames")
