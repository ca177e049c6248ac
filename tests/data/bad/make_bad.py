#!/usr/bin/env python3
"""Generate the broken captures in tests/data/bad/ deterministically, and their expectations.

    python3 tests/data/bad/make_bad.py        # from the project root; needs real tcpdump

Every file is derived from small good captures in captures/basic/ by cutting or patching
bytes (no randomness). For each file, ``manifest.json`` records the expected exit code of
``vxlan-inspect read`` under the issue's contract (0 ok, 2 not a capture / unreadable file
header, 3 cut short or corrupt mid-file after every complete record was emitted), the
options, and how many complete records precede the fault. ``<name>.out`` is what real
tcpdump prints (``TZ=GMT0 tcpdump -# -n -tttt -r``, stdout) for:

* file-level faults: a good classic pcap holding only the complete records before the
  fault (the "good prefix");
* packet-level faults and files that must read cleanly: the file itself.

tcpdump's own exit status and stderr for the bad file are recorded in the manifest for
information only: where tcpdump and the contract disagree (tcpdump exits 1 on a corrupt
record; it refuses pcapng with an EPB before any IDB at open) the contract wins.
"""

from __future__ import annotations

import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
BASIC = ROOT / "captures" / "basic"
OPTIONS = ["-#", "-n", "-tttt"]

PCAP_MAGIC_US = 0xA1B2C3D4


@dataclass
class Rec:
    ts_sec: int
    ts_frac: int
    data: bytes
    wirelen: int

    def header(self, end: str = "<", caplen: int | None = None, wirelen: int | None = None) -> bytes:
        return struct.pack(
            end + "IIII",
            self.ts_sec,
            self.ts_frac,
            len(self.data) if caplen is None else caplen,
            self.wirelen if wirelen is None else wirelen,
        )


@dataclass
class Pcap:
    linktype: int
    records: list[Rec] = field(default_factory=list)
    snaplen: int = 262144

    @staticmethod
    def read(path: Path) -> Pcap:
        raw = path.read_bytes()
        magic, _vmaj, _vmin, _tz, _sig, snaplen, linktype = struct.unpack_from("<IHHiIII", raw, 0)
        assert magic == PCAP_MAGIC_US, f"{path}: expected a little-endian microsecond pcap"
        out = Pcap(linktype=linktype, snaplen=snaplen)
        off = 24
        while off < len(raw):
            ts, frac, caplen, wirelen = struct.unpack_from("<IIII", raw, off)
            out.records.append(Rec(ts, frac, raw[off + 16 : off + 16 + caplen], wirelen))
            off += 16 + caplen
        return out

    def global_header(
        self, end: str = "<", magic: int = PCAP_MAGIC_US, version: tuple[int, int] = (2, 4)
    ) -> bytes:
        return struct.pack(end + "IHHiIII", magic, version[0], version[1], 0, 0, self.snaplen, self.linktype)

    def to_bytes(self, end: str = "<", records: list[Rec] | None = None) -> bytes:
        recs = self.records if records is None else records
        return self.global_header(end) + b"".join(r.header(end) + r.data for r in recs)


# --- pcapng ------------------------------------------------------------------------------


def ng_block(btype: int, body: bytes, *, total: int | None = None, trailer: int | None = None) -> bytes:
    body = body + b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return (
        struct.pack("<II", btype, length if total is None else total)
        + body
        + struct.pack("<I", length if trailer is None else trailer)
    )


def ng_shb() -> bytes:
    return ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def ng_idb(linktype: int, snaplen: int = 262144) -> bytes:
    return ng_block(0x00000001, struct.pack("<HHI", linktype, 0, snaplen))


