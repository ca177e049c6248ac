"""Seeded mutation run: random byte flips in every shipped capture, read by the CLI in a limited subprocess.

For each capture (captures/basic, the scenario bundles, the tcpdump suite copy)
``VXLAN_INSPECT_MUTANTS`` mutants (default 1) are made with a generator seeded
from ``VXLAN_INSPECT_MUTATION_SEED`` (default below) and the file's path, so a
failure names a reproducible mutant. Each mutant flips 1-8 random bits or bytes
and is read with ``vxlan-inspect read`` (one of a few tcpdump option sets) in a
subprocess limited to ``CPU_SECONDS`` of CPU and ``MEMORY_BYTES`` of address
space. Asserted: exit code 0 or 3 (2 allowed only when a flip hit the file
header: pcap's 24 bytes, pcapng's section header block), one ``vxlan-inspect:``
line on stderr for an error, no traceback anywhere, and the wall time bound.
The mutants run in a thread pool (one subprocess per CPU), once per session.
"""

from __future__ import annotations

import os
import random
import resource
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = int(os.environ.get("VXLAN_INSPECT_MUTATION_SEED", "20261129"))
MUTANTS = int(os.environ.get("VXLAN_INSPECT_MUTANTS", "1"))
CPU_SECONDS = 30
MEMORY_BYTES = 2 << 30
WALL_SECONDS = 60
OPTION_SETS = (["-#"], ["-#", "-vvv", "-e", "-XX"], ["-q", "-tttt"], ["-#", "-v", "-x", "--nano"])


def shipped_captures() -> list[Path]:
    patterns = ["captures/basic/*.pcap*", "captures/bundles/*/captures/*.pcap*", "tests/golden/tcpdump-suite/*.pcap"]
    return sorted({p for pat in patterns for p in ROOT.glob(pat) if p.is_file()})


def header_length(data: bytes) -> int:
    """Bytes of the file header: 24 for pcap, the section header block for pcapng."""
    if data[:4] == b"\x0a\x0d\x0d\x0a" and len(data) >= 12:
        order = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        return int(struct.unpack_from(order + "I", data, 4)[0])
    return 24


@dataclass
class Mutant:
    source: Path
    number: int
    positions: list[int]
    options: list[str]
    data: bytes
    hits_header: bool


def mutate(path: Path, number: int) -> Mutant:
    data = bytearray(path.read_bytes())
    rng = random.Random(f"{SEED}:{path.relative_to(ROOT)}:{number}")
    positions = sorted(rng.randrange(len(data)) for _ in range(rng.randint(1, 8)))
    for pos in positions:
        if rng.random() < 0.5:
            data[pos] ^= 1 << rng.randrange(8)
        else:
            data[pos] = rng.randrange(256)
    hits = any(p < header_length(path.read_bytes()) for p in positions)
    return Mutant(path, number, positions, rng.choice(OPTION_SETS), bytes(data), hits)


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_kib: int  # the child's own peak RSS (wait4), not that of every child this process ever had


def run_cli(mutant: Mutant, workdir: Path) -> Outcome:
    path = workdir / f"{mutant.source.stem}-{abs(hash(mutant.source))}-{mutant.number}{mutant.source.suffix}"
    path.write_bytes(mutant.data)
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "vxlan_inspect", "read", *mutant.options, "-r", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_limits,
        env=dict(os.environ, VXLAN_INSPECT_JOBS="1", PYTHONPATH=str(ROOT)), cwd=ROOT,
    )
    streams: dict[str, bytes] = {}

    def drain(name: str, pipe: IO[bytes]) -> None:
        streams[name] = pipe.read()

    readers = [threading.Thread(target=drain, args=(n, p)) for n, p in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    timer = threading.Timer(WALL_SECONDS, proc.kill)
    timer.start()
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join()
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
    return Outcome(proc.returncode, streams["out"].decode("utf-8", "replace"),
                   streams["err"].decode("utf-8", "replace"), time.monotonic() - start, usage.ru_maxrss)


CASES = [(p, n) for p in shipped_captures() for n in range(MUTANTS)]


@pytest.fixture(scope="module")
def outcomes() -> dict[tuple[Path, int], tuple[Mutant, Outcome]]:
    mutants = [mutate(p, n) for p, n in CASES]
    with tempfile.TemporaryDirectory(prefix="vxlan-mutants-") as tmp, \
            ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda m: run_cli(m, Path(tmp)), mutants))
    return {(m.source, m.number): (m, o) for m, o in zip(mutants, results, strict=True)}


@pytest.mark.slow
def test_there_are_captures_to_mutate() -> None:
    assert len(CASES) >= 100


@pytest.mark.slow
@pytest.mark.parametrize(("path", "number"), CASES, ids=[f"{p.relative_to(ROOT)}#{n}" for p, n in CASES])
def test_mutated_capture_exits_cleanly(
    path: Path, number: int, outcomes: dict[tuple[Path, int], tuple[Mutant, Outcome]]
) -> None:
    mutant, out = outcomes[(path, number)]
    what = (f"mutant {number} of {path.relative_to(ROOT)} (seed {SEED}, flips at {mutant.positions}, "
            f"options {mutant.options}): exit {out.code}\nstderr: {out.stderr[-2000:]}")
    allowed = {0, 2, 3} if mutant.hits_header else {0, 3}
    assert out.code in allowed, what
    assert "Traceback" not in out.stderr and "Traceback" not in out.stdout, what
    messages = [line for line in out.stderr.splitlines() if line.startswith("vxlan-inspect:")]
    assert len(messages) == (0 if out.code == 0 else 1), what
    assert out.seconds < WALL_SECONDS, what


@pytest.mark.slow
def test_children_stayed_within_memory(outcomes: dict[tuple[Path, int], tuple[Mutant, Outcome]]) -> None:
    """ru_maxrss (KiB) of the largest CLI child: far below the address-space limit it ran under."""
    assert outcomes
    peak_kib = max(out.peak_kib for _m, out in outcomes.values())
    assert 0 < peak_kib * 1024 < MEMORY_BYTES // 2, peak_kib
