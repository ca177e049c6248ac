"""The parsed form of a filter: a small tree of frozen nodes.

Boolean nodes (:class:`And`, :class:`Or`, :class:`Not`, :class:`Inner`) hold
primitives; relations hold arithmetic (:class:`Num`, :class:`Len`,
:class:`Load`, :class:`BinOp`, :class:`Neg`). ``dir`` is ``"src"``, ``"dst"``,
``"or"`` (either, the default) or ``"and"`` (both). Addresses are bytes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class And:
    """Both sides match."""

    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or:
    """Either side matches."""

    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    """The operand does not match."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Inner:
    """``inner`` / ``inner[depth]``: the operand applied to a decapsulated frame (None: the innermost)."""

    depth: int | None
    operand: Node


@dataclass(frozen=True, slots=True)
class Proto:
    """A protocol test: ``ip``, ``ip6``, ``arp``, ``rarp``, ``tcp``, ``udp``, ``sctp``, ``icmp``, ``icmp6``,
    or an overlay flag: ``vxlan``, ``gbp``, ``vxlan-invalid``."""

    name: str


@dataclass(frozen=True, slots=True)
class ProtoNum:
    """``ip proto N`` / ``ip6 proto N`` / ``proto N`` (``family``: ``ip``, ``ip6`` or None for both)."""

    family: str | None
    number: int


@dataclass(frozen=True, slots=True)
class Host:
    """``[ip|ip6|arp|rarp] [dir] host ADDR``; ``proto`` None means IP (and ARP/RARP for IPv4)."""

    proto: str | None
    dir: str
    addr: bytes


@dataclass(frozen=True, slots=True)
class EtherHost:
    """``ether [dir] host MAC``."""

    dir: str
    addr: bytes


@dataclass(frozen=True, slots=True)
class EtherMulticast:
    """``[ether] multicast``: the group bit of the Ethernet destination (``ether[0] & 1 != 0``)."""


@dataclass(frozen=True, slots=True)
class Net:
    """``[ip|ip6|arp|rarp] [dir] net ADDR/LEN`` (``addr`` already masked)."""

    proto: str | None
    dir: str
    addr: bytes
    prefix: int


@dataclass(frozen=True, slots=True)
class Port:
    """``[tcp|udp|sctp] [dir] port N`` or ``portrange LO-HI`` (``proto`` None: all three)."""

    proto: str | None
    dir: str
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Vlan:
    """``vlan`` (any 802.1Q/802.1ad tag) or ``vlan ID`` (a tag with that id)."""

    vid: int | None


@dataclass(frozen=True, slots=True)
class Vni:
    """``vni N`` or ``vni LO-HI``: the outermost VXLAN header's VNI."""

    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Vtep:
    """``[src|dst] vtep ADDR``: a VXLAN packet whose outer IP source/destination is ADDR."""

    dir: str
    addr: bytes


@dataclass(frozen=True, slots=True)
class Rel:
    """``LEFT op RIGHT`` with op one of ``== != < <= > >=`` (``=`` is ``==``)."""

    op: str
    left: Arith
    right: Arith


@dataclass(frozen=True, slots=True)
class Num:
    """A constant."""

    value: int


@dataclass(frozen=True, slots=True)
class Len:
    """``len``: the packet's length on the wire."""


@dataclass(frozen=True, slots=True)
class Load:
    """``proto[offset : size]``: ``size`` bytes (1, 2 or 4) at ``offset`` from ``proto``'s header."""

    proto: str
    offset: Arith
    size: int


@dataclass(frozen=True, slots=True)
class BinOp:
    """Unsigned 32-bit arithmetic: ``+ - * / % & | ^ << >>``."""

    op: str
    left: Arith
    right: Arith


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus (two's complement, 32 bits)."""

    operand: Arith


Node = (And | Or | Not | Inner | Proto | ProtoNum | Host | EtherHost | EtherMulticast | Net | Port | Vlan | Vni | Vtep
        | Rel)
Arith = Num | Len | Load | BinOp | Neg
