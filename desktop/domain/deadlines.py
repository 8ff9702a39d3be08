"""The clock (domain.md §3): from a case's facts and the calendar, its due dates and warnings.

Convention: the day of the triggering event is day 0; a limit of N working days ends on the N-th
working day after it. A working day counts only if it is after the clock start and not inside a
pause (S < d <= E). Nothing here is stored: it is recomputed whenever facts or calendar change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from desktop.domain.calendar import WorkCalendar
from desktop.domain.workflow import CaseFacts, Pause

REPLY_DAYS = 20
CORRECTION_NOTICE_DAYS = 7
MAX_EXTENSION_DAYS = 20
CONSULTATION_DAYS = 15
FEE_PAYMENT_DAYS = 20
DEFAULT_DUE_SOON = 3

STATUS_LABELS = {
    "on_time": "正常",
    "due_soon": "即将到期",
    "overdue": "已超期",
    "paused": "暂停计时",
    "awaiting_correction": "待补正",
    "finished": "已办结",
}


@dataclass(frozen=True)
class Deadline:
    """What the clock says about a case on ``today``."""
    status: str  # a key of STATUS_LABELS
    due_on: date | None  # the reply due date; None while awaiting correction or paused
    projected_due_on: date | None  # while paused: the due date if the pause ended today
    original_due_on: date | None  # without the extension
    correction_notice_due_on: date | None
    days_left: int | None  # working days from today to due_on, negative when overdue
    overdue: bool  # was or is past its due date
    warnings: tuple[str, ...] = field(default_factory=tuple)
    fallback_years: tuple[int, ...] = field(default_factory=tuple)
    # the open pause's other side: the last day of their own period (the pause ends then at the
    # latest), and whether it is counted from the sending day because no delivery was recorded yet
    other_side_due_on: date | None = None
    other_side_assumed: bool = False
    note: str = ""  # what the list shows beside the date: 征求意见期满，恢复计时 …

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def effective_due_on(self) -> date | None:
        """The due date to show and sort by: the projection while paused."""
        return self.due_on or self.projected_due_on


def correction_notice_due(received_on: date, cal: WorkCalendar) -> date:
    return cal.add_workdays(received_on, CORRECTION_NOTICE_DAYS)


ASSUMED = "按发出日估算"  # said wherever a period runs from a delivery not recorded yet


def other_side_start(p: Pause, facts: CaseFacts) -> tuple[date, bool]:
    """The day the other side's own period starts: the day they received the letter as recorded on
    its delivery, else the sending day (second value True: an assumption)."""
    received = facts.fee_notice_received_on if p.kind == "fee" else p.received_on
    return (received, False) if received is not None else (p.start, True)


def pause_limit(p: Pause, facts: CaseFacts, cal: WorkCalendar) -> date | None:
    """The last day a pause can last: the consulted party's 15th working day (art. 32, 34) or the
    applicant's 20th working day to pay; None for a pause without such a period."""
    days = {"third_party": CONSULTATION_DAYS, "agency": CONSULTATION_DAYS, "fee": FEE_PAYMENT_DAYS}.get(p.kind)
    if days is None:
        return None
    start, _assumed = other_side_start(p, facts)
    return cal.add_workdays(start, days)


def correction_period_end(facts: CaseFacts, cal: WorkCalendar) -> tuple[date | None, bool]:
    """The last day of the applicant's correction period, counted from the day the notice reached
    them (its delivery), else from the sending day (True: an assumption)."""
    if facts.correction_notice_on is None:
        return None, False
    if facts.correction_period_days is None:  # recorded before the period was stored in days
        return facts.correction_period_end, False
    start = facts.correction_notice_received_on or facts.correction_notice_on
    return cal.add_workdays(start, int(facts.correction_period_days)), facts.correction_notice_received_on is None


def fee_payment_due(facts: CaseFacts, cal: WorkCalendar) -> tuple[date | None, bool]:
    """The applicant's last day to pay the newest fee notice (20 working days from receiving it)."""
    fee = next((p for p in reversed(facts.pauses) if p.kind == "fee"), None)
    if fee is None:
        return facts.fee_payment_due_on, False
    start, assumed = other_side_start(fee, facts)
    return cal.add_workdays(start, FEE_PAYMENT_DAYS), assumed


def reply_due(facts: CaseFacts, cal: WorkCalendar, pause_end_if_open: date | None = None,
              with_extension: bool = True) -> date | None:
    """The reply due date from the clock start, pauses and the approved extension. A pause ends at
    the answer or payment, and never later than the other side's own period (pause_limit)."""
    if facts.clock_start is None:
        return None
    if facts.art35_due_on is not None and with_extension:
        return facts.art35_due_on
    pauses = []
    for p in facts.pauses:
        end = p.end if p.end is not None else pause_end_if_open
        if end is None:
            return None
        limit = pause_limit(p, facts, cal)
        if limit is not None:
            end = min(end, limit)
        if end > p.start:
            pauses.append((p.start, end))
    days = REPLY_DAYS + (facts.extension_days if with_extension else 0)
    return cal.add_workdays(facts.clock_start, days, pauses)


