"""Answer a whole block of classic-pcap records from a filter memo's learned shapes, with numpy.

Each shape the memo (:mod:`vxlan_inspect.filter.memo`) learns in block mode is
also kept here as the byte positions the filter read (relative to the record's
wire-length field) and a table of answers keyed by the bytes found there.
:func:`decide_block` gathers every record's bytes as a row of 64-bit words,
masks them to a shape's positions and compares them with its few keys. Records
that no learned key covers are left to the per-record path, which learns them;
so every answer here is one the per-record lookup would give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from vxlan_inspect.filter.memo import Memo

#: A shape with more learned keys than this is left to the per-record path.
_MAX_VECTOR_KEYS = 32


class VectorShape:
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


def decide_block(memo: Memo, data: bytes, offsets: npt.NDArray[np.int64], order: str) -> npt.NDArray[np.int8]:
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
    if not memo.enabled or not memo.vector or not n:
        return out
    width = max(s.width for shapes in memo.vector.values() for s in shapes)
    usable = int(np.searchsorted(offsets, len(data) - 12 - 8 * width, side="right"))  # the last few: per record
    if not usable:
        return out
    at = offsets[:usable] + 8
    caplens = np.ndarray((len(data) - 3,), dtype=order + "u4", buffer=data, strides=(1,))[at]
    grid = np.ndarray((len(data) - 8 * width + 1, width), dtype=np.uint64, buffer=data, strides=(1, 8))
    words = grid[at + 4]  # per record: its bytes from the wire-length field on, as words
    head = out[:usable]
    pending = np.ones(usable, dtype=np.bool_)
    for _ in range(32):  # each distinct captured length (few in a block); the rest: per record
        first = int(pending.argmax())
        if not pending[first]:
            break
        group = caplens == caplens[first]
        pending &= ~group
        for shape in memo.vector.get(int(caplens[first]), ()):
            if shape.table and len(shape.table) <= _MAX_VECTOR_KEYS:
                for hit, answer in shape.hits(words, group):
                    head[hit] = answer
                    group &= ~hit
    memo.lookups += int(np.count_nonzero(head >= 0))
    return out
