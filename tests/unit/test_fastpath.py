"""The struct fast path must print exactly what the full tcpdump printers print, or decline."""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.l2 import ARP, Ether
from scapy.layers.vxlan import VXLAN

from vxlan_inspect.capture import open_capture
from vxlan_inspect.render.tcpdump import Options, PacketFormatter
from vxlan_inspect.render.tcpdump.fastpath import format_fast

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))  # gen_capture, the benchmark generator

PORTS = frozenset({4789, 8472})


def _check(frames: list[bytes]) -> int:
    full = PacketFormatter(Options())
    taken = 0
    for data in frames:
        fast = format_fast(data, 0, len(data), len(data), PORTS)
        if fast is None:
            continue
        taken += 1
        slow = full.format(1, 0, 1, len(data), len(data), data)
        assert slow.endswith(" " + fast) or slow.split(" ", 1)[1] == fast, (data.hex(), fast, slow)
    return taken


def test_fast_path_agrees_on_shipped_captures() -> None:
    frames = []
    for path in sorted((ROOT / "captures").rglob("*.pcap")):
        with open_capture(path) as cap:
            frames += [r.data for r in cap if r.linktype == 1 and r.caplen == r.wirelen]
    assert _check(frames) > 20


def test_fast_path_agrees_on_the_benchmark_generator() -> None:
    from gen_capture import generate

    buf = io.BytesIO()
    generate(200, buf)
    path = ROOT / "benchmarks"  # only for the name
    del path
    raw = buf.getvalue()
    frames = []
    pos = 24
    while pos < len(raw):
        caplen = int.from_bytes(raw[pos + 8 : pos + 12], "little")
        frames.append(raw[pos + 16 : pos + 16 + caplen])
        pos += 16 + caplen
    assert _check(frames) == 200


def test_fast_path_declines_or_agrees_on_odd_frames() -> None:
    rng = random.Random(7)
    frames = []
    base = Ether() / IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=5, dport=4789)
    inners = [
        Ether() / IP(src="1.1.1.1", dst="2.2.2.2") / ICMP(type=8, id=1, seq=2) / (b"x" * 20),
        Ether() / IP(src="1.1.1.1", dst="2.2.2.2", flags="MF") / ICMP(),
        Ether() / IP(src="1.1.1.1", dst="2.2.2.2", options=b"\x01\x01\x01\x00") / ICMP(),
        Ether() / IP(src="1.1.1.1", dst="2.2.2.2") / ICMP(type=3, code=4),
        Ether() / ARP(op=1, psrc="1.1.1.1", pdst="2.2.2.2", hwdst="aa:bb:cc:dd:ee:ff"),
        Ether() / ARP(op=5),
        Ether(type=0x1234) / (b"junk" * 10),
    ]
    for inner in inners:
        for flags in (0x08, 0x00, 0x88):
            frames.append(bytes(base / VXLAN(flags=flags, vni=rng.randrange(1 << 24)) / inner))
    frames.append(bytes(Ether() / IP() / ICMP(type=0, id=5, seq=6) / (b"y" * 40)))
    # Bit flips in otherwise valid frames: the fast path must never print anything different.
    good = frames[0]
    for _ in range(2000):
        b = bytearray(good)
        b[rng.randrange(12, len(b))] ^= 1 << rng.randrange(8)
        frames.append(bytes(b))
    assert _check(frames) > 5


# -- every display option: compile_fast's templates against the full printers -------------------

from vxlan_inspect.render.tcpdump.context import Ctx  # noqa: E402
from vxlan_inspect.render.tcpdump.fastpath import compile_fast  # noqa: E402

OPTION_SETS = [
    {}, {"eflag": 1}, {"vflag": 1}, {"vflag": 2}, {"vflag": 3}, {"qflag": 1}, {"eflag": 1, "qflag": 1},
    {"qflag": 1, "vflag": 2}, {"eflag": 1, "vflag": 1}, {"eflag": 1, "vflag": 2}, {"xflag": 1}, {"xflag": 2},
    {"Xflag": 1}, {"Xflag": 2}, {"Aflag": 1}, {"Aflag": 2}, {"vflag": 2, "Xflag": 1}, {"eflag": 1, "xflag": 1},
    {"eflag": 1, "qflag": 1, "vflag": 1, "Xflag": 2},
]


def _records() -> list[tuple[int, bytes, int]]:
    """(linktype, data, wirelen) of every record of every shipped capture, SLL2 conversions included."""
    recs = []
    for path in sorted((ROOT / "captures").rglob("*.pcap*")):
        with open_capture(path) as cap:
            recs += [(r.linktype, r.data, r.wirelen) for r in cap]
    # The Ethernet records again as Linux cooked v2 (-i any) and v1 frames, as a capture on any sees them.
    for lt, data, wirelen in list(recs):
        if lt == 1 and len(data) >= 14 and len(data) == wirelen:
            for k, pkttype in enumerate((0, 4, 3)):
                sll2 = (data[12:14] + b"\0\0" + (3 + k).to_bytes(4, "big") + b"\0\x01" + bytes([pkttype, 6])
                        + data[6:12] + b"\0\0")
                recs.append((276, sll2 + data[14:], wirelen + 6))
                sll = pkttype.to_bytes(2, "big") + b"\0\x01\0\x06" + data[6:12] + b"\0\0" + data[12:14]
                recs.append((113, sll + data[14:], wirelen + 2))
    return recs


def test_templates_equal_the_printers_for_every_option() -> None:
    recs = _records()
    rng = random.Random(11)
    # Bit flips in the records the templates take: they must decline or agree.
    takers = [r for r in recs if r[1] and len(r[1]) == r[2] and len(r[1]) >= 60]
    for _ in range(3000):
        lt, data, wirelen = rng.choice(takers)
        b = bytearray(data)
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        recs.append((lt, bytes(b), wirelen))
    for flags in OPTION_SETS:
        opts = Options(tflag=1, ifnames={3: "eth0", 4: "vxlan0", 5: "br0"}, **flags)  # type: ignore[arg-type]
        full = PacketFormatter(opts)
        taken = 0
        fns = {lt: compile_fast(opts, lt, Ctx(opts)) for lt in (1, 113, 276)}
        for lt, data, wirelen in recs:
            fn = fns.get(lt)
            if fn is None:
                continue
            fast = fn(data, 0, len(data), wirelen)
            if fast is None:
                continue
            taken += 1
            slow = full.format(1, 0, lt, len(data), wirelen, data)
            assert fast == slow, (flags, lt, data.hex(), fast, slow)
        assert taken > 1000, (flags, taken)
