"""The golden-test harness shared by the golden tests and scripts/make-goldens.py.

A case list has tcpdump's TESTLIST form, one case a line: ``NAME PCAP EXPECTED [OPTIONS...]``
(blank lines and ``#`` comments ignored). The command is tcpdump's harness:

    TZ=GMT0 <tool> -# -n -r PCAP -tttt OPTIONS

except that ``SPECIAL_t`` in OPTIONS means "no -tttt" (the word itself is dropped). Two
conventions of our own, both documented in tests/golden/README.md:

``SPECIAL_8472``
    the capture uses VXLAN on UDP 8472. tcpdump 4.99.3 prints that as OTV; newer tcpdump
    (and our tool) as VXLAN. EXPECTED holds 4.99.3's text for a copy of the capture whose
    UDP ports 8472 were rewritten to 4789 (``rewritten/<stem>-as-4789.pcap``); the expected
    text for the original is that with ``.4789:`` replaced by ``.8472:``.
``--ifnames FILE``
    a map ``INDEX NAME`` per line for SLL2 interface names. tcpdump has no such option: to
    produce (or verify) the expected text, tcpdump runs in a fresh namespace whose
    interfaces have exactly those indexes and names.

Captures of link type LINUX_SLL2 (276) are always read inside a fresh network namespace
(tcpdump names SLL2 interfaces from the reading machine's table; a fresh namespace has
only ``lo`` at index 1, so every other index prints ``?``, on any machine).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import struct
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent
ROOT = GOLDEN.parent.parent
LINKTYPE_SLL2 = 276
NS_PREFIX = "vgld"


@dataclass(frozen=True)
class Case:
    name: str
    pcap: Path
    expected: Path
    options: tuple[str, ...]
    special_t: bool = False
    special_8472: bool = False

    @property
    def ifnames(self) -> Path | None:
        if "--ifnames" in self.options:
            return base_path(self.options[self.options.index("--ifnames") + 1])
        return None

    def tcpdump_options(self) -> tuple[str, ...]:
        """OPTIONS without our own ``--ifnames FILE`` (tcpdump gets a namespace instead)."""
        opts = list(self.options)
        if "--ifnames" in opts:
            i = opts.index("--ifnames")
            del opts[i : i + 2]
        return tuple(opts)

    @property
    def rewritten_pcap(self) -> Path:
        return GOLDEN / "rewritten" / f"{self.pcap.stem}-as-4789.pcap"

    def argv(self, pcap: Path, options: tuple[str, ...]) -> list[str]:
        """The harness's arguments after the program name."""
        args = ["-#", "-n", "-r", str(pcap)]
        if not self.special_t:
            args.append("-tttt")
        return [*args, *options]

    def expected_text(self, raw: bytes) -> bytes:
        """The expected stdout of our tool on the original capture."""
        if self.special_8472:
            return raw.replace(b".4789:", b".8472:")
        return raw


def base_path(text: str) -> Path:
    """Paths in a case list are relative to the project root."""
    return ROOT / text


def load_cases(listing: Path, expected_dir: Path, pcap_dir: Path | None = None) -> list[Case]:
    """Parse a TESTLIST-style file. PCAP is relative to ``pcap_dir`` (default: project root)."""
    cases = []
    for line in listing.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        name, pcap, expected, *opts = words
        special_t = "SPECIAL_t" in opts
        special_8472 = "SPECIAL_8472" in opts
        opts = [o for o in opts if o not in ("SPECIAL_t", "SPECIAL_8472")]
        cases.append(
            Case(
                name=name,
                pcap=(pcap_dir / pcap) if pcap_dir else base_path(pcap),
                expected=expected_dir / expected,
                options=tuple(opts),
                special_t=special_t,
                special_8472=special_8472,
            )
        )
    return cases


