"""ICMP for IPv4 (RFC 792, RFC 1191 "need to frag") as tcpdump's ``print-icmp.c`` prints it.

::

    +---------------+---------------+-------------------------------+
    |     Type      |     Code      |           Checksum            |
    +---------------+---------------+-------------------------------+
    |  Identifier / unused          |  Sequence / next-hop MTU      |
    +---------------+---------------+-------------------------------+
    |  data, or the original IP header + 8 bytes for error messages |
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, in_cksum, in_cksum_shouldbe

_TYPE_NAMES = {0: "echo reply", 4: "source quench", 8: "echo request", 10: "router solicitation",
               13: "time stamp request", 14: "time stamp reply", 15: "information request",
               16: "information reply", 17: "address mask request"}
_ERRTYPES = frozenset({3, 4, 5, 11, 12})

_UNREACH = {
    0: "net %s unreachable", 1: "host %s unreachable", 5: "%s unreachable - source route failed",
    6: "net %s unreachable - unknown", 7: "host %s unreachable - unknown",
    8: "%s unreachable - source host isolated", 9: "net %s unreachable - admin prohibited",
    10: "host %s unreachable - admin prohibited", 11: "net %s unreachable - tos prohibited",
    12: "host %s unreachable - tos prohibited", 13: "host %s unreachable - admin prohibited filter",
    14: "host %s unreachable - host precedence violation", 15: "host %s unreachable - precedence cutoff",
}
_REDIRECT = {0: "redirect %s to net %s", 1: "redirect %s to host %s",
             2: "redirect-tos %s to net %s", 3: "redirect-tos %s to host %s"}


def _tstamp(t: int) -> str:
    msec = t % 1000
    sec = t // 1000
    minutes, sec = divmod(sec, 60)
    hrs, minutes = divmod(minutes, 60)
    return "%02u:%02u:%02u.%03u" % (hrs, minutes, sec, msec)


def icmp_print(ctx: Ctx, off: int, plen: int, iph: int, fragmented: bool) -> None:
    """Print an ICMP message at ``off`` of ``plen`` bytes."""
    from vxlan_inspect.render.tcpdump.ip import ip_print

    w = ctx.out.append
    ctx.proto = "icmp"
    itype = ctx.u8(off)
    code = ctx.u8(off + 1)
    text: str
    if itype == 8 or itype == 0:
        text = "echo %s, id %u, seq %u" % (
            "request" if itype == 8 else "reply", ctx.u16(off + 4), ctx.u16(off + 6))
    elif itype == 3:
        oip = off + 8
        if code == 2:
            text = "%s protocol %u unreachable" % (ctx.ip4(oip + 16), ctx.u8(oip + 9))
        elif code == 3:
            ctx.need(oip + 9, 1)
            ohl = (ctx.u8(oip) & 0x0F) * 4
            dport = ctx.u16(oip + ohl + 2)
            oproto = ctx.u8(oip + 9)
            if oproto == 6:
                text = "%s tcp port %u unreachable" % (ctx.ip4(oip + 16), dport)
            elif oproto == 17:
                text = "%s udp port %u unreachable" % (ctx.ip4(oip + 16), dport)
            else:
                text = "%s protocol %u port %u unreachable" % (ctx.ip4(oip + 16), oproto, dport)
        elif code == 4:
            mtu = ctx.u16(off + 6)
            if mtu:
                text = "%s unreachable - need to frag (mtu %u)" % (ctx.ip4(oip + 16), mtu)
            else:
                text = "%s unreachable - need to frag" % ctx.ip4(oip + 16)
        elif code in _UNREACH:
            text = _UNREACH[code] % ctx.ip4(oip + 16)
        else:
            text = "%s unreachable - #%u" % (ctx.ip4(oip + 16), code)
    elif itype == 5:
        dst = ctx.ip4(off + 8 + 16)
        gw = ctx.ip4(off + 4)
        if code in _REDIRECT:
            text = _REDIRECT[code] % (dst, gw)
        else:
            text = "redirect-#%u %s to %s" % (code, dst, gw)
    elif itype == 11:
        ctx.need(off + 8 + 16, 4)
        if code == 0:
            text = "time exceeded in-transit"
        elif code == 1:
            text = "ip reassembly time exceeded"
        else:
            text = "time exceeded-#%u" % code
    elif itype == 12:
        if code:
            text = "parameter problem - code %u" % code
        else:
            text = "parameter problem - octet %u" % ctx.u8(off + 4)
    elif itype == 18:
        text = "address mask is 0x%08x" % ctx.u32(off + 8)
    elif itype == 13:
        text = "time stamp query id %u seq %u" % (ctx.u16(off + 4), ctx.u16(off + 6))
    elif itype == 14:
        ctx.need(off + 16, 4)
        text = "time stamp reply id %u seq %u: org %s, recv %s, xmit %s" % (
            ctx.u16(off + 4), ctx.u16(off + 6), _tstamp(ctx.u32(off + 8)),
            _tstamp(ctx.u32(off + 12)), _tstamp(ctx.u32(off + 16)))
    else:
        name = _TYPE_NAMES.get(itype)
        text = name if name is not None else "type-#%u" % itype
    w("ICMP %s, length %u" % (text, plen))
    vflag = ctx.opts.vflag
    if vflag and not fragmented and off + plen <= ctx.end:
        s = in_cksum(ctx.buf[off : off + plen])
        if s != 0:
            icmp_sum = ctx.u16(off + 2)
            w(" (wrong icmp cksum %x (->%x)!)" % (icmp_sum, in_cksum_shouldbe(icmp_sum, s)))
    if vflag >= 1 and itype in _ERRTYPES:
        inner = off + 8
        w("\n\t")
        inner_len = ctx.u16(inner + 2)
        saved = ctx.end
        ctx.end = min(inner + inner_len, ctx.end)
        try:
            ip_print(ctx, inner, inner_len)
        finally:
            ctx.end = saved
    ctx.proto = "icmp"
