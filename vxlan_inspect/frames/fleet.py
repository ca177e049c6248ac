"""Beyond one machine: the same per-file decoder as partitions of a dask DataFrame.

Each file is one partition, decoded by :func:`~vxlan_inspect.frames.reader.read_file`
on a dask.distributed worker (a ``LocalCluster`` unless a scheduler address or
``Client`` is given; the client becomes this process's default, close it with
``distributed.default_client().close()``). Files must be readable at the same
path on the workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vxlan_inspect.decode.decoder import DecodeConfig
from vxlan_inspect.errors import EnvironmentProblem
from vxlan_inspect.frames.schema import NAMES, empty_frame


def _client(scheduler: Any) -> Any:
    from dask.distributed import Client, LocalCluster

    if scheduler is None:
        cluster = LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None)  # type: ignore[no-untyped-call]
        return Client(cluster)  # type: ignore[no-untyped-call]
    if isinstance(scheduler, str):
        return Client(scheduler)  # type: ignore[no-untyped-call]
    return scheduler


def read_packets_dask(paths: Sequence[str], labels: Sequence[str], config: DecodeConfig,
                      columns: Sequence[str] | None, scheduler: Any = None) -> Any:
    """A dask DataFrame, one partition per file, on a dask.distributed cluster (see module doc)."""
    try:
        import dask.dataframe as dd
        from dask.delayed import delayed
    except ImportError as exc:
        raise EnvironmentProblem("dask is not installed", hint="pip install 'vxlan-inspect[fleet]'") from exc
    from vxlan_inspect.frames.reader import read_file

    client = _client(scheduler)
    meta = empty_frame()
    if columns is not None:
        meta = meta[[c for c in columns if c in NAMES]]
    parts = [delayed(read_file)(p, lab, config, None, columns) for p, lab in zip(paths, labels, strict=True)]
    del client  # the (default) client of this process now computes the frame
    return dd.from_delayed(parts, meta=meta, verify_meta=False)
