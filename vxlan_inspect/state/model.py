"""Typed kernel tables: FDB, neighbour, link (with vxlan details), address, route.

Every entry is a frozen, slotted dataclass whose fields follow iproute2's JSON
keys (``bridge -j fdb``, ``ip -j neigh``, ``ip -j -d link``, ``ip -j addr``,
``ip -j route``). Python attribute names are the snake-case spelling of those
keys; :func:`entry_to_json` writes the iproute2 spelling back (for example
``link_netnsid`` of an FDB entry is ``linkNetNsId`` in ``bridge -j``).

Text and JSON forms of the same table parse to equal entries, so a field is only
modelled when both forms carry it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["fdb", "neigh", "link", "addr", "route"]
KINDS: tuple[Kind, ...] = ("fdb", "neigh", "link", "addr", "route")

#: The command whose output each kind is, for messages.
COMMANDS: dict[str, str] = {
    "fdb": "bridge fdb show",
    "neigh": "ip neigh show",
    "link": "ip -d link show",
    "addr": "ip addr show",
    "route": "ip route show",
}


@dataclass(frozen=True, slots=True)
class FdbEntry:
    """One bridge forwarding-database entry (``bridge fdb show``)."""

    mac: str
    ifname: str | None = None
    dst: str | None = None
    vlan: int | None = None
    port: int | None = None
    vni: int | None = None
    src_vni: int | None = None
    via: str | None = None
    nhid: int | None = None
    link_netnsid: int | None = None
    flags: tuple[str, ...] = ()
    master: str | None = None
    state: str = ""

    @property
    def is_remote(self) -> bool:
        """True when the entry sends frames to a remote VTEP (``dst`` set)."""
        return self.dst is not None


@dataclass(frozen=True, slots=True)
class NeighEntry:
    """One neighbour (ARP/NDP) entry (``ip neigh show``)."""

    dst: str
    dev: str | None = None
    lladdr: str | None = None
    flags: tuple[str, ...] = ()
    state: tuple[str, ...] = ()

    @property
    def is_permanent(self) -> bool:
        """True for entries installed by user space (``PERMANENT``), not learned."""
        return "PERMANENT" in self.state


@dataclass(frozen=True, slots=True)
class VxlanInfo:
    """The vxlan part of ``ip -d link show`` (``linkinfo.info_data`` in JSON).

    Booleans not printed by a given iproute2 generation take the kernel default
    (iproute2 6.4's table: learning and udp_csum default on, the rest off).
    """

    id: int | None = None
    group: str | None = None
    remote: str | None = None
    local: str | None = None
    link: str | None = None
    port_range: tuple[int, int] | None = None
    port: int | None = None
    ttl: int | None = None
    tos: str | None = None
    df: str | None = None
    label: str | None = None
    ageing: int | None = None
    limit: int | None = None
    external: bool = False
    vnifilter: bool = False
    learning: bool = True
    proxy: bool = False
    rsc: bool = False
    l2miss: bool = False
    l3miss: bool = False
    udp_csum: bool = True
    udp_zero_csum6_tx: bool = False
    udp_zero_csum6_rx: bool = False
    remcsum_tx: bool = False
    remcsum_rx: bool = False
    gbp: bool = False
    gpe: bool = False


#: The vxlan booleans, their kernel defaults and the text spellings of both generations.
VXLAN_BOOLS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "external": (False, ("external",)),
    "vnifilter": (False, ("vnifilter",)),
    "learning": (True, ("learning",)),
    "proxy": (False, ("proxy",)),
    "rsc": (False, ("rsc",)),
    "l2miss": (False, ("l2miss",)),
    "l3miss": (False, ("l3miss",)),
    "udp_csum": (True, ("udp_csum", "udpcsum")),
    "udp_zero_csum6_tx": (False, ("udp_zero_csum6_tx", "udp6zerocsumtx")),
    "udp_zero_csum6_rx": (False, ("udp_zero_csum6_rx", "udp6zerocsumrx")),
    "remcsum_tx": (False, ("remcsum_tx", "remcsumtx")),
    "remcsum_rx": (False, ("remcsum_rx", "remcsumrx")),
    "gbp": (False, ("gbp",)),
    "gpe": (False, ("gpe",)),
}


@dataclass(frozen=True, slots=True)
class Link:
    """One network device (``ip -d link show``); ``vxlan`` is set for vxlan devices."""

    ifindex: int
    ifname: str
    link: str | None = None
    link_index: int | None = None
    flags: tuple[str, ...] = ()
    mtu: int | None = None
    qdisc: str | None = None
    master: str | None = None
    operstate: str | None = None
    linkmode: str | None = None
    group: str | None = None
    txqlen: int | None = None
    link_type: str | None = None
    address: str | None = None
    broadcast: str | None = None
    link_netnsid: int | None = None
    info_kind: str | None = None
    info_slave_kind: str | None = None
    vxlan: VxlanInfo | None = None


@dataclass(frozen=True, slots=True)
class Addr:
    """One interface address (an ``addr_info`` item of ``ip -j addr show``)."""

    ifname: str
    family: str
    local: str
    prefixlen: int
    ifindex: int | None = None
    address: str | None = None
    broadcast: str | None = None
    scope: str | None = None
    label: str | None = None
    flags: tuple[str, ...] = ()
    valid_life_time: int | None = None
    preferred_life_time: int | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """One route of the main table (``ip route show``)."""

    dst: str
    type: str | None = None
    gateway: str | None = None
    dev: str | None = None
    protocol: str | None = None
    scope: str | None = None
    prefsrc: str | None = None
    metric: int | None = None
    table: str | None = None
    flags: tuple[str, ...] = ()


Entry = FdbEntry | NeighEntry | Link | Addr | Route

ENTRY_TYPES: dict[str, type[Any]] = {
    "fdb": FdbEntry,
    "neigh": NeighEntry,
    "link": Link,
    "addr": Addr,
    "route": Route,
}


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """A line (1-based) that could not be parsed, and why."""

    line: int
    message: str
    text: str = ""

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What :func:`~vxlan_inspect.state.parse_dump` found in one dump."""

    kind: Kind
    form: Literal["text", "json"]
    entries: tuple[Entry, ...]
    warnings: tuple[ParseWarning, ...] = ()


@dataclass(frozen=True, slots=True)
class NamespaceState:
    """The tables of one network namespace, and the raw dumps they came from."""

    name: str
    path: str | None = None
    source: str = "text"
    fdb: tuple[FdbEntry, ...] = ()
    neigh: tuple[NeighEntry, ...] = ()
    link: tuple[Link, ...] = ()
    addr: tuple[Addr, ...] = ()
    route: tuple[Route, ...] = ()
    raw: dict[str, str] = field(default_factory=dict)
    tables_present: tuple[str, ...] = ()
    network_id: str | None = None
    warnings: tuple[str, ...] = ()

    def table(self, kind: str) -> tuple[Entry, ...]:
        """The entries of one table by kind name."""
        value: tuple[Entry, ...] = getattr(self, kind)
        return value

    def vxlan_links(self) -> tuple[Link, ...]:
        """The vxlan devices of this namespace."""
        return tuple(lk for lk in self.link if lk.vxlan is not None or lk.info_kind == "vxlan")

    def _repr_html_(self) -> str:
        """Jupyter display: one table per non-empty table kind."""
        from vxlan_inspect.render.html import namespace_html

        return namespace_html(self)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The state of one host: a label, when, versions, and per-namespace tables."""

    host: str | None = None
    time: str | None = None
    kernel: str | None = None
    iproute2: str | None = None
    namespaces: tuple[NamespaceState, ...] = ()

    def namespace(self, name: str) -> NamespaceState | None:
        """The namespace called ``name``, if present."""
        for ns in self.namespaces:
            if ns.name == name:
                return ns
        return None

    def _repr_html_(self) -> str:
        """Jupyter display: the host line, then each namespace's tables."""
        from vxlan_inspect.render.html import snapshot_html

        return snapshot_html(self)


# --- JSON conversion (iproute2 spelling) -------------------------------------

_JSON_KEY = {"link_netnsid": "linkNetNsId"}


def entry_to_json(entry: Entry) -> dict[str, Any]:
    """Return ``entry`` as a dict with iproute2 JSON keys, omitting unset fields."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(entry):
        value = getattr(entry, f.name)
        if value is None:
            continue
        if isinstance(entry, FdbEntry):
            key = _JSON_KEY.get(f.name, f.name)
        else:
            key = f.name
        if isinstance(value, VxlanInfo):
            value = vxlan_to_json(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def vxlan_to_json(info: VxlanInfo) -> dict[str, Any]:
    """Return vxlan details with iproute2's ``info_data`` keys."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(info):
        value = getattr(info, f.name)
        if value is None:
            continue
        if f.name == "port_range":
            value = {"low": value[0], "high": value[1]}
        out[f.name] = value
    return out
