#!/usr/bin/env python3
"""Produce every example output shown in the docs from the shipped captures and bundles.

Each example is one command run on files in the repository (``captures/``,
``tests/data/seed/``); its output is written, after a ``$ command`` line, to
``docs/runbooks/examples/<name>.txt``, and the pages include those files
(``--8<--``), so no output in the docs is typed by hand.
``tests/docs/test_docs_examples.py`` regenerates them and requires identical bytes.

    python3 scripts/make-docs-examples.py            # rewrite docs/runbooks/examples/
    python3 scripts/make-docs-examples.py --check    # exit 1 if any file would change
    python3 scripts/make-docs-examples.py --out DIR  # write elsewhere
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "runbooks" / "examples"
B = "captures/bundles"
SEED = "tests/data/seed"


def cli(*args: str) -> tuple[str, ...]:
    return ("vxlan-inspect", *args)


def head(path: str, lines: int) -> tuple[str, ...]:
    return ("head", "-n", str(lines), path)


#: name -> command. ``vxlan-inspect`` runs this checkout's CLI in-process; ``head`` is read here.
EXAMPLES: dict[str, tuple[str, ...]] = {
    # delivered: the seed ping
    "healthy-ping.read": cli("read", "-n", "-r", f"{B}/healthy-ping/captures/docker-1.underlay.pcap"),
    "healthy-ping.state-fdb": cli("state", "show", f"{B}/healthy-ping/snapshots/after/docker-2.overlay.fdb.txt"),
    # arp-proxied: the ARP answered inside docker-2
    "arp-proxy.c2": cli("read", "-n", "-e", "-r", f"{B}/arp-proxy/captures/docker-2.C-2.pcap"),
    "arp-proxy.underlay": cli("read", "-n", "-r", f"{B}/arp-proxy/captures/docker-2.underlay.pcap"),
    "arp-proxy.link": cli("state", "show", f"{SEED}/docker-2.overlay.link-vxlan0.txt"),
    # missing-fdb
    "missing-fdb.c2": cli("read", "-n", "-r", f"{B}/missing-fdb/captures/docker-2.C-2.pcap"),
    "missing-fdb.underlay": cli("read", "-n", "-r", f"{B}/missing-fdb/captures/docker-2.underlay.pcap"),
    "missing-fdb.events": head(f"{B}/missing-fdb/events/docker-2.overlay.neigh-monitor.txt", 6),
    "missing-fdb.fdb": cli("state", "show", f"{B}/missing-fdb/snapshots/after/docker-2.overlay.fdb.txt"),
    # missing-neigh
    "missing-neigh.c2": cli("read", "-n", "-r", f"{B}/missing-neigh/captures/docker-2.C-2.pcap"),
    "missing-neigh.events": head(f"{B}/missing-neigh/events/docker-2.overlay.neigh-monitor.txt", 6),
    # wrong-vtep
    "wrong-vtep.underlay": cli("read", "-n", "-r", f"{B}/wrong-vtep/captures/docker-2.underlay.pcap"),
    "wrong-vtep.fdb": cli("state", "show", f"{B}/wrong-vtep/snapshots/after/docker-2.overlay.fdb.txt"),
    # vni-mismatch and no-reply: the requests arrive and vanish
    "wrong-vni.underlay": cli("read", "-n", "-r", f"{B}/wrong-vni/captures/docker-1.underlay.pcap"),
    "wrong-vni.overlay": cli("read", "-n", "-r", f"{B}/wrong-vni/captures/docker-1.overlay.pcap"),
    "wrong-vni.link": cli("state", "show", f"{B}/wrong-vni/snapshots/after/docker-1.overlay.link.txt"),
    # port-mismatch
    "wrong-port.underlay": cli("read", "-n", "-r", f"{B}/wrong-port/captures/docker-2.underlay.pcap"),
    "wrong-port.link": cli("state", "show", f"{B}/wrong-port/snapshots/after/docker-1.overlay.link.txt"),
    # other tunnels (docs/concepts/other-tunnels.md): real VXLAN-GPE and GBP, crafted Geneve/GRE/MPLS
    "tunnels.gpe": cli("read", "-n", "-c", "2", "-r", "captures/basic/vxlan-gpe.pcap", "udp"),
    "tunnels.gbp": cli("read", "-n", "-c", "5", "-r", "captures/basic/vxlan-gbp.pcap"),
    "tunnels.crafted": cli("read", "-n", "-v", "-c", "5", "-r", "captures/basic/tunnel-edges.pcap",
                           "ip", "proto", "47"),
    # mtu-exceeded
    "mtu.c2": cli("read", "-n", "-v", "-r", f"{B}/mtu/captures/docker-2.C-2.pcap"),
    "mtu.underlay": cli("read", "-n", "-r", f"{B}/mtu/captures/docker-2.underlay.pcap"),
    # arp-flooded: learning mode carries ARP inside VXLAN
    "learning.underlay": cli("read", "-n", "-r", f"{B}/learning/captures/docker-2.underlay.pcap"),
    "learning.fdb": cli("state", "show", f"{B}/learning/snapshots/after/docker-2.overlay.fdb.txt"),
    # stale-neigh
    "stale-neigh.c2": cli("read", "-n", "-e", "-r", f"{B}/stale-neigh/captures/docker-2.C-2.pcap"),
    "stale-neigh.events": head(f"{B}/stale-neigh/events/docker-2.overlay.neigh-monitor.txt", 6),
    "stale-neigh.neigh": cli("state", "show", f"{B}/stale-neigh/snapshots/after/docker-2.overlay.neigh.txt"),
    # control-plane-drift: Consul lists X-2, docker-2's table does not have it
    "drift.expected": cli("state", "expected", f"{SEED}/consul-endpoints-summary.txt",
                          "--against", f"{SEED}/docker-2.overlay.neigh-before.txt", "--local-vtep", "192.168.1.5"),
    "x2-join.diff": cli("state", "diff", f"{SEED}/docker-2.overlay.neigh-before.txt",
                        f"{SEED}/docker-2.overlay.neigh-after-x2.txt"),
}


def _explicit(bundle: str, hosts: tuple[str, ...]) -> tuple[str, ...]:
    """Arguments for ``explain`` with one host's overlay dumps and underlay capture, as a user saves them."""
    args: list[str] = []
    for host in hosts:
        for kind in ("fdb", "neigh", "link"):
            args += ["--state", f"{host}/overlay={B}/{bundle}/snapshots/after/{host}.overlay.{kind}.txt"]
        args += ["--state", f"{host}={B}/{bundle}/snapshots/after/{host}.addr.txt",
                 "--capture", f"{host}/host/eth0={B}/{bundle}/captures/{host}.underlay.pcap"]
    return tuple(args)


