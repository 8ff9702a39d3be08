"""Full-text search over request text and applicant name, on SQLite (FTS5, one character per
token) and on PostgreSQL (pg_trgm for terms of 3+ characters, an index of 1- and 2-character grams for
shorter ones): both find any substring of any length, with the same results.

The index's rowid is not the case id but a *list key*: the day of receipt in the high 32 bits and the
case id in the low 32 (``search_key``). Ordering the index by rowid is therefore the registry's default
order (date of receipt, then id), so a search walks the index newest first and stops after one page
instead of collecting and sorting every match (a common word matches tens of thousands of cases).
A case's date of receipt and text are fixed once registered, so its key never changes.

On PostgreSQL the planner, left alone, walks the key index backwards hoping for early matches and
takes up to a second for a rare or absent term. So the SQL forces one of two shapes: with few matches
(counted through the search indexes, up to ``MANY``) they are all fetched through those indexes and
sorted; with many, the key index is walked newest first and each row is tested (``strpos``, which
no index serves), stopping after a page.
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


MANY = 2_000  # matches; from this many on, a PostgreSQL search walks the key index


def normalized(text: str | None) -> str:
    """The word characters of ``text`` in lower case: what the SQLite index holds as tokens."""
    return "".join(_TOKEN.findall((text or "").lower()))


def terms(term: str) -> list[str]:
    """The words of a search (each normalized); a case matches when it contains every one."""
    return [w for w in (normalized(word) for word in re.split(r"\s+", term.strip())) if w]


def pg_row(received_on: str, case_id: int, request_text: str, applicant_name: str) -> tuple[int, str, list[str]]:
    """(key, body, grams) of a case in the PostgreSQL search table."""
    parts = [normalized(request_text), normalized(applicant_name)]
    grams = set()
    for part in parts:
        grams.update(part)
        grams.update(part[i:i + 2] for i in range(len(part) - 1))
    return search_key(received_on, case_id), "|".join(parts), sorted(grams)


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _pg_indexed(words: list[str], alias: str = "") -> tuple[str, list]:
    """Conditions that the search indexes serve: trigrams for 3+ characters, grams for 1-2."""
    clauses, params = [], []
    for word in words:
        if len(word) >= 3:
            clauses.append(f"{alias}body LIKE ?")
            params.append(_like(word))
        else:
            clauses.append(f"{alias}grams @> ARRAY[?]::text[]")
            params.append(word)
    return " AND ".join(clauses), params


def _pg_tested(words: list[str], alias: str = "") -> tuple[str, list]:
    """The same conditions in a form no index serves: tested on each row of a walk in key order."""
    return " AND ".join(f"strpos({alias}body, ?) > 0" for _ in words), list(words)


def text_condition(conn, term: str) -> tuple[str, list] | None:
    """A condition on ``c.id``: the case's request text or applicant name contains ``term``."""
    if conn.dialect == "sqlite":
        expr = match_expression(term)
        if expr is None:
            return None
        return f"c.id IN (SELECT rowid & {ID_MASK} FROM case_search WHERE case_search MATCH ?)", [expr]
    words = terms(term)
    if not words:
        return None
    where, params = _pg_indexed(words)
    return f"c.id IN (SELECT key & {ID_MASK} FROM case_search WHERE {where})", params


def count_upto(conn, term: str, n: int, low: int = 0, high: int = 1 << 62) -> int:
    """How many cases contain ``term`` (with list keys from ``low`` to ``high``), counting at most ``n``."""
    if conn.dialect == "sqlite":
        expr = match_expression(term)
        if expr is None:
            return 0
        return conn.execute("SELECT count(*) FROM (SELECT 1 FROM case_search WHERE case_search MATCH ?"
                            " AND rowid BETWEEN ? AND ? LIMIT ?)", (expr, low, high, n)).fetchone()[0]
    words = terms(term)
    if not words:
        return 0
    where, params = _pg_indexed(words)
    return conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM case_search WHERE {where}"
                        " AND key BETWEEN ? AND ? LIMIT ?) m", [*params, low, high, n]).fetchone()[0]


def count(conn, term: str, low: int = 0, high: int = 1 << 62) -> int:
    """How many cases contain ``term``, with list keys from ``low`` to ``high``."""
    return count_upto(conn, term, 1 << 62, low, high)


def key_column(conn) -> str:
    """The list key of the search table aliased ``s``."""
    return "s.rowid" if conn.dialect == "sqlite" else "s.key"


