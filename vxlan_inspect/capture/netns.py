"""Open sockets inside another network namespace without moving the caller.

A socket belongs, for life, to the network namespace it was created in. So a
short-lived worker thread enters the target namespace with ``setns(2)`` (which
moves only that thread), creates the sockets and looks up interfaces, and
ends; the caller's threads never change namespace. Namespaces are named as
``vxlan-inspect state collect`` names them (:func:`~vxlan_inspect.state.collect.resolve_namespace`):
a name in /run/netns, a path such as /var/run/docker/netns/1-0f222fcb18, or ``pid:N``.

Interface names of SLL2 records are looked up through a socket made inside the
namespace (``SIOCGIFNAME`` answers for the socket's own namespace), so names are
those tcpdump would print running there, and the lookup needs no privilege
after the capture has dropped it.
"""

from __future__ import annotations

import fcntl
import socket
import struct
import threading
from collections.abc import Callable
from typing import TypeVar

from vxlan_inspect.state.collect import NamespaceRef, _setns, resolve_namespace

T = TypeVar("T")

SIOCGIFNAME = 0x8910
_IFREQ_INDEX = struct.Struct("16si20x")  # struct ifreq: ifr_name[16], then ifr_ifindex in the union

__all__ = ["InterfaceNames", "NamespaceRef", "resolve_namespace", "run_in_namespace"]


def run_in_namespace(ref: NamespaceRef, work: Callable[[], T]) -> T:
    """Run ``work`` in a worker thread inside ``ref``'s namespace and return its result (or raise its error)."""
    if ref.path is None:
        return work()
    result: list[T] = []
    failure: list[BaseException] = []
    path = ref.path

    def body() -> None:
        try:
            _setns(path)
            result.append(work())
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=body, name=f"vxlan-inspect-capture-{ref.name}")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
    return result[0]


class InterfaceNames(dict[int, str]):
    """Interface index -> name in one namespace, looked up on first use and remembered.

    Behaves as the ``ifnames`` map of the tcpdump renderer: ``index in names``
    asks the namespace when the index is not known yet.
    """

    def __init__(self, query_socket: socket.socket, preset: dict[int, str] | None = None) -> None:
        super().__init__(preset or {})
        self._sock = query_socket

    def __contains__(self, index: object) -> bool:
        if dict.__contains__(self, index):
            return True
        if not isinstance(index, int):
            return False
        name = self.lookup(index)
        if name is None:
            return False
        self[index] = name
        return True

    def lookup(self, index: int) -> str | None:
        """Ask the namespace for the name of ``index`` (None if there is no such interface)."""
        if self._sock.fileno() < 0 or not 0 < index < 1 << 31:
            return None
        try:
            reply = fcntl.ioctl(self._sock.fileno(), SIOCGIFNAME, _IFREQ_INDEX.pack(b"", index))
        except OSError:
            return None
        return reply[:16].split(b"\0", 1)[0].decode("utf-8", "replace")

    def close(self) -> None:
        """Close the lookup socket."""
        self._sock.close()
