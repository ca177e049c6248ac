"""IPv4 (RFC 791) as tcpdump's ``print-ip.c`` prints it, and the protocol demultiplexer.

::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |Version|  IHL  |Type of Service|          Total Length         |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |         Identification        |Flags|      Fragment Offset    |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |  Time to Live |    Protocol   |         Header Checksum       |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                       Source Address                          |
    |                    Destination Address                        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, Truncated, in_cksum, in_cksum_shouldbe

M32 = 0xFFFFFFFF

IPPROTO_NAMES = {
    0: "Options", 1: "ICMP", 2: "IGMP", 4: "IPIP", 6: "TCP", 8: "EGP", 9: "IGRP", 17: "UDP",
    33: "DCCP", 41: "IPv6", 43: "Routing", 44: "Fragment", 46: "RSVP", 47: "GRE", 50: "ESP",
    51: "AH", 55: "Mobile IP", 58: "ICMPv6", 62: "Mobile IP (old)", 88: "EIGRP", 89: "OSPF",
    103: "PIM", 108: "Compressed IP", 112: "VRRP", 113: "PGM", 132: "SCTP", 135: "Mobility",
    143: "Ethernet",
}

_OPTION_NAMES = {0: "EOL", 1: "NOP", 68: "timestamp", 130: "security", 7: "RR", 137: "SSRR",
                 131: "LSRR", 148: "RA", 82: "traceroute"}


def frag_flags(off: int) -> str:
    names = []
    if off & 0x2000:
        names.append("+")
    if off & 0x4000:
        names.append("DF")
    if off & 0x8000:
        names.append("rsvd")
    return ", ".join(names) if names else "none"


def _printroute(ctx: Ctx, cp: int, length: int) -> bool:
    """RR, LSRR, SSRR addresses; False where the capture ends (tcpdump's ``return -1``)."""
    w = ctx.out.append
    if length < 3:
        w(" [bad length %u]" % length)
        return True
    if (length + 1) & 3:
        w(" [bad length %u]" % length)
    ptr = (ctx.u8(cp + 2) - 1) & M32  # u_int: a pointer of 0 is past every address
    if ptr < 3 or ((ptr + 1) & 3) or ptr > length + 1:
        w(" [bad ptr %u]" % ctx.u8(cp + 2))
    for ln in range(3, length, 4):
        if cp + ln + 4 > ctx.end:
            return False
        w(" " + ctx.ip4(cp + ln))
        if ptr > ln:
            w(",")
    return True


def _printts(ctx: Ctx, cp: int, length: int) -> bool:
    """A timestamp option; False where the capture ends (tcpdump's ``return -1``)."""
    w = ctx.out.append
    if length < 4:
        w("[bad length %u]" % length)
        return True
    w(" TS{")
    flag = ctx.u8(cp + 3)
    hoplen = 8 if (flag & 0xF) != 0 else 4
    if (length - 4) & (hoplen - 1):
        w("[bad length %u]" % length)
    ptr = (ctx.u8(cp + 2) - 1) & M32
    ln = 0
    if ptr < 4 or ((ptr - 4) & (hoplen - 1)) or ptr > length + 1:
        w("[bad ptr %u]" % ctx.u8(cp + 2))
    kind = flag & 0xF
    if kind in (0, 1, 3):
        w({0: "TSONLY", 1: "TS+ADDR", 3: "PRESPEC"}[kind])
        sep = " "
        ln = 4
        while ln < length:
            if ptr == ln:
                sep = " ^ "
            if cp + ln + hoplen > ctx.end:
                return False
            w("%s%u@%s" % (sep, ctx.u32(cp + ln + hoplen - 4), "" if hoplen != 8 else ctx.ip4(cp + ln)))
            sep = " "
            ln += hoplen
    else:
        w("[bad ts type %u]" % kind)
    w(" ^ " if ptr == ln else "")
    if flag >> 4:
        w(" [%u hops not recorded]} " % (flag >> 4))
    else:
        w("}")
    return True


def _optprint(ctx: Ctx, cp: int, length: int) -> bool:
    """Print IP options; False when an option runs past the captured bytes.

    As in tcpdump, only the whole-option check (``ND_TCHECK_LEN``) and the address and
    timestamp checks inside one return False; reading an option's code or length byte past
    the capture raises :class:`Truncated` (``GET_U_1``'s longjmp: `` [|ip]`` ends the line).
    """
    w = ctx.out.append
    sep = ""
    while length > 0:
        w(sep)
        sep = ","
        code = ctx.u8(cp)
        name = _OPTION_NAMES.get(code)
        w(name if name is not None else "unknown %u" % code)
        if code in (0, 1):
            option_len = 1
        else:
            option_len = ctx.u8(cp + 1)
            if option_len < 2:
                w(" [bad length %u]" % option_len)
                return True
        if option_len > length:
            w(" [bad length %u]" % option_len)
            return True
        if cp + option_len > ctx.end:
            return False
        if code == 0:
            return True
        if code == 68:
            if not _printts(ctx, cp, option_len):
                return False
        elif code in (7, 137, 131):
            if not _printroute(ctx, cp, option_len):
                return False
        elif code == 148:
            if option_len < 4:
                w(" [bad length %u]" % option_len)
            elif ctx.u16(cp + 2) != 0:
                w(" value %u" % ctx.u16(cp + 2))
        cp += option_len
        length -= option_len
    return True


def ip_finddst(ctx: Ctx, iph: int) -> bytes:
    """The destination for a transport pseudo-header: a source route's final address if any.

    tcpdump's ``ip_finddst``: the first LSRR or SSRR option of at least 7 bytes gives its
    last 4 bytes; a record route does not count; bad or cut options give the header's address.
    """
    buf = ctx.buf
    cp = iph + 20
    length = (buf[iph] & 0x0F) * 4 - 20
    while length > 0:
        code = ctx.u8(cp)
        if code == 0:
            break
        if code == 1:
            option_len = 1
        else:
            option_len = ctx.u8(cp + 1)
            if option_len < 2:
                break
        if length < option_len or cp + option_len > ctx.end:
            break
        if code in (131, 137) and option_len >= 7:
            return buf[cp + option_len - 4 : cp + option_len]
        cp += option_len
        length -= option_len
    return buf[iph + 16 : iph + 20]


def ip_print(ctx: Ctx, off: int, length: int) -> None:
    """Print an IPv4 packet of ``length`` bytes (as the link layer counts them) at ``off``."""
    w = ctx.out.append
    ctx.proto = "ip"
    buf = ctx.buf
    vhl = ctx.u8(off)
    if vhl >> 4 != 4:
        if vhl >> 4 == 6:
            w("IP6, wrong link-layer encapsulation")
        else:
            w("IP%u" % (vhl >> 4))
        w(" (invalid)")
        return
    opts = ctx.opts
    if not opts.eflag:
        w("IP ")
    if off + 20 > ctx.end:
        # ND_TCHECK_SIZE: goto trunc, which prints the marker and returns (no longjmp),
        # so -x still skips the link-layer header.
        w(" [|ip]")
        return
    if length < 20:
        w("truncated-ip %u" % length)
        return
    hlen = (vhl & 0x0F) * 4
    if hlen < 20:
        w("bad-hlen %u" % hlen)
        return
    total = (buf[off + 2] << 8) | buf[off + 3]
    ln = total
    if length < ln:
        w("truncated-ip - %u bytes missing! " % (ln - length))
    if ln < hlen:
        # tcpdump 4.99.3 as shipped is built without GUESS_TSO: a total length of 0 (TSO,
        # BIG TCP) is "bad-len 0" too (4.99.5 guesses "[was 0, presumed TSO]" instead).
        w("bad-len %u" % ln)
        return
    saved_end = ctx.end
    if off + ln < ctx.end:
        ctx.end = off + ln
    try:
        ln -= hlen
        frag = (buf[off + 6] << 8) | buf[off + 7]
        proto = buf[off + 9]
        if opts.vflag:
            tos = buf[off + 1]
            w("(tos 0x%x" % tos)
            ecn = tos & 3
            if ecn:
                w((",ECT(1)", ",ECT(0)", ",CE")[ecn - 1])
            ttl = buf[off + 8]
            if ttl >= 1:
                w(", ttl %u" % ttl)
            pname = IPPROTO_NAMES.get(proto, "unknown")
            w(", id %u, offset %u, flags [%s], proto %s (%u)"
              % ((buf[off + 4] << 8) | buf[off + 5], (frag & 0x1FFF) * 8, frag_flags(frag), pname, proto))
            w(", length %u" % total)
            truncated = False
            if hlen > 20:
                w(", options (")
                if not _optprint(ctx, off + 20, hlen - 20):  # may raise Truncated, as GET_U_1 longjmps
                    w(" [truncated-option]")
                    truncated = True
                w(")")
            if off + hlen <= ctx.end:
                s = in_cksum(buf[off : off + hlen])
                if s != 0:
                    ip_sum = (buf[off + 10] << 8) | buf[off + 11]
                    w(", bad cksum %x (->%x)!" % (ip_sum, in_cksum_shouldbe(ip_sum, s)))
            w(")\n    ")
            if truncated:
                w("%s > %s: " % (ctx.ip4(off + 12), ctx.ip4(off + 16)))
                w(" [|ip]")
                return
        if frag & 0x1FFF == 0:
            if proto not in (6, 17, 132, 33):
                w("%s > %s: " % (ctx.ip4(off + 12), ctx.ip4(off + 16)))
            if off + hlen > ctx.end:
                w(" [remaining caplen(%u) < header length(%u)]" % (ctx.avail(off), hlen))
                raise Truncated
            ip_demux_print(ctx, off + hlen, ln, 4, bool(frag & 0x2000), buf[off + 8], proto, off)
        else:
            if opts.qflag > 1:
                return
            w("%s > %s:" % (ctx.ip4(off + 12), ctx.ip4(off + 16)))
            w(" ip-proto-%u" % proto)
    finally:
        ctx.end = saved_end


def ip_demux_print(ctx: Ctx, off: int, length: int, ver: int, fragmented: bool, ttl: int, nh: int,
                   iph: int) -> None:
    """Hand the payload to the printer of protocol ``nh`` (tcpdump's ``ip_demux_print``)."""
    from vxlan_inspect.render.tcpdump import icmp, icmp6, igmp, ip6, ipcomp, link, tcp, udp

    w = ctx.out.append
    if nh == 6:
        tcp.tcp_print(ctx, off, length, iph, fragmented)
    elif nh == 17:
        udp.udp_print(ctx, off, length, iph, fragmented)
    elif nh == 1:
        if ver == 4:
            icmp.icmp_print(ctx, off, length, iph, fragmented)
        else:
            w("[ICMP requires IPv4] (invalid)")
    elif nh == 58:
        if ver == 6:
            icmp6.icmp6_print(ctx, off, length, iph, fragmented)
        else:
            w("[ICMPv6 requires IPv6] (invalid)")
    elif nh == 2:
        if ver == 4:
            igmp.igmp_print(ctx, off, length)
        else:
            w("[IGMP requires IPv4] (invalid)")
    elif nh == 4:
        ip_print(ctx, off, length)
    elif nh == 41:
        ip6.ip6_print(ctx, off, length)
    elif nh == 108:
        ipcomp.ipcomp_print(ctx, off)
    elif nh == 77:
        w(" nd %u" % length)
    elif nh == 143:
        if ver == 6:
            link.ether_print(ctx, off, length, ctx.avail(off))
        else:
            w("[Ethernet requires IPv6] (invalid)")
    elif nh == 59:
        w("no next header")
    else:
        w(" ip-proto-%u %u" % (nh, length))
