"""Schema migrations on ``PRAGMA user_version``.

Each step is a file ``NNNN_name.sql`` in this folder; step N brings the schema from version N−1 to
N. A new database is built by the same steps. Before an existing database is migrated, a copy is
kept beside it. A database made by a newer program is refused.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from importlib import resources
from pathlib import Path

_STEP = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DatabaseTooNew(RuntimeError):
    pass


def steps() -> list[tuple[int, str, str]]:
    """(version, file name, sql) of every step, in order."""
    found = []
    for entry in resources.files(__package__).iterdir():
        m = _STEP.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    for expected, (version, name, _) in enumerate(found, start=1):
        if version != expected:
            raise RuntimeError(f"migration steps out of order at {name}")
    return found


def latest_version() -> int:
    return len(steps())


def pending_steps(path: str | Path) -> int:
    """How many steps opening the database at ``path`` will run (0 for a new or current file)."""
    if str(path) == ":memory:" or not Path(path).exists():
        return 0
    conn = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    try:
        current = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0  # not ours to say: opening it reports the problem
    finally:
        conn.close()
    return max(latest_version() - current, 0) if current else 0


def migrate(conn: sqlite3.Connection, path: str | Path | None = None) -> int:
    """Bring the schema to the latest version; returns the version it was at before."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    all_steps = steps()
    latest = len(all_steps)
    if current > latest:
        raise DatabaseTooNew(
            f"数据库（版本{current}）由更新版本的程序创建，本程序只支持到版本{latest}。"
            "请升级本程序后再打开，以免损坏数据。")
    if current == latest:
        return current
    if current > 0 and path and str(path) != ":memory:":
        backup_before_migration(conn, Path(path), current)
    for version, _name, sql in all_steps[current:]:
        script = f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
        try:
            conn.executescript(script)
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return current


def backup_before_migration(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """A consistent copy of the database next to it, named after the old version and the time."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.v{version}-{stamp}.bak{path.suffix}")
    dest = sqlite3.connect(str(target))
    try:
        conn.backup(dest)
    finally:
        dest.close()
    return target
