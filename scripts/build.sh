#!/usr/bin/env bash
# Build the installable folder with PyInstaller (dist/DisclosureDesk) and run its self-test.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e . "pyinstaller>=6.10,<7"
.venv/bin/pyinstaller --noconfirm --log-level WARN build.spec
QT_QPA_PLATFORM=offscreen dist/DisclosureDesk/DisclosureDesk --self-test
