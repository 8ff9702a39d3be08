"""The registry list: one SQL query for the ordered ids of a filter, one for the visible rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from db.queries import search
from db.queries.search import key_range, search_key

# Each sort walks an index: the key, then the date of receipt and the id (migration 0005).
SORT_COLUMNS = {
    "case_no": ("c.case_no",),
    "received_on": ("c.received_on",),
    "applicant": ("c.applicant_name", "c.received_on"),
    "applicant_type": ("c.applicant_type", "c.received_on"),
    "summary": ("substr(c.request_text, 1, 16)", "c.received_on"),
    "division": ("c.lead_division_id", "c.received_on"),
    "state": ("c.state", "c.received_on"),
    "due_on": ("(c.due_on IS NULL)", "c.due_on", "c.received_on"),
}
# The finished states of the workflow (desktop.domain.workflow.FINISHED_STATES, in the same order: db
# imports nothing of desktop, and tests/unit/test_registry_list.py holds the two equal). Every SQL
# filter on open cases is made from this; so is the WHERE of the partial index cases_open_by_due
# (migration 0009), whose text it must match for SQLite to use the index.
FINISHED_STATES = ("replied", "delivered", "closed", "archived")
FINISHED_SQL = "(" + ",".join(f"'{s}'" for s in FINISHED_STATES) + ")"
OPEN_STATES_SQL = f"c.state NOT IN {FINISHED_SQL}"


@dataclass
class Query:
    """Filter and order of the registry list, as SQL-ready values."""
    states: Sequence[str] = ()
    division_ids: Sequence[int] = ()
    received_from: str | None = None
    received_to: str | None = None
    applicant_type: str | None = None
    outcome: str | None = None
    deadline: str | None = None  # overdue | due_soon | paused | finished_late | open
    text: str | None = None
    sort: str = "received_on"
    descending: bool = True
    today: str = ""
    due_soon_until: str = ""
    extra: list[tuple[str, list]] = field(default_factory=list)


def _by_search_order(q: Query) -> bool:
    """A text search in the default order walks the search index itself (its key is the list key)."""
    return bool(q.text and search.terms(q.text) and q.sort == "received_on")


def _where(conn, q: Query, text: bool = True, dates: bool = True) -> tuple[str, list]:
    """The WHERE clause of ``q``; without the text (and date) conditions when the search index applies them."""
    clauses: list[str] = []
    params: list = []
    if q.states:
        clauses.append(f"c.state IN ({','.join('?' * len(q.states))})")
        params += list(q.states)
    if q.division_ids:
        clauses.append(f"(c.lead_division_id IN ({','.join('?' * len(q.division_ids))}) OR c.id IN"
                       f" (SELECT case_id FROM case_co_divisions WHERE division_id IN"
                       f" ({','.join('?' * len(q.division_ids))})))")
        params += list(q.division_ids) * 2
    if q.received_from and dates:
        clauses.append("c.received_on >= ?")
        params.append(q.received_from)
    if q.received_to and dates:
        clauses.append("c.received_on <= ?")
        params.append(q.received_to)
    if q.applicant_type:
        clauses.append("c.applicant_type = ?")
        params.append(q.applicant_type)
    if q.outcome:
        clauses.append("c.outcome = ?")
        params.append(q.outcome)
    if q.deadline == "overdue":
        clauses.append(f"{OPEN_STATES_SQL} AND c.paused = 0 AND c.due_on < ?")
        params.append(q.today)
    elif q.deadline == "due_soon":
        clauses.append(f"{OPEN_STATES_SQL} AND c.paused = 0 AND c.due_on BETWEEN ? AND ?")
        params += [q.today, q.due_soon_until]
    elif q.deadline == "paused":
        clauses.append(f"{OPEN_STATES_SQL} AND c.paused = 1")
    elif q.deadline == "finished_late":
        clauses.append("c.overdue = 1")
    elif q.deadline == "open":
        clauses.append(f"{OPEN_STATES_SQL} AND c.paused IN (0, 1)")  # always true: lets SQLite use the index
    if q.text and text:
        condition = search.text_condition(conn, q.text)
        if condition:
            clauses.append(condition[0])
            params += condition[1]
    for clause, values in q.extra:
        clauses.append(clause)
        params += values
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


# Sort keys that may be NULL. SQLite puts NULL first in ascending order; PostgreSQL is told to do the
# same (its index is declared NULLS FIRST), so that both list the same rows in the same order.
NULLABLE_SORT_KEYS = {"c.lead_division_id"}


def _order(conn, q: Query) -> str:
    direction = "DESC" if q.descending else "ASC"
    keys = list(SORT_COLUMNS.get(q.sort, SORT_COLUMNS["received_on"]))
    if conn.dialect != "sqlite":
        nulls = " NULLS LAST" if q.descending else " NULLS FIRST"
        keys = [k + (f" {direction}{nulls}" if k in NULLABLE_SORT_KEYS else f" {direction}") for k in keys]
        direction = ""
        if q.sort == "due_on":
            first = "(c.due_on IS NOT NULL) DESC" if q.descending else "(c.due_on IS NULL) ASC"
            return f"{first}, " + ", ".join(keys[1:]) + f", c.id {'DESC' if q.descending else 'ASC'}"
        return ", ".join(keys) + f", c.id {'DESC' if q.descending else 'ASC'}"
    if q.sort == "due_on":  # cases without a due date last, whichever the direction (one index each way)
        first = "(c.due_on IS NOT NULL) DESC" if q.descending else "(c.due_on IS NULL) ASC"
        return f"{first}, " + ", ".join(f"{k} {direction}" for k in keys[1:]) + f", c.id {direction}"
    return ", ".join(f"{k} {direction}" for k in keys) + f", c.id {direction}"


@dataclass
class _Plan:
    """``SELECT … FROM {source}{where} ORDER BY {order}`` lists the matching cases (as ``c``) in order."""
    source: str
    where: str
    params: list
    order: str
    order_by_key: str | None = None  # the order once only the key ``k`` is left (search plan)


def matches_at_least(conn, q: Query, n: int) -> bool:
    """Whether the text of ``q`` is found in at least ``n`` cases (reads at most ``n`` matches)."""
    return bool(q.text) and search.count_upto(conn, q.text, n) >= n


def _plan(conn, q: Query) -> _Plan:
    if _by_search_order(q):
        # Walk the matches in key (= list) order; other filters are checked per match.
        where, params = _where(conn, q, text=False, dates=False)
        low, high = key_range(q.received_from, q.received_to)
        source, condition, search_params = search.matches_in_key_order(conn, q.text or "", low, high)
        direction = "DESC" if q.descending else "ASC"
        rest = (" AND" + where[len(" WHERE"):]) if where else ""
        return _Plan(source, f" WHERE {condition}{rest}", [*search_params, *params],
                     f"{search.key_column(conn)} {direction}", f"w.k {direction}")
    where, params = _where(conn, q)
    return _Plan("cases c", where, params, _order(conn, q))


def ids(conn, q: Query, offset: int = 0, limit: int | None = None) -> list[int]:
    """The ids of the cases matching ``q`` in display order; a window of them with ``offset``/``limit``."""
    p = _plan(conn, q)
    sql, params = f"SELECT c.id FROM {p.source}{p.where} ORDER BY {p.order}", p.params
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = [*params, limit, offset]
    return [r[0] for r in conn.execute(sql, params)]


def count(conn, q: Query) -> int:
    where, params = _where(conn, q, text=False, dates=False)
    if q.text and search.terms(q.text) and not where:  # every indexed row is a case: count in the index alone
        low, high = key_range(q.received_from, q.received_to)
        return search.count(conn, q.text, low, high)
    where, params = _where(conn, q)
    return conn.execute(f"SELECT count(*) FROM cases c{where}", params).fetchone()[0]


# What a list row shows; the lead division comes as its id (names are few: the caller maps them).
LIST_COLUMNS = ("c.id, c.case_no, c.received_on, substr(c.request_text, 1, 80) AS request_text, c.state, c.due_on,"
                " c.paused, c.applicant_name, c.applicant_type, c.lead_division_id, c.return_comment, c.clock_note")


_FLIP = {"ASC": "DESC", "DESC": "ASC", "NULLS FIRST": "NULLS LAST", "NULLS LAST": "NULLS FIRST"}


def _reversed(order: str) -> str:
    return re.sub(r"\b(ASC|DESC|NULLS FIRST|NULLS LAST)\b", lambda m: _FLIP[m.group(1)], order)


def page(conn, q: Query, offset: int, limit: int, after: tuple[str, int] | None = None,
         total: int | None = None) -> list[tuple]:
    """One window of the list as plain tuples in LIST_COLUMNS order.

    ``after`` (date of receipt, id) of the row before the window, in the default order: the window is
    found by seeking the index there (keyset), however deep it is. ``total``, when known, lets a window
    in the second half be found walking back from the end. Otherwise the index alone is skipped along
    (OFFSET over a covering index), then just the window's rows are read."""
    if conn.dialect != "sqlite" and _by_search_order(q) and (offset == 0 or after is not None):
        rows = _walked_page(conn, q, limit, after)
        if rows is not None:
            return rows
    p = _plan(conn, q)
    fetch = conn.fetch_tuples  # plain tuples: the list reads columns by position
    if after is not None and q.sort == "received_on":
        if p.order_by_key:  # the search plan: its rowid is the list key
            key = search.key_column(conn)
            seek, values = (f"{key} < ?" if q.descending else f"{key} > ?"), [search_key(after[0], after[1])]
        else:
            seek, values = f"(c.received_on, c.id) {'<' if q.descending else '>'} (?, ?)", list(after)
        where = f"{p.where} AND {seek}" if p.where else f" WHERE {seek}"
        return fetch(f"SELECT {LIST_COLUMNS} FROM {p.source}{where} ORDER BY {p.order} LIMIT ?",
                              [*p.params, *values, limit])
    if offset == 0:  # the first window: one walk that reads each row as it goes
        return fetch(f"SELECT {LIST_COLUMNS} FROM {p.source}{p.where} ORDER BY {p.order} LIMIT ?",
                              [*p.params, limit])
    key = f", {search.key_column(conn)} AS k" if p.order_by_key else ""
    order, final = p.order, p.order_by_key or p.order
    if total is not None and offset > total // 2:  # nearer the end: skip from there, backwards
        from_end = max(total - offset - limit, 0)
        limit = min(limit, total - offset)
        order, final = _reversed(order), _reversed(final)
        if from_end <= limit:  # the last screenful or so: read the rows as the walk goes
            rows = fetch(f"SELECT {LIST_COLUMNS} FROM {p.source}{p.where} ORDER BY {order} LIMIT ? OFFSET ?",
                                  [*p.params, max(limit, 0), from_end])
            rows.reverse()
            return rows
        rows = fetch(
            f"SELECT {LIST_COLUMNS} FROM (SELECT c.id{key} FROM {p.source}{p.where} ORDER BY {order} LIMIT ? OFFSET ?)"
            f" w JOIN cases c ON c.id = w.id ORDER BY {final}", [*p.params, max(limit, 0), from_end])
        rows.reverse()
        return rows
    return fetch(
        f"SELECT {LIST_COLUMNS} FROM (SELECT c.id{key} FROM {p.source}{p.where} ORDER BY {order} LIMIT ? OFFSET ?) w"
        f" JOIN cases c ON c.id = w.id ORDER BY {final}", [*p.params, limit, offset])


