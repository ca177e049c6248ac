"""A capture cut short mid-record: ``read`` prints every complete packet, exactly as tcpdump does, then exit 3.

A 200k-packet capture of ``benchmarks/gen_capture.py`` (made in a temporary directory) is cut
mid-record-header and mid-data, as a pcap, as a pcapng and through stdin, and read with one
process, two and four workers and the default; then through the Python API into a StringIO.
Big enough that the worker paths are taken (they are for files over 8 MiB).
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_tool
from vxlan_inspect.errors import CaptureTruncatedError
from vxlan_inspect.read import ReadOptions, run_read

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
PACKETS = 200_000
ENV = {**os.environ, "TZ": "UTC"}


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from gen_capture import generate, to_pcapng

    tmp = tmp_path_factory.mktemp("cut")
    pcap = tmp / "big.pcap"
    with open(pcap, "wb") as out:
        generate(PACKETS, out)
    pcapng = tmp / "big.pcapng"
    to_pcapng(pcap, pcapng)
    return {"pcap": pcap, "pcapng": pcapng}


def _cuts(path: Path) -> dict[str, Path]:
    """The file cut inside a record header and inside a record's data, at about 2/3 and 1/3."""
    data = path.read_bytes()
    pcapng = path.suffix == ".pcapng"
    pos = 28 + 20 if pcapng else 24  # first record (after SHB + IDB for pcapng)
    starts = []
    while pos < len(data):
        starts.append(pos)
        pos += struct.unpack_from("<I", data, pos + 4)[0] if pcapng else 16 + struct.unpack_from("<I", data, pos + 8)[0]
    head_cut = starts[len(starts) * 2 // 3] + 7  # inside a record (block) header
    data_cut = starts[len(starts) // 3] + 40  # inside a record's data
    out = {}
    for name, cut in (("mid-header", head_cut), ("mid-data", data_cut)):
        p = path.with_name(f"{path.stem}-{name}{path.suffix}")
        p.write_bytes(data[:cut])
        out[name] = p
    return out


def _tcpdump(path: Path) -> bytes:
    tcpdump = require_tool("tcpdump")
    return subprocess.run([tcpdump, "-n", "-r", str(path)], capture_output=True, env=ENV).stdout


@pytest.mark.parametrize("form", ["pcap", "pcapng"])
def test_cut_big_capture_prints_what_tcpdump_prints(form: str, big: dict[str, Path]) -> None:
    for name, path in _cuts(big[form]).items():
        want = _tcpdump(path)
        assert want.count(b"\n") > 100_000
        for jobs in (["--jobs", "1"], ["--jobs", "2"], ["--jobs", "4"], []):
            proc = subprocess.run([sys.executable, "-m", "vxlan_inspect", "read", "-n", "-r", str(path), *jobs],
                                  capture_output=True, env=ENV)
            assert proc.returncode == 3, (name, jobs, proc.stderr[-300:])
            assert proc.stdout == want, (form, name, jobs, proc.stdout.count(b"\n"), want.count(b"\n"))
            assert proc.stderr.decode().count("\n") == 2  # the banner, then one line for the cut
        if form == "pcap":  # through stdin too
            with open(path, "rb") as fh:
                proc = subprocess.run([sys.executable, "-m", "vxlan_inspect", "read", "-n", "-r", "-"], stdin=fh,
                                      capture_output=True, env=ENV)
            assert proc.returncode == 3 and proc.stdout == want, (name, "stdin")


def test_cut_big_capture_through_the_api(big: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        for form in ("pcap", "pcapng"):
            for name, path in _cuts(big[form]).items():
                want = _tcpdump(path).decode()
                for jobs in (1, 2):
                    out = io.StringIO()
                    with pytest.raises(CaptureTruncatedError):
                        run_read(ReadOptions(file=str(path), jobs=jobs), out, io.StringIO())
                    assert out.getvalue() == want, (form, name, jobs)
    finally:
        monkeypatch.undo()
        time.tzset()
