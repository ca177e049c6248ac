"""Benchmark `vxlan-inspect read` against tcpdump, dpkt and scapy on the same capture.

    python benchmarks/bench_read.py [--packets 1000000] [--repeat 3] [--scapy-packets 20000]
    python benchmarks/bench_read.py --matrix [--packets 1000000] [--repeat 1] [--options '-n -e' ...]

Every run has ``TZ=UTC`` in its environment: without ``TZ``, glibc's ``localtime()`` looks at
/etc/localtime for every packet and tcpdump runs 2-4x slower than it can, so that is the
only fair anchor.

Generates (once, cached in /tmp) the deterministic VXLAN capture of
``benchmarks/gen_capture.py``, then in the same run, ``--repeat`` times each:

* ``tcpdump -nr FILE``          (stdout to /dev/null)
* ``vxlan-inspect read -nr FILE`` (stdout to /dev/null; default worker processes)
* ``vxlan-inspect read -nr FILE --jobs 1`` (one process)
* a dpkt loop decoding Ethernet/IPv4/UDP/VXLAN/inner Ethernet/IPv4|ARP/ICMP and collecting
  the fields that the text shows
* a scapy loop doing the same on the first ``--scapy-packets`` records (scapy is ~2
  orders of magnitude slower; its time is scaled to the full count and marked so)

It prints median wall times, ratios to tcpdump, and each process's peak RSS (the
largest process of a run, workers included), then the RSS of `read` on a 10k-packet
file against the full one. Before timing, it checks that `read` prints exactly what
tcpdump prints for the whole file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_capture import generate, to_pcapng, to_sll2  # noqa: E402

os.environ["TZ"] = "UTC"  # tcpdump at its best (see above); every child inherits it

#: The display options of ``--matrix``: each alone (with -n), the -t family, and the usual mixes.
MATRIX_OPTIONS = [
    "-n", "-n -e", "-n -v", "-n -vv", "-n -vvv", "-n -q", "-n -x", "-n -xx", "-n -X", "-n -XX", "-n -A",
    "-n -#", "-n -t", "-n -tt", "-n -ttt", "-n -tttt", "-n -ttttt", "-nne", "-nnev", "-nnvv", "-n -vvX",
]


def ensure_capture(count: int) -> Path:
    path = Path(f"/tmp/vxlan-inspect-bench-{count}.pcap")
    if not path.exists() or path.stat().st_size == 0:
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as out:
            generate(count, out)
        tmp.rename(path)
    return path


# A small launcher: the child it forks copies only the launcher's few MiB, so the child's
# peak RSS (which Linux carries over at exec from the forking process) is not this
# benchmark's own memory.
_LAUNCHER = """
import os, sys, time
argv = sys.argv[1:]
fd = os.open(os.devnull, os.O_WRONLY)
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(fd, 1); os.dup2(fd, 2)
    os.execvp(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - t, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def ensure_format(count: int, form: str) -> Path:
    """The benchmark capture as ``pcap``, ``pcapng`` or ``sll2`` (Linux cooked v2, as ``-i any`` writes)."""
    base = ensure_capture(count)
    if form == "pcap":
        return base
    path = Path(f"/tmp/vxlan-inspect-bench-{count}.{form}")
    if not path.exists() or path.stat().st_size == 0:
        tmp = path.with_suffix(".tmp")
        (to_pcapng if form == "pcapng" else to_sll2)(base, tmp)
        tmp.rename(path)
    return path


def same_output(opts: list[str], path: Path) -> bool:
    """True when ``read`` prints exactly what tcpdump prints (``cmp`` of the two outputs)."""
    ours = Path("/tmp/vxlan-inspect-bench.ours")
    theirs = Path("/tmp/vxlan-inspect-bench.tcpdump")
    with open(ours, "wb") as a, open(theirs, "wb") as b:
        subprocess.run([sys.executable, "-m", "vxlan_inspect", "read", *opts, "-r", str(path)], stdout=a,
                       stderr=subprocess.DEVNULL, check=True)
        subprocess.run(["tcpdump", *opts, "-r", str(path)], stdout=b, stderr=subprocess.DEVNULL, check=True)
    same = subprocess.run(["cmp", "-s", str(ours), str(theirs)]).returncode == 0
    ours.unlink()
    theirs.unlink()
    return same


def matrix(args: argparse.Namespace) -> int:
    """``read``/``tcpdump`` wall-time ratios for each option x format, outputs compared, RSS growth."""
    options = args.options or MATRIX_OPTIONS
    forms = ("pcap", "pcapng", "sll2")
    paths = {f: ensure_format(args.packets, f) for f in forms}
    small = {f: ensure_format(10_000, f) for f in forms}
    print(f"{args.packets} packets per file; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
          f"TZ={os.environ['TZ']}; medians of {args.repeat}")
    print(f"{'options':12s} {'format':7s} {'tcpdump s':>9s} {'read s':>7s} {'ratio':>6s} {'same':>5s} "
          f"{'RSS 10k':>8s} {'RSS big':>8s} {'growth':>7s}")
    worst = 0.0
    all_same = True
    for opt in options:
        words = opt.split()
        for form in forms:
            path = paths[form]
            same = same_output(words, path)
            theirs, ours = [], []
            rss_big = 0
            for _ in range(args.repeat):  # interleaved, so both see the same machine
                theirs.append(run(["tcpdump", *words, "-r", str(path)])[0])
                wall, rss = run([sys.executable, "-m", "vxlan_inspect", "read", *words, "-r", str(path)])
                ours.append(wall)
                rss_big = max(rss_big, rss)
            _w, rss_small = run([sys.executable, "-m", "vxlan_inspect", "read", *words, "-r", str(small[form])])
            t, o = statistics.median(theirs), statistics.median(ours)
            worst = max(worst, o / t)
            all_same = all_same and same
            print(f"{opt:12s} {form:7s} {t:9.2f} {o:7.2f} {o / t:6.2f} {'yes' if same else 'NO':>5s} "
                  f"{rss_small / 1024:7.0f}M {rss_big / 1024:7.0f}M {(rss_big - rss_small) / 1024:6.0f}M", flush=True)
    print(f"\nworst ratio {worst:.2f}; outputs identical in every cell: {all_same}")
    return 0 if all_same else 1


def run(argv: list[str]) -> tuple[float, int]:
    """Run argv (output to /dev/null); return (wall seconds, peak RSS in KiB of its largest process)."""
    out = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, *argv], capture_output=True, text=True,
                         check=True).stdout.split()
    wall, rss, code = float(out[0]), int(out[1]), int(out[2])
    if code != 0:
        raise SystemExit(f"{argv} failed with exit code {code}")
    return wall, rss


