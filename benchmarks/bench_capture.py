"""Live capture under load: vxlan-inspect capture beside tcpdump on the same bounded UDP blast.

Run as root: ``python3 benchmarks/bench_capture.py [--rates 10000,50000,100000] [--seconds 2] [--repeat 3]``.

Two namespaces of our own (``vcb<hex>-a`` and ``-b``, joined by a veth pair,
10.254.0.1 -> 10.254.0.2) are created and deleted in ``finally``. A sender in
``-a`` paces ``rate * seconds`` UDP datagrams (64-byte payload) and stops by
itself. On ``-b``'s ``eth0`` our capture and tcpdump run at the same time, both
printing (to /dev/null) or both writing (``-w``). Reported per rate and mode:
median over repeats of packets captured and dropped by the kernel, from each
tool's own end-of-capture counters, and our captured count as a share of tcpdump's.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SENDER = """
import socket, sys, time

os.environ["TZ"] = "UTC"  # every run prints times: tcpdump and read at their best (no /etc/localtime per packet)
rate, seconds = int(sys.argv[1]), float(sys.argv[2])
total = int(rate * seconds)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
payload = b"x" * 64
sent = 0
start = time.monotonic()
while sent < total and time.monotonic() - start < seconds * 3:
    due = min(total, int((time.monotonic() - start) * rate) + 1)
    while sent < due:
        s.sendto(payload, ("10.254.0.2", 9999))
        sent += 1
    time.sleep(0.0005)
print(sent, round(time.monotonic() - start, 3))
"""


def sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def setup(prefix: str) -> tuple[str, str]:
    a, b = f"{prefix}-a", f"{prefix}-b"
    sh("ip", "netns", "add", a)
    sh("ip", "netns", "add", b)
    sh("ip", "-n", a, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", b)
    for ns, addr in ((a, "10.254.0.1/24"), (b, "10.254.0.2/24")):
        sh("ip", "-n", ns, "addr", "add", addr, "dev", "eth0")
        sh("ip", "-n", ns, "link", "set", "eth0", "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    # no ICMP port-unreachable storm back: a sink socket would need a process; drop in the stack instead
    sh("ip", "netns", "exec", b, "sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=1000")
    return a, b


def start(argv: list[str], stdout: object) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)  # type: ignore[arg-type]
    assert proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + 30
    while b"listening on" not in seen and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
    if b"listening on" not in seen:
        proc.kill()
        raise RuntimeError(f"{argv} did not start: {seen.decode(errors='replace')}")
    return proc


def counters(text: str) -> tuple[int, int]:
    captured = dropped = -1
    for line in text.splitlines():
        if line.endswith(("captured",)):
            captured = int(line.split()[0])
        elif line.endswith("dropped by kernel"):
            dropped = int(line.split()[0])
    return captured, dropped


def run_once(b: str, a: str, rate: int, seconds: float, write: bool, tmp: Path) -> dict[str, tuple[int, int]]:
    devnull = open(os.devnull, "wb")  # noqa: SIM115
    try:
        ours_argv = [sys.executable, "-m", "vxlan_inspect", "capture", "--netns", b, "-i", "eth0", "-p"]
        theirs_argv = ["ip", "netns", "exec", b, "tcpdump", "-n", "-p", "-i", "eth0", "-Z", "root"]
        if write:
            ours_argv += ["-w", str(tmp / "ours.pcap")]
            theirs_argv += ["-w", str(tmp / "tcpdump.pcap")]
        procs = {"ours": start(ours_argv, devnull), "tcpdump": start(theirs_argv, devnull)}
        sender = subprocess.run(["ip", "netns", "exec", a, sys.executable, "-c", SENDER, str(rate), str(seconds)],
                                capture_output=True, text=True, check=True, timeout=seconds * 5 + 30)
        time.sleep(1.0)
        result = {}
        for name, proc in procs.items():
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=120)
            result[name] = counters(err.decode())
        sent, elapsed = sender.stdout.split()
        result["sent"] = (int(sent), int(int(sent) / float(elapsed)))  # (datagrams, achieved rate)
        return result
    finally:
        devnull.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="10000,50000,100000")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench_capture: needs root (namespaces, AF_PACKET)", file=sys.stderr)
        return 4
    prefix = "vcb" + uuid.uuid4().hex[:6]
    heads = ("rate/s", "mode", "sent", "got/s", "tcpdump", "drops", "ours", "drops", "ours %")
    print(" ".join(f"{h:>{w}}" for h, w in zip(heads, (8, 6, 8, 7, 8, 6, 8, 6, 7), strict=True)))
    try:
        a, b = setup(prefix)
        with tempfile.TemporaryDirectory() as tmpdir:
            for rate in (int(r) for r in args.rates.split(",")):
                for write in (False, True):
                    runs = [run_once(b, a, rate, args.seconds, write, Path(tmpdir)) for _ in range(args.repeat)]
                    med = {k: (statistics.median(r[k][0] for r in runs), statistics.median(r[k][1] for r in runs))
                           for k in runs[0]}
                    share = 100.0 * med["ours"][0] / med["tcpdump"][0] if med["tcpdump"][0] else float("nan")
                    print(f"{rate:>8} {'-w' if write else 'print':>6} {med['sent'][0]:>8.0f} {med['sent'][1]:>7.0f}"
                          f" {med['tcpdump'][0]:>8.0f} {med['tcpdump'][1]:>6.0f}"
                          f" {med['ours'][0]:>8.0f} {med['ours'][1]:>6.0f} {share:>6.1f}%",
                          flush=True)
    finally:
        for ns in (f"{prefix}-a", f"{prefix}-b"):
            subprocess.run(["ip", "netns", "del", ns], check=False, capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
