"""Keep the matching records of a block of classic-pcap records (the bulk path of ``read``)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vxlan_inspect.filter import Filter

_LE = struct.Struct("<II")
_BE = struct.Struct(">II")


def record_keeper(flt: Filter, linktype: int) -> Callable[[bytes, int, int, int], bool]:
    """``keep(data, pos, caplen, wirelen)``: does the record whose pcap header is at ``pos`` match?

    The same memo as :func:`select_records`, for loops that already walk the records
    (``PacketFormatter.format_block``), so the records are not walked twice.
    """
    memo = flt.memo(linktype)
    by_len = memo.by_len
    learn = memo.learn
    evaluate = memo.evaluate

    def keep(data: bytes, pos: int, caplen: int, wirelen: int) -> bool:
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

    return keep


def select_records(flt: Filter, data: bytes, count: int, order: str, linktype: int) -> tuple[bytes, int, int]:
    """See :meth:`Filter.select_block`."""
    unpack = (_LE if order == "<" else _BE).unpack_from
    memo = flt.memo(linktype)
    by_len = memo.by_len
    learn = memo.learn
    evaluate = memo.evaluate
    keep: list[int] = []
    pos = 0
    last = -1
    all_kept = True
    kept = 0
    for _ in range(count):
        caplen, wirelen = unpack(data, pos + 8)
        start = pos + 16
        end = start + caplen
        ok = None
        if memo.enabled:
            memo.lookups += 1
            shapes = by_len.get(caplen)
            if shapes is not None:
                for shape_unpack, table in shapes:
                    ok = table.get(shape_unpack(data, pos + 8))
                    if ok is not None:
                        break
            if ok is None:
                ok = learn(data, start, caplen, wirelen)
        else:
            ok = evaluate(data[start:end], wirelen)
        if ok:
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
