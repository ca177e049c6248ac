"""Link layers: Ethernet with 802.1Q/802.1ad tags, Linux cooked SLL and SLL2, BSD NULL, raw IP.

Ethernet II header::

    +-------------------+-------------------+-----------+----------
    |  destination (6)  |    source (6)     | type (2)  | payload
    +-------------------+-------------------+-----------+----------

An 802.1Q/802.1ad tag (type 0x8100, 0x88a8, 0x9100, 0x9200) inserts four
bytes before the real type: TCI = PCP (3 bits) | DEI (1) | VID (12).

A type <= 1500 is an 802.3 length and an 802.2 LLC header follows (as after
the Jumbo type 0x8870, and a cooked capture's protocol 0x0004): see ``llc``.
"""

from __future__ import annotations

import socket

from vxlan_inspect.render.tcpdump import arp, ip, ip6, llc
from vxlan_inspect.render.tcpdump.context import Ctx
from vxlan_inspect.render.tcpdump.hexdump import default_print, fallback_print

ETHERTYPE_IP = 0x0800
ETHERTYPE_IPV6 = 0x86DD
ETHERTYPE_ARP = 0x0806
ETHERTYPE_REVARP = 0x8035
ETHERTYPE_JUMBO = 0x8870
VLAN_TYPES = frozenset({0x8100, 0x9100, 0x9200, 0x88A8})
MAX_ETHERNET_LENGTH_VAL = 1500

ETHERTYPE_NAMES = {
    0x0800: "IPv4", 0x8847: "MPLS unicast", 0x8848: "MPLS multicast", 0x86DD: "IPv6",
    0x8100: "802.1Q", 0x9100: "802.1Q-9100", 0x88A8: "802.1Q-QinQ", 0x9200: "802.1Q-9200",
    0x88E5: "802.1AE MACsec", 0x0200: "PUP", 0x0806: "ARP", 0x8035: "Reverse ARP",
    0x0600: "NS", 0x0500: "Sprite", 0x1000: "Trail", 0x6001: "MOP DL", 0x6002: "MOP RC",
    0x6003: "DN", 0x6004: "LAT", 0x6007: "SCA", 0x6558: "TEB", 0x8038: "Lanbridge",
    0x803C: "DEC DNS", 0x803E: "DEC DTS", 0x805B: "VEXP", 0x805C: "VPROD", 0x809B: "Appletalk",
    0x80F3: "Appletalk ARP", 0x8137: "IPX", 0x880B: "PPP", 0x8808: "MPCP", 0x8809: "Slow Protocols",
    0x8863: "PPPoE D", 0x8864: "PPPoE S", 0x888E: "EAPOL", 0x8899: "Realtek protocols",
    0x886F: "MS NLB heartbeat", 0x8870: "Jumbo", 0x894F: "NSH", 0x9000: "Loopback", 0xFEFE: "OSI",
    0x00FE: "GRE-OSI", 0xABCD: "CFM (old)", 0x8902: "CFM", 0x893A: "IEEE1905.1", 0x88CC: "LLDP",
    0x88CA: "TIPC", 0x0707: "GeoNet (old)", 0x8947: "GeoNet", 0x1111: "CALM FAST", 0x88A2: "AoE",
    0x88F7: "PTP", 0xD28B: "Arista Vendor Specific Protocol",
}

SLL_P_802_2 = 0x0004  # a cooked capture's protocol for 802.2 LLC frames

SLL_PKTTYPES = {0: "In", 1: "B", 2: "M", 3: "P", 4: "Out"}


def tci_string(tci: int) -> str:
    """``vlan 100, p 0`` (``, DEI`` when the drop-eligible bit is set)."""
    return "vlan %u, p %u%s" % (tci & 0xFFF, tci >> 13, ", DEI" if tci & 0x1000 else "")


