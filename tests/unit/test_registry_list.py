"""The registry list's queries: order and windows of a text search, the search index after an upgrade,
and what a second seat sees after the first changes settings or the calendar."""

import sqlite3
from datetime import date

from db.queries import search
from desktop.services import agency, calendar_admin, cases, registry_list
from desktop.services.base import SYSTEM, Registry
from desktop.services.registry_list import Filter
from tests.conftest import TODAY
from tests.helpers import person_form, resident_id

# Registered in this order (ids 1..6), received on these days: id order is not list order.
RECEIVED = ["2026-11-10", "2025-03-02", "2026-11-10", "2026-01-05", "2024-12-31", "2026-11-02"]


def register_out_of_order(reg):
    ids = []
    for i, day in enumerate(RECEIVED):
        ids += cases.register_case(reg, SYSTEM, person_form(
            name=f"申请人{i}", id_number=resident_id(i), received_on=day,
            request_text=f"申请公开低保资金发放情况第{i}批")).case_ids
    cases.register_case(reg, SYSTEM, person_form(name="无关", id_number=resident_id(999), request_text="请公开城市规划"))
    return ids


def expected_order(ids, descending=True, year=None):
    rows = [(RECEIVED[i], ids[i]) for i in range(len(ids)) if year is None or RECEIVED[i].startswith(str(year))]
    return [case_id for _day, case_id in sorted(rows, reverse=descending)]


def test_search_lists_matches_by_date_of_receipt_not_by_registration(registry):
    ids = register_out_of_order(registry)
    newest_first = expected_order(ids)
    assert newest_first == [ids[2], ids[0], ids[5], ids[3], ids[1], ids[4]]
    assert registry_list.case_ids(registry, Filter(text="低保")) == newest_first
    assert registry_list.case_ids(registry, Filter(text="低保", descending=False)) == newest_first[::-1]
    # windows: the first page, and later pages (another query shape) agree with the whole list
    assert [r.id for r in registry_list.page(registry, Filter(text="低保"), 0, 2)] == newest_first[:2]
    assert [r.id for r in registry_list.page(registry, Filter(text="低保"), 2, 3)] == newest_first[2:5]
    assert [r.id for r in registry_list.page(registry, Filter(text="资金", descending=False), 4, 10)] == \
        newest_first[::-1][4:]
    # a year narrows the walk; the count agrees
    assert registry_list.case_ids(registry, Filter(text="低保", year=2026)) == expected_order(ids, year=2026)
    assert registry_list.case_count(registry, Filter(text="低保", year=2026)) == 4
    assert registry_list.case_count(registry, Filter(text="低保")) == 6
    assert registry_list.case_count(registry, Filter(text="低保", year=2023)) == 0
    # a search combined with another filter and with another order
    assert registry_list.case_ids(registry, Filter(text="低保", states=("closed",))) == []
    assert registry_list.case_ids(registry, Filter(text="低保", states=("registered",))) == newest_first
    by_name = registry_list.case_ids(registry, Filter(text="低保", sort="applicant", descending=False))
    assert by_name == ids
    # similar requests and the plain search still give case ids
    assert set(search.matching_case_ids(registry.conn, "低保")) == set(ids)
    assert {r["id"] for r in cases.similar_requests(registry, "低保资金发放")} == set(ids)


def test_upgrade_rebuilds_the_search_index_in_list_order(tmp_path):
    path = tmp_path / "v7.db"
    reg = Registry.open(path, today=lambda: TODAY)
    agency.ensure_defaults(reg)
    ids = register_out_of_order(reg)
    # as version 7 left it: the index keyed by case id
    reg.conn.execute("INSERT INTO case_search (case_search) VALUES ('delete-all')")
    for case_id, text, name in reg.conn.execute("SELECT id, request_text, applicant_name FROM cases").fetchall():
        reg.conn.execute("INSERT INTO case_search (rowid, request_text, applicant_name) VALUES (?,?,?)",
                         (case_id, search.spaced(text), search.spaced(name)))
    for index in ("cases_open_by_due", "cases_by_due_not_null", "cases_concluded_before_received"):  # later steps
        reg.conn.execute(f"DROP INDEX {index}")
    reg.conn.execute("DROP TABLE file_contents")
    reg.conn.execute("ALTER TABLE audit_log DROP COLUMN prev_hash")  # added by step 13
    reg.conn.execute("ALTER TABLE audit_log DROP COLUMN hash")
    reg.conn.execute("DROP INDEX case_events_by_actor")  # step 14
    reg.conn.execute("DROP INDEX applicants_by_phone_digits")  # step 15
    reg.conn.execute("ALTER TABLE cases DROP COLUMN clock_note")  # step 16
    reg.conn.execute("DROP INDEX case_events_for_ledger")  # step 17
    reg.conn.execute("PRAGMA user_version = 7")
    reg.close()
    old = sqlite3.connect(path)
    assert old.execute("SELECT max(rowid) FROM case_search").fetchone()[0] == len(ids) + 1
    old.close()

    reg = Registry.open(path, today=lambda: TODAY)
    assert reg.conn.execute("PRAGMA user_version").fetchone()[0] >= 8
    assert registry_list.case_ids(reg, Filter(text="低保")) == expected_order(ids)
    assert registry_list.case_ids(reg, Filter(text="规划")) == [len(ids) + 1]
    assert reg.conn.execute("SELECT min(rowid) FROM case_search").fetchone()[0] == \
        search.search_key("2024-12-31", ids[4])
    reg.close()


def within_a_second(check) -> bool:
    """True once ``check()`` is (a server's notification takes a moment to arrive)."""
    import time

    end = time.monotonic() + 1.0
    while not check():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


