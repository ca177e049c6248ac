"""The pipeline: scan captures, decode the picked records, infer topology, trace every flow."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from vxlan_inspect.decode import DecodeConfig
from vxlan_inspect.explain.diagnose import trace_flow
from vxlan_inspect.explain.flows import find_flows
from vxlan_inspect.explain.inputs import Inputs, load_bundle
from vxlan_inspect.explain.model import Explanation
from vxlan_inspect.explain.observe import Obs, observe
from vxlan_inspect.explain.scan import KIND_NAMES, pick_records, scan_capture
from vxlan_inspect.explain.topology import Knowledge
from vxlan_inspect.explain.verdicts import cross_checks


def _ip(value: int) -> str:
    return str(ipaddress.IPv4Address(value))


def explain_inputs(inputs: Inputs, *, ping: tuple[str, str] | None = None,
                   config: DecodeConfig | None = None) -> Explanation:
    """Explain every ICMP echo flow and unanswered ARP in ``inputs`` (or only ``ping``'s flow)."""
    cfg = config or DecodeConfig()
    observations: list[Obs] = []
    by_role: dict[str, dict[tuple[str, str, str, int], tuple[int, int, int]]] = {}
    notes: list[str] = []
    for point in inputs.captures:
        scan = scan_capture(point.path, point.file, cfg)
        notes.extend(scan.notes)
        groups = pick_records(scan)
        for g in groups:
            key = (KIND_NAMES[g.kind], _ip(g.src), _ip(g.dst), g.ident)
            role_counts = by_role.setdefault(point.role, {})
            old = role_counts.get(key, (0, g.first_seq, g.last_seq))
            role_counts[key] = (max(old[0], g.count), min(old[1], g.first_seq), max(old[2], g.last_seq))
        observations.extend(observe(point, scan, groups, cfg))
    counts: dict[tuple[str, str, str, int], tuple[int, int, int]] = {}
    for role in ("overlay", "unknown", "host", "container"):  # a packet once per point: containers count best
        counts.update(by_role.get(role, {}))
    for key, (n, first, last) in counts.items():
        # One echo is seen several times in one capture (-i any: veth0 and vxlan0 both); echoes of one flow carry
        # distinct sequence numbers, so the flow cannot hold more echoes than its sequence span (issue 14 item 6).
        if key[0].startswith("echo") and 0 <= last - first < n:
            counts[key] = (last - first + 1, first, last)
    k = Knowledge(inputs, observations)
    underlay = set(k.vteps.values()) | {o.outer_src for o in observations if o.encapsulated} \
        | {o.outer_dst for o in observations if o.encapsulated}
    traces = [trace_flow(k, fo) for fo in find_flows(observations, counts, underlay, ping)]
    notes.extend(cross_checks(k))
    if ping is not None and not traces:
        notes.append(f"no echo or ARP from {ping[0]} to {ping[1]} in the captures")
    return Explanation(inputs.source, k.topology(), tuple(traces), tuple(notes))


def explain_bundle(path: str | Path, *, ping: tuple[str, str] | None = None, label: str | None = None,
                   config: DecodeConfig | None = None) -> Explanation:
    """Explain a scenario bundle directory (from ``vxlan-inspect lab record``)."""
    return explain_inputs(load_bundle(path, label=label), ping=ping, config=config)
