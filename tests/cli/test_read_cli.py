"""`vxlan-inspect read` options, errors, -w, and the parallel path, end to end."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_tool
from vxlan_inspect.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASIC = ROOT / "captures" / "basic"
ENV = {**os.environ, "TZ": "GMT0"}


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "vxlan_inspect", *args], capture_output=True, env=ENV,
                          input=stdin, check=False)


@pytest.mark.parametrize(
    ("combined", "separate"),
    [
        (["-nner", str(BASIC / "vxlan-arp.pcap")], ["-n", "-e", "-r", str(BASIC / "vxlan-arp.pcap")]),
        (["-#ne", "-r", str(BASIC / "vxlan-icmp.pcap")], ["-#", "-n", "-e", "-r", str(BASIC / "vxlan-icmp.pcap")]),
        (["-vvv", "-r", str(BASIC / "vxlan-tcp.pcap")], ["-v", "-v", "-v", "-r", str(BASIC / "vxlan-tcp.pcap")]),
        (["-tttt", str(BASIC / "vxlan-udp.pcap")], ["-t", "-t", "-t", "-t", "-r", str(BASIC / "vxlan-udp.pcap")]),
    ],
)
def test_combined_short_flags(combined: list[str], separate: list[str]) -> None:
    a, b = run("read", *combined), run("read", *separate)
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout and a.stdout


def test_count_limits_output() -> None:
    out = run("read", "-c", "3", "-r", str(BASIC / "vxlan-icmp.pcap"))
    assert out.returncode == 0
    assert out.stdout.count(b"\nIP ") + out.stdout.count(b"\nARP") <= 3
    assert len([ln for ln in out.stdout.splitlines() if ln[:2].isdigit()]) == 3


def test_write_pcap_round_trips_through_tcpdump(tmp_path: Path) -> None:
    require_tool("tcpdump")
    src = BASIC / "vxlan-tcp.pcap"
    dst = tmp_path / "out.pcap"
    w = run("read", "-r", str(src), "-w", str(dst))
    assert w.returncode == 0 and w.stdout == b""
    ours = run("read", "-n", "-r", str(dst))
    theirs = subprocess.run(["tcpdump", "-n", "-r", str(dst)], capture_output=True, env=ENV, check=True)
    original = run("read", "-n", "-r", str(src))
    assert ours.stdout == theirs.stdout == original.stdout


def test_write_count_and_nanosecond(tmp_path: Path) -> None:
    dst = tmp_path / "two.pcap"
    assert run("read", "-c", "2", "--nano", "-r", str(BASIC / "vxlan-icmp-nano.pcap"), "-w", str(dst)).returncode == 0
    data = dst.read_bytes()
    assert struct.unpack_from("<I", data)[0] == 0xA1B23C4D
    again = run("read", "--nano", "-r", str(dst))
    ref = run("read", "--nano", "-c", "2", "-r", str(BASIC / "vxlan-icmp-nano.pcap"))
    assert again.stdout == ref.stdout


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["read"], 1, b"no capture given"),
        (["read", "-Q", "x.pcap"], 1, b"option -Q not recognized"),
        (["read", "-c", "zero", "x.pcap"], 1, b"invalid packet count"),
        (["read", "--vxlan-port", "70000", "x.pcap"], 1, b"invalid port"),
        (["read", "-r", "/nonexistent.pcap"], 2, b"No such file"),
        (["read", "-r", str(ROOT / "README.md")], 2, b"text, not a pcap"),
    ],
)
def test_usage_and_input_errors_are_one_line(args: list[str], code: int, text: bytes) -> None:
    out = run(*args)
    assert out.returncode == code
    assert text in out.stderr
    assert out.stderr.count(b"\n") == 1 and b"Traceback" not in out.stderr


def test_traceback_flag_shows_the_stack() -> None:
    out = run("--traceback", "read", "-r", "/nonexistent.pcap")
    assert out.returncode == 2
    assert b"Traceback" in out.stderr and out.stderr.strip().endswith(b"No such file or directory")


def test_help() -> None:
    out = run("read", "--help")
    assert out.returncode == 0 and b"-ttttt" in out.stdout and b"Exit codes" in out.stdout


def test_main_returns_exit_codes_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "-r", "/nonexistent.pcap"]) == 2
    assert "No such file" in capsys.readouterr().err


def _big_tcp_capture(path: Path) -> int:
    """A >8 MiB pcap made of the real TCP-in-VXLAN capture's records repeated: many blocks, TCP state."""
    data = (BASIC / "vxlan-tcp.pcap").read_bytes()
    head, body = data[:24], data[24:]
    copies = (9 << 20) // len(body) + 1
    with open(path, "wb") as fh:
        fh.write(head)
        for _ in range(copies):
            fh.write(body)
    return copies


