"""Hop builders: one function per kind of step of the request path (and its mirror).

Each builder looks at the observations of a flow and the namespace tables, and
returns a :class:`~vxlan_inspect.explain.model.Step` whose ``status`` is ``ok``,
``fail`` or ``unknown``. :mod:`vxlan_inspect.explain.diagnose` strings them
together and turns the first failure into a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vxlan_inspect.explain.model import Evidence, Location, Step
from vxlan_inspect.explain.observe import Obs
from vxlan_inspect.explain.topology import ZERO_MAC, Knowledge

IPV4_OVERHEAD = 50  # inner Ethernet 14 + VXLAN 8 + UDP 8 + outer IPv4 20, on top of the inner IP packet
IPV6_OVERHEAD = 70  # the same with an outer IPv6 header (40)


def at(obs: Iterable[Obs], host: str | None = None, role: str | None = None, *, device: str | None = None,
       direction: str | None = None, encap: bool | None = None) -> list[Obs]:
    """The observations at a host/role (and device, direction, encapsulation) in frame order."""
    return [o for o in obs if (host is None or o.point.host == host) and (role is None or o.point.role == role)
            and (device is None or o.device == device) and (direction is None or o.direction == direction)
            and (encap is None or o.encapsulated == encap)]


def step(kind: str, where: Location, summary: str, *, direction: str = "request", status: str = "ok",
         facts: dict[str, Any] | None = None, details: Iterable[str] = (),
         evidence: Iterable[Evidence | None] = ()) -> Step:
    """Build a step (``None`` evidence items are dropped)."""
    return Step(kind, where, summary, direction, status, tuple((facts or {}).items()), tuple(details),
                tuple(e for e in evidence if e is not None))


def ev(obs: list[Obs]) -> list[Evidence]:
    """Evidence for the first observation of a list (one frame is enough per point)."""
    return [obs[0].evidence()] if obs else []


def overlay_loc(k: Knowledge, host: str, device: str = "") -> Location:
    src = k.overlay(host)
    return Location(host, src.namespace if src else f"{host}/overlay", device)


def container_egress(k: Knowledge, host: str, pkts: list[Obs], direction: str, who: str) -> Step | None:
    """The packet leaves the sending container through its veth into br0."""
    inside = at(pkts, host, "container", encap=False)
    on_veth = [o for o in at(pkts, host, "overlay", encap=False) if o.device.startswith("veth") or not o.device]
    if not inside and not on_veth:
        return None
    o = (inside or on_veth)[0]
    facts = {"eth_src": o.eth_src, "eth_dst": o.eth_dst, "ip_len": o.ip_len, "df": o.df, "seq": o.seq}
    details = [f"eth {o.eth_src or '?'} > {o.eth_dst or '?'}, IPv4 length {o.ip_len}{', DF' if o.df else ''}"]
    return step("container-egress", Location(host, (inside or on_veth)[0].point.namespace, "eth0/veth0"),
                f"{who} sends the {direction} through its veth into br0", direction=direction, facts=facts,
                details=details, evidence=ev(inside) + ev(on_veth))


def fdb_lookup(k: Knowledge, host: str, mac: str, pkts: list[Obs], direction: str) -> Step:
    """br0 forwards to vxlan0; vxlan0 looks the destination MAC up in its FDB."""
    where = overlay_loc(k, host, "vxlan0")
    out_vx = [o for o in at(pkts, host, "overlay") if o.device.startswith("vxlan") and o.direction == "Out"]
    dev = k.vxlan_device(host)
    if not k.has_table(host, "fdb"):
        if out_vx or at(pkts, host, "host", encap=True):
            return step("fdb-lookup", where,
                        f"br0 forwards {mac} to vxlan0 (FDB not given; the packet left encapsulated)",
                        direction=direction, status="ok", facts={"mac": mac}, evidence=ev(out_vx))
        return step("fdb-lookup", where, f"FDB lookup of {mac}: no FDB dump of {host}'s overlay namespace",
                    direction=direction, status="unknown", facts={"mac": mac})
    src = k.overlay(host)
    assert src is not None
    entries = [e for e in k.fdb(host, mac) if e.dst]
    defaults = [e for e in src.state.fdb if e.mac == ZERO_MAC and e.dst]
    rows = [k.row(src, "fdb", e) for e in entries]
    if entries:
        dsts = [e.dst for e in entries]
        hosts = [k.host_of_vtep(d or "") for d in dsts]
        named = ", ".join(f"{d} ({h})" if h else str(d) for d, h in zip(dsts, hosts, strict=True))
        return step("fdb-lookup", where, f"FDB: {mac} -> dst {named}", direction=direction,
                    facts={"mac": mac, "dst": dsts[0], "dst_host": hosts[0], "entry": "self"},
                    details=[r.text for r in rows], evidence=[*rows, *ev(out_vx)])
    vx = dev[1].vxlan if dev else None
    if defaults:
        drows = [k.row(src, "fdb", e) for e in defaults]
        return step("fdb-lookup", where, f"FDB: no entry for {mac}; the all-zeros default entries replicate it to "
                    + ", ".join(str(e.dst) for e in defaults), direction=direction,
                    facts={"mac": mac, "dst": [e.dst for e in defaults], "entry": "default"},
                    details=[r.text for r in drows], evidence=[*drows, *ev(out_vx)])
    if vx is not None and (vx.remote or vx.group):
        target = vx.remote or vx.group
        return step("fdb-lookup", where, f"FDB: no entry for {mac}; vxlan0 sends unknown destinations to {target}",
                    direction=direction, facts={"mac": mac, "dst": target, "entry": "remote" if vx.remote else "group"},
                    evidence=[k.row(dev[0], "link", dev[1]) if dev else None, *ev(out_vx)])
    misses = [e for e in k.inputs.events if e.kind == "l2miss" and e.host == host and e.mac == mac]
    evidence: list[Evidence | None] = [Evidence("event", m.file, m.text, line=m.line) for m in misses[:2]]
    evidence.append(k.row(dev[0], "link", dev[1]) if dev else None)
    return step("fdb-lookup", where, f"FDB: no entry for {mac} and no all-zeros default entry: the frame is dropped"
                + (" (l2miss sent to user space)" if misses else ""), direction=direction, status="fail",
                facts={"mac": mac, "dst": None, "entry": None, "l2miss_events": len(misses)}, evidence=evidence)


def encapsulate(k: Knowledge, host: str, pkts: list[Obs], direction: str) -> Step | None:
    """vxlan0 wraps the frame in UDP/IPv4 (seen on the host's underlay capture)."""
    under = at(pkts, host, "host", encap=True)
    if not under:
        return None
    o = under[0]
    overhead = o.outer_len - o.ip_len
    facts = {"vni": o.vni, "outer_src": o.outer_src, "outer_dst": o.outer_dst, "sport": o.sport, "dport": o.dport,
             "inner_ip_len": o.ip_len, "outer_ip_len": o.outer_len, "overhead": overhead}
    details = [f"VNI {o.vni}, {o.outer_src}:{o.sport} -> {o.outer_dst}:{o.dport}",
               f"inner IPv4 {o.ip_len} + {overhead} (inner Ethernet 14, VXLAN 8, UDP 8, outer IPv4 20) = outer IPv4 "
               f"{o.outer_len} (frame {o.wirelen})"]
    return step("encapsulate", Location(host, host, "eth0"),
                f"vxlan0 encapsulates: VNI {o.vni}, {o.outer_src} -> {o.outer_dst} udp/{o.dport}",
                direction=direction, facts=facts, details=details, evidence=ev(under))


def transit(k: Knowledge, src_host: str, dst_host: str | None, pkts: list[Obs], direction: str) -> Step | None:
    """The outer packet crosses the underlay: where it was seen, and the one-way latency."""
    sent = at(pkts, src_host, "host", encap=True)
    if not sent:
        return None
    o = sent[0]
    seen = [p for p in pkts if p.encapsulated and p.point.role == "host" and p.point.host != src_host
            and p.seq == o.seq]
    facts: dict[str, Any] = {"outer_dst": o.outer_dst, "seen_at": [p.point.id for p in seen]}
    details = []
    if seen:
        latency = (seen[0].ts_ns - o.ts_ns) / 1000
        facts["one_way_us"] = round(latency, 1)
        details.append(f"seen at {', '.join(p.point.id for p in seen)}; one-way {latency:.1f} us "
                       "(host clocks assumed in sync)")
        return step("underlay-transit", Location(seen[0].point.host, seen[0].point.host, "eth0"),
                    f"the underlay carries it to {o.outer_dst} ({seen[0].point.host})", direction=direction,
                    facts=facts, details=details, evidence=ev(seen))
    has_capture = dst_host is not None and any(c.host == dst_host and c.role == "host" for c in k.inputs.captures)
    status = "fail" if has_capture else "unknown"
    summary = (f"not seen on {dst_host}'s underlay capture" if has_capture
               else f"no underlay capture of {dst_host or o.outer_dst}: arrival unknown")
    return step("underlay-transit", Location(dst_host or "", dst_host or "", "eth0"), summary, direction=direction,
                status=status, facts=facts)
