"""Verdicts of ARP-only flows, the fix text of every verdict code, and cross-table findings."""

from __future__ import annotations

from vxlan_inspect.explain.flows import FlowObs
from vxlan_inspect.explain.hops import step
from vxlan_inspect.explain.model import Evidence, Location, Step, Unknown, Verdict
from vxlan_inspect.explain.topology import ZERO_MAC, Knowledge


def fix_for(code: str, k: Knowledge, host: str, ip: str, mac: str | None) -> str:
    """What to do about a verdict (commands in the overlay namespace of ``host``)."""
    owner = k.owner_of_ip(ip)
    true_mac = owner.mac or k.docker_mac(ip) or "<mac>"
    vtep = k.vteps.get(owner.host or "", "<vtep of the host running it>")
    fixes = {
        "missing-fdb": f"on {host}: bridge fdb add {mac or true_mac} dev vxlan0 dst {vtep} self permanent "
                       "(Docker: check the daemon's gossip/Serf membership; restart the container to re-announce it)",
        "missing-neigh": f"on {host}: ip neigh add {ip} lladdr {true_mac} dev vxlan0 nud permanent (Docker: the "
                         "join event for this endpoint never arrived; check gossip/Serf between the hosts)",
        "stale-neigh": f"on {host}: ip neigh replace {ip} lladdr {true_mac} dev vxlan0 nud permanent "
                       "(an entry left from an earlier container with the same IP)",
        "wrong-vtep": f"on {host}: bridge fdb replace {true_mac} dev vxlan0 dst {vtep} self permanent "
                      "(Docker: a stale endpoint record advertises the old host; check the KV store/gossip)",
        "vni-mismatch": f"on {host}: recreate the vxlan device with the overlay's VNI (both ends must use the same id)",
        "port-mismatch": f"on {host}: use the same dstport on every host (4789 is the IANA port; Docker uses 4789 "
                         "unless --data-path-port says otherwise); open it in the firewall",
        "mtu-exceeded": "set the container MTU to the underlay MTU minus 50 (1450 for a 1500 underlay), or raise the "
                        "underlay MTU (Docker: com.docker.network.driver.mtu)",
        "proxy-off": f"on {host}: recreate vxlan0 with 'proxy' (Docker's overlay always sets it) or give it a flood "
                     "path (all-zeros FDB entries, group or remote)",
        "no-reply": "capture the far side's underlay and collect its overlay tables to see where it is lost",
    }
    return fixes.get(code, "")


def arp_verdict(k: Knowledge, fo: FlowObs, host: str, resolve: Step | None) -> tuple[list[Step], Verdict]:
    """An ARP request with no echo after it: answered locally, flooded, swallowed or dropped."""
    f = fo.flow
    steps = [resolve] if resolve else []
    reqs, reps = fo.arp_requests, fo.arp_replies
    evid = tuple(o.evidence() for o in reqs[:1])
    if reps:
        crossed = any(o.encapsulated for o in reqs + reps)
        code = "arp-flooded" if crossed else "arp-proxied"
        return steps, Verdict(code, f"who-has {f.dst} from {f.src} was answered "
                              + ("over the tunnel" if crossed else "locally by the vxlan0 proxy; nothing was "
                                 "tunnelled"), (*evid, reps[0].evidence()))
    ovl = k.overlay(host)
    where = Location(host, ovl.namespace if ovl else f"{host}/overlay", "vxlan0")
    misses = [e for e in k.inputs.events if e.kind == "l3miss" and e.host == host and e.ip == f.dst]
    dev = k.vxlan_device(host)
    vx = dev[1].vxlan if dev else None
    link_row = k.row(dev[0], "link", dev[1]) if dev else None
    if misses or (vx is not None and vx.proxy and k.has_table(host, "neigh") and k.neigh(host, f.dst) is None):
        events = tuple(Evidence("event", m.file, m.text, line=m.line) for m in misses[:2])
        steps.append(step("proxy-lookup", where, f"vxlan0 proxy looks up {f.dst}: no neighbour entry; the request "
                          "is swallowed" + (" (l3miss sent to user space)" if misses else ""), status="fail",
                          facts={"target": f.dst, "l3miss_events": len(misses)},
                          evidence=[*events, link_row]))
        proof = tuple(e for e in (*evid, *events, link_row) if e is not None)
        return steps, Verdict("missing-neigh", f"{host}'s vxlan0 answers ARP from its neighbour table, which has no "
                              f"entry for {f.dst}; {f.requests or len(reqs)} request(s) unanswered", proof,
                              fix_for("missing-neigh", k, host, f.dst, None))
    if vx is not None and not vx.proxy:
        src = dev[0] if dev else None
        defaults = [e for e in src.state.fdb if e.mac == ZERO_MAC and e.dst] if src else []
        tunnelled = [o for o in reqs if o.encapsulated]
        if not defaults and not vx.group and not vx.remote:
            steps.append(step("flood", where, "vxlan0 has no proxy and no flood destination (no all-zeros FDB entry, "
                              "no group, no remote): the broadcast is dropped", status="fail",
                              facts={"proxy": False, "defaults": 0}, evidence=[link_row]))
            proof = tuple(e for e in (*evid, link_row) if e is not None)
            return steps, Verdict("proxy-off", f"ARP for {f.dst} from {f.src} is never answered: {host}'s vxlan0 has "
                                  "no 'proxy' and nowhere to flood it", proof,
                                  fix_for("proxy-off", k, host, f.dst, None))
        if tunnelled:
            return steps, Verdict("arp-flooded", f"ARP for {f.dst} was flooded over the tunnel and not answered",
                                  (*evid, tunnelled[0].evidence()), unknowns=(Unknown(
                                      f"whether {f.dst}'s host received the flooded ARP",
                                      "a capture of the far host's underlay and overlay namespace"),))
    unknown = Unknown(f"how {host}'s vxlan0 handles ARP for {f.dst}",
                      f"{host}'s overlay namespace: ip -d link show vxlan0; ip neigh show; and ip monitor neigh")
    return steps, Verdict("no-reply", f"who-has {f.dst} from {f.src}: no answer in the captures", evid,
                          fix_for("no-reply", k, host, f.dst, None), unknowns=(unknown,))


def cross_checks(k: Knowledge) -> list[str]:
    """Findings across tables that no single flow shows: duplicate MACs, control-plane drift."""
    notes: list[str] = []
    seen: dict[str, set[str]] = {}
    for src in k.sources(role="overlay"):
        for e in src.state.fdb:
            if e.dst and e.mac != ZERO_MAC:
                seen.setdefault(e.mac, set()).add(e.dst)
    for mac, dsts in sorted(seen.items()):
        if len(dsts) > 1:
            notes.append(f"duplicate-mac: {mac} points at VTEPs {', '.join(sorted(dsts))} in different hosts' FDBs")
    plane = k.inputs.control_plane
    if plane is not None:
        from vxlan_inspect.state.expected import compare_expected, expected_entries

        for host, vtep in k.vteps.items():
            ovl = k.overlay(host)
            if ovl is None:
                continue
            for finding in compare_expected(expected_entries(plane, local_vtep=vtep), ovl.state):
                if finding.status != "extra":
                    notes.append(f"control-plane-drift: {host}: {finding.message}")
    return notes
