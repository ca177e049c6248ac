"""DNS (RFC 1035), multicast DNS (RFC 6762) and DNS over TCP as tcpdump's ``domain_print``.

Header::

     0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
    |                      ID                       |
    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
    |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
    |            QDCOUNT / ANCOUNT / NSCOUNT / ARCOUNT (4 x 16 bits)
    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+

A query prints as ``ID[op][+][%] [counts] TYPE? NAME (LEN)``, ``+`` for RD and ``%`` for
CD; a response as ``ID[op][ rcode][*][-][|][$] [q:QUESTIONS] AN/NS/AR RECORDS (LEN)``, ``*``
for AA, ``-`` when RA is clear, ``|`` for TC and ``$`` for AD. ``-v`` adds the owner names
of records and SOA/TSIG details, ``-vv`` the question of a response and the authority and
additional sections (``ns:``, ``ar:``), ``-vvv`` the TTLs. Over TCP the message follows a
two-byte length (RFC 1035 4.2.2), which must equal the segment's payload length.

Where tcpdump jumps to its ``trunc`` label this printer appends `` [|domain]`` and returns
(the enclosing layers go on, and ``-x`` still skips the link header); where tcpdump's
``GET_`` macros fail, :class:`~vxlan_inspect.render.tcpdump.context.Truncated` propagates.
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx
from vxlan_inspect.render.tcpdump.domain_name import fqdn_print, ns_nskip
from vxlan_inspect.render.tcpdump.domain_rr import T_OPT, class_name, ns_rprint, type_name

NAMESERVER_PORT = 53
MULTICASTDNS_PORT = 5353

_OPS = ("", " inv_q", " stat", " op3", " notify", " update", " op6", " op7", " op8", " updateA",
        " updateD", " updateDA", " updateM", " updateMA", " zoneInit", " zoneRef")
# tcpdump's table, including its two entries without a leading space (17 and 21).
_RCODES = ("", " FormErr", " ServFail", " NXDomain", " NotImp", " Refused", " YXDomain", " YXRRSet",
           " NXRRSet", " NotAuth", " NotZone", " Resp11", " Resp12", " Resp13", " Resp14", " NoChange",
           " BadVers", "Resp17", " Resp18", " Resp19", " Resp20", "Resp21", " Resp22", " BadCookie")
_TRUNC = " [|domain]"
_HEADER = 12


def _rcode(rcode: int) -> str:
    if rcode < len(_RCODES):
        return _RCODES[rcode]
    return " Resp%u" % (rcode & 0xFFF)


def ns_qprint(ctx: Ctx, cp: int, bp: int, is_mdns: bool) -> int | None:
    """One question: `` A? example.com.`` (mDNS adds `` (QM)`` or `` (QU)``)."""
    w = ctx.out.append
    start = cp
    got = ns_nskip(ctx, cp)
    if got is None or got + 4 > ctx.end:
        return None
    qtype = ctx.u16(got)
    raw_class = ctx.u16(got + 2)
    w(" " + type_name(qtype))
    klass = raw_class & 0x7FFF if is_mdns else raw_class
    if klass != 1:
        w(" " + class_name(klass))
    if is_mdns:
        w(" (QU)" if raw_class & 0x8000 else " (QM)")
    w("? ")
    got = fqdn_print(ctx, start, bp)
    return got + 4 if got is not None else None


def _records(ctx: Ctx, cp: int, bp: int, count: int, is_mdns: bool, label: str) -> int | None:
    """A record section: the first record, then more while captured bytes remain.

    ``label`` (`` ns:``/`` ar:``) is printed before a section that has records and starts
    inside the capture; the answer section has none and no such start check. Returns the
    offset after the section, or None when tcpdump would print `` [|domain]``.
    """
    if count and (not label or cp < ctx.end):
        ctx.out.append(label)
        got = ns_rprint(ctx, cp, bp, is_mdns)
        if got is None:
            return None
        cp = got
        count -= 1
        while cp < ctx.end and count:
            ctx.out.append(",")
            got = ns_rprint(ctx, cp, bp, is_mdns)
            if got is None:
                return None
            cp = got
            count -= 1
    return None if count else cp


def _extended_rcode(ctx: Ctx, bp: int, counts: tuple[int, int, int, int], rcode: int) -> int:
    """RCODE with the upper bits an OPT record in the additional section carries."""
    qdcount, ancount, nscount, arcount = counts
    end = ctx.end
    cp: int | None = bp + _HEADER
    for _ in range(qdcount):
        cp = ns_nskip(ctx, cp) if cp is not None else None
        if cp is None:
            return rcode
        cp += 4
        if cp >= end:
            return rcode
    for _ in range(ancount + nscount):
        cp = ns_nskip(ctx, cp) if cp is not None else None
        if cp is None or cp + 10 > end:
            return rcode
        cp += 10 + ctx.u16(cp + 8)
        if cp >= end:
            return rcode
    for _ in range(arcount):
        cp = ns_nskip(ctx, cp) if cp is not None else None
        if cp is None or cp + 2 > end:
            return rcode
        rtype = ctx.u16(cp)
        if cp + 5 > end:
            return rcode
        if rtype == T_OPT:
            return rcode | (ctx.u8(cp + 4) << 4)
        if cp + 10 > end:
            return rcode
        cp += 10 + ctx.u16(cp + 8)
        if cp >= end:
            return rcode
    return rcode


def domain_print(ctx: Ctx, bp: int, length: int, over_tcp: bool, is_mdns: bool) -> None:
    """Print the DNS message at ``bp`` of ``length`` bytes (after TCP's length prefix if any)."""
    w = ctx.out.append
    ctx.proto = "domain"
    ctx.dns_names.clear()
    ctx.dns_runs.clear()
    if over_tcp:
        if length < 2:
            w(" [DNS over TCP: length %u < 2] (invalid)" % length)
            return
        length -= 2
        prefix = ctx.u16(bp)
        if prefix != length:
            w(" [prefix length(%u) != length(%u)] (invalid)" % (prefix, length))
            return
        bp += 2
        w(" ")
    if length < _HEADER:
        w("domain [length %u < %u] (invalid)" % (length, _HEADER))
        return
    if bp + _HEADER > ctx.end:
        w(_TRUNC)
        return
    buf = ctx.buf
    ident = (buf[bp] << 8) | buf[bp + 1]
    flags = (buf[bp + 2] << 8) | buf[bp + 3]
    qdcount = (buf[bp + 4] << 8) | buf[bp + 5]
    ancount = (buf[bp + 6] << 8) | buf[bp + 7]
    nscount = (buf[bp + 8] << 8) | buf[bp + 9]
    arcount = (buf[bp + 10] << 8) | buf[bp + 11]
    rcode = _extended_rcode(ctx, bp, (qdcount, ancount, nscount, arcount), flags & 0xF)
    opcode = (flags >> 11) & 0xF
    vv = ctx.opts.vflag > 1
    cp: int | None = bp + _HEADER
    if flags & 0x8000:
        w("%u%s%s%s%s%s%s" % (ident, _OPS[opcode], _rcode(rcode), "*" if flags & 0x0400 else "",
                              "" if flags & 0x0080 else "-", "|" if flags & 0x0200 else "",
                              "$" if flags & 0x0020 else ""))
        if qdcount != 1:
            w(" [%uq]" % qdcount)
        for i in range(qdcount):
            if i:
                w(",")
            if vv:
                w(" q:")
                cp = ns_qprint(ctx, cp, bp, is_mdns) if cp is not None else None
            else:
                cp = ns_nskip(ctx, cp) if cp is not None else None
                if cp is not None:
                    cp += 4
            if cp is None:
                w(_TRUNC)
                return
        w(" %u/%u/%u" % (ancount, nscount, arcount))
    else:
        w("%u%s%s%s" % (ident, _OPS[opcode], "+" if flags & 0x0100 else "", "%" if flags & 0x0010 else ""))
        if flags & 0x6CF:
            w(" [b2&3=0x%x]" % flags)
        if opcode == 1:  # IQUERY
            if qdcount:
                w(" [%uq]" % qdcount)
            if ancount != 1:
                w(" [%ua]" % ancount)
        else:
            if ancount:
                w(" [%ua]" % ancount)
            if qdcount != 1:
                w(" [%uq]" % qdcount)
        if nscount:
            w(" [%un]" % nscount)
        if arcount:
            w(" [%uau]" % arcount)
        left = qdcount
        if left:
            cp = ns_qprint(ctx, cp, bp, is_mdns) if cp is not None else None
            left -= 1
            while cp is not None and cp < ctx.end and left:
                cp = ns_qprint(ctx, cp, bp, is_mdns)
                left -= 1
        if cp is None or left:
            w(_TRUNC)
            return
        if not vv:
            w(" (%u)" % length)
            return
    if cp is None:
        w(_TRUNC)
        return
    cp = _records(ctx, cp, bp, ancount, is_mdns, "")
    if vv:
        if cp is not None:
            cp = _records(ctx, cp, bp, nscount, is_mdns, " ns:")
        if cp is not None:
            cp = _records(ctx, cp, bp, arcount, is_mdns, " ar:")
    if cp is None:
        w(_TRUNC)
        return
    w(" (%u)" % length)
