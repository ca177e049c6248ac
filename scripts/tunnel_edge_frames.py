"""Crafted Geneve, VXLAN-GPE, GRE/NVGRE, ESP and MPLS frames for captures/basic/tunnel-edges.pcap
(``make-captures.py tunnel-edges``).

Also runs on its own, without root: ``python3 scripts/tunnel_edge_frames.py``. This kernel
has no ``geneve`` device type, so Geneve (UDP 6081, RFC 8926) is only crafted here: Ethernet
(TEB), IPv4 and IPv6 payloads, the O and C flags, a reserved byte, options of every class
tcpdump names (with and without data, the critical type bit, an option longer than the
option area), an unknown version, an unknown protocol type, and captures cut inside the
header and inside the options. VXLAN-GPE (UDP 4790) is crafted with every next protocol
tcpdump's printer knows that we decode (IPv4, IPv6, Ethernet), an unknown one, flags, and a
header cut short. GRE (IP protocol 47; this kernel has no gre/gretap device either) is
crafted as version 0 with checksum, key, sequence and RFC 1701 routing entries (good and
bad), as NVGRE (TEB payload, key = VSID and flow id), as version 1 (PPTP) without a PPP
payload, with an unknown version, and cut inside every optional word. ESP (IP protocol 50)
and ESP in UDP 4500 (with the NAT keepalive) come whole and cut; MPLS label stacks on
Ethernet and inside GRE, Geneve and VXLAN-GPE, with every payload guess. Headers are packed
field by field with struct, independently of the tool's own layouts (drawn in
vxlan_inspect/decode/tunnels.py and render/tcpdump/gre.py); the outer and inner packets are
built with scapy. Payloads the tool does not decode yet (NSH, PPP, OSI) are left out.
The expected text of every golden on it comes from real tcpdump (scripts/make-goldens.py).
"""

from __future__ import annotations

import struct
from pathlib import Path

from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
from scapy.layers.l2 import ARP, Ether
from scapy.packet import Raw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "captures" / "basic" / "tunnel-edges.pcap"

GENEVE_PORT = 6081
GPE_PORT = 4790


def outer(payload: bytes, dport: int, sport: int = 51234) -> bytes:
    """An underlay Ethernet/IPv4/UDP frame between two hosts carrying ``payload``."""
    return bytes(Ether(dst="02:42:c0:a8:01:05", src="02:42:c0:a8:01:04")
                 / IP(src="192.168.1.4", dst="192.168.1.5", id=7, flags="DF")
                 / UDP(sport=sport, dport=dport) / Raw(payload))


def geneve(vni: int, proto: int, opts: bytes = b"", flags: int = 0, version: int = 0, rsvd: int = 0,
           opt_words: int | None = None) -> bytes:
    """A Geneve header; ``opt_words`` overrides the option length field (4-byte words)."""
    words = len(opts) // 4 if opt_words is None else opt_words
    fixed = struct.pack("!BBHI", (version << 6) | (words & 0x3F), flags, proto, (vni << 8) | rsvd)
    return fixed + opts


def gopt(cls: int, typ: int, data: bytes = b"", length_words: int | None = None) -> bytes:
    """A Geneve option (class, type, 5-bit length in words, data)."""
    words = len(data) // 4 if length_words is None else length_words
    return struct.pack("!HBB", cls, typ, words & 0x1F) + data


def gpe(vni: int, next_proto: int, flags: int = 0x0C) -> bytes:
    """A VXLAN-GPE header (flags, reserved, next protocol, VNI, reserved)."""
    return struct.pack("!BHB", flags, 0, next_proto) + struct.pack("!I", vni << 8)


def outer_gre(payload: bytes, proto: int = 47) -> bytes:
    """An underlay Ethernet/IPv4 frame with protocol 47 (GRE, or ``proto``) carrying ``payload``."""
    return bytes(Ether(dst="02:42:c0:a8:01:05", src="02:42:c0:a8:01:04")
                 / IP(src="192.168.1.4", dst="192.168.1.5", id=8, proto=proto) / Raw(payload))


