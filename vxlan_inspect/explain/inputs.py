"""What ``explain`` reads: capture points, namespace tables, miss events, control plane.

This module is the I/O boundary of :mod:`vxlan_inspect.explain` (like
``capture/`` for the decoder): it loads a scenario bundle (``lab record``) or
explicit ``HOST[/NETNS[/IFACE]]=FILE`` inputs into an :class:`Inputs` value.
Everything after it is pure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from vxlan_inspect.errors import InputError, UsageError
from vxlan_inspect.state.controlplane import ControlPlane, merge_control_planes, parse_control_plane
from vxlan_inspect.state.model import KINDS, NamespaceState
from vxlan_inspect.state.snapshot import load_snapshot, namespace_from_dumps, read_text
from vxlan_inspect.state.text import looks_like_json

ROLES = ("host", "overlay", "container", "unknown")


@dataclass(frozen=True, slots=True)
class CapturePoint:
    """One capture file and where it was taken (``role``: host = underlay, overlay, container)."""

    id: str
    host: str
    namespace: str
    role: str
    interface: str
    file: str
    path: Path
    ifnames: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StateSource:
    """The tables of one namespace of one host, and the files they came from (by kind)."""

    host: str
    namespace: str
    role: str
    state: NamespaceState
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MissEvent:
    """An ``ip monitor neigh`` miss line: ``l2miss`` (FDB, ``mac``) or ``l3miss`` (neighbour, ``ip``)."""

    host: str
    namespace: str
    kind: str
    device: str
    file: str
    line: int
    text: str
    mac: str | None = None
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything one explanation is made from."""

    source: str
    captures: tuple[CapturePoint, ...] = ()
    states: tuple[StateSource, ...] = ()
    events: tuple[MissEvent, ...] = ()
    control_plane: ControlPlane | None = None
    control_plane_files: tuple[str, ...] = ()
    vteps: dict[str, str] = field(default_factory=dict)
    label: str = ""

    def hosts(self) -> list[str]:
        """Host names in first-seen order over state, captures and declared VTEPs."""
        seen: dict[str, None] = {}
        for name in [*self.vteps, *(s.host for s in self.states), *(c.host for c in self.captures)]:
            if name:
                seen.setdefault(name, None)
        return list(seen)


_MISS_L2 = re.compile(r"miss\s+dev\s+(\S+)\s+lladdr\s+([0-9a-fA-F:]{17})")
_MISS_L3 = re.compile(r"miss\s+([0-9.]+|[0-9a-fA-F:]+)\s+dev\s+(\S+)")


def parse_events(text: str, *, host: str, namespace: str, file: str) -> list[MissEvent]:
    """The l2miss/l3miss lines of ``ip [-ts] monitor neigh`` output (other lines are ignored)."""
    events: list[MissEvent] = []
    for number, line in enumerate(text.splitlines(), start=1):
        m2 = _MISS_L2.search(line)
        if m2:
            events.append(MissEvent(host, namespace, "l2miss", m2.group(1), file, number, line.strip(),
                                    mac=m2.group(2).lower()))
            continue
        m3 = _MISS_L3.search(line)
        if m3:
            events.append(MissEvent(host, namespace, "l3miss", m3.group(2), file, number, line.strip(),
                                    ip=m3.group(1)))
    return events


def _kind_from_name(path: str) -> str | None:
    name = Path(path).name
    for kind in KINDS:
        if re.search(rf"(^|[._-]){kind}([._-]|$)", name):
            return kind
    return None


def build_namespace(name: str, texts: list[tuple[str, str]], files: dict[str, str]) -> NamespaceState:
    """Like :func:`namespace_from_dumps`, but an empty dump is an empty table of the kind ``files`` names."""
    full = [(label, text) for label, text in texts if text.strip()]
    state = namespace_from_dumps(name, full) if full else NamespaceState(name=name)
    empty = [k for k, path in files.items() for label, text in texts if label == path and not text.strip()]
    present = tuple(dict.fromkeys([*state.tables_present, *empty]))
    return replace(state, tables_present=present)


# --- scenario bundles -----------------------------------------------------------------------------

def _bundle_doc(path: Path) -> dict[str, object]:
    meta = path / "scenario.json"
    if not meta.is_file():
        raise InputError(f"{path} is not a scenario bundle (no scenario.json)",
                         hint="pass a directory made by 'vxlan-inspect lab record', or use --capture/--state")
    try:
        doc = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{meta}: not readable JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != "vxlan-inspect-scenario":
        raise InputError(f"{meta} is not a vxlan-inspect scenario description")
    if doc.get("version") != 1:
        raise InputError(f"{meta}: scenario version {doc.get('version')!r}; this tool reads version 1",
                         hint="record the bundle again with this version")
    return doc


