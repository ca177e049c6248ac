"""``lab record``: build a fresh lab, capture at every point, snapshot, write a bundle.

Captures are real ``tcpdump -w`` runs started inside each namespace with
``ip netns exec``; recording waits for each tcpdump's ``listening on`` line before
any traffic, and stops them with SIGINT. The lab is torn down in ``finally``; if
the recorder itself is killed, ``lab down --prefix P`` removes the namespaces and
the tcpdumps left inside them. The bundle format is documented in docs/lab.md.
"""

from __future__ import annotations

import json
import os
import platform
import select
import shutil
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from vxlan_inspect.errors import EnvironmentProblem, UsageError
from vxlan_inspect.lab.faults import plan_break
from vxlan_inspect.lab.ping import ping_argv, run_ping
from vxlan_inspect.lab.plan import Plan, format_plan, plan_add_container, plan_up
from vxlan_inspect.lab.runner import apply_change, lab_down, lab_up, require_root, require_tools, run_argv
from vxlan_inspect.lab.scenarios import AddContainer, Ping, Scenario, Snapshot
from vxlan_inspect.lab.snapshot import ifindex_map, lab_namespaces, take_snapshots, take_state_snapshots
from vxlan_inspect.lab.topology import DSTPORT, VNI, Container, Topology, mac_for_ip, seed_topology

SNAPLEN = 262144
FORMAT_VERSION = 1
LINKTYPE_NAMES = {1: "EN10MB", 113: "LINUX_SLL", 276: "LINUX_SLL2"}


@dataclass(frozen=True, slots=True)
class CapturePoint:
    """Where one tcpdump runs and the file it writes."""

    id: str
    host: str
    namespace: str
    netns: str
    interface: str
    file: str


def capture_points(topo: Topology) -> list[CapturePoint]:
    """Each host's underlay eth0, each overlay namespace (``-i any``), each container's eth0."""
    points = []
    for ns in lab_namespaces(topo):
        if ns.role == "host":
            pid, iface = f"{ns.host}.underlay", "eth0"
        elif ns.role == "overlay":
            pid, iface = f"{ns.host}.overlay", "any"
        elif ns.role == "container":
            pid, iface = ns.stem, "eth0"
        else:
            continue
        points.append(CapturePoint(pid, ns.host, ns.id, ns.netns, iface, f"captures/{pid}.pcap"))
    return points


def tcpdump_argv(point: CapturePoint, bundle: Path) -> list[str]:
    """The capture command for ``point`` (pure).

    ``--immediate-mode`` matters: with TPACKET_V3 libpcap otherwise hands packets
    over only when a ring block fills or times out (1 s), and a SIGINT before that
    loses them; ``-U`` then writes each packet as soon as it is delivered.
    """
    netns = ["ip", "netns", "exec", point.netns]
    out = str(bundle / point.file)
    return [*netns, "tcpdump", "-i", point.interface, "--immediate-mode", "-U", "-w", out,
            "-s", str(SNAPLEN), "-Z", "root"]  # fmt: skip


def _wait_listening(proc: subprocess.Popen[bytes], what: str, timeout: float = 10) -> str:
    assert proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while b"listening on" not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None:
            raise EnvironmentProblem(
                f"tcpdump on {what} did not start: {seen.decode(errors='replace').strip()}"
            )
        ready, _, _ = select.select([proc.stderr], [], [], left)
        if ready:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk and proc.poll() is not None:
                continue
            seen += chunk
    return seen.decode(errors="replace")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()


def pcap_summary(path: Path) -> tuple[int, int]:
    """(link type, number of records) of a classic pcap file written by tcpdump."""
    data = path.read_bytes()
    if len(data) < 24:
        raise EnvironmentProblem(f"{path} is not a complete pcap file")
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack_from(endian + "I", data, 20)[0] & 0x0FFFFFFF
    count, offset = 0, 24
    while offset + 16 <= len(data):
        incl = struct.unpack_from(endian + "I", data, offset + 8)[0]
        offset += 16 + incl
        count += 1
    return int(linktype), count


