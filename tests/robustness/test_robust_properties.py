"""Hypothesis properties of decoding, rendering and capture framing on generated VXLAN traffic.

"Cut" (for the truncation property) is defined against the headers the decoder
walks: Ethernet, each VLAN tag, IPv4/IPv6, UDP, VXLAN, the inner Ethernet and
ARP (whole body) or IPv4 + ICMP (8 bytes). A prefix of ``k`` bytes *cuts* the
frame when ``k`` is less than the end of the last of those headers; a prefix
that ends inside the ICMP echo data (or exactly at a header's end with nothing
after it) cuts no header and must not be marked truncated.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robust_frames import Built, vxlan_frames

from vxlan_inspect.capture import capture_from_bytes
from vxlan_inspect.capture.pcap import iter_blocks
from vxlan_inspect.cli import main
from vxlan_inspect.decode import Payload, decode_packet
from vxlan_inspect.errors import CaptureFormatError, CaptureTruncatedError
from vxlan_inspect.render.tcpdump import Options, PacketFormatter

DEEP = Options(eflag=1, vflag=3, Xflag=2, packet_number=True)
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _headers(layers: list[object]) -> list[object]:
    return [layer for layer in layers if not isinstance(layer, Payload)]


@PROPS
@given(vxlan_frames())
def test_build_then_decode_round_trip(frame: Built) -> None:
    packet = decode_packet(frame.data, 1)
    assert packet.issues == [] or packet.issues == ()
    layers = _headers(list(packet.layers))
    assert [(lay.name, lay.offset, lay.length) for lay in layers] == [  # type: ignore[attr-defined]
        (name, off, length) for name, off, length, _ in frame.headers
    ]
    for layer, (_, _, _, fields) in zip(layers, frame.headers, strict=True):
        for key, want in fields.items():
            assert getattr(layer, key) == want, (layer, key, want)


@settings(max_examples=25, deadline=None)
@given(vxlan_frames())
def test_builder_agrees_with_scapy(frame: Built) -> None:
    """The struct builder above is itself checked: scapy builds the same bytes from the same parameters."""
    from scapy.layers.inet import ICMP, IP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import ARP, Dot1AD, Dot1Q, Ether
    from scapy.layers.vxlan import VXLAN
    from scapy.packet import Raw

    p = frame.params

    def ip4(b: bytes) -> str:
        return ".".join(str(x) for x in b)

    if p["inner"] == "arp":
        inner = Ether(dst=p["inner_dst"], src=p["inner_src"]) / ARP(
            op=p["op"], hwsrc=p["sha"], psrc=ip4(p["spa"]), hwdst=p["tha"], pdst=ip4(p["tpa"]))
    else:
        inner = Ether(dst=p["inner_dst"], src=p["inner_src"]) / IP(
            src=ip4(p["isrc"]), dst=ip4(p["idst"]), ttl=p["ittl"], id=p["iident"], flags="DF") / ICMP(
            type=p["itype"], id=p["iident"], seq=p["seq"]) / Raw(p["payload"])
    if "vni" not in p:
        assert bytes(inner) == frame.data
        return
    pkt = Ether(dst=p["dst"], src=p["src"])
    for tpid, pcp, vid in p["tags"]:
        pkt = pkt / (Dot1Q if tpid == 0x8100 else Dot1AD)(prio=pcp, vlan=vid)
    if p["v6"]:
        import ipaddress

        pkt = pkt / IPv6(src=str(ipaddress.IPv6Address(p["src6"])), dst=str(ipaddress.IPv6Address(p["dst6"])),
                         hlim=p["ttl"])
    else:
        pkt = pkt / IP(src=ip4(p["src4"]), dst=ip4(p["dst4"]), ttl=p["ttl"], id=p["ident"], flags="DF")
    pkt = pkt / UDP(sport=p["sport"], dport=p["dport"], chksum=0) / VXLAN(flags=0x08, vni=p["vni"]) / inner
    assert bytes(pkt) == frame.data


@PROPS
@given(vxlan_frames())
def test_every_prefix_decodes_and_is_truncated_exactly_when_cut(frame: Built) -> None:
    full = _headers(list(decode_packet(frame.data, 1).layers))
    end = frame.header_end
    deep = PacketFormatter(DEEP)
    for k in range(len(frame.data) + 1):
        cut = frame.data[:k]
        packet = decode_packet(cut, 1, wirelen=len(frame.data))
        truncated = [i for i in packet.issues if i.kind == "truncated"]
        assert [i for i in packet.issues if i.kind != "truncated"] == []
        assert bool(truncated) == (k < end), (k, end, packet.issues)
        if truncated:
            assert len(truncated) == 1
            # the issue names the header the cut fell in
            name, off, _length, _ = next(h for h in frame.headers if h[1] + h[2] > k)
            assert truncated[0].offset == off, (k, truncated[0], name)
        complete = [h for h in full if h.offset + h.length <= k]  # type: ignore[attr-defined]
        assert _headers(list(packet.layers)) == complete
        text = deep.format(1, 0, 1, k, len(frame.data), cut)
        assert isinstance(text, str) and "Traceback" not in text


def _pcap(frames: list[bytes], order: str, nano: bool) -> tuple[bytes, list[int]]:
    """A pcap of ``frames`` and the offset where each record ends."""
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = bytearray(struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 262144, 1))
    ends = []
    for i, data in enumerate(frames):
        out += struct.pack(order + "IIII", 1_700_000_000 + i, 1000 * i, len(data), len(data)) + data
        ends.append(len(out))
    return bytes(out), ends


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(vxlan_frames().map(lambda b: b.data), st.binary(max_size=80)), min_size=1, max_size=5),
       st.sampled_from(["<", ">"]), st.booleans())
def test_pcap_cut_anywhere_yields_records_before_the_cut_then_one_report(
    frames: list[bytes], order: str, nano: bool
) -> None:
    data, ends = _pcap(frames, order, nano)
    for cut in range(len(data) + 1):
        blob = data[:cut]
        if cut < 24:
            try:
                capture_from_bytes(blob)
            except CaptureFormatError:
                continue
            raise AssertionError(f"a {cut}-byte pcap header opened")
        got: list[bytes] = []
        errors: list[Exception] = []
        try:
            for rec in capture_from_bytes(blob):
                got.append(rec.data)
        except CaptureTruncatedError as exc:
            errors.append(exc)
        complete = sum(1 for e in ends if e <= cut)
        assert got == frames[:complete]
        at_boundary = cut == 24 or cut in ends
        assert len(errors) == (0 if at_boundary else 1), (cut, errors)
        # the bulk framer that `read` uses agrees, block by block
        n = 0
        try:
            for block in iter_blocks(io.BytesIO(blob[24:]), blob[:24], block_size=64):
                n += block.count
            assert at_boundary
        except CaptureTruncatedError as exc:
            assert not at_boundary and str(exc) == str(errors[0])
        assert n == complete


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(vxlan_frames().map(lambda b: b.data), st.binary(max_size=80)), min_size=1, max_size=4),
       st.data())
def test_read_cli_prints_every_complete_record_then_exits_with_the_documented_code(
    frames: list[bytes], data: st.DataObject
) -> None:
    """`vxlan-inspect read` on a cut pcap: exit 2 inside the file header, 3 mid-record, else 0; all packets shown."""
    blob, ends = _pcap(frames, "<", False)
    cut = data.draw(st.integers(0, len(blob)), label="cut")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cut.pcap"
        path.write_bytes(blob[:cut])
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["read", "-#", "-t", "-r", str(path)])
    if cut < 24:
        expected = 2
    else:
        expected = 0 if cut == 24 or cut in ends else 3
    assert code == expected, err.getvalue()
    printed = [line for line in out.getvalue().splitlines() if re.match(r"^ {0,4}\d+  ", line)]
    assert len(printed) == (sum(1 for e in ends if e <= cut) if cut >= 24 else 0)
    errors = [line for line in err.getvalue().splitlines() if line.startswith("vxlan-inspect:")]
    assert len(errors) == (0 if code == 0 else 1) and "Traceback" not in err.getvalue()
