"""The engine behind ``vxlan-inspect capture``: a live capture in, tcpdump's text and/or a pcap out.

Order of events, as in tcpdump: open the capture (privileged: socket, filter,
ring, namespace), drop privilege (``-Z user``, then every capability), open
the ``-w`` file, announce ``listening on ...`` on stderr, loop, and print the
three counters on stderr at the end.

SIGINT and SIGTERM only raise a flag; the loop sees it within one poll timeout,
after finishing the block in hand. Each block is written to the pcap before it
is printed, and the pcap is flushed and closed on the way out, so a stopped
capture leaves a valid file holding every packet that was printed. ``-U``
flushes the file after every block of packets the kernel hands over.
"""

from __future__ import annotations

import signal
import sys
from dataclasses import dataclass, field
from types import FrameType
from typing import BinaryIO, TextIO

from vxlan_inspect.capture.bpf import Instruction
from vxlan_inspect.capture.live import DEFAULT_BUFFER, CaptureStats, LiveCapture, open_live
from vxlan_inspect.capture.pcap import write_header
from vxlan_inspect.capture.privilege import drop_privileges
from vxlan_inspect.capture.record import LINKTYPE_LINUX_SLL2, MAXIMUM_SNAPLEN, linktype_label
from vxlan_inspect.capture.ring import cut_chunk
from vxlan_inspect.errors import InputError
from vxlan_inspect.render.tcpdump import Options, PacketFormatter


@dataclass
class CaptureOptions:
    """Everything ``capture`` was asked to do."""

    interface: str = "any"
    netns: str | None = None
    write: str | None = None
    packet_buffered: bool = False  # -U
    count: int | None = None
    snaplen: int = MAXIMUM_SNAPLEN
    promisc: bool = True
    print_too: bool = False  # --print: print even with -w
    user: str | None = None  # -Z
    drop_privileges: bool = True
    buffer_size: int = DEFAULT_BUFFER
    program: list[Instruction] | None = None  # --bpf FILE
    expression: list[str] = field(default_factory=list)
    display: Options = field(default_factory=Options)
    help: bool = False


class _StopFlag:
    """Set by SIGINT/SIGTERM; the capture loop checks it between blocks."""

    def __init__(self) -> None:
        self.stopped = False
        self._previous: dict[int, object] = {}

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.stopped = True

    def install(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            self._previous[sig] = signal.signal(sig, self)

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


def _open_output(opts: CaptureOptions, linktype: int) -> BinaryIO | None:
    if opts.write is None:
        return None
    if opts.write == "-":
        fh: BinaryIO = sys.stdout.buffer
    else:
        try:
            fh = open(opts.write, "wb")  # noqa: SIM115 - closed by run_capture
        except OSError as exc:
            raise InputError(f"{opts.write}: cannot write ({exc.strerror})",
                             hint="after -Z the file is opened as that user") from exc
    write_header(fh, linktype, opts.snaplen or MAXIMUM_SNAPLEN, opts.display.nano)
    if opts.packet_buffered:
        fh.flush()
    return fh


def run_capture(opts: CaptureOptions, out: TextIO | None = None, err: TextIO | None = None) -> CaptureStats:
    """Capture until ``-c`` packets, SIGINT or SIGTERM; print and/or write them; return the counters."""
    out = out or sys.stdout
    err = err or sys.stderr
    cap = open_live(opts.interface, netns=opts.netns, snaplen=opts.snaplen, promisc=opts.promisc,
                    program=opts.program, expression=" ".join(opts.expression) or None,
                    buffer_size=opts.buffer_size, nanosecond=opts.display.nano,
                    vxlan_ports=opts.display.vxlan_ports)
    stop = _StopFlag()
    fh: BinaryIO | None = None
    n = 0
    try:
        stop.install()
        fmt = _formatter(cap, opts)  # before the drop: later imports may be impossible as another user
        if opts.drop_privileges:
            drop_privileges(opts.user)
        fh = _open_output(opts, cap.linktype)
        err.write(f"listening on {opts.interface}, link-type {linktype_label(cap.linktype)}, "
                  f"snapshot length {cap.snaplen} bytes\n")
        err.flush()
        n = _loop(cap, opts, fh, fmt, out, stop)
    finally:
        stop.restore()
        stats = cap.stats(n)
        cap.close()
        if fh is not None:
            fh.flush()
            if fh is not sys.stdout.buffer:
                fh.close()
        err.write(stats.lines())
        err.flush()
    return stats


def _formatter(cap: LiveCapture, opts: CaptureOptions) -> PacketFormatter | None:
    """The tcpdump renderer, or None when only writing; warmed up on one packet."""
    if opts.write is not None and not opts.print_too:
        return None
    display = opts.display
    if cap.linktype == LINKTYPE_LINUX_SLL2:
        # Name interfaces as tcpdump running inside the capture's namespace would.
        if display.ifnames:
            cap.names.update(display.ifnames)
        display.ifnames = cap.names
        display.system_ifnames = False
    fmt = PacketFormatter(display)
    warm = PacketFormatter(Options(ifnames={1: "lo"}, system_ifnames=False, vxlan_ports=display.vxlan_ports))
    for packet in _WARM_UP:
        warm.format(1, 0, cap.linktype, len(packet), len(packet), packet)
    return fmt


#: VXLAN/ICMP, ARP and UDP frames whose formatting imports every printer module the capture will use.
_WARM_UP = [bytes.fromhex(h) for h in (
    "000000000000000000000000080045000058000040004011000001010101020202021234" "12b5004400000800000000010000"
    "00000000000000000000080045000054000040004001000003030303040404040800000000010001" + "00" * 56,
    "ffffffffffff000000000001080600010800060400010000000000010a0000010000000000000a000002",
    "00000000000000000000000086dd6000000000083a40" + "00" * 32 + "8000000000000000",
)]


def _loop(cap: LiveCapture, opts: CaptureOptions, fh: BinaryIO | None, fmt: PacketFormatter | None,
          out: TextIO, stop: _StopFlag) -> int:
    nano = cap.nanosecond
    linktype = cap.linktype
    limit = opts.count
    n = 0
    while not stop.stopped:
        got = cap.next_chunk()
        if got is None or not got[1]:
            continue
        chunk, k = got
        if limit is not None and n + k > limit:
            k = limit - n
            chunk = cut_chunk(chunk, k)
        if fh is not None:
            fh.write(chunk)
            if opts.packet_buffered:
                fh.flush()
        if fmt is not None:
            out.write(fmt.format_block(chunk, k, n + 1, "<", nano, linktype))
            out.flush()
        n += k
        if limit is not None and n >= limit:
            break
    return n
