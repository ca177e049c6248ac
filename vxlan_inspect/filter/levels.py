"""Where each header of each encapsulation level starts, from bytes or from decoded layers.

A *level* is one frame: the outer packet is level 0, the frame carried by
the first VXLAN header is level 1, and so on. Filters look at a level
through a plain tuple (fast to build and to index):

====  ========  =================================================================
 idx  name      meaning
====  ========  =================================================================
  0   START     offset of the link header (Ethernet, cooked, ...)
  1   ETH       True when the link header is Ethernet (``ether host`` applies)
  2   VIDS      the VLAN ids of the tags after the link header, outermost first
  3   NTYPE     the network ethertype after the tags (-1 when unknown)
  4   NOFF      offset of the IPv4/IPv6/ARP header (-1 when there is none)
  5   NPROTO    IPv4 protocol field / IPv6 next-header field (-1 otherwise)
  6   L4OFF     IPv4: NOFF + IHL; IPv6: NOFF + 40 (-1 when not IP)
  7   FRAG      IPv4 non-first fragment (fragment offset not zero)
  8   VXOFF     offset of the VXLAN header this level carries (-1 when none)
====  ========  =================================================================

:func:`raw_levels` reads the bytes with the decoder's rules (same VXLAN
ports, same length checks, same depth cap); :func:`decoded_levels` takes the
same facts from a decoded :class:`~vxlan_inspect.decode.Packet`. Tests check
that both agree on every shipped capture.
"""

from __future__ import annotations

from vxlan_inspect.decode.layers import ARP, VXLAN, Ethernet, IPv4, IPv6, LinuxSLL, Null, Packet, Vlan

Level = tuple[int, bool, tuple[int, ...], int, int, int, int, bool, int]
START, ETH, VIDS, NTYPE, NOFF, NPROTO, L4OFF, FRAG, VXOFF = range(9)
_VLAN_TPIDS = frozenset({0x8100, 0x88A8, 0x9100, 0x9200})
_NULL_FAMILY = {2: 0x0800, 24: 0x86DD, 28: 0x86DD, 30: 0x86DD}
_NO_VIDS: tuple[int, ...] = ()
#: How many levels a filter needs: the outer one without looking for VXLAN, with it, or all.
OUTER, OUTER_VXLAN, ALL = 0, 1, 99


def raw_levels(b: bytes, linktype: int, ports: frozenset[int], need: int = ALL, max_depth: int = 8) -> list[Level]:
    """The levels of one captured frame ``b`` (only the outer one when ``need`` is OUTER)."""
    levels: list[Level] = []
    end = len(b)
    start = 0
    eth = True
    depth = 0
    while True:
        ntype = -1
        p = start
        if depth:
            eth = True
        elif linktype == 1:
            pass
        elif linktype == 113 or linktype == 276:
            eth = False
            hl = 16 if linktype == 113 else 20
            if end >= hl:
                ntype = (b[14] << 8 | b[15]) if linktype == 113 else (b[0] << 8 | b[1])
                if ntype <= 1500:
                    ntype = -1
            p = hl
        elif linktype == 0:
            eth = False
            if end >= 4:
                fam = int.from_bytes(b[0:4], "little")
                if fam & 0xFFFF0000:
                    fam = int.from_bytes(b[0:4], "big")
                ntype = _NULL_FAMILY.get(fam, -1)
            p = 4
        elif linktype in (101, 228, 229):
            eth = False
            if end:
                ntype = {4: 0x0800, 6: 0x86DD}.get(b[0] >> 4, -1)
        else:
            return [(0, False, _NO_VIDS, -1, -1, -1, -1, False, -1)]
        if eth:
            if start + 14 > end:
                levels.append((start, True, _NO_VIDS, -1, -1, -1, -1, False, -1))
                return levels
            ntype = b[start + 12] << 8 | b[start + 13]
            p = start + 14
        vids = _NO_VIDS
        if ntype in _VLAN_TPIDS:
            tags = []
            while ntype in _VLAN_TPIDS:
                if p + 4 > end:
                    break
                tags.append((b[p] << 8 | b[p + 1]) & 0xFFF)
                ntype = b[p + 2] << 8 | b[p + 3]
                p += 4
            vids = tuple(tags)
        noff = nproto = l4 = vx = -1
        frag = False
        if ntype == 0x0800:
            if p + 20 <= end and b[p] >> 4 == 4 and (b[p] & 15) >= 5 and p + (b[p] & 15) * 4 <= end:
                ihl = (b[p] & 15) * 4
                noff, nproto, l4 = p, b[p + 9], p + ihl
                frag = bool((b[p + 6] << 8 | b[p + 7]) & 0x1FFF)
                total = b[p + 2] << 8 | b[p + 3]
                if need and nproto == 17 and not frag and (total == 0 or total >= ihl):
                    ipend = p + total if total else end
                    if ipend < end:
                        end = ipend
                    vx = _vxlan(b, l4, end, (ipend if total else end) - l4, ports)
        elif ntype == 0x86DD:
            if p + 40 <= end and b[p] >> 4 == 6:
                noff, nproto, l4 = p, b[p + 6], p + 40
                plen = b[p + 4] << 8 | b[p + 5]
                if need and nproto == 17:
                    ipend = p + 40 + plen if plen else end
                    if ipend < end:
                        end = ipend
                    vx = _vxlan(b, l4, end, ipend - l4, ports)
        elif ntype == 0x0806 or ntype == 0x8035:
            # libpcap's arp[...] and 'arp host' read fixed offsets after the ethertype, each
            # load checked against the capture: an ARP message cut short, or whose lengths do
            # not fit (ATM ARP's are type/length bytes), is still ARP there.
            noff = p
        levels.append((start, eth, vids, ntype, noff, nproto, l4, frag, vx))
        depth += 1
        if vx < 0 or need < 2 or depth > max_depth or depth > need:
            return levels
        body = min(b[l4 + 4] << 8 | b[l4 + 5], end - l4) - 8
        end = min(end, vx + body)
        start = vx + 8


