"""Shared by the ``*_edge_frames.py`` generators: the Internet checksum, and writing crafted frames
as a classic pcap (the one format of every such capture).

Little-endian, microsecond timestamps, Ethernet. Frame ``i`` gets the time
``BASE_TS + i`` seconds and ``i`` milliseconds, so the file is the same on every run.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path

BASE_TS = 1_700_000_000


def write_frames_pcap(path: Path, frames: Iterable[tuple[bytes, int]]) -> int:
    """Write ``(frame, captured length)`` pairs (0: the whole frame) to ``path``; return the count."""
    parts = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)]
    for i, (frame, caplen) in enumerate(frames):
        data = frame[:caplen] if caplen else frame
        parts.append(struct.pack("<IIII", BASE_TS + i, i * 1000, len(data), len(frame)) + data)
    path.write_bytes(b"".join(parts))
    return len(parts) - 1


def cksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of ``data``."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF
