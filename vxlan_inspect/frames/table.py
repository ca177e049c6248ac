"""Packet tables as plain column arrays, and their one-step assembly into a DataFrame.

A :class:`RawTable` is what one file decodes to before pandas is involved:
numeric columns as numpy arrays and each string column as codes (the narrowest
signed integer that fits) into that file's own sorted list of strings. A worker
process hands one back through a file in ``/dev/shm`` (:func:`ship`,
:func:`unship`), flat buffers that the parent maps and copies once.

:func:`assemble` turns any number of them into one table in one step: the
string lists are merged once (sorted), each file's codes are remapped through a
lookup array, and the DataFrame is built once. Concatenating finished
DataFrames instead would rebuild pandas' blocks per file and again at the end.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from vxlan_inspect.frames.schema import COLUMNS, DTYPES, empty_frame


def code_dtype(n_categories: int) -> np.dtype[np.signedinteger]:
    """The narrowest signed integer holding codes -1 .. n_categories - 1 (pandas' own choice)."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


@dataclass
class RawTable:
    """The columns of ``n`` packets; ``time`` is int64 nanoseconds since the epoch (UTC)."""

    n: int
    numeric: dict[str, npt.NDArray[np.generic]] = field(default_factory=dict)
    codes: dict[str, npt.NDArray[np.signedinteger]] = field(default_factory=dict)  # -1: absent
    categories: dict[str, list[str]] = field(default_factory=dict)  # sorted, per string column

    def select(self, columns: Sequence[str]) -> RawTable:
        """Only ``columns`` (already checked against the schema)."""
        keep = set(columns)
        return RawTable(self.n, {k: v for k, v in self.numeric.items() if k in keep},
                        {k: v for k, v in self.codes.items() if k in keep},
                        {k: v for k, v in self.categories.items() if k in keep})

    def names(self) -> list[str]:
        """Column names present, in schema order."""
        return [name for name, _ in COLUMNS if name in self.numeric or name in self.codes]


_SHM = "/dev/shm"
#: Tables at least this long are joined in threads (see :func:`assemble`).
_THREADED_ROWS = 200_000


@dataclass
class Shipped:
    """A :class:`RawTable` written to a file in shared memory by a worker process (see :func:`ship`)."""

    path: str
    n: int
    layout: list[tuple[str, str, int, int]]  # name, dtype, byte offset, length
    categories: dict[str, list[str]]


def ship(raw: RawTable) -> RawTable | Shipped:
    """Hand ``raw`` to the parent process through a file in ``/dev/shm`` instead of the result pipe.

    The parent maps the file (:func:`unship`), so its columns are copied once, straight into
    the final table, instead of being pickled, piped and unpickled. Falls back to ``raw``
    itself (sent through the pipe) when there is no ``/dev/shm`` or no room in it.
    """
    if not os.path.isdir(_SHM):
        return raw
    fd, path = tempfile.mkstemp(prefix="vxlan-inspect-", suffix=".cols", dir=_SHM)
    try:
        layout = []
        with os.fdopen(fd, "wb") as f:
            for name, arr in (*raw.numeric.items(), *raw.codes.items()):
                arr = np.ascontiguousarray(arr)
                layout.append((name, arr.dtype.str, f.tell(), len(arr)))
                f.write(arr.data)
    except OSError:
        os.unlink(path)
        return raw
    return Shipped(path, raw.n, layout, raw.categories)


def unship(item: RawTable | Shipped) -> RawTable:
    """The table a worker shipped; its file is unlinked at once (the mapping keeps the data)."""
    if isinstance(item, RawTable):
        return item
    try:
        size = os.path.getsize(item.path)
        buf = np.memmap(item.path, mode="r") if size else np.zeros(0, dtype=np.uint8)
    finally:
        os.unlink(item.path)
    raw = RawTable(item.n, categories=item.categories)
    for name, dtype, offset, length in item.layout:
        arr = np.frombuffer(buf, dtype=np.dtype(dtype), count=length, offset=offset)
        (raw.codes if name in item.categories else raw.numeric)[name] = arr
    return raw


def raw_of_frame(df: pd.DataFrame) -> RawTable:
    """The arrays behind a packet table (any subset of the schema's columns)."""
    raw = RawTable(len(df))
    for name in df.columns:
        col = df[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            raw.codes[name] = col.cat.codes.to_numpy()
            raw.categories[name] = [str(c) for c in col.cat.categories]
        elif name == "time":
            raw.numeric[name] = col.dt.tz_convert("UTC").array.asi8
        else:
            raw.numeric[name] = col.to_numpy(dtype=DTYPES[name])
    return raw


def _merged_codes(name: str, parts: Sequence[RawTable], n: int) -> pd.Categorical:
    first = parts[0].categories[name]
    if len(parts) == 1 and first == sorted(first):
        categories, codes = first, parts[0].codes[name]
    else:
        categories = sorted(set().union(*(p.categories[name] for p in parts)))
        index = {c: i for i, c in enumerate(categories)}
        dtype = code_dtype(len(categories))
        codes = np.empty(n, dtype=dtype)
        at = 0
        for p in parts:
            # The last slot maps code -1 (absent) to itself.
            lut = np.array([index[c] for c in p.categories[name]] + [-1], dtype=dtype)
            codes[at:at + p.n] = lut[p.codes[name]]
            at += p.n
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=str), validate=False)


def assemble(parts: Sequence[RawTable], threads: int = 1) -> pd.DataFrame:
    """One table from the raw tables of several files, in order; string categories sorted and merged.

    With ``threads`` > 1 and much to copy, columns are joined in that many threads (numpy
    copies without holding the GIL), so the cores that decoded the files share this step too.
    """
    if not parts:
        return empty_frame()
    n = sum(p.n for p in parts)
    names = parts[0].names()

    def column(name: str) -> object:
        if name in parts[0].codes:
            return _merged_codes(name, parts, n)
        arrays = [p.numeric[name] for p in parts]
        values = arrays[0] if len(arrays) == 1 else np.concatenate(arrays)
        if name == "time":
            return pd.DatetimeIndex(values.view("datetime64[ns]")).tz_localize("UTC")
        return values

    if threads > 1 and len(parts) > 1 and n >= _THREADED_ROWS:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            columns = list(pool.map(column, names))
    else:
        columns = [column(name) for name in names]
    return pd.DataFrame(dict(zip(names, columns, strict=True)), copy=False)


def concat_frames(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate packet tables; string columns stay categorical, with the sorted union of categories."""
    if not frames:
        return empty_frame()
    return assemble([raw_of_frame(f) for f in frames])
