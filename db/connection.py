"""Opening the registry database: pragmas, migrations, transactions, and error classes.

SQLite errors split in two: ``EnvironmentProblem`` (the file is locked, read-only, damaged, the disk
is full — the user can act on it, so the message says what to do) and everything else (a bug).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from db.queries import search

BUSY_TIMEOUT_MS = 15000


class EnvironmentProblem(RuntimeError):
    """The database cannot be used for a reason outside the program; the message is for the user."""


def explain(exc: sqlite3.Error, path: str | Path | None = None) -> EnvironmentProblem | None:
    """Turn an sqlite error caused by the environment into a message; None if it looks like a bug."""
    text = str(exc).lower()
    where = f"（{path}）" if path else ""
    if "locked" in text or "busy" in text:
        return EnvironmentProblem(f"数据库文件正被其他程序长时间占用{where}，请稍后重试。")
    if "readonly" in text or "read-only" in text:
        return EnvironmentProblem(f"数据库文件是只读的{where}，请检查文件权限。")
    if "disk is full" in text or "disk i/o" in text:
        return EnvironmentProblem(f"磁盘已满或无法写入{where}，请释放空间后重试。")
    if "malformed" in text or "not a database" in text or "file is encrypted" in text:
        return EnvironmentProblem(f"数据库文件已损坏或不是本系统的数据库{where}，请从备份恢复。")
    if "unable to open" in text:
        return EnvironmentProblem(f"无法打开数据库文件{where}，请检查路径和权限。")
    return None


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at ``path``."""
    from db.migrations import migrate

    conn = open_raw(path)
    try:
        migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def open_raw(path: str | Path) -> sqlite3.Connection:
    """A connection with our pragmas, without migrating (for checks and backups)."""
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        search.register_functions(conn)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as exc:
        problem = explain(exc, path)
        if problem:
            raise problem from exc
        raise
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (BEGIN IMMEDIATE): all of it, or nothing on any exception."""
    if conn.in_transaction:  # nested use joins the outer transaction
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
