"""ESP (RFC 4303, IP protocol 50) and ESP in UDP (RFC 3948, UDP port 4500), as tcpdump 4.99.3
prints them without decryption secrets.

ESP header (the rest is encrypted)::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |               Security Parameters Index (SPI)                 |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                      Sequence Number                          |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                    Payload Data* (variable)                   |

On UDP 4500 (NAT traversal) a one-byte 0xff datagram is a NAT keepalive, a zero first word
(the non-ESP marker) means IKE follows, anything else is ESP. tcpdump needs more than the 8
header bytes captured to print the ESP header at all. IKE is not decoded by this tool yet: it
prints ``NONESP-encap: IKE, length N [not decoded by vxlan-inspect]`` where tcpdump decodes it.
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx

ISAKMP_NATT_PORT = 4500


def esp_print(ctx: Ctx, off: int, length: int) -> None:
    """``ESP(spi=0x00001234,seq=0x1), length 100``."""
    ctx.proto = "esp"
    if off + 8 >= ctx.end:
        ctx.out.append(" [|esp]")
        return
    ctx.out.append("ESP(spi=0x%08x,seq=0x%x), length %u" % (ctx.u32(off), ctx.u32(off + 4), length))


def esp_in_udp_print(ctx: Ctx, off: int, length: int) -> None:
    """A datagram on UDP 4500: keepalive, IKE (non-ESP marker) or ``UDP-encap: `` and ESP."""
    w = ctx.out.append
    ctx.proto = "isakmp_rfc3948"
    if length == 1 and ctx.u8(off) == 0xFF:
        w("isakmp-nat-keep-alive")
        return
    if length < 4:
        w(" [|isakmp_rfc3948]")
        return
    if ctx.u32(off) == 0:
        w("NONESP-encap: IKE, length %u [not decoded by vxlan-inspect]" % (length - 4))
        return
    w("UDP-encap: ")
    esp_print(ctx, off, length)
