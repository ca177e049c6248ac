"""Keep the matching records of a block of classic-pcap records (the bulk path of ``read``).

Two ways to ask the same memo (:mod:`vxlan_inspect.filter.memo`):
:meth:`RecordKeeper.decide` answers a whole block with numpy from the shapes
already learned, and :attr:`RecordKeeper.one` answers one record (learning
what it has not seen). Loops that walk the records anyway
(``PacketFormatter.format_block``) take the block's answers first and ask
``one`` only where the answer is unknown.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from vxlan_inspect.filter import Filter

_LE = struct.Struct("<II")
_BE = struct.Struct(">II")


class RecordKeeper:
    """Does a record of this capture's link type match ``flt``?"""

    __slots__ = ("memo", "one")

    def __init__(self, flt: Filter, linktype: int) -> None:
        memo = self.memo = flt.memo(linktype)
        by_len = memo.by_len
        learn = memo.learn
        evaluate = memo.evaluate

        def one(data: bytes, pos: int, caplen: int, wirelen: int) -> bool:
            """The record whose pcap header is at ``pos``."""
            if memo.enabled:
                memo.lookups += 1
                shapes = by_len.get(caplen)
                if shapes is not None:
                    for shape_unpack, table in shapes:
                        ok = table.get(shape_unpack(data, pos + 8))
                        if ok is not None:
                            return ok
                return learn(data, pos + 16, caplen, wirelen)
            return evaluate(data[pos + 16 : pos + 16 + caplen], wirelen)

        self.one: Callable[[bytes, int, int, int], bool] = one

    def decide(self, data: bytes, offsets: list[int], order: str) -> list[int]:
        """Per record (by its header position in ``data``): 1 keep, 0 drop, -1 unknown (ask :attr:`one`)."""
        if not self.memo.enabled or not self.memo.vector:
            return [-1] * len(offsets)
        decided: npt.NDArray[np.int8] = self.memo.decide_block(data, np.array(offsets, dtype=np.int64), order)
        return decided.tolist()  # type: ignore[no-any-return]


def record_keeper(flt: Filter, linktype: int) -> RecordKeeper:
    """The keeper of ``flt`` for records of ``linktype`` (one memo per filter and link type)."""
    return RecordKeeper(flt, linktype)


def select_records(flt: Filter, data: bytes, count: int, order: str, linktype: int) -> tuple[bytes, int, int]:
    """See :meth:`Filter.select_block`."""
    unpack = (_LE if order == "<" else _BE).unpack_from
    keeper = record_keeper(flt, linktype)
    one = keeper.one
    offsets = [0] * count
    pos = 0
    for i in range(count):
        offsets[i] = pos
        pos += 16 + unpack(data, pos + 8)[0]
    decided = keeper.decide(data, offsets, order)
    keep: list[int] = []
    pos = 0
    last = -1
    all_kept = True
    kept = 0
    for i in range(count):
        caplen, wirelen = unpack(data, pos + 8)
        end = pos + 16 + caplen
        d = decided[i]
        if d > 0 or (d < 0 and one(data, pos, caplen, wirelen)):
            kept += 1
            last = pos
            if not all_kept:
                keep.append(pos)
                keep.append(end)
        elif all_kept:
            all_kept = False
            if pos:
                keep.append(0)
                keep.append(pos)
        pos = end
    if all_kept:
        return data, count, last
    mv = memoryview(data)
    out = b"".join([mv[keep[i] : keep[i + 1]] for i in range(0, len(keep), 2)])
    return out, kept, last
