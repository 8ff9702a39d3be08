"""The append-only event table and its hash chain."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Collection, Iterator
from typing import Any

GENESIS = "0" * 64


def _digest(prev_hash: str, case_id: int, type_: str, effective_on: str, recorded_at: str,
            actor_id: int | None, payload: str) -> str:
    text = "\x1f".join([prev_hash, str(case_id), type_, effective_on, recorded_at,
                        "" if actor_id is None else str(actor_id), payload])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def dump_payload(payload: dict[str, Any]) -> str:
    """The stored (and hashed) text of a payload: one encoder made once (json.dumps with these options
    would make a new one for every event)."""
    return _ENCODER.encode(payload)


def append(conn: sqlite3.Connection, case_id: int, type_: str, effective_on: str, recorded_at: str,
           actor_id: int | None, payload: dict[str, Any]) -> int:
    """Add one event, chained to the previous row. Call inside a write transaction."""
    row = conn.execute("SELECT hash FROM case_events ORDER BY id DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    text = dump_payload(payload)
    digest = _digest(prev, case_id, type_, effective_on, recorded_at, actor_id, text)
    return conn.execute(
        "INSERT INTO case_events (case_id, type, effective_on, recorded_at, actor_id, payload,"
        " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
        (case_id, type_, effective_on, recorded_at, actor_id, text, prev, digest)).fetchone()[0]


def append_many(conn: sqlite3.Connection,
                rows: list[tuple[int, str, str, str, int | None, dict[str, Any]]]) -> None:
    """Add many events (case_id, type, effective_on, recorded_at, actor_id, payload), chained in order."""
    insert_chained(conn, chain(last_hash(conn), dumped(rows))[0])


def last_hash(conn) -> str:
    """The hash the next event is chained to (call inside the write transaction that appends it)."""
    row = conn.execute("SELECT hash FROM case_events ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def dumped(rows: list[tuple[int, str, str, str, int | None, dict[str, Any]]]) -> list[tuple]:
    """Events (case_id, type, effective_on, recorded_at, actor_id, payload) with their payloads' stored
    text, not yet chained: made apart from the write (a long import prepares its batches in a process
    of its own), chained when written (``chain``)."""
    return [(case_id, type_, effective_on, recorded_at, actor_id, dump_payload(payload))
            for case_id, type_, effective_on, recorded_at, actor_id, payload in rows]


def chain(prev: str, rows: list[tuple]) -> tuple[list[tuple], str]:
    """``dumped`` rows ready for insert_chained, each chained to the one before (``prev`` first), and
    the last hash."""
    out = []
    for case_id, type_, effective_on, recorded_at, actor_id, text in rows:
        digest = _digest(prev, case_id, type_, effective_on, recorded_at, actor_id, text)
        out.append((case_id, type_, effective_on, recorded_at, actor_id, text, prev, digest))
        prev = digest
    return out, prev


def insert_chained(conn, rows: list[tuple]) -> None:
    """Insert rows made by ``chained``, in their order, right after the event their first one names."""
    conn.insert_rows("case_events", ("case_id", "type", "effective_on", "recorded_at", "actor_id", "payload",
                                     "prev_hash", "hash"), rows)


def for_case(conn: sqlite3.Connection, case_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT e.*, u.name AS actor_name FROM case_events e LEFT JOIN users u ON u.id = e.actor_id"
        " WHERE e.case_id = ? ORDER BY e.id", (case_id,)).fetchall()


def for_cases(conn: sqlite3.Connection, case_ids: list[int]) -> dict[int, list[sqlite3.Row]]:
    out: dict[int, list[sqlite3.Row]] = {i: [] for i in case_ids}
    for chunk in range(0, len(case_ids), 500):
        ids = case_ids[chunk:chunk + 500]
        marks = ",".join("?" * len(ids))
        for row in conn.execute(
                f"SELECT * FROM case_events WHERE case_id IN ({marks}) ORDER BY id", ids):
            out[row["case_id"]].append(row)
    return out


def replay_rows(conn, case_ids: list[int], types: Collection[str] | None = None) -> list[tuple[int, str, str, str]]:
    """(case_id, type, effective_on, payload) of every event of these cases (of these ``types`` only,
    when given), by case and oldest first: what a replay needs, as plain tuples, for many cases at once
    (at most a few thousand ids). The types are written into the query, sorted, as the partial index
    case_events_for_ledger (migration 0017) names them: both databases use such an index only for a
    query whose condition is its own."""
    if not case_ids:
        return []
    of_types = ""
    if types is not None:
        if not all(_TYPE_NAME.fullmatch(t) for t in types):
            raise ValueError(f"not an event type: {sorted(types)}")
        of_types = f" AND type IN ({', '.join(repr(t) for t in sorted(types))})"
    return conn.fetch_tuples(f"SELECT case_id, type, effective_on, payload FROM case_events"
                             f" WHERE case_id IN ({','.join('?' * len(case_ids))}){of_types} ORDER BY case_id, id",
                             list(case_ids))


_TYPE_NAME = re.compile(r"[a-z0-9_]+")


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM case_events").fetchone()[0]


def verify_chain(conn: sqlite3.Connection) -> list[str]:
    """Problems in the chain: a row whose content does not match its hash, or a missing row. Read as
    plain tuples, a row at a time (a million cases hold ten million events)."""
    problems = []
    prev = GENESIS
    columns = "id, case_id, type, effective_on, recorded_at, actor_id, payload, prev_hash, hash"
    if conn.dialect == "sqlite":  # its cursor streams
        rows = conn.cursor()
        rows.row_factory = None
        rows.execute(f"SELECT {columns} FROM case_events ORDER BY id")
    else:  # a driver's cursor holds the whole result: read by the key, a batch at a time
        rows = _by_id(conn, columns)
    sha256, sep = hashlib.sha256, "\x1f"
    for event_id, case_id, type_, effective_on, recorded_at, actor_id, payload, prev_hash, digest in rows:
        if prev_hash != prev:
            problems.append(f"事件{event_id}之前的记录被删除或改动（链接断开）")
        text = sep.join((prev_hash, str(case_id), type_, effective_on, recorded_at,
                         "" if actor_id is None else str(actor_id), payload))
        if sha256(text.encode("utf-8")).hexdigest() != digest:
            problems.append(f"事件{event_id}（案件{case_id}）的内容被改动")
        prev = digest
    return problems


READ_BATCH = 20_000  # events read at a time where the driver would hold a whole result


def _by_id(conn, columns: str) -> Iterator[tuple]:
    """Every event's ``columns`` (the first being ``id``) in id order, ``READ_BATCH`` rows at a time."""
    last, batch = 0, READ_BATCH
    while True:
        rows = conn.fetch_tuples(f"SELECT {columns} FROM case_events WHERE id > ? ORDER BY id LIMIT ?", (last, batch))
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1][0]


