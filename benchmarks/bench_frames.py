"""Benchmark: captures to tables, against tcpdump, a dpkt loop and tshark in the same run.

    python benchmarks/bench_frames.py [-n 1000000] [--repeat 3] [--skip-tshark]
    python benchmarks/bench_frames.py --cold [-n 1000000] [--repeat 3]

``--cold`` times ``read_packets`` in a fresh process (imports included) on the capture as
pcap, pcapng and Linux cooked v2 (``-i any``), against ``tcpdump -n`` on the same file.
Every run has ``TZ=UTC`` (tcpdump at its best: without TZ, glibc re-reads /etc/localtime
for every packet).

Generates the capture with gen_capture.py into /tmp (never committed), then
prints the median wall time of each tool and the ratios to tcpdump's, the
table's memory per packet (categorical addresses vs plain strings), and
8-file parallel vs sequential decoding.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_capture import generate, to_pcapng, to_sll2  # noqa: E402

os.environ["TZ"] = "UTC"

from vxlan_inspect.frames import read_packets  # noqa: E402

TSHARK_FIELDS = ["frame.number", "frame.time_epoch", "eth.src", "eth.dst", "ip.src", "ip.dst", "ip.ttl", "ip.id",
                 "udp.srcport", "udp.dstport", "vxlan.vni", "arp.opcode", "arp.src.proto_ipv4",
                 "arp.dst.proto_ipv4", "icmp.type", "icmp.ident", "icmp.seq"]


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _tcpdump(path: str) -> None:
    with open(os.devnull, "wb") as null:
        subprocess.run(["tcpdump", "-nr", path], stdout=null, stderr=null, check=True)


def _cold(path: str) -> int:
    """``read_packets`` in a new process, imports included; the table's row count."""
    code = "import sys; from vxlan_inspect.frames import read_packets; print(len(read_packets(sys.argv[1])))"
    out = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, check=True).stdout
    return int(out)


def _cold_matrix(tmp: Path, base: Path, n: int, repeat: int) -> None:
    """read_packets in a cold process against tcpdump -n, per format, interleaved."""
    forms = {"pcap": base, "pcapng": tmp / "vxlan.pcapng", "sll2": tmp / "vxlan-sll2.pcap"}
    to_pcapng(base, forms["pcapng"])
    to_sll2(base, forms["sll2"])
    print(f"{n} packets; read_packets in a new process vs tcpdump -n (TZ=UTC), medians of {repeat}")
    for form, path in forms.items():
        ours, theirs = [], []
        rows = 0
        for _ in range(repeat):
            t = time.perf_counter()
            _tcpdump(str(path))
            theirs.append(time.perf_counter() - t)
            t = time.perf_counter()
            rows = _cold(str(path))
            ours.append(time.perf_counter() - t)
        o, t2 = statistics.median(ours), statistics.median(theirs)
        print(f"  {form:7s} read_packets {o:6.2f} s  tcpdump {t2:6.2f} s  {o / t2:5.2f}x  ({rows} rows)")


def _tshark(path: str) -> None:
    args = ["tshark", "-r", path, "-n", "-T", "fields"]
    for f in TSHARK_FIELDS:
        args += ["-e", f]
    with open(os.devnull, "wb") as null:
        subprocess.run(args, stdout=null, stderr=null, check=True)


