"""`vxlan-inspect state ...`: parse, show, diff, collect and check namespace state."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vxlan_inspect.errors import InputError, UsageError
from vxlan_inspect.state.collect import collect_snapshot
from vxlan_inspect.state.controlplane import merge_control_planes, parse_control_plane
from vxlan_inspect.state.diff import DiffItem, diff_snapshots
from vxlan_inspect.state.dump import parse_dump
from vxlan_inspect.state.expected import compare_expected, expected_entries, pick_overlay_namespace
from vxlan_inspect.state.model import KINDS, Entry, FdbEntry, Link, NamespaceState, NeighEntry
from vxlan_inspect.state.serialize import table_to_json
from vxlan_inspect.state.snapshot import (
    load_snapshot,
    load_snapshots,
    read_text,
    snapshot_to_json,
    write_snapshot,
)
from vxlan_inspect.state.vxlan import describe_vxlan

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    help="Parse, collect, show and diff FDB/neighbour/link/address/route state.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
KindOpt = Annotated[str, typer.Option("--kind", help="auto, fdb, neigh, link, addr or route.")]


def _out(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def _warn(message: str) -> None:
    print(f"vxlan-inspect: warning: {message}", file=sys.stderr)


def _console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def format_entry(entry: Entry) -> str:
    """A one-line, iproute2-like rendering of an entry."""
    if isinstance(entry, FdbEntry):
        parts = [
            entry.mac,
            f"dev {entry.ifname}" if entry.ifname else "",
            f"dst {entry.dst}" if entry.dst else "",
            f"vlan {entry.vlan}" if entry.vlan else "",
            f"vni {entry.vni}" if entry.vni else "",
            f"link-netnsid {entry.link_netnsid}" if entry.link_netnsid is not None else "",
            " ".join(entry.flags),
            f"master {entry.master}" if entry.master else "",
            entry.state,
        ]
        return " ".join(p for p in parts if p)
    if isinstance(entry, NeighEntry):
        parts = [
            entry.dst,
            f"dev {entry.dev}" if entry.dev else "",
            f"lladdr {entry.lladdr}" if entry.lladdr else "",
            " ".join(entry.flags),
            " ".join(entry.state),
        ]
        return " ".join(p for p in parts if p)
    data = table_to_json("addr" if type(entry).__name__ == "Addr" else "x", [entry])
    return json.dumps(data[0], separators=(",", ":")) if data else repr(entry)


@app.command("parse")
def parse_cmd(
    files: Annotated[list[Path], typer.Argument(help="Saved dumps (text or -j JSON).")],
    kind: KindOpt = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Parse saved `ip`/`bridge` dumps into typed entries (kind detected from content)."""
    results = []
    for path in files:
        result = parse_dump(read_text(path), kind, source=str(path))
        for w in result.warnings:
            _warn(f"{path}: {w}")
        results.append((path, result))
    if as_json:
        _out(
            [
                {
                    "file": str(p),
                    "kind": r.kind,
                    "form": r.form,
                    "entries": table_to_json(r.kind, r.entries),
                    "warnings": [str(w) for w in r.warnings],
                }
                for p, r in results
            ]
        )
        return
    for path, result in results:
        print(f"# {path}: {result.kind} ({result.form}), {len(result.entries)} entries")
        for entry in result.entries:
            print(format_entry(entry))


def _show_namespace(console: Console, ns: NamespaceState) -> None:
    from rich.table import Table

    console.print(f"[bold]namespace {ns.name}[/bold]" + (f"  ({ns.path})" if ns.path else ""))
    if ns.fdb:
        table = Table("mac", "dev", "dst (VTEP)", "flags", "master", "state", title="FDB")
        for e in ns.fdb:
            dst = f"[bold yellow]{e.dst}[/bold yellow]" if e.dst else ""
            table.add_row(e.mac, e.ifname or "", dst, " ".join(e.flags), e.master or "", e.state)
        console.print(table)
    if ns.neigh:
        table = Table("dst", "dev", "lladdr", "state", "origin", title="neighbours")
        for n in ns.neigh:
            origin = "[green]installed (PERMANENT)[/green]" if n.is_permanent else "learned"
            table.add_row(n.dst, n.dev or "", n.lladdr or "", " ".join(n.state), origin)
        console.print(table)
    for link in ns.link:
        _show_link(console, link)
    if ns.addr:
        table = Table("dev", "address", "scope", title="addresses")
        for a in ns.addr:
            table.add_row(a.ifname, f"{a.local}/{a.prefixlen}", a.scope or "")
        console.print(table)
    if ns.route:
        table = Table("dst", "via", "dev", "proto", "scope", "src", title="routes")
        for r in ns.route:
            table.add_row(
                r.dst, r.gateway or "", r.dev or "", r.protocol or "", r.scope or "", r.prefsrc or ""
            )
        console.print(table)
    for w in ns.warnings:
        _warn(w)


