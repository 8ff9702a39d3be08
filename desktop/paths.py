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
    """The registry file of a PC used on its own, when nothing else is configured."""
    return data_dir() / "registry.db"


def location_file() -> Path:
    """Where this PC remembers which registry it uses (a file, or the office's server)."""
    return data_dir() / "registry-location.json"


def remembered_target() -> str | None:
    """The registry chosen on this PC at first start (never holds a password), or None."""
    import json

    try:
        value = json.loads(location_file().read_text(encoding="utf-8")).get("target")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value.strip() else None


def remember_target(target: str | Path) -> None:
    import json

    location_file().parent.mkdir(parents=True, exist_ok=True)
    location_file().write_text(json.dumps({"target": str(target)}, ensure_ascii=False), encoding="utf-8")


def default_target() -> str | Path:
    """The registry to open when --db is not given: DISCLOSURE_DESK_DB, else this PC's remembered
    choice, else the file in the user's data folder. A text naming a server stays a string."""
    from db.connection import is_server

    chosen = os.environ.get("DISCLOSURE_DESK_DB") or remembered_target()
    if not chosen:
        return default_db_path()
    return chosen if is_server(chosen) else Path(chosen)


def resources_dir() -> Path:
    """The bundled resources (fonts, templates, icons): the project's top-level ``resources/`` folder,
    installed inside the package as ``desktop/resources`` (pyproject maps it), or in the frozen bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "desktop" / "resources"
    package = Path(__file__).resolve().parent
    installed = package / "resources"
    return installed if installed.is_dir() else package.parent / "resources"


def cache_dir() -> Path:
    """Files the program derives and may rebuild (e.g. the unpacked bundled font)."""
    return data_dir() / "cache"


def child_command(flag: str, module: str, function: str = "main") -> list[str]:
    """The command that starts this program again as a child process running ``module.function``:
    the built program is this same executable given ``flag`` (desktop/__main__.py); from source, this
    copy's own modules, whatever the current folder."""
    if getattr(sys, "frozen", False):
        return [sys.executable, flag]
    root = str(Path(__file__).resolve().parents[1])
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, sys.argv[1]); from {module} import {function}; "
            f"sys.exit({function}())", root]
