"""Typed headers: one small slotted dataclass per protocol layer.

Every layer carries ``offset`` (where its header starts in the frame) and
``length`` (its header length). Field names follow the RFCs and iproute2.
Addresses are strings (``"192.168.1.4"``, ``"02:42:c0:a8:0a:64"``) because
that is how every consumer (tables, explanations, filters) compares them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Ethernet:
    """Ethernet II (or 802.3 when ``type`` <= 1500, then ``type`` is a length)."""

    name = "ether"
    offset: int
    length: int
    dst: str
    src: str
    type: int


@dataclass(slots=True)
class Vlan:
    """An 802.1Q / 802.1ad tag: ``tpid`` is the tag's ethertype, ``type`` what follows."""

    name = "vlan"
    offset: int
    length: int
    tpid: int
    pcp: int
    dei: int
    vid: int
    type: int


@dataclass(slots=True)
class LinuxSLL:
    """Linux cooked capture v1 (16 bytes) or v2 (20 bytes, with ``ifindex``)."""

    name = "sll"
    offset: int
    length: int
    version: int
    pkttype: int
    hatype: int
    addr: str
    protocol: int
    ifindex: int = 0

    @property
    def direction(self) -> str:
        """tcpdump's word for ``pkttype``: In, B, M, P, Out."""
        return {0: "In", 1: "B", 2: "M", 3: "P", 4: "Out"}.get(self.pkttype, "?")


@dataclass(slots=True)
class Null:
    """BSD loopback: a 4-byte address family."""

    name = "null"
    offset: int
    length: int
    family: int


@dataclass(slots=True)
class IPv4:
    """IPv4 header (RFC 791)."""

    name = "ip"
    offset: int
    length: int
    ihl: int
    tos: int
    total_length: int
    id: int
    df: bool
    mf: bool
    frag_offset: int
    ttl: int
    proto: int
    checksum: int
    src: str
    dst: str
    options: bytes = b""

    @property
    def is_fragment(self) -> bool:
        return self.mf or self.frag_offset != 0


@dataclass(slots=True)
class IPv6:
    """IPv6 header (RFC 8200) with the extension headers walked (``ext``: next-header values)."""

    name = "ip6"
    offset: int
    length: int
    traffic_class: int
    flow_label: int
    payload_length: int
    next_header: int
    hop_limit: int
    src: str
    dst: str
    proto: int = 0  # the upper-layer protocol after extension headers
    ext: tuple[int, ...] = ()
    fragment: bool = False


@dataclass(slots=True)
class UDP:
    """UDP header (RFC 768)."""

    name = "udp"
    offset: int
    length: int
    sport: int
    dport: int
    ulen: int
    checksum: int


@dataclass(slots=True)
class TCP:
    """TCP header (RFC 9293); ``flags`` is the raw byte (FIN=0x01 ... CWR=0x80)."""

    name = "tcp"
    offset: int
    length: int
    sport: int
    dport: int
    seq: int
    ack: int
    data_offset: int
    flags: int
    window: int
    checksum: int
    urgent: int
    options: bytes = b""
    payload_length: int = 0


@dataclass(slots=True)
class ICMP:
    """ICMP (RFC 792): echo ``id``/``seq``; ``mtu`` for need-to-frag; ``gateway`` for redirects."""

    name = "icmp"
    offset: int
    length: int
    type: int
    code: int
    checksum: int
    id: int = 0
    seq: int = 0
    mtu: int = 0
    gateway: str = ""
    payload_length: int = 0


@dataclass(slots=True)
class ICMPv6:
    """ICMPv6 (RFC 4443, RFC 4861): echo ``id``/``seq``, ND ``target``, ``mtu`` for packet-too-big."""

    name = "icmp6"
    offset: int
    length: int
    type: int
    code: int
    checksum: int
    id: int = 0
    seq: int = 0
    mtu: int = 0
    target: str = ""
    payload_length: int = 0


@dataclass(slots=True)
class ARP:
    """ARP (RFC 826): hardware/protocol types and lengths, op, and the four addresses."""

    name = "arp"
    offset: int
    length: int
    hrd: int
    pro: int
    hln: int
    pln: int
    op: int
    sha: str
    spa: str
    tha: str
    tpa: str


