#!/usr/bin/env bash
# Install the app and show it on a demo database (made on first use: demo.db in this folder).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
if [ ! -f demo.db ]; then .venv/bin/disclosure-desk --db demo.db demo; fi
.venv/bin/disclosure-desk --db demo.db export-ledger demo-ledger.xlsx
.venv/bin/disclosure-desk --db demo.db calendar show --year "$(date +%Y)"
