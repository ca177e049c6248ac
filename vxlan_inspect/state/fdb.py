"""Parse ``bridge fdb show`` output, text and ``-j`` JSON, into :class:`FdbEntry`.

Text line (iproute2 ``bridge/fdb.c`` order)::

    MAC [dev IF] [dst IP] [vlan N] [port N] [vni N] [src_vni N] [via IF|via ifindex N]
        [nhid N] [link-netnsid N] [used A/B] [self] [router] [extern_learn] [offload]
        [master] [sticky] [locked] [master BRIDGE] [permanent|static|stale|state=0xN]
"""

from __future__ import annotations

import re
from typing import Any

from vxlan_inspect.state.jsonitems import ItemError, get_int, get_str, get_str_list, parse_items
from vxlan_inspect.state.model import FdbEntry, ParseWarning
from vxlan_inspect.state.text import clean_lines, parse_int, snippet

MAC_RE = re.compile(r"^[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}$")
FLAG_WORDS = ("self", "router", "extern_learn", "offload", "sticky", "locked")
STATE_WORDS = ("permanent", "static", "stale")
_INT_KEYS = {"vlan": "vlan", "port": "port", "vni": "vni", "src_vni": "src_vni", "nhid": "nhid",
             "link-netnsid": "link_netnsid"}


def is_fdb_line(line: str) -> bool:
    """True when ``line`` starts like a ``bridge fdb show`` line."""
    first = line.split(None, 1)[0] if line else ""
    if first == "Deleted":
        parts = line.split(None, 2)
        first = parts[1] if len(parts) > 1 else ""
    return bool(MAC_RE.match(first))


def parse_fdb_line(line: str) -> FdbEntry:
    """Parse one text line; raise ValueError saying what is wrong."""
    tokens = line.split()
    if tokens and tokens[0] == "Deleted":
        tokens = tokens[1:]
    if not tokens or not MAC_RE.match(tokens[0]):
        raise ValueError("does not start with a MAC address")
    fields: dict[str, Any] = {"mac": tokens[0].lower()}
    flags: list[str] = []
    i = 1
    n = len(tokens)
    while i < n:
        word = tokens[i]
        arg = tokens[i + 1] if i + 1 < n else None
        if word in ("dev", "dst") and arg is not None:
            fields["ifname" if word == "dev" else "dst"] = arg
            i += 2
        elif word in _INT_KEYS and arg is not None:
            fields[_INT_KEYS[word]] = parse_int(arg)
            i += 2
        elif word == "via" and arg == "ifindex" and i + 2 < n:
            fields["via"] = f"ifindex {parse_int(tokens[i + 2])}"
            i += 3
        elif word == "via" and arg is not None:
            fields["via"] = arg
            i += 2
        elif word == "used" and arg is not None:
            i += 2
        elif word == "master":
            if arg is not None and arg not in FLAG_WORDS and arg not in STATE_WORDS and arg != "master" \
                    and not arg.startswith("state="):
                fields["master"] = arg
                i += 2
            else:
                flags.append("master")
                i += 1
        elif word in FLAG_WORDS:
            flags.append(word)
            i += 1
        elif word in STATE_WORDS:
            fields["state"] = word
            i += 1
        elif word.startswith("state="):
            fields["state"] = word[len("state="):]
            i += 1
        elif word in ("activity_notify", "inactive"):
            i += 1
        else:
            raise ValueError(f"unexpected word {word!r}")
    fields["flags"] = tuple(flags)
    return FdbEntry(**fields)


def parse_fdb_text(text: str) -> tuple[list[FdbEntry], list[ParseWarning]]:
    """Parse ``bridge fdb show`` text; unparsable lines become warnings."""
    entries: list[FdbEntry] = []
    warnings: list[ParseWarning] = []
    for number, line in clean_lines(text):
        try:
            entries.append(parse_fdb_line(line))
        except ValueError as exc:
            warnings.append(ParseWarning(number, f"not an fdb entry: {exc}", snippet(line)))
    return entries, warnings


def fdb_from_json(item: dict[str, Any]) -> FdbEntry:
    """Build an entry from one ``bridge -j fdb show`` object; ItemError if unusable."""
    mac = get_str(item, "mac", required=True)
    assert mac is not None
    if not MAC_RE.match(mac):
        raise ItemError(f"'mac' is {mac!r}, not a MAC address")
    via = get_str(item, "viaIf")
    via_index = get_int(item, "viaIfIndex")
    if via_index is not None:
        via = f"ifindex {via_index}"
    return FdbEntry(
        mac=mac.lower(),
        ifname=get_str(item, "ifname"),
        dst=get_str(item, "dst"),
        vlan=get_int(item, "vlan"),
        port=get_int(item, "port"),
        vni=get_int(item, "vni"),
        src_vni=get_int(item, "src_vni"),
        via=via,
        nhid=get_int(item, "nhid"),
        link_netnsid=get_int(item, "linkNetNsId"),
        flags=tuple(get_str_list(item, "flags")),
        master=get_str(item, "master"),
        state=get_str(item, "state") or "",
    )


def parse_fdb_json(data: Any) -> tuple[list[FdbEntry], list[ParseWarning]]:
    """Parse decoded ``bridge -j fdb show`` JSON; bad items become warnings."""
    return parse_items(data, fdb_from_json, expected="bridge -j fdb show")
