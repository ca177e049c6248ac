"""Parse any saved ``ip``/``bridge`` dump: detect its kind and form, then dispatch.

``parse_dump(text)`` looks at the content (never the file name) to tell
``bridge fdb``, ``ip neigh``, ``ip -d link``, ``ip addr`` and ``ip route``
apart, in text or ``-j`` JSON form. A dump in which nothing parses raises
:class:`~vxlan_inspect.errors.StateParseError` naming the command whose output
was expected; single bad lines are warnings with their line numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from vxlan_inspect.errors import StateParseError, UsageError
from vxlan_inspect.state.addr import parse_addr_json, parse_addr_text
from vxlan_inspect.state.fdb import is_fdb_line, parse_fdb_json, parse_fdb_text
from vxlan_inspect.state.jsonitems import ItemError
from vxlan_inspect.state.link import is_link_header, parse_link_json, parse_link_text
from vxlan_inspect.state.model import COMMANDS, KINDS, Kind, ParseResult, ParseWarning
from vxlan_inspect.state.neigh import is_neigh_line, parse_neigh_json, parse_neigh_text
from vxlan_inspect.state.route import is_route_line, parse_route_json, parse_route_text
from vxlan_inspect.state.text import clean_lines, load_json, looks_like_json, snippet

Parser = Callable[[Any], tuple[list[Any], list[ParseWarning]]]
_TEXT: dict[str, Parser] = {"fdb": parse_fdb_text, "neigh": parse_neigh_text, "link": parse_link_text,
                            "addr": parse_addr_text, "route": parse_route_text}
_JSON: dict[str, Parser] = {"fdb": parse_fdb_json, "neigh": parse_neigh_json, "link": parse_link_json,
                            "addr": parse_addr_json, "route": parse_route_json}
_ANY = "bridge fdb show, ip neigh show, ip -d link show, ip addr show or ip route show (text or -j)"
#: Lines examined to detect the kind of a text dump.
_SAMPLE = 200


def _expected(kind: str, form: str) -> str:
    command = COMMANDS[kind]
    return command.replace(" ", " -j ", 1) if form == "json" else command


def detect_text_kind(text: str) -> Kind | None:
    """Guess the kind of a text dump from its first lines, or None."""
    lines = [line for _, line in clean_lines(text[: 1 << 20])[:_SAMPLE]]
    headers = [line for line in lines if is_link_header(line)]
    if headers:
        inet = any(line.startswith(("inet ", "inet6 ")) for line in lines)
        return "addr" if inet else "link"
    scores = {
        "fdb": sum(is_fdb_line(line) for line in lines),
        "neigh": sum(is_neigh_line(line) for line in lines),
        "route": sum(is_route_line(line) for line in lines),
    }
    best = max(scores, key=lambda k: scores[k])
    return cast(Kind, best) if scores[best] else None


def detect_json_kind(data: Any) -> Kind | None:
    """Guess the kind of decoded ``-j`` output from its keys, or None."""
    items = data if isinstance(data, list) else [data]
    keys: set[str] = set()
    for item in items[:50]:
        if isinstance(item, dict):
            keys.update(item)
    if "mac" in keys:
        return "fdb"
    if "addr_info" in keys:
        return "addr"
    if "ifindex" in keys and "ifname" in keys:
        return "link"
    if "dst" in keys and ("lladdr" in keys or "state" in keys):
        return "neigh"
    if "dst" in keys:
        return "route"
    return None


def kind_from_name(source: str) -> Kind | None:
    """The table a file's name announces (``docker-2.overlay.neigh.txt`` -> neigh), if exactly one."""
    stem = source.replace("\\", "/").rsplit("/", 1)[-1].lower()
    words = set(stem.replace("-", ".").replace("_", ".").split("."))
    found = [k for k in KINDS if k in words]
    return found[0] if len(found) == 1 else None


def parse_dump(text: str, kind: str = "auto", *, source: str = "input") -> ParseResult:
    """Parse one saved dump; ``kind`` is ``auto`` or one of fdb/neigh/link/addr/route."""
    if kind != "auto" and kind not in KINDS:
        raise UsageError(f"unknown dump kind {kind!r}", hint="use auto, " + ", ".join(KINDS))
    if not text.strip():
        # An empty table is real state (a neighbour table after the entries were deleted), as
        # long as we know which table it is: from --kind or from the file's name.
        named = kind if kind != "auto" else kind_from_name(source)
        if named is not None:
            return ParseResult(kind=cast(Kind, named), form="text", entries=(),
                               warnings=(ParseWarning(0, f"empty {COMMANDS[cast(Kind, named)]} output: "
                                                         "an empty table"),))
        raise StateParseError(f"{source} is empty", hint="expected a dump; an empty table needs --kind or a file "
                                                         "name that says which (e.g. host.neigh.txt)")
    if looks_like_json(text):
        wanted = _ANY if kind == "auto" else _expected(kind, "json")
        data = load_json(text, expected=wanted)
        found = detect_json_kind(data) if kind == "auto" else cast(Kind, kind)
        if found is None:
            raise StateParseError(f"{source} is JSON but not the -j output of a command we know",
                                  hint=f"expected {_ANY}")
        try:
            entries, warnings = _JSON[found](data)
        except ItemError as exc:
            raise StateParseError(f"{source}: {exc}", hint=f"expected {_expected(found, 'json')}") from exc
        return _result(found, "json", entries, warnings, source)
    found = detect_text_kind(text) if kind == "auto" else cast(Kind, kind)
    if found is None:
        first = clean_lines(text[:4096])
        shown = f" (line {first[0][0]}: {snippet(first[0][1])!r})" if first else ""
        raise StateParseError(f"{source} is not the output of a command we know{shown}",
                              hint=f"expected {_ANY}")
    entries, warnings = _TEXT[found](text)
    return _result(found, "text", entries, warnings, source)


def _result(kind: Kind, form: str, entries: list[Any], warnings: list[ParseWarning],
            source: str) -> ParseResult:
    if not entries:
        why = f"; line {warnings[0].line}: {warnings[0].message}" if warnings else ""
        raise StateParseError(f"nothing in {source} parses as {_expected(kind, form)} output{why}",
                              hint="check the file, or pass --kind")
    return ParseResult(kind=kind, form="json" if form == "json" else "text", entries=tuple(entries),
                       warnings=tuple(warnings))
