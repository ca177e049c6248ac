"""``read`` with a trailing filter prints exactly what ``tcpdump -r FILE EXPR`` prints.

``-#`` numbers the matching packets 1, 2, 3 ...; ``-ttt`` is the delta to the
previous *printed* packet and ``-ttttt`` to the first printed one; ``-c N``
stops after N matches; ``-w`` writes only the matches. The expected text
comes from real tcpdump, run on the same file with the same flags.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_tool
from vxlan_inspect.capture import open_capture
from vxlan_inspect.cli.read import parse_args
from vxlan_inspect.read import ReadOptions, run_read

BASIC = Path(__file__).resolve().parents[2] / "captures" / "basic"
CASES = [
    ("vxlan-arp.pcap", ["-#", "-ttt", "-n"], "udp[28:2] = 0x0800"),
    ("vxlan-arp.pcap", ["-#", "-ttttt", "-n"], "udp[28:2] = 0x0806 or arp"),
    ("vxlan-icmp.pcap", ["-#", "-n", "-c", "3"], "udp and src host 192.168.1.5"),
    ("vxlan-icmp.pcapng", ["-#", "-ttt", "-n"], "dst host 192.168.1.4"),
    ("vxlan-tcp.pcap", ["-#", "-tt", "-v", "-n"], "udp[8+8+14+9] == 6 and udp[8+8+14+20+13] & 0x02 != 0"),
    ("overlay-any-sll2.pcap", ["-#", "-ttt", "-n", "-e"], "icmp or arp"),
    ("vxlan-icmp6.pcap", ["-#", "-n"], "not arp"),
    ("icmp-need-frag.pcap", ["-#", "-n", "-ttt"], "icmp[icmptype] == icmp-unreach"),
]


def _ours(args: list[str]) -> str:
    out = io.StringIO()
    run_read(parse_args(args), out=out, err=io.StringIO())
    return out.getvalue()


@pytest.mark.parametrize(("name", "flags", "expr"), CASES, ids=[f"{c[0]}:{c[2]}" for c in CASES])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_read_with_filter_prints_what_tcpdump_prints(name: str, flags: list[str], expr: str, jobs: str) -> None:
    tcpdump = require_tool("tcpdump")
    path = str(BASIC / name)
    want = subprocess.run([tcpdump, *flags, "-r", path, expr], capture_output=True, text=True,
                          check=True).stdout
    got = _ours([*flags, "--jobs", jobs, "-r", path, *expr.split(" ")])
    assert got == want
    assert want.strip()


def test_write_keeps_only_matches(tmp_path: Path) -> None:
    out = tmp_path / "icmp.pcap"
    run_read(ReadOptions(file=str(BASIC / "vxlan-arp.pcap"), write=str(out), filter="inner icmp"),
             out=io.StringIO(), err=io.StringIO())
    with open_capture(str(out)) as cap:
        assert len(list(cap)) == 4


def test_python_api_filter_keyword() -> None:
    out = io.StringIO()
    n = run_read(ReadOptions(file=str(BASIC / "vxlan-arp.pcap"), filter="vni 256 and inner arp"),
                 out=out, err=io.StringIO())
    assert n == 2 and out.getvalue().count("ARP,") == 2


# Acceptance 2: the docs' overlay expressions select what tcpdump selects with hand-computed offsets
# (outer IPv4 UDP: VXLAN at udp[8], inner Ethernet at udp[16], inner IPv4 (IHL 5) at udp[30], its L4 at udp[50]).
DOC_EXAMPLES = [
    ("vxlan-arp.pcap", "vni 256 and inner icmp[icmptype] == icmp-echo",
     "udp port 4789 and udp[12:4] >> 8 == 256 and udp[28:2] == 0x0800 and udp[39] == 1 and udp[50] == 8"),
    ("vxlan-tcp.pcap", "inner tcp port 8080 and inner host 192.168.10.100",
     "udp port 4789 and udp[28:2] == 0x0800 and udp[39] == 6 and (udp[50:2] == 8080 or udp[52:2] == 8080) "
     "and (udp[42:4] == 0xc0a80a64 or udp[46:4] == 0xc0a80a64)"),
    ("vxlan-tcp.pcap", "inner tcp[tcpflags] & tcp-syn != 0", "udp port 4789 and udp[39] == 6 and udp[63] & 2 != 0"),
    ("vxlan-udp.pcap", "inner udp[2:2] == 7777", "udp port 4789 and udp[39] == 17 and udp[52:2] == 7777"),
    ("vxlan-arp.pcap", "vxlan[0] & 0x08 != 0 and inner arp",
     "udp port 4789 and udp[8] & 8 != 0 and udp[28:2] == 0x0806"),
    ("vxlan-icmp.pcap", "inner ip[8] == 64", "udp port 4789 and udp[28:2] == 0x0800 and udp[38] == 64"),
]


@pytest.mark.parametrize(("name", "ours", "theirs"), DOC_EXAMPLES, ids=[d[1] for d in DOC_EXAMPLES])
def test_doc_examples_equal_hand_computed_offsets(name: str, ours: str, theirs: str) -> None:
    tcpdump = require_tool("tcpdump")
    path = str(BASIC / name)
    want = subprocess.run([tcpdump, "-#", "-n", "-r", path, theirs], capture_output=True, text=True,
                          check=True).stdout
    assert want.strip()
    assert _ours(["-#", "-n", "-r", path, ours]) == want