def gre(proto: int, flags: int = 0, version: int = 0, csum: int | None = None, key: int | None = None,
        seq: int | None = None, ack: int | None = None, routing: bytes = b"", offset: int = 0) -> bytes:
    """A GRE header: the flag bits for the optional words given are set, ``flags`` adds others."""
    bits = flags
    words = b""
    if csum is not None or routing:
        bits |= 0x8000 if csum is not None else 0
        words += struct.pack("!HH", csum or 0, offset)
    if routing:
        bits |= 0x4000
    if key is not None:
        bits |= 0x2000
        words += struct.pack("!I", key)
    if seq is not None:
        bits |= 0x1000
        words += struct.pack("!I", seq)
    if ack is not None:
        bits |= 0x0080
        words += struct.pack("!I", ack)
    return struct.pack("!HH", bits | version, proto) + words + routing


def sre(af: int, offset: int, data: bytes, length: int | None = None) -> bytes:
    """A GRE source route entry (RFC 1701)."""
    return struct.pack("!HBB", af, offset, len(data) if length is None else length) + data


def frames() -> list[tuple[bytes, int]]:
    """(frame, caplen) pairs; caplen 0 means the whole frame was captured."""
    inner_eth = bytes(Ether(dst="02:42:0a:00:00:03", src="02:42:0a:00:00:02")
                      / IP(src="10.0.0.2", dst="10.0.0.3", id=1) / ICMP(id=9, seq=1) / Raw(b"overlay"))
    inner_arp = bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src="02:42:0a:00:00:02") / ARP(psrc="10.0.0.2", pdst="10.0.0.3"))
    inner_ip = bytes(IP(src="10.1.0.2", dst="10.1.0.3", id=2) / ICMP(id=9, seq=2) / Raw(b"routed"))
    inner_ip6 = bytes(IPv6(src="fd00::2", dst="fd00::3") / ICMPv6EchoRequest(id=9, seq=3) / Raw(b"v6"))
    opts_all = (gopt(0x0100, 0x01, bytes.fromhex("0000abcd")) + gopt(0x0101, 0x80)
                + gopt(0x0102, 0x02, bytes.fromhex("00010002deadbeef")) + gopt(0x0103, 0x03)
                + gopt(0x0104, 0x04, bytes.fromhex("01020304")) + gopt(0x0001, 0x05)
                + gopt(0xFFF1, 0x06) + gopt(0x2000, 0x07))
    out: list[tuple[bytes, int]] = [
        # Geneve: Ethernet (TEB) payloads, VNI 500 (Cilium/OVN style), ARP inside.
        (outer(geneve(500, 0x6558) + inner_eth, GENEVE_PORT), 0),
        (outer(geneve(500, 0x6558) + inner_arp, GENEVE_PORT), 0),
        # IPv4 and IPv6 payloads (protocol type 0x0800, 0x86dd), source port 6081 instead.
        (outer(geneve(0x1F4, 0x0800) + inner_ip, 60000, sport=GENEVE_PORT), 0),
        (outer(geneve(7, 0x86DD) + inner_ip6, GENEVE_PORT), 0),
        # Flags O, C, both, and reserved bits; a non-zero reserved byte.
        (outer(geneve(1, 0x6558, flags=0x80) + inner_eth, GENEVE_PORT), 0),
        (outer(geneve(1, 0x6558, flags=0xC0) + inner_eth, GENEVE_PORT), 0),
        (outer(geneve(1, 0x6558, flags=0x3F) + inner_eth, GENEVE_PORT), 0),
        (outer(geneve(0xFFFFFF, 0x6558, rsvd=0x5A) + inner_eth, GENEVE_PORT), 0),
        # Options: one of each class name, with and without data, the critical type bit.
        (outer(geneve(500, 0x6558, opts_all) + inner_eth, GENEVE_PORT), 0),
        # An option whose length runs past the option area ([bad length]).
        (outer(geneve(500, 0x6558, gopt(0x0102, 1, bytes(4), length_words=3)) + inner_eth, GENEVE_PORT), 0),
        # Option length larger than the datagram (truncated-geneve - N bytes missing).
        (outer(geneve(500, 0x6558, opt_words=40) + bytes(8), GENEVE_PORT), 0),
        # Unknown version; unknown protocol type.
        (outer(geneve(500, 0x6558, version=1) + inner_eth, GENEVE_PORT), 0),
        (outer(geneve(500, 0x1234) + b"opaque payload", GENEVE_PORT), 0),
        # Cut short: inside the fixed header, inside the options, inside the inner frame.
        (outer(geneve(500, 0x6558, opts_all) + inner_eth, GENEVE_PORT), 42 + 5),
        (outer(geneve(500, 0x6558, opts_all) + inner_eth, GENEVE_PORT), 42 + 8 + 20),
        (outer(geneve(500, 0x6558) + inner_eth, GENEVE_PORT), 42 + 8 + 20),
        # A datagram too short for the header (UDP length says 4 bytes of payload).
        (outer(b"\0\0\x65\x58", GENEVE_PORT), 0),
        # VXLAN-GPE: IPv4, IPv6, Ethernet, an unknown next protocol; flags I only, O, none.
        (outer(gpe(400, 1) + inner_ip, GPE_PORT), 0),
        (outer(gpe(400, 2) + inner_ip6, GPE_PORT), 0),
        (outer(gpe(400, 3) + inner_eth, GPE_PORT), 0),
        (outer(gpe(400, 3) + inner_arp, GPE_PORT, sport=GPE_PORT), 0),
        (outer(gpe(400, 0x77) + b"unknown", GPE_PORT), 0),
        (outer(gpe(16777215, 1, flags=0x08) + inner_ip, GPE_PORT), 0),
        (outer(gpe(1, 1, flags=0x0D) + inner_ip, GPE_PORT), 0),
        (outer(gpe(1, 1, flags=0x00) + inner_ip, GPE_PORT), 0),
        # Cut short: inside the header; too short a datagram; inside the inner packet.
        (outer(gpe(400, 1) + inner_ip, GPE_PORT), 42 + 5),
        (outer(gpe(400, 1) + inner_ip, GPE_PORT), 42 + 7),
        (outer(b"\x0c\0\0\x01", GPE_PORT), 0),
        (outer(gpe(400, 1) + inner_ip, GPE_PORT), 42 + 8 + 10),
    ]
    ip4 = bytes.fromhex("0a000001") + bytes.fromhex("0a000002")
    routed = sre(0x0800, 4, ip4) + sre(0xFFFE, 2, bytes.fromhex("fde8fde9")) + sre(0x1234, 0, b"") + sre(0, 0, b"")
    gre_frames: list[tuple[bytes, int]] = [
        # GRE v0: plain IPv4 and IPv6 payloads; checksum + key + sequence; NVGRE (TEB, key =
        # VSID 0xabcd << 8 | flow id 0x01) with IPv4 and ARP inside; an unknown protocol.
        (outer_gre(gre(0x0800) + inner_ip), 0),
        (outer_gre(gre(0x86DD) + inner_ip6), 0),
        (outer_gre(gre(0x0800, csum=0x1234, key=42, seq=7) + inner_ip), 0),
        (outer_gre(gre(0x6558, key=0xABCD01) + inner_eth), 0),
        (outer_gre(gre(0x6558, key=0xABCD01, seq=1) + inner_arp), 0),
        (outer_gre(gre(0x1234, key=5) + b"opaque"), 0),
        # Flag bits tcpdump names but nothing uses: source routing, ack, recursion count.
        (outer_gre(gre(0x0800, flags=0x0800 | 0x0080 | 0x0300) + inner_ip), 0),
        # Routing present: an IP entry (current hop marked), an ASN entry, an unknown family, the end.
        (outer_gre(gre(0x0800, routing=routed, offset=4) + inner_ip), 0),
        # Bad routing entries: IP offset not a multiple of 4, length not a multiple of 4, offset
        # past the length; an ASN offset that is odd.
        (outer_gre(gre(0x0800, routing=sre(0x0800, 2, ip4) + sre(0, 0, b"")) + inner_ip), 0),
        (outer_gre(gre(0x0800, routing=sre(0x0800, 0, ip4, length=6) + ip4 + sre(0, 0, b""))), 0),
        (outer_gre(gre(0x0800, routing=sre(0x0800, 8, ip4) + sre(0, 0, b"")) + inner_ip), 0),
        (outer_gre(gre(0x0800, routing=sre(0xFFFE, 1, b"\0\1\0\2") + sre(0, 0, b"")) + inner_ip), 0),
        # A routing entry longer than the packet (no terminator): cut.
        (outer_gre(gre(0x0800, routing=sre(0x0800, 0, ip4, length=32))), 0),
        # GRE v1 (PPTP): an acknowledgment only (no payload); seq + ack with a non-PPP protocol.
        (outer_gre(gre(0x880B, version=1, key=(0 << 16) | 0x1F, ack=9)), 0),
        (outer_gre(gre(0x1234, version=1, key=(6 << 16) | 0x1F, seq=3, ack=2) + b"abcdef"), 0),
        # Unknown version 2.
        (outer_gre(gre(0x0800, version=2) + inner_ip), 0),
        # Cut: inside the flags, inside the protocol, inside the key, inside the sequence, inside
        # the inner IP header; an IP payload of 1 byte.
        (outer_gre(gre(0x6558, key=0xABCD01, seq=1) + inner_eth), 34 + 1),
        (outer_gre(gre(0x6558, key=0xABCD01, seq=1) + inner_eth), 34 + 3),
        (outer_gre(gre(0x6558, key=0xABCD01, seq=1) + inner_eth), 34 + 6),
        (outer_gre(gre(0x6558, key=0xABCD01, seq=1) + inner_eth), 34 + 10),
        (outer_gre(gre(0x0800, csum=0, key=1) + inner_ip), 34 + 12 + 8),
        (outer_gre(b"\0"), 0),
    ]
    esp = struct.pack("!II", 0x1234ABCD, 1) + bytes(range(40))
    esp_frames: list[tuple[bytes, int]] = [
        # ESP (IP protocol 50): a whole packet; cut after 8 bytes (tcpdump wants more); cut at 4.
        (outer_gre(esp, proto=50), 0),
        (outer_gre(esp, proto=50), 34 + 8),
        (outer_gre(esp, proto=50), 34 + 9),
        (outer_gre(esp, proto=50), 34 + 4),
        # ESP in UDP 4500: ESP, the NAT keepalive (0xff), a datagram shorter than 4 bytes, ESP
        # whose header is cut, and from source port 4500 to 4500.
        (outer(esp, 4500), 0),
        (outer(b"\xff", 4500, sport=4500), 0),
        (outer(b"\x01\x02", 4500), 0),
        (outer(esp, 4500), 42 + 6),
    ]
    def lse(label: int, ttl: int = 64, tc: int = 0, bottom: bool = False) -> bytes:
        return struct.pack("!I", (label << 12) | (tc << 9) | (0x100 if bottom else 0) | ttl)

    def eth_mpls(stack: bytes, etype: int = 0x8847) -> bytes:
        return bytes(Ether(dst="02:42:c0:a8:01:05", src="02:42:c0:a8:01:04", type=etype)) + stack

    mpls_frames: list[tuple[bytes, int]] = [
        # MPLS on Ethernet: one label, IPv4 guessed from the first payload byte; two labels with
        # IPv4 explicit NULL at the bottom; IPv6 explicit NULL; implicit NULL; router alert and
        # a guess of IPv6; an unguessable payload (hex dump); multicast MPLS (0x8848).
        (eth_mpls(lse(100, bottom=True) + inner_ip), 0),
        (eth_mpls(lse(16, tc=5) + lse(0, ttl=63, bottom=True) + inner_ip), 0),
        (eth_mpls(lse(2, bottom=True) + inner_ip6), 0),
        (eth_mpls(lse(3, bottom=True) + inner_ip), 0),
        (eth_mpls(lse(1) + lse(2000, bottom=True) + inner_ip6), 0),
        (eth_mpls(lse(1000, bottom=True) + b"\x11opaque payload bytes"), 0),
        (eth_mpls(lse(1000, bottom=True)), 0),
        (eth_mpls(lse(20, bottom=True) + inner_ip, etype=0x8848), 0),
        # A stack whose bottom is never marked (invalid), and one cut inside a label entry.
        (eth_mpls(lse(16) + lse(17)), 0),
        (eth_mpls(lse(16) + lse(17, bottom=True) + inner_ip), 14 + 6),
        # MPLS inside GRE, Geneve and VXLAN-GPE (next protocol 5, which tcpdump 4.99.3 calls unknown).
        (outer_gre(gre(0x8847, key=9) + lse(300, bottom=True) + inner_ip), 0),
        (outer(geneve(500, 0x8847) + lse(301, bottom=True) + inner_ip, GENEVE_PORT), 0),
        (outer(gpe(400, 5) + lse(302, bottom=True) + inner_ip, GPE_PORT), 0),
    ]
    return out + gre_frames + esp_frames + mpls_frames


if __name__ == "__main__":
    from edge_pcap import write_frames_pcap

    print(f"tunnel_edge_frames: {OUT.relative_to(ROOT)}: {write_frames_pcap(OUT, frames())} frames")
