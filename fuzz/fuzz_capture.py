"""Atheris harness: the capture readers (pcap and pcapng file framing).

Input: a whole capture file. Allowed outcomes: records, then at most one
``CaptureTruncatedError`` (exit 3) or ``CaptureFormatError``/``InputError``
(exit 2). Invariants checked on top of "no other exception":

* every record has ``caplen == len(data) <= 262144`` and consecutive indexes;
* for classic pcap, the bulk framer ``iter_blocks`` (what ``read`` uses) with a
  tiny block size yields exactly the records ``iter_records`` yields, then the
  same error; and ``format_block`` formats each block without raising.

Run: ``python3 fuzz/run.py capture`` (see fuzz/README.md).
"""

from __future__ import annotations

import io
import struct

from _common import fuzz_main, instrumented

with instrumented(__name__ == "__main__"):
    from vxlan_inspect.capture import MAXIMUM_SNAPLEN, capture_from_bytes
    from vxlan_inspect.capture.pcap import iter_blocks
    from vxlan_inspect.errors import CaptureTruncatedError, VxlanInspectError
    from vxlan_inspect.render.tcpdump import Options, PacketFormatter

_HDR = {"<": struct.Struct("<IIII"), ">": struct.Struct(">IIII")}


def _records(data: bytes) -> tuple[str, list[tuple[int, int, int, bytes]], str | None, str]:
    """(format, [(ts_ns, caplen, wirelen, data)], error text or None, byte order)."""
    cap = capture_from_bytes(data, "fuzz")
    out: list[tuple[int, int, int, bytes]] = []
    error: str | None = None
    try:
        for n, rec in enumerate(cap, 1):
            assert rec.index == n, (rec.index, n)
            assert rec.caplen == len(rec.data) <= MAXIMUM_SNAPLEN, (rec.caplen, len(rec.data))
            out.append((rec.ts_ns, rec.caplen, rec.wirelen, rec.data))
    except VxlanInspectError as exc:
        error = f"{type(exc).__name__}: {exc.one_line()}"
    return cap.info.format, out, error, "<" if cap.info.byte_order == "little" else ">"


def _blocks(data: bytes, order: str, nano: bool, linktype: int) -> tuple[list[tuple[int, int, int, bytes]], str | None]:
    hdr = _HDR[order].unpack_from
    scale = 1 if nano else 1000
    fmt = PacketFormatter(Options())
    out: list[tuple[int, int, int, bytes]] = []
    error: str | None = None
    try:
        for block in iter_blocks(io.BytesIO(data[24:]), data[:24], block_size=97):
            assert block.first_index == len(out) + 1, (block.first_index, len(out))
            pos = 0
            for _ in range(block.count):
                sec, frac, caplen, wirelen = hdr(block.data, pos)
                body = block.data[pos + 16 : pos + 16 + caplen]
                out.append((sec * 1_000_000_000 + frac * scale, caplen, wirelen, body))
                pos += 16 + caplen
            assert pos == len(block.data), (pos, len(block.data))
            text = fmt.format_block(block.data, block.count, block.first_index, order, nano, linktype)
            assert text.count("\n") >= block.count
    except CaptureTruncatedError as exc:
        error = f"{type(exc).__name__}: {exc.one_line()}"
    return out, error


def test_one_input(data: bytes) -> None:
    try:
        kind, records, error, order = _records(data)
    except VxlanInspectError:
        return  # not a capture (exit 2): fine
    if kind != "pcap":
        return
    head = data[:24]
    magic = head[:4]
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack_from(order + "I", head, 20)[0] & 0x0FFFFFFF
    blocks, block_error = _blocks(data, order, nano, linktype)
    assert blocks == records, (len(blocks), len(records))
    assert block_error == error, (block_error, error)


if __name__ == "__main__":
    fuzz_main(test_one_input)
