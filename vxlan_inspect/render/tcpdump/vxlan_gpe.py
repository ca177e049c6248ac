"""VXLAN-GPE (Generic Protocol Extension for VXLAN, draft-ietf-nvo3-vxlan-gpe) on UDP port 4790,
printed as tcpdump 4.99.3 prints it.

VXLAN-GPE header::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |R|R|Ver|I|P|R|O|       Reserved                |Next Protocol  |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                VXLAN Network Identifier (VNI) |   Reserved    |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

Unlike plain VXLAN the payload is not always Ethernet: the Next Protocol byte says 1 IPv4,
2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS. That is why UDP 4790 must never be decoded as VXLAN,
even when ``--vxlan-port 4790`` is given (see udp.py). tcpdump 4.99.3 has no case for MPLS (5):
it prints ``ERROR: unknown-next-protocol``, and so do we. NSH payloads are not decoded by this
tool yet: they print ``NSH, length N [not decoded by vxlan-inspect]`` (tcpdump
decodes them), never a wrong decode. The layout is defined once in decode/tunnels.py.
"""

from __future__ import annotations

from vxlan_inspect.decode.tunnels import GPE_NEXT_PROTOCOLS, VXLAN_GPE_PORT
from vxlan_inspect.render.tcpdump.context import Ctx, bittok2str

__all__ = ["VXLAN_GPE_PORT", "vxlan_gpe_print"]

_FLAGS = ((0x08, "I"), (0x04, "P"), (0x01, "O"))


def vxlan_gpe_print(ctx: Ctx, off: int, length: int) -> None:
    """``VXLAN-GPE, flags [IP], vni 400`` then the payload (``: `` or, with -v, a new line)."""
    from vxlan_inspect.render.tcpdump.ip import ip_print
    from vxlan_inspect.render.tcpdump.ip6 import ip6_print
    from vxlan_inspect.render.tcpdump.link import ether_print

    w = ctx.out.append
    ctx.proto = "vxlan_gpe"
    w("VXLAN-GPE, ")
    if length < 8:
        w(" (len %u < 8) (invalid)" % length)
        return
    flags = ctx.u8(off)
    w("flags [%s], " % bittok2str(_FLAGS, "none", flags, ""))
    next_protocol = ctx.u8(off + 3)
    ctx.need(off + 4, 4)  # the VNI and the reserved byte after it
    buf = ctx.buf
    vni = (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6]
    w("vni %u" % vni)
    w("\n    " if ctx.opts.vflag else ": ")
    off += 8
    length -= 8
    ctx.depth += 1
    if ctx.depth > ctx.opts.max_depth:
        w("[|vxlan_gpe: decapsulation depth %u reached]" % ctx.opts.max_depth)
        return
    if next_protocol == 1:
        ip_print(ctx, off, length)
    elif next_protocol == 2:
        ip6_print(ctx, off, length)
    elif next_protocol == 3:
        ether_print(ctx, off, length, ctx.avail(off))
    elif next_protocol == 4:
        w("%s, length %u [not decoded by vxlan-inspect]" % (GPE_NEXT_PROTOCOLS[next_protocol], length))
    else:
        w("ERROR: unknown-next-protocol (invalid)")
