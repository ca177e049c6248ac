"""ICMP for IPv4 (RFC 792, RFC 1191 "need to frag", RFC 1256 router discovery, RFC 4884/4950
multi-part extensions with MPLS label stacks) as tcpdump 4.99.3's ``print-icmp.c`` prints it.

::

    +---------------+---------------+-------------------------------+
    |     Type      |     Code      |           Checksum            |
    +---------------+---------------+-------------------------------+
    |  Identifier / gateway / pointer / unused, length (RFC 4884)   |
    |                               |  Sequence / next-hop MTU      |
    +---------------+---------------+-------------------------------+
    |  data, or the original IP header + 8 bytes for error messages |
    +---------------------------------------------------------------+
    | (RFC 4884: the original datagram padded to 128 bytes, then    |
    |  version(4 bits) reserved | checksum | objects: length,       |
    |  class, c-type, data)                                         |

tcpdump reads fields in two ways, and so do we: ``GET_*`` reads longjmp out of the whole
packet when the capture ends (our :class:`Truncated`: ``[|icmp]``, and ``-x`` dumps the
link-layer header too), while ``ND_TCHECK_*`` in this file jumps to the function's own
``trunc`` label, prints `` [|icmp]`` and returns normally (our ``_GotoTrunc``).
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, in_cksum, in_cksum_shouldbe
from vxlan_inspect.render.tcpdump.hexdump import unknown_data

M32 = 0xFFFFFFFF

_TYPE_NAMES = {0: "echo reply", 4: "source quench", 8: "echo request", 10: "router solicitation",
               13: "time stamp request", 14: "time stamp reply", 15: "information request",
               16: "information reply", 17: "address mask request"}
_ERRTYPES = frozenset({3, 4, 5, 11, 12})
_MULTIPART_TYPES = frozenset({3, 11, 12})
_EXTD_MINLEN = 156 - 20  # ICMP_EXTD_MINLEN: the extension starts 128 bytes after the 8-byte header
_EXT_SIZE = 141  # sizeof(struct icmp_ext_t), checked before the extension is read
_OBJ_NAMES = {1: "MPLS Stack Entry", 2: "Interface Identification"}
# tcpdump formats the text in a char[MAXHOSTNAMELEN + 100] with snprintf: longer text is cut.
_BUFSIZE = 64 + 100

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


class _GotoTrunc(Exception):
    """An ``ND_TCHECK_*`` failed: print `` [|icmp]`` and return (tcpdump's ``goto trunc``)."""


def _tcheck(ctx: Ctx, off: int, n: int) -> None:
    if off + n > ctx.end:
        raise _GotoTrunc


def _tstamp(t: int) -> str:
    """Milliseconds since midnight UTC (``icmp_tstamp_print``)."""
    msec = t % 1000
    sec = t // 1000
    minutes, sec = divmod(sec, 60)
    hrs, minutes = divmod(minutes, 60)
    return "%02u:%02u:%02u.%03u" % (hrs, minutes, sec, msec)


def _unreach(ctx: Ctx, off: int, code: int) -> str:
    oip = off + 8
    if code == 2:
        return "%s protocol %u unreachable" % (ctx.ip4(oip + 16), ctx.u8(oip + 9))
    if code == 3:
        _tcheck(ctx, oip + 9, 1)
        dport = ctx.u16(oip + (ctx.buf[oip] & 0x0F) * 4 + 2)
        oproto = ctx.u8(oip + 9)
        if oproto == 6:
            return "%s tcp port %u unreachable" % (ctx.ip4(oip + 16), dport)
        if oproto == 17:
            return "%s udp port %u unreachable" % (ctx.ip4(oip + 16), dport)
        return "%s protocol %u port %u unreachable" % (ctx.ip4(oip + 16), oproto, dport)
    if code == 4:
        mtu = ctx.u16(off + 6)
        if mtu:
            return "%s unreachable - need to frag (mtu %u)" % (ctx.ip4(oip + 16), mtu)
        return "%s unreachable - need to frag" % ctx.ip4(oip + 16)
    fmt = _UNREACH.get(code)
    if fmt is not None:
        return fmt % ctx.ip4(oip + 16)
    return "%s unreachable - #%u" % (ctx.ip4(oip + 16), code)


def _router_advert(ctx: Ctx, off: int) -> str:
    """RFC 1256: ``router advertisement lifetime L N: {addr pref}...`` (or ``[size S]``)."""
    _tcheck(ctx, off + 4, 4)
    lifetime = ctx.u16(off + 6)
    if lifetime < 60:
        life = "%u" % lifetime
    elif lifetime < 3600:
        life = "%u:%02u" % (lifetime // 60, lifetime % 60)
    else:
        life = "%u:%02u:%02u" % (lifetime // 3600, (lifetime % 3600) // 60, lifetime % 60)
    num = ctx.u8(off + 4)
    parts = ["router advertisement lifetime ", life, " %u:" % num]
    size = ctx.u8(off + 5)
    if size != 2:
        parts.append(" [size %u]" % size)
        return "".join(parts)
    idp = off + 8
    for _ in range(num):
        _tcheck(ctx, idp, 8)
        parts.append(" {%s %u}" % (ctx.ip4(idp), ctx.u32(idp + 4)))
        idp += 8
    return "".join(parts)


def _message(ctx: Ctx, off: int, itype: int, code: int) -> str:
    """The text tcpdump builds in ``buf`` (or points ``str`` at) for this type and code."""
    if itype == 8 or itype == 0:
        return "echo %s, id %u, seq %u" % ("request" if itype == 8 else "reply", ctx.u16(off + 4), ctx.u16(off + 6))
    if itype == 3:
        return _unreach(ctx, off, code)
    if itype == 5:
        dst = ctx.ip4(off + 8 + 16)
        gw = ctx.ip4(off + 4)
        fmt = _REDIRECT.get(code)
        return fmt % (dst, gw) if fmt is not None else "redirect-#%u %s to %s" % (code, dst, gw)
    if itype == 9:
        return _router_advert(ctx, off)
    if itype == 11:
        _tcheck(ctx, off + 8 + 16, 4)
        if code == 0:
            return "time exceeded in-transit"
        return "ip reassembly time exceeded" if code == 1 else "time exceeded-#%u" % code
    if itype == 12:
        if code:
            return "parameter problem - code %u" % code
        return "parameter problem - octet %u" % ctx.u8(off + 4)
    if itype == 18:
        return "address mask is 0x%08x" % ctx.u32(off + 8)
    if itype == 13:
        return "time stamp query id %u seq %u" % (ctx.u16(off + 4), ctx.u16(off + 6))
    if itype == 14:
        _tcheck(ctx, off + 16, 4)
        return "time stamp reply id %u seq %u: org %s, recv %s, xmit %s" % (
            ctx.u16(off + 4), ctx.u16(off + 6), _tstamp(ctx.u32(off + 8)),
            _tstamp(ctx.u32(off + 12)), _tstamp(ctx.u32(off + 16)))
    name = _TYPE_NAMES.get(itype)
    return name if name is not None else "type-#%u" % itype


def icmp_print(ctx: Ctx, off: int, plen: int, iph: int, fragmented: bool) -> None:
    """Print an ICMP message at ``off`` of ``plen`` bytes (``iph``: its IPv4 header)."""
    ctx.proto = "icmp"
    try:
        _icmp_print(ctx, off, plen, fragmented)
    except _GotoTrunc:
        ctx.out.append(" [|icmp]")


def _icmp_print(ctx: Ctx, off: int, plen: int, fragmented: bool) -> None:
    from vxlan_inspect.render.tcpdump.ip import ip_print

    w = ctx.out.append
    itype = ctx.u8(off)
    code = ctx.u8(off + 1)
    w("ICMP %s, length %u" % (_message(ctx, off, itype, code)[: _BUFSIZE - 1], plen))
    vflag = ctx.opts.vflag
    if vflag and not fragmented and off + plen <= ctx.end:
        s = in_cksum(ctx.buf[off : off + plen])
        if s != 0:
            icmp_sum = ctx.u16(off + 2)
            w(" (wrong icmp cksum %x (->%x)!)" % (icmp_sum, in_cksum_shouldbe(icmp_sum, s)))
    if vflag and itype in _ERRTYPES:
        # The quoted datagram, with snapend cut to its own total length (extensions may follow).
        inner = off + 8
        w("\n\t")
        inner_len = ctx.u16(inner + 2)
        saved = ctx.end
        ctx.end = min(inner + inner_len, ctx.end)
        try:
            # tcpdump reads ip_len a second time for ip_print's argument, after cutting
            # snapend: a total length below 4 ends the packet here, as [|icmp].
            ctx.u16(inner + 2)
            ip_print(ctx, inner, inner_len)
        finally:
            ctx.end = saved
    ctx.proto = "icmp"
    if vflag and plen > _EXTD_MINLEN and itype in _MULTIPART_TYPES:
        _multipart_print(ctx, off, plen)


def _multipart_print(ctx: Ctx, off: int, plen: int) -> None:
    """RFC 4884 extension objects after the 128-byte original datagram; MPLS label stacks (RFC 4950)."""
    w = ctx.out.append
    _tcheck(ctx, off, _EXT_SIZE)
    buf = ctx.buf
    ext = off + _EXTD_MINLEN
    hlen = plen - _EXTD_MINLEN
    whole = ext + hlen <= ctx.end
    # A zero length field: only a valid extension checksum tells that an extension is there.
    if buf[off + 5] == 0 and whole and in_cksum(buf[ext : ext + hlen]):
        return
    version = buf[ext] >> 4
    w("\n\tICMP Multi-Part extension v%u" % version)
    if version != 2:
        w(" packet not supported")
        return
    if whole:
        w(", checksum 0x%04x (%scorrect), length %u" % (
            ctx.u16(ext + 2), "in" if in_cksum(buf[ext : ext + hlen]) else "", hlen))
    hlen = (hlen - 4) & M32  # u_int: wraps when the extension is shorter than its header
    obj = ext + 4
    while hlen > 4:
        _tcheck(ctx, obj, 4)
        tlen = (buf[obj] << 8) | buf[obj + 1]
        cls = buf[obj + 2]
        ctype = buf[obj + 3]
        obj += 4
        w("\n\t  %s Object (%u), Class-Type: %u, length %u" % (_OBJ_NAMES.get(cls, "unknown"), cls, ctype, tlen))
        hlen -= 4
        if cls == 0 or tlen < 4:  # tcpdump's "infinite loop protection"
            return
        tlen -= 4
        if cls == 1 and ctype == 1:
            raw = ctx.u32(obj)
            w("\n\t    label %u, tc %u" % (raw >> 12, (raw >> 9) & 7))
            if raw & 0x100:
                w(", [S]")
            w(", ttl %u" % (raw & 0xFF))
        else:
            unknown_data(ctx, obj, "\n\t    ", tlen)
        if hlen < tlen:
            break
        hlen -= tlen
        obj += tlen
