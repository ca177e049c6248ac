"""IPv6 (RFC 8200) and its common extension headers, as tcpdump's ``print-ip6.c`` prints them.

::

    +-------+---------------+---------------------------------------+
    |Version| Traffic Class |              Flow Label               |
    +-------+---------------+-------+---------------+---------------+
    |         Payload Length        |  Next Header  |   Hop Limit   |
    +-------------------------------+---------------+---------------+
    |                  Source Address (128 bits)                    |
    |               Destination Address (128 bits)                  |
    +---------------------------------------------------------------+

Hop-by-hop (0), destination options (60), routing (43) and fragment (44)
headers are walked; the upper layer goes to the IP demultiplexer.
"""

from __future__ import annotations

from collections.abc import Callable

from vxlan_inspect.render.tcpdump.context import Ctx

#: ``ip_demux_print``'s signature (passed in to avoid a circular import).
Demux = Callable[[Ctx, int, int, int, bool, int, int, int], None]


def _opt_process(ctx: Ctx, bp: int, length: int, hbh: bool, payload_len: list[int]) -> tuple[bool, bool]:
    """Walk HBH/DSTOPT options; return (ok, found_jumbo)."""
    w = ctx.out.append
    v = ctx.opts.vflag
    found_jumbo = False
    if length == 0:
        return True, False
    i = 0
    while i < length:
        t = ctx.u8(bp + i)
        if t == 0:
            optlen = 1
        else:
            if i + 1 < length:
                optlen = ctx.u8(bp + i + 1) + 2
            else:
                return False, found_jumbo
        if i + optlen > length:
            return False, found_jumbo
        if t == 0:
            if v:
                w("(pad1)")
        elif t == 1:
            if length - i < 2:
                w("(padn: trunc)")
                return False, found_jumbo
            if v:
                w("(padn)")
        elif t == 5:
            if length - i < 4:
                w("(rtalert: trunc)")
                return False, found_jumbo
            if ctx.u8(bp + i + 1) != 2:
                w("(rtalert: invalid len %u)" % ctx.u8(bp + i + 1))
                return False, found_jumbo
            if v:
                w("(rtalert: 0x%04x) " % ctx.u16(bp + i + 2))
        elif t == 0xC2:
            if length - i < 6:
                w("(jumbo: trunc)")
                return False, found_jumbo
            if ctx.u8(bp + i + 1) != 4:
                w("(jumbo: invalid len %u)" % ctx.u8(bp + i + 1))
                return False, found_jumbo
            jumbolen = ctx.u32(bp + i + 2)
            if found_jumbo:
                if v:
                    w("(jumbo: %u - already seen) " % jumbolen)
            else:
                found_jumbo = True
                if not hbh:
                    if v:
                        w("(jumbo: %u - not a hop-by-hop option) " % jumbolen)
                elif payload_len[0] != 0:
                    if v:
                        w("(jumbo: %u - payload len != 0) " % jumbolen)
                else:
                    if v:
                        w("(jumbo: %u - < 65536) " % jumbolen if jumbolen < 65536 else "(jumbo: %u) " % jumbolen)
                    payload_len[0] = jumbolen
        else:
            if length - i < 2:
                w("(type %u: trunc)" % t)
                return False, found_jumbo
            if v:
                w("(opt_type 0x%02x: len=%u)" % (t, ctx.u8(bp + i + 1)))
        i += optlen
    if v:
        w(" ")
    return True, found_jumbo


