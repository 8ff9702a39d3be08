"""The registry list on a generated database of 100,000 cases: filters, search, sort, colours."""

from PySide6.QtCore import Qt

from desktop.services.base import SYSTEM
from desktop.ui.models.registry_model import PAGE, STATUS_COLOURS
from desktop.ui.views.registry_view import RegistryView
from tests.conftest import TODAY
from tests.ui.conftest import type_text


def sql_count(reg, where, params=()):
    return reg.conn.execute(f"SELECT count(*) FROM cases c JOIN applicants a ON a.id = c.applicant_id WHERE {where}",
                            params).fetchone()[0]


def select(combo, value):
    combo.setCurrentIndex(combo.findData(value))


def test_filters_search_and_sort_on_100k_cases(qtbot, big_registry):
    reg = big_registry
    view = RegistryView(reg, SYSTEM)
    qtbot.addWidget(view)
    # the first page is there at once; the exact total follows from the event loop
    assert view.model.count_pending and view.model.count == PAGE and "正在统计总数" in view.count.text()
    qtbot.waitUntil(lambda: not view.model.count_pending, timeout=10_000)
    assert view.model.count == 100_000 and view.count.text() == "共 100,000 件"
    # default order: newest received first
    first, second = view.model.row_at(0), view.model.row_at(1)
    assert first.received_on >= second.received_on
    assert first.received_on == reg.conn.execute("SELECT max(received_on) FROM cases").fetchone()[0]

    # one-character and two-character search (trigram cannot do these)
    type_text(qtbot, view.search, "喆")
    view.apply_filter()
    expected = sql_count(reg, "c.request_text LIKE '%喆%' OR a.name LIKE '%喆%'")
    assert view.model.total() == expected > 0
    assert all("喆" in view.model.row_at(i).applicant + view.model.row_at(i).summary
               for i in range(min(50, expected)))
    view.search.clear()
    type_text(qtbot, view.search, "低保")
    view.apply_filter()
    assert view.model.total() == sql_count(reg, "c.request_text LIKE '%低保%' OR a.name LIKE '%低保%'") > 0
    view.search.clear()
    type_text(qtbot, view.search, "律师事务所")
    view.apply_filter()
    assert view.model.total() == sql_count(reg, "a.name LIKE '%律师事务所%' OR c.request_text LIKE '%律师事务所%'") > 0
    view.search.clear()
    view.apply_filter()

    # filters combine
    select(view.state, "handling")
    select(view.year, 2026)
    assert view.model.total() == sql_count(reg, "c.state = 'handling' AND c.received_on >= '2026-01-01'") > 0
    select(view.state, None)
    select(view.year, None)
    select(view.applicant_type, "法律服务机构")
    select(view.outcome, "withhold_third_party")
    assert view.model.total() == sql_count(reg, "a.applicant_type = '法律服务机构' AND c.outcome = 'withhold_third_party'") > 0
    select(view.applicant_type, None)
    select(view.outcome, None)
    division_id = view.division.itemData(3)
    select(view.division, division_id)
    assert view.model.total() == sql_count(reg, "c.lead_division_id = ?", (division_id,)) > 0
    select(view.division, None)

    # overdue filter and its colour
    select(view.deadline, "overdue")
    overdue = sql_count(reg, "c.state NOT IN ('replied','delivered','closed','archived') AND c.paused = 0"
                             " AND c.due_on < ?", (TODAY.isoformat(),))
    assert view.model.total() == overdue > 0
    index = view.model.index(0, 8)
    assert view.model.data(index) == f"超期{-view.model.row_at(0).days_left}个工作日"  # words, not "-47"
    assert view.model.data(index, Qt.ItemDataRole.BackgroundRole).color() == STATUS_COLOURS["overdue"]
    select(view.deadline, None)

    # sort by applicant, both directions, and by due date; jump to the last row
    view.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    names = [view.model.row_at(i).applicant for i in range(30)]
    assert names == sorted(names)
    assert names[0] == reg.conn.execute("SELECT min(a.name) FROM cases c JOIN applicants a ON a.id = c.applicant_id"
                                        ).fetchone()[0]
    view.table.sortByColumn(7, Qt.SortOrder.DescendingOrder)
    assert view.model.row_at(0).due_on == reg.conn.execute("SELECT max(due_on) FROM cases").fetchone()[0]
    qtbot.waitUntil(lambda: not view.model.count_pending, timeout=10_000)  # the total arrives by itself
    view.table.scrollToBottom()
    last = view.model.row_at(99_999)
    assert last is not None and last.case_no
    assert len(view.model._pages) <= 100


