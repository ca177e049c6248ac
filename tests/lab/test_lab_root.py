"""Real labs in network namespaces (root): modes, faults, two labs at once, a killed recorder.

Every lab here has its own random prefix and is torn down in ``finally``; traffic
goes only between the lab's own namespaces.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_signatures import Bundle, check_signature
from test_bundles import compare_read_with_tcpdump

from vxlan_inspect.lab import runner
from vxlan_inspect.lab.record import record_scenario
from vxlan_inspect.lab.scenarios import get_scenario

pytestmark = [pytest.mark.root, pytest.mark.slow]

MODE_SCENARIO = {"docker": "healthy-ping", "learning": "learning", "multicast": "multicast", "p2p": "p2p"}
OTHER_SCENARIOS = ["arp-proxy", "x2-join", "missing-fdb", "missing-neigh", "wrong-vtep", "wrong-vni",
                   "wrong-port", "mtu", "proxy-off", "stale-neigh", "reply-fdb"]


@pytest.fixture
def lab_env(require_root: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A private lab state directory for this test (also for CLI subprocesses)."""
    monkeypatch.setenv("VXLAN_INSPECT_LAB_DIR", str(tmp_path / "labs"))
    yield dict(os.environ)


def _prefix() -> str:
    return "vxt" + secrets.token_hex(2)


def cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "vxlan_inspect", *args], capture_output=True, text=True,
                          env=env, check=False, timeout=300)
    if check:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def processes_mentioning(prefix: str) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if prefix.encode() in (proc / "cmdline").read_bytes():
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


def assert_clean(prefix: str) -> None:
    left = runner.find_leftovers(prefix)
    assert left.empty(), left
    assert not processes_mentioning(prefix)


@pytest.mark.parametrize("mode", sorted(MODE_SCENARIO))
def test_mode_up_ping_record_read_down(mode: str, lab_env: dict[str, str], tmp_path: Path) -> None:
    prefix = _prefix()
    try:
        cli(lab_env, "lab", "up", "--mode", mode, "--prefix", prefix)
        ping = cli(lab_env, "lab", "ping", "C-2", "192.168.10.100", "-c", "2", "--prefix", prefix)
        assert "2 received" in ping.stdout
        cli(lab_env, "lab", "down", "--prefix", prefix)
        assert_clean(prefix)
        bundle = tmp_path / "bundle"
        record_scenario(get_scenario(MODE_SCENARIO[mode]), bundle, prefix)
        assert_clean(prefix)
        b = Bundle(bundle)
        check_signature(b)
        for cap in b.doc["captures"]:
            if cap["id"].endswith(".underlay"):
                compare_read_with_tcpdump(bundle / cap["file"])
    finally:
        runner.lab_down(prefix)
    assert_clean(prefix)


@pytest.mark.parametrize("scenario", OTHER_SCENARIOS)
def test_recorded_scenario_shows_its_signature(
    scenario: str, lab_env: dict[str, str], tmp_path: Path
) -> None:
    prefix = _prefix()
    try:
        record_scenario(get_scenario(scenario), tmp_path / scenario, prefix)
        check_signature(Bundle(tmp_path / scenario))
    finally:
        runner.lab_down(prefix)
    assert_clean(prefix)


def _root_links() -> set[str]:
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True, check=True).stdout
    return {line.split(":")[1].strip().split("@")[0] for line in out.splitlines()}


def test_two_labs_side_by_side(lab_env: dict[str, str]) -> None:
    a, b = _prefix(), _prefix()
    links_before = _root_links()
    try:
        cli(lab_env, "lab", "up", "--prefix", a)
        cli(lab_env, "lab", "up", "--prefix", b)
        assert _root_links() == links_before, "labs must not create links in the root namespace"
        cli(lab_env, "lab", "break", "missing-fdb", "--prefix", a)
        assert cli(lab_env, "lab", "ping", "C-2", "X-1", "-c", "2", "-p", a, check=False).returncode == 1
        assert "2 received" in cli(lab_env, "lab", "ping", "C-2", "X-1", "-c", "2", "-p", b).stdout
        status = cli(lab_env, "lab", "status", "--json").stdout
        assert a in status and b in status and "missing-fdb" in status
        cli(lab_env, "lab", "down", "--prefix", a)
        assert_clean(a)
        assert "2 received" in cli(lab_env, "lab", "ping", "C-2", "X-1", "-c", "2", "-p", b).stdout
        cli(lab_env, "lab", "down", "--prefix", b)
    finally:
        runner.lab_down(a)
        runner.lab_down(b)
    assert_clean(a)
    assert_clean(b)
    assert _root_links() == links_before


def test_killed_recorder_then_down_cleans_everything(lab_env: dict[str, str], tmp_path: Path) -> None:
    prefix = _prefix()
    argv = [
        sys.executable,
        "-m",
        "vxlan_inspect",
        "lab",
        "record",
        "mtu",
        "-o",
        str(tmp_path / "b"),
        "-p",
        prefix,
    ]
    proc = subprocess.Popen(argv, env=lab_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: tuple[int, ...] = ()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            seen = runner.find_leftovers(prefix).pids
            if len(seen) >= 8:  # 2 neighbour monitors + 7 tcpdumps are starting
                break
            time.sleep(0.05)
        assert proc.poll() is None and seen, "the recorder should be capturing"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert runner.find_leftovers(prefix).namespaces, "a killed recorder leaves its lab behind"
        down = cli(lab_env, "lab", "down", "--prefix", prefix)
        assert "processes" in down.stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        runner.lab_down(prefix)
    assert_clean(prefix)
    assert not [pid for pid in seen if _alive(pid)]


def _alive(pid: int) -> bool:
    """True for a running process; False when gone or a zombie (dead, waiting to be reaped by init)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
