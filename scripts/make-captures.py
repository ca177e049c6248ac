#!/usr/bin/env python3
"""Regenerate captures/basic/: real VXLAN traffic between network namespaces, recorded by real tcpdump.

Run as root from the project root:

    sudo python3 scripts/make-captures.py            # all captures
    sudo python3 scripts/make-captures.py icmp arp   # only some (names: see CAPTURES)

Every namespace this script creates is named ``vcap<hex>-<role>`` with a fresh random
``vcap<hex>`` prefix per run, and every one of them is deleted in a ``finally`` block,
even when a step fails. Links are created directly inside those namespaces (never in the
caller's namespace) and also carry the prefix-free names the scenario uses (``eth0``,
``u0``, ``br0``, ``vxlan0``), which cannot clash with anything outside. Traffic is sent
only between addresses that live inside these namespaces.

The topology mirrors the Docker overlay walkthrough (shared/seed-article): two hosts joined
by an underlay veth, each with an *overlay namespace* holding ``br0`` and ``vxlan0`` (the
vxlan device is created in the host namespace, so its UDP socket lives there, and then moved
into the overlay namespace, exactly as Docker does), and a "container" namespace attached
to ``br0`` by a veth pair. VNI 256, destination port 4789 unless a capture says otherwise.

The STP captures turn on the kernel's 802.1D STP: ``stp`` on two plain bridges (namespaces
``b1``, ``b2``) joined by a veth, ``stp-vxlan`` on the overlay bridges above, so the BPDUs
cross the tunnel. ``llc-edges`` writes crafted LLC/SNAP/STP frames (scripts/llc_edge_frames.py),
``ip-edges`` crafted IPv4 frames (truncated headers, options, fragments, syslog, IPComp;
scripts/ip_edge_frames.py), ``icmp-edges`` crafted ICMP, ICMPv6 and ARP frames (every type
and code tcpdump names, quoted datagrams, extensions, options, cuts; scripts/icmp_edge_frames.py),
``tunnel-edges`` crafted Geneve and VXLAN-GPE frames (every flag, option class, next protocol,
invalid value and cut; scripts/tunnel_edge_frames.py). ``vxlan-gpe`` and ``vxlan-gbp`` record
real VXLAN-GPE (a ``gpe external`` device with ``encap ip id 400`` routes) and VXLAN-GBP (a
``gbp`` device, the ping's socket mark as group policy id) between two namespaces.

After writing captures run ``python3 scripts/make-goldens.py`` to refresh tests/golden/.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "captures" / "basic"

# The scenario's addresses (all assigned inside our own namespaces only).
HOST_V4 = ("192.168.1.4", "192.168.1.5")
HOST_V6 = ("fd00:4789::4", "fd00:4789::5")
CONT_V4 = ("192.168.10.100", "192.168.10.2")
CONT_V6 = ("fd00:10::100", "fd00:10::2")
CONT_MAC = ("02:42:c0:a8:0a:64", "02:42:c0:a8:0a:02")
HOST_MAC = ("02:00:c0:a8:01:04", "02:00:c0:a8:01:05")
VNI = 256


def log(msg: str) -> None:
    print(f"make-captures: {msg}", file=sys.stderr, flush=True)


@dataclass
class Lab:
    """Namespaces created by this run; ``teardown`` deletes exactly these."""

    prefix: str = field(default_factory=lambda: "vcap" + secrets.token_hex(3))
    namespaces: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def ns(self, role: str) -> str:
        name = f"{self.prefix}-{role}"
        sh("ip", "netns", "add", name)
        self.namespaces.append(name)
        # Quiet namespaces: no IPv6 autoconf chatter unless a capture asks for IPv6.
        nsh(name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
        nsh(name, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
        nsh(name, "ip", "link", "set", "lo", "up")
        return name

    def teardown(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        self.processes.clear()
        for name in reversed(self.namespaces):
            assert name.startswith(self.prefix + "-")
            subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)
        self.namespaces.clear()


def sh(*cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({res.returncode}): {res.stderr.strip()}")
    return res


def nsh(ns: str, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return sh("ip", "netns", "exec", ns, *cmd, check=check)


def enable_ipv6(ns: str) -> None:
    for key in ("all", "default"):
        nsh(ns, "sysctl", "-qw", f"net.ipv6.conf.{key}.disable_ipv6=0")
        nsh(ns, "sysctl", "-qw", f"net.ipv6.conf.{key}.router_solicitations=0")
        nsh(ns, "sysctl", "-qw", f"net.ipv6.conf.{key}.accept_dad=0")


TX_OFF_SNIPPET = """
import fcntl, socket, struct, sys, array
# ETHTOOL_STXCSUM (0x17): turn off transmit checksum offload so that captures carry
# the real checksums the kernel computed (veth would otherwise leave them partial).
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for name in sys.argv[1:]:
    buf = array.array('B', struct.pack('II', 0x17, 0))
    addr, _ = buf.buffer_info()
    ifr = struct.pack('16sP', name.encode(), addr)
    fcntl.ioctl(s.fileno(), 0x8946, ifr)
