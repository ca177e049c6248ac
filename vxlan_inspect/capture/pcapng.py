"""pcapng files: sections, interfaces with their own link type and time base.

General block layout::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +---------------------------------------------------------------+
    |                          Block Type                           |
    +---------------------------------------------------------------+
    |                      Block Total Length                       |
    +---------------------------------------------------------------+
    /                          Block Body                           /
    +---------------------------------------------------------------+
    |                      Block Total Length                       |
    +---------------------------------------------------------------+

Read: Section Header (0x0A0D0D0A, sets the byte order), Interface
Description (1: link type, snaplen, options ``if_tsresol`` and
``if_tsoffset``), Enhanced Packet (6), Simple Packet (3), obsolete Packet (2).
Every other block (statistics, name resolution, custom, unknown) is skipped
by its length.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from vxlan_inspect.capture.record import MAXIMUM_SNAPLEN, Record
from vxlan_inspect.errors import CaptureFormatError, CaptureTruncatedError

SHB = 0x0A0D0D0A
IDB = 1
OPB = 2
SPB = 3
EPB = 6
BYTE_ORDER_MAGIC = 0x1A2B3C4D
#: Refuse blocks larger than this (libpcap uses the same order of magnitude).
MAX_BLOCK = 16 * 1024 * 1024


@dataclass(slots=True)
class Interface:
    """One Interface Description Block, resolved for timestamp conversion."""

    linktype: int
    snaplen: int
    units_per_sec: int = 1_000_000
    offset_sec: int = 0
    name: str = ""


def _parse_options(body: bytes, start: int, order: str) -> Iterator[tuple[int, bytes]]:
    pos = start
    end = len(body)
    while pos + 4 <= end:
        code, length = struct.unpack_from(order + "HH", body, pos)
        pos += 4
        if code == 0:
            return
        value = body[pos : pos + length]
        if len(value) < length:
            return
        yield code, value
        pos += (length + 3) & ~3


def _interface(body: bytes, order: str) -> Interface:
    if len(body) < 8:
        raise CaptureTruncatedError("pcapng interface block is shorter than 8 bytes")
    linktype, _reserved, snaplen = struct.unpack_from(order + "HHI", body, 0)
    iface = Interface(linktype=linktype, snaplen=snaplen)
    for code, value in _parse_options(body, 8, order):
        if code == 9 and value:  # if_tsresol
            res = value[0]
            exp = res & 0x7F
            if exp > 30:
                raise CaptureTruncatedError(f"pcapng interface has an unusable if_tsresol 0x{res:02x}")
            iface.units_per_sec = (2**exp) if res & 0x80 else (10**exp)
        elif code == 14 and len(value) == 8:  # if_tsoffset
            iface.offset_sec = struct.unpack(order + "q", value)[0]
        elif code == 2:  # if_name
            iface.name = value.rstrip(b"\0").decode("utf-8", "replace")
    return iface


def _ts_ns(iface: Interface, units: int) -> int:
    ups = iface.units_per_sec
    sec, frac = divmod(units, ups)
    return (sec + iface.offset_sec) * 1_000_000_000 + frac * 1_000_000_000 // ups


def _chain(prefix: bytes, stream: BinaryIO) -> Callable[[int], bytes]:
    """A ``read(n)`` that first returns ``prefix`` (bytes already consumed), then the stream."""
    pending = prefix

    def read(n: int) -> bytes:
        nonlocal pending
        if not pending:
            return stream.read(n)
        out = pending[:n]
        pending = pending[n:]
        return out

    return read


def _read_exact(read: Callable[[int], bytes], n: int) -> bytes:
    data = read(n)
    if len(data) == n or not data:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def section_order(head: bytes) -> str:
    """Return the struct byte-order char of a section from its first 12 bytes."""
    if len(head) < 12:
        raise CaptureFormatError(f"truncated pcapng section header: got {len(head)} bytes, 12 needed")
    if struct.unpack_from("<I", head, 8)[0] == BYTE_ORDER_MAGIC:
        return "<"
    if struct.unpack_from(">I", head, 8)[0] == BYTE_ORDER_MAGIC:
        return ">"
    raise CaptureFormatError("not a pcapng file: bad byte-order magic in the section header")


def iter_records(stream: BinaryIO, head: bytes, start_index: int = 1) -> Iterator[Record]:
    """Yield the packets of a pcapng stream whose first bytes ``head`` were already read."""
    order = section_order(head)
    interfaces: list[Interface] = []
    index = start_index
    read = _chain(head, stream)
    first = True
    while True:
        blk_head = _read_exact(read, 8)
        if not blk_head:
            return
        if len(blk_head) < 8:
            raise CaptureTruncatedError(
                f"truncated pcapng file: a block header is cut short ({len(blk_head)} of 8 bytes)"
            )
        (btype,) = struct.unpack_from(order + "I", blk_head, 0)
        if btype == SHB:
            rest = _read_exact(read, 4)
            order = section_order(blk_head + rest)
            blk_head = blk_head + rest
            interfaces = []
            (total,) = struct.unpack_from(order + "I", blk_head, 4)
            body_have = blk_head[8:]
        else:
            (total,) = struct.unpack_from(order + "I", blk_head, 4)
            body_have = b""
        where = "section header" if first else f"block before record {index}"
        if total < 12 or total % 4:
            err = CaptureFormatError if first else CaptureTruncatedError
            raise err(f"pcapng {where}: block total length {total} is not a multiple of 4 of at least 12")
        if total > MAX_BLOCK:
            err = CaptureFormatError if first else CaptureTruncatedError
            raise err(f"pcapng {where}: block total length {total} is bigger than the maximum of {MAX_BLOCK}")
        first = False
        rest_len = total - 8 - len(body_have)
        rest = _read_exact(read, rest_len)
        if len(rest) < rest_len:
            raise CaptureTruncatedError(
                f"truncated pcapng file; tried to read {total} block bytes, only got "
                f"{8 + len(body_have) + len(rest)}",
                hint=f"record {index} is cut short; every complete record before it was read",
            )
        block = body_have + rest
        body = block[:-4]
        (trailer,) = struct.unpack_from(order + "I", block, len(block) - 4)
        if trailer != total:
            raise CaptureTruncatedError(
                f"pcapng block before record {index}: trailing length {trailer} differs from {total}"
            )
        if btype == SHB:
            continue
        if btype == IDB:
            interfaces.append(_interface(body, order))
            continue
        if btype in (EPB, OPB):
            if len(body) < 20:
                raise CaptureTruncatedError(f"record {index}: pcapng packet block is too short")
            if btype == EPB:
                iface_id, ts_hi, ts_lo, caplen, wirelen = struct.unpack_from(order + "IIIII", body, 0)
            else:
                iface_id, _drops, ts_hi, ts_lo, caplen, wirelen = struct.unpack_from(order + "HHIIII", body, 0)
            if iface_id >= len(interfaces):
                raise CaptureTruncatedError(
                    f"record {index}: a packet arrived on interface {iface_id}, but there is no "
                    "interface description block for it",
                    hint="the file is corrupt from here on",
                )
            if caplen > len(body) - 20 or caplen > MAXIMUM_SNAPLEN:
                raise CaptureTruncatedError(
                    f"record {index}: capture length {caplen} does not fit in its block", hint="corrupt file"
                )
            iface = interfaces[iface_id]
            yield Record(
                index, _ts_ns(iface, (ts_hi << 32) | ts_lo), iface.linktype, caplen, wirelen,
                body[20 : 20 + caplen], iface_id,
            )
            index += 1
            continue
        if btype == SPB:
            if not interfaces:
                raise CaptureTruncatedError(
                    f"record {index}: a simple packet block arrived before any interface description block"
                )
            if len(body) < 4:
                raise CaptureTruncatedError(f"record {index}: pcapng simple packet block is too short")
            (wirelen,) = struct.unpack_from(order + "I", body, 0)
            iface = interfaces[0]
            caplen = min(wirelen, len(body) - 4)
            if iface.snaplen:
                caplen = min(caplen, iface.snaplen)
            yield Record(index, 0, iface.linktype, caplen, wirelen, body[4 : 4 + caplen], 0)
            index += 1
            continue
        # Unknown, custom, statistics and name-resolution blocks: skipped by length.


def frame_simple(buf: bytes | bytearray, end: int) -> tuple[str, list[Interface], list[int], list[int]] | None:
    """Frame a whole pcapng held in memory, for bulk decoding; None when it is not simple.

    *Simple* means: sections of one byte order, every packet in an Enhanced Packet
    Block on a described interface, block lengths and trailers consistent, and
    nothing cut short. Returns ``(order, interfaces, positions, interface ids)``:
    each packet's EPB starts at its position. Anything else (simple or obsolete
    packet blocks, a fault) gives None, and the caller reads the file with
    :func:`iter_records`, which raises the usual errors.
    """
    if end < 12:
        return None
    try:
        order = section_order(bytes(buf[:12]))
    except CaptureFormatError:
        return None
    head = struct.Struct(order + "II").unpack_from
    epb = struct.Struct(order + "I").unpack_from
    if head(buf, 0)[0] != SHB:
        return None
    interfaces: list[Interface] = []
    positions: list[int] = []
    ids: list[int] = []
    pos = 0
    while pos < end:
        if pos + 12 > end:
            return None
        btype, total = head(buf, pos)
        if total < 12 or total % 4 or total > MAX_BLOCK or pos + total > end or head(buf, pos + total - 4)[0] != total:
            return None
        if btype == EPB:
            iface = epb(buf, pos + 8)[0]
            if total < 32 or iface >= len(interfaces) or epb(buf, pos + 20)[0] > min(total - 32, MAXIMUM_SNAPLEN):
                return None
            positions.append(pos)
            ids.append(iface)
        elif btype == SHB:
            if section_order(bytes(buf[pos : pos + 12])) != order:
                return None
            interfaces = []
        elif btype == IDB:
            interfaces.append(_interface(bytes(buf[pos + 8 : pos + total - 4]), order))
        elif btype in (SPB, OPB):
            return None
        pos += total
    return order, interfaces, positions, ids
