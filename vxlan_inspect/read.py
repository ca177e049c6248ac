"""The engine behind ``vxlan-inspect read``: a capture in, tcpdump's text (or a pcap) out."""

from __future__ import annotations

import collections
import io
import os
import struct
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from vxlan_inspect.capture import open_capture, pcap
from vxlan_inspect.capture.pcap import regular_file, write_header, write_record
from vxlan_inspect.capture.record import Record, linktype_label
from vxlan_inspect.errors import CaptureTruncatedError, InputError, UsageError, VxlanInspectError
from vxlan_inspect.render.tcpdump import Options, PacketFormatter

if TYPE_CHECKING:  # the filter package loads only when there is a filter (start-up time)
    from vxlan_inspect.filter import Filter
    from vxlan_inspect.filter.block import RecordKeeper

DEFAULT_VXLAN_PORTS = frozenset({4789, 8472})
#: Files smaller than this are formatted in-process (a worker pool costs ~50 ms to start).
PARALLEL_MIN_BYTES = 8 << 20


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
    jobs: int | None = None
    #: ``-l``: flush after each packet's text, so a pipe reader sees it at once (like tcpdump's -l).
    line_buffered: bool = False
    #: A filter for the Python API: text or a compiled Filter (else ``expression`` is used).
    filter: Filter | str | None = None


