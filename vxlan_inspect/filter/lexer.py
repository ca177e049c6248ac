"""Filter tokens: words, numbers and operators, each with its 1-based column.

The expression is the trailing arguments of a command joined with spaces,
exactly as tcpdump joins them, so columns count in that joined string.
Outside brackets a word may hold ``.``, ``:``, ``-`` and ``/``-free address
characters (``192.168.1.4``, ``fe80::1``, ``02:42:c0:a8:0a:64``,
``1000-2000``, ``icmp-echo``); inside ``[...]`` ``:`` and ``-`` are operators
(``ip[2:2]``, ``udp[8+4-1]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vxlan_inspect.errors import FilterSyntaxError

_OPS = ("&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "(", ")", "[", "]", "!", "=", "<", ">", "+", "-", "*",
        "/", "%", "&", "|", "^", ":", "\\")
_WORD_OUT = re.compile(r"[A-Za-z0-9_:][A-Za-z0-9_.:-]*")
_WORD_IN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_WORD_IN_NUM = re.compile(r"(0[xX][0-9A-Fa-f]+|[0-9]+)(?![A-Za-z_])")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``kind`` is ``word`` or ``op`` or ``end``; ``col`` is 1-based."""

    kind: str
    text: str
    col: int


def tokenize(expr: str) -> list[Token]:
    """Split ``expr`` into tokens, ending with an ``end`` token (raises FilterSyntaxError)."""
    tokens: list[Token] = []
    i = 0
    n = len(expr)
    depth = 0
    while i < n:
        ch = expr[i]
        if ch.isspace():
            i += 1
            continue
        if depth:
            m = _WORD_IN_NUM.match(expr, i) if ch.isdigit() else _WORD_IN.match(expr, i)
        else:
            m = _WORD_OUT.match(expr, i)
        if m and not (ch == ":" and not expr.startswith("::", i)):
            text = m.group(0)
            tokens.append(Token("word", text, i + 1))
            i += len(text)
            continue
        for op in _OPS:
            if expr.startswith(op, i):
                if op == "[":
                    depth += 1
                elif op == "]":
                    depth = max(0, depth - 1)
                tokens.append(Token("op", op, i + 1))
                i += len(op)
                break
        else:
            raise FilterSyntaxError(f"unexpected character {ch!r}", expression=expr, column=i + 1)
    tokens.append(Token("end", "", n + 1))
    return tokens
