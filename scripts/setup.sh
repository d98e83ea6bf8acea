#!/usr/bin/env bash
# Installs everything the project needs into .venv (idempotent). Sourced by demo.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# System packages from scripts/system-packages.txt, installed only when one is missing.
if [ -f scripts/system-packages.txt ] && command -v dpkg-query >/dev/null; then
  missing=()
  while read -r package; do
    package=${package%%#*}
    package=${package//[[:space:]]/}
    [ -n "$package" ] || continue
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$package")
  done < scripts/system-packages.txt
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch "$stamp"
fi
# A local HTTPS certificate for the witness pages (api/pages/tls.py); kept once made.
if [ ! -f tls/cert.pem ]; then
  .venv/bin/python -m api.pages.make_certificate tls
fi
