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
