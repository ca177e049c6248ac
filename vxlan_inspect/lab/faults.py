"""Faults that real overlays suffer, as pure plans: ``lab break FAULT`` and ``lab fix``.

Each fault hits one host and, where it concerns an entry, one container (the
"target"). The seed ping goes from C-2 on docker-2 to X-1 on docker-1, so the
faults are placed where that ping will meet them:

==============  =========  ======================================================
fault           host       what changes
==============  =========  ======================================================
missing-fdb     docker-2   the FDB entry for X-1's MAC is deleted (l2miss)
missing-neigh   docker-2   the neighbour entry for 192.168.10.100 is deleted (l3miss)
wrong-vtep      docker-2   X-1's FDB entry points at docker-3 (192.168.1.7, no overlay)
wrong-vni       docker-1   vxlan0 is recreated with id 257
wrong-port      docker-1   vxlan0 is recreated with dstport 8472
mtu             docker-2   C-2's eth0 and its bridge port get mtu 1500 (vxlan0 carries 1450)
proxy-off       docker-2   vxlan0 is recreated without ``proxy``
stale-neigh     docker-2   X-1's neighbour entry carries a wrong MAC (02:42:c0:a8:0a:99)
reply-fdb       docker-1   the FDB entry for C-2's MAC is deleted on the *receiver*: requests
                           arrive, the replies die at docker-1's vxlan0 (l2miss)
==============  =========  ======================================================

Faults that act on ARP (missing-neigh, stale-neigh, proxy-off) also flush the
ARP cache of the host's containers, on break and on fix, so the next ping meets
them at once instead of after the cached entry expires.

The fault is recorded in the topology; the planner derives the broken
configuration from it, so recreating vxlan0 for one fault keeps the others.
"""

from __future__ import annotations

from dataclasses import replace

from vxlan_inspect.errors import UsageError
from vxlan_inspect.lab.plan import (
    WRONG_MAC,
    WRONG_PORT,
    WRONG_VNI,
    WRONG_VTEP,
    Plan,
    bridge_cmd,
    container_mtu,
    ip_cmd,
    plan_control_plane,
    plan_fdb,
    plan_host,
    plan_neigh,
    plan_vxlan,
)
from vxlan_inspect.lab.topology import Fault, Host, Topology

FAULTS: dict[str, str] = {
    "missing-fdb": "FDB entry for the remote container deleted on the sender: no VXLAN packet, an l2miss",
    "missing-neigh": "neighbour entry deleted: the ARP proxy cannot answer, an l3miss",
    "wrong-vtep": "FDB entry points at a third host: packets tunnel to the wrong VTEP",
    "wrong-vni": "receiver's vxlan0 has another VNI: packets with VNI 256 are dropped there",
    "wrong-port": "receiver's vxlan0 listens on 8472: packets to 4789 get ICMP port unreachable",
    "mtu": "container MTU raised to 1500 above vxlan0's 1450: large frames vanish at the bridge",
    "proxy-off": "vxlan0 without proxy: ARP requests go unanswered",
    "stale-neigh": "neighbour entry with a wrong MAC: the proxy answers it, the FDB has no entry for it",
    "reply-fdb": "FDB entry for the sender deleted on the destination host: requests arrive, replies are dropped",
}

# (host, target) for each fault in the seed topology.
_PLACES: dict[str, tuple[str, str]] = {
    "missing-fdb": ("docker-2", "X-1"),
    "missing-neigh": ("docker-2", "X-1"),
    "wrong-vtep": ("docker-2", "X-1"),
    "wrong-vni": ("docker-1", ""),
    "wrong-port": ("docker-1", ""),
    "mtu": ("docker-2", "C-2"),
    "proxy-off": ("docker-2", ""),
    "stale-neigh": ("docker-2", "X-1"),
    "reply-fdb": ("docker-1", "C-2"),
}

THIRD_HOST = Host("docker-3", WRONG_VTEP, 3, overlay=False)


