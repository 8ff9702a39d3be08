from datetime import date

from desktop.services import attachments, cases
from desktop.ui.dialogs.messages import Ask
from desktop.ui.main_window import MainWindow
from desktop.ui.views.calendar_view import CalendarView
from tests.helpers import person_form
from tests.unit.test_calendar import NOTICE_2026


def test_case_detail_shows_the_computed_due_date_timeline_and_pause(qtbot, registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 9, 16))
    cases.fire(registry, staff["planner"], case_id, "consultation_start", date(2026, 9, 22),
               {"kind": "third_party", "party": "天津宏远建设工程有限公司", "reason": "涉及该公司的商业秘密"})
    cases.fire(registry, staff["planner"], case_id, "consultation_end", date(2026, 10, 9))
    w = MainWindow(registry, staff["clerk"])
    qtbot.addWidget(w)
    w.open_case(case_id)
    d = w.detail
    assert w.current_page() is d
    assert d.deadline_labels["due_on"].text() == "2026-10-28"
    assert d.deadline_labels["days_left"].text() == "已超期 17 个工作日"
    assert d.deadline_labels["status"].text() == "已超期"
    assert d.deadline_labels["pauses"].text() == "征求第三方意见：2026-09-22 至 2026-10-09"
    assert "已超过答复期限" in d.warnings.text()
    assert d.fact_labels["division"].text() == "规划处"
    actions = [d.timeline.item(i, 2).text() for i in range(d.timeline.rowCount())]
    assert actions == ["登记", "分办", "签收", "发出征求意见", "收到征求意见答复"]
    assert d.timeline.item(3, 3).text() == "planner" and d.timeline.item(3, 1).text() == "2026-09-22"


def test_attachments_are_stored_and_a_missing_file_is_reported(qtbot, registry, staff, tmp_path, monkeypatch):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    w = MainWindow(registry, staff["clerk"])
    qtbot.addWidget(w)
    w.open_case(case_id)
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned application")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    errors = []
    monkeypatch.setattr(Ask, "error", classmethod(lambda cls, parent, title, text: errors.append(text)))
    w.detail.add_files([str(scan), str(empty)])
    assert w.detail.files.count() == 1
    assert w.detail.files.item(0).text().startswith("申请书扫描件：申请书.pdf")
    assert errors == ["〔附件〕empty.txt 是空文件"]
    stored = attachments.for_case(registry, case_id)[0]
    assert attachments.local_copy(registry, stored).read_bytes() == scan.read_bytes() and not stored.missing
    assert w.detail.timeline.item(w.detail.timeline.rowCount() - 1, 2).text() == "添加附件"
    registry.conn.execute("DELETE FROM file_contents WHERE sha256 = ?", (stored.sha256,))  # lost
    w.detail.show_case(case_id)
    assert w.detail.files.item(0).text().endswith("⚠ 文件缺失")
    w.detail._open_attachment(w.detail.files.item(0))
    assert "附件文件已不存在" in errors[-1]


def test_notice_paste_previews_then_saves_and_moves_deadlines(qtbot, registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form(received_on="2026-11-20")).case_ids[0]
    assert cases.get_case(registry, case_id)["due_on"] == "2026-12-18"
    view = CalendarView(registry, staff["admin"])
    qtbot.addWidget(view)
    view.year.setValue(2027)
    assert view.warning.text().startswith("⚠ 2027年没有官方节假日数据")
    notice_2027 = NOTICE_2026.replace("1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。",
                                      "1月1日（周五）至3日（周日）放假，共3天。")
    view.notice.setPlainText(notice_2027)
    view.preview()
    assert view.notice_message.text().startswith("无法识别：〔通知文本〕第2行：2月15日是周一，不是周日")
    assert not view.save_button.isEnabled()
    view.notice.setPlainText("一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
                             "二、春节：2月6日（周六）至14日（周日）放假调休，共9天。2月20日（周六）上班。")
    view.preview()
    assert view.preview_table.rowCount() == 2
    assert view.preview_table.item(1, 1).text() == "2月6日至2月14日（9天）"
    assert view.preview_table.item(1, 2).text() == "2月20日"
    assert view.save_button.isEnabled()
    view.save_notice()
    assert view.warning.text().startswith("2027年：共")
    assert registry.conn.execute("SELECT year FROM calendar_years").fetchall()[0][0] == 2027
    assert registry.calendar().is_workday(date(2027, 2, 20))
    # a case due in 2027 is not affected by 2027 holidays before its due date here, but the data is in use
    assert cases.get_case(registry, case_id)["due_on"] == "2026-12-18"


def test_marking_a_day_off_moves_an_open_due_date(qtbot, registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form(received_on="2026-11-20")).case_ids[0]
    view = CalendarView(registry, staff["admin"])
    qtbot.addWidget(view)
    from PySide6.QtCore import QDate

    view._picked(QDate(2026, 12, 1))
    assert view.picked.text() == "2026-12-01（现为工作日）"
    view.as_off.click()
    assert view.picked.text() == "2026-12-01（现为休息日）"
    assert cases.get_case(registry, case_id)["due_on"] == "2026-12-21"


def test_admin_creates_a_user_who_can_then_sign_in(qtbot, registry, staff):
    from desktop.services import users

    w = MainWindow(registry, staff["admin"])
    qtbot.addWidget(w)
    tab = w.page("admin").users_tab
    tab._new()
    tab.login.setText("wangfang")
    tab.name.setText("王芳")
    tab.division.setCurrentIndex(tab.division.findText("社会处"))
    tab.role_boxes["division"].setChecked(True)
    tab.password.setText("Div2026ab")
    tab.save_button.click()
    logins = [tab.table.item(i, 0).text() for i in range(tab.table.rowCount())]
    assert "wangfang" in logins
    who = users.authenticate(registry, "wangfang", "Div2026ab")
    assert who.roles == {"division"} and who.division_id == staff["social_id"]
