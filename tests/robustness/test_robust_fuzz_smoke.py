"""The fuzzing harnesses in the normal suite: seed replay everywhere, a short Atheris run where atheris is.

* ``test_seeds_replay_clean``: every seed of every harness (built from the
  shipped files by fuzz/make_corpus.py) through the harness's
  ``test_one_input``, in-process, no atheris needed.
* ``test_fuzz_smoke``: each harness under libFuzzer for
  ``VXLAN_INSPECT_FUZZ_SECONDS`` (default 20) seconds, all four at once in
  subprocesses (fuzz/run.py: per-input timeout, RSS limit); fails on any
  finding and shows the crash. Without atheris it skips, except in CI
  (``VXLAN_INSPECT_REQUIRE_ROOT=1``) where atheris is expected unless
  scripts/setup.sh recorded that it could not be installed on this platform
  (``.venv/.atheris-unavailable``). See docs/robustness.md.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARNESSES = ("capture", "frame", "state", "filter")
SECONDS = int(os.environ.get("VXLAN_INSPECT_FUZZ_SECONDS", "20"))
UNAVAILABLE_MARKER = ROOT / ".venv" / ".atheris-unavailable"


def _seeds() -> dict[str, list[bytes]]:
    sys.path.insert(0, str(ROOT / "fuzz"))
    try:
        from make_corpus import seeds
    finally:
        sys.path.remove(str(ROOT / "fuzz"))
    result: dict[str, list[bytes]] = seeds()
    return result


@pytest.mark.parametrize("name", HARNESSES)
def test_seeds_replay_clean(name: str, harness: Callable[[str], ModuleType]) -> None:
    items = _seeds()[name]
    assert len(items) >= 20, f"{name}: only {len(items)} seeds"
    run = harness(name).test_one_input
    for item in items:
        run(item)


def _require_atheris() -> None:
    if importlib.util.find_spec("atheris") is not None:
        return
    if os.environ.get("VXLAN_INSPECT_REQUIRE_ROOT") == "1" and not UNAVAILABLE_MARKER.exists():
        pytest.fail("atheris is not importable, yet scripts/setup.sh did not record it as unavailable "
                    f"({UNAVAILABLE_MARKER}); install '.[fuzz]' (VXLAN_INSPECT_REQUIRE_ROOT=1 forbids skipping)")
    pytest.skip("atheris is not installed (pip install -e '.[fuzz]')")


@pytest.fixture(scope="module")
def fuzz_runs() -> Iterator[dict[str, tuple[int, str, Path]]]:
    """Start every harness at once; yield {name: (exit status, log, workdir)}."""
    _require_atheris()
    with tempfile.TemporaryDirectory(prefix="vxlan-fuzz-smoke-") as tmp:
        procs = {}
        for name in HARNESSES:
            work = Path(tmp) / name
            work.mkdir()
            log = open(work / "log.txt", "w+b")  # noqa: SIM115 - closed below
            proc = subprocess.Popen(
                [sys.executable, str(ROOT / "fuzz" / "run.py"), name, "--seconds", str(SECONDS), "--workdir",
                 str(work)], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
            procs[name] = (proc, log, work)
        results = {}
        for name, (proc, log, work) in procs.items():
            try:
                code = proc.wait(timeout=SECONDS + 240)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            log.seek(0)
            results[name] = (code, log.read().decode("utf-8", "replace"), work)
            log.close()
        yield results


@pytest.mark.slow
@pytest.mark.parametrize("name", HARNESSES)
def test_fuzz_smoke(name: str, fuzz_runs: dict[str, tuple[int, str, Path]]) -> None:
    code, log, work = fuzz_runs[name]
    artifacts = sorted(p.name for p in (work / "artifacts").glob("*")) if (work / "artifacts").exists() else []
    assert code == 0 and not artifacts, f"fuzz harness {name} found something (exit {code}, artifacts {artifacts}):\n" \
                                        + "\n".join(log.splitlines()[-60:])
    assert "Done " in log and "stat::number_of_executed_units" in log, log[-3000:]
