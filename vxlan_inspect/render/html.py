"""HTML for notebooks: packets, layers and a coloured, layer-by-layer hexdump.

Jupyter shows an object through its ``_repr_html_`` method. :class:`Packet` and
every layer class get one that calls :func:`packet_html` / :func:`layer_html`.

:func:`field_spans` is the data behind the pictures: for every layer of a
packet, each header field with the bytes it occupies (offsets into the frame),
its raw hex and its decoded value. The hexdump colours each byte by its layer
(outer layers in cool colours, layers carried inside VXLAN in warm ones) and
gives it a tooltip naming the field.

>>> from vxlan_inspect.render.html import field_spans, hexdump_html  # doctest: +SKIP
>>> spans = field_spans(packet)            # [FieldSpan(layer="ether", field="dst", start=0, end=6, ...), ...]
>>> html = hexdump_html(packet)            # a <div> for IPython.display.HTML
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from vxlan_inspect.decode.layers import (
    ARP,
    ICMP,
    TCP,
    UDP,
    VXLAN,
    Ethernet,
    ICMPv6,
    IPv4,
    IPv6,
    Layer,
    LinuxSLL,
    Null,
    Packet,
    Payload,
    Vlan,
)

#: Background colours per layer name: outer side (before the first VXLAN header) and inner side.
OUTER_COLOURS = {
    "ether": "#cfe2f3", "vlan": "#d9d2e9", "sll": "#cfe2f3", "null": "#cfe2f3", "ip": "#b6d7a8",
    "ip6": "#b6d7a8", "udp": "#a2c4c9", "tcp": "#a2c4c9", "icmp": "#d0e0e3", "icmp6": "#d0e0e3",
    "arp": "#d5a6bd", "vxlan": "#ffd966", "payload": "#eeeeee",
}
INNER_COLOURS = {
    "ether": "#f9cb9c", "vlan": "#f4cccc", "sll": "#f9cb9c", "null": "#f9cb9c", "ip": "#ea9999",
    "ip6": "#ea9999", "udp": "#f6b26b", "tcp": "#f6b26b", "icmp": "#e6b8af", "icmp6": "#e6b8af",
    "arp": "#d5a6bd", "vxlan": "#ffe599", "payload": "#f3f3f3",
}


@dataclass(frozen=True, slots=True)
class FieldSpan:
    """One header field: which layer, which bytes of the frame (``start`` to ``end``), raw hex and value."""

    layer: str
    index: int  # position of the layer in ``packet.layers``
    inner: bool  # carried inside a VXLAN header
    field: str
    start: int
    end: int
    hex: str
    value: str


def _spec(layer: Layer) -> list[tuple[str, int, int, Any]]:
    """(field, start, end, value) relative to the layer's offset."""
    if isinstance(layer, Ethernet):
        return [("dst", 0, 6, layer.dst), ("src", 6, 12, layer.src), ("type", 12, 14, f"0x{layer.type:04x}")]
    if isinstance(layer, Vlan):
        return [("pcp/dei/vid", 0, 2, f"pcp {layer.pcp} dei {layer.dei} vid {layer.vid}"),
                ("type", 2, 4, f"0x{layer.type:04x}")]
    if isinstance(layer, LinuxSLL):
        if layer.version == 1:
            return [("pkttype", 0, 2, f"{layer.pkttype} ({layer.direction})"), ("hatype", 2, 4, layer.hatype),
                    ("halen", 4, 6, None), ("addr", 6, 14, layer.addr), ("protocol", 14, 16, f"0x{layer.protocol:04x}")]
        return [("protocol", 0, 2, f"0x{layer.protocol:04x}"), ("reserved", 2, 4, None),
                ("ifindex", 4, 8, layer.ifindex), ("hatype", 8, 10, layer.hatype),
                ("pkttype", 10, 11, f"{layer.pkttype} ({layer.direction})"), ("halen", 11, 12, None),
                ("addr", 12, 20, layer.addr)]
    if isinstance(layer, Null):
        return [("family", 0, 4, layer.family)]
    if isinstance(layer, IPv4):
        spans: list[tuple[str, int, int, Any]] = [
            ("version/ihl", 0, 1, f"4 / header {layer.ihl} bytes"), ("tos", 1, 2, f"0x{layer.tos:02x}"),
            ("total_length", 2, 4, layer.total_length), ("id", 4, 6, f"0x{layer.id:04x}"),
            ("flags/frag_offset", 6, 8, f"{'DF ' if layer.df else ''}{'MF ' if layer.mf else ''}"
                                        f"offset {layer.frag_offset}"),
            ("ttl", 8, 9, layer.ttl), ("proto", 9, 10, layer.proto), ("checksum", 10, 12, f"0x{layer.checksum:04x}"),
            ("src", 12, 16, layer.src), ("dst", 16, 20, layer.dst)]
        if layer.length > 20:
            spans.append(("options", 20, layer.length, f"{layer.length - 20} bytes"))
        return spans
    if isinstance(layer, IPv6):
        spans = [("version/traffic_class/flow_label", 0, 4, f"6 / {layer.traffic_class} / {layer.flow_label}"),
                 ("payload_length", 4, 6, layer.payload_length), ("next_header", 6, 7, layer.next_header),
                 ("hop_limit", 7, 8, layer.hop_limit), ("src", 8, 24, layer.src), ("dst", 24, 40, layer.dst)]
        if layer.length > 40:
            spans.append(("extension headers", 40, layer.length, ",".join(str(e) for e in layer.ext)))
        return spans
    if isinstance(layer, UDP):
        return [("sport", 0, 2, layer.sport), ("dport", 2, 4, layer.dport), ("ulen", 4, 6, layer.ulen),
                ("checksum", 6, 8, f"0x{layer.checksum:04x}")]
    if isinstance(layer, TCP):
        spans = [("sport", 0, 2, layer.sport), ("dport", 2, 4, layer.dport), ("seq", 4, 8, layer.seq),
                 ("ack", 8, 12, layer.ack), ("data_offset/flags", 12, 14, f"{layer.data_offset} / 0x{layer.flags:02x}"),
                 ("window", 14, 16, layer.window), ("checksum", 16, 18, f"0x{layer.checksum:04x}"),
                 ("urgent", 18, 20, layer.urgent)]
        if layer.length > 20:
            spans.append(("options", 20, layer.length, f"{layer.length - 20} bytes"))
        return spans
    if isinstance(layer, ICMP | ICMPv6):
        spans = [("type", 0, 1, layer.type), ("code", 1, 2, layer.code), ("checksum", 2, 4, f"0x{layer.checksum:04x}")]
        echo = (0, 8) if isinstance(layer, ICMP) else (128, 129)
        if layer.type in echo:
            spans += [("id", 4, 6, layer.id), ("seq", 6, 8, layer.seq)]
        elif layer.length >= 8:
            spans.append(("rest of header", 4, 8, f"mtu {layer.mtu}" if layer.mtu else None))
        return spans
    if isinstance(layer, ARP):
        h, p = layer.hln, layer.pln
        return [("hrd", 0, 2, layer.hrd), ("pro", 2, 4, f"0x{layer.pro:04x}"), ("hln", 4, 5, h), ("pln", 5, 6, p),
                ("op", 6, 8, f"{layer.op} ({ {1: 'request', 2: 'reply'}.get(layer.op, '?') })"),
                ("sha", 8, 8 + h, layer.sha), ("spa", 8 + h, 8 + h + p, layer.spa),
                ("tha", 8 + h + p, 8 + 2 * h + p, layer.tha), ("tpa", 8 + 2 * h + p, 8 + 2 * h + 2 * p, layer.tpa)]
    if isinstance(layer, VXLAN):
        flags = "I" if layer.i_flag else "-"
        return [("flags", 0, 1, f"0x{layer.flags:02x} [{flags}]"),
                ("gbp/reserved", 1, 4, f"policy_id {layer.policy_id}" if layer.gbp else "reserved (0)"),
                ("vni", 4, 7, layer.vni), ("reserved", 7, 8, None)]
    assert isinstance(layer, Payload)
    return [("data", 0, layer.length, f"{layer.length} bytes" + (f" ({layer.proto})" if layer.proto else ""))]


