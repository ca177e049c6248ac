"""The unit every reader yields: one captured frame and its metadata."""

from __future__ import annotations

from dataclasses import dataclass

# Link-layer header types (https://www.tcpdump.org/linktypes.html) that we name.
LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

#: libpcap's names and descriptions, as tcpdump prints them on stderr.
LINKTYPE_NAMES: dict[int, tuple[str, str]] = {
    LINKTYPE_NULL: ("NULL", "BSD loopback"),
    LINKTYPE_ETHERNET: ("EN10MB", "Ethernet"),
    LINKTYPE_RAW: ("RAW", "Raw IP"),
    LINKTYPE_LINUX_SLL: ("LINUX_SLL", "Linux cooked v1"),
    LINKTYPE_IPV4: ("IPV4", "Raw IPv4"),
    LINKTYPE_IPV6: ("IPV6", "Raw IPv6"),
    LINKTYPE_LINUX_SLL2: ("LINUX_SLL2", "Linux cooked v2"),
}

#: tcpdump refuses records longer than this (MAXIMUM_SNAPLEN).
MAXIMUM_SNAPLEN = 262144


@dataclass(slots=True)
class Record:
    """One captured frame.

    ``index`` is 1-based in file order (tcpdump's ``-#``); ``ts_ns`` is the
    timestamp in nanoseconds since the epoch (UTC); ``data`` holds ``caplen``
    bytes of a frame that was ``wirelen`` bytes long on the wire.
    ``interface`` is the pcapng interface id (0 for classic pcap).
    """

    index: int
    ts_ns: int
    linktype: int
    caplen: int
    wirelen: int
    data: bytes
    interface: int = 0


@dataclass(slots=True, frozen=True)
class CaptureInfo:
    """What a capture's header says: format, link type, snapshot length, precision."""

    format: str  # "pcap" or "pcapng"
    linktype: int
    snaplen: int
    nanosecond: bool
    byte_order: str  # "little" or "big"


def linktype_label(linktype: int) -> str:
    """``EN10MB (Ethernet)`` as tcpdump prints it after "link-type"."""
    name, desc = LINKTYPE_NAMES.get(linktype, (f"{linktype}", f"DLT {linktype}"))
    return f"{name} ({desc})"
