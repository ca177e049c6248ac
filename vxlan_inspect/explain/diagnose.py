"""From a flow's observations and the tables to a trace and its verdict.

:func:`trace_flow` walks the request path hop by hop (neighbour resolution,
container egress, FDB lookup, MTU, encapsulation, underlay, decapsulation,
delivery), then the reply's mirror path; the first hop that fails decides the
verdict. When a hop cannot be evaluated from the inputs, the step says so and
the verdict lists the capture or dump that would settle it.
"""

from __future__ import annotations

from vxlan_inspect.explain.flows import FlowObs
from vxlan_inspect.explain.hops import (
    IPV4_OVERHEAD,
    at,
    container_egress,
    encapsulate,
    ev,
    fdb_lookup,
    overlay_loc,
    step,
    transit,
)
from vxlan_inspect.explain.model import Evidence, Location, Step, Trace, Unknown, Verdict
from vxlan_inspect.explain.observe import Obs
from vxlan_inspect.explain.topology import Knowledge
from vxlan_inspect.explain.verdicts import arp_verdict, fix_for


def neigh_resolve(k: Knowledge, host: str, fo: FlowObs, direction: str = "request") -> Step | None:
    """How the sender resolved the destination's MAC: vxlan0 proxy, flooded ARP, cache, or not at all."""
    f = fo.flow
    reqs, reps = fo.arp_requests, fo.arp_replies
    if direction == "reply":
        reqs = [o for o in fo.reverse_arp if o.kind == "arp-request"]
        reps = [o for o in fo.reverse_arp if o.kind == "arp-reply"]
        target, asker = f.src, f.dst
    else:
        target, asker = f.dst, f.src
    where = overlay_loc(k, host, "vxlan0")
    neigh = k.neigh(host, target)
    src = k.overlay(host)
    nrow = k.row(src, "neigh", neigh) if neigh and src else None
    tunnelled = [o for o in reqs + reps if o.encapsulated]
    if not reqs and not reps:
        return None
    mac = next((o.arp_sha for o in reps if not o.encapsulated), "")
    if reps and tunnelled:
        return step("neigh-resolve", where, f"ARP for {target} crossed the tunnel and was answered by the remote side "
                    f"({mac})", direction=direction, facts={"target": target, "answered_by": "remote", "lladdr": mac},
                    evidence=[*ev([o for o in reqs if o.encapsulated]), *ev(reps)])
    if reps:
        permanent = bool(neigh and neigh.is_permanent)
        dev = k.vxlan_device(host)
        proxy = bool(dev and dev[1].vxlan and dev[1].vxlan.proxy)
        how = "the vxlan0 proxy from the PERMANENT neighbour entry" if permanent and proxy else \
            "the vxlan0 proxy" if proxy else "a local reply"
        local = at(reps, host, "overlay") or at(reps, host, "container")
        return step("neigh-resolve", where, f"{asker} asks who-has {target}: answered by {how} "
                    f"({mac}); nothing tunnelled", direction=direction,
                    facts={"target": target, "answered_by": "proxy" if proxy else "local", "lladdr": mac,
                           "permanent": permanent},
                    details=[nrow.text] if nrow else [], evidence=[*ev(at(reqs, host)), *ev(local), nrow])
    return step("neigh-resolve", where, f"{asker} asks who-has {target}: no answer", direction=direction,
                status="fail", facts={"target": target, "answered_by": None}, evidence=ev(reqs))


def decapsulate(k: Knowledge, host: str, pkts: list[Obs], direction: str) -> Step:
    """The receiving kernel finds the vxlan device for (VNI, port) and decapsulates into br0."""
    arrived = at(pkts, host, "host", encap=True)
    vni = arrived[0].vni if arrived else pkts[0].vni if pkts and pkts[0].vni is not None else None
    dport = arrived[0].dport if arrived else next((o.dport for o in pkts if o.encapsulated), None)
    inside = [o for o in at(pkts, host, "overlay") if o.device.startswith("vxlan")]
    where = overlay_loc(k, host, "vxlan0")
    dev = k.vxlan_device(host)
    if dev is None or dev[1].vxlan is None:
        if inside:
            return step("decapsulate", where, f"decapsulated into {host}'s overlay namespace (vxlan device not given)",
                        direction=direction, evidence=ev(inside))
        return step("decapsulate", where, f"{host}'s vxlan devices are unknown (no ip -d link dump)",
                    direction=direction, status="unknown", facts={"vni": vni, "dport": dport})
    src, link = dev
    vx = link.vxlan
    assert vx is not None
    row = k.row(src, "link", link)
    facts = {"vni": vni, "dport": dport, "device": link.ifname, "device_vni": vx.id, "device_port": vx.port}
    if vni is not None and vx.id != vni:
        return step("decapsulate", where, f"no vxlan device with VNI {vni} on {host}: {link.ifname} has id {vx.id}; "
                    "the packet is dropped", direction=direction, status="fail", facts=facts,
                    evidence=[row, *ev(arrived)])
    if dport is not None and vx.port is not None and vx.port != dport:
        errors = [o for o in pkts if o.kind == "icmp-error"]
        return step("decapsulate", where, f"nothing listens on udp/{dport} on {host}: {link.ifname} uses dstport "
                    f"{vx.port}; the kernel answers port unreachable", direction=direction, status="fail",
                    facts=facts, evidence=[row, *ev(arrived), *ev(errors)])
    return step("decapsulate", where, f"{host} receives udp/{dport}, finds {link.ifname} (VNI {vx.id}) and "
                "decapsulates into br0", direction=direction, facts=facts, evidence=[row, *ev(inside)])