def load_bundle(path: str | Path, *, label: str | None = None) -> Inputs:
    """Load a scenario bundle directory; ``label`` picks the snapshot set (default ``after``)."""
    base = Path(path)
    if not base.is_dir():
        raise InputError(f"{base}: no such directory", hint="pass a scenario bundle directory")
    doc = _bundle_doc(base)
    try:
        vteps = {h["name"]: h["vtep"] for h in doc["hosts"]}  # type: ignore[attr-defined]
        spaces = {ns["id"]: ns for ns in doc["namespaces"]}  # type: ignore[attr-defined]
        captures: list[CapturePoint] = []
        for cap in doc["captures"]:  # type: ignore[attr-defined]
            ns = spaces.get(cap["namespace"], {})
            role = ns.get("role", "unknown")
            ifnames = {int(k): v for k, v in (ns.get("ifindex") or {}).items()}
            captures.append(CapturePoint(cap["id"], cap["host"], cap["namespace"], role, cap["interface"],
                                         cap["file"], base / cap["file"], ifnames))
        states: list[StateSource] = []
        chosen = ""
        for ns_id, ns in spaces.items():
            snaps = ns.get("snapshots") or {}
            if ns.get("role") == "switch" or not snaps:
                continue
            chosen = label or ("after" if "after" in snaps else list(snaps)[-1])
            if chosen not in snaps:
                raise UsageError(f"snapshot label {chosen!r} not in bundle", hint="labels: " + ", ".join(snaps))
            texts: list[tuple[str, str]] = []
            files: dict[str, str] = {}
            for kind, forms in snaps[chosen].items():
                rel = forms.get("text") or forms.get("json")
                texts.append((rel, read_text(base / rel)))
                files[kind] = rel
            state = build_namespace(ns["netns"], texts, files)
            states.append(StateSource(ns["host"], ns_id, ns["role"], state, files))
        events: list[MissEvent] = []
        for ev in doc.get("events") or []:  # type: ignore[attr-defined]
            host = spaces.get(ev["namespace"], {}).get("host", "")
            events.extend(parse_events(read_text(base / ev["file"]), host=host, namespace=ev["namespace"],
                                       file=ev["file"]))
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{base}/scenario.json lacks a field explain needs: {exc}") from exc
    return Inputs(source=str(base), captures=tuple(captures), states=tuple(states), events=tuple(events),
                  vteps=vteps, label=chosen)


# --- explicit inputs ------------------------------------------------------------------------------

def split_spec(spec: str, option: str, parts: int) -> tuple[list[str], str]:
    """Split ``HOST[/NETNS[/IFACE]]=PATH`` into the location parts (padded) and the path."""
    where, sep, path = spec.partition("=")
    if not sep or not where or not path:
        raise UsageError(f"{option} {spec!r}: expected HOST[/NETNS{'[/IFACE]' if parts == 3 else ''}]=PATH")
    names = where.split("/")
    if len(names) > parts or not names[0]:
        raise UsageError(f"{option} {spec!r}: too many '/' parts before '='")
    return names + [""] * (parts - len(names)), path


def _ns_id(host: str, netns: str) -> str:
    return f"{host}/{netns}" if netns and netns not in ("self", "host", "root") else host


def _role(netns: str, state: NamespaceState | None = None) -> str:
    if state is not None and (state.vxlan_links() or any(e.dst for e in state.fdb)):
        return "overlay"
    if not netns or netns in ("self", "host", "root"):
        return "host"
    if "overlay" in netns or re.fullmatch(r"\d+-[0-9a-f]{10}", netns):
        return "overlay"
    return "container"


def load_explicit(captures: list[str], states: list[str], control_planes: list[str] | None = None,
                  events: list[str] | None = None) -> Inputs:
    """Inputs from ``--capture``, ``--state``, ``--control-plane`` and ``--events`` options."""
    grouped: dict[tuple[str, str], list[tuple[str, str]]] = {}
    sources: list[StateSource] = []
    for spec in states:
        (host, netns), path = split_spec(spec, "--state", 2)
        text = read_text(path)
        if looks_like_json(text) and '"format"' in text[:4096]:
            snap = load_snapshot(path)
            for ns in snap.namespaces:
                name = netns or ("" if len(snap.namespaces) == 1 and ns.name == "self" else ns.name)
                sources.append(StateSource(host, _ns_id(host, name), _role(name, ns), ns,
                                           {k: path for k in ns.tables_present}))
        else:
            grouped.setdefault((host, netns), []).append((path, text))
    for (host, netns), texts in grouped.items():
        files = {}
        for path, text in texts:
            kind = _kind_from_name(path) if not text.strip() else None
            if kind is None and text.strip():
                kind = namespace_from_dumps(netns or host, [(path, text)]).tables_present[0]
            if kind is not None:
                files[kind] = path
        ns = build_namespace(netns or host, texts, files)
        sources.append(StateSource(host, _ns_id(host, netns), _role(netns, ns), ns, files))
    points: list[CapturePoint] = []
    for spec in captures:
        (host, netns, iface), path = split_spec(spec, "--capture", 3)
        if not Path(path).is_file():
            raise InputError(f"{path}: no such capture file")
        ns_id = _ns_id(host, netns)
        ifnames = {lk.ifindex: lk.ifname for s in sources if s.namespace == ns_id for lk in s.state.link}
        points.append(CapturePoint(f"{ns_id}:{iface or Path(path).stem}", host, ns_id, _role(netns), iface, path,
                                   Path(path), ifnames))
    if not points and not sources:
        raise UsageError("nothing to explain", hint="pass a bundle directory, or --capture and/or --state")
    return with_extras(Inputs(source="explicit inputs", captures=tuple(points), states=tuple(sources)),
                       control_planes, events)


def with_extras(inputs: Inputs, control_planes: list[str] | None = None,
                events: list[str] | None = None) -> Inputs:
    """``inputs`` with ``--control-plane`` files and ``--events`` logs added (bundle and explicit mode alike).

    A file that cannot be read is an :class:`InputError` (exit 2), never silently ignored.
    """
    if not control_planes and not events:
        return inputs
    plane = inputs.control_plane
    if control_planes:
        parsed = [parse_control_plane(read_text(p), source=p) for p in control_planes]
        plane = merge_control_planes([plane, *parsed] if plane is not None else parsed)
    found: list[MissEvent] = list(inputs.events)
    for spec in events or []:
        (host, netns), path = split_spec(spec, "--events", 2)
        found.extend(parse_events(read_text(path), host=host, namespace=_ns_id(host, netns or "overlay"),
                                  file=path))
    return replace(inputs, events=tuple(found), control_plane=plane,
                   control_plane_files=(*inputs.control_plane_files, *(control_planes or ())))
