"""Fee notices and payments (annual report part 六)."""

from __future__ import annotations

import sqlite3


def insert_notice(conn: sqlite3.Connection, case_id: int, method: str, quantity: int, tier: str, amount: int,
                  issued_on: str, payment_due_on: str | None) -> int:
    return conn.execute(
        "INSERT INTO fee_notices (case_id, method, quantity, tier, amount, issued_on, payment_due_on)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (case_id, method, quantity, tier, amount, issued_on, payment_due_on)).fetchone()[0]


def open_notice(conn: sqlite3.Connection, case_id: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT n.* FROM fee_notices n WHERE n.case_id = ? AND NOT EXISTS"
        " (SELECT 1 FROM fee_payments p WHERE p.fee_notice_id = n.id) ORDER BY n.id DESC LIMIT 1",
        (case_id,)).fetchone()


def insert_payment(conn: sqlite3.Connection, notice_id: int, paid_on: str, amount: int) -> int:
    return conn.execute("INSERT INTO fee_payments (fee_notice_id, paid_on, amount) VALUES (?, ?, ?) RETURNING id",
                        (notice_id, paid_on, amount)).fetchone()[0]


def month_position(conn: sqlite3.Connection, case_id: int) -> int:
    """Which application of its applicant in its natural month this case is (1-based)."""
    return conn.execute(
        "SELECT count(*) FROM cases o JOIN cases c ON c.id = ? WHERE o.applicant_id = c.applicant_id"
        " AND substr(o.received_on, 1, 7) = substr(c.received_on, 1, 7)"
        " AND (o.received_on < c.received_on OR (o.received_on = c.received_on AND o.id <= c.id))",
        (case_id,)).fetchone()[0]
