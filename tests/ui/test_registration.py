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
    assert "有 3 处需要修改" in view.banner.text()  # ID number, name (required), request text
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
    view.fields["request_text"].setPlainText("甲项；乙项")
    view.split.setChecked(True)
    view.parts.setPlainText("甲项信息\n乙项信息\n")
    ids = view.save()
    assert len(ids) == 2
    assert "2026-00001（答复期限 2026-12-18）、2026-00002（答复期限 2026-12-18）" in view.banner.text()
