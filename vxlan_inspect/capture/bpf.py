"""Classic BPF programs: parse ``tcpdump -ddd`` text, adapt them to cooked sockets, attach them.

A classic BPF instruction (``struct sock_filter``, 8 bytes)::

     0                   1                   2                   3
     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    +-------------------------------+---------------+---------------+
    |             code              |      jt       |      jf       |
    +-------------------------------+---------------+---------------+
    |                               k                               |
    +---------------------------------------------------------------+

``setsockopt(SOL_SOCKET, SO_ATTACH_FILTER, struct sock_fprog)`` hands the kernel
a program; ``struct sock_fprog`` is ``{unsigned short len; struct sock_filter
*filter;}`` (16 bytes on 64-bit Linux: 2, padding, pointer). The kernel copies
the instructions, so the buffer only has to live for the call.

Programs are compiled for a link type. On ``-i any`` the kernel runs the filter
on a SOCK_DGRAM packet that starts at the network header, while the program was
compiled for a 20-byte Linux cooked v2 (SLL2) header in front of it:
:func:`cook_for_sll2` moves every packet load 20 bytes back and turns loads of
SLL2 header fields into the kernel's ancillary loads (protocol, interface
index, hardware type, packet type), as libpcap does.
"""

from __future__ import annotations

import ctypes
import socket
import struct

from vxlan_inspect.errors import UsageError

Instruction = tuple[int, int, int, int]

SO_ATTACH_FILTER = 26
SO_DETACH_FILTER = 27
BPF_MAXINSNS = 4096

# Instruction classes and modes (linux/bpf_common.h).
BPF_LD, BPF_LDX, BPF_RET, BPF_JMP = 0x00, 0x01, 0x06, 0x05
BPF_ABS, BPF_IND, BPF_MSH = 0x20, 0x40, 0xA0
BPF_JA = 0x00
BPF_K = 0x00

# Ancillary data offsets (linux/filter.h): SKF_AD_OFF is -0x1000.
SKF_AD_OFF = 0xFFFFF000
SKF_AD_PROTOCOL, SKF_AD_PKTTYPE, SKF_AD_IFINDEX, SKF_AD_HATYPE = 0, 4, 8, 28

SLL2_HDR_LEN = 20
#: SLL2 header field offset -> ancillary load that yields the same value.
_SLL2_FIELDS = {0: SKF_AD_PROTOCOL, 4: SKF_AD_IFINDEX, 8: SKF_AD_HATYPE, 10: SKF_AD_PKTTYPE}

_INSN = struct.Struct("=HBBI")


def parse_ddd(text: str) -> list[Instruction]:
    """Parse ``tcpdump -ddd`` output: a count line, then ``code jt jf k`` per line (decimal)."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    if not lines or len(lines[0]) != 1 or not lines[0][0].isdigit():
        raise UsageError("BPF program: the first line must be the instruction count (tcpdump -ddd format)")
    count = int(lines[0][0])
    body = lines[1:]
    if count != len(body):
        raise UsageError(f"BPF program: header says {count} instructions, {len(body)} follow")
    program: list[Instruction] = []
    for number, fields in enumerate(body, 2):
        if len(fields) != 4 or not all(f.isdigit() for f in fields):
            raise UsageError(f"BPF program line {number}: expected 'code jt jf k', got {' '.join(fields)!r}")
        code, jt, jf, k = (int(f) for f in fields)
        program.append((code, jt, jf, k))
    validate(program)
    return program


def validate(program: list[Instruction]) -> None:
    """Check what the kernel would refuse: size, field ranges, jumps out of the program, no final return."""
    if not 0 < len(program) <= BPF_MAXINSNS:
        raise UsageError(f"BPF program has {len(program)} instructions; 1 to {BPF_MAXINSNS} are allowed")
    for pc, (code, jt, jf, k) in enumerate(program):
        if not (0 <= code <= 0xFFFF and 0 <= jt <= 0xFF and 0 <= jf <= 0xFF and 0 <= k <= 0xFFFFFFFF):
            raise UsageError(f"BPF instruction {pc}: field out of range ({code}, {jt}, {jf}, {k})")
        if code & 0x07 == BPF_JMP:
            targets = [pc + 1 + k] if code & 0xF0 == BPF_JA else [pc + 1 + jt, pc + 1 + jf]
            if any(t >= len(program) for t in targets):
                raise UsageError(f"BPF instruction {pc}: jump past the end of the program")
    if program[-1][0] & 0x07 != BPF_RET:
        raise UsageError("BPF program must end with a return instruction")


def accept_all(snaplen: int) -> list[Instruction]:
    """The one-instruction program ``ret #snaplen`` (keeps at most ``snaplen`` bytes of every packet)."""
    return [(BPF_RET | BPF_K, 0, 0, snaplen)]


def cook_for_sll2(program: list[Instruction]) -> list[Instruction] | None:
    """Adapt a program compiled for LINUX_SLL2 to a SOCK_DGRAM socket; None if a load cannot be moved.

    Packet loads (absolute, indirect, and the IP-header-length ``ldxb 4*([k]&0xf)``)
    at offsets past the 20-byte header move back by 20; loads of the header's
    protocol, interface index, hardware type and packet type become ancillary
    loads. Anything else in the header (reserved bytes, address) has no kernel
    equivalent: the caller then filters in user space instead.
    """
    out: list[Instruction] = []
    for code, jt, jf, k in program:
        cls, mode = code & 0x07, code & 0xE0
        is_load = (cls == BPF_LD and mode in (BPF_ABS, BPF_IND)) or (cls == BPF_LDX and mode == BPF_MSH)
        if is_load and k < SKF_AD_OFF:
            if k >= SLL2_HDR_LEN:
                k -= SLL2_HDR_LEN
            elif mode == BPF_ABS and k in _SLL2_FIELDS:
                k = SKF_AD_OFF + _SLL2_FIELDS[k]
            else:
                return None
        out.append((code, jt, jf, k))
    return out


def clamp_snaplen(program: list[Instruction], snaplen: int) -> list[Instruction]:
    """Make every non-zero constant return keep at most ``snaplen`` bytes."""
    return [
        (code, jt, jf, min(k, snaplen) if code == BPF_RET | BPF_K and k else k) for code, jt, jf, k in program
    ]


def pack_program(program: list[Instruction]) -> bytes:
    """The instructions as the kernel's ``struct sock_filter`` array."""
    return b"".join(_INSN.pack(*insn) for insn in program)


def attach_filter(sock: socket.socket, program: list[Instruction]) -> None:
    """Attach ``program`` to ``sock`` with SO_ATTACH_FILTER; UsageError if the kernel rejects it."""
    validate(program)
    insns = ctypes.create_string_buffer(pack_program(program))
    fprog = struct.pack("HL", len(program), ctypes.addressof(insns))
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    except OSError as exc:
        raise UsageError(f"the kernel refused the BPF program ({exc.strerror})",
                         hint="check it with tcpdump -d") from exc
    finally:
        del insns
