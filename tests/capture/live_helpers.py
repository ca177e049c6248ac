"""Helpers for the live-capture tests: start captures, wait for them to listen, stop them, run the lab."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m vxlan_inspect ARGS`` to completion."""
    return subprocess.run([sys.executable, "-m", "vxlan_inspect", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout, check=False)


class Running:
    """A background capture (ours or tcpdump) whose stderr is watched for its ``listening on`` line."""

    def __init__(self, argv: list[str], stdout_path: Path, env: dict[str, str] | None = None) -> None:
        self.argv = argv
        self.stdout_path = stdout_path
        self._out = stdout_path.open("wb")
        self.proc = subprocess.Popen(argv, stdout=self._out, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        self.stderr = b""

    def wait_listening(self, timeout: float = 30) -> None:
        """Block until the process printed 'listening on' on stderr (or fail)."""
        assert self.proc.stderr is not None
        deadline = time.monotonic() + timeout
        fd = self.proc.stderr.fileno()
        while b"listening on" not in self.stderr:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                rest = self.proc.stderr.read() if self.proc.poll() is not None else b""
                raise AssertionError(f"{self.argv} never listened: {(self.stderr + rest).decode(errors='replace')}")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    continue
                self.stderr += chunk

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> tuple[int, str, str]:
        """Send ``sig``, wait, and return (exit code, stdout text, stderr text)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            _, err = self.proc.communicate(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._out.close()
        return self.proc.returncode, self.stdout_path.read_text(), (self.stderr + (err or b"")).decode()

    def kill(self) -> None:
        """Make sure the process is gone (for finally blocks)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        self._out.close()


def ours(*args: str) -> list[str]:
    """argv of our capture command."""
    return [sys.executable, "-m", "vxlan_inspect", "capture", *args]


def tcpdump_in(netns: str, *args: str) -> list[str]:
    """argv of a real tcpdump running inside ``netns`` (packet-buffered, immediate, as root)."""
    return ["ip", "netns", "exec", netns, "tcpdump", "--immediate-mode", "-U", "-Z", "root", *args]


def tcpdump_read(pcap: Path, *flags: str, netns: str | None = None) -> str:
    """``tcpdump -n -r pcap`` text (inside ``netns`` so SLL2 interface names resolve as there)."""
    argv = ["tcpdump", "-n", "-r", str(pcap), *flags]
    if netns:
        argv = ["ip", "netns", "exec", netns, *argv]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def counters(stderr: str) -> dict[str, int]:
    """tcpdump's three end-of-capture counters, parsed from stderr."""
    found = {}
    for line in stderr.splitlines():
        for key in ("captured", "received by filter", "dropped by kernel"):
            if line.endswith(key) or line.endswith(key.replace("packets", "packet")):
                found[key] = int(line.split()[0])
    return found
