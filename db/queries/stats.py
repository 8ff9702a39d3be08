"""What the statistics screen counts: cases received or concluded in a period, optionally of one
division (the lead division)."""

from __future__ import annotations

import sqlite3

from db.queries.registry import FINISHED_SQL

OPEN_STATES = FINISHED_SQL  # the states NOT in this list are open


def _division(division_id: int | None) -> tuple[str, list]:
    return (" AND c.lead_division_id = ?", [division_id]) if division_id else ("", [])


def received_by_month(conn: sqlite3.Connection, first: str, last: str,
                      division_id: int | None = None) -> dict[str, int]:
    """Cases received from ``first`` to ``last`` (ISO dates, inclusive) per month (YYYY-MM)."""
    where, params = _division(division_id)
    return dict(conn.execute("SELECT substr(received_on, 1, 7), count(*) FROM cases c"
                             f" WHERE received_on BETWEEN ? AND ?{where} GROUP BY 1", [first, last, *params]))


def concluded_by_month(conn: sqlite3.Connection, first: str, last: str,
                       division_id: int | None = None) -> dict[str, int]:
    """Cases concluded from ``first`` to ``last`` per month (YYYY-MM)."""
    where, params = _division(division_id)
    return dict(conn.execute("SELECT substr(concluded_on, 1, 7), count(*) FROM cases c"
                             f" WHERE concluded_on BETWEEN ? AND ?{where} GROUP BY 1", [first, last, *params]))


def concluded_by_outcome(conn: sqlite3.Connection, first: str, last: str,
                         division_id: int | None = None) -> dict[str, int]:
    """Cases concluded from ``first`` to ``last`` per outcome code."""
    where, params = _division(division_id)
    return dict(conn.execute("SELECT outcome, count(*) FROM cases c WHERE concluded_on BETWEEN ? AND ?"
                             f" AND outcome IS NOT NULL{where} GROUP BY outcome", [first, last, *params]))


def concluded_late(conn: sqlite3.Connection, first: str, last: str, division_id: int | None = None) -> int:
    """Cases concluded from ``first`` to ``last`` after their due date."""
    where, params = _division(division_id)
    return conn.execute("SELECT count(*) FROM cases c WHERE concluded_on BETWEEN ? AND ? AND overdue = 1"
                        f"{where}", [first, last, *params]).fetchone()[0]


def overdue_now(conn: sqlite3.Connection, today: str, division_id: int | None = None) -> int:
    """Open cases, not paused, whose due date is before ``today``."""
    where, params = _division(division_id)
    return conn.execute(f"SELECT count(*) FROM cases c WHERE state NOT IN {OPEN_STATES}"
                        f" AND paused = 0 AND due_on < ?{where}", [today, *params]).fetchone()[0]


def by_division(conn: sqlite3.Connection, first: str, last: str,
                division_id: int | None = None) -> list[tuple[str, int, int, int]]:
    """Per lead division, by name: (name, received, concluded, concluded late) in the period."""
    where, params = _division(division_id)
    rows = conn.execute(
        "SELECT d.name, count(*) FILTER (WHERE c.received_on BETWEEN ? AND ?),"
        " count(*) FILTER (WHERE c.concluded_on BETWEEN ? AND ?),"
        " count(*) FILTER (WHERE c.concluded_on BETWEEN ? AND ? AND c.overdue = 1)"
        " FROM cases c JOIN divisions d ON d.id = c.lead_division_id"
        " WHERE (c.received_on BETWEEN ? AND ? OR c.concluded_on BETWEEN ? AND ?)"
        f"{where} GROUP BY d.name ORDER BY d.name", [first, last] * 5 + params)
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def received_and_concluded(conn: sqlite3.Connection, first: str, last: str,
                           division_id: int | None = None) -> list[tuple[str, str]]:
    """(received_on, concluded_on) of the cases concluded with an outcome from ``first`` to ``last``."""
    where, params = _division(division_id)
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT received_on, concluded_on FROM cases c WHERE concluded_on BETWEEN ? AND ?"
        f" AND outcome IS NOT NULL{where}", [first, last, *params])]


# The cases behind each figure above, by the same conditions (the statistics screen opens them).
FIGURE_CONDITIONS = {
    "received": "c.received_on BETWEEN ? AND ?",
    "concluded": "c.concluded_on BETWEEN ? AND ?",
    "concluded_late": "c.concluded_on BETWEEN ? AND ? AND c.overdue = 1",
    "outcome": "c.concluded_on BETWEEN ? AND ? AND c.outcome IS NOT NULL",
}


def case_ids(conn, figure: str, first: str, last: str, today: str, division_id: int | None = None,
             month: str | None = None, outcome: str | None = None,
             visible: tuple[str, list] | None = None) -> list[int]:
    """The ids of the cases counted in ``figure`` (a key of FIGURE_CONDITIONS, or "overdue_now"),
    newest first; ``month`` (YYYY-MM) narrows a received/concluded figure, ``visible`` is a reader's
    condition on ``c``."""
    if figure == "overdue_now":
        clauses, params = [f"c.state NOT IN {OPEN_STATES} AND c.paused = 0 AND c.due_on < ?"], [today]
    else:
        clauses, params = [FIGURE_CONDITIONS[figure]], [first, last]
    if month:
        column = "c.received_on" if figure == "received" else "c.concluded_on"
        clauses.append(f"substr({column}, 1, 7) = ?")
        params.append(month)
    if outcome:
        clauses.append("c.outcome = ?")
        params.append(outcome)
    if division_id:
        clauses.append("c.lead_division_id = ?")
        params.append(division_id)
    if visible is not None:
        clauses.append(visible[0])
        params += visible[1]
    return [r[0] for r in conn.execute(f"SELECT c.id FROM cases c WHERE {' AND '.join(clauses)}"
                                       " ORDER BY c.received_on DESC, c.id DESC", params)]
