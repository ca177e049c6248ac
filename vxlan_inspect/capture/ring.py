"""The AF_PACKET TPACKET_V3 receive ring: packets handed over in blocks, no copy per system call.

The kernel fills fixed-size blocks of a memory-mapped ring with back-to-back
frames and gives a block to user space when it is full or when its retire
timer fires. Block descriptor (``struct tpacket_block_desc``)::

    offset  0  version          offset 12  num_pkts
            4  offset_to_priv          16  offset_to_first_pkt
            8  block_status            20  blk_len ...

Frame (``struct tpacket3_hdr``, then ``struct sockaddr_ll`` at offset 48)::

    offset  0  tp_next_offset   offset 24  tp_mac (u16), 26 tp_net (u16)
            4  tp_sec                  32  tp_vlan_tci, 36 tp_vlan_tpid
            8  tp_nsec                 48  sll_family, 50 sll_protocol (big-endian)
           12  tp_snaplen              52  sll_ifindex, 56 sll_hatype
           16  tp_len                  58  sll_pkttype, 59 sll_halen, 60 sll_addr[8]
           20  tp_status

:meth:`RxRing.next_chunk` turns one block into classic-pcap records packed back
to back (16-byte record header + data), which is what the pcap writer and the
tcpdump renderer's block formatter take as they are. On a cooked socket
(``-i any``) each record gets the 20-byte Linux cooked v2 header that libpcap
builds from the sockaddr_ll: protocol, reserved, interface index, hardware
type, packet type, address length, address[8].
"""

from __future__ import annotations

import mmap
import select
import socket
import struct
from collections.abc import Callable

from vxlan_inspect.capture.record import Record

SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_RX_RING = 5
PACKET_STATISTICS = 6
PACKET_VERSION = 10
TPACKET_V3 = 2
PACKET_MR_PROMISC = 1
PACKET_OUTGOING = 4

TP_STATUS_KERNEL = 0
TP_STATUS_USER = 1
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40

_FRAME = struct.Struct("=IIIIIIHH4xIH10x2x2siHBB8s")  # through sockaddr_ll, 68 bytes
_BLOCK = struct.Struct("=III")  # block_status, num_pkts, offset_to_first_pkt (from offset 8)
_REC = struct.Struct("<IIII")
_SLL2 = struct.Struct(">2s2xIHBB8s")
_VLAN = struct.Struct(">HH")
_STATS = struct.Struct("=III")  # tpacket_stats_v3: tp_packets, tp_drops, tp_freeze_q_cnt

#: Every packet must fit in one block: 64 KiB GSO packets plus headers fit in 128 KiB.
DEFAULT_BLOCK_SIZE = 1 << 17
FRAME_SIZE = 2048


