"""Atheris harness: the state parsers (``ip``/``bridge`` text and ``-j`` JSON, snapshots, control plane).

Input: byte 0 picks the dump kind (``auto`` or fdb/neigh/link/addr/route);
the rest is a saved file's bytes. They go through what ``vxlan-inspect state``
does with a file: ``decode_dump``, ``parse_dump``, the snapshot loader when it
is a bundle, and ``parse_control_plane``. Allowed: results, or a
``VxlanInspectError`` (``StateParseError``, exit 2; ``UsageError``, exit 1).
Whatever parses must also serialise (``table_to_json``/``snapshot_to_json``)
to JSON without raising. Run: ``python3 fuzz/run.py state``.
"""

from __future__ import annotations

import contextlib
import json

from _common import fuzz_main, instrumented

with instrumented(__name__ == "__main__"):
    from vxlan_inspect.errors import VxlanInspectError
    from vxlan_inspect.state import parse_dump
    from vxlan_inspect.state.controlplane import parse_control_plane
    from vxlan_inspect.state.serialize import table_to_json
    from vxlan_inspect.state.snapshot import snapshot_from_json, snapshot_to_json
    from vxlan_inspect.state.text import decode_dump, load_json, looks_like_json
    from vxlan_inspect.state.vxlan import describe_vxlan

KINDS = ("auto", "fdb", "neigh", "link", "addr", "route")


def _dump(text: str, kind: str) -> None:
    result = parse_dump(text, kind, source="fuzz")
    assert result.entries or not text.strip()  # only a blank dump of a known kind is an empty table
    json.dumps(table_to_json(result.kind, result.entries))
    for entry in result.entries:
        vx = getattr(entry, "vxlan", None)
        if vx is not None:
            describe_vxlan(vx)


def _snapshot(text: str) -> None:
    if looks_like_json(text) and '"format"' in text[:4096]:
        doc = load_json(text, expected="a vxlan-inspect snapshot")
        json.dumps(snapshot_to_json(snapshot_from_json(doc, source="fuzz")))


def test_one_input(data: bytes) -> None:
    if not data:
        return
    kind = KINDS[data[0] % len(KINDS)]
    try:
        text = decode_dump(data[1:], source="fuzz")
    except VxlanInspectError:
        return
    for step in (lambda: _dump(text, kind), lambda: _snapshot(text), lambda: parse_control_plane(text)):
        with contextlib.suppress(VxlanInspectError):
            step()


if __name__ == "__main__":
    fuzz_main(test_one_input)
