"""The data of an explanation: steps with evidence, verdicts with stable codes.

Everything here is plain data (frozen dataclasses of strings, numbers and
tuples); renderers in :mod:`vxlan_inspect.render.trace` and
:func:`explanation_to_json` are pure functions of it. The model follows OVS
``ofproto/trace``: an input line, numbered steps grouped by where they happen,
details under each step, and a final verdict, but every node keeps structured
``facts`` and ``evidence`` pointers instead of only text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: JSON schema version of :func:`explanation_to_json` (bump on incompatible change).
SCHEMA_VERSION = 1

#: Stable verdict codes: code -> (severity, one-line meaning). Severity orders the
#: primary verdict of a bundle: the highest wins (faults > unknown > healthy).
VERDICTS: dict[str, tuple[int, str]] = {
    "delivered": (0, "the echo request reached the destination and the reply came back"),
    "arp-proxied": (1, "the ARP request was answered locally by the vxlan device's proxy; nothing was tunnelled"),
    "arp-flooded": (2, "overlay ARP crossed the tunnel (proxy off, learning, multicast or point-to-point mode)"),
    "control-plane-drift": (3, "Docker's records disagree with the kernel's FDB or neighbour table"),
    "duplicate-mac": (3, "one MAC address is claimed by two endpoints or points at two VTEPs"),
    "undetermined": (4, "a what-if trace cannot say what would happen: the tables it needs are not in the inputs"),
    "no-reply": (5, "the request left but nothing came back; the inputs do not show where it was lost"),
    "missing-fdb": (8, "l2miss: the inner destination MAC has no FDB entry and there is no default entry"),
    "missing-neigh": (8, "l3miss: the vxlan proxy has no neighbour entry, so the ARP request was swallowed"),
    "proxy-off": (8, "ARP for a remote container is unanswered: the vxlan device has no proxy and no flood path"),
    "stale-neigh": (8, "the neighbour entry gives a MAC that no endpoint owns"),
    "wrong-vtep": (8, "the FDB sends the MAC to a VTEP that is not the host that owns it"),
    "vni-mismatch": (8, "the packet's VNI matches no vxlan device on the receiving host"),
    "port-mismatch": (8, "the UDP destination port is not the port the receiving vxlan device listens on"),
    "mtu-exceeded": (8, "the packet exceeds the vxlan device MTU (VXLAN adds 50 bytes over IPv4, 70 over IPv6)"),
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A pointer to what proves a statement.

    ``kind`` is ``frame`` (``file`` + ``frame`` number, 1-based like ``tcpdump -#``),
    ``row`` (``file`` + ``table`` + ``line``, 1-based line of a text dump, 0 when the
    table came from JSON) or ``event`` (``file`` + ``line`` of ``ip monitor`` output).
    ``text`` is the evidence itself: tcpdump's line for the frame, the table row, the event.
    """

    kind: str
    file: str
    text: str
    frame: int = 0
    table: str = ""
    line: int = 0
    capture: str = ""

    def ref(self) -> str:
        """A short human reference: ``file#frame`` or ``file:line``."""
        if self.kind == "frame":
            return f"{self.file} #{self.frame}"
        return f"{self.file}:{self.line}" if self.line else f"{self.file} ({self.table})"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a step happens: host, namespace id and device (each may be empty when unknown)."""

    host: str = ""
    namespace: str = ""
    device: str = ""

    def label(self) -> str:
        parts = [p for p in (self.namespace or self.host, self.device) if p]
        return " ".join(parts) or "?"


@dataclass(frozen=True, slots=True)
class Step:
    """One hop of a trace.

    ``kind`` is a stable word (``neigh-resolve``, ``container-egress``, ``bridge-in``,
    ``fdb-lookup``, ``encapsulate``, ``underlay-transit``, ``decapsulate``,
    ``bridge-deliver``, ``container-ingress``, ``drop``, ``unknown``); ``direction`` is
    ``request`` or ``reply``; ``status`` is ``ok``, ``fail`` or ``unknown``.
    ``summary`` is one sentence; ``details`` are the ``->`` lines of the text rendering.
    """

    kind: str
    location: Location
    summary: str
    direction: str = "request"
    status: str = "ok"
    facts: tuple[tuple[str, Any], ...] = ()
    details: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    def fact(self, key: str, default: Any = None) -> Any:
        """The value of one fact, or ``default``."""
        for k, v in self.facts:
            if k == key:
                return v
        return default


@dataclass(frozen=True, slots=True)
class Unknown:
    """Something the inputs cannot settle, and the capture or dump that would."""

    question: str
    settle_with: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The conclusion of one trace: a stable ``code``, why, the proof and the fix."""

    code: str
    summary: str
    evidence: tuple[Evidence, ...] = ()
    fix: str = ""
    findings: tuple[str, ...] = ()
    unknowns: tuple[Unknown, ...] = ()

    @property
    def severity(self) -> int:
        return VERDICTS[self.code][0]


@dataclass(frozen=True, slots=True)
class Flow:
    """What a trace is about: an ICMP echo flow or an ARP resolution."""

    kind: str  # "icmp-echo" or "arp"
    src: str
    dst: str
    icmp_id: int | None = None
    requests: int = 0
    replies: int = 0
    first_seq: int | None = None
    last_seq: int | None = None

    def label(self) -> str:
        if self.kind == "arp":
            return f"arp who-has {self.dst} tell {self.src}"
        if self.icmp_id is None:  # a what-if trace (explain --simulate): nothing was sent
            return f"icmp echo {self.src} > {self.dst} (predicted)"
        return f"icmp echo {self.src} > {self.dst} id {self.icmp_id}"


@dataclass(frozen=True, slots=True)
class Trace:
    """The explanation of one flow: its steps in order and its verdict."""

    flow: Flow
    steps: tuple[Step, ...]
    verdict: Verdict

    def _repr_html_(self) -> str:
        """Jupyter display: the numbered steps with their evidence, then the verdict."""
        from vxlan_inspect.render.html import trace_html

        return trace_html(self)


@dataclass(frozen=True, slots=True)
class HostInfo:
    """A host of the overlay as inferred from the inputs."""

    name: str
    vtep: str | None = None
    namespaces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """A vxlan device and its mode."""

    host: str
    namespace: str
    ifname: str
    vni: int | None
    port: int | None
    mtu: int | None
    mode: str  # static, learning, multicast, p2p
    proxy: bool
    learning: bool
    l2miss: bool
    l3miss: bool
    group: str | None = None
    remote: str | None = None


@dataclass(frozen=True, slots=True)
class EndpointInfo:
    """A container (or other overlay address): IP, MAC and the host behind it."""

    ip: str
    mac: str | None
    host: str | None
    source: str = ""


@dataclass(frozen=True, slots=True)
class TopologyInfo:
    """Hosts, vxlan devices and endpoints as inferred from state and packets."""

    hosts: tuple[HostInfo, ...] = ()
    devices: tuple[DeviceInfo, ...] = ()
    endpoints: tuple[EndpointInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything ``explain`` concluded from one set of inputs."""

    source: str
    topology: TopologyInfo
    traces: tuple[Trace, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def primary(self) -> Verdict | None:
        """The most severe verdict over all traces (the first one on ties), or None."""
        best: Verdict | None = None
        for trace in self.traces:
            if best is None or trace.verdict.severity > best.severity:
                best = trace.verdict
        return best
