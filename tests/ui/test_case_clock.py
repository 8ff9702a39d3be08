"""The case screen says what the clock does when the other side's time runs out."""

from datetime import date

from desktop.services import cases
from desktop.ui.views.case_detail import CaseDetailView
from tests.helpers import person_form


def test_the_case_screen_says_the_consultation_period_ended_and_the_clock_runs(qtbot, registry, staff):
    clock = [date(2026, 11, 20)]
    registry.today = lambda: clock[0]
    case_id = cases.register_case(registry, staff["clerk"], person_form(received_on="2026-11-02")).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 11, 2), {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 11, 2))
    cases.fire(registry, staff["planner"], case_id, "consultation_start", date(2026, 11, 16),
               {"kind": "third_party", "party": "某公司", "reason": "涉及商业秘密"})
    d = CaseDetailView(registry, staff["planner"])
    qtbot.addWidget(d)
    d.show_case(case_id)
    assert d.deadline_labels["status"].text() == "暂停计时"
    # no delivery recorded: the third party's 15 working days are counted from the sending day, and said so
    assert "对方答复期限至 2026-12-07，按发出日估算" in d.deadline_labels["pauses"].text()
    clock[0] = date(2026, 12, 8)
    d.show_case(case_id)
    assert d.deadline_labels["status"].text().endswith("（征求意见期满，恢复计时）")
    assert "征求意见期限2026-12-07已满未收到答复" in d.warnings.text()
    # and the list says the same, with the division's queue flagging it
    cases.roll_forward(registry)
    from desktop.services import registry_list

    row = registry_list.rows(registry, [case_id])[case_id]
    assert row.cell("due_on").endswith("（征求意见期满，恢复计时）")


def test_a_consultation_letter_says_its_period_is_assumed_until_its_delivery_is_recorded(qtbot, registry, office):
    from desktop.services import handling, letters

    s = office
    case_id = cases.register_case(registry, s["clerk"], person_form(received_on="2026-11-02")).case_ids[0]
    cases.fire(registry, s["head"], case_id, "assign", date(2026, 11, 2), {"lead_division_id": s["planning_id"]})
    cases.fire(registry, s["planner"], case_id, "sign_for", date(2026, 11, 2))
    issued = handling.act(registry, s["planner"], case_id, "consultation_start", date(2026, 11, 16),
                          {"kind": "third_party", "party": "某公司", "reason": "涉及商业秘密"})
    d = CaseDetailView(registry, s["clerk"])
    qtbot.addWidget(d)
    d.show_case(case_id)
    lines = [d.letter_list.item(i).text() for i in range(d.letter_list.count())]
    assert any(line.startswith("征求第三方意见书") and "未登记送达：对方期限暂按发出日估算" in line for line in lines)
    letter = next(i for i in issued if i.kind == "consult_third_party")
    letters.record_delivery(registry, s["clerk"], letter.id, "邮寄", date(2026, 11, 19), "EMS1234567890")
    d.show_case(case_id)
    lines = [d.letter_list.item(i).text() for i in range(d.letter_list.count())]
    assert any(line.startswith("征求第三方意见书") and "已送达（邮寄，2026-11-19）" in line for line in lines)
    # the third party's 15 working days now run from 11-19: to 12-10
    assert "对方答复期限至 2026-12-10）" in d.deadline_labels["pauses"].text()
