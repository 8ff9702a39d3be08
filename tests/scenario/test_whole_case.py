"""One case from the counter to delivery, driven through the real widgets by five people:
the clerk registers, the head of the office routes and approves an extension, the division consults
a third party (the clock pauses and the due date moves), drafts and is sent back once by the legal
reviewer, the leader approves (the text locks), and the clerk issues the reply and records delivery."""

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QListWidget

from desktop.services import cases
from desktop.services.base import EVERYTHING, ServiceError
from desktop.ui.dialogs.delivery import DeliveryDialog
from desktop.ui.dialogs.messages import Ask
from desktop.ui.main_window import MainWindow
from tests.ui.conftest import type_text


def answer(fill):
    """Fill in the modal dialog that the next click opens, then press its OK button."""
    def run():
        dialog = QApplication.activeModalWidget()
        assert dialog is not None, "no dialog opened"
        fill(dialog)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    QTimer.singleShot(0, run)


def on(day):
    return lambda dialog: dialog.findChild(type(dialog.on), "on").setDate(QDate(day.year, day.month, day.day))


def act(window, event, fill=None, day=None):
    def both(dialog):
        if day:
            on(day)(dialog)
        if fill:
            fill(dialog)
    answer(both)
    window.detail.actions.buttons[event].click()


def window_for(qtbot, registry, actor):
    w = MainWindow(registry, actor)
    qtbot.addWidget(w)
    return w


@pytest.fixture
def quiet(monkeypatch):
    told = []
    monkeypatch.setattr(Ask, "info", classmethod(lambda cls, parent, title, text: told.append(text)))
    monkeypatch.setattr(Ask, "confirm", classmethod(lambda cls, *a: True))
    errors = []
    monkeypatch.setattr(Ask, "error", classmethod(lambda cls, parent, title, text: errors.append(text)))
    return told, errors


