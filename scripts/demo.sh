#!/usr/bin/env bash
# Set everything up (Debian packages when root, .venv) and run the main job on a
# shipped capture: the seed article's ping, decoded exactly as tcpdump prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/vxlan-inspect read -n -r captures/bundles/healthy-ping/captures/docker-1.underlay.pcap
