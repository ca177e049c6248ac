"""ICMPv6 (RFC 4443) echo, errors and neighbour discovery (RFC 4861), as tcpdump prints them."""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, Truncated, bittok2str, in_cksum, in_cksum_shouldbe
from vxlan_inspect.render.tcpdump.hexdump import hex_only

TYPE_NAMES = {
    1: "destination unreachable", 2: "packet too big", 3: "time exceeded in-transit",
    4: "parameter problem", 128: "echo request", 129: "echo reply", 130: "multicast listener query",
    131: "multicast listener report", 132: "multicast listener done", 133: "router solicitation",
    134: "router advertisement", 135: "neighbor solicitation", 136: "neighbor advertisement",
    137: "redirect", 138: "router renumbering", 141: "inverse neighbor solicitation",
    142: "inverse neighbor advertisement", 143: "multicast listener report v2",
    144: "ha discovery request", 145: "ha discovery reply", 146: "mobile router solicitation",
    147: "mobile router advertisement", 139: "node information query", 140: "node information reply",
    200: "mtrace message", 201: "mtrace response", 155: "RPL",
}
_UNREACH = {0: "unreachable route", 1: " unreachable prohibited", 2: "beyond scope",
            3: "unreachable address", 4: "unreachable port"}
_OPT_NAMES = {1: "source link-address", 2: "destination link-address", 3: "prefix info",
              4: "redirected header", 5: "mtu", 25: "rdnss", 31: "dnssl", 7: "advertisement interval",
              8: "homeagent information", 24: "route info"}
_NA_FLAGS = ((0x80000000, "router"), (0x40000000, "solicited"), (0x20000000, "override"))
_RA_FLAGS = ((0x80, "managed"), (0x40, "other stateful"), (0x20, "home agent"), (0x01, "ipv6 only"))
_MLDV2_TYPES = {1: "is_in", 2: "is_ex", 3: "to_in", 4: "to_ex", 5: "allow", 6: "block"}


def _lifetime(t: int) -> str:
    return "infinity" if t == 0xFFFFFFFF else "%us" % t


def _rtpref(flags: int) -> str:
    return ("medium", "high", "rsv", "low")[(flags >> 3) & 3]


