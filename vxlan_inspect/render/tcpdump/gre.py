"""GRE (IP protocol 47) as tcpdump 4.99.3 prints it: version 0 (RFC 2784/2890, with the RFC 1701
routing fields) including NVGRE (RFC 7637: TEB payload, key = VSID << 8 | flow id), and
version 1, the enhanced GRE of PPTP (RFC 2637).

GRE header (version 0; optional words present when their flag is set)::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |C|R|K|S|s|Recur|  Flags  | Ver |         Protocol Type         |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |      Checksum (optional)      |       Offset (optional)       |  C or R
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                         Key (optional)                        |  K
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                    Sequence Number (optional)                 |  S
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |         Address Family        |  SRE Offset   |  SRE Length   |  R: routing entries,
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  up to one with
    |                       Routing Information ...                     family 0, length 0

Version 1 (PPTP): the Key word is a payload length (16 bits) and a call id (16 bits), then
optional Sequence (S) and Acknowledgment (A, 0x0080) numbers; the payload is PPP.

Every header check that fails prints `` [|gre]`` and returns (tcpdump's ``goto trunc``), so
``-x`` still skips the link-layer header. Payloads this tool has no printer for yet (IPX,
AppleTalk, OSI, PPP) print ``<name>, length N [not decoded by vxlan-inspect]`` where
tcpdump decodes them: a visible difference, never a wrong decode.
"""

from __future__ import annotations

from vxlan_inspect.decode.tunnels import ETHERTYPE_TEB
from vxlan_inspect.render.tcpdump.context import Ctx, bittok2str

GRE_CP = 0x8000
GRE_RP = 0x4000
GRE_KP = 0x2000
GRE_SP = 0x1000
GRE_SRC_ROUTE = 0x0800
GRE_AP = 0x0080

_FLAG_NAMES = ((GRE_CP, "checksum present"), (GRE_RP, "routing present"), (GRE_KP, "key present"),
               (GRE_SP, "sequence# present"), (GRE_SRC_ROUTE, "source routing present"), (GRE_AP, "ack present"))

# Payloads tcpdump decodes inside GRE for which this tool has no printer yet.
_NOT_DECODED = {0x8137: "IPX", 0x809B: "AppleTalk", 0x00FE: "OSI", 0x880B: "PPP"}


def _trunc(ctx: Ctx) -> None:
    ctx.out.append(" [|gre]")


def gre_print(ctx: Ctx, off: int, length: int) -> None:
    """``GREv0, key=0xabcd01, length 106: `` then the payload (a new line with -v)."""
    w = ctx.out.append
    ctx.proto = "gre"
    if off + 2 > ctx.end or length < 2:
        _trunc(ctx)
        return
    vers = ctx.u16(off) & 0x0007
    w("GREv%u" % vers)
    if vers == 0:
        _gre0(ctx, off, length)
    elif vers == 1:
        _gre1(ctx, off, length)
    else:
        w(" ERROR: unknown-version")


def _flags(ctx: Ctx, flags: int) -> None:
    if ctx.opts.vflag:
        ctx.out.append(", Flags [%s]" % bittok2str(_FLAG_NAMES, "none", flags))


def _gre0(ctx: Ctx, bp: int, length: int) -> None:
    w = ctx.out.append
    end = ctx.end
    flags = ctx.u16(bp)
    _flags(ctx, flags)
    bp += 2
    ln = length - 2
    if bp + 2 > end or ln < 2:
        return _trunc(ctx)
    prot = ctx.u16(bp)
    bp += 2
    ln -= 2
    if flags & (GRE_CP | GRE_RP):
        if bp + 2 > end or ln < 2:
            return _trunc(ctx)
        if ctx.opts.vflag:
            w(", sum 0x%x" % ctx.u16(bp))
        bp += 2
        ln -= 2
        if bp + 2 > end or ln < 2:
            return _trunc(ctx)
        w(", off 0x%x" % ctx.u16(bp))
        bp += 2
        ln -= 2
    if flags & GRE_KP:
        if bp + 4 > end or ln < 4:
            return _trunc(ctx)
        w(", key=0x%x" % ctx.u32(bp))
        bp += 4
        ln -= 4
    if flags & GRE_SP:
        if bp + 4 > end or ln < 4:
            return _trunc(ctx)
        w(", seq %u" % ctx.u32(bp))
        bp += 4
        ln -= 4
    if flags & GRE_RP:
        while True:
            if bp + 4 > end or ln < 4:
                return _trunc(ctx)
            af = ctx.u16(bp)
            sreoff = ctx.buf[bp + 2]
            srelen = ctx.buf[bp + 3]
            bp += 4
            ln -= 4
            if af == 0 and srelen == 0:
                break
            if not _sre_print(ctx, af, sreoff, srelen, bp, ln):
                return _trunc(ctx)
            if ln < srelen:
                return _trunc(ctx)
            bp += srelen
            ln -= srelen
    _payload(ctx, prot, bp, ln, length)