def _rt6_print(ctx: Ctx, bp: int) -> int:
    """Routing header as 4.99.3's ``rt6_print``: ``RT6 (len=2, type=0 [Deprecated], segleft=1, ...)``.

    Returns its length, or -1 after `` (invalid)`` (an odd length, an unknown type); the
    caller then stops without a truncation marker.
    """
    w = ctx.out.append
    ctx.proto = "rt6"
    w("RT6")
    ln = ctx.u8(bp + 1)
    w(" (len=%u" % ln)
    rtype = ctx.u8(bp + 2)
    w(", type=%u" % rtype)
    if rtype == 0:
        w(" [Deprecated]")
    w(", segleft=%u" % ctx.u8(bp + 3))
    if rtype in (0, 2):
        rsv = ctx.u32(bp + 4)
        if rsv or ctx.opts.vflag:
            w(", rsv=0x%0x" % rsv)
    elif rtype == 4:
        w(", last-entry=%u" % ctx.u8(bp + 4))
        flags = ctx.u8(bp + 5)
        if flags or ctx.opts.vflag:
            w(", flags=0x%0x" % flags)
        w(", tag=%x" % ctx.u16(bp + 6))
    else:
        w(" (unknown type) (invalid)")
        return -1
    if ln % 2 == 1:
        w(" (invalid length %u) (invalid)" % ln)
        return -1
    at = bp + 8
    for i in range(ln >> 1):
        w(", [%u]%s" % (i, ctx.ip6(at)))
        at += 16
    w(") ")
    return (ln + 1) << 3


def ip6_finddst(ctx: Ctx, iph: int) -> bytes:
    """The destination for a transport pseudo-header (tcpdump's ``ip6_finddst``).

    Walks the extension headers to the first routing header: type 0 or 2 gives its last
    address, type 4 (SRH) its segment 0; anything else, or a header cut short, leaves the
    IPv6 destination.
    """
    buf = ctx.buf
    dst = iph + 24
    cp = iph
    advance = 40
    nh = ctx.u8(iph + 6)
    while cp < ctx.end:
        cp += advance
        if nh in (0, 60, 135, 62):  # hop-by-hop, destination options, mobility (new, old)
            advance = (ctx.u8(cp + 1) + 1) << 3
            nh = ctx.u8(cp)
        elif nh == 44:
            advance = 8
            nh = ctx.u8(cp)
        elif nh == 43:
            if cp + 8 > ctx.end:
                break
            length = ctx.u8(cp + 1)
            rtype = ctx.u8(cp + 2)
            if rtype in (0, 2) and not length % 2:
                p = cp + 8
                for _ in range(length >> 1):
                    if p + 16 > ctx.end:
                        break
                    dst = p
                    p += 16
            elif rtype == 4 and not length % 2 and cp + 24 <= ctx.end:
                dst = cp + 8
            break
        else:
            break
    return buf[dst : dst + 16]


def ip6_print(ctx: Ctx, off: int, length: int) -> None:
    """Print an IPv6 packet at ``off``."""
    from vxlan_inspect.render.tcpdump.ip import IPPROTO_NAMES, ip_demux_print

    w = ctx.out.append
    ctx.proto = "ip6"
    if off + 40 > ctx.end:
        # ND_TCHECK_SIZE: "goto trunc" prints the marker and returns (no longjmp),
        # so -x still skips the link-layer header; so do the other "goto trunc" below.
        w(" [|ip6]")
        return
    if length < 40:
        w("truncated-ip6 %u" % length)
        return
    if not ctx.opts.eflag:
        w("IP6 ")
    buf = ctx.buf
    if buf[off] >> 4 != 6:
        w("version error: %u != 6" % (buf[off] >> 4))
        return
    payload_len = (buf[off + 4] << 8) | buf[off + 5]
    if payload_len:
        ln = payload_len + 40
        if length < ln:
            w("truncated-ip6 - %u bytes missing!" % (ln - length))
    else:
        ln = length + 40
    nh = buf[off + 6]
    if ctx.opts.vflag:
        flow = int.from_bytes(buf[off : off + 4], "big")
        w("(")
        if flow & 0x0FF00000:
            w("class 0x%02x, " % ((flow & 0x0FF00000) >> 20))
        if flow & 0x000FFFFF:
            w("flowlabel 0x%05x, " % (flow & 0x000FFFFF))
        w("hlim %u, next-header %s (%u) payload length: %u) " % (
            buf[off + 7], IPPROTO_NAMES.get(nh, "unknown"), nh, payload_len))
    saved = ctx.end
    if off + ln < ctx.end:
        ctx.end = off + ln
    try:
        _walk(ctx, off, ln, length, nh, payload_len, ip_demux_print)
    finally:
        ctx.end = saved