def _opt_print(ctx: Ctx, bp: int, resid: int) -> None:
    """ND options under -v: one ``\\n\\t  <name> option (<type>), length ...`` line each."""
    w = ctx.out.append
    cp = bp
    while cp < ctx.end:
        ctx.need(cp + 1, 1)
        if resid <= 0:
            return
        t = ctx.u8(cp)
        olen = ctx.u8(cp + 1)
        if olen == 0 or cp + (olen << 3) > ctx.end:
            raise Truncated
        w("\n\t  %s option (%u), length %u (%u): " % (_OPT_NAMES.get(t, "unknown"), t, olen << 3, olen))
        if t in (1, 2):
            w(":".join("%02x" % b for b in ctx.buf[cp + 2 : cp + (olen << 3)]))
        elif t == 5:
            w(" %u%s" % (ctx.u32(cp + 4), "bad option length" if olen != 1 else ""))
        elif t == 3:
            w("%s/%u%s, Flags [%s], valid time %s" % (
                ctx.ip6(cp + 16), ctx.u8(cp + 2), "badlen" if olen != 4 else "",
                bittok2str(((0x80, "onlink"), (0x40, "auto"), (0x20, "router")), "none", ctx.u8(cp + 3)),
                _lifetime(ctx.u32(cp + 4))))
            w(", pref. time %s" % _lifetime(ctx.u32(cp + 8)))
        elif t == 7:
            w(" %ums" % ctx.u32(cp + 4))
        elif t == 25:
            w(" lifetime %us," % ctx.u32(cp + 4))
            for i in range((olen - 1) // 2):
                w(" addr: %s" % ctx.ip6(cp + 8 + 16 * i))
        elif ctx.opts.vflag <= 1:
            w(hex_only(ctx.buf[cp + 2 : min(cp + (olen << 3), ctx.end)], "\n\t  "))
            return
        if ctx.opts.vflag > 1:
            w(hex_only(ctx.buf[cp + 2 : min(cp + (olen << 3), ctx.end)], "\n\t    "))
        cp += olen << 3
        resid -= olen << 3


def _mldv2_report(ctx: Ctx, bp: int, length: int) -> None:
    w = ctx.out.append
    if length < 8:
        w(" [invalid len %u]" % length)
        return
    ngroups = ctx.u16(bp + 6)
    w(", %u group record(s)" % ngroups)
    if ctx.opts.vflag > 0:
        group = 8
        for _ in range(ngroups):
            if length < group + 20:
                w(" [invalid number of groups]")
                return
            w(" [gaddr %s" % ctx.ip6(bp + group + 4))
            rtype = ctx.u8(bp + group)
            w(" %s" % _MLDV2_TYPES.get(rtype, " [v2-report-#%u]" % rtype))
            nsrcs = ctx.u16(bp + group + 2)
            if length < group + 20 + nsrcs * 16:
                w(" [invalid number of sources %u]" % nsrcs)
                return
            if ctx.opts.vflag == 1:
                w(", %u source(s)" % nsrcs)
            else:
                w(" {")
                for j in range(nsrcs):
                    w(" %s" % ctx.ip6(bp + group + 20 + j * 16))
                w(" }")
            group += 20 + nsrcs * 16
            w("]")


def icmp6_print(ctx: Ctx, off: int, length: int, iph: int, fragmented: bool) -> None:
    """Print an ICMPv6 message at ``off``."""
    from vxlan_inspect.render.tcpdump.udp import pseudo_header

    w = ctx.out.append
    ctx.proto = "icmp6"
    if length == 0:
        w("ICMP6, length 0 (invalid)")
        return
    vflag = ctx.opts.vflag
    if vflag and not fragmented and off + length <= ctx.end:
        s = in_cksum(pseudo_header(ctx, iph, 58, length) + ctx.buf[off : off + length])
        csum = ctx.u16(off + 2)
        if s != 0:
            w("[bad icmp6 cksum 0x%04x -> 0x%04x!] " % (csum, in_cksum_shouldbe(csum, s)))
        else:
            w("[icmp6 sum ok] ")
    itype = ctx.u8(off)
    name = TYPE_NAMES.get(itype)
    w("ICMP6, %s" % (name if name is not None else "unknown icmp6 type (%u)" % itype))
    if vflag and itype in (133, 134, 136, 135, 137, 145, 147):
        w(", length %u" % length)
    code = ctx.u8(off + 1)
    oip = off + 8
    if itype == 1:
        uname = _UNREACH.get(code)
        w(", %s" % (uname if uname is not None else "unknown unreach code (%u)" % code))
        if code in (0, 1, 3):
            w(" %s" % ctx.ip6(oip + 24))
        elif code == 2:
            w(" %s, source address %s" % (ctx.ip6(oip + 24), ctx.ip6(oip + 8)))
        elif code == 4:
            nh = ctx.u8(oip + 6)
            up = oip + 40
            dport = ctx.u16(up + 2)
            if nh == 6:
                w(", %s tcp port %u" % (ctx.ip6(oip + 24), dport))
            elif nh == 17:
                w(", %s udp port %u" % (ctx.ip6(oip + 24), dport))
            else:
                w(", %s protocol %u port %u unreachable" % (ctx.ip6(oip + 24), nh, dport))
        elif vflag <= 1:
            w(hex_only(ctx.buf[off : min(off + length, ctx.end)]))
            return
    elif itype == 2:
        w(", mtu %u" % ctx.u32(off + 4))
    elif itype == 3:
        if code == 0:
            w(" for %s" % ctx.ip6(oip + 24))
        elif code == 1:
            w(" (reassembly)")
        else:
            w(", unknown code (%u)" % code)
    elif itype == 4:
        ctx.need(oip + 24, 16)
        label = {0: "erroneous", 1: "next header", 2: "option", 3: "incomplete header chain"}.get(code)
        if label is not None:
            w(", %s - octet %u" % (label, ctx.u32(off + 4)))
        else:
            w(", code-#%u" % code)
    elif itype in (128, 129):
        w(", id %u, seq %u" % (ctx.u16(off + 4), ctx.u16(off + 6)))
    elif itype == 130:
        if length == 24:
            _mld6(ctx, off)
        elif length >= 28:
            w(" v2")
            w(" [max resp delay=%u]" % ctx.u16(off + 4))
        else:
            w(" unknown-version (len %u) " % length)
    elif itype in (131, 132):
        _mld6(ctx, off)
    elif itype == 133:
        if vflag:
            _opt_print(ctx, off + 8, length - 8)
    elif itype == 134:
        if vflag:
            flags = ctx.u8(off + 5)
            w("\n\thop limit %u, Flags [%s], pref %s, router lifetime %us, reachable time %ums, "
              "retrans timer %ums" % (ctx.u8(off + 4), bittok2str(_RA_FLAGS, "none", flags), _rtpref(flags),
                                      ctx.u16(off + 6), ctx.u32(off + 8), ctx.u32(off + 12)))
            _opt_print(ctx, off + 16, length - 16)
    elif itype == 135:
        w(", who has %s" % ctx.ip6(off + 8))
        if vflag:
            _opt_print(ctx, off + 24, length - 24)
    elif itype == 136:
        w(", tgt is %s" % ctx.ip6(off + 8))
        if vflag:
            w(", Flags [%s]" % bittok2str(_NA_FLAGS, "none", ctx.u32(off + 4)))
            _opt_print(ctx, off + 24, length - 24)
    elif itype == 137:
        w(", %s" % ctx.ip6(off + 24))
        w(" to %s" % ctx.ip6(off + 8))
        if vflag:
            _opt_print(ctx, off + 40, length - 40)
    elif itype == 143:
        _mldv2_report(ctx, off, length)
    else:
        w(", length %u" % length)
        if vflag <= 1:
            w(hex_only(ctx.buf[off : min(off + length, ctx.end)]))
        return
    if not vflag:
        w(", length %u" % length)


def _mld6(ctx: Ctx, off: int) -> None:
    if off + 24 > ctx.end:
        return
    ctx.out.append("max resp delay: %u " % ctx.u16(off + 4))
    ctx.out.append("addr: %s" % ctx.ip6(off + 8))
