"""Cases: insert, read, the derived projection, and the registry's id queries."""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Sequence
from typing import Any

from db.queries.registry import FINISHED_SQL

CASE_FIELDS = ("case_no", "applicant_id", "applicant_name", "applicant_type", "channel", "received_on", "request_text", "index_no",
               "purpose", "delivery_form", "delivery_route", "accept_other_form", "remarks",
               "split_from_id", "created_at", "created_by", "state")
DERIVED_FIELDS = ("state", "lead_division_id", "due_on", "paused", "outcome", "concluded_on", "overdue",
                  "return_comment", "clock_note")


def insert_many(conn, columns: Sequence[str], rows: list[tuple]) -> None:
    """Bulk insert of case rows with these ``columns`` (ids chosen by the caller, under the write lock:
    cases.create_cases, the one way cases are created)."""
    unknown = set(columns) - {"id", *CASE_FIELDS, *DERIVED_FIELDS}
    if unknown:
        raise ValueError(f"not a case column: {sorted(unknown)}")
    conn.insert_rows("cases", columns, rows)


def follow_ids(conn) -> None:
    """PostgreSQL: the next case id after the highest present (cases created with ids chosen by the
    caller); SQLite picks max(id) + 1 by itself."""
    if conn.dialect != "sqlite":
        conn.execute("SELECT setval(pg_get_serial_sequence('cases', 'id'), coalesce((SELECT max(id) FROM cases), 0) + 1,"
                     " false)")


def max_id(conn: sqlite3.Connection) -> int:
    """The highest case id so far (0 when there is none)."""
    return conn.execute("SELECT coalesce(max(id), 0) FROM cases").fetchone()[0]


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM cases").fetchone()[0]


def earliest_received_on(conn: sqlite3.Connection) -> str | None:
    """The date of receipt of the oldest case (ISO), None on an empty registry."""
    return conn.execute("SELECT min(received_on) FROM cases").fetchone()[0]


def get(conn: sqlite3.Connection, case_id: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT c.*, a.name AS applicant_name, a.applicant_type, a.kind AS applicant_kind,"
        " a.id_type, a.id_number, a.phone, a.address, a.email, a.postcode, a.work_unit,"
        " a.legal_rep, a.contact_person, d.name AS lead_division_name"
        " FROM cases c JOIN applicants a ON a.id = c.applicant_id"
        " LEFT JOIN divisions d ON d.id = c.lead_division_id WHERE c.id = ?", (case_id,)).fetchone()


def id_by_number(conn: sqlite3.Connection, case_no: str) -> int | None:
    row = conn.execute("SELECT id FROM cases WHERE case_no = ?", (case_no.strip(),)).fetchone()
    return row[0] if row else None


def numbers_taken(conn: sqlite3.Connection, case_nos: Sequence[str]) -> set[str]:
    taken: set[str] = set()
    for i in range(0, len(case_nos), 500):
        chunk = list(case_nos[i:i + 500])
        marks = ",".join("?" * len(chunk))
        taken.update(r[0] for r in conn.execute(f"SELECT case_no FROM cases WHERE case_no IN ({marks})",
                                                chunk))
    return taken


def update_derived(conn: sqlite3.Connection, case_id: int, values: dict[str, Any],
                   bump_version: bool = True) -> None:
    sets = ", ".join(f"{k} = ?" for k in DERIVED_FIELDS)
    bump = ", version = version + 1" if bump_version else ""
    conn.execute(f"UPDATE cases SET {sets}{bump} WHERE id = ?",
                 [values[k] for k in DERIVED_FIELDS] + [case_id])


def set_co_divisions(conn: sqlite3.Connection, case_id: int, division_ids: Sequence[int]) -> None:
    conn.execute("DELETE FROM case_co_divisions WHERE case_id = ?", (case_id,))
    conn.executemany("INSERT INTO case_co_divisions (case_id, division_id) VALUES (?, ?)",
                     [(case_id, d) for d in division_ids])


def open_case_ids(conn: sqlite3.Connection) -> list[int]:
    """Ids of the cases not yet concluded, ascending (sorted here: an ORDER BY would make SQLite scan
    the table instead of the state index)."""
    return sorted(r[0] for r in conn.execute(
        f"SELECT id FROM cases WHERE state NOT IN {FINISHED_SQL}"))


def visible_clause(division_id: int | None, user_id: int | None) -> tuple[str, list]:
    """The condition on ``c`` (a cases row) that keeps what a division user may read: the cases their
    division leads or shares, and those they acted on themselves (three indexed lookups)."""
    return ("c.id IN (SELECT id FROM cases WHERE lead_division_id = ?"
            " UNION SELECT case_id FROM case_co_divisions WHERE division_id = ?"
            " UNION SELECT case_id FROM case_events WHERE actor_id = ?)",
            [division_id if division_id is not None else -1, division_id if division_id is not None else -1,
             user_id if user_id is not None else -1])


def visible(conn, case_id: int, division_id: int | None, user_id: int | None) -> bool:
    """Whether a division user may read this case (see visible_clause)."""
    clause, params = visible_clause(division_id, user_id)
    return conn.execute(f"SELECT 1 FROM cases c WHERE c.id = ? AND {clause}", [case_id, *params]).fetchone() \
        is not None


def numbers_found(conn, candidates: Sequence[str]) -> list[str]:
    """Which of these case numbers exist."""
    return sorted(numbers_taken(conn, candidates)) if candidates else []


