"""Acceptance 1 (overlay keywords): our selection equals an independent pandas query.

The oracle table is built here with dpkt (not our decoder): one row per
packet with the VXLAN header fields and the inner frame's fields; each
overlay expression has a pandas ``DataFrame.query`` twin. Captures: every
shipped one, plus copies of ``vxlan-icmp.pcap`` with the VXLAN flags
rewritten (G bit set, I bit cleared), since no shipped capture has them.
"""

from __future__ import annotations

import ipaddress
import struct
from pathlib import Path

import dpkt
import pandas as pd
import pytest

from vxlan_inspect.capture import open_capture
from vxlan_inspect.capture.record import Record
from vxlan_inspect.decode import decode_packet
from vxlan_inspect.filter import compile_filter

ROOT = Path(__file__).resolve().parents[2]
CAPTURES = sorted((ROOT / "captures" / "basic").glob("*.pcap*"))
PORTS = (4789, 8472)

PAIRS = [
    ("vxlan", "vxlan"),
    ("vni 256", "vxlan and vni == 256"),
    ("vni 1-255", "vxlan and vni >= 1 and vni <= 255"),
    ("vni 256-300", "vxlan and vni >= 256 and vni <= 300"),
    ("vtep 192.168.1.4", "vxlan and (vtep_src == '192.168.1.4' or vtep_dst == '192.168.1.4')"),
    ("src vtep 192.168.1.5", "vxlan and vtep_src == '192.168.1.5'"),
    ("dst vtep fd00:4789::4", "vxlan and vtep_dst == 'fd00:4789::4'"),
    ("gbp", "vxlan and gbit"),
    ("vxlan-invalid", "vxlan and not ibit"),
    ("inner icmp", "in_type == 'ip' and in_proto == 1"),
    ("inner arp", "in_type == 'arp'"),
    ("inner tcp", "in_type in ['ip', 'ip6'] and in_proto == 6"),
    ("inner udp", "in_type in ['ip', 'ip6'] and in_proto == 17"),
    ("inner icmp6", "in_type == 'ip6' and in_proto == 58"),
    ("inner ip6", "in_type == 'ip6'"),
    ("inner ip", "in_type == 'ip'"),
    ("inner host 192.168.10.100", "in_src == '192.168.10.100' or in_dst == '192.168.10.100'"),
    ("inner src host 192.168.10.2", "in_src == '192.168.10.2'"),
    ("inner dst host fd00:10::100", "in_type == 'ip6' and in_dst == 'fd00:10::100'"),
    ("inner port 8080", "in_proto in [6, 17] and (in_sport == 8080 or in_dport == 8080)"),
    ("inner tcp dst port 8080", "in_proto == 6 and in_dport == 8080"),
    ("inner udp port 7777", "in_proto == 17 and (in_sport == 7777 or in_dport == 7777)"),
    ("inner ether host 02:42:c0:a8:0a:64", "in_smac == '02:42:c0:a8:0a:64' or in_dmac == '02:42:c0:a8:0a:64'"),
    ("inner ether dst ff:ff:ff:ff:ff:ff", "in_dmac == 'ff:ff:ff:ff:ff:ff'"),
    ("inner icmp[icmptype] == icmp-echo", "in_type == 'ip' and in_proto == 1 and in_l4type == 8"),
    ("inner icmp6[icmp6type] == icmp6-neighborsolicit", "in_type == 'ip6' and in_proto == 58 and in_l4type == 135"),
    ("inner tcp[tcpflags] & tcp-syn != 0", "in_proto == 6 and in_tcpflags >= 0 and in_tcpflags % 4 >= 2"),
    ("inner[1] icmp", "in_type == 'ip' and in_proto == 1"),
    ("inner[2] icmp", "vxlan and not vxlan"),
    ("vni 256 and inner icmp and inner host 192.168.10.100",
     "vxlan and vni == 256 and in_type == 'ip' and in_proto == 1 "
     "and (in_src == '192.168.10.100' or in_dst == '192.168.10.100')"),
    ("inner net 192.168.10.0/24", "in_src.str.startswith('192.168.10.') or in_dst.str.startswith('192.168.10.')"),
    ("not inner icmp", "not (in_type == 'ip' and in_proto == 1)"),
    ("vtep 192.168.1.4 and inner arp", "vxlan and (vtep_src == '192.168.1.4' or vtep_dst == '192.168.1.4') "
                                       "and in_type == 'arp'"),
    ("udp and inner (arp or icmp)", "in_type == 'arp' or (in_type == 'ip' and in_proto == 1)"),
    ("inner len > 100", "wirelen > 100 and vxlan"),
]


def _ip(b: bytes) -> str:
    return str(ipaddress.ip_address(b))