def ether_type_print(ctx: Ctx, etype: int) -> str:
    if not ctx.opts.qflag:
        return "ethertype %s (0x%04x)" % (ETHERTYPE_NAMES.get(etype, "Unknown"), etype)
    name = ETHERTYPE_NAMES.get(etype)
    return name if name is not None else "Unknown Ethertype (0x%04x)" % etype


def ethertype_print(ctx: Ctx, etype: int, off: int, length: int, caplen: int) -> bool:
    """Dispatch on the ethertype; False when nothing knows it (tcpdump's return 0)."""
    if etype == ETHERTYPE_IP:
        ip.ip_print(ctx, off, length)
        return True
    if etype == ETHERTYPE_IPV6:
        ip6.ip6_print(ctx, off, length)
        return True
    if etype in (ETHERTYPE_ARP, ETHERTYPE_REVARP):
        arp.arp_print(ctx, off, length, caplen)
        return True
    return False


def ether_print(ctx: Ctx, off: int, length: int, caplen: int) -> int:
    """Print an Ethernet frame at ``off``; return its link-layer header length."""
    w = ctx.out.append
    ctx.proto = "ether"
    if length < caplen:
        w("[length %u < caplen %u] (invalid)" % (length, caplen))
        return length
    if caplen < 14:
        w(" [|ether]")
        return caplen
    eflag = ctx.opts.eflag
    orig_length = length
    length -= 12
    caplen -= 12
    p = off + 12
    hdrlen = 12
    if eflag:
        w("%s > %s, " % (ctx.mac(off + 6), ctx.mac(off)))
    length_type = ctx.u16(p)
    length -= 2
    caplen -= 2
    p += 2
    hdrlen += 2
    printed_length = False
    while length_type in VLAN_TYPES:
        if caplen < 4 or length < 4:
            # tcpdump prints the marker and returns (no longjmp): -x still skips the header.
            ctx.proto = "vlan"
            w(" [|vlan]")
            return hdrlen + min(caplen, length)
        if eflag:
            tag = ctx.u16(p)
            w(ether_type_print(ctx, length_type))
            if not printed_length:
                w(", length %u: " % orig_length)
                printed_length = True
            else:
                w(", ")
            w(tci_string(tag) + ", ")
        length_type = ctx.u16(p + 2)
        p += 4
        length -= 4
        caplen -= 4
        hdrlen += 4
    if length_type <= MAX_ETHERNET_LENGTH_VAL:
        # 802.3: a length, then an LLC header; the length bounds what follows.
        if length_type < length:
            length = length_type
            if caplen > length:
                caplen = length
        if eflag:
            w("802.3")
            if not printed_length:
                w(", length %u: " % length)
        saved = ctx.end
        ctx.end = min(ctx.end, p + length)
        try:
            return hdrlen + _llc_or_dump(ctx, p, length, caplen, (off + 6, off))
        finally:
            ctx.end = saved
    if length_type == ETHERTYPE_JUMBO:
        # Alteon jumbo frames: an LLC header follows the type (and -e prints no type).
        return hdrlen + _llc_or_dump(ctx, p, length, caplen, (off + 6, off))
    if eflag:
        w(ether_type_print(ctx, length_type))
        if not printed_length:
            w(", length %u: " % orig_length)
        else:
            w(", ")
    if not ethertype_print(ctx, length_type, p, length, caplen):
        if not eflag:
            w("%s > %s, " % (ctx.mac(off + 6), ctx.mac(off)))
            w(ether_type_print(ctx, length_type))
            w(", length %u: " % orig_length)
        fallback_print(ctx, p, caplen)
    return hdrlen


def _llc_or_dump(ctx: Ctx, p: int, length: int, caplen: int, macs: llc.Macs) -> int:
    """The LLC frame at ``p``, dumped in hex from its start when nothing knows its payload."""
    llc_hdrlen, printed = llc.llc_print(ctx, p, length, caplen, macs)
    if not printed:
        fallback_print(ctx, p, caplen)
    return llc_hdrlen


