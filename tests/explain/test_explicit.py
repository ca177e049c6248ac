"""Acceptance 2 and 3: explicit inputs laid out as a user saves them by hand, and one-sided inputs.

The hand-saved layout is built in a temporary directory from a shipped bundle's
own ``ip``/``bridge`` output (snapshots/after/*.txt and *.json, which the lab
saved by running the commands): one file per command per host, named
``docker-1.fdb.txt``, ``docker-2.neigh.json`` and so on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.explain.conftest import BUNDLES, SEED, explain_json, run_cli

COMMANDS = {"fdb": "txt", "neigh": "json", "link": "txt", "addr": "json"}


def hand_saved(bundle: str, tmp: Path, hosts: tuple[str, ...] = ("docker-1", "docker-2")) -> list[str]:
    """Copy a bundle's overlay dumps and underlay pcaps as hand-saved files; return the CLI arguments."""
    src = BUNDLES / bundle
    args: list[str] = []
    for host in hosts:
        for kind, form in COMMANDS.items():
            target = tmp / f"{host}.{kind}.{form}"
            shutil.copy(src / "snapshots" / "after" / f"{host}.overlay.{kind}.{form}", target)
            args += ["--state", f"{host}/overlay={target}"]
        pcap = tmp / f"{host}-eth0.pcap"
        shutil.copy(src / "captures" / f"{host}.underlay.pcap", pcap)
        args += ["--capture", f"{host}/host/eth0={pcap}"]
        addr = tmp / f"{host}.host.addr.txt"
        shutil.copy(src / "snapshots" / "after" / f"{host}.addr.txt", addr)
        args += ["--state", f"{host}={addr}"]
    return args


@pytest.mark.parametrize(("bundle", "code"), [("healthy-ping", "delivered"), ("wrong-vni", "vni-mismatch"),
                                              ("wrong-port", "port-mismatch"), ("wrong-vtep", "wrong-vtep")])
