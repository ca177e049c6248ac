"""Turn pyroute2 netlink messages into table entries, the way iproute2 prints them.

Pure functions of already-received messages (duck-typed: ``get_attr``, ``get``
and item access), so the mapping is testable without a kernel. The rules follow
iproute2's printers: ``ip neigh show`` hides NOARP/NONE entries, ``ip route
show`` is the IPv4 main table with ``proto boot`` and ``scope global`` omitted,
and so on.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from vxlan_inspect.state.model import Addr, FdbEntry, Link, NeighEntry, Route, VxlanInfo

_IFF = [("LOOPBACK", 0x8), ("BROADCAST", 0x2), ("POINTOPOINT", 0x10), ("MULTICAST", 0x1000),
        ("NOARP", 0x80), ("ALLMULTI", 0x200), ("PROMISC", 0x100), ("MASTER", 0x400), ("SLAVE", 0x800),
        ("DEBUG", 0x4), ("DYNAMIC", 0x8000), ("AUTOMEDIA", 0x4000), ("PORTSEL", 0x2000),
        ("NOTRAILERS", 0x20), ("UP", 0x1), ("LOWER_UP", 0x10000), ("DORMANT", 0x20000), ("ECHO", 0x40000)]
_LINK_TYPES = {1: "ether", 772: "loopback", 65534: "none", 768: "ipip", 776: "sit", 778: "gre",
               823: "gre6", 769: "tunnel6", 32: "infiniband"}
_NUD = [("INCOMPLETE", 0x01), ("REACHABLE", 0x02), ("STALE", 0x04), ("DELAY", 0x08), ("PROBE", 0x10),
        ("FAILED", 0x20), ("NOARP", 0x40), ("PERMANENT", 0x80)]
_NUD_NOARP = 0x40
_NTF_NEIGH = [("router", 0x80), ("proxy", 0x08), ("extern_learn", 0x10), ("offload", 0x20)]
_NTF_FDB = [("self", 0x02), ("router", 0x80), ("extern_learn", 0x10), ("offload", 0x20), ("master", 0x04),
            ("sticky", 0x40)]
_SCOPES = {0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}
_PROTOS = {1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra", 10: "mrt", 11: "zebra",
           12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 17: "mrouted", 18: "keepalived",
           42: "babel", 99: "openr", 186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp"}
_RTN = {2: "local", 3: "broadcast", 4: "anycast", 5: "multicast", 6: "blackhole", 7: "unreachable",
        8: "prohibit", 9: "throw", 10: "nat"}
_RT_FLAGS = [("dead", 0x1), ("onlink", 0x4), ("pervasive", 0x2), ("offload", 0x8), ("trap", 0x40),
             ("notify", 0x100), ("linkdown", 0x10), ("unresolved", 0x20), ("rt_offload", 0x4000),
             ("rt_trap", 0x8000), ("rt_offload_failed", 0x20000000)]
_IFA_FLAGS = [("secondary", 0x01), ("nodad", 0x02), ("optimistic", 0x04), ("dadfailed", 0x08),
              ("home", 0x10), ("deprecated", 0x20), ("tentative", 0x40), ("mngtmpaddr", 0x100),
              ("noprefixroute", 0x200), ("autojoin", 0x400), ("stable-privacy", 0x800)]
_IFA_F_PERMANENT = 0x80
_MAIN_TABLE = 254


def _attr(msg: Any, name: str) -> Any:
    return msg.get_attr(name)


def link_flags(flags: int) -> tuple[str, ...]:
    """IFF_* bits in iproute2's order (NO-CARRIER first when up without carrier)."""
    out = ["NO-CARRIER"] if flags & 0x1 and not flags & 0x40 else []
    out.extend(name for name, bit in _IFF if flags & bit)
    return tuple(out)


