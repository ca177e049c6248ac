"""Bad input: broken capture files and broken packets (tests/data/bad, made by make_bad.py).

For every case of tests/data/bad/manifest.json, ``vxlan-inspect read -# -n -tttt [opts] -r FILE``
must

* exit with the code of the issue's contract: 0 ok, 2 not a capture / unreadable file
  header, 3 cut short or corrupt mid-file (after emitting every complete record);
* print on stdout exactly what real tcpdump printed (``<name>.out``): for a file-level fault,
  tcpdump's text for a capture holding only the complete records before the fault; for a
  packet-level fault (a header cut short inside an otherwise good record), tcpdump's text
  for the whole file, ``[|vxlan]`` and all;
* on failure, write exactly one error line on stderr starting with ``vxlan-inspect:``
  (besides tcpdump's informational ``reading from file ...`` line, which ``read`` may print
  like tcpdump does), and never a traceback.

Where tcpdump's own exit status differs (it exits 1 on any error, and refuses a pcapng
file whose first packet block comes before any IDB already when opening it), the contract
wins: such a file has a readable section header, so it is "corrupt after the header", 3.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad"
MANIFEST: list[dict[str, Any]] = json.loads((BAD / "manifest.json").read_text())
INFO_LINES = ("reading from file ", "Warning: interface names might be incorrect")


def run_read(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, TZ="GMT0")
    return subprocess.run(
        [sys.executable, "-m", "vxlan_inspect", "read", *args],
        capture_output=True, env=env, cwd=ROOT, timeout=60, check=False,
    )


def error_lines(stderr: bytes) -> list[str]:
    text = stderr.decode("utf-8", "replace")
    return [line for line in text.splitlines() if line and not line.startswith(INFO_LINES)]


def test_manifest_has_enough_cases() -> None:
    assert len(MANIFEST) >= 25
    kinds = {c["exit"] for c in MANIFEST}
    assert kinds == {0, 2, 3}
    for case in MANIFEST:
        assert (BAD / case["file"]).is_file() and (BAD / case["expected"]).is_file(), case["name"]


CASES = [c for c in MANIFEST if c["kind"] != "nested"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case: dict[str, Any]) -> None:
    res = run_read([*case["options"], "-r", str(BAD / case["file"])])
    stderr = res.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    expected = (BAD / case["expected"]).read_bytes()
    assert res.stdout.decode("utf-8", "replace") == expected.decode("utf-8", "replace"), (
        f"{case['name']} ({case['why']}): stdout must be tcpdump's text for every complete packet"
    )
    assert res.returncode == case["exit"], f"{case['name']} ({case['why']}): stderr={stderr!r}"
    errors = error_lines(res.stderr)
    if case["exit"] == 0:
        assert errors == [], errors
    else:
        assert len(errors) == 1 and errors[0].startswith("vxlan-inspect:"), stderr


def test_gzip_hint_is_one_line() -> None:
    res = run_read(["-r", str(BAD / "gzip-compressed.bin")])
    assert res.returncode == 2
    assert len(error_lines(res.stderr)) == 1


def test_nested_vxlan_depth_cap() -> None:
    """VXLAN in VXLAN 10 deep: tcpdump decodes all 10 levels; we stop after 8.

    Expected: exit 0, one packet, the first 8 lines (one per VXLAN level, vni 1..8) equal
    tcpdump's, and then a marker saying decoding stopped (we accept any text mentioning
    depth/nesting or tcpdump's ``[|...]`` style), never tcpdump's full 10-level text.
    """
    case = next(c for c in MANIFEST if c["name"] == "vxlan-nested-10")
    res = run_read([*case["options"], "-r", str(BAD / case["file"])])
    stderr = res.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert res.returncode == 0, stderr
    assert error_lines(res.stderr) == []
    ours = res.stdout.decode()
    theirs = (BAD / case["expected"]).read_text()
    assert theirs.count("VXLAN") == 10
    assert ours.splitlines()[:8] == theirs.splitlines()[:8]
    rest = "\n".join(ours.splitlines()[8:])
    assert rest.strip(), "nothing after the 8th level: the packet must be marked"
    assert re.search(r"(?i)depth|nest|\[\|", rest), rest
    assert "vni 10" not in ours and ours != theirs
    assert ours.endswith("\n") and re.findall(r"(?m)^ {4}\d  ", ours) == ["    1  "]


def test_expectations_come_from_tcpdump() -> None:
    """Re-derive a few stored expectations with real tcpdump (they are never hand-written)."""
    require_tool("tcpdump")
    env = dict(os.environ, TZ="GMT0")
    for case in MANIFEST:
        if case["exit"] != 0:
            continue
        res = subprocess.run(["tcpdump", *case["options"], "-r", str(BAD / case["file"])],
                             capture_output=True, env=env, check=False)
        assert res.stdout == (BAD / case["expected"]).read_bytes(), case["name"]
