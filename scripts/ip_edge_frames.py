"""Crafted IPv4 frames for captures/basic/ip-edges.pcap (made by ``make-captures.py ip-edges``).

Also runs on its own, without root: ``python3 scripts/ip_edge_frames.py``. Synthetic input
for what real traffic rarely shows: IPv4 (and IPv6) headers cut by the snapshot length at
several points (plain, inside VXLAN and inside IP-in-IP), total length 0 and other bad lengths,
bad header lengths and versions, every IP option tcpdump names (record route, loose and
strict source route, timestamps of each kind, router alert, security, traceroute) with
bad lengths and pointers, options cut short, a UDP and a TCP checksum computed over a
source route's final destination, fragments with every flag, bad header checksums, TTL 0
and the ECN bits, protocols tcpdump names without a printer (ND, Ethernet-in-IPv4, no
next header, unknown), IPComp, and syslog on UDP 514 (both directions, every kind of
priority, unprintable text, cut short, over IPv6, inside VXLAN, and a VXLAN packet whose
outer UDP source port is 514, which tcpdump hands to syslog before VXLAN).

Frames are built with scapy (IP options as raw bytes, odd headers patched by hand); the file
is written directly so that timestamps are fixed and records can be cut short (caplen <
wirelen): it is the same on every run. The expected text of every golden on it comes from
real tcpdump (scripts/make-goldens.py).
"""

from __future__ import annotations

import struct
from pathlib import Path

from edge_pcap import cksum
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrHopByHop
from scapy.layers.l2 import Ether
from scapy.layers.vxlan import VXLAN
from scapy.packet import Packet, Raw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "captures" / "basic" / "ip-edges.pcap"

MAC_A, MAC_B = "02:00:5e:20:00:01", "02:00:5e:20:00:02"
SRC, DST = "10.20.0.1", "10.20.0.2"
HOST_MAC = ("02:00:c0:a8:01:04", "02:00:c0:a8:01:05")
HOST_IP = ("192.168.1.4", "192.168.1.5")


