"""decode/tunnels.py (Geneve and VXLAN-GPE layouts) on hexdump-commented fixtures, and the rule
that UDP 6081 and 4790 are never decoded as VXLAN, even when --vxlan-port names them."""

from __future__ import annotations

from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.l2 import Ether
from scapy.layers.vxlan import VXLAN

from vxlan_inspect.decode import DecodeConfig, decode_packet
from vxlan_inspect.decode.tunnels import (
    GENEVE_PORT,
    VXLAN_GPE_PORT,
    parse_geneve,
    parse_geneve_options,
    parse_gpe,
)
from vxlan_inspect.render.tcpdump import Options, PacketFormatter
from vxlan_inspect.render.tcpdump.fastpath import format_fast

# Geneve: ver 0, opt len 3 words, O+C flags, protocol TEB, VNI 0x0001f4, reserved 0x5a,
# then one option: class 0x0102 (OVN), type 0x81 (critical bit), length 2 words, data.
GENEVE = bytes.fromhex(
    "03"        # ver 0 | opt len 3 (12 bytes)
    "c0"        # O, C
    "6558"      # protocol type: TEB
    "0001f4"    # VNI 500
    "5a"        # reserved
    "0102"      # option class OVN
    "81"        # type 0x81: critical
    "02"        # length: 2 words of data
    "00010002deadbeef"
)


def test_geneve_header_and_options() -> None:
    h = parse_geneve(GENEVE, 0, len(GENEVE))
    assert h is not None
    assert (h.version, h.opts_len, h.oam, h.critical, h.protocol, h.vni, h.reserved, h.length) == (
        0, 12, True, True, 0x6558, 500, 0x5A, 20)
    opts, ok = parse_geneve_options(GENEVE, 8, h.opts_len)
    assert ok
    assert [(o.opt_class, o.type, o.critical, o.length, o.data.hex()) for o in opts] == [
        (0x0102, 0x81, True, 12, "00010002deadbeef")]


def test_geneve_cut_and_bad_option_length() -> None:
    for cut in range(8):
        assert parse_geneve(GENEVE[:cut], 0, cut) is None
    bad = GENEVE[:8] + bytes.fromhex("0102" "01" "05") + bytes(8)  # says 5 data words, 2 present
    opts, ok = parse_geneve_options(bad, 8, 12)
    assert not ok and opts[0].length == 24


# VXLAN-GPE: flags I+P (0x0c), reserved, next protocol 1 (IPv4), VNI 400, reserved.
GPE = bytes.fromhex("0c" "0000" "01" "000190" "00")


def test_gpe_header() -> None:
    g = parse_gpe(GPE, 0, len(GPE))
    assert g is not None
    assert (g.i_flag, g.p_flag, g.o_flag, g.version, g.next_protocol, g.next_protocol_name, g.vni) == (
        True, True, False, 0, 1, "IPv4", 400)
    assert parse_gpe(GPE[:7], 0, 7) is None


def _frame(dport: int) -> bytes:
    return bytes(Ether() / IP(src="192.168.1.4", dst="192.168.1.5") / UDP(sport=40000, dport=dport)
                 / VXLAN(vni=400, flags=0x0C) / Ether() / IP() / ICMP())


def _text(ports: frozenset[int], frame: bytes) -> str:
    return PacketFormatter(Options(vxlan_ports=ports, tflag=1)).format(1, 0, 1, len(frame), len(frame), frame)


def test_tunnel_ports_never_vxlan() -> None:
    ports = frozenset({4789, 8472, GENEVE_PORT, VXLAN_GPE_PORT})
    for port in (GENEVE_PORT, VXLAN_GPE_PORT):
        frame = _frame(port)
        assert decode_packet(frame, config=DecodeConfig(vxlan_ports=ports)).vxlan is None
        assert format_fast(frame, 0, len(frame), len(frame), ports) is None
        text = _text(ports, frame)
        assert "VXLAN," not in text
        assert ("Geneve" if port == GENEVE_PORT else "VXLAN-GPE") in text
    # The same frame on a port the user named is VXLAN, to all three.
    frame = _frame(9999)
    ports = frozenset({9999})
    assert decode_packet(frame, config=DecodeConfig(vxlan_ports=ports)).vxlan is not None
    assert "VXLAN, flags" in _text(ports, frame)


def test_geneve_payload_without_printer_is_marked() -> None:
    """A type tcpdump names (LLDP) but this tool cannot print is said so, not mis-printed."""
    frame = bytes(Ether() / IP() / UDP(sport=40000, dport=GENEVE_PORT) / bytes.fromhex("000088cc0001f400" "00000100"))
    assert _text(frozenset({4789}), frame).endswith(
        "Geneve, Flags [none], vni 0x1f4: LLDP, length 4 [not decoded by vxlan-inspect]")
