"""``read -r -`` follows a capture as it is written: each record printed once it has arrived.

The records go through a real pipe one at a time; each packet's text must be readable
on stdout before the next record is written, and ``-c N`` must exit after N records while
the pipe is still open (as ``tcpdump -l -r -`` and ``tcpdump -c N -r -`` do).
"""

from __future__ import annotations

import os
import select
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pcapng_writer import write_pcapng

ROOT = Path(__file__).resolve().parents[2]
CAPTURE = ROOT / "captures" / "basic" / "vxlan-icmp.pcap"
ENV = {**os.environ, "TZ": "UTC"}


def _pcap_pieces() -> tuple[bytes, list[bytes]]:
    """The capture's file header and its records, each as its bytes in the file."""
    data = CAPTURE.read_bytes()
    recs, pos = [], 24
    while pos < len(data):
        caplen = struct.unpack_from("<I", data, pos + 8)[0]
        recs.append(data[pos : pos + 16 + caplen])
        pos += 16 + caplen
    return data[:24], recs


def _pcapng_pieces(tmp: Path) -> tuple[bytes, list[bytes]]:
    """The same packets as a pcapng: the section and interface blocks, then one EPB per record."""
    _head, recs = _pcap_pieces()
    records = []
    for rec in recs:
        sec, usec, _caplen, wirelen = struct.unpack_from("<IIII", rec, 0)
        records.append((0, sec * 1_000_000_000 + usec * 1000, rec[16:], wirelen))
    path = tmp / "x.pcapng"
    write_pcapng(path, [1], records)
    data = path.read_bytes()
    blocks, pos = [], 0
    while pos < len(data):
        total = struct.unpack_from("<I", data, pos + 4)[0]
        blocks.append(data[pos : pos + total])
        pos += total
    return b"".join(blocks[:2]), blocks[2:]


def _expected(args: list[str]) -> list[bytes]:
    out = subprocess.run([sys.executable, "-m", "vxlan_inspect", "read", *args, "-r", str(CAPTURE)],
                         capture_output=True, env=ENV, check=True).stdout
    return out.splitlines(keepends=True)


def _read_lines(proc: subprocess.Popen[bytes], want: int, timeout: float) -> list[bytes]:
    """Read ``want`` lines from the process's stdout, waiting at most ``timeout`` for each."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    got: list[bytes] = []
    buf = b""
    while len(got) < want:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        got += [line + b"\n" for line in lines]
    return got


@pytest.mark.parametrize("form", ["pcap", "pcapng"])
def test_each_record_prints_before_the_next_is_written(form: str, tmp_path: Path) -> None:
    head, recs = _pcap_pieces() if form == "pcap" else _pcapng_pieces(tmp_path)
    expected = _expected(["-n"])
    proc = subprocess.Popen([sys.executable, "-m", "vxlan_inspect", "read", "-l", "-n", "-r", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV)
    assert proc.stdin is not None
    try:
        proc.stdin.write(head)
        proc.stdin.flush()
        seen: list[bytes] = []
        for k, rec in enumerate(recs):
            proc.stdin.write(rec)
            proc.stdin.flush()
            # A VXLAN packet prints two lines (outer, then inner); the rest print one.
            lines_of_packet = 2 if b"VXLAN" in expected[len(seen)] else 1
            got = _read_lines(proc, lines_of_packet, timeout=20)
            assert got == expected[len(seen) : len(seen) + lines_of_packet], f"record {k + 1} not printed in time"
            seen += got
        proc.stdin.close()
        assert proc.wait(timeout=20) == 0
        assert seen == expected
    finally:
        _end(proc)


def _end(proc: subprocess.Popen[bytes]) -> None:
    """Stop the reader and close its pipes."""
    proc.kill()
    proc.wait()
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None and not pipe.closed:
            pipe.close()


@pytest.mark.parametrize("form", ["pcap", "pcapng"])
def test_count_exits_with_the_pipe_still_open(form: str, tmp_path: Path) -> None:
    head, recs = _pcap_pieces() if form == "pcap" else _pcapng_pieces(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "vxlan_inspect", "read", "-c", "2", "-n", "-r", "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(head + recs[0] + recs[1])
        proc.stdin.flush()
        assert proc.wait(timeout=20) == 0  # the pipe is still open: nothing more will come
        assert proc.stdout.read() == b"".join(_expected(["-n", "-c", "2"]))
    finally:
        _end(proc)
