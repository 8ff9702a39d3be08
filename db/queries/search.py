"""Full-text search over request text and applicant name (SQLite FTS5, one character per token)."""

from __future__ import annotations

import re
import sqlite3

_TOKEN = re.compile(r"\w", re.UNICODE)


def spaced(text: str | None) -> str:
    """Text as single-character tokens: '政府信息' → '政 府 信 息'."""
    return " ".join(_TOKEN.findall(text or ""))


def index_case(conn: sqlite3.Connection, case_id: int, request_text: str, applicant_name: str) -> None:
    conn.execute("INSERT INTO case_search (rowid, request_text, applicant_name) VALUES (?,?,?)",
                 (case_id, spaced(request_text), spaced(applicant_name)))


def unindex_case(conn: sqlite3.Connection, case_id: int, request_text: str, applicant_name: str) -> None:
    conn.execute("INSERT INTO case_search (case_search, rowid, request_text, applicant_name)"
                 " VALUES ('delete', ?, ?, ?)", (case_id, spaced(request_text), spaced(applicant_name)))


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
    """Ids of cases whose request text or applicant name contains ``term`` (any length)."""
    expr = match_expression(term)
    if expr is None:
        return []
    sql = "SELECT rowid FROM case_search WHERE case_search MATCH ?"
    params: list = [expr]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [r[0] for r in conn.execute(sql, params)]
