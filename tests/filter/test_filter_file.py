"""``read -F FILE`` selects and prints exactly what ``tcpdump -F FILE`` does.

The expressions are the outer-primitive comparison set of ``test_vs_tcpdump.py``, written to
a file with a ``#`` comment line (tcpdump blanks comments); a command-line expression after
``-F`` is ignored by both. Expressions tcpdump refuses on a capture are left out.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.filter.test_vs_tcpdump import OUTER
from vxlan_inspect.cli import main

ROOT = Path(__file__).resolve().parents[2]
CAPTURES = [ROOT / "captures" / "basic" / name for name in ("vxlan-icmp.pcap", "vxlan-arp.pcap", "vxlan-tcp.pcap")]


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.name)
def test_read_filter_file_equals_tcpdump(
    capture: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tcpdump = require_tool("tcpdump")
    monkeypatch.setenv("TZ", "UTC")  # both print times in UTC (read runs in this process)
    time.tzset()
    try:
        _compare(tcpdump, capture, tmp_path, capfd)
    finally:
        monkeypatch.undo()
        time.tzset()


def _compare(tcpdump: str, capture: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    env = {**os.environ, "TZ": "UTC"}
    compared = 0
    for k, expr in enumerate(OUTER):
        path = tmp_path / f"f{k}"
        path.write_text(f"# expression {k}\n{expr}  # trailing comment\n", encoding="utf-8")
        theirs = subprocess.run([tcpdump, "-n", "-r", str(capture), "-F", str(path), "udp"], capture_output=True,
                                text=True, env=env)
        if theirs.returncode != 0:
            continue  # tcpdump refuses this expression on this capture
        capfd.readouterr()
        code = main(["read", "-n", "-r", str(capture), "-F", str(path), "udp"])
        ours = capfd.readouterr().out
        assert code == 0, expr
        assert ours == theirs.stdout, f"{capture.name}: -F {expr!r}"
        compared += 1
    assert compared >= 40


def test_filter_file_errors_are_one_line(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    capture = str(CAPTURES[0])
    assert main(["read", "-r", capture, "-F", str(tmp_path / "missing")]) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "cannot read the filter file" in err and "Traceback" not in err
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert main(["read", "-r", capture, "-F", str(binary)]) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "not text" in err


def test_ifnames_that_is_not_text_is_one_line(capfd: pytest.CaptureFixture[str]) -> None:
    capture = str(CAPTURES[0])
    assert main(["read", "-r", capture, "--ifnames", capture]) == 2
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "interface map is not text" in err and "Traceback" not in err