def _dpkt(path: str) -> int:
    import dpkt

    cols: dict[str, list[object]] = {k: [] for k in ("ts", "src", "dst", "ttl", "id", "sport", "dport", "vni",
                                                       "isrc", "idst", "itype", "iid", "iseq", "op", "spa", "tpa")}
    with open(path, "rb") as f:
        for ts, buf in dpkt.pcap.Reader(f):
            eth = dpkt.ethernet.Ethernet(buf)
            ip = eth.data
            cols["ts"].append(ts)
            if not isinstance(ip, dpkt.ip.IP):
                continue
            cols["src"].append(dpkt.utils.inet_to_str(ip.src))
            cols["dst"].append(dpkt.utils.inet_to_str(ip.dst))
            cols["ttl"].append(ip.ttl)
            cols["id"].append(ip.id)
            udp = ip.data
            if isinstance(udp, dpkt.udp.UDP):
                cols["sport"].append(udp.sport)
                cols["dport"].append(udp.dport)
                vx = udp.data
                cols["vni"].append(int.from_bytes(vx[4:7], "big"))
                inner = dpkt.ethernet.Ethernet(vx[8:])
                if isinstance(inner.data, dpkt.ip.IP):
                    iip = inner.data
                    cols["isrc"].append(dpkt.utils.inet_to_str(iip.src))
                    cols["idst"].append(dpkt.utils.inet_to_str(iip.dst))
                    icmp = iip.data
                    cols["itype"].append(icmp.type)
                    echo = icmp.data
                    cols["iid"].append(getattr(echo, "id", 0))
                    cols["iseq"].append(getattr(echo, "seq", 0))
                elif isinstance(inner.data, dpkt.arp.ARP):
                    arp = inner.data
                    cols["op"].append(arp.op)
                    cols["spa"].append(dpkt.utils.inet_to_str(arp.spa))
                    cols["tpa"].append(dpkt.utils.inet_to_str(arp.tpa))
    return len(cols["ts"])


def _parallel(tmp: Path, n: int, repeat: int) -> None:
    """8 files of n/8 packets: worker processes vs one process."""
    files = []
    for i in range(8):
        f = tmp / f"host{i}.pcap"
        with open(f, "wb") as out:
            generate(n // 8, out)
        files.append(str(f))
    seq, par = [], []
    for _ in range(repeat):
        seq.append(_timed(lambda: read_packets(files, jobs=1)))
        par.append(_timed(lambda: read_packets(files)))
    s, p = statistics.median(seq), statistics.median(par)
    print(f"  8 files x {n // 8}: sequential {s:.3f} s, parallel ({os.cpu_count()} workers) {p:.3f} s, "
          f"speed-up {s / p:.2f}x")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-tshark", action="store_true")
    ap.add_argument("--skip-dpkt", action="store_true")
    ap.add_argument("--only-parallel", action="store_true", help="just the 8-file parallel vs sequential part")
    ap.add_argument("--cold", action="store_true", help="read_packets in a new process, per file format")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vxlan-frames-bench-"))
    try:
        path = str(tmp / "vxlan.pcap")
        with open(path, "wb") as out:
            generate(args.n, out)
        n = args.n
        if args.cold:
            _cold_matrix(tmp, Path(path), n, args.repeat)
            return 0
        if args.only_parallel:
            _parallel(tmp, n, args.repeat)
            return 0
        times: dict[str, list[float]] = {"tcpdump -nr": [], "read_packets": [], "dpkt loop": [], "tshark -T fields": []}
        for _ in range(args.repeat):
            times["tcpdump -nr"].append(_timed(lambda: _tcpdump(path)))
            times["read_packets"].append(_timed(lambda: read_packets(path)))
        if not args.skip_dpkt:
            times["dpkt loop"].append(_timed(lambda: _dpkt(path)))
        if not args.skip_tshark and shutil.which("tshark"):
            times["tshark -T fields"].append(_timed(lambda: _tshark(path)))
        base = statistics.median(times["tcpdump -nr"])
        print(f"{n} packets, {os.path.getsize(path) / 1e6:.0f} MB, {os.cpu_count()} CPUs (medians of {args.repeat})")
        for name, values in times.items():
            if values:
                med = statistics.median(values)
                print(f"  {name:18s} {med:7.3f} s  {n / med / 1e6:6.2f} Mpkt/s  {med / base:5.2f}x tcpdump"
                      f"  (runs: {', '.join(f'{v:.2f}' for v in values)})")
        df = read_packets(path)
        per = df.memory_usage(deep=True).sum() / len(df)
        as_str = df.copy()
        for col in df.columns:
            if str(df[col].dtype) == "category":
                as_str[col] = df[col].astype(object)
        per_str = as_str.memory_usage(deep=True).sum() / len(df)
        print(f"  memory: {per:.1f} bytes/packet with categorical addresses, {per_str:.1f} with Python strings")
        del df, as_str  # forked workers must not inherit a gigabyte of strings
        _parallel(tmp, n, args.repeat)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
