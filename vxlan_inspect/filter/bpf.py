"""Classic BPF for the kernel part of a filter (placeholder until the compiler lands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vxlan_inspect.filter import Filter

Insn = tuple[int, int, int, int]
ACCEPT_ALL: list[Insn] = [(0x06, 0, 0, 262144)]


def split_for_kernel(flt: Filter, linktype: int) -> tuple[list[Insn], Filter | None]:
    """For now: accept everything in the kernel and run the whole filter on decoded packets."""
    del linktype
    return list(ACCEPT_ALL), flt
