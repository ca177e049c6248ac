"""TCP (RFC 9293) as tcpdump's ``print-tcp.c`` summarises it.

::

    +-------------------------------+-------------------------------+
    |          Source Port          |       Destination Port        |
    +-------------------------------+-------------------------------+
    |                        Sequence Number                        |
    |                    Acknowledgment Number                      |
    +-------+-------+---------------+-------------------------------+
    |  Data |       |C|E|U|A|P|R|S|F|                               |
    | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
    +-------+-------+---------------+-------------------------------+
    |           Checksum            |         Urgent Pointer        |
    +-------------------------------+-------------------------------+

Payloads: HTTP's first line (ports 80, 8080) and DNS with its two-byte length prefix
(port 53). Like tcpdump, sequence numbers after the handshake are printed relative to
the first ones seen for the connection (state kept per printing context).
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import CHARS, Ctx, Truncated, in_cksum, in_cksum_shouldbe
from vxlan_inspect.render.tcpdump.domain import NAMESERVER_PORT, domain_print

_FLAGS = ((0x01, "F"), (0x02, "S"), (0x04, "R"), (0x08, "P"), (0x10, "."), (0x20, "U"), (0x40, "E"),
          (0x80, "W"))
_OPT_NAMES = {0: "eol", 1: "nop", 2: "mss", 3: "wscale", 4: "sackOK", 5: "sack", 6: "echo",
              7: "echoreply", 8: "TS", 11: "cc", 12: "ccnew", 13: "", 19: "md5", 20: "scps", 28: "uto",
              29: "tcp-ao", 30: "mptcp", 34: "tfo", 254: "exp"}
M32 = 0xFFFFFFFF


class _BadOpt(Exception):
    pass


class _TruncOpt(Exception):
    """An option's data ran past the capture (tcpdump's ``ND_TCHECK_LEN`` in ``LENCHECK``)."""


def _flags(f: int) -> str:
    s = "".join(name for bit, name in _FLAGS if f & bit)
    return s or "none"


def _options(ctx: Ctx, cp: int, hlen: int, rev: bool, thseq: int, thack: int) -> None:
    w = ctx.out.append
    ch = ""
    w(", options [")
    try:
        while hlen > 0:
            w(ch)
            opt = ctx.u8(cp)
            cp += 1
            if opt in (0, 1):
                ln = 1
            else:
                ln = ctx.u8(cp)
                cp += 1
                if ln < 2 or ln > hlen:
                    raise _BadOpt
                hlen -= 1
            hlen -= 1
            datalen = 0

            def lencheck(n: int, hlen: int = hlen, cp: int = cp) -> None:
                if n > hlen:
                    raise _BadOpt
                if cp + n > ctx.end:
                    raise _TruncOpt

            name = _OPT_NAMES.get(opt)
            w(name if name is not None else "unknown-%u" % opt)
            if opt == 2:
                datalen = 2
                lencheck(2)
                w(" %u" % ctx.u16(cp))
            elif opt == 3:
                datalen = 1
                lencheck(1)
                w(" %u" % ctx.u8(cp))
            elif opt == 5:
                datalen = ln - 2
                if datalen % 8:
                    w(" invalid sack")
                else:
                    w(" %u " % (datalen // 8))
                    for i in range(0, datalen, 8):
                        lencheck(i + 4)
                        s = ctx.u32(cp + i)
                        lencheck(i + 8)
                        e = ctx.u32(cp + i + 4)
                        base = thseq if rev else thack
                        w("{%u:%u}" % ((s - base) & M32, (e - base) & M32))
            elif opt in (11, 12, 13, 6, 7):
                datalen = 4
                lencheck(4)
                w(" %u" % ctx.u32(cp))
            elif opt == 8:
                datalen = 8
                lencheck(8)
                w(" val %u ecr %u" % (ctx.u32(cp), ctx.u32(cp + 4)))
            elif opt == 19:
                datalen = 16
                lencheck(16)
                w(" " + ctx.buf[cp : cp + 16].hex())
            elif opt == 20:
                datalen = 2
                lencheck(2)
                w(" cap %02x id %u" % (ctx.u8(cp), ctx.u8(cp + 1)))
            elif opt in (0, 1, 4):
                pass
            elif opt == 28:
                datalen = 2
                lencheck(2)
                uto = ctx.u16(cp)
                w(" 0x%x" % uto)
                uto = (uto >> 1) * 60 if uto & 1 else uto >> 1
                w(" %u" % uto)
            else:
                datalen = ln - 2
                if datalen:
                    w(" 0x")
                for i in range(datalen):
                    lencheck(i + 1)
                    w("%02x" % ctx.u8(cp + i))
            cp += datalen
            hlen -= datalen
            datalen += 1
            if opt not in (0, 1):
                datalen += 1
            if datalen != ln:
                w("[len %u]" % ln)
            ch = ","
            if opt == 0:
                break
        w("]")
    except _BadOpt:
        w("[bad opt]")
        if ch:
            w("]")
        raise _Done from None
    except _TruncOpt:
        # goto trunc: tcpdump prints the marker and returns (a GET_ failure, reading an
        # option's kind or length byte, is a longjmp instead: Truncated propagates).
        w(" [|tcp]")
        if ch:
            w(">")
        raise _Done from None


class _Done(Exception):
    pass


def tcp_print(ctx: Ctx, off: int, length: int, iph: int, fragmented: bool) -> None:
    """Print a TCP segment at ``off`` of ``length`` bytes."""
    from vxlan_inspect.render.tcpdump.udp import pseudo_header

    w = ctx.out.append
    ctx.proto = "tcp"
    buf = ctx.buf
    v6 = buf[iph] >> 4 == 6
    if v6:
        src, dst = ctx.ip6(iph + 8), ctx.ip6(iph + 24)
        own = ctx.u8(iph + 6) == 6
    else:
        src, dst = ctx.ip4(iph + 12), ctx.ip4(iph + 16)
        own = ctx.u8(iph + 9) == 6
    if off + 4 > ctx.end:
        w("%s > %s: [|tcp]" % (src, dst))
        return
    sport = (buf[off] << 8) | buf[off + 1]
    dport = (buf[off + 2] << 8) | buf[off + 3]
    if own:
        w("%s.%u > %s.%u: " % (src, sport, dst, dport))
    else:
        w("%u > %u: " % (sport, dport))
    if off + 20 > ctx.end:
        w(" [|tcp]")  # ND_TCHECK_SIZE: goto trunc, a return (not a longjmp)
        return
    hlen = (buf[off + 12] >> 4) * 4
    if hlen < 20:
        w(" tcp %u [bad hdr length %u - too short, < 20]" % ((length - hlen) & M32, hlen))
        return
    seq = int.from_bytes(buf[off + 4 : off + 8], "big")
    ack = int.from_bytes(buf[off + 8 : off + 12], "big")
    win = (buf[off + 14] << 8) | buf[off + 15]
    urp = (buf[off + 18] << 8) | buf[off + 19]
    opts = ctx.opts
    if opts.qflag:
        w("tcp %u" % ((length - hlen) & M32))
        if hlen > length:
            w(" [bad hdr length %u - too long, > %u]" % (hlen, length))
        return
    flags = buf[off + 13]
    w("Flags [%s]" % _flags(flags))
    rev = False
    thseq = thack = 0
    if flags & 0x10:
        ctx.tcp_acks += 1
        if v6:
            a_src, a_dst = buf[iph + 8 : iph + 24], buf[iph + 24 : iph + 40]
        else:
            a_src, a_dst = buf[iph + 12 : iph + 16], buf[iph + 16 : iph + 20]
        if sport > dport or (sport == dport and a_src > a_dst):
            rev = True
        if rev:
            key = (a_dst, a_src, (dport << 16) | sport)
        else:
            key = (a_src, a_dst, (sport << 16) | dport)
        entry = ctx.tcp_seq.get(key)
        if entry is None or flags & 0x02:
            if rev:
                entry = ((ack - 1) & M32, seq)
            else:
                entry = (seq, (ack - 1) & M32)
            ctx.tcp_seq[key] = entry
        else:
            if rev:
                seq = (seq - entry[1]) & M32
                ack = (ack - entry[0]) & M32
            else:
                seq = (seq - entry[0]) & M32
                ack = (ack - entry[1]) & M32
        thseq, thack = entry
    if hlen > length:
        w(" [bad hdr length %u - too long, > %u]" % (hlen, length))
        return
    if opts.vflag and not fragmented and off + length <= ctx.end:
        s = in_cksum(pseudo_header(ctx, iph, 6, length) + buf[off : off + length])
        tcp_sum = (buf[off + 16] << 8) | buf[off + 17]
        w(", cksum 0x%04x" % tcp_sum)
        if s != 0:
            w(" (incorrect -> 0x%04x)" % in_cksum_shouldbe(tcp_sum, s))
        else:
            w(" (correct)")
    length -= hlen
    if opts.vflag > 1 or length > 0 or flags & 0x07:
        w(", seq %u" % seq)
        if length > 0:
            w(":%u" % ((seq + length) & M32))
    if flags & 0x10:
        w(", ack %u" % ack)
    w(", win %u" % win)
    if flags & 0x20:
        w(", urg %u" % urp)
    if hlen > 20:
        try:
            _options(ctx, off + 20, hlen - 20, rev, thseq, thack)
        except _Done:
            return
    w(", length %u" % length)
    if length == 0:
        return
    header_len = (buf[off + 12] >> 4) * 4
    if off + header_len > ctx.end:
        w(" [remaining caplen(%u) < header length(%u)]" % (ctx.avail(off), header_len))
        raise Truncated
    if flags & 0x04 and opts.vflag:
        _rst_data(ctx, off + header_len, length)
        return
    if sport in _HTTP_PORTS or dport in _HTTP_PORTS:
        w(": ")
        ctx.proto = "http"
        txtproto_print(ctx, off + header_len, length, _HTTP_CMDS, True)
    elif (sport == NAMESERVER_PORT or dport == NAMESERVER_PORT) and not (
            sport in _PRINTED_BEFORE_DNS or dport in _PRINTED_BEFORE_DNS):
        domain_print(ctx, off + header_len, length, True, False)


_HTTP_PORTS = frozenset({80, 8080})
# Ports print-tcp.c tests before DNS (FTP, SSH, Telnet, SMTP, whois, BGP, RTSP, PPTP, Redis,
# OpenFlow, BEEP): their printers win, and we do not decode them. (NetBIOS 139 and SMB 445
# come first only in builds with ENABLE_SMB, which Debian's tcpdump 4.99.3 is not.)
_PRINTED_BEFORE_DNS = frozenset({21, 22, 23, 25, 43, 179, 554, 1723, 6379, 6633, 6653, 8554, 10288})
_HTTP_CMDS = frozenset({
    "GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY", "BMOVE", "MKCOL", "TRACE", "LABEL",
    "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE", "NOTIFY", "BDELETE", "CONNECT", "OPTIONS",
    "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST", "SUBSCRIBE", "PROPPATCH", "BPROPFIND",
})


def _rst_data(ctx: Ctx, bp: int, length: int) -> None:
    """Data carried by a RST segment (RFC 1122 4.2.2.12), printed under -v."""
    w = ctx.out.append
    w(" [RST" if bp + length <= ctx.end else " [!RST")
    if length > 30:
        length = 30
        w("+")
    w(" ")
    n = min(length, ctx.avail(bp))
    w("".join([CHARS[c] for c in ctx.buf[bp : bp + n]]))
    w("]")


def _fetch_token(ctx: Ctx, p: int, idx: int, length: int) -> tuple[int, str]:
    """tcpdump's ``fetch_token``: the next printable token and the index past its blanks."""
    buf = ctx.buf
    tok: list[str] = []
    while idx < length:
        if p + idx >= ctx.end:
            return 0, ""
        c = buf[p + idx]
        if c > 0x7F:
            return 0, ""
        if c in (0x20, 0x09, 0x0D, 0x0A):
            break
        if not 0x20 <= c <= 0x7E:
            return 0, ""
        if len(tok) + 2 > 128:
            return 0, ""
        tok.append(chr(c))
        idx += 1
    if not tok:
        return 0, ""
    while idx < length:
        if p + idx >= ctx.end:
            break
        c = buf[p + idx]
        if c in (0x0D, 0x0A) or not 0x20 <= c <= 0x7E or c not in (0x20, 0x09):
            break
        idx += 1
    return idx, "".join(tok)


