"""Geneve (RFC 8926) on UDP port 6081, printed as tcpdump 4.99.3 prints it.

Geneve header::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |        Virtual Network Identifier (VNI)       |    Reserved   |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                    Variable-Length Options                    |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

Each option::

    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |          Option Class         |      Type     |R|R|R| Length  |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                 Variable-Length Option Data                   |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

Opt Len and an option's Length count 4-byte words (an option's Length excludes its own
4-byte header). The VNI prints in hex (``vni 0x1f4``); the flags print without separators
(``[OC]``), ``none`` when clear; ``-e`` adds the protocol type by ethertype name; the options
print as a byte count, or one by one with ``-v`` (their data words too with ``-vv``). The
payload is dispatched on the protocol type like an Ethernet type, 0x6558 (TEB) meaning an
Ethernet frame.
"""

from __future__ import annotations

from vxlan_inspect.decode.tunnels import ETHERTYPE_TEB, GENEVE_PORT
from vxlan_inspect.render.tcpdump.context import Ctx, bittok2str

__all__ = ["GENEVE_PORT", "geneve_print", "opt_class_name"]

_FLAGS = ((0x80, "O"), (0x40, "C"), (0x20, "R1"), (0x10, "R2"), (0x08, "R3"), (0x04, "R4"), (0x02, "R5"),
          (0x01, "R6"))

_OPT_CLASSES = {
    0x0100: "Linux",
    0x0101: "Open vSwitch",
    0x0102: "Open Virtual Networking (OVN)",
    0x0103: "In-band Network Telemetry (INT)",
    0x0104: "VMware",
}


def opt_class_name(opt_class: int) -> str:
    """The option class as tcpdump names it (IANA's Geneve option class registry, in part)."""
    name = _OPT_CLASSES.get(opt_class)
    if name is not None:
        return name
    if opt_class <= 0x00FF:
        return "Standard"
    if opt_class >= 0xFFF0:
        return "Experimental"
    return "Unknown"


def _opts_print(ctx: Ctx, off: int, length: int) -> None:
    """The option list; the caller has checked that ``length`` bytes at ``off`` were captured."""
    w = ctx.out.append
    buf = ctx.buf
    sep = ""
    while length > 0:
        w(sep)
        sep = ", "
        opt_class = (buf[off] << 8) | buf[off + 1]
        opt_type = buf[off + 2]
        opt_len = 4 + (buf[off + 3] & 0x1F) * 4
        w("class %s (0x%x) type 0x%x%s len %u"
          % (opt_class_name(opt_class), opt_class, opt_type, "(C)" if opt_type & 0x80 else "", opt_len))
        if opt_len > length:
            w(" [bad length]")
            return
        if ctx.opts.vflag > 1 and opt_len > 4:
            w(" data")
            for i in range(4, opt_len, 4):
                w(" %08x" % ctx.u32(off + i))
        off += opt_len
        length -= opt_len


def geneve_print(ctx: Ctx, off: int, length: int) -> None:
    """``Geneve, Flags [none], vni 0x1f4`` then the payload (``: `` or, with -v, a new line)."""
    from vxlan_inspect.render.tcpdump.link import ETHERTYPE_NAMES, ether_print, ethertype_print

    w = ctx.out.append
    ctx.proto = "geneve"
    w("Geneve")
    if length < 8:
        w(" [length %u < 8] (invalid)" % length)
        return
    # The header and option checks print the marker and return (tcpdump's "goto trunc",
    # not a longjmp), so -x still skips the link-layer header.
    if off + 8 > ctx.end:
        w(" [|geneve]")
        return
    buf = ctx.buf
    ver_opt = buf[off]
    version = ver_opt >> 6
    if version != 0:
        w(" ERROR: unknown-version %u" % version)
        return
    flags = buf[off + 1]
    prot = (buf[off + 2] << 8) | buf[off + 3]
    vni = (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6]
    reserved = buf[off + 7]
    w(", Flags [%s], vni 0x%x" % (bittok2str(_FLAGS, "none", flags, ""), vni))
    if reserved:
        w(", rsvd 0x%x" % reserved)
    if ctx.opts.eflag:
        w(", proto %s (0x%04x)" % (ETHERTYPE_NAMES.get(prot, "unknown"), prot))
    off += 8
    length -= 8
    opts_len = (ver_opt & 0x3F) * 4
    if length < opts_len:
        w(" truncated-geneve - %u bytes missing" % (opts_len - length))
        return
    if off + opts_len > ctx.end:
        w(" [|geneve]")
        return
    if opts_len:
        w(", options [")
        if ctx.opts.vflag:
            _opts_print(ctx, off, opts_len)
        else:
            w("%u bytes" % opts_len)
        w("]")
    off += opts_len
    length -= opts_len
    w("\n\t" if ctx.opts.vflag else ": ")
    ctx.depth += 1
    if ctx.depth > ctx.opts.max_depth:
        w("[|geneve: decapsulation depth %u reached]" % ctx.opts.max_depth)
        return
    if not ethertype_print(ctx, prot, off, length, ctx.avail(off)):
        if prot == ETHERTYPE_TEB:
            ether_print(ctx, off, length, ctx.avail(off))
        elif prot in ETHERTYPE_NAMES:
            # tcpdump may have a printer for a type it names (MPLS, LLDP, ...); we have none.
            w("%s, length %u [not decoded by vxlan-inspect]" % (ETHERTYPE_NAMES[prot], length))
        else:
            w("geneve-proto-0x%x" % prot)
