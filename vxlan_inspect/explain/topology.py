"""What the inputs say about the overlay: hosts, VTEPs, vxlan devices, endpoints, table rows.

:class:`Knowledge` answers the questions a trace asks (which FDB row forwards this
MAC on that host, which host owns that MAC, which device listens for that VNI),
each answer with the :class:`~vxlan_inspect.explain.model.Evidence` row that proves it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from vxlan_inspect.explain.inputs import Inputs, StateSource
from vxlan_inspect.explain.model import DeviceInfo, EndpointInfo, Evidence, HostInfo, TopologyInfo
from vxlan_inspect.explain.observe import Obs
from vxlan_inspect.state.controlplane import mac_from_ip
from vxlan_inspect.state.dump import parse_dump
from vxlan_inspect.state.model import Entry, FdbEntry, Link, NeighEntry, entry_to_json

ZERO_MAC = "00:00:00:00:00:00"


@dataclass(frozen=True, slots=True)
class Owner:
    """Who owns an address: the host, the MAC, and the proof."""

    host: str | None
    mac: str | None
    evidence: Evidence | None
    how: str


def _line_of(raw: str, kind: str, entry: Entry) -> tuple[int, str]:
    """The 1-based line of ``entry`` in a text dump, and the line; (0, "") when not found."""
    if not raw or raw.lstrip().startswith(("[", "{")):
        return 0, ""
    lines = raw.splitlines()
    if kind == "link" and isinstance(entry, Link):
        pat = re.compile(rf"^\s*\d+:\s+{re.escape(entry.ifname)}[@:]")
        for n, line in enumerate(lines, start=1):
            if pat.match(line):
                detail = [" ".join(ln.split()[:2]) if ln.strip().startswith("link/") else ln.strip()
                          for ln in lines[n:n + 3] if ln.strip().startswith(("vxlan ", "link/"))]
                return n, " ".join([line.strip(), *detail])
        return 0, ""
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            got = parse_dump(line, kind).entries
        except Exception:
            continue
        if got and got[0] == entry:
            return n, line.strip()
    return 0, ""


#: JSON keys whose iproute2 text spelling differs
_TEXT_KEYS = {"port": "dstport", "port_range": "srcport"}


def _dict_text(value: dict[str, Any]) -> str:
    """``{'id': 256, 'port': 4789, 'proxy': True, 'gbp': False}`` as ``id 256 dstport 4789 proxy``."""
    words: list[str] = []
    for key, item in value.items():
        name = _TEXT_KEYS.get(key, key)
        if item is True:
            words.append(name)
        elif item is False or item in (None, "", []):
            continue
        elif isinstance(item, dict):
            words.append(f"{name} {' '.join(str(v) for v in item.values())}")
        else:
            words.append(f"{name} {' '.join(map(str, item)) if isinstance(item, list) else item}")
    return " ".join(words)


def _entry_text(entry: Entry) -> str:
    """An iproute2-like line for a row that came from JSON (``key value``, lists spelled out)."""
    parts: list[str] = []
    for key, value in entry_to_json(entry).items():
        if key == "linkinfo" or value in ([], "", None):
            continue
        if isinstance(value, dict):  # nested (the vxlan part of a link): iproute2's words, not a Python dict
            parts.append(f"{key} {_dict_text(value)}".strip())
            continue
        value = " ".join(str(v) for v in value) if isinstance(value, list) else value
        parts.append(str(value) if key in ("mac", "dst", "state", "flags") and not isinstance(entry, Link)
                     else f"{key} {value}")
    return " ".join(parts)


class Knowledge:
    """Lookups over every namespace's tables and the observed packets."""

    def __init__(self, inputs: Inputs, observations: list[Obs]) -> None:
        self.inputs = inputs
        self.obs = observations
        self.vteps: dict[str, str] = dict(inputs.vteps)
        for src in inputs.states:
            if src.host not in self.vteps and src.role == "host":
                vtep = self._host_address(src)
                if vtep:
                    self.vteps[src.host] = vtep
        self.hosts_by_vtep = {v: h for h, v in self.vteps.items()}
        for o in observations:  # a VTEP seen sending its own containers' frames
            if o.encapsulated and o.point.role == "host" and o.point.host not in self.vteps and o.kind != "icmp-error":
                owner = self.owner_of_mac(o.eth_src)
                if owner.host == o.point.host:
                    self.vteps[o.point.host] = o.outer_src
                    self.hosts_by_vtep[o.outer_src] = o.point.host

    # --- tables ---------------------------------------------------------------------------------
    def sources(self, host: str | None = None, role: str | None = None) -> list[StateSource]:
        return [s for s in self.inputs.states if (host is None or s.host == host) and (role is None or s.role == role)]

    def overlay(self, host: str) -> StateSource | None:
        """The overlay namespace of ``host`` (the one with a vxlan device), if its state was given."""
        found = self.sources(host, "overlay")
        return found[0] if found else None

    def row(self, src: StateSource, kind: str, entry: Entry) -> Evidence:
        """Evidence for one table row of one namespace."""
        file = src.files.get(kind, src.namespace)
        line, text = _line_of(src.state.raw.get(kind, ""), kind, entry)
        if not text:
            text = _entry_text(entry)
        return Evidence("row", file, text, table=kind, line=line)

    def vxlan_device(self, host: str) -> tuple[StateSource, Link] | None:
        for src in self.sources(host):
            for link in src.state.vxlan_links():
                return src, link
        return None

    def has_table(self, host: str, kind: str) -> bool:
        src = self.overlay(host)
        return src is not None and kind in src.state.tables_present

    def fdb(self, host: str, mac: str, dev: str | None = None) -> list[FdbEntry]:
        src = self.overlay(host)
        if src is None:
            return []
        return [e for e in src.state.fdb if e.mac == mac and (dev is None or e.ifname == dev)]

    def neigh(self, host: str, ip: str) -> NeighEntry | None:
        src = self.overlay(host)
        if src is None:
            return None
        return next((e for e in src.state.neigh if e.dst == ip), None)

    # --- who is who -----------------------------------------------------------------------------
    def _host_address(self, src: StateSource) -> str | None:
        for addr in src.state.addr:
            if addr.family == "inet" and addr.ifname != "lo" and not addr.ifname.startswith(("docker", "br-")):
                return addr.local
        return None

    def host_of_vtep(self, ip: str) -> str | None:
        return self.hosts_by_vtep.get(ip)

    def owner_of_mac(self, mac: str) -> Owner:
        """The host whose container has ``mac``: a container namespace's link, or a local bridge port."""
        for src in self.sources(role="container"):
            for link in src.state.link:
                if link.address == mac:
                    return Owner(src.host, mac, self.row(src, "link", link), "container link")
        for src in self.sources(role="overlay"):
            for e in src.state.fdb:
                if e.mac == mac and e.dst is None and e.master and e.ifname and not e.ifname.startswith("vxlan") \
                        and e.state != "permanent":
                    return Owner(src.host, mac, self.row(src, "fdb", e), "learned on a local bridge port")
        plane = self.inputs.control_plane
        if plane is not None:
            for ep in plane.endpoints:
                if ep.mac == mac and ep.vtep:
                    return Owner(self.host_of_vtep(ep.vtep) or ep.vtep, mac, None, "control plane")
        return Owner(None, mac, None, "unknown")

    def owner_of_ip(self, ip: str) -> Owner:
        """The host and MAC of an overlay address: container addr+link, packets from it, control plane."""
        for src in self.sources(role="container"):
            for addr in src.state.addr:
                if addr.local == ip:
                    link = next((lk for lk in src.state.link if lk.ifname == addr.ifname), None)
                    mac = link.address if link else None
                    return Owner(src.host, mac, self.row(src, "addr", addr), "container address")
        for o in self.obs:
            if o.kind in ("echo-request", "echo-reply", "arp-reply") and o.src == ip and o.point.role == "container" \
                    and not o.encapsulated:
                mac = o.arp_sha if o.kind == "arp-reply" else o.eth_src
                if o.kind != "arp-reply":
                    return Owner(o.point.host, mac, o.evidence(), "sent from its container")
        plane = self.inputs.control_plane
        if plane is not None:
            for ep in plane.endpoints:
                if ep.ip == ip:
                    host = self.host_of_vtep(ep.vtep) if ep.vtep else None
                    return Owner(host, ep.mac, None, "control plane")
        return Owner(None, None, None, "unknown")

    def docker_mac(self, ip: str) -> str | None:
        """Docker's derived MAC for an IPv4 overlay address (02:42 + the address bytes)."""
        try:
            return mac_from_ip(ip) if ipaddress.ip_address(ip).version == 4 else None
        except ValueError:
            return None

    # --- summary --------------------------------------------------------------------------------
    def topology(self) -> TopologyInfo:
        hosts = tuple(HostInfo(h, self.vteps.get(h), tuple(s.namespace for s in self.sources(h)))
                      for h in self.inputs.hosts())
        devices: list[DeviceInfo] = []
        for src in self.inputs.states:
            for link in src.state.vxlan_links():
                vx = link.vxlan
                if vx is None:
                    continue
                mode = "multicast" if vx.group else "p2p" if vx.remote else "learning" if vx.learning else "static"
                devices.append(DeviceInfo(src.host, src.namespace, link.ifname, vx.id, vx.port, link.mtu, mode,
                                          vx.proxy, vx.learning, vx.l2miss, vx.l3miss, vx.group, vx.remote))
        endpoints: list[EndpointInfo] = []
        for src in self.sources(role="container"):
            for addr in src.state.addr:
                if addr.family == "inet" and addr.ifname != "lo":
                    owner = self.owner_of_ip(addr.local)
                    endpoints.append(EndpointInfo(addr.local, owner.mac, src.host, f"{src.namespace} addr"))
        known = {e.ip for e in endpoints}
        for src in self.sources(role="overlay"):
            for n in src.state.neigh:
                if n.dst not in known and n.lladdr and n.is_permanent:
                    fdb = [e for e in src.state.fdb if e.mac == n.lladdr and e.dst]
                    host = self.host_of_vtep(fdb[0].dst) if fdb and fdb[0].dst else None
                    endpoints.append(EndpointInfo(n.dst, n.lladdr, host, f"{src.namespace} neigh"))
                    known.add(n.dst)
        return TopologyInfo(hosts, tuple(devices), tuple(endpoints))
