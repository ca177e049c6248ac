"""Acceptance 2 and 5: collect a real namespace through netlink; privilege errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from vxlan_inspect.state import FdbEntry, NeighEntry, parse_dump
from vxlan_inspect.state.collect import collect_snapshot

PREFIX = "vist-"


def _run(*argv: str) -> str:
    return subprocess.run(list(argv), check=True, capture_output=True, text=True).stdout


@pytest.fixture
def overlay_ns(require_root: None) -> Iterator[str]:
    """A namespace shaped like Docker's overlay namespace, deleted afterwards."""
    name = PREFIX + uuid.uuid4().hex[:8]
    _run("ip", "netns", "add", name)
    try:
        ipn = ("ip", "-n", name)
        _run(*ipn, "link", "add", "br0", "type", "bridge")
        _run(
            *ipn,
            "link",
            "add",
            "vxlan0",
            "type",
            "vxlan",
            "id",
            "256",
            "dstport",
            "4789",
            "proxy",
            "l2miss",
            "l3miss",
            "nolearning",
            "ageing",
            "300",
        )
        _run(*ipn, "link", "set", "vxlan0", "master", "br0")
        _run(*ipn, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1")
        _run(*ipn, "link", "set", "veth0", "master", "br0")
        _run(*ipn, "addr", "add", "192.168.10.1/24", "dev", "br0")
        for dev in ("lo", "br0", "vxlan0", "veth0", "veth1"):
            _run(*ipn, "link", "set", dev, "up")
        _run(
            *ipn,
            "neigh",
            "add",
            "192.168.10.100",
            "lladdr",
            "02:42:c0:a8:0a:64",
            "dev",
            "vxlan0",
            "nud",
            "permanent",
        )
        _run(
            *ipn,
            "neigh",
            "add",
            "192.168.10.200",
            "lladdr",
            "02:42:c0:a8:0a:c8",
            "dev",
            "vxlan0",
            "nud",
            "permanent",
        )
        _run(
            "bridge",
            "-n",
            name,
            "fdb",
            "add",
            "02:42:c0:a8:0a:64",
            "dev",
            "vxlan0",
            "dst",
            "192.168.1.4",
            "self",
            "permanent",
        )
        _run(
            "bridge",
            "-n",
            name,
            "fdb",
            "add",
            "02:42:c0:a8:0a:c8",
            "dev",
            "vxlan0",
            "dst",
            "192.168.1.6",
            "self",
            "permanent",
        )
        _run(*ipn, "route", "add", "10.9.0.0/16", "via", "192.168.10.254", "dev", "br0", "onlink")
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


@pytest.mark.root
def test_collect_returns_what_was_programmed(overlay_ns: str) -> None:
    before = os.readlink("/proc/thread-self/ns/net")
    snap = collect_snapshot([overlay_ns])
    assert os.readlink("/proc/thread-self/ns/net") == before  # the caller never moved
    (ns,) = snap.namespaces
    assert ns.source == "netlink" and ns.path and ns.path.endswith(overlay_ns)
    remote = [e for e in ns.fdb if e.dst is not None]
    assert len(remote) == 2
    assert set(remote) == {
        FdbEntry(
            mac="02:42:c0:a8:0a:64", ifname="vxlan0", dst="192.168.1.4", flags=("self",), state="permanent"
        ),
        FdbEntry(
            mac="02:42:c0:a8:0a:c8", ifname="vxlan0", dst="192.168.1.6", flags=("self",), state="permanent"
        ),
    }
    permanent = {n for n in ns.neigh if n.is_permanent}
    assert permanent == {
        NeighEntry(dst="192.168.10.100", dev="vxlan0", lladdr="02:42:c0:a8:0a:64", state=("PERMANENT",)),
        NeighEntry(dst="192.168.10.200", dev="vxlan0", lladdr="02:42:c0:a8:0a:c8", state=("PERMANENT",)),
    }
    (vxlan0,) = ns.vxlan_links()
    vx = vxlan0.vxlan
    assert vx is not None and vxlan0.master == "br0"
    assert (vx.id, vx.port, vx.ageing) == (256, 4789, 300)
    assert vx.proxy and vx.l2miss and vx.l3miss and not vx.learning
    assert {a.local for a in ns.addr if a.family == "inet"} == {"127.0.0.1", "192.168.10.1"}
    assert any(
        r.dst == "10.9.0.0/16" and r.gateway == "192.168.10.254" and "onlink" in r.flags for r in ns.route
    )


COMMANDS = {
    "fdb": ("bridge", "fdb", "show"),
    "neigh": ("ip", "neigh", "show"),
    "link": ("ip", "-d", "link", "show"),
    "addr": ("ip", "addr", "show"),
    "route": ("ip", "route", "show"),
}


def _dump(ns: str, kind: str, as_json: bool) -> str:
    tool, *args = COMMANDS[kind]
    flags = ["-j"] if as_json else []
    return _run(tool, "-n", ns, *flags, *args)


@pytest.mark.root
@pytest.mark.parametrize("kind", ["fdb", "neigh", "link", "addr", "route"])
def test_saved_text_and_json_equal_netlink(overlay_ns: str, kind: str) -> None:
    text = _dump(overlay_ns, kind, False)
    js = _dump(overlay_ns, kind, True)
    collected = collect_snapshot([overlay_ns]).namespaces[0].table(kind)
    text_entries = parse_dump(text).entries
    json_entries = parse_dump(js).entries
    if kind == "addr":  # lifetimes of tentative addresses may tick between dumps

        def strip(es):
            return [(a.ifname, a.family, a.local, a.prefixlen, a.scope, a.label) for a in es]

        text_entries, json_entries, collected = strip(text_entries), strip(json_entries), strip(collected)
    else:
        text_entries, json_entries, collected = list(text_entries), list(json_entries), list(collected)
    if kind == "fdb":  # bridge learns veth1's MAC on veth0 at its own pace

        def stable(es):
            return [e for e in es if e.state != ""]

        text_entries, json_entries, collected = stable(text_entries), stable(json_entries), stable(collected)
    assert text_entries == json_entries == collected


@pytest.mark.root
def test_cli_collect_writes_snapshot(overlay_ns: str, tmp_path, capsys) -> None:
    from vxlan_inspect.cli import main

    out = tmp_path / "snap.json"
    rc = main(["state", "collect", "--netns", overlay_ns, "--host", "docker-2", "-o", str(out)])
    assert rc == 0, capsys.readouterr().err
    doc = json.loads(out.read_text())
    assert doc["format"] == "vxlan-inspect/snapshot" and doc["version"] == 1 and doc["host"] == "docker-2"
    assert doc["namespaces"][0]["name"] == overlay_ns
    rc = main(["state", "show", str(out)])
    shown = capsys.readouterr().out
    assert rc == 0 and "192.168.1.6" in shown and "proxy: answers ARP" in shown


@pytest.mark.root
def test_missing_namespace_exit_4(require_root: None, capsys) -> None:
    from vxlan_inspect.cli import main

    rc = main(["state", "collect", "--netns", PREFIX + "does-not-exist"])
    err = capsys.readouterr().err
    assert rc == 4 and err.count("\n") == 1 and "no network namespace named" in err


def test_collect_without_root_says_so(monkeypatch, capsys) -> None:
    from vxlan_inspect.cli import main

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    rc = main(["state", "collect"])
    err = capsys.readouterr().err
    assert rc == 4
    assert err.count("\n") == 1 and "needs root" in err and "Traceback" not in err


def test_collect_as_unprivileged_user_process(tmp_path) -> None:
    """A real unprivileged process (setpriv to nobody) gets one line and exit 4; parse works."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to drop privileges")
    code = "import sys; from vxlan_inspect.cli import main; sys.exit(main(sys.argv[1:]))"
    base = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code]
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    probe = subprocess.run(
        [*base[:-2], "-c", "import typer, pyroute2, vxlan_inspect.cli"],
        capture_output=True,
        env=env,
        cwd="/",
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip("the Python environment is not readable by an unprivileged user here")
    done = subprocess.run([*base, "state", "collect"], capture_output=True, text=True, env=env, cwd="/")
    assert done.returncode == 4, done.stderr
    assert done.stderr.count("\n") == 1 and "needs root" in done.stderr
    seed = os.path.join(os.getcwd(), "tests", "data", "seed", "docker-2.overlay.fdb.txt")
    done = subprocess.run([*base, "state", "parse", seed], capture_output=True, text=True, env=env, cwd="/")
    assert done.returncode == 0, done.stderr
    assert "02:42:c0:a8:0a:64 dev vxlan0 dst 192.168.1.4 link-netnsid 0 self permanent" in done.stdout
