"""Full-text search over request text and applicant name (SQLite FTS5, one character per token).

The index's rowid is not the case id but a *list key*: the day of receipt in the high 32 bits and the
case id in the low 32 (``search_key``). Ordering the index by rowid is therefore the registry's default
order (date of receipt, then id), so a search walks the index newest first and stops after one page
instead of collecting and sorting every match (a common word matches tens of thousands of cases).
A case's date of receipt and text are fixed once registered, so its key never changes.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date

_TOKEN = re.compile(r"\w", re.UNICODE)
_EPOCH = date(1970, 1, 1).toordinal()
ID_BITS = 32
ID_MASK = (1 << ID_BITS) - 1  # ``rowid & ID_MASK`` is the case id


def spaced(text: str | None) -> str:
    """Text as single-character tokens: '政府信息' → '政 府 信 息'."""
    return " ".join(_TOKEN.findall(text or ""))


def search_key(received_on: str, case_id: int) -> int:
    """The index rowid of a case: (day of receipt, id) packed so that integer order is list order."""
    return ((date.fromisoformat(received_on).toordinal() - _EPOCH) << ID_BITS) | case_id


def key_range(received_from: str | None, received_to: str | None) -> tuple[int, int]:
    """The smallest and largest list keys of cases received within the dates (inclusive)."""
    low = search_key(received_from, 0) if received_from else 0
    high = search_key(received_to, ID_MASK) if received_to else (1 << 62)
    return low, high


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the search index is rebuilt with (migration 0008)."""
    conn.create_function("search_key", 2, search_key, deterministic=True)
    conn.create_function("search_spaced", 1, spaced, deterministic=True)


def index_case(conn: sqlite3.Connection, case_id: int, received_on: str, request_text: str,
               applicant_name: str) -> None:
    conn.execute("INSERT INTO case_search (rowid, request_text, applicant_name) VALUES (?,?,?)",
                 (search_key(received_on, case_id), spaced(request_text), spaced(applicant_name)))


def match_expression(term: str) -> str | None:
    """An FTS5 MATCH expression finding ``term`` as a substring; None when it has no characters."""
    words = [w for w in re.split(r"\s+", term.strip()) if w]
    phrases = []
    for word in words:
        chars = _TOKEN.findall(word.lower())
        if chars:
            phrases.append('"' + " ".join(chars) + '"')
    return " AND ".join(phrases) if phrases else None


def matching_case_ids(conn: sqlite3.Connection, term: str, limit: int | None = None) -> list[int]:
    """Ids of cases whose request text or applicant name contains ``term`` (any length), newest first."""
    expr = match_expression(term)
    if expr is None:
        return []
    sql = f"SELECT rowid & {ID_MASK} FROM case_search WHERE case_search MATCH ? ORDER BY rowid DESC"
    params: list = [expr]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [r[0] for r in conn.execute(sql, params)]