def dpkt_loop(path: Path, limit: int | None = None) -> int:
    import dpkt

    n = 0
    with open(path, "rb") as fh:
        for _ts, buf in dpkt.pcap.Reader(fh):
            eth = dpkt.ethernet.Ethernet(buf)
            ip = eth.data
            udp = ip.data
            fields = [ip.src, ip.dst, udp.sport, udp.dport]
            if udp.dport == 4789:
                vx = udp.data
                vni = int.from_bytes(bytes(vx)[4:7], "big")
                inner = dpkt.ethernet.Ethernet(bytes(vx)[8:])
                fields.append(vni)
                if isinstance(inner.data, dpkt.ip.IP):
                    icmp = inner.data.data
                    fields += [inner.data.src, inner.data.dst, icmp.type, icmp.data.id, icmp.data.seq]
                elif isinstance(inner.data, dpkt.arp.ARP):
                    fields += [inner.data.op, inner.data.spa, inner.data.tpa]
            n += 1
            if limit and n >= limit:
                break
    return n


def scapy_loop(path: Path, limit: int) -> int:
    import logging

    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.layers.inet import ICMP, IP, UDP
    from scapy.layers.l2 import ARP, Ether
    from scapy.layers.vxlan import VXLAN
    from scapy.utils import PcapReader

    n = 0
    with PcapReader(str(path)) as reader:
        for pkt in reader:
            fields = [pkt[IP].src, pkt[IP].dst, pkt[UDP].sport, pkt[UDP].dport]
            if VXLAN in pkt:
                inner = pkt[VXLAN].payload
                fields.append(pkt[VXLAN].vni)
                if isinstance(inner, Ether) and ICMP in inner:
                    fields += [inner[IP].src, inner[IP].dst, inner[ICMP].type, inner[ICMP].seq]
                elif ARP in inner:
                    fields += [inner[ARP].op, inner[ARP].psrc]
            n += 1
            if n >= limit:
                break
    return n


