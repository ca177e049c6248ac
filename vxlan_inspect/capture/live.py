"""Live capture: AF_PACKET sockets in any network namespace, filtered in the kernel.

>>> from vxlan_inspect.capture.live import live
>>> for record in live("eth0", netns="vxl1a2b-h1", count=4):  # doctest: +SKIP
...     print(record.index, record.linktype, record.caplen)

:func:`open_live` opens an AF_PACKET socket (SOCK_RAW on one interface,
Ethernet records; SOCK_DGRAM on ``any``, records with a Linux cooked v2 header)
inside the namespace, attaches the classic BPF program before binding (so no
unfiltered packet is ever queued), sets up a TPACKET_V3 ring and binds. Only
packets the filter accepts reach Python. :func:`live` yields the same
:class:`~vxlan_inspect.capture.record.Record` objects the file readers yield.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import socket
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from vxlan_inspect.capture import bpf
from vxlan_inspect.capture.netns import InterfaceNames, NamespaceRef, resolve_namespace, run_in_namespace
from vxlan_inspect.capture.record import (
    LINKTYPE_ETHERNET,
    LINKTYPE_LINUX_SLL2,
    LINKTYPE_RAW,
    MAXIMUM_SNAPLEN,
    Record,
)
from vxlan_inspect.capture.ring import RxRing, add_promiscuous, iter_chunk
from vxlan_inspect.errors import EnvironmentProblem, PrivilegeError, UsageError

ETH_P_ALL = 0x0003
ARPHRD_ETHER, ARPHRD_LOOPBACK, ARPHRD_NONE = 1, 772, 65534
SIOCGIFHWADDR = 0x8927
#: tcpdump's default -B is 2 MiB; Python needs more slack to ride out bursts (see docs/capture.md).
DEFAULT_BUFFER = 8 << 20
DEFAULT_BLOCK_TIMEOUT_MS = 20

Program = list[bpf.Instruction]
Residual = Callable[[Record], bool]


@dataclass(frozen=True, slots=True)
class CaptureStats:
    """tcpdump's three counters: handed to the caller, accepted by the filter, dropped by the kernel."""

    captured: int
    received: int
    dropped: int

    def lines(self) -> str:
        """The three lines tcpdump prints on stderr at the end."""

        def plural(n: int) -> str:
            return "" if n == 1 else "s"

        return (f"{self.captured} packet{plural(self.captured)} captured\n"
                f"{self.received} packet{plural(self.received)} received by filter\n"
                f"{self.dropped} packet{plural(self.dropped)} dropped by kernel\n")


def _bind(sock: socket.socket, ifindex: int) -> None:
    """bind(2) to an interface index (0: all interfaces), which Python's AF_PACKET bind cannot express."""
    libc = ctypes.CDLL(None, use_errno=True)
    addr = ctypes.create_string_buffer(struct.pack("=HHiHBB8s", socket.AF_PACKET, socket.htons(ETH_P_ALL),
                                                   ifindex, 0, 0, 0, b""))
    if libc.bind(sock.fileno(), addr, 20) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _hardware_type(query: socket.socket, interface: str) -> int:
    reply = fcntl.ioctl(query.fileno(), SIOCGIFHWADDR, struct.pack("16s24x", interface.encode()))
    return int(struct.unpack_from("=H", reply, 16)[0])


