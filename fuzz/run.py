"""Run one harness under libFuzzer for a bounded time, with seeds, dictionary and limits.

    python3 fuzz/run.py HARNESS [--seconds N] [--workdir DIR] [--jobs J] [-- EXTRA LIBFUZZER ARGS]

HARNESS is capture, frame, state or filter. The seeds are rebuilt from the
shipped files into ``DIR/seeds/HARNESS``; new inputs go to
``DIR/corpus/HARNESS``; a crashing, hanging (``-timeout``, seconds per input)
or memory-hungry (``-rss_limit_mb``/``-malloc_limit_mb``) input is written to
``DIR/artifacts/HARNESS-*``. The exit status is libFuzzer's: 0 when nothing was
found, not 0 with a finding. ``--seconds`` defaults to VXLAN_INSPECT_FUZZ_SECONDS
(else 60).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import write_corpus  # noqa: E402

HARNESSES = ("capture", "frame", "state", "filter")
#: Largest input per harness (libFuzzer -max_len).
MAX_LEN = {"capture": 16384, "frame": 4096, "state": 16384, "filter": 512}
TIMEOUT_S = 10
RSS_LIMIT_MB = 2048


def command(harness: str, seconds: int, workdir: Path, extra: list[str]) -> list[str]:
    """The libFuzzer command line for ``harness``; creates its directories and seeds."""
    seeds = workdir / "seeds"
    write_corpus(seeds, [harness])
    corpus = workdir / "corpus" / harness
    corpus.mkdir(parents=True, exist_ok=True)
    artifacts = workdir / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    return [
        sys.executable, str(HERE / f"fuzz_{harness}.py"),
        f"-max_total_time={seconds}",
        f"-timeout={TIMEOUT_S}",
        f"-rss_limit_mb={RSS_LIMIT_MB}",
        f"-malloc_limit_mb={RSS_LIMIT_MB}",
        f"-max_len={MAX_LEN[harness]}",
        f"-dict={HERE / 'vxlan.dict'}",
        f"-artifact_prefix={artifacts}/{harness}-",
        "-print_final_stats=1",
        *extra,
        str(corpus), str(seeds / harness),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("harness", choices=HARNESSES)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("VXLAN_INSPECT_FUZZ_SECONDS", "60")))
    parser.add_argument("--workdir", type=Path, default=None, help="default: a fresh temporary directory")
    parser.add_argument("extra", nargs="*", help="more libFuzzer arguments (after --)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"vxlan-fuzz-{args.harness}-"))
    cmd = command(args.harness, args.seconds, workdir, args.extra)
    print("fuzz:", " ".join(cmd), file=sys.stderr, flush=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")]))
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
