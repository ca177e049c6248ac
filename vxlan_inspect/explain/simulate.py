"""What-if traces: predict the path of an ICMP echo from the namespace tables alone.

Like ``ovs-appctl ofproto/trace`` for a Linux VXLAN overlay: from the FDB,
neighbour, link and address tables of the hosts, :func:`simulate` predicts where
an echo request from one overlay address to another would go (the sender's
neighbour resolution, br0 and the vxlan device's MTU, the FDB row that picks the
remote VTEP, the receiving device's VNI and port, the delivery), then the reply.
Every step cites the table row that decides it; the first table that would drop
the packet gives the verdict, with the same codes as an observed trace. When the
receiving host's tables are missing, the trace stops at the underlay with the
``undetermined`` verdict and says which dump would settle it.

:func:`compare` sets a prediction beside the observed traces of the same inputs:
every disagreement is a ``prediction-mismatch`` finding. Pure: no I/O here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from typing import Any

from vxlan_inspect.explain.hops import IPV4_OVERHEAD, IPV6_OVERHEAD, step
from vxlan_inspect.explain.inputs import Inputs, StateSource
from vxlan_inspect.explain.model import Evidence, Explanation, Flow, Location, Step, Trace, Unknown, Verdict
from vxlan_inspect.explain.schema import explanation_to_json
from vxlan_inspect.explain.topology import ZERO_MAC, Knowledge
from vxlan_inspect.explain.verdicts import fix_for
from vxlan_inspect.state.model import FdbEntry, Link

#: ping's default payload (``-s 56``): an 84-byte IPv4 packet
DEFAULT_SIZE = 56
ICMP_ECHO_HEADERS = 28  # IPv4 20 + ICMP 8


@dataclass(frozen=True, slots=True)
class _Stop:
    """The end of a one-way prediction: the verdict code (or "" when it got through) and its words."""

    code: str
    summary: str
    evidence: tuple[Evidence, ...] = ()
    unknowns: tuple[Unknown, ...] = ()
    host: str = ""
    ip: str = ""
    mac: str | None = None


def _container(k: Knowledge, ip: str) -> tuple[StateSource, Link | None] | None:
    """The container namespace holding ``ip`` and its interface."""
    for src in k.sources(role="container"):
        for addr in src.state.addr:
            if addr.local == ip:
                return src, next((lk for lk in src.state.link if lk.ifname == addr.ifname), None)
    return None


def _vxlan(k: Knowledge, host: str) -> tuple[StateSource, Link] | None:
    ovl = k.overlay(host)
    if ovl is None:
        return None
    for link in ovl.state.vxlan_links():
        return ovl, link
    return None


def _overhead(vtep: str) -> int:
    try:
        return IPV6_OVERHEAD if ipaddress.ip_address(vtep).version == 6 else IPV4_OVERHEAD
    except ValueError:
        return IPV4_OVERHEAD


def _is_multicast(addr: str) -> bool:
    try:
        return ipaddress.ip_address(addr).is_multicast
    except ValueError:
        return False


def _host_of_address(k: Knowledge, ip: str) -> str | None:
    """The host that owns underlay address ``ip``: the declared VTEPs, else any of its namespaces' addresses."""
    known = k.host_of_vtep(ip)
    if known:
        return known
    for src in k.inputs.states:
        if any(a.local == ip for a in src.state.addr):
            return src.host
    return None


def _local_vtep(k: Knowledge, host: str) -> str | None:
    """``host``'s VTEP: declared, else one of its addresses that another host's FDB points at."""
    if host in k.vteps:
        return k.vteps[host]
    pointed = {e.dst for s in k.inputs.states if s.host != host for e in s.state.fdb if e.dst}
    for src in k.sources(host):
        for a in src.state.addr:
            if a.local in pointed:
                return a.local
    return None


