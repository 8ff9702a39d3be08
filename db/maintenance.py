"""What differs between the backends in keeping a registry sound: copying a file while in use, checking
a file or a backup, the database's own consistency check, and who else is connected."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileSummary:
    """A registry file as found (a backup's database, before it is used)."""
    integrity: str  # "ok", or what SQLite's integrity check found
    version: int
    cases: int
    files: int  # contents kept in the file (letters, attachments)


def online_copy(conn: sqlite3.Connection, dest: Path) -> None:
    """A consistent copy of an open SQLite registry into ``dest`` (it may be in use meanwhile)."""
    target = sqlite3.connect(dest)
    try:
        conn.backup(target)
    finally:
        target.close()


def summarize_file(path: Path) -> FileSummary:
    """Integrity, schema version, cases and stored files of a SQLite registry file (raises
    sqlite3.DatabaseError when it cannot be read at all)."""
    conn = sqlite3.connect(path)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        has_files = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'file_contents'").fetchone()
        files = conn.execute("SELECT count(*) FROM file_contents").fetchone()[0] if has_files else 0
    finally:
        conn.close()
    return FileSummary(integrity, version, cases, files)


def quick_check(path: Path) -> str:
    """SQLite's page check of a file, read-only: "ok" or what is wrong (raises on an unreadable file)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()


def quick_problem(conn) -> str | None:
    """SQLite's page check of an open registry: None when sound, else what it found (a server checks
    its own pages: None)."""
    if conn.dialect != "sqlite":
        return None
    try:
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:  # too damaged to be checked at all
        return str(exc)
    return None if result == "ok" else result


DAMAGED = "数据库文件已损坏："  # how verify, backup and import name a damaged file, the same everywhere


def consistency_problems(conn) -> list[str]:
    """The database's own check: SQLite's integrity and foreign-key checks. (PostgreSQL enforces
    foreign keys always and checks its pages itself; nothing to ask it here.)"""
    if conn.dialect != "sqlite":
        return []
    try:
        problems = [DAMAGED + r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    except sqlite3.DatabaseError as exc:  # too damaged to be checked at all
        return [DAMAGED + str(exc)]
    problems += [f"外键错误：{tuple(r)}" for r in conn.execute("PRAGMA foreign_key_check")]
    return problems


def other_connections(conn) -> list[str]:
    """The other connections (PCs) using this server database now, in words (0 for a file: see
    db/seats.py)."""
    if conn.dialect == "sqlite":
        return []
    rows = conn.execute(
        "SELECT application_name, client_addr::text, backend_start FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        " ORDER BY backend_start").fetchall()
    out = []
    for name, addr, since in rows:
        who = name.split("@", 1)[1] if name and name.startswith("disclosure-desk@") else (name or "其他程序")
        out.append(f"{who}（{addr or '本机'}，{since:%H:%M} 起）")
    return out
