"""Broadcom lawful-intercept shim (UDP source port 49152) as tcpdump's ``print-bcm-li.c`` prints it.

::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    | Dir |  Type |Sub|              LI identifier (22 bits)          |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

Why it matters here: tcpdump 4.99.3 tries this printer before VXLAN, on the *source*
port alone, and Linux picks a VXLAN packet's source port from its ephemeral range, which
contains 49152. So one flow in about 28,000 shows as ``BCM-LI-SHIM`` in tcpdump, and we
print it the same way. With ``-v`` the carried packet is printed by its type.
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, Truncated, tok2str

BCM_LI_PORT = 49152
_DIRECTION = {1: "unused", 2: "egress", 3: "ingress"}
_ETHERNET, _IPV4, _IPV6, _UNDECIDED = 7, 5, 6, 4
_TYPE = {_UNDECIDED: "undecided", _IPV4: "ipv4", _IPV6: "ipv6", _ETHERNET: "ethernet"}
_SUBTYPE = {1: "single VLAN tag", 2: "double VLAN tag", 3: "untagged"}


def bcm_li_print(ctx: Ctx, off: int, length: int) -> None:
    """The shim at ``off`` (the UDP payload, ``length`` bytes) and, with ``-v``, what it carries."""
    from vxlan_inspect.render.tcpdump import ip, ip6, link

    w = ctx.out.append
    ctx.proto = "bcm_li"
    if length < 4:
        w(" (length %u < 4) (invalid)" % length)
        return
    shim = ctx.u32(off)
    kind = (shim >> 25) & 0xF
    verbose = ctx.opts.vflag
    w("%sBCM-LI-SHIM: direction %s, pkt-type %s, pkt-subtype %s, li-id %u%s" % (
        "\n    " if verbose else "", tok2str(_DIRECTION, "unknown", (shim >> 29) & 0x7),
        tok2str(_TYPE, "unknown", kind), tok2str(_SUBTYPE, "unknown", (shim >> 22) & 0x7),
        shim & 0x3FFFFF, "\n    " if verbose else ""))
    off += 4
    length -= 4
    if not verbose:
        if off + length > ctx.end:
            raise Truncated
        return
    if kind == _ETHERNET:
        link.ether_print(ctx, off, length, ctx.avail(off))
    elif kind == _IPV4:
        ip.ip_print(ctx, off, length)
    elif kind == _IPV6:
        ip6.ip6_print(ctx, off, length)
    elif kind == _UNDECIDED:
        version = ctx.u8(off) >> 4
        if version == 4:
            ip.ip_print(ctx, off, length)
        elif version == 6:
            ip6.ip6_print(ctx, off, length)
        else:
            w("unknown payload")
    else:
        w(" (invalid)")
