"""Files stored with a case (the row holds the path in the attachments folder and the SHA-256)."""

from __future__ import annotations

import sqlite3


def insert(conn: sqlite3.Connection, case_id: int, kind: str, file_name: str, stored_name: str, sha256: str,
           size: int, added_at: str, user_id: int | None) -> int:
    return conn.execute(
        "INSERT INTO attachments (case_id, kind, file_name, stored_name, sha256, size, added_at, added_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (case_id, kind, file_name, stored_name, sha256, size, added_at, user_id)).fetchone()[0]


def get(conn: sqlite3.Connection, attachment_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM attachments WHERE id = ?", (attachment_id,)).fetchone()


def for_case(conn: sqlite3.Connection, case_id: int) -> list[sqlite3.Row]:
    """A case's attachments in the order they were added."""
    return conn.execute("SELECT * FROM attachments WHERE case_id = ? ORDER BY id", (case_id,)).fetchall()


def set_kind(conn: sqlite3.Connection, attachment_id: int, kind: str) -> None:
    conn.execute("UPDATE attachments SET kind = ? WHERE id = ?", (kind, attachment_id))
