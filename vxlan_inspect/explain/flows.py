"""Which flows the inputs hold, and the observations of each flow at each capture point.

A flow is an ICMP echo exchange (source, destination, ICMP id) or, when no echo
follows it, an ARP resolution (who asked, for which address). The same packet
seen at several capture points is matched by ICMP id and sequence (echo) or by
the ARP addresses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vxlan_inspect.explain.model import Flow
from vxlan_inspect.explain.observe import Obs


@dataclass
class FlowObs:
    """A flow and every observation that belongs to it."""

    flow: Flow
    requests: list[Obs] = field(default_factory=list)
    replies: list[Obs] = field(default_factory=list)
    arp_requests: list[Obs] = field(default_factory=list)
    arp_replies: list[Obs] = field(default_factory=list)
    reverse_arp: list[Obs] = field(default_factory=list)
    errors: list[Obs] = field(default_factory=list)


def _overlay_arp(o: Obs, underlay_ips: set[str]) -> bool:
    return o.kind.startswith("arp") and (o.encapsulated or o.point.role != "host") and o.src not in underlay_ips


def find_flows(observations: list[Obs], counts: dict[tuple[str, str, str, int], tuple[int, int, int]],
               underlay_ips: set[str], ping: tuple[str, str] | None = None) -> list[FlowObs]:
    """Group observations into flows (``counts``: (kind, src, dst, id) -> (count, first seq, last seq))."""
    flows: dict[tuple[str, str, str, int], FlowObs] = {}
    for o in observations:
        if o.kind == "echo-request" and o.src not in underlay_ips:
            key = ("icmp-echo", o.src, o.dst, o.icmp_id)
            if key not in flows:
                n, first, last = counts.get(("echo-request", o.src, o.dst, o.icmp_id), (0, o.seq, o.seq))
                nr = counts.get(("echo-reply", o.dst, o.src, o.icmp_id), (0, 0, 0))[0]
                flows[key] = FlowObs(Flow("icmp-echo", o.src, o.dst, o.icmp_id, n, nr, first, last))
    echo_pairs = {(f.flow.src, f.flow.dst) for f in flows.values()}
    for o in observations:
        if o.kind == "arp-request" and _overlay_arp(o, underlay_ips) and (o.src, o.dst) not in echo_pairs \
                and (o.dst, o.src) not in echo_pairs:
            key = ("arp", o.src, o.dst, 0)
            if key not in flows:
                n = counts.get(("arp-request", o.src, o.dst, 0), (0, 0, 0))[0]
                nr = counts.get(("arp-reply", o.dst, o.src, 0), (0, 0, 0))[0]
                flows[key] = FlowObs(Flow("arp", o.src, o.dst, None, n, nr))
    for fo in flows.values():
        f = fo.flow
        for o in observations:
            if f.kind == "icmp-echo" and o.icmp_id == f.icmp_id:
                if o.kind == "echo-request" and (o.src, o.dst) == (f.src, f.dst):
                    fo.requests.append(o)
                elif o.kind == "echo-reply" and (o.src, o.dst) == (f.dst, f.src):
                    fo.replies.append(o)
                elif o.kind == "icmp-error" and (o.src, o.dst) == (f.src, f.dst):
                    fo.errors.append(o)
            if _overlay_arp(o, underlay_ips):
                if o.kind == "arp-request" and (o.src, o.dst) == (f.src, f.dst):
                    fo.arp_requests.append(o)
                elif o.kind == "arp-reply" and (o.src, o.dst) == (f.dst, f.src):
                    fo.arp_replies.append(o)
                elif (o.src, o.dst) == (f.dst, f.src) or ((o.src, o.dst) == (f.src, f.dst) and o.kind == "arp-reply"):
                    fo.reverse_arp.append(o)
    out = list(flows.values())
    if ping is not None:
        out = [fo for fo in out if (fo.flow.src, fo.flow.dst) == ping]
    return out
