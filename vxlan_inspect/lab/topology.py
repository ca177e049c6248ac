"""The lab's topology spec: hosts, containers, mode, faults, and the names they get.

A :class:`Topology` is plain data. Every network namespace the lab makes is named
``<prefix>-<suffix>`` and every name fits IFNAMSIZ (15 characters), so two labs with
different prefixes never share a name. Interfaces are created directly inside the
lab's own namespaces (never in the root namespace), so interface names such as
``eth0``, ``br0`` and ``vxlan0`` can follow the seed article without clashing.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from vxlan_inspect.errors import UsageError

MODES = ("docker", "learning", "multicast", "p2p")
IFNAMSIZ = 15
PREFIX_RE = re.compile(r"^[a-z][a-z0-9]{1,7}$")
CONTAINER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,5}$")
RESERVED_SUFFIX_RE = re.compile(r"^(sw|h[0-9]+|o[0-9]+)$")

VNI = 256
DSTPORT = 4789
OVERLAY_SUBNET = "192.168.10.0/24"
OVERLAY_GATEWAY = "192.168.10.1"
UNDERLAY_SUBNET = "192.168.1.0/24"
MULTICAST_GROUP = "239.1.1.1"
OVERLAY_MTU = 1450
UNDERLAY_MTU = 1500
NETWORK_ID = "0f222fcb18"


@dataclass(frozen=True, slots=True)
class Host:
    """A Docker host: its underlay address (the VTEP) and its namespace suffix."""

    name: str
    underlay_ip: str
    index: int
    overlay: bool = True

    @property
    def underlay_mac(self) -> str:
        """A fixed MAC for the underlay interface, so captures are reproducible."""
        last = int(ipaddress.IPv4Address(self.underlay_ip)) & 0xFF
        return f"02:00:c0:a8:01:{last:02x}"


@dataclass(frozen=True, slots=True)
class Container:
    """A container attached to the overlay on one host."""

    name: str
    host: str
    ip: str
    mac: str

    @property
    def suffix(self) -> str:
        """The namespace suffix: the name in lower case without dashes (``X-1`` -> ``x1``)."""
        return self.name.lower().replace("-", "")


@dataclass(frozen=True, slots=True)
class Fault:
    """A fault injected with ``lab break`` (kept in the state file so ``lab fix`` can undo it)."""

    name: str
    host: str
    target: str
    detail: str


@dataclass(frozen=True, slots=True)
class Topology:
    """Everything the planner needs: prefix, mode, hosts, containers, faults in force."""

    prefix: str
    mode: str = "docker"
    hosts: tuple[Host, ...] = ()
    containers: tuple[Container, ...] = ()
    faults: tuple[Fault, ...] = field(default=())

    # -- names -------------------------------------------------------------
    def ns_switch(self) -> str:
        """The underlay switch namespace."""
        return f"{self.prefix}-sw"

    def ns_host(self, host: str) -> str:
        """The namespace standing for a Docker host's own (root) namespace."""
        return f"{self.prefix}-h{self.host(host).index}"

    def ns_overlay(self, host: str) -> str:
        """The host's overlay namespace (Docker's ``/var/run/docker/netns/1-<netid>``)."""
        return f"{self.prefix}-o{self.host(host).index}"

    def ns_container(self, name: str) -> str:
        """A container's namespace."""
        return f"{self.prefix}-{self.container(name).suffix}"

    def switch_port(self, host: str) -> str:
        """The switch-side interface of a host's underlay link."""
        return f"p{self.host(host).index}"

    def bridge_port(self, name: str) -> str:
        """The overlay-namespace end of a container's veth pair (``veth0``, ``veth1`` ...)."""
        c = self.container(name)
        same_host = [x.name for x in self.containers if x.host == c.host]
        return f"veth{same_host.index(name)}"

    def namespaces(self) -> list[str]:
        """Every namespace of this lab, switch first, containers last."""
        names = [self.ns_switch()]
        names += [self.ns_host(h.name) for h in self.hosts]
        names += [self.ns_overlay(h.name) for h in self.hosts if h.overlay]
        names += [self.ns_container(c.name) for c in self.containers]
        return names

    # -- look-ups ------------------------------------------------------------
    def host(self, name: str) -> Host:
        """The host called ``name`` (raises UsageError when there is none)."""
        for h in self.hosts:
            if h.name == name:
                return h
        raise UsageError(f"no host {name!r} in lab {self.prefix}", hint="hosts: " + self._host_names())

    def container(self, name: str) -> Container:
        """The container called ``name`` (raises UsageError when there is none)."""
        for c in self.containers:
            if c.name == name:
                return c
        known = ", ".join(c.name for c in self.containers)
        raise UsageError(f"no container {name!r} in lab {self.prefix}", hint=f"containers: {known}")

    def overlay_hosts(self) -> list[Host]:
        """Hosts that run the overlay (docker-3 of the wrong-vtep fault does not)."""
        return [h for h in self.hosts if h.overlay]

    def remote_containers(self, host: str) -> list[Container]:
        """Containers that live on other hosts than ``host``."""
        return [c for c in self.containers if c.host != host]

    def fault(self, name: str, host: str | None = None) -> Fault | None:
        """The fault called ``name`` in force (on ``host`` when given), or None."""
        for f in self.faults:
            if f.name == name and (host is None or f.host == host):
                return f
        return None

    def _host_names(self) -> str:
        return ", ".join(h.name for h in self.hosts)

    # -- changes (return new values) -------------------------------------------
    def with_container(self, container: Container) -> Topology:
        """A copy with one more container (validated)."""
        self.host(container.host)
        check_container_name(container.name)
        ipaddress.IPv4Address(container.ip)
        if ipaddress.IPv4Address(container.ip) not in ipaddress.IPv4Network(OVERLAY_SUBNET):
            raise UsageError(f"{container.ip} is not in the overlay subnet {OVERLAY_SUBNET}")
        taken_ips = {c.ip for c in self.containers} | {OVERLAY_GATEWAY}
        if container.ip in taken_ips:
            raise UsageError(f"{container.ip} is already used in lab {self.prefix}")
        if any(c.suffix == container.suffix for c in self.containers):
            raise UsageError(f"a container named like {container.name!r} already exists")
        if RESERVED_SUFFIX_RE.match(container.suffix):
            raise UsageError(f"container name {container.name!r} would clash with the lab's own namespaces")
        return replace(self, containers=(*self.containers, container))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the lab state file's ``topology``)."""
        return {
            "prefix": self.prefix,
            "mode": self.mode,
            "hosts": [
                {"name": h.name, "underlay_ip": h.underlay_ip, "index": h.index, "overlay": h.overlay}
                for h in self.hosts
            ],
            "containers": [
                {"name": c.name, "host": c.host, "ip": c.ip, "mac": c.mac} for c in self.containers
            ],
            "faults": [
                {"name": f.name, "host": f.host, "target": f.target, "detail": f.detail} for f in self.faults
            ],
        }


