"""The office's entries for an annual report (texts, part 二 figures, remedy cases) and final years.

What the report counts from the case facts is read in ``reports``."""

from __future__ import annotations

import sqlite3


def texts(conn: sqlite3.Connection, year: int) -> dict[str, str]:
    """The parts of the year's report text the office has written (part → text)."""
    return {r[0]: r[1] for r in conn.execute("SELECT part, text FROM annual_texts WHERE year = ?", (year,))}


def put_text(conn: sqlite3.Connection, year: int, part: str, text: str, updated_at: str,
             user_id: int | None) -> None:
    conn.execute("INSERT INTO annual_texts (year, part, text, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)"
                 " ON CONFLICT(year, part) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at,"
                 " updated_by = excluded.updated_by", (year, part, text, updated_at, user_id))


def put_input(conn: sqlite3.Connection, year: int, item: str, field: str, value: float) -> None:
    """One of the office's part 二 figures."""
    conn.execute("INSERT INTO annual_inputs (year, item, field, value) VALUES (?, ?, ?, ?)"
                 " ON CONFLICT(year, item, field) DO UPDATE SET value = excluded.value", (year, item, field, value))


def insert_remedy(conn: sqlite3.Connection, case_id: int | None, kind: str, filed_on: str, result: str | None,
                  concluded_on: str | None, notes: str | None) -> int:
    """Record a reconsideration or lawsuit (part 四); returns its id."""
    return conn.execute("INSERT INTO remedy_cases (case_id, kind, filed_on, result, concluded_on, notes)"
                        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                        (case_id, kind, filed_on, result, concluded_on, notes)).fetchone()[0]


def final_years(conn: sqlite3.Connection) -> set[int]:
    """Years whose report is final (their facts are locked)."""
    return {r[0] for r in conn.execute("SELECT year FROM annual_reports")}


def insert_final(conn: sqlite3.Connection, year: int, finalized_at: str, user_id: int | None,
                 figures: str) -> None:
    """Make a year final, keeping the published figures (JSON)."""
    conn.execute("INSERT INTO annual_reports (year, finalized_at, finalized_by, figures) VALUES (?, ?, ?, ?)",
                 (year, finalized_at, user_id, figures))


def final_figures(conn: sqlite3.Connection, year: int) -> str | None:
    """The figures (JSON) published when the year was made final; None if it is not final."""
    row = conn.execute("SELECT figures FROM annual_reports WHERE year = ?", (year,)).fetchone()
    return row[0] if row else None


def delete_final(conn: sqlite3.Connection, year: int) -> None:
    conn.execute("DELETE FROM annual_reports WHERE year = ?", (year,))
