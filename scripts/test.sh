#!/usr/bin/env bash
# Set up everything on a fresh machine, then lint and run the whole test suite on both backends:
# first on SQLite (the embedded default), then the registry tests again on a throw-away local
# PostgreSQL that scripts/pg-test-server.sh installs (when missing) and starts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
.venv/bin/ruff check .
DDESK_TEST_BACKEND=sqlite .venv/bin/python -m pytest "$@"
DDESK_TEST_PG="$(bash scripts/pg-test-server.sh start | tail -n 1)"
export DDESK_TEST_PG
echo "--- the registry tests again, on PostgreSQL ($DDESK_TEST_PG)"
DDESK_TEST_BACKEND=postgresql .venv/bin/python -m pytest "$@"