def _vxlan(b: bytes, u: int, end: int, length: int, ports: frozenset[int]) -> int:
    """Offset of the VXLAN header after the UDP header at ``u``, or -1 (the decoder's rules)."""
    if u + 8 > end:
        return -1
    sport = b[u] << 8 | b[u + 1]
    dport = b[u + 2] << 8 | b[u + 3]
    if sport not in ports and dport not in ports:
        return -1
    ulen = b[u + 4] << 8 | b[u + 5]
    if ulen < 8 or min(ulen, length) - 8 < 8 or u + 16 > end:
        return -1
    return u + 8


def decoded_levels(packet: Packet) -> list[Level]:
    """The same levels as :func:`raw_levels`, read from a decoded packet's layers."""
    layers = packet.layers
    n = len(layers)
    i = 0
    levels: list[Level] = []
    start = 0
    while True:
        eth = False
        ntype = -1
        lay = layers[i] if i < n else None
        if isinstance(lay, Ethernet):
            eth, ntype, start = True, lay.type, lay.offset
            i += 1
        elif isinstance(lay, LinuxSLL):
            ntype = lay.protocol if lay.protocol > 1500 else -1
            i += 1
        elif isinstance(lay, Null):
            ntype = _NULL_FAMILY.get(lay.family, -1)
            i += 1
        elif isinstance(lay, IPv4) and not levels:
            ntype = 0x0800
        elif isinstance(lay, IPv6) and not levels:
            ntype = 0x86DD
        elif levels or packet.linktype == 1:
            eth = True  # the Ethernet header was cut short
        vids: list[int] = []
        while i < n and isinstance(layers[i], Vlan):
            tag = layers[i]
            assert isinstance(tag, Vlan)
            vids.append(tag.vid)
            ntype = tag.type
            i += 1
        noff = nproto = l4 = vx = -1
        frag = False
        lay = layers[i] if i < n else None
        if isinstance(lay, IPv4):
            noff, nproto, l4, frag = lay.offset, lay.proto, lay.offset + lay.ihl, lay.frag_offset != 0
        elif isinstance(lay, IPv6):
            noff, nproto, l4 = lay.offset, lay.next_header, lay.offset + 40
        elif isinstance(lay, ARP):
            noff = lay.offset
        elif ntype == 0x0806 or ntype == 0x8035:  # an ARP message the decoder found cut short
            noff = next((iss.offset for iss in packet.issues if iss.layer == "arp" and iss.offset >= start), -1)
        if noff >= 0:
            i += 1
            if i + 1 < n and layers[i].name == "udp" and layers[i].offset == l4 and isinstance(layers[i + 1], VXLAN):
                vx = layers[i + 1].offset
                i += 2
        levels.append((start, eth, tuple(vids) if vids else _NO_VIDS, ntype, noff, nproto, l4, frag, vx))
        if vx < 0:
            return levels
        start = vx + 8