def test_a_second_seat_sees_new_settings_and_calendar_days(registry, staff):
    other = Registry.open(registry.target, today=lambda: TODAY)
    try:
        case_id = cases.register_case(registry, staff["clerk"], person_form(received_on="2026-11-16")).case_ids[0]
        row = registry_list.rows(other, [case_id])[case_id]
        assert (row.due_on, row.days_left, row.status) == ("2026-12-14", 16, "on_time")
        # the administrator, at the first seat, widens "due soon" and marks a day off
        agency.update_settings(registry, staff["admin"], {"due_soon_days": "20"})
        assert within_a_second(lambda: registry_list.rows(other, [case_id])[case_id].status == "due_soon")
        calendar_admin.set_day(registry, staff["admin"], date(2026, 11, 23), False, "停电")
        assert within_a_second(lambda: not other.calendar().is_workday(date(2026, 11, 23)))
        assert other.calendar().count_workdays(TODAY, date(2026, 12, 14)) == 15
        # the open case's deadline moved by the day off; 16 working days are still left
        row = registry_list.rows(other, [case_id])[case_id]
        assert (row.due_on, row.days_left) == ("2026-12-15", 16)
    finally:
        other.close()


def test_deadline_filters_read_the_small_index_of_open_cases(registry):
    import re

    from db.queries import registry as registry_q
    from desktop.domain import workflow

    listed = set(re.findall(r"'(\w+)'", registry_q.OPEN_STATES_SQL))
    assert listed == set(workflow.FINISHED_STATES)  # "open" means not finished, in SQL as in the workflow
    assert registry_q.FINISHED_STATES == workflow.FINISHED_STATES
    if registry.conn.dialect == "sqlite":
        index_sql = registry.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'cases_open_by_due'").fetchone()[0]
        assert registry_q.OPEN_STATES_SQL.replace("c.", "") in index_sql
    for deadline in ("overdue", "due_soon", "paused", "open"):
        q = registry_list._query(registry, Filter(deadline=deadline))
        where, params = registry_q._where(registry.conn, q)
        plan = query_plan(registry.conn, f"SELECT count(*) FROM cases c{where}", params)
        assert "cases_open_by_due" in plan, (deadline, plan)


def query_plan(conn, sql, params) -> str:
    """The plan of a query as text. On PostgreSQL the planner is told to avoid scans and sorts
    wherever an index can serve (the test table is tiny: it would otherwise read it whole)."""
    if conn.dialect == "sqlite":
        return " ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    conn.execute("SET enable_seqscan = off")
    conn.execute("SET enable_sort = off")
    try:
        return "\n".join(r[0] for r in conn.execute(f"EXPLAIN {sql}", params))
    finally:
        conn.execute("RESET enable_seqscan")
        conn.execute("RESET enable_sort")


def test_every_sort_walks_an_index_and_keeps_cases_without_due_date_last(registry):
    import re

    from db.queries import registry as registry_q
    from desktop.services.registry_list import COLUMNS

    ids = register_out_of_order(registry)
    due = {r[0]: r[1] for r in registry.conn.execute("SELECT id, due_on FROM cases")}
    # a case waiting for the applicant's correction has no due date yet
    cases.fire(registry, SYSTEM, ids[0], "correction_notice", date(2026, 11, 11), {"items": ["请写明文号"]})
    due = {r[0]: r[1] for r in registry.conn.execute("SELECT id, due_on FROM cases")}
    assert due[ids[0]] is None
    for descending in (False, True):
        order = registry_list.case_ids(registry, Filter(sort="due_on", descending=descending))
        assert order[-1] == ids[0]  # without a due date: last, both ways
        dated = [due[i] for i in order[:-1]]
        assert dated == sorted(dated, reverse=descending)
        for key, _label in COLUMNS:
            q = registry_list._query(registry, Filter(sort=key, descending=descending))
            p = registry_q._plan(registry.conn, q)
            plan = query_plan(registry.conn, f"SELECT c.id FROM {p.source}{p.where} ORDER BY {p.order} LIMIT 40",
                              p.params)
            # no sort of the whole register (PostgreSQL may sort the ties of one index key by id)
            assert "TEMP B-TREE" not in plan and not re.search(r"^\s*(->\s+)?Sort\s+\(", plan, re.M), \
                (key, descending, plan)


def test_windows_sought_from_the_row_above_or_from_the_end_match_the_whole_list(registry):
    register_out_of_order(registry)
    for i in range(20):  # same days of receipt, so ties are broken by id
        cases.register_case(registry, SYSTEM, person_form(
            name=f"李{i}", id_number=resident_id(100 + i), received_on=f"2026-10-{1 + i % 4:02d}",
            request_text=f"低保第{i}号"))
    for f in (Filter(), Filter(descending=False), Filter(text="低保"), Filter(text="低保", descending=False),
              Filter(sort="due_on", descending=True), Filter(sort="applicant"), Filter(text="低保", sort="applicant")):
        everything = registry_list.case_ids(registry, f)
        total = len(everything)
        size = 4
        # scrolling down window by window, each sought from the last row of the one above
        rows, above = [], None
        for offset in range(0, total, size):
            window = registry_list.page(registry, f, offset, size) if above is None else [
                registry_list.RowMaker(registry)(r)
                for r in registry_list.page_columns(registry, f, offset, size, after=above)]
            rows += window
            above = window[-1] if f.sort == "received_on" else None
        assert [r.id for r in rows] == everything, f
        # any window with the total known (the later half is found from the end)
        for offset in range(0, total, 3):
            ids = [r[0] for r in registry_list.page_columns(registry, f, offset, size, total=total)]
            assert ids == everything[offset:offset + size], (f, offset)