def deliver(k: Knowledge, host: str, pkts: list[Obs], direction: str, who: str) -> Step | None:
    inside = at(pkts, host, "container", encap=False)
    on_veth = [o for o in at(pkts, host, "overlay") if o.device.startswith("veth") and o.direction == "Out"]
    if not inside and not on_veth:
        return None
    return step("deliver", Location(host, (inside or on_veth)[0].point.namespace, "veth0/eth0"),
                f"br0 -> veth -> {who}: delivered", direction=direction, evidence=ev(on_veth) + ev(inside))


def _path(k: Knowledge, fo: FlowObs, pkts: list[Obs], hs: str, hd: str | None, direction: str,
          sender: str, receiver: str) -> tuple[list[Step], Step | None]:
    """One direction of the path; returns its steps and the first failing (or unknown) step."""
    steps: list[Step] = []
    nr = neigh_resolve(k, hs, fo, direction)
    if nr:
        steps.append(nr)
    eg = container_egress(k, hs, pkts, direction, sender)
    if eg:
        steps.append(eg)
    mac = next((o.eth_dst for o in pkts if o.eth_dst and not o.encapsulated), "")
    mac = mac or next((o.eth_dst for o in pkts if o.eth_dst), "")
    dev = k.vxlan_device(hs)
    ip_len = max((o.ip_len for o in pkts), default=0)
    left = at(pkts, hs, "host", encap=True) or [o for o in at(pkts, hs, "overlay") if o.device.startswith("vxlan")]
    if dev and dev[1].mtu and ip_len > dev[1].mtu and not left:
        src, link = dev
        s = step("mtu", overlay_loc(k, hs, link.ifname), f"{ip_len}-byte IPv4 packet > {link.ifname} mtu {link.mtu}: "
                 "br0 drops the frame before encapsulation", direction=direction, status="fail",
                 facts={"ip_len": ip_len, "device_mtu": link.mtu, "overhead": IPV4_OVERHEAD,
                        "underlay_needed": ip_len + IPV4_OVERHEAD},
                 details=[f"{ip_len} + {IPV4_OVERHEAD} bytes of VXLAN/IPv4 overhead = {ip_len + IPV4_OVERHEAD} on the "
                          f"underlay; vxlan0 mtu {link.mtu} leaves room for {link.mtu} (DF set: "
                          f"{'yes' if any(o.df for o in pkts) else 'no'})"],
                 evidence=[k.row(src, "link", link), *ev(at(pkts, hs, "container"))])
        return [*steps, s], s
    if mac:
        fl = fdb_lookup(k, hs, mac, pkts, direction)
        steps.append(fl)
        if fl.status == "fail":
            return steps, fl
    enc = encapsulate(k, hs, pkts, direction)
    if enc is None:
        if not any(c.host == hs and c.role == "host" for c in k.inputs.captures):
            u = step("encapsulate", Location(hs, hs, "eth0"), f"no underlay capture of {hs}: encapsulation not seen",
                     direction=direction, status="unknown")
            steps.append(u)
        else:
            u = step("encapsulate", Location(hs, hs, "eth0"), f"nothing left {hs}'s eth0 for this {direction}",
                     direction=direction, status="fail")
            return [*steps, u], u
    else:
        steps.append(enc)
        outer_dst = enc.fact("outer_dst")
        vtep_host = k.host_of_vtep(outer_dst)
        errs = [o for o in fo.errors if o.outer_src == outer_dst and o.error_type == 3]
        stranger = vtep_host is None and bool(errs) and outer_dst not in k.vteps.values() and len(k.vteps) >= 2
        if stranger:
            s = step("underlay-transit", Location(outer_dst, outer_dst, "eth0"),
                     f"sent to {outer_dst}, which is not the VTEP of any host in the inputs ("
                     + ", ".join(f"{h} {v}" for h, v in k.vteps.items()) + f") and answers udp/{enc.fact('dport')} "
                     "port unreachable", direction=direction, status="fail",
                     facts={"outer_dst": outer_dst, "owner_host": None, "known_vteps": dict(k.vteps)},
                     evidence=ev(errs))
            return [*steps, s], s
        if hd is not None and vtep_host != hd and (vtep_host is not None or k.vteps.get(hd)):
            owner = k.owner_of_mac(mac)
            s = step("underlay-transit", Location(vtep_host or "", vtep_host or "", "eth0"),
                     f"sent to {outer_dst}" + (f" ({vtep_host})" if vtep_host else " (no overlay host)")
                     + f", but {mac} lives on {hd} ({k.vteps.get(hd)})", direction=direction, status="fail",
                     facts={"outer_dst": outer_dst, "owner_host": hd, "owner_vtep": k.vteps.get(hd)},
                     evidence=[*ev(errs), owner.evidence])
            return [*steps, s], s
    tr = transit(k, hs, hd, pkts, direction)
    if tr:
        steps.append(tr)
        if tr.status != "ok" and not at(pkts, hd):
            if tr.status == "unknown" and hd is not None:
                de = decapsulate(k, hd, pkts, direction)
                steps.append(de)
                if de.status == "fail":
                    return steps, de
            return steps, tr
    if hd is None:
        u = step("decapsulate", Location(), "the destination's host is unknown", direction=direction, status="unknown")
        return [*steps, u], u
    de = decapsulate(k, hd, pkts, direction)
    steps.append(de)
    if de.status == "fail":
        return steps, de
    dl = deliver(k, hd, pkts, direction, receiver)
    if dl:
        steps.append(dl)
    elif de.status == "unknown":
        return steps, de
    return steps, None


