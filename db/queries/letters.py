"""Letters: edited templates, issued letters (file, hash, number) and their deliveries."""

from __future__ import annotations

import sqlite3


def current_template(conn: sqlite3.Connection, kind: str) -> sqlite3.Row | None:
    """The newest stored version of a template (version, text; text None: back to the default)."""
    return conn.execute("SELECT version, text FROM letter_templates WHERE kind = ? ORDER BY version DESC LIMIT 1",
                        (kind,)).fetchone()


def insert_template(conn: sqlite3.Connection, kind: str, version: int, text: str | None, created_at: str,
                    user_id: int | None) -> None:
    conn.execute("INSERT INTO letter_templates (kind, version, text, created_at, created_by)"
                 " VALUES (?, ?, ?, ?, ?)", (kind, version, text, created_at, user_id))


def for_case(conn: sqlite3.Connection, case_id: int) -> list[sqlite3.Row]:
    """Every letter issued for a case, in the order issued."""
    return conn.execute("SELECT * FROM letters WHERE case_id = ? ORDER BY id", (case_id,)).fetchall()


def latest(conn: sqlite3.Connection, case_id: int, kind: str) -> sqlite3.Row | None:
    """The newest version of a case's letter of ``kind``."""
    return conn.execute("SELECT * FROM letters WHERE case_id = ? AND kind = ? ORDER BY version DESC LIMIT 1",
                        (case_id, kind)).fetchone()


def get(conn: sqlite3.Connection, letter_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM letters WHERE id = ?", (letter_id,)).fetchone()


def insert(conn: sqlite3.Connection, case_id: int, kind: str, version: int, doc_no: str | None,
           stored_name: str, sha256: str, issued_on: str, issued_at: str, user_id: int | None) -> int:
    """Record an issued letter (its PDF already stored under ``stored_name``); returns its id."""
    return conn.execute(
        "INSERT INTO letters (case_id, kind, version, doc_no, stored_name, sha256, issued_on, issued_at,"
        " issued_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (case_id, kind, version, doc_no, stored_name, sha256, issued_on, issued_at, user_id)).fetchone()[0]


def latest_delivery(conn: sqlite3.Connection, letter_id: int) -> sqlite3.Row | None:
    """The most recently recorded delivery of a letter."""
    return conn.execute("SELECT * FROM deliveries WHERE letter_id = ? ORDER BY id DESC LIMIT 1",
                        (letter_id,)).fetchone()


def insert_delivery(conn: sqlite3.Connection, letter_id: int, method: str, tracking_no: str | None,
                    delivered_on: str, attachment_id: int | None, recorded_at: str, user_id: int | None) -> int:
    return conn.execute(
        "INSERT INTO deliveries (letter_id, method, tracking_no, delivered_on, attachment_id, recorded_at,"
        " recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (letter_id, method, tracking_no, delivered_on, attachment_id, recorded_at, user_id)).fetchone()[0]
