"""Acceptance 1: the seed article's dumps parse to exactly the entries they contain."""

from __future__ import annotations

from pathlib import Path

from vxlan_inspect.state import FdbEntry, NeighEntry, parse_dump
from vxlan_inspect.state.diff import diff_snapshots
from vxlan_inspect.state.snapshot import load_snapshot

SEED = Path(__file__).parent.parent / "data" / "seed"


def _parse(name: str):
    return parse_dump((SEED / name).read_text(), source=name)


def test_seed_fdb_exact() -> None:
    result = _parse("docker-2.overlay.fdb.txt")
    assert result.kind == "fdb" and result.form == "text" and not result.warnings
    remote = dict(link_netnsid=0, flags=("self",), state="permanent")
    assert result.entries == (
        FdbEntry(mac="e6:63:36:70:3d:15", ifname="vxlan0", master="br0", state="permanent"),
        FdbEntry(mac="6e:dd:a3:b1:59:83", ifname="veth0", master="br0", state="permanent"),
        FdbEntry(mac="02:42:c0:a8:0a:c8", ifname="vxlan0", dst="192.168.1.4", **remote),
        FdbEntry(mac="02:42:c0:a8:0a:02", ifname="vxlan0", dst="192.168.1.5", **remote),
        FdbEntry(mac="02:42:c0:a8:0a:64", ifname="vxlan0", dst="192.168.1.4", **remote),
        FdbEntry(mac="33:33:00:00:00:01", ifname="veth0", flags=("self",), state="permanent"),
        FdbEntry(mac="01:00:5e:00:00:01", ifname="veth0", flags=("self",), state="permanent"),
    )


def test_seed_neigh_exact() -> None:
    before = _parse("docker-2.overlay.neigh-before.txt")
    assert before.kind == "neigh"
    assert before.entries == (
        NeighEntry(dst="192.168.10.100", dev="vxlan0", lladdr="02:42:c0:a8:0a:64", state=("PERMANENT",)),
        NeighEntry(dst="192.168.10.2", dev="vxlan0", lladdr="02:42:c0:a8:0a:02", state=("PERMANENT",)),
    )
    after = _parse("docker-2.overlay.neigh-after-x2.txt")
    assert len(after.entries) == 3 and all(e.is_permanent for e in after.entries)


def test_seed_vxlan_link() -> None:
    result = _parse("docker-2.overlay.link-vxlan0.txt")
    assert result.kind == "link" and not result.warnings
    (link,) = result.entries
    assert (link.ifindex, link.ifname, link.mtu, link.master, link.link_netnsid) == (
        46,
        "vxlan0",
        1450,
        "br0",
        0,
    )
    assert link.info_kind == "vxlan" and link.info_slave_kind == "bridge"
    vx = link.vxlan
    assert vx is not None
    assert (vx.id, vx.port, vx.port_range, vx.ageing) == (256, 4789, (0, 0), 300)
    assert vx.proxy and vx.l2miss and vx.l3miss
    assert vx.learning  # old iproute2 prints only `nolearning`; absent means learning on
    assert not vx.rsc and vx.remote is None and vx.group is None


def test_seed_diff_shows_x2_appearing() -> None:
    items = diff_snapshots(
        load_snapshot(SEED / "docker-2.overlay.neigh-before.txt"),
        load_snapshot(SEED / "docker-2.overlay.neigh-after-x2.txt"),
    )
    assert len(items) == 1
    (item,) = items
    assert item.change == "added" and item.kind == "neigh"
    assert item.after == NeighEntry(
        dst="192.168.10.200", dev="vxlan0", lladdr="02:42:c0:a8:0a:c8", state=("PERMANENT",)
    )


def test_seed_diff_cli(capsys) -> None:
    from vxlan_inspect.cli import main

    rc = main(
        [
            "state",
            "diff",
            str(SEED / "docker-2.overlay.neigh-before.txt"),
            str(SEED / "docker-2.overlay.neigh-after-x2.txt"),
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    assert "+ " in out and "192.168.10.200 dev vxlan0 lladdr 02:42:c0:a8:0a:c8 PERMANENT" in out