#: The verdict runbooks: ``explain`` on a shipped bundle (or on explicit files) for each code.
EXPLAIN: dict[str, tuple[str, ...]] = {
    "delivered": (f"{B}/healthy-ping",),
    "arp-proxied": (f"{B}/arp-proxy",),
    "arp-flooded": (f"{B}/learning",),
    "missing-fdb": (f"{B}/missing-fdb",),
    "missing-neigh": (f"{B}/missing-neigh",),
    "proxy-off": (f"{B}/proxy-off",),
    "stale-neigh": (f"{B}/stale-neigh",),
    "wrong-vtep": (f"{B}/wrong-vtep",),
    "vni-mismatch": (f"{B}/wrong-vni",),
    "port-mismatch": (f"{B}/wrong-port",),
    "mtu-exceeded": (f"{B}/mtu",),
    # docker-2's side only: the loss cannot be located
    "no-reply": _explicit("wrong-vni", ("docker-2",)),
    # docker-2's FDB (wrong-vtep) next to another host's FDB that maps the same MAC elsewhere
    "duplicate-mac": (*_explicit("wrong-vtep", ("docker-2",)),
                      "--state", f"docker-3/overlay={B}/healthy-ping/snapshots/after/docker-2.overlay.fdb.txt"),
}
EXPLAIN["undetermined"] = ("--simulate", "192.168.10.2", "192.168.10.100",
                           "--state", f"docker-2={B}/healthy-ping/snapshots/before/docker-2.snapshot.json")