def field_spans(packet: Packet) -> list[FieldSpan]:
    """Every field of every layer, outermost first, clipped to the captured bytes."""
    out: list[FieldSpan] = []
    inner = False
    data = packet.data
    for index, layer in enumerate(packet.layers):
        for fname, rel_start, rel_end, value in _spec(layer):
            start = layer.offset + rel_start
            end = min(layer.offset + rel_end, len(data))
            if start >= end:
                continue
            shown = data[start:end]
            hexed = shown.hex() if len(shown) <= 16 else shown[:16].hex() + "…"
            out.append(FieldSpan(layer.name, index, inner, fname, start, end, hexed,
                                 "" if value is None else str(value)))
        if layer.name == "vxlan":
            inner = True
    return out


def _colour(span: FieldSpan) -> str:
    return (INNER_COLOURS if span.inner else OUTER_COLOURS).get(span.layer, "#ffffff")


def _label(packet: Packet, index: int, inner: bool) -> str:
    name = packet.layers[index].name
    return f"{'inner' if inner else 'outer'} {name}"


def hexdump_html(packet: Packet, *, width: int = 16) -> str:
    """A hexdump of the captured bytes, one colour per layer, a tooltip per byte naming its field."""
    owner: dict[int, FieldSpan] = {}
    for span in field_spans(packet):
        for i in range(span.start, span.end):
            owner[i] = span
    data = packet.data
    rows = []
    for base in range(0, len(data), width):
        cells = []
        for i in range(base, min(base + width, len(data))):
            sp = owner.get(i)
            style = f"background:{_colour(sp)}" if sp else ""
            title = html.escape(f"{_label(packet, sp.index, sp.inner)}.{sp.field} = {sp.value}") if sp else ""
            sep = " border-left:2px solid #333;" if sp and sp.start == i else ""
            cells.append(f'<span title="{title}" style="{style};{sep} padding:0 2px">{data[i]:02x}</span>')
        rows.append(f"<div><span style='color:#888'>0x{base:04x}</span>  {' '.join(cells)}</div>")
    legend = []
    seen = set()
    for span in field_spans(packet):
        key = (span.index, span.inner)
        if key in seen:
            continue
        seen.add(key)
        legend.append(f"<span style='background:{_colour(span)};padding:0 4px;margin-right:4px'>"
                      f"{html.escape(_label(packet, span.index, span.inner))}</span>")
    return ("<div style='font-family:monospace;font-size:12px;line-height:1.6'>"
            f"<div style='margin-bottom:4px'>{''.join(legend)}</div>{''.join(rows)}</div>")


