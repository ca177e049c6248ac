"""The columnar fast path: whole pcap files to column arrays with numpy.

A classic pcap is read into memory and framed (one pass over the 16-byte
record headers). Each record's first :data:`SPAN` bytes are then gathered,
a block of records at a time, into a numpy structured array whose fields sit
at the fixed offsets of the commonest overlay shape::

    Ethernet [802.1Q] / IPv4 / UDP (VXLAN port) / VXLAN / Ethernet /
        IPv4 / (ICMP echo | UDP | TCP)   or   ARP (Ethernet/IPv4)

Every condition :mod:`vxlan_inspect.decode` applies to such a packet (header
lengths, IP total length and padding, UDP length, the I flag, truncation) is
checked on whole columns. A record passing all of them gets exactly the values
the reference decoder would give; any other record (another shape, link type,
an issue, nesting) is decoded by :func:`~vxlan_inspect.decode.decode_packet`
and converted by :func:`~vxlan_inspect.frames.rows.packet_to_row`.
``tests/frames`` prove the two paths equal on every shipped capture.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from vxlan_inspect.capture.pcap import HEADER_LEN, parse_header
from vxlan_inspect.capture.pcapng import frame_simple
from vxlan_inspect.capture.record import LINKTYPE_ETHERNET, MAXIMUM_SNAPLEN, Record
from vxlan_inspect.decode.decoder import DecodeConfig, decode_packet
from vxlan_inspect.errors import CaptureTruncatedError
from vxlan_inspect.frames.build import INT64_MAX, NAT, TableBuilder, format_ipv4, format_mac
from vxlan_inspect.frames.rows import packet_to_row

SPAN = 120  # bytes gathered per record: 16 of record header + the packet's first 104
BLOCK = 1 << 15  # records per gather: small enough that its temporaries are reused from the heap
Progress = Callable[[int], None]

_FIELDS: dict[str, tuple[int, int, bool]] = {  # name: (offset in the packet, bytes, moves with a VLAN tag)
    "eth_dst": (0, 6, False), "eth_src": (6, 6, False), "etype": (12, 2, False),
    "tci": (14, 2, False), "etype2": (16, 2, False),
    "vhl": (14, 1, True), "tot": (16, 2, True), "ip_id": (18, 2, True), "frag": (20, 2, True),
    "ttl": (22, 1, True), "proto": (23, 1, True), "src": (26, 4, True), "dst": (30, 4, True),
    "sport": (34, 2, True), "dport": (36, 2, True), "ulen": (38, 2, True),
    "vflags": (42, 1, True), "vpolicy": (44, 2, True), "vni": (46, 3, True),
    "ieth_dst": (50, 6, True), "ieth_src": (56, 6, True), "ietype": (62, 2, True),
    "ivhl": (64, 1, True), "itot": (66, 2, True), "iid": (68, 2, True), "ifrag": (70, 2, True),
    "iproto": (73, 1, True), "isrc": (76, 4, True), "idst": (80, 4, True),
    "l4a": (84, 2, True), "l4b": (86, 2, True), "l4c": (88, 2, True), "l4d": (90, 2, True),
    "tcp_doff": (96, 1, True), "tcp_flags": (97, 1, True),
    "arp_hln": (68, 1, True), "arp_pln": (69, 1, True), "arp_op": (70, 2, True),
    "arp_sha": (72, 6, True), "arp_spa": (78, 4, True), "arp_tha": (82, 6, True), "arp_tpa": (88, 4, True),
}


def frame_pcap(buf: bytes | bytearray, order: str, end: int, progress: Progress | None = None) -> list[int]:
    """Offsets of every complete record header in ``buf[24:end]``; faults raised like the pcap reader."""
    unpack = struct.Struct(order + "I").unpack_from
    offs: list[int] = []
    app = offs.append
    pos = HEADER_LEN
    last = end - 16
    while pos <= last:
        stop = min(last, pos + (1 << 24))
        while pos <= stop:  # the hot loop: nothing but the jump from header to header
            app(pos)
            pos += 16 + unpack(buf, pos + 8)[0]
        if progress is not None:
            progress(min(pos, end))
    if offs:
        arr = np.array(offs, dtype=np.int64)
        view = np.ndarray((end,), dtype=order + "u4", buffer=buf, strides=(1,))
        caplens = view[arr + 8]
        bad = np.flatnonzero(caplens > MAXIMUM_SNAPLEN)
        if len(bad):
            k = int(bad[0])
            raise CaptureTruncatedError(
                f"record {k + 1}: capture length {int(caplens[k])} is bigger than the maximum of "
                f"{MAXIMUM_SNAPLEN}", hint="the file is corrupt from here on")
        if pos > end:
            k = len(offs) - 1
            raise CaptureTruncatedError(
                f"truncated dump file; tried to read {int(caplens[k])} captured bytes, only got "
                f"{end - offs[k] - 16}",
                hint=f"record {k + 1} is cut short; every complete record before it was read")
    if pos < end:
        raise CaptureTruncatedError(
            f"truncated dump file; tried to read 16 header bytes, only got {end - pos}",
            hint=f"record {len(offs) + 1} is cut short; every complete record before it was read")
    return offs


class _Fields:
    """Big-endian fields of a block of gathered records, computed on first use.

    ``words`` holds the records' first :data:`SPAN` bytes as big-endian 32-bit
    words, one contiguous row per word position; a field is shifted and masked
    out of one to three rows. :meth:`select` gives a lazy subset of the rows.
    """

    def __init__(self, words: npt.NDArray[np.uint32] | None, shift: int = 0, parent: _Fields | None = None,
                 mask: npt.NDArray[np.bool_] | None = None) -> None:
        self.words = words
        self.shift = shift
        self.parent = parent
        self.mask = mask
        self.cache: dict[str, npt.NDArray[np.uint64]] = {}

    def _extract(self, name: str) -> npt.NDArray[np.uint64]:
        assert self.words is not None
        off, size, moves = _FIELDS[name]
        a = 16 + off + (self.shift if moves else 0)
        k, r = divmod(a, 4)
        w = self.words
        if r + size <= 4:
            v = w[k].astype(np.uint64) >> np.uint64(8 * (4 - r - size))
        else:
            v = (w[k].astype(np.uint64) << np.uint64(32)) | w[k + 1]
            if r + size <= 8:
                v >>= np.uint64(8 * (8 - r - size))
            else:
                v = (v << np.uint64(8)) | (w[k + 2] >> np.uint32(24))
        out: npt.NDArray[np.uint64] = v & np.uint64((1 << (8 * size)) - 1)
        return out

    def __getitem__(self, name: str) -> npt.NDArray[np.uint64]:
        got = self.cache.get(name)
        if got is None:
            got = self.parent[name][self.mask] if self.parent is not None else self._extract(name)
            self.cache[name] = got
        return got

    def select(self, mask: npt.NDArray[np.bool_]) -> _Fields:
        """The rows under ``mask``."""
        return _Fields(None, self.shift, self, mask)


def _fill_fast(b: TableBuilder, rows: npt.NDArray[np.intp], r: _Fields, caplens: npt.NDArray[np.uint32], shift: int,
               ports: frozenset[int]) -> npt.NDArray[np.bool_]:
    """Fill the rows of ``r`` (gathered records) that have the fast shape; return that mask."""
    caplen = caplens.astype(np.int64)
    tot = r["tot"].astype(np.int64)
    ulen = r["ulen"].astype(np.int64)
    sport, dport = r["sport"], r["dport"]
    s = shift
    if s:
        ok = (r["etype"] == 0x8100) & (r["etype2"] == 0x0800)
    else:
        ok = r["etype"] == 0x0800
    is_port = np.isin(sport, list(ports)) | np.isin(dport, list(ports))
    ok &= ((r["vhl"] == 0x45) & (tot >= 36) & (14 + s + tot <= caplen) & ((r["frag"] & 0x3FFF) == 0)
           & (r["proto"] == 17) & (ulen >= 16) & (ulen <= tot - 20) & is_port & ((r["vflags"] & np.uint64(0x08)) != 0))
    iend = 34 + s + ulen
    ok &= 64 + s <= iend
    ietype = r["ietype"]
    itot = r["itot"].astype(np.int64)
    iend2 = np.minimum(iend, 64 + s + itot)
    ip_ok = ((ietype == 0x0800) & (84 + s <= iend) & (r["ivhl"] == 0x45) & (itot >= 20)
             & ((r["ifrag"] & 0x3FFF) == 0))
    iproto = r["iproto"]
    l4a, l4b, l4c = r["l4a"], r["l4b"], r["l4c"]
    icmp_type = (l4a >> 8).astype(np.int16)
    icmp = ip_ok & (iproto == 1) & (92 + s <= iend2) & ((icmp_type == 0) | (icmp_type == 8))
    iudp = (ip_ok & (iproto == 17) & (92 + s <= iend2) & (l4c >= 8) & (l4c.astype(np.int64) <= itot - 20)
            & ~np.isin(l4a, list(ports)) & ~np.isin(l4b, list(ports)))
    hlen = (r["tcp_doff"] >> 4).astype(np.int64) * 4
    itcp = ip_ok & (iproto == 6) & (104 + s <= iend2) & (hlen >= 20) & (84 + s + hlen <= iend2)
    arp = (((ietype == 0x0806) | (ietype == 0x8035)) & (r["arp_hln"] == 6) & (r["arp_pln"] == 4)
           & (92 + s <= iend))
    ok &= icmp | iudp | itcp | arp
    if not ok.any():
        return ok  # type: ignore[no-any-return]
    r = r.select(ok)
    at = rows[ok]
    num = b.num
    vlan = "ether vlan" if s else "ether"
    icmp, iudp, itcp, arp = icmp[ok], iudp[ok], itcp[ok], arp[ok]
    inet = icmp | iudp | itcp
    for mask, tail in ((icmp, "ip icmp"), (iudp, "ip udp"), (itcp, "ip tcp"), (arp, "arp")):
        b.add_constant("layers", at[mask], f"{vlan} ip udp vxlan ether {tail}")
    num["linktype"][at] = LINKTYPE_ETHERNET
    num["ethertype"][at] = 0x0800
    if s:
        num["vlan"][at] = r["tci"] & 0x0FFF
    b.add_keys("eth_src", at, r["eth_src"], format_mac)
    b.add_keys("eth_dst", at, r["eth_dst"], format_mac)
    num["ip_version"][at] = 4
    b.add_keys("ip_src", at, r["src"], format_ipv4)
    b.add_keys("ip_dst", at, r["dst"], format_ipv4)
    num["ip_ttl"][at] = r["ttl"]
    num["ip_id"][at] = r["ip_id"]
    num["ip_df"][at] = (r["frag"] & 0x4000) != 0
    num["ip_len"][at] = r["tot"]
    num["ip_proto"][at] = 17
    num["udp_sport"][at] = r["sport"]
    num["udp_dport"][at] = r["dport"]
    num["vxlan_flags"][at] = r["vflags"]
    num["vxlan_i"][at] = True
    num["vni"][at] = r["vni"]
    num["gbp_policy_id"][at] = r["vpolicy"]
    b.add_keys("inner_eth_src", at, r["ieth_src"], format_mac)
    b.add_keys("inner_eth_dst", at, r["ieth_dst"], format_mac)
    num["inner_ethertype"][at] = r["ietype"]
    ip_at, ri = at[inet], r.select(inet)
    num["inner_ip_version"][ip_at] = 4
    b.add_keys("inner_ip_src", ip_at, ri["isrc"], format_ipv4)
    b.add_keys("inner_ip_dst", ip_at, ri["idst"], format_ipv4)
    num["inner_ip_proto"][ip_at] = ri["iproto"]
    num["inner_ip_id"][ip_at] = ri["iid"]
    num["inner_ip_len"][ip_at] = ri["itot"]
    ic_at, rc = at[icmp], r.select(icmp)
    num["icmp_type"][ic_at] = rc["l4a"] >> 8
    num["icmp_code"][ic_at] = rc["l4a"] & 0xFF
    num["icmp_id"][ic_at] = rc["l4c"]
    num["icmp_seq"][ic_at] = rc["l4d"]
    pt = iudp | itcp
    num["sport"][at[pt]] = r["l4a"][pt]
    num["dport"][at[pt]] = r["l4b"][pt]
    num["tcp_flags"][at[itcp]] = r["tcp_flags"][itcp]
    ar_at, ra = at[arp], r.select(arp)
    num["arp_op"][ar_at] = ra["arp_op"]
    b.add_keys("arp_sha", ar_at, ra["arp_sha"], format_mac)
    b.add_keys("arp_spa", ar_at, ra["arp_spa"], format_ipv4)
    b.add_keys("arp_tha", ar_at, ra["arp_tha"], format_mac)
    b.add_keys("arp_tpa", ar_at, ra["arp_tpa"], format_ipv4)
    return ok  # type: ignore[no-any-return]


def pcap_to_builder(data: bytearray, config: DecodeConfig, progress: Progress | None = None) -> TableBuilder:
    """Decode a whole classic pcap held in ``data`` into a :class:`TableBuilder`.

    ``data`` must end with :data:`SPAN` bytes of padding beyond the file's bytes.
    """
    end = len(data) - SPAN
    info, order = parse_header(bytes(data[:HEADER_LEN]))
    offs = np.array(frame_pcap(data, order, end, progress), dtype=np.int64)
    scale = 1 if info.nanosecond else 1000

    def stamps(first: npt.NDArray[np.uint32], second: npt.NDArray[np.uint32],
               rows: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
        return first.astype(np.int64) * 1_000_000_000 + second.astype(np.int64) * scale

    return _decode(data, offs, order, info.linktype, stamps, config, progress)


def pcapng_to_builder(data: bytearray, config: DecodeConfig) -> TableBuilder | None:
    """Decode a whole pcapng held in ``data`` (with :data:`SPAN` bytes of padding), or None.

    Takes files that :func:`~vxlan_inspect.capture.pcapng.frame_simple` frames and whose
    packets all share one link type. An Enhanced Packet Block has its captured and wire
    lengths 16 and 12 bytes before its packet, where a classic pcap record has them, so
    the same gathering serves; timestamps are converted per interface.
    """
    framed = frame_simple(data, len(data) - SPAN)
    if framed is None:
        return None
    order, interfaces, positions, ids = framed
    used = sorted(set(ids))
    if len({interfaces[i].linktype for i in used}) > 1:
        return None
    linktype = interfaces[used[0]].linktype if used else LINKTYPE_ETHERNET
    iface = np.array(ids, dtype=np.intp)
    per_sec = np.array([i.units_per_sec for i in interfaces] or [1], dtype=np.uint64)
    offset = np.array([i.offset_sec for i in interfaces] or [0], dtype=np.int64)

    def stamps(high: npt.NDArray[np.uint32], low: npt.NDArray[np.uint32],
               rows: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
        units = (high.astype(np.uint64) << np.uint64(32)) | low
        ups = per_sec[iface[rows]]
        whole = units // ups
        frac = ((units % ups) * np.uint64(1_000_000_000) // ups).astype(np.int64)
        limit = INT64_MAX // 1_000_000_000 - 1  # seconds datetime64[ns] holds either side of 1970
        shift = offset[iface[rows]]
        fits = (whole <= np.uint64(limit)) & (np.abs(whole.astype(np.float64) + shift) <= limit)
        sec = np.where(fits, whole, 0).astype(np.int64) + np.where(fits, shift, 0)
        return np.where(fits, sec * 1_000_000_000 + frac, NAT)

    offs = np.array(positions, dtype=np.int64) + 12  # the timestamp words: 16 bytes before the packet
    return _decode(data, offs, order, linktype, stamps, config, None)


Stamps = Callable[[npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.intp]], npt.NDArray[np.int64]]


def _decode(data: bytearray, offs: npt.NDArray[np.int64], order: str, linktype: int, stamps: Stamps,
            config: DecodeConfig, progress: Progress | None) -> TableBuilder:
    """Decode the records whose packets start 16 bytes after ``offs``; the captured and wire
    lengths are the 3rd and 4th 32-bit words there, ``stamps`` turns the first two into ns."""
    n = len(offs)
    b = TableBuilder(n)
    # Rows of SPAN bytes starting at any byte offset; gathering rows of uint32 is the fastest numpy copy.
    grid = np.ndarray(shape=(len(data) - SPAN + 1, SPAN // 4), dtype=np.uint32, buffer=data, strides=(1, 4))
    fast_ok = np.zeros(n, dtype=bool)
    for start in range(0, n, BLOCK):
        rows = np.arange(start, min(n, start + BLOCK), dtype=np.intp)
        block = offs[rows]
        words = np.empty((SPAN // 4, len(block)), dtype=np.uint32)
        for sub in range(0, len(block), 8192):  # small steps keep the transpose in cache
            words[:, sub:sub + 8192] = grid[block[sub:sub + 8192]].T
        words.byteswap(inplace=True)
        head = words[:4] if order == ">" else words[:4].byteswap()
        b.ts[rows] = stamps(head[0], head[1], rows)
        b.num["caplen"][rows] = head[2]
        b.num["wirelen"][rows] = head[3]
        if linktype == LINKTYPE_ETHERNET and config.max_depth >= 1:
            r = _Fields(words)
            fast_ok[rows] = _fill_fast(b, rows, r, head[2], 0, config.vxlan_ports)
            tagged = r["etype"] == 0x8100
            if tagged.any():
                tag_fields = _Fields(words[:, tagged], 4)
                fast_ok[rows[tagged]] = _fill_fast(b, rows[tagged], tag_fields, head[2][tagged], 4,
                                                   config.vxlan_ports)
        if progress is not None:
            progress(int(block[-1]))
    b.num["frame"][:] = np.arange(1, n + 1, dtype=np.uint32)
    slow = np.flatnonzero(~fast_ok)
    caplens = b.num["caplen"]
    rows_out = []
    for i in slow.tolist():
        o = int(offs[i]) + 16
        pkt = decode_packet(bytes(data[o:o + int(caplens[i])]), linktype, index=i + 1, ts_ns=int(b.ts[i]),
                            wirelen=int(b.num["wirelen"][i]), config=config)
        rows_out.append(packet_to_row(pkt))
    b.set_rows(slow.tolist(), rows_out)
    return b


_NS_PCAP_HEADER = struct.Struct("<IHHiIII")  # magic, version, thiszone, sigfigs, snaplen, linktype
_NS_MAGIC = 0xA1B23C4D
_RECORD_HEADER = struct.Struct("<IIII")


def records_to_builder(records: Sequence[Record], config: DecodeConfig) -> TableBuilder:
    """Decode records from any reader (pcapng, stdin) through the columnar path when it can.

    Records of one link type whose timestamps fit a nanosecond pcap are packed
    into an in-memory classic pcap and take :func:`pcap_to_builder`; anything
    else (several link types, a timestamp before 1970) is decoded record by record.
    """
    linktypes = {r.linktype for r in records}
    if len(linktypes) == 1 and all(0 <= r.ts_ns < (1 << 32) * 1_000_000_000 for r in records):
        parts = [_NS_PCAP_HEADER.pack(_NS_MAGIC, 2, 4, 0, 0, MAXIMUM_SNAPLEN, linktypes.pop())]
        pack = _RECORD_HEADER.pack
        for r in records:
            sec, nsec = divmod(r.ts_ns, 1_000_000_000)
            parts.append(pack(sec, nsec, r.caplen, r.wirelen))
            parts.append(r.data)
        parts.append(bytes(SPAN))
        return pcap_to_builder(bytearray(b"".join(parts)), config)
    rows = [packet_to_row(decode_packet(r.data, r.linktype, index=r.index, ts_ns=r.ts_ns, wirelen=r.wirelen,
                                        config=config)) for r in records]
    b = TableBuilder(len(rows))
    b.set_rows(range(len(rows)), rows)
    return b
