"""The two storage backends: one migration history, the same schema, a locked migration, a server
refused when its locale cannot search Chinese. These need the test server (the PostgreSQL pass)."""

import threading

import pytest

import db.migrations as migrations
from db import connection
from db.connection import EnvironmentProblem
from db.migrations import DatabaseTooNew

pytestmark = pytest.mark.server


def _sqlite_schema(conn):
    tables = {}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'case_search%'"):
        tables[name] = sorted(r[1] for r in conn.execute(f"PRAGMA table_info({name})"))
    indexes = {}
    for name, table in conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"
                                    " AND name NOT LIKE 'sqlite_autoindex%'"):
        indexes[name] = table
    return tables, indexes


def _pg_schema(conn):
    tables = {}
    for (name,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                                " AND tablename NOT IN ('schema_version', 'case_search')"):
        tables[name] = sorted(r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = ?", (name,)))
    indexes = {}
    for name, table in conn.execute(
            "SELECT i.indexname, i.tablename FROM pg_indexes i WHERE i.schemaname = current_schema()"
            " AND i.tablename NOT IN ('schema_version', 'case_search')"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)"):
        indexes[name] = table
    return tables, indexes


def test_both_backends_end_with_the_same_tables_columns_and_indexes(tmp_path, make_target):
    lite = connection.connect(tmp_path / "schema.db")
    server = connection.connect(make_target("schema", empty=True))
    assert [name for _, name, _ in migrations.steps("postgresql")] == [name for _, name, _ in migrations.steps()]
    lite_tables, lite_indexes = _sqlite_schema(lite)
    pg_tables, pg_indexes = _pg_schema(server)
    assert pg_tables == lite_tables
    # users_login_nocase stands for SQLite's UNIQUE COLLATE NOCASE (an automatic index there)
    assert {k: v for k, v in pg_indexes.items() if k != "users_login_nocase"} == lite_indexes
    assert connection.schema_version(server) == connection.schema_version(lite) == migrations.latest_version()


def test_two_pcs_starting_at_once_migrate_once(make_target):
    target = make_target("race", empty=True)
    errors, conns = [], []
    start = threading.Barrier(4)

    def open_one():
        try:
            start.wait()
            conns.append(connection.connect(target))
        except Exception as exc:  # noqa: BLE001 - the test reports any
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    versions = {connection.schema_version(c) for c in conns}
    assert versions == {migrations.latest_version()}
    assert conns[0].execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1


def test_a_server_database_of_a_newer_schema_is_refused(db_target):
    conn = connection.connect(db_target)
    conn.execute("UPDATE schema_version SET version = 999")
    conn.close()
    with pytest.raises(DatabaseTooNew, match="请升级本程序"):
        connection.connect(db_target)


def test_a_database_whose_locale_is_blind_to_chinese_is_refused(pg_template):
    base, _template, admin = pg_template
    admin.execute("DROP DATABASE IF EXISTS ddesk_c_locale")
    admin.execute("CREATE DATABASE ddesk_c_locale TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'")
    try:
        from tests.conftest import _with_db
        with pytest.raises(EnvironmentProblem, match="无法检索中文.*C.UTF-8"):
            connection.connect(_with_db(base, "ddesk_c_locale"))
        check = connection.open_raw(_with_db(base, "ddesk_c_locale"))
        assert check.execute("SELECT to_regclass('cases')").fetchone()[0] is None  # nothing was made
        check.close()
    finally:
        admin.execute("DROP DATABASE IF EXISTS ddesk_c_locale WITH (FORCE)")


@pytest.mark.parametrize("conninfo, message", [
    ("host=127.0.0.1 port=1 dbname=x connect_timeout=3", "无法连接数据库服务器"),
    ("postgresql://nobody:wrong@127.0.0.1:{port}/postgres", "用户名或密码不正确"),
    ("{base} dbname=ddesk_no_such_database", "没有这个数据库"),
])
def test_each_connection_failure_gets_its_own_message(pg_template, conninfo, message):
    import psycopg

    base = pg_template[0]
    port = psycopg.conninfo.conninfo_to_dict(base).get("port", "5432")
    with pytest.raises(EnvironmentProblem, match=message) as caught:
        connection.connect(conninfo.format(port=port, base=base))
    assert "wrong" not in str(caught.value)  # never the password
