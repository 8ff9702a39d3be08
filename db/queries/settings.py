"""Agency settings (key → text), divisions, document-number sequences, calendar rows."""

from __future__ import annotations

import hashlib
import sqlite3


def get_all(conn: sqlite3.Connection) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT key, value FROM agency_settings")}


def put(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO agency_settings (key, value) VALUES (?, ?)"
                 " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def next_number(conn: sqlite3.Connection, kind: str, year: int) -> int:
    """The next number of a per-year sequence (call inside a write transaction)."""
    return conn.execute("INSERT INTO doc_sequences (kind, year, last) VALUES (?, ?, 1)"
                        " ON CONFLICT(kind, year) DO UPDATE SET last = doc_sequences.last + 1 RETURNING last",
                        (kind, year)).fetchone()[0]


def raise_sequence(conn: sqlite3.Connection, kind: str, year: int, last: int) -> None:
    """Make a per-year sequence at least ``last`` (numbers already given to imported or generated cases)."""
    conn.execute("INSERT INTO doc_sequences (kind, year, last) VALUES (?, ?, ?)"
                 " ON CONFLICT(kind, year) DO UPDATE SET last = CASE WHEN excluded.last > doc_sequences.last"
                 " THEN excluded.last ELSE doc_sequences.last END", (kind, year, last))


def divisions(conn: sqlite3.Connection, active_only: bool = False) -> list[sqlite3.Row]:
    sql = "SELECT * FROM divisions"
    if active_only:
        sql += " WHERE active = 1"
    return conn.execute(sql + " ORDER BY is_office DESC, id").fetchall()


def division_by_name(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM divisions WHERE name = ?", (name.strip(),)).fetchone()


def insert_division(conn: sqlite3.Connection, name: str, is_office: bool = False) -> int:
    return conn.execute("INSERT INTO divisions (name, is_office) VALUES (?, ?) RETURNING id",
                        (name, int(is_office))).fetchone()[0]


def division_name(conn: sqlite3.Connection, division_id: int) -> str | None:
    row = conn.execute("SELECT name FROM divisions WHERE id = ?", (division_id,)).fetchone()
    return row[0] if row else None


def division_name_and_active(conn: sqlite3.Connection, division_id: int) -> sqlite3.Row | None:
    """The fields an administrator edits (name, active), as they are before the edit."""
    return conn.execute("SELECT name, active FROM divisions WHERE id = ?", (division_id,)).fetchone()


def is_active_division(conn: sqlite3.Connection, division_id: int) -> bool:
    if not 0 < division_id < 2**63:  # not an id either database could hold
        return False
    return conn.execute("SELECT 1 FROM divisions WHERE id = ? AND active = 1", (division_id,)).fetchone() is not None


def office_division_id(conn: sqlite3.Connection) -> int | None:
    """The information-disclosure office's own division (the first one, should there be several)."""
    row = conn.execute("SELECT id FROM divisions WHERE is_office = 1 ORDER BY id LIMIT 1").fetchone()
    return row[0] if row else None


def update_division(conn: sqlite3.Connection, division_id: int, name: str, active: bool) -> None:
    conn.execute("UPDATE divisions SET name = ?, active = ? WHERE id = ?", (name, int(active), division_id))


def calendar_overrides(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT day, is_workday, note, source FROM calendar_overrides ORDER BY day").fetchall()


def calendar_notice_years(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT year FROM calendar_years ORDER BY year")]


def replace_notice_year(conn: sqlite3.Connection, year: int, text: str, days: dict[str, int],
                        imported_at: str, user_id: int | None) -> None:
    """Store an imported notice: its days replace the earlier notice days of that year."""
    conn.execute("DELETE FROM calendar_overrides WHERE source = 'notice' AND day BETWEEN ? AND ?",
                 (f"{year - 1}-12-01", f"{year}-12-31"))
    conn.executemany(
        "INSERT INTO calendar_overrides (day, is_workday, note, source) VALUES (?, ?, ?, 'notice')"
        " ON CONFLICT(day) DO UPDATE SET is_workday = excluded.is_workday, note = excluded.note,"
        " source = 'notice'",
        [(day, work, f"{year}年国务院办公厅通知") for day, work in days.items()])
    conn.execute("INSERT INTO calendar_years (year, notice_text, imported_at, imported_by)"
                 " VALUES (?, ?, ?, ?) ON CONFLICT(year) DO UPDATE SET notice_text = excluded.notice_text,"
                 " imported_at = excluded.imported_at, imported_by = excluded.imported_by",
                 (year, text, imported_at, user_id))


def set_override(conn: sqlite3.Connection, day: str, is_workday: bool | None, note: str | None) -> None:
    if is_workday is None:
        conn.execute("DELETE FROM calendar_overrides WHERE day = ?", (day,))
    else:
        conn.execute("INSERT INTO calendar_overrides (day, is_workday, note, source) VALUES (?, ?, ?, 'manual')"
                     " ON CONFLICT(day) DO UPDATE SET is_workday = excluded.is_workday, note = excluded.note,"
                     " source = 'manual'", (day, int(is_workday), note))


def _audit_digest(prev: str, recorded_at: str, actor_id: int | None, action: str, payload: str) -> str:
    text = "\x1f".join([prev, recorded_at, "" if actor_id is None else str(actor_id), action, payload])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def audit(conn: sqlite3.Connection, recorded_at: str, actor_id: int | None, action: str, payload: str) -> None:
    """Record an administrative action, chained to the one before (call inside a write transaction:
    writers wait for each other there, so the chain does not fork)."""
    row = conn.execute("SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
    prev = row[0] if row else "0" * 64
    conn.execute("INSERT INTO audit_log (recorded_at, actor_id, action, payload, prev_hash, hash)"
                 " VALUES (?, ?, ?, ?, ?, ?)",
                 (recorded_at, actor_id, action, payload, prev, _audit_digest(prev, recorded_at, actor_id, action,
                                                                              payload)))


def verify_audit_chain(conn) -> list[str]:
    """Problems in the chain of administrative actions: a row changed, deleted, or unchained after the
    chain began (rows from before version 13 carry no hash and are not checked)."""
    problems, prev, started = [], "0" * 64, False
    for r in conn.execute("SELECT id, recorded_at, actor_id, action, payload, prev_hash, hash FROM audit_log"
                          " ORDER BY id"):
        if r["hash"] is None:
            if started:
                problems.append(f"管理操作记录{r['id']}的校验值被删除")
            continue
        started = True
        if r["prev_hash"] != prev:
            problems.append(f"管理操作记录{r['id']}之前的记录被删除或改动（链接断开）")
        if _audit_digest(r["prev_hash"], r["recorded_at"], r["actor_id"], r["action"], r["payload"]) != r["hash"]:
            problems.append(f"管理操作记录{r['id']}（{r['action']}）的内容被改动")
        prev = r["hash"]
    return problems


def audit_head(conn) -> tuple[int, str] | None:
    row = conn.execute("SELECT id, hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else None


def audit_hash_at(conn, audit_id: int) -> str | None:
    row = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (audit_id,)).fetchone()
    return row[0] if row else None
