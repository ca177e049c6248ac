"""The entries Docker should have programmed, and how the actual tables differ.

For every remote endpoint (ip, mac, vtep) Docker's overlay driver installs, in
the overlay namespace::

    ip neigh add <ip> lladdr <mac> dev vxlan0 nud permanent
    bridge fdb add <mac> dev vxlan0 dst <vtep> self permanent

:func:`expected_entries` computes those; :func:`compare_expected` reports
``missing``, ``extra`` (a Docker-style entry no endpoint explains),
``wrong_vtep`` (FDB ``dst`` differs) and ``wrong_mac`` (neighbour ``lladdr`` differs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vxlan_inspect.state.controlplane import ControlPlane
from vxlan_inspect.state.model import Entry, FdbEntry, NamespaceState, NeighEntry, Snapshot

Status = Literal["missing", "extra", "wrong_vtep", "wrong_mac", "not_permanent"]


@dataclass(frozen=True, slots=True)
class Expected:
    """The neighbour and FDB entries the control plane implies for one host."""

    neigh: tuple[NeighEntry, ...]
    fdb: tuple[FdbEntry, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """One disagreement between the control plane and a namespace's tables."""

    status: Status
    kind: str
    expected: Entry | None
    actual: Entry | None
    message: str


def expected_entries(plane: ControlPlane, *, local_vtep: str | None = None, dev: str = "vxlan0") -> Expected:
    """Entries for every endpoint not on this host (``local_vtep``, or marked local)."""
    neigh: list[NeighEntry] = []
    fdb: list[FdbEntry] = []
    for ep in plane.endpoints:
        if ep.local or (local_vtep is not None and ep.vtep == local_vtep):
            continue
        neigh.append(NeighEntry(dst=ep.ip, dev=dev, lladdr=ep.mac, state=("PERMANENT",)))
        fdb.append(FdbEntry(mac=ep.mac, ifname=dev, dst=ep.vtep, flags=("self",), state="permanent"))
    return Expected(neigh=tuple(neigh), fdb=tuple(fdb))


def pick_overlay_namespace(snap: Snapshot, network_id: str | None = None) -> NamespaceState:
    """The namespace to compare: the one named after the network, else the first with a vxlan device."""
    if network_id:
        for ns in snap.namespaces:
            if ns.network_id == network_id or ns.name.endswith("-" + network_id[:10]):
                return ns
    for ns in snap.namespaces:
        if ns.vxlan_links() or any(e.ifname and e.dst for e in ns.fdb):
            return ns
    return snap.namespaces[0]


def compare_expected(expected: Expected, ns: NamespaceState) -> list[Finding]:
    """Compare expected entries with one namespace's neighbour and FDB tables."""
    findings: list[Finding] = []
    devs = {e.ifname for e in expected.fdb} | {e.dev for e in expected.neigh if e.dev}
    devs |= {lk.ifname for lk in ns.vxlan_links()}
    if "neigh" in ns.tables_present or ns.neigh:
        actual_neigh = {e.dst: e for e in ns.neigh if e.dev in devs}
        wanted = {e.dst for e in expected.neigh}
        for exp in expected.neigh:
            got = actual_neigh.get(exp.dst)
            if got is None:
                findings.append(Finding("missing", "neigh", exp, None,
                                        f"neighbour {exp.dst} lladdr {exp.lladdr} on {exp.dev} is missing"))
            elif got.lladdr != exp.lladdr:
                message = f"neighbour {exp.dst} has lladdr {got.lladdr}, expected {exp.lladdr}"
                findings.append(Finding("wrong_mac", "neigh", exp, got, message))
            elif not got.is_permanent:
                findings.append(Finding("not_permanent", "neigh", exp, got,
                                        f"neighbour {exp.dst} is {'/'.join(got.state)}, not PERMANENT"))
        for got in actual_neigh.values():
            if got.dst not in wanted and got.is_permanent:
                findings.append(Finding("extra", "neigh", None, got,
                                        f"neighbour {got.dst} lladdr {got.lladdr} matches no endpoint"))
    if "fdb" in ns.tables_present or ns.fdb:
        actual_fdb = {e.mac: e for e in ns.fdb if e.ifname in devs and e.dst is not None
                      and e.mac != "00:00:00:00:00:00"}
        wanted_macs = {e.mac for e in expected.fdb}
        for want in expected.fdb:
            have = actual_fdb.get(want.mac)
            if have is None:
                where = f" dst {want.dst}" if want.dst else ""
                findings.append(Finding("missing", "fdb", want, None,
                                        f"fdb {want.mac} dev {want.ifname}{where} is missing"))
            elif want.dst is not None and have.dst != want.dst:
                findings.append(Finding("wrong_vtep", "fdb", want, have,
                                        f"fdb {want.mac} points at VTEP {have.dst}, expected {want.dst}"))
        for have in actual_fdb.values():
            if have.mac not in wanted_macs:
                findings.append(Finding("extra", "fdb", None, have,
                                        f"fdb {have.mac} dst {have.dst} matches no endpoint"))
    return findings
