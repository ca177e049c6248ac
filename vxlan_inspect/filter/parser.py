"""Recursive-descent parser for pcap-filter syntax plus the overlay keywords.

As in pcap-filter(7), ``not`` binds tightest and ``and``/``or`` have equal
precedence, associating left to right (``a or b and c`` is ``(a or b) and c``),
and a bare value after ``and``/``or``/``not`` reuses the qualifiers of the
primitive before it (``host 10.0.0.1 or 10.0.0.2``).
"""

from __future__ import annotations

import ipaddress
import re
import socket

from vxlan_inspect.errors import FilterSyntaxError
from vxlan_inspect.filter import nodes as n
from vxlan_inspect.filter.lexer import Token, tokenize

PROTOS = frozenset({"ip", "ip6", "arp", "rarp", "tcp", "udp", "sctp", "icmp", "icmp6"})
FLAGS = frozenset({"vxlan", "gbp", "vxlan-invalid"})
LOADABLE = frozenset({"ether", "ip", "ip6", "arp", "rarp", "tcp", "udp", "sctp", "icmp", "icmp6", "vxlan"})
_DIRS = ("src", "dst")
_TYPES = ("host", "net", "port", "portrange")
_CMP = {"==": "==", "=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ADD = ("+", "-", "|", "^")
_MUL = ("*", "/", "%", "&", "<<", ">>")
CONSTANTS = {
    "icmptype": 0, "icmpcode": 1, "icmp6type": 0, "icmp6code": 1, "tcpflags": 13,
    "icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4, "icmp-redirect": 5, "icmp-echo": 8,
    "icmp-routeradvert": 9, "icmp-routersolicit": 10, "icmp-timxceed": 11, "icmp-paramprob": 12,
    "icmp-tstamp": 13, "icmp-tstampreply": 14, "icmp-ireq": 15, "icmp-ireqreply": 16, "icmp-maskreq": 17,
    "icmp-maskreply": 18,
    "icmp6-destinationunreach": 1, "icmp6-packettoobig": 2, "icmp6-timeexceeded": 3, "icmp6-parameterproblem": 4,
    "icmp6-echo": 128, "icmp6-echoreply": 129, "icmp6-multicastlistenerquery": 130,
    "icmp6-routersolicit": 133, "icmp6-routeradvert": 134, "icmp6-neighborsolicit": 135,
    "icmp6-neighboradvert": 136, "icmp6-redirect": 137,
    "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08, "tcp-ack": 0x10, "tcp-urg": 0x20,
    "tcp-ece": 0x40, "tcp-cwr": 0x80,
}
#: Deepest tree a filter may build (nesting plus and/or/arithmetic chains): keeps the parser's
#: recursion and the generated matcher's nesting (Python allows 200 parentheses) bounded.
MAX_DEPTH = 64
_PROTO_NAMES = {"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "icmp6": 58, "sctp": 132, "ip": 4, "ip6": 41,
                "gre": 47, "esp": 50, "ah": 51}
_NUM = re.compile(r"(0[xX][0-9A-Fa-f]+|0[0-7]*|[1-9][0-9]*)$")
_MAC = re.compile(r"([0-9A-Fa-f]{1,2})([:.-][0-9A-Fa-f]{1,2}){5}$")
_KEYWORDS = (PROTOS | FLAGS | {"ether", "host", "net", "port", "portrange", "src", "dst", "and", "or", "not",
                               "vlan", "vni", "vtep", "inner", "proto", "len", "greater", "less", "mask",
                               "broadcast", "multicast"})


def parse_number(text: str) -> int | None:
    """A pcap-filter number (decimal, ``0x`` hex, leading-zero octal) or None."""
    if not _NUM.match(text):
        return None
    if text[:2] in ("0x", "0X"):
        return int(text, 16)
    if len(text) > 1 and text[0] == "0":
        return int(text, 8)
    return int(text)


class Parser:
    """Parses one expression; :func:`parse` is the entry point."""

    def __init__(self, expr: str) -> None:
        self.expr = expr
        self.toks = tokenize(expr)
        self.i = 0
        self.last: tuple[str | None, str, str] | None = None  # (proto, dir, type) of the previous value primitive
        self.in_inner = False
        self.depth = 0

    # -- token helpers ---------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def fail(self, message: str, tok: Token | None = None) -> FilterSyntaxError:
        tok = tok or self.tok
        got = "end of expression" if tok.kind == "end" else repr(tok.text)
        return FilterSyntaxError(f"{message}, got {got}", expression=self.expr, column=tok.col)

    def is_word(self, *words: str) -> bool:
        return self.tok.kind == "word" and self.tok.text in words

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def take(self) -> Token:
        tok = self.tok
        self.i += 1
        return tok

    def deeper(self) -> None:
        """Count one more level of tree depth; refuse more than :data:`MAX_DEPTH`."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"expression nested too deeply (more than {MAX_DEPTH} levels)")

    def expect_op(self, op: str, what: str) -> Token:
        if not self.is_op(op):
            raise self.fail(f"expected {what}")
        return self.take()

    # -- boolean structure -----------------------------------------------------
    def parse(self) -> n.Node:
        if self.tok.kind == "end":
            raise self.fail("empty filter expression")
        node = self.expression()
        if self.tok.kind != "end":
            if self.is_op(")"):
                raise self.fail("unbalanced ')'")
            raise self.fail("expected 'and', 'or' or the end")
        return node

    def expression(self) -> n.Node:
        saved = self.depth
        node = self.unary()
        while self.is_word("and", "or") or self.is_op("&&", "||"):
            op = self.take().text
            self.deeper()
            right = self.unary()
            node = n.And(node, right) if op in ("and", "&&") else n.Or(node, right)
        self.depth = saved
        return node

    def unary(self) -> n.Node:
        if self.is_word("not") or self.is_op("!"):
            self.take()
            saved = self.depth
            self.deeper()
            node = n.Not(self.unary())
            self.depth = saved
            return node
        return self.primary()

    def primary(self) -> n.Node:
        tok = self.tok
        if tok.kind == "end":
            raise self.fail("expected a primitive")
        if self.is_op("("):
            start = self.i
            saved = self.depth
            self.deeper()
            try:
                self.take()
                node = self.expression()
                self.expect_op(")", "')'")
            except FilterSyntaxError as first:
                self.i = start
                self.depth = saved
                try:
                    return self.relation()
                except FilterSyntaxError:
                    raise first from None
            self.depth = saved
            if self.tok.kind == "op" and self.tok.text in _CMP:
                self.i = start  # "(ip[0] & 0xf) > 5": it was arithmetic after all
                return self.relation()
            return node
        if tok.kind == "op":
            if tok.text in _CMP or tok.text in _ADD or tok.text in _MUL:
                raise self.fail("expected a primitive before the operator")
            raise self.fail("expected a primitive")
        word = tok.text
        if word == "inner":
            return self.inner()
        if self.starts_relation():
            return self.relation()
        return self.qualified()

    def starts_relation(self) -> bool:
        tok, nxt = self.tok, self.peek()
        if tok.text in LOADABLE and nxt.kind == "op" and nxt.text == "[":
            return True
        if tok.text == "len" or tok.text in CONSTANTS:
            return True
        return parse_number(tok.text) is not None and nxt.kind == "op" and nxt.text in (*_CMP, *_ADD, *_MUL)

    def inner(self) -> n.Node:
        tok = self.take()
        if self.in_inner:
            raise self.fail("'inner' cannot be nested", tok)
        depth: int | None = None
        if self.is_op("["):
            self.take()
            dtok = self.tok
            value = parse_number(dtok.text) if dtok.kind == "word" else None
            if value is None or not 1 <= value <= 8:
                raise self.fail("expected a tunnel depth from 1 to 8")
            self.take()
            depth = value
            self.expect_op("]", "']'")
        if self.tok.kind == "end" or self.is_word("and", "or") or self.is_op(")", "&&", "||"):
            raise self.fail("expected a primitive after 'inner'")
        self.in_inner = True
        saved = self.last
        try:
            operand = self.unary()
        finally:
            self.in_inner = False
            self.last = saved
        return n.Inner(depth, operand)

    # -- primitives ------------------------------------------------------------
    def qualified(self) -> n.Node:
        first = self.tok
        word = first.text
        if word in FLAGS:
            self.take()
            return n.Proto(word)
        if word in ("greater", "less"):
            self.take()
            value = self.number("a length")
            return n.Rel(">=" if word == "greater" else "<=", n.Len(), n.Num(value))
        if word == "vlan":
            self.take()
            if self.value_follows():
                vid = self.number("a VLAN id")
                if vid > 4095:
                    raise self.fail("VLAN id must be 0..4095", self.toks[self.i - 1])
                return n.Vlan(vid)
            return n.Vlan(None)
        if word == "vni":
            self.take()
            low, high = self.range_value("a VNI or a range LO-HI", 0xFFFFFF)
            return n.Vni(low, high)
        if word == "proto":
            self.take()
            return n.ProtoNum(None, self.proto_number())
        proto: str | None = None
        if word in PROTOS or word == "ether":
            proto = word
            self.take()
            if self.is_word("proto"):
                self.take()
                if proto not in ("ip", "ip6"):
                    raise self.fail(f"'proto' after {proto!r}: only 'ip proto' and 'ip6 proto'", first)
                return n.ProtoNum(proto, self.proto_number())
        if self.is_word("broadcast", "multicast"):
            return self.cast(proto)
        dir_ = self.direction()
        if self.is_word("vtep"):
            if proto is not None:
                raise self.fail(f"'vtep' does not take the qualifier {proto!r}")
            self.take()
            return n.Vtep(dir_ or "or", self.address_value("an IP address for 'vtep'", ip_only=True))
        type_: str | None = None
        if self.is_word(*_TYPES):
            type_ = self.take().text
        if proto is not None and dir_ is None and type_ is None and proto != "ether" and not self.value_follows():
            return n.Proto(proto)
        if proto is None and dir_ is None and type_ is None:
            if self.last is None or not self.value_follows():
                if first.text in _KEYWORDS or first.kind != "word":
                    raise self.fail("expected a primitive")
                if not self.value_follows():
                    raise self.fail("unknown word")
                proto, dir_, type_ = None, "or", "host"
            else:
                proto, dir_, type_ = self.last
        if not self.value_follows():
            raise self.fail(f"expected a value after {self.toks[self.i - 1].text!r}")
        dir_ = dir_ or "or"
        type_ = type_ or "host"
        self.last = (proto, dir_, type_)
        return self.value_primitive(proto, dir_, type_)

    def cast(self, proto: str | None) -> n.Node:
        """``[ether|ip|ip6] broadcast|multicast``, spelled with the primitives libpcap uses for them."""
        tok = self.take()
        if proto not in (None, "ether", "ip", "ip6"):
            raise self.fail(f"'{proto} {tok.text}': only ether, ip and ip6 have {tok.text} addresses", tok)
        if proto in (None, "ether"):
            if tok.text == "broadcast":
                return n.EtherHost("dst", b"\xff" * 6)
            return n.EtherMulticast()
        if tok.text == "broadcast":
            if proto == "ip6":
                raise self.fail("'ip6 broadcast': IPv6 has no broadcast address; try 'ip6 multicast'", tok)
            raise self.fail("netmask not known, so 'ip broadcast' not supported (as in tcpdump reading a file)", tok)
        if proto == "ip":
            return n.And(n.Proto("ip"), n.Rel(">=", n.Load("ip", n.Num(16), 1), n.Num(224)))
        return n.And(n.Proto("ip6"), n.Rel("==", n.Load("ip6", n.Num(24), 1), n.Num(255)))

    def value_follows(self) -> bool:
        tok = self.tok
        if tok.kind != "word":
            return tok.kind == "op" and tok.text == "\\"
        return tok.text not in _KEYWORDS

    def direction(self) -> str | None:
        if not self.is_word(*_DIRS):
            return None
        d = self.take().text
        if self.is_word("or", "and") and self.peek().kind == "word" and self.peek().text in _DIRS:
            joined = self.take().text
            self.take()
            return joined
        return d

    def number(self, what: str) -> int:
        tok = self.tok
        value = parse_number(tok.text) if tok.kind == "word" else None
        if value is None:
            raise self.fail(f"expected {what}")
        if value > 0xFFFFFFFF:
            raise self.fail("number does not fit in 32 bits")
        self.take()
        return value

    def range_value(self, what: str, limit: int) -> tuple[int, int]:
        tok = self.tok
        parts = tok.text.split("-") if tok.kind == "word" else []
        values = [parse_number(p) for p in parts]
        if not 1 <= len(values) <= 2 or any(v is None for v in values):
            raise self.fail(f"expected {what}")
        low, high = values[0], values[-1]
        assert low is not None and high is not None
        if high > limit or low > limit:
            raise self.fail(f"value out of range (at most {limit})")
        if low > high:
            raise self.fail("range is backwards (LO must be <= HI)")
        self.take()
        return low, high

    def proto_number(self) -> int:
        if self.is_op("\\"):
            self.take()
        tok = self.tok
        if tok.kind == "word" and tok.text in _PROTO_NAMES:
            self.take()
            return _PROTO_NAMES[tok.text]
        value = self.number("a protocol number or name")
        if value > 255:
            raise self.fail("protocol number must be 0..255", self.toks[self.i - 1])
        return value

    def address_value(self, what: str, ip_only: bool = False) -> bytes:
        tok = self.tok
        try:
            addr = ipaddress.ip_address(tok.text)
        except ValueError:
            if not ip_only and _MAC.match(tok.text):
                raise self.fail("a MAC address needs 'ether host'") from None
            raise self.fail(f"expected {what} (host names are not resolved)") from None
        self.take()
        return addr.packed

    def value_primitive(self, proto: str | None, dir_: str, type_: str) -> n.Node:
        tok = self.tok
        if proto == "ether":
            if type_ != "host":
                raise self.fail(f"'ether {type_}' is not supported; use 'ether host MAC'", tok)
            if not _MAC.match(tok.text):
                raise self.fail("expected a MAC address like 02:42:c0:a8:0a:64")
            self.take()
            return n.EtherHost(dir_, bytes(int(x, 16) for x in re.split(r"[:.-]", tok.text)))
        if type_ in ("port", "portrange"):
            if proto not in (None, "tcp", "udp", "sctp"):
                raise self.fail(f"'{proto} {type_}': ports belong to tcp, udp or sctp")
            if type_ == "port":
                port = parse_number(tok.text)
                if port is None:
                    try:
                        port = socket.getservbyname(tok.text, "udp" if proto == "udp" else "tcp")
                    except OSError:
                        raise self.fail("expected a port number or service name") from None
                if port > 65535:
                    raise self.fail("port must be 0..65535")
                self.take()
                return n.Port(proto, dir_, port, port)
            low, high = self.range_value("a port range LO-HI", 65535)
            return n.Port(proto, dir_, low, high)
        if proto in ("tcp", "udp", "sctp", "icmp", "icmp6"):
            raise self.fail(f"'{proto} {type_}': {type_} takes ip, ip6, arp or rarp", tok)
        if type_ == "net":
            return self.net_value(proto, dir_)
        addr = self.address_value("an IP address")
        if len(addr) == 16 and proto not in (None, "ip6"):
            raise self.fail(f"an IPv6 address with {proto!r}", tok)
        if len(addr) == 4 and proto == "ip6":
            raise self.fail("an IPv4 address with 'ip6'", tok)
        return n.Host(proto, dir_, addr)

    def net_value(self, proto: str | None, dir_: str) -> n.Node:
        tok = self.take()
        text = tok.text
        prefix: int | None = None
        if self.is_op("/"):
            self.take()
            prefix = self.number("a prefix length")
        elif self.is_word("mask"):
            self.take()
            mtok = self.tok
            try:
                mask = int(ipaddress.IPv4Address(mtok.text))
            except ValueError:
                raise self.fail("expected a netmask like 255.255.0.0") from None
            self.take()
            prefix = bin(mask).count("1")
            if mask != (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF:
                raise self.fail("netmask is not contiguous", mtok)
        try:
            if ":" in text:
                addr = ipaddress.IPv6Address(text).packed
            else:
                parts = text.split(".")
                if not 1 <= len(parts) <= 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
                    raise ValueError(text)
                if prefix is None:
                    prefix = 8 * len(parts)
                addr = bytes([int(p) for p in parts] + [0] * (4 - len(parts)))
        except ValueError:
            raise self.fail("expected a network address", tok) from None
        bits = 8 * len(addr)
        if prefix is None:
            prefix = bits
        if prefix > bits:
            raise self.fail(f"prefix length {prefix} > {bits}", self.toks[self.i - 1])
        if (len(addr) == 16 and proto not in (None, "ip6")) or (len(addr) == 4 and proto == "ip6"):
            raise self.fail(f"address family does not match {proto!r}", tok)
        value = int.from_bytes(addr, "big")
        mask = ((1 << bits) - 1) ^ ((1 << (bits - prefix)) - 1)
        if value & ~mask:
            raise self.fail("non-network bits set in the network address", tok)
        return n.Net(proto, dir_, addr, prefix)

    # -- relations ---------------------------------------------------------------
    def relation(self) -> n.Node:
        left = self.arith()
        if not (self.tok.kind == "op" and self.tok.text in _CMP):
            raise self.fail("expected a comparison (==, !=, <, <=, >, >=)")
        op = _CMP[self.take().text]
        right = self.arith()
        return n.Rel(op, left, right)

    def arith(self) -> n.Arith:
        saved = self.depth
        node = self.term()
        while self.tok.kind == "op" and self.tok.text in _ADD:
            op = self.take().text
            self.deeper()
            node = n.BinOp(op, node, self.term())
        self.depth = saved
        return node

    def term(self) -> n.Arith:
        saved = self.depth
        node = self.factor()
        while self.tok.kind == "op" and self.tok.text in _MUL:
            op = self.take().text
            self.deeper()
            node = n.BinOp(op, node, self.factor())
        self.depth = saved
        return node

    def factor(self) -> n.Arith:
        saved = self.depth
        self.deeper()
        try:
            return self._factor()
        finally:
            self.depth = saved

    def _factor(self) -> n.Arith:
        tok = self.tok
        if self.is_op("-"):
            self.take()
            return n.Neg(self.factor())
        if self.is_op("("):
            self.take()
            node = self.arith()
            self.expect_op(")", "')'")
            return node
        if tok.kind != "word":
            raise self.fail("expected a number, 'len' or proto[offset]")
        if tok.text == "len":
            self.take()
            return n.Len()
        if tok.text in CONSTANTS:
            self.take()
            return n.Num(CONSTANTS[tok.text])
        if tok.text in LOADABLE and self.peek().kind == "op" and self.peek().text == "[":
            self.take()
            self.take()
            offset = self.arith()
            size = 1
            if self.is_op(":"):
                self.take()
                stok = self.tok
                size = self.number("a size (1, 2 or 4)")
                if size not in (1, 2, 4):
                    raise self.fail("size must be 1, 2 or 4", stok)
            self.expect_op("]", "']'")
            return n.Load(tok.text, offset, size)
        if tok.text in _KEYWORDS and tok.text != "len":
            raise self.fail(f"{tok.text!r} has no value here; did you mean {tok.text}[offset]?")
        return n.Num(self.number("a number, 'len' or proto[offset]"))


def parse(expr: str) -> n.Node:
    """Parse ``expr`` into a node tree (raises :class:`~vxlan_inspect.errors.FilterSyntaxError`)."""
    return Parser(expr).parse()