class _OneWay:
    """One direction of the prediction: from the sender's container to the receiver's."""

    def __init__(self, k: Knowledge, src_ip: str, dst_ip: str, ip_len: int, df: bool, direction: str) -> None:
        self.k, self.src_ip, self.dst_ip = k, src_ip, dst_ip
        self.ip_len, self.df, self.direction = ip_len, df, direction
        self.steps: list[Step] = []

    def add(self, kind: str, where: Location, summary: str, *, status: str = "ok", facts: dict[str, Any] | None = None,
            details: tuple[str, ...] = (), evidence: list[Evidence | None] | None = None) -> None:
        self.steps.append(step(kind, where, summary, direction=self.direction, status=status, facts=facts,
                               details=details, evidence=evidence or []))

    def run(self) -> _Stop:
        """Consult the tables in the order the kernel does; stop at the first that drops the packet."""
        k = self.k
        sender = _container(k, self.src_ip)
        if sender is None:
            return _Stop("undetermined", f"no container namespace in the inputs holds {self.src_ip}",
                         unknowns=(Unknown(f"which host and namespace own {self.src_ip}",
                                           f"the address and link tables of the namespace of {self.src_ip}"),))
        csrc, clink = sender
        host = csrc.host
        vx = _vxlan(k, host)
        if vx is None:
            return _Stop("undetermined", f"no vxlan device in the tables of {host}'s overlay namespace",
                         unknowns=(Unknown(f"how {host}'s overlay namespace forwards the packet",
                                           f"{host}'s overlay namespace: ip -d link; bridge fdb; ip neigh"),),
                         host=host)
        ovl, dev = vx
        info = dev.vxlan
        assert info is not None
        where = Location(host, ovl.namespace, dev.ifname)
        dev_row = k.row(ovl, "link", dev)
        # 1. neighbour resolution: the container's own table, else ARP answered by vxlan0's proxy or flooded
        own = next((n for n in csrc.state.neigh if n.dst == self.dst_ip and n.lladdr
                    and not {"FAILED", "INCOMPLETE"} & set(n.state)), None)
        if own is not None:
            dmac = own.lladdr
            self.add("neigh-resolve", Location(host, csrc.namespace, own.dev or ""),
                     f"would use the container's neighbour entry {self.dst_ip} -> {dmac}",
                     facts={"target": self.dst_ip, "lladdr": dmac, "answered_by": "cache"},
                     evidence=[k.row(csrc, "neigh", own)])
        else:
            entry = k.neigh(host, self.dst_ip)
            if info.proxy:
                if entry is None or not entry.lladdr:
                    self.add("proxy-lookup", where, f"vxlan0's proxy would look up {self.dst_ip}: no neighbour "
                             "entry, so the ARP request would be swallowed (l3miss)", status="fail",
                             facts={"target": self.dst_ip}, evidence=[dev_row])
                    return _Stop("missing-neigh", f"{host}'s vxlan0 answers ARP from its neighbour table, which has "
                                 f"no entry for {self.dst_ip}", (dev_row,), host=host, ip=self.dst_ip)
                dmac = entry.lladdr
                row = k.row(ovl, "neigh", entry)
                self.add("neigh-resolve", where, f"vxlan0's proxy would answer who-has {self.dst_ip} with {dmac}",
                         facts={"target": self.dst_ip, "lladdr": dmac, "answered_by": "proxy",
                                "permanent": entry.is_permanent}, evidence=[row, dev_row])
                owner = k.owner_of_mac(dmac)
                if owner.host is None and k.owner_of_ip(self.dst_ip).mac not in (None, dmac):
                    return _Stop("stale-neigh", f"{host}'s neighbour entry gives {self.dst_ip} the MAC {dmac}, which "
                                 f"no endpoint owns ({self.dst_ip} has {k.owner_of_ip(self.dst_ip).mac})", (row,),
                                 host=host, ip=self.dst_ip, mac=dmac)
            else:
                defaults = [e for e in ovl.state.fdb if e.mac == ZERO_MAC and e.dst]
                if not defaults and not info.group and not info.remote:
                    self.add("flood", where, "vxlan0 has no proxy and nowhere to flood (no all-zeros FDB entry, no "
                             "group, no remote): the ARP broadcast would be dropped", status="fail",
                             facts={"proxy": False, "defaults": 0}, evidence=[dev_row])
                    return _Stop("proxy-off", f"ARP for {self.dst_ip} would never be answered: {host}'s vxlan0 has "
                                 "no 'proxy' and nowhere to flood it", (dev_row,), host=host, ip=self.dst_ip)
                owner_ip = k.owner_of_ip(self.dst_ip)
                dmac = owner_ip.mac
                flood_rows: list[Evidence | None] = [*(k.row(ovl, "fdb", e) for e in defaults[:2]), dev_row]
                self.add("neigh-resolve", where, f"the ARP request for {self.dst_ip} would be flooded over the tunnel "
                         + (f"and answered by its owner with {dmac}" if dmac else "; its owner is not in the inputs"),
                         status="ok" if dmac else "unknown",
                         facts={"target": self.dst_ip, "lladdr": dmac, "answered_by": "flood"}, evidence=flood_rows)
                if dmac is None:
                    return _Stop("undetermined", f"who owns {self.dst_ip} is not in the inputs",
                                 unknowns=(Unknown(f"the MAC and host of {self.dst_ip}",
                                                   f"the tables of the namespace holding {self.dst_ip}"),), host=host)
        assert dmac is not None
        # 2. container egress into br0, and the MTU budget of the vxlan device
        cmtu = clink.mtu if clink else None
        self.add("container-egress", Location(host, csrc.namespace, clink.ifname if clink else ""),
                 f"would send the {self.direction} ({self.ip_len} bytes{', DF' if self.df else ''}) to {dmac} "
                 "through its veth into br0",
                 facts={"eth_dst": dmac, "ip_len": self.ip_len, "df": self.df, "mtu": cmtu},
                 evidence=[k.row(csrc, "link", clink) if clink else None])
        if dev.mtu is not None and self.ip_len > dev.mtu:
            self.add("bridge-forward", where, f"br0 would drop the {self.ip_len}-byte packet: it exceeds vxlan0's "
                     f"MTU {dev.mtu}", status="fail", facts={"ip_len": self.ip_len, "mtu": dev.mtu},
                     evidence=[dev_row, k.row(csrc, "link", clink) if clink else None])
            return _Stop("mtu-exceeded", f"{self.ip_len}-byte packet from {self.src_ip} would not fit vxlan0's MTU "
                         f"{dev.mtu} on {host}" + (f" (the container's MTU is {cmtu})" if cmtu else ""),
                         tuple(e for e in (dev_row,) if e), host=host)
        # 3. the FDB row that picks the remote VTEP
        rows = [e for e in ovl.state.fdb if e.mac == dmac and e.ifname == dev.ifname and e.dst]
        how = "fdb"
        chosen: FdbEntry | None = rows[0] if rows else None
        vteps: list[str] = [chosen.dst] if chosen and chosen.dst else []
        if chosen is None:
            defaults = [e for e in ovl.state.fdb if e.mac == ZERO_MAC and e.dst and e.ifname == dev.ifname]
            if defaults:
                how, vteps = "default", [e.dst for e in defaults if e.dst]
            elif info.remote:
                how, vteps = "remote", [info.remote]
            elif info.group:
                vteps = [info.group]
            else:
                self.add("fdb-lookup", where, f"vxlan0's FDB would have no entry for {dmac} and no default: "
                         "dropped (l2miss)", status="fail", facts={"mac": dmac}, evidence=[dev_row])
                return _Stop("missing-fdb", f"{host}'s vxlan0 has no FDB entry for {dmac} ({self.dst_ip}) and no "
                             "default entry", (dev_row,), host=host, ip=self.dst_ip, mac=dmac)
        group = next((v for v in vteps if _is_multicast(v)), None)
        if group is not None:  # a group entry or device: every other host's VTEP that joined it gets a copy
            how = "group"
            info = replace(info, group=group)
            vteps = [v for h in k.inputs.hosts() if h != host and _vxlan(k, h) is not None
                     for v in [_local_vtep(k, h)] if v]
        owner = k.owner_of_mac(dmac)
        target = next((v for v in vteps if owner.host and _host_of_address(k, v) == owner.host),
                      vteps[0] if vteps else "")
        fdb_ev: list[Evidence | None] = [k.row(ovl, "fdb", chosen)] if chosen else [dev_row]
        dst_host = _host_of_address(k, target)
        self.add("fdb-lookup", where, f"vxlan0's FDB would send {dmac} to {target}"
                 + {"fdb": "", "default": " (all-zeros default entry: head-end replication)",
                    "remote": " (the device's remote)", "group": f" (multicast group {info.group})"}[how],
                 facts={"mac": dmac, "dst": target, "dst_host": dst_host, "how": how}, evidence=fdb_ev)
        local = _local_vtep(k, host) or info.local or f"{host}'s underlay address"
        vni = chosen.vni if chosen and chosen.vni is not None else info.id
        port = chosen.port if chosen and chosen.port is not None else info.port
        overhead = _overhead(target)
        self.add("encapsulate", where, f"would wrap it in VXLAN VNI {vni}, UDP {port}, {local} > {target}",
                 facts={"vni": vni, "outer_src": local, "outer_dst": target, "dport": port,
                        "inner_ip_len": self.ip_len, "outer_ip_len": self.ip_len + overhead, "overhead": overhead},
                 evidence=[dev_row])
        if owner.host and owner.host != dst_host:
            return _Stop("wrong-vtep", f"{host}'s FDB sends {dmac} to {target}"
                         + (f" ({dst_host})" if dst_host else "") + f", but {dmac} lives on {owner.host}",
                         tuple(e for e in (*fdb_ev, owner.evidence) if e), host=host, ip=self.dst_ip, mac=dmac)
        if dst_host is None or _vxlan(k, dst_host) is None:
            self.add("underlay-transit", Location(dst_host or target, "", ""), f"would cross the underlay to {target}; "
                     "what happens there is not in the inputs", status="unknown", facts={"outer_dst": target})
            who = dst_host or target
            return _Stop("undetermined", f"the packet would leave {host} for {target}; {who}'s tables are not in the "
                         "inputs, so delivery cannot be predicted",
                         unknowns=(Unknown(f"whether {who}'s vxlan device takes VNI {vni} on port {port} and "
                                           f"delivers {dmac}", f"{who}'s overlay namespace: ip -d link show; "
                                           "bridge fdb show; and its container's ip addr"),), host=host)
        self.add("underlay-transit", Location(dst_host, "", ""), f"would cross the underlay {local} > {target}",
                 facts={"outer_dst": target})
        # 4. the receiving vxlan device: VNI and port
        rovl, rdev = _vxlan(k, dst_host) or (ovl, dev)
        rinfo = rdev.vxlan
        assert rinfo is not None
        rwhere = Location(dst_host, rovl.namespace, rdev.ifname)
        rrow = k.row(rovl, "link", rdev)
        if rinfo.port is not None and port is not None and rinfo.port != port:
            self.add("decapsulate", rwhere, f"{dst_host}'s vxlan0 listens on UDP {rinfo.port}, not {port}: the packet "
                     "would be dropped (port unreachable)", status="fail",
                     facts={"dport": port, "device_port": rinfo.port}, evidence=[rrow])
            return _Stop("port-mismatch", f"{host} would send to UDP {port}; {dst_host}'s vxlan0 listens on "
                         f"{rinfo.port}", (rrow,), host=dst_host)
        if rinfo.id is not None and vni is not None and rinfo.id != vni:
            self.add("decapsulate", rwhere, f"{dst_host} has no vxlan device for VNI {vni} (its vxlan0 is VNI "
                     f"{rinfo.id}): dropped", status="fail", facts={"vni": vni, "device_vni": rinfo.id},
                     evidence=[rrow])
            return _Stop("vni-mismatch", f"VNI {vni} from {host} matches no vxlan device on {dst_host} (vxlan0 is "
                         f"VNI {rinfo.id})", (rrow,), host=dst_host)
        self.add("decapsulate", rwhere, f"{dst_host}'s vxlan0 (VNI {rinfo.id}, UDP {rinfo.port}) would take it",
                 facts={"vni": vni, "device_vni": rinfo.id, "device_port": rinfo.port}, evidence=[rrow])
        receiver = _container(k, self.dst_ip)
        if receiver is None or receiver[0].host != dst_host:
            self.add("deliver", rwhere, f"{self.dst_ip}'s namespace on {dst_host} is not in the inputs",
                     status="unknown")
            return _Stop("undetermined", f"{dst_host} would decapsulate it; whether br0 delivers it to "
                         f"{self.dst_ip} is not in the inputs",
                         unknowns=(Unknown(f"which container on {dst_host} has {self.dst_ip}",
                                           f"the container namespaces' ip addr and ip link on {dst_host}"),))
        rsrc, rlink = receiver
        if rlink is not None and rlink.address != dmac:
            self.add("deliver", rwhere, f"br0 on {dst_host} would find no port for {dmac} ({self.dst_ip} has "
                     f"{rlink.address})", status="fail", evidence=[k.row(rsrc, "link", rlink)])
            return _Stop("stale-neigh", f"the frame for {self.dst_ip} would carry {dmac}, which no endpoint owns",
                         (k.row(rsrc, "link", rlink),), host=host, ip=self.dst_ip, mac=dmac)
        self.add("deliver", Location(dst_host, rsrc.namespace, rlink.ifname if rlink else ""),
                 f"br0 would deliver it to {self.dst_ip} ({dmac})",
                 facts={"mac": dmac}, evidence=[k.row(rsrc, "link", rlink) if rlink else None])
        return _Stop("", "")