class RxRing:
    """A TPACKET_V3 ring set up on an unbound AF_PACKET socket (bind it afterwards)."""

    def __init__(self, sock: socket.socket, buffer_size: int, block_timeout_ms: int,
                 block_size: int = DEFAULT_BLOCK_SIZE) -> None:
        self.sock = sock
        self.block_size = block_size
        self.block_nr = max(2, buffer_size // block_size)
        sock.setsockopt(SOL_PACKET, PACKET_VERSION, TPACKET_V3)
        frames = self.block_nr * (block_size // FRAME_SIZE)
        req = struct.pack("=7I", block_size, self.block_nr, FRAME_SIZE, frames, block_timeout_ms, 0, 0)
        sock.setsockopt(SOL_PACKET, PACKET_RX_RING, req)
        self.map = mmap.mmap(sock.fileno(), block_size * self.block_nr, mmap.MAP_SHARED,
                             mmap.PROT_READ | mmap.PROT_WRITE)
        self.current = 0
        self.poller = select.poll()
        self.poller.register(sock.fileno(), select.POLLIN | select.POLLERR)
        self.cooked = False
        self.loopback_index = -1
        self.snaplen = 262144
        self.nanosecond = False
        self.vlan_offset = 12  # where libpcap re-inserts an offloaded VLAN tag (Ethernet); -1: never
        self.residual: Callable[[Record], bool] | None = None

    def wait(self, timeout_ms: int) -> bool:
        """Wait up to ``timeout_ms`` for the next block; True when it belongs to user space."""
        offset = self.current * self.block_size + 8
        if _BLOCK.unpack_from(self.map, offset)[0] & TP_STATUS_USER:
            return True
        self.poller.poll(timeout_ms)
        return bool(_BLOCK.unpack_from(self.map, offset)[0] & TP_STATUS_USER)

    def next_chunk(self, timeout_ms: int) -> tuple[bytes, int] | None:
        """The next block as packed pcap records and their count; None if nothing came within the timeout.

        Outgoing copies on the loopback device are dropped (they are seen
        again as incoming), as libpcap does; snaplen is applied; offloaded
        VLAN tags are put back into Ethernet frames.
        """
        if not self.wait(timeout_ms):
            return None
        mm = self.map
        base = self.current * self.block_size
        _status, num, first = _BLOCK.unpack_from(mm, base + 8)
        parts: list[bytes] = []
        add = parts.append
        rec = _REC.pack
        frame = _FRAME.unpack_from
        sll2 = _SLL2.pack
        cooked, lo, snaplen = self.cooked, self.loopback_index, self.snaplen
        nano, vlan_at, residual = self.nanosecond, self.vlan_offset, self.residual
        count = 0
        pos = base + first
        try:
            for _ in range(num):
                (nxt, sec, nsec, snap, wirelen, status, mac, _net, tci, tpid,
                 proto, ifindex, hatype, pkttype, halen, addr) = frame(mm, pos)
                if pkttype == PACKET_OUTGOING and ifindex == lo:
                    pos += nxt
                    continue
                start = pos + mac
                if cooked:
                    addr = addr[:halen].ljust(8, b"\0") if halen < 8 else addr
                    data = sll2(proto, ifindex, hatype, pkttype, halen, addr) + mm[start:start + snap]
                    caplen, wirelen = snap + 20, wirelen + 20
                else:
                    data = mm[start:start + snap]
                    caplen = snap
                    if (tci or status & TP_STATUS_VLAN_VALID) and 0 <= vlan_at <= snap:
                        if not status & TP_STATUS_VLAN_TPID_VALID:
                            tpid = 0x8100
                        data = data[:vlan_at] + _VLAN.pack(tpid, tci) + data[vlan_at:]
                        caplen, wirelen = caplen + 4, wirelen + 4
                if caplen > snaplen:
                    data = data[:snaplen]
                    caplen = snaplen
                if residual is not None and not residual(
                    Record(0, sec * 1_000_000_000 + nsec, 0, caplen, wirelen, data)
                ):
                    pos += nxt
                    continue
                add(rec(sec, nsec if nano else nsec // 1000, caplen, wirelen))
                add(data)
                count += 1
                pos += nxt
        finally:
            struct.pack_into("=I", mm, base + 8, TP_STATUS_KERNEL)
            self.current = (self.current + 1) % self.block_nr
        return b"".join(parts), count

    def statistics(self) -> tuple[int, int]:
        """(packets that passed the filter, packets dropped) since the last call; the kernel resets them."""
        raw = self.sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, _STATS.size)
        packets, drops, _frozen = _STATS.unpack(raw)
        return packets, drops

    def close(self) -> None:
        """Unmap the ring (the socket is closed by its owner)."""
        self.map.close()


def add_promiscuous(sock: socket.socket, ifindex: int) -> None:
    """Put the interface in promiscuous mode for as long as ``sock`` is open (PACKET_MR_PROMISC)."""
    mreq = struct.pack("=iHH8s", ifindex, PACKET_MR_PROMISC, 0, b"")
    sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)


def iter_chunk(chunk: bytes, count: int, first_index: int, linktype: int, nanosecond: bool) -> list[Record]:
    """Unpack packed pcap records back into :class:`Record` objects."""
    records = []
    pos = 0
    scale = 1 if nanosecond else 1000
    for i in range(count):
        sec, frac, caplen, wirelen = _REC.unpack_from(chunk, pos)
        pos += 16
        records.append(Record(first_index + i, sec * 1_000_000_000 + frac * scale, linktype, caplen, wirelen,
                              chunk[pos:pos + caplen]))
        pos += caplen
    return records


def cut_chunk(chunk: bytes, keep: int) -> bytes:
    """The first ``keep`` records of a packed chunk."""
    pos = 0
    for _ in range(keep):
        pos += 16 + _REC.unpack_from(chunk, pos)[2]
    return chunk[:pos]
