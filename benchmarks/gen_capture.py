"""Deterministic generator of a large VXLAN capture for benchmarks.

Writes a classic pcap (microsecond, little-endian, Ethernet) of N packets:
VXLAN (UDP 4789, VNI 256) between two VTEPs carrying, in a repeating cycle,
inner ARP request/reply and ICMP echo request/reply pairs between two
containers, like the seed article's overlay. The same N always gives the same
bytes.

    python benchmarks/gen_capture.py -n 1000000 -o /tmp/vxlan-1m.pcap
"""

from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path


def _csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _ipv4(src: bytes, dst: bytes, proto: int, payload: bytes, ident: int, ttl: int = 64) -> bytes:
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, ttl, proto, 0, src, dst)
    return hdr[:10] + struct.pack("!H", _csum(hdr)) + hdr[12:] + payload


MAC_VTEP1 = bytes.fromhex("0242c0a80104")
MAC_VTEP2 = bytes.fromhex("0242c0a80105")
MAC_X1 = bytes.fromhex("0242c0a80a64")
MAC_C2 = bytes.fromhex("0242c0a80a02")
IP_VTEP1 = bytes([192, 168, 1, 4])
IP_VTEP2 = bytes([192, 168, 1, 5])
IP_X1 = bytes([192, 168, 10, 100])
IP_C2 = bytes([192, 168, 10, 2])


def _inner_icmp(seq: int, reply: bool) -> bytes:
    payload = bytes(range(56))
    icmp = struct.pack("!BBHHH", 0 if reply else 8, 0, 0, 256, seq & 0xFFFF) + payload
    icmp = icmp[:2] + struct.pack("!H", _csum(icmp)) + icmp[4:]
    src, dst = (IP_X1, IP_C2) if reply else (IP_C2, IP_X1)
    smac, dmac = (MAC_X1, MAC_C2) if reply else (MAC_C2, MAC_X1)
    return dmac + smac + b"\x08\x00" + _ipv4(src, dst, 1, icmp, (seq * 7) & 0xFFFF)


def _inner_arp(reply: bool) -> bytes:
    if reply:
        arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, MAC_X1, IP_X1, MAC_C2, IP_C2)
        return MAC_C2 + MAC_X1 + b"\x08\x06" + arp
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, MAC_C2, IP_C2, b"\0" * 6, IP_X1)
    return b"\xff" * 6 + MAC_C2 + b"\x08\x06" + arp


def _outer(inner: bytes, from_x1: bool, sport: int, ident: int) -> bytes:
    vxlan = struct.pack("!II", 0x08000000, 256 << 8)
    udp_len = 8 + len(vxlan) + len(inner)
    udp = struct.pack("!HHHH", sport, 4789, udp_len, 0) + vxlan + inner
    src, dst = (IP_VTEP1, IP_VTEP2) if from_x1 else (IP_VTEP2, IP_VTEP1)
    smac, dmac = (MAC_VTEP1, MAC_VTEP2) if from_x1 else (MAC_VTEP2, MAC_VTEP1)
    return dmac + smac + b"\x08\x00" + _ipv4(src, dst, 17, udp, ident)


def generate(count: int, out) -> None:  # type: ignore[no-untyped-def]
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    ts = 1_700_000_000 * 1_000_000
    rec = struct.Struct("<IIII")
    for i in range(count):
        cycle, step = divmod(i, 10)
        seq = cycle * 4 + step // 2
        if step == 0:
            frame = _outer(_inner_arp(False), False, 45031, i & 0xFFFF)
        elif step == 1:
            frame = _outer(_inner_arp(True), True, 49474, i & 0xFFFF)
        else:
            reply = bool(step % 2)
            frame = _outer(_inner_icmp(seq, reply), reply, 49474 if reply else 45031, i & 0xFFFF)
        ts += 137 + (i * 7919) % 500
        out.write(rec.pack(ts // 1_000_000, ts % 1_000_000, len(frame), len(frame)))
        out.write(frame)


def _records(path: Path):  # type: ignore[no-untyped-def]
    """(seconds, microseconds, caplen, wirelen, data) of a little-endian microsecond pcap."""
    with open(path, "rb") as fh:
        fh.read(24)
        hdr = struct.Struct("<IIII")
        while True:
            head = fh.read(16)
            if len(head) < 16:
                return
            sec, usec, caplen, wirelen = hdr.unpack(head)
            yield sec, usec, caplen, wirelen, fh.read(caplen)


def to_pcapng(src: Path, dst: Path) -> None:
    """The same records as a pcapng: one section, one Ethernet interface (microseconds), EPBs."""
    with open(dst, "wb") as out:
        out.write(struct.pack("<IIIHHqI", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1, 28))
        out.write(struct.pack("<IIHHII", 1, 20, 1, 0, 262144, 20))
        for sec, usec, caplen, wirelen, data in _records(src):
            ts = sec * 1_000_000 + usec
            pad = -caplen % 4
            total = 32 + caplen + pad
            out.write(struct.pack("<IIIIIII", 6, total, 0, ts >> 32, ts & 0xFFFFFFFF, caplen, wirelen))
            out.write(data + b"\0" * pad + struct.pack("<I", total))


def to_sll2(src: Path, dst: Path, ifindex: int = 1) -> None:
    """The same packets as a Linux cooked v2 (``-i any``) pcap: the Ethernet header becomes SLL2's."""
    rec = struct.Struct("<IIII")
    with open(dst, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 276))
        for sec, usec, caplen, wirelen, data in _records(src):
            sll2 = data[12:14] + b"\0\0" + struct.pack(">IHBB", ifindex, 1, 4, 6) + data[6:12] + b"\0\0"
            out.write(rec.pack(sec, usec, caplen + 6, wirelen + 6))
            out.write(sll2 + data[14:])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--count", type=int, default=1_000_000)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args(argv)
    with open(args.output, "wb") as out:
        generate(args.count, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