def _describe(name: str, host: str, target: str) -> str:
    details = {
        "missing-fdb": f"bridge fdb del <{target} MAC> dev vxlan0 self on {host}",
        "missing-neigh": f"ip neigh del <{target} IP> dev vxlan0 on {host}",
        "wrong-vtep": f"FDB entry for {target} on {host} points at {WRONG_VTEP} (docker-3)",
        "wrong-vni": f"vxlan0 on {host} recreated with id {WRONG_VNI}",
        "wrong-port": f"vxlan0 on {host} recreated with dstport {WRONG_PORT}",
        "mtu": f"{target} eth0 and its bridge port on {host} set to mtu 1500",
        "proxy-off": f"vxlan0 on {host} recreated without proxy",
        "stale-neigh": f"neighbour entry for {target} on {host} has lladdr {WRONG_MAC}",
        "reply-fdb": f"bridge fdb del <{target} MAC> dev vxlan0 self on {host} (the reply path)",
    }
    return details[name]


def _check(topo: Topology, name: str) -> None:
    if name not in FAULTS:
        raise UsageError(f"unknown fault {name!r}", hint="one of " + ", ".join(FAULTS))
    if topo.mode != "docker":
        raise UsageError(f"faults need a lab in docker mode (this one is {topo.mode})")


def _flush_arp(topo: Topology, host: str) -> Plan:
    """Forget the ARP caches of ``host``'s containers, so an ARP fault shows on the next ping."""
    return [
        ip_cmd(topo.ns_container(c.name), "neigh", "flush", "dev", "eth0")
        for c in topo.containers
        if c.host == host
    ]


def _plan_fault(topo: Topology, fault: Fault) -> Plan:
    """Commands that bring ``fault.host`` in line with ``topo`` for this fault's kind."""
    host, o = fault.host, topo.ns_overlay(fault.host)
    if fault.name in ("wrong-vni", "wrong-port", "proxy-off"):
        plan = [ip_cmd(o, "link", "del", "vxlan0"), *plan_vxlan(topo, host), *plan_control_plane(topo, host)]
        return plan + (_flush_arp(topo, host) if fault.name == "proxy-off" else [])
    target = topo.container(fault.target)
    if fault.name == "mtu":
        mtu = str(container_mtu(topo, target))
        return [
            ip_cmd(topo.ns_container(target.name), "link", "set", "eth0", "mtu", mtu),
            ip_cmd(o, "link", "set", topo.bridge_port(target.name), "mtu", mtu),
        ]
    if fault.name in ("missing-neigh", "stale-neigh"):
        plan = plan_neigh(topo, host, target) or [ip_cmd(o, "neigh", "del", target.ip, "dev", "vxlan0")]
        return plan + _flush_arp(topo, host)
    # missing-fdb, reply-fdb, wrong-vtep
    return plan_fdb(topo, host, target) or [bridge_cmd(o, "fdb", "del", target.mac, "dev", "vxlan0", "self")]


def plan_break(topo: Topology, name: str) -> tuple[Plan, Topology]:
    """The commands that inject fault ``name``, and the topology with it in force."""
    _check(topo, name)
    if topo.fault(name):
        raise UsageError(f"fault {name} is already in force in lab {topo.prefix}", hint="lab fix first")
    host, target = _PLACES[name]
    fault = Fault(name, host, target, _describe(name, host, target))
    broken = replace(topo, faults=(*topo.faults, fault))
    plan: Plan = []
    if name == "wrong-vtep":
        broken = replace(broken, hosts=(*broken.hosts, THIRD_HOST))
        plan += plan_host(broken, THIRD_HOST.name)
    return plan + _plan_fault(broken, fault), broken


def plan_fix(topo: Topology) -> tuple[Plan, Topology]:
    """The commands that undo every fault in force (newest first), and the healed topology."""
    plan: Plan = []
    for fault in reversed(topo.faults):
        healed = replace(topo, faults=tuple(f for f in topo.faults if f is not fault))
        plan += _plan_fault(healed, fault)
        if fault.name == "wrong-vtep" and any(h.name == THIRD_HOST.name for h in healed.hosts):
            plan.append(["ip", "netns", "del", healed.ns_host(THIRD_HOST.name)])
            healed = replace(healed, hosts=tuple(h for h in healed.hosts if h.name != THIRD_HOST.name))
        topo = healed
    return plan, topo
