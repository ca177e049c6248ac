"""Atheris harness: the filter parser and compiler, and its three evaluation engines.

Input: a filter expression, optionally followed by a NUL byte and one Ethernet
frame. ``compile_filter`` may only raise a ``VxlanInspectError``
(``FilterSyntaxError``, exit 1). A compiled filter must then:

* give ``to_bpf`` (kernel program + residual) without raising;
* decide the frame (the fuzzed one, or each of a few shipped frames) the same
  way by its three engines: decoded layers (``matches``), raw bytes
  (``match_bytes``) and the memo (``match_record``), as tests/filter asserts
  for its own expressions.

Run: ``python3 fuzz/run.py filter``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from _common import fuzz_main, instrumented

with instrumented(__name__ == "__main__"):
    from vxlan_inspect.capture import open_capture
    from vxlan_inspect.decode import decode_packet
    from vxlan_inspect.errors import VxlanInspectError
    from vxlan_inspect.filter import compile_filter

ROOT = Path(__file__).resolve().parent.parent
MAX_EXPRESSION = 512


def _sample_frames() -> list[tuple[bytes, int, int]]:
    out = []
    for name in ("vxlan-icmp.pcap", "vxlan-arp.pcap", "vxlan-tcp.pcap", "vxlan-ipv6-underlay.pcap",
                 "vxlan-vlan-underlay.pcap", "overlay-any-sll2.pcap"):
        with open_capture(ROOT / "captures" / "basic" / name) as cap:
            for rec in cap:
                out.append((rec.data, rec.linktype, rec.wirelen))
                break
    return out


SAMPLES = _sample_frames()


def test_one_input(data: bytes) -> None:
    raw_expr, sep, frame = data.partition(b"\x00")
    expression = raw_expr[:MAX_EXPRESSION].decode("utf-8", "replace")
    try:
        flt = compile_filter(expression)
    except VxlanInspectError:
        return
    with contextlib.suppress(VxlanInspectError):
        flt.to_bpf(1)
    frames = [(frame, 1, len(frame))] if sep else SAMPLES
    for buf, linktype, wirelen in frames:
        want = flt.matches(decode_packet(buf, linktype, wirelen=wirelen))
        assert flt.match_bytes(buf, linktype, wirelen) == want, (expression, buf.hex())
        assert flt.match_record(buf, linktype, wirelen) == want, (expression, buf.hex())


if __name__ == "__main__":
    fuzz_main(test_one_input)