def _fields_table(spans: list[FieldSpan], packet: Packet, title: str) -> str:
    rows = []
    for sp in spans:
        label = html.escape(_label(packet, sp.index, sp.inner))
        rows.append(f"<tr style='background:{_colour(sp)}'><td>{label}</td>"
                    f"<td>{html.escape(sp.field)}</td><td>{sp.start}–{sp.end - 1}</td>"
                    f"<td style='font-family:monospace'>{html.escape(sp.hex)}</td>"
                    f"<td>{html.escape(sp.value)}</td></tr>")
    return (f"<table style='border-collapse:collapse;font-size:12px'><caption>{html.escape(title)}</caption>"
            "<tr><th>layer</th><th>field</th><th>bytes</th><th>hex</th><th>value</th></tr>"
            f"{''.join(rows)}</table>")


def fields_side_by_side_html(packet: Packet) -> str:
    """Two tables next to each other: the outer (underlay) fields, and the fields carried inside VXLAN."""
    spans = field_spans(packet)
    outer = [s for s in spans if not s.inner]
    inner = [s for s in spans if s.inner]
    left = _fields_table(outer, packet, "outer: underlay headers and VXLAN")
    right = _fields_table(inner, packet, "inner: the container's frame") if inner else "<p>(no VXLAN payload)</p>"
    return ("<div style='display:flex;gap:16px;align-items:flex-start'>"
            f"<div>{left}</div><div>{right}</div></div>")


def layer_html(layer: Layer) -> str:
    """One layer as a small table of its fields (used by each layer's ``_repr_html_``)."""
    colour = OUTER_COLOURS.get(layer.name, "#ffffff")
    names = [n for n in getattr(layer, "__slots__", ()) if not n.startswith("_")]
    cells = "".join(f"<tr><td>{html.escape(n)}</td><td>{html.escape(repr(getattr(layer, n)))}</td></tr>"
                    for n in names)
    return (f"<table style='font-size:12px'><caption style='background:{colour}'>"
            f"{html.escape(type(layer).__name__)} ({layer.name}, bytes {layer.offset}–"
            f"{layer.offset + layer.length - 1})</caption>{cells}</table>")


def packet_html(packet: Packet) -> str:
    """A packet: its summary, the layer stack, any issues, and the coloured hexdump."""
    stack = " / ".join(("<b>vxlan</b>" if layer.name == "vxlan" else layer.name) for layer in packet.layers)
    vx = packet.vxlan
    head = (f"<div><b>packet #{packet.index}</b>, {packet.caplen} of {packet.wirelen} bytes captured"
            f"{f', VNI {vx.vni}' if vx else ''}: {stack}</div>")
    issues = "".join(f"<li>{html.escape(i.layer)} {html.escape(i.kind)} at byte {i.offset}: "
                     f"{html.escape(i.message)}</li>" for i in packet.issues)
    return head + (f"<ul>{issues}</ul>" if issues else "") + hexdump_html(packet)


