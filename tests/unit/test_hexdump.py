"""The dumps (``-x``, ``-X``, ``-A``) against plain transcriptions of tcpdump's loops.

``hexdump.py`` builds its lines with ``bytes.hex`` groups and translate tables; these
references walk the bytes one line (or one byte) at a time as print-ascii.c does. Random
data, every length up to 70 and longer ones, carriage returns and newlines often.
"""

from __future__ import annotations

import random

from vxlan_inspect.render.tcpdump.hexdump import ascii_only, hex_and_ascii, hex_only


def _hex_ref(data: bytes, ident: str, oset: int, with_ascii: bool) -> str:
    out = []
    for start in range(0, len(data), 16):
        chunk = data[start : start + 16]
        hexstuff = "".join(" %02x%02x" % (chunk[i], chunk[i + 1]) if i + 1 < len(chunk) else " %02x" % chunk[i]
                           for i in range(0, len(chunk), 2))
        line = "%s0x%04x: " % (ident, oset + start)
        if with_ascii:
            asc = "".join(chr(c) if 0x21 <= c <= 0x7E else "." for c in chunk)
            out.append(line + hexstuff.ljust(40) + "  " + asc)
        else:
            out.append(line + hexstuff)
    return "".join(out)


def _ascii_ref(data: bytes) -> str:
    out = ["\n"]
    n = len(data)
    for i, c in enumerate(data):
        if c == 0x0D:  # dropped before a newline and in the last two bytes, else "."
            if n - i - 1 > 1 and data[i + 1] != 0x0A:
                out.append(".")
        elif 0x21 <= c <= 0x7E or c in (0x09, 0x20, 0x0A):
            out.append(chr(c))
        else:
            out.append(".")
    return "".join(out)


def test_dumps_equal_the_reference_loops() -> None:
    rng = random.Random(5)
    lengths = list(range(71)) + [rng.randrange(71, 3000) for _ in range(200)]
    for length in lengths:
        for _ in range(4):
            data = bytes(rng.choice((rng.randrange(256), 0x0D, 0x0A, 0x41, 0x20)) for _ in range(length))
            assert hex_only(data) == _hex_ref(data, "\n\t", 0, False)
            assert hex_only(data, "\n\t\t", 48) == _hex_ref(data, "\n\t\t", 48, False)
            assert hex_and_ascii(data) == _hex_ref(data, "\n\t", 0, True)
            assert hex_and_ascii(data, "\n\t\t", 16) == _hex_ref(data, "\n\t\t", 16, True)
            assert ascii_only(data) == _ascii_ref(data)
