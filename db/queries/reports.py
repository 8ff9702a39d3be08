"""What the annual report and the statistics read: plain aggregates over the case projection."""

from __future__ import annotations

import sqlite3


def case_facts(conn: sqlite3.Connection, year: int) -> list[sqlite3.Row]:
    """Every case that can count in ``year``: received by its end and not concluded before its start."""
    return conn.execute(
        "SELECT a.applicant_type, c.received_on, c.concluded_on, c.outcome FROM cases c"
        " JOIN applicants a ON a.id = c.applicant_id"
        " WHERE c.received_on <= ? AND (c.concluded_on IS NULL OR c.concluded_on >= ?"
        "   OR c.concluded_on < c.received_on)",
        (f"{year}-12-31", f"{year}-01-01")).fetchall()


def concluded_in(conn: sqlite3.Connection, year: int) -> list[sqlite3.Row]:
    """Cases concluded in ``year`` whatever their receipt (so a fact out of order still shows)."""
    return conn.execute(
        "SELECT a.applicant_type, c.received_on, c.concluded_on, c.outcome FROM cases c"
        " JOIN applicants a ON a.id = c.applicant_id WHERE c.concluded_on BETWEEN ? AND ?"
        " AND c.received_on > ?", (f"{year}-01-01", f"{year}-12-31", f"{year}-12-31")).fetchall()


def remedies(conn: sqlite3.Connection, year: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM remedy_cases WHERE filed_on BETWEEN ? AND ? ORDER BY filed_on, id",
                        (f"{year}-01-01", f"{year}-12-31")).fetchall()


def fee_figures(conn: sqlite3.Connection, year: int) -> dict[str, int]:
    first, last = f"{year}-01-01", f"{year}-12-31"
    notices, billed = conn.execute("SELECT count(*), coalesce(sum(amount), 0) FROM fee_notices"
                                   " WHERE issued_on BETWEEN ? AND ?", (first, last)).fetchone()
    collected = conn.execute("SELECT coalesce(sum(amount), 0) FROM fee_payments WHERE paid_on BETWEEN ? AND ?",
                             (first, last)).fetchone()[0]
    return {"notices": notices, "billed": billed, "collected": collected}


def part2_inputs(conn: sqlite3.Connection, year: int) -> dict[tuple[str, str], float]:
    return {(r["item"], r["field"]): r["value"] for r in
            conn.execute("SELECT item, field, value FROM annual_inputs WHERE year = ?", (year,))}
