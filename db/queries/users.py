"""Users and their roles."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


def by_login(conn: sqlite3.Connection, login: str) -> sqlite3.Row | None:
    """The user with this login, in any letter case."""
    return conn.execute("SELECT * FROM users WHERE lower(login) = lower(?) ORDER BY id LIMIT 1",
                        (login.strip(),)).fetchone()


def by_id(conn: sqlite3.Connection, user_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()


def roles(conn: sqlite3.Connection, user_id: int) -> list[str]:
    return [r[0] for r in conn.execute("SELECT role FROM user_roles WHERE user_id = ? ORDER BY role", (user_id,))]


def insert(conn: sqlite3.Connection, login: str, name: str, password_hash: str, division_id: int | None,
           created_at: str) -> int:
    return conn.execute(
        "INSERT INTO users (login, name, password_hash, division_id, created_at) VALUES (?, ?, ?, ?, ?)"
        " RETURNING id",
        (login, name, password_hash, division_id, created_at)).fetchone()[0]


def set_roles(conn: sqlite3.Connection, user_id: int, new_roles: Iterable[str]) -> None:
    conn.execute("DELETE FROM user_roles WHERE user_id = ?", (user_id,))
    conn.executemany("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", [(user_id, r) for r in new_roles])


def count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM users").fetchone()[0]


def all_users(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT u.*, d.name AS division_name FROM users u"
                        " LEFT JOIN divisions d ON d.id = u.division_id ORDER BY u.id").fetchall()


def record_login_attempt(conn: sqlite3.Connection, user_id: int, failed_attempts: int,
                         locked_until: str | None) -> None:
    conn.execute("UPDATE users SET failed_attempts = ?, locked_until = ? WHERE id = ?",
                 (failed_attempts, locked_until, user_id))


def update_profile(conn: sqlite3.Connection, user_id: int, name: str, division_id: int | None,
                   active: bool) -> None:
    """Name, division and whether the account may sign in."""
    conn.execute("UPDATE users SET name = ?, division_id = ?, active = ? WHERE id = ?",
                 (name, division_id, int(active), user_id))


def set_password_hash(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def reset_password_hash(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    """A new password set by an administrator; clears the failed attempts and any lock."""
    conn.execute("UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL WHERE id = ?",
                 (password_hash, user_id))
