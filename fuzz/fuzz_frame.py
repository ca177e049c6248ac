"""Atheris harness: one frame through the decoder and the tcpdump renderer.

Input: byte 0 picks the link type (low 3 bits) and display variations (high
bits); the rest is one captured frame. The frame goes through

* ``decode_packet`` (every layer, VXLAN recursion up to the depth cap);
* ``PacketFormatter.format`` with ``-# -vvv -e -XX`` (the deepest verbosity),
  and once more with a second option set picked by byte 0;
* for Ethernet, a differential check: ``format_block`` (which takes the
  struct fast path for the records it recognises) must print exactly what
  ``format`` prints for the same record.

None of these may raise for any bytes. Run: ``python3 fuzz/run.py frame``.
"""

from __future__ import annotations

import struct

from _common import fuzz_main, instrumented

with instrumented(__name__ == "__main__"):
    from vxlan_inspect.decode import DecodeConfig, decode_packet
    from vxlan_inspect.render.tcpdump import Options, PacketFormatter

#: Link types by the low 3 bits of byte 0 (147 is one we do not print: "unsupported").
LINKTYPES = (1, 113, 276, 0, 101, 228, 229, 147)
TS_SEC = 1_700_000_000
TS_USEC = 123_456
DEEP = Options(eflag=1, vflag=3, Xflag=2, packet_number=True)
#: The second option set, by bits 4-5 of byte 0.
VARIANTS = (
    Options(vflag=1),
    Options(qflag=1, tflag=2),
    Options(vflag=2, xflag=1, eflag=1),
    Options(vflag=3, Xflag=1, nano=True, vxlan_ports=frozenset({4789, 8472, 6081})),
)
CONFIG = DecodeConfig(vxlan_ports=frozenset({4789, 8472}), max_depth=8)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    sel = data[0]
    frame = data[1:]
    linktype = LINKTYPES[sel & 7]
    caplen = len(frame)
    wirelen = caplen + 1000 if sel & 8 else caplen  # bit 3: a snapped frame (caplen < wirelen)
    ts_ns = TS_SEC * 1_000_000_000 + TS_USEC * 1000

    packet = decode_packet(frame, linktype, wirelen=wirelen, config=CONFIG)
    assert packet.caplen == caplen

    text = PacketFormatter(DEEP).format(1, ts_ns, linktype, caplen, wirelen, frame)
    assert isinstance(text, str)
    PacketFormatter(VARIANTS[(sel >> 4) & 3]).format(1, ts_ns, linktype, caplen, wirelen, frame)

    if linktype == 1:
        record = struct.pack("<IIII", TS_SEC, TS_USEC, caplen, wirelen) + frame
        bulk = PacketFormatter(Options()).format_block(record, 1, 1, "<", False, 1)
        one = PacketFormatter(Options()).format(1, ts_ns, 1, caplen, wirelen, frame) + "\n"
        assert bulk == one, (bulk, one)


if __name__ == "__main__":
    fuzz_main(test_one_input)
