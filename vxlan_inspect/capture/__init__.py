"""Bytes in: pcap and pcapng readers and a pcap writer.

>>> from vxlan_inspect.capture import open_capture
>>> with open_capture("captures/basic/vxlan-icmp.pcap") as cap:  # doctest: +SKIP
...     for record in cap:
...         print(record.index, record.linktype, record.caplen)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vxlan_inspect.capture.reader import Capture, capture_from_bytes, open_capture, read_capture
from vxlan_inspect.capture.record import (
    LINKTYPE_ETHERNET,
    LINKTYPE_IPV4,
    LINKTYPE_IPV6,
    LINKTYPE_LINUX_SLL,
    LINKTYPE_LINUX_SLL2,
    LINKTYPE_NULL,
    LINKTYPE_RAW,
    MAXIMUM_SNAPLEN,
    CaptureInfo,
    Record,
    linktype_label,
)

__all__ = [
    "LINKTYPE_ETHERNET",
    "LINKTYPE_IPV4",
    "LINKTYPE_IPV6",
    "LINKTYPE_LINUX_SLL",
    "LINKTYPE_LINUX_SLL2",
    "LINKTYPE_NULL",
    "LINKTYPE_RAW",
    "MAXIMUM_SNAPLEN",
    "Capture",
    "CaptureInfo",
    "CaptureStats",
    "LiveCapture",
    "Record",
    "capture_from_bytes",
    "linktype_label",
    "live",
    "open_capture",
    "open_live",
    "read_capture",
]

if TYPE_CHECKING:
    from vxlan_inspect.capture.live import CaptureStats, LiveCapture, live, open_live

_LIVE = ("CaptureStats", "LiveCapture", "live", "open_live")


def __getattr__(name: str) -> Any:
    """Live capture loads on first use: reading a file needs none of it (start-up time)."""
    if name in _LIVE:
        import importlib

        return getattr(importlib.import_module("vxlan_inspect.capture.live"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
