"""File contents kept in the database (letters as issued, attachments), one row per distinct content."""

from __future__ import annotations

import hashlib


def put(conn, data: bytes) -> str:
    """Store ``data`` (once: the same content is kept once) and return its SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    conn.execute("INSERT INTO file_contents (sha256, size, content) VALUES (?, ?, ?)"
                 " ON CONFLICT (sha256) DO NOTHING", (sha, len(data), data))
    return sha


def content(conn, sha256: str) -> bytes | None:
    """The stored bytes named by ``sha256``; None when there are none."""
    row = conn.execute("SELECT content FROM file_contents WHERE sha256 = ?", (sha256,)).fetchone()
    return None if row is None else bytes(row[0])


def present(conn, sha256s: list[str]) -> set[str]:
    """Which of these contents are stored."""
    found: set[str] = set()
    for i in range(0, len(sha256s), 500):
        chunk = sha256s[i:i + 500]
        found.update(r[0] for r in conn.execute(
            f"SELECT sha256 FROM file_contents WHERE sha256 IN ({','.join('?' * len(chunk))})", chunk))
    return found


def referenced(conn) -> list[tuple[str, int, str, str, str]]:
    """(label, row id, name, sha256, table) of every letter and attachment, for the integrity check."""
    rows = [("附件", r[0], r[1], r[2], "attachments") for r in conn.execute(
        "SELECT id, file_name, sha256 FROM attachments ORDER BY id")]
    rows += [("文书", r[0], r[1], r[2], "letters") for r in conn.execute(
        "SELECT id, stored_name, sha256 FROM letters ORDER BY id")]
    return rows


def changed_or_missing(conn) -> list[tuple[str, int, str, str]]:
    """Letters and attachments whose content is missing or no longer matches its hash:
    (label, id, name, 'missing' | 'changed'). Reads each content once."""
    from db.queries.events import recorded_file_hashes

    problems = []
    recorded = recorded_file_hashes(conn)
    for label, row_id, name, sha, table in referenced(conn):
        if recorded.get((table, row_id), sha) != sha:  # the row's hash itself was replaced
            problems.append((label, row_id, name, "changed"))
            continue
        data = content(conn, sha)
        if data is None:
            problems.append((label, row_id, name, "missing"))
        elif hashlib.sha256(data).hexdigest() != sha:
            problems.append((label, row_id, name, "changed"))
    return problems


def count(conn) -> int:
    return conn.execute("SELECT count(*) FROM file_contents").fetchone()[0]
