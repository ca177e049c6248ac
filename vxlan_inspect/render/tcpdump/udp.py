"""UDP (RFC 768), the VXLAN header inside it (RFC 7348, with the GBP extension), and the
dispatch to DNS (port 53), multicast DNS (5353) and syslog (514), which tcpdump checks
before VXLAN (print-udp.c's order; a port on either side counts).

VXLAN header::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |G|R|R|R|I|R|R|R|R|D|R|R|A|R|R|R|        Group Policy ID        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                VXLAN Network Identifier (VNI) |   Reserved    |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

tcpdump 4.99 prints only the I flag (0x08) by name; any other flag byte with
I clear prints ``[invalid]``, and the inner frame is decoded either way.
"""

from __future__ import annotations

from vxlan_inspect.decode.tunnels import NOT_VXLAN_PORTS
from vxlan_inspect.render.tcpdump.bcm_li import BCM_LI_PORT, bcm_li_print
from vxlan_inspect.render.tcpdump.context import Ctx, in_cksum, in_cksum_shouldbe
from vxlan_inspect.render.tcpdump.domain import MULTICASTDNS_PORT, NAMESERVER_PORT, domain_print
from vxlan_inspect.render.tcpdump.esp import ISAKMP_NATT_PORT, esp_in_udp_print
from vxlan_inspect.render.tcpdump.geneve import GENEVE_PORT, geneve_print
from vxlan_inspect.render.tcpdump.ip import M32, ip_finddst
from vxlan_inspect.render.tcpdump.ip6 import ip6_finddst
from vxlan_inspect.render.tcpdump.syslog import SYSLOG_PORT, syslog_print
from vxlan_inspect.render.tcpdump.vxlan_gpe import VXLAN_GPE_PORT, vxlan_gpe_print


def _addr_print(ctx: Ctx, iph: int, sport: int, dport: int) -> None:
    """``src.port > dst.port: `` (tcpdump's ``udpipaddr_print``)."""
    w = ctx.out.append
    if ctx.buf[iph] >> 4 == 6:
        if ctx.u8(iph + 6) == 17:
            if sport < 0:
                w("%s > %s: " % (ctx.ip6(iph + 8), ctx.ip6(iph + 24)))
            else:
                w("%s.%u > %s.%u: " % (ctx.ip6(iph + 8), sport, ctx.ip6(iph + 24), dport))
        elif sport >= 0:
            w("%u > %u: " % (sport, dport))
    else:
        if ctx.u8(iph + 9) == 17:
            if sport < 0:
                w("%s > %s: " % (ctx.ip4(iph + 12), ctx.ip4(iph + 16)))
            else:
                w("%s.%u > %s.%u: " % (ctx.ip4(iph + 12), sport, ctx.ip4(iph + 16), dport))
        elif sport >= 0:
            w("%u > %u: " % (sport, dport))


# IPv6 next headers after which nextproto6_cksum looks for a routing header.
_IP6_EXT = frozenset({0, 60, 135, 62, 44, 43})


def pseudo_header(ctx: Ctx, iph: int, proto: int, length: int) -> bytes:
    """The IPv4 or IPv6 pseudo-header for a transport checksum.

    The destination is a source route's final address, as in tcpdump's ``nextproto4_cksum``
    and ``nextproto6_cksum`` (see ``ip_finddst`` and ``ip6_finddst``).
    """
    buf = ctx.buf
    if buf[iph] >> 4 == 6:
        dst = buf[iph + 24 : iph + 40] if buf[iph + 6] not in _IP6_EXT else ip6_finddst(ctx, iph)
        return buf[iph + 8 : iph + 24] + dst + (length & M32).to_bytes(4, "big") + bytes((0, 0, 0, proto))
    dst = buf[iph + 16 : iph + 20] if buf[iph] & 0x0F == 5 else ip_finddst(ctx, iph)
    return buf[iph + 12 : iph + 16] + dst + bytes((0, proto)) + (length & 0xFFFF).to_bytes(2, "big")


