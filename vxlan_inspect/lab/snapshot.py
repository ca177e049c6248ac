"""Raw state snapshots of every lab namespace, as ``ip``/``bridge`` print them.

Each namespace gets five tables in two forms each: ``ip -d -j link show`` and
``ip -d link show``, ``ip -j neigh show`` and ``ip neigh show``, ``bridge -j fdb show``
and ``bridge fdb show``, ``ip -j addr show`` and ``ip addr show``, ``ip -j route show``
and ``ip route show``. Files are ``snapshots/<label>/<namespace id with dots>.<kind>.json``
and ``.txt``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vxlan_inspect.lab.runner import run_argv
from vxlan_inspect.lab.topology import Topology

# kind -> (JSON form, text form), each the argv after ``ip -n NS`` or ``bridge -n NS``.
SNAPSHOT_COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    "link": (["ip", "-d", "-j", "link", "show"], ["ip", "-d", "link", "show"]),
    "neigh": (["ip", "-j", "neigh", "show"], ["ip", "neigh", "show"]),
    "fdb": (["bridge", "-j", "fdb", "show"], ["bridge", "fdb", "show"]),
    "addr": (["ip", "-j", "addr", "show"], ["ip", "addr", "show"]),
    "route": (["ip", "-j", "route", "show"], ["ip", "route", "show"]),
}


@dataclass(frozen=True, slots=True)
class LabNamespace:
    """One namespace of a lab as a bundle names it."""

    id: str  # "docker-1", "docker-1/overlay", "docker-1/X-1", "underlay-switch"
    host: str
    role: str  # host | overlay | container | switch
    netns: str

    @property
    def stem(self) -> str:
        """The id as a file-name stem (``docker-1/overlay`` -> ``docker-1.overlay``)."""
        return self.id.replace("/", ".")


def lab_namespaces(topo: Topology) -> list[LabNamespace]:
    """Every namespace of ``topo`` with its bundle id (pure)."""
    out = [LabNamespace("underlay-switch", "", "switch", topo.ns_switch())]
    for h in topo.hosts:
        out.append(LabNamespace(h.name, h.name, "host", topo.ns_host(h.name)))
        if h.overlay:
            out.append(LabNamespace(f"{h.name}/overlay", h.name, "overlay", topo.ns_overlay(h.name)))
    for c in topo.containers:
        out.append(LabNamespace(f"{c.host}/{c.name}", c.host, "container", topo.ns_container(c.name)))
    return out


def in_netns(argv: list[str], netns: str) -> list[str]:
    """``ip ...`` -> ``ip -n NS ...`` and ``bridge ...`` -> ``bridge -n NS ...`` (pure)."""
    return [argv[0], "-n", netns, *argv[1:]]


def take_snapshots(topo: Topology, bundle: Path, label: str) -> dict[str, dict[str, dict[str, str]]]:
    """Write every namespace's tables under ``bundle/snapshots/<label>``; return the file index.

    The index maps namespace id -> kind -> {"json": relpath, "text": relpath}.
    """
    folder = bundle / "snapshots" / label
    folder.mkdir(parents=True, exist_ok=True)
    index: dict[str, dict[str, dict[str, str]]] = {}
    for ns in lab_namespaces(topo):
        files: dict[str, dict[str, str]] = {}
        for kind, (as_json, as_text) in SNAPSHOT_COMMANDS.items():
            paths = {}
            for form, argv, ext in (("json", as_json, "json"), ("text", as_text, "txt")):
                out = run_argv(in_netns(argv, ns.netns)).stdout
                path = folder / f"{ns.stem}.{kind}.{ext}"
                path.write_text(out)
                paths[form] = str(path.relative_to(bundle))
            files[kind] = paths
        index[ns.id] = files
    return index


def take_state_snapshots(topo: Topology, bundle: Path, label: str) -> dict[str, str]:
    """Write one :func:`vxlan_inspect.state.collect_snapshot` JSON per host (all its namespaces).

    Files are ``snapshots/<label>/<host>.snapshot.json``; namespaces in them carry the
    lab's netns names, which scenario.json maps to bundle ids. Returns host -> relpath.
    """
    from vxlan_inspect.state.collect import collect_snapshot
    from vxlan_inspect.state.snapshot import snapshot_to_json

    folder = bundle / "snapshots" / label
    folder.mkdir(parents=True, exist_ok=True)
    index = {}
    by_host: dict[str, list[str]] = {}
    for ns in lab_namespaces(topo):
        by_host.setdefault(ns.host or "underlay-switch", []).append(ns.netns)
    for host, names in by_host.items():
        snap = collect_snapshot(names, host=host)
        path = folder / f"{host}.snapshot.json"
        path.write_text(json.dumps(snapshot_to_json(snap), indent=1) + "\n")
        index[host] = str(path.relative_to(bundle))
    return index


def ifindex_map(link_json: str) -> dict[str, str]:
    """``{"ifindex": "ifname"}`` from ``ip -j link show`` output (pure)."""
    data: Any = json.loads(link_json or "[]")
    return {str(item["ifindex"]): str(item["ifname"]) for item in data if "ifindex" in item}
