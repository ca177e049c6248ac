"""Classic libpcap files: both byte orders, microsecond and nanosecond magic.

File header (24 bytes)::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +---------------------------------------------------------------+
    |                 magic (a1b2c3d4 or a1b23c4d)                  |
    +-------------------------------+-------------------------------+
    |         version major         |         version minor         |
    +-------------------------------+-------------------------------+
    |                   thiszone (reserved)                         |
    |                   sigfigs (reserved)                          |
    |                   snaplen                                     |
    |                   linktype (low 28 bits) + FCS info           |
    +---------------------------------------------------------------+

Each record: ts_sec, ts_frac (us or ns), caplen, wirelen (16 bytes), then
caplen bytes of data.
"""

from __future__ import annotations

import io
import os
import stat
import struct
from collections.abc import Iterator
from typing import BinaryIO

from vxlan_inspect.capture.record import MAXIMUM_SNAPLEN, CaptureInfo, Record
from vxlan_inspect.errors import CaptureFormatError, CaptureTruncatedError

MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D
HEADER_LEN = 24
RECORD_HEADER_LEN = 16
CHUNK = 1 << 20


def parse_header(head: bytes) -> tuple[CaptureInfo, str]:
    """Parse the 24-byte file header; return the info and the struct byte-order char."""
    if len(head) < HEADER_LEN:
        raise CaptureFormatError(
            f"truncated pcap file header: got {len(head)} bytes, 24 needed",
            hint="the file is cut short or is not a capture",
        )
    for order in ("<", ">"):
        (magic,) = struct.unpack_from(order + "I", head, 0)
        if magic in (MAGIC_US, MAGIC_NS):
            endian = "little" if order == "<" else "big"
            break
    else:
        raise CaptureFormatError(f"not a pcap file: bad magic 0x{head[:4].hex()}")
    major, minor, _zone, _sigfigs, snaplen, linktype = struct.unpack_from(order + "HHiIII", head, 4)
    if major != 2:
        raise CaptureFormatError(
            f"unsupported pcap version {major}.{minor}", hint="only version 2.x files are readable"
        )
    info = CaptureInfo(
        format="pcap",
        linktype=linktype & 0x0FFFFFFF,
        snaplen=snaplen,
        nanosecond=magic == MAGIC_NS,
        byte_order=endian,
    )
    return info, order


def iter_records(stream: BinaryIO, head: bytes, start_index: int = 1) -> Iterator[Record]:
    """Yield every record after the 24-byte header ``head`` (already read).

    Reads in chunks, so memory stays flat; a record longer than tcpdump's
    262144-byte cap, or a file cut mid-record, raises
    :class:`CaptureTruncatedError` after every complete record was yielded.
    """
    info, order = parse_header(head)
    unpack_hdr = struct.Struct(order + "IIII").unpack_from
    scale = 1 if info.nanosecond else 1000
    linktype = info.linktype
    buf = b""
    pos = 0
    index = start_index
    read = stream.read
    eof = False
    while True:
        avail = len(buf) - pos
        if avail < RECORD_HEADER_LEN:
            if eof:
                break
            more = read(CHUNK)
            if not more:
                eof = True
                if avail == 0:
                    return
                continue
            buf = buf[pos:] + more
            pos = 0
            continue
        sec, frac, caplen, wirelen = unpack_hdr(buf, pos)
        if caplen > MAXIMUM_SNAPLEN:
            raise CaptureTruncatedError(
                f"record {index}: capture length {caplen} is bigger than the maximum of {MAXIMUM_SNAPLEN}",
                hint="the file is corrupt from here on",
            )
        end = pos + RECORD_HEADER_LEN + caplen
        if end > len(buf):
            if eof:
                break
            more = read(max(CHUNK, caplen + RECORD_HEADER_LEN))
            if not more:
                eof = True
                continue
            buf = buf[pos:] + more
            pos = 0
            continue
        yield Record(
            index, sec * 1_000_000_000 + frac * scale, linktype, caplen, wirelen, buf[pos + 16 : end]
        )
        index += 1
        pos = end
    avail = len(buf) - pos
    if avail < RECORD_HEADER_LEN:
        raise CaptureTruncatedError(
            f"truncated dump file; tried to read {RECORD_HEADER_LEN} header bytes, only got {avail}",
            hint=f"record {index} is cut short; every complete record before it was read",
        )
    caplen = unpack_hdr(buf, pos)[2]
    got = avail - RECORD_HEADER_LEN
    raise CaptureTruncatedError(
        f"truncated dump file; tried to read {caplen} captured bytes, only got {got}",
        hint=f"record {index} is cut short; every complete record before it was read",
    )


