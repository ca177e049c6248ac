#!/usr/bin/env python3
"""Draw the pictures of the README and the docs from the shipped healthy-ping bundle.

    python3 scripts/make-docs-images.py      # writes docs/img/seed-ping-sequence.png and docs/img/anatomy-hexdump.png

* ``seed-ping-sequence.png``: the explain trace of the seed ping as a sequence diagram
  across the two hosts (the same drawing as notebook 3);
* ``anatomy-hexdump.png``: the first echo request's bytes, coloured by layer, outer and
  inner (the colours of ``vxlan_inspect.render.html``, as in notebook 1).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Patch, Rectangle

from vxlan_inspect.capture import open_capture
from vxlan_inspect.decode import decode_record
from vxlan_inspect.explain import explain_bundle
from vxlan_inspect.render.html import INNER_COLOURS, OUTER_COLOURS, field_spans

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "captures" / "bundles" / "healthy-ping"
IMG = ROOT / "docs" / "img"

LANES = ["docker-2/C-2", "docker-2/overlay", "docker-2", "docker-1", "docker-1/overlay", "docker-1/X-1"]
TITLES = ["C-2\n\n192.168.10.2", "docker-2\noverlay\nbr0+vxlan0", "docker-2\neth0\n192.168.1.5",
          "docker-1\neth0\n192.168.1.4", "docker-1\noverlay\nbr0+vxlan0", "X-1\n\n192.168.10.100"]
SHORT = {"neigh-resolve": "ARP who-has: answered by the vxlan0 proxy", "container-egress": "ICMP echo {dir}",
         "fdb-lookup": "FDB: {mac} -> dst {dst}", "encapsulate": "VXLAN VNI {vni}, udp/{dport}",
         "underlay-transit": "underlay to {outer_dst}", "decapsulate": "decapsulate (VNI {vni})",
         "deliver": "deliver"}


def _label(step: Any) -> str:
    try:
        return SHORT.get(step.kind, step.kind).format(dir=step.direction, **dict(step.facts))
    except KeyError:
        return str(step.kind)


def sequence_png(path: Path) -> None:
    trace = explain_bundle(str(BUNDLE)).traces[0]
    xs = {lane: i for i, lane in enumerate(LANES)}
    n = len(trace.steps)
    # sized for the docs column (~700 px wide): 9 in at 100 dpi is shown at ~0.77, text stays >= 11 px
    fig, ax = plt.subplots(figsize=(9, 9.5), dpi=100)
    for i, _lane in enumerate(LANES):
        ax.plot([i, i], [0, n + 1], color="#999", lw=1, zorder=0)
        ax.text(i, -0.2, TITLES[i], ha="center", va="bottom", fontsize=10.5, weight="bold")
    box = {"fc": "white", "ec": "none", "pad": 0.5}
    prev: str | None = None
    for y, step in enumerate(trace.steps, 1):
        lane = step.location.namespace
        colour = {"ok": "#2a7", "fail": "#c22"}.get(step.status, "#888")
        if step.kind == "neigh-resolve" or prev is None:
            src = "docker-2/C-2" if step.location.host == "docker-2" else "docker-1/X-1"
            ax.annotate("", xy=(xs[lane], y), xytext=(xs[src], y),
                        arrowprops={"arrowstyle": "<->", "color": colour, "lw": 1.2})
            ax.text((xs[lane] + xs[src]) / 2, y - 0.12, _label(step), ha="center", fontsize=11, color=colour, bbox=box)
            prev = src
            continue
        if lane == prev:
            ax.text(xs[lane] + 0.05, y, _label(step), fontsize=11, va="center", color=colour,
                    bbox={"boxstyle": "round", "fc": "#ffffe0", "ec": colour})
        else:
            ax.annotate("", xy=(xs[lane], y), xytext=(xs[prev], y - 0.6),
                        arrowprops={"arrowstyle": "->", "color": colour, "lw": 1.5})
            ax.text((xs[lane] + xs[prev]) / 2, y - 0.45, _label(step), ha="center", fontsize=11, color=colour,
                    bbox=box)
        prev = lane
    ax.set_xlim(-0.7, len(LANES) - 0.3)
    ax.set_ylim(n + 1, -1.2)
    ax.axis("off")
    ax.set_title(f"The seed ping, {trace.flow.src} -> {trace.flow.dst}: {trace.verdict.code} "
                 "\n(vxlan-inspect explain captures/bundles/healthy-ping)", fontsize=12)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def hexdump_png(path: Path) -> None:
    with open_capture(str(BUNDLE / "captures" / "docker-1.underlay.pcap")) as cap:
        packet = next(p for p in map(decode_record, cap) if p.vxlan)
    spans = field_spans(packet)
    width = 16
    rows = (packet.caplen + width - 1) // width
    # sized for the docs column (~700 px): shown at ~0.77 of 9 in at 100 dpi, bytes ~12 px, field names ~8 px
    fig, ax = plt.subplots(figsize=(9, 0.42 * rows + 2.0), dpi=100)
    owner = {i: s for s in spans for i in range(s.start, s.end)}
    for i, byte in enumerate(packet.data):
        x, y = i % width, i // width
        s = owner[i]
        colour = (INNER_COLOURS if s.inner else OUTER_COLOURS).get(s.layer, "#fff")
        ax.add_patch(Rectangle((x, y), 1, 1, fc=colour, ec="white"))
        ax.text(x + 0.5, y + 0.5, f"{byte:02x}", ha="center", va="center", family="monospace", fontsize=11)
        if s.start == i and s.end - s.start >= 2 and s.layer != "payload":
            ax.text(x + 0.05, y + 0.1, s.field, fontsize=7, va="top", color="#222")
    for y in range(rows):
        ax.text(-0.2, y + 0.5, f"0x{y * width:04x}", ha="right", va="center", family="monospace", fontsize=10)
    seen: dict[str, str] = {}
    for s in spans:
        key = f"{'inner' if s.inner else 'outer'} {s.layer}"
        seen.setdefault(key, (INNER_COLOURS if s.inner else OUTER_COLOURS).get(s.layer, "#fff"))
    ax.legend(handles=[Patch(fc=c, label=k) for k, c in seen.items()], loc="upper center", ncol=(len(seen) + 1) // 2,
              bbox_to_anchor=(0.5, 0.0), fontsize=10, frameon=False)
    ax.set_xlim(-1.6, width)
    ax.set_ylim(rows, 0)
    ax.axis("off")
    vx = packet.vxlan
    assert vx is not None
    ax.set_title(f"One VXLAN frame of the seed ping ({packet.caplen} bytes): VNI {vx.vni}, "
                 "\nouter headers 50 bytes, then the container's frame", fontsize=12, pad=8)
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def main() -> int:
    IMG.mkdir(parents=True, exist_ok=True)
    sequence_png(IMG / "seed-ping-sequence.png")
    hexdump_png(IMG / "anatomy-hexdump.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