def ng_epb(rec: Rec, iface: int = 0) -> bytes:
    ts = rec.ts_sec * 1_000_000 + rec.ts_frac
    body = struct.pack("<IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(rec.data), rec.wirelen) + rec.data
    return ng_block(0x00000006, body)


# --- packet building (for the nesting case) ------------------------------------------------


def ip_checksum(header: bytes) -> int:
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def wrap_vxlan(frame: bytes, level: int) -> bytes:
    """Ethernet / IPv4 10.0.<level>.1 -> 10.0.<level>.2 / UDP -> 4789 / VXLAN vni <level> / frame."""
    vxlan = struct.pack("!II", 0x08000000, level << 8)
    udp_len = 8 + len(vxlan) + len(frame)
    udp = struct.pack("!HHHH", 40000 + level, 4789, udp_len, 0)
    total = 20 + udp_len
    ip = bytearray(
        struct.pack(
            "!BBHHHBBH4s4s",
            0x45,
            0,
            total,
            level,
            0,
            64,
            17,
            0,
            bytes([10, 0, level, 1]),
            bytes([10, 0, level, 2]),
        )
    )
    struct.pack_into("!H", ip, 10, ip_checksum(bytes(ip)))
    eth = bytes.fromhex("020000000002") + bytes.fromhex("020000000001") + b"\x08\x00"
    return eth + bytes(ip) + udp + vxlan + frame


# --- the cases ---------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    data: bytes
    exit: int
    why: str
    prefix: list[Rec] | None = None  # file-level fault: the complete records before it
    prefix_linktype: int = 1
    options: list[str] = field(default_factory=lambda: list(OPTIONS))
    kind: str = "file"  # "file" (fault in the file structure) or "packet" (inside a record)


def truncated(rec: Rec, caplen: int) -> Rec:
    return Rec(rec.ts_sec, rec.ts_frac, rec.data[:caplen], rec.wirelen)


def patched(rec: Rec, offset: int, value: bytes) -> Rec:
    data = bytearray(rec.data)
    data[offset : offset + len(value)] = value
    return Rec(rec.ts_sec, rec.ts_frac, bytes(data), rec.wirelen)


def build_cases() -> list[Case]:
    icmp = Pcap.read(BASIC / "vxlan-icmp.pcap")  # 2 ARP, then 8 VXLAN (IPv4/UDP/VXLAN/Eth/IPv4/ICMP)
    vlan = Pcap.read(BASIC / "vxlan-vlan-underlay.pcap")
    ipv6 = Pcap.read(BASIC / "vxlan-ipv6-underlay.pcap")
    arp = Pcap.read(BASIC / "vxlan-arp.pcap")  # record 2: VXLAN carrying an ARP request
    sll = Pcap.read(BASIC / "overlay-any-sll.pcap")
    sll2 = Pcap.read(BASIC / "overlay-any-sll2.pcap")
    r = icmp.records
    vx = r[2]  # a VXLAN-encapsulated ICMP echo request
    assert vx.data[12:14] == b"\x08\x00" and vx.data[36:38] == b"\x12\xb5"
    good = icmp.to_bytes()
    head = icmp.global_header()
    rec_bytes = [x.header() + x.data for x in r]
    cases: list[Case] = []

    def file_case(
        name: str, data: bytes, exit_code: int, why: str, prefix: list[Rec] | None = None, linktype: int = 1
    ) -> None:
        cases.append(Case(name, data, exit_code, why, prefix=prefix or [], prefix_linktype=linktype))

    def packet_case(
        name: str, pcap: Pcap, recs: list[Rec], why: str, options: list[str] | None = None
    ) -> None:
        cases.append(
            Case(
                name,
                pcap.global_header() + b"".join(x.header() + x.data for x in recs),
                0,
                why,
                kind="packet",
                options=options or list(OPTIONS),
            )
        )

    # File header faults: exit 2, nothing on stdout.
    file_case("empty", b"", 2, "empty file")
    file_case("short-global-header", good[:10], 2, "file ends inside the 24-byte pcap header")
    file_case("bogus-magic", b"\xde\xad\xbe\xef" + good[4:], 2, "magic 0xdeadbeef")
    file_case("text-file", b"this is not a capture, just some text\n" * 4, 2, "a text file")
    file_case("unsupported-version", icmp.global_header(version=(3, 0)) + good[24:], 2, "pcap version 3.0")
    file_case("gzip-compressed", gzip.compress(good, mtime=0), 2, "a gzip-compressed pcap")
    file_case(
        "pcapng-shb-bad-length",
        ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1), total=30, trailer=30)
        + ng_idb(1)
        + ng_epb(r[0]),
        2,
        "section header block length 30, not a multiple of 4",
    )

    # Record faults in classic pcap: exit 3 after every complete record.
    bad = r[3].header(caplen=0x7FFFFFFF, wirelen=0x7FFFFFFF) + r[3].data
    file_case(
        "absurd-caplen",
        head + b"".join(rec_bytes[:3]) + bad + b"".join(rec_bytes[4:]),
        3,
        "record 4 has caplen 0x7fffffff (> 262144)",
        r[:3],
    )
    # caplen > len: libpcap 1.10 reads on and tcpdump prints "[Invalid header: len(138) <
    # caplen(148)]" for that record, then the rest; we follow tcpdump (exit 0).
    bad = r[3].header(wirelen=len(r[3].data) - 10) + r[3].data
    cases.append(
        Case(
            "caplen-gt-len",
            head + b"".join(rec_bytes[:3]) + bad + b"".join(rec_bytes[4:]),
            0,
            "record 4 has caplen 148 > len 138 (tcpdump prints an [Invalid header] line, goes on)",
            kind="packet",
        )
    )
    file_case(
        "truncated-record-header", good + r[4].header()[:9], 3, "file ends 9 bytes into a record header", r
    )
    file_case(
        "truncated-record-data",
        head + b"".join(rec_bytes[:5]) + rec_bytes[5][: 16 + 40],
        3,
        "file ends 40 bytes into record 6's data",
        r[:5],
    )
    zero = Rec(r[0].ts_sec, r[0].ts_frac, b"", 0)
    cases.append(
        Case(
            "zero-length-records",
            head + b"".join(rec_bytes[:2]) + (zero.header() * 2) + b"".join(rec_bytes[2:4]),
            0,
            "two records with caplen 0 and len 0 (valid, printed as tcpdump does)",
            kind="packet",
        )
    )
    huge = Rec(0xFFFFFFFF, 999_999, r[2].data, r[2].wirelen)
    cases.append(
        Case(
            "huge-timestamp",
            head + rec_bytes[0] + huge.header() + huge.data,
            0,
            "ts_sec 0xffffffff (year 2106)",
            kind="packet",
        )
    )
    badfrac = Rec(r[2].ts_sec, 2_000_000_000, r[2].data, r[2].wirelen)
    cases.append(
        Case(
            "invalid-timestamp-fraction",
            head + rec_bytes[0] + badfrac.header() + badfrac.data,
            0,
            "ts_usec 2000000000 (> 999999)",
            kind="packet",
        )
    )
    cases.append(
        Case("big-endian-pcap", icmp.to_bytes(">"), 0, "the good capture written big-endian", kind="packet")
    )

    # pcapng structure faults.
    shb, idb = ng_shb(), ng_idb(1)
    epbs = [ng_epb(x) for x in r]

    def with_bad_epb(**kw: int) -> bytes:
        rec = r[3]
        ts = rec.ts_sec * 1_000_000 + rec.ts_frac
        body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(rec.data), rec.wirelen) + rec.data
        return shb + idb + b"".join(epbs[:3]) + ng_block(6, body, **kw) + b"".join(epbs[4:])

    length = 12 + 20 + len(r[3].data) + (-len(r[3].data) % 4)
    file_case(
        "pcapng-length-not-multiple-of-4",
        with_bad_epb(total=length + 2),
        3,
        "EPB 4's block total length is not a multiple of 4",
        r[:3],
    )
    file_case(
        "pcapng-length-too-small", with_bad_epb(total=8), 3, "EPB 4's block total length is 8 (< 12)", r[:3]
    )
    file_case(
        "pcapng-trailing-length-mismatch",
        with_bad_epb(trailer=length + 4),
        3,
        "EPB 4's trailing block length differs from the leading one",
        r[:3],
    )
    file_case(
        "pcapng-epb-before-idb",
        shb + b"".join(epbs[:3]) + idb + b"".join(epbs[3:]),
        3,
        "an EPB before any IDB (the section header is fine; the first record is corrupt)",
    )
    file_case(
        "pcapng-epb-before-idb-second-section",
        shb + idb + b"".join(epbs[:3]) + shb + b"".join(epbs[3:]),
        3,
        "second section: EPBs before any IDB of that section",
        r[:3],
    )
    file_case(
        "pcapng-truncated-block",
        shb + idb + b"".join(epbs[:4]) + epbs[4][:30],
        3,
        "file ends inside EPB 5",
        r[:4],
    )
    unknown = ng_block(0x0BADBEEF, b"unknown block body") + ng_block(
        0x00000BAD, struct.pack("<I", 32473) + b"custom"
    )
    cases.append(
        Case(
            "pcapng-unknown-blocks",
            shb + idb + b"".join(epbs[:2]) + unknown + b"".join(epbs[2:5]),
            0,
            "an unknown block type and a custom block between EPBs: skipped by length",
            kind="packet",
        )
    )

    # Packet-level faults: exit 0; each packet's line is what tcpdump prints.
    packet_case(
        "truncated-ethernet",
        icmp,
        [r[0], truncated(vx, 10), r[3]],
        "caplen 10 inside the Ethernet header",
        ["-#", "-n", "-tttt", "-e"],
    )
    vl = vlan.records[2]
    assert vl.data[12:14] == b"\x81\x00"
    packet_case(
        "truncated-8021q",
        vlan,
        [vlan.records[0], truncated(vl, 16), vlan.records[3]],
        "caplen 16: the 802.1Q tag is cut",
        ["-#", "-n", "-tttt", "-e"],
    )
    packet_case(
        "truncated-outer-ipv4",
        icmp,
        [r[0], truncated(vx, 14 + 12), r[3]],
        "caplen cuts the outer IPv4 header",
    )
    v6 = ipv6.records[0]
    assert v6.data[12:14] == b"\x86\xdd"
    packet_case(
        "truncated-outer-ipv6",
        ipv6,
        [truncated(v6, 14 + 24), ipv6.records[1]],
        "caplen cuts the outer IPv6 header",
    )
    packet_case("truncated-udp", icmp, [r[0], truncated(vx, 14 + 20 + 4), r[3]], "caplen cuts the UDP header")
    packet_case(
        "truncated-vxlan",
        icmp,
        [r[0], truncated(vx, 14 + 20 + 8 + 4), r[3]],
        "caplen cuts the VXLAN header ([|vxlan])",
    )
    packet_case(
        "truncated-inner-ethernet",
        icmp,
        [truncated(vx, 14 + 20 + 8 + 8 + 6), r[3]],
        "caplen cuts the inner Ethernet header",
        ["-#", "-n", "-tttt", "-e"],
    )
    packet_case(
        "truncated-inner-ipv4",
        icmp,
        [truncated(vx, 14 + 20 + 8 + 8 + 14 + 10), r[3]],
        "caplen cuts the inner IPv4 header",
        ["-#", "-n", "-tttt", "-v"],
    )
    packet_case("truncated-arp", icmp, [truncated(r[0], 14 + 10), r[1]], "caplen cuts an ARP body")
    ia = arp.records[2]
    assert ia.data[14 + 20 + 8 + 8 + 12 : 14 + 20 + 8 + 8 + 14] == b"\x08\x06"
    packet_case(
        "truncated-inner-arp",
        arp,
        [truncated(ia, 14 + 20 + 8 + 8 + 14 + 12), arp.records[3]],
        "caplen cuts the ARP inside VXLAN",
    )
    packet_case(
        "truncated-sll",
        sll,
        [truncated(sll.records[0], 10), sll.records[1]],
        "caplen 10 < 16-byte SLL header",
        ["-#", "-n", "-tttt", "-e"],
    )
    packet_case(
        "truncated-sll2",
        sll2,
        [truncated(sll2.records[0], 12)],
        "caplen 12 < 20-byte SLL2 header",
        ["-#", "-n", "-tttt", "-e"],
    )
    packet_case(
        "ipv4-ihl-below-5",
        icmp,
        [r[0], patched(vx, 14, b"\x43"), r[3]],
        "outer IPv4 IHL 3 (< 5)",
        ["-#", "-n", "-tttt", "-v"],
    )
    packet_case(
        "udp-length-beyond-ip",
        icmp,
        [r[0], patched(vx, 14 + 20 + 4, struct.pack("!H", 1400)), r[3]],
        "outer UDP length 1400 > IP payload",
        ["-#", "-n", "-tttt", "-vv"],
    )

    # VXLAN inside VXLAN, 10 deep (beyond a depth cap of 8): its own test.
    frame = vx.data[14 + 20 + 8 + 8 :]
    for level in range(10, 0, -1):
        frame = wrap_vxlan(frame, level)
    nested = Rec(vx.ts_sec, vx.ts_frac, frame, len(frame))
    cases.append(
        Case(
            "vxlan-nested-10",
            head + nested.header() + nested.data,
            0,
            "VXLAN in VXLAN 10 levels deep (vni 1..10): tcpdump decodes all; we stop at depth 8",
            kind="nested",
        )
    )
    return cases


