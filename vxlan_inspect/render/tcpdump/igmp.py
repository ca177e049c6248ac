"""IGMP v1/v2/v3 (RFC 1112, 2236, 3376) as tcpdump's ``print-igmp.c`` prints it.

VXLAN's multicast mode (``group 239.1.1.1``) makes hosts send IGMP reports on
the underlay, so they appear in real overlay captures.
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, in_cksum

_V3_TYPES = {1: "is_in", 2: "is_ex", 3: "to_in", 4: "to_ex", 5: "allow", 6: "block"}


def _relts(secs: int) -> str:
    if secs == 0:
        return "0s"
    parts = []
    for unit, size in (("y", 31536000), ("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if secs >= size:
            parts.append("%u%s" % (secs // size, unit))
            secs -= (secs // size) * size
    return "".join(parts)


def _v3_report(ctx: Ctx, bp: int, length: int) -> None:
    w = ctx.out.append
    if length < 16 or length & 3:
        w(" [invalid len %u]" % length)
        return
    ngroups = ctx.u16(bp + 6)
    w(", %u group record(s)" % ngroups)
    if ctx.opts.vflag > 0:
        group = 8
        for _ in range(ngroups):
            if length < group + 8:
                w(" [invalid number of groups]")
                return
            w(" [gaddr %s" % ctx.ip4(bp + group + 4))
            rtype = ctx.u8(bp + group)
            w(" %s" % _V3_TYPES.get(rtype, " [v3-report-#%u]" % rtype))
            nsrcs = ctx.u16(bp + group + 2)
            if length < group + 8 + (nsrcs << 2):
                w(" [invalid number of sources %u]" % nsrcs)
                return
            if ctx.opts.vflag == 1:
                w(", %u source(s)" % nsrcs)
            else:
                w(" {")
                for j in range(nsrcs):
                    w(" %s" % ctx.ip4(bp + group + 8 + (j << 2)))
                w(" }")
            group += 8 + (nsrcs << 2)
            w("]")


def _v3_query(ctx: Ctx, bp: int, length: int) -> None:
    w = ctx.out.append
    w(" v3")
    if length < 12 or length & 3:
        w(" [invalid len %u]" % length)
        return
    mrc = ctx.u8(bp + 1)
    mrt = mrc if mrc < 128 else ((mrc & 0x0F) | 0x10) << (((mrc & 0x70) >> 4) + 3)
    if mrc != 100:
        w(" [max resp time ")
        w("%.1fs" % (mrt * 0.1) if mrt < 600 else _relts(mrt // 10))
        w("]")
    if ctx.u32(bp + 4) == 0:
        return
    w(" [gaddr %s" % ctx.ip4(bp + 4))
    nsrcs = ctx.u16(bp + 10)
    if nsrcs > 0:
        if length < 12 + (nsrcs << 2):
            w(" [invalid number of sources]")
        elif ctx.opts.vflag > 1:
            w(" {")
            for i in range(nsrcs):
                w(" %s" % ctx.ip4(bp + 12 + (i << 2)))
            w(" }")
        else:
            w(", %u source(s)" % nsrcs)
    w("]")


def igmp_print(ctx: Ctx, bp: int, length: int) -> None:
    """Print an IGMP message at ``bp`` of ``length`` bytes."""
    w = ctx.out.append
    ctx.proto = "igmp"
    if ctx.opts.qflag:
        w("igmp")
        return
    t = ctx.u8(bp)
    if t == 0x11:
        w("igmp query")
        if length >= 12:
            _v3_query(ctx, bp, length)
        else:
            if ctx.u8(bp + 1):
                w(" v2")
                if ctx.u8(bp + 1) != 100:
                    w(" [max resp time %u]" % ctx.u8(bp + 1))
            else:
                w(" v1")
            if ctx.u32(bp + 4):
                w(" [gaddr %s]" % ctx.ip4(bp + 4))
            if length != 8:
                w(" [len %u]" % length)
    elif t == 0x12:
        w("igmp v1 report %s" % ctx.ip4(bp + 4))
        if length != 8:
            w(" [len %u]" % length)
    elif t == 0x16:
        w("igmp v2 report %s" % ctx.ip4(bp + 4))
    elif t == 0x22:
        w("igmp v3 report")
        _v3_report(ctx, bp, length)
    elif t == 0x17:
        w("igmp leave %s" % ctx.ip4(bp + 4))
    else:
        w("igmp-%u" % t)
    if ctx.opts.vflag and length >= 4 and bp + length <= ctx.end and in_cksum(ctx.buf[bp : bp + length]):
        w(" bad igmp cksum %x!" % ctx.u16(bp + 2))