"""


VLAN_RELAY = """
import select, socket, struct, sys
vid = int(sys.argv[1])
socks = {}
for name in ("p1", "ta", "tb", "p2"):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((name, 0))
    socks[name] = s
# access port -> (trunk port, add tag?)
route = {"p1": ("ta", True), "ta": ("p1", False), "tb": ("p2", False), "p2": ("tb", True)}
by_fd = {s.fileno(): n for n, s in socks.items()}
print("ready", flush=True)
while True:
    ready, _, _ = select.select(list(socks.values()), [], [])
    for s in ready:
        frame, addr = s.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        out, tag = route[by_fd[s.fileno()]]
        if frame[12:14] == b"\\x81\\x00":
            frame = frame[:12] + frame[16:]
        if tag:
            frame = frame[:12] + struct.pack("!HH", 0x8100, vid) + frame[12:]
        socks[out].send(frame)
"""


def tx_csum_off(ns: str, *ifnames: str) -> None:
    nsh(ns, sys.executable, "-c", TX_OFF_SNIPPET, *ifnames)


@dataclass
class Overlay:
    """Names of the namespaces of one built topology."""

    hosts: tuple[str, str]
    overlays: tuple[str, str]
    containers: tuple[str, str]
    router: str | None = None
    switches: tuple[str, ...] = ()


def build_overlay(
    lab: Lab,
    *,
    family: int = 4,
    port: int = 4789,
    vlan: int | None = None,
    static: bool = True,
    routed_mtu: int | None = None,
    cont_v6: bool = False,
    vxlan_df: bool = False,
    udpcsum: bool = True,
) -> Overlay:
    """Two hosts, two overlay namespaces, two containers, one VXLAN segment (VNI 256).

    ``static``: install Docker-style PERMANENT neighbour entries in the containers and
    per-MAC FDB entries on vxlan0 (no ARP crosses the tunnel). Otherwise the vxlan devices
    learn and flood through an all-zeros FDB entry, so ARP crosses the tunnel.
    ``udpcsum``: outer UDP checksum on (iproute2's default here) or off (zero).
    ``routed_mtu``: put a router namespace between the hosts whose link towards host 1 has
    this MTU (for ICMP "need to frag").
    """
    h = (lab.ns("h1"), lab.ns("h2"))
    o = (lab.ns("o1"), lab.ns("o2"))
    c = (lab.ns("c1"), lab.ns("c2"))
    router = None
    switches: tuple[str, ...] = ()
    host_ip = HOST_V4 if family == 4 else HOST_V6
    plen = "24" if family == 4 else "64"
    if family == 6:
        for ns in h:
            enable_ipv6(ns)
    if cont_v6:
        for ns in (*o, *c):
            enable_ipv6(ns)

    # Underlay.
    if routed_mtu is None and vlan is None:
        sh(
            "ip",
            "-n",
            h[0],
            "link",
            "add",
            "u0",
            "address",
            HOST_MAC[0],
            "type",
            "veth",
            "peer",
            "name",
            "u0",
            "address",
            HOST_MAC[1],
            "netns",
            h[1],
        )
        for i in (0, 1):
            tx_csum_off(h[i], "u0")
            nsh(h[i], "ip", "link", "set", "u0", "up")
            nsh(h[i], "ip", "addr", "add", f"{host_ip[i]}/{plen}", "dev", "u0")
    elif vlan is not None:
        # 802.1Q: this kernel has neither the 8021q module (no VLAN sub-interfaces) nor
        # bridge VLAN filtering, so a switch namespace does the tagging in user space: a
        # relay (VLAN_RELAY, AF_PACKET sockets) forwards host 1's access port p1 to a trunk
        # veth ta adding a VLAN ``vlan`` tag, and the trunk's other end tb to host 2's access
        # port p2 removing it. Captures on ta show real tagged frames in both directions.
        sw = lab.ns("sw")
        sh("ip", "-n", sw, "link", "add", "ta", "type", "veth", "peer", "name", "tb")
        for i in (0, 1):
            sh(
                "ip",
                "-n",
                h[i],
                "link",
                "add",
                "u0",
                "address",
                HOST_MAC[i],
                "type",
                "veth",
                "peer",
                "name",
                f"p{i + 1}",
                "netns",
                sw,
            )
            tx_csum_off(h[i], "u0")
            nsh(h[i], "ip", "link", "set", "u0", "up")
            nsh(h[i], "ip", "addr", "add", f"{host_ip[i]}/{plen}", "dev", "u0")
        for dev in ("p1", "p2", "ta", "tb"):
            nsh(sw, "ip", "link", "set", dev, "up")
        relay = subprocess.Popen(
            ["ip", "netns", "exec", sw, sys.executable, "-c", VLAN_RELAY, str(vlan)],
            stdout=subprocess.PIPE,
            text=True,
        )
        lab.processes.append(relay)
        assert relay.stdout is not None
        if relay.stdout.readline().strip() != "ready":
            raise RuntimeError("VLAN relay did not start")
        switches = (sw,)
    else:
        assert family == 4 and vlan is None
        router = lab.ns("r")
        nsh(router, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        addrs = (("192.168.1.4", "192.168.1.1"), ("192.168.2.5", "192.168.2.1"))
        for i in (0, 1):
            sh(
                "ip",
                "-n",
                h[i],
                "link",
                "add",
                "u0",
                "address",
                HOST_MAC[i],
                "type",
                "veth",
                "peer",
                "name",
                f"r{i}",
                "netns",
                router,
            )
            tx_csum_off(h[i], "u0")
            if i == 0:
                for ns, dev in ((h[0], "u0"), (router, "r0")):
                    nsh(ns, "ip", "link", "set", dev, "mtu", str(routed_mtu))
            nsh(h[i], "ip", "link", "set", "u0", "up")
            nsh(router, "ip", "link", "set", f"r{i}", "up")
            nsh(h[i], "ip", "addr", "add", f"{addrs[i][0]}/24", "dev", "u0")
            nsh(router, "ip", "addr", "add", f"{addrs[i][1]}/24", "dev", f"r{i}")
            nsh(h[i], "ip", "route", "add", "default", "via", addrs[i][1])
        host_ip = (addrs[0][0], addrs[1][0])

    # Overlay namespaces: br0 + vxlan0 (created in the host namespace, then moved, like Docker).
    for i in (0, 1):
        args = [
            "ip",
            "-n",
            h[i],
            "link",
            "add",
            "vxlan0",
            "type",
            "vxlan",
            "id",
            str(VNI),
            "dstport",
            str(port),
            "local",
            host_ip[i],
        ]
        if static:
            args += ["nolearning", "proxy"]
        else:
            args += ["learning"]
        if vxlan_df:
            args += ["df", "set"]
        args += ["udpcsum"] if udpcsum else ["noudpcsum"]
        sh(*args)
        sh("ip", "-n", h[i], "link", "set", "vxlan0", "netns", o[i])
        nsh(o[i], "ip", "link", "add", "br0", "type", "bridge")
        nsh(o[i], "ip", "link", "set", "vxlan0", "master", "br0")
        sh(
            "ip",
            "-n",
            o[i],
            "link",
            "add",
            "veth0",
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "address",
            CONT_MAC[i],
            "netns",
            c[i],
        )
        nsh(o[i], "ip", "link", "set", "veth0", "master", "br0")
        mtu = "1450" if family == 4 else "1430"
        for dev in ("vxlan0", "veth0", "br0"):
            nsh(o[i], "ip", "link", "set", dev, "mtu", mtu)
            nsh(o[i], "ip", "link", "set", dev, "up")
        nsh(c[i], "ip", "link", "set", "eth0", "mtu", mtu)
        tx_csum_off(c[i], "eth0")
        nsh(c[i], "ip", "link", "set", "eth0", "up")
        nsh(c[i], "ip", "addr", "add", f"{CONT_V4[i]}/24", "dev", "eth0")
        if cont_v6:
            nsh(c[i], "ip", "addr", "add", f"{CONT_V6[i]}/64", "dev", "eth0", "nodad")
    for i in (0, 1):
        j = 1 - i
        if static:
            nsh(
                o[i],
                "bridge",
                "fdb",
                "add",
                CONT_MAC[j],
                "dev",
                "vxlan0",
                "dst",
                host_ip[j],
                "self",
                "permanent",
            )
            nsh(
                o[i],
                "ip",
                "neigh",
                "add",
                CONT_V4[j],
                "lladdr",
                CONT_MAC[j],
                "dev",
                "vxlan0",
                "nud",
                "permanent",
            )
            nsh(
                c[i],
                "ip",
                "neigh",
                "add",
                CONT_V4[j],
                "lladdr",
                CONT_MAC[j],
                "dev",
                "eth0",
                "nud",
                "permanent",
            )
        else:
            nsh(
                o[i],
                "bridge",
                "fdb",
                "append",
                "00:00:00:00:00:00",
                "dev",
                "vxlan0",
                "dst",
                host_ip[j],
                "self",
                "permanent",
            )
    return Overlay(hosts=h, overlays=o, containers=c, router=router, switches=switches)


@contextlib.contextmanager
def tcpdump(ns: str, out: Path, *args: str) -> Iterator[None]:
    """Record with real tcpdump inside ``ns``; return once it says 'listening on'."""
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        "ip",
        "netns",
        "exec",
        ns,
        "tcpdump",
        "-U",
        "--immediate-mode",
        "-Z",
        "root",
        "-n",
        "-w",
        str(out),
        *args,
    ]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + 10
        seen = ""
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            seen += line
            if "listening on" in line:
                break
            if not line and proc.poll() is not None:
                raise RuntimeError(f"tcpdump exited: {seen.strip()}")
        else:
            raise RuntimeError("tcpdump did not start listening")
        yield
        time.sleep(0.5)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        tail = proc.stderr.read() if proc.stderr else ""
        log(f"{out.name}: {tail.strip().splitlines()[0] if tail.strip() else 'done'}")


def ping(ns: str, dst: str, *extra: str, count: int = 3) -> None:
    nsh(ns, "ping", "-n", "-c", str(count), "-i", "0.2", "-W", "1", *extra, dst, check=False)


TCP_SERVER = """
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); print('ready', flush=True)
c, _ = s.accept(); data = c.recv(100); c.sendall(b'pong:' + data); c.recv(100); c.close(); s.close()
"""
TCP_CLIENT = """
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
c.sendall(b'ping over vxlan\\n'); c.recv(100); time.sleep(0.1); c.shutdown(socket.SHUT_WR)
c.recv(100); c.close()
"""
UDP_SERVER = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], int(sys.argv[2])))
print('ready', flush=True); s.settimeout(5)
for _ in range(2):
    data, peer = s.recvfrom(200); s.sendto(b'echo:' + data, peer)
"""
UDP_CLIENT = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
for i in range(2):
    s.sendto(b'datagram %d' % i, (sys.argv[1], int(sys.argv[2]))); s.recvfrom(200)