def _hosts(k: Knowledge, fo: FlowObs) -> tuple[str | None, str | None]:
    """The hosts of the sender and the receiver: container state, local bridge ports, VTEPs, capture points."""
    f = fo.flow
    pkts = fo.requests or fo.arp_requests
    src = k.owner_of_ip(f.src).host
    dst = k.owner_of_ip(f.dst).host
    if src is None:
        macs = [o.eth_src for o in pkts if o.eth_src] + [o.arp_sha for o in pkts if o.arp_sha]
        src = next((h for h in (k.owner_of_mac(m).host for m in macs) if h), None)
    if dst is None:
        macs = [o.eth_dst for o in fo.requests if o.eth_dst]
        dst = next((h for h in (k.owner_of_mac(m).host for m in macs) if h), None)
    for o in fo.requests:
        if o.encapsulated:  # the hosts behind the VTEPs, or the VTEP address itself when no input names it
            src = src or k.host_of_vtep(o.outer_src)
            dst = dst or k.host_of_vtep(o.outer_dst) or o.outer_dst
    if src is None:
        plain = [o for o in pkts if not o.encapsulated and o.point.role != "host"]
        src = plain[0].point.host if plain else pkts[0].point.host if pkts else None
    return src, dst


def trace_flow(k: Knowledge, fo: FlowObs) -> Trace:
    """The trace and verdict of one flow."""
    hs, hd = _hosts(k, fo)
    f = fo.flow
    if f.kind == "arp" or hs is None:
        steps, verdict = arp_verdict(k, fo, hs or "?", neigh_resolve(k, hs or "?", fo))
        return Trace(f, tuple(steps), verdict)
    steps, failed = _path(k, fo, fo.requests, hs, hd, "request", f.src, f.dst)
    replies_home = [o for o in fo.replies if o.point.host == hs]
    if fo.replies and hd is not None:
        back, back_fail = _path(k, fo, fo.replies, hd, hs, "reply", f.dst, f.src)
        steps += back
        if (replies_home and back_fail is None) or (replies_home and back_fail and back_fail.status == "unknown"):
            findings = tuple(s.fact("answered_by") and ("arp-proxied" if s.fact("answered_by") == "proxy"
                                                        else "arp-flooded" if s.fact("answered_by") == "remote"
                                                        else "") for s in steps if s.kind == "neigh-resolve")
            ev_ = [replies_home[0].evidence()]
            return Trace(f, tuple(steps), Verdict("delivered", f"{f.requests or len(fo.requests)} echo request(s) "
                         f"from {f.src} reached {f.dst} on {hd} and {f.replies or len(fo.replies)} reply(ies) came "
                         "back", tuple(ev_), findings=tuple(dict.fromkeys(x for x in findings if x)),
                         unknowns=_unknowns(k, steps)))
        failed = failed or back_fail
    return Trace(f, tuple(steps), _failure_verdict(k, fo, steps, failed, hs, hd))


