"""Applicants (a person or an organisation) and their history."""

from __future__ import annotations

import sqlite3
from typing import Any

FIELDS = ("kind", "applicant_type", "name", "id_type", "id_number", "work_unit", "legal_rep",
          "contact_person", "phone", "address", "postcode", "email")


def insert(conn: sqlite3.Connection, values: dict[str, Any], created_at: str) -> int:
    cols = [f for f in FIELDS if f in values]
    return conn.execute(
        f"INSERT INTO applicants ({', '.join(cols)}, created_at) VALUES ({', '.join('?' * len(cols))}, ?)"
        " RETURNING id",
        [values[c] for c in cols] + [created_at]).fetchone()[0]


def max_id(conn: sqlite3.Connection) -> int:
    """The highest applicant id so far (0 when there is none)."""
    return conn.execute("SELECT coalesce(max(id), 0) FROM applicants").fetchone()[0]


def insert_many_with_ids(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Bulk insert of (id, kind, applicant_type, name, id_type, id_number, phone, created_at), ids chosen
    by the caller (the data generator)."""
    conn.executemany(
        "INSERT INTO applicants (id, kind, applicant_type, name, id_type, id_number, phone, created_at)"
        " VALUES (?,?,?,?,?,?,?,?)", rows)


def find_same(conn: sqlite3.Connection, values: dict[str, Any]) -> int | None:
    """An existing applicant with the same ID number, or the same type, name and phone."""
    if values.get("id_number"):
        row = conn.execute("SELECT id FROM applicants WHERE id_number = ? AND name = ? ORDER BY id LIMIT 1",
                           (values["id_number"], values["name"])).fetchone()
        return row[0] if row else None
    row = conn.execute(
        "SELECT id FROM applicants WHERE id_number IS NULL AND name = ? AND applicant_type = ?"
        " AND coalesce(phone, '') = coalesce(?, '') ORDER BY id LIMIT 1",
        (values["name"], values["applicant_type"], values.get("phone"))).fetchone()
    return row[0] if row else None


def get(conn: sqlite3.Connection, applicant_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM applicants WHERE id = ?", (applicant_id,)).fetchone()


def matching_ids(conn: sqlite3.Connection, id_number: str | None, name: str | None) -> list[int]:
    """Applicants with this ID number (exact) or this exact name."""
    ids: set[int] = set()
    if id_number:
        ids.update(r[0] for r in conn.execute("SELECT id FROM applicants WHERE id_number = ?",
                                              (id_number.strip().upper(),)))
    if name:
        ids.update(r[0] for r in conn.execute("SELECT id FROM applicants WHERE name = ?", (name.strip(),)))
    return sorted(ids)


def count_cases_between(conn: sqlite3.Connection, applicant_ids: list[int], first: str, last: str) -> int:
    """Cases of these applicants received from ``first`` to ``last`` (ISO dates, inclusive)."""
    if not applicant_ids:
        return 0
    marks = ",".join("?" * len(applicant_ids))
    return conn.execute(
        f"SELECT count(*) FROM cases WHERE applicant_id IN ({marks}) AND received_on BETWEEN ? AND ?",
        [*applicant_ids, first, last]).fetchone()[0]
