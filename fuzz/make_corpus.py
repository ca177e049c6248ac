"""Build the seed corpora of every harness from the files the project ships.

    python3 fuzz/make_corpus.py [OUTDIR]        # default: fuzz/corpus

Writes ``OUTDIR/<harness>/<sha1>`` files (libFuzzer's corpus layout):

* ``capture``: every shipped capture (captures/basic, the scenario bundles,
  the tcpdump suite copy, the broken cases of tests/data/bad), cut to 16 KiB;
* ``frame``: distinct records of those captures, each behind the selector
  byte that picks its link type (see fuzz_frame.LINKTYPES);
* ``state``: the saved ``ip``/``bridge`` dumps and control-plane files
  (tests/data/seed, tests/data/state, bundle snapshots and events), behind
  a selector byte (0: kind auto-detection);
* ``filter``: the expressions in ``fuzz/filter-seeds.txt``, alone and followed
  by a NUL byte and one of the Ethernet frames above.

Deterministic: the same tree gives the same corpus.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vxlan_inspect.capture import capture_from_bytes  # noqa: E402
from vxlan_inspect.errors import VxlanInspectError  # noqa: E402

MAX_SEED = 16 * 1024
RECORDS_PER_FILE = 24
#: Inverse of fuzz_frame.LINKTYPES.
LINKTYPE_SELECTOR = {1: 0, 113: 1, 276: 2, 0: 3, 101: 4, 228: 5, 229: 6}


def capture_files() -> list[Path]:
    """Every capture the project ships, in a stable order."""
    patterns = ["captures/basic/*.pcap*", "captures/bundles/*/captures/*.pcap*", "tests/golden/tcpdump-suite/*.pcap",
                "tests/data/bad/*.bin"]
    return sorted({p for pat in patterns for p in ROOT.glob(pat) if p.is_file()})


def state_files() -> list[Path]:
    """Every saved dump and control-plane file the project ships."""
    patterns = ["tests/data/seed/*", "tests/data/state/*", "captures/bundles/*/snapshots/*/*",
                "captures/bundles/*/events/*"]
    files = sorted({p for pat in patterns for p in ROOT.glob(pat) if p.is_file() and p.suffix in (".txt", ".json")})
    # The bundles repeat the same shapes per host; a few per scenario is plenty.
    seen: dict[str, int] = {}
    out = []
    for p in files:
        key = p.name.split(".")[-2] + p.suffix  # e.g. "fdb.json"
        if "bundles" in p.parts:
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 6:
                continue
        out.append(p)
    return out


def _frames(data: bytes) -> Iterator[bytes]:
    try:
        cap = capture_from_bytes(data)
    except VxlanInspectError:
        return
    seen: set[bytes] = set()
    try:
        for rec in cap:
            sel = LINKTYPE_SELECTOR.get(rec.linktype)
            if sel is None:
                continue
            if rec.wirelen > rec.caplen:
                sel |= 8
            frame = bytes([sel]) + rec.data
            if frame not in seen:
                seen.add(frame)
                yield frame
            if len(seen) >= RECORDS_PER_FILE:
                return
    except VxlanInspectError:
        return


def seeds() -> dict[str, list[bytes]]:
    """The seed inputs of each harness."""
    out: dict[str, list[bytes]] = {"capture": [], "frame": [], "state": [], "filter": []}
    for path in capture_files():
        data = path.read_bytes()
        out["capture"].append(data[:MAX_SEED])
        out["frame"].extend(_frames(data))
    for path in state_files():
        out["state"].append(b"\x00" + path.read_bytes()[:MAX_SEED])
    filter_seeds = Path(__file__).with_name("filter-seeds.txt")
    frames = [f[1:] for f in out["frame"] if f[0] & 7 == 0][:: max(1, len(out["frame"]) // 40)]
    for n, line in enumerate(line for line in filter_seeds.read_text(encoding="utf-8").splitlines()
                             if line.strip() and not line.startswith("#")):
        out["filter"].append(line.encode())
        if frames:  # the expression, NUL, an Ethernet frame to decide
            out["filter"].append(line.encode() + b"\0" + frames[n % len(frames)])
    return out


def write_corpus(outdir: Path, names: list[str] | None = None) -> dict[str, int]:
    """Write the seeds under ``outdir/<harness>/``; return how many files each got."""
    counts = {}
    for name, items in seeds().items():
        if names and name not in names:
            continue
        d = outdir / name
        d.mkdir(parents=True, exist_ok=True)
        for item in items:
            (d / hashlib.sha1(item).hexdigest()).write_bytes(item)
        counts[name] = len({hashlib.sha1(i).hexdigest() for i in items})
    return counts


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("corpus")
    for harness, n in write_corpus(target).items():
        print(f"{harness}: {n} seeds -> {target / harness}")
