"""IP Payload Compression (RFC 3173, IP protocol 108) as tcpdump's ``print-ipcomp.c`` prints it.

::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |  Next Header  |     Flags     | Compression Parameter Index   |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

tcpdump 4.99.3 prints only the CPI (bytes 2-3): not the next header or the flags, and it
does not decompress, so nothing follows. A CPI cut by the capture ends the line with
`` [|ipcomp]``.
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx


def ipcomp_print(ctx: Ctx, off: int) -> None:
    """``IPComp(cpi=0x1234)`` for the IPComp header at ``off``."""
    ctx.proto = "ipcomp"
    ctx.out.append("IPComp(cpi=0x%04x)" % ctx.u16(off + 2))
