"""Input hygiene shared by the dump parsers: bytes to clean lines, JSON with limits.

Saved dumps come from runbooks, chat and articles: they may carry CRLF line
ends, ANSI colour from ``ip -c``, trailing spaces, lost indentation, a BOM, or be
something else entirely (a binary file, a 10 MB line). These helpers turn all
of that into numbered, stripped lines or into a parsed JSON array, and report
anything unusable as a :class:`~vxlan_inspect.errors.StateParseError`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from vxlan_inspect.errors import StateParseError

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]")
#: Longest line we keep verbatim in a warning.
SNIPPET = 60
#: Refuse dumps larger than this (a host's tables are far smaller).
MAX_BYTES = 64 * 1024 * 1024


def decode_dump(data: bytes, *, source: str = "input") -> str:
    """Decode a saved dump to text, refusing binary data with a clear message."""
    if len(data) > MAX_BYTES:
        raise StateParseError(
            f"{source} is {len(data)} bytes, more than the {MAX_BYTES} bytes a saved dump can be",
            hint="pass the output of one ip/bridge command",
        )
    head = data[:4096]
    if b"\x00" in head or _looks_binary(head):
        raise StateParseError(
            f"{source} is binary data, not the text or JSON output of ip/bridge",
            hint="a capture file goes to `vxlan-inspect read -r`",
        )
    text = data.decode("utf-8", errors="replace")
    return text.lstrip("\ufeff")


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 27))
    if controls > len(head) // 20:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the 4096-byte window is fine
        return exc.start < len(head) - 4
    return False


def strip_ansi(text: str) -> str:
    """Remove ANSI colour escapes (``ip -c``)."""
    return _ANSI.sub("", text) if "\x1b" in text else text


def clean_lines(text: str) -> list[tuple[int, str]]:
    """Return ``(line_number, line)`` for every non-blank line, cleaned.

    Handles CRLF/CR line ends, ANSI colour, leading and trailing white space
    (indentation is not relied on), and a leading BOM.
    """
    text = strip_ansi(text.lstrip("\ufeff"))
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        line = raw.strip()
        if line:
            out.append((number, line))
    return out


def snippet(line: str) -> str:
    """A line shortened for a message."""
    return line if len(line) <= SNIPPET else line[:SNIPPET] + "..."


def looks_like_json(text: str) -> bool:
    """True when the first non-blank character opens a JSON array or object."""
    stripped = strip_ansi(text).lstrip("\ufeff \t\r\n")
    return stripped[:1] in ("[", "{")


def load_json(text: str, *, expected: str) -> Any:
    """Parse JSON text, mapping every failure to a one-line StateParseError."""
    text = strip_ansi(text).lstrip("\ufeff")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        what = "truncated" if exc.pos >= len(text.rstrip()) else "invalid"
        raise StateParseError(
            f"{what} JSON at {where}: {exc.msg}", hint=f"expected the complete output of {expected}"
        ) from exc
    except RecursionError as exc:
        raise StateParseError(
            "JSON is nested too deeply to be ip/bridge output", hint=f"expected {expected} output"
        ) from exc


def parse_int(value: str) -> int:
    """Parse a decimal or 0x-prefixed integer; ValueError otherwise."""
    return int(value, 0) if value.lower().startswith("0x") else int(value)
