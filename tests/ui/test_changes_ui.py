"""#18 — what changed, said once: the screen that acted shows its result, the main window hands what
changed to the other screens, and each refreshes what concerns it (never what the user is typing)."""

from desktop.services import cases
from desktop.services.base import EVERYTHING
from desktop.ui.dialogs.event_form import EventDialog
from desktop.ui.main_window import MainWindow
from tests.helpers import person_form


def _window_at(qtbot, registry, actor, section: str) -> MainWindow:
    """The main window of ``actor``, shown, at ``section``."""
    w = MainWindow(registry, actor)
    qtbot.addWidget(w)
    w.show()
    w.show_section(section)
    return w


def _state_shown(page, case_id: int) -> str:
    return page.model.row_at(page.model.all_ids().index(case_id)).cell("state")


def test_an_action_in_the_case_screen_shows_in_the_list_it_was_opened_from(qtbot, registry, staff, monkeypatch):
    case_id = cases.register_case(registry, staff["clerk"], person_form(received_on="2026-11-20")).case_ids[0]
    w = _window_at(qtbot, registry, staff["head"], "all")
    assert _state_shown(w.page("all"), case_id) == "待分办"
    w.open_case(case_id)

    def fill_in_and_press_ok(dialog) -> int:  # the head picks the lead division and presses 确定
        combo = dialog.widgets["lead_division_id"]
        combo.setCurrentIndex(combo.findData(staff["planning_id"]))
        dialog._accept()
        return dialog.result()
    monkeypatch.setattr(EventDialog, "exec", fill_in_and_press_ok)
    w.detail.actions.buttons["assign"].click()
    assert cases.get_case(registry, case_id)["state"] == "assigned"
    w.detail.back_button.click()  # back to the same list: no navigation happened, yet it is current
    assert w.current_page() is w.page("all")
    assert _state_shown(w.page("all"), case_id) == "待签收"


def test_a_division_added_shows_in_the_user_form_at_once_keeping_what_was_chosen(qtbot, registry, staff):
    w = _window_at(qtbot, registry, staff["admin"], "admin")
    admin = w.page("admin")
    form = admin.users_tab
    form.division.setCurrentIndex(form.division.findText("社会处"))
    admin.divisions_tab.new_name.setText("财务处")
    admin.divisions_tab._add()
    assert form.division.findText("财务处") > 0
    assert form.division.currentText() == "社会处"


def test_figures_follow_another_seat_while_the_report_text_being_typed_stays(qtbot, registry, staff):
    w = _window_at(qtbot, registry, staff["head"], "stats")
    stats = w.page("stats")
    stats.setCurrentWidget(stats.annual)
    report = stats.annual
    report.year.setValue(2026)
    received = report.table3.item(3, 9).text()
    report.text_edits["一"].setPlainText("本年度共收到申请")  # being typed, not saved
    cases.register_case(registry, staff["clerk"], person_form(received_on="2026-11-20"))  # elsewhere
    w.apply(EVERYTHING)
    assert int(report.table3.item(3, 9).text()) == int(received) + 1
    assert report.text_edits["一"].toPlainText() == "本年度共收到申请"
