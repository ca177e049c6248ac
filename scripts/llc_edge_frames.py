"""Crafted 802.2 LLC / SNAP / STP frames for captures/basic/llc-edges.pcap (``make-captures.py llc-edges``).

Also runs on its own, without root: ``python3 scripts/llc_edge_frames.py``. The real STP
traffic is in stp.pcap, vxlan-stp.pcap and overlay-stp-any-sll.pcap (``make-captures.py
stp stp-vxlan``). This file adds what a Linux bridge never sends: RSTP, MSTP (with MSTI
records and an MCID name needing escapes), SPB, PVST+ and RFC 2684 BPDUs over SNAP, SNAP
with other OUIs, unknown SAPs (U, S and I frames, XID), IP over SAP 0x06, the Jumbo
ethertype 0x8870, a VLAN-tagged 802.3 frame, invalid and truncated BPDUs, and LLC frames
inside VXLAN. Frames are built with scapy (BPDU bodies with struct, field by field); the
file is written directly so that timestamps are fixed and records can be cut short
(caplen < wirelen): it is the same on every run. The expected text of every golden on it
comes from real tcpdump (scripts/make-goldens.py).
"""

from __future__ import annotations

import struct
from pathlib import Path

from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.l2 import ARP, LLC, SNAP, Dot1Q, Dot3, Ether
from scapy.layers.vxlan import VXLAN
from scapy.packet import Raw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "captures" / "basic" / "llc-edges.pcap"

STP_MAC = "01:80:c2:00:00:00"
PVST_MAC = "01:00:0c:cc:cc:cd"
SRC = "02:00:5e:10:00:01"


def bridge_id(priority: int, mac: str) -> bytes:
    return struct.pack("!H", priority) + bytes.fromhex(mac.replace(":", ""))


def bpdu(version: int, bpdu_type: int, flags: int, root: bytes, cost: int, bridge: bytes, port: int,
         timers: tuple[int, int, int, int] = (0, 20 * 256, 2 * 256, 15 * 256)) -> bytes:
    """A config/RST BPDU body (35 bytes, without the version 1 length)."""
    return (struct.pack("!HBBB", 0, version, bpdu_type, flags) + root + struct.pack("!I", cost) + bridge
            + struct.pack("!H", port) + struct.pack("!HHHH", *timers))


ROOT_ID = bridge_id(0x1000, "02:00:5e:10:00:aa")
OWN_ID = bridge_id(0x8000, "02:00:5e:10:00:01")


def mst_bpdu(version: int, name: bytes, mstis: list[bytes], spb: bytes = b"") -> bytes:
    """An MST BPDU (802.1s, or 802.1aq with ``spb`` appended) with the given MSTI records."""
    head = bpdu(version, 0x02, 0x3C | 0x40, ROOT_ID, 200, bridge_id(0x1000, "02:00:5e:10:00:bb"), 0x8003,
                (1 * 256 + 128, 20 * 256, 2 * 256, 15 * 256))
    v3len = 64 + 16 * len(mstis)
    config = (bytes([0]) + name.ljust(32, b"\0")[:32] + struct.pack("!H", 7)
              + bytes.fromhex("ac36177f50283cd4b83821d8ab26de62"))
    cist = struct.pack("!I", 20000) + OWN_ID + bytes([19])
    return head + bytes([0]) + struct.pack("!H", v3len) + config + cist + b"".join(mstis) + spb


def msti(flags: int, instance: int, cost: int, bridge_prio: int, port_prio: int, hops: int) -> bytes:
    return (bytes([flags]) + bridge_id((0x8000 & 0xF000) | instance, "02:00:5e:10:00:cc") + struct.pack("!I", cost)
            + bytes([bridge_prio, port_prio, hops]))


def spb_ext() -> bytes:
    """The 802.1aq part after the MSTI records (v4 length 86 + 2 = 88 bytes in all)."""
    body = (bytes([0]) + b"aux-region".ljust(32, b"\0") + struct.pack("!H", 3) + bytes(range(16))
            + bytes([0xB4, 0x00, 0x21, 0x43]) + struct.pack("!H", 5) + bytes(8) + bytes(range(100, 120)))
    return struct.pack("!H", len(body)) + body


def dot3(payload: bytes, dst: str = STP_MAC, src: str = SRC) -> bytes:
    return bytes(Dot3(dst=dst, src=src) / Raw(payload))


def llc(dsap: int, ssap: int, ctrl: int) -> bytes:
    return bytes(LLC(dsap=dsap, ssap=ssap, ctrl=ctrl))


def pad60(frame: bytes) -> bytes:
    return frame + bytes(max(0, 60 - len(frame)))


