"""Opening the registry: a SQLite file (the default) or a PostgreSQL server shared by many PCs.

A *target* is what the user gives as ``--db``: a file path, or a PostgreSQL connection string /
libpq service (``postgresql://user@host/registry``, ``service=disclosure``). Everything above this
package sees one connection interface (``execute``/``executemany``/``in_transaction``/``close``) and
the functions here for what really differs: opening, the write transaction, the change stamp, error
classification.

Errors split in two: ``EnvironmentProblem`` (the file is locked or damaged, the server is down, the
disk is full — the user can act on it, so the message says what to do) and everything else (a bug).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any

from db.queries import search

BUSY_TIMEOUT_MS = 15000
# Every write transaction on PostgreSQL first takes this lock: writers are serialised as SQLite's
# BEGIN IMMEDIATE serialises them, so the event hash chain, case numbers and the optimistic version
# checks behave the same on both backends (writes are short: a few milliseconds each).
PG_WRITE_LOCK = 0x4464_4465_736B_0001  # "DdDesk" 1
PG_MIGRATION_LOCK = 0x4464_4465_736B_0002
MIN_SERVER_VERSION = 100000
CHANGES_CHANNEL = "ddesk_changes"  # PostgreSQL: every write transaction notifies the other seats here


class EnvironmentProblem(RuntimeError):
    """The database cannot be used for a reason outside the program; the message is for the user."""


class SqliteConnection(sqlite3.Connection):
    """sqlite3's connection, with the few names the PostgreSQL one also has."""
    dialect = "sqlite"

    def fetch_tuples(self, sql: str, params=()) -> list[tuple]:
        """All rows of a query as plain tuples (cheaper than rows readable by name)."""
        cur = self.cursor()
        cur.row_factory = None
        return cur.execute(sql, params).fetchall()

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert ``rows`` (values in ``columns`` order: text, integers, None): one prepared statement
        stepped for every row (the bulk writers — the ledger import, the generator — write from one
        thread, so nothing waits for Python's lock between the rows)."""
        if not rows:
            return
        # A column empty in every row is written as NULL in the statement rather than bound row by row:
        # sqlite3 looks for an adapter for each None it binds (a ledger's cases leave a third of their
        # columns empty, its applicants four of fourteen).
        empty = {i for i, values in enumerate(zip(*rows, strict=True)) if values.count(None) == len(rows)}
        marks = ", ".join("NULL" if i in empty else "?" for i in range(len(columns)))
        if empty:
            kept = [i for i in range(len(columns)) if i not in empty]
            if not kept:
                rows = [()] * len(rows)
            elif len(kept) == 1:
                rows = [(row[kept[0]],) for row in rows]
            else:
                rows = list(map(itemgetter(*kept), rows))
        self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


@contextmanager
def larger_cache(conn, mib: int) -> Iterator[None]:
    """SQLite: a page cache of ``mib`` MiB while a bulk write runs (the pages of a dozen indexes stay in
    memory instead of being spilled and read again), the usual one after."""
    if conn.dialect != "sqlite":
        yield
        return
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{mib * 1024}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def references_made_by_caller(conn) -> Iterator[None]:
    """SQLite, around a bulk write's transaction (the pragma cannot change inside one) whose every
    reference is made by the writer itself — ids it has just inserted, or read in the same
    transaction: the foreign keys are not looked up again row by row (a tenth of a bulk insert's
    work). ``verify`` checks every reference of the registry (PRAGMA foreign_key_check). PostgreSQL
    keeps checking."""
    if conn.dialect != "sqlite" or conn.in_transaction:
        yield
        return
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


class IndexesLater:
    """SQLite, inside a bulk write's transaction into ``tables`` while they are empty: their indexes are
    dropped, and made again by ``build`` — one sort each, a third of the work of keeping them up to
    date row by row. The drop is part of the transaction: a rollback, or the process killed, leaves
    them as they were. PostgreSQL keeps its indexes (nothing is dropped)."""

    def __init__(self, conn, tables: Sequence[str]):
        self.conn = conn
        self.dropped: list[tuple[str, str]] = []
        if conn.dialect != "sqlite" or not tables:
            return
        marks = ",".join("?" * len(tables))
        self.dropped = [(r[0], r[1]) for r in conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})"
            " ORDER BY name", list(tables))]
        for name, _sql in self.dropped:
            conn.execute(f'DROP INDEX "{name}"')

    @property
    def waiting(self) -> bool:
        return bool(self.dropped)

    def build(self) -> None:
        """Make the dropped indexes again (inside the same transaction)."""
        dropped, self.dropped = self.dropped, []
        for _name, sql in dropped:
            self.conn.execute(sql)


def is_server(target: str | Path) -> bool:
    """Whether ``target`` names a PostgreSQL database (otherwise it is a SQLite file)."""
    if isinstance(target, Path):
        return False
    t = str(target).strip()
    return t.startswith(("postgresql://", "postgres://", "service=")) or bool(
        re.match(r"^(host|hostaddr|dbname|port|user|service)\s*=", t))