def topology_from_json(data: dict[str, Any]) -> Topology:
    """Rebuild a :class:`Topology` from :meth:`Topology.to_json` output."""
    return Topology(
        prefix=str(data["prefix"]),
        mode=str(data["mode"]),
        hosts=tuple(
            Host(h["name"], h["underlay_ip"], int(h["index"]), bool(h["overlay"])) for h in data["hosts"]
        ),
        containers=tuple(Container(c["name"], c["host"], c["ip"], c["mac"]) for c in data["containers"]),
        faults=tuple(Fault(f["name"], f["host"], f["target"], f["detail"]) for f in data.get("faults", [])),
    )


def mac_for_ip(ip: str) -> str:
    """Docker's container MAC: ``02:42`` followed by the four bytes of the IPv4 address."""
    octets = ipaddress.IPv4Address(ip).packed
    return "02:42:" + ":".join(f"{b:02x}" for b in octets)


def new_prefix() -> str:
    """A fresh prefix, unique per run: ``vxl`` and four random hex digits."""
    return "vxl" + secrets.token_hex(2)


def check_prefix(prefix: str) -> str:
    """Validate a user-given prefix: 2-8 characters, lower-case letter first, then [a-z0-9]."""
    if not PREFIX_RE.match(prefix):
        raise UsageError(
            f"bad lab prefix {prefix!r}",
            hint="2 to 8 characters, a lower-case letter then letters or digits, e.g. vxl1a2b",
        )
    return prefix


def check_container_name(name: str) -> str:
    """Validate a container name: up to 6 characters, letters, digits and dashes (``X-2``)."""
    if not CONTAINER_RE.match(name):
        raise UsageError(f"bad container name {name!r}", hint="1 to 6 characters: letters, digits, '-'")
    return name


def seed_topology(prefix: str, mode: str = "docker") -> Topology:
    """The seed article's topology: docker-1 with X-1, docker-2 with its container C-2."""
    check_prefix(prefix)
    if mode not in MODES:
        raise UsageError(f"unknown lab mode {mode!r}", hint="one of " + ", ".join(MODES))
    hosts = (Host("docker-1", "192.168.1.4", 1), Host("docker-2", "192.168.1.5", 2))
    containers = (
        Container("X-1", "docker-1", "192.168.10.100", "02:42:c0:a8:0a:64"),
        Container("C-2", "docker-2", "192.168.10.2", "02:42:c0:a8:0a:02"),
    )
    return Topology(prefix=prefix, mode=mode, hosts=hosts, containers=containers)