"""


def serve(ns: str, code: str, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        ["ip", "netns", "exec", ns, sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise RuntimeError("server did not start")
    return proc


# --- the captures -------------------------------------------------------------------------


def cap_icmp(lab: Lab) -> None:
    """(a) ping between containers, seen on host 1's underlay (and a nanosecond/pcapng copy)."""
    t = build_overlay(lab)
    with tcpdump(t.hosts[0], OUT / "vxlan-icmp.pcap", "-i", "u0"):
        ping(t.containers[1], CONT_V4[0], count=4)
    with tcpdump(t.hosts[0], OUT / "vxlan-icmp-nano.pcap", "--time-stamp-precision=nano", "-i", "u0"):
        ping(t.containers[1], CONT_V4[0], count=2)
    sh("editcap", "-F", "pcapng", str(OUT / "vxlan-icmp.pcap"), str(OUT / "vxlan-icmp.pcapng"))


def cap_arp(lab: Lab) -> None:
    """(b) learning/flooding VXLAN: the ARP request floods across the tunnel, the reply returns."""
    t = build_overlay(lab, static=False)
    with tcpdump(t.hosts[0], OUT / "vxlan-arp.pcap", "-i", "u0"):
        ping(t.containers[1], CONT_V4[0], count=2)


def cap_tcp_udp(lab: Lab) -> None:
    """(c) a TCP conversation and a UDP exchange between containers, on the underlay."""
    t = build_overlay(lab)
    srv = serve(t.containers[0], TCP_SERVER, CONT_V4[0], "8080")
    try:
        with tcpdump(t.hosts[0], OUT / "vxlan-tcp.pcap", "-i", "u0"):
            nsh(t.containers[1], sys.executable, "-c", TCP_CLIENT, CONT_V4[0], "8080")
            srv.wait(timeout=5)
    finally:
        if srv.poll() is None:
            srv.kill()
    srv = serve(t.containers[0], UDP_SERVER, CONT_V4[0], "7777")
    try:
        with tcpdump(t.hosts[0], OUT / "vxlan-udp.pcap", "-i", "u0"):
            nsh(t.containers[1], sys.executable, "-c", UDP_CLIENT, CONT_V4[0], "7777")
            srv.wait(timeout=5)
    finally:
        if srv.poll() is None:
            srv.kill()


