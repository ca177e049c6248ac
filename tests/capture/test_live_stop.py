"""Stopping and privilege (root): SIGINT/SIGTERM leave a valid pcap with every printed packet; -Z; no privilege.

Each test makes its own namespace (prefix ``vcs`` + random hex), pings loopback
inside it (bounded count), and deletes it in ``finally``.
"""

from __future__ import annotations

import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_helpers import Running, counters, ours, tcpdump_read

from tests.conftest import require_tool

pytestmark = [pytest.mark.root]


@pytest.fixture
def netns(require_root: None) -> Iterator[str]:
    name = "vcs" + uuid.uuid4().hex[:8]
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def pinger(ns: str, count: int = 400) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["ip", "netns", "exec", ns, "ping", "-q", "-c", str(count), "-i", "0.005", "127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("buffered", [False, True])
def test_signal_leaves_valid_pcap_with_every_printed_packet(netns: str, tmp_path: Path, sig: int,
                                                            buffered: bool) -> None:
    require_tool("tcpdump")
    pcap = tmp_path / "live.pcap"
    a = Running(ours("--netns", netns, "-i", "lo", "-w", str(pcap), "--print", *(["-U"] if buffered else [])),
                tmp_path / "out.txt")
    ping = None
    try:
        a.wait_listening()
        ping = pinger(netns)
        import time

        time.sleep(1.0)  # mid-stream
        code, text, err = a.stop(sig)
    finally:
        a.kill()
        if ping is not None:
            ping.kill()
            ping.wait()
    assert code == 0, err
    printed = text.splitlines()
    assert len(printed) > 20, text
    written = tcpdump_read(pcap)  # tcpdump exits 0: no truncated record
    assert written.splitlines() == printed
    assert counters(err)["captured"] == len(printed)


def test_drop_to_user_and_no_capabilities(netns: str, tmp_path: Path) -> None:
    a = Running(ours("--netns", netns, "-i", "any", "-Z", "nobody"), tmp_path / "out.txt")
    try:
        a.wait_listening()
        status = Path(f"/proc/{a.proc.pid}/status").read_text()
        fields = {line.split(":")[0]: line.split(":", 1)[1].split() for line in status.splitlines() if ":" in line}
        ping = pinger(netns, 3)
        ping.wait()
        import time

        time.sleep(0.5)
        code, text, err = a.stop(signal.SIGTERM)
    finally:
        a.kill()
    assert fields["Uid"][0] != "0" and fields["Uid"] == [fields["Uid"][0]] * 4
    assert int(fields["CapEff"][0], 16) == 0 and int(fields["CapPrm"][0], 16) == 0
    assert int(fields["CapBnd"][0], 16) == 0
    assert code == 0, err
    assert "lo    In  IP 127.0.0.1 > 127.0.0.1: ICMP echo request" in text  # names still resolved in the netns


def test_without_privilege_one_line_exit_4(tmp_path: Path, require_root: None) -> None:
    require_tool("setpriv")
    # root, but with CAP_NET_RAW and CAP_NET_ADMIN out of the bounding set (so out of the exec'd process)
    done = subprocess.run(["setpriv", "--bounding-set=-net_raw,-net_admin", "--inh-caps=-all",
                           *ours("-i", "lo", "-c", "1")], capture_output=True, text=True, timeout=60, check=False,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 4, done.stderr
    assert done.stderr.count("\n") == 1 and "permission" in done.stderr, done.stderr
    assert done.stdout == ""
