"""Bad arguments: one line on stderr, documented exit codes, no traceback."""

from __future__ import annotations

import pytest
from live_helpers import cli


def one_line_error(args: list[str], code: int, fragment: str) -> None:
    done = cli("capture", *args)
    assert done.returncode == code, (done.returncode, done.stderr)
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("vxlan-inspect: "), done.stderr
    assert fragment in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize(("args", "fragment"), [
    (["-c", "0"], "invalid packet count"),
    (["-s", "300000"], "invalid snapshot length"),
    (["-B", "x"], "invalid buffer size"),
    (["--netns", "a", "--pid", "1"], "one namespace"),
    (["-Q"], "option -Q not recognized"),
    (["--bpf", "/nonexistent/prog"], "cannot read the BPF program"),
    (["-w", "-", "--print"], "--print and -w -"),
])
def test_usage_errors_exit_1(args: list[str], fragment: str) -> None:
    one_line_error(args, 2 if "--bpf" in args else 1, fragment)


def test_missing_namespace_exit_4() -> None:
    one_line_error(["--netns", "vxlan-inspect-no-such-ns", "-i", "eth0"], 4, "no network namespace named")
    one_line_error(["--netns", "/run/netns/vxlan-inspect-no-such-ns"], 4, "does not exist")
    one_line_error(["--pid", "999999999"], 4, "no process 999999999")


def test_bad_filter_exit_1() -> None:
    one_line_error(["-i", "lo", "udp", "port", "and"], 1, "filter")


def test_unknown_interface_exit_4(require_root: None) -> None:
    one_line_error(["-i", "nosuchif0"], 4, "nosuchif0: No such device exists")


def test_help() -> None:
    done = cli("capture", "--help")
    assert done.returncode == 0 and "--netns" in done.stdout
