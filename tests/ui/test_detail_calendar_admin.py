from datetime import date

from PySide6.QtWidgets import QPushButton

from desktop.services import attachments, cases
from desktop.ui.dialogs.messages import Ask
from desktop.ui.main_window import MainWindow
from desktop.ui.views.calendar_view import CalendarView
from tests.helpers import flat, person_form
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


# -- #17.11: administration in plain words ------------------------------------------------------------
def _menu_action(button, text):
    for action in button.menu().actions():
        for a in (action.menu().actions() if action.menu() else [action]):
            if a.text() == text:
                return a
    raise AssertionError(f"{text} not in the menu: {button.tokens()}")


def test_a_template_is_edited_with_names_inserted_from_a_menu(qtbot, registry, office):
    from desktop.services import letters

    w = MainWindow(registry, office["admin"])
    qtbot.addWidget(w)
    view = w.page("admin").templates_tab
    rows = {view.kinds.item(i).data(256): i for i in range(view.kinds.count())}
    view.kinds.setCurrentRow(rows["receipt"])
    shown = view.editor.toPlainText()
    assert "{" not in shown and "【申请人】：" in shown and "于【答复期限】前作出答复" in shown
    assert "{" not in view.message.text() + view.insert.text()
    assert "【答复期限】" in view.insert.tokens() and not any("{" in t for t in view.insert.tokens())
    cursor = view.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    view.editor.setTextCursor(cursor)
    view.editor.insertPlainText("\n\n请于")
    _menu_action(view.insert, "【答复期限】").trigger()  # typed at the cursor
    view.editor.insertPlainText("后凭申请编号{请勿遗失}查询。")
    assert view.editor.toPlainText().endswith("请于【答复期限】后凭申请编号{请勿遗失}查询。")
    assert view.message.text() == ""
    view.save()
    stored, version = letters.template(registry, "receipt")
    assert version == 1 and stored.endswith("请于{due_date}后凭申请编号{{请勿遗失}}查询。")  # the stored form as before
    assert view.editor.toPlainText().endswith("请于【答复期限】后凭申请编号{请勿遗失}查询。")
    case_id = cases.register_case(registry, office["clerk"], person_form()).case_ids[0]
    assert "请于2026年10月19日后凭申请编号{请勿遗失}查询。" in flat(
        letters.issue(registry, office["clerk"], case_id, "receipt").path)


def test_numbering_and_remedy_clauses_are_set_in_plain_words(qtbot, registry, office, monkeypatch):
    from PySide6.QtWidgets import QPlainTextEdit

    from desktop.services import letters

    infos = []
    monkeypatch.setattr(Ask, "info", classmethod(lambda cls, parent, title, text: infos.append(text)))
    w = MainWindow(registry, office["admin"])
    qtbot.addWidget(w)
    tab = w.page("admin").settings_tab
    receipt_no = tab.edits["doc_no_receipt"]
    assert receipt_no.text() == "【机关代字】收〔【年份】〕【序号】号"
    assert tab.examples["doc_no_receipt"].text() == "示例：津民公开收〔2026〕12号"
    assert tab.edits["case_no_pattern"].text() == "【年份】-【序号（5位）】"
    assert tab.examples["case_no_pattern"].text() == "示例：2026-00012"
    receipt_no.setText("【机关代字】回〔【年份】〕第")
    assert tab.errors["doc_no_receipt"].text() == "必须包含【序号】"
    _menu_action(tab.inserts["doc_no_receipt"], "【序号】").trigger()
    receipt_no.insert("号")
    assert tab.errors["doc_no_receipt"].text() == ""
    assert tab.examples["doc_no_receipt"].text() == "示例：津民公开回〔2026〕第12号"
    # a long clause is written in a paragraph editor, its body inserted by name
    remedy = tab.edits["remedy_general"]
    assert isinstance(remedy, QPlainTextEdit) and remedy.height() >= 4 * remedy.fontMetrics().lineSpacing()
    assert remedy.toPlainText().startswith("如对本答复不服，可以自收到本答复之日起60日内向【行政复议机关】申请行政复议")
    assert tab.examples["remedy_general"].text().startswith("示例：如对本答复不服，可以自收到本答复之日起60日内向天津市人民政府")
    remedy.setPlainText("如不服，可以申请复议。")
    assert tab.errors["remedy_general"].text() == "必须写明行政复议机关【行政复议机关】"
    remedy.setPlainText("如不服，可以在60日内向")
    remedy.moveCursor(remedy.textCursor().MoveOperation.End)
    _menu_action(tab.inserts["remedy_general"], "【行政复议机关】").trigger()
    remedy.insertPlainText("申请行政复议，或者在6个月内向【管辖法院】起诉。")
    tab.save()
    assert infos == ["设置已保存。"]
    s = registry.settings()
    assert s["doc_no_receipt"] == "{prefix}回〔{year}〕第{seq}号"
    assert s["remedy_general"] == "如不服，可以在60日内向{reconsideration_body}申请行政复议，或者在6个月内向{court}起诉。"
    case_id = cases.register_case(registry, office["clerk"], person_form()).case_ids[0]
    assert letters.issue(registry, office["clerk"], case_id, "receipt").doc_no == "津民公开回〔2026〕第1号"


def test_the_seal_is_chosen_from_a_file_and_shown(qtbot, registry, office, tmp_path, monkeypatch):
    from PySide6.QtGui import QColor, QImage

    seal = tmp_path / "印章.png"
    image = QImage(200, 200, QImage.Format.Format_ARGB32)
    image.fill(QColor("red"))
    assert image.save(str(seal))
    infos, asked = [], []
    monkeypatch.setattr(Ask, "info", classmethod(lambda cls, parent, title, text: infos.append(text)))
    monkeypatch.setattr(Ask, "open_paths", classmethod(lambda cls, parent, title, filters: asked.append(
        (title, filters)) or [str(seal)]))
    w = MainWindow(registry, office["admin"])
    qtbot.addWidget(w)
    tab = w.page("admin").settings_tab
    assert tab.seal_preview.pixmap().isNull() and tab.seal_path.text().startswith("未使用印章图片")
    tab.findChild(QPushButton, "choose_seal").click()
    assert asked == [("选择印章图片", "图片 (*.png *.jpg *.jpeg)")]
    assert not tab.seal_preview.pixmap().isNull() and tab.seal_preview.pixmap().width() == 110
    assert tab.seal_path.text() == str(seal) and tab.seal_error.text() == ""
    tab.save()
    assert registry.settings()["seal_image"] == str(seal) and infos == ["设置已保存。"]
    tab.findChild(QPushButton, "clear_seal").click()
    tab.save()
    assert registry.settings()["seal_image"] == ""
