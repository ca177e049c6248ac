"""The kernel programs: the same selection as tcpdump's program, and libpcap's exact code for simple cases.

A small classic-BPF interpreter (written here, following the instruction set
in the Linux filter documentation) runs our programs on every shipped
capture; the selection must equal tcpdump's for every plain pcap-filter
expression. For expressions with overlay keywords the program must accept a
superset and the residual filter must finish the job.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.filter.test_vs_tcpdump import OUTER, _tcpdump_selection
from vxlan_inspect.capture import open_capture
from vxlan_inspect.filter import compile_filter

ROOT = Path(__file__).resolve().parents[2]
CAPTURES = [p for p in sorted((ROOT / "captures" / "basic").glob("*.pcap*")) if "vlan" not in p.name]


def _alu(op: int, a: int, src: int) -> int:
    if op == 0x00:
        return a + src
    if op == 0x10:
        return a - src
    if op == 0x20:
        return a * src
    if op == 0x30:
        return a // src
    if op == 0x40:
        return a | src
    if op == 0x50:
        return a & src
    if op == 0x60:
        return a << (src & 31)
    if op == 0x70:
        return a >> (src & 31)
    if op == 0x80:
        return -a
    if op == 0x90:
        return a % src
    return a ^ src


def run_bpf(prog: list[tuple[int, int, int, int]], pkt: bytes, wirelen: int) -> int:
    a = x = 0
    mem = [0] * 16
    pc = 0
    while True:
        code, jt, jf, k = prog[pc]
        pc += 1
        cls = code & 0x07
        if cls in (0x00, 0x01):  # ld / ldx
            mode, size = code & 0xE0, code & 0x18
            nbytes = {0x00: 4, 0x08: 2, 0x10: 1}[size]
            if mode == 0x00:
                v = k
            elif mode == 0x80:
                v = wirelen
            elif mode == 0x60:
                v = mem[k]
            elif mode == 0xA0 and cls == 0x01:  # ldxb msh
                if k >= len(pkt):
                    return 0
                v = (pkt[k] & 0x0F) * 4
            else:
                off = k + (x if mode == 0x40 else 0)
                if off + nbytes > len(pkt):
                    return 0
                v = int.from_bytes(pkt[off : off + nbytes], "big")
            if cls == 0x00:
                a = v
            else:
                x = v
        elif cls == 0x02:
            mem[k] = a
        elif cls == 0x03:
            mem[k] = x
        elif cls == 0x04:  # alu
            src = x if code & 0x08 else k
            op = code & 0xF0
            if op in (0x30, 0x90) and src == 0:
                return 0
            a = _alu(op, a, src) & 0xFFFFFFFF
        elif cls == 0x05:  # jmp
            src = x if code & 0x08 else k
            op = code & 0xF0
            if op == 0x00:
                pc += k
                continue
            ok = {0x10: a == src, 0x20: a > src, 0x30: a >= src, 0x40: bool(a & src)}[op]
            pc += jt if ok else jf
        elif cls == 0x06:
            return k
        elif cls == 0x07:
            if code == 0x07:
                x = a
            else:
                a = x


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.name)
def test_kernel_program_selects_what_tcpdump_selects(capture: Path, tmp_path: Path) -> None:
    tcpdump = require_tool("tcpdump")
    with open_capture(str(capture)) as cap:
        records = list(cap)
    compared = 0
    for expr in OUTER:
        if expr.startswith("vlan"):
            continue
        want = _tcpdump_selection(tcpdump, capture, expr, tmp_path)
        if want is None:
            continue
        prog, residual = compile_filter(expr).to_bpf(records[0].linktype)
        assert residual is None, expr
        got = [(r.ts_ns // 1000, r.data) for r in records if run_bpf(prog, r.data, r.wirelen)]
        assert got == want, f"{capture.name}: {expr!r}"
        compared += 1
    assert compared >= 40


@pytest.mark.parametrize("expr", ["vni 256 and udp and inner icmp", "udp port 4789 and inner host 192.168.10.100",
                                  "inner arp", "vlan and ip", "not inner icmp or arp"])
def test_overlay_expressions_get_a_superset_and_a_residual(expr: str) -> None:
    flt = compile_filter(expr)
    prog, residual = flt.to_bpf(1)
    assert residual is flt
    for capture in CAPTURES:
        with open_capture(str(capture)) as cap:
            for r in cap:
                if r.linktype == 1 and flt.match_record(r.data, r.linktype, r.wirelen):
                    assert run_bpf(prog, r.data, r.wirelen), (expr, capture.name, r.index)


@pytest.mark.parametrize("expr", ["ip", "ip6", "arp", "rarp", "len > 100", "ether[12:2] == 0x0806"])
def test_simple_programs_equal_tcpdump_ddd(expr: str) -> None:
    tcpdump = require_tool("tcpdump")
    lines = subprocess.run([tcpdump, "-ddd", "-y", "EN10MB", expr], capture_output=True, text=True,
                           check=True).stdout.split("\n")
    want = [tuple(int(v) for v in line.split()) for line in lines[1:] if line.strip()]
    prog, _ = compile_filter(expr).to_bpf(1)
    assert prog == want
