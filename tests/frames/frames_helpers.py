"""Shared helpers: the reference table of a capture, built record by record with decode_packet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from vxlan_inspect.capture import open_capture
from vxlan_inspect.decode import decode_record
from vxlan_inspect.frames import packet_to_row, rows_to_frame

ROOT = Path(__file__).resolve().parents[2]
BASIC = sorted((ROOT / "captures" / "basic").glob("*.pcap*"))
BUNDLES = sorted((ROOT / "captures" / "bundles").glob("*/captures/*.pcap"))
BAD = ROOT / "tests" / "data" / "bad"


def reference_frame(path: Path, label: str) -> pd.DataFrame:
    """The table built only from the reference decoder (no columnar path)."""
    with open_capture(path) as cap:
        rows = [packet_to_row(decode_record(rec)) for rec in cap]
    return rows_to_frame(rows, label)