def _tool_versions() -> dict[str, str]:
    tcpdump = run_argv(["tcpdump", "--version"], check=False).stdout.splitlines()
    ip = run_argv(["ip", "-V"], check=False).stdout.strip()
    return {
        "tcpdump": tcpdump[0] if tcpdump else "",
        "libpcap": tcpdump[1] if len(tcpdump) > 1 else "",
        "iproute2": ip,
        "kernel": platform.release(),
    }


def prepare_bundle(out: Path, *, force: bool) -> None:
    """Make ``out`` an empty directory; with ``force``, clear an earlier bundle there (only a bundle)."""
    if out.exists() and any(out.iterdir()):
        if not (force and (out / "scenario.json").is_file()):
            hint = "pass --force to replace an earlier bundle" if (out / "scenario.json").is_file() else None
            raise UsageError(f"{out} is not empty", hint=hint or "choose a new directory")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def _run_step(
    topo: Topology,
    step: Ping | AddContainer | Snapshot,
    bundle: Path,
    snapshots: dict[str, Any],
    commands: Plan,
) -> tuple[Topology, dict[str, Any]]:
    if isinstance(step, Ping):
        argv = ping_argv(topo, step.src, step.dst, count=step.count, size=step.size, df=step.df)
        result = run_ping(argv)
        print(f"  ping {step.src} -> {step.dst}: exit {result.returncode}", file=sys.stderr)
        return topo, {
            "step": "ping",
            "src": step.src,
            "dst": step.dst,
            "count": step.count,
            "size": step.size,
            "df": step.df,
            "argv": argv,
            "returncode": result.returncode,
            "output": result.output,
        }
    if isinstance(step, AddContainer):
        grown = topo.with_container(Container(step.name, step.host, step.ip, mac_for_ip(step.ip)))
        plan = plan_add_container(grown, step.name)
        apply_change(grown, plan)
        commands += plan
        return grown, {"step": "add-container", "host": step.host, "name": step.name, "ip": step.ip}
    snapshots[step.label] = take_snapshots(topo, bundle, step.label)
    return topo, {"step": "snapshot", "label": step.label}


def record_scenario(scenario: Scenario, out: Path, prefix: str, *, force: bool = False) -> dict[str, Any]:
    """Record ``scenario`` into bundle directory ``out`` with a lab named ``prefix``; return scenario.json."""
    require_root("record")
    require_tools("ip", "bridge", "tcpdump", "ping")
    prepare_bundle(out, force=force)
    topo = seed_topology(prefix, scenario.mode)
    commands = plan_up(topo)
    print(f"lab {prefix}: recording {scenario.name} into {out}", file=sys.stderr)
    lab_up(topo, commands)
    try:
        injected = []
        for fault in scenario.faults:
            plan, topo = plan_break(topo, fault)
            apply_change(topo, plan)
            commands += plan
            injected.append(next(f for f in topo.faults if f.name == fault))
        snapshots: dict[str, Any] = {"before": take_snapshots(topo, out, "before")}
        state_snapshots = {"before": take_state_snapshots(topo, out, "before")}
        points = capture_points(topo)
        events: list[dict[str, str]] = []
        traffic: list[dict[str, Any]] = []
        procs: list[tuple[subprocess.Popen[bytes], IO[bytes] | None]] = []
        try:
            topo = _capture_and_run(scenario, topo, out, points, procs, events, traffic, snapshots, commands)
        finally:
            for proc, sink in reversed(procs):
                _stop(proc)
                if sink is not None:
                    sink.close()
        snapshots["after"] = take_snapshots(topo, out, "after")
        state_snapshots["after"] = take_state_snapshots(topo, out, "after")
        doc = _scenario_json(scenario, topo, out, points, snapshots, events, traffic, injected)
        doc["state_snapshots"] = state_snapshots
        (out / "commands.txt").write_text(format_plan(commands))
        (out / "scenario.json").write_text(json.dumps(doc, indent=2) + "\n")
        return doc
    finally:
        lab_down(prefix)