def _row(rec: Record) -> dict[str, object]:
    row: dict[str, object] = {"vxlan": False, "vni": -1, "gbit": False, "ibit": False, "vtep_src": "",
                              "vtep_dst": "", "in_type": "", "in_proto": -1, "in_src": "", "in_dst": "",
                              "in_sport": -1, "in_dport": -1, "in_smac": "", "in_dmac": "", "in_l4type": -1,
                              "in_tcpflags": -1, "wirelen": rec.wirelen}
    link = {1: dpkt.ethernet.Ethernet, 113: dpkt.sll.SLL, 276: dpkt.sll2.SLL2}.get(rec.linktype)
    if link is None:
        return row
    try:
        outer = link(rec.data).data
    # e.g. dpkt's STP class needs 35 bytes (a TCN BPDU has 4); dpkt's MPLS payload guess raises
    # IndexError on a label stack with no payload. Not VXLAN either way.
    except (dpkt.UnpackError, IndexError):
        return row
    if not isinstance(outer, (dpkt.ip.IP, dpkt.ip6.IP6)) or not isinstance(outer.data, dpkt.udp.UDP):
        return row
    udp = outer.data
    if udp.sport not in PORTS and udp.dport not in PORTS:
        return row
    vx = bytes(udp.data)
    if len(vx) < 8:
        return row
    row.update(vxlan=True, vni=struct.unpack("!I", vx[4:8])[0] >> 8, gbit=bool(vx[0] & 0x80),
               ibit=bool(vx[0] & 0x08), vtep_src=_ip(outer.src), vtep_dst=_ip(outer.dst))
    row.update(in_smac=vx[14:20].hex(":"), in_dmac=vx[8:14].hex(":"))
    try:
        inner = dpkt.ethernet.Ethernet(vx[8:])
    except dpkt.UnpackError:  # an inner frame dpkt cannot parse (an STP TCN BPDU): addresses only
        return row
    net = inner.data
    if not _whole_ip_header(inner.type, vx[22:]):
        # 'inner ip'/'inner ip6' test the ethertype (as libpcap's 'ip' does); the rest needs a
        # whole, valid IP header, which dpkt does not insist on (ip-edges.pcap cuts some).
        row.update(in_type={0x0800: "ip", 0x86DD: "ip6"}.get(inner.type, ""))
        return row
    if isinstance(net, dpkt.arp.ARP):
        row.update(in_type="arp", in_src=_ip(net.spa), in_dst=_ip(net.tpa))
    elif inner.type == 0x0806:
        # 'inner arp' tests the ethertype and 'host' the addresses at fixed offsets, as libpcap
        # does; dpkt leaves an ARP message cut by the capture unparsed (icmp-edges.pcap has one
        # inside VXLAN): take the addresses that were captured.
        arp = vx[22:]
        row.update(in_type="arp", in_src=_ip(arp[14:18]) if len(arp) >= 18 else "",
                   in_dst=_ip(arp[24:28]) if len(arp) >= 28 else "")
    elif isinstance(net, (dpkt.ip.IP, dpkt.ip6.IP6)):
        row.update(in_type="ip" if isinstance(net, dpkt.ip.IP) else "ip6", in_src=_ip(net.src), in_dst=_ip(net.dst),
                   in_proto=net.p if isinstance(net, dpkt.ip.IP) else net.nxt)
        l4 = net.data
        if isinstance(net, dpkt.ip.IP) and net.offset:
            return row  # a later fragment: no transport header (dpkt parses one anyway)
        if isinstance(l4, (dpkt.tcp.TCP, dpkt.udp.UDP)):
            row.update(in_sport=l4.sport, in_dport=l4.dport)
        if isinstance(l4, dpkt.tcp.TCP):
            row.update(in_tcpflags=l4.flags)
        if isinstance(l4, (dpkt.icmp.ICMP, dpkt.icmp6.ICMP6)):
            row.update(in_l4type=l4.type)
        elif isinstance(l4, bytes) and l4 and row["in_proto"] in (1, 58):
            # dpkt wants 4 bytes of ICMP header and leaves a shorter one as bytes; the filter's
            # icmp[icmptype] needs only the type byte (icmp-edges.pcap cuts one after 3 bytes).
            row.update(in_l4type=l4[0])
    return row


def _whole_ip_header(etype: int, net: bytes) -> bool:
    """False when an IPv4/IPv6 header is cut short by the capture or invalid (version, IHL)."""
    if etype == 0x0800:
        return len(net) >= 20 and net[0] >> 4 == 4 and (net[0] & 15) >= 5 and len(net) >= (net[0] & 15) * 4
    if etype == 0x86DD:
        return len(net) >= 40 and net[0] >> 4 == 6
    return True


def _records() -> list[tuple[str, Record]]:
    out: list[tuple[str, Record]] = []
    for path in CAPTURES:
        with open_capture(str(path)) as cap:
            out.extend((path.name, r) for r in cap)
    with open_capture(str(ROOT / "captures" / "basic" / "vxlan-icmp.pcap")) as cap:
        for r in cap:
            data = bytearray(r.data)
            if len(data) > 50 and data[23] == 17:
                for flags, tag in ((0x88, "gbp"), (0x00, "invalid")):
                    data[42] = flags
                    out.append((tag, Record(r.index, r.ts_ns, r.linktype, r.caplen, r.wirelen, bytes(data),
                                            r.interface)))
    return out


RECORDS = _records()
TABLE = pd.DataFrame([_row(r) for _, r in RECORDS])


@pytest.mark.parametrize(("expr", "query"), PAIRS, ids=[p[0] for p in PAIRS])
def test_overlay_keyword_equals_pandas_query(expr: str, query: str) -> None:
    flt = compile_filter(expr)
    want = list(TABLE.query(query, engine="python").index)
    raw = [i for i, (_, r) in enumerate(RECORDS) if flt.match_record(r.data, r.linktype, r.wirelen)]
    decoded = [i for i, (_, r) in enumerate(RECORDS)
               if flt.matches(decode_packet(r.data, r.linktype, wirelen=r.wirelen))]
    assert raw == want
    assert decoded == want


def test_the_oracle_sees_every_kind() -> None:
    assert TABLE["vxlan"].sum() > 60 and TABLE.gbit.sum() >= 8 and (TABLE["vxlan"] & ~TABLE.ibit).sum() >= 8
    assert set(TABLE.in_type) >= {"ip", "ip6", "arp"}
