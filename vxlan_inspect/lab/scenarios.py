"""The recorded scenarios: which lab, which faults, which traffic (pure data).

``lab record NAME`` builds a fresh lab in the scenario's mode, injects its faults,
snapshots every namespace, captures at every point while it runs the steps, and
snapshots again. See docs/lab.md for the bundle it writes.
"""

from __future__ import annotations

from dataclasses import dataclass

from vxlan_inspect.errors import UsageError
from vxlan_inspect.lab.faults import FAULTS


@dataclass(frozen=True, slots=True)
class Ping:
    """Run iputils ping in ``src``'s namespace towards ``dst``."""

    src: str
    dst: str
    count: int = 3
    size: int = 56
    df: bool = False


@dataclass(frozen=True, slots=True)
class AddContainer:
    """Start a container on ``host`` and program the other hosts (Docker's control plane)."""

    host: str
    name: str
    ip: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Snapshot the state of every namespace under ``label`` (``before``/``after`` are automatic)."""

    label: str


Step = Ping | AddContainer | Snapshot


@dataclass(frozen=True, slots=True)
class Scenario:
    """One recordable situation: mode, faults to inject, steps, and the signature to expect."""

    name: str
    mode: str
    description: str
    expect: str
    steps: tuple[Step, ...]
    faults: tuple[str, ...] = ()


SEED_PING = Ping("C-2", "X-1", count=3)
SHORT_PING = Ping("C-2", "X-1", count=2)

_FAULT_EXPECT = {
    "missing-fdb": "ARP answered by the proxy; echo requests leave C-2 but no VXLAN packet on the underlay; "
    "an l2miss for 02:42:c0:a8:0a:64 in docker-2's overlay events",
    "missing-neigh": "ARP requests for 192.168.10.100 unanswered; l3miss in docker-2's overlay events; "
    "nothing on the underlay",
    "wrong-vtep": "VXLAN packets leave docker-2 towards 192.168.1.7 (docker-3, no overlay), which answers "
    "ICMP port unreachable; docker-1 sees no VXLAN",
    "wrong-vni": "VXLAN packets with VNI 256 reach docker-1, whose vxlan0 has id 257; no reply, nothing in "
    "docker-1's overlay namespace",
    "wrong-port": "VXLAN packets to 192.168.1.4:4789 answered by ICMP port unreachable: docker-1's vxlan0 "
    "listens on 8472",
    "mtu": "the 56-byte ping works; 1500-byte echo requests (DF) leave C-2 and vanish at docker-2's bridge: "
    "no large VXLAN packet on the underlay, no reply",
    "proxy-off": "ARP requests reach vxlan0 but nobody answers and nothing crosses the tunnel",
    "stale-neigh": "the proxy answers ARP with 02:42:c0:a8:0a:99; echo requests to that MAC miss the FDB "
    "(l2miss), no VXLAN on the underlay",
    "reply-fdb": "echo requests cross the tunnel and reach X-1; its replies die at docker-1's vxlan0 (l2miss for "
    "02:42:c0:a8:0a:02 in docker-1's overlay events): no VXLAN from docker-1, no reply at C-2",
}


def _fault_scenario(fault: str) -> Scenario:
    steps: tuple[Step, ...] = (SHORT_PING,)
    if fault == "mtu":
        steps = (Ping("C-2", "X-1", count=1), Ping("C-2", "X-1", count=2, size=1472, df=True))
    return Scenario(fault, "docker", FAULTS[fault], _FAULT_EXPECT[fault], steps, faults=(fault,))


def _mode_scenario(mode: str, how: str) -> Scenario:
    return Scenario(mode, mode, f"the seed ping in {mode} mode: {how}", "ping succeeds", (SEED_PING,))


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "healthy-ping",
            "docker",
            "the seed ping: C-2 (192.168.10.2) on docker-2 pings X-1 (192.168.10.100) on docker-1",
            "echo requests and replies on the underlay as UDP 4789, VNI 256, "
            "between 192.168.1.5 and 192.168.1.4",
            (SEED_PING,),
        ),
        Scenario(
            "arp-proxy",
            "docker",
            "C-2's first ARP for 192.168.10.100 is answered by docker-2's vxlan0 proxy",
            "ARP request and reply in docker-2's overlay namespace; "
            "no ARP for 192.168.10.100 on any underlay",
            (Ping("C-2", "X-1", count=1),),
        ),
        Scenario(
            "x2-join",
            "docker",
            "X-2 (192.168.10.200) starts on docker-1; docker-2 is programmed before any traffic",
            "snapshot 'joined' shows X-2's PERMANENT neighbour and FDB entries on docker-2; "
            "the ping then works",
            (
                AddContainer("docker-1", "X-2", "192.168.10.200"),
                Snapshot("joined"),
                Ping("C-2", "X-2", count=2),
            ),
        ),
        *(_fault_scenario(f) for f in FAULTS),
        _mode_scenario("learning", "flood and learn, head-end replication to all-zeros FDB entries"),
        _mode_scenario("multicast", "unknown traffic flooded to group 239.1.1.1"),
        _mode_scenario("p2p", "every unknown frame goes to the single remote peer"),
    )
}


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name`` (UsageError listing the names otherwise)."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise UsageError(f"unknown scenario {name!r}", hint="one of " + ", ".join(SCENARIOS)) from None
