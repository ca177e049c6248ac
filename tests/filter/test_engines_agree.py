"""The three ways to evaluate a filter agree: decoded layers, raw bytes, and the memo of raw decisions.

Checked on every shipped capture and on every truncation of every record
(with a few random byte flips), for expressions touching every primitive.
"""

from __future__ import annotations

import pickle
import random
import struct
from pathlib import Path

import pytest

from tests.filter.test_overlay import PAIRS
from tests.filter.test_vs_tcpdump import OUTER
from vxlan_inspect.capture import open_capture
from vxlan_inspect.decode import decode_packet
from vxlan_inspect.filter import compile_filter
from vxlan_inspect.filter.block import record_keeper
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
@pytest.mark.parametrize("order", ["<", ">"])
def test_block_selection_equals_record_by_record(expr: str, order: str) -> None:
    by_link: dict[int, list[tuple[bytes, int]]] = {}
    for data, linktype, wirelen in FRAMES:
        by_link.setdefault(linktype, []).append((data, wirelen))
    for linktype, frames in by_link.items():
        flt = compile_filter(expr)
        records = [struct.pack(order + "IIII", 1, i, len(d), max(w, len(d))) + d for i, (d, w) in enumerate(frames)]
        block = b"".join(records)
        want = [r for r, (d, w) in zip(records, frames, strict=True) if flt.match_bytes(d, linktype, max(w, len(d)))]
        for _ in range(3):  # later passes answer from the memo, most of it a block at a time
            data, count, _last = flt.select_block(block, len(frames), order, linktype)
            assert count == len(want)
            assert bytes(data) == b"".join(want)


@pytest.mark.parametrize("expr", ["vni 256", "udp port 4789", "vxlan and inner (icmp or arp)", "inner icmp",
                                  "inner host 192.168.10.100", "not arp", "vxlan and inner broadcast",
                                  "inner multicast"])
def test_block_answers_are_the_record_answers(expr: str) -> None:
    """The vectorised answers (after learning) equal the per-record ones, record for record."""
    frames = []
    for name in ("vxlan-icmp.pcap", "vxlan-arp.pcap", "vxlan-vlan-underlay.pcap", "vxlan-udp.pcap"):
        with open_capture(str(ROOT / "captures" / "basic" / name)) as cap:
            frames += [(r.data, r.wirelen) for r in cap]
    block = b"".join(struct.pack("<IIII", 1, i, len(d), w) + d for i, (d, w) in enumerate(frames))
    offsets, pos = [], 0
    for d, _w in frames:
        offsets.append(pos)
        pos += 16 + len(d)
    learner = record_keeper(compile_filter(expr), 1)
    for at, (d, w) in zip(offsets, frames, strict=True):
        learner.one(block, at, len(d), w)
    decided = learner.decide(block, offsets, "<")
    assert sum(1 for d in decided if d >= 0) > len(frames) // 2  # the block path really answered
    fresh = compile_filter(expr)
    for answer, (d, w) in zip(decided, frames, strict=True):
        if answer >= 0:
            assert bool(answer) == fresh.match_bytes(d, 1, w)
