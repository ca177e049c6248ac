"""Parse ``ip [-d] link show`` output, text and ``-j`` JSON, into :class:`Link`.

A text record is a header line ``N: NAME[@PEER]: <FLAGS> mtu ... state S mode M
group G qlen Q`` followed by continuation lines (``link/ether ...``, and with
``-d`` one line per kind: ``vxlan id ...``, ``bridge ...``, ``bridge_slave ...``).
Indentation is not relied on: a continuation line is any line that is not a
header. The vxlan details are in :mod:`vxlan_inspect.state.vxlan`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from vxlan_inspect.state.jsonitems import get_int, get_object, get_str, get_str_list, parse_items
from vxlan_inspect.state.model import Link, ParseWarning, VxlanInfo
from vxlan_inspect.state.text import clean_lines, parse_int, snippet
from vxlan_inspect.state.vxlan import parse_vxlan_words, vxlan_from_json

HEADER_RE = re.compile(r"^(\d+):\s+([^\s:@]+)(?:@(\S*?))?:\s+<([^>]*)>\s*(.*)$")
_HEADER_KEYS = {"mtu": "mtu", "qdisc": "qdisc", "master": "master", "state": "operstate",
                "mode": "linkmode", "group": "group", "qlen": "txqlen"}
_INT_FIELDS = ("mtu", "txqlen")
#: Continuation lines that are not a kind line.
_NOT_KIND = ("altname", "alias", "vf", "RX:", "TX:", "prop", "addrgenmode", "inet", "inet6",
             "valid_lft", "cache", "link-netns", "link-netnsid")


def is_link_header(line: str) -> bool:
    """True for the first line of an ``ip link``/``ip addr`` record."""
    return HEADER_RE.match(line) is not None


def parse_header(line: str) -> dict[str, Any]:
    """Fields of a header line; ValueError if it is not one."""
    m = HEADER_RE.match(line)
    if m is None:
        raise ValueError("not a link header")
    index, name, peer, flags, rest = m.groups()
    fields: dict[str, Any] = {"ifindex": int(index), "ifname": name,
                              "flags": tuple(f for f in flags.split(",") if f)}
    if peer:
        if re.fullmatch(r"if\d+", peer):
            fields["link_index"] = int(peer[2:])
        elif peer != "NONE":
            fields["link"] = peer
    tokens = rest.split()
    i = 0
    while i < len(tokens):
        key = _HEADER_KEYS.get(tokens[i])
        if key is not None and i + 1 < len(tokens):
            value: Any = tokens[i + 1]
            if key in _INT_FIELDS:
                if not (value.isascii() and value.isdigit()):
                    raise ValueError(f"{tokens[i]} {snippet(value)!r} is not a number")
                value = int(value)
            fields[key] = value
            i += 2
        else:
            i += 1
    return fields


def parse_linkline(line: str) -> dict[str, Any]:
    """Fields of a ``link/TYPE ADDR brd ADDR [link-netnsid N]`` line."""
    tokens = line.split()
    fields: dict[str, Any] = {"link_type": tokens[0][len("link/"):]}
    i = 1
    if i < len(tokens) and tokens[i] not in ("brd", "peer", "link-netnsid", "link-netns", "promiscuity"):
        fields["address"] = tokens[i].lower()
        i += 1
    while i < len(tokens):
        word = tokens[i]
        arg = tokens[i + 1] if i + 1 < len(tokens) else None
        if word == "brd" and arg is not None:
            fields["broadcast"] = arg.lower()
            i += 2
        elif word == "link-netnsid" and arg is not None:
            fields["link_netnsid"] = parse_int(arg)
            i += 2
        else:
            i += 1
    return fields


def _finish(fields: dict[str, Any], vxlan: VxlanInfo | None) -> Link:
    link = Link(**fields)
    if vxlan is not None:
        link = replace(link, vxlan=vxlan)
    return link


def parse_link_text(text: str) -> tuple[list[Link], list[ParseWarning]]:
    """Parse ``ip [-d] link show`` text; stray or broken lines become warnings."""
    links: list[Link] = []
    warnings: list[ParseWarning] = []
    current: dict[str, Any] | None = None
    vxlan: VxlanInfo | None = None
    for number, line in clean_lines(text):
        if HEADER_RE.match(line):
            if current is not None:
                links.append(_finish(current, vxlan))
            current, vxlan = None, None
            try:
                current = parse_header(line)
            except ValueError as exc:
                warnings.append(ParseWarning(number, f"bad link header: {exc}", snippet(line)))
            continue
        if current is None:
            warnings.append(ParseWarning(number, "line before any 'N: NAME: <FLAGS>' header", snippet(line)))
            continue
        try:
            first = line.split(None, 1)[0]
            if first.startswith("link/"):
                current.update(parse_linkline(line))
            elif first in _NOT_KIND or first[0].isdigit() or not re.fullmatch(r"[a-z][a-z0-9_]*", first):
                continue
            elif first.endswith("_slave"):
                current["info_slave_kind"] = first[: -len("_slave")]
            elif "info_kind" not in current:
                current["info_kind"] = first
                if first == "vxlan":  # parsed here, so a bad option is this line's warning
                    vxlan = parse_vxlan_words(line.split()[1:])
        except ValueError as exc:
            warnings.append(ParseWarning(number, f"bad link detail: {exc}", snippet(line)))
    if current is not None:
        links.append(_finish(current, vxlan))
    return links, warnings


def link_from_json(item: dict[str, Any]) -> Link:
    """Build a link from one ``ip -j [-d] link show`` object; ItemError if unusable."""
    ifindex = get_int(item, "ifindex", required=True)
    ifname = get_str(item, "ifname", required=True)
    assert ifindex is not None and ifname is not None
    fields: dict[str, Any] = {"ifindex": ifindex, "ifname": ifname,
                              "flags": tuple(get_str_list(item, "flags"))}
    for key in ("link", "qdisc", "master", "operstate", "linkmode", "group", "link_type"):
        fields[key] = get_str(item, key)
    for key in ("link_index", "mtu", "txqlen", "link_netnsid"):
        fields[key] = get_int(item, key)
    for key in ("address", "broadcast"):
        value = get_str(item, key)
        fields[key] = value.lower() if value else None
    info = get_object(item, "linkinfo")
    if info is not None:
        fields["info_kind"] = get_str(info, "info_kind")
        fields["info_slave_kind"] = get_str(info, "info_slave_kind")
        if fields["info_kind"] == "vxlan":
            data = get_object(info, "info_data") or {}
            fields["vxlan"] = vxlan_from_json(data)
    return Link(**fields)


def parse_link_json(data: Any) -> tuple[list[Link], list[ParseWarning]]:
    """Parse decoded ``ip -j [-d] link show`` JSON; bad items become warnings."""
    return parse_items(data, link_from_json, expected="ip -j -d link show")
