"""ICMPv6 (RFC 4443) as tcpdump 4.99.3's ``print-icmp6.c`` prints it.

::

    +---------------+---------------+-------------------------------+
    |     Type      |     Code      |           Checksum            |
    +---------------+---------------+-------------------------------+
    |  id / seq, MTU, pointer, flags ... (type-specific)            |
    +---------------------------------------------------------------+
    |  data, the invoking packet (errors), a target, options ...    |

Errors, echo, MLD and neighbour discovery are here; ND options and MLD records in
:mod:`.icmp6_nd`; node information, router renumbering and RPL in :mod:`.icmp6_info`.
``ND_TCHECK_*`` failures and the option printer's -1 jump to the ``trunc`` label, which
prints `` [|icmp6]`` and returns (our ``_GotoTrunc``); ``GET_*`` reads past the capture
end the whole packet (:class:`Truncated`).
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, bittok2str, in_cksum, in_cksum_shouldbe
from vxlan_inspect.render.tcpdump.hexdump import unknown_data
from vxlan_inspect.render.tcpdump.icmp6_info import nodeinfo_print, rpl_print, rrenum_print
from vxlan_inspect.render.tcpdump.icmp6_nd import mld6_print, mldv2_query_print, mldv2_report_print, opt_print, rtpref

# tok2str returns the first match: 139 and 140 are "who-are-you" before "node information".
TYPE_NAMES = {
    1: "destination unreachable", 2: "packet too big", 3: "time exceeded in-transit",
    4: "parameter problem", 128: "echo request", 129: "echo reply", 130: "multicast listener query",
    131: "multicast listener report", 132: "multicast listener done", 133: "router solicitation",
    134: "router advertisement", 135: "neighbor solicitation", 136: "neighbor advertisement",
    137: "redirect", 138: "router renumbering", 141: "inverse neighbor solicitation",
    142: "inverse neighbor advertisement", 143: "multicast listener report v2",
    144: "ha discovery request", 145: "ha discovery reply", 146: "mobile router solicitation",
    147: "mobile router advertisement", 139: "who-are-you request", 140: "who-are-you reply",
    201: "mtrace message", 200: "mtrace response", 155: "RPL",
}
_UNREACH = {0: "unreachable route", 1: " unreachable prohibited", 2: "beyond scope",
            3: "unreachable address", 4: "unreachable port"}
_PARAMPROB = {0: "erroneous", 1: "next header", 2: "option", 3: "incomplete header chain"}
_NA_FLAGS = ((0x80000000, "router"), (0x40000000, "solicited"), (0x20000000, "override"))
_RA_FLAGS = ((0x80, "managed"), (0x40, "other stateful"), (0x20, "home agent"), (0x02, "ipv6 only"))
_LENGTH_UNDER_V = frozenset({133, 134, 136, 135, 137, 145, 147})
# Where each ND message's options start (RTSOLLEN, RTADVLEN, NDSOLLEN, NDADVLEN, REDIRECTLEN, MPADVLEN).
_OPTS_AT = {133: 8, 134: 16, 135: 24, 136: 24, 137: 40, 147: 8}


class _GotoTrunc(Exception):
    """tcpdump's ``goto trunc`` in ``icmp6_print``: print `` [|icmp6]`` and return."""


def _int32(v: int) -> int:
    """A C ``u_int`` passed as ``int``."""
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def _upper_layer(ctx: Ctx, oip: int) -> tuple[int, int] | None:
    """``get_upperlayer``: (offset of the UDP/TCP header, protocol) behind extension headers, or None."""
    buf = ctx.buf
    ep = ctx.end
    if oip + 7 > ep:
        return None
    nh = buf[oip + 6]
    hlen = 40
    bp = oip
    while bp < ep:
        bp += hlen
        if nh in (6, 17):
            return (bp, nh) if bp + 4 <= ep else None
        if nh in (0, 60, 43):
            if bp + 2 > ep:
                return None
            nh, hlen = buf[bp], (buf[bp + 1] + 1) << 3
        elif nh == 44:
            if bp + 4 > ep or ((buf[bp + 2] << 8) | buf[bp + 3]) & 0xFFF8:
                return None
            nh, hlen = buf[bp], 8
        elif nh == 51:
            if bp + 2 > ep:
                return None
            nh, hlen = buf[bp], (buf[bp + 1] + 2) << 2
        else:
            return None
    return None


def icmp6_print(ctx: Ctx, off: int, length: int, iph: int, fragmented: bool) -> None:
    """Print an ICMPv6 message at ``off`` of ``length`` bytes (``iph``: its IPv6 header)."""
    from vxlan_inspect.render.tcpdump.udp import pseudo_header

    w = ctx.out.append
    ctx.proto = "icmp6"
    if length == 0:
        w("ICMP6, length 0 (invalid)")
        return
    vflag = ctx.opts.vflag
    if vflag and not fragmented and off + length <= ctx.end:
        csum = ctx.u16(off + 2)
        s = in_cksum(pseudo_header(ctx, iph, 58, length) + ctx.buf[off : off + length])
        if s != 0:
            w("[bad icmp6 cksum 0x%04x -> 0x%04x!] " % (csum, in_cksum_shouldbe(csum, s)))
        else:
            w("[icmp6 sum ok] ")
    itype = ctx.u8(off)
    name = TYPE_NAMES.get(itype)
    w("ICMP6, %s" % (name if name is not None else "unknown icmp6 type (%u)" % itype))
    if vflag and itype in _LENGTH_UNDER_V:
        w(", length %u" % length)
    try:
        if not _body(ctx, off, length, itype, ctx.u8(off + 1)):
            return
    except _GotoTrunc:
        w(" [|icmp6]")
        return
    if not vflag:
        w(", length %u" % length)


