import sqlite3

import pytest

import db.migrations as migrations
from db.connection import connect
from db.migrations import DatabaseTooNew, latest_version
from db.queries import search


def test_new_database_is_built_by_the_steps_with_pragmas(tmp_path):
    conn = connect(tmp_path / "new.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"cases", "case_events", "applicants", "users", "user_roles", "calendar_overrides",
            "doc_sequences", "fee_notices", "fee_payments", "remedy_cases", "annual_inputs"} <= tables


def test_upgrade_keeps_a_copy_and_the_data(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    conn = connect(path)
    conn.execute("INSERT INTO divisions (name) VALUES ('规划处')")
    conn.close()
    real = migrations.steps()
    extra = (len(real) + 1, f"{len(real) + 1:04d}_test.sql", "ALTER TABLE divisions ADD COLUMN phone TEXT;")
    monkeypatch.setattr(migrations, "steps", lambda: real + [extra])
    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(real) + 1
    assert conn.execute("SELECT name, phone FROM divisions WHERE name = '规划处'").fetchone()[0] == "规划处"
    backups = list(tmp_path.glob(f"old.v{len(real)}-*.bak.db"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == len(real)
    assert old.execute("SELECT name FROM divisions").fetchall() == [("规划处",)]


def test_failed_step_leaves_the_old_version(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    connect(path).close()
    real = migrations.steps()
    bad = (len(real) + 1, f"{len(real) + 1:04d}_bad.sql", "CREATE TABLE t (x);\nTHIS IS NOT SQL;")
    monkeypatch.setattr(migrations, "steps", lambda: real + [bad])
    with pytest.raises(sqlite3.Error):
        connect(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(real)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'").fetchone()[0] == 0


def test_database_newer_than_the_code_is_refused(tmp_path):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(DatabaseTooNew, match="请升级本程序"):
        connect(path)


def test_events_are_append_only(registry):
    from desktop.services import cases
    from desktop.services.base import SYSTEM
    from tests.helpers import person_form

    cases.register_case(registry, SYSTEM, person_form())
    from db.connection import database_errors

    with pytest.raises(database_errors(), match="append-only"):
        registry.conn.execute("UPDATE case_events SET type = 'x'")
    with pytest.raises(database_errors(), match="append-only"):
        registry.conn.execute("DELETE FROM case_events")


@pytest.mark.parametrize("term, expected", [
    ("喆", {"王喆"}), ("补贴", {"王喆"}), ("养老机构", {"王喆"}), ("规划", {"李彧"}),
    ("城市总体规划", {"李彧"}), ("2025", {"王喆"}), ("公开", {"王喆", "李彧"}), ("火星", set()),
    ("李彧 规划", {"李彧"}), ("", set()), ("'\"*", set()),
])
def test_search_finds_substrings_of_any_length(registry, term, expected):
    from desktop.services import cases
    from desktop.services.base import SYSTEM
    from tests.helpers import person_form, resident_id

    cases.register_case(registry, SYSTEM, person_form())
    cases.register_case(registry, SYSTEM, person_form(
        name="李彧", id_number=resident_id(1), request_text="请公开城市总体规划修编的批复"))
    ids = search.matching_case_ids(registry.conn, term)
    names = {r[0] for r in registry.conn.execute(
        f"SELECT a.name FROM cases c JOIN applicants a ON a.id = c.applicant_id"
        f" WHERE c.id IN ({','.join('?' * len(ids))})", ids)} if ids else set()
    assert names == expected


def test_pending_steps_says_when_opening_will_upgrade(tmp_path):
    path = tmp_path / "registry.db"
    assert migrations.pending_steps(path) == 0  # nothing there yet: a new database, built at once
    connect(path).close()
    assert migrations.pending_steps(path) == 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    assert migrations.pending_steps(path) == latest_version() - 7
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert migrations.pending_steps(tmp_path / "junk.db") == 0
