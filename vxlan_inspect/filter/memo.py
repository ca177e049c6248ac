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

In block mode each learned shape is also kept as an array of byte positions
(relative to the record's wire-length field) and a table keyed by the bytes
found there, so :meth:`Memo.decide_block` answers the records of a whole block
with numpy: gather those bytes for every record, compare them with the few
learned keys, and leave only the records matching none of them to the
per-record path, which learns them.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from vxlan_inspect.filter.codegen import Reject
from vxlan_inspect.filter.levels import raw_levels

_MAX_SHAPES = 8
_MAX_ENTRIES = 1 << 16
_PROBATION = 4096
#: A shape with more learned keys than this is left to the per-record path in block mode.
_MAX_VECTOR_KEYS = 32


class _VectorShape:
    """One learned shape for block mode: byte positions and the answers by the bytes found there."""

    __slots__ = ("cache", "positions", "table", "width")

    def __init__(self, positions: list[int]) -> None:
        #: offsets from a record's wire-length field: its 4 bytes, then the frame's bytes read
        self.positions = np.array([0, 1, 2, 3] + [4 + p for p in positions], dtype=np.int64)
        self.width = -(-(int(self.positions[-1]) + 1) // 8)  # uint64 words from the wire length to the last byte
        self.table: dict[bytes, bool] = {}
        self.cache: tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64], npt.NDArray[np.bool_]] | None = None

    def add(self, data: bytes, wirelen_at: int, answer: bool) -> None:
        self.table[bytes(data[wirelen_at + int(p)] for p in self.positions)] = answer
        self.cache = None

    def hits(self, words: npt.NDArray[np.uint64],
             among: npt.NDArray[np.bool_]) -> list[tuple[npt.NDArray[np.bool_], bool]]:
        """For each learned key, the records (``among``) whose ``words`` (record x word) hold it."""
        if self.cache is None:
            mask_bytes = np.zeros(8 * self.width, dtype=np.uint8)
            mask_bytes[self.positions] = 0xFF
            key_bytes = np.zeros((len(self.table), 8 * self.width), dtype=np.uint8)
            for i, key in enumerate(self.table):
                key_bytes[i, self.positions] = np.frombuffer(key, dtype=np.uint8)
            self.cache = (mask_bytes.view(np.uint64), key_bytes.view(np.uint64), np.array(list(self.table.values())))
        mask, keys, answers = self.cache
        common = among.copy()
        differ: list[tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]] = []
        for j in np.flatnonzero(mask).tolist():
            column = words[:, j] & mask[j]
            if (keys[:, j] == keys[0, j]).all():
                common &= column == keys[0, j]
            else:
                differ.append((column, keys[:, j]))
        out = []
        for i, answer in enumerate(answers.tolist()):
            hit = common.copy()
            for column, values in differ:
                hit &= column == values[i]
            out.append((hit, bool(answer)))
        return out


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
        self.vector: dict[int, list[_VectorShape]] = {}

    def evaluate(self, b: bytes, wl: int) -> bool:
        """The filter's answer for frame ``b``, computed (no memo)."""
        try:
            return self.fn(b, wl, raw_levels(b, self.linktype, self.ports, self.need))
        except (Reject, IndexError):
            return False

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
        self.misses += 1
        if self.lookups >= _PROBATION and self.misses * 2 > self.lookups:
            self.enabled = False
        b = data[start : start + caplen]
        tracer = _Tracer(b)
        try:
            answer = bool(self.fn(cast(bytes, tracer), wl,
                                  raw_levels(cast(bytes, tracer), self.linktype, self.ports, self.need)))
        except (Reject, IndexError):
            answer = False
        positions = sorted(tracer.pos)
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
        self.misses += 1
        if self.lookups >= _PROBATION and self.misses * 2 > self.lookups:
            self.enabled = False
        b = data[start : start + caplen]
        tracer = _Tracer(b)
        try:
            answer = bool(self.fn(cast(bytes, tracer), wl,
                                  raw_levels(cast(bytes, tracer), self.linktype, self.ports, self.need)))
        except (Reject, IndexError):
            answer = False
        positions = sorted(tracer.pos)
        st = _struct_for(positions, "8s")
        shapes = self.by_len.setdefault(caplen, [])
        formats = self._by_len_formats.setdefault(caplen, [])
        vector = self.vector.setdefault(caplen, [])
        if st.format in formats:
            k = formats.index(st.format)
            table, vshape = shapes[k][1], vector[k]
        elif len(shapes) < _MAX_SHAPES:
            table, vshape = {}, _VectorShape(positions)
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

    def decide_block(self, data: bytes, offsets: npt.NDArray[np.int64], order: str) -> npt.NDArray[np.int8]:
        """Block mode, vectorised: per record 1 (keep), 0 (drop) or -1 (unknown: ask per record).

        ``offsets`` are the records' header positions in ``data`` (a classic pcap
        block of byte order ``order``). Only shapes and keys already learned are
        used, so every answer equals what the per-record lookup would give. Each
        record's bytes from its wire-length field on are gathered once as a row of
        words; a shape compares the words holding its positions, masked, with its
        keys (a word all keys agree on is compared once).
        """
        n = len(offsets)
        out = np.full(n, -1, dtype=np.int8)
        if not self.enabled or not self.vector or not n:
            return out
        width = max(s.width for shapes in self.vector.values() for s in shapes)
        usable = int(np.searchsorted(offsets, len(data) - 12 - 8 * width, side="right"))  # the last few: per record
        if not usable:
            return out
        at = offsets[:usable] + 8
        caplens = np.ndarray((len(data) - 3,), dtype=order + "u4", buffer=data, strides=(1,))[at]
        grid = np.ndarray((len(data) - 8 * width + 1, width), dtype=np.uint64, buffer=data, strides=(1, 8))
        words = grid[at + 4]  # per record: its bytes from the wire-length field on, as words
        head = out[:usable]
        pending = np.ones(usable, dtype=np.bool_)
        for _ in range(4 * _MAX_SHAPES):  # each distinct captured length (few in a block); the rest: per record
            first = int(pending.argmax())
            if not pending[first]:
                break
            group = caplens == caplens[first]
            pending &= ~group
            for shape in self.vector.get(int(caplens[first]), ()):
                if shape.table and len(shape.table) <= _MAX_VECTOR_KEYS:
                    for hit, answer in shape.hits(words, group):
                        head[hit] = answer
                        group &= ~hit
        self.lookups += int(np.count_nonzero(head >= 0))
        return out