def run_read(opts: ReadOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Read ``opts.file`` and print every packet; return the number of packets handled.

    Output is flushed before any error propagates, so everything complete
    before a fault in the file is on stdout when the error is reported.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    flt = _compile(opts)
    assert opts.file is not None
    if opts.write not in (None, "-") and os.path.isdir(opts.write):  # before the capture is opened
        raise InputError(f"{opts.write}: is a directory", hint="-w takes the name of the pcap file to write")
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
            return _write_pcap(cap, opts, flt)
        fmt = PacketFormatter(opts.display)
        if info.format == "pcap":
            return _print_pcap_blocks(cap, fmt, opts, out, flt)
        streaming = opts.line_buffered and not regular_file(cap._stream)
        if opts.count is None:
            if not streaming and (flt is None or _filter_is_local(opts)):
                try:
                    size: int | None = os.fstat(cap._stream.fileno()).st_size
                except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
                    size = None
                jobs = _jobs(opts, size)
                if jobs > 1 and regular_file(cap._stream):
                    fd = _direct_output_fd(out) if _named_file(cap) else None
                    if fd is not None:
                        return _print_pcapng_direct(cap, fmt, jobs, fd, flt)
                    return _print_pcapng_parallel(cap, fmt, jobs, out, flt)
            return _print_repacked(cap, fmt, out, flt, 1 if streaming else _REPACK_RECORDS)
        fmt_one = fmt.format
        limit = opts.count
        lines: list[str] = []
        n = 0
        write = out.write
        try:
            for rec in cap:
                if flt is not None and not flt.match_record(rec.data, rec.linktype, rec.wirelen):
                    continue
                lines.append(fmt_one(n + 1, rec.ts_ns, rec.linktype, rec.caplen, rec.wirelen, rec.data))
                n += 1
                if len(lines) >= 2048 or opts.line_buffered:
                    lines.append("")
                    write("\n".join(lines))
                    lines.clear()
                    if opts.line_buffered:
                        out.flush()
                if limit is not None and n >= limit:
                    break
        finally:
            if lines:
                lines.append("")
                write("\n".join(lines))
            out.flush()
        return n


def _compile(opts: ReadOptions) -> Filter | None:
    """The filter to apply: ``opts.filter`` (text or compiled) or the trailing expression words."""
    flt = opts.filter
    if flt is not None and not isinstance(flt, str):
        return flt  # a compiled Filter
    text = flt if flt is not None else " ".join(opts.expression)
    if not text.strip():
        return None
    from vxlan_inspect.filter import compile_filter

    return compile_filter(text, opts.vxlan_ports)


def _filter_blocks(
    blocks: Iterator[pcap.Block], flt: Filter, order: str, nano_file: bool, linktype: int, limit: int | None
) -> Iterator[pcap.Block]:
    """The blocks with only the matching records, numbered and timed as tcpdump does after a filter."""
    n = 0
    prev_ts: int | None = None
    for block in blocks:
        data, count, last = flt.select_block(block.data, block.count, order, linktype, block.positions)
        if not count:
            continue
        if limit is not None and n + count > limit:
            count = limit - n
            data = _first_records(data, count, order)
        yield pcap.Block(data, count, n + 1, prev_ts)
        n += count
        if last >= 0:
            prev_ts = _first_ts(pcap.Block(block.data[last:], 1, 0, None), order, nano_file)
        if limit is not None and n >= limit:
            return


def _first_records(data: bytes, count: int, order: str) -> bytes:
    pos = 0
    for _ in range(count):
        pos += 16 + struct.unpack_from(order + "I", data, pos + 8)[0]
    return data[:pos]


_NS_RECORD = struct.Struct("<IIII")
_REPACK_RECORDS = 4096
#: Packets per run handed to a worker by the parallel pcapng path.
_PCAPNG_RUN_RECORDS = 4096


def _repacked(cap, run_records: int = _REPACK_RECORDS) -> Iterator[tuple[bytes, int, int] | Record]:  # type: ignore[no-untyped-def]
    """Records of any reader (pcapng) as runs of classic nanosecond pcap records of one link type.

    Yields ``(data, count, linktype)``, or a lone :class:`Record` whose time a classic pcap
    cannot hold (before 1970 or after 2106). A fault in the file comes after the run of
    every complete record before it.
    """
    parts: list[bytes] = []
    count = 0
    linktype = -1
    pack = _NS_RECORD.pack
    try:
        for rec in cap:
            if rec.linktype != linktype and count:
                yield b"".join(parts), count, linktype
                parts.clear()
                count = 0
            sec, nsec = divmod(rec.ts_ns, 1_000_000_000)
            if not 0 <= sec <= 0xFFFFFFFF:
                if count:
                    yield b"".join(parts), count, linktype
                    parts.clear()
                    count = 0
                yield rec
                continue
            linktype = rec.linktype
            parts.append(pack(sec, nsec, rec.caplen, rec.wirelen))
            parts.append(rec.data)
            count += 1
            if count >= run_records:  # a full run goes now, not when the next record arrives
                yield b"".join(parts), count, linktype
                parts.clear()
                count = 0
    except BaseException:
        if count:
            yield b"".join(parts), count, linktype
        raise
    if count:
        yield b"".join(parts), count, linktype


def _print_repacked(  # type: ignore[no-untyped-def]
    cap, fmt: PacketFormatter, out: TextIO, flt: Filter | None, run_records: int = 4096
) -> int:
    """pcapng: runs of records repacked as classic pcap, formatted a block at a time like a pcap file.

    ``run_records`` 1 (``-l`` on a stream) prints and flushes each record as it arrives.
    """
    n = 0
    keepers: dict[int, RecordKeeper] = {}
    if flt is not None:
        from vxlan_inspect.filter.block import record_keeper
    try:
        for run in _repacked(cap, run_records):
            if isinstance(run, Record):
                if flt is None or flt.match_record(run.data, run.linktype, run.wirelen):
                    out.write(fmt.format(n + 1, run.ts_ns, run.linktype, run.caplen, run.wirelen, run.data) + "\n")
                    n += 1
                continue
            data, count, linktype = run
            keep = None
            if flt is not None:
                keep = keepers.get(linktype) or keepers.setdefault(linktype, record_keeper(flt, linktype))
            out.write(fmt.format_block(data, count, n + 1, "<", True, linktype, keep=keep))
            n += fmt.kept
            if run_records == 1:
                out.flush()
    finally:
        out.flush()
    return n


def _print_pcapng_parallel(  # type: ignore[no-untyped-def]
    cap, fmt: PacketFormatter, jobs: int, out: TextIO, flt: Filter | None
) -> int:
    """pcapng on disk, big: this process frames runs of whole blocks; workers parse and format them.

    The text is written here, in order, a bounded window of runs in flight. A run in which
    a worker met TCP acknowledgements (relative sequence numbers need every earlier packet)
    or a fault is formatted again here, and so is everything after it, as in the pcap path.
    The first irregular block ends the parallel part: everything from it on is read here,
    record by record, which prints every complete record and raises the record reader's error.
    """
    import multiprocessing

    from vxlan_inspect.capture import pcapng

    mp = multiprocessing.get_context("fork")
    n = 0
    write = out.write
    taken_over = False
    keepers: dict[int, RecordKeeper] = {}
    times = _RunTimes(fmt.opts.tflag)
    pending: collections.deque[tuple[object, _Run]] = collections.deque()

    def here(run: _Run) -> int:
        _set_reference(fmt, run[4], run[5])
        kept, _acks = _format_pcapng_run(fmt, flt, keepers, *run[:4], write)
        return kept

    def settle(limit: int) -> None:
        nonlocal n, taken_over
        while len(pending) > limit:
            result, run = pending.popleft()
            if taken_over:
                n += here(run)
                continue
            done = result.get()  # type: ignore[attr-defined]
            if done is None or done[2]:  # a fault, or TCP: from here on, this process
                taken_over = True
                n += here(run)
                continue
            write(done[0])
            n += done[1]

    try:
        with mp.Pool(jobs, initializer=_worker_init, initargs=(fmt.opts, flt)) as pool:
            for item in pcapng.iter_runs(cap._stream, cap._head, _PCAPNG_RUN_RECORDS):
                if len(item) == 3:  # an irregular block: the rest is read here
                    settle(0)
                    context, offset, first_index = item
                    cap._stream.seek(offset)
                    _set_reference(fmt, times.prev_ts, times.first_ts)
                    rest = pcapng.iter_records(cap._stream, context, first_index)
                    n += _print_runs(fmt, flt, keepers, _repacked(rest), first_index, write)
                    break
                context, data, first_index, count, _offset = item
                run: _Run = (context, data, first_index, count, *times.references(context, data))
                if taken_over:
                    settle(0)
                    n += here(run)
                    continue
                pending.append((pool.apply_async(_worker_pcapng, run), run))
                settle(2 * jobs)
            settle(0)
    finally:
        out.flush()
    return n


#: A pcapng run with its -ttt/-ttttt reference times: (context, data, first index, count, previous, first).
_Run = tuple[bytes, bytes, int, int, "int | None", "int | None"]


def _print_pcapng_direct(  # type: ignore[no-untyped-def]
    cap, fmt: PacketFormatter, jobs: int, fd: int, flt: Filter | None
) -> int:
    """pcapng on disk to a file descriptor: workers read their run from the file and write its text in turn.

    As :func:`_print_parallel_direct` does for pcap: this process only walks block headers,
    so neither packets nor text travel between processes. A run with TCP acknowledgements
    and every run after it are formatted here; so is the rest of a file from its first
    irregular block, after everything before it.
    """
    import multiprocessing

    from vxlan_inspect.capture import pcapng

    mp = multiprocessing.get_context("fork")
    turn = mp.Value("q", 0, lock=False)
    cond = mp.Condition()
    n = 0
    keepers: dict[int, RecordKeeper] = {}
    pending: collections.deque[tuple[object, tuple[bytes, int, int, int, int, int | None, int | None]]] = (
        collections.deque())
    taken_over: list[tuple[bytes, int, int, int, int, int | None, int | None]] = []
    tail: tuple[bytes, int, int] | None = None
    times = _RunTimes(fmt.opts.tflag)

    def settle(limit: int) -> None:
        nonlocal n
        while pending and len(pending) > limit and not taken_over:
            result, meta = pending.popleft()
            kept = result.get()  # type: ignore[attr-defined]
            if kept >= 0:
                n += kept
            else:
                taken_over.append(meta)
                taken_over.extend(m for _r, m in pending)
                pending.clear()

    pool = mp.Pool(jobs, initializer=_direct_init, initargs=(fmt.opts, cap.name, fd, turn, cond, flt))
    try:
        for block_no, item in enumerate(pcapng.iter_runs(cap._stream, cap._head, _PCAPNG_RUN_RECORDS)):
            if len(item) == 3:
                tail = item
                break
            context, data, first_index, count, offset = item
            refs = times.references(context, data)
            meta = (context, offset, len(data), first_index, count, *refs)
            if taken_over:
                taken_over.append(meta)
                continue
            pending.append((pool.apply_async(_direct_format_pcapng, (block_no, *meta)), meta))
            settle(2 * jobs)
        settle(0)
    finally:
        pool.terminate()
        pool.join()
    with open(cap.name, "rb") as fh:
        for context, offset, nbytes, first_index, count, prev_ts, first_ts in taken_over:
            fh.seek(offset)
            _set_reference(fmt, prev_ts, first_ts)
            parts: list[str] = []
            try:
                kept, _acks = _format_pcapng_run(fmt, flt, keepers, context, fh.read(nbytes), first_index, count,
                                                 parts.append)
            finally:  # a fault in the run raises after the records before it
                _write_all(fd, "".join(parts).encode("utf-8", "surrogateescape"))
            n += kept
    if tail is not None:
        context, offset, first_index = tail
        cap._stream.seek(offset)
        _set_reference(fmt, times.prev_ts, times.first_ts)
        parts = []
        try:
            n += _print_runs(fmt, flt, keepers, _repacked(pcapng.iter_records(cap._stream, context, first_index)),
                             first_index, parts.append)
        finally:
            _write_all(fd, "".join(parts).encode("utf-8", "surrogateescape"))
    return n


class _RunTimes:
    """The reference times of ``-ttt`` (the packet before a run) and ``-ttttt`` (the first packet) per run."""

    def __init__(self, tflag: int) -> None:
        self.tflag = tflag
        self.prev_ts: int | None = None
        self.first_ts: int | None = None

    def references(self, context: bytes, data: bytes) -> tuple[int | None, int | None]:
        """(previous packet's time, first packet's time) for this run; then remember its last time."""
        if self.tflag not in (3, 5):
            return None, None
        from vxlan_inspect.capture import pcapng

        refs = (self.prev_ts, self.first_ts)
        ends = pcapng.run_times(context, data) or _scan_run_times(context, data)
        if ends is None:  # a fault inside this run: reading ends there, no later run is printed
            return refs
        if self.first_ts is None:
            self.first_ts = ends[0]
            refs = (None, ends[0])
        self.prev_ts = ends[1]
        return refs


def _scan_run_times(context: bytes, data: bytes) -> tuple[int, int] | None:
    """First and last packet time of a run, record by record (a run that does not end in an EPB)."""
    from vxlan_inspect.capture import pcapng

    stream = io.BytesIO(context + data)
    first = last = None
    try:
        for rec in pcapng.iter_records(stream, stream.read(12)):
            if first is None:
                first = rec.ts_ns
            last = rec.ts_ns
    except VxlanInspectError:
        return None
    return None if first is None or last is None else (first, last)


def _set_reference(fmt: PacketFormatter, prev_ts: int | None, first_ts: int | None) -> None:
    if fmt.opts.tflag == 3:
        fmt.set_reference(prev_ts)
    elif fmt.opts.tflag == 5:
        fmt.set_reference(first_ts)


def _direct_format_pcapng(
    block_no: int, context: bytes, offset: int, nbytes: int, first_index: int, count: int,
    prev_ts: int | None, first_ts: int | None,
) -> int:
    """A pcapng run for :func:`_print_pcapng_direct`: read, format, write in turn; -1 (nothing) on TCP."""
    fmt = _DIRECT["fmt"]
    assert isinstance(fmt, PacketFormatter)
    _set_reference(fmt, prev_ts, first_ts)
    fmt.ctx.tcp_seq.clear()
    data = os.pread(_DIRECT["input"], nbytes, offset)  # type: ignore[arg-type]
    flt = _DIRECT["filter"]
    parts: list[str] = []
    try:
        kept, acks = _format_pcapng_run(fmt, flt, {}, context, data, first_index, count,  # type: ignore[arg-type]
                                        parts.append)
    except VxlanInspectError:  # a fault in the run: this process redoes it, printing what comes before
        return -1
    if acks:
        return -1
    _write_in_turn(block_no, "".join(parts).encode("utf-8", "surrogateescape"))
    return kept


def _print_runs(  # type: ignore[no-untyped-def]
    fmt: PacketFormatter, flt: Filter | None, keepers: dict[int, RecordKeeper], runs, index: int, write
) -> int:
    """Write the items of :func:`_repacked` (runs of repacked records, lone records); return how many printed.

    ``index`` is the number of the first record (``-#``; only unfiltered output comes here numbered).
    """
    n = 0
    for run in runs:
        if isinstance(run, Record):
            if flt is None or flt.match_record(run.data, run.linktype, run.wirelen):
                write(fmt.format(index, run.ts_ns, run.linktype, run.caplen, run.wirelen, run.data) + "\n")
                n += 1
            index += 1
            continue
        data, count, linktype = run
        keep = None
        if flt is not None:
            from vxlan_inspect.filter.block import record_keeper

            keep = keepers.get(linktype) or keepers.setdefault(linktype, record_keeper(flt, linktype))
        write(fmt.format_block(data, count, index, "<", True, linktype, keep=keep))
        n += fmt.kept
        index += count
    return n


def _format_pcapng_run(
    fmt: PacketFormatter, flt: Filter | None, keepers: dict[int, RecordKeeper],
    context: bytes, data: bytes, first_index: int, count: int, write: Callable[[str], object],
) -> tuple[int, int]:
    """Parse and format one run of :func:`~vxlan_inspect.capture.pcapng.iter_runs`: (printed, TCP acks).

    A fault inside the run raises after ``write`` has had the text of every record before it.
    """
    from vxlan_inspect.capture import pcapng

    fmt.ctx.tcp_acks = 0
    plain = pcapng.repack_run(context, data)
    if plain is not None and plain[1] == count:
        records_data, count, linktype = plain
        keep = None
        if flt is not None:
            from vxlan_inspect.filter.block import record_keeper

            keep = keepers.get(linktype) or keepers.setdefault(linktype, record_keeper(flt, linktype))
        write(fmt.format_block(records_data, count, first_index, "<", True, linktype, keep=keep))
        return fmt.kept, fmt.ctx.tcp_acks
    stream = io.BytesIO(context + data)
    records = pcapng.iter_records(stream, stream.read(12), first_index)
    kept = _print_runs(fmt, flt, keepers, _repacked(records), first_index, write)
    return kept, fmt.ctx.tcp_acks


def _worker_pcapng(
    context: bytes, data: bytes, first_index: int, count: int, prev_ts: int | None, first_ts: int | None
) -> tuple[str, int, int] | None:
    """A run formatted in a worker: (text, printed, TCP acks), or None on a fault (this process redoes it)."""
    fmt = _WORKER["fmt"]
    fmt.ctx.tcp_seq.clear()
    _set_reference(fmt, prev_ts, first_ts)
    parts: list[str] = []
    try:
        kept, acks = _format_pcapng_run(fmt, _WORKER_FILTER.get("filter"), {}, context, data, first_index, count,
                                        parts.append)
    except VxlanInspectError:
        return None
    return "".join(parts), kept, acks


def _write_pcap(cap, opts: ReadOptions, flt: Filter | None = None) -> int:  # type: ignore[no-untyped-def]
    """``-w FILE``: the selected records as a classic pcap.

    The file is written under a temporary name beside it and renamed when done, so a
    failed write leaves nothing behind (and an existing FILE untouched). A capture cut
    short is not a failed write: the records complete before the cut are all in FILE,
    a valid pcap, and then the cut is reported (exit 3).
    """
    assert opts.write is not None
    if opts.write == "-":
        return _write_records(cap, opts, flt, sys.stdout.buffer)
    target = os.path.abspath(opts.write)
    tmp = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.{os.getpid()}.partial")
    try:
        fh = open(tmp, "xb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"{opts.write}: cannot write ({exc.strerror})") from exc
    keep = False
    try:
        try:
            n = _write_records(cap, opts, flt, fh)
        except CaptureTruncatedError:
            keep = True
            raise
        keep = True
        return n
    finally:
        fh.close()
        if keep:
            os.replace(tmp, target)
        else:
            os.unlink(tmp)


def _write_records(cap, opts: ReadOptions, flt: Filter | None, fh) -> int:  # type: ignore[no-untyped-def]
    n = 0
    linktype = cap.info.linktype
    try:
        header_written = False
        for rec in cap:
            if flt is not None and not flt.match_record(rec.data, rec.linktype, rec.wirelen):
                continue
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
    except CaptureTruncatedError:
        if not header_written:
            write_header(fh, max(linktype, 1), 262144, opts.display.nano)
        raise
    finally:
        fh.flush()
    return n


def _jobs(opts: ReadOptions, size: int | None) -> int:
    """How many worker processes: ``--jobs`` or VXLAN_INSPECT_JOBS, else all cores for big files."""
    if opts.jobs is not None:
        return max(1, opts.jobs)
    env = os.environ.get("VXLAN_INSPECT_JOBS")
    if env and env.isdigit():
        return max(1, int(env))
    if size is None or size < PARALLEL_MIN_BYTES:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _print_pcap_blocks(  # type: ignore[no-untyped-def]
    cap, fmt: PacketFormatter, opts: ReadOptions, out: TextIO, flt: Filter | None = None
) -> int:
    """Classic pcap: frame whole blocks of records, format each block in one go.

    Big files are formatted by worker processes, block by block, and written
    in order. TCP's relative sequence numbers depend on every earlier packet,
    so a block in which a worker met TCP acknowledgements is formatted again
    in this process, which holds the one true sequence table.
    """
    info = cap.info
    order = "<" if info.byte_order == "little" else ">"
    n = 0
    write = out.write
    try:
        size = os.fstat(cap._stream.fileno()).st_size
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        size = None
    jobs = _jobs(opts, size)
    # A filter runs in the workers when nothing printed depends on earlier matches (no -#,
    # no -c, no time since the previous/first printed packet); otherwise here, in order.
    worker_filter = flt if flt is not None and _filter_is_local(opts) else None
    here = flt is not None and (worker_filter is None or jobs <= 1)  # this process filters: give it positions
    blocks = pcap.iter_blocks(cap._stream, cap._head, limit=None if flt else opts.count, positions=here)
    if flt is not None and worker_filter is None:
        blocks = _filter_blocks(blocks, flt, order, info.nanosecond, info.linktype, opts.count)
    args = (order, info.nanosecond, info.linktype)
    direct = (flt is None or worker_filter is not None) and size is not None and _named_file(cap)
    direct_fd = _direct_output_fd(out) if direct else None
    try:
        if jobs > 1 and direct_fd is not None:
            return _print_parallel_direct(cap.name, blocks, fmt, jobs, args, direct_fd, worker_filter)
        if jobs <= 1 and worker_filter is not None:  # one process: filter while formatting, one pass
            from vxlan_inspect.filter.block import record_keeper

            keep = record_keeper(worker_filter, info.linktype)
            for block in blocks:
                write(fmt.format_block(block.data, block.count, block.first_index, *args, keep=keep,
                                       offsets=block.positions))
                n += fmt.kept
                if opts.line_buffered:
                    out.flush()
            return n
        if worker_filter is not None:  # not direct after all: filter here, in order
            blocks = _filter_blocks(blocks, worker_filter, order, info.nanosecond, info.linktype, opts.count)
        if jobs <= 1:
            flush = out.flush if opts.line_buffered else None
            for block in blocks:
                write(fmt.format_block(block.data, block.count, block.first_index, *args))
                n += block.count
                if flush is not None:
                    flush()
            return n
        import multiprocessing

        mp = multiprocessing.get_context("fork")
        first_ts: list[int | None] = [None]
        with mp.Pool(jobs, initializer=_worker_init, initargs=(opts.display,)) as pool:
            pending: collections.deque[tuple[object, pcap.Block]] = collections.deque()

            def drain_one() -> None:
                nonlocal n
                result, block = pending.popleft()
                text, tcp_acks = result.get()  # type: ignore[attr-defined]
                if tcp_acks:
                    text = _format_in_main(fmt, block, args, first_ts[0])
                write(text)
                n += block.count

            fault: CaptureTruncatedError | None = None
            try:
                for block in blocks:
                    if first_ts[0] is None:
                        first_ts[0] = _first_ts(block, order, info.nanosecond)
                    task = (block.data, block.count, block.first_index, block.prev_ts_ns, first_ts[0], args)
                    pending.append((pool.apply_async(_worker_format, task), block))
                    if len(pending) > 2 * jobs:
                        drain_one()
            except CaptureTruncatedError as exc:  # a fault in the file: the blocks before it are written first
                fault = exc
            while pending:
                drain_one()
        if fault is not None:
            raise fault
        return n
    finally:
        out.flush()


def _named_file(cap) -> bool:  # type: ignore[no-untyped-def]
    """True when workers can open the capture by its name (not stdin redirected from a file)."""
    if cap.name == "-":
        return False
    try:
        return os.path.samestat(os.stat(cap.name), os.fstat(cap._stream.fileno()))
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return False


def _direct_output_fd(out: TextIO) -> int | None:
    """The file descriptor behind ``out`` when workers may write to it themselves."""
    if out is not sys.stdout:
        return None
    try:
        out.flush()
        return out.fileno()
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        return None


def _filter_is_local(opts: ReadOptions) -> bool:
    """True when a filtered packet's text does not depend on the matches before it."""
    d = opts.display
    return not d.packet_number and opts.count is None and d.tflag not in (3, 5)


def _print_parallel_direct(  # type: ignore[no-untyped-def]
    path: str, blocks, fmt: PacketFormatter, jobs: int, args: tuple[str, bool, int], fd: int,
    flt: Filter | None = None,
) -> int:
    """Workers read their block from the file and write its text to ``fd`` in turn.

    This process only frames the file (record headers) and hands out block
    offsets, so neither the packets nor the text travel between processes.
    A worker that meets TCP acknowledgements does not write: TCP's relative
    sequence numbers need the state of every earlier packet, so this process
    takes over from that block on (every earlier block had no TCP
    acknowledgement, so the sequence table it starts from is empty, which is
    exactly the state a single process would have). With ``flt``, each worker
    keeps only its block's matching records (only for output that does not
    number or time packets relative to earlier matches).
    """
    import multiprocessing

    mp = multiprocessing.get_context("fork")
    turn = mp.Value("q", 0, lock=False)
    cond = mp.Condition()
    n = 0
    first_ts: int | None = None
    pending: collections.deque[tuple[object, pcap.Block, int]] = collections.deque()
    taken_over: list[tuple[pcap.Block, int]] = []

    def settle(limit: int) -> None:
        nonlocal n
        while pending and len(pending) > limit and not taken_over:
            result, done, nbytes = pending.popleft()
            kept = result.get()  # type: ignore[attr-defined]
            if kept >= 0:
                n += kept
            else:
                taken_over.append((done, nbytes))
                taken_over.extend((b, nb) for _r, b, nb in pending)
                pending.clear()

    pool = mp.Pool(jobs, initializer=_direct_init, initargs=(fmt.opts, path, fd, turn, cond, flt))
    fault: CaptureTruncatedError | None = None
    try:
        try:
            for block_no, block in enumerate(blocks):
                if first_ts is None:
                    first_ts = _first_ts(block, args[0], args[1])
                nbytes = len(block.data)
                if taken_over:
                    taken_over.append((block, nbytes))
                    continue
                task = (block_no, block.offset, nbytes, block.count, block.first_index, block.prev_ts_ns, first_ts,
                        args)
                pending.append((pool.apply_async(_direct_format, task), block, nbytes))
                block.data = b""  # the worker reads it again from the file: memory stays flat here
                settle(2 * jobs)
        except CaptureTruncatedError as exc:  # a fault in the file: every block before it is written first
            fault = exc
        settle(0)
    finally:
        pool.terminate()
        pool.join()
    if taken_over:
        with open(path, "rb") as fh:
            for block, nbytes in taken_over:
                if not block.data and block.offset is not None:
                    fh.seek(block.offset)
                    block.data = fh.read(nbytes)
                if flt is not None:
                    block.data, block.count, _last = flt.select_block(block.data, block.count, args[0], args[2])
                _write_all(fd, _format_in_main(fmt, block, args, first_ts).encode("utf-8", "surrogateescape"))
                n += block.count
    if fault is not None:
        raise fault
    return n


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


_DIRECT: dict[str, object] = {}


def _direct_init(display: Options, path: str, fd: int, turn: object, cond: object, flt: Filter | None) -> None:
    _DIRECT.update(fmt=PacketFormatter(display), input=os.open(path, os.O_RDONLY), out=fd, turn=turn, cond=cond,
                   filter=flt)


def _direct_format(
    block_no: int, offset: int, nbytes: int, count: int, first_index: int, prev_ts: int | None,
    first_ts: int | None, args: tuple[str, bool, int],
) -> int:
    """Format one block and write it when its turn comes; the packets written, or -1 (nothing) on TCP."""
    fmt = _DIRECT["fmt"]
    assert isinstance(fmt, PacketFormatter)
    if fmt.opts.tflag == 3:
        fmt.set_reference(prev_ts)
    elif fmt.opts.tflag == 5:
        fmt.set_reference(first_ts)
    fmt.ctx.tcp_acks = 0
    fmt.ctx.tcp_seq.clear()
    data = os.pread(_DIRECT["input"], nbytes, offset)  # type: ignore[arg-type]
    flt = _DIRECT["filter"]
    keep = None
    if flt is not None:
        from vxlan_inspect.filter.block import record_keeper

        keep = record_keeper(flt, args[2])  # type: ignore[arg-type]
    text = fmt.format_block(data, count, first_index, *args, keep=keep).encode("utf-8", "surrogateescape")
    count = fmt.kept
    if fmt.ctx.tcp_acks:
        return -1
    _write_in_turn(block_no, text)
    return count


def _write_in_turn(block_no: int, text: bytes) -> None:
    """Wait until the blocks before ``block_no`` are written, write ``text``, pass the turn on."""
    cond, turn = _DIRECT["cond"], _DIRECT["turn"]
    with cond:  # type: ignore[attr-defined]
        while turn.value != block_no:  # type: ignore[attr-defined]
            cond.wait()  # type: ignore[attr-defined]
        _write_all(_DIRECT["out"], text)  # type: ignore[arg-type]
        turn.value += 1  # type: ignore[attr-defined]
        cond.notify_all()  # type: ignore[attr-defined]


def _first_ts(block: pcap.Block, order: str, nano_file: bool) -> int:
    sec, frac = struct.unpack_from(order + "II", block.data, 0)
    return int(sec) * 1_000_000_000 + int(frac) * (1 if nano_file else 1000)


def _format_in_main(
    fmt: PacketFormatter, block: pcap.Block, args: tuple[str, bool, int], first_ts: int | None
) -> str:
    if fmt.opts.tflag == 3:
        fmt.set_reference(block.prev_ts_ns)
    elif fmt.opts.tflag == 5:
        fmt.set_reference(first_ts)
    return fmt.format_block(block.data, block.count, block.first_index, *args)


_WORKER: dict[str, PacketFormatter] = {}


_WORKER_FILTER: dict[str, Filter | None] = {}


def _worker_init(display: Options, flt: Filter | None = None) -> None:
    _WORKER["fmt"] = PacketFormatter(display)
    _WORKER_FILTER["filter"] = flt


def _worker_format(
    data: bytes, count: int, first_index: int, prev_ts: int | None, first_ts: int | None,
    args: tuple[str, bool, int],
) -> tuple[str, int]:
    fmt = _WORKER["fmt"]
    if fmt.opts.tflag == 3:
        fmt.set_reference(prev_ts)
    elif fmt.opts.tflag == 5:
        fmt.set_reference(first_ts)
    fmt.ctx.tcp_acks = 0
    fmt.ctx.tcp_seq.clear()
    text = fmt.format_block(data, count, first_index, *args)
    return text, fmt.ctx.tcp_acks
