"""Render state entries back to iproute2's text form (``bridge fdb``, ``ip neigh``, ``ip route``).

The state package parses text but has no text renderer; this one exists for
the render/parse idempotence properties. It prints each entry the way
iproute2 orders its words, and only the fields the model keeps.
"""

from __future__ import annotations

from collections.abc import Iterable

from vxlan_inspect.state import FdbEntry, NeighEntry, Route

_FDB_INTS = (("vlan", "vlan"), ("port", "port"), ("vni", "vni"), ("src_vni", "src_vni"), ("nhid", "nhid"),
             ("link_netnsid", "link-netnsid"))


def fdb_line(e: FdbEntry) -> str:
    words = [e.mac]
    if e.ifname is not None:
        words += ["dev", e.ifname]
    if e.dst is not None:
        words += ["dst", e.dst]
    for attr, word in _FDB_INTS:
        value = getattr(e, attr)
        if value is not None:
            words += [word, str(value)]
    if e.via is not None:
        words += ["via", e.via]
    words += list(e.flags)
    if e.master is not None:
        words += ["master", e.master]
    if e.state:
        words.append(e.state if e.state in ("permanent", "static", "stale") else f"state={e.state}")
    return " ".join(words)


def neigh_line(e: NeighEntry) -> str:
    words = [e.dst]
    if e.dev is not None:
        words += ["dev", e.dev]
    if e.lladdr is not None:
        words += ["lladdr", e.lladdr]
    return " ".join(words + list(e.flags) + list(e.state))


def route_line(e: Route) -> str:
    words = [e.type] if e.type else []
    words.append(e.dst)
    for word, value in (("via", e.gateway), ("dev", e.dev), ("proto", e.protocol), ("scope", e.scope),
                        ("src", e.prefsrc), ("metric", e.metric), ("table", e.table)):
        if value is not None:
            words += [word, str(value)]
    return " ".join(words + list(e.flags))


RENDERERS = {"fdb": fdb_line, "neigh": neigh_line, "route": route_line}


def render_text(kind: str, entries: Iterable[object]) -> str:
    """The dump text of ``entries`` of ``kind`` (fdb, neigh or route), one line each."""
    line = RENDERERS[kind]
    return "".join(line(e) + "\n" for e in entries)  # type: ignore[operator]
