"""Classic BPF programs: tcpdump -ddd parsing, validation, and the -i any (SLL2) rewrite."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import require_tool
from vxlan_inspect.capture import bpf
from vxlan_inspect.errors import UsageError

# tcpdump -ddd -y LINUX_SLL2 arp (tcpdump 4.99.3)
SLL2_ARP = "4\n40 0 0 0\n21 0 1 2054\n6 0 0 262144\n6 0 0 0\n"


def test_parse_ddd_reads_count_and_instructions() -> None:
    assert bpf.parse_ddd(SLL2_ARP) == [(40, 0, 0, 0), (21, 0, 1, 2054), (6, 0, 0, 262144), (6, 0, 0, 0)]


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "instruction count"),
    ("3\n6 0 0 0\n", "header says 3"),
    ("1\n6 0 0\n", "expected 'code jt jf k'"),
    ("2\n21 0 5 1\n6 0 0 0\n", "jump past the end"),
    ("1\n40 0 0 12\n", "must end with a return"),
    ("1\n6 0 0 4294967296\n", "out of range"),
])
def test_parse_ddd_rejects_bad_programs(text: str, fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        bpf.parse_ddd(text)


def test_cook_for_sll2_moves_packet_loads_and_maps_header_fields() -> None:
    program = [
        (0x28, 0, 0, 0),     # ldh [0]        sll2 protocol -> ancillary protocol
        (0x20, 0, 0, 4),     # ld [4]         ifindex -> ancillary ifindex
        (0x30, 0, 0, 10),    # ldb [10]       packet type -> ancillary pkttype
        (0x28, 0, 0, 8),     # ldh [8]        hatype -> ancillary hatype
        (0x30, 0, 0, 29),    # ldb [29]       IPv4 protocol byte -> [9]
        (0xB1, 0, 0, 20),    # ldxb 4*([20]&0xf) -> [0]
        (0x48, 0, 0, 22),    # ldh [x + 22]   -> [x + 2]
        (0x06, 0, 0, 262144),
    ]
    cooked = bpf.cook_for_sll2(program)
    assert cooked == [
        (0x28, 0, 0, bpf.SKF_AD_OFF + bpf.SKF_AD_PROTOCOL),
        (0x20, 0, 0, bpf.SKF_AD_OFF + bpf.SKF_AD_IFINDEX),
        (0x30, 0, 0, bpf.SKF_AD_OFF + bpf.SKF_AD_PKTTYPE),
        (0x28, 0, 0, bpf.SKF_AD_OFF + bpf.SKF_AD_HATYPE),
        (0x30, 0, 0, 9),
        (0xB1, 0, 0, 0),
        (0x48, 0, 0, 2),
        (0x06, 0, 0, 262144),
    ]


def test_cook_for_sll2_refuses_header_bytes_the_kernel_cannot_see() -> None:
    assert bpf.cook_for_sll2([(0x30, 0, 0, 12), (0x06, 0, 0, 1)]) is None  # link-layer address byte


def test_clamp_snaplen_only_touches_accepting_returns() -> None:
    assert bpf.clamp_snaplen([(0x06, 0, 0, 262144), (0x06, 0, 0, 0), (0x28, 0, 0, 500)], 96) == [
        (0x06, 0, 0, 96), (0x06, 0, 0, 0), (0x28, 0, 0, 500)]


@pytest.mark.parametrize("expr", ["arp", "udp port 4789", "icmp or arp", "ip host 192.168.1.4 and udp"])
def test_real_tcpdump_programs_parse_and_cook(expr: str) -> None:
    require_tool("tcpdump")
    for linktype in ("EN10MB", "LINUX_SLL2"):
        text = subprocess.run(["tcpdump", "-ddd", "-y", linktype, expr], capture_output=True, text=True,
                              check=True).stdout
        program = bpf.parse_ddd(text)
        assert len(program) == int(text.split()[0])
        if linktype == "LINUX_SLL2":
            cooked = bpf.cook_for_sll2(program)
            assert cooked is not None
            assert all(k >= bpf.SKF_AD_OFF or k < 1500 or code & 0x07 not in (0, 1) for code, _, _, k in cooked)
