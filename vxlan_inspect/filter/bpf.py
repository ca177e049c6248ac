"""Classic BPF for the part of a filter the kernel can check (live capture).

:func:`split_for_kernel` keeps the top-level ``and`` terms that are plain
outer pcap-filter primitives (no ``inner``, overlay keyword or ``vlan``) and
compiles them for the link type; the program accepts a superset of the
matching packets and the residual :class:`Filter` (the whole expression, or
None when the program is exact) decides on decoded packets. Without such
terms, or on a link type other than Ethernet / Linux cooked v1 / v2, the
program accepts everything.

The code follows libpcap's tests field by field (fixed offsets on the
untagged frame; ``ldxb 4*([n]&0xf)`` for the IPv4 header length, ``jset
#0x1fff`` to skip non-first fragments), so it selects what ``tcpdump -d``'s
program selects; the instruction sequence itself is not libpcap's optimised
one except for the simplest expressions (tests compare both).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from vxlan_inspect.filter import nodes as n

if TYPE_CHECKING:
    from vxlan_inspect.filter import Filter

Insn = tuple[int, int, int, int]
SNAPLEN = 262144
ACCEPT_ALL: list[Insn] = [(0x06, 0, 0, SNAPLEN)]
#: link type -> (offset of the ethertype, offset of the network header, Ethernet addresses?)
LINKS = {1: (12, 14, True), 113: (14, 16, False), 276: (0, 20, False)}
_JMP = {"==": 0x15, ">": 0x25, ">=": 0x35}
_ALU = {"+": 0x00, "-": 0x10, "*": 0x20, "/": 0x30, "|": 0x40, "&": 0x50, "<<": 0x60, ">>": 0x70, "%": 0x90,
        "^": 0xA0}
_TYPES = {"ip": 0x0800, "ip6": 0x86DD, "arp": 0x0806, "rarp": 0x8035}
_IPPROTO = {"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1, "icmp6": 58}
_SIZE = {1: 0x10, 2: 0x08, 4: 0x00}


class Unsupported(Exception):
    """This node cannot run in the kernel."""


class _Asm:
    """Instructions with symbolic jump targets; labels are resolved at the end."""

    def __init__(self, type_off: int, net_off: int, ether: bool) -> None:
        self.code: list[list[object]] = []
        self.labels: dict[str, int] = {}
        self.t, self.nl, self.ether = type_off, net_off, ether
        self.n = 0
        self.scratch = 0

    def label(self) -> str:
        self.n += 1
        return f"L{self.n}"

    def place(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def op(self, code: int, k: int = 0) -> None:
        self.code.append([code, None, None, k & 0xFFFFFFFF])

    def jump(self, code: int, k: int, yes: str, no: str) -> None:
        self.code.append([code, yes, no, k & 0xFFFFFFFF])

    def assemble(self) -> list[Insn]:
        out: list[Insn] = []
        for i, (code, yes, no, k) in enumerate(self.code):
            jt = self.labels[yes] - i - 1 if isinstance(yes, str) else 0
            jf = self.labels[no] - i - 1 if isinstance(no, str) else 0
            if not (0 <= jt < 256 and 0 <= jf < 256):
                raise Unsupported("jump too long")
            assert isinstance(code, int) and isinstance(k, int)
            out.append((code, jt, jf, k))
        return out

    # -- boolean -------------------------------------------------------------------
    def cond(self, node: n.Node, yes: str, no: str) -> None:
        if isinstance(node, n.And):
            mid = self.label()
            self.cond(node.left, mid, no)
            self.place(mid)
            self.cond(node.right, yes, no)
        elif isinstance(node, n.Or):
            mid = self.label()
            self.cond(node.left, yes, mid)
            self.place(mid)
            self.cond(node.right, yes, no)
        elif isinstance(node, n.Not):
            self.cond(node.operand, no, yes)
        elif isinstance(node, n.Proto):
            self.proto(node.name, yes, no)
        elif isinstance(node, n.ProtoNum):
            fams = ("ip", "ip6") if node.family is None else (node.family,)
            self.any_of([lambda y, f, fam=fam: self.ipproto(fam, node.number, y, f) for fam in fams], yes, no)
        elif isinstance(node, n.Host | n.Net):
            self.addr(node, yes, no)
        elif isinstance(node, n.EtherHost):
            if not self.ether:
                raise Unsupported("ether host on a link type without Ethernet addresses")
            offs = {"src": (6,), "dst": (0,)}.get(node.dir, (6, 0))
            tests = [lambda y, f, o=o: self.bytes_eq(o, node.addr, y, f) for o in offs]
            (self.all_of if node.dir == "and" else self.any_of)(tests, yes, no)
        elif isinstance(node, n.EtherMulticast):
            if not self.ether:
                raise Unsupported("multicast on a link type without Ethernet addresses")
            self.rel(n.Rel("!=", n.BinOp("&", n.Load("ether", n.Num(0), 1), n.Num(1)), n.Num(0)), yes, no)
        elif isinstance(node, n.Port):
            self.port(node, yes, no)
        elif isinstance(node, n.Rel):
            self.rel(node, yes, no)
        else:
            raise Unsupported(type(node).__name__)

    def any_of(self, tests: list, yes: str, no: str) -> None:  # type: ignore[type-arg]
        for i, test in enumerate(tests):
            nxt = no if i == len(tests) - 1 else self.label()
            test(yes, nxt)
            if nxt != no:
                self.place(nxt)

    def all_of(self, tests: list, yes: str, no: str) -> None:  # type: ignore[type-arg]
        for i, test in enumerate(tests):
            nxt = yes if i == len(tests) - 1 else self.label()
            test(nxt, no)
            if nxt != yes:
                self.place(nxt)

    def eq(self, size: int, off: int, value: int, yes: str, no: str) -> None:
        self.op(0x20 | _SIZE[size], off)
        self.jump(0x15, value, yes, no)

    def ethertype(self, value: int, yes: str, no: str) -> None:
        self.eq(2, self.t, value, yes, no)

    def proto(self, name: str, yes: str, no: str) -> None:
        if name in _TYPES:
            self.ethertype(_TYPES[name], yes, no)
        elif name in _IPPROTO:
            num = _IPPROTO[name]
            fams = ("ip",) if name == "icmp" else ("ip6",) if name == "icmp6" else ("ip", "ip6")
            self.any_of([lambda y, f, fam=fam: self.ipproto(fam, num, y, f) for fam in fams], yes, no)
        else:
            raise Unsupported(name)

    def ipproto(self, family: str, num: int, yes: str, no: str) -> None:
        mid = self.label()
        self.ethertype(_TYPES[family], mid, no)
        self.place(mid)
        if family == "ip":
            self.eq(1, self.nl + 9, num, yes, no)
            return
        frag = self.label()
        self.op(0x30, self.nl + 6)
        self.jump(0x15, num, yes, frag)
        self.place(frag)
        after = self.label()
        self.jump(0x15, 44, after, no)
        self.place(after)
        self.eq(1, self.nl + 40, num, yes, no)

    def bytes_eq(self, off: int, value: bytes, yes: str, no: str, mask: bytes | None = None) -> None:
        chunks = []
        i = 0
        while i < len(value):
            size = 4 if len(value) - i >= 4 else 2 if len(value) - i >= 2 else 1
            chunks.append((off + i, size, int.from_bytes(value[i : i + size], "big"),
                           int.from_bytes(mask[i : i + size], "big") if mask else None))
            i += size

        def one(o: int, size: int, v: int, m: int | None, y: str, f: str) -> None:
            self.op(0x20 | _SIZE[size], o)
            if m is not None and m != (1 << (8 * size)) - 1:
                self.op(0x54, m)
            self.jump(0x15, v, y, f)

        self.all_of([lambda y, f, c=c: one(c[0], c[1], c[2], c[3], y, f) for c in chunks if c[3] != 0], yes, no)

    def addr(self, node: n.Host | n.Net, yes: str, no: str) -> None:
        value = node.addr
        mask = None
        if isinstance(node, n.Net):
            bits = 8 * len(value)
            mask = (((1 << bits) - 1) ^ ((1 << (bits - node.prefix)) - 1)).to_bytes(len(value), "big")
            if node.prefix == 0:
                mask = None
        if len(value) == 16:
            fams = {"ip6": (8, 24)}
        else:
            fams = {p: ((12, 16) if p == "ip" else (14, 24)) for p in
                    (("ip", "arp", "rarp") if node.proto is None else (node.proto,))}
        tests = []
        for fam, (so, do) in fams.items():
            offs = {"src": (so,), "dst": (do,)}.get(node.dir, (so, do))

            def test(y: str, f: str, fam: str = fam, offs: tuple[int, ...] = offs) -> None:
                mid = self.label()
                self.ethertype(_TYPES[fam], mid, f)
                self.place(mid)
                if isinstance(node, n.Net) and node.prefix == 0:
                    self.jump(0x15, 0, y, y)  # any address: both branches lead on
                    return
                parts = [lambda y2, f2, o=o: self.bytes_eq(self.nl + o, value, y2, f2, mask) for o in offs]
                (self.all_of if node.dir == "and" else self.any_of)(parts, y, f)

            tests.append(test)
        self.any_of(tests, yes, no)

    def port(self, node: n.Port, yes: str, no: str) -> None:
        protos = (6, 17, 132) if node.proto is None else (_IPPROTO[node.proto],)

        def in_range(load: int, off: int, y: str, f: str) -> None:
            self.op(load, off)
            if node.low == node.high:
                self.jump(0x15, node.low, y, f)
                return
            mid = self.label()
            self.jump(0x35, node.low, mid, f)
            self.place(mid)
            self.jump(0x25, node.high, f, y)

        def ports(load: int, base: int, y: str, f: str) -> None:
            offs = {"src": (0,), "dst": (2,)}.get(node.dir, (0, 2))
            tests = [lambda y2, f2, o=o: in_range(load, base + o, y2, f2) for o in offs]
            (self.all_of if node.dir == "and" else self.any_of)(tests, y, f)

        def v4(y: str, f: str) -> None:
            self.all_of([lambda y2, f2: self.ethertype(0x0800, y2, f2),
                         lambda y2, f2: self.one_of(1, self.nl + 9, protos, y2, f2),
                         self.first_fragment,
                         lambda y2, f2: self.with_ihl(lambda: ports(0x48, self.nl, y2, f2))], y, f)

        def v6(y: str, f: str) -> None:
            self.all_of([lambda y2, f2: self.ethertype(0x86DD, y2, f2),
                         lambda y2, f2: self.one_of(1, self.nl + 6, protos, y2, f2),
                         lambda y2, f2: ports(0x28, self.nl + 40, y2, f2)], y, f)

        self.any_of([v4, v6], yes, no)

    def first_fragment(self, yes: str, no: str) -> None:
        """Not a non-first IPv4 fragment: ``ldh [nl+6]; jset #0x1fff``."""
        self.op(0x28, self.nl + 6)
        self.jump(0x45, 0x1FFF, no, yes)

    def with_ihl(self, then: Callable[[], None]) -> None:
        """``ldxb 4*([nl]&0xf)``, then the rest."""
        self.op(0xB1, self.nl)
        then()

    def one_of(self, size: int, off: int, values: tuple[int, ...], yes: str, no: str) -> None:
        self.op(0x20 | _SIZE[size], off)
        for i, v in enumerate(values):
            nxt = no if i == len(values) - 1 else self.label()
            self.jump(0x15, v, yes, nxt)
            if nxt != no:
                self.place(nxt)

    # -- relations ---------------------------------------------------------------
    def rel(self, node: n.Rel, yes: str, no: str) -> None:
        guards: list[str] = []
        self.collect_guards(node.left, guards)
        self.collect_guards(node.right, guards)
        for g in dict.fromkeys(guards):
            mid = self.label()
            self.guard(g, mid, no)
            self.place(mid)
        op = node.op
        if op in ("<", "<="):
            op = {"<": ">=", "<=": ">"}[op]
            yes, no = no, yes
        if op == "!=":
            op = "=="
            yes, no = no, yes
        if isinstance(node.right, n.Num):
            self.arith(node.left)
            self.jump(_JMP[op], node.right.value, yes, no)
            return
        self.arith(node.left)
        slot = self.push()
        self.arith(node.right)
        self.op(0x07)  # tax
        self.op(0x60, slot)  # ld M[slot]
        self.scratch -= 1
        self.jump(_JMP[op] | 0x08, 0, yes, no)

    def push(self) -> int:
        if self.scratch >= 16:
            raise Unsupported("expression too deep")
        self.op(0x02, self.scratch)
        self.scratch += 1
        return self.scratch - 1

    def collect_guards(self, node: n.Arith, guards: list[str]) -> None:
        if isinstance(node, n.Load):
            if node.proto not in ("ether",):
                guards.append(node.proto)
            self.collect_guards(node.offset, guards)
        elif isinstance(node, n.BinOp):
            self.collect_guards(node.left, guards)
            self.collect_guards(node.right, guards)
        elif isinstance(node, n.Neg):
            self.collect_guards(node.operand, guards)

    def guard(self, proto: str, yes: str, no: str) -> None:
        if proto in _TYPES:
            self.ethertype(_TYPES[proto], yes, no)
        elif proto == "icmp6":
            self.ipproto_direct(yes, no)
        elif proto in _IPPROTO:
            self.all_of([lambda y, f: self.ethertype(0x0800, y, f),
                         lambda y, f: self.eq(1, self.nl + 9, _IPPROTO[proto], y, f),
                         self.first_fragment], yes, no)
        else:
            raise Unsupported(proto)

    def ipproto_direct(self, yes: str, no: str) -> None:
        self.all_of([lambda y, f: self.ethertype(0x86DD, y, f),
                     lambda y, f: self.eq(1, self.nl + 6, 58, y, f)], yes, no)

    def arith(self, node: n.Arith) -> None:
        if isinstance(node, n.Num):
            self.op(0x00, node.value)
        elif isinstance(node, n.Len):
            self.op(0x80)
        elif isinstance(node, n.Neg):
            self.arith(node.operand)
            self.op(0x84)
        elif isinstance(node, n.BinOp):
            self.arith(node.left)
            if isinstance(node.right, n.Num):
                self.op(0x04 | _ALU[node.op], node.right.value)
                return
            slot = self.push()
            self.arith(node.right)
            self.op(0x07)
            self.op(0x60, slot)
            self.scratch -= 1
            self.op(0x0C | _ALU[node.op])
        elif isinstance(node, n.Load):
            size = _SIZE[node.size]
            if isinstance(node.offset, n.Num):
                off = node.offset.value
                if node.proto in _IPPROTO and node.proto != "icmp6":
                    self.op(0xB1, self.nl)  # ldxb 4*([nl]&0xf)
                    self.op(0x40 | size, self.nl + off)  # ld [x + nl + off]
                    return
                base = {"ether": 0, "icmp6": self.nl + 40}.get(node.proto, self.nl)
                if node.proto not in _TYPES and node.proto not in ("ether", "icmp6"):
                    raise Unsupported(node.proto)
                self.op(0x20 | size, base + off)
                return
            self.arith(node.offset)
            if node.proto == "ether":
                base = 0
            elif node.proto in _TYPES:
                base = self.nl
            elif node.proto == "icmp6":
                base = self.nl + 40
            elif node.proto in _IPPROTO:
                slot = self.push()
                self.op(0xB1, self.nl)  # ldxb 4*([nl]&0xf)
                self.op(0x60, slot)
                self.scratch -= 1
                self.op(0x0C)  # add x
                base = self.nl
            else:
                raise Unsupported(node.proto)
            self.op(0x07)  # tax
            self.op(0x40 | size, base)  # ld [x + base]
        else:
            raise Unsupported(type(node).__name__)


