"""Filters that see inside the tunnel: pcap-filter syntax plus overlay keywords.

``compile_filter("vni 256 and inner icmp")`` returns a :class:`Filter`:

- ``Filter.matches(packet)`` on a decoded :class:`~vxlan_inspect.decode.Packet`;
- ``Filter.match_record(data, linktype)`` on raw captured bytes (no decoding);
- ``Filter.select_block(...)`` keeps the matching records of a pcap block;
- ``Filter.to_bpf(linktype)``: classic BPF for the part the kernel can run,
  and the residual filter to run on decoded packets.

The grammar and its semantics are in docs/filters.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vxlan_inspect.decode.layers import Packet
from vxlan_inspect.filter import nodes
from vxlan_inspect.filter.codegen import Reject, build
from vxlan_inspect.filter.levels import decoded_levels, raw_levels
from vxlan_inspect.filter.memo import Memo
from vxlan_inspect.filter.parser import parse

DEFAULT_VXLAN_PORTS = frozenset({4789, 8472})


class Filter:
    """A compiled filter expression (picklable: it is rebuilt from its text)."""

    def __init__(self, expression: str, tree: nodes.Node, vxlan_ports: Iterable[int] = DEFAULT_VXLAN_PORTS) -> None:
        self.expression = expression
        self.tree = tree
        self.vxlan_ports = frozenset(vxlan_ports)
        self._fn, self.source, self.need = build(tree)
        self._memos: dict[int, Memo] = {}

    def __repr__(self) -> str:
        return f"Filter({self.expression!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (compile_filter, (self.expression, self.vxlan_ports))

    def matches(self, packet: Packet) -> bool:
        """Whether a decoded packet matches (decoded with the same VXLAN ports)."""
        try:
            return self._fn(packet.data, packet.wirelen, decoded_levels(packet))
        except (Reject, IndexError):
            return False

    def match_record(self, data: bytes, linktype: int, wirelen: int | None = None) -> bool:
        """Whether one captured frame matches, read straight from its bytes (memoised by shape)."""
        return self.memo(linktype).decide(data, 0, len(data), len(data) if wirelen is None else wirelen)

    def match_bytes(self, data: bytes, linktype: int, wirelen: int | None = None) -> bool:
        """Like :meth:`match_record`, always evaluated (no memo): the reference for tests."""
        try:
            lv = raw_levels(data, linktype, self.vxlan_ports, self.need)
            return self._fn(data, len(data) if wirelen is None else wirelen, lv)
        except (Reject, IndexError):
            return False

    def memo(self, linktype: int) -> Memo:
        """The decision memo for frames of ``linktype`` (see :mod:`vxlan_inspect.filter.memo`)."""
        memo = self._memos.get(linktype)
        if memo is None:
            memo = self._memos[linktype] = Memo(self._fn, linktype, self.vxlan_ports, self.need)
        return memo

    def select_block(self, data: bytes, count: int, order: str, linktype: int,
                     positions: list[int] | None = None) -> tuple[bytes, int, int]:
        """Keep the matching records of ``count`` whole classic-pcap records packed in ``data``.

        Returns the kept records (``data`` itself when all match), their
        number, and the byte offset in ``data`` of the last kept record (-1 when none).
        ``positions`` (the records' header positions) saves walking the block again.
        """
        from vxlan_inspect.filter.block import select_records

        return select_records(self, data, count, order, linktype, positions)

    def to_bpf(self, linktype: int = 1) -> tuple[list[tuple[int, int, int, int]], Filter | None]:
        """Classic BPF for what the kernel can check, and the filter still to run on decoded packets.

        The program accepts a superset of the matching packets; the residual
        (None when the program is exact) makes the final decision.
        """
        from vxlan_inspect.filter.bpf import split_for_kernel

        return split_for_kernel(self, linktype)


def compile_filter(expression: str | Iterable[str], vxlan_ports: Iterable[int] = DEFAULT_VXLAN_PORTS) -> Filter:
    """Parse and compile a filter (a string, or argv words joined with spaces like tcpdump).

    Raises :class:`~vxlan_inspect.errors.FilterSyntaxError` (exit code 1) with
    the 1-based column of the offending token.
    """
    text = expression if isinstance(expression, str) else " ".join(expression)
    return Filter(text, parse(text), vxlan_ports)


__all__ = ["DEFAULT_VXLAN_PORTS", "Filter", "compile_filter", "parse"]