def cap_any(lab: Lab) -> None:
    """(d) ``-i any`` inside the overlay namespace of host 2 (SLL2, and SLL with -y LINUX_SLL)."""
    t = build_overlay(lab, static=False)
    with tcpdump(t.overlays[1], OUT / "overlay-any-sll2.pcap", "-i", "any"):
        ping(t.containers[1], CONT_V4[0], count=2)
    # Let the learned entries and ARP cache age past nothing: flush so ARP shows again.
    nsh(t.containers[1], "ip", "neigh", "flush", "dev", "eth0")
    with tcpdump(t.overlays[1], OUT / "overlay-any-sll.pcap", "-i", "any", "-y", "LINUX_SLL"):
        ping(t.containers[1], CONT_V4[0], count=2)
    links = nsh(t.overlays[1], "ip", "-o", "link", "show").stdout
    rows = []
    for line in links.splitlines():
        idx, name = line.split(":")[0:2]
        rows.append(f"{idx.strip()} {name.strip().split('@')[0]}")
    (OUT / "overlay-any.ifnames").write_text("\n".join(rows) + "\n")


def cap_ipv6_underlay(lab: Lab) -> None:
    """(e) VTEPs on IPv6 addresses."""
    t = build_overlay(lab, family=6)
    with tcpdump(t.hosts[0], OUT / "vxlan-ipv6-underlay.pcap", "-i", "u0", "udp port 4789"):
        ping(t.containers[1], CONT_V4[0], count=3)


