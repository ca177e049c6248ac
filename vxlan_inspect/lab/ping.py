"""``lab ping``: iputils ping run inside a lab namespace, to lab addresses only."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from vxlan_inspect.errors import UsageError
from vxlan_inspect.lab.plan import Argv
from vxlan_inspect.lab.runner import require_root, require_tools, run_argv
from vxlan_inspect.lab.topology import OVERLAY_SUBNET, UNDERLAY_SUBNET, Topology


@dataclass(frozen=True, slots=True)
class PingResult:
    """What one ping run did: the command, its exit status and its output."""

    argv: tuple[str, ...]
    returncode: int
    output: str


def source_namespace(topo: Topology, src: str) -> str:
    """The namespace of ``src``: a container name (``C-2``) or a host name (``docker-2``)."""
    if any(h.name == src for h in topo.hosts):
        return topo.ns_host(src)
    return topo.ns_container(src)


def target_address(topo: Topology, dst: str) -> str:
    """``dst`` as an IPv4 address: a container or host name, or an address inside the lab's subnets."""
    for c in topo.containers:
        if c.name == dst:
            return c.ip
    for h in topo.hosts:
        if h.name == dst:
            return h.underlay_ip
    try:
        addr = ipaddress.IPv4Address(dst)
    except ValueError:
        raise UsageError(f"{dst!r} is neither a lab container, a lab host nor an IPv4 address") from None
    if not any(addr in ipaddress.IPv4Network(net) for net in (OVERLAY_SUBNET, UNDERLAY_SUBNET)):
        raise UsageError(
            f"{dst} is outside the lab", hint=f"lab traffic stays in {OVERLAY_SUBNET} and {UNDERLAY_SUBNET}"
        )
    return str(addr)


def ping_argv(
    topo: Topology,
    src: str,
    dst: str,
    *,
    count: int = 3,
    size: int = 56,
    df: bool = False,
    interval: float = 0.2,
) -> Argv:
    """The exact command ``lab ping`` runs (pure)."""
    if count < 1 or not 0 <= size <= 65507:
        raise UsageError("ping needs -c >= 1 and 0 <= -s <= 65507")
    argv = ["ip", "netns", "exec", source_namespace(topo, src), "ping", "-n", "-c", str(count)]
    argv += ["-i", str(interval), "-W", "1", "-s", str(size)]
    if df:
        argv += ["-M", "do"]
    return [*argv, target_address(topo, dst)]


def run_ping(argv: Argv) -> PingResult:
    """Run a ping built by :func:`ping_argv`; a lost ping is a result, not an error."""
    require_root("ping")
    require_tools("ping")
    done = run_argv(argv, check=False, timeout=120)
    return PingResult(tuple(argv), done.returncode, done.stdout + done.stderr)
