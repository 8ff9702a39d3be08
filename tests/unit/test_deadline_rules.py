"""The clock as the law counts it (domain.md §3, "Pauses"): a consultation pause never runs past the
consulted party's own 15 working days, periods "from receipt" start at the recorded delivery, an
unpaid fee's pause ends with its payment period, a 平常信函 counts from its confirmation.

Every date is counted on the pinned calendar of tests/calendars.py (the 2026 State Council notice),
not the installed chinesecalendar package (which will change when its 2027 data ships)."""

from datetime import date

from desktop.domain.deadlines import compute, correction_period_end, fee_payment_due, pause_limit
from desktop.domain.workflow import Event, replay
from tests.calendars import pinned

CAL = pinned()

RECEIVED = date(2026, 9, 1)
SENT = date(2026, 9, 7)  # the consultation letter goes out on the 4th working day


def facts(*events):
    return replay([Event("register", RECEIVED), Event("assign", RECEIVED, {"lead_division_id": 1}),
                   Event("sign_for", RECEIVED)] + [Event(t, d, p) for t, d, p in events])


def consult(*more):
    return facts(("consultation_start", SENT, {"kind": "third_party"}), *more)


def test_the_pinned_calendar_is_the_official_one():
    assert not CAL.is_workday(date(2026, 10, 1)) and CAL.is_workday(date(2026, 9, 20))  # a working Sunday
    assert CAL.add_workdays(date(2026, 9, 15), 20) == date(2026, 10, 19)  # domain.md's worked example


def test_a_consultation_answered_on_its_tenth_working_day():
    answered = CAL.add_workdays(SENT, 10)
    assert answered == date(2026, 9, 20)  # a working Sunday; 09-19 is not
    dl = compute(consult(("consultation_end", answered, {})), CAL, today=answered)
    # 4 working days ran before the letter (09-02, 03, 04, 07), then 16 more after the answer:
    # 09-21..24, 28..30, 10-08, 09, the working Saturday 10-10, 12..16, 19 (中秋, 国庆 skipped)
    assert dl.due_on == CAL.add_workdays(answered, 16) == date(2026, 10, 19)
    assert dl.status == "on_time" and dl.note == ""


def test_an_unanswered_consultation_pauses_at_most_fifteen_working_days_from_delivery():
    delivered = date(2026, 9, 10)  # the letter reached the third party three days after it was sent
    f = consult(("letter_delivered", date(2026, 9, 10), {"kind": "consult_third_party"}))
    limit = pause_limit(f.pauses[0], f, CAL)
    # 09-11, 14..18, the working Sunday 09-20, 21..24, 28..30, 10-08: the 15th working day
    assert limit == CAL.add_workdays(delivered, 15) == date(2026, 10, 8)
    # while the third party's time runs, the case is paused, the projection moving with today
    on_day_12 = CAL.add_workdays(delivered, 12)
    dl = compute(f, CAL, today=on_day_12)
    assert dl.status == "paused" and dl.other_side_due_on == limit and not dl.other_side_assumed
    # the day after the 15th working day: the clock runs again, from the end of that day
    after = date(2026, 10, 9)
    dl = compute(f, CAL, today=after)
    assert dl.status != "paused" and dl.note == "征求意见期满，恢复计时"
    # 16 left after the pause: 10-09, the working Saturday 10-10, 12..16, 19..23, 26..29
    assert dl.due_on == CAL.add_workdays(limit, 16) == date(2026, 10, 29)
    assert any("征求意见期限2026-10-08已满未收到答复" in w for w in dl.warnings)
    # weeks later it is the same date: the pause did not run on
    assert compute(f, CAL, today=date(2026, 10, 27)).due_on == date(2026, 10, 29)
    # an answer that arrives late does not lengthen the pause either
    late = consult(("letter_delivered", delivered, {"kind": "consult_third_party"}),
                   ("consultation_end", date(2026, 10, 20), {}))
    assert compute(late, CAL, today=date(2026, 10, 20)).due_on == date(2026, 10, 29)


def test_without_a_recorded_delivery_the_sending_day_is_assumed_and_said():
    f = consult()
    dl = compute(f, CAL, today=date(2026, 9, 14))
    assert dl.other_side_due_on == CAL.add_workdays(SENT, 15) and dl.other_side_assumed
    assert any("按发出日估算" in w for w in dl.warnings)
    # recording the delivery moves it
    moved = consult(("letter_delivered", date(2026, 9, 10), {"kind": "consult_third_party"}))
    assert compute(moved, CAL, today=date(2026, 9, 14)).other_side_due_on == date(2026, 10, 8)


def test_a_delivery_recorded_late_moves_the_correction_period():
    f = replay([Event("register", RECEIVED),
                Event("correction_notice", date(2026, 9, 2), {"period_days": 15, "period_end": "2026-09-22"})])
    end, assumed = correction_period_end(f, CAL)
    # 09-03, 04, 07..11, 14..18, the working Sunday 09-20, 21, 22
    assert (end, assumed) == (CAL.add_workdays(date(2026, 9, 2), 15), True) == (date(2026, 9, 22), True)
    f = replay([Event("register", RECEIVED),
                Event("correction_notice", date(2026, 9, 2), {"period_days": 15, "period_end": "2026-09-22"}),
                Event("letter_delivered", date(2026, 9, 8), {"kind": "correction"})])  # by post: 6 days
    assert correction_period_end(f, CAL) == (date(2026, 9, 29), False)  # 09-09..11, 14..18, 20, 21..24, 28, 29


def test_an_unpaid_fee_pause_ends_with_its_payment_period():
    notice_on = date(2026, 9, 8)
    f = facts(("fee_notice", notice_on, {"payment_due_on": "2026-10-13"}),
              ("letter_delivered", date(2026, 9, 11), {"kind": "fee_notice"}))
    due, assumed = fee_payment_due(f, CAL)
    # 09-14..18, 20, 21..24, 28..30, 10-08, 09, 10, 12..15: the 20th working day after delivery
    assert (due, assumed) == (CAL.add_workdays(date(2026, 9, 11), 20), False) == (date(2026, 10, 15), False)
    paused = compute(f, CAL, today=date(2026, 10, 15))
    assert paused.status == "paused"
    ended = compute(f, CAL, today=date(2026, 10, 16))
    assert ended.status != "paused" and ended.note == "缴费期限已过，待按逾期未缴费办结"
    assert any("可按逾期未缴纳信息处理费办结，办结日期为2026-10-16" in w for w in ended.warnings)
    closed = replay([*[Event(t, d, p) for t, d, p in (("register", RECEIVED, {}),)],
                     Event("fee_notice", notice_on, {"payment_due_on": "2026-10-13"}),
                     Event("fee_unpaid", date(2026, 10, 19), {"payment_due_on": due.isoformat()})])
    assert closed.outcome == "other_fee_unpaid" and closed.concluded_on == date(2026, 10, 16)


def test_a_plain_letter_counts_from_its_confirmation_and_a_late_one_is_flagged():
    f = replay([Event("register", date(2026, 9, 3), {"received_on": "2026-09-03", "letter_arrived_on": "2026-09-01"})])
    dl = compute(f, CAL, today=date(2026, 9, 3))
    assert dl.due_on == CAL.add_workdays(date(2026, 9, 3), 20)
    assert any("平常信函于2026-09-01到达，2026-09-03才与申请人确认" in w for w in dl.warnings)