def frames() -> list[tuple[bytes, int]]:
    """(frame, caplen) pairs; caplen 0 means the whole frame was captured."""
    stp_llc = llc(0x42, 0x42, 3)
    config = bpdu(0, 0x00, 0x01, ROOT_ID, 4, OWN_ID, 0x8002)
    rstp = bpdu(2, 0x02, 0x7E, ROOT_ID, 20000, OWN_ID, 0x8001) + b"\0"
    mst = mst_bpdu(3, b"region\x01\xe9", [msti(0x7C, 1, 20000, 0x80, 0x80, 19), msti(0x01, 2, 0, 0x30, 0x90, 20)])
    icmp = bytes(IP(src="192.168.10.2", dst="192.168.10.100", id=1) / ICMP(id=7, seq=1) / Raw(b"llc"))
    arp = bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src=SRC) / ARP(psrc="192.168.10.2", pdst="192.168.10.100"))
    out: list[tuple[bytes, int]] = [
        # STP over LLC: a config BPDU padded to 60 bytes (802.3 length 38), RSTP, MSTP, SPB, TCN.
        (pad60(dot3(stp_llc + config)), 0),
        (pad60(dot3(stp_llc + rstp)), 0),
        (dot3(stp_llc + mst), 0),
        (dot3(stp_llc + mst_bpdu(4, b"spb", [msti(0x20, 5, 10, 0x10, 0x20, 3)], spb_ext())), 0),
        (pad60(dot3(stp_llc + struct.pack("!HBB", 0, 0, 0x80))), 0),
        # Odd BPDUs: unknown protocol id, version and type; a config BPDU too short (invalid).
        (pad60(dot3(stp_llc + struct.pack("!HBB", 1, 0, 0))), 0),
        (pad60(dot3(stp_llc + struct.pack("!HBB", 0, 7, 0))), 0),
        (pad60(dot3(stp_llc + struct.pack("!HBB", 0, 0, 0x33) + bytes(8))), 0),
        (pad60(dot3(stp_llc + config[:20])), 0),
        # Truncated captures: inside the bridge id, inside the timers, inside an MCID name.
        (pad60(dot3(stp_llc + config)), 14 + 3 + 20),
        (pad60(dot3(stp_llc + config)), 14 + 3 + 30),
        (dot3(stp_llc + mst), 14 + 3 + 43),
        # An 802.3 length shorter than the LLC header; a length larger than the frame.
        (pad60(bytes(Dot3(dst=STP_MAC, src=SRC, len=2) / Raw(stp_llc + config))), 0),
        (bytes(Dot3(dst=STP_MAC, src=SRC, len=200) / Raw(stp_llc + config)), 0),
        # SNAP: Cisco PVST+ (an RSTP BPDU), RFC 2684 BPDU, bridged Ethernet, ethertype IPv4,
        # an unknown ethertype, an unknown OUI; a SNAP header cut short.
        (dot3(bytes(LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0x00000C, code=0x010B)) + rstp
              + bytes.fromhex("00000002000a"), dst=PVST_MAC), 0),
        (pad60(dot3(bytes(LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0x0080C2, code=0x000E)) + config)), 0),
        (dot3(bytes(LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0x0080C2, code=0x0007)) + b"\0\0" + arp), 0),
        (dot3(bytes(LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=0x0800)) + icmp, dst="02:00:5e:10:00:02"), 0),
        (pad60(dot3(bytes(LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=0x88B5)) + b"local experiment")), 0),
        (pad60(dot3(bytes(LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0x001122, code=0x1234)) + b"vendor data")), 0),
        (pad60(dot3(bytes(LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0x0080C2, code=0x0007)))), 14 + 3 + 3),
        # Unknown SAPs: a U frame (TEST, response, final), XID with and without the format id,
        # an S frame (RR), an I frame, SAPs that differ; IP over SAP 0x06.
        (pad60(dot3(llc(0x12, 0x13, 0xF3) + b"test payload")), 0),
        (pad60(dot3(llc(0x00, 0x42, 0xBF) + bytes([0x81, 0x01, 0x00]))), 0),
        (pad60(dot3(llc(0x04, 0x04, 0xAF) + b"\x01\x02")), 0),
        (pad60(dot3(llc(0x04, 0x05, 0xAF))), 0),
        (pad60(dot3(llc(0xF0, 0xF0, 0x01) + b"\x0b")), 0),
        (pad60(dot3(llc(0x04, 0x04, 0x14) + b"\x17information")), 0),
        (pad60(dot3(llc(0x7E, 0x8F, 0x03) + b"ui")), 0),
        (dot3(llc(0x06, 0x06, 0x03) + icmp, dst="02:00:5e:10:00:02"), 0),
        # Jumbo ethertype 0x8870: an LLC STP BPDU, then an unknown SAP.
        (pad60(bytes(Ether(dst=STP_MAC, src=SRC, type=0x8870) / Raw(stp_llc + config))), 0),
        (pad60(bytes(Ether(dst=STP_MAC, src=SRC, type=0x8870) / Raw(llc(0x12, 0x12, 0x03) + b"jumbo"))), 0),
        # 802.1Q-tagged 802.3 frame carrying a BPDU (PVST-style access port).
        (pad60(bytes(Ether(dst=STP_MAC, src=SRC) / Dot1Q(vlan=5, type=3 + len(config)) / Raw(stp_llc + config))), 0),
        # Inside VXLAN: an inner 802.3 frame with an unknown SAP, and a truncated inner BPDU.
        (bytes(Ether(dst="02:00:c0:a8:01:05", src="02:00:c0:a8:01:04") / IP(src="192.168.1.4", dst="192.168.1.5")
               / UDP(sport=46926, dport=4789) / VXLAN(vni=256, flags=0x08)
               / Raw(pad60(dot3(llc(0x12, 0x12, 0x03) + b"inner")))), 0),
    ]
    inner_bpdu = bytes(Ether(dst="02:00:c0:a8:01:05", src="02:00:c0:a8:01:04")
                       / IP(src="192.168.1.4", dst="192.168.1.5") / UDP(sport=46926, dport=4789)
                       / VXLAN(vni=256, flags=0x08) / Raw(pad60(dot3(stp_llc + config))))
    out.append((inner_bpdu, 50 + 14 + 3 + 24))
    return out


if __name__ == "__main__":
    from edge_pcap import write_frames_pcap

    print(f"llc_edge_frames: {OUT.relative_to(ROOT)}: {write_frames_pcap(OUT, frames())} frames")
