"""Cheap first pass over a capture: classify every record without decoding it.

``explain`` must stay fast on a million-packet capture (no more than twice
the frames engine's ``read_packets``), so it does not call
:func:`~vxlan_inspect.decode.decode_packet` on every record. For classic pcap
files with Ethernet, Linux cooked v1 or v2 link types, :func:`scan_capture`
walks the record headers once and reads the few header fields that identify a
flow (inner IPv4 addresses, ICMP type/id/seq, ARP op and addresses) with numpy
gathers at computed offsets, through one VXLAN level when the outer UDP
destination port is a VXLAN port. Other files (pcapng, other link types) are
read with :func:`~vxlan_inspect.capture.open_capture` and the full decoder,
which is fine for their usual size. :func:`pick_records` then keeps a few
representative records per flow and kind; only those are decoded.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vxlan_inspect.capture import open_capture
from vxlan_inspect.decode import DecodeConfig, decode_packet
from vxlan_inspect.errors import VxlanInspectError

OTHER, ECHO_REQUEST, ECHO_REPLY, ARP_REQUEST, ARP_REPLY, ICMP_ERROR = range(6)
KIND_NAMES = ("other", "echo-request", "echo-reply", "arp-request", "arp-reply", "icmp-error")

_U32 = np.uint32
_PAD = 512


@dataclass
class Scan:
    """Per-record flow fields of one capture (numpy arrays of equal length)."""

    file: str
    linktype: int
    kind: Any
    src: Any
    dst: Any
    ident: Any
    seq: Any
    encap: Any
    ts_ns: Any
    records: list[tuple[int, int, int, bytes]] = field(default_factory=list)  # fallback: (ts, caplen, wirelen, data)
    buffer: Any = None  # fast path: the file's bytes (numpy uint8, padded)
    offsets: Any = None  # fast path: offset of each record header
    order: str = "<"
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.kind.shape[0])

    def record(self, i: int) -> tuple[int, int, int, bytes]:
        """``(ts_ns, caplen, wirelen, data)`` of record ``i`` (0-based)."""
        if self.offsets is None:
            return self.records[i]
        off = int(self.offsets[i])
        raw = self.buffer[off:off + 16].tobytes()
        _sec, _frac, caplen, wirelen = struct.unpack(self.order + "IIII", raw)
        data = self.buffer[off + 16:off + 16 + caplen].tobytes()
        return int(self.ts_ns[i]), caplen, wirelen, data


def _walk(view: Any, size: int, order: str) -> tuple[list[int], bool]:
    """Offsets of every complete record header; True when the file ends mid-record."""
    unpack = struct.Struct(order + "I").unpack_from
    offsets: list[int] = []
    add = offsets.append
    pos = 24
    while pos + 16 <= size:
        caplen = unpack(view, pos + 8)[0]
        if pos + 16 + caplen > size or caplen > 262144:
            return offsets, True
        add(pos)
        pos += 16 + caplen
    return offsets, pos != size


def _views(b: Any) -> tuple[Any, Any, Any]:
    """Big-endian u8/u16/u32 views of ``b`` starting at every byte (unaligned, no copy)."""
    n = b.shape[0]
    v16 = np.ndarray(shape=(n - 1,), dtype=">u2", buffer=b, strides=(1,))
    v32 = np.ndarray(shape=(n - 3,), dtype=">u4", buffer=b, strides=(1,))
    return b, v16, v32


def _fields(b: Any, base: Any, cap: Any, linktype: int, ports: frozenset[int]) -> dict[str, Any]:
    """Vectorised header reads; ``base`` is each record's data offset in ``b``, ``cap`` its caplen.

    Reads past a record's caplen land in the next record (or the zero padding) and
    are masked out by the ``cap >= ...`` conditions.
    """
    v8, v16, v32 = _views(b)

    def u8(o: Any) -> Any:
        return v8[base + o].astype(np.int64)

    def u16(o: Any) -> Any:
        return v16[base + o].astype(np.int64)

    def u32(o: Any) -> Any:
        return v32[base + o].astype(np.int64)

    n = base.shape[0]
    zero = np.zeros(n, dtype=np.int64)
    if linktype == 1:
        et = u16(zero + 12)
        vlan = et == 0x8100
        l3 = np.where(vlan, 18, 14)
        if vlan.any():
            et = np.where(vlan, u16(zero + 16), et)
    elif linktype == 276:
        et, l3 = u16(zero), zero + 20
    else:  # 113
        et, l3 = u16(zero + 14), zero + 16
    vihl = u8(l3)
    is_ip = (et == 0x0800) & ((vihl >> 4) == 4) & (cap >= l3 + 20)
    l4 = l3 + (vihl & 15) * 4
    vx = is_ip & (u8(l3 + 9) == 17) & np.isin(u16(l4 + 2), list(ports)) & (cap >= l4 + 16 + 14)
    ie = l4 + 16
    cur_et = np.where(vx, u16(ie + 12), et)
    cur = np.where(vx, ie + 14, l3)
    cvihl = u8(cur)
    icmp = cur + (cvihl & 15) * 4
    ip = (cur_et == 0x0800) & ((cvihl >> 4) == 4) & (u8(cur + 9) == 1) & (cap >= icmp + 8)
    itype = u8(icmp)
    arp = (cur_et == 0x0806) & (cap >= cur + 28)
    op = u16(cur + 6)
    kind = np.zeros(n, dtype=np.uint8)
    kind[ip & (itype == 8)] = ECHO_REQUEST
    kind[ip & (itype == 0)] = ECHO_REPLY
    kind[ip & ~vx & ((itype == 3) | (itype == 11) | (itype == 12))] = ICMP_ERROR
    kind[arp & (op == 1)] = ARP_REQUEST
    kind[arp & (op == 2)] = ARP_REPLY
    src = u32(np.where(arp, cur + 14, cur + 12))
    dst = u32(np.where(arp, cur + 24, cur + 16))
    idseq = np.where(ip, u32(icmp + 4), 0)
    return {"kind": kind, "src": src, "dst": dst, "ident": idseq >> 16, "seq": idseq & 0xFFFF, "encap": vx}


def _scan_pcap(path: Path, name: str, config: DecodeConfig) -> Scan | None:
    with path.open("rb") as fh:
        head = fh.read(24)
        if len(head) < 24:
            return None
        magic = head[:4]
        order = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
                 b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
        if order is None:
            return None
        linktype = struct.unpack(order + "I", head[20:24])[0] & 0x0FFFFFFF
        if linktype not in (1, 113, 276):
            return None
        size = path.stat().st_size
        b = np.zeros(size + _PAD, dtype=np.uint8)
        fh.seek(0)
        got = fh.readinto(b.data.cast("B")[:size])
        size = got or 0
    offsets, truncated = _walk(b.data.cast("B")[:size], size, order)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    offs = np.asarray(offsets, dtype=np.int64)
    hv = np.ndarray(shape=(b.shape[0] - 3,), dtype=np.dtype(order + "u4"), buffer=b, strides=(1,))
    ts = hv[offs].astype(np.int64) * 1_000_000_000 + hv[offs + 4].astype(np.int64) * (1 if nano else 1000)
    cap = hv[offs + 8].astype(np.int64)
    f = _fields(b, offs + 16, cap, linktype, config.vxlan_ports)
    scan = Scan(name, linktype, ts_ns=ts, buffer=b, offsets=offs, order=order, **f)
    if truncated:
        scan.notes.append(f"{name}: the capture ends mid-record after frame {len(offsets)}")
    return scan


def _scan_decoded(path: Path, name: str, config: DecodeConfig) -> Scan:
    rows: list[tuple[int, int, int, int, int, bool]] = []
    records: list[tuple[int, int, int, bytes]] = []
    linktype = 0
    notes: list[str] = []
    try:
        with open_capture(path) as cap:
            for rec in cap:
                linktype = rec.linktype
                records.append((rec.ts_ns, rec.caplen, rec.wirelen, rec.data))
                rows.append(_classify(decode_packet(rec.data, rec.linktype, config=config)))
    except VxlanInspectError as exc:
        if not records:
            raise
        notes.append(f"{name}: {exc.one_line()}")
    arr = np.array(rows, dtype=np.int64).reshape(-1, 6)
    ts = np.array([r[0] for r in records], dtype=np.int64)
    return Scan(name, linktype, kind=arr[:, 0].astype(np.uint8), src=arr[:, 1], dst=arr[:, 2], ident=arr[:, 3],
                seq=arr[:, 4], encap=arr[:, 5].astype(bool), ts_ns=ts, records=records, notes=notes)


def _ip_int(text: str) -> int:
    a, b, c, d = (int(x) for x in text.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d


def _classify(pkt: Any) -> tuple[int, int, int, int, int, bool]:
    encap = pkt.vxlan is not None
    layers = pkt.inner() if encap else pkt.layers
    names = [ly.name for ly in layers]
    if "arp" in names:
        arp = layers[names.index("arp")]
        if arp.pln == 4 and arp.op in (1, 2):
            kind = ARP_REQUEST if arp.op == 1 else ARP_REPLY
            return kind, _ip_int(arp.spa), _ip_int(arp.tpa), 0, 0, encap
    if "ip" in names and "icmp" in names:
        ip, icmp = layers[names.index("ip")], layers[names.index("icmp")]
        if icmp.type in (8, 0):
            return ECHO_REQUEST if icmp.type == 8 else ECHO_REPLY, _ip_int(ip.src), _ip_int(ip.dst), icmp.id, \
                icmp.seq, encap
        if icmp.type in (3, 11, 12) and not encap:
            return ICMP_ERROR, _ip_int(ip.src), _ip_int(ip.dst), 0, 0, False
    return OTHER, 0, 0, 0, 0, encap


def scan_capture(path: Path, name: str, config: DecodeConfig) -> Scan:
    """Classify every record of one capture (fast path for classic pcap; see the module doc)."""
    scan = _scan_pcap(path, name, config)
    return scan if scan is not None else _scan_decoded(path, name, config)


@dataclass(frozen=True, slots=True)
class Group:
    """All records of one capture that belong to one flow and kind."""

    kind: int
    src: int
    dst: int
    ident: int
    count: int
    first_seq: int
    last_seq: int
    picked: tuple[int, ...]


def pick_records(scan: Scan, per_group: int = 8) -> list[Group]:
    """Group records by (kind, addresses, ICMP id); keep the first ``per_group`` and the last of each."""
    keep = scan.kind != OTHER
    idx = np.nonzero(keep)[0]
    if idx.size == 0:
        return []
    kind = scan.kind[idx].astype(np.uint64)
    src = scan.src[idx].astype(np.uint64)
    dst = scan.dst[idx].astype(np.uint64)
    ident = scan.ident[idx].astype(np.uint64)
    key = ((src << np.uint64(32)) | dst) * np.uint64(0x9E3779B97F4A7C15) ^ ((kind << np.uint64(16)) | ident)
    order = np.argsort(key, kind="stable")
    skey = key[order]
    cut = np.nonzero(skey[1:] != skey[:-1])[0] + 1
    starts = np.concatenate(([0], cut))
    counts = np.diff(np.concatenate((starts, [skey.shape[0]])))
    groups: list[Group] = []
    seq = scan.seq[idx]
    for start, count in zip(starts.tolist(), counts.tolist(), strict=True):
        members = order[start:start + count]
        chosen = members[:per_group].tolist()
        if count > per_group:
            chosen.append(int(members[-1]))
        first = int(idx[members[0]])
        seqs = seq[members]
        groups.append(Group(int(scan.kind[first]), int(scan.src[first]), int(scan.dst[first]),
                            int(scan.ident[first]), count, int(seqs.min()), int(seqs.max()),
                            tuple(int(idx[i]) for i in chosen)))
    groups.sort(key=lambda g: g.picked[0])
    return groups