def _payload(ctx: Ctx, prot: int, bp: int, ln: int, length: int) -> None:
    from vxlan_inspect.render.tcpdump.ip import ip_print
    from vxlan_inspect.render.tcpdump.ip6 import ip6_print
    from vxlan_inspect.render.tcpdump.link import ETHERTYPE_NAMES, ether_print
    from vxlan_inspect.render.tcpdump.mpls import mpls_print

    w = ctx.out.append
    if ctx.opts.eflag:
        w(", proto %s (0x%04x)" % (ETHERTYPE_NAMES.get(prot, "unknown"), prot))
    w(", length %u" % length)
    w("\n\t" if ctx.opts.vflag else ": ")
    ctx.depth += 1
    if ctx.depth > ctx.opts.max_depth:
        w("[|gre: decapsulation depth %u reached]" % ctx.opts.max_depth)
        return
    if prot == 0x0800:
        ip_print(ctx, bp, ln)
    elif prot == 0x86DD:
        ip6_print(ctx, bp, ln)
    elif prot == ETHERTYPE_TEB:
        ether_print(ctx, bp, ln, ctx.avail(bp))
    elif prot == 0x8847:
        mpls_print(ctx, bp, ln)
    elif prot in _NOT_DECODED and prot != 0x880B:
        w("%s, length %u [not decoded by vxlan-inspect]" % (_NOT_DECODED[prot], ln))
    else:
        w("gre-proto-0x%x" % prot)


def _gre1(ctx: Ctx, bp: int, length: int) -> None:
    w = ctx.out.append
    end = ctx.end
    flags = ctx.u16(bp)
    bp += 2
    ln = length - 2
    _flags(ctx, flags)
    if bp + 2 > end or ln < 2:
        return _trunc(ctx)
    prot = ctx.u16(bp)
    bp += 2
    ln -= 2
    if flags & GRE_KP:
        if bp + 4 > end or ln < 4:
            return _trunc(ctx)
        w(", call %u" % (ctx.u32(bp) & 0xFFFF))
        bp += 4
        ln -= 4
    if flags & GRE_SP:
        if bp + 4 > end or ln < 4:
            return _trunc(ctx)
        w(", seq %u" % ctx.u32(bp))
        bp += 4
        ln -= 4
    if flags & GRE_AP:
        if bp + 4 > end or ln < 4:
            return _trunc(ctx)
        w(", ack %u" % ctx.u32(bp))
        bp += 4
        ln -= 4
    if not flags & GRE_SP:
        w(", no-payload")
    if ctx.opts.eflag:
        from vxlan_inspect.render.tcpdump.link import ETHERTYPE_NAMES

        w(", proto %s (0x%04x)" % (ETHERTYPE_NAMES.get(prot, "unknown"), prot))
    w(", length %u" % length)
    if not flags & GRE_SP:
        return
    w("\n\t" if ctx.opts.vflag else ": ")
    if prot == 0x880B:
        w("PPP, length %u [not decoded by vxlan-inspect]" % ln)
    else:
        w("gre-proto-0x%x" % prot)


def _sre_print(ctx: Ctx, af: int, sreoff: int, srelen: int, bp: int, ln: int) -> bool:
    """One source route entry (RFC 1701): IPv4 addresses or 2-byte AS numbers, ``*`` at the offset."""
    w = ctx.out.append
    if af == 0x0800:
        w(", (rtaf=ip")
        ok = _sre_list(ctx, sreoff, srelen, bp, ln, 4)
        w(")")
        return ok
    if af == 0xFFFE:
        w(", (rtaf=asn")
        ok = _sre_list(ctx, sreoff, srelen, bp, ln, 2)
        w(")")
        return ok
    w(", (rtaf=0x%x)" % af)
    return True


def _sre_list(ctx: Ctx, sreoff: int, srelen: int, bp: int, ln: int, size: int) -> bool:
    w = ctx.out.append
    if sreoff & (size - 1):
        w(", badoffset=%u" % sreoff)
        return True
    if srelen & (size - 1):
        w(", badlength=%u" % srelen)
        return True
    if sreoff >= srelen:
        w(", badoff/len=%u/%u" % (sreoff, srelen))
        return True
    start = bp
    while srelen:
        if bp + size > ctx.end or ln < size:
            return False
        mark = "*" if bp - start == sreoff else ""
        if size == 4:
            w(" %s%s" % (mark, ctx.ip4(bp)))
        else:
            w(" %s%x" % (mark, ctx.u16(bp)))
        bp += size
        ln -= size
        srelen -= size
    return True
