"""The DNS printer (render/tcpdump/domain*.py): byte fixtures, hostile names, random bytes.

The goldens (tests/golden/cases, ``dns*``) compare whole captures with real tcpdump; these
tests pin a few messages byte by byte (texts as tcpdump 4.99.3 prints them) and check that
hostile or random input ends quickly, with no exception leaving the printer but Truncated
(which the packet printer turns into ``[|domain]``).
"""

from __future__ import annotations

import random
import struct
import time

from vxlan_inspect.render.tcpdump import Options, PacketFormatter
from vxlan_inspect.render.tcpdump.fastpath import format_fast

# A query for web.overlay.test A, recursion desired:
#   1234 0100 0001 0000 0000 0000   id 0x1234, flags RD, 1 question
#   03 'web' 07 'overlay' 04 'test' 00  0001 0001   web.overlay.test. A IN
QUERY = bytes.fromhex("123401000001000000000000" "03776562076f7665726c617904746573740000010001")
# Its answer: QR AA RD RA, the question, then one record whose owner is a pointer (c00c)
# to the question's name: type A, class IN, TTL 30, 4 bytes: 192.168.10.100.
ANSWER = bytes.fromhex("123485800001000100000000" "03776562076f7665726c617904746573740000010001"
                       "c00c000100010000001e0004c0a80a64")


def frame(dns: bytes, sport: int = 40000, dport: int = 53) -> bytes:
    """Ethernet / IPv4 / UDP around ``dns`` (checksums zero: not checked without -vv)."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(dns), 0) + dns
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, bytes([192, 168, 10, 2]),
                     bytes([192, 168, 10, 100])) + udp
    return bytes(6) + bytes(5) + b"\x01" + b"\x08\x00" + ip


def line(data: bytes, caplen: int | None = None, **opts: int) -> str:
    caplen = len(data) if caplen is None else caplen
    text = PacketFormatter(Options(tflag=1, **opts)).format(1, 0, 1, caplen, len(data), data[:caplen])
    return text.split(": ", 1)[1]


def test_query_and_answer() -> None:
    assert line(frame(QUERY)) == "4660+ A? web.overlay.test. (34)"
    assert line(frame(ANSWER, 53, 40000)) == "4660* 1/0/0 A 192.168.10.100 (50)"
    assert line(frame(ANSWER, 53, 40000), vflag=2).endswith(
        "4660* q: A? web.overlay.test. 1/0/0 web.overlay.test. A 192.168.10.100 (50)")
    assert line(frame(QUERY), qflag=1) == "UDP, length 34"


def test_cut_inside_the_answer_marks_the_message() -> None:
    data = frame(ANSWER, 53, 40000)
    assert line(data, len(data) - 2) == "4660* 1/0/0 A [|domain]"


def test_pointer_to_itself_is_a_bad_pointer() -> None:
    loop = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01"
    assert line(frame(loop)) == "1+ A? <BAD PTR> [|domain]"


def test_many_names_into_one_long_chain_stay_fast() -> None:
    """2000 records whose owner points into 16000 labels: one walk, not one per record."""
    chain = b"\x01a" * 16000 + b"\x00" + b"\x00\x01\x00\x01"
    n = 2000
    dns = struct.pack("!HHHHHH", 1, 0x8180, 1, n, 0, 0) + chain
    dns += (struct.pack("!H", 0xC00C) + struct.pack("!HHIH", 1, 1, 0, 4) + bytes(4)) * n
    started = time.perf_counter()
    text = line(frame(dns, 53, 40000), vflag=1)
    assert time.perf_counter() - started < 5
    assert text.count("<DOMAIN NAME TOO LONG>") == n + 0  # every owner name is too long
    assert text.endswith("A 0.0.0.0 (%u)" % len(dns))


def test_random_messages_end_cleanly() -> None:
    """Random and pointer-heavy bytes on ports 53 and 5353, cut anywhere: text, no exception."""
    rnd = random.Random(53)
    formatters = [PacketFormatter(Options(vflag=v)) for v in (0, 1, 2, 3)]
    for k in range(600):
        size = rnd.randrange(0, 300)
        body = bytearray(rnd.getrandbits(8) for _ in range(size))
        for _ in range(rnd.randrange(0, 8)):
            if body:
                body[rnd.randrange(len(body))] = rnd.choice((0xC0, 0xC1, 0x00, 0x3F, 0x40, 0x41, 0x80, 0x29))
        if k % 3 == 0:
            body[:12] = ANSWER[:12]
        data = frame(bytes(body), 53 if k % 2 else 5353, 40000)
        caplen = rnd.randrange(42, len(data) + 1)
        for fmt in formatters:
            text = fmt.format(k, 0, 1, caplen, len(data), data[:caplen])
            assert text


def test_fast_path_leaves_dns_ports_to_the_printers() -> None:
    """An outer UDP port 53 or 5353 means DNS to tcpdump, even towards VXLAN's port."""
    from scapy.layers.inet import ICMP, IP, UDP
    from scapy.layers.l2 import Ether
    from scapy.layers.vxlan import VXLAN

    inner = Ether() / IP(src="192.168.10.2", dst="192.168.10.100") / ICMP(id=1, seq=1) / (b"x" * 20)
    for sport, taken in ((40000, True), (53, False), (5353, False)):
        data = bytes(Ether() / IP(src="192.168.1.5", dst="192.168.1.4") / UDP(sport=sport, dport=4789)
                     / VXLAN(vni=256, flags=0x08) / inner)
        fast = format_fast(data, 0, len(data), len(data), frozenset({4789}))
        assert (fast is not None) is taken, sport
        if not taken:
            assert "VXLAN" not in line(data)