def linktype(pcap: Path) -> int | None:
    """The link type of a classic pcap (None for pcapng or unreadable files)."""
    head = pcap.read_bytes()[:24]
    if len(head) < 24:
        return None
    magic = head[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        return int(struct.unpack("<I", head[20:24])[0] & 0x0FFFFFFF)
    if magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        return int(struct.unpack(">I", head[20:24])[0] & 0x0FFFFFFF)
    return None


def needs_namespace(case: Case, *, for_tcpdump: bool) -> bool:
    """Whether the command must run inside a fresh network namespace."""
    if for_tcpdump and case.ifnames is not None:
        return True
    return case.ifnames is None and linktype(case.pcap) == LINKTYPE_SLL2


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@contextlib.contextmanager
def fresh_namespace(ifnames: Path | None = None) -> Iterator[str]:
    """A new network namespace ``vgld<hex>`` (deleted in ``finally``).

    With ``ifnames`` (``INDEX NAME`` lines), it gets interfaces with exactly those indexes
    and names (bridges; filler bridges made and deleted to skip unused indexes).
    """
    name = NS_PREFIX + secrets.token_hex(4)
    _ip("netns", "add", name)
    try:
        if ifnames is not None:
            _replicate(name, ifnames)
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False, capture_output=True)


def _replicate(ns: str, ifnames: Path) -> None:
    wanted = []
    for line in ifnames.read_text().splitlines():
        if line.strip():
            idx, ifname = line.split()
            wanted.append((int(idx), ifname))
    for idx, ifname in sorted(wanted):
        if ifname == "lo":
            assert idx == 1, "lo is index 1 in every namespace"
            continue
        filler = 0
        while True:
            probe = f"vgldfill{filler}"
            _ip("-n", ns, "link", "add", probe, "type", "bridge")
            got = _ifindex(ns, probe)
            if got == idx:
                _ip("-n", ns, "link", "set", probe, "name", ifname)
                break
            _ip("-n", ns, "link", "del", probe)
            if got > idx:
                raise RuntimeError(f"cannot give {ifname} index {idx} (got {got})")
            filler += 1


def _ifindex(ns: str, ifname: str) -> int:
    out = subprocess.run(
        ["ip", "-n", ns, "-o", "link", "show", ifname], check=True, capture_output=True, text=True
    ).stdout
    return int(out.split(":", 1)[0])


def in_namespace(ns: str | None, argv: list[str]) -> list[str]:
    return argv if ns is None else ["ip", "netns", "exec", ns, *argv]


def run(argv: list[str], *, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, TZ="GMT0")
    return subprocess.run(argv, input=stdin, capture_output=True, env=env, cwd=ROOT, timeout=120, check=False)


def tcpdump_argv(case: Case) -> list[str]:
    """Real tcpdump on the case (the rewritten capture for SPECIAL_8472)."""
    pcap = case.rewritten_pcap if case.special_8472 else case.pcap
    return ["tcpdump", *case.argv(pcap, case.tcpdump_options())]


def tool_argv(case: Case) -> list[str]:
    """Our tool on the original capture."""
    return [sys.executable, "-m", "vxlan_inspect", "read", *case.argv(case.pcap, case.options)]


def tool_name() -> str:
    """``VXLAN_INSPECT_GOLDEN_TOOL=tcpdump`` runs real tcpdump instead, to check the harness."""
    return os.environ.get("VXLAN_INSPECT_GOLDEN_TOOL", "vxlan-inspect")


def check_case(case: Case, tool: str) -> str | None:
    """Run one case; return None when stdout matches, else a message with a unified diff."""
    use_tcpdump = tool == "tcpdump"
    argv = tcpdump_argv(case) if use_tcpdump else tool_argv(case)
    raw = case.expected.read_bytes()
    expected = raw if use_tcpdump else case.expected_text(raw)
    ns_needed = needs_namespace(case, for_tcpdump=use_tcpdump)
    ifnames = case.ifnames if use_tcpdump else None
    context = fresh_namespace(ifnames) if ns_needed else contextlib.nullcontext()
    with context as ns:
        res = run(in_namespace(ns, argv))
    if res.stdout == expected and res.returncode == 0:
        return None
    return describe_mismatch(argv, expected, res)


def describe_mismatch(argv: list[str], expected: bytes, res: subprocess.CompletedProcess[bytes]) -> str:
    import difflib

    diff = "".join(
        difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(keepends=True),
            res.stdout.decode("utf-8", "replace").splitlines(keepends=True),
            fromfile="expected (tcpdump)",
            tofile="got",
        )
    )
    stderr = res.stderr.decode("utf-8", "replace")
    if len(stderr) > 2000:
        stderr = stderr[:2000] + "...\n"
    if len(diff) > 20000:
        diff = diff[:20000] + "\n... (diff cut)\n"
    return (
        f"command: TZ=GMT0 {' '.join(argv)}\nexit code: {res.returncode}\n"
        f"stderr:\n{stderr}\n{diff or '(stdout matches; exit code is not 0)'}"
    )