def cap_vlan(lab: Lab) -> None:
    """(f) underlay through an 802.1Q trunk (VLAN 100), captured on the trunk so tags show."""
    t = build_overlay(lab, vlan=100)
    with tcpdump(t.switches[0], OUT / "vxlan-vlan-underlay.pcap", "-i", "ta"):
        ping(t.containers[1], CONT_V4[0], count=3)


def cap_mtu(lab: Lab) -> None:
    """(g) routed underlay with a 1400-byte link: DF pings get ICMP "need to frag (mtu 1400)"."""
    t = build_overlay(lab, routed_mtu=1400, vxlan_df=True)
    # A second address on host 1 for the underlay ping, so its PMTU entry does not
    # shadow the VXLAN packets' (both would otherwise go to 192.168.1.4).
    nsh(t.hosts[0], "ip", "addr", "add", "192.168.1.40/24", "dev", "u0")
    with tcpdump(t.hosts[1], OUT / "icmp-need-frag.pcap", "-i", "u0"):
        # Overlay ping whose VXLAN packet (DF set on vxlan0) is too big for the 1400 link.
        ping(t.containers[1], CONT_V4[0], "-M", "do", "-s", "1400", count=2)
        # Underlay ping with DF, too big for the 1400 link.
        ping(t.hosts[1], "192.168.1.40", "-M", "do", "-s", "1472", count=1)
        # A small overlay ping still gets through.
        ping(t.containers[1], CONT_V4[0], count=1)


def cap_flannel(lab: Lab) -> None:
    """(h) VXLAN on UDP 8472, the port flannel (and the Linux default) uses."""
    # Outer UDP checksum 0 (flannel's and the kernel's default), so that the 8472 -> 4789
    # port rewrite done for the goldens (scripts/make-goldens.py) changes nothing else.
    t = build_overlay(lab, port=8472, udpcsum=False)
    with tcpdump(t.hosts[0], OUT / "vxlan-8472.pcap", "-i", "u0"):
        ping(t.containers[1], CONT_V4[0], count=3)


