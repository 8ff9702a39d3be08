"""拟写答复 (#17.5): a large text field, repetitions of the letter said before submission, saving said."""

import re
from datetime import date

import pytest
from PySide6.QtCore import Qt

from desktop.services import cases
from desktop.ui.main_window import MainWindow
from desktop.ui.views.draft_editor import DraftEditor
from tests.helpers import person_form
from tests.ui.conftest import type_text

REMEDY = "如对本答复不服，可以自收到本答复之日起60日内向某某市人民政府申请行政复议。"


@pytest.fixture
def handling_case(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 9, 16))
    return case_id


def test_the_text_takes_the_editors_height_whatever_the_outcome_asks_for(qtbot, registry, staff, handling_case):
    editor = DraftEditor(registry, staff["planner"])
    qtbot.addWidget(editor)
    editor.load(handling_case, editable=True)
    editor.outcome.setCurrentIndex(editor.outcome.findData("partial"))  # five details to give
    editor.resize(1176, 340)  # what the case screen's lower half gives it on a 1366×768 screen
    editor.show()
    qtbot.waitExposed(editor)
    lines = editor.text.height() // editor.text.fontMetrics().lineSpacing()
    assert editor.text.height() >= 0.75 * editor.height() and lines >= 15
    # the editor asks for little height, so the case screen's splitter can give it more or less room
    assert editor.minimumSizeHint().height() <= 150
    # and the text can be widened over the details beside it
    before = editor.text.width()
    editor.splitter.setSizes([300, 900])
    assert editor.text.width() > before


def test_a_remedy_clause_or_second_citation_in_the_body_is_said_before_submission(qtbot, registry, staff,
                                                                                    handling_case):
    w = MainWindow(registry, staff["planner"])
    qtbot.addWidget(w)
    w.open_case(handling_case)
    editor = w.detail.draft
    editor.outcome.setCurrentIndex(editor.outcome.findData("disclose"))
    editor.detail_edits["release_details"].setText("随本答复书提供相关文件")
    editor.fill_from_template()
    editor.check_text()
    assert editor.warning.isHidden()  # the template's own body repeats nothing
    editor.text.moveCursor(editor.text.textCursor().MoveOperation.End)
    qtbot.keyClick(editor.text, Qt.Key.Key_Return)
    type_text(qtbot, editor.text, REMEDY + "依据《政府信息公开条例》第三十六条第二项之规定。")
    qtbot.waitUntil(lambda: not editor.warning.isHidden(), timeout=3000)  # said as typing pauses
    assert editor.warning.text() == (
        "提交审核前请修改："
        "\n⚠ 正文中写了救济告知（“如对本答复不服，可以自收到本答复之日起60日内向某某市人民政……”）。"
        "答复书会在正文之后自动加上救济告知，请删去这段，以免重复。"
        "\n⚠ 正文中第三十六条第（二）项引用了2次（按模板只需1次），请删去重复的法律依据。")
    # saved as a draft all the same, and said so, with the time and what still needs doing
    assert editor.save()
    assert re.fullmatch(r"已保存草稿（\d\d:\d\d）。正文有2处与答复书重复，提交审核前请修改", editor.status.text())
    assert not editor.status.isHidden() and not editor.warning.isHidden()
    editor.text.setPlainText(editor.text.toPlainText().split("\n" + REMEDY)[0])
    editor.check_text()
    assert editor.warning.isHidden()
    assert editor.save()
    assert re.fullmatch(r"已保存草稿（\d\d:\d\d）", editor.status.text())
    # opened again later, the editor says when the draft was saved
    w.detail.show_case(handling_case)
    other = MainWindow(registry, staff["planner"])
    qtbot.addWidget(other)
    other.open_case(handling_case)
    assert re.fullmatch(r"草稿保存于 \d{4}-\d\d-\d\d \d\d:\d\d", other.detail.draft.status.text())


def test_submitting_a_draft_that_repeats_the_letter_asks_first(qtbot, registry, staff, handling_case, monkeypatch):
    from desktop.ui.dialogs.messages import Ask

    w = MainWindow(registry, staff["planner"])
    qtbot.addWidget(w)
    w.open_case(handling_case)
    editor = w.detail.draft
    editor.outcome.setCurrentIndex(editor.outcome.findData("disclose"))
    editor.detail_edits["release_details"].setText("随本答复书提供相关文件")
    editor.fill_from_template()
    editor.text.setPlainText(editor.text.toPlainText() + "\n" + REMEDY)
    assert editor.save()
    asked = []
    monkeypatch.setattr(Ask, "confirm", classmethod(lambda cls, *a: asked.append(a) or False))
    w.detail.actions.act("submit_for_review")
    assert asked and "救济告知" in asked[0][2] and asked[0][3] == "仍然提交"
    assert cases.get_case(registry, handling_case)["state"] == "handling"  # not submitted


def test_the_draft_can_take_nearly_the_whole_case_screen(qtbot, registry, staff, handling_case):
    w = MainWindow(registry, staff["planner"])
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.open_case(handling_case)
    w.detail.actions.buttons["draft"].click()
    qtbot.wait(50)
    top, bottom = w.detail.splitter.sizes()
    assert bottom > 3 * top  # 拟写答复 gives the draft the room


def test_a_cleared_detail_stays_cleared_in_the_editor_and_the_letter(qtbot, registry, office, handling_case):
    from desktop.services import letters

    w = MainWindow(registry, office["planner"])
    qtbot.addWidget(w)
    w.open_case(handling_case)
    editor = w.detail.draft
    editor.outcome.setCurrentIndex(editor.outcome.findData("disclose"))
    editor.detail_edits["release_details"].setText("随本答复书提供补贴明细表")
    editor.fill_from_template()
    assert editor.save()
    editor.detail_edits["release_details"].setText("")
    assert editor.save()
    again = MainWindow(registry, office["planner"])
    qtbot.addWidget(again)
    again.open_case(handling_case)
    assert again.detail.draft.detail_edits["release_details"].text() == ""
    values = letters.template_values(registry, handling_case, "reply")
    assert "补贴明细表" not in str(values.get("release_details") or "")  # the letter does not bring it back


def test_the_editor_asks_for_the_details_the_administrators_template_uses(qtbot, registry, office, handling_case):
    from desktop.services import letters

    text, _v = letters.template(registry, "reply:disclose")
    assert "{release_details}" in text
    letters.save_template(registry, office["admin"], "reply:disclose", text.replace("{release_details}", "见附件"))
    editor = DraftEditor(registry, office["planner"])
    qtbot.addWidget(editor)
    editor.load(handling_case, editable=True)
    editor.outcome.setCurrentIndex(editor.outcome.findData("disclose"))
    assert "release_details" not in editor.details()  # the edited template no longer needs it