def _print_txt_line(ctx: Ctx, prefix: str, p: int, idx: int, length: int) -> int:
    buf = ctx.buf
    start = idx
    while idx < length:
        c = ctx.u8(p + idx)
        if c == 0x0A:
            ctx.out.append(prefix + buf[p + start : p + idx].decode("latin-1"))
            return idx + 1
        if c == 0x0D:
            if idx + 1 >= length:
                return 0
            if ctx.u8(p + idx + 1) == 0x0A:
                ctx.out.append(prefix + buf[p + start : p + idx].decode("latin-1"))
                return idx + 2
            return 0
        if not 0x20 <= c <= 0x7E and c != 0x09:
            return 0
        idx += 1
    ctx.out.append(prefix + buf[p + start : p + idx].decode("latin-1"))
    ctx.out.append(" [|%s]" % ctx.proto)
    return 0


def txtproto_print(ctx: Ctx, p: int, length: int, cmds: frozenset[str], resp_code_second: bool) -> None:
    """tcpdump's ``txtproto_print`` for line-based protocols such as HTTP."""
    idx, token = _fetch_token(ctx, p, 0, length)
    print_this = False
    if idx:
        if token.upper() in cmds:
            print_this = True
        if resp_code_second:
            idx, token = _fetch_token(ctx, p, idx, length)
        if idx and len(token) == 3 and token.isdigit():
            print_this = True
    ctx.out.append(ctx.proto.upper())
    if print_this:
        if ctx.opts.vflag:
            ctx.out.append(", length: %u" % length)
            idx = 0
            while idx < length:
                eol = _print_txt_line(ctx, "\n\t", p, idx, length)
                if not eol:
                    break
                idx = eol
        else:
            _print_txt_line(ctx, ": ", p, 0, length)
