import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.ui.views.registration import RegistrationView
from tests.ui.conftest import type_text


def _focused_name() -> str:
    w = QApplication.focusWidget()
    while w is not None and not w.objectName():
        w = w.parentWidget()
    return w.objectName() if w else ""


def focused():
    w = QApplication.focusWidget()
    assert w is not None, "no widget has the keyboard focus"
    return w


def tab_to(qtbot, view, name, limit=15):
    for _ in range(limit):
        if _focused_name() == name:
            return
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {name}; stuck at {_focused_name()}")


def test_register_a_case_by_keyboard_alone(qtbot, registry, staff):
    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    with qtbot.waitActive(view):
        view.show()
        view.activateWindow()
    view.fields["applicant_type"].setFocus()
    tab_to(qtbot, view, "name")
    type_text(qtbot, focused(), "王喆")
    tab_to(qtbot, view, "id_number")
    type_text(qtbot, focused(), "11010519491231002X")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Enter moves on
    tab_to(qtbot, view, "phone")
    type_text(qtbot, focused(), "13812345678")
    tab_to(qtbot, view, "request_text")
    type_text(qtbot, focused(), "申请公开2025年度养老机构补贴发放明细")
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert view.last_case_ids, view.banner.text()
    row = registry.conn.execute(
        "SELECT c.case_no, c.received_on, c.due_on, a.name, a.id_number, c.channel FROM cases c"
        " JOIN applicants a ON a.id = c.applicant_id").fetchone()
    assert tuple(row) == ("2026-00001", "2026-11-20", "2026-12-18", "王喆", "11010519491231002X", "当面")
    assert view.banner.text() == "已登记：2026-00001（答复期限 2026-12-18）。可继续登记下一件。"
    assert view.value("name") == "" and view.value("request_text") == ""


def test_messages_appear_as_you_type_and_a_failed_save_keeps_the_form(qtbot, registry, staff):
    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    type_text(qtbot, view.fields["id_number"], "110105194912310021")
    assert view.errors["id_number"].text() == "校验位错误（应为X），请核对号码"
    assert not view.errors["id_number"].isHidden()
    type_text(qtbot, view.fields["email"], "zhang@")
    assert view.errors["email"].text().startswith("格式不正确")
    view.fields["request_text"].setPlainText("政" * 6000)
    assert view.errors["request_text"].text() == "过长（6000个字符，最多5000个）"
    view.fields["email"].clear()
    assert view.errors["email"].isHidden()
    assert view.save() == []
    # ID number, name (required), request text, and a contact (art. 29: a person's application says
    # how to reach them; none of phone, e-mail and address is given)
    assert "有 4 处需要修改" in view.banner.text()
    assert view.errors["phone"].text() == "必填：联系电话、电子邮箱、通讯地址至少填写一项（《条例》第二十九条）"
    assert view.value("id_number") == "110105194912310021" and len(view.value("request_text")) == 6000
    assert registry.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


def test_organisation_fields_and_credit_code(qtbot, registry, staff):
    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    view.show()
    view.fields["applicant_type"].setCurrentText("法律服务机构")
    assert view.form.labelForField(view.fields["id_number"].parentWidget()).text() == "统一社会信用代码"
    assert view.fields["legal_rep"].parentWidget().isVisible()
    assert not view.fields["work_unit"].parentWidget().isVisible()
    type_text(qtbot, view.fields["id_number"], "91350100M000100Y44")
    assert "校验位错误" in view.errors["id_number"].text()


def test_applicant_history_and_month_count_appear_while_typing(qtbot, registry, staff):
    from desktop.services import cases
    from tests.helpers import person_form

    for day in ("2026-11-02", "2026-11-05"):
        cases.register_case(registry, staff["clerk"], person_form(received_on=day))
    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    type_text(qtbot, view.fields["id_number"], "11010519491231002X")
    type_text(qtbot, view.fields["request_text"], "养老机构补贴")
    qtbot.waitUntil(lambda: view.history.count() == 2, timeout=3000)
    assert "本月已申请 <b>2</b> 件" in view.counts.text()
    assert view.similar.count() == 2 and "2026-00001" in view.similar.item(1).text() + view.similar.item(0).text()


def test_split_into_several_cases(qtbot, registry, staff):
    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    type_text(qtbot, view.fields["name"], "李彧")
    type_text(qtbot, view.fields["id_number"], "11010519491231002X")  # a person's ID and contact (art. 29)
    type_text(qtbot, view.fields["phone"], "13812345678")
    view.fields["request_text"].setPlainText("甲项；乙项")
    view.split.setChecked(True)
    view.parts.setPlainText("甲项信息\n乙项信息\n")
    ids = view.save()
    assert len(ids) == 2
    assert "2026-00001（答复期限 2026-12-18）、2026-00002（答复期限 2026-12-18）" in view.banner.text()


