"""ARP (RFC 826) as tcpdump's ``print-arp.c`` prints it, including its generic form.

::

    +---------------+---------------+-------+-------+---------------+
    | hardware type | protocol type | hlen  | plen  |   operation   |
    +---------------+---------------+-------+-------+---------------+
    | sender hardware address (hlen) | sender protocol address (plen)|
    | target hardware address (hlen) | target protocol address (plen)|
    +---------------------------------------------------------------+
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, Truncated, linkaddr_string
from vxlan_inspect.render.tcpdump.hexdump import default_print

ARPOP_NAMES = {1: "Request", 2: "Reply", 3: "Reverse Request", 4: "Reverse Reply",
               8: "Inverse Request", 9: "Inverse Reply", 10: "NACK Reply"}
ARPHRD_NAMES = {1: "Ethernet", 6: "TokenRing", 7: "ArcNet", 15: "FrameRelay", 23: "Strip",
                24: "IEEE 1394", 19: "ATM", 32: "InfiniBand"}


def q922_string(p: bytes) -> str:
    """A Frame Relay Q.922 address as ``DLCI n`` (print-fr.c's ``q922_string``)."""
    if not p:
        return "<Truncated>"
    if p[0] & 0x01:  # the EA bit ends the address after one byte: invalid
        return "<Invalid DLCI>"
    if len(p) < 2:
        return "<Truncated>"
    dlci = ((p[0] & 0xFC) << 2) | ((p[1] & 0xF0) >> 4)
    if p[1] & 0x01:
        return "DLCI %u" % dlci
    i = 2
    if len(p) < 3:
        return "<Truncated>"
    if not p[2] & 0x01:
        dlci = (dlci << 7) | (p[2] >> 1)
        i = 3
    if len(p) <= i:
        return "<Truncated>"
    if not p[i] & 0x01:
        return "<Invalid DLCI>"  # more than 4 bytes of address
    return "DLCI %u" % ((dlci << 6) | (p[i] >> 2))


def arp_print(ctx: Ctx, off: int, length: int, caplen: int) -> None:
    """Print an ARP packet at ``off``; ``length`` is what the link layer carried."""
    from vxlan_inspect.render.tcpdump.link import ETHERTYPE_NAMES

    w = ctx.out.append
    ctx.proto = "arp"
    ctx.need(off, 8)
    buf = ctx.buf
    hrd = (buf[off] << 8) | buf[off + 1]
    pro = (buf[off + 2] << 8) | buf[off + 3]
    hln = buf[off + 4]
    pln = buf[off + 5]
    op = (buf[off + 6] << 8) | buf[off + 7]
    if hrd == 19:
        _atmarp_print(ctx, off, length, caplen)
        return
    sha = off + 8
    spa = sha + hln
    tha = spa + pln
    tpa = tha + hln
    ctx.need(tpa, pln)
    if not ctx.opts.eflag:
        w("ARP, ")
    vflag = ctx.opts.vflag
    if (pro != 0x0800 and pro != 0x1000) or pln != 4 or hln == 0 or vflag:
        hname = ARPHRD_NAMES.get(hrd)
        pname = ETHERTYPE_NAMES.get(pro)
        w("%s (len %u), %s (len %u)" % (
            hname if hname is not None else "Unknown Hardware (%u)" % hrd, hln,
            pname if pname is not None else "Unknown Protocol (0x%04x)" % pro, pln))
        if not vflag:
            w(", length %u" % length)
            return
    opname = ARPOP_NAMES.get(op)
    w("%s%s " % (", " if vflag else "", opname if opname is not None else "Unknown (%u)" % op))

    def addr(at: int) -> str:
        ctx.need(at, hln)
        if hrd == 15 and hln:  # LINKADDR_FRELAY
            return q922_string(buf[at : at + hln])
        return linkaddr_string(buf[at : at + hln])

    def paddr(at: int) -> str:
        if pro != 0x0800 and pro != 0x1000:
            return "<wrong proto type>"
        if pln != 4:
            return "<wrong len>"
        return ctx.ip4(at)

    if op == 1:
        w("who-has " + paddr(tpa))
        ctx.need(tha, hln)
        if any(buf[tha : tha + hln]):
            w(" (%s)" % addr(tha))
        w(" tell " + paddr(spa))
    elif op == 2:
        w("%s is-at %s" % (paddr(spa), addr(sha)))
    elif op in (3, 8):
        w("who-is %s" % addr(tha))
        w(" tell %s" % addr(sha))
    elif op == 4:
        w("%s at " % addr(tha))
        w(paddr(tpa))
    elif op == 9:
        w("%s at " % addr(sha))
        w(paddr(spa))
    else:
        default_print(ctx, off, caplen)
        return
    w(", length %u" % length)


def _atmarp_print(ctx: Ctx, off: int, length: int, caplen: int) -> None:
    """RFC 2225 ATM ARP: type/length bytes for each address and subaddress."""
    from vxlan_inspect.render.tcpdump.link import ETHERTYPE_NAMES

    w = ctx.out.append
    ctx.need(off, 12)
    buf = ctx.buf
    hrd = (buf[off] << 8) | buf[off + 1]
    pro = (buf[off + 2] << 8) | buf[off + 3]
    shl, ssl, op = buf[off + 4] & 0x3F, buf[off + 5] & 0x3F, (buf[off + 6] << 8) | buf[off + 7]
    spl, thl, tsl, tpl = buf[off + 8], buf[off + 9] & 0x3F, buf[off + 10] & 0x3F, buf[off + 11]
    sha = off + 12
    ssa = sha + shl
    spa = ssa + ssl
    tha = spa + spl
    tsa = tha + thl
    tpa = tsa + tsl
    ctx.need(tpa, tpl)
    if not ctx.opts.eflag:
        w("ARP, ")
    vflag = ctx.opts.vflag
    if (pro != 0x0800 and pro != 0x1000) or spl != 4 or tpl != 4 or vflag:
        hname = ARPHRD_NAMES.get(hrd)
        pname = ETHERTYPE_NAMES.get(pro)
        w("%s, %s (len %u/%u)" % (hname if hname is not None else "Unknown Hardware (%u)" % hrd,
                                  pname if pname is not None else "Unknown Protocol (0x%04x)" % pro,
                                  spl, tpl))
        if not vflag:
            w(", length %u" % length)
            return
    opname = ARPOP_NAMES.get(op)
    w("%s%s " % (", " if vflag else "", opname if opname is not None else "Unknown (%u)" % op))

    def addr(at: int, ln: int, sub: int, subln: int) -> str:
        if ln == 0:
            return "<No address>"
        ctx.need(at, ln)
        text = linkaddr_string(buf[at : at + ln])
        if subln:
            ctx.need(sub, subln)
            text += "," + linkaddr_string(buf[sub : sub + subln])
        return text

    def spaddr() -> str:
        if pro != 0x0800 and pro != 0x1000:
            return "<wrong proto type>"
        return "<wrong splen>" if spl != 4 else ctx.ip4(spa)

    def tpaddr() -> str:
        if pro != 0x0800 and pro != 0x1000:
            return "<wrong proto type>"
        return "<wrong tplen>" if tpl != 4 else ctx.ip4(tpa)

    if op == 1:
        w("who-has " + tpaddr())
        if thl:
            w(" (%s)" % addr(tha, thl, tsa, tsl))
        w(" tell " + spaddr())
    elif op == 2:
        w(spaddr() + " is-at " + addr(sha, shl, ssa, ssl))
    elif op == 8:
        w("who-is " + addr(tha, thl, tsa, tsl) + " tell " + addr(sha, shl, ssa, ssl))
    elif op == 9:
        w(addr(sha, shl, ssa, ssl) + "at " + spaddr())
    elif op == 10:
        w("for " + spaddr())
    else:
        default_print(ctx, off, caplen)
        return
    w(", length %u" % length)


__all__ = ["Truncated", "arp_print"]
