"""Deadlines on the official 2025–2026 calendars, pinned in tests/calendars.py (not read from the
installed package); every expected date was counted by hand."""

from datetime import date

import pytest

from desktop.domain.calendar import parse_notice
from desktop.domain.deadlines import compute
from desktop.domain.workflow import Event, replay
from tests.calendars import pinned

CAL = pinned()


def facts(*events):
    return replay([Event("register", events[0])] + [Event(t, d, p) for t, d, p in events[1:]])


@pytest.mark.parametrize("received, due", [
    (date(2026, 9, 15), date(2026, 10, 19)),   # domain.md example: National Day, 09-20 and 10-10 worked
    (date(2026, 2, 10), date(2026, 3, 16)),    # domain.md example: Spring Festival 02-15..23
    (date(2025, 1, 24), date(2025, 2, 27)),    # just before Spring Festival 2025 (01-26, 02-08 worked)
    (date(2025, 9, 26), date(2025, 10, 30)),   # just before National Day 2025 (09-28, 10-11 worked)
    (date(2026, 4, 30), date(2026, 6, 1)),     # just before Labour Day 2026 (05-09 worked)
    (date(2026, 9, 20), date(2026, 10, 23)),   # received on a working Sunday
])
def test_reply_due_date(received, due):
    dl = compute(facts(received), CAL, today=received)
    assert dl.due_on == due
    assert dl.status == "on_time"
    assert dl.days_left == 20
    assert dl.fallback_years == ()


def test_correction_restarts_the_clock_from_the_corrected_application():
    f = facts(date(2026, 3, 2), ("correction_notice", date(2026, 3, 5), {}),
              ("corrected", date(2026, 3, 20), {}))
    dl = compute(f, CAL, today=date(2026, 3, 20))
    assert dl.due_on == date(2026, 4, 20)  # Qingming 04-04..06 skipped
    assert dl.correction_notice_due_on == date(2026, 3, 11)
    assert not any("补正告知晚于" in w for w in dl.warnings)


def test_late_correction_notice_is_flagged():
    f = facts(date(2026, 3, 2), ("correction_notice", date(2026, 3, 12), {}))
    dl = compute(f, CAL, today=date(2026, 3, 12))
    assert dl.status == "awaiting_correction" and dl.due_on is None
    assert "补正告知晚于法定期限（应在2026-03-11前发出）" in dl.warnings


def test_pause_across_a_holiday_moves_the_due_date():
    f = facts(date(2026, 9, 15), ("assign", date(2026, 9, 16), {"lead_division_id": 1}),
              ("sign_for", date(2026, 9, 16), {}),
              ("consultation_start", date(2026, 9, 22), {"kind": "third_party"}),
              ("consultation_end", date(2026, 10, 9), {}))
    dl = compute(f, CAL, today=date(2026, 10, 9))
    assert dl.due_on == date(2026, 10, 28)


def test_open_pause_shows_paused_with_a_projection():
    f = facts(date(2026, 9, 15), ("assign", date(2026, 9, 16), {"lead_division_id": 1}),
              ("sign_for", date(2026, 9, 16), {}),
              ("consultation_start", date(2026, 9, 22), {"kind": "third_party"}))
    dl = compute(f, CAL, today=date(2026, 10, 9))
    assert dl.status == "paused" and dl.due_on is None
    assert dl.projected_due_on == date(2026, 10, 28)


def test_extension_adds_working_days():
    f = facts(date(2026, 9, 15), ("assign", date(2026, 9, 16), {"lead_division_id": 1}),
              ("sign_for", date(2026, 9, 16), {}),
              ("extension_request", date(2026, 10, 12), {}),
              ("extension_approve", date(2026, 10, 13), {"days": 20}))
    dl = compute(f, CAL, today=date(2026, 10, 13))
    assert dl.due_on == date(2026, 11, 16)
    assert dl.original_due_on == date(2026, 10, 19)


def test_extension_requested_after_the_original_due_date_is_flagged():
    f = facts(date(2026, 9, 15), ("assign", date(2026, 9, 16), {"lead_division_id": 1}),
              ("sign_for", date(2026, 9, 16), {}),
              ("extension_request", date(2026, 10, 20), {}))
    dl = compute(f, CAL, today=date(2026, 10, 20))
    assert "延期申请晚于原答复期限" in dl.warnings
    assert dl.status == "overdue" and dl.days_left == -1


def test_due_date_in_2027_uses_the_fallback_and_says_so():
    f = facts(date(2026, 12, 15))
    dl = compute(f, CAL, today=date(2026, 12, 15))
    assert dl.due_on == date(2027, 1, 12)  # 2027-01-01 counted: no data says it is a holiday
    assert dl.fallback_years == (2027,)
    assert any("2027年没有官方节假日数据" in w for w in dl.warnings)
    notice = parse_notice("一、元旦：1月1日（周五）放假1天。", 2027)
    with_notice = pinned(notice.overrides(), extra_years=(2027,))
    dl2 = compute(f, with_notice, today=date(2026, 12, 15))
    assert dl2.due_on == date(2027, 1, 13) and dl2.fallback_years == ()


def test_due_soon_and_overdue_and_days_left():
    f = facts(date(2026, 9, 15))
    assert compute(f, CAL, today=date(2026, 10, 14)).status == "due_soon"  # 3 WD left
    assert compute(f, CAL, today=date(2026, 10, 14)).days_left == 3
    assert compute(f, CAL, today=date(2026, 10, 13)).status == "on_time"
    assert compute(f, CAL, today=date(2026, 10, 19)).days_left == 0
    late = compute(f, CAL, today=date(2026, 10, 21))
    assert late.status == "overdue" and late.days_left == -2 and late.overdue


def test_finished_case_records_whether_it_was_late():
    on_time = replay([Event("register", date(2026, 9, 15)),
                      Event("withdrawn", date(2026, 10, 19))])
    late = replay([Event("register", date(2026, 9, 15)),
                   Event("withdrawn", date(2026, 10, 20))])
    assert not compute(on_time, CAL, today=date(2026, 11, 1)).overdue
    assert compute(late, CAL, today=date(2026, 11, 1)).overdue
    assert compute(late, CAL, today=date(2026, 11, 1)).days_left is None
