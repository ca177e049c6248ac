"""DNS names (RFC 1035 4.1.4) as tcpdump's ``print-domain.c`` walks and prints them.

A name is a run of labels ended by a zero byte or by a compression pointer::

    +--+--+--+--+--+--+--+--+
    | 0  0|  length (1-63)  |  then that many bytes of the label
    +--+--+--+--+--+--+--+--+
    | 1  1|       offset ...|  ... 14 bits, from the start of the DNS header
    +--+--+--+--+--+--+--+--+
    | 0  1|   ELT (6 bits)  |  EDNS0 extended label; ELT 1 is a bit-string label
    +--+--+--+--+--+--+--+--+  (RFC 2673: a bit count, then the bits)
    | 1  0|    (reserved)   |
    +--+--+--+--+--+--+--+--+

Like tcpdump, a pointer must point strictly before the previous one (BIND's rule), which
bounds every walk: no loop can come back. Functions return the offset just past what they
read, or ``None`` where tcpdump's return ``NULL`` (the caller then prints `` [|domain]``);
reading past the capture where tcpdump uses a ``GET_`` macro raises :class:`Truncated`.
Offsets are absolute offsets into ``ctx.buf``; ``bp`` is where the DNS header starts.
"""

from __future__ import annotations

from vxlan_inspect.render.tcpdump.context import Ctx, safe_text

MAXCDNAME = 255  # longest name tcpdump prints before <DOMAIN NAME TOO LONG>

def printn(ctx: Ctx, cp: int, n: int) -> bool:
    """tcpdump's ``nd_printn``: print up to ``n`` bytes, stopping at the capture's end.

    Returns True when the capture ended first (not all ``n`` bytes were there).
    """
    avail = ctx.end - cp
    k = n if n <= avail else max(avail, 0)
    if k:
        ctx.out.append(safe_text(ctx.buf[cp : cp + k]))
    return k != n


def ns_nskip(ctx: Ctx, cp: int) -> int | None:
    """The offset just past the name at ``cp`` (a pointer ends it), or None if not captured."""
    buf = ctx.buf
    end = ctx.end
    if cp >= end:
        return None
    i = buf[cp]
    cp += 1
    while i:
        kind = i & 0xC0
        if kind == 0xC0:
            return cp + 1
        if kind == 0x40:
            if i & 0x3F != 1:
                return None
            if cp >= end:
                return None
            bitlen = buf[cp] or 256
            cp += 1 + (bitlen + 7) // 8
        elif kind == 0x80:
            return None
        else:
            cp += i
        if cp >= end:
            return None
        i = buf[cp]
        cp += 1
    return cp


def _labellen(ctx: Ctx, cp: int) -> int:
    """The length of the label item at ``cp`` (a pointer's first byte as is), or -1."""
    if cp >= ctx.end:
        return -1
    i = ctx.buf[cp]
    kind = i & 0xC0
    if kind == 0x40:
        elt = i & 0x3F
        if elt != 1:
            ctx.out.append("<ELT %d>" % elt)
            return -1
        if cp + 1 >= ctx.end:
            return -1
        bitlen = ctx.buf[cp + 1] or 256
        return (bitlen + 7) // 8 + 1
    if kind == 0x80:
        ctx.out.append("<BAD LABEL TYPE>")
        return -1
    return i


def _blabel_print(ctx: Ctx, cp: int) -> int | None:
    """An RFC 2673 bit-string label at ``cp`` (its bit count byte): ``\\[xHEX/BITS]``."""
    if cp >= ctx.end:
        return None
    w = ctx.out.append
    bitlen = ctx.buf[cp] or 256
    lim = cp + 1 + (bitlen + 3) // 4
    w("\\[x")
    bitp = cp + 1
    b = bitlen
    while bitp < lim and b > 7:
        w("%02x" % ctx.u8(bitp))
        b -= 8
        bitp += 1
    if b > 4:
        w("%02x" % (ctx.u8(bitp) & (0xFF << (8 - b)) & 0xFF))
    elif b > 0:
        w("%1x" % ((ctx.u8(bitp) >> 4) & (0x0F << (4 - b)) & 0x0F))
    w("/%u]" % bitlen)
    return lim


def fqdn_print(ctx: Ctx, cp: int, bp: int) -> int | None:
    """Print the name at ``cp`` (``example.com.``), following pointers relative to ``bp``.

    Returns the offset just past the name where it sits (not where pointers led), or None.
    """
    ln = _labellen(ctx, cp)
    if ln < 0:
        return None
    max_offset = (cp - bp) & 0xFFFFFFFF  # unsigned in tcpdump: huge when bp lies ahead
    i = ctx.buf[cp]
    cp += 1
    if i == 0:
        ctx.out.append(".")
        return cp
    return _walk(ctx, bp, cp, i, ln, max_offset, cp + ln if i & 0xC0 != 0xC0 else -1)


