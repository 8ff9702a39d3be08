"""Start-up of the window. The Qt part lives in desktop.ui.startup (only desktop/ui imports Qt)."""

from __future__ import annotations

from pathlib import Path


def run_window(db: Path | None, demo: bool = False) -> int:
    """Open the window on ``db`` (or the default database; with ``demo`` a demo database)."""
    from desktop.ui.startup import run_window as run

    return run(db, demo=demo)
