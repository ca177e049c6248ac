"""Plans: the exact ``ip`` / ``bridge`` / ``ip netns exec`` commands that build a lab.

Every function here is pure: it takes a :class:`~vxlan_inspect.lab.topology.Topology`
and returns a list of argv lists. ``lab up --dry-run`` prints them and the unit tests
check them without root; :mod:`vxlan_inspect.lab.runner` runs them.

Topology built by :func:`plan_up` (``P`` is the lab prefix)::

    P-sw   underlay switch: bridge sw0, ports p1, p2 (multicast snooping off)
    P-h1   docker-1's own namespace: eth0 192.168.1.4/24   (the VTEP)
    P-o1   docker-1's overlay namespace: br0 192.168.10.1/24, vxlan0, veth0 -> X-1
    P-x1   X-1: eth0 192.168.10.100/24, 02:42:c0:a8:0a:64, mtu 1450
    P-h2, P-o2, P-c2   the same for docker-2 and its container C-2 (192.168.10.2)

vxlan0 is created in the host namespace (so its UDP socket lives there, on the
underlay) and then moved into the overlay namespace and renamed, as Docker does.
"""

from __future__ import annotations

import shlex

from vxlan_inspect.lab.topology import (
    DSTPORT,
    MULTICAST_GROUP,
    NETWORK_ID,
    OVERLAY_GATEWAY,
    OVERLAY_MTU,
    UNDERLAY_MTU,
    VNI,
    Container,
    Topology,
)

Argv = list[str]
Plan = list[Argv]

WRONG_VNI = 257
WRONG_PORT = 8472
WRONG_MAC = "02:42:c0:a8:0a:99"
WRONG_VTEP = "192.168.1.7"
ZERO_MAC = "00:00:00:00:00:00"


def format_plan(plan: Plan) -> str:
    """One shell-quoted command per line: what ``--dry-run`` prints."""
    return "".join(shlex.join(argv) + "\n" for argv in plan)


def ip_cmd(ns: str, *args: str) -> Argv:
    return ["ip", "-n", ns, *args]


def bridge_cmd(ns: str, *args: str) -> Argv:
    return ["bridge", "-n", ns, *args]


def _sysctl(ns: str, setting: str) -> Argv:
    return ["ip", "netns", "exec", ns, "sysctl", "-q", "-w", setting]


def plan_namespace(ns: str) -> Plan:
    """Create a namespace, switch IPv6 off (no autoconf noise in captures), bring lo up."""
    return [
        ["ip", "netns", "add", ns],
        _sysctl(ns, "net.ipv6.conf.all.disable_ipv6=1"),
        _sysctl(ns, "net.ipv6.conf.default.disable_ipv6=1"),
        ip_cmd(ns, "link", "set", "lo", "up"),
    ]


def plan_switch(topo: Topology) -> Plan:
    """The underlay switch: a bridge that floods multicast (snooping off)."""
    sw = topo.ns_switch()
    return [
        *plan_namespace(sw),
        ip_cmd(sw, "link", "add", "sw0", "type", "bridge", "mcast_snooping", "0"),
        ip_cmd(sw, "link", "set", "sw0", "up"),
    ]


def plan_host(topo: Topology, host: str) -> Plan:
    """A host namespace with its underlay ``eth0`` plugged into the switch."""
    h = topo.host(host)
    ns, sw, port = topo.ns_host(host), topo.ns_switch(), topo.switch_port(host)
    return [
        *plan_namespace(ns),
        ip_cmd(
            ns,
            "link",
            "add",
            "eth0",
            "address",
            h.underlay_mac,
            "mtu",
            str(UNDERLAY_MTU),
            "type",
            "veth",
            "peer",
            "name",
            port,
            "netns",
            sw,
        ),
        ip_cmd(sw, "link", "set", port, "master", "sw0"),
        ip_cmd(sw, "link", "set", port, "up"),
        ip_cmd(ns, "addr", "add", f"{h.underlay_ip}/24", "dev", "eth0"),
        ip_cmd(ns, "link", "set", "eth0", "up"),
    ]


def vxlan_args(topo: Topology, host: str) -> list[str]:
    """The ``type vxlan ...`` arguments for ``host``'s vxlan0, faults in force included."""
    vni = WRONG_VNI if topo.fault("wrong-vni", host) else VNI
    port = WRONG_PORT if topo.fault("wrong-port", host) else DSTPORT
    args = ["type", "vxlan", "id", str(vni), "dstport", str(port)]
    if topo.mode == "docker":
        if not topo.fault("proxy-off", host):
            args.append("proxy")
        args += ["l2miss", "l3miss", "nolearning"]
    elif topo.mode == "learning":
        args.append("learning")
    elif topo.mode == "multicast":
        args += ["group", MULTICAST_GROUP, "dev", "eth0", "ttl", "1"]
    elif topo.mode == "p2p":
        peers = [p for p in topo.overlay_hosts() if p.name != host]
        args += ["remote", peers[0].underlay_ip]
    return [*args, "ageing", "300"]


def vxlan_temp_name(vni: int = VNI) -> str:
    """Docker's name for the device while it is still in the host namespace (15 chars)."""
    return f"vx-{vni:06x}-{NETWORK_ID[:5]}"


def plan_overlay(topo: Topology, host: str) -> Plan:
    """The overlay namespace with br0 (the gateway address) and vxlan0."""
    o = topo.ns_overlay(host)
    return [
        *plan_namespace(o),
        ip_cmd(o, "link", "add", "br0", "type", "bridge"),
        ip_cmd(o, "addr", "add", f"{OVERLAY_GATEWAY}/24", "dev", "br0"),
        ip_cmd(o, "link", "set", "br0", "up"),
        *plan_vxlan(topo, host),
    ]


