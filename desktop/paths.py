"""Where the registry keeps its files: the default database, and resources from source or frozen."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "DisclosureDesk"


def data_dir() -> Path:
    """The platform's standard per-user data folder for this application."""
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        return base / APP_DIR_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "disclosure-desk"


def default_db_path() -> Path:
    env = os.environ.get("DISCLOSURE_DESK_DB")
    return Path(env) if env else data_dir() / "registry.db"


def resources_dir() -> Path:
    """The bundled resources (fonts, templates, icons): beside the package, or in the frozen bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "desktop" / "resources"
    return Path(__file__).resolve().parent / "resources"


def cache_dir() -> Path:
    """Files the program derives and may rebuild (e.g. the unpacked bundled font)."""
    return data_dir() / "cache"
