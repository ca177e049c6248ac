"""The parallel pcapng path prints exactly what the one-process path prints, faults included.

Every shipped capture is written as a pcapng, whole and cut at several offsets (mid-header,
mid-data), and read through the Python API with one process and with two workers taking
runs of 7 packets (so a file makes many runs); text, count and error must be the same.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.pcapng_writer import write_pcapng
from vxlan_inspect import read as read_mod
from vxlan_inspect.capture import open_capture
from vxlan_inspect.errors import VxlanInspectError
from vxlan_inspect.read import ReadOptions, run_read
from vxlan_inspect.render.tcpdump import Options

ROOT = Path(__file__).resolve().parents[2]


def _packets(path: Path) -> int:
    with open_capture(path) as cap:
        return sum(1 for _ in cap)


# Captures of at least three packets (fewer make one run only).
CAPTURES = sorted(p for p in (ROOT / "captures").rglob("*.pcap") if p.stat().st_size < 400_000 and _packets(p) >= 3)


def _read(path: Path, jobs: int, display: Options, expression: str | None = None) -> tuple[str, str]:
    out = io.StringIO()
    try:
        run_read(ReadOptions(file=str(path), jobs=jobs, display=display, filter=expression), out, io.StringIO())
        err = ""
    except VxlanInspectError as exc:
        err = f"{type(exc).__name__}: {exc.one_line()}"
    return out.getvalue(), err


def _as_pcapng(src: Path, dst: Path) -> int:
    with open_capture(src) as cap:
        recs = [(0, r.ts_ns, r.data, r.wirelen) for r in cap]
        linktype = cap.info.linktype
    write_pcapng(dst, [linktype], recs)
    return len(recs)


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: str(p.relative_to(ROOT / "captures")))
def test_parallel_pcapng_equals_one_process(capture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_mod, "_PCAPNG_RUN_RECORDS", 7)
    whole = tmp_path / "whole.pcapng"
    _as_pcapng(capture, whole)
    data = whole.read_bytes()
    cuts = [len(data), len(data) - 3, len(data) * 2 // 3, len(data) // 2 + 5, len(data) // 3 + 1]
    for k, cut in enumerate(cuts):
        path = tmp_path / f"cut{k}.pcapng"
        path.write_bytes(data[:cut])
        for display in (Options(), Options(eflag=1, vflag=2, packet_number=True)):
            assert _read(path, 2, display) == _read(path, 1, display), (cut, display)
    assert _read(whole, 2, Options(), "ip or arp") == _read(whole, 1, Options(), "ip or arp")


def _read_to_file(
    path: Path, jobs: int, display: Options, out: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """read with stdout a real file, so the workers write to it themselves (the direct path)."""
    with open(out, "w", encoding="utf-8") as fh:
        monkeypatch.setattr("sys.stdout", fh)
        try:
            run_read(ReadOptions(file=str(path), jobs=jobs, display=display), None, io.StringIO())
            err = ""
        except VxlanInspectError as exc:
            err = f"{type(exc).__name__}: {exc.one_line()}"
        finally:
            fh.flush()
        monkeypatch.undo()
    return out.read_text(encoding="utf-8"), err


@pytest.mark.parametrize("capture", [c for c in CAPTURES if c.name in ("vxlan-tcp.pcap", "icmp-edges.pcap",
                                                                        "overlay-any-sll2.pcap", "dns.pcap")],
                         ids=lambda p: p.name)
def test_workers_writing_to_the_output_equal_one_process(
    capture: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = tmp_path / "whole.pcapng"
    _as_pcapng(capture, whole)
    data = whole.read_bytes()
    for k, cut in enumerate([len(data), len(data) * 2 // 3, len(data) // 2 + 5]):
        path = tmp_path / f"cut{k}.pcapng"
        path.write_bytes(data[:cut])
        monkeypatch.setattr(read_mod, "_PCAPNG_RUN_RECORDS", 7)
        one = _read_to_file(path, 1, Options(packet_number=True), tmp_path / "one.txt", monkeypatch)
        monkeypatch.setattr(read_mod, "_PCAPNG_RUN_RECORDS", 7)
        two = _read_to_file(path, 2, Options(packet_number=True), tmp_path / "two.txt", monkeypatch)
        assert two == one, cut
        assert one[0], "nothing printed"
