"""Parse ``ip route show`` output, text and ``-j`` JSON, into :class:`Route`.

Text line (iproute2 ``ip/iproute.c``)::

    [TYPE] DST [from SRC] [tos T] [table T] [via GW] [dev IF] [proto P] [scope S]
        [src A] [metric N] [FLAGS...] [pref P] [mtu N] ...

Multipath ``nexthop`` lines are reported as warnings (not modelled).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from vxlan_inspect.state.jsonitems import get_int, get_str, get_str_list, parse_items
from vxlan_inspect.state.model import ParseWarning, Route
from vxlan_inspect.state.text import clean_lines, snippet

TYPES = ("unicast", "local", "broadcast", "multicast", "throw", "unreachable", "prohibit", "blackhole",
         "nat", "anycast")
FLAGS = ("onlink", "pervasive", "offload", "trap", "notify", "linkdown", "dead", "unresolved",
         "rt_offload", "rt_trap", "rt_offload_failed")
_KEYS = {"via": "gateway", "dev": "dev", "proto": "protocol", "scope": "scope", "src": "prefsrc",
         "table": "table", "metric": "metric"}
#: Keywords with one argument that we accept but do not model.
_SKIP = ("from", "tos", "pref", "mtu", "advmss", "rtt", "rttvar", "window", "cwnd", "initcwnd",
         "initrwnd", "hoplimit", "expires", "realms", "nhid", "features", "quickack", "congctl",
         "fastopen_no_cookie", "ssthresh", "reordering", "rto_min", "error", "weight", "encap")


def is_destination(token: str) -> bool:
    """True for ``default``, an address or a prefix."""
    if token == "default":
        return True
    try:
        ipaddress.ip_network(token, strict=False)
    except ValueError:
        return False
    return True


def is_route_line(line: str) -> bool:
    """True when ``line`` looks like an ``ip route show`` line."""
    tokens = line.split()
    if tokens and tokens[0] in TYPES:
        tokens = tokens[1:]
    if not tokens or not is_destination(tokens[0]):
        return False
    rest = set(tokens[1:])
    return ("lladdr" not in rest and bool(rest & {"dev", "via", "proto", "scope"})) or tokens[0] == "default"


def parse_route_line(line: str) -> Route:
    """Parse one text line; raise ValueError saying what is wrong."""
    tokens = line.split()
    fields: dict[str, Any] = {}
    if tokens and tokens[0] in TYPES:
        if tokens[0] != "unicast":
            fields["type"] = tokens[0]
        tokens = tokens[1:]
    if not tokens or not is_destination(tokens[0]):
        raise ValueError("does not start with a destination")
    fields["dst"] = tokens[0]
    flags: list[str] = []
    i, n = 1, len(tokens)
    while i < n:
        word = tokens[i]
        arg = tokens[i + 1] if i + 1 < n else None
        if word in _KEYS and arg is not None:
            if word == "via" and arg in ("inet", "inet6") and i + 2 < n:
                i += 1
                arg = tokens[i + 1]
            fields[_KEYS[word]] = int(arg) if word == "metric" else arg
            i += 2
        elif word in _SKIP and arg is not None:
            i += 2
        elif word in FLAGS:
            flags.append(word)
            i += 1
        else:
            raise ValueError(f"unexpected word {word!r}")
    fields["flags"] = tuple(flags)
    return Route(**fields)


def parse_route_text(text: str) -> tuple[list[Route], list[ParseWarning]]:
    """Parse ``ip route show`` text; unparsable lines become warnings."""
    routes: list[Route] = []
    warnings: list[ParseWarning] = []
    for number, line in clean_lines(text):
        if line.startswith("nexthop"):
            warnings.append(ParseWarning(number, "multipath nexthop line not modelled", snippet(line)))
            continue
        try:
            routes.append(parse_route_line(line))
        except ValueError as exc:
            warnings.append(ParseWarning(number, f"not a route: {exc}", snippet(line)))
    return routes, warnings


def route_from_json(item: dict[str, Any]) -> Route:
    """Build a route from one ``ip -j route show`` object; ItemError if unusable."""
    dst = get_str(item, "dst", required=True)
    assert dst is not None
    rtype = get_str(item, "type")
    return Route(
        dst=dst,
        type=None if rtype == "unicast" else rtype,
        gateway=get_str(item, "gateway"),
        dev=get_str(item, "dev"),
        protocol=get_str(item, "protocol"),
        scope=get_str(item, "scope"),
        prefsrc=get_str(item, "prefsrc"),
        metric=get_int(item, "metric"),
        table=get_str(item, "table"),
        flags=tuple(get_str_list(item, "flags")),
    )


def parse_route_json(data: Any) -> tuple[list[Route], list[ParseWarning]]:
    """Parse decoded ``ip -j route show`` JSON; bad items become warnings."""
    return parse_items(data, route_from_json, expected="ip -j route show")
