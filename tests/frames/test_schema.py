"""The columnar fast path equals the reference decoder on every shipped capture, and oracles agree."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from frames_helpers import BAD, BASIC, BUNDLES, ROOT, reference_frame

import vxlan_inspect.frames.columnar as columnar
from tests.pcapng_writer import write_pcapng
from vxlan_inspect.capture import open_capture
from vxlan_inspect.errors import CaptureTruncatedError, VxlanInspectError
from vxlan_inspect.frames import COLUMNS, read_packets
from vxlan_inspect.frames.schema import empty_frame

CAPTURES = BASIC + BUNDLES


def _label(path: Path) -> str:
    return path.stem


@pytest.mark.parametrize("path", CAPTURES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fast_path_equals_reference(path: Path) -> None:
    got = read_packets(path, jobs=1)
    want = reference_frame(path, _label(path))
    pd.testing.assert_frame_equal(got, want)


def test_fast_path_really_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guard against a vacuous equality: most VXLAN records must skip the reference decoder."""
    calls = []
    real = columnar.decode_packet

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(columnar, "decode_packet", counting)
    df = read_packets(ROOT / "captures/basic/vxlan-icmp.pcap")
    assert len(df) == 10
    assert len(calls) == 2  # the two underlay ARP packets only
    calls.clear()
    df = read_packets(ROOT / "captures/basic/vxlan-vlan-underlay.pcap")
    assert (df["vlan"] == 100).any()
    assert len(calls) < len(df)


def _good_bad_files() -> list[dict[str, object]]:
    manifest = json.loads((BAD / "manifest.json").read_text())
    return [e for e in manifest if e["kind"] in ("packet", "nested")]


@pytest.mark.parametrize("entry", _good_bad_files(), ids=lambda e: str(e["name"]))
def test_broken_packets_equal_reference(entry: dict[str, object]) -> None:
    path = BAD / str(entry["file"])
    got = read_packets(path, capture_point="bad", jobs=1)
    pd.testing.assert_frame_equal(got, reference_frame(path, "bad"))


@pytest.mark.parametrize("entry", [e for e in json.loads((BAD / "manifest.json").read_text()) if e["kind"] == "file"],
                         ids=lambda e: str(e["name"]))
def test_broken_files_raise_like_read(entry: dict[str, object]) -> None:
    with pytest.raises(VxlanInspectError) as info:
        read_packets(BAD / str(entry["file"]), jobs=1)
    assert info.value.exit_code == entry["exit"]
    if entry["exit"] == 3:
        assert isinstance(info.value, CaptureTruncatedError)


def test_schema_dtypes_and_memory() -> None:
    df = read_packets(ROOT / "captures/basic/vxlan-icmp.pcap")
    assert list(df.columns) == [name for name, _ in COLUMNS]
    assert dict(df.dtypes.astype(str)) == dict(empty_frame().dtypes.astype(str))
    assert str(df["time"].dtype) == "datetime64[ns, UTC]"
    assert df["frame"].tolist() == list(range(1, 11))


def test_truncated_and_invalid_flags() -> None:
    inner_arp = read_packets(BAD / "truncated-inner-arp.bin")
    assert inner_arp["truncated"].any()
    udp = read_packets(BAD / "udp-length-beyond-ip.bin")
    assert udp["invalid"].any()


def test_sll2_direction_and_ifindex() -> None:
    df = read_packets(ROOT / "captures/basic/overlay-any-sll2.pcap")
    assert set(df["direction"].dropna()) >= {"B", "Out", "P"}
    assert (df["ifindex"] > 0).all()
    assert (df["linktype"] == 276).all()


