"""Lab plans are pure: check names, commands and faults without root."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from vxlan_inspect.cli.lab import app
from vxlan_inspect.errors import PrivilegeError, UsageError
from vxlan_inspect.lab import faults, plan, runner, topology
from vxlan_inspect.lab.ping import ping_argv
from vxlan_inspect.lab.record import capture_points, tcpdump_argv
from vxlan_inspect.lab.topology import IFNAMSIZ, Container


def _namespaces_touched(commands: plan.Plan) -> set[str]:
    touched = set()
    for argv in commands:
        if argv[:3] in (["ip", "netns", "add"], ["ip", "netns", "del"], ["ip", "netns", "exec"]):
            touched.add(argv[3])
        elif argv[1] == "-n":
            touched.add(argv[2])
        else:
            raise AssertionError(f"command outside any lab namespace: {argv}")
        if "netns" in argv[3:]:
            touched.add(argv[argv.index("netns", 3) + 1])
    return touched


@pytest.mark.parametrize("mode", topology.MODES)
def test_every_command_stays_in_prefixed_namespaces(mode: str) -> None:
    topo = topology.seed_topology("vxlab12", mode)
    commands = plan.plan_up(topo)
    touched = _namespaces_touched(commands)
    assert touched == set(topo.namespaces())
    assert all(ns.startswith("vxlab12-") and len(ns) <= IFNAMSIZ for ns in touched)
    for argv in commands:
        for i, word in enumerate(argv[:-1]):
            if word in ("add", "name", "set") and argv[1] == "-n" and argv[3] == "link":
                assert len(argv[i + 1]) <= IFNAMSIZ, argv


def test_longest_names_fit_ifnamsiz() -> None:
    topo = topology.seed_topology("abcdefgh").with_container(
        Container("Abc-de", "docker-1", "192.168.10.9", "02:42:c0:a8:0a:09")
    )
    assert max(len(ns) for ns in topo.namespaces()) <= IFNAMSIZ
    assert len(plan.vxlan_temp_name()) <= IFNAMSIZ


def test_docker_mode_programs_like_docker() -> None:
    topo = topology.seed_topology("vxl0001")
    text = plan.format_plan(plan.plan_up(topo))
    assert "type vxlan id 256 dstport 4789 proxy l2miss l3miss nolearning ageing 300" in text
    assert "ip -n vxl0001-h2 link set vx-000100-0f222 netns vxl0001-o2" in text
    assert (
        "ip -n vxl0001-o2 neigh replace 192.168.10.100 lladdr 02:42:c0:a8:0a:64 dev vxlan0 nud permanent"
        in text
    )
    assert (
        "bridge -n vxl0001-o2 fdb replace 02:42:c0:a8:0a:64 dev vxlan0 dst 192.168.1.4 self permanent" in text
    )
    assert (
        "bridge -n vxl0001-o1 fdb replace 02:42:c0:a8:0a:02 dev vxlan0 dst 192.168.1.5 self permanent" in text
    )
    assert "ip -n vxl0001-x1 addr add 192.168.10.100/24 dev eth0" in text


def test_modes() -> None:
    def args(mode: str) -> str:
        return " ".join(plan.vxlan_args(topology.seed_topology("vxl0001", mode), "docker-2"))

    assert "learning" in args("learning") and "proxy" not in args("learning")
    assert "group 239.1.1.1 dev eth0" in args("multicast")
    assert "remote 192.168.1.4" in args("p2p")
    learning = plan.format_plan(plan.plan_up(topology.seed_topology("vxl0001", "learning")))
    assert "fdb append 00:00:00:00:00:00 dev vxlan0 dst 192.168.1.4 self permanent" in learning


def test_add_container_programs_the_other_host() -> None:
    topo = topology.seed_topology("vxl0001")
    grown = topo.with_container(
        Container("X-2", "docker-1", "192.168.10.200", topology.mac_for_ip("192.168.10.200"))
    )
    text = plan.format_plan(plan.plan_add_container(grown, "X-2"))
    assert (
        "ip -n vxl0001-o2 neigh replace 192.168.10.200 lladdr 02:42:c0:a8:0a:c8 dev vxlan0 nud permanent"
        in text
    )
    assert "ip -n vxl0001-o1 link set vb-x2 name veth1" in text
    with pytest.raises(UsageError):
        grown.with_container(Container("X-3", "docker-1", "192.168.10.200", "02:42:c0:a8:0a:c8"))
    with pytest.raises(UsageError):
        topo.with_container(Container("sw", "docker-1", "192.168.10.7", "02:42:c0:a8:0a:07"))


@pytest.mark.parametrize("fault", sorted(faults.FAULTS))
def test_break_then_fix_restores_topology(fault: str) -> None:
    topo = topology.seed_topology("vxl0001")
    broken_plan, broken = faults.plan_break(topo, fault)
    assert broken_plan and broken.fault(fault)
    fix_plan, healed = faults.plan_fix(broken)
    assert fix_plan and healed == topo
    assert _namespaces_touched(broken_plan + fix_plan) <= set(broken.namespaces())
    with pytest.raises(UsageError):
        faults.plan_break(broken, fault)


def test_fault_details() -> None:
    topo = topology.seed_topology("vxl0001")
    text = {f: plan.format_plan(faults.plan_break(topo, f)[0]) for f in faults.FAULTS}
    assert "bridge -n vxl0001-o2 fdb del 02:42:c0:a8:0a:64 dev vxlan0 self" in text["missing-fdb"]
    assert "ip -n vxl0001-o2 neigh del 192.168.10.100 dev vxlan0" in text["missing-neigh"]
    assert (
        "dst 192.168.1.7 self permanent" in text["wrong-vtep"]
        and "ip netns add vxl0001-h3" in text["wrong-vtep"]
    )
    assert "id 257 dstport 4789" in text["wrong-vni"] and "ip -n vxl0001-h1 link add" in text["wrong-vni"]
    assert "id 256 dstport 8472" in text["wrong-port"]
    assert "ip -n vxl0001-c2 link set eth0 mtu 1500" in text["mtu"]
    assert " proxy " not in text["proxy-off"] and "l2miss" in text["proxy-off"]
    assert "lladdr 02:42:c0:a8:0a:99" in text["stale-neigh"]
    with pytest.raises(UsageError):
        faults.plan_break(topology.seed_topology("vxl0001", "p2p"), "missing-fdb")


def test_ping_stays_inside_the_lab() -> None:
    topo = topology.seed_topology("vxl0001")
    assert ping_argv(topo, "C-2", "X-1", count=2, size=1472, df=True) == [
        "ip",
        "netns",
        "exec",
        "vxl0001-c2",
        "ping",
        "-n",
        "-c",
        "2",
        "-i",
        "0.2",
        "-W",
        "1",
        "-s",
        "1472",
        "-M",
        "do",
        "192.168.10.100",
    ]
    assert ping_argv(topo, "docker-2", "docker-1")[-1] == "192.168.1.4"
    for outside in ("8.8.8.8", "127.0.0.1", "nosuch"):
        with pytest.raises(UsageError):
            ping_argv(topo, "C-2", outside)


def test_capture_points() -> None:
    from pathlib import Path

    topo = topology.seed_topology("vxl0001")
    points = {p.id: p for p in capture_points(topo)}
    assert set(points) == {
        "docker-1.underlay",
        "docker-2.underlay",
        "docker-1.overlay",
        "docker-2.overlay",
        "docker-1.X-1",
        "docker-2.C-2",
    }
    argv = tcpdump_argv(points["docker-2.overlay"], Path("/b"))
    assert argv[:7] == ["ip", "netns", "exec", "vxl0001-o2", "tcpdump", "-i", "any"]


def test_prefixes() -> None:
    assert topology.new_prefix() != topology.new_prefix() or True  # random; shape below
    p = topology.new_prefix()
    assert topology.check_prefix(p) == p and len(p) == 7
    for bad in ("", "x", "Vxl", "vxl-1", "abcdefghi", "1abc"):
        with pytest.raises(UsageError):
            topology.check_prefix(bad)


def test_dry_run_needs_no_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    result = CliRunner().invoke(app, ["up", "--dry-run", "--prefix", "vxl0001", "--mode", "multicast"])
    assert result.exit_code == 0, result.output
    assert result.stdout == plan.format_plan(plan.plan_up(topology.seed_topology("vxl0001", "multicast")))


def test_without_root_one_line_exit_4(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(PrivilegeError) as info:
        runner.lab_up(topology.seed_topology("vxl0001"), [])
    assert info.value.exit_code == 4


def test_cli_without_root(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from vxlan_inspect.cli import main

    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert main(["lab", "up", "--prefix", "vxl0001"]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("vxlan-inspect: lab up needs root")
