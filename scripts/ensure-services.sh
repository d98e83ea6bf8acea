#!/usr/bin/env bash
# Makes sure the real PostgreSQL server the integration tests need is up. In CI (CI=true) a
# PostgreSQL that cannot be reached is a failure, never a silent skip.
set -uo pipefail
pg_up() { python3 - <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(2)
try:
    s.connect(("127.0.0.1", 5432)); sys.exit(0)
except OSError:
    sys.exit(1)
PY
}
if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 20); do pg_up && break; sleep 1; done
  fi
fi
if pg_up; then
  echo "PostgreSQL reachable on 127.0.0.1:5432"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started" >&2
  exit 1
else
  echo "PostgreSQL not reachable: PostgreSQL tests will be skipped (never in CI)" >&2
fi