def _unknowns(k: Knowledge, steps: list[Step]) -> tuple[Unknown, ...]:
    out: list[Unknown] = []
    for s in steps:
        if s.status != "unknown":
            continue
        host = s.location.host or "the destination host"
        if s.kind in ("encapsulate", "underlay-transit"):
            out.append(Unknown(s.summary, f"a capture of {host}'s underlay: tcpdump -i eth0 -w {host}.underlay.pcap "
                                          "udp port 4789"))
        elif s.kind == "decapsulate":
            out.append(Unknown(s.summary, f"{host}'s overlay namespace tables: ip -d link show; bridge fdb show "
                                          "(ip netns exec <overlay ns> ...)"))
        else:
            out.append(Unknown(s.summary, f"{host}'s overlay namespace FDB: bridge fdb show"))
    return tuple(dict.fromkeys(out))


def _failure_verdict(k: Knowledge, fo: FlowObs, steps: list[Step], failed: Step | None, hs: str,
                     hd: str | None) -> Verdict:
    f = fo.flow
    unknowns = _unknowns(k, steps)
    if failed is None or failed.status == "unknown":
        if fo.replies:  # what was seen is never contradicted (issue 14 item 2): replies exist, the path is unknown
            points = ", ".join(dict.fromkeys(o.point.id for o in [*fo.requests, *fo.replies]))
            return Verdict("no-reply", f"{f.requests or len(fo.requests)} echo request(s) and "
                           f"{f.replies or len(fo.replies)} reply(ies) seen ({points}), but these inputs do not "
                           "show the whole path: undetermined", (fo.requests[0].evidence() if fo.requests else
                                                                 fo.replies[0].evidence(), fo.replies[0].evidence()),
                           fix="capture both hosts' underlay and collect their overlay tables (ip -d link, "
                           "bridge fdb, ip neigh) to follow the path", unknowns=unknowns)
        where = "beyond " + (steps[-1].location.label() if steps else hs)
        return Verdict("no-reply", f"{f.requests or len(fo.requests)} echo request(s) left {hs}; no reply came back; "
                       f"lost {where}",
                       tuple(failed.evidence if failed else ()) + tuple(o.evidence() for o in fo.errors[:1]),
                       fix="capture and collect the far side to locate the loss", unknowns=unknowns)
    code = {"mtu": "mtu-exceeded", "underlay-transit": "wrong-vtep"}.get(failed.kind, "no-reply")
    # The summary and the fix follow the failing hop: on the reply path the sender is the request's destination
    # host and the address looked up is the request's source (issue 14 item 5), never the request's defaults.
    reply = failed.direction == "reply"
    sender = (hd or hs) if reply else hs  # the sending host of the failing direction (not the hop's location:
    # an underlay-transit step sits at the wrong VTEP, yet the fix belongs on the sender)
    target = f.src if reply else f.dst
    if failed.kind == "fdb-lookup":
        mac = failed.fact("mac")
        owner = k.owner_of_ip(target)
        true_mac = owner.mac or k.docker_mac(target)
        code = "stale-neigh" if true_mac and true_mac != mac and k.owner_of_mac(mac).host is None else "missing-fdb"
        extra: list[Evidence | None] = [owner.evidence] if code == "stale-neigh" else []
        neigh = k.neigh(sender, target)
        src = k.overlay(sender)
        if code == "stale-neigh" and neigh is not None and src is not None:
            extra.append(k.row(src, "neigh", neigh))
        evidence = tuple(e for e in (*failed.evidence, *extra) if e is not None)
        summary = (f"{sender}'s neighbour entry gives {target} lladdr {mac}, but {target} is {true_mac}"
                   + (" (Docker-derived)" if not owner.mac else "") + f"; no FDB entry for {mac}, so frames to it "
                   "are dropped (l2miss)") if code == "stale-neigh" else (
            f"{sender} has no FDB entry for {mac} ({target}) and no default entry: vxlan0 drops the "
            + ("reply" if reply else "frame") + " (l2miss)")
        return Verdict(code, summary, evidence, fix_for(code, k, sender, target, mac), unknowns=unknowns)
    if failed.kind == "decapsulate":
        code = "vni-mismatch" if failed.fact("device_vni") != failed.fact("vni") else "port-mismatch"
    elif failed.kind == "encapsulate":
        code = "no-reply"
    summary = failed.summary
    receiver = (hs if reply else hd) or sender
    fix_host = receiver if code in ("vni-mismatch", "port-mismatch") else sender
    pkts = fo.replies if reply else fo.requests
    mac = next((o.eth_dst for o in pkts if o.eth_dst), None)
    return Verdict(code, summary, failed.evidence, fix_for(code, k, fix_host, target, mac),
                   unknowns=unknowns)
