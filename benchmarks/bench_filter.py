"""How much a filter costs ``read``: unfiltered vs select-all vs selective, same run, medians.

    python benchmarks/gen_capture.py -n 1000000 -o /tmp/vxlan-1m.pcap
    python benchmarks/bench_filter.py /tmp/vxlan-1m.pcap --repeat 5 --jobs 1

Each round runs every case once, in turn (so machine load hits them alike);
the report gives each case's median time and its ratio to the unfiltered
median. A second table times the filter alone (``Filter.select_block`` over
every block, already read and framed) in microseconds per packet.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from vxlan_inspect.capture import open_capture, pcap
from vxlan_inspect.filter import compile_filter
from vxlan_inspect.read import ReadOptions, run_read

os.environ["TZ"] = "UTC"  # every run prints times: tcpdump and read at their best (no /etc/localtime per packet)
time.tzset()  # this process formats too

CASES = [
    ("unfiltered", ""),
    ("select-all: vni 256", "vni 256"),
    ("select-all: udp port 4789", "udp port 4789"),
    ("select-all: vxlan and inner (icmp or arp)", "vxlan and inner (icmp or arp)"),
    ("half: inner icmp", "inner icmp"),
    ("quarter: inner icmp[icmptype] == icmp-echo", "inner icmp[icmptype] == icmp-echo"),
    ("none: inner host 10.9.9.9", "inner host 10.9.9.9"),
]


def time_read(path: str, expr: str, jobs: int | None) -> float:
    opts = ReadOptions(file=path, filter=expr or None, jobs=jobs)
    with open(os.devnull, "w") as out, open(os.devnull, "w") as err:
        t0 = time.perf_counter()
        run_read(opts, out=out, err=err)
        return time.perf_counter() - t0


def time_select(path: str, expr: str) -> tuple[float, int, int]:
    flt = compile_filter(expr)
    cap = open_capture(path)
    total = kept = 0
    with cap:
        order = "<" if cap.info.byte_order == "little" else ">"
        blocks = list(pcap.iter_blocks(cap._stream, cap._head))  # framing and I/O are not the filter's cost
        t0 = time.perf_counter()
        for block in blocks:
            _, k, _ = flt.select_block(block.data, block.count, order, cap.info.linktype)
            total += block.count
            kept += k
        return time.perf_counter() - t0, total, kept


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("capture")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None, help="read's --jobs (default: read's own choice)")
    args = ap.parse_args()
    times: dict[str, list[float]] = {name: [] for name, _ in CASES}
    for r in range(args.repeat):
        for name, expr in CASES:
            times[name].append(time_read(args.capture, expr, args.jobs))
        print(f"round {r + 1}: " + ", ".join(f"{t[-1]:.2f}" for t in times.values()), file=sys.stderr)
    base = statistics.median(times["unfiltered"])
    print(f"read -r {args.capture} (jobs={args.jobs or 'auto'}), median of {args.repeat}:")
    for name, _ in CASES:
        med = statistics.median(times[name])
        print(f"  {name:45s} {med:7.2f} s  x{med / base:5.2f}")
    print("filter alone (select_block), one pass:")
    for name, expr in CASES[1:]:
        secs, total, kept = time_select(args.capture, expr)
        print(f"  {name:45s} {secs / total * 1e6:6.2f} us/packet  kept {kept}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
