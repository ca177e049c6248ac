"""Turn a node tree into one small Python function over levels and bytes.

The generated function ``match(b, wl, lv)`` takes the frame bytes, the wire
length and the levels (see :mod:`vxlan_inspect.filter.levels`) and returns a
bool. Generating source once per filter keeps the per-packet cost to a few
tuple indexes and comparisons, which is what lets ``read`` filter a million
packets without losing its speed.

Semantics follow pcap-filter(7) and libpcap's generated code: protocol
checks read header fields (``tcp`` is IPv4 protocol 6, or IPv6 next header
6, directly or after a fragment header); ``port`` skips non-first IPv4
fragments; ``proto[off]`` on a packet without that protocol is false; a load
past the captured bytes, or a division by zero, rejects the whole packet
like a BPF program does. VLAN tags are skipped before every test (see
docs/filters.md for how that differs from libpcap).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vxlan_inspect.filter import nodes as n
from vxlan_inspect.filter.levels import ALL, OUTER, OUTER_VXLAN

MatchFn = Callable[[bytes, int, list[Any]], bool]


class Reject(Exception):
    """A load past the captured bytes or a division by zero: the packet does not match."""


def _ld(b: bytes, off: int, size: int) -> int:
    if off < 0 or off + size > len(b):
        raise Reject
    if size == 1:
        return b[off]
    return int.from_bytes(b[off : off + size], "big")


def _div(a: int, d: int) -> int:
    if d == 0:
        raise Reject
    return a // d


def _mod(a: int, d: int) -> int:
    if d == 0:
        raise Reject
    return a % d


_IPPROTO = {"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1, "icmp6": 58}
_TYPES = {"ip": 0x0800, "ip6": 0x86DD, "arp": 0x0806, "rarp": 0x8035}
_CMPOPS = {"==", "!=", "<", "<=", ">", ">="}


class _Gen:
    def __init__(self) -> None:
        self.consts: dict[str, object] = {}
        self.need = OUTER
        self.inner_vars: dict[int | None, str] = {}

    def const(self, value: object) -> str:
        name = f"c{len(self.consts)}"
        self.consts[name] = value
        return name

    # -- boolean -----------------------------------------------------------------
    def node(self, node: n.Node, L: str) -> str:
        if isinstance(node, n.And):
            return f"({self.node(node.left, L)} and {self.node(node.right, L)})"
        if isinstance(node, n.Or):
            return f"({self.node(node.left, L)} or {self.node(node.right, L)})"
        if isinstance(node, n.Not):
            return f"(not {self.node(node.operand, L)})"
        if isinstance(node, n.Inner):
            self.need = ALL
            var = self.inner_vars.setdefault(node.depth, f"I{len(self.inner_vars)}")
            return f"({var} is not None and {self.node(node.operand, var)})"
        if isinstance(node, n.Proto):
            return self.proto(node.name, L)
        if isinstance(node, n.ProtoNum):
            fams = ("ip", "ip6") if node.family is None else (node.family,)
            return "(" + " or ".join(self.ipproto(f, node.number, L) for f in fams) + ")"
        if isinstance(node, n.Host):
            return self.host(node, L)
        if isinstance(node, n.EtherHost):
            c = self.const(node.addr)
            return f"({L}[1] and {self.pair(f'b[{L}[0]+6:{L}[0]+12]', f'b[{L}[0]:{L}[0]+6]', node.dir, c)})"
        if isinstance(node, n.EtherMulticast):
            return f"({L}[1] and (b[{L}[0]] & 1) == 1)"
        if isinstance(node, n.Net):
            return self.net(node, L)
        if isinstance(node, n.Port):
            return self.port(node, L)
        if isinstance(node, n.Vlan):
            return f"(len({L}[2]) > 0)" if node.vid is None else f"({node.vid} in {L}[2])"
        if isinstance(node, n.Vni):
            self.need = max(self.need, OUTER_VXLAN)
            return f"({L}[8] >= 0 and {node.low} <= (_ld(b, {L}[8]+4, 4) >> 8) <= {node.high})"
        if isinstance(node, n.Vtep):
            self.need = max(self.need, OUTER_VXLAN)
            family = "ip" if len(node.addr) == 4 else "ip6"
            return f"({L}[8] >= 0 and {self.host(n.Host(family, node.dir, node.addr), L)})"
        if isinstance(node, n.Rel):
            return self.rel(node, L)
        raise TypeError(f"unknown node {node!r}")

    def proto(self, name: str, L: str) -> str:
        if name in _TYPES:
            return f"({L}[3] == {_TYPES[name]})"
        if name in ("vxlan", "gbp", "vxlan-invalid"):
            self.need = max(self.need, OUTER_VXLAN)
            if name == "vxlan":
                return f"({L}[8] >= 0)"
            bit = "b[{0}[8]] & 128 != 0" if name == "gbp" else "b[{0}[8]] & 8 == 0"
            return f"({L}[8] >= 0 and {bit.format(L)})"
        num = _IPPROTO[name]
        if name == "icmp":
            return self.ipproto("ip", num, L)
        if name == "icmp6":
            return self.ipproto("ip6", num, L)
        return f"({self.ipproto('ip', num, L)} or {self.ipproto('ip6', num, L)})"

    @staticmethod
    def ipproto(family: str, num: int, L: str) -> str:
        if family == "ip":
            return f"({L}[3] == 2048 and {L}[5] == {num})"
        return f"({L}[3] == 34525 and ({L}[5] == {num} or {L}[5] == 44 and _ld(b, {L}[4]+40, 1) == {num}))"

    @staticmethod
    def pair(src: str, dst: str, dir_: str, c: str) -> str:
        if dir_ == "src":
            return f"{src} == {c}"
        if dir_ == "dst":
            return f"{dst} == {c}"
        joiner = " and " if dir_ == "and" else " or "
        return f"({src} == {c}{joiner}{dst} == {c})"

    def host(self, node: n.Host, L: str) -> str:
        c = self.const(node.addr)
        parts = []
        if len(node.addr) == 16:
            src, dst = f"b[{L}[4]+8:{L}[4]+24]", f"b[{L}[4]+24:{L}[4]+40]"
            return f"({L}[3] == 34525 and {L}[4] >= 0 and {self.pair(src, dst, node.dir, c)})"
        protos = ("ip", "arp", "rarp") if node.proto is None else (node.proto,)
        for p in protos:
            if p == "ip":  # a whole, valid header: slices are in the capture
                src, dst = f"b[{L}[4]+12:{L}[4]+16]", f"b[{L}[4]+16:{L}[4]+20]"
                test = self.pair(src, dst, node.dir, c)
            else:  # an ARP message may be cut short: each load past the capture rejects, as in BPF
                src, dst = f"_ld(b, {L}[4]+14, 4)", f"_ld(b, {L}[4]+24, 4)"
                test = self.pair(src, dst, node.dir, str(int.from_bytes(node.addr, "big")))
            parts.append(f"({L}[3] == {_TYPES[p]} and {L}[4] >= 0 and {test})")
        return "(" + " or ".join(parts) + ")"

    def net(self, node: n.Net, L: str) -> str:
        size = len(node.addr)
        bits = size * 8
        mask = ((1 << bits) - 1) ^ ((1 << (bits - node.prefix)) - 1)
        value = int.from_bytes(node.addr, "big")
        def field(off: int, arp: bool = False) -> str:
            if arp:  # an ARP message may be cut short: a load past the capture rejects, as in BPF
                return f"(_ld(b, {L}[4]+{off}, 4) & {mask}) == {value}"
            return f"(int.from_bytes(b[{L}[4]+{off}:{L}[4]+{off + size}], 'big') & {mask}) == {value}"
        if size == 16:
            return f"({L}[3] == 34525 and {L}[4] >= 0 and {self.pair_expr(field(8), field(24), node.dir)})"
        protos = ("ip", "arp", "rarp") if node.proto is None else (node.proto,)
        parts = []
        for p in protos:
            so, do = (12, 16) if p == "ip" else (14, 24)
            test = self.pair_expr(field(so, p != "ip"), field(do, p != "ip"), node.dir)
            parts.append(f"({L}[3] == {_TYPES[p]} and {L}[4] >= 0 and {test})")
        return "(" + " or ".join(parts) + ")"

    @staticmethod
    def pair_expr(src: str, dst: str, dir_: str) -> str:
        if dir_ == "src":
            return f"({src})"
        if dir_ == "dst":
            return f"({dst})"
        return f"(({src}) {'and' if dir_ == 'and' else 'or'} ({dst}))"

    def port(self, node: n.Port, L: str) -> str:
        protos = (6, 17, 132) if node.proto is None else (_IPPROTO[node.proto],)
        pset = self.const(frozenset(protos))

        def test(base: str) -> str:
            src = f"{node.low} <= _ld(b, {base}, 2) <= {node.high}"
            dst = f"{node.low} <= _ld(b, {base}+2, 2) <= {node.high}"
            return self.pair_expr(src, dst, node.dir)

        v4 = f"({L}[3] == 2048 and {L}[5] in {pset} and not {L}[7] and {test(f'{L}[6]')})"
        v6 = f"({L}[3] == 34525 and {L}[5] in {pset} and {test(f'{L}[4]+40')})"
        return f"({v4} or {v6})"

    # -- relations ---------------------------------------------------------------
    def rel(self, node: n.Rel, L: str) -> str:
        guards: list[str] = []
        left = self.arith(node.left, L, guards)
        right = self.arith(node.right, L, guards)
        test = f"({left}) {node.op} ({right})"
        if guards:
            return "(" + " and ".join(dict.fromkeys(guards)) + f" and {test})"
        return f"({test})"

    def arith(self, node: n.Arith, L: str, guards: list[str]) -> str:
        if isinstance(node, n.Num):
            return str(node.value & 0xFFFFFFFF)
        if isinstance(node, n.Len):
            return "wl"
        if isinstance(node, n.Neg):
            return f"((-{self.arith(node.operand, L, guards)}) & 4294967295)"
        if isinstance(node, n.BinOp):
            a = self.arith(node.left, L, guards)
            c = self.arith(node.right, L, guards)
            if node.op == "/":
                return f"_div({a}, {c})"
            if node.op == "%":
                return f"_mod({a}, {c})"
            if node.op == "<<":
                return f"(({a} << ({c} & 31)) & 4294967295)"
            if node.op == ">>":
                return f"({a} >> ({c} & 31))"
            return f"(({a} {node.op} {c}) & 4294967295)"
        if isinstance(node, n.Load):
            base, guard = self.load_base(node.proto, L)
            if guard:
                guards.append(guard)
            return f"_ld(b, {base} + ({self.arith(node.offset, L, guards)}), {node.size})"
        raise TypeError(f"unknown arithmetic node {node!r}")

    def load_base(self, proto: str, L: str) -> tuple[str, str]:
        if proto == "ether":
            return f"{L}[0]", ""
        if proto in _TYPES:
            return f"{L}[4]", f"{L}[3] == {_TYPES[proto]} and {L}[4] >= 0"
        if proto == "vxlan":
            self.need = max(self.need, OUTER_VXLAN)
            return f"{L}[8]", f"{L}[8] >= 0"
        if proto == "icmp6":
            return f"{L}[4]+40", f"{L}[3] == 34525 and {L}[5] == 58"
        return f"{L}[6]", f"{L}[3] == 2048 and {L}[5] == {_IPPROTO[proto]} and not {L}[7]"


def generate(tree: n.Node) -> tuple[str, dict[str, object], int]:
    """Python source of ``match(b, wl, lv)`` for ``tree``, its constants, and the levels it needs."""
    gen = _Gen()
    body = gen.node(tree, "L0")
    lines = ["def match(b, wl, lv):", "    L0 = lv[0]"]
    for depth, var in gen.inner_vars.items():
        if depth is None:
            lines.append(f"    {var} = lv[-1] if len(lv) > 1 else None")
        else:
            lines.append(f"    {var} = lv[{depth}] if len(lv) > {depth} else None")
    lines.append(f"    return bool({body})")
    return "\n".join(lines) + "\n", gen.consts, gen.need


def build(tree: n.Node) -> tuple[MatchFn, str, int]:
    """Compile ``tree`` into a match function; also return its source and the levels it needs."""
    source, consts, need = generate(tree)
    namespace: dict[str, Any] = {"_ld": _ld, "_div": _div, "_mod": _mod, **consts}
    exec(compile(source, "<filter>", "exec"), namespace)
    fn: MatchFn = namespace["match"]
    return fn, source, need