def ip4(payload: Packet | bytes, opts: bytes = b"", csum_dst: str | None = None, **fields: object) -> bytes:
    """An IPv4 packet with the raw option bytes ``opts`` (a multiple of 4) after its 20-byte header.

    scapy fills the lengths and checksums unless ``fields`` gives them; a transport checksum
    is computed with ``csum_dst`` (a source route's final address) in the pseudo-header.
    """
    assert len(opts) % 4 == 0, opts
    fields.setdefault("src", SRC)
    fields.setdefault("dst", DST)
    pkt = IP(id=0x1234, **fields) / payload  # type: ignore[arg-type]
    raw = bytes(pkt)
    if csum_dst is not None:
        moved = IP(id=0x1234, **{**fields, "dst": csum_dst}) / payload  # type: ignore[arg-type]
        raw = raw[:20] + bytes(moved)[20:]
    if not opts:
        return raw
    head = bytearray(raw[:20] + opts)
    head[0] = (head[0] & 0xF0) | (len(head) // 4)
    if "len" not in fields:
        head[2:4] = struct.pack("!H", len(raw) + len(opts))
    out = bytes(head) + raw[20:]
    return out if "chksum" in fields else ipsum(out, 0)


def eth(pkt: Packet | bytes) -> bytes:
    if isinstance(pkt, bytes):
        return bytes(Ether(src=MAC_A, dst=MAC_B, type=0x0800) / Raw(pkt))
    return bytes(Ether(src=MAC_A, dst=MAC_B) / pkt)


def vxlan(inner: bytes, sport: int = 46926, dport: int = 4789) -> bytes:
    """``inner`` (an Ethernet frame) inside VXLAN VNI 256 between the two hosts."""
    return bytes(Ether(src=HOST_MAC[0], dst=HOST_MAC[1]) / IP(src=HOST_IP[0], dst=HOST_IP[1], id=7)
                 / UDP(sport=sport, dport=dport, chksum=0) / VXLAN(vni=256, flags=0x08) / Raw(inner))


def patch(frame: bytes, offset: int, data: bytes) -> bytes:
    return frame[:offset] + data + frame[offset + len(data):]


def ipsum(frame: bytes, ip_off: int = 14) -> bytes:
    """Recompute the IPv4 header checksum at ``ip_off`` after a patch."""
    hlen = (frame[ip_off] & 0x0F) * 4
    hdr = bytearray(frame[ip_off : ip_off + hlen])
    hdr[10:12] = b"\0\0"
    return patch(frame, ip_off + 10, struct.pack("!H", cksum(bytes(hdr))))


UDP_DATA = UDP(sport=40000, dport=9999) / Raw(b"udp payload bytes")
ICMP_ECHO = ICMP(type=8, id=0x42, seq=1) / Raw(b"echo data 0123456789")
TCP_SEG = TCP(sport=40001, dport=9999, flags="PA", seq=1000, ack=2000, window=502) / Raw(b"tcp data")
RA = bytes([148, 4, 0, 0])
NOP = bytes([1])


def ts_opt(flag: int, ptr: int, entries: list[bytes]) -> bytes:
    body = b"".join(entries)
    return bytes([68, 4 + len(body), ptr, flag]) + body


def addr(text: str) -> bytes:
    return bytes(int(x) for x in text.split("."))


def syslog(payload: bytes, sport: int = 40514, dport: int = 514) -> bytes:
    return eth(ip4(UDP(sport=sport, dport=dport) / Raw(payload)))


def truncation_frames() -> list[tuple[bytes, int]]:
    """IPv4 headers cut short (plain, in VXLAN, in IP-in-IP), bad lengths or versions; IPv6 cut short."""
    udp = eth(ip4(UDP_DATA))
    opts = eth(ip4(UDP_DATA, RA + bytes([7, 7, 4]) + addr("10.9.9.9") + bytes([1])))
    out = [(udp, 14), (udp, 15), (udp, 14 + 10), (udp, 14 + 19), (udp, 14 + 20), (udp, 14 + 24)]
    out += [(eth(ip4(ICMP_ECHO)), 14 + 20), (eth(ip4(ICMP_ECHO, RA)), 14 + 22)]
    # Options cut: after the router alert's code byte, after its length byte, inside a
    # record route (the header is 32 bytes), and just before the last option byte.
    out += [(opts, 14 + 21), (opts, 14 + 22), (opts, 14 + 28), (opts, 14 + 31)]
    inner = eth(ip4(ICMP_ECHO))
    inner_opts = eth(ip4(ICMP_ECHO, RA))
    vx = vxlan(inner)
    out += [(vx, 50 + 14), (vx, 50 + 15), (vx, 50 + 14 + 12), (vx, 50 + 14 + 20)]
    out += [(vxlan(inner_opts), 50 + 14 + 21), (vxlan(inner_opts), 50 + 14 + 22)]
    ipip = eth(ip4(Raw(ip4(UDP_DATA, src="10.30.0.1", dst="10.30.0.2")), proto=4))
    out += [(ipip, 34 + 8), (ipip, 34)]
    # Total length 0 (TSO / BIG TCP senders), smaller than the header, larger than the frame.
    for payload in (UDP_DATA, TCP_SEG, ICMP_ECHO):
        out.append((eth(ip4(payload, len=0)), 0))
    out.append((vxlan(eth(ip4(ICMP_ECHO, len=0))), 0))
    out.append((eth(ip4(UDP_DATA, len=12)), 0))
    out.append((eth(ip4(UDP_DATA, RA, len=22)), 0))
    out.append((eth(ip4(UDP_DATA, len=200)), 0))
    # Header length below 20 (IHL 4 and 0); versions 6, 5 and 0 under ethertype IPv4.
    for vhl in (0x44, 0x40, 0x65, 0x55, 0x05):
        out.append((ipsum(patch(eth(ip4(UDP_DATA)), 14, bytes([vhl]))), 0))
    # IPv6 cut the same ways (plain and in VXLAN), and with an extension header but a
    # payload length of 0, or shorter than the extension header.
    v6 = eth(IPv6(src="fd00:20::1", dst="fd00:20::2") / UDP_DATA)
    out += [(v6, 14), (v6, 14 + 20), (vxlan(v6), 50 + 14 + 30)]
    for plen in (0, 4):
        out.append((eth(IPv6(src="fd00:20::1", dst="fd00:20::2", plen=plen) / IPv6ExtHdrDestOpt() / UDP_DATA), 0))
    # Hop-by-hop and destination options cut by the capture; routing headers of types 0, 2, 4,
    # an unknown type and an odd length.
    for hbh_plen in (None, 0):
        hbh = eth(IPv6(src="fd00:20::1", dst="fd00:20::2", plen=hbh_plen) / IPv6ExtHdrHopByHop() / UDP_DATA)
        out.append((hbh, 14 + 40 + 4))
    out.append((eth(IPv6(src="fd00:20::1", dst="fd00:20::2") / IPv6ExtHdrDestOpt() / UDP_DATA), 14 + 40 + 6))
    seg = bytes.fromhex("fd000020000000000000000000000009")
    for rtype, rsv, nseg in ((0, 0, 2), (2, 0, 2), (4, 0x01000000 | 0x00800000 | 7, 2), (0, 5, 1), (9, 0, 0)):
        rt = bytes([17, 2 * nseg, rtype, nseg]) + struct.pack("!I", rsv) + seg * nseg
        out.append((eth(IPv6(src="fd00:20::1", dst="fd00:20::2", nh=43) / Raw(rt + bytes(UDP_DATA))), 0))
    rt = bytes([17, 3, 0, 1]) + bytes(4) + seg * 2
    out.append((eth(IPv6(src="fd00:20::1", dst="fd00:20::2", nh=43) / Raw(rt + bytes(UDP_DATA))), 0))
    return [(f, c) for f, c in out]


def option_frames() -> list[tuple[bytes, int]]:
    """Every option tcpdump names, good and bad, and transport checksums over a source route."""
    a, b, c = addr("10.9.0.1"), addr("10.9.0.2"), addr("10.9.0.3")
    options = [
        RA, bytes([148, 4, 0, 5]), bytes([148, 3, 0, 1]), bytes([1, 1, 1, 0]), bytes([0, 7, 7, 7]),
        ts_opt(0x00, 9, [struct.pack("!I", 1000), struct.pack("!I", 2000)]),
        ts_opt(0x31, 21, [a + struct.pack("!I", 1), b + struct.pack("!I", 2)]),
        ts_opt(0x03, 5, [a + struct.pack("!I", 0), b + struct.pack("!I", 0)]),
        ts_opt(0x02, 5, [struct.pack("!I", 7)]) + bytes([1, 1, 1, 1]),
        bytes([68, 3, 4, 1]), ts_opt(0x00, 5, [b"\0\0"]) + bytes(2), ts_opt(0x00, 0, [struct.pack("!I", 9)]),
        ts_opt(0x01, 6, [a + struct.pack("!I", 3)]), ts_opt(0xF0, 13, [struct.pack("!I", 1), struct.pack("!I", 2)]),
        bytes([7, 11, 4]) + a + b + NOP, bytes([131, 11, 12]) + a + b + NOP, bytes([137, 11, 0]) + a + b + NOP,
        bytes([7, 11, 9]) + a + b + NOP, bytes([7, 7, 5]) + a + NOP,
        bytes([7, 6, 4]) + a[:3] + NOP + NOP, bytes([7, 2, 4, 1]),
        bytes([130, 11]) + bytes(9) + bytes([1]), bytes([82, 12, 0, 1]) + bytes(8),
        bytes([25, 4, 1, 2]), bytes([200, 6, 1, 2, 3, 4, 1, 1]), bytes([7, 1, 0, 0]), bytes([7, 0, 0, 0]),
        bytes([7, 40, 4, 0]), bytes([1, 148, 8, 0]),
        NOP + RA + bytes([7, 15, 8]) + a + b + c + ts_opt(0x00, 5, [bytes(4), bytes(4)]),
    ]
    out = [(eth(ip4(ICMP_ECHO, o)), 0) for o in options]
    # UDP and TCP checksums with a loose / strict source route: tcpdump's pseudo-header uses
    # the route's final address, a record route does not count.
    for route in (bytes([131, 11, 4]) + a + c + NOP, bytes([137, 7, 4]) + c + NOP, bytes([7, 7, 4]) + c + NOP):
        final = "10.9.0.3" if route[0] != 7 else None
        out.append((eth(ip4(UDP(sport=40000, dport=9999) / Raw(b"routed"), route, final)), 0))
        out.append((eth(ip4(TCP(sport=40001, dport=9999, flags="A", seq=1, ack=1) / Raw(b"routed"), route, final)), 0))
    return out


def misc_frames() -> list[tuple[bytes, int]]:
    """Fragments, checksums, TTL/ECN, protocols without printers, IPComp."""
    out: list[tuple[bytes, int]] = []
    big = UDP(sport=40000, dport=9999, len=1008) / Raw(b"first fragment")
    out.append((eth(ip4(big, flags="MF")), 0))
    out.append((eth(ip4(Raw(b"middle fragment bytes"), flags="MF", frag=185, proto=17)), 0))
    out.append((eth(ip4(Raw(b"last"), frag=370, proto=1)), 0))
    out.append((eth(ip4(ICMP_ECHO, flags="MF+DF+evil")), 0))
    out.append((eth(ip4(Raw(b"x" * 8), flags="DF+evil", frag=1, proto=253)), 0))
    out.append((eth(ip4(UDP_DATA, flags="evil")), 0))
    out.append((vxlan(eth(ip4(Raw(b"inner fragment"), flags="MF", frag=100, proto=6))), 0))
    # Bad header checksums (plain and with options), TTL 0, the ECN bits.
    out.append((eth(ip4(UDP_DATA, chksum=0xBEEF)), 0))
    out.append((eth(ip4(ICMP_ECHO, RA, chksum=0)), 0))
    out.append((eth(ip4(UDP_DATA, ttl=0, tos=0xB9)), 0))
    out.append((eth(ip4(UDP_DATA, tos=0x02)), 0))
    out.append((eth(ip4(UDP_DATA, tos=0x03)), 0))
    # Protocols: ND (77), Ethernet (143) and ICMPv6 (58) in IPv4, no next header, unknown.
    for proto in (77, 143, 58, 59, 253, 255):
        out.append((eth(ip4(Raw(b"\0" * 12), proto=proto)), 0))
    # IPComp: whole, cut inside the CPI, over IPv6, inside VXLAN.
    comp = struct.pack("!BBH", 4, 0, 0x1234) + b"\x78\x9c compressed"
    out.append((eth(ip4(Raw(comp), proto=108)), 0))
    out.append((eth(ip4(Raw(comp), proto=108)), 14 + 20 + 3))
    out.append((eth(IPv6(src="fd00:20::1", dst="fd00:20::2", nh=108) / Raw(struct.pack("!BBH", 41, 0, 0xFFFF))), 0))
    out.append((vxlan(eth(ip4(Raw(struct.pack("!BBH", 6, 1, 0x0100)), proto=108))), 0))
    # Ethernet (143) over IPv6 carries a whole frame.
    out.append((eth(IPv6(src="fd00:20::1", dst="fd00:20::2", nh=143) / Ether(src=MAC_B, dst=MAC_A)
                    / IP(src="10.40.0.1", dst="10.40.0.2") / ICMP_ECHO), 0))
    return out


def syslog_frames() -> list[tuple[bytes, int]]:
    """Syslog on UDP 514 as tcpdump's print-syslog.c decodes it."""
    out = [
        (syslog(b"<13>Nov 29 07:33:17 host1 app[42]: started"), 0),
        (syslog(b"<165>1 2026-11-29T07:33:17Z host2 app - ID47 - hello", sport=514, dport=40514), 0),
        (syslog(b"<0>kernel panic"), 0), (syslog(b"<191>last facility"), 0), (syslog(b"<7>"), 0),
        (syslog(b"<999>out of range"), 0), (syslog(b"<1234>four digits"), 0), (syslog(b"no priority"), 0),
        (syslog(b"<>empty priority"), 0), (syslog(b"<13x"), 0), (syslog(b"<0013>zero padded"), 0),
        (syslog(b"<14>tab\there, nul\0, bell\a, del\x7f, high \xe9\xff\r\n"), 0),
        (syslog(b""), 0),
    ]
    cut = syslog(b"<86>Nov 29 07:33:17 host1 sshd[7]: a message cut by the snapshot length")
    out += [(cut, 42 + 2), (cut, 42 + 4), (cut, 42 + 30)]
    out.append((eth(IPv6(src="fd00:20::1", dst="fd00:20::2") / UDP(sport=40514, dport=514)
                    / Raw(b"<30>over ipv6")), 0))
    out.append((vxlan(syslog(b"<38>inside the tunnel")), 0))
    # VXLAN with port 514 on either side: tcpdump's port order tries syslog first.
    ping = eth(ip4(ICMP_ECHO))
    out += [(vxlan(ping, sport=514), 0), (vxlan(ping, sport=4789, dport=514), 0)]
    out.append((vxlan(ping, sport=514, dport=53), 0))
    return out


def bcm_li_frames() -> list[tuple[bytes, int]]:
    """UDP source port 49152: tcpdump's BCM-LI shim printer runs before VXLAN (print-bcm-li.c)."""
    ping = eth(ip4(ICMP_ECHO))
    out = [(vxlan(ping, sport=49152), 0), (vxlan(ping, sport=49153), 0), (vxlan(ping, sport=4789, dport=49152), 0)]

    def shim(direction: int, kind: int, subtype: int, li_id: int, payload: bytes) -> bytes:
        word = (direction << 29) | (kind << 25) | (subtype << 22) | li_id
        return eth(ip4(UDP(sport=49152, dport=40000) / Raw(struct.pack("!I", word) + payload)))

    out += [(shim(2, 7, 3, 77, ping), 0), (shim(3, 5, 1, 1, ip4(ICMP_ECHO)), 0),
            (shim(1, 6, 2, 0x3FFFFF, bytes(IPv6(src="fd00:20::1", dst="fd00:20::2") / ICMP_ECHO)), 0),
            (shim(0, 4, 0, 5, ip4(ICMP_ECHO)), 0), (shim(7, 4, 7, 6, b"\x10junk"), 0),
            (shim(2, 15, 3, 9, b"payload"), 0), (shim(2, 7, 3, 77, ping), 42 + 6),
            (eth(ip4(UDP(sport=49152, dport=40000) / Raw(b"\x01\x02"))), 0)]
    return out


def frames() -> list[tuple[bytes, int]]:
    """Every edge frame with its captured length (0: the whole frame)."""
    return truncation_frames() + option_frames() + misc_frames() + syslog_frames() + bcm_li_frames()


if __name__ == "__main__":
    from edge_pcap import write_frames_pcap

    print(f"ip_edge_frames: {OUT.relative_to(ROOT)}: {write_frames_pcap(OUT, frames())} frames")