def _vxlan(data: Any, names: dict[int, str]) -> VxlanInfo:
    def get(name: str) -> Any:
        return data.get_attr("IFLA_VXLAN_" + name) if data is not None else None

    group = get("GROUP") or get("GROUP6")
    group_s = remote_s = None
    if group and not ipaddress.ip_address(group).is_unspecified:
        if ipaddress.ip_address(group).is_multicast:
            group_s = group
        else:
            remote_s = group
    local = get("LOCAL") or get("LOCAL6")
    if local and ipaddress.ip_address(local).is_unspecified:
        local = None
    port_range = get("PORT_RANGE")
    tos, label, limit, dev = get("TOS"), get("LABEL"), get("LIMIT"), get("LINK")
    df = {1: "set", 2: "inherit"}.get(get("DF") or 0)

    def flag(name: str, default: bool) -> bool:
        value = get(name)
        return default if value is None else bool(value)

    return VxlanInfo(
        id=get("ID"), group=group_s, remote=remote_s, local=local, link=names.get(dev) if dev else None,
        port_range=(port_range["low"], port_range["high"]) if port_range else None, port=get("PORT"),
        ttl=get("TTL"), tos=f"{tos:#x}" if tos else None, df=df, label=f"{label:#x}" if label else None,
        ageing=get("AGEING"), limit=limit or None,
        external=flag("COLLECT_METADATA", False), vnifilter=flag("VNIFILTER", False),
        learning=flag("LEARNING", True), proxy=flag("PROXY", False), rsc=flag("RSC", False),
        l2miss=flag("L2MISS", False), l3miss=flag("L3MISS", False), udp_csum=flag("UDP_CSUM", True),
        udp_zero_csum6_tx=flag("UDP_ZERO_CSUM6_TX", False),
        udp_zero_csum6_rx=flag("UDP_ZERO_CSUM6_RX", False),
        remcsum_tx=flag("REMCSUM_TX", False), remcsum_rx=flag("REMCSUM_RX", False),
        gbp=get("GBP") is not None, gpe=get("GPE") is not None)


def link_from_msg(msg: Any, names: dict[int, str]) -> Link:
    """An RTM_NEWLINK message as ``ip -d link show`` would describe it."""
    iflink = _attr(msg, "IFLA_LINK")
    netnsid = _attr(msg, "IFLA_LINK_NETNSID")
    peer = peer_index = None
    if iflink:
        if netnsid is not None:
            peer_index = iflink
        else:
            peer = names.get(iflink, f"if{iflink}")
    info = _attr(msg, "IFLA_LINKINFO")
    kind = slave_kind = None
    vxlan = None
    if info is not None:
        kind = info.get_attr("IFLA_INFO_KIND")
        slave_kind = info.get_attr("IFLA_INFO_SLAVE_KIND")
        if kind == "vxlan":
            vxlan = _vxlan(info.get_attr("IFLA_INFO_DATA"), names)
    master = _attr(msg, "IFLA_MASTER")
    group = _attr(msg, "IFLA_GROUP")
    linkmode = _attr(msg, "IFLA_LINKMODE")
    address = _attr(msg, "IFLA_ADDRESS")
    broadcast = _attr(msg, "IFLA_BROADCAST")
    return Link(
        ifindex=msg["index"], ifname=_attr(msg, "IFLA_IFNAME"), link=peer, link_index=peer_index,
        flags=link_flags(msg["flags"]), mtu=_attr(msg, "IFLA_MTU"), qdisc=_attr(msg, "IFLA_QDISC"),
        master=names.get(master) if master else None, operstate=_attr(msg, "IFLA_OPERSTATE"),
        linkmode=None if linkmode is None else {0: "DEFAULT", 1: "DORMANT"}.get(linkmode, str(linkmode)),
        group=None if group is None else ("default" if group == 0 else str(group)),
        txqlen=_attr(msg, "IFLA_TXQLEN"), link_type=_LINK_TYPES.get(msg["ifi_type"], str(msg["ifi_type"])),
        address=address.lower() if address else None, broadcast=broadcast.lower() if broadcast else None,
        link_netnsid=netnsid, info_kind=kind, info_slave_kind=slave_kind, vxlan=vxlan)


def neigh_from_msg(msg: Any, names: dict[int, str]) -> NeighEntry | None:
    """An RTM_NEWNEIGH (inet/inet6) message, or None when ``ip neigh show`` hides it."""
    state = msg["state"]
    if msg["family"] not in (2, 10) or not (state & 0xFF & ~_NUD_NOARP):
        return None
    lladdr = _attr(msg, "NDA_LLADDR")
    return NeighEntry(dst=_attr(msg, "NDA_DST"), dev=names.get(msg["ifindex"]),
                      lladdr=lladdr.lower() if lladdr else None,
                      flags=tuple(n for n, bit in _NTF_NEIGH if msg["flags"] & bit),
                      state=tuple(n for n, bit in _NUD if state & bit))


