"""tcpdump's ``-x``/``-X`` dumps and its default printer for undecoded data."""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, Truncated

_GRAPH = "".join(chr(c) if 0x21 <= c <= 0x7E else "." for c in range(256))


def hex_and_ascii(data: bytes, ident: str = "\n\t", oset: int = 0) -> str:
    """``-X`` style: 16 bytes per line, hex in pairs, then the printable characters."""
    parts = []
    for start in range(0, len(data), 16):
        chunk = data[start : start + 16]
        hexstuff = "".join(
            " " + chunk[i : i + 2].hex() for i in range(0, len(chunk), 2)
        )
        asc = chunk.decode("latin-1").translate(_ASCII_TABLE)
        parts.append(f"{ident}0x{oset + start:04x}: {hexstuff:<40s}  {asc}")
    return "".join(parts)


_ASCII_TABLE = {i: _GRAPH[i] for i in range(256)}


def hex_only(data: bytes, ident: str = "\n\t", oset: int = 0) -> str:
    """``-x`` style: 16 bytes per line in groups of two."""
    parts = []
    for start in range(0, len(data), 16):
        chunk = data[start : start + 16]
        parts.append(f"{ident}0x{oset + start:04x}: ")
        parts.append("".join(" " + chunk[i : i + 2].hex() for i in range(0, len(chunk), 2)))
    return "".join(parts)


def ascii_only(data: bytes) -> str:
    """tcpdump's ``ascii_print`` (``-A``): a new line, then the bytes as text.

    Printable characters, space, tab and newline stay; anything else is ``.``; a
    carriage return is dropped before a newline and in the last two bytes.
    """
    out = ["\n"]
    n = len(data)
    for i, c in enumerate(data):
        if c == 0x0D:
            if n - i - 1 > 1 and data[i + 1] != 0x0A:
                out.append(".")
        elif 0x21 <= c <= 0x7E or c in (0x09, 0x20, 0x0A):
            out.append(chr(c))
        else:
            out.append(".")
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