def test_parallel_workers_print_exactly_what_one_process_prints(tmp_path: Path) -> None:
    big = tmp_path / "big.pcap"
    _big_tcp_capture(big)
    one = run("read", "-n", "-#", "-r", str(big), "--jobs", "1")
    two = run("read", "-n", "-#", "-r", str(big), "--jobs", "2")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout
    # Relative TCP sequence numbers depend on every earlier packet: they must survive the split.
    assert b"seq 1:17" in two.stdout
    if shutil.which("tcpdump"):
        ref = subprocess.run(["tcpdump", "-n", "-#", "-r", str(big)], capture_output=True, env=ENV, check=True)
        assert two.stdout == ref.stdout


def test_parallel_deltas_match_tcpdump(tmp_path: Path) -> None:
    require_tool("tcpdump")
    big = tmp_path / "big.pcap"
    _big_tcp_capture(big)
    for flag in ("-ttt", "-ttttt"):
        two = run("read", "-n", flag, "-r", str(big), "--jobs", "2")
        ref = subprocess.run(["tcpdump", "-n", flag, "-r", str(big)], capture_output=True, env=ENV, check=True)
        assert two.stdout == ref.stdout, flag


def test_ifnames_from_a_scenario_bundle() -> None:
    import json

    bundle = ROOT / "captures" / "bundles" / "healthy-ping"
    scenario = json.loads((bundle / "scenario.json").read_text())
    point = next(p for p in scenario["captures"] if p["linktype"] == 276)
    names = next(n["ifindex"] for n in scenario["namespaces"] if n["netns"] == point["netns"])
    out = run("read", "-n", "-r", str(bundle / point["file"]), "--ifnames", str(bundle / "scenario.json"))
    assert out.returncode == 0
    columns = {line.split()[1] for line in out.stdout.decode().splitlines() if line[:2].isdigit()}
    assert columns and columns <= set(names.values())
    other = run("read", "-r", str(BASIC / "vxlan-icmp.pcap"), "--ifnames", str(bundle / "scenario.json"))
    assert other.returncode == 2 and b"not one of this bundle's captures" in other.stderr


def test_parallel_takes_over_in_order_when_tcp_appears_late(tmp_path: Path) -> None:
    """Workers write the early ICMP blocks; from the first block with TCP on, one process carries on."""
    icmp = (BASIC / "vxlan-icmp.pcap").read_bytes()
    tcp = (BASIC / "vxlan-tcp.pcap").read_bytes()
    big = tmp_path / "mixed.pcap"
    with open(big, "wb") as fh:
        fh.write(icmp[:24])
        for _ in range((10 << 20) // (len(icmp) - 24)):
            fh.write(icmp[24:])
        fh.write(tcp[24:])
        fh.write(icmp[24:])
    one = run("read", "-n", "-#", "-ttt", "-r", str(big), "--jobs", "1")
    two = run("read", "-n", "-#", "-ttt", "-r", str(big), "--jobs", "2")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout
    assert b"seq 1:17" in two.stdout


@pytest.mark.parametrize("expr", ["vni 256", "inner tcp", "inner icmp and not arp"])
def test_parallel_workers_filter_like_one_process(tmp_path: Path, expr: str) -> None:
    """Filters run in the workers when the output does not depend on earlier matches."""
    icmp = (BASIC / "vxlan-icmp.pcap").read_bytes()
    tcp = (BASIC / "vxlan-tcp.pcap").read_bytes()
    big = tmp_path / "mixed.pcap"
    with open(big, "wb") as fh:
        fh.write(icmp[:24])
        for i in range((10 << 20) // (len(icmp) - 24)):
            fh.write(icmp[24:])
            if i == 5000:
                fh.write(tcp[24:])
    one = run("read", "-n", "-r", str(big), "--jobs", "1", expr)
    two = run("read", "-n", "-r", str(big), "--jobs", "2", expr)
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and one.stdout
    numbered = run("read", "-n", "-#", "-c", "5", "-r", str(big), "--jobs", "2", expr)
    assert numbered.stdout == run("read", "-n", "-#", "-c", "5", "-r", str(big), "--jobs", "1", expr).stdout
