#!/usr/bin/env bash
# The whole test suite: set up (Debian packages when root, .venv), then ruff,
# mypy --strict on the package, and pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff" >&2
ruff check vxlan_inspect tests benchmarks fuzz
echo "== mypy" >&2
mypy
echo "== pytest" >&2
pytest "$@"
