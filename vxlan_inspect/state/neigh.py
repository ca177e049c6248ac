"""Parse ``ip neigh show`` output, text and ``-j`` JSON, into :class:`NeighEntry`.

Text line (iproute2 ``ip/ipneigh.c`` order)::

    [Deleted] [miss] DST [dev IF] [lladdr MAC] [ref N] [used A/B/C] [probes N]
        [router] [proxy] [managed] [extern_learn] [offload] [extern_valid]
        [protocol P] STATE...
"""

from __future__ import annotations

import ipaddress
from typing import Any

from vxlan_inspect.state.jsonitems import ItemError, get_str, get_str_list, parse_items
from vxlan_inspect.state.model import NeighEntry, ParseWarning
from vxlan_inspect.state.text import clean_lines, snippet

STATES = ("INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT", "NONE")
FLAGS = ("router", "proxy", "managed", "extern_learn", "offload", "extern_valid")
_SKIP_WITH_ARG = ("ref", "used", "probes", "protocol")


def is_address(token: str) -> bool:
    """True when ``token`` is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(token)
    except ValueError:
        return False
    return True


def is_neigh_line(line: str) -> bool:
    """True when ``line`` looks like an ``ip neigh show`` line (address, then lladdr or a state)."""
    tokens = line.split()
    while tokens and tokens[0] in ("Deleted", "miss"):
        tokens = tokens[1:]
    if not tokens or not is_address(tokens[0]):
        return False
    return "lladdr" in tokens or tokens[-1] in STATES


def parse_neigh_line(line: str) -> NeighEntry:
    """Parse one text line; raise ValueError saying what is wrong."""
    tokens = line.split()
    while tokens and tokens[0] in ("Deleted", "miss"):
        tokens = tokens[1:]
    if not tokens or not is_address(tokens[0]):
        raise ValueError("does not start with an IP address")
    fields: dict[str, Any] = {"dst": tokens[0]}
    flags: list[str] = []
    state: list[str] = []
    i, n = 1, len(tokens)
    while i < n:
        word = tokens[i]
        arg = tokens[i + 1] if i + 1 < n else None
        if word in ("dev", "lladdr") and arg is not None:
            fields[word] = arg.lower() if word == "lladdr" else arg
            i += 2
        elif word in _SKIP_WITH_ARG and arg is not None:
            i += 2
        elif word in FLAGS:
            flags.append(word)
            i += 1
        elif word in STATES:
            state.append(word)
            i += 1
        else:
            raise ValueError(f"unexpected word {word!r}")
    fields["flags"] = tuple(flags)
    fields["state"] = tuple(state)
    return NeighEntry(**fields)


def parse_neigh_text(text: str) -> tuple[list[NeighEntry], list[ParseWarning]]:
    """Parse ``ip neigh show`` text; unparsable lines become warnings."""
    entries: list[NeighEntry] = []
    warnings: list[ParseWarning] = []
    for number, line in clean_lines(text):
        try:
            entries.append(parse_neigh_line(line))
        except ValueError as exc:
            warnings.append(ParseWarning(number, f"not a neighbour entry: {exc}", snippet(line)))
    return entries, warnings


def neigh_from_json(item: dict[str, Any]) -> NeighEntry:
    """Build an entry from one ``ip -j neigh show`` object; ItemError if unusable."""
    dst = get_str(item, "dst", required=True)
    assert dst is not None
    if not is_address(dst):
        raise ItemError(f"'dst' is {dst!r}, not an IP address")
    lladdr = get_str(item, "lladdr")
    flags = tuple(f for f in FLAGS if f in item)
    state = tuple(get_str_list(item, "state"))
    unknown = [s for s in state if s not in STATES]
    if unknown:
        raise ItemError(f"unknown neighbour state {unknown[0]!r}")
    return NeighEntry(
        dst=dst,
        dev=get_str(item, "dev"),
        lladdr=lladdr.lower() if lladdr else None,
        flags=flags,
        state=state,
    )


def parse_neigh_json(data: Any) -> tuple[list[NeighEntry], list[ParseWarning]]:
    """Parse decoded ``ip -j neigh show`` JSON; bad items become warnings."""
    return parse_items(data, neigh_from_json, expected="ip -j neigh show")
