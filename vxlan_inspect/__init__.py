"""vxlan-inspect: decode VXLAN captures exactly as tcpdump does, collect overlay state, explain pings."""

__version__ = "0.1.0"
