"""read on pcapng: runs of records repacked as classic pcap and formatted a block at a time print
exactly what formatting record by record prints (the path ``-c`` still takes)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.pcapng_writer import write_pcapng
from vxlan_inspect.capture import open_capture
from vxlan_inspect.cli.read import parse_args
from vxlan_inspect.errors import CaptureTruncatedError
from vxlan_inspect.read import run_read

ROOT = Path(__file__).resolve().parents[2]
BASIC = ROOT / "captures" / "basic"
OPTIONS = [[], ["-e"], ["-v"], ["-#", "-tttt"], ["-ttt"], ["-x"], ["icmp"], ["-#", "arp", "or", "udp"],
           ["-ttttt", "not", "arp"]]


def _records(name: str, iface: int = 0) -> list[tuple[int, int, bytes, int]]:
    with open_capture(BASIC / name) as cap:
        return [(iface, r.ts_ns, r.data, r.wirelen) for r in cap]


def _files(tmp: Path) -> list[Path]:
    mixed = tmp / "mixed.pcapng"
    write_pcapng(mixed, [1, 276], _records("vxlan-arp.pcap") + _records("overlay-any-sll2.pcap", 1)
                 + _records("vxlan-tcp.pcap"))
    old = tmp / "before-1970.pcapng"  # if_tsoffset far back: some records print with a time before 1970
    records = _records("vxlan-icmp.pcap")
    records[3:5] = [(0, -5_000_000_123, data, wl) for _, _, data, wl in records[3:5]]
    write_pcapng(old, [1], records, micro_offset=-10**10)
    return [BASIC / "vxlan-icmp.pcapng", mixed, old]


def _read(argv: list[str]) -> tuple[str, int]:
    out = io.StringIO()
    n = run_read(parse_args(argv), out=out, err=io.StringIO())
    return out.getvalue(), n


@pytest.mark.parametrize("options", OPTIONS, ids=" ".join)
def test_block_formatting_equals_record_by_record(tmp_path: Path, options: list[str]) -> None:
    printed = 0
    for path in _files(tmp_path):
        flags = [o for o in options if o.startswith("-")]
        expr = [o for o in options if not o.startswith("-")]
        got = _read(["-n", *flags, "-r", str(path), *expr])
        want = _read(["-n", *flags, "-c", "1000000", "-r", str(path), *expr])  # -c: record by record
        assert got == want, path.name
        printed += got[1]
    assert printed > 0


def test_a_cut_pcapng_prints_every_whole_record_then_fails(tmp_path: Path) -> None:
    path = tmp_path / "cut.pcapng"
    write_pcapng(path, [1], _records("vxlan-icmp.pcap"))
    path.write_bytes(path.read_bytes()[:-30])
    outputs = []
    for extra in ([], ["-c", "1000000"]):
        out = io.StringIO()
        with pytest.raises(CaptureTruncatedError):
            run_read(parse_args(["-n", *extra, "-r", str(path)]), out=out, err=io.StringIO())
        outputs.append(out.getvalue())
    whole, _n = _read(["-n", "-r", str(BASIC / "vxlan-icmp.pcap")])
    last = whole.rstrip("\n").split("\n")
    assert outputs[0] == outputs[1] == "\n".join(last[:-2]) + "\n"  # all but the cut record (2 lines)