def cap_icmp6(lab: Lab) -> None:
    """(i) ICMPv6 echo plus neighbour discovery between containers inside the tunnel."""
    t = build_overlay(lab, static=False, cont_v6=True)
    time.sleep(1.0)  # let link-up MLD reports pass before recording
    with tcpdump(t.hosts[0], OUT / "vxlan-icmp6.pcap", "-i", "u0", "-c", "40"):
        ping(t.containers[1], CONT_V6[0], count=2)


# Kernel STP timers in centiseconds, at their minimums (hello 1 s, forward delay 2 s, max age
# 6 s) so that a few seconds show the root election, ports reaching forwarding and a topology
# change. A bridge in a non-initial namespace always runs the kernel's own 802.1D STP.
STP_TIMERS = ("stp_state", "1", "hello_time", "100", "forward_delay", "200", "max_age", "600")


def stp_on(ns: str, priority: int) -> None:
    nsh(ns, "ip", "link", "set", "br0", "type", "bridge", *STP_TIMERS, "priority", str(priority))


def cap_stp(lab: Lab) -> None:
    """(j) two STP bridges joined by a veth: config BPDUs, the root election, TCN BPDUs and their ack.

    Bridge 1 has the better priority and becomes root. Bridge 2 has a second port (an
    unbridged veth peer), so it is designated somewhere and reports the topology change
    (TCN) when its ports reach forwarding; the root answers with TC and TC-ACK flags.
    """
    b = (lab.ns("b1"), lab.ns("b2"))
    sh("ip", "-n", b[0], "link", "add", "p0", "type", "veth", "peer", "name", "p0", "netns", b[1])
    nsh(b[1], "ip", "link", "add", "l0", "type", "veth", "peer", "name", "l1")
    for i, ns in enumerate(b):
        nsh(ns, "ip", "link", "add", "br0", "type", "bridge")
        stp_on(ns, 4096 if i == 0 else 32768)
        nsh(ns, "ip", "link", "set", "p0", "master", "br0")
    nsh(b[1], "ip", "link", "set", "l0", "master", "br0")
    for dev in ("br0", "p0"):
        nsh(b[0], "ip", "link", "set", dev, "up")
    with tcpdump(b[0], OUT / "stp.pcap", "-i", "p0"):
        for dev in ("l1", "l0", "br0", "p0"):
            nsh(b[1], "ip", "link", "set", dev, "up")
        time.sleep(7)


def cap_stp_vxlan(lab: Lab) -> None:
    """(k) STP on the overlay bridges: BPDUs cross the tunnel inside VXLAN (and an SLL ``-i any`` view).

    The vxlan devices flood through their all-zeros FDB entry, so the BPDUs each br0 sends
    on its vxlan0 port reach the other side. Overlay 1's bridge has the better priority.
    Turning STP on leaves forwarding ports forwarding, so overlay 2's container port is then
    bounced: it goes through listening and learning again, and reaching forwarding makes
    overlay 2 send a TCN BPDU through the tunnel, which the root acknowledges.
    """
    t = build_overlay(lab, static=False)
    with tcpdump(t.hosts[0], OUT / "vxlan-stp.pcap", "-i", "u0"), \
            tcpdump(t.overlays[1], OUT / "overlay-stp-any-sll.pcap", "-i", "any", "-y", "LINUX_SLL"):
        for i, ns in enumerate(t.overlays):
            stp_on(ns, 4096 if i == 0 else 32768)
        time.sleep(1.5)
        nsh(t.overlays[1], "ip", "link", "set", "veth0", "down")
        nsh(t.overlays[1], "ip", "link", "set", "veth0", "up")
        time.sleep(6)


# dig arguments for cap_dns (server 192.168.10.100 unless an @address is given).
DIG_QUERIES: tuple[tuple[str, ...], ...] = (
    ("web.overlay.test", "A"),
    ("web.overlay.test", "AAAA"),
    ("www.overlay.test", "A"),  # CNAME to web, TTL 90061 (1d1h1m1s under -vvv)
    ("overlay.test", "MX"),  # glue A in the additional section
    ("overlay.test", "TXT"),
    ("_http._tcp.overlay.test", "SRV"),
    ("-x", "192.168.10.100"),  # PTR
    ("nx.overlay.test", "A"),  # NXDOMAIN, SOA in the authority section
    ("web.overlay.test", "MX"),  # NODATA
    ("overlay.test", "SOA"),
    ("overlay.test", "NS"),
    ("api.overlay.test", "A", "+norecurse"),  # two A records, TTL 0
    ("web.overlay.test", "A", "+dnssec", "+nsid", "+subnet=192.168.10.0/24"),  # EDNS DO, NSID, ECS
    ("web.overlay.test", "A", "+edns=1"),  # BADVERS (extended rcode), then dig retries with EDNS 0
    ("big.overlay.test", "TXT", "+noedns"),  # too big for 512 bytes: TC over UDP, dig retries over TCP
    ("web.overlay.test", "A", "+tcp"),
    ("@fd00:10::100", "web.overlay.test", "AAAA"),  # over IPv6
)
MDNS_CLIENT = """
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
q = struct.pack('!HHHHHH', 0x1234, 0, 1, 0, 0, 0) + b'\\x03web\\x05local\\x00' + struct.pack('!HH', 1, 0x8001)
s.sendto(q, (sys.argv[1], 5353)); s.recvfrom(2000)
"""


