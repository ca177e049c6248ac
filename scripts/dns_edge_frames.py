"""Crafted DNS frames for captures/basic/dns-edges.pcap (made by ``make-captures.py dns-edges``).

Synthetic input for the cases real traffic rarely shows: compression pointers that loop or
point forward, names and records cut by the snapshot length, multicast DNS, odd opcodes,
rcodes and flags, rare record types, every EDNS option tcpdump decodes, bad labels, DNS over
TCP framing errors, LLMNR (which tcpdump 4.99.3 does not decode) and DNS inside VXLAN. The
expected text for them still comes from real tcpdump (scripts/make-goldens.py). Each frame
is (bytes, captured length); timestamps are fixed so the file is the same on every run.
"""

from __future__ import annotations

import struct

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether
from scapy.layers.vxlan import VXLAN
from scapy.packet import Packet, Raw

CLIENT, SERVER = "192.168.10.2", "192.168.10.100"
MAC_C, MAC_S = "02:42:c0:a8:0a:02", "02:42:c0:a8:0a:64"


def hdr(ident: int, flags: int, qd: int = 1, an: int = 0, ns: int = 0, ar: int = 0) -> bytes:
    return struct.pack("!HHHHHH", ident, flags, qd, an, ns, ar)


def name(text: str) -> bytes:
    out = b"".join(bytes([len(lab)]) + lab.encode("latin-1") for lab in text.strip(".").split(".") if lab)
    return out + b"\0"


def ptr(offset: int) -> bytes:
    return struct.pack("!H", 0xC000 | offset)


def q(qname: bytes, qtype: int = 1, qclass: int = 1) -> bytes:
    return qname + struct.pack("!HH", qtype, qclass)


def rr(owner: bytes, rtype: int, rdata: bytes, ttl: int = 300, rclass: int = 1) -> bytes:
    return owner + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def opt(options: bytes = b"", size: int = 1232, ext_rcode: int = 0, do: bool = False) -> bytes:
    return b"\0" + struct.pack("!HHBBHH", 41, size, ext_rcode, 0, 0x8000 if do else 0, len(options)) + options


def eopt(code: int, data: bytes) -> bytes:
    return struct.pack("!HH", code, len(data)) + data


def udp4(payload: bytes, sport: int = 40000, dport: int = 53, src: str = CLIENT, dst: str = SERVER) -> Packet:
    return Ether(src=MAC_C, dst=MAC_S) / IP(src=src, dst=dst, id=1, flags="DF") / UDP(sport=sport, dport=dport) / Raw(
        payload)


def reply4(payload: bytes, dport: int = 40000) -> Packet:
    return udp4(payload, sport=53, dport=dport, src=SERVER, dst=CLIENT)


def tcp4(payload: bytes, sport: int = 40001, dport: int = 53) -> Packet:
    return Ether(src=MAC_C, dst=MAC_S) / IP(src=CLIENT, dst=SERVER, id=1, flags="DF") / TCP(
        sport=sport, dport=dport, flags="PA", seq=1000, ack=2000, window=502) / Raw(payload)


QUERY = hdr(0x1234, 0x0100) + q(name("web.overlay.test"))
ANSWER = (hdr(0x1234, 0x8580, 1, 1) + q(name("web.overlay.test"))
          + rr(ptr(12), 1, bytes([192, 168, 10, 100])))


