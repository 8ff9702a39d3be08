"""The work queue as the clerk meets it: most urgent first, overdue said in words, the cases that only
wait to be filed apart (and filed in one go), an empty list that says so, the list on paper."""

import subprocess
from datetime import date

from PySide6.QtCore import Qt

from desktop.services import cases, registry_list
from desktop.ui.dialogs.messages import Ask
from desktop.ui.views.registry_view import RegistryView
from tests.helpers import person_form


def _delivered(registry, staff, name):
    from desktop.services import letters
    from tests.helpers import approved_case

    case_id = approved_case(registry, staff, "disclose", name=name)
    letters.issue(registry, staff["clerk"], case_id, "reply", date(2026, 10, 15))
    cases.fire(registry, staff["clerk"], case_id, "delivered", date(2026, 10, 16), {"method": "当面", "received_by": name})
    return case_id


def test_the_queue_lists_the_most_urgent_first_and_says_overdue_in_words(qtbot, registry, staff):
    old = cases.register_case(registry, staff["clerk"], person_form(received_on="2026-09-15", name="甲")).case_ids[0]
    newer = cases.register_case(registry, staff["clerk"], person_form(received_on="2026-11-18", name="乙")).case_ids[0]
    middle = cases.register_case(registry, staff["clerk"], person_form(received_on="2026-11-02", name="丙")).case_ids[0]
    _delivered(registry, staff, "丁")  # only waits to be filed: not in the queue
    view = RegistryView(registry, staff["clerk"], queue=True)
    qtbot.addWidget(view)
    assert view.model.all_ids() == [old, middle, newer]
    first = view.model.row_at(0)
    assert first.status == "overdue" and first.cell("days_left") == f"超期{-first.days_left}个工作日"
    assert view.model.row_at(2).cell("days_left").isdigit()
    header = view.table.horizontalHeader()
    assert header.sortIndicatorSection() == 7 and not view.model.filter.descending  # the arrow says ascending
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder


def test_cases_waiting_to_be_filed_are_apart_and_filed_in_one_go(qtbot, registry, staff, monkeypatch):
    done = [_delivered(registry, staff, f"申请人{i}") for i in range(3)]
    view = RegistryView(registry, staff["clerk"], archive=True)
    qtbot.addWidget(view)
    assert sorted(view.model.all_ids()) == sorted(done)
    queue = RegistryView(registry, staff["clerk"], queue=True)
    qtbot.addWidget(queue)
    assert queue.model.all_ids() == [] and queue.count.text() == "没有待办案件"
    asked = []
    monkeypatch.setattr(Ask, "confirm", classmethod(lambda cls, *a: asked.append(a) or True))
    monkeypatch.setattr(Ask, "info", classmethod(lambda cls, *a: asked.append(a)))
    view.table.selectAll()
    view.archive_button.click()
    assert asked[0][2] == "将选中的 3 件案件归档？" and asked[0][3] == "归档"  # the button says what it does
    assert [cases.get_case(registry, i)["state"] for i in done] == ["archived"] * 3
    assert view.model.all_ids() == [] and view.count.text() == "没有待归档的案件"


def test_a_failed_bulk_filing_files_nothing(qtbot, registry, staff, monkeypatch):
    done = [_delivered(registry, staff, f"申请人{i}") for i in range(2)]
    view = RegistryView(registry, staff["clerk"], archive=True)
    qtbot.addWidget(view)
    cases.fire(registry, staff["clerk"], done[0], "archive")  # filed meanwhile at another seat
    errors = []
    monkeypatch.setattr(Ask, "confirm", classmethod(lambda cls, *a: True))
    monkeypatch.setattr(Ask, "error", classmethod(lambda cls, parent, title, text: errors.append(text)))
    view.table.selectAll()
    view.archive_button.click()
    assert errors and errors[0].startswith("没有归档任何案件。案件" + cases.get_case(registry, done[0])["case_no"])
    assert cases.get_case(registry, done[1])["state"] == "delivered"


def test_the_list_prints_what_is_filtered(qtbot, registry, staff, monkeypatch, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    for name in ("王甲", "李乙"):
        cases.register_case(registry, staff["clerk"], person_form(name=name))
    view = RegistryView(registry, staff["clerk"])
    qtbot.addWidget(view)
    out = tmp_path / "list.pdf"

    def to_pdf(cls, parent, title):
        printer = QPrinter()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return printer
    monkeypatch.setattr(Ask, "printer", classmethod(to_pdf))
    view.search.setText("王甲")
    view.apply_filter()
    view.print_button.click()
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "政府信息公开申请案件列表" in text and "王甲" in text and "李乙" not in text and "申请编号" in text


def test_no_match_says_so(qtbot, registry, staff):
    view = RegistryView(registry, staff["clerk"])
    qtbot.addWidget(view)
    view.search.setText("不存在的内容")
    view.apply_filter()
    assert view.count.text() == "没有符合条件的案件"
    assert registry_list.case_count(registry, view.model.filter) == 0