def head(conn) -> tuple[int, str] | None:
    """The chain's last event: (id, hash); None when there is none."""
    row = conn.execute("SELECT id, hash FROM case_events ORDER BY id DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else None


def hash_at(conn, event_id: int) -> str | None:
    row = conn.execute("SELECT hash FROM case_events WHERE id = ?", (event_id,)).fetchone()
    return row[0] if row else None


def latest_recorded_at(conn) -> str | None:
    """When the newest event was entered (ISO); a clock earlier than this went backwards."""
    row = conn.execute("SELECT max(recorded_at) FROM case_events").fetchone()
    return row[0] if row else None


def recorded_file_hashes(conn) -> dict[tuple[str, int], str]:
    """The SHA-256 each letter and attachment had when its event was recorded, by (table, row id):
    the events are chained, so a file replaced together with its row's hash still differs here."""
    out: dict[tuple[str, int], str] = {}
    for type_, payload in conn.execute("SELECT type, payload FROM case_events WHERE type IN ('letter_issued', 'attach')"
                                       " ORDER BY id"):
        p = json.loads(payload)
        key = ("letters", p.get("letter_id")) if type_ == "letter_issued" else ("attachments", p.get("attachment_id"))
        if key[1] is not None and p.get("sha256"):
            out[key] = p["sha256"]
    return out