class LiveCapture:
    """An open live capture: socket, ring, link type, interface names; iterate chunks or records."""

    def __init__(self, sock: socket.socket, ring: RxRing, names: InterfaceNames, *, interface: str,
                 namespace: NamespaceRef, linktype: int, snaplen: int) -> None:
        self.sock = sock
        self.ring = ring
        self.names = names
        self.interface = interface
        self.namespace = namespace
        self.linktype = linktype
        self.snaplen = snaplen
        self.captured = 0
        self._received = 0
        self._dropped = 0
        self.timeout_ms = 100

    @property
    def nanosecond(self) -> bool:
        """Whether chunks carry nanosecond (else microsecond) record timestamps."""
        return self.ring.nanosecond

    @nanosecond.setter
    def nanosecond(self, value: bool) -> None:
        self.ring.nanosecond = value

    def next_chunk(self, timeout_ms: int | None = None) -> tuple[bytes, int] | None:
        """Packed pcap records of the next ring block and their count; None after a quiet timeout."""
        got = self.ring.next_chunk(self.timeout_ms if timeout_ms is None else timeout_ms)
        if got is not None:
            self.captured += got[1]
        return got

    def records(self, stop: Callable[[], bool] | None = None) -> Iterator[Record]:
        """Yield records until ``stop()`` is true (checked at least every ``timeout_ms``)."""
        index = 1
        while stop is None or not stop():
            got = self.next_chunk()
            if got is None or not got[1]:
                continue
            yield from iter_chunk(got[0], got[1], index, self.linktype, self.nanosecond)
            index += got[1]

    def stats(self, captured: int | None = None) -> CaptureStats:
        """The counters so far (``captured`` overrides the count of packets handed out)."""
        try:
            packets, drops = self.ring.statistics()
        except OSError:
            packets = drops = 0
        self._received += packets
        self._dropped += drops
        return CaptureStats(self.captured if captured is None else captured, self._received, self._dropped)

    def close(self) -> None:
        """Close the ring, the socket (leaving promiscuous mode) and the name lookup socket."""
        self.ring.close()
        self.sock.close()
        self.names.close()

    def __enter__(self) -> LiveCapture:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _open_socket(cooked: bool) -> socket.socket:
    try:
        return socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM if cooked else socket.SOCK_RAW, 0)
    except PermissionError as exc:
        raise PrivilegeError(
            "capture: you don't have permission to capture (socket: Operation not permitted)",
            hint="run as root, or give the program CAP_NET_RAW",
        ) from exc


def _open_in_namespace(interface: str, ns: NamespaceRef, snaplen: int, promisc: bool, program: Program | None,
                       buffer_size: int, block_timeout_ms: int) -> LiveCapture:
    """Everything that needs privilege or the namespace; runs in the namespace's worker thread."""
    cooked = interface == "any"
    sock = _open_socket(cooked)
    query = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ring: RxRing | None = None
    try:
        names = InterfaceNames(query)
        where = "" if ns.path is None else f" in namespace {ns.name}"
        ifindex = 0
        linktype = LINKTYPE_LINUX_SLL2
        if not cooked:
            try:
                ifindex = socket.if_nametoindex(interface)
                hatype = _hardware_type(query, interface)
            except OSError as exc:
                raise EnvironmentProblem(f"capture: {interface}: No such device exists{where}",
                                         hint="list interfaces with `ip link`, or use -i any") from exc
            if hatype in (ARPHRD_ETHER, ARPHRD_LOOPBACK):
                linktype = LINKTYPE_ETHERNET
            elif hatype == ARPHRD_NONE:
                linktype = LINKTYPE_RAW
            else:
                raise UsageError(f"capture: {interface}: hardware type {hatype} is not supported",
                                 hint="capture it with -i any")
        if program is None:
            program = bpf.accept_all(snaplen)
        elif cooked:
            adapted = bpf.cook_for_sll2(program)
            if adapted is None:
                raise UsageError("capture: the filter reads Linux cooked header fields the kernel cannot see",
                                 hint="filter on protocol, interface, or packet contents instead")
            program = adapted
        bpf.attach_filter(sock, bpf.clamp_snaplen(program, snaplen))
        ring = RxRing(sock, buffer_size, block_timeout_ms)
        ring.cooked = cooked
        ring.snaplen = snaplen
        ring.vlan_offset = 12 if linktype == LINKTYPE_ETHERNET else -1
        try:
            ring.loopback_index = socket.if_nametoindex("lo")
        except OSError:
            ring.loopback_index = -1
        if promisc and not cooked:
            add_promiscuous(sock, ifindex)
        _bind(sock, ifindex)
        return LiveCapture(sock, ring, names, interface=interface, namespace=ns, linktype=linktype,
                           snaplen=snaplen)
    except BaseException as exc:
        if ring is not None:
            ring.close()
        sock.close()
        query.close()
        if isinstance(exc, OSError) and exc.errno in (errno.EPERM, errno.EACCES):
            raise PrivilegeError(f"capture: not permitted to set up the capture ({exc.strerror})",
                                 hint="run as root, or give the program CAP_NET_RAW and CAP_NET_ADMIN") from exc
        if isinstance(exc, OSError):
            raise EnvironmentProblem(f"capture: cannot set up the capture on {interface}: {exc.strerror}") from exc
        raise