def _walked_page(conn, q: Query, limit: int, after: tuple[str, int] | None) -> list[tuple] | None:
    """PostgreSQL, a search in list order: the window after ``after`` (or the first) found by walking a
    bounded stretch of the key index (search.walk_bound); None when the term is rare or the stretch
    held no full window (the caller then looks the matches up). One query for a common term, where
    deciding between the plans by counting matches would cost many times the window."""
    bound = search.walk_bound(conn, q.text or "", limit)
    if bound is None:
        return None
    low, high = key_range(q.received_from, q.received_to)
    if after is not None:
        key = search_key(after[0], after[1])
        low, high = (low, min(high, key - 1)) if q.descending else (max(low, key + 1), high)
    source, condition, search_params = search.walk_in_key_order(conn, q.text or "", low, high, bound, q.descending)
    where, params = _where(conn, q, text=False, dates=False)
    rest = (" AND" + where[len(" WHERE"):]) if where else ""
    rows = conn.fetch_tuples(f"SELECT {LIST_COLUMNS} FROM {source} WHERE {condition}{rest}"
                             f" ORDER BY s.key {'DESC' if q.descending else 'ASC'} LIMIT ?",
                             [*search_params, *params, limit])
    return rows if len(rows) == limit else None


def rows(conn, case_ids: Sequence[int]) -> dict:
    """The list columns of these cases, by id."""
    if not case_ids:
        return {}
    marks = ",".join("?" * len(case_ids))
    return {r["id"]: r for r in conn.execute(
        f"SELECT {LIST_COLUMNS} FROM cases c WHERE c.id IN ({marks})", list(case_ids))}


def counts_by_state(conn, q: Query) -> dict[str, int]:
    where, params = _where(conn, q)
    sql = f"SELECT c.state, count(*) FROM cases c{where} GROUP BY c.state"
    return {r[0]: r[1] for r in conn.execute(sql, params)}


def deadline_counts(conn, q: Query) -> tuple[int, int, int, int]:
    """(all, overdue, due soon, paused) among the cases matching ``q``."""
    where, params = _where(conn, q)
    open_ = OPEN_STATES_SQL
    row = conn.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {open_} AND c.paused = 0 AND c.due_on < ?),"
        f" count(*) FILTER (WHERE {open_} AND c.paused = 0 AND c.due_on BETWEEN ? AND ?),"
        f" count(*) FILTER (WHERE {open_} AND c.paused = 1) FROM cases c{where}",
        [q.today, q.today, q.due_soon_until, *params]).fetchone()
    return tuple(row)
