#!/usr/bin/env python3
"""Produce tests/golden/expected/*.out by running REAL tcpdump on every case of tests/golden/cases.

    sudo python3 scripts/make-goldens.py              # from the project root: every case
    sudo python3 scripts/make-goldens.py dns vxlan-dns  # only cases whose name starts so

Root is needed because SLL2 captures are read inside a fresh network namespace (named
``vgld<hex>``, deleted afterwards; see tests/golden/golden_harness.py). Before running the
cases, captures that use VXLAN on UDP 8472 get a copy with that port rewritten to 4789
(tests/golden/rewritten/; only the two port bytes change, and the outer UDP checksum must
be 0, which is checked), because tcpdump 4.99.3 would print them as OTV.

Expected files are tcpdump's stdout, byte for byte. Never edit them by hand.
"""

from __future__ import annotations

import contextlib
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "golden"))

import golden_harness as gh  # noqa: E402


def rewrite_vxlan_port(src: Path, dst: Path, old: int = 8472, new: int = 4789) -> int:
    """Copy a classic pcap of Ethernet frames, changing outer UDP port ``old`` to ``new``.

    Handles Ethernet (optionally one 802.1Q tag) + IPv4/IPv6 + UDP. Refuses a packet whose
    UDP checksum is not 0 (changing the port would make it wrong). Returns the count of
    ports changed.
    """
    data = bytearray(src.read_bytes())
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise SystemExit(f"{src}: not a classic pcap")
    if struct.unpack_from(end + "I", data, 20)[0] != 1:
        raise SystemExit(f"{src}: not Ethernet")
    changed = 0
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from(end + "I", data, off + 8)[0]
        pkt = off + 16
        eth_type = struct.unpack_from("!H", data, pkt + 12)[0]
        l3 = pkt + 14
        if eth_type == 0x8100:
            eth_type = struct.unpack_from("!H", data, pkt + 16)[0]
            l3 += 4
        udp = None
        if eth_type == 0x0800 and data[l3 + 9] == 17:
            udp = l3 + (data[l3] & 0x0F) * 4
        elif eth_type == 0x86DD and data[l3 + 6] == 17:
            udp = l3 + 40
        if udp is not None and udp + 8 <= pkt + caplen:
            sport, dport, _length, csum = struct.unpack_from("!HHHH", data, udp)
            if old in (sport, dport):
                if csum != 0:
                    raise SystemExit(f"{src}: record at offset {off}: UDP checksum {csum:#06x}, not 0")
                if sport == old:
                    struct.pack_into("!H", data, udp, new)
                    changed += 1
                if dport == old:
                    struct.pack_into("!H", data, udp + 2, new)
                    changed += 1
        off = pkt + caplen
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(bytes(data))
    return changed


def main() -> int:
    prefixes = tuple(sys.argv[1:])
    cases = gh.load_cases(gh.GOLDEN / "cases", gh.GOLDEN / "expected")
    if prefixes:
        cases = [c for c in cases if c.name.startswith(prefixes)]
        if not cases:
            raise SystemExit(f"make-goldens: no case name starts with {' or '.join(prefixes)}")
    for pcap in sorted({c.pcap for c in cases if c.special_8472}):
        case = next(c for c in cases if c.pcap == pcap and c.special_8472)
        n = rewrite_vxlan_port(pcap, case.rewritten_pcap)
        rel = case.rewritten_pcap.relative_to(ROOT)
        print(f"make-goldens: {rel}: {n} ports 8472 -> 4789", file=sys.stderr)
    (gh.GOLDEN / "expected").mkdir(exist_ok=True)
    version = subprocess.run(["tcpdump", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    print(f"make-goldens: {version}", file=sys.stderr)
    for case in cases:
        ns_needed = gh.needs_namespace(case, for_tcpdump=True)
        with gh.fresh_namespace(case.ifnames) if ns_needed else contextlib.nullcontext() as ns:
            res = gh.run(gh.in_namespace(ns, gh.tcpdump_argv(case)))
        if res.returncode != 0:
            raise SystemExit(f"{case.name}: tcpdump exited {res.returncode}: {res.stderr.decode()}")
        case.expected.write_bytes(res.stdout)
    print(f"make-goldens: wrote {len(cases)} expected outputs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
