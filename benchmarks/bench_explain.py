"""Benchmark: explain on a big capture vs reading it (acceptance: explain <= 2x read_packets).

    python3 benchmarks/gen_capture.py -n 1000000 -o /tmp/vxlan-1m.pcap
    python3 benchmarks/bench_explain.py /tmp/vxlan-1m.pcap --repeat 5

Each round times, in the same process and in alternating order, ``explain_inputs`` on
the capture (as docker-2's underlay) and the baseline: ``vxlan_inspect.frames.read_packets``
when the frames engine is installed, otherwise one plain pass of ``open_capture`` over the
records (the cheapest full read the toolkit has). Prints each round and the medians.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def _baseline(path: str) -> tuple[str, Callable[[], object]]:
    try:
        from vxlan_inspect.frames import read_packets  # type: ignore[attr-defined]
    except ImportError:
        from vxlan_inspect.capture import open_capture

        def read_all() -> int:
            n = 0
            with open_capture(path) as cap:
                for _ in cap:
                    n += 1
            return n

        return "open_capture pass", read_all
    return "frames.read_packets", lambda: read_packets(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pcap")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from vxlan_inspect.explain import explain_inputs, load_explicit

    name, baseline = _baseline(args.pcap)

    def explain() -> object:
        x = explain_inputs(load_explicit([f"docker-2={args.pcap}"], []))
        assert x.traces, "the benchmark capture should hold flows"
        return x

    base_t: list[float] = []
    exp_t: list[float] = []
    for i in range(args.repeat):
        order = [(baseline, base_t), (explain, exp_t)]
        for fn, sink in order if i % 2 == 0 else order[::-1]:
            t0 = time.perf_counter()
            fn()
            sink.append(time.perf_counter() - t0)
        print(f"round {i + 1}: {name} {base_t[-1]:.2f}s  explain {exp_t[-1]:.2f}s  ratio {exp_t[-1] / base_t[-1]:.2f}")
    mb, me = statistics.median(base_t), statistics.median(exp_t)
    size = Path(args.pcap).stat().st_size / 1e6
    print(f"median over {args.repeat}: {name} {mb:.2f}s, explain {me:.2f}s, ratio {me / mb:.2f} ({size:.0f} MB)")


if __name__ == "__main__":
    main()
