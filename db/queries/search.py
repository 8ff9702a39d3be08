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
they are all fetched through the search indexes and sorted; with many, the key index is walked newest
first and each row is tested (``strpos``, which no index serves), stopping after a page. Which one
is decided without counting where possible (counting a common term's matches through an index costs
25-100 ms at a million cases, 50 times the page itself): the server's statistics of the ``grams``
column give how often each common 1- and 2-character gram occurs, an upper bound for a longer term
(``_share``). A term they call rare is fetched; a common one is first walked for a bounded number of
rows (``walk_bound``: a page is usually found in a few hundred), and only when that finds no full
page are the matches looked up, up to ``MANY`` keys, which then serve as the list themselves. The
statistics only choose the shape: every shape lists the same cases in the same order.
"""

from __future__ import annotations

import math
import re
import sqlite3
import time
from datetime import date
from weakref import WeakKeyDictionary

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
WALK_MOST = 20_000  # rows of the key index a walk may read for one page before the matches are looked up
WALK_UNMEASURED = 8  # pages' worth of rows walked for a page while the server has no statistics yet
STATS_SECONDS = 600.0  # the statistics are read again after this long (they change only with ANALYZE)


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


_stats: WeakKeyDictionary = WeakKeyDictionary()  # connection → (read at, statistics or None)


def _gram_stats(conn) -> tuple[float, dict[str, float], float] | None:
    """PostgreSQL: (rows, share of rows holding each common gram, the smallest share listed) of the
    search table, from the server's statistics (ANALYZE, done by autovacuum); None before there are any."""
    now = time.monotonic()
    cached = _stats.get(conn)
    if cached is not None and now - cached[0] < STATS_SECONDS:
        return cached[1]
    row = conn.execute(
        "SELECT c.reltuples, s.most_common_elems::text::text[], s.most_common_elem_freqs FROM pg_class c"
        " LEFT JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = 'case_search'"
        " AND s.attname = 'grams' WHERE c.oid = 'case_search'::regclass").fetchone()
    stats = None
    if row is not None and row[1] and row[0] > 0:
        grams, shares = row[1], row[2]  # the shares are followed by their minimum and maximum
        stats = (float(row[0]), dict(zip(grams, shares, strict=False)), shares[len(grams)])
    _stats[conn] = (now, stats)
    return stats


def _share(conn, words: list[str]) -> tuple[float, float, bool] | None:
    """PostgreSQL: (rows, share, measured) — at most this share of the indexed cases contains every
    word (a case holding a word holds each of its grams), and whether that is the measured share of a
    single common 1-2 character word rather than a bound; None without statistics."""
    stats = _gram_stats(conn)
    if stats is None:
        return None
    rows, shares, smallest = stats
    share = 1.0
    for word in words:
        grams = [word] if len(word) <= 2 else [word[i:i + 2] for i in range(len(word) - 1)]
        share = min(share, *(shares.get(g, smallest) for g in grams))  # an unlisted gram is rarer than any listed
    return rows, share, len(words) == 1 and len(words[0]) <= 2 and words[0] in shares


def walk_bound(conn, term: str, limit: int) -> int | None:
    """PostgreSQL: how many rows of the key index a walk may read to find ``limit`` matches of ``term``
    (a few times the expected number); None when the term is too rare for a walk to be worth trying."""
    words = terms(term)
    if not words:
        return None
    found = _share(conn, words)
    if found is None:
        return WALK_UNMEASURED * limit
    rows, share, _measured = found
    if share * rows < MANY:
        return None
    return min(math.ceil(3 * limit / share), WALK_MOST)


def walk_in_key_order(conn, term: str, low: int, high: int, bound: int, descending: bool) -> tuple[str, str, list]:
    """PostgreSQL: like ``matches_in_key_order``, but reading at most ``bound`` rows of the key index
    from the newest (``descending``) or the oldest key within ``low``..``high``: the matches among them."""
    where, params = _pg_tested(terms(term), "s.")
    direction = "DESC" if descending else "ASC"
    return (f"(SELECT key, body FROM case_search WHERE key BETWEEN ? AND ? ORDER BY key {direction} LIMIT ?) s"
            f" JOIN cases c ON c.id = (s.key & {ID_MASK})", where, [low, high, bound, *params])


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
    found = _share(conn, words)
    where, params = _pg_indexed(words)
    if found is not None and found[0] * found[1] < MANY:  # few by the statistics: through the search indexes
        return (f"(SELECT key FROM case_search WHERE {where} AND key BETWEEN ? AND ? OFFSET 0) s"  # OFFSET 0 fences
                f" JOIN cases c ON c.id = (s.key & {ID_MASK})", "1 = 1", [*params, low, high])
    many = found is not None and found[2]  # a common gram: as many as the statistics say
    keys: list[int] = []
    if not many:  # not known: look the matches up, up to MANY
        keys = [r[0] for r in conn.execute(f"SELECT key FROM case_search WHERE {where} AND key BETWEEN ? AND ?"
                                           " LIMIT ?", [*params, low, high, MANY])]
        many = len(keys) >= MANY
    if many:  # walk the key index, test each row
        tested, tested_params = _pg_tested(words, "s.")
        return (f"case_search s JOIN cases c ON c.id = (s.key & {ID_MASK})",
                f"{tested} AND s.key BETWEEN ? AND ?", [*tested_params, low, high])
    # few: the keys just looked up are the matches (not looked up again)
    return f"unnest(?::bigint[]) AS s(key) JOIN cases c ON c.id = (s.key & {ID_MASK})", "1 = 1", [keys]


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the search index is rebuilt with (migration 0008)."""
    conn.create_function("search_key", 2, search_key, deterministic=True)
    conn.create_function("search_spaced", 1, spaced, deterministic=True)


def index_cases(conn, cases: list[tuple[int, str, str, str]]) -> None:
    """Add cases ``(id, received_on, request_text, applicant_name)`` to the search index."""
    insert_index_rows(conn, index_rows(conn.dialect, cases))


def index_rows(dialect: str, cases: list[tuple[int, str, str, str]]) -> list[tuple]:
    """The search index's rows of cases ``(id, received_on, request_text, applicant_name)`` for a
    database of ``dialect``, made apart from their insert (``insert_index_rows``): a bulk write
    prepares one batch while the last is written."""
    if dialect == "sqlite":
        # in key order: FTS5 writes out the terms it holds whenever a key comes lower than the one before
        # (a ledger listing its newest cases first would otherwise make a small segment for every day)
        return sorted([(search_key(received, case_id), spaced(text), spaced(name))
                       for case_id, received, text, name in cases])
    return [pg_row(received, case_id, text, name) for case_id, received, text, name in cases]


def insert_index_rows(conn, rows: list[tuple]) -> None:
    if conn.dialect == "sqlite":
        conn.insert_rows("case_search", ("rowid", "request_text", "applicant_name"), rows)
    else:
        conn.insert_rows("case_search", ("key", "body", "grams"), rows)


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
