"""Acceptance 3: control plane -> expected neighbour/FDB entries -> diff against a snapshot."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from vxlan_inspect.state import FdbEntry, NeighEntry
from vxlan_inspect.state.controlplane import mac_from_ip, merge_control_planes, parse_control_plane
from vxlan_inspect.state.expected import compare_expected, expected_entries
from vxlan_inspect.state.snapshot import load_snapshot

SEED = Path(__file__).parent.parent / "data" / "seed"
NID = "0f222fcb18197027638550fd3c711c57c0ab6c16fd20456aed0ab38629884b37"

SERF_JL = f"""New event: user
jl 192.168.1.4 {NID} ep1
join 192.168.10.100 255.255.255.0 02:42:c0:a8:0a:64
New event: user
jl 192.168.1.4 {NID} ep2
join 192.168.10.200 255.255.255.0 02:42:c0:a8:0a:c8
New event: user
jl 192.168.1.7 {NID} ep3
join 192.168.10.3 255.255.255.0 02:42:c0:a8:0a:03
New event: user
jl 192.168.1.7 {NID} ep3
leave 192.168.10.3 255.255.255.0 02:42:c0:a8:0a:03
"""


def _seed_plane():
    files = ["consul-network-value.json", "consul-endpoints-summary.txt", "serf-events.txt"]
    return merge_control_planes([parse_control_plane((SEED / f).read_text(), source=f) for f in files])


def test_seed_consul_and_serf_give_expected_entries() -> None:
    plane = _seed_plane()
    assert (
        plane.network_id == NID and plane.network_name == "demo-network" and plane.subnet == "192.168.10.0/24"
    )
    # the seed's Serf log joins then leaves 192.168.10.3: nothing remains of it
    assert {e.ip for e in plane.endpoints} == {"192.168.10.100", "192.168.10.200"}
    wanted = expected_entries(plane, local_vtep="192.168.1.5")
    assert wanted.neigh == (
        NeighEntry(dst="192.168.10.100", dev="vxlan0", lladdr="02:42:c0:a8:0a:64", state=("PERMANENT",)),
        NeighEntry(dst="192.168.10.200", dev="vxlan0", lladdr="02:42:c0:a8:0a:c8", state=("PERMANENT",)),
    )
    assert wanted.fdb == (
        FdbEntry(
            mac="02:42:c0:a8:0a:64", ifname="vxlan0", dst="192.168.1.4", flags=("self",), state="permanent"
        ),
        FdbEntry(
            mac="02:42:c0:a8:0a:c8", ifname="vxlan0", dst="192.168.1.4", flags=("self",), state="permanent"
        ),
    )


def test_serf_jl_events_carry_the_vtep() -> None:
    plane = parse_control_plane(SERF_JL)
    assert [(e.ip, e.vtep, e.endpoint_id, e.network_id) for e in plane.endpoints] == [
        ("192.168.10.100", "192.168.1.4", "ep1", NID),
        ("192.168.10.200", "192.168.1.4", "ep2", NID),
    ]


def test_diff_against_snapshot_missing_one_entry() -> None:
    wanted = expected_entries(_seed_plane(), local_vtep="192.168.1.5")
    before = load_snapshot(SEED / "docker-2.overlay.neigh-before.txt").namespaces[0]
    findings = compare_expected(wanted, before)
    missing = [f for f in findings if f.status == "missing"]
    assert [(f.kind, f.expected) for f in missing] == [("neigh", wanted.neigh[1])]
    assert "192.168.10.200" in missing[0].message
    after = load_snapshot(SEED / "docker-2.overlay.neigh-after-x2.txt").namespaces[0]
    assert not [f for f in compare_expected(wanted, after) if f.status == "missing"]


def test_fdb_wrong_vtep_and_missing() -> None:
    plane = parse_control_plane(
        SERF_JL.replace("jl 192.168.1.4 " + NID + " ep2", "jl 192.168.1.9 " + NID + " ep2")
    )
    fdb = load_snapshot(SEED / "docker-2.overlay.fdb.txt").namespaces[0]
    findings = {(f.status, f.kind) for f in compare_expected(expected_entries(plane), fdb)}
    assert ("wrong_vtep", "fdb") in findings  # X-2's MAC points at 192.168.1.4, not 192.168.1.9
    assert ("extra", "fdb") in findings  # 02:42:c0:a8:0a:02 matches no endpoint of this log


def _kv(key: str, record: dict) -> dict:
    return {"key": key, "flags": 0, "value": base64.b64encode(json.dumps(record).encode()).decode()}


def test_consul_kv_export_and_api_forms() -> None:
    network = json.loads((SEED / "consul-network-value.json").read_text())
    endpoint = {
        "name": "X-1",
        "id": "ep1",
        "locator": "192.168.1.4",
        "ep_iface": {"addr": "192.168.10.100/24", "mac": "02:42:c0:a8:0a:64"},
    }
    overlay = {"mtu": 0, "secure": False, "subnets": [{"SubnetIP": "192.168.10.0/24", "Vni": 256}]}
    export = [
        _kv(f"docker/network/v1.0/network/{NID}/", network),
        _kv(f"docker/network/v1.0/overlay/network/{NID}/", overlay),
        _kv(f"docker/network/v1.0/endpoint/{NID}/ep1/", endpoint),
    ]
    plane = parse_control_plane(json.dumps(export))
    assert (plane.network_id, plane.vni) == (NID, 256)
    (ep,) = plane.endpoints
    assert (ep.ip, ep.prefixlen, ep.mac, ep.vtep, ep.network_id) == (
        "192.168.10.100",
        24,
        "02:42:c0:a8:0a:64",
        "192.168.1.4",
        NID,
    )
    api = [
        {"LockIndex": 0, "Key": d["key"], "Flags": 0, "Value": d["value"], "CreateIndex": 1, "ModifyIndex": 2}
        for d in export
    ]
    assert parse_control_plane(json.dumps(api)).endpoints == plane.endpoints


def test_docker_network_inspect_verbose() -> None:
    inspect = [
        {
            "Name": "demo-network",
            "Id": NID,
            "Driver": "overlay",
            "Options": {"com.docker.network.driver.overlay.vxlanid_list": "4097"},
            "IPAM": {"Config": [{"Subnet": "10.0.1.0/24"}]},
            "Containers": {
                "c1": {
                    "Name": "web.1",
                    "EndpointID": "e1",
                    "MacAddress": "02:42:0a:00:01:03",
                    "IPv4Address": "10.0.1.3/24",
                }
            },
            "Peers": [{"Name": "n1", "IP": "192.168.1.4"}, {"Name": "n2", "IP": "192.168.1.5"}],
            "Services": {
                "web": {
                    "VIP": "10.0.1.2",
                    "Tasks": [
                        {
                            "Name": "web.1",
                            "EndpointID": "e1",
                            "EndpointIP": "10.0.1.3",
                            "Info": {"Host IP": "192.168.1.5"},
                        },
                        {
                            "Name": "web.2",
                            "EndpointID": "e2",
                            "EndpointIP": "10.0.1.4",
                            "Info": {"Host IP": "192.168.1.4"},
                        },
                    ],
                }
            },
        }
    ]
    plane = parse_control_plane(json.dumps(inspect))
    assert plane.vni == 4097 and plane.subnet == "10.0.1.0/24"
    wanted = expected_entries(plane)
    assert wanted.fdb == (
        FdbEntry(
            mac=mac_from_ip("10.0.1.4"),
            ifname="vxlan0",
            dst="192.168.1.4",
            flags=("self",),
            state="permanent",
        ),
    )
    assert mac_from_ip("10.0.1.4") == "02:42:0a:00:01:04"


def test_cli_expected_against(capsys) -> None:
    from vxlan_inspect.cli import main

    rc = main(
        [
            "state",
            "expected",
            str(SEED / "consul-network-value.json"),
            str(SEED / "consul-endpoints-summary.txt"),
            str(SEED / "serf-events.txt"),
            "--against",
            str(SEED / "docker-2.overlay.neigh-before.txt"),
            "--local-vtep",
            "192.168.1.5",
            "--json",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert {
        "status": "missing",
        "table": "neigh",
        "message": "neighbour 192.168.10.200 lladdr 02:42:c0:a8:0a:c8 on vxlan0 is missing",
    } in doc["findings"]