def udp_print(ctx: Ctx, off: int, length: int, iph: int, fragmented: bool) -> None:
    """Print a UDP datagram at ``off``; VXLAN ports hand over to :func:`vxlan_print`."""
    w = ctx.out.append
    ctx.proto = "udp"
    # Header checks that fail print the marker and return ("goto trunc", not a longjmp),
    # so -x still skips the link-layer header.
    if off + 4 > ctx.end:
        _addr_print(ctx, iph, -1, -1)
        w(" [|udp]")
        return
    buf = ctx.buf
    sport = (buf[off] << 8) | buf[off + 1]
    dport = (buf[off + 2] << 8) | buf[off + 3]
    if length < 8:
        _addr_print(ctx, iph, sport, dport)
        w("truncated-udp %u" % length)
        return
    if off + 6 > ctx.end:
        _addr_print(ctx, iph, sport, dport)
        w(" [|udp]")
        return
    ulen = (buf[off + 4] << 8) | buf[off + 5]
    if ulen == 0 and length > 65535:
        ulen = length
    if ulen < 8:
        _addr_print(ctx, iph, sport, dport)
        w("truncated-udplength %u" % ulen)
        return
    ulen -= 8
    length -= 8
    if ulen < length:
        length = ulen
    cp = off + 8
    if cp > ctx.end:
        _addr_print(ctx, iph, sport, dport)
        w(" [|udp]")
        return
    _addr_print(ctx, iph, sport, dport)
    opts = ctx.opts
    if opts.vflag and not fragmented:
        v6 = buf[iph] >> 4 == 6
        if not v6 and opts.vflag > 1:
            udp_sum = ctx.u16(off + 6)
            if udp_sum == 0:
                w("[no cksum] ")
            elif cp + length <= ctx.end:
                s = in_cksum(pseudo_header(ctx, iph, 17, length + 8) + buf[off : cp + length])
                if s != 0:
                    w("[bad udp cksum 0x%04x -> 0x%04x!] " % (udp_sum, in_cksum_shouldbe(udp_sum, s)))
                else:
                    w("[udp sum ok] ")
        elif v6 and cp + length <= ctx.end:
            s = in_cksum(pseudo_header(ctx, iph, 17, length + 8) + buf[off : cp + length])
            udp_sum = ctx.u16(off + 6)
            if s != 0:
                w("[bad udp cksum 0x%04x -> 0x%04x!] " % (udp_sum, in_cksum_shouldbe(udp_sum, s)))
            else:
                w("[udp sum ok] ")
    if not opts.qflag:
        # print-udp.c's port order: DNS and mDNS come before VXLAN.
        if sport == NAMESERVER_PORT or dport == NAMESERVER_PORT:
            domain_print(ctx, cp, length, False, False)
            return
        if sport == MULTICASTDNS_PORT or dport == MULTICASTDNS_PORT:
            domain_print(ctx, cp, length, False, True)
            return
        if sport == ISAKMP_NATT_PORT or dport == ISAKMP_NATT_PORT:
            esp_in_udp_print(ctx, cp, length)
            return
        # (tcpdump's printers for the other ports in between are not ported: their ports are
        # not in Linux's ephemeral range, where a VXLAN packet's source port comes from.)
        if sport == BCM_LI_PORT:
            bcm_li_print(ctx, cp, length)
            return
        if sport == SYSLOG_PORT or dport == SYSLOG_PORT:
            syslog_print(ctx, cp, length)
            return
        # OTV (8472, decoded as VXLAN as newer tcpdump does) and VXLAN (4789) come before
        # Geneve (6081) and VXLAN-GPE (4790). A --vxlan-port naming 6081 or 4790 does not
        # take those ports from their own printers: a GPE payload is often not Ethernet.
        ports = opts.vxlan_ports
        if (sport in ports and sport not in NOT_VXLAN_PORTS) or (dport in ports and dport not in NOT_VXLAN_PORTS):
            vxlan_print(ctx, cp, length)
            return
        if sport == GENEVE_PORT or dport == GENEVE_PORT:
            geneve_print(ctx, cp, length)
            return
        if sport == VXLAN_GPE_PORT or dport == VXLAN_GPE_PORT:
            vxlan_gpe_print(ctx, cp, length)
            return
    if ulen > length and not fragmented:
        w("UDP, bad length %u > %u" % (ulen, length))
    else:
        w("UDP, length %u" % ulen)


def vxlan_print(ctx: Ctx, off: int, length: int) -> None:
    """``VXLAN, flags [I] (0x08), vni 256`` then, on a new line, the inner Ethernet frame."""
    from vxlan_inspect.render.tcpdump.link import ether_print

    w = ctx.out.append
    ctx.proto = "vxlan"
    w("VXLAN")
    if length < 8:
        w(" (invalid)")
        return
    flags = ctx.u8(off)
    w(", flags [%s] (0x%02x), " % ("I" if flags & 0x08 else "invalid", flags))
    vni = _vni(ctx, off)
    w("vni %u\n" % vni)
    ctx.need(off + 7, 1)
    ctx.depth += 1
    if ctx.depth > ctx.opts.max_depth:
        w("[|vxlan: decapsulation depth %u reached]" % ctx.opts.max_depth)
        return
    ether_print(ctx, off + 8, length - 8, ctx.avail(off + 8))


def _vni(ctx: Ctx, off: int) -> int:
    ctx.need(off + 4, 3)
    return (ctx.buf[off + 4] << 16) | (ctx.buf[off + 5] << 8) | ctx.buf[off + 6]