def _fdb_state(state: int) -> str:
    if state & 0x80:
        return "permanent"
    if state & 0x40:
        return "static"
    if state & 0x04:
        return "stale"
    if state & 0x02:
        return ""
    return f"{state:#x}"


def fdb_from_msg(msg: Any, names: dict[int, str]) -> FdbEntry | None:
    """An AF_BRIDGE RTM_NEWNEIGH message as ``bridge fdb show`` prints it."""
    if msg["family"] != 7:
        return None
    mac = _attr(msg, "NDA_LLADDR")
    if not mac:
        return None
    via = _attr(msg, "NDA_IFINDEX")
    netnsid = _attr(msg, "NDA_LINK_NETNSID")
    via_s = None
    if via:
        via_s = f"ifindex {via}" if netnsid is not None else names.get(via, str(via))
    master = _attr(msg, "NDA_MASTER")
    vlan = _attr(msg, "NDA_VLAN")
    return FdbEntry(
        mac=mac.lower(), ifname=names.get(msg["ifindex"]) if msg["ifindex"] else None,
        dst=_attr(msg, "NDA_DST"),
        vlan=vlan or None, port=_attr(msg, "NDA_PORT"), vni=_attr(msg, "NDA_VNI"),
        src_vni=_attr(msg, "NDA_SRC_VNI"), via=via_s, nhid=_attr(msg, "NDA_NH_ID"), link_netnsid=netnsid,
        flags=tuple(n for n, bit in _NTF_FDB if msg["flags"] & bit),
        master=names.get(master) if master else None, state=_fdb_state(msg["state"]))


def addr_from_msg(msg: Any, names: dict[int, str]) -> Addr:
    """An RTM_NEWADDR message as one ``addr_info`` item of ``ip -j addr show``."""
    family = "inet" if msg["family"] == 2 else "inet6"
    flags_val = _attr(msg, "IFA_FLAGS")
    flags = msg["flags"] if flags_val is None else flags_val
    names_on = [n for n, bit in _IFA_FLAGS if flags & bit]
    if family == "inet6" and "secondary" in names_on:
        names_on[names_on.index("secondary")] = "temporary"
    if not flags & _IFA_F_PERMANENT:
        names_on.append("dynamic")
    local = _attr(msg, "IFA_LOCAL") or _attr(msg, "IFA_ADDRESS")
    peer = _attr(msg, "IFA_ADDRESS")
    cache = _attr(msg, "IFA_CACHEINFO")
    return Addr(
        ifname=names.get(msg["index"], str(msg["index"])), ifindex=msg["index"], family=family, local=local,
        prefixlen=msg["prefixlen"], address=peer if peer and peer != local else None,
        broadcast=_attr(msg, "IFA_BROADCAST"), scope=_SCOPES.get(msg["scope"], str(msg["scope"])),
        label=_attr(msg, "IFA_LABEL"), flags=tuple(sorted(names_on)),
        valid_life_time=cache["ifa_valid"] if cache else None,
        preferred_life_time=cache["ifa_preferred"] if cache else None)


def route_from_msg(msg: Any, names: dict[int, str]) -> Route | None:
    """An IPv4 main-table RTM_NEWROUTE as ``ip route show`` prints it, else None."""
    table = _attr(msg, "RTA_TABLE") or msg["table"]
    if msg["family"] != 2 or table != _MAIN_TABLE or msg["flags"] & 0x200:  # RTM_F_CLONED
        return None
    dst = _attr(msg, "RTA_DST")
    plen = msg["dst_len"]
    if dst is None:
        dst_s = "default" if plen == 0 else f"0.0.0.0/{plen}"
    else:
        dst_s = dst if plen == 32 else f"{dst}/{plen}"
    oif = _attr(msg, "RTA_OIF")
    proto = msg["proto"]
    return Route(
        dst=dst_s, type=_RTN.get(msg["type"]), gateway=_attr(msg, "RTA_GATEWAY"),
        dev=names.get(oif) if oif else None,
        protocol=None if proto == 3 else _PROTOS.get(proto, str(proto)),
        scope=None if msg["scope"] == 0 else _SCOPES.get(msg["scope"], str(msg["scope"])),
        prefsrc=_attr(msg, "RTA_PREFSRC"), metric=_attr(msg, "RTA_PRIORITY"),
        flags=tuple(n for n, bit in _RT_FLAGS if msg["flags"] & bit))
