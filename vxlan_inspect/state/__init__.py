"""Namespace state: typed FDB, neighbour, link, address and route tables.

Parsers are pure (text or ``-j`` JSON in, entries out); collectors read the
kernel through netlink; snapshots bundle per-namespace tables of one host.
"""

from __future__ import annotations

from vxlan_inspect.state.dump import detect_json_kind, detect_text_kind, parse_dump
from vxlan_inspect.state.model import (
    KINDS,
    Addr,
    FdbEntry,
    Link,
    NamespaceState,
    NeighEntry,
    ParseResult,
    ParseWarning,
    Route,
    Snapshot,
    VxlanInfo,
    entry_to_json,
)

__all__ = [
    "KINDS",
    "Addr",
    "FdbEntry",
    "Link",
    "NamespaceState",
    "NeighEntry",
    "ParseResult",
    "ParseWarning",
    "Route",
    "Snapshot",
    "VxlanInfo",
    "detect_json_kind",
    "detect_text_kind",
    "entry_to_json",
    "parse_dump",
]
