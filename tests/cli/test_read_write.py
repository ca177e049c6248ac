"""``read -w FILE``: a temporary name renamed when done; nothing left behind by a failed write."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.pcapng_writer import write_pcapng
from vxlan_inspect.capture import open_capture
from vxlan_inspect.cli import main
from vxlan_inspect.errors import CaptureTruncatedError

ROOT = Path(__file__).resolve().parents[2]
CAPTURE = ROOT / "captures" / "basic" / "vxlan-icmp.pcap"


def test_cut_capture_keeps_every_complete_record(tmp_path: Path) -> None:
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(CAPTURE.read_bytes()[:1000])
    out = tmp_path / "out.pcap"
    assert main(["read", "-r", str(cut), "-w", str(out)]) == 3
    complete: list[bytes] = []
    with open_capture(cut) as cap, pytest.raises(CaptureTruncatedError):
        for rec in cap:
            complete.append(rec.data)
    with open_capture(out) as cap:
        written = [r.data for r in cap]
    assert complete and written == complete
    tcpdump = require_tool("tcpdump")
    assert subprocess.run([tcpdump, "-r", str(out)], capture_output=True).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.pcap", "out.pcap"]


def test_failed_write_leaves_nothing_and_the_old_file_untouched(tmp_path: Path) -> None:
    with open_capture(CAPTURE) as cap:
        recs = [r for r in cap][:3]
    two_links = tmp_path / "two.pcapng"
    write_pcapng(two_links, [1, 101], [(0, r.ts_ns, r.data, r.wirelen) for r in recs[:2]]
                 + [(1, recs[2].ts_ns, recs[2].data[14:], recs[2].wirelen - 14)])
    out = tmp_path / "out.pcap"
    out.write_bytes(b"old contents")
    assert main(["read", "-r", str(two_links), "-w", str(out)]) == 1  # a pcap holds one link type
    assert out.read_bytes() == b"old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pcap", "two.pcapng"]


def test_write_to_a_directory_fails_before_reading(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "-r", str(CAPTURE), "-w", str(tmp_path)]) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "is a directory" in err and "reading from file" not in err
