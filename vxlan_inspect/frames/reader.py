"""``read_packets``: one or many capture files to one packet table.

Classic pcap and simple pcapng files go through the columnar fast path
(:mod:`vxlan_inspect.frames.columnar`); other pcapng files and stdin are read
record by record and repacked for it (or decoded one by one when their link
types differ). Several files are decoded in parallel (:func:`_read_parallel`);
with ``engine="dask"`` each file becomes one partition of a dask DataFrame.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vxlan_inspect.capture import open_capture
from vxlan_inspect.decode.decoder import DEFAULT_CONFIG, DecodeConfig
from vxlan_inspect.errors import InputError, UsageError
from vxlan_inspect.frames.columnar import SPAN, pcap_to_builder, pcapng_to_builder, records_to_builder
from vxlan_inspect.frames.schema import NAMES
from vxlan_inspect.frames.table import RawTable, Shipped, assemble, ship, unship

PathLike = str | os.PathLike[str]
CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap")
#: Progress callback: (label, bytes done, bytes total).
Progress = Callable[[str, int, int], None]


def expand_paths(sources: PathLike | Iterable[PathLike]) -> list[str]:
    """Files named by ``sources``; a directory stands for its capture files (recursively, sorted)."""
    items = [sources] if isinstance(sources, (str, os.PathLike)) else list(sources)
    out: list[str] = []
    for item in items:
        name = os.fspath(item)
        if name != "-" and os.path.isdir(name):
            found = sorted(str(p) for p in Path(name).rglob("*") if p.suffix in CAPTURE_SUFFIXES and p.is_file())
            if not found:
                raise InputError(f"{name}: no capture files (*.pcap, *.pcapng) in this directory")
            out.extend(found)
        else:
            out.append(name)
    if not out:
        raise UsageError("no capture files given")
    return out


def label_of(path: str, root_count: int = 1) -> str:
    """Default capture point label: the file name without its suffix (``docker-1.underlay``)."""
    if path == "-":
        return "-"
    return Path(path).stem if Path(path).suffix in CAPTURE_SUFFIXES else Path(path).name


def _read_pcap_bytes(path: str) -> bytearray:
    size = os.path.getsize(path)
    data = bytearray(size + SPAN)
    with open(path, "rb") as f:
        got = f.readinto(memoryview(data)[:size])
    del data[got:size]
    return data


def read_raw(path: str, label: str | None = None, config: DecodeConfig = DEFAULT_CONFIG,
             progress: Progress | None = None, columns: Sequence[str] | None = None) -> RawTable:
    """The columns of one capture file as arrays.

    A file is read whole and decoded by the columnar path (a pcapng that
    :func:`~vxlan_inspect.frames.columnar.pcapng_to_builder` cannot take, and
    stdin, are read record by record and repacked for it by
    :func:`~vxlan_inspect.frames.columnar.records_to_builder`).
    """
    label = label_of(path) if label is None else label
    _check_columns(columns)
    with open_capture(path) as cap:  # raises the usual one-line errors for missing/bad files
        fmt = cap.info.format
        if path == "-":
            builder = records_to_builder(list(cap), config)
    if path != "-":
        data = _read_pcap_bytes(path)
        total = len(data) - SPAN
        report = None if progress is None else (lambda done: progress(label, done, total))
        simple = pcap_to_builder(data, config, report) if fmt == "pcap" else pcapng_to_builder(data, config)
        del data
        if simple is None:  # a pcapng that is not simple: record by record
            with open_capture(path) as cap:
                simple = records_to_builder(list(cap), config)
        builder = simple
        if progress is not None:
            progress(label, total, total)
    builder.add_constant("capture_point", np.arange(builder.n), label)
    raw = builder.raw()
    return raw if columns is None else raw.select(columns)


def read_file(path: str, label: str | None = None, config: DecodeConfig = DEFAULT_CONFIG,
              progress: Progress | None = None, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The packet table of one capture file (pcap fast path; pcapng and stdin record by record)."""
    return assemble([read_raw(path, label, config, progress, columns)])


def _check_columns(columns: Sequence[str] | None) -> None:
    unknown = [c for c in columns or () if c not in NAMES]
    if unknown:
        raise UsageError(f"unknown column {unknown[0]!r}", hint="see docs/frames.md for the schema")


def _labels(paths: list[str], capture_point: str | Mapping[str, str] | None) -> list[str]:
    if isinstance(capture_point, str):
        if len(paths) > 1:
            raise UsageError("capture_point as one string needs exactly one file",
                             hint="give a mapping of path to label, or let the file names label them")
        return [capture_point]
    mapping = capture_point or {}
    return [mapping.get(p, label_of(p)) for p in paths]


