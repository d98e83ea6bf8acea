#!/usr/bin/env bash
# All the tests: install, lint, type-check, then the whole pytest suite (PostgreSQL included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure-services.sh
.venv/bin/ruff check lottery verifier api tests bench
.venv/bin/ruff format --check lottery verifier tests bench
.venv/bin/mypy
.venv/bin/python -m pytest -n 2 "$@"
