"""DNS resource records (RFC 1035 4.1.3) and EDNS0 options (RFC 6891) as tcpdump prints them.

::

    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
    /                     NAME                      /
    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
    |                     TYPE                      |
    |                     CLASS                     |  OPT: the UDP payload size
    |                      TTL                      |  OPT: ext. rcode, version, DO flag
    |                   RDLENGTH                    |
    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
    /                     RDATA                     /
    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+

In multicast DNS (RFC 6762) the top bit of CLASS is the cache-flush bit in records and
the unicast-response (QU) bit in questions.
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, ip6addr_string, ipaddr_string, tok2str
from vxlan_inspect.render.tcpdump.domain_name import fqdn_print, ns_cprint, ns_nskip, printn

T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_MX, T_TXT, T_AAAA, T_SRV = 1, 2, 5, 6, 12, 15, 16, 28, 33
T_A6, T_DNAME, T_OPT, T_UNSPECA, T_TSIG, T_URI = 38, 39, 41, 104, 250, 256
C_IN = 1

TYPE_NAMES = {
    1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG", 9: "MR", 10: "NULL",
    11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO", 15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB",
    19: "X25", 20: "ISDN", 21: "RT", 22: "NSAP", 23: "NSAP_PTR", 24: "SIG", 25: "KEY", 26: "PX",
    27: "GPOS", 28: "AAAA", 29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC", 33: "SRV", 34: "ATMA",
    35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6", 39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL",
    43: "DS", 44: "SSHFP", 45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 99: "SPF",
    100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC", 104: "UNSPECA", 249: "TKEY", 250: "TSIG",
    251: "IXFR", 252: "AXFR", 253: "MAILB", 254: "MAILA", 255: "ANY", 256: "URI",
}
CLASS_NAMES = {1: "IN", 3: "CHAOS", 4: "HS", 255: "ANY"}
_EDNS_OPTS = {
    1: "LLQ", 2: "UL", 3: "NSID", 5: "DAU", 6: "DHU", 7: "N3U", 8: "ECS", 9: "EXPIRE", 10: "COOKIE",
    11: "KEEPALIVE", 12: "PADDING", 13: "CHAIN", 14: "KEY-TAG", 16: "CLIENT-TAG", 17: "SERVER-TAG",
}
_DAU = {
    0: "DELETE", 1: "RSAMD5", 2: "DH", 3: "DS", 5: "RSASHA1", 6: "DSA-NSEC3-SHA1", 7: "RSASHA1-NSEC3-SHA1",
    8: "RSASHA256", 10: "RSASHA512", 12: "ECC-GOST", 13: "ECDSAP256SHA256", 14: "ECDSAP384SHA384",
    15: "ED25519", 16: "ED448", 252: "INDIRECT", 253: "PRIVATEDNS", 254: "PRIVATEOID",
}
_DHU = {1: "SHA-1", 2: "SHA-256", 3: "GOST_R_34.11-94", 4: "SHA-384"}
_N3U = {1: "SHA-1"}
_ALG_TABLES = {5: _DAU, 6: _DHU, 7: _N3U}
_INVALID = " (invalid)"
_RELTS = ((31536000, "y"), (604800, "w"), (86400, "d"), (3600, "h"), (60, "m"), (1, "s"))


def type_name(t: int) -> str:
    return tok2str(TYPE_NAMES, "Type%u", t)


def class_name(c: int) -> str:
    return tok2str(CLASS_NAMES, "(Class %u)", c)


def relts(secs: int) -> str:
    """tcpdump's ``unsigned_relts_print``: ``1h1m5s``."""
    if secs == 0:
        return "0s"
    parts = []
    for unit, name in _RELTS:
        if secs >= unit:
            parts.append("%u%s" % (secs // unit, name))
            secs %= unit
    return "".join(parts)


def _ecs(ctx: Ctx, cp: int, data_len: int) -> str:
    """The client-subnet option (RFC 7871): ``ADDRESS/SOURCE/SCOPE``."""
    if data_len < 4:
        return _INVALID
    family = ctx.u16(cp)
    src_len = ctx.u8(cp + 2)
    scope_len = ctx.u8(cp + 3)
    if family == 1:
        bits = 32
    elif family == 2:
        bits = 128
    else:
        return _INVALID
    if data_len - 4 > bits // 8:
        return _INVALID
    if src_len > bits or scope_len > bits or (src_len + 7) // 8 != data_len - 4:
        return _INVALID
    raw = ctx.buf[cp + 4 : cp + data_len].ljust(bits // 8, b"\0")
    addr = ipaddr_string(raw) if family == 1 else ip6addr_string(raw)
    return "%s/%d/%d" % (addr, src_len, scope_len)


def eopt_print(ctx: Ctx, cp: int) -> int | None:
    """One EDNS option: its name, a space and its data as tcpdump decodes it."""
    w = ctx.out.append
    if cp + 2 > ctx.end:
        return None
    opt = ctx.u16(cp)
    cp += 2
    w(tok2str(_EDNS_OPTS, "Opt%u", opt))
    if cp + 2 > ctx.end:
        return None
    data_len = ctx.u16(cp)
    cp += 2
    if cp + data_len > ctx.end:
        return None
    if data_len == 0:
        return cp
    w(" ")
    data = ctx.buf[cp : cp + data_len]
    if opt == 8:
        w(_ecs(ctx, cp, data_len))
    elif opt == 10:
        if data_len < 8 or 8 < data_len < 16 or data_len > 40:
            w(_INVALID)
        else:
            w(data[:8].hex() + (" " + data[8:].hex() if data_len > 8 else ""))
    elif opt == 11:
        w(_INVALID if data_len != 2 else "%0.1f sec" % (ctx.u16(cp) / 10.0))
    elif opt == 9:
        w(_INVALID if data_len != 4 else "%u sec" % ctx.u32(cp))
    elif opt == 12:
        w("(%u)" % data_len)
    elif opt == 14:
        if data_len % 2:
            w(_INVALID)
        else:
            w(" ".join("%u" % ctx.u16(cp + i) for i in range(0, data_len, 2)))
    elif opt in _ALG_TABLES:
        table = _ALG_TABLES[opt]
        w(" ".join(tok2str(table, "Alg_%u", b) for b in data))
    elif opt == 13:
        fqdn_print(ctx, cp, cp + data_len)  # as tcpdump does: pointers relative to the option's end
    else:
        w(data.hex())
    return cp + data_len


def ns_rprint(ctx: Ctx, cp: int, bp: int, is_mdns: bool) -> int | None:
    """One resource record: `` A 10.0.0.1``; with -v its owner name first; with -vvv its TTL.

    Returns the offset after the record's data, ``ctx.end`` when its fixed part is not
    captured (tcpdump then stops the section quietly), or None for `` [|domain]``.
    """
    w = ctx.out.append
    vflag = ctx.opts.vflag
    if vflag:
        w(" ")
        got = fqdn_print(ctx, cp, bp)
        if got is None:
            return None
    else:
        got = ns_nskip(ctx, cp)
    if got is None or got + 10 > ctx.end:
        return ctx.end
    cp = got
    typ = ctx.u16(cp)
    raw_class = ctx.u16(cp + 2)
    klass = raw_class & 0x7FFF if is_mdns else raw_class
    if klass != C_IN and typ != T_OPT:
        w(" " + class_name(klass))
    if is_mdns and raw_class & 0x8000:
        w(" (Cache flush)")
    opt_flags = 0
    if typ == T_OPT:
        opt_flags = ctx.u16(cp + 6)
    elif vflag > 2:
        w(" [%s]" % relts(ctx.u32(cp + 4)))
    ln = ctx.u16(cp + 8)
    cp += 10
    rp = cp + ln
    w(" " + type_name(typ))
    if rp > ctx.end:
        return None
    if _rdata(ctx, cp, bp, typ, ln, rp, klass, opt_flags) is None:
        return None
    return rp


def _rdata(ctx: Ctx, cp: int, bp: int, typ: int, ln: int, rp: int, klass: int, opt_flags: int) -> int | None:
    """The type-specific part of :func:`ns_rprint`; None means truncated."""
    w = ctx.out.append
    end = ctx.end
    if typ == T_A:
        if cp + 4 > end:
            return None
        w(" " + ctx.ip4(cp))
    elif typ in (T_NS, T_CNAME, T_PTR, T_DNAME):
        w(" ")
        return fqdn_print(ctx, cp, bp)
    elif typ == T_SOA:
        if not ctx.opts.vflag:
            return rp
        for _ in range(2):
            w(" ")
            got = fqdn_print(ctx, cp, bp)
            if got is None:
                return None
            cp = got
        if cp + 20 > end:
            return None
        w("".join(" %u" % ctx.u32(cp + 4 * k) for k in range(5)))
    elif typ == T_MX:
        w(" ")
        if cp + 2 > end or fqdn_print(ctx, cp + 2, bp) is None:
            return None
        w(" %u" % ctx.u16(cp))
    elif typ == T_TXT:
        while cp < rp:
            w(' "')
            got = ns_cprint(ctx, cp)
            if got is None:
                return None
            cp = got
            w('"')
    elif typ == T_SRV:
        w(" ")
        if cp + 6 > end or fqdn_print(ctx, cp + 6, bp) is None:
            return None
        w(":%u %u %u" % (ctx.u16(cp + 4), ctx.u16(cp), ctx.u16(cp + 2)))
    elif typ == T_AAAA:
        if cp + 16 > end:
            return None
        w(" " + ctx.ip6(cp))
    elif typ == T_A6:
        return _a6(ctx, cp, bp)
    elif typ == T_URI:
        if cp + ln > end:
            return None
        w(" %u %u " % (ctx.u16(cp), ctx.u16(cp + 2)))
        if printn(ctx, cp + 4, (ln - 4) & 0xFFFFFFFF):
            return None
    elif typ == T_OPT:
        w(" UDPsize=%u" % klass)
        if opt_flags & 0x8000:
            w(" DO")
        if cp < rp:
            w(" [")
            while cp < rp:
                got = eopt_print(ctx, cp)
                if got is None:
                    return None
                cp = got
                if cp < rp:
                    w(",")
            w("]")
    elif typ == T_UNSPECA:
        if cp + ln > end or printn(ctx, cp, ln):
            return None
    elif typ == T_TSIG:
        return _tsig(ctx, cp, bp, ln, rp)
    return rp


def _a6(ctx: Ctx, cp: int, bp: int) -> int | None:
    """RFC 2874 A6: prefix length, the address suffix, the prefix name."""
    w = ctx.out.append
    if cp >= ctx.end:
        return None
    pbit = ctx.buf[cp]
    pbyte = (pbit & ~7) // 8
    if pbit > 128:
        w(" %u(bad plen)" % pbit)
        return cp
    if pbit < 128:
        ctx.need(cp + 1, 16 - pbyte)
        addr = bytes(pbyte) + ctx.buf[cp + 1 : cp + 1 + 16 - pbyte]
        w(" %u %s" % (pbit, ip6addr_string(addr)))
    if pbit > 0:
        w(" ")
        return fqdn_print(ctx, cp + 1 + 16 - pbyte, bp)
    return cp


def _tsig(ctx: Ctx, cp: int, bp: int, ln: int, rp: int) -> int | None:
    """RFC 8945 TSIG, printed under -v: key name, fudge, MAC length, original id, error."""
    w = ctx.out.append
    if cp + ln > ctx.end:
        return None
    if not ctx.opts.vflag:
        return rp
    w(" ")
    got = fqdn_print(ctx, cp, bp)
    if got is None:
        return None
    cp = got + 6
    for label in ("fudge", "maclen", "origid", "error", "otherlen"):
        if cp + 2 > ctx.end:
            return None
        value = ctx.u16(cp)
        w(" %s=%u" % (label, value))
        cp += 2 + (value if label == "maclen" else 0)
    return cp
