#!/usr/bin/env bash
# Install the app and open its window on a demo database (made on first use: demo.db in this folder).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
# --demo fills demo.db on first use and shows the demo logins on the console and in the login dialog.
exec .venv/bin/disclosure-desk --db demo.db --demo
