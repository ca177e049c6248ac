"""The engine behind ``vxlan-inspect read``: a capture in, tcpdump's text (or a pcap) out."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

from vxlan_inspect.capture import open_capture
from vxlan_inspect.capture.pcap import write_header, write_record
from vxlan_inspect.capture.record import linktype_label
from vxlan_inspect.errors import InputError, UsageError
from vxlan_inspect.render.tcpdump import Options, PacketFormatter

DEFAULT_VXLAN_PORTS = frozenset({4789, 8472})


@dataclass
class ReadOptions:
    """Everything ``read`` was asked to do."""

    file: str | None = None
    write: str | None = None
    count: int | None = None
    expression: list[str] = field(default_factory=list)
    vxlan_ports: set[int] = field(default_factory=lambda: set(DEFAULT_VXLAN_PORTS))
    display: Options = field(default_factory=Options)
    help: bool = False


def run_read(opts: ReadOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Read ``opts.file`` and print every packet; return the number of packets handled.

    Output is flushed before any error propagates, so everything complete
    before a fault in the file is on stdout when the error is reported.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    if opts.expression:
        raise UsageError(
            f"read: filter expressions are not supported yet (got {' '.join(opts.expression)!r})",
            hint="read the whole capture, or pre-filter it with tcpdump -w",
        )
    assert opts.file is not None
    opts.display.vxlan_ports = frozenset(opts.vxlan_ports)
    cap = open_capture(opts.file)
    with cap:
        info = cap.info
        err.write(
            f"reading from file {opts.file}, link-type {linktype_label(info.linktype)}, "
            f"snapshot length {info.snaplen}\n"
        )
        err.flush()
        if opts.write is not None:
            return _write_pcap(cap, opts)
        fmt = PacketFormatter(opts.display)
        fmt_one = fmt.format
        limit = opts.count
        lines: list[str] = []
        n = 0
        write = out.write
        try:
            for rec in cap:
                lines.append(fmt_one(rec.index, rec.ts_ns, rec.linktype, rec.caplen, rec.wirelen, rec.data))
                n += 1
                if len(lines) >= 2048:
                    lines.append("")
                    write("\n".join(lines))
                    lines.clear()
                if limit is not None and n >= limit:
                    break
        finally:
            if lines:
                lines.append("")
                write("\n".join(lines))
            out.flush()
        return n


def _write_pcap(cap, opts: ReadOptions) -> int:  # type: ignore[no-untyped-def]
    assert opts.write is not None
    n = 0
    linktype = cap.info.linktype
    try:
        fh = sys.stdout.buffer if opts.write == "-" else open(opts.write, "wb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{opts.write}: cannot write ({exc.strerror})") from exc
    try:
        header_written = False
        for rec in cap:
            if not header_written:
                linktype = rec.linktype if linktype < 0 else linktype
                write_header(fh, linktype, max(cap.info.snaplen, 262144), opts.display.nano)
                header_written = True
            if rec.linktype != linktype:
                raise UsageError(
                    f"record {rec.index} has link type {rec.linktype}, the output pcap has {linktype}",
                    hint="a classic pcap holds one link type; split the capture per interface",
                )
            write_record(fh, rec, opts.display.nano)
            n += 1
            if opts.count is not None and n >= opts.count:
                break
        if not header_written:
            write_header(fh, max(linktype, 1), 262144, opts.display.nano)
    finally:
        fh.flush()
        if fh is not sys.stdout.buffer:
            fh.close()
    return n
