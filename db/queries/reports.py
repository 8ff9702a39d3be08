"""What the annual report and the statistics read: plain aggregates over the case projection."""

from __future__ import annotations

import sqlite3


def case_fact_groups(conn: sqlite3.Connection, year: int) -> list[sqlite3.Row]:
    """The cases that can count in ``year``, grouped by what the counting rules compare: applicant type,
    receipt and conclusion before / in / after the year, outcome. One GROUP BY; each group comes with
    a representative date for each side (the year's first day, last day, or just outside)."""
    first, last = f"{year}-01-01", f"{year}-12-31"
    before, after = f"{year - 1}-12-31", f"{year + 1}-01-01"
    return conn.execute(
        "SELECT applicant_type,"
        " CASE WHEN received_on < :first THEN :before WHEN received_on <= :last THEN :first ELSE :after END AS received_on,"
        " CASE WHEN concluded_on IS NULL THEN NULL WHEN concluded_on < :first THEN :before"
        "      WHEN concluded_on <= :last THEN :first ELSE :after END AS concluded_on,"
        " outcome, count(*) AS n FROM ("
        # Four disjoint parts, each read through an index (an OR of them made the servers read every case):
        # open, concluded in or after the year, received after it but concluded in it, concluded before
        # received (contradictory facts: a small partial index).
        "  SELECT applicant_type, received_on, concluded_on, outcome FROM cases"
        "   WHERE concluded_on IS NULL AND received_on <= :last"
        "  UNION ALL SELECT applicant_type, received_on, concluded_on, outcome FROM cases"
        "   WHERE concluded_on >= :first AND received_on <= :last"
        "  UNION ALL SELECT applicant_type, received_on, concluded_on, outcome FROM cases"
        "   WHERE concluded_on BETWEEN :first AND :last AND received_on > :last"
        "  UNION ALL SELECT applicant_type, received_on, concluded_on, outcome FROM cases"
        "   WHERE concluded_on < received_on AND concluded_on < :first AND received_on <= :last"
        " ) c GROUP BY 1, 2, 3, 4",
        {"first": first, "last": last, "before": before, "after": after}).fetchall()


def remedies(conn: sqlite3.Connection, year: int) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM remedy_cases WHERE filed_on BETWEEN ? AND ? ORDER BY filed_on, id",
                        (f"{year}-01-01", f"{year}-12-31")).fetchall()


def fee_figures(conn: sqlite3.Connection, year: int) -> dict[str, int]:
    """Fee notices issued in ``year``, the amount billed and the amount collected (yuan)."""
    first, last = f"{year}-01-01", f"{year}-12-31"
    notices, billed = conn.execute("SELECT count(*), CAST(coalesce(sum(amount), 0) AS BIGINT) FROM fee_notices"
                                   " WHERE issued_on BETWEEN ? AND ?", (first, last)).fetchone()
    collected = conn.execute("SELECT CAST(coalesce(sum(amount), 0) AS BIGINT) FROM fee_payments"
                             " WHERE paid_on BETWEEN ? AND ?", (first, last)).fetchone()[0]
    return {"notices": notices, "billed": billed, "collected": collected}


def part2_inputs(conn: sqlite3.Connection, year: int) -> dict[tuple[str, str], float]:
    return {(r["item"], r["field"]): r["value"] for r in
            conn.execute("SELECT item, field, value FROM annual_inputs WHERE year = ?", (year,))}


def first_fact_year(conn) -> int | None:
    """The year of the earliest recorded fact a report counts (a receipt or a remedy case)."""
    row = conn.execute("SELECT min(d) FROM (SELECT min(received_on) AS d FROM cases"
                       " UNION ALL SELECT min(filed_on) FROM remedy_cases) m").fetchone()
    return int(row[0][:4]) if row and row[0] else None