def _unreach(ctx: Ctx, off: int, length: int, code: int) -> bool:
    w = ctx.out.append
    oip = off + 8
    uname = _UNREACH.get(code)
    w(", %s" % (uname if uname is not None else "unknown unreach code (%u)" % code))
    if code in (0, 1, 3):
        w(" %s" % ctx.ip6(oip + 24))
    elif code == 2:
        dst = ctx.ip6(oip + 24)
        w(" %s, source address %s" % (dst, ctx.ip6(oip + 8)))
    elif code == 4:
        found = _upper_layer(ctx, oip)
        if found is None:
            raise _GotoTrunc
        up, prot = found
        dport = ctx.u16(up + 2)
        dst = ctx.ip6(oip + 24)
        if prot == 6:
            w(", %s tcp port %u" % (dst, dport))
        elif prot == 17:
            w(", %s udp port %u" % (dst, dport))
        else:
            w(", %s protocol %u port %u unreachable" % (dst, prot, dport))
    elif ctx.opts.vflag <= 1:
        unknown_data(ctx, off, "\n\t", length)
        return False
    return True


def _body(ctx: Ctx, off: int, length: int, itype: int, code: int) -> bool:
    """The type-specific part; False where tcpdump returns before its final ``, length``."""
    w = ctx.out.append
    vflag = ctx.opts.vflag
    oip = off + 8
    if itype == 1:
        return _unreach(ctx, off, length, code)
    if itype == 2:
        w(", mtu %u" % ctx.u32(off + 4))
    elif itype == 3:
        if code == 0:
            w(" for %s" % ctx.ip6(oip + 24))
        elif code == 1:
            w(" (reassembly)")
        else:
            w(", unknown code (%u)" % code)
    elif itype == 4:
        if oip + 40 > ctx.end:
            raise _GotoTrunc
        label = _PARAMPROB.get(code)
        w(", %s - octet %u" % (label, ctx.u32(off + 4)) if label is not None else ", code-#%u" % code)
    elif itype in (128, 129):
        w(", id %u, seq %u" % (ctx.u16(off + 4), ctx.u16(off + 6)))
    elif itype == 130:
        if length == 24:
            mld6_print(ctx, off)
        elif length >= 28:
            w(" v2")
            mldv2_query_print(ctx, off, length)
        else:
            w(" unknown-version (len %u) " % length)
    elif itype in (131, 132):
        mld6_print(ctx, off)
    elif itype in (133, 134, 135, 136, 137):
        _nd(ctx, off, length, itype)
    elif itype == 138:
        rrenum_print(ctx, off)
    elif itype in (139, 140):
        nodeinfo_print(ctx, length, off)
    elif itype in (141, 142):
        pass
    elif itype == 143:
        mldv2_report_print(ctx, off, length)
    elif itype in (144, 146):
        w(", id 0x%04x" % ctx.u16(off + 4))
    elif itype == 145:
        if vflag:
            w(", id 0x%04x" % ctx.u16(off + 4))
            p = off + 8
            while p < off + length:
                w(", %s" % ctx.ip6(p))
                p += 16
    elif itype == 147:
        if vflag:
            w(", id 0x%04x" % ctx.u16(off + 4))
            flags = ctx.u16(off + 6)
            w((" " if flags & 0xC000 else "") + ("M" if flags & 0x8000 else "") + ("O" if flags & 0x4000 else ""))
            if not opt_print(ctx, off + 8, _int32(length - 8)):
                raise _GotoTrunc
    elif itype == 155:
        rpl_print(ctx, code, off + 4, (length - 4) & 0xFFFFFFFF)
    else:
        w(", length %u" % length)
        if vflag <= 1:
            unknown_data(ctx, off, "\n\t", length)
        return False
    return True


def _nd(ctx: Ctx, off: int, length: int, itype: int) -> None:
    """Router/neighbour solicitation and advertisement, redirect: targets, flags, options (-v)."""
    w = ctx.out.append
    vflag = ctx.opts.vflag
    if itype == 135:
        w(", who has %s" % ctx.ip6(off + 8))
    elif itype == 136:
        w(", tgt is %s" % ctx.ip6(off + 8))
    elif itype == 137:
        w(", %s" % ctx.ip6(off + 24))
        w(" to %s" % ctx.ip6(off + 8))
    if not vflag:
        return
    if itype == 134:
        flags = ctx.u8(off + 5)
        text = ("\n\thop limit %u, Flags [%s], pref %s, router lifetime %us, reachable time %ums, "
                "retrans timer %ums" % (ctx.u8(off + 4), bittok2str(_RA_FLAGS, "none", flags), rtpref(flags),
                                        ctx.u16(off + 6), ctx.u32(off + 8), ctx.u32(off + 12)))
        w(text)
    elif itype == 136:
        w(", Flags [%s]" % bittok2str(_NA_FLAGS, "none", ctx.u32(off + 4)))
    at = _OPTS_AT[itype]
    if not opt_print(ctx, off + at, _int32(length - at)):
        raise _GotoTrunc
