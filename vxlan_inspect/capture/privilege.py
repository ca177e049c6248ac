"""Give up privilege once the capture socket is open (tcpdump's ``-Z`` model).

After :func:`~vxlan_inspect.capture.live.open_live` returns, reading the ring
needs no privilege at all. :func:`drop_privileges` then

1. sets ``no_new_privs``, removes all capabilities from the bounding set
   (while CAP_SETPCAP is still held) and clears the ambient set;
2. with ``user`` (``-Z user``) and running as root: switches to that user's
   uid, gid and supplementary groups (``setgroups``/``setgid``/``setuid``, which
   glibc applies to every thread), which clears every capability;
3. in every case: empties the effective, permitted and inheritable sets with
   ``capset(2)``.

After a switch to another user, Python may no longer be able to read its own
installation (for example under /root): everything the capture loop needs is
imported, and the formatter built, before privileges are dropped.

``capset`` changes the calling thread only, so call it from the only thread
(the CLI does, after the namespace worker thread has ended). A library caller
of :func:`~vxlan_inspect.capture.live.live` keeps its privileges: dropping them
is the program's decision, not the library's.
"""

from __future__ import annotations

import ctypes
import grp
import os
import pwd
import threading
from typing import Any

from vxlan_inspect.errors import PrivilegeError, UsageError

PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _last_cap() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap", "rb") as fh:  # binary: no codec import needed
            return int(fh.read())
    except (OSError, ValueError):
        return 40


def switch_user(user: str) -> None:
    """Become ``user`` (name or numeric uid) with its primary and supplementary groups."""
    try:
        entry = pwd.getpwuid(int(user)) if user.isdigit() else pwd.getpwnam(user)
    except KeyError as exc:
        raise UsageError(f"capture: couldn't find user '{user}'", hint="-Z takes an existing user name") from exc
    if os.geteuid() != 0:
        if os.geteuid() == entry.pw_uid:
            return
        raise PrivilegeError(f"capture: only root can switch to user '{user}' with -Z")
    groups = [g.gr_gid for g in grp.getgrall() if entry.pw_name in g.gr_mem]
    os.setgroups(sorted({entry.pw_gid, *groups}))
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)


def clear_bounding_set() -> None:
    """Forbid regaining any capability (no_new_privs, empty bounding and ambient sets); needs CAP_SETPCAP."""
    libc = _libc()
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    for cap in range(_last_cap() + 1):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EPERM without CAP_SETPCAP: nothing to drop then
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)


def clear_capabilities() -> None:
    """Empty this thread's effective, permitted and inheritable capability sets."""
    libc = _libc()
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise PrivilegeError(f"capture: cannot drop capabilities ({os.strerror(err)})")


def drop_privileges(user: str | None = None) -> None:
    """Switch to ``user`` if given (``-Z``), then clear all capabilities; see the module text."""
    if threading.active_count() != 1:
        raise RuntimeError("drop_privileges must run while the process has a single thread")
    clear_bounding_set()  # first: it needs CAP_SETPCAP, which setuid takes away
    if user:
        switch_user(user)
    clear_capabilities()


def effective_capabilities() -> int:
    """This process's effective capability mask, from /proc/self/status (for tests and diagnostics)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0
