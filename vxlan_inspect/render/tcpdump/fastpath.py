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

from vxlan_inspect.decode.tunnels import NOT_VXLAN_PORTS

_OUTER = struct.Struct("!HBxHxxHxBxx4s4sHHHxxB3xI12xH")  # from frame offset 12, 52 bytes
# Outer headers through an inner IPv4 header and ICMP's first 8 bytes (frame offsets 12..92).
_VXLAN_ICMP = struct.Struct("!HBxHxxHxBxxIIHHHxxII12xHBxHxxHxBxxIIBBxxHH")
_INNER_IP = struct.Struct("!BxHxxHxBxx4s4sBBxxHH")  # 28 bytes
_ARP = struct.Struct("!HHBBH6s4s6s4s")  # 28 bytes
_PLAIN_ICMP = struct.Struct("!HBxHxxHxBxx4s4sBBxxHH")  # from offset 12: eth type + ip + icmp

# tcpdump tries DNS (53), mDNS (5353) and syslog (514) before VXLAN, and the BCM-LI shim on
# source port 49152: an outer UDP port among these is not ours.
# Ports whose printer comes before VXLAN's (DNS, mDNS, syslog), and the tunnel ports never
# decoded as VXLAN (Geneve, VXLAN-GPE): such records take the full printers.
_BEFORE_VXLAN = frozenset({53, 5353, 514}) | NOT_VXLAN_PORTS
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