def _walk(ctx: Ctx, bp: int, cp: int, i: int, ln: int, max_offset: int, rp: int) -> int | None:
    """The label loop of :func:`fqdn_print`; ``i`` is the item byte before ``cp``.

    Once a pointer has been followed, what is printed from a loop state on depends only on
    (position, pointer bound, characters printed so far, capped at 256): such states are
    remembered per message in ``ctx.dns_names`` with the output they produced, so that many
    names pointing into one long chain of labels or pointers cost one walk, not one each
    (tcpdump walks each in C; without this a crafted 64 KiB message takes seconds here).
    """
    out = ctx.out
    w = out.append
    buf = ctx.buf
    end = ctx.end
    cache = ctx.dns_names
    visited: list[tuple[tuple[int, int, int, int], int]] = []
    compressed = False
    name_chars = 0
    ok = False
    while True:
        if not i or cp >= end:
            if name_chars > MAXCDNAME:
                w("<DOMAIN NAME TOO LONG>")
            ok = True
            break
        if compressed:
            key = (bp, cp, max_offset, name_chars if name_chars <= MAXCDNAME else MAXCDNAME + 1)
            hit = cache.get(key)
            if hit is not None:
                start, stop, ok = hit
                out.extend(out[start:stop])
                break
            visited.append((key, len(out)))
        kind = i & 0xC0
        if kind == 0xC0:
            if not compressed:
                rp = cp + 1
                compressed = True
            offset = ((i << 8) | buf[cp]) & 0x3FFF
            if offset >= max_offset:
                w("<BAD PTR>")
                break
            max_offset = offset
            cp = bp + offset
            if cp >= end:
                break
            i = buf[cp]
            ln = _labellen(ctx, cp)
            if ln < 0:
                break
            cp += 1
            continue
        if kind == 0x40:
            if i & 0x3F != 1:
                w("<ELT %u>" % (i & 0x3F))
                break
            if _blabel_print(ctx, cp) is None:
                break
        elif kind == 0x80:
            w("<BAD LABEL TYPE>")
            break
        elif name_chars > MAXCDNAME:
            # Nothing more is printed: jump over the plain labels that follow in one step.
            q = _run_end(ctx, cp - 1)
            if q >= end:
                break
            i = buf[q]
            ln = _labellen(ctx, q)
            if ln < 0:
                break
            cp = q + 1
            if not compressed:
                rp = cp + ln
            continue
        else:
            if name_chars + ln <= MAXCDNAME:
                if printn(ctx, cp, ln):
                    break
            elif name_chars < MAXCDNAME and printn(ctx, cp, MAXCDNAME - name_chars):
                break
            name_chars += ln
        cp += ln
        if name_chars <= MAXCDNAME:
            w(".")
        name_chars += 1
        if cp >= end:
            break
        i = buf[cp]
        ln = _labellen(ctx, cp)
        if ln < 0:
            break
        cp += 1
        if not compressed:
            rp += ln + 1
    stop = len(out)
    for key, start in visited:
        cache[key] = (start, stop, ok)
    return rp if ok and rp >= 0 else None


def _run_end(ctx: Ctx, p: int) -> int:
    """Where the walk stops skipping plain labels, from the plain label whose length is at ``p``.

    That is the first item after it that is not a plain non-empty label with a byte after it
    (the root, a pointer, another label type, or a label that ends the capture), or a
    position at or past the capture's end. Results are kept per message in ``ctx.dns_runs``.
    """
    runs = ctx.dns_runs
    buf = ctx.buf
    end = ctx.end
    path = []
    q = p + 1 + buf[p]
    while q < end:
        known = runs.get(q)
        if known is not None:
            q = known
            break
        b = buf[q]
        if b == 0 or b & 0xC0 or q + 1 >= end:
            break
        path.append(q)
        q += 1 + b
    runs[p] = q
    for pos in path:
        runs[pos] = q
    return q


def ns_cprint(ctx: Ctx, cp: int) -> int | None:
    """A <character-string> (length byte, then bytes), printed without quotes."""
    if cp >= ctx.end:
        return None
    n = ctx.buf[cp]
    if printn(ctx, cp + 1, n):
        return None
    return cp + 1 + n
