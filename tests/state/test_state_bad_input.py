"""Acceptance 4: bad inputs give one clear line on stderr and the right exit code, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vxlan_inspect.cli import main

SEED = Path(__file__).parent.parent / "data" / "seed"
FDB_JSON = (Path(__file__).parent.parent / "data" / "state" / "netns-6.1.fdb.json").read_text()

# (id, file bytes, extra argv, exit code, fragment of the message)
CASES = [
    (
        "tcpdump-output",
        (SEED / "underlay-tcpdump.txt").read_bytes(),
        [],
        2,
        "not the output of a command we know",
    ),
    (
        "neigh-given-as-fdb",
        (SEED / "docker-2.overlay.neigh-before.txt").read_bytes(),
        ["--kind", "fdb"],
        2,
        "nothing in {f} parses as bridge fdb show output",
    ),
    ("truncated-json", FDB_JSON[:300].encode(), [], 2, "truncated JSON at line 1"),
    ("deeply-nested-json", b"[" * 100000 + b"]" * 100000, [], 2, "nested too deeply"),
    ("binary-garbage", bytes(range(256)) * 64, [], 2, "binary data"),
    ("ten-megabyte-line", b"x" * (10 * 1024 * 1024), [], 2, "not the output of a command we know"),
    ("ansi-colour-garbage", b"\x1b[31mhello\x1b[0m world\n", [], 2, "not the output of a command we know"),
    ("crlf-garbage", b"foo bar\r\nbaz qux\r\n", [], 2, "not the output of a command we know"),
    (
        "unknown-keys-only",
        json.dumps([{"colour": "blue"}, {"size": 3}]).encode(),
        [],
        2,
        "not the -j output of a command we know",
    ),
    (
        "unknown-keys-with-kind",
        json.dumps([{"colour": "blue"}]).encode(),
        ["--kind", "fdb"],
        2,
        "item 1: missing key 'mac'",
    ),
    (
        "wrong-types",
        json.dumps([{"mac": 42, "ifname": "vxlan0"}]).encode(),
        [],
        2,
        "'mac' should be a string, got int",
    ),
    ("array-of-numbers", b"[1, 2, 3]", ["--kind", "neigh"], 2, "item 1 is int, not an object"),
    ("empty-file", b"\n\n  \n", [], 2, "is empty"),
    (
        "link-wrong-type",
        json.dumps([{"ifindex": "one", "ifname": "eth0"}]).encode(),
        [],
        2,
        "'ifindex' should be an integer, got string",
    ),
    ("bad-kind-option", b"x", ["--kind", "arp"], 1, "unknown dump kind 'arp'"),
]


@pytest.mark.parametrize(
    ("data", "argv", "code", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input(tmp_path, capsys, data: bytes, argv: list[str], code: int, fragment: str) -> None:
    f = tmp_path / "dump"
    f.write_bytes(data)
    rc = main(["state", "parse", str(f), *argv])
    captured = capsys.readouterr()
    assert rc == code
    assert captured.out == ""
    assert captured.err.startswith("vxlan-inspect: ")
    assert captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err
    assert fragment.format(f=f) in captured.err
    assert len(captured.err) < 400


def test_missing_file(capsys) -> None:
    rc = main(["state", "parse", "/nonexistent/dump.txt"])
    err = capsys.readouterr().err
    assert rc == 2 and err == "vxlan-inspect: /nonexistent/dump.txt: no such file\n"


def test_good_lines_survive_bad_ones(tmp_path, capsys) -> None:
    f = tmp_path / "fdb"
    f.write_text((SEED / "docker-2.overlay.fdb.txt").read_text() + "garbage here\n")
    rc = main(["state", "parse", str(f)])
    captured = capsys.readouterr()
    assert rc == 0 and captured.out.count("\n") == 8
    assert "line 8: not an fdb entry: unexpected word" in captured.err or "line 8" in captured.err


def test_bad_control_plane(tmp_path, capsys) -> None:
    f = tmp_path / "cp"
    f.write_text("hello world\n")
    rc = main(["state", "expected", str(f)])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "not a control-plane dump we know" in err


def test_bad_snapshot_version(tmp_path, capsys) -> None:
    f = tmp_path / "snap.json"
    f.write_text(json.dumps({"format": "vxlan-inspect/snapshot", "version": 99, "namespaces": []}))
    rc = main(["state", "show", str(f)])
    err = capsys.readouterr().err
    assert rc == 2 and "snapshot version 99" in err and err.count("\n") == 1


def test_empty_table_named_by_its_file_is_state_not_an_error(tmp_path: Path) -> None:
    """`ip neigh show` prints nothing for an empty table: with the table in the name, that is data."""
    from vxlan_inspect.state import parse_dump

    result = parse_dump("", source=str(tmp_path / "docker-2.overlay.neigh.txt"))
    assert result.kind == "neigh" and result.entries == ()
    assert parse_dump("\n", kind="fdb").entries == ()