def _scapy_rows(path: Path) -> list[dict[str, object]]:
    scapy_all = pytest.importorskip("scapy.all")
    from scapy.layers.vxlan import VXLAN

    rows = []
    for pkt in scapy_all.rdpcap(str(path)):
        row: dict[str, object] = {}
        ip = pkt.getlayer(scapy_all.IP)
        if ip is not None:
            row.update(ip_src=ip.src, ip_dst=ip.dst, ip_ttl=ip.ttl, ip_id=ip.id, ip_len=ip.len)
        if pkt.haslayer(scapy_all.Dot1Q):
            row["vlan"] = pkt[scapy_all.Dot1Q].vlan
        if pkt.haslayer(VXLAN):
            vx = pkt[VXLAN]
            row.update(udp_sport=pkt[scapy_all.UDP].sport, udp_dport=pkt[scapy_all.UDP].dport, vni=vx.vni)
            inner = vx.payload
            row.update(inner_eth_src=inner.src, inner_eth_dst=inner.dst)
            iip = inner.getlayer(scapy_all.IP)
            if iip is not None:
                row.update(inner_ip_src=iip.src, inner_ip_dst=iip.dst, inner_ip_id=iip.id)
            icmp = inner.getlayer(scapy_all.ICMP)
            if icmp is not None:
                row.update(icmp_type=icmp.type, icmp_id=icmp.id, icmp_seq=icmp.seq)
            arp = inner.getlayer(scapy_all.ARP)
            if arp is not None:
                row.update(arp_op=arp.op, arp_sha=arp.hwsrc, arp_spa=arp.psrc, arp_tpa=arp.pdst)
        if pkt.haslayer(scapy_all.CookedLinuxV2):
            sll = pkt[scapy_all.CookedLinuxV2]
            row.update(ifindex=sll.ifindex, direction={0: "In", 1: "B", 2: "M", 3: "P", 4: "Out"}[sll.pkttype])
        rows.append(row)
    return rows


@pytest.mark.parametrize("name", ["vxlan-icmp.pcap", "vxlan-arp.pcap", "vxlan-vlan-underlay.pcap",
                                  "overlay-any-sll2.pcap", "vxlan-tcp.pcap"])
def test_key_fields_match_scapy(name: str) -> None:
    path = ROOT / "captures/basic" / name
    df = read_packets(path)
    oracle = _scapy_rows(path)
    assert len(df) == len(oracle)
    compared = 0
    for i, row in enumerate(oracle):
        for key, value in row.items():
            got = df[key].iloc[i]
            if isinstance(got, (np.integer, np.bool_)):
                got = got.item()
            assert got == value, f"{name} frame {i + 1} {key}: {got!r} != scapy {value!r}"
            compared += 1
    assert compared > 5 * len(df)


def test_several_files_and_directory_labels() -> None:
    bundle = ROOT / "captures/bundles/healthy-ping/captures"
    df = read_packets(bundle)
    assert set(df["capture_point"].cat.categories) == {p.stem for p in bundle.glob("*.pcap")}
    seq = read_packets(bundle, jobs=1)
    pd.testing.assert_frame_equal(df, seq)
    assert isinstance(df["ip_src"].dtype, pd.CategoricalDtype)


