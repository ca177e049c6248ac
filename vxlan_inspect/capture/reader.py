"""Open a capture file (or stdin) and iterate its records, whatever its format."""

from __future__ import annotations

import io
import os
import struct
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from vxlan_inspect.capture import pcap, pcapng
from vxlan_inspect.capture.record import CaptureInfo, Record
from vxlan_inspect.errors import CaptureFormatError, InputError

_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",
}
_PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"


def _looks_like_text(data: bytes) -> bool:
    if not data:
        return False
    printable = sum(1 for b in data if 32 <= b < 127 or b in (9, 10, 13))
    return printable >= 0.95 * len(data)


def sniff_format(head: bytes, name: str) -> str:
    """Return "pcap" or "pcapng" for the first bytes of a file, or raise a clear error."""
    if len(head) < 4:
        raise CaptureFormatError(
            f"{name}: truncated dump file; tried to read 4 file header bytes, only got {len(head)}",
            hint="the file is empty or cut short",
        )
    magic = head[:4]
    if magic in _PCAP_MAGICS:
        return "pcap"
    if magic == _PCAPNG_MAGIC:
        return "pcapng"
    if head[:2] == b"\x1f\x8b":
        raise CaptureFormatError(
            f"{name}: the file is gzip-compressed",
            hint=f"decompress it first, e.g. zcat {name} | vxlan-inspect read -r -",
        )
    if _looks_like_text(head[:64]):
        raise CaptureFormatError(
            f"{name}: this is text, not a pcap or pcapng capture",
            hint="saved tcpdump text cannot be re-read; capture with -w FILE",
        )
    raise CaptureFormatError(f"{name}: unknown file format (magic 0x{magic.hex()}); not a pcap or pcapng capture")


@dataclass
class Capture:
    """An open capture: its header info and a single-pass iterator of records."""

    name: str
    info: CaptureInfo
    _stream: BinaryIO
    _head: bytes
    _owned: bool = True
    _consumed: bool = field(default=False, repr=False)

    def __iter__(self) -> Iterator[Record]:
        if self._consumed:
            raise InputError(f"{self.name}: a capture can be read only once")
        self._consumed = True
        if self.info.format == "pcap":
            return pcap.iter_records(self._stream, self._head)
        return pcapng.iter_records(self._stream, self._head)

    def close(self) -> None:
        if self._owned:
            self._stream.close()

    def __enter__(self) -> Capture:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first_linktype_pcapng(stream: BinaryIO, head: bytes, name: str) -> tuple[CaptureInfo, bytes]:
    """Peek at the section header and first interface block for the banner line."""
    order = pcapng.section_order(head)
    if len(head) < 12:
        raise CaptureFormatError(f"{name}: truncated pcapng section header")
    (total,) = struct.unpack_from(order + "I", head, 4)
    info = CaptureInfo("pcapng", -1, 0, False, "little" if order == "<" else "big")
    if total < 28 or total % 4 or total > pcapng.MAX_BLOCK:
        raise CaptureFormatError(f"{name}: pcapng section header has a bad block total length {total}")
    more = stream.read(total - len(head) + 16) if total + 16 > len(head) else b""
    data = head + more
    if len(data) >= total + 16:
        btype, _blen, linktype, _r, snaplen = struct.unpack_from(order + "IIHHI", data, total)
        if btype == pcapng.IDB:
            info = CaptureInfo("pcapng", linktype, snaplen, False, info.byte_order)
    return info, data


def open_capture(source: str | os.PathLike[str] | BinaryIO) -> Capture:
    """Open ``source`` (a path, ``"-"`` for stdin, or a binary stream) for a single pass.

    Raises :class:`CaptureFormatError` (exit 2) when the input is not a
    readable capture; reading it later raises :class:`CaptureTruncatedError`
    (exit 3) only after every complete record was yielded.
    """
    owned = True
    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        if name == "-":
            stream: BinaryIO = sys.stdin.buffer
            owned = False
            name = "-"
        else:
            try:
                stream = open(name, "rb", buffering=1 << 16)  # noqa: SIM115 - closed by Capture
            except FileNotFoundError as exc:
                raise InputError(f"{name}: No such file or directory") from exc
            except IsADirectoryError as exc:
                raise InputError(f"{name}: is a directory, not a capture file") from exc
            except PermissionError as exc:
                raise InputError(f"{name}: Permission denied") from exc
    else:
        stream = source
        name = getattr(source, "name", "<stream>")
        owned = False
    try:
        head = stream.read(24)
        kind = sniff_format(head, name)
        if kind == "pcap":
            info, _order = pcap.parse_header(head)
        else:
            info, head = _first_linktype_pcapng(stream, head, name)
    except BaseException:
        if owned:
            stream.close()
        raise
    return Capture(name, info, stream, head, owned)


def read_capture(source: str | os.PathLike[str] | BinaryIO) -> Iterator[Record]:
    """Yield every record of a capture file; a convenience over :func:`open_capture`."""
    with open_capture(source) as cap:
        yield from cap


def capture_from_bytes(data: bytes, name: str = "<bytes>") -> Capture:
    """Open an in-memory capture (tests, fuzzing)."""
    stream = io.BytesIO(data)
    stream.name = name
    return open_capture(stream)