def cap_dns(lab: Lab) -> None:
    """(l) DNS between containers (dig against scripts/dns_responder.py) over UDP, TCP and IPv6.

    Recorded at the same time on host 1's underlay (inside VXLAN), on the server
    container's eth0 (plain), and there again with a 96-byte snapshot (real truncation).
    """
    t = build_overlay(lab, static=False, cont_v6=True)
    time.sleep(1.0)  # let link-up MLD reports pass before recording
    server = subprocess.Popen(
        ["ip", "netns", "exec", t.containers[0], sys.executable, str(ROOT / "scripts" / "dns_responder.py"),
         CONT_V4[0], CONT_V6[0]],
        stdout=subprocess.PIPE, text=True,
    )
    lab.processes.append(server)
    assert server.stdout is not None
    if server.stdout.readline().strip() != "ready":
        raise RuntimeError("DNS responder did not start")
    with contextlib.ExitStack() as stack:
        stack.enter_context(tcpdump(t.hosts[0], OUT / "vxlan-dns.pcap", "-i", "u0"))
        stack.enter_context(tcpdump(t.containers[0], OUT / "dns.pcap", "-i", "eth0"))
        stack.enter_context(tcpdump(t.containers[0], OUT / "dns-snap96.pcap", "-i", "eth0", "-s", "96"))
        for args in DIG_QUERIES:
            server_arg = () if args[0].startswith("@") else (f"@{CONT_V4[0]}",)
            res = nsh(t.containers[1], "dig", "+tries=1", "+time=2", *server_arg, *args, check=False)
            if res.returncode != 0:
                raise RuntimeError(f"dig {' '.join(args)} failed: {res.stdout}{res.stderr}")
        nsh(t.containers[1], sys.executable, "-c", MDNS_CLIENT, CONT_V4[0])


def cap_dns_edges(lab: Lab) -> None:
    """(m) crafted DNS edge cases (scripts/dns_edge_frames.py); no namespaces, no traffic."""
    del lab
    from dns_edge_frames import frames
    from edge_pcap import write_frames_pcap

    write_frames_pcap(OUT / "dns-edges.pcap", frames())


def cap_llc_edges(lab: Lab) -> None:
    """(n) crafted LLC/SNAP/STP edge cases (scripts/llc_edge_frames.py); no namespaces, no traffic."""
    del lab
    from edge_pcap import write_frames_pcap
    from llc_edge_frames import frames

    write_frames_pcap(OUT / "llc-edges.pcap", frames())


def _two_hosts(lab: Lab) -> tuple[str, str]:
    """Two namespaces joined by a veth ``u0`` with the underlay addresses 192.168.1.4 and .5."""
    h = (lab.ns("h1"), lab.ns("h2"))
    sh("ip", "-n", h[0], "link", "add", "u0", "type", "veth", "peer", "name", "u0", "netns", h[1])
    for ns, addr in zip(h, ("192.168.1.4", "192.168.1.5"), strict=True):
        nsh(ns, "ip", "addr", "add", f"{addr}/24", "dev", "u0")
        nsh(ns, "ip", "link", "set", "u0", "up")
    return h