def lookup_clause(kind: str, values: Sequence[str]) -> tuple[str, list]:
    """The condition on ``c`` for a lookup by case numbers, an applicant's ID number or phone digits."""
    marks = ",".join("?" * len(values))
    if kind == "case_no":
        return f"c.case_no IN ({marks})", list(values)
    if kind == "id_number":
        return f"c.applicant_id IN (SELECT id FROM applicants WHERE id_number IN ({marks}))", list(values)
    return (f"c.applicant_id IN (SELECT id FROM applicants WHERE replace(replace(phone, '-', ''), ' ', '')"
            f" IN ({marks}) AND phone IS NOT NULL)", list(values))


def paused_case_ids(conn) -> list[int]:
    """Open cases whose clock is stopped: their projected due date moves with every working day."""
    return sorted(r[0] for r in conn.execute(
        f"SELECT id FROM cases WHERE state NOT IN {FINISHED_SQL} AND paused = 1"))


def ids_spanning(conn, first: str, last: str) -> list[int]:
    """Cases whose time runs over any day from ``first`` to ``last``: received by ``last`` and not
    concluded before ``first`` (a calendar change there can move their due date or overdue flag)."""
    return sorted(r[0] for r in conn.execute(
        "SELECT id FROM cases WHERE received_on <= ? AND (concluded_on IS NULL OR concluded_on >= ?)",
        (last, first)))


def ledger_ids(conn, year: int | None = None,
               visible_to: tuple[int | None, int | None] | None = None) -> array:
    """The ids of the ledger export in registry order (received date, number), of one year or all;
    ``visible_to`` (division id, user id) keeps what a division user may read. A compact array: the
    ids of a million cases take 8 MB, where a list of them would take 36."""
    clauses: list[str] = []
    params: list[Any] = []
    if year is not None:
        clauses.append("c.received_on BETWEEN ? AND ?")
        params += [f"{year}-01-01", f"{year}-12-31"]
    if visible_to is not None:
        clause, values = visible_clause(*visible_to)
        clauses.append(clause)
        params += values
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    out = array("q")
    for row in conn.execute(f"SELECT c.id FROM cases c{where} ORDER BY c.received_on, c.case_no", params):
        out.append(row[0])
    return out


# The stored columns of the ledger, in the order ledger.ledger_rows unpacks them; the last four are the
# projection of the case's events the export takes instead of replaying them.
LEDGER_COLUMNS = ("c.id", "c.case_no", "c.channel", "c.applicant_type", "c.applicant_name", "a.id_type", "a.id_number",
                  "a.phone", "a.address", "a.email", "c.request_text", "c.lead_division_id", "c.remarks",
                  "c.state", "c.received_on", "c.outcome", "c.concluded_on")


def ledger_columns(conn, case_ids: Sequence[int]) -> list[tuple]:
    """LEDGER_COLUMNS of these cases (any order; at most a few thousand ids at a time)."""
    if not case_ids:
        return []
    return conn.fetch_tuples(f"SELECT {', '.join(LEDGER_COLUMNS)} FROM cases c JOIN applicants a ON a.id = c.applicant_id"
                             f" WHERE c.id IN ({','.join('?' * len(case_ids))})", list(case_ids))


def existing_applicants(conn, with_id: Sequence[tuple], without_id: Sequence[tuple]) -> dict[tuple, int]:
    """For the ledger import: the applicant already recorded for each key, by the rule of
    applicants.find_same — ``(id_number, name)``, or ``(None, name, applicant_type, phone or "")`` for
    one without an ID number — the oldest when several match. Keys with no match are left out."""
    found: dict[tuple, int] = {}
    for i in range(0, len(with_id), 500):
        chunk = with_id[i:i + 500]
        wanted = set(chunk)
        for id_number, name, applicant_id in conn.fetch_tuples(
                f"SELECT id_number, name, min(id) FROM applicants WHERE id_number IN ({','.join('?' * len(chunk))})"
                " GROUP BY id_number, name", [k[0] for k in chunk]):
            if (id_number, name) in wanted:
                found[(id_number, name)] = applicant_id
    for i in range(0, len(without_id), 500):
        chunk = without_id[i:i + 500]
        wanted = set(chunk)
        names = sorted({k[1] for k in chunk})
        for name, applicant_type, phone, applicant_id in conn.fetch_tuples(
                "SELECT name, applicant_type, coalesce(phone, ''), min(id) FROM applicants WHERE id_number IS NULL"
                f" AND name IN ({','.join('?' * len(names))}) GROUP BY 1, 2, 3", names):
            key = (None, name, applicant_type, phone)
            if key in wanted:
                found[key] = applicant_id
    return found


def insert_applicants_with_ids(conn, rows: list[tuple]) -> None:
    """For the ledger import: bulk insert of applicants (id, every field of applicants.FIELDS in that
    order, created_at), ids chosen by the caller under the write lock."""
    from db.queries.applicants import FIELDS

    conn.insert_rows("applicants", ("id", *FIELDS, "created_at"), rows)


def history_of_applicants(conn: sqlite3.Connection, applicant_ids: Sequence[int],
                          limit: int = 50) -> list[sqlite3.Row]:
    if not applicant_ids:
        return []
    marks = ",".join("?" * len(applicant_ids))
    return conn.execute(
        f"SELECT id, case_no, received_on, request_text, state, outcome FROM cases"
        f" WHERE applicant_id IN ({marks}) ORDER BY received_on DESC, id DESC LIMIT ?",
        [*applicant_ids, limit]).fetchall()


def fact_rows_after(conn, after_id: int, limit: int) -> list:
    """The recorded facts of the next cases by id (for comparing each with its events)."""
    return conn.execute(
        "SELECT id, case_no, received_on, channel, request_text, applicant_name, applicant_type, state,"
        " outcome, concluded_on, lead_division_id FROM cases WHERE id > ? ORDER BY id LIMIT ?",
        (after_id, limit)).fetchall()