def ether_if_print(ctx: Ctx, off: int, wirelen: int, caplen: int) -> None:
    ctx.ll_hdr_len += ether_print(ctx, off, wirelen, caplen)


def _sll_proto_text(ctx: Ctx, etype: int, length: int) -> str:
    if etype <= MAX_ETHERNET_LENGTH_VAL:
        if etype == 1:
            text = "802.3"
        elif etype == 4:
            text = "802.2"
        else:
            text = "ethertype Unknown (0x%04x)" % etype
    else:
        text = "ethertype %s (0x%04x)" % (ETHERTYPE_NAMES.get(etype, "Unknown"), etype)
    return text + ", length %u: " % length


def _sll_print(ctx: Ctx, off: int, length: int) -> None:
    w = ctx.out.append
    ctx.proto = "sll"
    w("%3s " % SLL_PKTTYPES.get(ctx.u16(off), "?"))
    if ctx.u16(off + 4) == 6:
        w(ctx.mac(off + 6) + " ")
    if not ctx.opts.qflag:
        w(_sll_proto_text(ctx, ctx.u16(off + 14), length))


def _sll_common(ctx: Ctx, p: int, etype: int, length: int, caplen: int, hdrlen: int,
                header: tuple[int, int, bool]) -> int:
    """The part of SLL and SLL2 after their headers: VLAN tags, then the payload."""
    w = ctx.out.append
    while True:
        if etype <= MAX_ETHERNET_LENGTH_VAL:
            if etype == SLL_P_802_2:
                return hdrlen + _llc_or_dump(ctx, p, length, caplen, None)
            fallback_print(ctx, p, caplen)
            return hdrlen
        if etype == 0x8100:
            if caplen < 4:
                ctx.proto = "vlan"
                w(" [|vlan]")
                return hdrlen + caplen
            if ctx.opts.eflag:
                w(tci_string(ctx.u16(p)) + ", ")
            etype = ctx.u16(p + 2)
            if etype <= MAX_ETHERNET_LENGTH_VAL:
                etype = 4
            if not ctx.opts.qflag:
                w("ethertype %s, " % ETHERTYPE_NAMES.get(etype, "Unknown"))
            p += 4
            length -= 4
            caplen -= 4
            hdrlen += 4
            continue
        if not ethertype_print(ctx, etype, p, length, caplen):
            start, hlen, v2 = header
            if not ctx.opts.eflag:
                if v2:
                    _sll2_print(ctx, start, length + hlen)
                else:
                    _sll_print(ctx, start, length + hlen)
            fallback_print(ctx, p, caplen)
        return hdrlen


def sll_prefix(ctx: Ctx, off: int, wirelen: int) -> None:
    """What Linux cooked v1 prints before its payload (with ``-e``: direction, address, protocol)."""
    ctx.proto = "sll"
    ctx.need(off, 16)
    if ctx.opts.eflag:
        _sll_print(ctx, off, wirelen)


def sll2_prefix(ctx: Ctx, off: int, wirelen: int) -> None:
    """What Linux cooked v2 prints before its payload: interface, direction (``-e``: and more)."""
    ctx.proto = "sll2"
    ctx.need(off, 20)
    w = ctx.out.append
    w("%-5s " % interface_name(ctx, ctx.u32(off + 4)))
    w("%-3s " % SLL_PKTTYPES.get(ctx.u8(off + 10), "?"))
    if ctx.opts.eflag:
        _sll2_print(ctx, off, wirelen)


def sll_if_print(ctx: Ctx, off: int, wirelen: int, caplen: int) -> None:
    """Linux cooked v1 (16-byte header): direction word, address, protocol."""
    sll_prefix(ctx, off, wirelen)
    etype = ctx.u16(off + 14)
    hdrlen = _sll_common(ctx, off + 16, etype, wirelen - 16, caplen - 16, 16, (off, 16, False))
    ctx.ll_hdr_len += hdrlen


