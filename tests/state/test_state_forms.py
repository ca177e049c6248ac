"""Text and JSON of the same table parse to equal entries; both iproute2 generations; hygiene."""

from __future__ import annotations

from pathlib import Path

import pytest

from vxlan_inspect.state import parse_dump
from vxlan_inspect.state.model import NamespaceState, Snapshot
from vxlan_inspect.state.snapshot import snapshot_from_json, snapshot_to_json

DATA = Path(__file__).parent.parent / "data" / "state"
SEED = Path(__file__).parent.parent / "data" / "seed"


@pytest.mark.parametrize("kind", ["fdb", "neigh", "link", "addr", "route"])
def test_text_and_json_equal(kind: str) -> None:
    text = parse_dump((DATA / f"netns-6.1.{kind}.txt").read_text())
    js = parse_dump((DATA / f"netns-6.1.{kind}.json").read_text())
    assert text.kind == js.kind == kind
    assert (text.form, js.form) == ("text", "json")
    assert not text.warnings and not js.warnings
    assert text.entries == js.entries and text.entries


def test_ansi_colour_is_ignored() -> None:
    plain = parse_dump((DATA / "netns-6.1.link.txt").read_text()).entries
    assert parse_dump((DATA / "netns-6.1.link-color.txt").read_text()).entries == plain
    assert (
        parse_dump((DATA / "netns-6.1.neigh-color.txt").read_text()).entries
        == parse_dump((DATA / "netns-6.1.neigh.txt").read_text()).entries
    )


def test_crlf_trailing_spaces_and_lost_indentation() -> None:
    original = (DATA / "netns-6.1.link.txt").read_text()
    mangled = "\r\n".join(line.strip() + "   " for line in original.splitlines()) + "\r\n"
    assert parse_dump(mangled).entries == parse_dump(original).entries


# Hand-written from iproute2's ip/iplink_vxlan.c printers (not captured from a 6.4 host):
# before 6.4 `nolearning`/`noudpcsum`...; from 6.4 only non-default booleans, spelled `noudp_csum`.
VXLAN_OLD = (DATA / "vxlan-iproute2-6.1-style.txt").read_text()
VXLAN_NEW = (DATA / "vxlan-iproute2-6.4-style.txt").read_text()
VXLAN_JSON = (DATA / "vxlan-iproute2-6.4-style.json").read_text()


def test_both_iproute2_generations_parse_alike() -> None:
    old = parse_dump(VXLAN_OLD).entries
    new = parse_dump(VXLAN_NEW).entries
    js = parse_dump(VXLAN_JSON).entries
    assert old == new == js
    vx = old[0].vxlan
    assert vx is not None
    assert (vx.remote, vx.local, vx.link, vx.port, vx.ttl) == (
        "198.51.100.7",
        "198.51.100.1",
        "eth0",
        8472,
        64,
    )
    assert not vx.learning and not vx.udp_csum and vx.group is None


def test_multicast_group_mode() -> None:
    text = VXLAN_NEW.replace("remote 198.51.100.7", "group 239.1.1.1")
    vx = parse_dump(text).entries[0].vxlan
    assert vx is not None and vx.group == "239.1.1.1" and vx.remote is None


def test_peer_in_other_namespace() -> None:
    text = (
        "12: eth0@if13: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP mode DEFAULT\n"
        "link/ether 02:42:c0:a8:0a:02 brd ff:ff:ff:ff:ff:ff link-netnsid 1\nveth\n"
    )
    js = (
        '[{"ifindex":12,"link_index":13,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],'
        '"mtu":1450,"qdisc":"noqueue","operstate":"UP","linkmode":"DEFAULT","link_type":"ether",'
        '"address":"02:42:c0:a8:0a:02","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":1,'
        '"linkinfo":{"info_kind":"veth"}}]'
    )
    assert parse_dump(text).entries == parse_dump(js).entries
    assert parse_dump(text).entries[0].link_index == 13


def test_kind_is_detected_from_content_not_name() -> None:
    kinds = {
        name: parse_dump((DATA / name).read_text()).kind
        for name in [
            "netns-6.1.fdb.txt",
            "netns-6.1.neigh.txt",
            "netns-6.1.link.txt",
            "netns-6.1.addr.txt",
            "netns-6.1.route.txt",
            "netns-6.1.fdb.json",
            "netns-6.1.neigh.json",
            "netns-6.1.link.json",
            "netns-6.1.addr.json",
            "netns-6.1.route.json",
        ]
    }
    assert kinds == {name: name.split(".")[2] for name in kinds}


def test_unparsable_line_is_a_warning_with_line_number() -> None:
    text = (SEED / "docker-2.overlay.fdb.txt").read_text() + "this is not an fdb line\n"
    result = parse_dump(text)
    assert len(result.entries) == 7
    (warning,) = result.warnings
    assert warning.line == 8 and "not an fdb entry" in warning.message


def test_snapshot_round_trip_keeps_everything() -> None:
    tables = {
        k: parse_dump((DATA / f"netns-6.1.{k}.json").read_text()).entries
        for k in ["fdb", "neigh", "link", "addr", "route"]
    }
    ns = NamespaceState(name="ns1", source="text", raw={"fdb": "x"}, tables_present=tuple(tables), **tables)  # type: ignore[arg-type]
    snap = Snapshot(host="h", time="2024-01-01T00:00:00Z", kernel="6.1", iproute2="6.1.0", namespaces=(ns,))
    assert snapshot_from_json(snapshot_to_json(snap)) == snap
