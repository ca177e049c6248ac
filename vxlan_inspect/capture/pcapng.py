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
from collections.abc import Iterator
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


def ts_ns(iface: Interface, units: int) -> int:
    """Nanoseconds since the epoch of a timestamp of ``units`` on ``iface``."""
    ups = iface.units_per_sec
    sec, frac = divmod(units, ups)
    return (sec + iface.offset_sec) * 1_000_000_000 + frac * 1_000_000_000 // ups


class _Buffered:
    """``take(n)``: the next ``n`` bytes of ``prefix`` then ``stream`` (fewer only at the end).

    Reads the stream a chunk at a time (with ``read1`` where there is one, so a
    pipe fed live is not waited on for a whole chunk), so taking a block's
    header and then its body costs two slices instead of two reads.
    """

    __slots__ = ("data", "eof", "pos", "read")

    CHUNK = 1 << 20

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self.data = prefix
        self.pos = 0
        self.read = getattr(stream, "read1", stream.read)
        self.eof = False

    def take(self, n: int) -> bytes:
        pos = self.pos
        if len(self.data) - pos < n and not self.eof:
            parts = [self.data[pos:]]
            have = len(parts[0])
            while have < n:
                more = self.read(max(self.CHUNK, n - have))
                if not more:
                    self.eof = True
                    break
                parts.append(more)
                have += len(more)
            self.data = b"".join(parts)
            pos = 0
        out = self.data[pos : pos + n]
        self.pos = pos + len(out)
        return out


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
    u32, epb, opb = _structs(order)
    interfaces: list[Interface] = []
    index = start_index
    take = _Buffered(head, stream).take
    first = True
    while True:
        blk_head = take(8)
        if len(blk_head) < 8:
            if not blk_head:
                return
            raise CaptureTruncatedError(
                f"truncated pcapng file: a block header is cut short ({len(blk_head)} of 8 bytes)"
            )
        btype = u32.unpack_from(blk_head, 0)[0]
        if btype == SHB:
            rest = take(4)
            order = section_order(blk_head + rest)
            u32, epb, opb = _structs(order)
            blk_head = blk_head + rest
            interfaces = []
            total = u32.unpack_from(blk_head, 4)[0]
            body_have = blk_head[8:]
        else:
            total = u32.unpack_from(blk_head, 4)[0]
            body_have = b""
        if total < 12 or total % 4 or total > MAX_BLOCK:
            where = "section header" if first else f"block before record {index}"
            err = CaptureFormatError if first else CaptureTruncatedError
            if total < 12 or total % 4:
                raise err(f"pcapng {where}: block total length {total} is not a multiple of 4 of at least 12")
            raise err(f"pcapng {where}: block total length {total} is bigger than the maximum of {MAX_BLOCK}")
        first = False
        rest_len = total - 8 - len(body_have)
        rest = take(rest_len)
        if len(rest) < rest_len:
            raise CaptureTruncatedError(
                f"truncated pcapng file; tried to read {total} block bytes, only got "
                f"{8 + len(body_have) + len(rest)}",
                hint=f"record {index} is cut short; every complete record before it was read",
            )
        block = body_have + rest if body_have else rest  # the body, then the trailing length
        trailer = u32.unpack_from(block, len(block) - 4)[0]
        if trailer != total:
            raise CaptureTruncatedError(
                f"pcapng block before record {index}: trailing length {trailer} differs from {total}"
            )
        if btype in (EPB, OPB):
            if total < 32:
                raise CaptureTruncatedError(f"record {index}: pcapng packet block is too short")
            if btype == EPB:
                iface_id, ts_hi, ts_lo, caplen, wirelen = epb.unpack_from(block, 0)
            else:
                iface_id, _drops, ts_hi, ts_lo, caplen, wirelen = opb.unpack_from(block, 0)
            if iface_id >= len(interfaces):
                raise CaptureTruncatedError(
                    f"record {index}: a packet arrived on interface {iface_id}, but there is no "
                    "interface description block for it",
                    hint="the file is corrupt from here on",
                )
            if caplen > total - 32 or caplen > MAXIMUM_SNAPLEN:
                raise CaptureTruncatedError(
                    f"record {index}: capture length {caplen} does not fit in its block", hint="corrupt file"
                )
            iface = interfaces[iface_id]
            yield Record(
                index, ts_ns(iface, (ts_hi << 32) | ts_lo), iface.linktype, caplen, wirelen,
                block[20 : 20 + caplen], iface_id,
            )
            index += 1
            continue
        body = block[:-4]
        if btype == SHB:
            continue
        if btype == IDB:
            interfaces.append(_interface(body, order))
            continue
        if btype == SPB:
            if not interfaces:
                raise CaptureTruncatedError(
                    f"record {index}: a simple packet block arrived before any interface description block"
                )
            if len(body) < 4:
                raise CaptureTruncatedError(f"record {index}: pcapng simple packet block is too short")
            (wirelen,) = u32.unpack_from(body, 0)
            iface = interfaces[0]
            caplen = min(wirelen, len(body) - 4)
            if iface.snaplen:
                caplen = min(caplen, iface.snaplen)
            yield Record(index, 0, iface.linktype, caplen, wirelen, body[4 : 4 + caplen], 0)
            index += 1
            continue
        # Unknown, custom, statistics and name-resolution blocks: skipped by length.