def compile_bpf(tree: n.Node, linktype: int) -> list[Insn]:
    """The classic BPF program for ``tree`` (raises Unsupported for what the kernel cannot check)."""
    if linktype not in LINKS:
        raise Unsupported(f"link type {linktype}")
    asm = _Asm(*LINKS[linktype])
    asm.cond(tree, "accept", "reject")
    asm.place("accept")
    asm.op(0x06, SNAPLEN)
    asm.place("reject")
    asm.op(0x06, 0)
    return asm.assemble()


def _conjuncts(node: n.Node) -> list[n.Node]:
    if isinstance(node, n.And):
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [node]


def split_for_kernel(flt: Filter, linktype: int) -> tuple[list[Insn], Filter | None]:
    """See :meth:`Filter.to_bpf`."""
    try:
        return compile_bpf(flt.tree, linktype), None
    except Unsupported:
        pass
    kernel: n.Node | None = None
    for term in _conjuncts(flt.tree):
        try:
            compile_bpf(term, linktype)
        except Unsupported:
            continue
        kernel = term if kernel is None else n.And(kernel, term)
    if kernel is None:
        return list(ACCEPT_ALL), flt
    try:
        return compile_bpf(kernel, linktype), flt
    except Unsupported:
        return list(ACCEPT_ALL), flt