def write_header(out: BinaryIO, linktype: int, snaplen: int = MAXIMUM_SNAPLEN, nanosecond: bool = False) -> None:
    """Write a little-endian pcap file header."""
    magic = MAGIC_NS if nanosecond else MAGIC_US
    out.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))


_REC = struct.Struct("<IIII")


def write_record(out: BinaryIO, record: Record, nanosecond: bool = False) -> None:
    """Append one record (timestamp in the file's precision)."""
    sec, ns = divmod(record.ts_ns, 1_000_000_000)
    frac = ns if nanosecond else ns // 1000
    out.write(_REC.pack(sec & 0xFFFFFFFF, frac, len(record.data), record.wirelen))
    out.write(record.data)


class Block:
    """Whole records of a classic pcap, back to back, as they are in the file.

    ``count`` records start at ``first_index``; ``last_ts_ns`` is the timestamp
    of the record just before this block (None for the first block).
    """

    __slots__ = ("count", "data", "first_index", "offset", "positions", "prev_ts_ns")

    def __init__(self, data: bytes, count: int, first_index: int, prev_ts_ns: int | None,
                 offset: int | None = None, positions: list[int] | None = None) -> None:
        self.data = data
        self.count = count
        self.first_index = first_index
        self.prev_ts_ns = prev_ts_ns
        #: Where ``data`` starts in the file, when the stream can tell (for workers that pread).
        self.offset = offset
        #: Each record's header position in ``data``, when asked for (``iter_blocks(positions=True)``).
        self.positions = positions


def regular_file(stream: BinaryIO) -> bool:
    """True for a file on disk; False for a pipe, socket or terminal (a stream fed as it goes).

    A block from a stream fed as it goes is what one ``read1`` returns, so each
    record is handed on as soon as it has arrived (``tail -f`` or a live
    ``tcpdump -w -`` into ``read -r -``), not when a whole block has filled.
    """
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return True  # an in-memory stream: it has every byte already


def iter_blocks(
    stream: BinaryIO, head: bytes, block_size: int = 1 << 22, limit: int | None = None, positions: bool = False
) -> Iterator[Block]:
    """Frame a classic pcap into blocks of whole records (for bulk and parallel decoding).

    Only the 16-byte record headers are looked at. Faults are raised exactly
    as :func:`iter_records` raises them, after every complete block is yielded.
    With ``positions``, each block also carries its records' header positions
    (this walk finds them anyway; a filter answering a whole block needs them).
    """
    info, order = parse_header(head)
    hdr = struct.Struct(order + "IIII").unpack_from
    scale = 1 if info.nanosecond else 1000
    index = 1
    prev_ts: int | None = None
    try:
        start: int | None = stream.tell()
    except (OSError, AttributeError, ValueError):
        start = None
    carry = b""
    eof = False
    remaining = limit
    read = stream.read if regular_file(stream) else getattr(stream, "read1", stream.read)
    while not eof:
        more = read(block_size)
        if not more:
            eof = True
            buf = carry
        else:
            buf = carry + more if carry else more
        n = len(buf)
        pos = 0
        count = 0
        last = -1
        offs: list[int] | None = [] if positions else None
        while pos + 16 <= n:
            caplen = hdr(buf, pos)[2]
            if caplen > MAXIMUM_SNAPLEN:
                if count:
                    yield Block(buf[:pos], count, index, prev_ts, start, offs)
                raise CaptureTruncatedError(
                    f"record {index + count}: capture length {caplen} is bigger than the maximum of "
                    f"{MAXIMUM_SNAPLEN}",
                    hint="the file is corrupt from here on",
                )
            nxt = pos + 16 + caplen
            if nxt > n:
                break
            if offs is not None:
                offs.append(pos)
            last = pos
            pos = nxt
            count += 1
            if remaining is not None and count >= remaining:
                eof = True
                break
        if count:
            block = Block(buf[:pos] if pos < n else buf, count, index, prev_ts, start, offs)
            sec, frac = hdr(buf, last)[:2]
            prev_ts = sec * 1_000_000_000 + frac * scale
            index += count
            if remaining is not None:
                remaining -= count
            yield block
        carry = buf[pos:]
        if start is not None:
            start += pos
        if eof and remaining is not None and remaining <= 0:
            return
    if carry:
        if len(carry) < RECORD_HEADER_LEN:
            raise CaptureTruncatedError(
                f"truncated dump file; tried to read {RECORD_HEADER_LEN} header bytes, only got {len(carry)}",
                hint=f"record {index} is cut short; every complete record before it was read",
            )
        caplen = hdr(carry, 0)[2]
        raise CaptureTruncatedError(
            f"truncated dump file; tried to read {caplen} captured bytes, only got {len(carry) - 16}",
            hint=f"record {index} is cut short; every complete record before it was read",
        )