def frames() -> list[tuple[bytes, int]]:
    """Every edge frame, with its captured length (shorter than the frame where it is cut)."""
    out: list[tuple[bytes, int]] = []

    def add(pkt: Packet, cut: int | None = None) -> None:
        raw = bytes(pkt)
        out.append((raw, len(raw) if cut is None else cut))

    dns0 = 42  # Ether + IPv4 + UDP: where the DNS message starts
    # Compression pointers: to itself, forward, a valid chain of two hops, a loop between names.
    add(udp4(hdr(1, 0x0100) + ptr(12) + struct.pack("!HH", 1, 1)))
    add(udp4(hdr(2, 0x0100) + ptr(20) + struct.pack("!HH", 1, 1) + b"\0" * 8 + name("x.test")))
    chain = hdr(3, 0x8180, 1, 2) + q(name("web.overlay.test"))  # qname at 12, overlay.test at 16
    chain += rr(b"\x03www" + ptr(12), 5, ptr(34)) + rr(ptr(34), 1, bytes([192, 168, 10, 100]))
    add(reply4(chain))
    loop = hdr(4, 0x8180, 1, 1) + q(b"\x01a" + ptr(12)) + rr(b"\x01b" + ptr(20), 1, bytes(4))
    add(reply4(loop))
    # Cut by the snapshot length: inside the question name, inside the header, inside an
    # answer's data, inside an answer's fixed part (once with more answers announced).
    add(udp4(QUERY), dns0 + 16)
    add(udp4(QUERY), dns0 + 7)
    add(reply4(ANSWER), len(reply4(ANSWER)) - 2)
    add(reply4(ANSWER), dns0 + len(ANSWER) - 8)
    add(reply4(hdr(0x1234, 0x8580, 1, 3) + ANSWER[12:]))  # 3 answers announced, 1 present
    add(reply4(hdr(0x1234, 0x8580, 1, 2) + ANSWER[12:]), dns0 + len(ANSWER) - 8)
    add(udp4(b"\x12\x34\x01\x00\x00"))  # shorter than a header
    # Multicast DNS: a query with QM and QU questions and a known answer, a response with
    # cache-flush records, the same over IPv6; LLMNR (5355) stays plain UDP for 4.99.3.
    mq = (hdr(0, 0, 2, 1) + q(name("_http._tcp.local"), 12) + q(name("web.local"), 1, 0x8001)
          + rr(ptr(12), 12, b"\x03old" + ptr(12), ttl=4500))
    add(Ether(src=MAC_C, dst="01:00:5e:00:00:fb") / IP(src=CLIENT, dst="224.0.0.251", ttl=255)
        / UDP(sport=5353, dport=5353) / Raw(mq))
    mr = hdr(0, 0x8400, 0, 4, 0, 1) + rr(name("_http._tcp.local"), 12, b"\x03web" + ptr(12), ttl=4500)
    mr += rr(ptr(40), 33, struct.pack("!HHH", 0, 0, 80) + name("web.local"), ttl=120, rclass=0x8001)
    mr += rr(ptr(40), 16, b"\x07path=/\x00", ttl=4500, rclass=0x8001)
    mr += rr(ptr(64), 1, bytes([192, 168, 10, 100]), ttl=120, rclass=0x8001)
    mr += rr(ptr(64), 47, ptr(64) + b"\x00\x04\x40\x00\x00\x08", ttl=120, rclass=0x8001)
    add(Ether(src=MAC_S, dst="01:00:5e:00:00:fb") / IP(src=SERVER, dst="224.0.0.251", ttl=255)
        / UDP(sport=5353, dport=5353) / Raw(mr))
    add(Ether(src=MAC_C, dst="33:33:00:00:00:fb") / IPv6(src="fd00:10::2", dst="ff02::fb", hlim=255)
        / UDP(sport=5353, dport=5353) / Raw(mq))
    add(udp4(QUERY, sport=40002, dport=5355, dst="224.0.0.252"))
    # Types, classes, opcodes, flags and rcodes.
    add(udp4(hdr(5, 0x0110) + q(name("version.bind"), 16, 3)))  # CHAOS TXT, CD flag
    add(udp4(hdr(6, 0x0100) + q(name("."), 255, 255)))  # ANY? . in class ANY
    add(reply4(hdr(7, 0x81A0, 1, 1) + q(name("svc.test"), 65, 7)
               + rr(ptr(12), 65, b"\x00\x01\x00", rclass=7)))  # unknown type and class, AD flag
    add(udp4(hdr(8, 0x2400, 1, 1) + q(name("overlay.test"), 6)
             + rr(ptr(12), 6, name("ns1.test") + name("h.test") + struct.pack("!IIIII", 7, 1, 2, 3, 4))))
    add(udp4(hdr(9, 0x2800, 1, 0, 1, 0) + q(name("overlay.test"), 6) + rr(ptr(12), 1, bytes(4))))
    add(udp4(hdr(10, 0x0800, 0, 1) + rr(b"\0", 1, bytes([10, 0, 0, 1]))))  # inverse query
    add(udp4(hdr(11, 0x07CF, 1) + q(name("odd.test"))))  # AA, TC, Z and an rcode in a query
    add(reply4(hdr(12, 0x8581, 1, 0, 0, 1) + q(name("x.test")) + opt(ext_rcode=1)))  # rcode 17
    add(reply4(hdr(13, 0x8581, 1, 0, 0, 1) + q(name("x.test")) + opt(ext_rcode=5)))  # rcode 81
    add(reply4(hdr(14, 0x850F, 0, 0)))  # rcode 15, no question
    add(reply4(hdr(15, 0x8180, 2, 0) + q(name("a.test")) + q(name("b.test"))))
    # Rare record types, with TTLs for -vvv.
    rare = hdr(16, 0x8400, 1, 6) + q(name("rare.test"), 255)
    rare += rr(ptr(12), 38, b"\x40" + bytes(8) + name("pfx.test"), ttl=0)  # A6, 64-bit prefix
    rare += rr(ptr(12), 38, b"\x00" + bytes(15) + b"\x01", ttl=59)  # A6, whole address
    rare += rr(ptr(12), 256, struct.pack("!HH", 10, 1) + b"https://web.test/", ttl=3600)
    rare += rr(ptr(12), 104, b"free text", ttl=90061)
    rare += rr(ptr(12), 250, name("key.test") + bytes(6) + struct.pack("!HH", 300, 2) + b"\xaa\xbb"
               + struct.pack("!HHH", 16, 0, 0), ttl=0xFFFFFFFF, rclass=255)
    rare += rr(ptr(12), 15, b"\x00\x05" + ptr(12), ttl=31536000 + 604800 + 1)
    add(reply4(rare))
    # EDNS options.
    opts = (eopt(8, b"\x00\x02\x30\x00\xfd\x00\x00\x10\x00\x00") + eopt(8, b"\x00\x03\x00\x00")
            + eopt(8, b"\x00\x01\x18\x00\xc0\xa8") + eopt(10, b"\x01" * 5) + eopt(11, b"\x01\x2c")
            + eopt(11, b"\x01") + eopt(9, b"\x00\x00\x0e\x10") + eopt(12, bytes(10))
            + eopt(14, b"\x4f\x66\x00\x14") + eopt(14, b"\x01\x02\x03") + eopt(5, bytes([8, 13, 15, 99]))
            + eopt(6, bytes([1, 2, 9])) + eopt(7, bytes([1, 2])) + eopt(13, name("overlay.test"))
            + eopt(1, b"\x00\x01") + eopt(65001, b"\xde\xad") + eopt(15, b""))
    add(udp4(hdr(17, 0x0120, 1, 0, 0, 1) + q(name("web.overlay.test")) + opt(opts, 4096, do=True)))
    add(udp4(hdr(18, 0x0100, 1, 0, 0, 1) + q(name("web.overlay.test")) + opt(eopt(10, bytes(8)))[:-6]))
    # Labels: a bit-string label, an unknown extended label type, a reserved label type,
    # a name over 255 characters, bytes that are not printable, a dot inside a label.
    add(udp4(hdr(19, 0x0100) + b"\x41\x0c\xab\xc0\x04arpa\x00" + struct.pack("!HH", 12, 1)))
    add(reply4(hdr(20, 0x8180, 0, 1) + rr(b"\x42\x00", 1, bytes(4))))
    add(reply4(hdr(21, 0x8180, 0, 1) + rr(b"\x03abc\x80", 1, bytes(4))))
    add(udp4(hdr(22, 0x0100) + q(name(".".join(["x" * 63] * 5)))))
    add(udp4(hdr(23, 0x0100) + q(b"\x04a\x01\xffb\x05c.d e\x00")))
    # DNS over TCP: length prefix that does not match, one-byte payload, cut inside the prefix,
    # and from port 22, which tcpdump gives to its SSH printer first.
    add(tcp4(struct.pack("!H", 99) + QUERY))
    add(tcp4(b"\x00"))
    add(tcp4(struct.pack("!H", len(QUERY)) + QUERY), 54 + 1)
    add(tcp4(struct.pack("!H", len(QUERY)) + QUERY, sport=22))
    add(tcp4(struct.pack("!H", len(ANSWER)) + ANSWER, sport=53, dport=40001))
    # Port order: a DNS source port beats a VXLAN destination port.
    add(udp4(QUERY, sport=53, dport=4789))
    # DNS inside VXLAN, whole and cut inside the inner answer.
    inner = Ether(bytes(reply4(ANSWER)))
    outer = (Ether(src="02:00:c0:a8:01:04", dst="02:00:c0:a8:01:05") / IP(src="192.168.1.4", dst="192.168.1.5")
             / UDP(sport=47000, dport=4789) / VXLAN(vni=256, flags=0x08) / inner)
    add(outer)
    add(outer, len(bytes(outer)) - 3)
    return out
