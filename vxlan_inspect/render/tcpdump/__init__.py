"""tcpdump-compatible text for captured packets (the reference is tcpdump 4.99.3).

>>> from vxlan_inspect.render.tcpdump import Options, PacketFormatter
>>> fmt = PacketFormatter(Options(eflag=1))
>>> # fmt.format(index, ts_ns, linktype, caplen, wirelen, data) -> one packet's text
"""

from vxlan_inspect.render.tcpdump.context import Options
from vxlan_inspect.render.tcpdump.packet import PacketFormatter

__all__ = ["Options", "PacketFormatter"]
