"""The packet table's schema: one row per captured frame, fixed-width columns.

Rules (documented with the full table in ``docs/frames.md``):

- *outer* fields come from the layers before the first VXLAN header
  (:meth:`Packet.outer`); ``udp_*`` is the UDP header carried directly by the
  outer IP header;
- ``vxlan_*``/``vni``/``gbp_policy_id`` come from the first VXLAN header and the
  ``inner_*`` fields from the frame it carries (:meth:`Packet.inner` at depth 1);
- the *payload* fields (``arp_*``, ``icmp_*``, ``sport``/``dport``, ``tcp_flags``)
  describe the inner frame when the packet is tunnelled, else the outer one;
  what an ICMP error quotes is not spread into columns;
- a number whose layer is absent is 0, except ``vlan``, ``vlan_inner``, ``vni``,
  ``icmp_type`` and ``icmp_code``, which are -1 (0 is a meaningful value there);
  an absent address is NaN; ``layers`` names the decoded layers (without
  ``payload``), so ``"vxlan" in layers`` tells a tunnelled packet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: (column, dtype) in table order. "category" columns hold strings.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("frame", "uint32"),
    ("time", "datetime64[ns, UTC]"),
    ("capture_point", "category"),
    ("linktype", "uint16"),
    ("direction", "category"),
    ("ifindex", "uint32"),
    ("caplen", "uint32"),
    ("wirelen", "uint32"),
    ("layers", "category"),
    ("eth_src", "category"),
    ("eth_dst", "category"),
    ("ethertype", "uint16"),
    ("vlan", "int16"),
    ("vlan_inner", "int16"),
    ("ip_version", "uint8"),
    ("ip_src", "category"),
    ("ip_dst", "category"),
    ("ip_ttl", "uint8"),
    ("ip_id", "uint16"),
    ("ip_df", "bool"),
    ("ip_len", "uint16"),
    ("ip_proto", "uint8"),
    ("udp_sport", "uint16"),
    ("udp_dport", "uint16"),
    ("vxlan_flags", "uint8"),
    ("vxlan_i", "bool"),
    ("vni", "int32"),
    ("gbp_policy_id", "uint16"),
    ("inner_eth_src", "category"),
    ("inner_eth_dst", "category"),
    ("inner_ethertype", "uint16"),
    ("inner_ip_version", "uint8"),
    ("inner_ip_src", "category"),
    ("inner_ip_dst", "category"),
    ("inner_ip_proto", "uint8"),
    ("inner_ip_id", "uint16"),
    ("inner_ip_len", "uint16"),
    ("arp_op", "uint16"),
    ("arp_sha", "category"),
    ("arp_spa", "category"),
    ("arp_tha", "category"),
    ("arp_tpa", "category"),
    ("icmp_type", "int16"),
    ("icmp_code", "int16"),
    ("icmp_id", "uint16"),
    ("icmp_seq", "uint16"),
    ("sport", "uint16"),
    ("dport", "uint16"),
    ("tcp_flags", "uint8"),
    ("truncated", "bool"),
    ("invalid", "bool"),
)

NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
DTYPES: dict[str, str] = dict(COLUMNS)
#: Columns holding strings (addresses and labels) as pandas categoricals.
CATEGORICAL: tuple[str, ...] = tuple(name for name, dtype in COLUMNS if dtype == "category")
#: Numeric columns whose "absent" value is -1 instead of 0.
MINUS_ONE: frozenset[str] = frozenset({"vlan", "vlan_inner", "vni", "icmp_type", "icmp_code"})
NUMERIC: tuple[str, ...] = tuple(n for n, d in COLUMNS if d not in ("category", "datetime64[ns, UTC]"))


def default_of(name: str) -> int:
    """The value a numeric column holds when its layer is absent."""
    return -1 if name in MINUS_ONE else 0


def empty_frame() -> pd.DataFrame:
    """A zero-row table with the schema's dtypes (also the ``meta`` of the dask path)."""
    data: dict[str, object] = {}
    for name, dtype in COLUMNS:
        if dtype == "category":
            data[name] = pd.Categorical.from_codes([], categories=pd.Index([], dtype=str))
        elif dtype.startswith("datetime64"):
            data[name] = pd.to_datetime(np.array([], dtype="datetime64[ns]"), utc=True)
        else:
            data[name] = np.array([], dtype=dtype)
    return pd.DataFrame(data)