def timed(fn, *args) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--packets", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scapy-packets", type=int, default=20_000)
    ap.add_argument("--skip-check", action="store_true", help="do not compare the full outputs first")
    ap.add_argument("--matrix", action="store_true", help="every display option x pcap/pcapng/SLL2")
    ap.add_argument("--options", action="append", help="with --matrix: only these option strings")
    args = ap.parse_args(argv)
    if args.matrix:
        if "--repeat" not in (argv if argv is not None else sys.argv):
            args.repeat = 1
        return matrix(args)

    big = ensure_capture(args.packets)
    small = ensure_capture(10_000)
    ours = [sys.executable, "-m", "vxlan_inspect", "read", "-n", "-r"]
    env_note = f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}"
    print(f"capture: {big} ({big.stat().st_size / 1e6:.1f} MB, {args.packets} packets); {env_note}")

    if not args.skip_check:
        with open("/tmp/vxlan-inspect-bench.ours", "wb") as a, open("/tmp/vxlan-inspect-bench.tcpdump", "wb") as b:
            subprocess.run([*ours, str(big)], stdout=a, stderr=subprocess.DEVNULL, check=True)
            subprocess.run(["tcpdump", "-nr", str(big)], stdout=b, stderr=subprocess.DEVNULL, check=True)
        ours_text = Path("/tmp/vxlan-inspect-bench.ours").read_bytes()
        same = ours_text == Path("/tmp/vxlan-inspect-bench.tcpdump").read_bytes()
        print(f"output identical to tcpdump's: {same}")
        if not same:
            return 1

    results: dict[str, list[float]] = {}
    rss: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, cmd in (
            ("tcpdump -nr", ["tcpdump", "-nr", str(big)]),
            ("vxlan-inspect read -nr", [*ours, str(big)]),
            ("vxlan-inspect read -nr --jobs 1", [*ours, str(big), "--jobs", "1"]),
        ):
            wall, peak = run(cmd)
            results.setdefault(name, []).append(wall)
            rss[name] = max(rss.get(name, 0), peak)
        results.setdefault("dpkt loop (same fields)", []).append(timed(dpkt_loop, big))
    scapy_n = min(args.scapy_packets, args.packets)
    scapy_t = timed(scapy_loop, big, scapy_n) * args.packets / scapy_n

    base = statistics.median(results["tcpdump -nr"])
    print(f"\n{'run':36s} {'median s':>9s} {'x tcpdump':>10s} {'peak RSS MiB':>13s}")
    for name, walls in results.items():
        med = statistics.median(walls)
        mem = f"{rss[name] / 1024:.0f}" if name in rss else "-"
        print(f"{name:36s} {med:9.2f} {med / base:10.2f} {mem:>13s}")
    print(f"{'scapy loop (scaled from ' + str(scapy_n) + ')':36s} {scapy_t:9.2f} {scapy_t / base:10.2f} {'-':>13s}")

    _w, small_rss = run([*ours, str(small), "--jobs", "1"])
    _w, big_rss = run([*ours, str(big), "--jobs", "1"])
    _w, big_rss_par = run([*ours, str(big)])
    print(f"\npeak RSS of read, one process: 10k packets {small_rss / 1024:.0f} MiB, "
          f"{args.packets} packets {big_rss / 1024:.0f} MiB, growth {(big_rss - small_rss) / 1024:.0f} MiB "
          f"(workers: {big_rss_par / 1024:.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