def _capture_and_run(
    scenario: Scenario,
    topo: Topology,
    out: Path,
    points: list[CapturePoint],
    procs: list[tuple[subprocess.Popen[bytes], IO[bytes] | None]],
    events: list[dict[str, str]],
    traffic: list[dict[str, Any]],
    snapshots: dict[str, Any],
    commands: Plan,
) -> Topology:
    """Start monitors and captures (adding them to ``procs``), then run the steps."""
    (out / "captures").mkdir()
    (out / "events").mkdir()
    for h in topo.overlay_hosts():
        rel = f"events/{h.name}.overlay.neigh-monitor.txt"
        sink = (out / rel).open("wb")
        mon = subprocess.Popen(
            ["ip", "-n", topo.ns_overlay(h.name), "-ts", "monitor", "neigh"],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        procs.append((mon, sink))
        events.append({"file": rel, "namespace": f"{h.name}/overlay", "command": "ip -ts monitor neigh"})
    for point in points:
        proc = subprocess.Popen(tcpdump_argv(point, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append((proc, None))
        _wait_listening(proc, point.id)
    time.sleep(0.2)  # let ip monitor subscribe
    for step in scenario.steps:
        topo, done = _run_step(topo, step, out, snapshots, commands)
        traffic.append(done)
    time.sleep(0.5)  # late replies and ICMP errors
    return topo


def _scenario_json(
    scenario: Scenario,
    topo: Topology,
    out: Path,
    points: list[CapturePoint],
    snapshots: dict[str, Any],
    events: list[Any],
    traffic: list[Any],
    injected: list[Any],
) -> dict[str, Any]:
    namespaces = []
    for ns in lab_namespaces(topo):
        link_json = out / "snapshots" / "after" / f"{ns.stem}.link.json"
        namespaces.append(
            {
                "id": ns.id,
                "host": ns.host,
                "role": ns.role,
                "netns": ns.netns,
                "ifindex": ifindex_map(link_json.read_text()),
                "snapshots": {label: idx[ns.id] for label, idx in snapshots.items() if ns.id in idx},
            }
        )
    captures = []
    for p in points:
        linktype, count = pcap_summary(out / p.file)
        captures.append(
            {
                "id": p.id,
                "host": p.host,
                "namespace": p.namespace,
                "netns": p.netns,
                "interface": p.interface,
                "file": p.file,
                "linktype": linktype,
                "linktype_name": LINKTYPE_NAMES.get(linktype, str(linktype)),
                "snaplen": SNAPLEN,
                "packets": count,
            }
        )
    return {
        "format": "vxlan-inspect-scenario",
        "version": FORMAT_VERSION,
        "scenario": scenario.name,
        "description": scenario.description,
        "expect": scenario.expect,
        "mode": topo.mode,
        "prefix": topo.prefix,
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "tools": _tool_versions(),
        "overlay": {"vni": VNI, "dstport": DSTPORT, "subnet": "192.168.10.0/24", "gateway": "192.168.10.1"},
        "hosts": [
            {
                "name": h.name,
                "underlay_ip": h.underlay_ip,
                "vtep": h.underlay_ip,
                "overlay": h.overlay,
                "namespace": h.name,
                "overlay_namespace": f"{h.name}/overlay" if h.overlay else None,
            }
            for h in topo.hosts
        ],
        "containers": [
            {"name": c.name, "host": c.host, "ip": c.ip, "mac": c.mac, "namespace": f"{c.host}/{c.name}"}
            for c in topo.containers
        ],
        "namespaces": namespaces,
        "captures": captures,
        "events": events,
        "injected": [
            {"fault": f.name, "host": f.host, "target": f.target, "detail": f.detail} for f in injected
        ],
        "traffic": traffic,
        "commands": "commands.txt",
    }
