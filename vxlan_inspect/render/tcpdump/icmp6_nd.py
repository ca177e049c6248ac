"""Neighbour discovery options (RFC 4861, 4191, 6106, 3775) and MLD (RFC 2710, 3810) as
tcpdump 4.99.3's ``print-icmp6.c`` prints them (``icmp6_opt_print``, ``mld6_print``,
``mldv2_query_print``, ``mldv2_report_print``).

An ND option::

    +---------------+---------------+-------------------------------+
    |     Type      |  Length (x8)  |  data ...                     |
    +---------------+---------------+-------------------------------+
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, bittok2str, ip6addr_string
from vxlan_inspect.render.tcpdump.hexdump import unknown_data

_OPT_NAMES = {1: "source link-address", 2: "destination link-address", 3: "prefix info",
              4: "redirected header", 5: "mtu", 25: "rdnss", 31: "dnssl", 7: "advertisement interval",
              8: "homeagent information", 24: "route info"}
_PI_FLAGS = ((0x80, "onlink"), (0x40, "auto"), (0x20, "router"))
_MLDV2_TYPES = {1: "is_in", 2: "is_ex", 3: "to_in", 4: "to_ex", 5: "allow", 6: "block"}


def lifetime(t: int) -> str:
    """``get_lifetime``: ``infinity`` for all ones, else seconds."""
    return "infinity" if t == 0xFFFFFFFF else "%us" % t


def rtpref(flags: int) -> str:
    """``get_rtpref``: the router preference in bits 3-4."""
    return ("medium", "high", "rsv", "low")[(flags >> 3) & 3]


def opt_print(ctx: Ctx, bp: int, resid: int) -> bool:
    """ND options from ``bp``, one ``\\n\\t  <name> option`` line each; False where tcpdump's returns -1.

    ``resid`` is a C ``int``: a message shorter than its fixed part makes it negative.
    """
    from vxlan_inspect.render.tcpdump.domain_name import fqdn_print

    w = ctx.out.append
    buf = ctx.buf
    vflag = ctx.opts.vflag
    cp = bp
    while cp < ctx.end:
        if cp + 2 > ctx.end:  # ND_TCHECK_1(op->nd_opt_len)
            return False
        if resid <= 0:
            return True
        t = buf[cp]
        olen = buf[cp + 1]
        size = olen << 3
        if olen == 0 or cp + size > ctx.end:
            return False
        w("\n\t  %s option (%u), length %u (%u): " % (_OPT_NAMES.get(t, "unknown"), t, size, olen))
        if t == 1 or t == 2:
            w(":".join("%02x" % b for b in buf[cp + 2 : cp + size]))
        elif t == 3:
            text = "%s/%u%s, Flags [%s], valid time %s" % (
                ctx.ip6(cp + 16), ctx.u8(cp + 2), "badlen" if olen != 4 else "",
                bittok2str(_PI_FLAGS, "none", ctx.u8(cp + 3)), lifetime(ctx.u32(cp + 4)))
            w(text)
            w(", pref. time %s" % lifetime(ctx.u32(cp + 8)))
        elif t == 4:
            unknown_data(ctx, bp, "\n\t    ", size)  # from the first option, as tcpdump does
        elif t == 5:
            w(" %u%s" % (ctx.u32(cp + 4), "bad option length" if olen != 1 else ""))
        elif t == 25:
            w(" lifetime %us," % ctx.u32(cp + 4))
            for i in range((olen - 1) // 2):
                w(" addr: %s" % ctx.ip6(cp + 8 + 16 * i))
        elif t == 31:
            w(" lifetime %us, domain(s):" % ctx.u32(cp + 4))
            ctx.dns_names.clear()  # fqdn_print remembers walks per message (positions in ctx.out)
            ctx.dns_runs.clear()
            domp: int | None = cp + 8
            while domp is not None and domp < cp + size and ctx.u8(domp) != 0:
                w(" ")
                domp = fqdn_print(ctx, domp, bp)
            if domp is None:
                return False
        elif t == 7:
            w(" %ums" % ctx.u32(cp + 4))
        elif t == 8:
            w(" preference %u, lifetime %u" % (ctx.u16(cp + 4), ctx.u16(cp + 6)))
        elif t == 24:
            if cp + 8 > ctx.end:
                return False
            if olen == 1:
                prefix = bytes(16)
            elif olen in (2, 3):
                n = 8 if olen == 2 else 16
                ctx.need(cp + 8, n)
                prefix = buf[cp + 8 : cp + 8 + n] + bytes(16 - n)
            else:
                return False
            w(" %s/%u" % (ip6addr_string(prefix), ctx.u8(cp + 2)))
            w(", pref=%s" % rtpref(ctx.u8(cp + 3)))
            w(", lifetime=%s" % lifetime(ctx.u32(cp + 4)))
        elif vflag <= 1:
            unknown_data(ctx, cp + 2, "\n\t  ", size - 2)
            return True
        if vflag > 1:
            unknown_data(ctx, cp + 2, "\n\t    ", size - 2)
        cp += size
        resid -= size
    return True


def mld6_print(ctx: Ctx, bp: int) -> None:
    """MLDv1: nothing unless all 24 bytes were captured."""
    if bp + 24 > ctx.end:
        return
    ctx.out.append("max resp delay: %u " % ctx.u16(bp + 4))
    ctx.out.append("addr: %s" % ctx.ip6(bp + 8))


def _mant_exp(value: int, limit: int, mant_mask: int, exp_shift: int, base: int) -> int:
    """MLDv2's floating-point codes (Maximum Response Code, QQIC)."""
    if value < limit:
        return value
    return ((value & mant_mask) | (mant_mask + 1)) << (((value >> exp_shift) & 7) + base)


def mldv2_query_print(ctx: Ctx, bp: int, length: int) -> None:
    w = ctx.out.append
    vflag = ctx.opts.vflag
    if length < 28:
        w(" [invalid len %u]" % length)
        return
    mrt = _mant_exp(ctx.u16(bp + 4), 32768, 0x0FFF, 12, 3)
    if vflag:
        w(" [max resp delay=%u]" % mrt)
    w(" [gaddr %s" % ctx.ip6(bp + 8))
    if vflag:
        flags = ctx.u8(bp + 24)
        if flags & 0x08:
            w(" sflag")
        if flags & 0x07:
            w(" robustness=%u" % (flags & 0x07))
        w(" qqi=%u" % _mant_exp(ctx.u8(bp + 25), 128, 0x0F, 4, 3))
    nsrcs = ctx.u16(bp + 26)
    if nsrcs > 0:
        if length < 28 + nsrcs * 16:
            w(" [invalid number of sources]")
        elif vflag > 1:
            w(" {")
            for i in range(nsrcs):
                w(" %s" % ctx.ip6(bp + 28 + i * 16))
            w(" }")
        else:
            w(", %u source(s)" % nsrcs)
    w("]")


def mldv2_report_print(ctx: Ctx, bp: int, length: int) -> None:
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
