"""tcpdump's ``-x``/``-X`` dumps and its default printer for undecoded data."""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, Truncated

_GRAPH = "".join(chr(c) if 0x21 <= c <= 0x7E else "." for c in range(256))
#: ``bytes.translate`` tables: -X's printable column, and -A's (tab, space and newline kept).
_GRAPH_BYTES = _GRAPH.encode("latin-1")
_ASCII_BYTES = bytes(c if 0x21 <= c <= 0x7E or c in (0x09, 0x20, 0x0A) else 0x2E for c in range(256))
_PREFIXES: list[str] = []  # "\n\t0x0000: " ... by line, grown on demand


def _prefixes(n: int) -> list[str]:
    """The first ``n`` line prefixes of a dump at offset 0 with the default indent."""
    if len(_PREFIXES) < n:
        _PREFIXES.extend("\n\t0x%04x: " % (i * 16) for i in range(len(_PREFIXES), n))
    return _PREFIXES


def _hex_lines(data: bytes) -> list[str]:
    """The hex part of each 16-byte line: `` 4500 004e ...`` (a space before each pair of bytes).

    ``bytes.hex`` with a separator every two bytes counted from the left gives the groups;
    each full line is 8 groups, 39 characters, plus the space that separates lines.
    """
    s = " " + data.hex(" ", -2)
    return [s[i : i + 40] for i in range(0, len(s), 40)]


def hex_and_ascii(data: bytes, ident: str = "\n\t", oset: int = 0) -> str:
    """``-X`` style: 16 bytes per line, hex in pairs, then the printable characters."""
    if not data:
        return ""
    lines = _hex_lines(data)
    asc = data.translate(_GRAPH_BYTES).decode("latin-1")
    if ident == "\n\t" and oset == 0:
        pre = _prefixes(len(lines))
        out = [pre[k] + h.ljust(40) + "  " + asc[16 * k : 16 * k + 16] for k, h in enumerate(lines)]
    else:
        out = ["%s0x%04x: %-40s  %s" % (ident, oset + 16 * k, h, asc[16 * k : 16 * k + 16])
               for k, h in enumerate(lines)]
    return "".join(out)


def hex_only(data: bytes, ident: str = "\n\t", oset: int = 0) -> str:
    """``-x`` style: 16 bytes per line in groups of two."""
    if not data:
        return ""
    lines = _hex_lines(data)
    if ident == "\n\t" and oset == 0:
        return "".join(map(str.__add__, _prefixes(len(lines)), lines))
    return "".join("%s0x%04x: %s" % (ident, oset + 16 * k, h) for k, h in enumerate(lines))


def ascii_only(data: bytes) -> str:
    """tcpdump's ``ascii_print`` (``-A``): a new line, then the bytes as text.

    Printable characters, space, tab and newline stay; anything else is ``.``; a
    carriage return is dropped before a newline and in the last two bytes.
    """
    if 0x0D not in data:
        return "\n" + data.translate(_ASCII_BYTES).decode("latin-1")
    out = ["\n"]
    n = len(data)
    for i, c in enumerate(data):
        if c == 0x0D:
            if n - i - 1 > 1 and data[i + 1] != 0x0A:
                out.append(".")
        else:
            out.append(chr(_ASCII_BYTES[c]))
    return "".join(out)


def default_print(ctx: Ctx, off: int, length: int) -> None:
    """``ND_DEFAULTPRINT``: hex and ASCII of what is left, then truncation if cut short."""
    avail = ctx.avail(off)
    truncated = length > avail
    if truncated:
        length = avail
    ctx.out.append(hex_and_ascii(ctx.buf[off : off + length]))
    if truncated:
        raise Truncated


def fallback_print(ctx: Ctx, off: int, length: int) -> None:
    """The dump tcpdump prints for an unknown payload type, unless ``-x``, ``-X`` or ``-q`` suppress it.

    (tcpdump's ``if (!ndo->ndo_suppress_default_print) ND_DEFAULTPRINT(...)`` in the
    link-layer printers; a plain ``ND_DEFAULTPRINT`` elsewhere is :func:`default_print`.)
    """
    opts = ctx.opts
    if not (opts.xflag or opts.Xflag or opts.qflag):
        default_print(ctx, off, length)


def unknown_data(ctx: Ctx, off: int, ident: str, length: int) -> None:
    """tcpdump's ``print_unknown_data``: a ``-x`` style dump of ``length`` bytes, cut to the capture."""
    if off > ctx.end:
        ctx.out.append("%sDissector error: print_unknown_data called with pointer past end of packet" % ident)
        return
    ctx.out.append(hex_only(ctx.buf[off : off + min(length, ctx.end - off)], ident))