def open_live(interface: str = "any", *, netns: str | None = None, snaplen: int = MAXIMUM_SNAPLEN,
              promisc: bool = True, program: Program | None = None, expression: str | None = None,
              buffer_size: int = DEFAULT_BUFFER, block_timeout_ms: int = DEFAULT_BLOCK_TIMEOUT_MS,
              nanosecond: bool = True, vxlan_ports: Iterable[int] = (4789, 8472)) -> LiveCapture:
    """Open a live capture on ``interface`` (or ``"any"``) in namespace ``netns`` (name, path, ``pid:N``).

    ``program`` is a classic BPF program compiled for the capture's link type
    (for example parsed from ``tcpdump -ddd`` with :func:`~vxlan_inspect.capture.bpf.parse_ddd`);
    ``expression`` is a filter expression compiled by :mod:`vxlan_inspect.filter`.
    Raises PrivilegeError (exit 4) without CAP_NET_RAW, NamespaceNotFound or
    EnvironmentProblem (exit 4) for a missing namespace or interface.
    """
    if not 0 <= snaplen <= MAXIMUM_SNAPLEN:
        raise UsageError(f"capture: invalid snapshot length {snaplen}", hint=f"0 to {MAXIMUM_SNAPLEN}")
    snaplen = snaplen or MAXIMUM_SNAPLEN
    ns = resolve_namespace(netns) if netns else NamespaceRef("self")
    linktype_guess = LINKTYPE_LINUX_SLL2 if interface == "any" else LINKTYPE_ETHERNET
    compiled: Any = None
    if expression:
        program, compiled = compile_expression(expression, linktype_guess, vxlan_ports)
    cap = run_in_namespace(ns, lambda: _open_in_namespace(interface, ns, snaplen, promisc, program,
                                                          buffer_size, block_timeout_ms))
    if compiled is not None:
        if program is not None and cap.linktype != linktype_guess:
            cap.close()
            raise UsageError(f"capture: {interface} has link type {cap.linktype}; filters need Ethernet or any")
        linktype = cap.linktype
        cap.ring.residual = lambda rec: bool(compiled.match_record(rec.data, linktype, rec.wirelen))
    cap.nanosecond = nanosecond
    return cap


def compile_expression(expression: str, linktype: int,
                       vxlan_ports: Iterable[int] = (4789, 8472)) -> tuple[Program | None, Any]:
    """Compile a filter expression with :mod:`vxlan_inspect.filter`.

    Returns the kernel program (None: none, filter everything in Python) and
    the filter still to run on each record in Python (None: the program is exact).
    """
    try:
        from vxlan_inspect.filter import compile_filter
    except ImportError as exc:
        raise UsageError(f"capture: filter expressions are not supported yet (got {expression!r})",
                         hint="capture without a filter, or pass a compiled program with --bpf FILE "
                              "(from tcpdump -ddd EXPR)") from exc
    compiled: Any = compile_filter(expression, vxlan_ports)
    try:
        program, rest = compiled.to_bpf(linktype)
    except (ImportError, NotImplementedError):
        return None, compiled  # no kernel compiler yet: the whole filter runs in Python
    return (list(program) if program else None), rest


def live(interface: str = "any", *, netns: str | None = None, count: int | None = None,
         stop: Callable[[], bool] | None = None, **options: Any) -> Iterator[Record]:
    """Yield records captured live, like :func:`~vxlan_inspect.capture.read_capture` yields a file's.

    Stops after ``count`` records or when ``stop()`` returns true; the socket is
    closed when the generator ends or is closed. ``options`` go to :func:`open_live`.
    """
    with open_live(interface, netns=netns, **options) as cap:
        for n, rec in enumerate(cap.records(stop), 1):
            yield rec
            if count is not None and n >= count:
                return