def cap_vxlan_gpe(lab: Lab) -> None:
    """(r) real VXLAN-GPE: a ``vxlan gpe external`` device (UDP 4790, no Ethernet header) on each
    host, each sending to the other through an ``encap ip id 400 dst ...`` route; a ping."""
    h = _two_hosts(lab)
    peers = (("10.1.0.1", "10.1.0.2", "192.168.1.5"), ("10.1.0.2", "10.1.0.1", "192.168.1.4"))
    for ns, (own, other, remote) in zip(h, peers, strict=True):
        nsh(ns, "ip", "link", "add", "gpe0", "type", "vxlan", "gpe", "external", "dstport", "4790")
        nsh(ns, "ip", "link", "set", "gpe0", "up")
        nsh(ns, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.gpe0.rp_filter=0")
        nsh(ns, "ip", "addr", "add", f"{own}/32", "dev", "gpe0")
        nsh(ns, "ip", "route", "add", f"{other}/32", "encap", "ip", "id", "400", "dst", remote, "dev", "gpe0")
    with tcpdump(h[0], OUT / "vxlan-gpe.pcap", "-i", "u0"):
        ping(h[0], "10.1.0.2", count=3)


def cap_vxlan_gbp(lab: Lab) -> None:
    """(s) real VXLAN with the Group Based Policy extension: a ``vxlan ... gbp`` device on each
    host (VNI 256, UDP 4789); the ping's socket mark (``ping -m``) becomes the group policy id."""
    h = _two_hosts(lab)
    for i, ns in enumerate(h):
        nsh(ns, "ip", "link", "add", "vx0", "type", "vxlan", "id", "256", "gbp", "dstport", "4789",
            "remote", ("192.168.1.5", "192.168.1.4")[i], "local", ("192.168.1.4", "192.168.1.5")[i])
        nsh(ns, "ip", "link", "set", "vx0", "address", f"02:42:0a:02:00:0{i + 1}")
        nsh(ns, "ip", "addr", "add", f"10.2.0.{i + 1}/24", "dev", "vx0")
        nsh(ns, "ip", "link", "set", "vx0", "up")
    with tcpdump(h[0], OUT / "vxlan-gbp.pcap", "-i", "u0"):
        ping(h[0], "10.2.0.2", "-m", str(0x12AB), count=3)


def cap_tunnel_edges(lab: Lab) -> None:
    """(q) crafted Geneve and VXLAN-GPE edge cases (scripts/tunnel_edge_frames.py); no namespaces, no traffic."""
    del lab
    from edge_pcap import write_frames_pcap
    from tunnel_edge_frames import frames

    write_frames_pcap(OUT / "tunnel-edges.pcap", frames())


def cap_ip_edges(lab: Lab) -> None:
    """(o) crafted IPv4 edge cases, syslog and IPComp (scripts/ip_edge_frames.py); no namespaces, no traffic."""
    del lab
    from edge_pcap import write_frames_pcap
    from ip_edge_frames import frames

    write_frames_pcap(OUT / "ip-edges.pcap", frames())


def cap_icmp_edges(lab: Lab) -> None:
    """(p) crafted ICMP, ICMPv6 and ARP edge cases (scripts/icmp_edge_frames.py); no namespaces, no traffic."""
    del lab
    from edge_pcap import write_frames_pcap
    from icmp_edge_frames import frames

    write_frames_pcap(OUT / "icmp-edges.pcap", frames())


CAPTURES: dict[str, Callable[[Lab], None]] = {
    "icmp": cap_icmp,
    "arp": cap_arp,
    "tcp": cap_tcp_udp,
    "any": cap_any,
    "ipv6": cap_ipv6_underlay,
    "vlan": cap_vlan,
    "mtu": cap_mtu,
    "flannel": cap_flannel,
    "icmp6": cap_icmp6,
    "dns": cap_dns,
    "dns-edges": cap_dns_edges,
    "stp": cap_stp,
    "stp-vxlan": cap_stp_vxlan,
    "llc-edges": cap_llc_edges,
    "ip-edges": cap_ip_edges,
    "icmp-edges": cap_icmp_edges,
    "tunnel-edges": cap_tunnel_edges,
    "vxlan-gpe": cap_vxlan_gpe,
    "vxlan-gbp": cap_vxlan_gbp,
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help=f"captures to make (default all): {' '.join(CAPTURES)}")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("make-captures: needs root (network namespaces, tcpdump)", file=sys.stderr)
        return 4
    for tool in ("ip", "tcpdump", "editcap", "bridge"):
        if shutil.which(tool) is None:
            print(f"make-captures: {tool} is not installed", file=sys.stderr)
            return 4
    unknown = [n for n in args.names if n not in CAPTURES]
    if unknown:
        parser.error(f"unknown capture(s): {' '.join(unknown)}")
    for name in args.names or list(CAPTURES):
        lab = Lab()
        log(f"{name}: namespaces {lab.prefix}-*")
        try:
            CAPTURES[name](lab)
        finally:
            lab.teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
