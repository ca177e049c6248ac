"""Remember decisions by the exact bytes a filter read: the fast path for big captures.

Evaluating a filter on a frame is a deterministic function of the bytes it
reads, the captured length and the wire length. The first time a frame of
some *shape* is seen, it is evaluated through a :class:`_Tracer` that records
every byte position read; later frames are looked up by the values at those
positions (one ``struct.unpack_from``), so frames that agree there are
guaranteed to get the same answer without being evaluated. Overlay captures
repeat a handful of header layouts and flows, so nearly every lookup hits.
When lookups mostly miss (a filter reading ever-changing bytes such as the
IP id), the memo switches itself off.

In block mode each learned shape is also kept for
:mod:`vxlan_inspect.filter.vector`, which answers the records of a whole block
with numpy (imported only then, so that ``read`` without a filter does not
pay for it).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from vxlan_inspect.filter.codegen import Reject
from vxlan_inspect.filter.levels import raw_levels

if TYPE_CHECKING:
    from vxlan_inspect.filter.vector import VectorShape

_MAX_SHAPES = 8
_MAX_ENTRIES = 1 << 16
_PROBATION = 4096


class _Tracer:
    """Stands in for the frame's bytes and records which positions were read."""

    __slots__ = ("b", "n", "pos")

    def __init__(self, b: bytes) -> None:
        self.b = b
        self.n = len(b)
        self.pos: set[int] = set()

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, k: int | slice) -> Any:
        if isinstance(k, slice):
            start, stop, step = k.indices(self.n)
            self.pos.update(range(start, stop, step))
        elif -self.n <= k < self.n:
            self.pos.add(k % self.n)
        return self.b[k]


def _struct_for(positions: list[int], prefix: str = "") -> struct.Struct:
    """A struct that picks exactly ``positions`` (sorted) out of a frame, runs at a time.

    ``prefix`` (``"8s"``) also takes the 8 bytes before the frame: a classic
    pcap record header's captured and wire lengths.
    """
    fmt = ["!", prefix]
    at = 0
    i = 0
    while i < len(positions):
        j = i
        while j + 1 < len(positions) and positions[j + 1] == positions[j] + 1:
            j += 1
        start, length = positions[i], j - i + 1
        if start > at:
            fmt.append(f"{start - at}x")
        fmt.append({1: "B", 2: "H", 4: "I", 8: "Q"}.get(length, f"{length}s"))
        at = start + length
        i = j + 1
    return struct.Struct("".join(fmt))


class Memo:
    """Decides frames of one link type for one compiled filter, remembering by shape."""

    def __init__(self, fn: Callable[..., bool], linktype: int, ports: frozenset[int], need: int) -> None:
        self.fn = fn
        self.linktype = linktype
        self.ports = ports
        self.need = need
        self.shapes: list[tuple[Callable[[bytes, int], tuple[Any, ...]], int, str, dict[tuple[Any, ...], bool]]] = []
        self.enabled = True
        self.lookups = 0
        self.misses = 0
        #: block mode: captured length -> [(unpack at record header + 8, table)]
        self.by_len: dict[int, list[tuple[Callable[[bytes, int], tuple[Any, ...]], dict[tuple[Any, ...], bool]]]] = {}
        self._by_len_formats: dict[int, list[str]] = {}
        #: block mode, vectorised: captured length -> shapes, in the order of ``by_len``
        self.vector: dict[int, list[VectorShape]] = {}

    def evaluate(self, b: bytes, wl: int) -> bool:
        """The filter's answer for frame ``b``, computed (no memo)."""
        try:
            return self.fn(b, wl, raw_levels(b, self.linktype, self.ports, self.need))
        except (Reject, IndexError):
            return False

    def _traced(self, b: bytes, wl: int) -> tuple[bool, list[int]]:
        """A miss: the answer for frame ``b`` and the byte positions the filter read to reach it."""
        self.misses += 1
        if self.lookups >= _PROBATION and self.misses * 2 > self.lookups:
            self.enabled = False
        tracer = _Tracer(b)
        try:
            answer = bool(self.fn(cast(bytes, tracer), wl,
                                  raw_levels(cast(bytes, tracer), self.linktype, self.ports, self.need)))
        except (Reject, IndexError):
            answer = False
        return answer, sorted(tracer.pos)

    def decide(self, data: bytes, start: int, caplen: int, wl: int) -> bool:
        """The answer for the frame ``data[start:start+caplen]`` (``data`` may be a whole block)."""
        if not self.enabled:
            return self.evaluate(data[start : start + caplen], wl)
        self.lookups += 1
        for unpack, size, _fmt, table in self.shapes:
            if size <= caplen:
                hit = table.get((caplen, wl, unpack(data, start)))
                if hit is not None:
                    return hit
        answer, positions = self._traced(data[start : start + caplen], wl)
        st = _struct_for(positions)
        for shape in self.shapes:
            if shape[2] == st.format:
                table = shape[3]
                break
        else:
            if len(self.shapes) >= _MAX_SHAPES:
                return answer
            table = {}
            self.shapes.append((st.unpack_from, st.size, st.format, table))
        if len(table) >= _MAX_ENTRIES:
            table.clear()
        table[(caplen, wl, st.unpack_from(data, start))] = answer
        return answer

    def learn(self, data: bytes, start: int, caplen: int, wl: int) -> bool:
        """Block mode: evaluate the record at ``start`` (its pcap header just before) and remember it.

        The key is the record header's length fields plus the bytes read, so
        :func:`~vxlan_inspect.filter.block.select_records` looks records up
        with a single ``unpack_from(data, start - 8)``.
        """
        answer, positions = self._traced(data[start : start + caplen], wl)
        st = _struct_for(positions, "8s")
        shapes = self.by_len.setdefault(caplen, [])
        formats = self._by_len_formats.setdefault(caplen, [])
        vector = self.vector.setdefault(caplen, [])
        if st.format in formats:
            k = formats.index(st.format)
            table, vshape = shapes[k][1], vector[k]
        elif len(shapes) < _MAX_SHAPES:
            from vxlan_inspect.filter.vector import VectorShape

            table, vshape = {}, VectorShape(positions)
            shapes.append((st.unpack_from, table))
            formats.append(st.format)
            vector.append(vshape)
        else:
            return answer
        if len(table) >= _MAX_ENTRIES:
            table.clear()
            vshape.table.clear()
        table[st.unpack_from(data, start - 8)] = answer
        vshape.add(data, start - 4, answer)
        return answer