def matches_in_key_order(conn, term: str, low: int, high: int) -> tuple[str, str, list] | None:
    """``(source, condition, params)``: ``SELECT … FROM {source} WHERE {condition}`` joins the matching
    search rows ``s`` (keys from ``low`` to ``high``) to their cases ``c``, ready to be ordered by the key."""
    if conn.dialect == "sqlite":
        expr = match_expression(term)
        if expr is None:
            return None
        return (f"case_search s JOIN cases c ON c.id = (s.rowid & {ID_MASK})",
                "case_search MATCH ? AND s.rowid BETWEEN ? AND ?", [expr, low, high])
    words = terms(term)
    if not words:
        return None
    if count_upto(conn, term, MANY, low, high) >= MANY:  # many: walk the key index, test each row
        where, params = _pg_tested(words, "s.")
        return (f"case_search s JOIN cases c ON c.id = (s.key & {ID_MASK})",
                f"{where} AND s.key BETWEEN ? AND ?", [*params, low, high])
    where, params = _pg_indexed(words)  # few: all of them through the search indexes (OFFSET 0 fences)
    return (f"(SELECT key FROM case_search WHERE {where} AND key BETWEEN ? AND ? OFFSET 0) s"
            f" JOIN cases c ON c.id = (s.key & {ID_MASK})", "1 = 1", [*params, low, high])


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the search index is rebuilt with (migration 0008)."""
    conn.create_function("search_key", 2, search_key, deterministic=True)
    conn.create_function("search_spaced", 1, spaced, deterministic=True)


def index_case(conn, case_id: int, received_on: str, request_text: str, applicant_name: str) -> None:
    """Add a newly registered case to the search index (in its registration transaction)."""
    index_cases(conn, [(case_id, received_on, request_text, applicant_name)])


def index_cases(conn, cases: list[tuple[int, str, str, str]]) -> None:
    """Add cases ``(id, received_on, request_text, applicant_name)`` to the search index."""
    if conn.dialect == "sqlite":
        conn.executemany("INSERT INTO case_search (rowid, request_text, applicant_name) VALUES (?,?,?)",
                         [(search_key(received, case_id), spaced(text), spaced(name))
                          for case_id, received, text, name in cases])
    else:
        conn.executemany("INSERT INTO case_search (key, body, grams) VALUES (?,?,?)",
                         [pg_row(received, case_id, text, name) for case_id, received, text, name in cases])


def match_expression(term: str) -> str | None:
    """An FTS5 MATCH expression finding ``term`` as a substring; None when it has no characters."""
    words = [w for w in re.split(r"\s+", term.strip()) if w]
    phrases = []
    for word in words:
        chars = _TOKEN.findall(word.lower())
        if chars:
            phrases.append('"' + " ".join(chars) + '"')
    return " AND ".join(phrases) if phrases else None


def matching_case_ids(conn, term: str, limit: int | None = None) -> list[int]:
    """Ids of cases whose request text or applicant name contains ``term`` (any length), newest first."""
    found = matches_in_key_order(conn, term, 0, 1 << 62)
    if found is None:
        return []
    source, where, params = found
    sql = f"SELECT c.id FROM {source} WHERE {where} ORDER BY {key_column(conn)} DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params = [*params, limit]
    return [r[0] for r in conn.execute(sql, params)]


def similar_requests(conn, parts: list[str], limit: int) -> list:
    """Cases whose request text or applicant name contains any of ``parts`` (a few distinctive pieces
    of a new request), best first: SQLite ranks by FTS5's bm25; PostgreSQL by how much of the parts a
    case contains, then newest first."""
    columns = "c.id, c.case_no, c.received_on, c.request_text, c.state, a.name AS applicant_name"
    if conn.dialect == "sqlite":
        expr = " OR ".join(e for e in (match_expression(p) for p in parts) if e)
        if not expr:
            return []
        return conn.execute(
            f"SELECT {columns} FROM (SELECT rowid, rank FROM case_search WHERE case_search MATCH ?"
            f" ORDER BY rank LIMIT ?) s JOIN cases c ON c.id = (s.rowid & {ID_MASK})"
            " JOIN applicants a ON a.id = c.applicant_id ORDER BY s.rank", (expr, limit)).fetchall()
    words = [w for w in (normalized(p) for p in parts) if w]
    if not words:
        return []
    conditions = [_pg_indexed([w]) for w in words]
    score = " + ".join(f"(CASE WHEN {sql} THEN {len(w)} ELSE 0 END)" for (sql, _), w in zip(conditions, words, strict=True))
    where = " OR ".join(sql for sql, _ in conditions)
    params = [p for _, ps in conditions for p in ps] * 2
    return conn.execute(
        f"SELECT {columns} FROM (SELECT key, {score} AS score FROM case_search WHERE {where}"
        f" ORDER BY 2 DESC, key DESC LIMIT ?) s JOIN cases c ON c.id = (s.key & {ID_MASK})"
        " JOIN applicants a ON a.id = c.applicant_id ORDER BY s.score DESC, s.key DESC",
        [*params, limit]).fetchall()