def simulate(k: Knowledge, src: str, dst: str, *, size: int = DEFAULT_SIZE, df: bool = False) -> Trace:
    """Predict an ICMP echo of ``size`` payload bytes from ``src`` to ``dst`` and its reply, from ``k``'s tables."""
    ip_len = size + ICMP_ECHO_HEADERS
    flow = Flow("icmp-echo", src, dst)
    out = _OneWay(k, src, dst, ip_len, df, "request")
    stop = out.run()
    steps = list(out.steps)
    if not stop.code:
        back = _OneWay(k, dst, src, ip_len, df, "reply")
        stop = back.run()
        steps.extend(back.steps)
        if not stop.code:
            verdict = Verdict("delivered", f"the tables would carry the echo request from {src} to {dst} and the "
                              "reply back", tuple(e for s in steps if s.kind == "fdb-lookup" for e in s.evidence))
            return Trace(flow, tuple(steps), verdict)
    if stop.code == "undetermined":
        verdict = Verdict("undetermined", stop.summary, stop.evidence, unknowns=stop.unknowns)
    else:
        verdict = Verdict(stop.code, stop.summary, stop.evidence,
                          fix_for(stop.code, k, stop.host, stop.ip or dst, stop.mac), unknowns=stop.unknowns)
    return Trace(flow, tuple(steps), verdict)


