"""Recording a workflow event on a case: the checks every event passes (state and role, scope,
dates, order, version), its payload made complete (``payloads``), the event appended and the case
row brought up to date; and which events a user may record now."""

from __future__ import annotations

import copy
import sqlite3
from datetime import date
from typing import Any

from db.queries import cases as cases_q
from db.queries import events as events_q
from desktop.domain import deadlines, workflow
from desktop.domain.application import Problem
from desktop.domain.calendar import WorkCalendar
from desktop.domain.workflow import DIVISION, CaseFacts, WorkflowError
from desktop.services.base import Actor, Changes, PermissionDenied, Registry, ServiceError, ValidationFailed
from desktop.services.cases.derived import derived_values
from desktop.services.cases.payloads import prepare
from desktop.services.cases.records import check_version, domain_events, facts_of, get_case


def append_event(reg: Registry, actor: Actor, case_id: int, type_: str, on: date,
                 payload: dict[str, Any]) -> CaseFacts:
    """Append the event (unchecked: call after the checks, in the write transaction) and store what
    follows from it on the case row. Returns the case's facts with it."""
    events_q.append(reg.conn, case_id, type_, on.isoformat(), reg.now(), actor.user_id, payload)
    facts = facts_of(reg, case_id)
    cases_q.update_derived(reg.conn, case_id, derived_values(facts, reg.calendar(), reg.today()))
    if type_ == "assign":
        cases_q.set_co_divisions(reg.conn, case_id, facts.co_division_ids)
    return facts


def check_scope(reg: Registry, actor: Actor, case: sqlite3.Row, facts: CaseFacts, event: str) -> None:
    """A division user acts only on cases of their own division."""
    t = workflow.TRANSITIONS[event]
    acting_roles = actor.roles & t.roles
    if acting_roles == {DIVISION}:
        divisions = {facts.lead_division_id, *facts.co_division_ids}
        if actor.division_id is None or actor.division_id not in divisions:
            raise PermissionDenied(f"案件{case['case_no']}不属于您所在处室，不能执行“{t.label}”")


def fire(reg: Registry, actor: Actor, case_id: int, event: str, on: date | None = None,
         payload: dict[str, Any] | None = None, expected_version: int | None = None) -> Changes:
    """Record one workflow event on a case after checking state, role, scope, dates and version."""
    payload = dict(payload or {})
    on = on or reg.today()
    with reg.transaction():
        case = check_version(reg, case_id, expected_version)
        rows = events_q.for_case(reg.conn, case_id)
        facts = workflow.replay(domain_events(rows))
        try:
            workflow.check(event, facts.state, actor.roles, _settled(facts, reg.calendar(), on, event))
        except WorkflowError as exc:
            raise ServiceError(str(exc)) from None
        check_scope(reg, actor, case, facts, event)
        _check_date(reg, facts, event, on)
        _check_order(rows, event, on)
        payload = prepare(reg, case_id, facts, event, on, payload)
        before = facts.state
        append_event(reg, actor, case_id, event, on, {**payload, "before": {"state": before},
                                                       "after": {"state": _target(event, before)}})
    return Changes((case_id,), (case["case_no"],))


def events_possible_now(reg: Registry, actor: Actor, case_id: int, on: date | None = None) -> list[str]:
    """The events ``actor`` may fire on this case now: the same state, role, fact and scope checks as
    ``fire`` (the screens show these as the actions on offer)."""
    return possible_events(reg, actor, get_case(reg, case_id), facts_of(reg, case_id), on)


def possible_events(reg: Registry, actor: Actor, case, facts: CaseFacts, on: date | None = None) -> list[str]:
    """``events_possible_now`` for a case already read: its row and its facts."""
    on = on or reg.today()
    out = []
    for event in workflow.allowed_events(facts.state, actor.roles):
        try:
            workflow.check(event, facts.state, actor.roles, _settled(facts, reg.calendar(), on, event))
            check_scope(reg, actor, case, facts, event)
        except (WorkflowError, PermissionDenied):
            continue
        out.append(event)
    return out


def _settled(facts: CaseFacts, cal: WorkCalendar, on: date, event: str) -> CaseFacts:
    """The facts as the checks see them on ``on``: a consultation whose 15 working days are over is
    over (the agency decides by itself: it may submit its reply without an answer recorded). Recording
    a late answer or payment still sees the pause as it was recorded."""
    p = facts.open_pause
    if p is None or p.kind == "fee" or event in ("consultation_end", "fee_paid"):
        return facts
    limit = deadlines.pause_limit(p, facts, cal)
    if limit is None or on <= limit:
        return facts
    settled = copy.copy(facts)
    settled.pauses = [q if q is not p else workflow.Pause(q.kind, q.start, limit, q.received_on)
                      for q in facts.pauses]
    return settled


def _target(event: str, before: str | None) -> str | None:
    target = workflow.TRANSITIONS[event].target
    return target if target is not None else before


def _check_date(reg: Registry, facts: CaseFacts, event: str, on: date) -> None:
    from desktop.services import annual

    today = reg.today()
    if event not in ("attach", "letter_issued", "letter_delivered", "note"):
        annual.check_date_unlocked(reg, on)
    if on > today:
        raise ValidationFailed([Problem("date", f"日期{on.isoformat()}晚于今天，不能登记将来的事实")])
    if facts.received_on and on < facts.received_on:
        raise ValidationFailed([Problem("date", f"日期{on.isoformat()}早于收到申请之日"
                                                f"{facts.received_on.isoformat()}")])


# Records about the case (a file, a letter, its delivery, a note, a saved draft) carry the date of
# what they record or of the saving, which may lie before or after a step recorded later; every step
# of the handling itself follows the one before it.
RECORD_EVENTS = frozenset({"attach", "letter_issued", "letter_delivered", "note", "draft", "mark_release",
                           "redact"})


def _check_order(rows, event: str, on: date) -> None:
    """Refuse a step dated before an earlier step of the same case (e.g. a clock set back: 'today'
    would then date a signature before the assignment it follows)."""
    if event in RECORD_EVENTS:
        return
    steps = [r for r in rows if r["type"] not in RECORD_EVENTS]
    if not steps:
        return
    last = max(steps, key=lambda r: r["effective_on"])
    if on.isoformat() < last["effective_on"]:
        label = workflow.EVENT_LABELS.get(last["type"], last["type"])
        raise ValidationFailed([Problem("date", f"日期{on.isoformat()}早于本案已登记的“{label}”"
                                                f"（{last['effective_on']}），办理步骤的日期不能早于前一步；"
                                                "如电脑日期有误，请先校正日期")])
