"""Observations: the decoded facts of the few records :func:`pick_records` kept.

An :class:`Obs` is one packet seen at one capture point, reduced to what the
explanation needs (inner addresses, ICMP id/seq, ARP fields, VXLAN outer header,
Linux cooked direction and device) plus tcpdump's text for it, quoted as evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vxlan_inspect.decode import DecodeConfig, decode_packet
from vxlan_inspect.decode.layers import ARP, ICMP, UDP, VXLAN, Ethernet, IPv4, LinuxSLL
from vxlan_inspect.explain.inputs import CapturePoint
from vxlan_inspect.explain.model import Evidence
from vxlan_inspect.explain.scan import KIND_NAMES, Group, Scan
from vxlan_inspect.render.tcpdump import Options, PacketFormatter


@dataclass(frozen=True, slots=True)
class Obs:
    """One packet at one capture point."""

    point: CapturePoint
    frame: int
    ts_ns: int
    kind: str
    wirelen: int
    src: str = ""
    dst: str = ""
    icmp_id: int = 0
    seq: int = 0
    ip_id: int = 0
    ip_len: int = 0
    df: bool = False
    eth_src: str = ""
    eth_dst: str = ""
    arp_sha: str = ""
    arp_tha: str = ""
    vni: int | None = None
    outer_src: str = ""
    outer_dst: str = ""
    sport: int = 0
    dport: int = 0
    outer_len: int = 0
    direction: str = ""
    device: str = ""
    error_type: int = 0
    error_code: int = 0
    quoted_dst: str = ""
    quoted_dport: int = 0
    text: str = ""

    @property
    def encapsulated(self) -> bool:
        return self.vni is not None

    def evidence(self) -> Evidence:
        """This packet as an evidence pointer (file, frame number, tcpdump text)."""
        return Evidence("frame", self.point.file, self.text, frame=self.frame, capture=self.point.id)


def _formatter(point: CapturePoint, config: DecodeConfig) -> PacketFormatter:
    return PacketFormatter(Options(tflag=1, vxlan_ports=config.vxlan_ports, ifnames=dict(point.ifnames),
                                   system_ifnames=False))


def _error_fields(layers: Sequence[object], fields: dict[str, object]) -> None:
    """An ICMP error about a VXLAN packet: who sent it, and the quoted outer and inner headers."""
    ips = [ly for ly in layers if isinstance(ly, IPv4)]
    icmps = [ly for ly in layers if isinstance(ly, ICMP)]
    udp = next((ly for ly in layers if isinstance(ly, UDP)), None)
    if not ips or not icmps:
        return
    fields.update(outer_src=ips[0].src, outer_dst=ips[0].dst, error_type=icmps[0].type, error_code=icmps[0].code,
                  src=ips[0].src, dst=ips[0].dst)
    if len(ips) > 1:
        fields["quoted_dst"] = ips[1].dst
    if udp is not None:
        fields["quoted_dport"] = udp.dport
    if len(ips) > 2:
        fields.update(src=ips[2].src, dst=ips[2].dst)
    if len(icmps) > 1:
        fields.update(icmp_id=icmps[1].id, seq=icmps[1].seq)


def observe(point: CapturePoint, scan: Scan, groups: list[Group], config: DecodeConfig) -> list[Obs]:
    """Decode the picked records of ``groups`` into observations, in frame order."""
    fmt = _formatter(point, config)
    picked = sorted({i for g in groups for i in g.picked})
    out: list[Obs] = []
    for i in picked:
        ts, caplen, wirelen, data = scan.record(i)
        pkt = decode_packet(data, scan.linktype, index=i + 1, ts_ns=ts, wirelen=wirelen, config=config)
        text = fmt.format(i + 1, ts, scan.linktype, caplen, wirelen, data).replace("\n", " | ")
        fields: dict[str, object] = {"text": text}
        vx = pkt.vxlan
        layers = pkt.inner(1) if vx is not None else pkt.layers
        sll = pkt.first("sll")
        if isinstance(sll, LinuxSLL):
            fields["direction"] = sll.direction
            fields["device"] = point.ifnames.get(sll.ifindex, f"ifindex {sll.ifindex}") if sll.version == 2 else ""
        if vx is not None and isinstance(vx, VXLAN):
            oip, oudp = pkt.first("ip"), pkt.first("udp")
            if isinstance(oip, IPv4) and isinstance(oudp, UDP):
                fields.update(vni=vx.vni, outer_src=oip.src, outer_dst=oip.dst, sport=oudp.sport,
                              dport=oudp.dport, outer_len=oip.total_length)
        eth = next((ly for ly in layers if isinstance(ly, Ethernet)), None)
        if eth is not None:
            fields.update(eth_src=eth.src, eth_dst=eth.dst)
        elif isinstance(sll, LinuxSLL):
            fields["eth_src"] = sll.addr
        kind = KIND_NAMES[int(scan.kind[i])]
        arp = next((ly for ly in layers if isinstance(ly, ARP)), None)
        ip = next((ly for ly in layers if isinstance(ly, IPv4)), None)
        icmp = next((ly for ly in layers if isinstance(ly, ICMP)), None)
        if arp is not None:
            fields.update(src=arp.spa, dst=arp.tpa, arp_sha=arp.sha, arp_tha=arp.tha)
        elif ip is not None:
            fields.update(src=ip.src, dst=ip.dst, ip_id=ip.id, ip_len=ip.total_length, df=ip.df)
            if icmp is not None:
                fields.update(icmp_id=icmp.id, seq=icmp.seq)
        if kind == "icmp-error":
            _error_fields(pkt.layers, fields)
        out.append(Obs(point, i + 1, ts, kind, wirelen, **fields))  # type: ignore[arg-type]
    return out