def _structs(order: str) -> tuple[struct.Struct, struct.Struct, struct.Struct]:
    """A 32-bit word, an EPB's fixed fields and an OPB's, in byte order ``order``."""
    return struct.Struct(order + "I"), struct.Struct(order + "IIIII"), struct.Struct(order + "HHIIII")


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
    epb = struct.Struct(order + "I").unpack_from  # one 32-bit word
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
        if total < 12 or total % 4 or total > MAX_BLOCK or pos + total > end or epb(buf, pos + total - 4)[0] != total:
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


def iter_runs(
    stream: BinaryIO, head: bytes, run_records: int = 4096, read_size: int = 1 << 22
) -> Iterator[tuple[bytes, bytes, int, int, int] | tuple[bytes, int, int]]:
    """Frame a pcapng file on disk into runs of whole blocks, for worker processes.

    Only block headers and trailers are looked at. Yields ``(context, data, first_index,
    count, offset)``: ``data`` holds whole blocks with ``count`` packets, the first numbered
    ``first_index``, read from file offset ``offset``; ``context`` is the section header
    and interface blocks they refer to (feed ``context + data`` to :func:`iter_records`). At the first block that is not
    plainly whole and regular (cut short, a bad length or trailer, a section of the other
    byte order), it yields ``(context, offset, first_index)`` and stops: the caller reads
    from that file offset on with :func:`iter_records`, which prints every complete
    record and raises its usual error. ``head`` is what was read from offset 0.
    """
    order = section_order(head)
    word2 = struct.Struct(order + "II").unpack_from
    word = struct.Struct(order + "I").unpack_from
    buf = head
    base = 0  # the file offset of buf[0]
    pos = 0
    run_start = 0
    count = 0
    index = 1
    context = b""
    eof = False
    while True:
        if pos + 12 > len(buf) and not eof:
            more = stream.read(read_size)
            eof = not more
            if more:
                buf = buf[run_start:] + more
                base += run_start
                pos -= run_start
                run_start = 0
                continue
        if pos + 12 > len(buf):
            break
        btype, total = word2(buf, pos)
        if total < 12 or total % 4 or total > MAX_BLOCK:
            break
        if pos + total > len(buf):
            if eof:
                break
            more = stream.read(max(read_size, total))
            eof = not more
            buf = buf[run_start:] + more
            base += run_start
            pos -= run_start
            run_start = 0
            continue
        if word(buf, pos + total - 4)[0] != total:
            break
        if btype in (SHB, IDB):
            if btype == SHB and (total < 28 or section_order(buf[pos : pos + 12]) != order):
                break
            if count:
                yield context, buf[run_start:pos], index, count, base + run_start
                index += count
                count = 0
            context = (context if btype == IDB else b"") + buf[pos : pos + total]
            pos += total
            run_start = pos
            continue
        if btype == EPB:
            # The common case, a stretch of packet blocks, in a tighter loop; anything else
            # goes back to the loop above, which looks at that block again.
            end = len(buf)
            while True:
                count += 1
                pos += total
                if count >= run_records or pos + 12 > end:
                    break
                btype, total = word2(buf, pos)
                if (btype != EPB or total < 12 or total % 4 or total > MAX_BLOCK or pos + total > end
                        or word(buf, pos + total - 4)[0] != total):
                    break
        else:
            if btype in (SPB, OPB):
                count += 1
            pos += total
        if count >= run_records:
            yield context, buf[run_start:pos], index, count, base + run_start
            index += count
            count = 0
            run_start = pos
    if count:
        yield context, buf[run_start:pos], index, count, base + run_start
        index += count
    if pos < len(buf) or not eof:
        yield context, base + pos, index


