"""Decoding: captured bytes to typed layers (``decode_packet``) and whole captures (``decode_capture``)."""

from collections.abc import Iterator

from vxlan_inspect.capture.record import Record
from vxlan_inspect.decode.decoder import DEFAULT_CONFIG, DecodeConfig, decode_packet
from vxlan_inspect.decode.layers import (
    ARP,
    ICMP,
    TCP,
    UDP,
    VXLAN,
    Ethernet,
    ICMPv6,
    IPv4,
    IPv6,
    Issue,
    Layer,
    LinuxSLL,
    Null,
    Packet,
    Payload,
    Vlan,
)


def decode_record(record: Record, config: DecodeConfig = DEFAULT_CONFIG) -> Packet:
    """Decode one :class:`~vxlan_inspect.capture.Record`."""
    return decode_packet(record.data, record.linktype, index=record.index, ts_ns=record.ts_ns,
                         wirelen=record.wirelen, config=config)


def decode_records(records: Iterator[Record], config: DecodeConfig = DEFAULT_CONFIG) -> Iterator[Packet]:
    """Decode every record of an iterator (for example ``open_capture(path)``)."""
    for record in records:
        yield decode_record(record, config)


__all__ = [
    "ARP", "DEFAULT_CONFIG", "ICMP", "TCP", "UDP", "VXLAN", "DecodeConfig", "Ethernet", "ICMPv6", "IPv4",
    "IPv6", "Issue", "Layer", "LinuxSLL", "Null", "Packet", "Payload", "Vlan", "decode_packet",
    "decode_record", "decode_records",
]
