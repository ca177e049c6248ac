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
        import numpy as np

        from vxlan_inspect.filter.vector import decide_block

        decided = decide_block(self.memo, data, np.array(offsets, dtype=np.int64), order)
        return decided.tolist()  # type: ignore[no-any-return]


def record_keeper(flt: Filter, linktype: int) -> RecordKeeper:
    """The keeper of ``flt`` for records of ``linktype`` (one memo per filter and link type)."""
    return RecordKeeper(flt, linktype)


def select_records(flt: Filter, data: bytes, count: int, order: str, linktype: int,
                   known: list[int] | None = None) -> tuple[bytes, int, int]:
    """See :meth:`Filter.select_block`."""
    unpack = (_LE if order == "<" else _BE).unpack_from
    keeper = record_keeper(flt, linktype)
    if known is None:
        positions = [0] * (count + 1)
        pos = 0
        for i in range(count):
            positions[i] = pos
            pos += 16 + unpack(data, pos + 8)[0]
        positions[count] = pos
    else:
        positions = [*known, len(data)]
    import numpy as np

    from vxlan_inspect.filter.vector import decide_block

    offsets = np.array(positions, dtype=np.int64)
    decided = decide_block(keeper.memo, data, offsets[:count], order)
    one = keeper.one
    for i in np.flatnonzero(decided < 0).tolist():
        caplen, wirelen = unpack(data, positions[i] + 8)
        decided[i] = one(data, positions[i], caplen, wirelen)
    keep = decided.astype(np.bool_)
    if keep.all():
        return data, count, positions[count - 1] if count else -1
    if not keep.any():
        return b"", 0, -1
    edges = np.flatnonzero(np.diff(np.concatenate(([False], keep, [False])).astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]  # runs of kept records: [start, end)
    mv = memoryview(data)
    runs = zip(offsets[starts].tolist(), offsets[ends].tolist(), strict=True)
    return b"".join([mv[a:b] for a, b in runs]), int(keep.sum()), positions[int(ends[-1]) - 1]
