"""The clock (domain.md §3): from a case's facts and the calendar, its due dates and warnings.

Convention: the day of the triggering event is day 0; a limit of N working days ends on the N-th
working day after it. A working day counts only if it is after the clock start and not inside a
pause (S < d <= E). Nothing here is stored: it is recomputed whenever facts or calendar change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from desktop.domain.calendar import WorkCalendar
from desktop.domain.workflow import CaseFacts

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

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def effective_due_on(self) -> date | None:
        """The due date to show and sort by: the projection while paused."""
        return self.due_on or self.projected_due_on


def correction_notice_due(received_on: date, cal: WorkCalendar) -> date:
    return cal.add_workdays(received_on, CORRECTION_NOTICE_DAYS)


def reply_due(facts: CaseFacts, cal: WorkCalendar, pause_end_if_open: date | None = None,
              with_extension: bool = True) -> date | None:
    """The reply due date from the clock start, pauses and the approved extension."""
    if facts.clock_start is None:
        return None
    if facts.art35_due_on is not None and with_extension:
        return facts.art35_due_on
    pauses = []
    for p in facts.pauses:
        end = p.end if p.end is not None else pause_end_if_open
        if end is None:
            return None
        if end > p.start:
            pauses.append((p.start, end))
    days = REPLY_DAYS + (facts.extension_days if with_extension else 0)
    return cal.add_workdays(facts.clock_start, days, pauses)


def compute(facts: CaseFacts, cal: WorkCalendar, today: date,
            due_soon_days: int = DEFAULT_DUE_SOON) -> Deadline:
    """Due dates, days left, status and warnings of a case on ``today``."""
    warnings: list[str] = []
    received = facts.received_on
    correction_due = correction_notice_due(received, cal) if received else None
    if facts.correction_notice_on and correction_due and facts.correction_notice_on > correction_due:
        warnings.append(f"补正告知晚于法定期限（应在{correction_due.isoformat()}前发出）")

    # The clock stops at a correction notice and restarts only with the corrected application.
    awaiting_correction = facts.state == "awaiting_correction" or (
        facts.correction_notice_on is not None and facts.corrected_on is None)
    open_pause = facts.open_pause
    if awaiting_correction:
        due = projected = None
    elif open_pause is not None and not facts.finished:
        due = None
        projected = reply_due(facts, cal, pause_end_if_open=max(today, open_pause.start))
    else:
        due = reply_due(facts, cal, pause_end_if_open=facts.concluded_on or today)
        projected = None
    original = None if awaiting_correction else reply_due(
        facts, cal, pause_end_if_open=max(today, open_pause.start) if open_pause else today,
        with_extension=False)

    if facts.extension_requested_on and original and facts.extension_requested_on > original:
        warnings.append("延期申请晚于原答复期限")
    if facts.extension_approved_on and original and facts.extension_approved_on > original:
        warnings.append(f"延期批准晚于原答复期限（{original.isoformat()}）：延期应在原期限届满前批准并告知申请人")
    if open_pause is not None and not facts.finished:
        limit = FEE_PAYMENT_DAYS if open_pause.kind == "fee" else CONSULTATION_DAYS
        answer_due = cal.add_workdays(open_pause.start, limit)
        if today > answer_due:
            if open_pause.kind == "fee":
                warnings.append(f"收费通知已逾期未缴费（缴费期限{answer_due.isoformat()}）")
            else:
                warnings.append(f"征求意见答复已逾期（期限{answer_due.isoformat()}）")

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
    if overdue and not facts.finished:
        warnings.append("已超过答复期限")
    last = max(d for d in (due, projected, original, today, facts.concluded_on) if d is not None)
    first = received or today
    fallback = tuple(y for y in range(first.year, last.year + 1) if not cal.has_official_data(y))
    for year in fallback:
        warnings.append(f"{year}年没有官方节假日数据，按周一至周五计算工作日，请导入国务院办公厅通知")
    return Deadline(status, due, projected, original, correction_due, days_left, overdue,
                    tuple(warnings), fallback)
