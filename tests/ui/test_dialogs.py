"""The small forms behind the handling actions: they check before closing and never lose what was typed."""

from PySide6.QtCore import Qt

from desktop.ui.dialogs.event_form import EventDialog


def test_assigning_starts_with_no_division_and_never_offers_the_lead_as_co_division(qtbot, registry, staff):
    dialog = EventDialog(registry, "assign", "2026-00001")
    qtbot.addWidget(dialog)
    lead, co = dialog.widgets["lead_division_id"], dialog.widgets["co_division_ids"]
    assert lead.currentData() is None and lead.currentText() == "（请选择）"
    dialog._accept()
    assert dialog.result() == 0 and dialog.message.text() == "请选择“主办处室”"
    lead.setCurrentIndex(lead.findText("规划处"))
    shown = [co.item(i).text() for i in range(co.count()) if not co.item(i).isHidden()]
    assert "规划处" not in shown and "社会处" in shown
    social = next(co.item(i) for i in range(co.count()) if co.item(i).text() == "社会处")
    social.setCheckState(Qt.CheckState.Checked)
    lead.setCurrentIndex(lead.findText("社会处"))  # the lead changed to the one ticked as co-division
    assert social.isHidden() and social.checkState() == Qt.CheckState.Unchecked
    assert dialog.values() == {"lead_division_id": staff["social_id"], "co_division_ids": []}


def test_a_refused_delivery_keeps_the_dialog_open_with_what_was_typed(qtbot, registry, office, monkeypatch):

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from desktop.services import cases, letters
    from desktop.ui.dialogs.delivery import DeliveryDialog
    from desktop.ui.views.case_detail import CaseDetailView
    from tests.helpers import person_form

    case_id = cases.register_case(registry, office["clerk"], person_form()).case_ids[0]
    letters.issue(registry, office["clerk"], case_id, "receipt")
    d = CaseDetailView(registry, office["clerk"])
    qtbot.addWidget(d)
    d.show_case(case_id)
    d.letter_list.setCurrentRow(0)
    seen = []

    def fill_then_fix():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, DeliveryDialog)
        dialog.method.setCurrentText("邮寄")
        dialog.delivered_on.setDate(dialog.delivered_on.maximumDate().addDays(-1))
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        ok.click()  # 邮寄 without a tracking number: refused, the dialog stays with the message
        seen.append((dialog.isVisible(), dialog.message.text(), dialog.method.currentText()))
        dialog.tracking.setText("EMS1234567890")
        ok.click()
    QTimer.singleShot(0, fill_then_fix)
    d.deliver_letter()
    assert seen and seen[0][0] is True and "邮件号" in seen[0][1] and seen[0][2] == "邮寄"
    delivery = letters.latest_delivery(registry, letters.issued(registry, case_id)[0]["id"])
    assert (delivery["method"], delivery["tracking_no"]) == ("邮寄", "EMS1234567890")


def test_a_refused_action_keeps_its_form_open(qtbot, registry, staff):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from desktop.services import cases
    from desktop.ui.views.actions_panel import ActionsPanel
    from tests.helpers import person_form

    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    panel = ActionsPanel(registry, staff["head"])
    qtbot.addWidget(panel)
    panel.load(case_id)
    seen = []

    def refuse_then_cancel():
        dialog = QApplication.activeModalWidget()
        lead = dialog.widgets["lead_division_id"]
        lead.setCurrentIndex(lead.findText("规划处"))
        registry.conn.execute("UPDATE divisions SET active = 0 WHERE name = '规划处'")  # gone meanwhile
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
        seen.append((dialog.isVisible(), dialog.message.text(), lead.currentText()))
        dialog.reject()
    QTimer.singleShot(0, refuse_then_cancel)
    panel.act("assign")
    assert seen == [(True, seen[0][1], "规划处")] and "主办处室" in seen[0][1]
    assert cases.get_case(registry, case_id)["state"] == "registered"
