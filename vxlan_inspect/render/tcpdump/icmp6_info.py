"""ICMPv6 node information (RFC 4620), router renumbering (RFC 2894) and RPL (RFC 6550)
messages as tcpdump 4.99.3's ``print-icmp6.c`` prints them.

::

    node information              router renumbering             RPL (type 155)
    +------+------+--------+      +------+------+--------+      +------+------+--------+
    | 139/140 code| cksum  |      | 138  | code | cksum  |      | 155  | code | cksum  |
    +-------------+--------+      +------+------+--------+      +------+------+--------+
    |    qtype    | flags  |      |    sequence number   |      | base (DIS/DIO/DAO/ACK)|
    +-------------+--------+      +------+------+--------+      |  ... options         |
    |  nonce (8 bytes)     |      | seg  |flags | maxdelay|
    +----------------------+      +------+------+--------+
    |  subject / reply data|      |  reserved; match and |
                                  |  use prefix parts     |

Each printer here has its own ``trunc`` label in tcpdump: it prints `` [|icmp6]`` and
returns to ``icmp6_print``, which goes on (``, length N`` without ``-v``). Reads with
``GET_*`` still end the whole packet (:class:`Truncated`).
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import CHARS, Ctx, ip6addr_string
from vxlan_inspect.render.tcpdump.hexdump import hex_only

_MOP = {0: "nonstoring", 1: "storing", 2: "nonstoring-multicast", 3: "storing-multicast"}
_SUBOPT = {0: "pad1", 1: "padN", 2: "metrics", 3: "routinginfo", 4: "config", 5: "rpltarget",
           6: "transitinfo", 8: "destprefix", 9: "rpltargetdesc"}
_TRUNC = " [|icmp6]"


def _addr_flags(i: int, with_truncate: bool) -> str:
    """Node-address qtype flags: a G S L C A (and T in replies)."""
    bits = ((0x40, "a"), (0x20, "G"), (0x10, "S"), (0x08, "L"), (0x04, "C"), (0x02, "A"))
    text = "".join(c for bit, c in bits if i & bit)
    return text + ("T" if with_truncate and i & 0x01 else "")


def _dnsname(ctx: Ctx, cp: int, ep: int) -> None:
    """``dnsname_print``: labels without decompression, ``???`` where they do not fit."""
    out = [', "']
    while cp < ep:
        i = ctx.u8(cp)
        cp += 1
        if i:
            if i > ep - cp:
                out.append("???")
                break
            while i and cp < ep:
                out.append(CHARS[ctx.u8(cp)])
                cp += 1
                i -= 1
            if cp + 1 < ep and ctx.u8(cp):
                out.append(".")
        else:
            if cp == ep:
                out.append(".")
            elif not (cp + 1 == ep and ctx.u8(cp) == 0):
                out.append("???")
            break
    out.append('"')
    ctx.out.append("".join(out))


def _name(ctx: Ctx, cp: int, ep: int) -> None:
    """A subject or reply name: a Pascal string (icmp-name-lookup-03) or DNS labels."""
    if ctx.u8(cp) == ep - cp - 1:
        if ctx.opts.vflag:
            ctx.out.append(", 03 draft")
        ctx.out.append(', "' + "".join(CHARS[ctx.u8(p)] for p in range(cp + 1, ep)) + '"')
    else:
        _dnsname(ctx, cp, ep)


def nodeinfo_print(ctx: Ctx, length: int, bp: int) -> None:
    """Node information query (139) or reply (140); ``siz`` is what was captured."""
    w = ctx.out.append
    ep = ctx.end
    if ep < bp:
        return
    siz = ep - bp
    vflag = ctx.opts.vflag
    if ctx.u8(bp) == 139:
        if siz == 12:
            w(" who-are-you request")
            return
        w(" node information query")
        if bp + 16 > ep:
            w(_TRUNC)
            return
        w(" (")
        qtype = ctx.u16(bp + 4)
        if qtype in (0, 1, 2, 3):
            w(("noop", "supported qtypes", "DNS name", "node addresses")[qtype])
            i = ctx.u16(bp + 6) if qtype in (1, 3) else 0
            if i:
                w(" [%s]" % ("C" if i & 1 else "") if qtype == 1 else " [%s]" % _addr_flags(i, False))
        else:
            w("unknown")
        if qtype in (0, 1):
            if siz != 16 and vflag:
                w(", invalid len")
            w(")")
            return
        if siz == 16:
            w(", 03 draft)")
            return
        cp = bp + 16
        code = ctx.u8(bp + 1)
        if code == 0 or code == 2:
            want = 16 if code == 0 else 4
            if bp + 16 + want <= ep:
                if siz != 16 + want:
                    if vflag:
                        w(", invalid subject len")
                else:
                    w(", subject=%s" % (ctx.ip6(cp) if code == 0 else ctx.ip4(cp)))
        elif code == 1:
            w(", subject=DNS name")
            _name(ctx, cp, ep)
        else:
            w(", unknown subject")
        w(")")
        return
    # ICMP6_NI_REPLY
    if length > siz or bp + 16 > ep:
        w(_TRUNC)
        return
    needcomma = False
    w(" node information reply (")
    code = ctx.u8(bp + 1)
    if code == 0:
        if vflag:
            w("success")
            needcomma = True
    elif code in (1, 2):
        w("refused" if code == 1 else "unknown")
        needcomma = True
        if siz != 16 and vflag:
            w(", invalid length")
    if code != 0:
        w(")")
        return
    comma = ", " if needcomma else ""
    qtype = ctx.u16(bp + 4)
    if qtype == 0:
        w(comma + "noop")
        if siz != 16 and vflag:
            w(", invalid length")
    elif qtype == 1:
        w(comma + "supported qtypes")
        i = ctx.u16(bp + 6)
        if i:
            w(" [%s]" % ("C" if i & 1 else ""))
    elif qtype == 2:
        w(comma + "DNS name")
        _name(ctx, bp + 20, ep)
        if ctx.u16(bp + 6) & 0x01:
            w(" [TTL=%u]" % ctx.u32(bp + 16))
    elif qtype == 3:
        w(comma + "node addresses")
        i = 16
        while i < siz and i + 20 <= siz:
            w(" %s(%u)" % (ctx.ip6(bp + i + 4), ctx.u32(bp + i)))
            i += 20
        flags = ctx.u16(bp + 6)
        if flags:
            w(" [%s]" % _addr_flags(flags, True))
    else:
        w(comma + "unknown")
    w(")")


def rrenum_print(ctx: Ctx, bp: int) -> None:
    """Router renumbering: code, sequence, flags under -v, a command's match and use prefixes."""
    w = ctx.out.append
    vflag = ctx.opts.vflag
    if ctx.end < bp:
        return
    if bp + 16 > ctx.end:
        w(_TRUNC)
        return
    code = ctx.u8(bp + 1)
    w({0: ", command", 1: ", result", 255: ", sequence number reset"}.get(code, ", code-#%u" % code))
    w(", seq=%u" % ctx.u32(bp + 4))
    if vflag:
        flags = ctx.u8(bp + 9)
        w("[")
        if flags:
            w("".join(c for bit, c in ((0x80, "T"), (0x40, "R"), (0x20, "A"), (0x10, "S"), (0x08, "P"))
                      if flags & bit) + ",")
        w("seg=%u," % ctx.u8(bp + 8))
        w("maxdelay=%u" % ctx.u16(bp + 10))
        if ctx.u32(bp + 12):
            w("rsvd=0x%x" % ctx.u32(bp + 12))
        w("]")
    if code != 0:
        return
    match = bp + 16
    if match + 24 > ctx.end:
        w(_TRUNC)
        return
    sep = "\n\t" if vflag > 1 else " "
    w(sep + "match(")
    rpm = ctx.u8(match)
    w({1: "add", 2: "change", 3: "setglobal"}.get(rpm, "#%u" % rpm))
    if vflag:
        w(",ord=%u,min=%u,max=%u" % (ctx.u8(match + 2), ctx.u8(match + 4), ctx.u8(match + 5)))
    w(",%s/%u)" % (ip6addr_string(ctx.buf[match + 8 : match + 24]), ctx.u8(match + 3)))
    n = ctx.u8(match + 1) - 3
    if n < 0 or n % 4:  # C's int %: -3..-1 leave a non-zero remainder too
        w(_TRUNC)
        return
    use = match + 24
    for _ in range(n // 4):
        if use + 32 > ctx.end:
            w(_TRUNC)
            return
        w(sep + "use(")
        uflags = ctx.u8(use + 12)
        if uflags:
            w("%s%s," % ("V" if uflags & 0x80 else "", "P" if uflags & 0x40 else ""))
        if vflag:
            w("mask=0x%x,raflags=0x%x," % (ctx.u8(use + 2), ctx.u8(use + 3)))
            for name, at in (("vltime", use + 4), ("pltime", use + 8)):
                t = ctx.u32(at)
                w("%s=infty," % name if t == 0xFFFFFFFF else "%s=%u," % (name, t))
        w("%s/%u/%u)" % (ip6addr_string(ctx.buf[use + 16 : use + 32]), ctx.u8(use), ctx.u8(use + 1)))
        use += 32


def _rpl_opts(ctx: Ctx, opts: int, length: int) -> None:
    w = ctx.out.append
    while length:
        dio_type = ctx.u8(opts)
        if dio_type == 0:
            optlen = 1
            w(" opt:pad1")
        else:
            if length < 2:
                w(_TRUNC)
                return
            optlen = ctx.u8(opts + 1) + 2
            w(" opt:%s len:%u " % (_SUBOPT.get(dio_type, "subopt:%u" % dio_type), optlen))
            if opts + optlen > ctx.end or length < optlen:
                w(_TRUNC)
                return
            if ctx.opts.vflag > 2:
                w(hex_only(ctx.buf[opts + 2 : opts + optlen], " "))
        opts += optlen
        length -= optlen


def rpl_print(ctx: Ctx, code: int, bp: int, length: int) -> None:
    """RPL control messages (type 155); ``bp`` is the ICMPv6 header's last four bytes."""
    w = ctx.out.append
    vflag = ctx.opts.vflag
    if code & 0x80:
        w(", (SEC) [worktodo]")
        return
    w(", (CLR)")
    base = code & 0x7F
    if base == 0:
        w("DODAG Information Solicitation")
    elif base == 1:
        w("DODAG Information Object")
        if vflag:
            if length < 24:
                w(" [length %u < 24] (invalid)" % length)
                return
            mopprf = ctx.u8(bp + 4)
            w(" [dagid:%s,seq:%u,instance:%u,rank:%u,%smop:%s,prf:%u]" % (
                ctx.ip6(bp + 8), ctx.u8(bp + 5), ctx.u8(bp), ctx.u16(bp + 2), "grounded," if mopprf & 0x80 else "",
                _MOP.get((mopprf >> 3) & 7, "mop%u" % ((mopprf >> 3) & 7)), mopprf & 7))
            if vflag > 1:
                _rpl_opts(ctx, bp + 24, length - 24)
    elif base in (2, 3):
        w("Destination Advertisement Object" if base == 2 else "Destination Advertisement Object Ack")
        if vflag:
            _dao_print(ctx, bp, length, base == 3)
    else:
        w("RPL message, unknown code %u" % code)


def _dao_print(ctx: Ctx, bp: int, length: int, ack: bool) -> None:
    """DAO (flags K and D, sequence) or DAO-ACK (D, sequence, status), DODAGID when D is set."""
    w = ctx.out.append
    if bp + (4 if ack else 20) > ctx.end:  # DAO: ND_TCHECK_SIZE of the struct with its DODAGID
        w(_TRUNC)
        return
    if length < 4:
        w(" [|dao-length too short]" if ack else " [|length too short]")
        return
    flags = ctx.u8(bp + 1)
    dagid = "<elided>"
    opts, rest = bp + 4, length - 4
    if flags & (0x80 if ack else 0x40):
        if bp + 20 > ctx.end:
            w(_TRUNC)
            return
        if rest < 16:
            w(" [|dao-length too short]" if ack else " [|length too short]")
            return
        dagid = ip6addr_string(ctx.buf[bp + 4 : bp + 20])
        opts, rest = opts + 16, rest - 16
    if ack:
        w(" [dagid:%s,seq:%u,instance:%u,status:%u]" % (dagid, ctx.u8(bp + 2), ctx.u8(bp), ctx.u8(bp + 3)))
    else:
        w(" [dagid:%s,seq:%u,instance:%u%s%s,%02x]" % (
            dagid, ctx.u8(bp + 3), ctx.u8(bp), ",acK" if flags & 0x80 else "", ",Dagid" if flags & 0x40 else "",
            flags))
    if ctx.opts.vflag > 1:
        _rpl_opts(ctx, opts, rest)