# -- #17.6: keyboard, receipt at the counter, what follows from what --------------------------------
def _shown_window(qtbot, registry, actor):
    from desktop.ui.main_window import MainWindow

    w = MainWindow(registry, actor)
    qtbot.addWidget(w)
    with qtbot.waitActive(w):
        w.show()
        w.activateWindow()
    return w


def test_ctrl_n_opens_a_new_registration_with_the_keyboard_in_the_first_field(qtbot, registry, staff):
    w = _shown_window(qtbot, registry, staff["clerk"])
    assert "register" not in w.pages  # built when first shown, after the menus
    menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "案件(&C)")
    new = next(a for a in menu.actions() if a.text() == "新登记(&N)")
    assert new.shortcut().toString() == "Ctrl+N"
    qtbot.keyClick(focused(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert w.page("register").isVisible()
    assert _focused_name() == "applicant_type"
    # from the navigation (a mouse click on 登记), one Tab reaches the first field
    w.nav.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert _focused_name() == "applicant_type"


def test_one_tab_passes_the_date(qtbot, registry, staff):
    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    with qtbot.waitActive(view):
        view.show()
        view.activateWindow()
    view.fields["channel"].setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert _focused_name() == "received_on"
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # not the date's month, then its day
    assert _focused_name() == "request_text"
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)
    assert _focused_name() == "received_on"


def test_the_delivery_route_follows_the_channel_until_the_clerk_chooses(qtbot, registry, staff):
    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    assert view.value("channel") == "当面" and view.value("delivery_route") == "自行领取"
    for channel, route, form in (("邮寄", "邮寄", "纸质"), ("平常信函", "邮寄", "纸质"), ("网络", "电子邮件", "电子邮件"),
                                 ("传真", "传真", "纸质"), ("当面", "自行领取", "纸质")):
        view.fields["channel"].setCurrentText(channel)
        assert (view.value("delivery_route"), view.value("delivery_form")) == (route, form), channel
    route = view.fields["delivery_route"]
    route.setFocus()
    qtbot.keyClick(route, Qt.Key.Key_Down)  # the clerk picks the next one by hand (自行领取 → 当场阅读、抄录)
    assert view.value("delivery_route") == "当场阅读、抄录"
    view.fields["channel"].setCurrentText("网络")
    assert view.value("delivery_route") == "当场阅读、抄录"  # their choice stands
    view.reset()
    assert view.value("delivery_route") == "自行领取"


def test_a_returning_applicants_contact_is_offered_for_reuse(qtbot, registry, staff):
    from desktop.services import cases
    from tests.helpers import person_form

    cases.register_case(registry, staff["clerk"], person_form(
        phone="13812345678", address="天津市和平区南京路100号", postcode="300041"))
    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    view.show()
    type_text(qtbot, view.fields["name"], "王喆")
    qtbot.wait(400)
    assert not view.reuse_row.isVisible()  # a name alone may be someone else's: no phone on a name
    type_text(qtbot, view.fields["id_number"], "11010519491231002X")
    qtbot.waitUntil(view.reuse_row.isVisible, timeout=3000)
    assert view.earlier_contact.text() == "以往登记的联系方式：电话 13812345678；地址 天津市和平区南京路100号；邮编 300041"
    type_text(qtbot, view.fields["phone"], "022-23456789")  # a new number given today stays
    view.reuse_button.click()
    assert (view.value("phone"), view.value("address"), view.value("postcode")) == (
        "022-23456789", "天津市和平区南京路100号", "300041")


def test_the_id_number_is_not_red_while_it_is_being_typed(qtbot, registry, staff):
    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    with qtbot.waitActive(view):
        view.show()
        view.activateWindow()
    field = view.fields["id_number"]
    field.setFocus()
    qtbot.keyClicks(field, "1101051949")
    assert view.errors["id_number"].isHidden() and field.styleSheet() == ""
    assert view.check("id_number", typing=False) == "应为18位，现为10位"  # known, not shown yet
    qtbot.keyClicks(field, "12310021")  # 18 characters, wrong check digit: said at once
    assert view.errors["id_number"].text() == "校验位错误（应为X），请核对号码"
    assert not view.errors["id_number"].isHidden()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert view.errors["id_number"].isHidden()  # typing again
    view.fields["phone"].setFocus()  # leaving the field shows what is wrong
    assert view.errors["id_number"].text() == "应为18位，现为16位"
    assert not view.errors["id_number"].isHidden()


def test_a_person_without_id_or_contact_is_refused_by_the_form_and_the_service(qtbot, registry, staff):
    from desktop.services import cases
    from desktop.services.base import ValidationFailed
    from tests.helpers import person_form

    with pytest.raises(ValidationFailed) as refused:
        cases.register_case(registry, staff["clerk"], person_form(id_number="", phone=""))
    assert [str(p) for p in refused.value.problems] == [
        "〔证件号码〕必填：自然人申请应提供身份证明（《条例》第二十九条）",
        "〔联系电话〕必填：联系电话、电子邮箱、通讯地址至少填写一项（《条例》第二十九条）"]
    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    type_text(qtbot, view.fields["name"], "李彧")
    view.fields["request_text"].setPlainText("申请公开某文件")
    assert view.save() == [] and "有 2 处需要修改" in view.banner.text()
    assert view.errors["id_number"].text() == "必填：自然人申请应提供身份证明（《条例》第二十九条）"
    type_text(qtbot, view.fields["email"], "li@example.com")  # one contact is enough
    assert view.errors["phone"].isHidden()
    view.fields["id_type"].setCurrentText("护照")
    type_text(qtbot, view.fields["id_number"], "E12345678")
    assert view.save() and registry.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 1


def test_after_saving_the_receipt_is_issued_and_printed_in_one_step(qtbot, registry, staff, tmp_path,
                                                                     monkeypatch):
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

    from desktop.services import letters
    from desktop.ui.dialogs.messages import Ask
    from tests.helpers import pdf_text

    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    view.show()
    assert not view.receipt_button.isVisible() and not view.open_button.isVisible()
    type_text(qtbot, view.fields["name"], "王喆")
    type_text(qtbot, view.fields["id_number"], "11010519491231002X")
    type_text(qtbot, view.fields["phone"], "13812345678")
    view.fields["request_text"].setPlainText("申请公开2025年度养老机构补贴发放明细")
    [case_id] = view.save()
    assert view.receipt_button.isVisible() and view.open_button.isVisible()
    assert view.receipt_button.text() == "出具回执并打印 (Ctrl+P)"
    out = tmp_path / "printed.pdf"
    asked = []

    def printer(cls, parent, title):
        asked.append(title)
        p = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(out))
        return p

    monkeypatch.setattr(Ask, "printer", classmethod(printer))
    view.receipt_button.click()
    receipt = letters.latest(registry, case_id, "receipt")
    assert receipt is not None and receipt["doc_no"] == "某民公开收〔2026〕1号"
    assert asked == ["打印登记回执"]
    assert view.banner.text() == "已出具并打印登记回执：某民公开收〔2026〕1号（共1页），请交申请人。"
    # what came out of the printer is the receipt's page
    printed, issued = QPdfDocument(), QPdfDocument()
    printed.load(str(out))
    issued.load(str(letters.verified_file(registry, receipt)))
    assert printed.pageCount() == issued.pageCount() == 1
    assert "登记回执" in pdf_text(letters.verified_file(registry, receipt))
    size = QSize(210, 297)
    a, b = printed.render(0, size), issued.render(0, size)
    dark = [(x, y) for x in range(0, 210, 3) for y in range(0, 297, 3) if QColor(b.pixel(x, y)).lightness() < 128]
    assert len(dark) > 50  # the receipt's text
    assert sum(QColor(a.pixel(x, y)).lightness() < 200 for x, y in dark) > 0.7 * len(dark)
    # printed again: the same receipt, not a new version
    view.receipt_button.click()
    assert letters.latest(registry, case_id, "receipt")["version"] == 1
    # cancelled at the print dialog: nothing issued
    monkeypatch.setattr(Ask, "printer", classmethod(lambda cls, parent, title: None))
    with qtbot.waitSignal(view.open_case) as opened:
        view.open_button.click()
    assert opened.args == [case_id]