_NS_RECORD = struct.Struct("<IIII")


def _context_interfaces(context: bytes, order: str) -> list[Interface] | None:
    """The interfaces that the section header and interface blocks of a run's context describe."""
    word2 = struct.Struct(order + "II").unpack_from
    interfaces: list[Interface] = []
    pos = 0
    while pos < len(context):
        btype, total = word2(context, pos)
        if btype == IDB:
            try:
                interfaces.append(_interface(context[pos + 8 : pos + total - 4], order))
            except CaptureTruncatedError:
                return None
        pos += total
    return interfaces


def repack_run(context: bytes, data: bytes) -> tuple[bytes, int, int] | None:
    """A run of :func:`iter_runs` as classic nanosecond pcap records (little-endian), in one pass.

    Returns ``(records, count, linktype)``, or None when the run is not plain: a packet
    block other than an EPB, interfaces of different link types, a time a classic pcap
    cannot hold, anything :func:`iter_records` would complain about. The caller then
    takes the record reader, which gives the same packets (and its errors).
    """
    order = section_order(context[:12])
    word2 = struct.Struct(order + "II").unpack_from
    epb = struct.Struct(order + "IIIII").unpack_from
    interfaces = _context_interfaces(context, order)
    if interfaces is None:
        return None
    if not interfaces or len({i.linktype for i in interfaces}) != 1:
        return None
    scales = [(i.units_per_sec, i.offset_sec) for i in interfaces]
    nifaces = len(interfaces)
    pack = _NS_RECORD.pack
    parts: list[bytes] = []
    append = parts.append
    count = 0
    pos = 0
    end = len(data)
    while pos < end:
        btype, total = word2(data, pos)
        if btype == EPB:
            iface, ts_hi, ts_lo, caplen, wirelen = epb(data, pos + 8)
            if iface >= nifaces or caplen > total - 32 or caplen > MAXIMUM_SNAPLEN:
                return None
            ups, offset = scales[iface]
            sec, frac = divmod((ts_hi << 32) | ts_lo, ups)
            sec += offset
            if not 0 <= sec <= 0xFFFFFFFF:
                return None
            append(pack(sec, frac * 1_000_000_000 // ups, caplen, wirelen))
            append(data[pos + 28 : pos + 28 + caplen])
            count += 1
        elif btype in (SPB, OPB, SHB, IDB):
            return None
        pos += total
    return b"".join(parts), count, interfaces[0].linktype


def run_times(context: bytes, data: bytes) -> tuple[int, int] | None:
    """The first and the last packet's time (ns) of a run of :func:`iter_runs`, or None.

    Finds the last block from the run's final trailer, so only two blocks are read; None
    when either end is not an Enhanced Packet Block on a described interface.
    """
    order = section_order(context[:12])
    word2 = struct.Struct(order + "II").unpack_from
    epb = struct.Struct(order + "IIIII").unpack_from
    interfaces = _context_interfaces(context, order)
    if interfaces is None:
        return None
    if len(data) < 32:
        return None
    last = len(data) - struct.unpack_from(order + "I", data, len(data) - 4)[0]
    times = []
    for at in (0, last):
        if at < 0 or word2(data, at)[0] != EPB:
            return None
        iface, ts_hi, ts_lo, _caplen, _wirelen = epb(data, at + 8)
        if iface >= len(interfaces):
            return None
        times.append(ts_ns(interfaces[iface], (ts_hi << 32) | ts_lo))
    return times[0], times[1]
