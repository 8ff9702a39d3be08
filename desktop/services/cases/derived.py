"""What the case row stores besides what was registered — state, due date, outcome, … — derived from
the case's events, the calendar and today, never typed in: computing it, bringing it up to date, and
finding rows that disagree with their events."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from db.queries import cases as cases_q
from db.queries import events as events_q
from db.queries import settings as settings_q
from desktop.domain import deadlines, outcomes, workflow
from desktop.domain.calendar import WorkCalendar
from desktop.domain.workflow import CaseFacts
from desktop.services.base import Registry
from desktop.services.cases.records import domain_events


def derived_values(facts: CaseFacts, cal: WorkCalendar, today: date) -> dict[str, Any]:
    """The projection stored on the case row, recomputed from the facts and the calendar (the clock
    without its warnings: the row stores none)."""
    dl = deadlines.compute(facts, cal, today, details=False)
    due = dl.effective_due_on
    return {
        "state": facts.state,
        "lead_division_id": facts.lead_division_id,
        "due_on": due.isoformat() if due else None,
        "paused": int(dl.status == "paused"),
        "outcome": facts.outcome if facts.outcome_fixed else None,
        "concluded_on": facts.concluded_on.isoformat() if facts.concluded_on else None,
        "overdue": int(dl.overdue and facts.finished),
        "return_comment": facts.last_return_comment if facts.state in ("handling", "registered") else None,
        "clock_note": dl.note or None,
    }


RECORDED_FIELDS = {"received_on": "收到申请之日", "channel": "申请方式", "request_text": "申请内容",
                   "applicant_name": "申请人", "applicant_type": "申请人类型", "state": "办理状态",
                   "outcome": "办理结果", "concluded_on": "办结日期", "lead_division_id": "主办处室"}


def rows_that_disagree_with_events(reg: Registry, batch: int = 2000) -> list[str]:
    """Every case row compared with what its chained events say (a row edited in the file behind
    the program's back): the case and the field that differ, in the users' words."""
    names = reg.division_names()

    def shown(key: str, value: Any) -> str:
        if value is None:
            return "（空）"
        if key == "state":
            return workflow.STATE_LABELS.get(value, value)
        if key == "outcome":
            return outcomes.BY_CODE[value].label if value in outcomes.BY_CODE else value
        if key == "lead_division_id":
            return names.get(value, str(value))
        return str(value)
    return _disagreeing_rows(reg, batch, shown)


def _disagreeing_rows(reg: Registry, batch: int, shown) -> list[str]:
    problems: list[str] = []
    last = 0
    while True:
        rows = cases_q.fact_rows_after(reg.conn, last, batch)
        if not rows:
            return problems
        events = events_q.for_cases(reg.conn, [r["id"] for r in rows])
        for r in rows:
            case_events = events[r["id"]]
            f = workflow.replay(domain_events(case_events))
            recorded: dict[str, Any] = {
                "received_on": f.received_on.isoformat() if f.received_on else None, "state": f.state,
                "outcome": f.outcome if f.outcome_fixed else None,
                "concluded_on": f.concluded_on.isoformat() if f.concluded_on else None,
                "lead_division_id": f.lead_division_id}
            first = json.loads(case_events[0]["payload"]) if case_events else {}
            for key in ("channel", "request_text", "applicant_name", "applicant_type"):
                if key in first:  # registered by this version (older events hold less)
                    recorded[key] = first[key]
            for key, value in recorded.items():
                if r[key] != value:
                    problems.append(f"案件{r['case_no']}的{RECORDED_FIELDS[key]}与其事件记录不符"
                                    f"（记录为“{shown(key, value)}”，现为“{shown(key, r[key])}”）")
        last = rows[-1]["id"]


def refresh_derived(reg: Registry, case_ids: list[int] | None = None, cal: WorkCalendar | None = None) -> int:
    """Recompute the stored projection of the given cases (default: all open ones) from their events,
    the calendar and today — in the caller's transaction when there is one (a calendar change and its
    consequences are saved together). Returns how many were refreshed."""
    with reg.transaction():
        ids = case_ids if case_ids is not None else cases_q.open_case_ids(reg.conn)
        cal, today = cal or reg.calendar(), reg.today()
        for start in range(0, len(ids), 2000):
            for case_id, rows in events_q.for_cases(reg.conn, ids[start:start + 2000]).items():
                facts = workflow.replay(domain_events(rows))
                cases_q.update_derived(reg.conn, case_id, derived_values(facts, cal, today), bump_version=False)
    return len(ids)


DERIVED_ON = "derived_on"  # setting: the day the stored projections of paused cases were computed for


def roll_forward(reg: Registry) -> int:
    """Bring what depends on today up to today: a paused case's projected due date moves one working
    day with every working day of the pause. Runs at most once a day (the first write of the day, or
    a window in the background); the list shows the right dates even before (RowMaker.projected).
    Returns how many cases were refreshed."""
    today = reg.today().isoformat()
    if reg.snapshot().settings.get(DERIVED_ON) == today:
        return 0
    with reg.transaction(roll=False):
        if settings_q.get_all(reg.conn).get(DERIVED_ON) == today:  # another seat did it meanwhile
            return 0
        n = refresh_derived(reg, cases_q.paused_case_ids(reg.conn))
        settings_q.put(reg.conn, DERIVED_ON, today)
    return n