def test_a_plain_letter_records_its_arrival_and_counts_from_the_confirmation(qtbot, registry, staff):
    from PySide6.QtCore import QDate

    from desktop.services import cases

    view = RegistrationView(registry, staff["clerk"])
    qtbot.addWidget(view)
    view.show()
    arrived_row = view.fields["letter_arrived_on"].parentWidget()
    assert not arrived_row.isVisibleTo(view)  # only a 平常信函 has one
    view.fields["channel"].setCurrentText("平常信函")
    assert arrived_row.isVisibleTo(view)
    label = view.form.labelForField(view.fields["received_on"].parentWidget())
    assert label.text().startswith("与申请人确认之日")
    type_text(qtbot, view.fields["name"], "王喆")
    type_text(qtbot, view.fields["id_number"], "11010519491231002X")
    type_text(qtbot, view.fields["phone"], "13812345678")
    type_text(qtbot, view.fields["request_text"], "申请公开2025年度养老机构补贴发放明细")
    view.fields["received_on"].setDate(QDate(2026, 11, 18))
    view.fields["letter_arrived_on"].setDate(QDate(2026, 11, 19))  # after the confirmation: impossible
    assert "不能晚于与申请人确认之日" in view.findChild(type(label), "letter_arrived_on_error").text()
    view.fields["letter_arrived_on"].setDate(QDate(2026, 11, 16))
    view.save()
    case_id = view.last_case_ids[0]
    dl = cases.case_view(registry, case_id, staff["clerk"]).deadline
    assert cases.get_case(registry, case_id)["received_on"] == "2026-11-18"  # counted from the confirmation
    assert any("平常信函于2026-11-16到达，2026-11-18才与申请人确认" in w for w in dl.warnings)
