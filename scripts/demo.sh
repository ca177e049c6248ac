#!/usr/bin/env bash
# Set everything up (Debian packages when root, .venv) and run the main job on the
# shipped captures: explain, hop by hop with evidence, how the seed article's ping
# crossed the overlay (the recorded scenario bundle of a healthy ping).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/vxlan-inspect explain captures/bundles/healthy-ping
