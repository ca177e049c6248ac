"""One packet to one tcpdump line: ``-#``, timestamp, the link printer, ``-x``/``-X``.

Mirrors tcpdump's ``pretty_print_packet`` and ``ts_print``: invalid record
headers, ``[|proto]`` on truncation, the hex dump after the text.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from typing import Protocol

from vxlan_inspect.render.tcpdump import link
from vxlan_inspect.render.tcpdump.context import Ctx, Options, Truncated
from vxlan_inspect.render.tcpdump.fastpath import FastFn, compile_fast
from vxlan_inspect.render.tcpdump.hexdump import ascii_only, hex_and_ascii, hex_only

MAXIMUM_SNAPLEN = 262144

LinkPrinter = Callable[[Ctx, int, int, int], None]


class Keeper(Protocol):
    """Selects records of a block (``vxlan_inspect.filter.block.RecordKeeper`` is one)."""

    one: Callable[[bytes, int, int, int], bool]

    def decide(self, data: bytes, offsets: list[int], order: str) -> list[int]:
        """Per record header position: 1 keep, 0 drop, -1 ask ``one(data, header_pos, caplen, wirelen)``."""
        ...

#: Link-layer printers by linktype (explicit table, no import-time registration).
LINK_PRINTERS: dict[int, LinkPrinter] = {
    1: link.ether_if_print,
    113: link.sll_if_print,
    276: link.sll2_if_print,
    0: link.null_if_print,
    101: link.raw_if_print,
    228: link.raw_if_print,
    229: link.raw_if_print,
}


def _link_printer(linktype: int) -> LinkPrinter:
    return LINK_PRINTERS.get(linktype, link.unsupported_if_print)


class PacketFormatter:
    """Formats records one after another, keeping tcpdump's cross-packet state.

    That state is the reference time for ``-ttt``/``-ttttt`` and the TCP
    sequence-number table used for relative numbers.
    """

    def __init__(self, opts: Options | None = None) -> None:
        self.opts = opts or Options()
        self.ctx = Ctx(self.opts)
        self._ref_ns: int | None = None
        self._sec_cache: dict[int, str] = {}
        self._date_cache: dict[int, str] = {}
        self.kept = 0  # records printed by the last format_block
        self._fast_by_link: dict[int, FastFn | None] = {}

    def _fast(self, linktype: int) -> FastFn | None:
        """The template printer for this formatter's options and ``linktype`` (built once)."""
        try:
            return self._fast_by_link[linktype]
        except KeyError:
            fn = compile_fast(self.opts, linktype, Ctx(self.opts)) if self.opts.max_depth >= 1 else None
            self._fast_by_link[linktype] = fn
            return fn

    def set_reference(self, ts_ns: int | None) -> None:
        """Set the ``-ttt``/``-ttttt`` reference time (the previous or the first packet)."""
        if ts_ns is not None and not self.opts.nano:
            ts_ns = ts_ns // 1000 * 1000
        self._ref_ns = ts_ns

    # -- timestamps ---------------------------------------------------------
    def _frac(self, ns: int) -> str:
        return ".%09u" % ns if self.opts.nano else ".%06u" % (ns // 1000)

    def _hms(self, sec: int, with_date: bool, local: bool) -> str | None:
        if sec & 0x80000000 or sec < 0 or sec > 0xFFFFFFFF:
            return None
        cache = self._date_cache if with_date else self._sec_cache
        key = sec if local else -sec - 1
        s = cache.get(key)
        if s is None:
            tm = time.localtime(sec) if local else time.gmtime(sec)
            s = time.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S", tm)
            if len(cache) > 4096:
                cache.clear()
            cache[key] = s
        return s

    def timestamp(self, ts_ns: int, parts: tuple[int, int] | None = None) -> str:
        """The timestamp prefix (with its trailing space) for the current ``-t`` mode.

        ``parts`` is (seconds, fraction in ns) as the file holds them: tcpdump
        prints an out-of-range fraction as it is rather than carrying it over.
        """
        t = self.opts.tflag
        sec, ns = parts if parts is not None else divmod(ts_ns, 1_000_000_000)
        if t == 0 or t == 4:
            hms = self._hms(sec, t == 4, True)
            if hms is None:
                return "[Error converting time] "
            return hms + self._frac(ns) + " "
        if t == 1:
            return ""
        if t == 2:
            if sec & 0x80000000 or sec > 0xFFFFFFFF or sec < 0:
                return "[Error converting time] "
            return "%u" % sec + self._frac(ns) + " "
        # 3: delta since previous packet, 5: since first packet
        if not self.opts.nano:
            ts_ns = ts_ns // 1000 * 1000
        if self._ref_ns is None:
            self._ref_ns = ts_ns
        diff = ts_ns - self._ref_ns
        sign = "-" if diff < 0 else " "
        dsec, dns = divmod(abs(diff), 1_000_000_000)
        hms = self._hms(dsec, False, False)
        if t == 3:
            self._ref_ns = ts_ns
        if hms is None:
            return sign + "[Error converting time] "
        return sign + hms + self._frac(dns) + " "

    # -- packets ------------------------------------------------------------
    def format(
        self, index: int, ts_ns: int, linktype: int, caplen: int, wirelen: int, data: bytes,
        ts_parts: tuple[int, int] | None = None,
    ) -> str:
        """Return the full text tcpdump prints for one record, without the final newline."""
        opts = self.opts
        parts: list[str] = []
        if opts.packet_number:
            parts.append("%5u  " % index)
        bad = []
        if caplen == 0:
            bad.append(" caplen==0")
        if wirelen == 0:
            bad.append(" len==0")
        elif wirelen < caplen:
            bad.append(" len(%u) < caplen(%u)" % (wirelen, caplen))
        if caplen > MAXIMUM_SNAPLEN:
            bad.append(" caplen(%u) > %u" % (caplen, MAXIMUM_SNAPLEN))
        if wirelen > MAXIMUM_SNAPLEN:
            bad.append(" len(%u) > %u" % (wirelen, MAXIMUM_SNAPLEN))
        if bad:
            parts.append("[Invalid header:" + ",".join(bad) + "]")
            return "".join(parts)
        parts.append(self.timestamp(ts_ns, ts_parts))
        ctx = self.ctx
        ctx.buf = data
        ctx.end = caplen
        ctx.proto = ""
        ctx.ll_hdr_len = 0
        ctx.depth = 0
        out: list[str] = []
        ctx.out = out
        try:
            _link_printer(linktype)(ctx, 0, wirelen, caplen)
        except Truncated:
            out.append(" [|%s]" % ctx.proto)
            ctx.ll_hdr_len = 0
        parts.extend(out)
        hdrlen = ctx.ll_hdr_len
        if opts.Xflag:
            if opts.Xflag > 1:
                parts.append(hex_and_ascii(data[:caplen]))
            elif caplen > hdrlen:
                parts.append(hex_and_ascii(data[hdrlen:caplen]))
        elif opts.xflag:
            if opts.xflag > 1:
                parts.append(hex_only(data[:caplen]))
            elif caplen > hdrlen:
                parts.append(hex_only(data[hdrlen:caplen]))
        elif opts.Aflag:
            if opts.Aflag > 1:
                parts.append(ascii_only(data[:caplen]))
            elif caplen > hdrlen:
                parts.append(ascii_only(data[hdrlen:caplen]))
        return "".join(parts)

    def format_block(
        self, data: bytes, count: int, first_index: int, order: str, nano_file: bool, linktype: int,
        keep: Keeper | None = None, offsets: list[int] | None = None,
    ) -> str:
        """Format ``count`` whole classic-pcap records packed in ``data``; one line per packet.

        ``keep``, when given, selects the records to print (a filter: its answers for the
        block, then ``keep.one(data, header_pos, caplen, wirelen)`` where those are unknown);
        ``self.kept`` then tells how many were printed. ``offsets``, the records' header
        positions, saves walking the block twice when the caller has them.
        """
        opts = self.opts
        hdr = (_HDR_LE if order == "<" else _HDR_BE).unpack_from
        scale = 1 if nano_file else 1000
        fast = self._fast(linktype)
        plain = fast is not None
        tflag = opts.tflag
        cached_ts = tflag in (0, 4)
        num = opts.packet_number
        tstamp = self.timestamp
        hms = self._hms
        nano = opts.nano
        with_date = opts.tflag == 4
        fmt = self.format
        out: list[str] = []
        app = out.append
        pos = 0
        index = first_index
        cached_sec = -1
        sec_text = ""
        kept = 0
        decided: list[int] | None = None
        one = None
        if keep is not None:  # the filter answers the whole block first (see vxlan_inspect.filter.block)
            if offsets is None:
                offsets = []
                off_app = offsets.append
                lengths = _CAPLEN_LE if order == "<" else _CAPLEN_BE
                for _ in range(count):
                    off_app(pos)
                    pos += 16 + lengths(data, pos)[0]
            decided = keep.decide(data, offsets, order)
            one = keep.one
            pos = 0
            if 0 not in decided and -1 not in decided:  # the filter keeps every record: walk as without one
                decided = None
        for k in range(count):
            if decided is None:
                sec, frac, caplen, wirelen = hdr(data, pos)
                start = pos + 16
                pos = start + caplen
            else:
                d = decided[k]
                if d == 0:
                    continue
                rec = offsets[k]  # type: ignore[index]
                sec, frac, caplen, wirelen = hdr(data, rec)
                if d < 0 and not one(data, rec, caplen, wirelen):  # type: ignore[misc]
                    continue
                start = rec + 16
                pos = start + caplen
            kept += 1
            if plain:
                text = fast(data, start, caplen, wirelen)  # type: ignore[misc]
                if text is not None and not cached_ts:
                    ts = tstamp(sec * 1_000_000_000 + frac * scale, (sec, frac * scale))
                    app("%5u  %s%s" % (index, ts, text) if num else ts + text)
                    index += 1
                    continue
                if text is not None:
                    if sec != cached_sec:
                        cached_sec = sec
                        h = hms(sec, with_date, True)
                        sec_text = h if h is not None else ""
                    if sec_text:
                        if nano:
                            ts = "%s.%09u " % (sec_text, frac * scale)
                        else:
                            ts = "%s.%06u " % (sec_text, frac * scale // 1000)
                    else:
                        ts = "[Error converting time] "
                    if num:
                        app("%5u  %s%s" % (index, ts, text))
                    else:
                        app(ts + text)
                    index += 1
                    continue
            app(fmt(index, sec * 1_000_000_000 + frac * scale, linktype, caplen, wirelen, data[start:pos],
                    (sec, frac * scale)))
            index += 1
        self.kept = kept
        if not out:
            return ""
        out.append("")
        return "\n".join(out)


_HDR_LE = struct.Struct("<IIII")
_CAPLEN_LE = struct.Struct("<8xI").unpack_from
_CAPLEN_BE = struct.Struct(">8xI").unpack_from
_HDR_BE = struct.Struct(">IIII")
