"""Running plans as root, the lab state file, and teardown that finds leftovers.

A lab's state lives in ``/run/vxlan-inspect/labs/<prefix>.json`` (override the
directory with ``VXLAN_INSPECT_LAB_DIR``). It is written *before* the first command
runs, so a lab interrupted half-way is still known. :func:`lab_down` does not need
it: it finds the lab's namespaces by prefix in ``ip netns list``, kills the
processes inside them (``ip netns pids``), deletes them, and deletes any link of
the root namespace whose name starts with the prefix.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from vxlan_inspect.errors import EnvironmentProblem, PrivilegeError, UsageError
from vxlan_inspect.lab.plan import Plan
from vxlan_inspect.lab.topology import Topology, check_prefix, topology_from_json


def state_dir() -> Path:
    """Where lab state files live."""
    return Path(os.environ.get("VXLAN_INSPECT_LAB_DIR", "/run/vxlan-inspect/labs"))


def require_root(action: str) -> None:
    """Raise :class:`PrivilegeError` unless running as root."""
    if os.geteuid() != 0:
        raise PrivilegeError(
            f"lab {action} needs root (CAP_NET_ADMIN to create namespaces and links)",
            hint="run it with sudo, or add --dry-run to print the commands",
        )


def require_tools(*names: str) -> None:
    """Raise :class:`EnvironmentProblem` naming the first missing program."""
    for name in names:
        if shutil.which(name) is None:
            package = {"ip": "iproute2", "bridge": "iproute2", "ping": "iputils-ping"}.get(name, name)
            raise EnvironmentProblem(f"{name} is not installed", hint=f"apt-get install {package}")


def run_argv(argv: list[str], *, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run one command (argv list, no shell); raise EnvironmentProblem when it fails and ``check``."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EnvironmentProblem(f"could not run {' '.join(argv)}: {exc}") from exc
    if check and done.returncode != 0:
        why = " ".join((done.stderr or done.stdout).split()) or f"exit status {done.returncode}"
        raise EnvironmentProblem(f"{' '.join(argv)} failed: {why}")
    return done


def run_plan(plan: Plan) -> None:
    """Run every command of ``plan`` in order, stopping at the first failure."""
    for argv in plan:
        run_argv(argv)


# -- state file ------------------------------------------------------------------


def state_path(prefix: str) -> Path:
    """The state file of lab ``prefix``."""
    return state_dir() / f"{check_prefix(prefix)}.json"


def save_state(topo: Topology) -> None:
    """Write the lab's state file atomically."""
    path = state_path(topo.prefix)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"topology": topo.to_json(), "created": time.time()}, indent=2) + "\n")
    tmp.replace(path)


def load_state(prefix: str) -> Topology:
    """Read lab ``prefix``'s topology from its state file."""
    path = state_path(prefix)
    try:
        data = json.loads(path.read_text())
        return topology_from_json(data["topology"])
    except FileNotFoundError:
        raise UsageError(
            f"no lab with prefix {prefix!r}", hint="lab status lists the labs; lab up makes one"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise EnvironmentProblem(
            f"lab state file {path} is unreadable: {exc}", hint="lab down --prefix cleans up"
        ) from exc


def known_prefixes() -> list[str]:
    """Prefixes of every lab that has a state file."""
    d = state_dir()
    return sorted(p.stem for p in d.glob("*.json")) if d.is_dir() else []


def resolve_prefix(prefix: str | None) -> str:
    """The prefix given, or the only lab's prefix; a UsageError when that is ambiguous."""
    if prefix:
        return check_prefix(prefix)
    labs = known_prefixes()
    if len(labs) == 1:
        return labs[0]
    if not labs:
        raise UsageError("no lab is up", hint="vxlan-inspect lab up")
    raise UsageError("several labs are up: " + ", ".join(labs), hint="choose one with --prefix")


# -- finding and removing ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leftovers:
    """What exists on the machine under one prefix."""

    namespaces: tuple[str, ...]
    links: tuple[str, ...]
    pids: tuple[int, ...]

    def empty(self) -> bool:
        """True when nothing with the prefix remains."""
        return not (self.namespaces or self.links or self.pids)


def _netns_names() -> list[str]:
    out = run_argv(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def _root_links() -> list[str]:
    out = run_argv(["ip", "-o", "link", "show"], check=False).stdout
    names = []
    for line in out.splitlines():
        parts = line.split(":", 2)
        if len(parts) >= 2:
            names.append(parts[1].strip().split("@")[0])
    return names


def _netns_pids(ns: str) -> list[int]:
    out = run_argv(["ip", "netns", "pids", ns], check=False).stdout
    return [int(tok) for tok in out.split() if tok.isdigit()]


def find_leftovers(prefix: str) -> Leftovers:
    """Namespaces named ``<prefix>-*``, root-namespace links named ``<prefix>*``, processes inside."""
    check_prefix(prefix)
    namespaces = tuple(n for n in _netns_names() if n.startswith(prefix + "-"))
    links = tuple(n for n in _root_links() if n.startswith(prefix))
    pids = tuple(pid for ns in namespaces for pid in _netns_pids(ns))
    return Leftovers(namespaces, links, pids)


def _kill(pids: tuple[int, ...]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        alive = []
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
                alive.append(pid)
        deadline = time.monotonic() + 2
        while alive and time.monotonic() < deadline:
            alive = [p for p in alive if Path(f"/proc/{p}").exists() and not _zombie(p)]
            time.sleep(0.05)
        if not alive:
            return


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def lab_down(prefix: str) -> Leftovers:
    """Tear down everything with ``prefix``: processes, namespaces, root links, state file.

    Returns what was found. Works without a state file and after a crash.
    """
    require_root("down")
    found = find_leftovers(prefix)
    _kill(found.pids)
    # Containers and overlays first, then hosts, then the switch: reverse creation order.
    order = {"sw": 3, "h": 2, "o": 1}
    for ns in sorted(found.namespaces, key=lambda n: order.get(n.split("-", 1)[1].rstrip("0123456789"), 0)):
        run_argv(["ip", "netns", "del", ns], check=False)
    for link in found.links:
        run_argv(["ip", "link", "del", link], check=False)
    with contextlib.suppress(FileNotFoundError):
        state_path(prefix).unlink()
    return found


def lab_up(topo: Topology, plan: Plan) -> None:
    """Create lab ``topo`` by running ``plan``; on failure remove whatever was made."""
    require_root("up")
    require_tools("ip", "bridge")
    existing = find_leftovers(topo.prefix)
    if not existing.empty() or state_path(topo.prefix).exists():
        raise UsageError(
            f"a lab with prefix {topo.prefix} already exists", hint=f"lab down --prefix {topo.prefix}"
        )
    save_state(topo)
    try:
        run_plan(plan)
    except BaseException:
        lab_down(topo.prefix)
        raise


def apply_change(topo_after: Topology, plan: Plan) -> None:
    """Run a change (break, fix, add-container) and then record the new topology."""
    require_root("change")
    run_plan(plan)
    save_state(topo_after)
