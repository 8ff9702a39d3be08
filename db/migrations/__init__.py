"""Schema migrations: one numbered history, written once per dialect.

Each step is a file ``NNNN_name.sql``: in this folder for SQLite, in ``postgresql/`` for PostgreSQL,
with the same numbers and names (a test checks both end with the same tables, columns and indexes).
Step N brings the schema from version N−1 to N; a new database is built by the same steps. SQLite
keeps the version in ``PRAGMA user_version`` and a copy of the file is kept before an upgrade;
PostgreSQL keeps it in the table ``schema_version`` and migrates under an advisory lock, so that two
PCs starting at once do not both migrate. A database made by a newer program is refused.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

_STEP = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DatabaseTooNew(RuntimeError):
    pass


def steps(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """(version, file name, sql) of every step of ``dialect``, in order."""
    return list(_read_steps(dialect))


@cache
def _read_steps(dialect: str) -> tuple[tuple[int, str, str], ...]:
    folder = resources.files(__package__)
    if dialect == "postgresql":
        folder = folder / "postgresql"
    found = []
    for entry in folder.iterdir():
        m = _STEP.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    for expected, (version, name, _) in enumerate(found, start=1):
        if version != expected:
            raise RuntimeError(f"migration steps out of order at {name}")
    return tuple(found)


def latest_version() -> int:
    return len(steps())


def _too_new(current: int, latest: int) -> DatabaseTooNew:
    return DatabaseTooNew(
        f"数据库（版本{current}）由更新版本的程序创建，本程序只支持到版本{latest}。"
        "请升级本程序后再打开，以免损坏数据。")


def pending_steps(target: str | Path) -> int:
    """How many steps opening the SQLite file at ``target`` will run (0 for a new or current file, and
    for a server: its upgrade runs under a lock and is announced there)."""
    from db.connection import is_server

    if is_server(target) or str(target) == ":memory:" or not Path(target).exists():
        return 0
    conn = sqlite3.connect(f"file:{Path(target).as_posix()}?mode=ro", uri=True)
    try:
        current = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0  # not ours to say: opening it reports the problem
    finally:
        conn.close()
    return max(latest_version() - current, 0) if current else 0


def migrate(conn, path: str | Path | None = None) -> int:
    """Bring the schema to the latest version; returns the version it was at before."""
    if conn.dialect == "postgresql":
        return _migrate_pg(conn)
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    all_steps = steps()
    latest = len(all_steps)
    if current > latest:
        raise _too_new(current, latest)
    if current == latest:
        return current
    if current > 0 and path and str(path) != ":memory:":
        backup_before_migration(conn, Path(path), current)
    for version, _name, sql in all_steps[current:]:
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}")
            if version == FILES_IN_DATABASE and path and str(path) != ":memory:":
                read_files_folder(conn, Path(path))
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return current


FILES_IN_DATABASE = 11  # the step that moved letters and attachments into the database


def files_folder(path: Path) -> Path:
    """Where versions before step 11 kept a registry's letters and attachments: beside the file."""
    return path.with_name(f"{path.stem}-files")


def read_files_folder(conn: sqlite3.Connection, path: Path) -> int:
    """Step 11 on an existing file: read every letter and attachment from the folder beside it into
    ``file_contents`` (under the hash of what is really there: a changed or missing file is then
    reported by ``verify`` as before). Returns how many files were read."""
    import hashlib

    folder = files_folder(path)
    if not folder.is_dir():
        return 0
    count = 0
    for table in ("attachments", "letters"):
        for stored_name, in conn.execute(f"SELECT stored_name FROM {table} ORDER BY id").fetchall():
            file = folder / stored_name
            if not file.is_file():
                continue
            data = file.read_bytes()
            conn.execute("INSERT INTO file_contents (sha256, size, content) VALUES (?, ?, ?)"
                         " ON CONFLICT (sha256) DO NOTHING", (hashlib.sha256(data).hexdigest(), len(data), data))
            count += 1
    return count


def pg_version(conn) -> int:
    """The schema version of a PostgreSQL registry (0 when it has none yet)."""
    exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
    if not exists:
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return row[0] if row else 0


def check_pg_locale(conn, trigrams: bool = False) -> None:
    """Refuse a database whose character type is C/POSIX (or, with ``trigrams``, any in which pg_trgm
    finds no trigram in Chinese text): search would find no Chinese at all."""
    from db.connection import EnvironmentProblem

    ctype = conn.execute("SELECT datctype FROM pg_database WHERE datname = current_database()").fetchone()[0]
    encoding = conn.execute("SELECT pg_encoding_to_char(encoding) FROM pg_database"
                            " WHERE datname = current_database()").fetchone()[0]
    blind = trigrams and not conn.execute("SELECT coalesce(array_length(show_trgm('政府信息公开'), 1), 0)"
                                          ).fetchone()[0]
    if encoding.upper() != "UTF8" or ctype.upper() in ("C", "POSIX") or blind:
        name = conn.execute("SELECT current_database()").fetchone()[0]
        raise EnvironmentProblem(
            f"数据库“{name}”的字符集是 {encoding}、字符类型是 {ctype}：在这样的数据库里无法检索中文。"
            f"请按以下方式重新创建数据库后再初始化：CREATE DATABASE {name} TEMPLATE template0 "
            "ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';（详见使用说明“多台电脑共用”一节）")


def _migrate_pg(conn) -> int:
    from db.connection import PG_MIGRATION_LOCK

    all_steps = steps("postgresql")
    latest = len(all_steps)
    current = pg_version(conn)  # the common case, read without the lock
    if current > latest:
        raise _too_new(current, latest)
    if current == latest:
        return current
    conn.execute(f"SELECT pg_advisory_lock({PG_MIGRATION_LOCK})")
    try:
        current = pg_version(conn)  # another PC may have migrated while we waited
        if current > latest:
            raise _too_new(current, latest)
        if current == 0:
            check_pg_locale(conn)
        start = current
        for version, _name, sql in all_steps[current:]:
            conn.execute("BEGIN")
            try:
                conn.execute(sql)
                if version == 1:
                    check_pg_locale(conn, trigrams=True)  # pg_trgm exists now: does it see Chinese?
                    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                    conn.execute("INSERT INTO schema_version (version) VALUES (1)")
                else:
                    conn.execute(f"UPDATE schema_version SET version = {version}")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return start
    finally:
        if not conn.closed:
            conn.execute(f"SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})")


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
