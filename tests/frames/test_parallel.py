"""Many files: worker processes and the dask engine give the same table as one process."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from frames_helpers import ROOT

from vxlan_inspect.errors import InputError, UsageError
from vxlan_inspect.frames import concat_frames, read_packets

FILES = [ROOT / "captures/basic" / n for n in ("vxlan-icmp.pcap", "vxlan-arp.pcap", "vxlan-icmp.pcapng",
                                               "overlay-any-sll2.pcap")]


def test_workers_equal_one_process() -> None:
    pd.testing.assert_frame_equal(read_packets(FILES, jobs=2), read_packets(FILES, jobs=1))


def test_labels_mapping_and_errors(tmp_path: object) -> None:
    df = read_packets(FILES[:2], capture_point={str(FILES[0]): "docker-1"}, jobs=1)
    assert df["capture_point"].unique().tolist() == ["docker-1", "vxlan-arp"]
    with pytest.raises(UsageError):
        read_packets(FILES[:2], capture_point="one")
    with pytest.raises(InputError):
        read_packets(ROOT / "captures/basic/no-such.pcap")
    with pytest.raises(UsageError):
        read_packets(FILES[0], columns=["nope"])


@pytest.mark.slow
def test_dask_localcluster_equals_pandas() -> None:
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None,
                                  processes=True) as cluster, distributed.Client(cluster) as client:
        ddf = read_packets(FILES, engine="dask", scheduler=client)
        assert ddf.npartitions == len(FILES)
        got = concat_frames([ddf.compute()])
    pd.testing.assert_frame_equal(got, read_packets(FILES, jobs=1))


def test_a_bad_file_among_many_raises_and_leaves_no_shared_memory(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"not a capture at all, just text\n")
    before = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    with pytest.raises(InputError):
        read_packets([*FILES, bad, *FILES], jobs=2)
    after = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    assert not {n for n in after - before if n.startswith("vxlan-inspect-")}


def test_worker_tables_come_back_through_shared_memory() -> None:
    from vxlan_inspect.frames.reader import read_raw
    from vxlan_inspect.frames.table import Shipped, ship, unship

    raw = read_raw(str(FILES[0]))
    shipped = ship(raw)
    if os.path.isdir("/dev/shm"):
        assert isinstance(shipped, Shipped) and os.path.exists(shipped.path)
    back = unship(shipped)
    if isinstance(shipped, Shipped):
        assert not os.path.exists(shipped.path)
    assert back.n == raw.n and back.categories == raw.categories
    for name, arr in raw.numeric.items():
        assert (back.numeric[name] == arr).all() and back.numeric[name].dtype == arr.dtype
    for name, arr in raw.codes.items():
        assert (back.codes[name] == arr).all() and back.codes[name].dtype == arr.dtype
