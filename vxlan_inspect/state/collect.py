"""Collect tables from live namespaces through netlink (pyroute2), as root.

A namespace is named by name (``/run/netns/NAME``), by path (for example
``/var/run/docker/netns/1-0f222fcb18``), by PID (``pid:1234`` or ``1234``:
``/proc/PID/ns/net``), or ``self`` for the namespace the tool runs in. Each one
is read in a short-lived worker thread that calls ``setns(2)`` on itself, so
the caller's namespace never changes (setns of a network namespace affects only
the calling thread). No ``ip``/``bridge`` process is started.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as _dt
import errno
import os
import re
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vxlan_inspect.errors import EnvironmentProblem, NamespaceNotFound, PrivilegeError
from vxlan_inspect.state.model import NamespaceState, Snapshot
from vxlan_inspect.state.netlink import (
    addr_from_msg,
    fdb_from_msg,
    link_from_msg,
    neigh_from_msg,
    route_from_msg,
)

CLONE_NEWNET = 0x40000000
NETNS_DIRS = ("/run/netns", "/var/run/netns")
DOCKER_NETNS_DIR = "/var/run/docker/netns"
OVERLAY_NS_RE = re.compile(r"^\d+-[0-9a-f]{10}$")


@dataclass(frozen=True, slots=True)
class NamespaceRef:
    """A namespace to read: a display name and the path of its nsfs file (None: our own)."""

    name: str
    path: str | None = None
    network_id: str | None = None


def resolve_namespace(spec: str) -> NamespaceRef:
    """Turn ``self``, a name, a path or a PID into a reference; NamespaceNotFound if absent."""
    if spec in ("", "self", "root", "."):
        return NamespaceRef("self")
    if spec.startswith("pid:") or spec.isdigit():
        pid = spec.removeprefix("pid:")
        path = f"/proc/{pid}/ns/net"
        if not pid.isdigit() or not os.path.exists(path):
            raise NamespaceNotFound(f"no process {pid} (looked for {path})")
        return NamespaceRef(f"pid:{pid}", path)
    if "/" in spec:
        if not os.path.exists(spec):
            raise NamespaceNotFound(f"namespace file {spec} does not exist")
        name = os.path.basename(spec.rstrip("/"))
        return NamespaceRef(name, spec, _overlay_prefix(name))
    for directory in NETNS_DIRS:
        path = os.path.join(directory, spec)
        if os.path.exists(path):
            return NamespaceRef(spec, path)
    raise NamespaceNotFound(f"no network namespace named {spec!r} in {NETNS_DIRS[0]}",
                            hint="list them with `ip netns list`, or pass a path or pid:PID")


def _overlay_prefix(name: str) -> str | None:
    return name.split("-", 1)[1] if OVERLAY_NS_RE.match(name) else None


def require_privilege() -> None:
    """Raise PrivilegeError unless running as root."""
    if os.geteuid() != 0:
        raise PrivilegeError("state collect needs root to read other namespaces through netlink",
                             hint="run it with sudo, or save `ip -j`/`bridge -j` dumps and use `state parse`")


_libc: Any = None


def _setns(path: str) -> None:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            if err == errno.EPERM:
                raise PrivilegeError(f"not allowed to enter namespace {path}", hint="run as root")
            raise EnvironmentProblem(f"cannot enter namespace {path}: {os.strerror(err)}")
    finally:
        os.close(fd)


def _dump(ref: NamespaceRef) -> NamespaceState:
    from pyroute2 import IPRoute

    if ref.path is not None:
        _setns(ref.path)
    with IPRoute() as ipr:
        link_msgs = list(ipr.get_links())
        names = {m["index"]: m.get_attr("IFLA_IFNAME") for m in link_msgs}
        links = tuple(link_from_msg(m, names) for m in link_msgs)
        neigh = tuple(e for m in ipr.get_neighbours() if (e := neigh_from_msg(m, names)) is not None)
        fdb = tuple(f for m in ipr.fdb("dump") if (f := fdb_from_msg(m, names)) is not None)
        # iproute2 prints addresses grouped per link, in link order
        addr = tuple(sorted((addr_from_msg(m, names) for m in ipr.get_addr()), key=lambda a: a.ifindex or 0))
        route = tuple(r for m in ipr.get_routes(family=socket.AF_INET) if (r := route_from_msg(m, names)))
    return NamespaceState(name=ref.name, path=ref.path, source="netlink", fdb=fdb, neigh=neigh, link=links,
                          addr=addr, route=route, tables_present=("fdb", "neigh", "link", "addr", "route"),
                          network_id=ref.network_id)


def collect_namespace(ref: NamespaceRef) -> NamespaceState:
    """Read all five tables of one namespace in a worker thread."""
    result: list[NamespaceState] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(_dump(ref))
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=work, name=f"vxlan-inspect-netns-{ref.name}")
    worker.start()
    worker.join()
    if failure:
        exc = failure[0]
        if isinstance(exc, PermissionError):
            raise PrivilegeError(f"netlink refused to dump namespace {ref.name}", hint="run as root") from exc
        if isinstance(exc, FileNotFoundError):
            raise NamespaceNotFound(f"namespace {ref.name} vanished while being read") from exc
        if isinstance(exc, OSError):
            raise EnvironmentProblem(f"netlink dump of namespace {ref.name} failed: {exc}") from exc
        raise exc
    return result[0]


def discover_docker_namespaces(netns_dir: str = DOCKER_NETNS_DIR) -> list[NamespaceRef]:
    """Docker overlay namespaces (``<counter>-<first 10 chars of network id>``), matched to networks."""
    directory = Path(netns_dir)
    if not directory.is_dir():
        return []
    networks = docker_networks()
    refs = []
    for entry in sorted(directory.iterdir()):
        prefix = _overlay_prefix(entry.name)
        if prefix is None:
            continue
        full = next((nid for nid in networks if nid.startswith(prefix)), prefix)
        refs.append(NamespaceRef(entry.name, str(entry), full))
    return refs


def docker_networks() -> dict[str, str]:
    """Network id -> name from the docker CLI, or {} when it is absent or fails."""
    import shutil
    import subprocess

    docker = shutil.which("docker")
    if docker is None:
        return {}
    try:
        out = subprocess.run([docker, "network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}}"],
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    pairs = (line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    return {nid: name for nid, name in pairs}


def collect_snapshot(namespaces: list[str] | tuple[str, ...] = ("self",), *, docker: bool = False,
                     host: str | None = None) -> Snapshot:
    """Collect the named namespaces (and Docker's overlay namespaces) into a snapshot."""
    require_privilege()
    refs = [resolve_namespace(spec) for spec in namespaces]
    if docker:
        refs.extend(discover_docker_namespaces())
    states = tuple(collect_namespace(ref) for ref in refs)
    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return Snapshot(host=host or socket.gethostname(), time=now, kernel=os.uname().release, iproute2=None,
                    namespaces=states)
