"""Capture readers: classic pcap in both byte orders and precisions, pcapng blocks, stdin."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from vxlan_inspect.capture import capture_from_bytes, open_capture, pcap
from vxlan_inspect.errors import CaptureFormatError, CaptureTruncatedError

ROOT = Path(__file__).resolve().parents[2]
BASIC = ROOT / "captures" / "basic"
FRAME = bytes.fromhex("ffffffffffff0242c0a80a020806") + bytes(28)


def _pcap(order: str, nano: bool, records: list[tuple[int, int, bytes]], linktype: int = 1) -> bytes:
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for sec, frac, data in records:
        out += struct.pack(order + "IIII", sec, frac, len(data), len(data)) + data
    return out


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("nano", [False, True])
def test_classic_pcap_byte_orders_and_precisions(order: str, nano: bool) -> None:
    frac = 123456789 if nano else 123456
    cap = capture_from_bytes(_pcap(order, nano, [(1700000000, frac, FRAME), (1700000001, 0, FRAME[:20])]))
    assert cap.info.nanosecond is nano
    assert cap.info.byte_order == ("little" if order == "<" else "big")
    recs = list(cap)
    assert [r.index for r in recs] == [1, 2]
    assert recs[0].ts_ns == 1700000000 * 10**9 + (123456789 if nano else 123456000)
    assert recs[1].caplen == 20 and recs[1].data == FRAME[:20]


def test_truncated_record_raises_after_complete_records() -> None:
    data = _pcap("<", False, [(1, 0, FRAME), (2, 0, FRAME)])[:-5]
    seen = []
    with pytest.raises(CaptureTruncatedError, match="only got"):
        for rec in capture_from_bytes(data):
            seen.append(rec.index)
    assert seen == [1]


def test_iter_blocks_matches_iter_records_on_shipped_pcaps() -> None:
    files = sorted(BASIC.glob("*.pcap")) + sorted((ROOT / "captures" / "bundles").glob("*/captures/*.pcap"))
    assert files
    for path in files:
        with open_capture(path) as cap:
            records = [(r.ts_ns, r.caplen, r.wirelen, r.data) for r in cap]
        with open(path, "rb") as fh:
            head = fh.read(24)
            for block_size in (64, 1 << 22):
                fh.seek(24)
                blocks = list(pcap.iter_blocks(fh, head, block_size=block_size))
                got = []
                for block in blocks:
                    pos = 0
                    for _ in range(block.count):
                        sec, frac, caplen, wirelen = struct.unpack_from("<IIII", block.data, pos)
                        scale = 1 if (head[:4] == b"\x4d\x3c\xb2\xa1") else 1000
                        data = block.data[pos + 16 : pos + 16 + caplen]
                        got.append((sec * 10**9 + frac * scale, caplen, wirelen, data))
                        pos += 16 + caplen
                assert got == records, path.name


def _block(order: str, btype: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    total = 12 + len(body)
    return struct.pack(order + "II", btype, total) + body + struct.pack(order + "I", total)


def _shb(order: str) -> bytes:
    return _block(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))


def _idb(order: str, linktype: int, tsresol: int | None = None, tsoffset: int | None = None) -> bytes:
    opts = b""
    if tsresol is not None:
        opts += struct.pack(order + "HH", 9, 1) + bytes([tsresol]) + b"\0\0\0"
    if tsoffset is not None:
        opts += struct.pack(order + "HHq", 14, 8, tsoffset)
    if opts:
        opts += struct.pack(order + "HH", 0, 0)
    return _block(order, 1, struct.pack(order + "HHI", linktype, 0, 0) + opts)


def _epb(order: str, iface: int, ts_units: int, data: bytes) -> bytes:
    return _block(order, 6, struct.pack(order + "IIIII", iface, ts_units >> 32, ts_units & 0xFFFFFFFF,
                                        len(data), len(data)) + data)


def test_pcapng_sections_interfaces_resolutions_and_skipped_blocks() -> None:
    raw_ip = FRAME[14:]  # not a real IP packet, only framing matters here
    data = (
        _shb("<")
        + _idb("<", 1)  # default microseconds
        + _idb("<", 101, tsresol=9, tsoffset=100)  # nanoseconds, +100 s
        + _epb("<", 0, 1_500_000, FRAME)  # 1.5 s
        + _block("<", 0x00000BAD, b"custom block, skipped")
        + _block("<", 0x12345678, b"unknown block type")
        + _epb("<", 1, 2_000_000_123, raw_ip)
        + _block("<", 3, struct.pack("<I", len(FRAME)) + FRAME)  # simple packet block, interface 0
        + _shb(">")  # a second section, other byte order: interfaces restart
        + _idb(">", 1, tsresol=0x80 | 10)  # 2^-10 s units
        + _block(">", 2, struct.pack(">HHIIII", 0, 0, 0, 1024 * 3, len(FRAME), len(FRAME)) + FRAME)  # OPB
    )
    recs = list(capture_from_bytes(data))
    assert [(r.index, r.linktype, r.interface) for r in recs] == [(1, 1, 0), (2, 101, 1), (3, 1, 0), (4, 1, 0)]
    assert recs[0].ts_ns == 1_500_000_000
    assert recs[1].ts_ns == (100 + 2) * 10**9 + 123
    assert recs[2].ts_ns == 0  # SPBs carry no timestamp
    assert recs[3].ts_ns == 3 * 10**9
    assert recs[1].data == raw_ip


def test_pcapng_packet_before_interface_is_corrupt() -> None:
    data = _shb("<") + _epb("<", 0, 0, FRAME)
    with pytest.raises(CaptureTruncatedError, match="no interface description block"):
        list(capture_from_bytes(data))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "only got 0"),
        (b"\x1f\x8b\x08\x00" + bytes(40), "gzip"),
        (b"12:00:00.000000 IP 1.2.3.4 > 5.6.7.8: ICMP\n", "text"),
        (b"\xde\xad\xbe\xef" + bytes(40), "unknown file format"),
        (struct.pack("<IHHiIII", 0xA1B2C3D4, 3, 0, 0, 0, 0, 1), "unsupported pcap version"),
    ],
)
def test_unreadable_headers(data: bytes, message: str) -> None:
    with pytest.raises(CaptureFormatError, match=message):
        capture_from_bytes(data)


def test_stdin_is_read_in_one_pass() -> None:
    path = BASIC / "vxlan-icmp.pcap"
    from_file = subprocess.run([sys.executable, "-m", "vxlan_inspect", "read", "-n", "-r", str(path)],
                               capture_output=True, check=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"})
    # A pipe cannot seek: this proves the reader never does.
    with open(path, "rb") as fh:
        from_pipe = subprocess.run([sys.executable, "-m", "vxlan_inspect", "read", "-n", "-r", "-"], stdin=fh,
                                   capture_output=True, check=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"})
    assert from_pipe.stdout == from_file.stdout
    assert from_pipe.stdout.count(b"VXLAN") == 8


def test_capture_is_single_pass() -> None:
    cap = capture_from_bytes(io.BytesIO(_pcap("<", False, [(1, 0, FRAME)])).getvalue())
    list(cap)
    with pytest.raises(Exception, match="only once"):
        list(cap)