def compare(predicted: Trace, observed: list[Trace], ip_len: int) -> list[str]:
    """``prediction-mismatch`` findings: where the observed traces of the same flow disagree with the prediction."""
    notes: list[str] = []
    same = [t for t in observed if t.flow.kind == "icmp-echo" and t.flow.src == predicted.flow.src
            and t.flow.dst == predicted.flow.dst]
    size = ip_len
    sized = [t for t in same if _ip_len(t) in (None, size)]
    if len(sized) < len(same):
        notes.append(f"not compared: {len(same) - len(sized)} observed echo flow(s) of another packet size than the "
                     f"predicted {size} bytes (use --size)")
    for t in sized:
        if predicted.verdict.code in ("undetermined",):
            continue
        if t.verdict.code != predicted.verdict.code:
            notes.append(f"prediction-mismatch: the tables say {predicted.verdict.code}, the wire shows "
                         f"{t.verdict.code} (echo id {t.flow.icmp_id}): {t.verdict.summary}")
            continue
        for kind, keys in (("fdb-lookup", ("dst",)), ("encapsulate", ("vni", "outer_dst", "dport"))):
            p = next((s for s in predicted.steps if s.kind == kind and s.direction == "request"), None)
            o = next((s for s in t.steps if s.kind == kind and s.direction == "request"), None)
            if p is None or o is None:
                continue
            for key in keys:
                if o.fact(key) is not None and p.fact(key) != o.fact(key):
                    notes.append(f"prediction-mismatch: the tables say {kind} {key} {p.fact(key)}, the wire shows "
                                 f"{o.fact(key)} (echo id {t.flow.icmp_id})")
    return notes