def _walk(ctx: Ctx, off: int, ln: int, length: int, nh: int, payload_len: int, demux: Demux) -> None:
    w = ctx.out.append
    buf = ctx.buf
    cp = off
    advance = 40
    total_advance = 0
    found_ext = False
    found_jumbo = False
    found_hbh = False
    fragmented = False
    ph = 255
    plen = [payload_len]
    while cp < ctx.end and advance > 0:
        if ln < advance:
            w(" [|%s]" % ctx.proto)
            return
        cp += advance
        ln -= advance
        total_advance += advance
        if cp == off + 40 and nh not in (6, 17, 33, 132):
            w("%s > %s: " % (ctx.ip6(off + 8), ctx.ip6(off + 24)))
        if nh == 0:
            if found_hbh:
                w("[The Hop-by-Hop Options header was already found] (invalid)")
                return
            if ph != 255:
                w("[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)")
                return
            ctx.proto = "hbhopt"
            hbhlen = (ctx.u8(cp + 1) + 1) << 3
            # hbhopt_process prints the marker and returns -1 (no longjmp) for a header cut
            # short or bad options; ip6_print checks the jumbo length before that -1.
            ok = cp + hbhlen <= ctx.end
            if ok:
                w("HBH ")
                ok, fj = _opt_process(ctx, cp + 2, hbhlen - 2, True, plen)
                found_jumbo = found_jumbo or fj
            if not ok:
                w(" [|hbhopt]")
            if plen[0] == 0 and not found_jumbo:
                w("[No valid Jumbo Payload Hop-by-Hop option found] (invalid)")
                return
            if not ok:
                return
            advance = hbhlen
            found_ext = True
            found_hbh = True
            nh = buf[cp]
        elif nh == 60:
            ctx.proto = "dstopt"
            dlen = (ctx.u8(cp + 1) + 1) << 3
            if cp + dlen > ctx.end:  # dstopt_process: the marker, then -1 (no longjmp)
                w(" [|dstopt]")
                return
            w("DSTOPT ")
            if ctx.opts.vflag:
                ok, _fj = _opt_process(ctx, cp + 2, dlen - 2, False, plen)
                if not ok:
                    w(" [|dstopt]")
                    return
            advance = dlen
            found_ext = True
            nh = buf[cp]
        elif nh == 44:
            ctx.proto = "frag6"
            offlg = ctx.u16(cp + 2)
            rest = 40 + plen[0] - (cp - off) - 8
            if ctx.opts.vflag:
                w("frag (0x%08x:%u|%u)" % (ctx.u32(cp + 4), offlg & 0xFFF8, rest))
            else:
                w("frag (%u|%u)" % (offlg & 0xFFF8, rest))
            if offlg & 0xFFF8:
                return
            w(" ")
            advance = 8
            if ctx.end <= cp + advance:
                return
            found_ext = True
            nh = buf[cp]
            fragmented = True
        elif nh == 43:
            if cp >= ctx.end:  # ND_TCHECK_1: "goto trunc", a return
                w(" [|%s]" % ctx.proto)
                return
            advance = _rt6_print(ctx, cp)
            if advance < 0:
                return
            found_ext = True
            nh = buf[cp]
        else:
            if found_jumbo:
                ln = plen[0] + 40
                if ln < total_advance:
                    w(" [|%s]" % ctx.proto)
                    return
                if length < ln:
                    w("truncated-ip6 - %u bytes missing!" % (ln - length))
                ctx.end = min(off + ln, ctx.end) if off + ln < ctx.end else ctx.end
                ln -= total_advance
            elif plen[0] == 0:
                if found_ext:
                    w(" [|%s]" % ctx.proto)
                    return
                ln = 40
                ctx.end = min(ctx.end, off + ln)
                ln -= total_advance
            demux(ctx, cp, ln, 6, fragmented, buf[off + 7], nh, off)
            return
        ph = nh
        ctx.proto = "ip6"
