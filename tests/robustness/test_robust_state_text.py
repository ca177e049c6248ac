"""State text render/parse idempotence: iproute2 text -> entries -> text -> the same entries."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from robust_iproute2_text import render_text

from vxlan_inspect.state import FdbEntry, NeighEntry, Route, parse_dump
from vxlan_inspect.state.fdb import FLAG_WORDS, STATE_WORDS
from vxlan_inspect.state.neigh import FLAGS as NEIGH_FLAGS
from vxlan_inspect.state.neigh import STATES as NEIGH_STATES
from vxlan_inspect.state.route import FLAGS as ROUTE_FLAGS
from vxlan_inspect.state.route import TYPES as ROUTE_TYPES

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("fdb", "neigh", "route")


def shipped_dumps() -> list[tuple[str, Path]]:
    out = []
    for kind in KINDS:
        files = sorted(ROOT.glob(f"tests/data/state/*.{kind}.txt"))
        files += sorted(ROOT.glob(f"tests/data/seed/*.{kind}*.txt"))
        files += sorted(ROOT.glob(f"captures/bundles/*/snapshots/after/*.{kind}.txt"))[:12]
        out += [(kind, p) for p in files if p.read_text().strip()]
    return out


@pytest.mark.parametrize(("kind", "path"), shipped_dumps(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_shipped_dump_render_parse_is_idempotent(kind: str, path: Path) -> None:
    first = parse_dump(path.read_text(), kind).entries
    text = render_text(kind, first)
    again = parse_dump(text, kind)
    assert again.warnings == ()
    assert again.entries == first
    assert render_text(kind, again.entries) == text


names = st.from_regex(r"[a-z][a-z0-9_.-]{0,10}", fullmatch=True)
v4 = st.integers(1, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n)))
v6 = st.integers(1, 2**128 - 1).map(lambda n: str(ipaddress.IPv6Address(n)))
macs = st.binary(min_size=6, max_size=6).map(lambda b: b.hex(":"))
small = st.integers(0, 2**24 - 1)


def unique_words(words: list[str], min_size: int = 0) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(words), unique=True, min_size=min_size).map(tuple)



fdb_entries = st.builds(
    FdbEntry, mac=macs, ifname=st.none() | names, dst=st.none() | v4 | v6, vlan=st.none() | st.integers(1, 4094),
    port=st.none() | st.integers(0, 65535), vni=st.none() | small, src_vni=st.none() | small,
    nhid=st.none() | small, link_netnsid=st.none() | st.integers(0, 100),
    flags=unique_words([w for w in FLAG_WORDS]),
    master=st.none() | names.filter(lambda n: n not in FLAG_WORDS + STATE_WORDS + ("master",)),
    state=st.sampled_from(("", *STATE_WORDS)))
neigh_entries = st.builds(
    NeighEntry, dst=v4 | v6, dev=st.none() | names, lladdr=st.none() | macs, flags=unique_words(list(NEIGH_FLAGS)),
    state=unique_words(list(NEIGH_STATES), 1))  # ip neigh always prints a state
route_entries = st.builds(
    Route, dst=st.just("default") | v4.map(lambda a: a + "/24") | v6, type=st.none() | st.sampled_from(
        [t for t in ROUTE_TYPES if t != "unicast"]), gateway=st.none() | v4, dev=st.none() | names,
    protocol=st.none() | st.sampled_from(["kernel", "boot", "static", "dhcp"]),
    scope=st.none() | st.sampled_from(["link", "host", "global"]), prefsrc=st.none() | v4,
    metric=st.none() | st.integers(0, 2**32 - 1), table=st.none() | names, flags=unique_words(list(ROUTE_FLAGS)))


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.tuples(st.just("fdb"), st.lists(fdb_entries, min_size=1, max_size=5)),
                 st.tuples(st.just("neigh"), st.lists(neigh_entries, min_size=1, max_size=5)),
                 st.tuples(st.just("route"), st.lists(route_entries, min_size=1, max_size=5))))
def test_generated_entries_render_then_parse_to_themselves(case: tuple[str, list[object]]) -> None:
    kind, entries = case
    text = render_text(kind, entries)
    result = parse_dump(text, kind)
    assert result.warnings == ()
    assert list(result.entries) == entries
    assert render_text(kind, result.entries) == text
    if kind != "route":  # a bare "10.0.0.0/24" line is a route only by --kind
        assert parse_dump(text).kind == kind  # auto-detection recognises the rendered text
