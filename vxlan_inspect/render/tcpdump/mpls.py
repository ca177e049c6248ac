"""MPLS label stacks (RFC 3032) as tcpdump 4.99.3 prints them: on Ethernet (0x8847, 0x8848), in
GRE, Geneve and VXLAN-GPE.

Label stack entry (repeated until the S bit is set)::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                Label                  | TC  |S|      TTL      |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

Nothing in the stack names the payload: labels 0 and 3 mean IPv4, 2 IPv6; otherwise the first
payload byte is guessed from (0x45-0x4f IPv4, 0x60-0x6f IPv6, 0x81-0x83 OSI), else a hex
dump. OSI payloads are not decoded by this tool (they print a note saying so).
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx

_LABEL_NAMES = ("IPv4 explicit NULL", "router alert", "IPv6 explicit NULL", "implicit NULL") + ("rsvd",) * 12


def mpls_print(ctx: Ctx, off: int, length: int) -> None:
    """``MPLS (label 16, [S], ttl 64) IP ...``; with -v one label per line and the reserved names."""
    from vxlan_inspect.render.tcpdump.hexdump import default_print
    from vxlan_inspect.render.tcpdump.ip import ip_print
    from vxlan_inspect.render.tcpdump.ip6 import ip6_print

    w = ctx.out.append
    ctx.proto = "mpls"
    v = ctx.opts.vflag
    w("MPLS")
    depth = 0
    while True:
        if length < 4:
            w(" (invalid)")
            ctx.need(off, length)
            return
        entry = ctx.u32(off)
        label = entry >> 12
        w("%s(label %u" % ("\n\t" if depth and v else " ", label))
        depth += 1
        if v and label < len(_LABEL_NAMES):
            w(" (%s)" % _LABEL_NAMES[label])
        w(", tc %u" % ((entry >> 9) & 7))
        bottom = entry & 0x100
        if bottom:
            w(", [S]")
        w(", ttl %u)" % (entry & 0xFF))
        off += 4
        length -= 4
        if bottom:
            break
    if label in (0, 3):
        kind = 4
    elif label == 2:
        kind = 6
    else:
        if length < 1:
            return
        first = ctx.u8(off)
        kind = 4 if 0x45 <= first <= 0x4F else 6 if 0x60 <= first <= 0x6F else 7 if 0x81 <= first <= 0x83 else 0
    if kind == 0:
        if not (ctx.opts.xflag or ctx.opts.Xflag or ctx.opts.qflag):
            default_print(ctx, off, length)
        return
    w("\n\t" if v else " ")
    if kind == 4:
        ip_print(ctx, off, length)
    elif kind == 6:
        ip6_print(ctx, off, length)
    else:
        w("OSI, length %u [not decoded by vxlan-inspect]" % length)