def table_html(entries: Any, *, columns: list[str] | None = None, caption: str = "") -> str:
    """Dataclass rows (FDB or neighbour entries, findings, diff items ...) as one HTML table.

    ``columns`` defaults to the slots of the first row; empty, ``None`` and
    ``()`` values print as blanks, tuples as space-separated words.
    """
    rows = list(entries)
    if columns is None:
        columns = [n for n in getattr(rows[0], "__slots__", ()) if not n.startswith("_")] if rows else []

    def cell(value: Any) -> str:
        if value is None or value == () or value == "":
            return ""
        if isinstance(value, tuple):
            return " ".join(str(v) for v in value)
        return str(value)

    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell(getattr(r, c, '')))}</td>" for c in columns) + "</tr>"
                   for r in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table style='font-size:12px'>{cap}<tr>{head}</tr>{body}</table>"


_NAMESPACE_COLUMNS = {
    "link": ["ifindex", "ifname", "link_type", "info_kind", "address", "mtu", "master", "operstate"],
    "fdb": ["mac", "ifname", "dst", "vni", "port", "vlan", "master", "state", "flags"],
    "neigh": ["dst", "dev", "lladdr", "state", "flags"],
    "addr": ["ifname", "family", "local", "prefixlen"],
    "route": ["dst", "gateway", "dev", "protocol", "scope", "prefsrc"],
}


def namespace_html(ns: Any) -> str:
    """A ``NamespaceState``: one table per non-empty kind (links, FDB, neighbours, addresses, routes)."""
    parts = [f"<div><b>namespace {html.escape(ns.name)}</b></div>"]
    for kind, columns in _NAMESPACE_COLUMNS.items():
        rows = ns.table(kind)
        if rows:
            present = [c for c in columns if any(getattr(r, c, None) not in (None, "", ()) for r in rows)]
            parts.append(table_html(rows, columns=present, caption=f"{kind} ({len(rows)})"))
    for warning in ns.warnings:
        parts.append(f"<div style='color:#a61c00'>{html.escape(warning)}</div>")
    return "".join(parts)


def snapshot_html(snapshot: Any) -> str:
    """A ``Snapshot``: host, time and versions, then :func:`namespace_html` per namespace."""
    facts = [f"{k} {v}" for k, v in (("host", snapshot.host), ("time", snapshot.time),
                                     ("kernel", snapshot.kernel), ("iproute2", snapshot.iproute2)) if v]
    head = f"<div>{html.escape(', '.join(facts))}</div>" if facts else ""
    return head + "".join(namespace_html(ns) for ns in snapshot.namespaces)


_STATUS_COLOURS = {"ok": "#d9ead3", "fail": "#f4cccc", "warn": "#fff2cc", "unknown": "#eeeeee"}


def trace_html(trace: Any) -> str:
    """An explain ``Trace`` (flow, numbered steps with location and evidence, verdict) as HTML.

    Duck-typed on :class:`vxlan_inspect.explain.Trace` so that render/ does not import explain/.
    """
    flow = trace.flow
    rows = []
    for number, step in enumerate(trace.steps, 1):
        loc = step.location
        where = " / ".join(x for x in (loc.host, loc.namespace, loc.device) if x)
        evidence = "<br>".join(html.escape(f"{e.file}" + (f" #{e.frame}" if e.frame else "")
                                           + (f" {e.table} line {e.line}" if e.line else ""))
                               for e in step.evidence)
        colour = _STATUS_COLOURS.get(step.status, "#ffffff")
        rows.append(f"<tr style='background:{colour}'><td>{number}</td><td>{html.escape(step.direction)}</td>"
                    f"<td>{html.escape(step.kind)}</td><td>{html.escape(where)}</td>"
                    f"<td>{html.escape(step.summary)}</td><td style='font-size:11px'>{evidence}</td></tr>")
    verdict = trace.verdict
    head = (f"<div><b>{html.escape(flow.kind)}</b> {html.escape(flow.src)} → {html.escape(flow.dst)}: "
            f"{flow.requests} request(s), {flow.replies} reply(ies)</div>")
    foot = (f"<div style='margin-top:4px'><b>verdict: {html.escape(verdict.code)}</b> — "
            f"{html.escape(verdict.summary)}" + (f"<br>fix: {html.escape(verdict.fix)}" if verdict.fix else "")
            + "</div>")
    return (head + "<table style='font-size:12px'><tr><th>#</th><th>dir</th><th>step</th><th>where</th>"
            f"<th>what</th><th>evidence</th></tr>{''.join(rows)}</table>" + foot)


__all__ = ["INNER_COLOURS", "OUTER_COLOURS", "FieldSpan", "field_spans", "fields_side_by_side_html",
           "hexdump_html", "layer_html", "namespace_html", "packet_html", "snapshot_html", "table_html", "trace_html"]
