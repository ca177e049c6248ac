"""The vxlan details of ``ip -d link show``: text words and ``info_data`` JSON.

Two generations of iproute2 text exist (``ip/iplink_vxlan.c``):

* before 6.4: ``nolearning`` only when learning is off, ``proxy``/``rsc``/
  ``l2miss``/``l3miss`` only when on, and ``udpcsum``/``noudpcsum``,
  ``udp6zerocsumtx``/``noudp6zerocsumtx``... always (when the kernel reports them);
* from 6.4: every boolean printed only when it differs from its default (or
  with ``-d -d``), spelled ``[no]learning``, ``[no]udp_csum``,
  ``[no]udp_zero_csum6_tx``, ``[no]localbypass``...

Both parse to the same :class:`VxlanInfo`; booleans not printed take the default.
"""

from __future__ import annotations

from typing import Any

from vxlan_inspect.state.jsonitems import ItemError, get_bool, get_int, get_object, get_str
from vxlan_inspect.state.model import VXLAN_BOOLS, VxlanInfo
from vxlan_inspect.state.text import parse_int

#: text spelling -> (field, value)
_BOOL_WORDS: dict[str, tuple[str, bool]] = {}
for _field, (_default, _spellings) in VXLAN_BOOLS.items():
    for _word in _spellings:
        _BOOL_WORDS[_word] = (_field, True)
        _BOOL_WORDS["no" + _word] = (_field, False)
#: Booleans iproute2 knows that we do not model (accepted, ignored).
_IGNORED_BOOLS = {"localbypass", "nolocalbypass", "mcroute", "nomcroute", "novnifilter"}
_STR_ARGS = {"group": "group", "remote": "remote", "local": "local", "dev": "link", "df": "df",
             "flowlabel": "label"}
_INT_ARGS = {"id": "id", "dstport": "port", "maxaddr": "limit"}


def parse_vxlan_words(words: list[str]) -> VxlanInfo:
    """Parse the words after ``vxlan`` on a detail line; ValueError when malformed."""
    fields: dict[str, Any] = {}
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        arg = words[i + 1] if i + 1 < n else None
        if word in _BOOL_WORDS:
            name, value = _BOOL_WORDS[word]
            fields[name] = value
            i += 1
        elif word in _IGNORED_BOOLS:
            i += 1
        elif arg is None:
            raise ValueError(f"vxlan option {word!r} without a value")
        elif word in _INT_ARGS:
            fields[_INT_ARGS[word]] = parse_int(arg)
            i += 2
        elif word in _STR_ARGS:
            fields[_STR_ARGS[word]] = arg
            i += 2
        elif word == "srcport":
            if i + 2 >= n:
                raise ValueError("srcport needs two numbers")
            fields["port_range"] = (parse_int(arg), parse_int(words[i + 2]))
            i += 3
        elif word == "ttl":
            fields["ttl"] = 0 if arg == "auto" else None if arg == "inherit" else parse_int(arg)
            i += 2
        elif word == "tos":
            fields["tos"] = "0x1" if arg == "inherit" else arg
            i += 2
        elif word == "ageing":
            fields["ageing"] = 0 if arg == "none" else parse_int(arg)
            i += 2
        elif word == "reserved_bits":
            i += 2
        else:
            raise ValueError(f"unknown vxlan option {word!r}")
    if fields.get("df") == "unset":
        fields["df"] = None
    return VxlanInfo(**fields)


def vxlan_from_json(data: dict[str, Any]) -> VxlanInfo:
    """Build vxlan details from ``linkinfo.info_data`` of ``ip -j -d link show``."""
    fields: dict[str, Any] = {}
    fields["id"] = get_int(data, "id")
    fields["group"] = get_str(data, "group") or get_str(data, "group6")
    fields["remote"] = get_str(data, "remote") or get_str(data, "remote6")
    fields["local"] = get_str(data, "local") or get_str(data, "local6")
    fields["link"] = get_str(data, "link")
    port_range = get_object(data, "port_range")
    if port_range is not None:
        low, high = get_int(port_range, "low"), get_int(port_range, "high")
        if low is None or high is None:
            raise ItemError("'port_range' needs 'low' and 'high'")
        fields["port_range"] = (low, high)
    fields["port"] = get_int(data, "port")
    fields["ttl"] = get_int(data, "ttl")
    for key in ("tos", "label", "df"):
        value = data.get(key)
        if value is not None and not isinstance(value, str | int):
            raise ItemError(f"{key!r} should be a string, got {type(value).__name__}")
        fields[key] = None if value is None else str(value)
    if fields["df"] == "unset":
        fields["df"] = None
    fields["ageing"] = get_int(data, "ageing")
    fields["limit"] = get_int(data, "limit")
    for name, (default, _spellings) in VXLAN_BOOLS.items():
        fields[name] = get_bool(data, name, default)
    return VxlanInfo(**fields)


def describe_vxlan(info: VxlanInfo) -> list[str]:
    """One line per notable vxlan setting, explaining what it does (for ``state show``)."""
    lines = [f"VNI {info.id}, UDP destination port {info.port}" if info.id is not None else "no fixed VNI"]
    if info.external:
        lines.append("external: collect-metadata device; VNI and remote come from route metadata")
    if info.remote:
        lines.append(f"remote {info.remote}: point-to-point, all unknown traffic goes to that one VTEP")
    elif info.group:
        lines.append(f"group {info.group}: unknown and broadcast traffic is flooded to that multicast group")
    else:
        lines.append("no remote/group: destinations come only from FDB entries with 'dst' (Docker style)")
    if info.local:
        lines.append(f"local {info.local}: outer source address")
    lines.append("learning: learns remote MACs from received packets" if info.learning
                 else "nolearning: remote MACs only from the FDB that user space programs")
    if info.proxy:
        lines.append("proxy: answers ARP/ND locally from the neighbour table (ARP never crosses the tunnel)")
    if info.l2miss:
        lines.append("l2miss: tells user space when a destination MAC is missing from the FDB")
    if info.l3miss:
        lines.append("l3miss: tells user space when an IP is missing from the neighbour table")
    if info.rsc:
        lines.append("rsc: route short-circuit, rewrites the destination MAC from the neighbour table")
    if info.ageing is not None:
        lines.append(f"ageing {info.ageing}: learned FDB entries expire after {info.ageing} s"
                     if info.ageing else "ageing none: learned entries never expire")
    if info.port_range is not None and info.port_range != (0, 0):
        lines.append(f"srcport {info.port_range[0]}-{info.port_range[1]}: outer UDP source port range")
    if not info.udp_csum:
        lines.append("noudpcsum: outer UDP checksum not computed (IPv4)")
    return lines
