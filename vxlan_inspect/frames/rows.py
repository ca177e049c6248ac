"""The reference path: one :class:`~vxlan_inspect.decode.Packet` to one table row.

Every packet the columnar fast path does not recognise goes through here, and
the tests build whole tables through here to prove the fast path equal to it.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    Layer,
    LinuxSLL,
    Packet,
    Vlan,
)

Row = dict[str, object]


def _payload_fields(row: Row, layers: list[Layer], start: int) -> None:
    """ARP/ICMP/TCP/UDP fields of the chain starting at ``layers[start]`` (a network layer)."""
    if start >= len(layers):
        return
    net = layers[start]
    if isinstance(net, ARP):
        row["arp_op"] = net.op
        row["arp_sha"] = net.sha
        row["arp_spa"] = net.spa
        row["arp_tha"] = net.tha
        row["arp_tpa"] = net.tpa
        return
    if not isinstance(net, (IPv4, IPv6)) or start + 1 >= len(layers):
        return
    tr = layers[start + 1]
    if isinstance(tr, (ICMP, ICMPv6)):
        row["icmp_type"] = tr.type
        row["icmp_code"] = tr.code
        row["icmp_id"] = tr.id
        row["icmp_seq"] = tr.seq
    elif isinstance(tr, (TCP, UDP)):
        row["sport"] = tr.sport
        row["dport"] = tr.dport
        if isinstance(tr, TCP):
            row["tcp_flags"] = tr.flags


def _ip_fields(row: Row, net: IPv4 | IPv6, prefix: str) -> None:
    row[prefix + "version"] = 4 if isinstance(net, IPv4) else 6
    row[prefix + "src"] = net.src
    row[prefix + "dst"] = net.dst
    row[prefix + "proto"] = net.proto
    if isinstance(net, IPv4):
        row[prefix + "id"] = net.id
        row[prefix + "len"] = net.total_length
        if prefix == "ip_":
            row["ip_ttl"] = net.ttl
            row["ip_df"] = net.df
    else:
        row[prefix + "len"] = (40 + net.payload_length) & 0xFFFF
        if prefix == "ip_":
            row["ip_ttl"] = net.hop_limit


def _link_chain(row: Row, layers: list[Layer], i: int, inner: bool) -> int:
    """Fill link fields from ``layers[i:]``; return the index of the network layer after them."""
    n = len(layers)
    if i < n:
        link = layers[i]
        if isinstance(link, Ethernet):
            row["inner_eth_src" if inner else "eth_src"] = link.src
            row["inner_eth_dst" if inner else "eth_dst"] = link.dst
            row["inner_ethertype" if inner else "ethertype"] = link.type
            i += 1
        elif isinstance(link, LinuxSLL) and not inner:
            row["direction"] = link.direction
            row["ifindex"] = link.ifindex
            row["eth_src"] = link.addr
            row["ethertype"] = link.protocol
            i += 1
        elif link.name == "null" and not inner:
            i += 1
    tags = 0
    while i < n and isinstance(layers[i], Vlan):
        vlan = layers[i]
        assert isinstance(vlan, Vlan)
        if not inner:
            if tags == 0:
                row["vlan"] = vlan.vid
            elif tags == 1:
                row["vlan_inner"] = vlan.vid
            row["ethertype"] = vlan.type
        else:
            row["inner_ethertype"] = vlan.type
        tags += 1
        i += 1
    return i


def packet_to_row(pkt: Packet) -> Row:
    """The table row of one decoded packet: only the fields present (the rest take the defaults)."""
    layers = pkt.layers
    row: Row = {
        "frame": pkt.index,
        "time": pkt.ts_ns,
        "linktype": pkt.linktype,
        "caplen": pkt.caplen,
        "wirelen": pkt.wirelen,
        "layers": " ".join(layer.name for layer in layers if layer.name != "payload"),
        "truncated": pkt.truncated,
        "invalid": pkt.invalid,
    }
    n = len(layers)
    i = _link_chain(row, layers, 0, inner=False)
    net_at = i
    vx_at = -1
    if i < n and isinstance(layers[i], (IPv4, IPv6)):
        net = layers[i]
        assert isinstance(net, (IPv4, IPv6))
        _ip_fields(row, net, "ip_")
        if i + 1 < n and isinstance(layers[i + 1], UDP):
            udp = layers[i + 1]
            assert isinstance(udp, UDP)
            row["udp_sport"] = udp.sport
            row["udp_dport"] = udp.dport
            if i + 2 < n and isinstance(layers[i + 2], VXLAN):
                vx_at = i + 2
    if vx_at < 0:
        _payload_fields(row, layers, net_at)
        return row
    vx = layers[vx_at]
    assert isinstance(vx, VXLAN)
    row["vxlan_flags"] = vx.flags
    row["vxlan_i"] = vx.i_flag
    row["vni"] = vx.vni
    row["gbp_policy_id"] = vx.policy_id
    j = _link_chain(row, layers, vx_at + 1, inner=True)
    if j < n and isinstance(layers[j], (IPv4, IPv6)) and j > vx_at + 1:
        inner_net = layers[j]
        assert isinstance(inner_net, (IPv4, IPv6))
        _ip_fields(row, inner_net, "inner_ip_")
    if j > vx_at + 1:
        _payload_fields(row, layers, j)
    return row


def packets_to_rows(packets: Iterable[Packet]) -> list[Row]:
    """Rows for many packets (the reference table's contents)."""
    return [packet_to_row(p) for p in packets]
