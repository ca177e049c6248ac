"""The outer `main`: every user error is one line with its exit code, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["nosuch"], 1, "No such command"),
        (["lab", "ping", "--prefix"], 1, "requires an argument"),
        (["state", "parse"], 1, "Missing argument"),
        (["explain", "--format", "nope", "captures/bundles/healthy-ping"], 1, ""),
        (["read", "-r", "/nonexistent"], 2, "No such file"),
    ],
)
def test_errors_are_one_line(args: list[str], code: int, text: str) -> None:
    out = subprocess.run([sys.executable, "-m", "vxlan_inspect", *args], capture_output=True, text=True, check=False)
    assert out.returncode == code, out.stderr
    assert "Traceback" not in out.stderr
    assert out.stderr.startswith("vxlan-inspect: ") and out.stderr.count("\n") == 1
    assert text in out.stderr


def test_help_exits_zero() -> None:
    out = subprocess.run([sys.executable, "-m", "vxlan_inspect", "--help"], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and "read" in out.stdout and "explain" in out.stdout
