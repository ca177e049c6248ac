"""Snapshot bundles: one versioned JSON document per host (format in docs/state.md).

``snapshot_to_json`` / ``snapshot_from_json`` are pure; ``load_snapshot`` reads
a file that is either a snapshot bundle or any single saved dump (which becomes
a one-namespace snapshot), so every command accepts both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from vxlan_inspect.errors import InputError, StateParseError
from vxlan_inspect.state.dump import _JSON, parse_dump
from vxlan_inspect.state.jsonitems import ItemError
from vxlan_inspect.state.model import KINDS, NamespaceState, Snapshot
from vxlan_inspect.state.serialize import table_to_json
from vxlan_inspect.state.text import decode_dump, load_json, looks_like_json

FORMAT = "vxlan-inspect/snapshot"
VERSION = 1


def snapshot_to_json(snap: Snapshot) -> dict[str, Any]:
    """The snapshot as a JSON-ready dict (see docs/state.md)."""
    namespaces = []
    for ns in snap.namespaces:
        present = ns.tables_present or tuple(k for k in KINDS if ns.table(k))
        namespaces.append({
            "name": ns.name,
            "path": ns.path,
            "source": ns.source,
            "network_id": ns.network_id,
            "tables": {k: table_to_json(k, ns.table(k)) for k in KINDS if k in present},
            "raw": dict(ns.raw),
            "warnings": list(ns.warnings),
        })
    return {"format": FORMAT, "version": VERSION, "host": snap.host, "time": snap.time,
            "kernel": snap.kernel, "iproute2": snap.iproute2, "namespaces": namespaces}


def _opt_str(doc: Mapping[str, Any], key: str) -> str | None:
    value = doc.get(key)
    if value is not None and not isinstance(value, str):
        raise StateParseError(f"snapshot key {key!r} should be a string, got {type(value).__name__}")
    return value


def snapshot_from_json(doc: Any, *, source: str = "snapshot") -> Snapshot:
    """Rebuild a snapshot from its JSON document; StateParseError when malformed."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise StateParseError(f"{source} is not a vxlan-inspect snapshot")
    version = doc.get("version")
    if version != VERSION:
        raise StateParseError(f"{source} is snapshot version {version!r}; this tool reads version {VERSION}",
                              hint="collect it again with this version")
    spaces = doc.get("namespaces")
    if not isinstance(spaces, list):
        raise StateParseError(f"{source}: 'namespaces' should be a list")
    namespaces = []
    for i, item in enumerate(spaces, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise StateParseError(f"{source}: namespace {i} needs a 'name'")
        tables = item.get("tables") or {}
        if not isinstance(tables, dict):
            raise StateParseError(f"{source}: namespace {item['name']!r}: 'tables' should be an object")
        fields: dict[str, Any] = {}
        warnings = [str(w) for w in item.get("warnings") or []]
        for kind, data in tables.items():
            if kind not in KINDS:
                warnings.append(f"unknown table {kind!r} ignored")
                continue
            try:
                entries, bad = _JSON[kind](data)
            except ItemError as exc:
                raise StateParseError(f"{source}: namespace {item['name']!r} table {kind}: {exc}") from exc
            if bad:
                raise StateParseError(f"{source}: namespace {item['name']!r} table {kind}: {bad[0].message}")
            fields[kind] = tuple(entries)
        raw = item.get("raw") or {}
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise StateParseError(f"{source}: namespace {item['name']!r}: 'raw' should map kinds to text")
        namespaces.append(NamespaceState(
            name=item["name"], path=_opt_str(item, "path"), source=_opt_str(item, "source") or "text",
            network_id=_opt_str(item, "network_id"), raw=dict(raw), tables_present=tuple(fields),
            warnings=tuple(warnings), **fields))
    return Snapshot(host=_opt_str(doc, "host"), time=_opt_str(doc, "time"), kernel=_opt_str(doc, "kernel"),
                    iproute2=_opt_str(doc, "iproute2"), namespaces=tuple(namespaces))


def namespace_from_dumps(name: str, texts: Iterable[tuple[str, str]], *, kind: str = "auto",
                         path: str | None = None) -> NamespaceState:
    """Build one namespace from saved dumps given as ``(source label, text)`` pairs.

    The raw text of each dump is kept under its kind; later dumps of the same
    kind replace earlier ones. Parse warnings are kept as ``source: line N: ...``.
    """
    fields: dict[str, Any] = {}
    raw: dict[str, str] = {}
    warnings: list[str] = []
    for label, text in texts:
        result = parse_dump(text, kind, source=label)
        fields[result.kind] = result.entries
        raw[result.kind] = text
        warnings.extend(f"{label}: {w}" for w in result.warnings)
    return NamespaceState(name=name, path=path, source="text", raw=raw, tables_present=tuple(fields),
                          warnings=tuple(warnings), **fields)


def read_text(path: str | Path) -> str:
    """Read a dump or snapshot file as text (InputError when unreadable or binary)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{p}: no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{p} is a directory", hint="pass a dump or snapshot file") from exc
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror}") from exc
    return decode_dump(data, source=str(p))


def load_snapshot(path: str | Path, *, kind: str = "auto") -> Snapshot:
    """Load a snapshot bundle, or any single saved dump as a one-namespace snapshot."""
    text = read_text(path)
    if looks_like_json(text) and '"format"' in text[:4096]:
        doc = load_json(text, expected="a vxlan-inspect snapshot")
        if isinstance(doc, dict):
            return snapshot_from_json(doc, source=str(path))
    return Snapshot(namespaces=(namespace_from_dumps(Path(path).name, [(str(path), text)], kind=kind),))


def load_snapshots(paths: Iterable[str | Path], *, kind: str = "auto") -> Snapshot:
    """Load several files; dumps are merged into one namespace, bundles added as they are."""
    namespaces: list[NamespaceState] = []
    dumps: list[tuple[str, str]] = []
    meta: Snapshot | None = None
    for path in paths:
        text = read_text(path)
        if looks_like_json(text) and '"format"' in text[:4096]:
            snap = load_snapshot(path)
            meta = meta or snap
            namespaces.extend(snap.namespaces)
        else:
            dumps.append((str(path), text))
    if dumps:
        names = {Path(label).name for label, _ in dumps}
        name = next(iter(names)) if len(names) == 1 else "dumps"
        namespaces.append(namespace_from_dumps(name, dumps, kind=kind))
    base = meta or Snapshot()
    return replace(base, namespaces=tuple(namespaces))


def write_snapshot(snap: Snapshot, path: str | Path) -> None:
    """Write a snapshot bundle as indented JSON."""
    Path(path).write_text(json.dumps(snapshot_to_json(snap), indent=2) + "\n", encoding="utf-8")
