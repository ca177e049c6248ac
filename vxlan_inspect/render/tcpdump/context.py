"""The printing context shared by every tcpdump-compatible printer.

Printers follow tcpdump's own structure (``print-*.c``): each receives the
absolute offset of its header in ``ctx.buf`` and the length the enclosing
layer says it has; ``ctx.end`` is the end of the captured bytes (tcpdump's
``snapend``), which IP layers shrink to their total length. Reading past
``ctx.end`` raises :class:`Truncated`, which the packet printer turns into
tcpdump's `` [|proto]`` marker, exactly where tcpdump's ``longjmp`` would.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

U16 = struct.Struct("!H").unpack_from
U32 = struct.Struct("!I").unpack_from


class Truncated(Exception):
    """A printer read past the captured bytes (tcpdump's ``nd_trunc_longjmp``)."""


@dataclass(slots=True)
class Options:
    """Display options, spelled like tcpdump's flags."""

    eflag: int = 0  # -e
    vflag: int = 0  # -v, -vv, -vvv
    qflag: int = 0  # -q
    tflag: int = 0  # -t count: 0 default, 1 none, 2 unix, 3 delta, 4 date, 5 since first
    xflag: int = 0  # -x / -xx
    Xflag: int = 0  # -X / -XX
    Aflag: int = 0  # -A / -AA
    nano: bool = False  # --nano
    packet_number: bool = False  # -#
    vxlan_ports: frozenset[int] = frozenset({4789, 8472})
    max_depth: int = 8  # VXLAN decapsulation depth cap
    ifnames: dict[int, str] | None = None  # SLL2 interface index -> name
    system_ifnames: bool = True  # fall back to this machine's interfaces, as tcpdump does


@dataclass(slots=True)
class Ctx:
    """Per-packet printing state (tcpdump's ``netdissect_options``)."""

    opts: Options
    buf: bytes = b""
    end: int = 0
    proto: str = ""
    ll_hdr_len: int = 0
    depth: int = 0
    out: list[str] = field(default_factory=list)
    tcp_seq: dict[tuple[bytes, bytes, int], tuple[int, int]] = field(default_factory=dict)
    tcp_acks: int = 0  # TCP segments that used the relative-sequence table
    # DNS name walks already done in the current message (see domain_name.fqdn_print):
    # (bp, offset, max pointer offset, characters printed) -> (out start, out stop, ok)
    dns_names: dict[tuple[int, int, int, int], tuple[int, int, bool]] = field(default_factory=dict)
    dns_runs: dict[int, int] = field(default_factory=dict)  # label -> end of its run of labels

    def need(self, off: int, n: int) -> None:
        """Raise :class:`Truncated` unless ``n`` bytes at ``off`` were captured."""
        if off + n > self.end or off < 0:
            raise Truncated

    def avail(self, off: int) -> int:
        """Captured bytes available from ``off`` (tcpdump's ND_BYTES_AVAILABLE_AFTER)."""
        return max(0, self.end - off)

    def u8(self, off: int) -> int:
        if off >= self.end:
            raise Truncated
        return self.buf[off]

    def u16(self, off: int) -> int:
        if off + 2 > self.end:
            raise Truncated
        return U16(self.buf, off)[0]  # type: ignore[no-any-return]

    def u32(self, off: int) -> int:
        if off + 4 > self.end:
            raise Truncated
        return U32(self.buf, off)[0]  # type: ignore[no-any-return]

    def ip4(self, off: int) -> str:
        if off + 4 > self.end:
            raise Truncated
        return ipaddr_string(self.buf[off : off + 4])

    def ip6(self, off: int) -> str:
        if off + 16 > self.end:
            raise Truncated
        return ip6addr_string(self.buf[off : off + 16])

    def mac(self, off: int) -> str:
        if off + 6 > self.end:
            raise Truncated
        return etheraddr_string(self.buf[off : off + 6])


_ip_cache: dict[bytes, str] = {}
_mac_cache: dict[bytes, str] = {}
_ip6_cache: dict[bytes, str] = {}


def ipaddr_string(raw: bytes) -> str:
    """Dotted quad, memoised."""
    s = _ip_cache.get(raw)
    if s is None:
        s = "%d.%d.%d.%d" % (raw[0], raw[1], raw[2], raw[3])
        if len(_ip_cache) < 65536:
            _ip_cache[raw] = s
    return s


def ip6addr_string(raw: bytes) -> str:
    """RFC 5952-style text as tcpdump (and inet_ntop) prints it, memoised."""
    s = _ip6_cache.get(raw)
    if s is None:
        s = socket.inet_ntop(socket.AF_INET6, raw)
        if len(_ip6_cache) < 65536:
            _ip6_cache[raw] = s
    return s


def etheraddr_string(raw: bytes) -> str:
    """``aa:bb:cc:dd:ee:ff``, memoised."""
    s = _mac_cache.get(raw)
    if s is None:
        s = raw.hex(":")
        if len(_mac_cache) < 65536:
            _mac_cache[raw] = s
    return s


def linkaddr_string(raw: bytes) -> str:
    """A link-layer address of any length: an Ethernet MAC or hex bytes joined by ':'."""
    if len(raw) == 6:
        return etheraddr_string(raw)
    if not raw:
        return "<empty>"
    return raw.hex(":")


def tok2str(table: dict[int, str], fmt: str, value: int) -> str:
    """tcpdump's ``tok2str``: the name of ``value``, or ``fmt`` formatted with it."""
    s = table.get(value)
    if s is not None:
        return s
    return fmt % value if "%" in fmt else fmt


def bittok2str(table: tuple[tuple[int, str], ...], fmt: str, value: int, sep: str = ", ") -> str:
    """tcpdump's ``bittok2str``: names of the bits set in ``value``."""
    names = [name for bit, name in table if bit and (value & bit) == bit]
    if names:
        return sep.join(names)
    return fmt % value if "%" in fmt else fmt


def in_cksum(data: bytes) -> int:
    """The Internet checksum's folded one's-complement sum, complemented (0 means valid)."""
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def in_cksum_shouldbe(sum_in_packet: int, computed: int) -> int:
    """What the checksum field should have held (tcpdump's ``in_cksum_shouldbe``)."""
    shouldbe = sum_in_packet
    shouldbe += computed
    shouldbe = (shouldbe & 0xFFFF) + (shouldbe >> 16)
    shouldbe = (shouldbe & 0xFFFF) + (shouldbe >> 16)
    return shouldbe & 0xFFFF


Printer = Callable[[Ctx, int, int], None]


_CHARS = []
for _c in range(256):
    _prefix = ""
    _b = _c
    if _b > 0x7F:
        _b &= 0x7F
        _prefix = "M-"
    if not 0x20 <= _b <= 0x7E:
        _b ^= 0x40
        _prefix += "^"
    _CHARS.append(_prefix + chr(_b))
CHARS: tuple[str, ...] = tuple(_CHARS)
"""tcpdump's ``fn_print_char`` for every byte value: ``M-`` for high bytes, ``^X`` for controls."""
del _CHARS, _c, _b, _prefix


def safe_text(raw: bytes) -> str:
    """Bytes as ``fn_print_char`` prints them one by one."""
    if raw.isascii():
        s = raw.decode("ascii")
        if s.isprintable():
            return s
    return "".join([CHARS[c] for c in raw])