def plan_vxlan(topo: Topology, host: str) -> Plan:
    """Create vxlan0 in the host namespace, move it into the overlay namespace, enslave it."""
    h, o = topo.ns_host(host), topo.ns_overlay(host)
    tmp = vxlan_temp_name()
    return [
        ip_cmd(h, "link", "add", tmp, "mtu", str(OVERLAY_MTU), *vxlan_args(topo, host)),
        ip_cmd(h, "link", "set", tmp, "netns", o),
        ip_cmd(o, "link", "set", tmp, "name", "vxlan0"),
        ip_cmd(o, "link", "set", "vxlan0", "master", "br0"),
        ip_cmd(o, "link", "set", "vxlan0", "up"),
    ]


def plan_container(topo: Topology, name: str) -> Plan:
    """A container namespace behind a veth pair into br0, made in the host namespace like Docker."""
    c = topo.container(name)
    h, o, cns = topo.ns_host(c.host), topo.ns_overlay(c.host), topo.ns_container(name)
    outer, inner = f"vb-{c.suffix}", f"vc-{c.suffix}"
    port = topo.bridge_port(name)
    mtu = str(container_mtu(topo, c))
    return [
        *plan_namespace(cns),
        ip_cmd(h, "link", "add", outer, "type", "veth", "peer", "name", inner),
        ip_cmd(h, "link", "set", inner, "netns", cns),
        ip_cmd(cns, "link", "set", inner, "name", "eth0"),
        ip_cmd(cns, "link", "set", "eth0", "address", c.mac, "mtu", mtu),
        ip_cmd(h, "link", "set", outer, "netns", o),
        ip_cmd(o, "link", "set", outer, "name", port),
        ip_cmd(o, "link", "set", port, "mtu", mtu, "master", "br0", "up"),
        ip_cmd(cns, "addr", "add", f"{c.ip}/24", "dev", "eth0"),
        ip_cmd(cns, "link", "set", "eth0", "up"),
    ]


def container_mtu(topo: Topology, c: Container) -> int:
    """1450 normally; 1500 when the ``mtu`` fault targets this container."""
    fault = topo.fault("mtu", c.host)
    return UNDERLAY_MTU if fault and fault.target == c.name else OVERLAY_MTU


def _fdb_dst(topo: Topology, host: str, c: Container) -> str:
    fault = topo.fault("wrong-vtep", host)
    if fault and fault.target == c.name:
        return WRONG_VTEP
    return topo.host(c.host).underlay_ip


def _neigh_mac(topo: Topology, host: str, c: Container) -> str:
    fault = topo.fault("stale-neigh", host)
    return WRONG_MAC if fault and fault.target == c.name else c.mac


def _targets(topo: Topology, fault: str, host: str, c: Container) -> bool:
    f = topo.fault(fault, host)
    return f is not None and f.target == c.name


def plan_neigh(topo: Topology, host: str, c: Container) -> Plan:
    """Docker's PERMANENT neighbour entry for remote container ``c`` on ``host``'s vxlan0."""
    if _targets(topo, "missing-neigh", host, c):
        return []
    mac = _neigh_mac(topo, host, c)
    return [
        ip_cmd(
            topo.ns_overlay(host),
            "neigh",
            "replace",
            c.ip,
            "lladdr",
            mac,
            "dev",
            "vxlan0",
            "nud",
            "permanent",
        )
    ]


def plan_fdb(topo: Topology, host: str, c: Container) -> Plan:
    """Docker's ``self permanent`` FDB entry for remote container ``c`` on ``host``'s vxlan0."""
    if _targets(topo, "missing-fdb", host, c) or _targets(topo, "reply-fdb", host, c):
        return []
    dst = _fdb_dst(topo, host, c)
    return [
        bridge_cmd(
            topo.ns_overlay(host), "fdb", "replace", c.mac, "dev", "vxlan0", "dst", dst, "self", "permanent"
        )
    ]


def plan_control_plane(topo: Topology, host: str) -> Plan:
    """What the control plane programs on ``host``: depends on the mode."""
    o = topo.ns_overlay(host)
    if topo.mode == "docker":
        plan: Plan = []
        for c in topo.remote_containers(host):
            plan += plan_neigh(topo, host, c) + plan_fdb(topo, host, c)
        return plan
    if topo.mode == "learning":
        return [
            bridge_cmd(
                o, "fdb", "append", ZERO_MAC, "dev", "vxlan0", "dst", peer.underlay_ip, "self", "permanent"
            )
            for peer in topo.overlay_hosts()
            if peer.name != host
        ]
    return []


def plan_up(topo: Topology) -> Plan:
    """Build the whole lab: switch, hosts, overlay namespaces, containers, control plane."""
    plan = plan_switch(topo)
    for h in topo.hosts:
        plan += plan_host(topo, h.name)
    for h in topo.overlay_hosts():
        plan += plan_overlay(topo, h.name)
    for c in topo.containers:
        plan += plan_container(topo, c.name)
    for h in topo.overlay_hosts():
        plan += plan_control_plane(topo, h.name)
    return plan


def plan_add_container(topo: Topology, name: str) -> Plan:
    """Start container ``name`` (already in ``topo``) and program every other host, like Docker."""
    c = topo.container(name)
    plan = plan_container(topo, name)
    if topo.mode == "docker":
        for h in topo.overlay_hosts():
            if h.name != c.host:
                plan += plan_neigh(topo, h.name, c) + plan_fdb(topo, h.name, c)
    return plan


def plan_down(topo: Topology) -> Plan:
    """Delete every namespace of the lab, containers first (their links go with them)."""
    return [["ip", "netns", "del", ns] for ns in reversed(topo.namespaces())]
