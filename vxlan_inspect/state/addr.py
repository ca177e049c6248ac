"""Parse ``ip addr show`` output, text and ``-j`` JSON, into :class:`Addr` (one per address).

Text record: the link header, ``link/ether ...``, then per address
``inet ADDR/PLEN [peer P] [brd B] scope S [flags...] [LABEL]`` followed by
``valid_lft X preferred_lft Y`` (``forever`` is 4294967295, as in JSON).
"""

from __future__ import annotations

from typing import Any

from vxlan_inspect.state.jsonitems import ItemError, get_int, get_str, parse_items
from vxlan_inspect.state.link import HEADER_RE, parse_header
from vxlan_inspect.state.model import Addr, ParseWarning
from vxlan_inspect.state.text import clean_lines, snippet

FOREVER = 4294967295
FLAGS = ("secondary", "temporary", "dynamic", "nodad", "optimistic", "dadfailed", "home", "deprecated",
         "tentative", "mngtmpaddr", "noprefixroute", "autojoin", "stable-privacy")


def _lifetime(value: str) -> int:
    if value == "forever":
        return FOREVER
    return int(value.removesuffix("sec"))


def parse_inet_line(line: str, ifname: str, ifindex: int) -> Addr:
    """Parse one ``inet``/``inet6`` line of an ``ip addr`` record."""
    tokens = line.split()
    family = tokens[0]
    if "/" in tokens[1]:
        local, plen = tokens[1].split("/", 1)
        prefixlen = int(plen)
    else:
        local, prefixlen = tokens[1], 32 if family == "inet" else 128
    fields: dict[str, Any] = {"ifname": ifname, "ifindex": ifindex, "family": family,
                              "local": local, "prefixlen": prefixlen}
    flags: list[str] = []
    i = 2
    while i < len(tokens):
        word = tokens[i]
        arg = tokens[i + 1] if i + 1 < len(tokens) else None
        if word in ("peer", "brd", "scope", "metric", "any", "proto") and arg is not None:
            if word == "peer":
                fields["address"] = arg.split("/", 1)[0]
            elif word == "brd":
                fields["broadcast"] = arg
            elif word == "scope":
                fields["scope"] = arg
            i += 2
        elif word in FLAGS:
            flags.append(word)
            i += 1
        elif family == "inet" and i == len(tokens) - 1:
            fields["label"] = word
            i += 1
        else:
            raise ValueError(f"unexpected word {word!r}")
    fields["flags"] = tuple(sorted(flags))
    return Addr(**fields)


def parse_addr_text(text: str) -> tuple[list[Addr], list[ParseWarning]]:
    """Parse ``ip addr show`` text; broken lines become warnings."""
    addrs: list[Addr] = []
    warnings: list[ParseWarning] = []
    header: dict[str, Any] | None = None
    for number, line in clean_lines(text):
        if HEADER_RE.match(line):
            try:
                header = parse_header(line)
            except ValueError as exc:
                header = None
                warnings.append(ParseWarning(number, f"bad link header: {exc}", snippet(line)))
            continue
        first = line.split(None, 1)[0]
        if first.startswith("link/") or first in ("altname", "alias"):
            continue
        if header is None:
            warnings.append(ParseWarning(number, "line before any 'N: NAME: <FLAGS>' header", snippet(line)))
            continue
        try:
            if first in ("inet", "inet6"):
                addrs.append(parse_inet_line(line, header["ifname"], header["ifindex"]))
            elif first == "valid_lft" and addrs:
                tokens = line.split()
                last = addrs[-1]
                addrs[-1] = Addr(**{**_asdict(last), "valid_life_time": _lifetime(tokens[1]),
                                    "preferred_life_time": _lifetime(tokens[3])})
            else:
                warnings.append(ParseWarning(number, f"unexpected line starting {first!r}", snippet(line)))
        except (ValueError, IndexError) as exc:
            warnings.append(ParseWarning(number, f"bad address line: {exc}", snippet(line)))
    return addrs, warnings


def _asdict(addr: Addr) -> dict[str, Any]:
    return {name: getattr(addr, name) for name in Addr.__dataclass_fields__}


def _addrs_from_json(item: dict[str, Any]) -> list[Addr]:
    ifname = get_str(item, "ifname", required=True)
    ifindex = get_int(item, "ifindex")
    assert ifname is not None
    infos = item.get("addr_info", [])
    if not isinstance(infos, list):
        raise ItemError("'addr_info' should be a list")
    out: list[Addr] = []
    for info in infos:
        if not isinstance(info, dict):
            raise ItemError("an 'addr_info' item is not an object")
        if not info:
            continue
        family = get_str(info, "family", required=True)
        local = get_str(info, "local", required=True)
        prefixlen = get_int(info, "prefixlen", required=True)
        assert family is not None and local is not None and prefixlen is not None
        flags = tuple(sorted(f for f in FLAGS if info.get(f) is True))
        out.append(Addr(ifname=ifname, ifindex=ifindex, family=family, local=local, prefixlen=prefixlen,
                        address=get_str(info, "address"), broadcast=get_str(info, "broadcast"),
                        scope=get_str(info, "scope"), label=get_str(info, "label"), flags=flags,
                        valid_life_time=get_int(info, "valid_life_time"),
                        preferred_life_time=get_int(info, "preferred_life_time")))
    return out


def parse_addr_json(data: Any) -> tuple[list[Addr], list[ParseWarning]]:
    """Parse decoded ``ip -j addr show`` JSON; bad items become warnings."""
    groups, warnings = parse_items(data, _addrs_from_json, expected="ip -j addr show")
    return [a for group in groups for a in group], warnings
