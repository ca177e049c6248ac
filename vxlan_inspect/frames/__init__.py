"""Captures as pandas tables: ``read_packets`` and the opt-in ``df.vxlan`` accessor.

>>> import vxlan_inspect.frames as vf  # registers df.vxlan
>>> df = vf.read_packets("captures/basic/vxlan-icmp.pcap")  # doctest: +SKIP
>>> df.vxlan.pings()  # doctest: +SKIP

The schema is in ``docs/frames.md`` and :mod:`vxlan_inspect.frames.schema`.
"""

from vxlan_inspect.frames import accessor as _accessor  # noqa: F401  (registers df.vxlan)
from vxlan_inspect.frames.build import rows_to_frame
from vxlan_inspect.frames.reader import expand_paths, read_file, read_packets
from vxlan_inspect.frames.rows import packet_to_row
from vxlan_inspect.frames.schema import COLUMNS, empty_frame
from vxlan_inspect.frames.table import concat_frames

__all__ = ["COLUMNS", "concat_frames", "empty_frame", "expand_paths", "packet_to_row", "read_file", "read_packets",
           "rows_to_frame"]
