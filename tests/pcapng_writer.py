"""Write small pcapng files for tests (one section; IDBs; Enhanced Packet Blocks)."""

from __future__ import annotations

import struct
from pathlib import Path


def write_pcapng(path: Path, interfaces: list[int], records: list[tuple[int, int, bytes, int]],
                  micro_offset: int | None = None, order: str = "<") -> None:
    """A pcapng: one section, ``interfaces`` (link types), EPBs. Nanosecond timestamps, or with
    ``micro_offset`` the default microseconds and an ``if_tsoffset`` of that many seconds."""
    def block(btype: int, body: bytes) -> bytes:
        body += b"\0" * (-len(body) % 4)
        return struct.pack(order + "II", btype, len(body) + 12) + body + struct.pack(order + "I", len(body) + 12)

    out = [block(0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))]
    for linktype in interfaces:
        if micro_offset is None:  # option if_tsresol = 9 (nanoseconds), then opt_endofopt
            options = struct.pack(order + "HHB3x", 9, 1, 9) + b"\0" * 4
        else:  # option if_tsoffset
            options = struct.pack(order + "HHq", 14, 8, micro_offset) + b"\0" * 4
        out.append(block(1, struct.pack(order + "HHI", linktype, 0, 262144) + options))
    for iface, ts_ns, data, wirelen in records:
        units = ts_ns if micro_offset is None else ts_ns // 1000 - micro_offset * 1_000_000
        out.append(block(6, struct.pack(order + "IIIII", iface, units >> 32, units & 0xFFFFFFFF, len(data), wirelen)
                         + data))
    path.write_bytes(b"".join(out))