def test_hand_saved_dumps_both_hosts(bundle: str, code: str, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json(hand_saved(bundle, tmp_path), capsys)
    assert data["primary"]["code"] == code
    hosts = {h["name"]: h["vtep"] for h in data["topology"]["hosts"]}
    assert hosts == {"docker-1": "192.168.1.4", "docker-2": "192.168.1.5"}


def test_hand_saved_rows_point_at_the_users_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json(hand_saved("healthy-ping", tmp_path), capsys)
    fdb = next(s for s in data["traces"][0]["steps"] if s["kind"] == "fdb-lookup")
    row = next(e for e in fdb["evidence"] if e["kind"] == "row")
    assert row["file"].endswith("docker-2.fdb.txt") and row["line"] > 0
    assert row["text"] == "02:42:c0:a8:0a:64 dev vxlan0 dst 192.168.1.4 link-netnsid 0 self permanent"


def test_one_host_only_says_what_is_unknown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Acceptance 3: docker-2's capture and state of the wrong-vni bundle: no guess, the missing inputs named."""
    data = explain_json(hand_saved("wrong-vni", tmp_path, hosts=("docker-2",)), capsys)
    verdict = data["primary"]
    assert verdict["code"] == "no-reply"
    settle = " ".join(u["settle_with"] for u in verdict["unknowns"])
    assert "192.168.1.4" in settle and "tcpdump -i eth0" in settle and "ip -d link show" in settle
    assert data["traces"][0]["steps"][-1]["status"] == "unknown"


def test_one_host_healthy_is_still_delivered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json(hand_saved("healthy-ping", tmp_path, hosts=("docker-2",)), capsys)
    assert data["primary"]["code"] == "delivered"
    assert data["primary"]["unknowns"], "the far side's hops are not evidenced and must be listed"


def test_seed_article_dumps_are_state_for_docker_2(capsys: pytest.CaptureFixture[str]) -> None:
    """The seed's own docker-2 text dumps (lost indentation and all) with docker-2's captures of the seed ping."""
    bundle = BUNDLES / "healthy-ping" / "captures"
    data = explain_json([
        "--state", f"docker-2/overlay={SEED / 'docker-2.overlay.fdb.txt'}",
        "--state", f"docker-2/overlay={SEED / 'docker-2.overlay.neigh-before.txt'}",
        "--state", f"docker-2/overlay={SEED / 'docker-2.overlay.link-vxlan0.txt'}",
        "--capture", f"docker-2={bundle / 'docker-2.underlay.pcap'}",
        "--capture", f"docker-2/C-2={bundle / 'docker-2.C-2.pcap'}",
        "--control-plane", str(SEED / "serf-events.txt"),
    ], capsys)
    (device,) = data["topology"]["devices"]
    assert (device["vni"], device["port"], device["proxy"], device["mtu"]) == (256, 4789, True, 1450)
    assert data["primary"]["code"] == "delivered"
    fdb = next(s for s in data["traces"][0]["steps"] if s["kind"] == "fdb-lookup")
    assert fdb["facts"]["dst"] == "192.168.1.4"
    assert any(e["file"].endswith("docker-2.overlay.fdb.txt") for e in fdb["evidence"])


@pytest.mark.parametrize(("args", "code", "needle"), [
    (["--capture", "nohost"], 1, "expected HOST"),
    (["--state", "docker-2=/nonexistent"], 2, "no such file"),
    ([], 1, "nothing to explain"),
    (["captures/bundles/healthy-ping", "--format", "yaml"], 1, "unknown --format"),
    (["captures/bundles/healthy-ping", "--ping", "1.2.3.4"], 1, "two addresses"),
    (["tests"], 2, "not a scenario bundle"),
])
def test_user_errors_are_one_line(args: list[str], code: int, needle: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    import os

    root = Path(__file__).resolve().parents[2]
    old = os.getcwd()
    os.chdir(root)
    try:
        rc, _out, err = run_cli(["explain", *args], capsys)
    finally:
        os.chdir(old)
    assert rc == code and needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_overlay_any_captures_on_both_hosts_count_each_echo_once_and_contradict_nothing() -> None:
    """issue 14 items 6 and 2: both overlay namespaces captured with -i any (each echo seen on veth0 and
    vxlan0 there): 3 requests and 3 replies, never 6; the replies seen are never called missing."""
    from pathlib import Path

    from vxlan_inspect.explain import explain_inputs, load_explicit

    caps = Path(__file__).resolve().parents[2] / "captures" / "bundles" / "healthy-ping" / "captures"
    result = explain_inputs(load_explicit([f"docker-1/overlay={caps / 'docker-1.overlay.pcap'}",
                                           f"docker-2/overlay={caps / 'docker-2.overlay.pcap'}"], []))
    (trace,) = result.traces
    assert (trace.flow.requests, trace.flow.replies) == (3, 3)
    assert trace.verdict.code in ("delivered", "no-reply")
    assert "no reply came back" not in trace.verdict.summary
    if trace.verdict.code == "no-reply":
        assert "undetermined" in trace.verdict.summary and trace.verdict.unknowns


def test_one_underlay_capture_on_the_destination_never_denies_the_replies_it_shows() -> None:
    """issue 14 item 2: docker-1's underlay shows the requests in and the replies out; with both hosts'
    overlay dumps the verdict must not say that no reply came back."""
    from pathlib import Path

    from vxlan_inspect.explain import explain_inputs, load_explicit

    b = Path(__file__).resolve().parents[2] / "captures" / "bundles" / "healthy-ping"
    states = [f"{h}/overlay={b / 'snapshots' / 'after' / f'{h}.overlay.{t}.txt'}"
              for h in ("docker-1", "docker-2") for t in ("fdb", "neigh", "link")]
    result = explain_inputs(load_explicit([f"docker-1={b / 'captures' / 'docker-1.underlay.pcap'}"], states))
    (trace,) = result.traces
    assert (trace.flow.requests, trace.flow.replies) == (3, 3)
    assert trace.verdict.code in ("delivered", "no-reply")
    assert "no reply came back" not in trace.verdict.summary
    if trace.verdict.code == "no-reply":
        assert "undetermined" in trace.verdict.summary and trace.verdict.unknowns
