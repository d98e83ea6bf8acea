#!/usr/bin/env bash
# The main job: install, then run a complete demo draw and verify it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/lottery demo --out "${1:-demo-out}" "${@:2}"