def compute(facts: CaseFacts, cal: WorkCalendar, today: date,
            due_soon_days: int = DEFAULT_DUE_SOON, details: bool = True) -> Deadline:
    """Due dates, days left, status and warnings of a case on ``today``. ``details=False`` (a ledger
    of many cases): the status, due dates, days left and overdue alone — no warnings, no original or
    correction-notice due date (None), a third of the work."""
    warnings: list[str] = []
    received = facts.received_on
    correction_due = correction_notice_due(received, cal) if received and details else None
    if facts.correction_notice_on and correction_due and facts.correction_notice_on > correction_due:
        warnings.append(f"补正告知晚于法定期限（应在{correction_due.isoformat()}前发出）")

    # The clock stops at a correction notice and restarts only with the corrected application.
    awaiting_correction = facts.state == "awaiting_correction" or (
        facts.correction_notice_on is not None and facts.corrected_on is None)
    open_pause = facts.open_pause
    other_due, other_assumed, note = None, False, ""
    if open_pause is not None and not facts.finished:
        other_due = pause_limit(open_pause, facts, cal)
        other_assumed = other_side_start(open_pause, facts)[1]
        if other_due is not None and today > other_due:  # the other side's time is up: the clock runs
            note = "缴费期限已过，待按逾期未缴费办结" if open_pause.kind == "fee" else "征求意见期满，恢复计时"
            open_pause = None
    if awaiting_correction:
        due = projected = None
    elif open_pause is not None and not facts.finished:
        due = None
        projected = reply_due(facts, cal, pause_end_if_open=max(today, open_pause.start))
    else:
        due = reply_due(facts, cal, pause_end_if_open=facts.concluded_on or today)
        projected = None
    original = None if awaiting_correction or not details else reply_due(
        facts, cal, pause_end_if_open=max(today, open_pause.start) if open_pause else today,
        with_extension=False)
    if facts.letter_arrived_on and received and received > facts.letter_arrived_on:
        warnings.append(f"平常信函于{facts.letter_arrived_on.isoformat()}到达，{received.isoformat()}才与申请人确认："
                        "条例第三十一条第（二）项要求收到当日确认，期限自确认之日起算")

    if facts.extension_requested_on and original and facts.extension_requested_on > original:
        warnings.append("延期申请晚于原答复期限")
    if facts.extension_approved_on and original and facts.extension_approved_on > original:
        warnings.append(f"延期批准晚于原答复期限（{original.isoformat()}）：延期应在原期限届满前批准并告知申请人")
    if other_due is not None:
        guess = f"（对方收到日期未登记送达，{ASSUMED}）" if other_assumed else ""
        if note and facts.open_pause.kind == "fee":
            warnings.append(f"缴费期限{other_due.isoformat()}已过未缴费{guess}：可按逾期未缴纳信息处理费办结，"
                            f"办结日期为{(other_due + timedelta(days=1)).isoformat()}")
        elif note:
            warnings.append(f"征求意见期限{other_due.isoformat()}已满未收到答复{guess}：恢复计时，由本机关依法决定")
        elif other_assumed:
            who = "申请人缴费期限" if facts.open_pause.kind == "fee" else "对方答复期限"
            warnings.append(f"{who}至{other_due.isoformat()}（尚未登记送达，{ASSUMED}）")
    if facts.finished:
        end = facts.concluded_on or today
        due = None if awaiting_correction else due
        overdue = bool(due and end > due)
        status, days_left = "finished", None
    elif awaiting_correction:
        overdue, status, days_left = False, "awaiting_correction", None
    elif due is None:
        overdue = bool(projected and today > projected)
        status, days_left = "paused", None
    else:
        days_left = cal.count_workdays(today, due)
        if due < today and days_left == 0:
            days_left = -1  # past due on a day off: still overdue
        overdue = due < today
        status = "overdue" if overdue else ("due_soon" if days_left <= due_soon_days else "on_time")
    if not details:
        return Deadline(status, due, projected, None, None, days_left, overdue, (), (), other_due, other_assumed, note)
    if overdue and not facts.finished:
        warnings.append("已超过答复期限")
    last = max(d for d in (due, projected, original, today, facts.concluded_on) if d is not None)
    first = received or today
    fallback = tuple(y for y in range(first.year, last.year + 1) if not cal.has_official_data(y))
    for year in fallback:
        warnings.append(f"{year}年没有官方节假日数据，按周一至周五计算工作日，请导入国务院办公厅通知")
    return Deadline(status, due, projected, original, correction_due, days_left, overdue,
                    tuple(warnings), fallback, other_due, other_assumed, note)