def test_pcapng_takes_the_columnar_path_and_equals_the_pcap(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    source = ROOT / "captures/basic/vxlan-icmp.pcap"
    with open_capture(source) as cap:
        records = [(0, r.ts_ns, r.data, r.wirelen) for r in cap]
    ng = tmp_path / "vxlan-icmp.pcapng"
    write_pcapng(ng, [1], records)
    calls = []
    real = columnar.decode_packet
    monkeypatch.setattr(columnar, "decode_packet", lambda *a, **k: calls.append(1) or real(*a, **k))
    pd.testing.assert_frame_equal(read_packets(ng, jobs=1), read_packets(source, jobs=1))
    assert len(calls) < len(records) // 2  # most went the columnar way


def test_pcapng_with_two_link_types_is_decoded_record_by_record(tmp_path: Path) -> None:
    sll2 = ROOT / "captures/basic/overlay-any-sll2.pcap"
    eth = ROOT / "captures/basic/vxlan-arp.pcap"
    records = []
    for iface, path in enumerate((eth, sll2)):
        with open_capture(path) as cap:
            records += [(iface, r.ts_ns, r.data, r.wirelen) for r in cap]
    ng = tmp_path / "mixed.pcapng"
    write_pcapng(ng, [1, 276], records)
    got = read_packets(ng, jobs=1)
    pd.testing.assert_frame_equal(got, reference_frame(ng, "mixed"))
    assert set(got["linktype"]) == {1, 276}


@pytest.mark.parametrize("order", ["<", ">"])
def test_pcapng_microseconds_offset_and_big_endian(tmp_path: Path, order: str) -> None:
    with open_capture(ROOT / "captures/basic/vxlan-icmp.pcap") as cap:
        records = [(0, r.ts_ns, r.data, r.wirelen) for r in cap]
    ng = tmp_path / "micro.pcapng"
    write_pcapng(ng, [1], records, micro_offset=1_000_000_000, order=order)
    got = read_packets(ng, jobs=1)
    pd.testing.assert_frame_equal(got, reference_frame(ng, "micro"))
    assert got["time"].iloc[0].value == records[0][1] // 1000 * 1000


def test_cut_pcapng_fails_like_the_record_reader(tmp_path: Path) -> None:
    with open_capture(ROOT / "captures/basic/vxlan-icmp.pcap") as cap:
        records = [(0, r.ts_ns, r.data, r.wirelen) for r in cap]
    ng = tmp_path / "cut.pcapng"
    write_pcapng(ng, [1], records)
    ng.write_bytes(ng.read_bytes()[:-10])
    with pytest.raises(CaptureTruncatedError) as want, open_capture(ng) as cap:
        list(cap)
    with pytest.raises(CaptureTruncatedError) as got:
        read_packets(ng, jobs=1)
    assert str(got.value) == str(want.value)


def test_mutated_pcapng_gives_the_record_readers_table_or_its_error(tmp_path: Path) -> None:
    """The in-memory pcapng framer must agree with the record reader on damaged files."""
    import random

    records = []
    for iface, name in enumerate(("vxlan-icmp.pcap", "vxlan-arp.pcap")):
        with open_capture(ROOT / "captures/basic" / name) as cap:
            records += [(iface, r.ts_ns, r.data, r.wirelen) for r in cap]
    clean = tmp_path / "clean.pcapng"
    write_pcapng(clean, [1, 1], records)
    source = clean.read_bytes()
    rng = random.Random(5)
    path = tmp_path / "mutant.pcapng"
    compared = failed = 0
    for _ in range(150):
        data = bytearray(source)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(28, len(data))] = rng.randrange(256)  # past the section header
        path.write_bytes(bytes(data))
        try:
            want = reference_frame(path, "mutant")
        except VxlanInspectError as exc:
            with pytest.raises(type(exc)):
                read_packets(path, jobs=1)
            failed += 1
            continue
        pd.testing.assert_frame_equal(read_packets(path, jobs=1), want)
        compared += 1
    assert compared > 20 and failed > 20


def test_times_beyond_datetime64_are_nat_not_an_error(tmp_path: Path) -> None:
    with open_capture(ROOT / "captures/basic/vxlan-icmp.pcap") as cap:
        records = [(0, r.ts_ns + 10**20, r.data, r.wirelen) for r in cap]  # + 3,000 years
    far = tmp_path / "far.pcapng"
    write_pcapng(far, [1], records, micro_offset=10**11)  # (carried by if_tsoffset)
    got = read_packets(far, jobs=1)
    assert got["time"].isna().all() and len(got) == len(records)
    pd.testing.assert_frame_equal(got, reference_frame(far, "far"))


@pytest.mark.parametrize("name", ["vxlan-icmp.pcap", "vxlan-icmp.pcapng", "overlay-any-sll2.pcap"])
def test_stdin_gives_the_files_table(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    path = ROOT / "captures/basic" / name
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    got = read_packets("-", capture_point=path.stem, jobs=1)
    pd.testing.assert_frame_equal(got, read_packets(path, jobs=1))