def _show_link(console: Console, link: Link) -> None:
    kind = link.info_kind or "?"
    extra = f" master {link.master}" if link.master else ""
    console.print(f"link {link.ifindex}: {link.ifname} ({kind}) mtu {link.mtu} {link.operstate or ''}{extra}")
    if link.vxlan is not None:
        for line in describe_vxlan(link.vxlan):
            console.print(f"    {line}")


@app.command("show")
def show_cmd(
    files: Annotated[list[Path], typer.Argument(help="A snapshot, or saved dumps.")],
    kind: KindOpt = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Show tables: FDB (remote VTEPs highlighted), neighbours, vxlan devices explained."""
    snap = load_snapshots(files, kind=kind)
    if as_json:
        _out(snapshot_to_json(snap))
        return
    console = _console()
    for ns in snap.namespaces:
        _show_namespace(console, ns)


def _diff_json(item: DiffItem) -> dict[str, Any]:
    return {
        "namespace": item.namespace,
        "table": item.kind,
        "change": item.change,
        "before": table_to_json(item.kind, [item.before])[0] if item.before else None,
        "after": table_to_json(item.kind, [item.after])[0] if item.after else None,
        "note": item.note,
    }


@app.command("diff")
def diff_cmd(
    a: Annotated[Path, typer.Argument(help="Before: snapshot or dump.")],
    b: Annotated[Path, typer.Argument(help="After: snapshot or dump.")],
    kind: KindOpt = "auto",
    as_json: JsonOpt = False,
) -> None:
    """What changed between two snapshots or dumps."""
    items = diff_snapshots(load_snapshot(a, kind=kind), load_snapshot(b, kind=kind))
    if as_json:
        _out([_diff_json(i) for i in items])
        return
    if not items:
        print("no differences")
    sign = {"added": "+", "removed": "-", "changed": "~"}
    for item in items:
        entry = item.after if item.after is not None else item.before
        assert entry is not None
        note = f"  ({item.note})" if item.note else ""
        print(f"{sign[item.change]} {item.namespace} {item.kind}: {format_entry(entry)}{note}")


@app.command("collect")
def collect_cmd(
    netns: Annotated[
        list[str] | None,
        typer.Option("--netns", help="Namespace: self, NAME, /path/to/nsfs or pid:PID (repeatable)."),
    ] = None,
    docker: Annotated[bool, typer.Option("--docker", help="Add Docker's overlay namespaces.")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the snapshot here.")] = None,
    host: Annotated[str | None, typer.Option("--host", help="Host label.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Read tables through netlink (root only) into a snapshot bundle."""
    spaces = list(netns) if netns else ([] if docker else ["self"])
    snap = collect_snapshot(spaces, docker=docker, host=host)
    if output is not None:
        try:
            write_snapshot(snap, output)
        except OSError as exc:
            raise InputError(f"cannot write {output}: {exc.strerror}") from exc
        print(f"wrote {output}: {len(snap.namespaces)} namespaces", file=sys.stderr)
        if not as_json:
            return
    _out(snapshot_to_json(snap))


@app.command("expected")
def expected_cmd(
    files: Annotated[list[Path], typer.Argument(help="Serf log, Consul KV JSON, docker inspect.")],
    against: Annotated[Path | None, typer.Option("--against", help="Snapshot or dump.")] = None,
    local_vtep: Annotated[str | None, typer.Option("--local-vtep", help="This host's IP.")] = None,
    dev: Annotated[str, typer.Option("--dev", help="The vxlan device.")] = "vxlan0",
    as_json: JsonOpt = False,
) -> None:
    """Entries Docker's control plane implies, and (with --against) how the tables differ."""
    plane = merge_control_planes([parse_control_plane(read_text(f), source=str(f)) for f in files])
    for w in plane.warnings:
        _warn(w)
    wanted = expected_entries(plane, local_vtep=local_vtep, dev=dev)
    findings = []
    if against is not None:
        snap = load_snapshot(against)
        if not snap.namespaces:
            raise UsageError(f"{against} holds no namespace")
        findings = compare_expected(wanted, pick_overlay_namespace(snap, plane.network_id))
    if as_json:
        _out(
            {
                "network_id": plane.network_id,
                "network_name": plane.network_name,
                "vni": plane.vni,
                "expected": {
                    "neigh": table_to_json("neigh", wanted.neigh),
                    "fdb": table_to_json("fdb", wanted.fdb),
                },
                "findings": [{"status": f.status, "table": f.kind, "message": f.message} for f in findings],
            }
        )
        return
    print(f"# network {plane.network_name or '?'} id {plane.network_id or '?'} vni {plane.vni or '?'}")
    for n in wanted.neigh:
        print(format_entry(n))
    for f in wanted.fdb:
        print(format_entry(f) + ("" if f.dst else "  (VTEP unknown)"))
    if against is not None:
        print(f"# against {against}: {len(findings) or 'no'} differences")
        for finding in findings:
            print(f"{finding.status}: {finding.message}")


__all__ = ["KINDS", "app"]
