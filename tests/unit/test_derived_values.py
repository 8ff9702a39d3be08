"""What the list stores and what the case screen computes agree on every case, on every day: a
paused case's projected due date as the days pass, a finished case's overdue flag after a calendar
change (saved in the calendar change's own transaction)."""

from datetime import date, timedelta

import pytest

from desktop.services import calendar_admin, cases, ledger, registry_list, stats
from desktop.services.registry_list import Filter
from tests.helpers import person_form
from tests.unit.test_ledger import write_book


def _paused_and_running(registry, staff):
    s = staff
    paused = cases.register_case(registry, s["clerk"], person_form(received_on="2026-11-02")).case_ids[0]
    cases.fire(registry, s["head"], paused, "assign", date(2026, 11, 2), {"lead_division_id": s["planning_id"]})
    cases.fire(registry, s["planner"], paused, "sign_for", date(2026, 11, 2))
    cases.fire(registry, s["planner"], paused, "consultation_start", date(2026, 11, 16),
               {"kind": "third_party", "party": "某公司", "reason": "涉及商业秘密"})  # its 15 WD run to 12-07
    running = cases.register_case(registry, s["clerk"], person_form(received_on="2026-11-12",
                                                                    name="李四")).case_ids[0]
    return paused, running


def _shown(registry, case_id) -> str:
    return registry_list.rows(registry, [case_id])[case_id].due_on


def _screen(registry, case_id, actor) -> str:
    return cases.case_view(registry, case_id, actor).deadline.effective_due_on.isoformat()


def test_a_paused_cases_projection_agrees_between_list_and_case_screen_a_week_later(registry, staff):
    clock = [date(2026, 11, 20)]
    registry.today = lambda: clock[0]
    paused, running = _paused_and_running(registry, staff)
    on_the_20th = _screen(registry, paused, staff["clerk"])
    assert _shown(registry, paused) == on_the_20th
    assert registry_list.rows(registry, [paused])[paused].cell("due_on") == f"暂停（预计{on_the_20th}）"

    clock[0] += timedelta(days=7)  # a week later; nobody has written anything since
    a_week_later = _screen(registry, paused, staff["clerk"])
    assert a_week_later == registry.calendar().add_workdays(date.fromisoformat(on_the_20th), 5).isoformat()
    assert _shown(registry, paused) == a_week_later  # the list computes it for today, not from the stored day
    # sorted by due date, the list follows the dates it shows once today's refresh ran (the first
    # write of the day runs it; a window runs it in the background)
    cases.register_case(registry, staff["clerk"], person_form(received_on="2026-11-26", name="王五"))
    assert cases.get_case(registry, paused)["due_on"] == a_week_later
    ids = registry_list.case_ids(registry, Filter(sort="due_on", descending=False))
    shown = [registry_list.rows(registry, [i])[i].due_on for i in ids]
    assert shown == sorted(shown)
    # … and the figures counted from the stored rows agree with both
    assert stats.compute(registry, date(2026, 1, 1), clock[0]).overdue_now == 0
    assert _shown(registry, running) == _screen(registry, running, staff["clerk"])


def test_roll_forward_runs_once_a_day_and_only_for_paused_cases(registry, staff):
    clock = [date(2026, 11, 20)]
    registry.today = lambda: clock[0]
    paused, _running = _paused_and_running(registry, staff)
    assert cases.roll_forward(registry) == 0  # today's already done by the writes above
    clock[0] = date(2026, 11, 23)
    assert cases.roll_forward(registry) == 1
    assert cases.roll_forward(registry) == 0
    assert cases.get_case(registry, paused)["due_on"] == _screen(registry, paused, staff["clerk"])


def _finished_one_working_day_late(registry, staff, tmp_path):
    cal = registry.calendar()
    received = date(2026, 10, 12)
    due = cal.add_workdays(received, 20)
    replied = cal.add_workdays(due, 1)
    ledger.import_ledger(registry, staff["system"], write_book(tmp_path / "l.xlsx", [
        {"申请编号": "L", "收到日期": received.isoformat(), "申请方式": "网络", "申请人类型": "自然人",
         "申请人": "甲", "申请内容": "甲", "办理结果": "予以公开", "答复日期": replied.isoformat()}]))
    return cases.case_id_by_number(registry, "L"), due


def test_a_calendar_change_moves_a_finished_cases_overdue_flag_in_the_same_transaction(registry, staff, tmp_path):
    case_id, due = _finished_one_working_day_late(registry, staff, tmp_path)
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert cases.get_case(registry, case_id)["overdue"] == 1
    assert registry_list.case_ids(registry, Filter(deadline="finished_late")) == [case_id]
    assert stats.compute(registry, *year).concluded_late == 1
    assert cases.case_view(registry, case_id, staff["clerk"]).deadline.overdue

    day_off = registry.calendar().add_workdays(date(2026, 10, 12), 3)
    calendar_admin.set_day(registry, staff["admin"], day_off, False, "停电停工")
    assert not cases.case_view(registry, case_id, staff["clerk"]).deadline.overdue  # replied on the due day
    assert cases.get_case(registry, case_id)["overdue"] == 0
    assert registry_list.case_ids(registry, Filter(deadline="finished_late")) == []
    assert stats.compute(registry, *year).concluded_late == 0


def test_a_calendar_change_and_its_consequences_are_saved_together_or_not_at_all(registry, staff, tmp_path,
                                                                                 monkeypatch):
    case_id, _due = _finished_one_working_day_late(registry, staff, tmp_path)
    day_off = registry.calendar().add_workdays(date(2026, 10, 12), 3)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk gone")
    monkeypatch.setattr(cases, "refresh_derived", broken)
    with pytest.raises(RuntimeError):
        calendar_admin.set_day(registry, staff["admin"], day_off, False, "停电停工")
    assert registry.calendar().is_workday(day_off)  # the day was not saved without its consequences
    assert cases.get_case(registry, case_id)["overdue"] == 1
