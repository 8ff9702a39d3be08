"""SQLite-only full-text statements used outside the registry list: earlier requests like a new one.

They rank with FTS5's ``MATCH`` and ``rank`` (bm25), which only SQLite runs, so they are kept apart from
the portable SQL in ``db/queries``; they belong with ``db/queries/search.py`` behind the search interface
chosen when a registry is opened.
"""

from __future__ import annotations

import sqlite3

from db.queries.search import ID_MASK


def similar_requests(conn: sqlite3.Connection, match: str, limit: int) -> list[sqlite3.Row]:
    """Cases whose request text or applicant name matches the FTS5 expression ``match``, best first."""
    return conn.execute(
        "SELECT c.id, c.case_no, c.received_on, c.request_text, c.state, a.name AS applicant_name"
        " FROM (SELECT rowid, rank FROM case_search WHERE case_search MATCH ? ORDER BY rank LIMIT ?) s"
        f" JOIN cases c ON c.id = (s.rowid & {ID_MASK}) JOIN applicants a ON a.id = c.applicant_id"
        " ORDER BY s.rank",
        (match, limit)).fetchall()
