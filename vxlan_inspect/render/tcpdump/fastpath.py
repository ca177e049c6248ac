"""A shortcut for the packets that fill big overlay captures.

Most records in a VXLAN capture are Ethernet / IPv4 / UDP / VXLAN / Ethernet
/ (IPv4 ICMP echo | ARP over Ethernet+IPv4), or a plain Ethernet / IPv4 ICMP
echo. For those, with the default display options (no ``-e``, ``-v``, ``-q``,
``-x``), :func:`format_fast` produces the same text as the full printers, in a
fraction of the time: one ``struct`` unpack per header group and memoised
address strings. Anything else - truncation, padding, options, fragments,
other protocols (DNS and syslog included, even as the outer UDP port), any length that does
not add up - returns ``None`` and goes through the full printers. ``tests/unit/test_fastpath.py`` checks the two
agree on every shipped capture and on generated packets.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from vxlan_inspect.render.tcpdump import link
from vxlan_inspect.render.tcpdump.context import Ctx, Options, ipaddr_string
from vxlan_inspect.render.tcpdump.hexdump import ascii_only, hex_and_ascii, hex_only
from vxlan_inspect.render.tcpdump.ip import frag_flags

_OUTER = struct.Struct("!HBxHxxHxBxx4s4sHHHxxB3xI12xH")  # from frame offset 12, 52 bytes
# Outer headers through an inner IPv4 header and ICMP's first 8 bytes (frame offsets 12..92).
_VXLAN_ICMP = struct.Struct("!HBxHxxHxBxxIIHHHxxII12xHBxHxxHxBxxIIBBxxHH")
_INNER_IP = struct.Struct("!BxHxxHxBxx4s4sBBxxHH")  # 28 bytes
_ARP = struct.Struct("!HHBBH6s4s6s4s")  # 28 bytes
_PLAIN_ICMP = struct.Struct("!HBxHxxHxBxx4s4sBBxxHH")  # from offset 12: eth type + ip + icmp

# tcpdump tries DNS (53), mDNS (5353) and syslog (514) before VXLAN, and the BCM-LI shim on
# source port 49152: an outer UDP port among these is not ours.
_BEFORE_VXLAN = frozenset({53, 5353, 514})
_BCM_LI_PORT = 49152
_outer_cache: dict[tuple[bytes, bytes, int, int, int, int], str] = {}
_ip_pair_cache: dict[bytes, str] = {}
_arp_cache: dict[bytes, str] = {}


def _ip(b: bytes) -> str:
    return "%d.%d.%d.%d" % (b[0], b[1], b[2], b[3])


def _pair(key: bytes) -> str:
    s = _ip_pair_cache.get(key)
    if s is None:
        s = "IP %s > %s: ICMP echo " % (_ip(key[:4]), _ip(key[4:]))
        if len(_ip_pair_cache) > 100_000:
            _ip_pair_cache.clear()
        _ip_pair_cache[key] = s
    return s


def _inner(buf: bytes, p: int, inner_len: int) -> str | None:
    """The inner line for an inner Ethernet frame at ``p`` of exactly ``inner_len`` bytes."""
    etype = (buf[p + 12] << 8) | buf[p + 13]
    if etype == 0x0800:
        if inner_len < 42:
            return None
        vhl, tot, frag, proto, src, dst, itype, _code, ident, seq = _INNER_IP.unpack_from(buf, p + 14)
        if vhl != 0x45 or tot != inner_len - 14 or frag & 0x3FFF or proto != 1 or itype not in (0, 8):
            return None
        return "%s%s, id %u, seq %u, length %u" % (
            _pair(src + dst), "request" if itype == 8 else "reply", ident, seq, tot - 20)
    if etype == 0x0806:
        if inner_len < 42:
            return None
        key = buf[p + 14 : p + 42]
        s = _arp_cache.get(key)
        if s is None:
            hrd, pro, hln, pln, op, sha, spa, tha, tpa = _ARP.unpack(key)
            if hrd != 1 or pro != 0x0800 or hln != 6 or pln != 4:
                return None
            if op == 1:
                s = "ARP, Request who-has %s%s tell %s, length " % (
                    _ip(tpa), " (%s)" % tha.hex(":") if any(tha) else "", _ip(spa))
            elif op == 2:
                s = "ARP, Reply %s is-at %s, length " % (_ip(spa), sha.hex(":"))
            else:
                return None
            if len(_arp_cache) > 100_000:
                _arp_cache.clear()
            _arp_cache[key] = s
        return s + "%u" % (inner_len - 14)
    return None


_flow_cache: dict[tuple[int, ...], str] = {}


def _dotted(a: int) -> str:
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


def _vxlan_icmp(buf: bytes, off: int, wirelen: int, vxlan_ports: frozenset[int]) -> str | None:
    """The commonest record of all: an ICMP echo inside VXLAN, in one unpack."""
    (etype, vhl, tot, frag, proto, src, dst, sport, dport, ulen, vflags, vni_word, itype_eth, ivhl, itot, ifrag,
     iproto, isrc, idst, itype, _icode, ident, seq) = _VXLAN_ICMP.unpack_from(buf, off + 12)
    if (etype != 0x0800 or vhl != 0x45 or tot != wirelen - 14 or frag & 0x3FFF or proto != 17
            or ulen != tot - 20 or itype_eth != 0x0800 or ivhl != 0x45 or itot != wirelen - 64
            or ifrag & 0x3FFF or iproto != 1 or (itype != 8 and itype != 0)):
        return None
    if ((sport not in vxlan_ports and dport not in vxlan_ports) or sport in _BEFORE_VXLAN or dport in _BEFORE_VXLAN
            or sport == _BCM_LI_PORT):
        return None
    key = (src, dst, sport, dport, vflags, vni_word, isrc, idst, itype, ident, itot)
    head = _flow_cache.get(key)
    if head is None:
        vx_flags = vflags >> 24
        head = "IP %s.%u > %s.%u: VXLAN, flags [%s] (0x%02x), vni %u\nIP %s > %s: ICMP echo %s, id %u, seq " % (
            _dotted(src), sport, _dotted(dst), dport, "I" if vx_flags & 0x08 else "invalid", vx_flags,
            vni_word >> 8, _dotted(isrc), _dotted(idst), "request" if itype == 8 else "reply", ident)
        if len(_flow_cache) > 100_000:
            _flow_cache.clear()
        _flow_cache[key] = head
    return "%s%u, length %u" % (head, seq, itot - 20)


def format_fast(buf: bytes, off: int, caplen: int, wirelen: int, vxlan_ports: frozenset[int]) -> str | None:
    """Text for an Ethernet record at ``buf[off:off+caplen]``, or None when the full printers must run."""
    if caplen != wirelen or caplen < 64:
        return None
    if caplen >= 92:
        text = _vxlan_icmp(buf, off, wirelen, vxlan_ports)
        if text is not None:
            return text
    (etype, vhl, tot, frag, proto, src, dst, sport, dport, ulen, flags, vni_word,
     _inner_type) = _OUTER.unpack_from(buf, off + 12)
    if etype != 0x0800 or vhl != 0x45 or tot != wirelen - 14 or frag & 0x3FFF:
        return None
    if proto == 17:
        if (ulen != tot - 20 or (sport not in vxlan_ports and dport not in vxlan_ports)
                or sport in _BEFORE_VXLAN or dport in _BEFORE_VXLAN or sport == _BCM_LI_PORT):
            return None
        inner = _inner(buf, off + 50, ulen - 16)
        if inner is None:
            return None
        key = (src, dst, sport, dport, flags, vni_word)
        outer = _outer_cache.get(key)
        if outer is None:
            outer = "IP %s.%u > %s.%u: VXLAN, flags [%s] (0x%02x), vni %u\n" % (
                _ip(src), sport, _ip(dst), dport, "I" if flags & 0x08 else "invalid", flags, vni_word >> 8)
            if len(_outer_cache) > 100_000:
                _outer_cache.clear()
            _outer_cache[key] = outer
        return outer + inner
    if proto == 1 and tot >= 28:
        etype, vhl, tot, frag, proto, src, dst, itype, _code, ident, seq = _PLAIN_ICMP.unpack_from(buf, off + 12)
        if itype not in (0, 8):
            return None
        return "%s%s, id %u, seq %u, length %u" % (
            _pair(src + dst), "request" if itype == 8 else "reply", ident, seq, tot - 20)
    return None


# -- every display option --------------------------------------------------------------------
#
# With ``-e``, ``-v``/``-vv``/``-vvv``, ``-q``, the hex and ASCII dumps, and on Linux cooked
# captures, the same packets print from templates: the pieces below are the texts that
# ``ether_print``, ``ip_print``, ``udp_print``, ``vxlan_print``, ``arp_print`` and
# ``icmp_print`` write for these shapes, and anything they would print differently for
# (an ECN mark, a zero TTL, a bad or unverifiable checksum, options, fragments, VLAN tags, other
# protocols) declines to the full printers. The link-layer prefix of a cooked capture and the
# dumps come from the printers' own functions. ``tests/unit/test_fastpath.py`` proves the
# templates equal the full printers for every option on every shipped capture.

FastFn = Callable[[bytes, int, int, int], "str | None"]

_V4 = struct.Struct("!BBHHHBBH4s4s")  # version/IHL, TOS, total, id, frag, TTL, proto, sum, src, dst
_UDP = struct.Struct("!HHHH")
_ECHO = struct.Struct("!BBHHH")  # type, code, checksum, id, seq
_ECN = ("", ",ECT(1)", ",ECT(0)", ",CE")


def _cksum_ok(data: bytes) -> bool:
    """True when ``data`` (a header with its checksum field) sums to 0xffff in one's complement.

    2**16 is 1 modulo 0xffff, so the folded one's-complement sum of the 16-bit words is the
    number the bytes spell, modulo 0xffff (with 0xffff for a nonzero multiple).
    """
    n = int.from_bytes(data, "big")
    if len(data) & 1:
        n <<= 8
    return n != 0 and n % 0xFFFF == 0


def compile_fast(opts: Options, linktype: int, ctx: Ctx) -> FastFn | None:
    """A template printer for ``opts`` and ``linktype``, or None when only the full printers will do.

    The function takes (buffer, offset, caplen, wirelen) and returns the text after the
    timestamp, or None for a record the full printers must format. ``ctx`` names cooked
    captures' interfaces (its options' ``ifnames``).
    """
    if linktype == 1:
        hdrlen = 14
    elif linktype == 113:
        hdrlen = 16
    elif linktype == 276:
        hdrlen = 20
    else:
        return None
    ports = opts.vxlan_ports
    e, v, q = opts.eflag, opts.vflag, opts.qflag
    if linktype == 1 and not (e or v or q or opts.xflag or opts.Xflag or opts.Aflag):
        def default(buf: bytes, off: int, caplen: int, wirelen: int) -> str | None:
            return format_fast(buf, off, caplen, wirelen, ports)
        return default
    dump = _dump(opts, hdrlen)
    ip_word = "" if e else "IP "
    arp_word = "" if e else "ARP, "
    arp_v = "Ethernet (len 6), IPv4 (len 4), " if v else ""
    eth_ip = "IPv4, length %u: " if q else "ethertype IPv4 (0x0800), length %u: "
    vv = v > 1
    macs_cache: dict[bytes, str] = {}
    heads: dict[bytes, str] = {}  # addresses and ports -> "a.p > b.q: "
    pairs: dict[bytes, str] = {}  # addresses -> "a > b: ICMP echo "

    def macs(key: bytes) -> str:
        s = macs_cache.get(key)
        if s is None:
            s = "%s > %s, " % (key[6:12].hex(":"), key[:6].hex(":"))
            if len(macs_cache) > 65536:
                macs_cache.clear()
            macs_cache[key] = s
        return s

    def ip_v(tos: int, ttl: int, ident: int, frag: int, proto: str, tot: int) -> str:
        return "(tos 0x%x%s, ttl %u, id %u, offset 0, flags [%s], proto %s, length %u)\n    " % (
            tos, _ECN[tos & 3], ttl, ident, frag_flags(frag), proto, tot)

    def icmp_echo(buf: bytes, p: int, tot: int, src: bytes, dst: bytes) -> str | None:
        """An IPv4 ICMP echo at ``p`` (its IP header, 20 bytes) of total length ``tot``."""
        itype, _code, _sum, ident, seq = _ECHO.unpack_from(buf, p + 20)
        if itype != 8 and itype != 0:
            return None
        if v and not _cksum_ok(buf[p + 20 : p + tot]):
            return None
        key = buf[p + 12 : p + 20]
        pair = pairs.get(key)
        if pair is None:
            pair = "%s > %s: ICMP echo " % (ipaddr_string(src), ipaddr_string(dst))
            if len(pairs) > 65536:
                pairs.clear()
            pairs[key] = pair
        return "%s%s, id %u, seq %u, length %u" % (pair, "request" if itype == 8 else "reply", ident, seq, tot - 20)

    def ipv4(buf: bytes, p: int, length: int, inner: bool) -> str | None:
        """IPv4 at ``p`` filling exactly ``length`` captured bytes: an ICMP echo, or (outer) VXLAN."""
        if length < 28:
            return None
        vhl, tos, tot, ident, frag, ttl, proto, _sum, src, dst = _V4.unpack_from(buf, p)
        if vhl != 0x45 or tot != length or frag & 0x3FFF:
            return None
        if v and (ttl == 0 or not _cksum_ok(buf[p : p + 20])):
            return None
        if proto == 1:
            body = icmp_echo(buf, p, tot, src, dst)
            if body is None:
                return None
            return ip_word + ip_v(tos, ttl, ident, frag, "ICMP (1)", tot) + body if v else ip_word + body
        if proto != 17 or inner:
            return None
        sport, dport, ulen, usum = _UDP.unpack_from(buf, p + 20)
        if ulen != tot - 20:
            return None
        key = buf[p + 12 : p + 24]
        head = heads.get(key)
        if head is None:
            head = "%s.%u > %s.%u: " % (ipaddr_string(src), sport, ipaddr_string(dst), dport)
            if len(heads) > 65536:
                heads.clear()
            heads[key] = head
        if vv:
            if usum == 0:
                head += "[no cksum] "
            elif ((int.from_bytes(src + dst, "big") + 17 + ulen) % 0xFFFF
                  + int.from_bytes(buf[p + 20 : p + tot] + (b"\0" if ulen & 1 else b""), "big")) % 0xFFFF:
                return None
            else:
                head += "[udp sum ok] "
        if v:
            head = ip_word + ip_v(tos, ttl, ident, frag, "UDP (17)", tot) + head
        else:
            head = ip_word + head
        if q:
            return head + "UDP, length %u" % (ulen - 8)
        if ((sport not in ports and dport not in ports) or sport in _BEFORE_VXLAN or dport in _BEFORE_VXLAN
                or sport == _BCM_LI_PORT or ulen < 16 + 42):
            return None
        vx_flags = buf[p + 28]
        inner_text = ether(buf, p + 36, ulen - 16)
        if inner_text is None:
            return None
        return "%sVXLAN, flags [%s] (0x%02x), vni %u\n%s" % (
            head, "I" if vx_flags & 0x08 else "invalid", vx_flags,
            int.from_bytes(buf[p + 32 : p + 35], "big"), inner_text)

    def ether(buf: bytes, p: int, length: int) -> str | None:
        """The inner Ethernet frame at ``p``, exactly ``length`` bytes: IPv4 ICMP echo or ARP."""
        etype = (buf[p + 12] << 8) | buf[p + 13]
        if etype == 0x0800:
            body = ipv4(buf, p + 14, length - 14, True)
            if body is None:
                return None
            return macs(buf[p : p + 12]) + eth_ip % length + body if e else body
        if etype == 0x0806 and length >= 42:
            key = buf[p : p + 42]
            if key in arps:
                text = arps[key]
            else:
                text = arps[key] = arp(key)
                if len(arps) > 65536:
                    arps.clear()
            if text is None:
                return None
            return (text % length if e else text) + "%u" % (length - 14)
        return None

    arps: dict[bytes, str | None] = {}  # inner Ethernet + ARP bytes -> text before the length

    def arp(frame: bytes) -> str | None:
        """An Ethernet/IPv4 ARP request or reply (42 bytes from the frame's start)."""
        hrd, pro, hln, pln, op, sha, spa, tha, tpa = _ARP.unpack_from(frame, 14)
        if hrd != 1 or pro != 0x0800 or hln != 6 or pln != 4:
            return None
        if op == 1:
            body = "Request who-has %s%s tell %s, length " % (
                ipaddr_string(tpa), " (%s)" % tha.hex(":") if any(tha) else "", ipaddr_string(spa))
        elif op == 2:
            body = "Reply %s is-at %s, length " % (ipaddr_string(spa), sha.hex(":"))
        else:
            return None
        text = arp_word + arp_v + body
        # -e: the frame length is printed before the ARP text; it is the only other length.
        return macs(frame[:12]) + "ethertype ARP (0x0806), length %u: " + text if e else text

    if linktype == 1:
        echo = _vxlan_echo(opts, ip_word, macs, ip_v, eth_ip, dump) if not q else None

        def outer(buf: bytes, off: int, caplen: int, wirelen: int) -> str | None:
            if caplen != wirelen or caplen < 42 or buf[off + 12] != 8 or buf[off + 13] != 0:
                return None
            if echo is not None and caplen >= 92:
                text = echo(buf, off, wirelen)
                if text is not None:
                    return text
            body = ipv4(buf, off + 14, wirelen - 14, False)
            if body is None:
                return None
            if e:
                body = macs(buf[off : off + 12]) + eth_ip % wirelen + body
            return body if dump is None else body + dump(buf[off : off + caplen])
        return outer

    prefix_cache: dict[bytes, str] = {}
    prefix_fn = link.sll_prefix if linktype == 113 else link.sll2_prefix
    proto_at = 14 if linktype == 113 else 0

    def cooked(buf: bytes, off: int, caplen: int, wirelen: int) -> str | None:
        if caplen != wirelen or caplen < hdrlen + 28 or buf[off + proto_at] != 8 or buf[off + proto_at + 1] != 0:
            return None
        body = ipv4(buf, off + hdrlen, wirelen - hdrlen, False)
        if body is None:
            return None
        key = buf[off : off + hdrlen] + (wirelen.to_bytes(4, "big") if e else b"")
        prefix = prefix_cache.get(key)
        if prefix is None:
            ctx.buf = buf[off : off + hdrlen]
            ctx.end = hdrlen
            ctx.out = []
            prefix_fn(ctx, 0, wirelen)
            prefix = "".join(ctx.out)
            if len(prefix_cache) > 4096:
                prefix_cache.clear()
            prefix_cache[key] = prefix
        body = prefix + body
        return body if dump is None else body + dump(buf[off : off + caplen])
    return cooked


# Ethernet / IPv4 / UDP / VXLAN / Ethernet / IPv4 / ICMP echo, frame offsets 0..92, in one unpack:
# the parts that stay the same along a flow as blobs, the rest as numbers.
_ECHO_FRAME = struct.Struct("!14sBBHHHBBH12sHH8s14sBBHHHBBH8sBBHHH")


def _vxlan_echo(  # type: ignore[no-untyped-def]
    opts: Options, ip_word: str, macs, ip_v, eth_ip: str, dump
) -> Callable[[bytes, int, int], str | None]:
    """The commonest record, an ICMP echo inside VXLAN, from a per-flow skeleton.

    The skeleton (all the text but the IP ids and the sequence number) is made once per
    flow, from the same pieces as the rest of the templates, and cached with the flow's
    constant fields as its key; a flow whose constant fields rule it out caches None.
    Checksums (``-v``) are verified for every packet.
    """
    ports = opts.vxlan_ports
    e, v = opts.eflag, opts.vflag
    vv = v > 1
    arp_free_inner_ip = "" if e else "IP "
    skeletons: dict[tuple[object, ...], tuple[str, int, int, int] | None] = {}
    unpack = _ECHO_FRAME.unpack_from

    def skeleton(
        eth: bytes, tos: int, tot: int, frag: int, ttl: int, proto: int, addrs: bytes, ulen: int, usum_zero: bool,
        vx: bytes, ieth: bytes, itos: int, itot: int, ifrag: int, ittl: int, iproto: int, iaddrs: bytes,
        itype: int, icode: int,
    ) -> tuple[str, int, int, int] | None:
        del icode  # in the key: ICMP's printer names an echo with any code the same way
        sport, dport = struct.unpack_from("!HH", addrs, 8)
        if (eth[12:14] != b"\x08\x00" or frag & 0x3FFF or proto != 17 or ulen != tot - 20
                or (sport not in ports and dport not in ports) or sport in _BEFORE_VXLAN or dport in _BEFORE_VXLAN
                or sport == _BCM_LI_PORT or ieth[12:14] != b"\x08\x00" or itot != ulen - 30
                or ifrag & 0x3FFF or iproto != 1 or itype not in (0, 8) or (v and (ttl == 0 or ittl == 0))):
            return None
        parts = []
        if e:
            parts.append(macs(eth[:12]) + eth_ip % (tot + 14))
        parts.append(ip_word.replace("%", "%%"))
        if v:
            parts.append(ip_v(tos, ttl, 0, frag, "UDP (17)", tot).replace("id 0,", "id %u,"))
        parts.append("%s.%u > %s.%u: " % (ipaddr_string(addrs[:4]), sport, ipaddr_string(addrs[4:8]), dport))
        if vv:
            parts.append("[no cksum] " if usum_zero else "[udp sum ok] ")
        flags = vx[0]
        parts.append("VXLAN, flags [%s] (0x%02x), vni %u\n" % (
            "I" if flags & 0x08 else "invalid", flags, int.from_bytes(vx[4:7], "big")))
        if e:
            parts.append(macs(ieth[:12]) + eth_ip % (itot + 14))
        parts.append(arp_free_inner_ip)
        if v:
            parts.append(ip_v(itos, ittl, 0, ifrag, "ICMP (1)", itot).replace("id 0,", "id %u,"))
        parts.append("%s > %s: ICMP echo %s, id " % (
            ipaddr_string(iaddrs[:4]), ipaddr_string(iaddrs[4:]), "request" if itype == 8 else "reply"))
        # The IPv4 header sums without the two words that change along a flow (id and checksum):
        # a header is valid when this plus those two is a nonzero multiple of 0xffff.
        outer_sum = (0x4500 + tos + tot + frag + (ttl << 8) + proto
                     + sum(struct.unpack("!4H", addrs[:8])))
        inner_sum = (0x4500 + itos + itot + ifrag + (ittl << 8) + iproto
                     + sum(struct.unpack("!4H", iaddrs)))
        return "".join(parts), itot - 20, outer_sum, inner_sum

    def echo(buf: bytes, off: int, wirelen: int) -> str | None:
        (eth, vhl, tos, tot, ident, frag, ttl, proto, ip_sum, addrs, ulen, usum, vx, ieth, ivhl, itos, itot,
         iident, ifrag, ittl, iproto, iip_sum, iaddrs, itype, icode, _icsum, echo_id, seq) = unpack(buf, off)
        if vhl != 0x45 or ivhl != 0x45 or tot != wirelen - 14:
            return None
        key = (eth, tos, tot, frag, ttl, proto, addrs, ulen, usum == 0, vx, ieth, itos, itot, ifrag, ittl, iproto,
               iaddrs, itype, icode)
        try:
            sk = skeletons[key]
        except KeyError:
            sk = skeleton(*key)
            if len(skeletons) > 65536:
                skeletons.clear()
            skeletons[key] = sk
        if sk is None:
            return None
        text, icmp_len, outer_sum, inner_sum = sk
        if v:
            p = off + 14
            if ((outer_sum + ident + ip_sum) % 0xFFFF or (inner_sum + iident + iip_sum) % 0xFFFF
                    or not _cksum_ok(buf[p + 70 : p + itot + 50])):
                return None
            if vv and usum and ((int.from_bytes(addrs[:8], "big") + 17 + ulen) % 0xFFFF + int.from_bytes(
                    buf[p + 20 : p + tot] + (b"\0" if ulen & 1 else b""), "big")) % 0xFFFF:
                return None
            if v:
                body = text % (ident, iident) + "%u, seq %u, length %u" % (echo_id, seq, icmp_len)
        else:
            body = text + "%u, seq %u, length %u" % (echo_id, seq, icmp_len)
        return body if dump is None else body + dump(buf[off : off + wirelen])

    return echo


def _dump(opts: Options, hdrlen: int) -> Callable[[bytes], str] | None:
    """The ``-x``/``-xx``/``-X``/``-XX``/``-A``/``-AA`` text for a whole record, as ``PacketFormatter`` adds it."""
    fn: Callable[[bytes], str]
    if opts.Xflag:
        fn = hex_and_ascii
        whole = opts.Xflag > 1
    elif opts.xflag:
        fn = hex_only
        whole = opts.xflag > 1
    elif opts.Aflag:
        fn = ascii_only
        whole = opts.Aflag > 1
    else:
        return None
    if whole:
        return fn
    return lambda rec: fn(rec[hdrlen:])