def _ip_len(t: Trace) -> int | None:
    """The IP length of a trace's request (container egress, else the inner packet of the encapsulation)."""
    for s in t.steps:
        if s.direction == "request":
            value = s.fact("ip_len", s.fact("inner_ip_len"))
            if isinstance(value, int):
                return value
    return None


def with_findings(trace: Trace, findings: list[str]) -> Trace:
    """``trace`` with ``findings`` added to its verdict."""
    return replace(trace, verdict=replace(trace.verdict, findings=(*trace.verdict.findings, *findings)))


def simulation_to_json(x: Explanation, observed: Explanation | None = None) -> dict[str, Any]:
    """The JSON of a simulated explanation: ``mode: simulated``, and the observed traces beside it when given."""
    doc = explanation_to_json(x)
    doc["mode"] = "simulated"
    for t in doc["traces"]:
        t["mode"] = "simulated"
    if observed is not None:
        obs = explanation_to_json(observed)
        for t in obs["traces"]:
            t["mode"] = "observed"
        doc["observed"] = obs["traces"]
    return doc


def explain_simulated(inputs: Inputs, src: str, dst: str, *, size: int = DEFAULT_SIZE, df: bool = False,
                      observed: Explanation | None = None) -> Explanation:
    """A what-if explanation of one echo from ``inputs``' tables; findings against ``observed`` when given."""
    k = Knowledge(inputs, [])
    trace = simulate(k, src, dst, size=size, df=df)
    notes = [f"simulated from the tables ({inputs.label or 'given'} state); nothing was sent: each step says "
             f"what would happen to a {size + ICMP_ECHO_HEADERS}-byte echo{' with DF' if df else ''}"]
    if observed is not None:
        mismatches = compare(trace, list(observed.traces), size + ICMP_ECHO_HEADERS)
        trace = with_findings(trace, mismatches)
        if not any(t.flow.src == src and t.flow.dst == dst for t in observed.traces):
            notes.append(f"the captures hold no echo from {src} to {dst} to compare with")
        elif not any(m.startswith("prediction-mismatch") for m in mismatches):
            notes.append("the captures agree with the prediction")
    return Explanation(inputs.source, k.topology(), (trace,), tuple(notes))


def format_side_by_side(predicted: Explanation, observed: Explanation) -> str:
    """Predicted and observed steps of the same flow in two columns (kind, direction: status)."""
    out: list[str] = []
    for p in predicted.traces:
        same = [t for t in observed.traces if t.flow.src == p.flow.src and t.flow.dst == p.flow.dst]
        pairs: list[Trace | None] = list(same) or [None]
        for o in pairs:
            head = f"{'predicted (tables)':<44} | observed (wire{f', echo id {o.flow.icmp_id}' if o else ''})"
            out += [head, "-" * len(head)]
            pl = [f"{s.direction[:3]} {s.kind}: {s.status}" for s in p.steps]
            ol = [f"{s.direction[:3]} {s.kind}: {s.status}" for s in o.steps] if o else ["(not in the captures)"]
            for i in range(max(len(pl), len(ol))):
                out.append(f"{pl[i] if i < len(pl) else '':<44} | {ol[i] if i < len(ol) else ''}")
            out.append(f"{'verdict: ' + p.verdict.code:<44} | {'verdict: ' + o.verdict.code if o else ''}")
            out.append("")
    return "\n".join(out)