def _read_job(args: tuple[str, str, DecodeConfig, Sequence[str] | None]) -> RawTable | Shipped:
    path, label, config, columns = args
    return ship(read_raw(path, label, config, None, columns))


def read_packets(
    path_or_paths: PathLike | Iterable[PathLike],
    *,
    capture_point: str | Mapping[str, str] | None = None,
    vxlan_ports: Iterable[int] = DEFAULT_CONFIG.vxlan_ports,
    columns: Sequence[str] | None = None,
    jobs: int | None = None,
    engine: str = "pandas",
    scheduler: str | Any | None = None,
    progress: Progress | None = None,
) -> Any:
    """Read captures into one packet table (schema: ``docs/frames.md``), one row per packet.

    ``path_or_paths``: a file, ``"-"``, a directory (its ``*.pcap``/``*.pcapng``) or a list of them.
    Each file's rows are labelled ``capture_point`` (default: its file name without suffix).
    ``jobs``: processes decoding several files, this one included (default: one per CPU, at
    most one per file; 1 decodes everything in this process, in one thread).
    ``engine="dask"`` returns a dask DataFrame with one partition per
    file, computed on the dask.distributed ``scheduler`` (an address or a Client; default a LocalCluster).
    """
    config = DecodeConfig(vxlan_ports=frozenset(int(p) for p in vxlan_ports), max_depth=DEFAULT_CONFIG.max_depth)
    paths = expand_paths(path_or_paths)
    labels = _labels(paths, capture_point)
    if engine == "dask":
        from vxlan_inspect.frames.fleet import read_packets_dask

        return read_packets_dask(paths, labels, config, columns, scheduler)
    if engine != "pandas":
        raise UsageError(f"unknown engine {engine!r}", hint="use 'pandas' or 'dask'")
    if jobs is None:
        jobs = min(len(paths), os.cpu_count() or 1)
    jobs_args = [(p, lab, config, columns) for p, lab in zip(paths, labels, strict=True)]
    if jobs <= 1 or len(paths) == 1 or "-" in paths:
        return assemble([read_raw(p, lab, config, progress, columns) for p, lab, config, columns in jobs_args])
    return assemble(_read_parallel(jobs_args, jobs, progress), threads=jobs)


def _read_parallel(jobs_args: list[tuple[str, str, DecodeConfig, Sequence[str] | None]], jobs: int,
                   progress: Progress | None) -> list[RawTable]:
    """Decode files in ``jobs - 1`` worker processes and in this one.

    The workers take files from the front of the list, one at a time (a
    worker's next file is handed over the moment its last one is done); this
    process, which would otherwise only wait, takes them from the back. Fewer
    results cross between processes, and no core idles while there is a file
    left. A worker's table comes back through a file in ``/dev/shm``
    (:func:`~vxlan_inspect.frames.table.ship`).
    """
    import multiprocessing
    import threading
    from collections import deque
    from concurrent.futures import Future

    parts: list[RawTable | None] = [None] * len(jobs_args)
    todo = deque(range(len(jobs_args)))
    lock = threading.Lock()
    futures: dict[int, Future[RawTable | Shipped]] = {}
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs - 1, mp_context=ctx) as pool:

        def hand_out(_done: object = None) -> None:
            with lock:
                if not todo:
                    return
                i = todo.popleft()
                future = futures[i] = pool.submit(_read_job, jobs_args[i])
            future.add_done_callback(hand_out)

        try:
            for _ in range(jobs - 1):
                hand_out()
            while True:
                with lock:
                    if not todo:
                        break
                    i = todo.pop()
                path, label, config, columns = jobs_args[i]
                parts[i] = read_raw(path, label, config, progress, columns)
            while True:  # the workers' files; a callback may still be handing out the last ones
                with lock:
                    waiting = [i for i in futures if parts[i] is None]
                    if not waiting and not todo:
                        break
                for i in waiting:
                    parts[i] = unship(futures[i].result())
                    if progress is not None:
                        size = os.path.getsize(jobs_args[i][0])
                        progress(jobs_args[i][1], size, size)
                if not waiting:
                    threading.Event().wait(0.001)
        except BaseException:
            with lock:
                todo.clear()
            pool.shutdown(wait=True, cancel_futures=True)
            for i, future in futures.items():  # tables shipped but never taken: free their files
                if parts[i] is None and future.done() and not future.cancelled() and future.exception() is None:
                    unship(future.result())
            raise
    return [p for p in parts if p is not None]