@dataclass(slots=True)
class VXLAN:
    """VXLAN header (RFC 7348) with the Group Based Policy extension bits kept as fields.

    ``flags`` is the first byte; ``i_flag`` its 0x08 bit (VNI valid);
    ``gbp`` the G bit (0x80) and ``policy_id`` the 16-bit group policy id;
    ``depth`` counts encapsulations (1 for the outermost tunnel).
    """

    name = "vxlan"
    offset: int
    length: int
    flags: int
    i_flag: bool
    vni: int
    gbp: bool
    dont_learn: bool
    policy_applied: bool
    policy_id: int
    udp_port: int
    depth: int


@dataclass(slots=True)
class Payload:
    """Bytes no decoder claimed (application data, unknown protocols)."""

    name = "payload"
    offset: int
    length: int
    proto: str = ""


@dataclass(slots=True, frozen=True)
class Issue:
    """A problem found while decoding: data about the packet, never an exception.

    ``kind`` is ``truncated`` (header cut short by the capture), ``invalid``
    (a field's value is impossible) or ``depth`` (decapsulation cap reached).
    """

    layer: str
    kind: str
    offset: int
    message: str


Layer = Ethernet | Vlan | LinuxSLL | Null | IPv4 | IPv6 | UDP | TCP | ICMP | ICMPv6 | ARP | VXLAN | Payload


@dataclass(slots=True)
class Packet:
    """A decoded record: its metadata, the layers outermost first, and the issues found."""

    index: int
    ts_ns: int
    linktype: int
    caplen: int
    wirelen: int
    layers: list[Layer] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    data: bytes = b""

    @property
    def truncated(self) -> bool:
        return any(i.kind == "truncated" for i in self.issues)

    @property
    def invalid(self) -> bool:
        return any(i.kind == "invalid" for i in self.issues)

    def first(self, name: str) -> Layer | None:
        """The outermost layer called ``name`` (``"ip"``, ``"vxlan"``, ...), or None."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        return None

    def last(self, name: str) -> Layer | None:
        """The innermost layer called ``name``, or None."""
        for layer in reversed(self.layers):
            if layer.name == name:
                return layer
        return None

    @property
    def vxlan(self) -> VXLAN | None:
        """The outermost VXLAN header, if any."""
        layer = self.first("vxlan")
        return layer if isinstance(layer, VXLAN) else None

    def outer(self) -> list[Layer]:
        """The layers before the first VXLAN header (all of them when not tunnelled)."""
        out: list[Layer] = []
        for layer in self.layers:
            if layer.name == "vxlan":
                break
            out.append(layer)
        return out

    def inner(self, depth: int | None = None) -> list[Layer]:
        """The layers carried by the VXLAN header at ``depth`` (1-based), up to the next tunnel.

        With no ``depth``, the layers after the innermost VXLAN header.
        """
        marks = [i for i, layer in enumerate(self.layers) if layer.name == "vxlan"]
        if not marks:
            return []
        if depth is None:
            return self.layers[marks[-1] + 1 :]
        if not 1 <= depth <= len(marks):
            return []
        end = marks[depth] if depth < len(marks) else len(self.layers)
        return self.layers[marks[depth - 1] + 1 : end]

    def _repr_html_(self) -> str:
        """Jupyter display: the layer stack and a coloured hexdump (``vxlan_inspect.render.html``)."""
        from vxlan_inspect.render.html import packet_html

        return packet_html(self)


def _layer_repr_html(self: Layer) -> str:
    """Jupyter display of one layer: its fields (``vxlan_inspect.render.html``)."""
    from vxlan_inspect.render.html import layer_html

    return layer_html(self)


for _cls in (Ethernet, Vlan, LinuxSLL, Null, IPv4, IPv6, UDP, TCP, ICMP, ICMPv6, ARP, VXLAN, Payload):
    setattr(_cls, "_repr_html_", _layer_repr_html)  # noqa: B010
