"""Assemble a packet table from column arrays (fast path) and row dicts (reference path)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from vxlan_inspect.frames.rows import Row
from vxlan_inspect.frames.schema import CATEGORICAL, COLUMNS, NUMERIC, default_of
from vxlan_inspect.frames.table import RawTable, assemble, code_dtype

Formatter = Callable[[int], str]
#: datetime64[ns]'s "not a time", and the largest time it holds.
NAT = -(1 << 63)
INT64_MAX = (1 << 63) - 1


def format_mac(key: int) -> str:
    """``02:42:c0:a8:0a:64`` for a 48-bit integer."""
    return key.to_bytes(6, "big").hex(":")


def format_ipv4(key: int) -> str:
    """Dotted quad for a 32-bit integer."""
    return "%d.%d.%d.%d" % (key >> 24, (key >> 16) & 255, (key >> 8) & 255, key & 255)


class TableBuilder:
    """Column arrays for ``n`` rows, pre-filled with the schema's "absent" values."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.num: dict[str, npt.NDArray[np.generic]] = {}
        for name in NUMERIC:
            dtype = np.dtype(dict(COLUMNS)[name])
            fill = default_of(name)
            self.num[name] = np.full(n, fill, dtype=dtype) if fill else np.zeros(n, dtype=dtype)
        self.ts = np.zeros(n, dtype=np.int64)
        self.keyed: dict[str, list[tuple[npt.NDArray[np.intp], npt.NDArray[np.uint64], Formatter]]] = {}
        self.fixed: dict[str, list[tuple[npt.NDArray[np.intp], str]]] = {}
        self.strings: dict[str, dict[int, str]] = {name: {} for name in CATEGORICAL}

    def add_keys(self, name: str, rows: npt.NDArray[np.intp], keys: npt.NDArray[np.uint64], fmt: Formatter) -> None:
        """Rows ``rows`` of string column ``name`` hold ``fmt(key)`` for their integer ``keys``."""
        if len(rows):
            self.keyed.setdefault(name, []).append((rows, keys, fmt))

    def add_constant(self, name: str, rows: npt.NDArray[np.intp], value: str) -> None:
        """Rows ``rows`` of string column ``name`` all hold ``value``."""
        if len(rows):
            self.fixed.setdefault(name, []).append((rows, value))

    def set_rows(self, positions: Sequence[int], rows: Sequence[Row]) -> None:
        """Write reference rows (dicts of present fields) at ``positions``."""
        num, strings = self.num, self.strings
        for pos, row in zip(positions, rows, strict=True):
            for key, value in row.items():
                if key == "time":  # a time datetime64[ns] cannot hold (before 1678, after 2262) is NaT
                    self.ts[pos] = value if NAT < value <= INT64_MAX else NAT  # type: ignore[call-overload,operator]
                elif key in strings:
                    strings[key][pos] = value  # type: ignore[assignment]
                else:
                    num[key][pos] = value  # type: ignore[assignment]

    def _codes(self, name: str) -> tuple[npt.NDArray[np.signedinteger], list[str]]:
        codes = np.full(self.n, -1, dtype=np.int32)
        parts: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], list[str]]] = []
        names: set[str] = set()
        for rows, keys, fmt in self.keyed.get(name, ()):
            local, uniques = pd.factorize(keys)
            labels = [fmt(int(k)) for k in uniques]
            names.update(labels)
            parts.append((rows, np.asarray(local, dtype=np.intp), labels))
        for rows, value in self.fixed.get(name, ()):
            names.add(value)
            parts.append((rows, np.zeros(len(rows), dtype=np.intp), [value]))
        extra = self.strings[name]
        names.update(extra.values())
        categories = sorted(names)
        index = {c: i for i, c in enumerate(categories)}
        for rows, local, labels in parts:
            lut = np.array([index[s] for s in labels], dtype=np.int32)
            codes[rows] = lut[local]
        for pos, value in extra.items():
            codes[pos] = index[value]
        return codes.astype(code_dtype(len(categories))), categories

    def raw(self) -> RawTable:
        """The columns as arrays (string columns as codes into sorted per-table categories)."""
        raw = RawTable(self.n)
        for name, dtype in COLUMNS:
            if name == "time":
                raw.numeric[name] = self.ts
            elif dtype == "category":
                raw.codes[name], raw.categories[name] = self._codes(name)
            else:
                raw.numeric[name] = self.num[name]
        return raw

    def finish(self) -> pd.DataFrame:
        """The table, columns in schema order."""
        return assemble([self.raw()])


def rows_to_frame(rows: Sequence[Row], capture_point: str | None = None) -> pd.DataFrame:
    """The reference table: every row from :func:`~vxlan_inspect.frames.rows.packet_to_row`."""
    builder = TableBuilder(len(rows))
    builder.set_rows(range(len(rows)), rows)
    if capture_point is not None:
        builder.add_constant("capture_point", np.arange(len(rows)), capture_point)
    return builder.finish()
