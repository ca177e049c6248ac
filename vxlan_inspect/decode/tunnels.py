"""UDP tunnels other than VXLAN: Geneve (RFC 8926) and VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe).

This module is the one definition of their ports and header layouts; the tcpdump printers
(render/tcpdump/geneve.py, vxlan_gpe.py) and the decoder use it.

Geneve header (8 bytes, then ``opt_len`` 4-byte words of options)::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |        Virtual Network Identifier (VNI)       |    Reserved   |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |          Option Class         |      Type     |R|R|R| Length  |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                 Variable-Length Option Data                   |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

An option's Length counts the 4-byte words of its data (its 4-byte header excluded).

VXLAN-GPE header (8 bytes)::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |R|R|Ver|I|P|R|O|       Reserved                |Next Protocol  |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    |                VXLAN Network Identifier (VNI) |   Reserved    |
    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

Next Protocol: 1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS. Because the payload is not always
Ethernet, UDP 4790 is never decoded as VXLAN, whatever ``--vxlan-port`` says; nor is 6081.

The parsers return ``None`` when the bytes do not hold the fixed header (truncation is the
caller's to report, as data on the packet) and never raise.
"""

from __future__ import annotations

from dataclasses import dataclass

GENEVE_PORT = 6081
VXLAN_GPE_PORT = 4790
NOT_VXLAN_PORTS = frozenset({GENEVE_PORT, VXLAN_GPE_PORT})
"""Ports with a tunnel printer of their own: never decoded as VXLAN."""

ETHERTYPE_TEB = 0x6558  # Transparent Ethernet Bridging: an Ethernet frame follows

GPE_NEXT_PROTOCOLS = {1: "IPv4", 2: "IPv6", 3: "Ethernet", 4: "NSH", 5: "MPLS"}


@dataclass(frozen=True, slots=True)
class GeneveOption:
    """One Geneve option: ``length`` is the whole option in bytes (4 + data)."""

    opt_class: int
    type: int
    length: int
    data: bytes

    @property
    def critical(self) -> bool:
        return bool(self.type & 0x80)


@dataclass(frozen=True, slots=True)
class GeneveHeader:
    """The fixed Geneve header; ``opts_len`` is in bytes."""

    version: int
    opts_len: int
    oam: bool
    critical: bool
    flags: int
    protocol: int
    vni: int
    reserved: int

    @property
    def length(self) -> int:
        """Header plus options, in bytes."""
        return 8 + self.opts_len


def parse_geneve(buf: bytes, off: int, end: int) -> GeneveHeader | None:
    """The Geneve header at ``buf[off:]`` (``end`` = end of the captured bytes), or None if cut."""
    if off + 8 > end:
        return None
    b0, flags = buf[off], buf[off + 1]
    return GeneveHeader(version=b0 >> 6, opts_len=(b0 & 0x3F) * 4, oam=bool(flags & 0x80),
                        critical=bool(flags & 0x40), flags=flags, protocol=(buf[off + 2] << 8) | buf[off + 3],
                        vni=(buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6], reserved=buf[off + 7])


def parse_geneve_options(buf: bytes, off: int, length: int) -> tuple[list[GeneveOption], bool]:
    """The options in ``length`` bytes at ``off`` (all captured); ``False`` if one runs past the area."""
    out: list[GeneveOption] = []
    while length >= 4:
        opt_class = (buf[off] << 8) | buf[off + 1]
        opt_len = 4 + (buf[off + 3] & 0x1F) * 4
        if opt_len > length:
            out.append(GeneveOption(opt_class, buf[off + 2], opt_len, bytes(buf[off + 4 : off + length])))
            return out, False
        out.append(GeneveOption(opt_class, buf[off + 2], opt_len, bytes(buf[off + 4 : off + opt_len])))
        off += opt_len
        length -= opt_len
    return out, length == 0


@dataclass(frozen=True, slots=True)
class GpeHeader:
    """The VXLAN-GPE header."""

    flags: int
    version: int
    i_flag: bool
    p_flag: bool
    o_flag: bool
    next_protocol: int
    vni: int

    @property
    def next_protocol_name(self) -> str:
        return GPE_NEXT_PROTOCOLS.get(self.next_protocol, "unknown")


def parse_gpe(buf: bytes, off: int, end: int) -> GpeHeader | None:
    """The VXLAN-GPE header at ``buf[off:]``, or None if fewer than 8 bytes were captured."""
    if off + 8 > end:
        return None
    flags = buf[off]
    return GpeHeader(flags=flags, version=(flags >> 4) & 0x3, i_flag=bool(flags & 0x08), p_flag=bool(flags & 0x04),
                     o_flag=bool(flags & 0x01), next_protocol=buf[off + 3],
                     vni=(buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6])
