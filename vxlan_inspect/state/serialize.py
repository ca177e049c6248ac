"""Write entries back as iproute2 ``-j`` JSON objects (the snapshot table format).

Each table of a snapshot is the array ``bridge -j fdb show`` / ``ip -j neigh
show`` / ``ip -j -d link show`` / ``ip -j addr show`` / ``ip -j route show``
would print, restricted to the keys we model, so the same JSON builders read
snapshots and saved ``-j`` dumps.
"""

from __future__ import annotations

from typing import Any

from vxlan_inspect.state.model import Addr, Entry, FdbEntry, Link, NeighEntry, Route, vxlan_to_json


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def fdb_to_json(e: FdbEntry) -> dict[str, Any]:
    """``bridge -j fdb show`` object."""
    via_if = via_index = None
    if e.via is not None:
        if e.via.startswith("ifindex "):
            via_index = int(e.via.split()[1])
        else:
            via_if = e.via
    return _drop_none({"mac": e.mac, "ifname": e.ifname, "dst": e.dst, "vlan": e.vlan, "port": e.port,
                       "vni": e.vni, "src_vni": e.src_vni, "viaIf": via_if, "viaIfIndex": via_index,
                       "nhid": e.nhid, "linkNetNsId": e.link_netnsid, "flags": list(e.flags),
                       "master": e.master, "state": e.state})


def neigh_to_json(e: NeighEntry) -> dict[str, Any]:
    """``ip -j neigh show`` object (flags are keys with null values, as iproute2 prints them)."""
    out = _drop_none({"dst": e.dst, "dev": e.dev, "lladdr": e.lladdr})
    for flag in e.flags:
        out[flag] = None
    out["state"] = list(e.state)
    return out


def link_to_json(e: Link) -> dict[str, Any]:
    """``ip -j -d link show`` object."""
    out = _drop_none({"ifindex": e.ifindex, "link": e.link, "link_index": e.link_index, "ifname": e.ifname,
                      "flags": list(e.flags), "mtu": e.mtu, "qdisc": e.qdisc, "master": e.master,
                      "operstate": e.operstate, "linkmode": e.linkmode, "group": e.group,
                      "txqlen": e.txqlen, "link_type": e.link_type, "address": e.address,
                      "broadcast": e.broadcast, "link_netnsid": e.link_netnsid})
    if e.info_kind or e.info_slave_kind:
        info: dict[str, Any] = _drop_none({"info_kind": e.info_kind, "info_slave_kind": e.info_slave_kind})
        if e.vxlan is not None:
            info["info_data"] = vxlan_to_json(e.vxlan)
        out["linkinfo"] = info
    return out


def addrs_to_json(addrs: tuple[Addr, ...] | list[Addr]) -> list[dict[str, Any]]:
    """``ip -j addr show`` objects: addresses grouped per interface."""
    groups: dict[str, dict[str, Any]] = {}
    for a in addrs:
        group = groups.setdefault(a.ifname, _drop_none({"ifindex": a.ifindex, "ifname": a.ifname,
                                                        "addr_info": []}))
        info = _drop_none({"family": a.family, "local": a.local, "address": a.address,
                           "prefixlen": a.prefixlen, "broadcast": a.broadcast, "scope": a.scope,
                           "label": a.label, "valid_life_time": a.valid_life_time,
                           "preferred_life_time": a.preferred_life_time})
        for flag in a.flags:
            info[flag] = True
        group["addr_info"].append(info)
    return list(groups.values())


def route_to_json(e: Route) -> dict[str, Any]:
    """``ip -j route show`` object."""
    return _drop_none({"type": e.type, "dst": e.dst, "gateway": e.gateway, "dev": e.dev,
                       "table": e.table, "protocol": e.protocol, "scope": e.scope, "prefsrc": e.prefsrc,
                       "metric": e.metric, "flags": list(e.flags)})


def table_to_json(kind: str, entries: tuple[Entry, ...] | list[Entry]) -> list[dict[str, Any]]:
    """One table as the iproute2 ``-j`` array."""
    if kind == "addr":
        return addrs_to_json([e for e in entries if isinstance(e, Addr)])
    out: list[dict[str, Any]] = []
    for e in entries:
        if isinstance(e, FdbEntry):
            out.append(fdb_to_json(e))
        elif isinstance(e, NeighEntry):
            out.append(neigh_to_json(e))
        elif isinstance(e, Link):
            out.append(link_to_json(e))
        elif isinstance(e, Route):
            out.append(route_to_json(e))
    return out