def test_export_of_the_current_filter_runs_with_progress(qtbot, big_registry, tmp_path, monkeypatch):
    import openpyxl

    from desktop.ui.dialogs.messages import Ask

    target = tmp_path / "filtered.xlsx"
    monkeypatch.setattr(Ask, "save_path", classmethod(lambda cls, *a: str(target)))
    view = RegistryView(big_registry, SYSTEM)
    qtbot.addWidget(view)
    type_text(qtbot, view.search, "慈善募捐备案")
    select(view.year, 2026)
    view.apply_filter()
    wanted = set(view.model.all_ids())
    assert 0 < len(wanted) < 5000
    view.export_ledger()
    assert not view.progress.isHidden() and not view.export.isEnabled()
    qtbot.waitUntil(lambda: view.worker is None, timeout=60_000)
    assert view.progress.isHidden() and view.export.isEnabled()
    assert view.progress.maximum() == view.progress.value() == len(wanted)
    assert "已导出" in view.count.text()
    rows = list(openpyxl.load_workbook(target, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) - 1 == len(wanted)
    header = rows[0]
    assert all("慈善募捐备案" in r[header.index("申请内容")] for r in rows[1:])


def test_totals_are_counted_off_the_gui_thread_and_a_stale_one_is_dropped(qtbot, big_registry, monkeypatch):
    import threading

    from desktop.services import registry_list

    reg = big_registry
    on_main_thread, gate = [], threading.Event()
    real_run = registry_list.Count.run

    def run(self):
        on_main_thread.append(threading.current_thread() is threading.main_thread())
        if self.query.received_from == "2025-01-01" and not self.query.applicant_type:
            gate.wait(10)  # the first filter's count is slow, and comes back after the filter changed
            return 123_456
        return real_run(self)

    monkeypatch.setattr(registry_list.Count, "run", run)
    view = RegistryView(reg, SYSTEM)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: not view.model.count_pending, timeout=10_000)
    assert view.model.count == 100_000 and on_main_thread == [False]
    select(view.year, 2025)
    qtbot.waitUntil(lambda: len(on_main_thread) == 2, timeout=5_000)  # counting the first filter
    select(view.applicant_type, "法律服务机构")
    gate.set()
    qtbot.waitUntil(lambda: not view.model.count_pending, timeout=10_000)
    qtbot.wait(200)  # the first filter's late result has arrived by now, and was dropped
    expected = sql_count(reg, "c.received_on BETWEEN '2025-01-01' AND '2025-12-31'"
                              " AND a.applicant_type = '法律服务机构'")
    assert view.model.count == expected > 0 and view.count.text() == f"共 {expected:,} 件"
    assert on_main_thread == [False, False, False]


def test_a_cancelled_count_returns_nothing(big_registry):
    from desktop.services import registry_list
    from desktop.services.registry_list import Filter

    job = registry_list.Count(big_registry, Filter(text="申请"))
    job.cancel()
    assert job.run() is None
    assert registry_list.Count(big_registry, Filter(year=2025)).run() == \
        sql_count(big_registry, "c.received_on BETWEEN '2025-01-01' AND '2025-12-31'")
    by_state = Filter(text="低保", sort="state", descending=True)
    assert registry_list.SortedIds(big_registry, by_state).run() == registry_list.case_ids(big_registry, by_state)


def test_a_big_search_in_another_order_is_sorted_off_the_gui_thread(qtbot, big_registry, monkeypatch):
    import threading

    from desktop.services import registry_list

    reg = big_registry
    on_main_thread = []
    real_work = registry_list.SortedIds._work

    def work(self, conn):
        on_main_thread.append(threading.current_thread() is threading.main_thread())
        return real_work(self, conn)

    monkeypatch.setattr(registry_list.SortedIds, "_work", work)
    view = RegistryView(reg, SYSTEM)
    qtbot.addWidget(view)
    type_text(qtbot, view.search, "低保")
    view.apply_filter()
    expected = sql_count(reg, "c.request_text LIKE '%低保%' OR a.name LIKE '%低保%'")
    assert expected >= registry_list.BACKGROUND_SORT_FROM
    assert not view.model.sorting and view.model.row_at(0) is not None  # the default order: at once
    view.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # by applicant
    assert view.model.sorting and view.model.count == 0 and "正在按所选列排序" in view.count.text()
    qtbot.waitUntil(lambda: not view.model.sorting, timeout=10_000)
    assert on_main_thread == [False]
    assert view.model.count == expected and view.count.text() == f"共 {expected:,} 件"
    names = [view.model.row_at(i).applicant for i in range(60)]
    assert names == sorted(names)
    assert all("低保" in view.model.row_at(i).summary + view.model.row_at(i).applicant for i in range(60))
    last = view.model.row_at(expected - 1)
    assert last.applicant == max(r[0] for r in reg.conn.execute(
        "SELECT a.name FROM cases c JOIN applicants a ON a.id = c.applicant_id"
        " WHERE c.request_text LIKE '%低保%' OR a.name LIKE '%低保%'"))
    # a few matches are sorted at once
    view.search.clear()
    type_text(qtbot, view.search, "喆")
    view.apply_filter()
    assert not view.model.sorting and view.model.count > 0


def test_a_division_user_lists_only_their_divisions_cases(qtbot, registry, staff):
    from datetime import date

    from desktop.services import cases
    from tests.helpers import person_form

    mine = cases.register_case(registry, staff["clerk"], person_form(name="王甲")).case_ids[0]
    theirs = cases.register_case(registry, staff["clerk"], person_form(name="孙丁")).case_ids[0]
    cases.fire(registry, staff["head"], mine, "assign", date(2026, 9, 16), {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["head"], theirs, "assign", date(2026, 9, 16), {"lead_division_id": staff["social_id"]})
    view = RegistryView(registry, staff["planner"])
    qtbot.addWidget(view)
    assert view.model.total() == 1 and view.model.row_at(0).applicant == "王甲"
    type_text(qtbot, view.search, "孙丁")
    view.apply_filter()
    assert view.model.total() == 0
    office = RegistryView(registry, staff["clerk"])
    qtbot.addWidget(office)
    assert office.model.total() == 2


def test_enter_on_a_case_number_tail_opens_the_case(qtbot, registry, staff):
    from desktop.services import cases
    from tests.helpers import person_form

    ids = [cases.register_case(registry, staff["clerk"], person_form(name=f"申请人{i}")).case_ids[0] for i in range(3)]
    wanted = cases.get_case(registry, ids[1])["case_no"]
    view = RegistryView(registry, staff["clerk"])
    qtbot.addWidget(view)
    opened = []
    view.open_case.connect(opened.append)
    type_text(qtbot, view.search, wanted.split("-")[-1])
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert opened == [ids[1]] and view.model.total() == 1
    view.search.clear()
    type_text(qtbot, view.search, "13812345678")  # the applicant's phone: their cases, listed
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert view.model.total() == 3 and opened == [ids[1]]
