"""The leader signs with everything in view: the reply, the 呈批单 and every opinion so far; approving
or returning says what happened."""

from datetime import date

from desktop.services import cases
from desktop.services.demo import reply_details
from desktop.ui.views.approval_view import ApprovalView
from tests.helpers import person_form


def _awaiting_approval(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form(name="王喆堃")).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 9, 16))
    cases.fire(registry, staff["planner"], case_id, "draft", date(2026, 10, 9),
               {"outcome": "disclose", "text": "经查，该信息由本处制作保存，拟予公开。", **reply_details("disclose")})
    cases.fire(registry, staff["planner"], case_id, "submit_for_review", date(2026, 10, 12))
    cases.fire(registry, staff["reviewer"], case_id, "review_approve", date(2026, 10, 13),
               {"comment": "法律依据引用正确，同意。"})
    return case_id


def test_the_leader_sees_the_reply_the_approval_form_and_every_opinion(qtbot, registry, office):
    case_id = _awaiting_approval(registry, office)
    view = ApprovalView(registry, office["leader"], "leader")
    qtbot.addWidget(view)
    assert view.current_case() == case_id
    assert view.pdf.page_count() >= 1
    assert view.documents.tabText(1) == "呈批单" and view.form_pdf.page_count() >= 1
    said = view.opinions.toPlainText()
    assert "经查，该信息由本处制作保存，拟予公开。" in said  # the division's opinion
    assert "法规审核" in said and "法律依据引用正确，同意。" in said and "reviewer" in said
    view.approve_button.click()
    assert cases.get_case(registry, case_id)["state"] == "approved"
    assert view.done_label.isVisibleTo(view)
    assert view.done_label.text().startswith(cases.get_case(registry, case_id)["case_no"])
    assert "已同意签发，案件转登记员出具答复书" in view.done_label.text()


def test_a_return_says_where_the_case_went_and_why(qtbot, registry, office):
    case_id = _awaiting_approval(registry, office)
    view = ApprovalView(registry, office["leader"], "leader")
    qtbot.addWidget(view)
    view.comment.setPlainText("请补充获取方式")
    view.return_button.click()
    assert cases.get_case(registry, case_id)["state"] == "handling"
    assert "已退回承办处室修改（意见：请补充获取方式）" in view.done_label.text()
    assert view.current_case() is None and view.summary.text() == "没有等待处理的案件。"


def test_an_overdue_case_waiting_for_approval_says_by_how_much_in_words(qtbot, registry, office):
    case_id = _awaiting_approval(registry, office)  # received 09-15, due 10-19; today is 11-20
    view = ApprovalView(registry, office["leader"], "leader")
    qtbot.addWidget(view)
    text = view.waiting.item(0).text()
    assert "超期" in text and "个工作日" in text and "-" not in text.split("期限")[1].split("（")[1]
    assert case_id == view.current_case()
