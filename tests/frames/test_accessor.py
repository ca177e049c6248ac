"""The df.vxlan accessor on real captures (one derived by removing exactly one reply record)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from frames_helpers import ROOT

from vxlan_inspect.capture import open_capture
from vxlan_inspect.frames import read_packets

BASIC = ROOT / "captures/basic"


def test_lost_reply_capture_is_the_healthy_one_minus_one_reply() -> None:
    with open_capture(BASIC / "vxlan-icmp.pcap") as cap:
        healthy = [(r.ts_ns, r.data) for r in cap]
    with open_capture(BASIC / "vxlan-icmp-lost-reply.pcap") as cap:
        lost = [(r.ts_ns, r.data) for r in cap]
    assert lost == healthy[:5] + healthy[6:]


def test_pings_with_one_lost_reply() -> None:
    healthy = read_packets(BASIC / "vxlan-icmp.pcap").vxlan.pings()
    pings = read_packets(BASIC / "vxlan-icmp-lost-reply.pcap").vxlan.pings()
    assert pings["seq"].tolist() == [1, 2, 3, 4]
    assert pings["src"].unique().tolist() == ["192.168.10.2"]
    lost = pings[pings["reply_frame"].isna()]
    assert lost["seq"].tolist() == [2]
    assert math.isnan(lost["rtt_ms"].iloc[0])
    answered = pings.dropna(subset=["rtt_ms"])
    # RTTs are the time between each request record and its reply record, as tcpdump prints them.
    df = read_packets(BASIC / "vxlan-icmp-lost-reply.pcap")
    for _, row in answered.iterrows():
        req = df[df["frame"] == row["request_frame"]]["time"].iloc[0]
        rep = df[df["frame"] == row["reply_frame"]]["time"].iloc[0]
        assert row["rtt_ms"] == pytest.approx((rep - req).total_seconds() * 1000)
        assert 0 < row["rtt_ms"] < 10
    same = healthy.set_index("seq").loc[[1, 3, 4], "rtt_ms"].tolist()
    assert answered["rtt_ms"].tolist() == pytest.approx(same)


def test_endpoints_map_x1_to_docker1() -> None:
    ep = read_packets(BASIC / "vxlan-icmp.pcap").vxlan.endpoints()
    x1 = ep[ep["mac"] == "02:42:c0:a8:0a:64"]
    assert x1["vtep"].tolist() == ["192.168.1.4"]
    assert x1["ip"].tolist() == ["192.168.10.100"]
    c2 = ep[ep["mac"] == "02:42:c0:a8:0a:02"]
    assert c2["vtep"].tolist() == ["192.168.1.5"]


def test_flows_count_every_tunnelled_packet() -> None:
    df = read_packets(BASIC / "vxlan-icmp.pcap")
    flows = df.vxlan.flows()
    assert set(zip(flows["vtep_src"], flows["vtep_dst"], strict=True)) == {
        ("192.168.1.5", "192.168.1.4"), ("192.168.1.4", "192.168.1.5")}
    assert flows["packets"].sum() == int((df["vni"] >= 0).sum()) == 8
    assert flows["bytes"].sum() == int(df.loc[df["vni"] >= 0, "wirelen"].sum())
    assert (flows["vni"] == 256).all()


def test_arp_exchange_inside_the_tunnel() -> None:
    arp = read_packets(BASIC / "vxlan-arp.pcap").vxlan.arp()
    inner = arp[arp["vni"] == 256]
    assert inner["target_ip"].tolist() == ["192.168.10.100"]
    assert inner["answer_mac"].tolist() == ["02:42:c0:a8:0a:64"]
    assert inner["rtt_ms"].iloc[0] > 0


def test_pings_in_a_cooked_capture_without_tunnel() -> None:
    pings = read_packets(BASIC / "overlay-any-sll2.pcap").vxlan.pings()
    assert len(pings) >= 2
    assert (pings["vni"] == -1).all()


def test_accessor_refuses_other_frames() -> None:
    with pytest.raises(AttributeError):
        pd.DataFrame({"a": [1]}).vxlan.flows()
