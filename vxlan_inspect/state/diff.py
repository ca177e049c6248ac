"""What changed between two snapshots: entries added, removed, or changed in place.

Entries are matched by a per-table key (an FDB entry by MAC, device and VLAN; a
neighbour by address and device; a link by name; an address by interface and
prefix; a route by destination, table, metric and type). A matched entry whose
other fields differ is ``changed`` (an FDB entry now pointing at another VTEP,
a neighbour with a new MAC). Only tables present on both sides are compared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from vxlan_inspect.state.model import (
    KINDS,
    Addr,
    Entry,
    FdbEntry,
    Link,
    NamespaceState,
    NeighEntry,
    Route,
    Snapshot,
)

Change = Literal["added", "removed", "changed"]
_ZERO_MAC = "00:00:00:00:00:00"


@dataclass(frozen=True, slots=True)
class DiffItem:
    """One difference in one table of one namespace."""

    namespace: str
    kind: str
    change: Change
    before: Entry | None
    after: Entry | None
    note: str = ""


def entry_key(entry: Entry) -> tuple[Any, ...]:
    """The identity of an entry within its table."""
    if isinstance(entry, FdbEntry):
        dst = entry.dst if entry.mac == _ZERO_MAC else None
        return (entry.mac, entry.ifname, entry.vlan, dst, "self" in entry.flags)
    if isinstance(entry, NeighEntry):
        return (entry.dst, entry.dev)
    if isinstance(entry, Link):
        return (entry.ifname,)
    if isinstance(entry, Addr):
        return (entry.ifname, entry.local, entry.prefixlen)
    if isinstance(entry, Route):
        return (entry.dst, entry.table, entry.metric, entry.type)
    raise TypeError(f"not a table entry: {entry!r}")


def _note(before: Entry, after: Entry) -> str:
    if isinstance(before, FdbEntry) and isinstance(after, FdbEntry) and before.dst != after.dst:
        return f"VTEP {before.dst} -> {after.dst}"
    if isinstance(before, NeighEntry) and isinstance(after, NeighEntry) and before.lladdr != after.lladdr:
        return f"lladdr {before.lladdr} -> {after.lladdr}"
    changed = [name for name in type(before).__dataclass_fields__
               if getattr(before, name) != getattr(after, name)]
    return "changed: " + ", ".join(changed)


def diff_tables(kind: str, before: tuple[Entry, ...], after: tuple[Entry, ...], *,
                namespace: str = "", ignore: Callable[[Entry], bool] | None = None) -> list[DiffItem]:
    """Differences between two versions of one table, in ``after`` order then removals."""
    old = {entry_key(e): e for e in before if ignore is None or not ignore(e)}
    new = {entry_key(e): e for e in after if ignore is None or not ignore(e)}
    items: list[DiffItem] = []
    for key, entry in new.items():
        if key not in old:
            items.append(DiffItem(namespace, kind, "added", None, entry))
        elif old[key] != entry:
            items.append(DiffItem(namespace, kind, "changed", old[key], entry, _note(old[key], entry)))
    items.extend(DiffItem(namespace, kind, "removed", e, None) for key, e in old.items() if key not in new)
    return items


def _normalise(entry: Entry) -> Entry:
    if isinstance(entry, Addr) and entry.valid_life_time is not None:
        return Addr(**{**{n: getattr(entry, n) for n in Addr.__dataclass_fields__},
                       "valid_life_time": None, "preferred_life_time": None})
    return entry


def _present(ns: NamespaceState) -> tuple[str, ...]:
    return ns.tables_present or tuple(k for k in KINDS if ns.table(k))


def diff_namespaces(a: NamespaceState, b: NamespaceState, *, name: str | None = None) -> list[DiffItem]:
    """Differences between two versions of one namespace (tables present on both sides)."""
    label = name or b.name
    items: list[DiffItem] = []
    for kind in KINDS:
        if kind in _present(a) and kind in _present(b):
            before = tuple(_normalise(e) for e in a.table(kind))
            after = tuple(_normalise(e) for e in b.table(kind))
            items.extend(diff_tables(kind, before, after, namespace=label))
    return items


def diff_snapshots(a: Snapshot, b: Snapshot) -> list[DiffItem]:
    """Differences between two snapshots, namespace by namespace.

    Namespaces are paired by name; when each side has exactly one namespace they
    are paired whatever their names (two saved dumps of the same table).
    A namespace on one side only is reported as all its entries added/removed.
    """
    if len(a.namespaces) == 1 and len(b.namespaces) == 1:
        return diff_namespaces(a.namespaces[0], b.namespaces[0])
    items: list[DiffItem] = []
    names = [ns.name for ns in b.namespaces] + [ns.name for ns in a.namespaces
                                                if b.namespace(ns.name) is None]
    for name in names:
        old, new = a.namespace(name), b.namespace(name)
        items.extend(diff_namespaces(old or NamespaceState(name, tables_present=_present(new) if new else ()),
                                     new or NamespaceState(name, tables_present=_present(old) if old else ()),
                                     name=name))
    return items