def test_a_whole_case_through_the_window(qtbot, registry, office, quiet):
    told, errors = quiet
    s = office

    # 1. The clerk registers the application at the counter.
    clerk = window_for(qtbot, registry, s["clerk"])
    clerk.show_section("register")
    form = clerk.page("register")
    type_text(qtbot, form.fields["name"], "王喆")
    type_text(qtbot, form.fields["id_number"], "11010519491231002X")
    type_text(qtbot, form.fields["phone"], "13812345678")
    form.fields["received_on"].setDate(QDate(2026, 9, 15))
    type_text(qtbot, form.fields["request_text"], "2025年度养老机构运营补贴发放明细")
    form.save_button.click()
    case_id = form.last_case_ids[0]
    assert form.banner.text() == "已登记：2026-00001（答复期限 2026-10-19）。可继续登记下一件。"

    # 2. The head of the office routes it to the planning division.
    head = window_for(qtbot, registry, s["head"])
    assert case_id in head.page("queue").model.all_ids()
    head.open_case(case_id)

    def planning(dialog):
        box = dialog.widgets["lead_division_id"]
        box.setCurrentIndex(box.findText("规划处"))
    act(head, "assign", planning, date(2026, 9, 16))
    assert cases.get_case(registry, case_id)["state"] == "assigned"

    # 3. The division signs for it and consults a third party: the clock pauses.
    planner = window_for(qtbot, registry, s["planner"])
    assert planner.page("queue").model.all_ids() == [case_id]
    planner.open_case(case_id)
    assert "assign" not in planner.detail.actions.buttons  # a division cannot route
    act(planner, "sign_for", day=date(2026, 9, 16))

    def third_party(dialog):
        dialog.widgets["party"].setText("天津宏远养老服务有限公司")
        dialog.widgets["reason"].setPlainText("明细中含有该公司的经营数据")
    act(planner, "consultation_start", third_party, date(2026, 9, 22))
    assert told[-1].startswith("已生成：征求第三方意见书 津民公开征〔2026〕1号、征求意见告知书 津民公开征〔2026〕2号")
    # recorded late (today is 11-20): the third party's 15 working days ran to 10-20, the clock runs again
    assert planner.detail.deadline_labels["status"].text() == "已超期（征求意见期满，恢复计时）"
    act(planner, "consultation_end", day=date(2026, 10, 9))
    assert planner.detail.deadline_labels["due_on"].text() == "2026-10-28"  # moved from 10-19 by the pause

    # 4. An extension: requested by the division, approved by the head (the notice is issued).
    act(planner, "extension_request", lambda d: d.widgets["reason"].setPlainText("需要调取历年档案核对"),
        date(2026, 10, 12))
    head.apply(EVERYTHING)
    assert case_id in head.page("queue").model.all_ids()  # the request waits in the head's queue
    head.open_case(case_id)

    def ten_days(dialog):
        dialog.widgets["days"].setValue(10)
    act(head, "extension_approve", ten_days, date(2026, 10, 13))
    assert told[-1].startswith("已生成：延期答复告知书 津民公开延〔2026〕1号")
    planner.open_case(case_id)
    assert planner.detail.deadline_labels["due_on"].text() == "2026-11-11"
    assert "已批准延长 10 个工作日（原期限 2026-10-28）" == planner.detail.deadline_labels["extension"].text()

    # 5. The division drafts the reply from the outcome's template and submits it.
    planner.detail.actions.buttons["draft"].click()
    editor = planner.detail.draft
    assert planner.detail.bottom_tabs.currentWidget() is editor
    editor.outcome.setCurrentIndex(editor.outcome.findData("disclose"))
    assert editor.basis.text().startswith("《中华人民共和国政府信息公开条例》第三十六条第（二）项")
    editor.detail_edits["release_details"].setText("随本答复书附送补贴发放明细表一份")
    editor.fill_button.click()
    assert "随本答复书附送补贴发放明细表一份" in editor.text.toPlainText()
    editor.save_button.click()
    act(planner, "submit_for_review", day=date(2026, 10, 14))
    assert cases.get_case(registry, case_id)["state"] == "in_review"

    # 6. The legal reviewer reads the reply as it will print and sends it back once.
    reviewer = window_for(qtbot, registry, s["reviewer"])
    reviewer.show_section("review")
    review = reviewer.page("review")
    assert review.current_case() == case_id and review.pdf.page_count() >= 1
    assert "予以公开" in review.summary.text()
    review.approve_button.setFocus()
    review.return_button.click()
    assert errors[-1] == "请填写退回意见"
    review.comment.setPlainText("请写明获取的具体方式和时间")
    review.return_button.click()
    assert cases.get_case(registry, case_id)["state"] == "handling"

    # 7. The division sees the comment, corrects the text and submits again.
    planner.apply(EVERYTHING)
    assert planner.page("queue").model.all_ids() == [case_id]
    planner.open_case(case_id)
    assert planner.detail.draft.returned.text() == "退回意见：请写明获取的具体方式和时间"
    editor.text.setPlainText(editor.text.toPlainText() + "您可于收到本答复书之日起10个工作日内到本机关领取纸质件。")
    editor.save_button.click()
    # the reviewer returned it today (on the review screen): the new submission is today's too — a
    # step is never dated before the one it follows
    act(planner, "submit_for_review")
    review.refresh()
    review.approve_button.click()
    assert cases.get_case(registry, case_id)["state"] == "awaiting_approval"

    # 8. The leader approves in one click; the text is locked from then on.
    leader = window_for(qtbot, registry, s["leader"])
    leader.show_section("approve")
    approval = leader.page("approve")
    assert approval.current_case() == case_id
    approval.approve_button.click()
    assert cases.get_case(registry, case_id)["state"] == "approved"
    planner.open_case(case_id)
    assert not planner.detail.draft.text.isEnabled()
    with pytest.raises(ServiceError, match="只能由承办人执行|不能执行"):
        cases.fire(registry, s["planner"], case_id, "draft", None, {"decision": "改动"})

    # 9. The clerk issues the numbered reply and records its delivery.
    clerk.apply(EVERYTHING)
    clerk.open_case(case_id)
    clerk.detail.actions.buttons["reply_issued"].click()
    row = cases.get_case(registry, case_id)
    assert (row["state"], row["outcome"], row["concluded_on"], row["overdue"]) == ("replied", "disclose", "2026-11-20", 1)
    letters_list: QListWidget = clerk.detail.letter_list
    assert any(letters_list.item(i).text().startswith("政府信息公开申请答复书 津民公开〔2026〕1号")
               for i in range(letters_list.count()))

    def delivery(dialog):
        dialog.method.setCurrentText("邮寄")
        dialog.tracking.setText("EMS9876543210CN")
    answer(delivery)
    clerk.detail.actions.buttons["delivered"].click()
    assert cases.get_case(registry, case_id)["state"] == "delivered"

    # The timeline tells the whole story, with who did each step.
    timeline = [(e.action, e.actor) for e in cases.case_view(registry, case_id).timeline]
    for step in [("登记", "clerk"), ("分办", "head"), ("签收", "planner"), ("发出征求意见", "planner"),
                 ("收到征求意见答复", "planner"), ("申请延期", "planner"), ("批准延期", "head"),
                 ("拟写答复", "planner"), ("审核退回", "reviewer"), ("审核通过", "reviewer"),
                 ("领导签发", "leader"), ("出具答复", "clerk"), ("出具文书", "clerk"), ("送达", "clerk")]:
        assert step in timeline, step
    assert errors == ["请填写退回意见"]
    assert DeliveryDialog  # the real dialog was driven above


def test_return_comment_shows_in_the_drafters_queue(qtbot, registry, office, quiet):
    from tests.helpers import person_form

    s = office
    case_id = cases.register_case(registry, s["clerk"], person_form()).case_ids[0]
    cases.fire(registry, s["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": s["planning_id"]})
    cases.fire(registry, s["planner"], case_id, "sign_for", date(2026, 9, 16))
    cases.fire(registry, s["planner"], case_id, "draft", date(2026, 9, 17), {"outcome": "unable_not_held"})
    cases.fire(registry, s["planner"], case_id, "submit_for_review", date(2026, 9, 17))
    cases.fire(registry, s["reviewer"], case_id, "review_return", date(2026, 9, 18), {"comment": "请核对检索范围"})
    planner = window_for(qtbot, registry, s["planner"])
    queue = planner.page("queue")
    assert queue.model.total() == 1
    row = queue.model.row_at(0)
    assert row.id == case_id and row.cell("state") == "办理中（退回）"
    assert queue.model.data(queue.model.index(0, 6), Qt.ItemDataRole.ToolTipRole) == "退回意见：请核对检索范围"
    cases.fire(registry, s["planner"], case_id, "submit_for_review", date(2026, 9, 21))
    assert cases.get_case(registry, case_id)["return_comment"] is None
