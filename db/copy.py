"""Copying a whole registry from one database to another, across backends (SQLite ↔ PostgreSQL).

Every table is copied row for row with its ids, in an order that satisfies the foreign keys; events
keep their hash chain (the hashes are values, copied as they are), letters and attachments their
content and hashes. The search index is built anew on the target in the target's own form, and
PostgreSQL's id sequences are moved past the copied ids. Both databases must be at the same schema
version and the target must be empty. The copy is one transaction on the target: all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from db import connection
from db.queries import search

# In foreign-key order. The search index is not copied: it is rebuilt in the target's form.
TABLES = ("agency_settings", "divisions", "users", "user_roles", "applicants", "cases", "case_co_divisions",
          "case_events", "audit_log", "calendar_overrides", "calendar_years", "doc_sequences", "fee_notices",
          "fee_payments", "remedy_cases", "annual_inputs", "file_contents", "attachments", "letter_templates",
          "letters", "deliveries", "annual_reports", "annual_texts")
# Tables whose rows are ordered by a key other than ``id``.
_ORDER = {"agency_settings": "key", "user_roles": "user_id, role", "case_co_divisions": "case_id, division_id",
          "calendar_overrides": "day", "calendar_years": "year", "doc_sequences": "kind, year",
          "annual_inputs": "year, item, field", "annual_reports": "year", "annual_texts": "year, part",
          "file_contents": "sha256"}
BATCH = 2000


class TargetNotEmpty(RuntimeError):
    pass


class VersionMismatch(RuntimeError):
    pass


def columns(conn, table: str) -> list[str]:
    if conn.dialect == "sqlite":
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    return [r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ? ORDER BY ordinal_position", (table,))]


def row_counts(conn) -> dict[str, int]:
    """Rows per table (what a copy must reproduce)."""
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def is_empty(conn) -> bool:
    return not any(conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in TABLES)


def copy_registry(source, target, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Copy every row of ``source`` into the empty ``target`` (both open and migrated). Returns the
    rows copied per table. ``progress(table, done, total)`` is called as the copy goes."""
    _check_versions(source, target)
    if not is_empty(target):
        raise TargetNotEmpty("目标数据库不是空的：复制只能写入新建的空数据库，以免覆盖已有数据。")
    with connection.transaction(target):
        return _copy_rows(source, target, progress)


def replace_registry(source, target, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Empty the PostgreSQL registry ``target`` and copy ``source`` into it, in one transaction (a
    restore: if anything fails, the target keeps what it had)."""
    _check_versions(source, target)
    if target.dialect == "sqlite":
        raise ValueError("replace_registry is for a server database; a file is replaced as a file")
    with connection.transaction(target):
        target.execute(f"TRUNCATE {', '.join(TABLES)}, case_search RESTART IDENTITY")
        return _copy_rows(source, target, progress)


def _check_versions(source, target) -> None:
    from_version, to_version = connection.schema_version(source), connection.schema_version(target)
    if from_version != to_version:
        raise VersionMismatch(f"两个数据库的版本不同（{from_version} / {to_version}），请先用同一版本的程序打开两者。")


def _copy_rows(source, target, progress) -> dict[str, int]:
    """The copy itself (inside the target's transaction); the source is read in one snapshot, so a
    registry in use is copied as it was at one moment."""
    source.execute("BEGIN" if source.dialect == "sqlite" else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        totals = row_counts(source)
        copied: dict[str, int] = {}
        for table in TABLES:
            target_columns = set(columns(target, table))
            cols = [c for c in columns(source, table) if c in target_columns]
            names = ", ".join(cols)
            insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})"
            order = _ORDER.get(table, "id")
            keys = [k.strip() for k in order.split(",")]
            done, last = 0, None
            while True:  # keyset pages: constant memory however big the table is
                where, params = "", []
                if last is not None:
                    where = f" WHERE ({', '.join(keys)}) > ({', '.join('?' * len(keys))})"
                    params = list(last)
                rows = source.fetch_tuples(f"SELECT {names} FROM {table}{where} ORDER BY {order} LIMIT {BATCH}",
                                           params)
                if not rows:
                    break
                target.executemany(insert, [_portable(r) for r in rows])
                done += len(rows)
                last = tuple(rows[-1][cols.index(k)] for k in keys)
                if progress:
                    progress(table, done, totals[table])
            copied[table] = done
    finally:
        source.execute("COMMIT")
    rebuild_search(target, progress)
    reset_sequences(target)
    return copied


def _portable(row: tuple) -> tuple:
    """Values as both drivers take them (PostgreSQL returns bytea as memoryview in some paths)."""
    return tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)


def rebuild_search(conn, progress: Callable[[str, int, int], None] | None = None) -> None:
    """Index every case for search, in this database's own form (call inside a write transaction)."""
    if conn.dialect == "sqlite":
        conn.execute("INSERT INTO case_search (case_search) VALUES ('delete-all')")
    else:
        conn.execute("DELETE FROM case_search")
    total = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    last, done = 0, 0
    while True:
        rows = conn.fetch_tuples("SELECT id, received_on, request_text, applicant_name FROM cases WHERE id > ?"
                                 f" ORDER BY id LIMIT {BATCH}", (last,))
        if not rows:
            break
        search.index_cases(conn, rows)
        last, done = rows[-1][0], done + len(rows)
        if progress:
            progress("case_search", done, total)


def reset_sequences(conn) -> None:
    """PostgreSQL: the next id of every table after the highest one present (ids were copied)."""
    if conn.dialect == "sqlite":
        return
    for table in TABLES:
        if "id" in columns(conn, table):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                         f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