EXAMPLES.update({f"explain.{code}": cli("explain", *args) for code, args in EXPLAIN.items()})
# What-if traces (docs/what-if.md): predictions from snapshots/before, beside the bundle's captures
EXAMPLES.update({
    "whatif.healthy": cli("explain", f"{B}/healthy-ping", "--simulate", "192.168.10.2", "192.168.10.100"),
    "whatif.wrong-vtep": cli("explain", f"{B}/wrong-vtep", "--simulate", "192.168.10.2", "192.168.10.100"),
    "whatif.mismatch": cli("explain", "--simulate", "192.168.10.2", "192.168.10.100",
                           *(a for h in ("docker-1", "docker-2")
                             for a in ("--state", f"{h}={B}/healthy-ping/snapshots/before/{h}.snapshot.json")),
                           "--capture", f"docker-2/host/eth0={B}/wrong-vni/captures/docker-2.underlay.pcap",
                           "--capture", f"docker-1/host/eth0={B}/wrong-vni/captures/docker-1.underlay.pcap"),
})

ENV = {"TZ": "UTC", "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def _in_process(argv: list[str]) -> tuple[int, str, str]:
    """Run this checkout's CLI in this process (15x faster than a subprocess per example)."""
    from vxlan_inspect.cli import main as cli_main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(argv)
    return code, out.getvalue(), err.getvalue()


def run(command: tuple[str, ...]) -> str:
    """The text of one example: the command line, then what it printed (stdout; stderr and status if it failed)."""
    text = "$ " + shlex.join(command) + "\n"
    if command[0] == "head":
        lines = (ROOT / command[3]).read_text().splitlines(keepends=True)[: int(command[2])]
        text += "".join(lines)
    else:
        code, out, err = _in_process(list(command[1:]))
        text += out
        if code:
            text += err + f"[exit status {code}]\n"
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def meanings() -> dict[str, str]:
    """meaning.<code>.txt: each verdict code's one-line meaning, from ``vxlan_inspect.explain.VERDICTS``."""
    from vxlan_inspect.explain import VERDICTS

    return {f"meaning.{code}": f"**Meaning** (severity {severity}): {text}.\n"
            for code, (severity, text) in VERDICTS.items()}


@contextlib.contextmanager
def _environment() -> Iterator[None]:
    """TZ=UTC, a fixed width, no colour, cwd = the repository; all restored afterwards."""
    saved = {k: os.environ.get(k) for k in ENV}
    cwd = Path.cwd()
    os.environ.update(ENV)
    time.tzset()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        time.tzset()


def generate(out: Path) -> list[Path]:
    """Write every example into ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with _environment():
        for name, text in [*meanings().items(), *((n, run(c)) for n, c in EXAMPLES.items())]:
            path = out / f"{name}.txt"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with docs/runbooks/examples/, write nothing")
    args = parser.parse_args()
    if not args.check:
        for stale in args.out.glob("*.txt"):
            stale.unlink()
        generate(args.out)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = {p.name: p.read_bytes() for p in generate(Path(tmp))}
    shipped = {p.name: p.read_bytes() for p in OUT.glob("*.txt")}
    bad = sorted(n for n in fresh.keys() | shipped.keys() if fresh.get(n) != shipped.get(n))
    for name in bad:
        print(f"docs/runbooks/examples/{name}: out of date (python3 scripts/make-docs-examples.py)", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