def _sll2_print(ctx: Ctx, off: int, length: int) -> None:
    w = ctx.out.append
    ctx.proto = "sll2"
    w("ifindex %u " % ctx.u32(off + 4))
    if ctx.u8(off + 11) == 6:
        w(ctx.mac(off + 12) + " ")
    if not ctx.opts.qflag:
        w(_sll_proto_text(ctx, ctx.u16(off), length))


def interface_name(ctx: Ctx, index: int) -> str:
    """Name an SLL2 interface index: the user's map first, else this machine's table like tcpdump."""
    names = ctx.opts.ifnames
    if names is not None and index in names:
        return names[index]
    if ctx.opts.system_ifnames:
        try:
            return socket.if_indextoname(index)
        except OSError:
            return "?"
    return "?"


def sll2_if_print(ctx: Ctx, off: int, wirelen: int, caplen: int) -> None:
    """Linux cooked v2 (20-byte header): interface name, direction, then the payload."""
    sll2_prefix(ctx, off, wirelen)
    etype = ctx.u16(off)
    hdrlen = _sll_common(ctx, off + 20, etype, wirelen - 20, caplen - 20, 20, (off, 20, True))
    ctx.ll_hdr_len += hdrlen


BSD_AF_NAMES = {2: "IPv4", 6: "NS", 7: "ISO", 16: "Appletalk", 23: "IPX", 24: "IPv6", 28: "IPv6", 30: "IPv6"}


def _null_hdr_print(ctx: Ctx, family: int, length: int) -> None:
    w = ctx.out.append
    if not ctx.opts.qflag:
        w("AF %s (%u)" % (BSD_AF_NAMES.get(family, "Unknown"), family))
    else:
        w(BSD_AF_NAMES.get(family, "Unknown AF %u" % family))
    w(", length %u: " % length)


def null_if_print(ctx: Ctx, off: int, wirelen: int, caplen: int) -> None:
    """BSD loopback: a 4-byte address family in the writer's byte order."""
    ctx.proto = "null"
    ctx.need(off, 4)
    ctx.ll_hdr_len += 4
    family = int.from_bytes(ctx.buf[off : off + 4], "little")
    if family & 0xFFFF0000:
        family = int.from_bytes(ctx.buf[off : off + 4], "big")
    if ctx.opts.eflag:
        _null_hdr_print(ctx, family, wirelen)
    if family == 2:
        ip.ip_print(ctx, off + 4, wirelen - 4)
    elif family in (24, 28, 30):
        ip6.ip6_print(ctx, off + 4, wirelen - 4)
    else:
        if not ctx.opts.eflag:
            _null_hdr_print(ctx, family, wirelen)
        fallback_print(ctx, off + 4, caplen - 4)


def raw_if_print(ctx: Ctx, off: int, wirelen: int, caplen: int) -> None:
    """Raw IP (linktypes 101, 228, 229): the version nibble picks IPv4 or IPv6."""
    ctx.proto = "raw"
    if ctx.opts.eflag:
        ctx.out.append("ip: ")
    ctx.proto = "ipn"
    if wirelen < 1:
        ctx.out.append("truncated-ip %u" % wirelen)
        return
    version = ctx.u8(off) & 0xF0
    if version == 0x40:
        ip.ip_print(ctx, off, wirelen)
    elif version == 0x60:
        ip6.ip6_print(ctx, off, wirelen)
    else:
        ctx.out.append("unknown ip %u" % (version >> 4))


def unsupported_if_print(ctx: Ctx, off: int, wirelen: int, caplen: int) -> None:
    """A link type we do not decode: ``UNSUPPORTED`` and a hex dump, as tcpdump does."""
    ctx.proto = "unsupported"
    ctx.out.append("UNSUPPORTED")
    default_print(ctx, off, caplen)