def describe(target: str | Path) -> str:
    """What to show the user for ``target`` (a PostgreSQL string without its password)."""
    if is_server(target):
        from db.pg import display
        return display(str(target))
    return str(target)


def database_errors() -> tuple[type[BaseException], ...]:
    """The exception classes a database driver raises (sqlite3, and psycopg when installed)."""
    errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
    try:
        import psycopg
    except ImportError:
        return errors
    return (*errors, psycopg.Error)


def explain(exc: BaseException, target: str | Path | None = None) -> EnvironmentProblem | None:
    """Turn a database error caused by the environment into a message; None if it looks like a bug."""
    if target is not None and is_server(target) or type(exc).__module__.startswith("psycopg"):
        from db.pg import explain as explain_pg
        return explain_pg(exc, describe(target) if target is not None else None)
    where = f"（{target}）" if target else ""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:  # by SQLite's own error code (its message text is not a contract)
        primary = code & 0xFF
        messages = {
            5: f"数据库文件正被其他程序长时间占用{where}，请稍后重试。",  # SQLITE_BUSY
            6: f"数据库文件正被其他程序长时间占用{where}，请稍后重试。",  # SQLITE_LOCKED
            8: f"数据库文件是只读的{where}，请检查文件权限。",  # SQLITE_READONLY
            10: f"读写数据库文件时出错{where}（磁盘或网络故障），请检查磁盘后重试。",  # SQLITE_IOERR
            11: f"数据库文件已损坏{where}，请从备份恢复。",  # SQLITE_CORRUPT
            13: f"磁盘已满，无法写入{where}，请释放空间后重试。",  # SQLITE_FULL
            14: f"无法打开数据库文件{where}，请检查路径和权限。",  # SQLITE_CANTOPEN
            26: f"数据库文件已损坏或不是本系统的数据库{where}，请从备份恢复。",  # SQLITE_NOTADB
        }
        if primary in messages:
            return EnvironmentProblem(messages[primary])
        return None
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return EnvironmentProblem(f"数据库文件正被其他程序长时间占用{where}，请稍后重试。")
    if "readonly" in text or "read-only" in text:
        return EnvironmentProblem(f"数据库文件是只读的{where}，请检查文件权限。")
    if "disk is full" in text:
        return EnvironmentProblem(f"磁盘已满，无法写入{where}，请释放空间后重试。")
    if "disk i/o" in text:
        return EnvironmentProblem(f"读写数据库文件时出错{where}（磁盘或网络故障），请检查磁盘后重试。")
    if "malformed" in text or "not a database" in text or "file is encrypted" in text:
        return EnvironmentProblem(f"数据库文件已损坏或不是本系统的数据库{where}，请从备份恢复。")
    if "unable to open" in text:
        return EnvironmentProblem(f"无法打开数据库文件{where}，请检查路径和权限。")
    return None


def connect(target: str | Path):
    """Open (creating if needed) and migrate the registry at ``target``."""
    from db.migrations import migrate

    conn = open_raw(target)
    try:
        migrate(conn, None if is_server(target) else target)
    except BaseException:
        conn.close()
        raise
    return conn


def open_raw(target: str | Path):
    """A connection with our settings, without migrating (for checks, backups, background reads)."""
    if is_server(target):
        from db.pg import open_server
        return open_server(str(target))
    path = Path(target)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
        if os.name == "posix" and not path.exists():
            # personal data: a new registry file is readable by its owner only (SQLite gives its
            # -wal and -shm files the same permissions)
            path.touch(mode=0o600)
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False, factory=SqliteConnection)
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
def transaction(conn) -> Iterator[Any]:
    """One write transaction: all of it, or nothing on any exception. Writers wait for each other
    (SQLite: BEGIN IMMEDIATE; PostgreSQL: the registry's write lock)."""
    if conn.in_transaction:  # nested use joins the outer transaction
        yield conn
        return
    if conn.dialect == "sqlite":
        conn.execute("BEGIN IMMEDIATE")
    else:
        conn.execute("BEGIN")
        conn.execute(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
    try:
        yield conn
    except BaseException:
        if conn.dialect == "sqlite" or not conn.closed:
            try:
                conn.execute("ROLLBACK")
            except database_errors():
                if conn.dialect == "sqlite":
                    raise
        raise
    else:
        if conn.dialect != "sqlite":
            # delivered to the other seats at commit; the payload says who wrote (a seat ignores its own)
            conn.execute(f"NOTIFY {CHANGES_CHANNEL}, '{conn.raw.info.backend_pid}'")
            conn.execute("COMMIT")
            conn.commits += 1
        else:
            conn.execute("COMMIT")


def change_stamp(conn) -> Any:
    """A value that changes whenever this or any other connection has committed a write (the caches of
    settings and the calendar are dropped, the screens refresh). It may change without a write to the
    registry (another database on the same server); it never stays the same after one."""
    if conn.dialect == "sqlite":
        return (conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0])
    return conn.change_stamp()


def schema_version(conn) -> int:
    if conn.dialect == "sqlite":
        return conn.execute("PRAGMA user_version").fetchone()[0]
    from db.migrations import pg_version
    return pg_version(conn)