def run_tcpdump(path: Path, options: list[str]) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, TZ="GMT0")
    return subprocess.run(["tcpdump", *options, "-r", str(path)], capture_output=True, env=env, check=False)


def main() -> int:
    cases = build_cases()
    manifest = []
    for old in HERE.glob("*.out"):
        old.unlink()
    for case in cases:
        path = HERE / f"{case.name}.bin"
        path.write_bytes(case.data)
        tcp = run_tcpdump(path, case.options)
        if case.kind == "file" and case.exit != 0:
            assert case.prefix is not None
            with tempfile.TemporaryDirectory() as tmp:
                prefix = Path(tmp) / "prefix.pcap"
                prefix.write_bytes(Pcap(linktype=case.prefix_linktype, records=case.prefix).to_bytes())
                ref = run_tcpdump(prefix, case.options)
            assert ref.returncode == 0, ref.stderr
            expected = ref.stdout if case.prefix else b""
        else:
            assert tcp.returncode == 0, (case.name, tcp.stderr)
            expected = tcp.stdout
        (HERE / f"{case.name}.out").write_bytes(expected)
        manifest.append(
            {
                "name": case.name,
                "file": path.name,
                "expected": f"{case.name}.out",
                "exit": case.exit,
                "kind": case.kind,
                "options": case.options,
                "complete_records_before_fault": len(case.prefix) if case.prefix is not None else None,
                "why": case.why,
                "tcpdump_exit": tcp.returncode,
                "tcpdump_stderr": tcp.stderr.decode("utf-8", "replace").strip().splitlines()[-1:],
                "tcpdump_stdout_matches_expected": tcp.stdout == expected,
            }
        )
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"make_bad: {len(cases)} cases", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
