#!/usr/bin/env bash
# Regenerate the shipped scenario bundles in captures/bundles/<scenario>/ (needs root,
# network namespaces, iproute2, tcpdump and iputils ping). Each scenario builds its own
# lab under a fresh random prefix and tears it down; see docs/lab.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] && PYTHON=.venv/bin/python
exec "$PYTHON" -m vxlan_inspect lab record-all -o captures/bundles --force "$@"
