"""Case use cases: register, every workflow event, and the derived projection of a case."""

from __future__ import annotations

import copy
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from db.queries import applicants as applicants_q
from db.queries import cases as cases_q
from db.queries import events as events_q
from db.queries import fees as fees_q
from db.queries import search as search_q
from db.queries import settings as settings_q
from desktop.domain import application, deadlines, fees, outcomes, workflow
from desktop.domain.application import Problem
from desktop.domain.calendar import WorkCalendar
from desktop.domain.deadlines import Deadline
from desktop.domain.workflow import DIVISION, CaseFacts, Event, WorkflowError
from desktop.services.base import (
    Actor,
    Conflict,
    NotFound,
    PermissionDenied,
    Registry,
    ServiceError,
    ValidationFailed,
)

CASE_NO_KIND = "case"


@dataclass(frozen=True)
class Changed:
    """What a write changed, so screens know what to refresh."""
    case_ids: tuple[int, ...]
    case_nos: tuple[str, ...] = ()


# -- reading --------------------------------------------------------------------------------
def domain_events(rows: list[sqlite3.Row]) -> list[Event]:
    return [Event(r["type"], date.fromisoformat(r["effective_on"]), json.loads(r["payload"]),
                  r["actor_id"], r["recorded_at"]) for r in rows]


def facts_of(reg: Registry, case_id: int) -> CaseFacts:
    return workflow.replay(domain_events(events_q.for_case(reg.conn, case_id)))


def deadline_of(reg: Registry, case_id: int) -> Deadline:
    due_soon = int(reg.settings().get("due_soon_days", deadlines.DEFAULT_DUE_SOON))
    return deadlines.compute(facts_of(reg, case_id), reg.calendar(), reg.today(), due_soon)


def get_case(reg: Registry, case_id: int) -> sqlite3.Row:
    row = cases_q.get(reg.conn, case_id)
    if row is None:
        raise NotFound(f"案件{case_id}不存在")
    return row


def case_id_by_number(reg: Registry, case_no: str) -> int:
    case_id = cases_q.id_by_number(reg.conn, case_no)
    if case_id is None:
        raise NotFound(f"没有申请编号为“{case_no}”的案件")
    return case_id


def event_rows(reg: Registry, case_id: int) -> list[sqlite3.Row]:
    """The case's recorded events, oldest first, with the acting user's name (``actor_name``)."""
    return events_q.for_case(reg.conn, case_id)


def first_year(reg: Registry) -> int | None:
    """The year the oldest case was received; None on an empty registry."""
    first = cases_q.earliest_received_on(reg.conn)
    return int(first[:4]) if first else None


def fee_month_position(reg: Registry, case_id: int) -> int:
    """Which application of its applicant in its natural month this case is (the per-application fee tier)."""
    return fees_q.month_position(reg.conn, case_id)


def derived_values(facts: CaseFacts, cal: WorkCalendar, today: date) -> dict[str, Any]:
    """The projection stored on the case row, recomputed from the facts and the calendar."""
    dl = deadlines.compute(facts, cal, today)
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


# -- registering ----------------------------------------------------------------------------
def next_case_no(reg: Registry, year: int) -> str:
    pattern = reg.settings().get("case_no_pattern", "{year}-{seq:05d}")
    while True:
        number = pattern.format(year=year, seq=settings_q.next_number(reg.conn, CASE_NO_KIND, year))
        if cases_q.id_by_number(reg.conn, number) is None:
            return number


def applicant_id_for(reg: Registry, values: dict[str, Any]) -> int:
    existing = applicants_q.find_same(reg.conn, values)
    if existing is not None:
        return existing
    return applicants_q.insert(reg.conn, values, reg.now())


def register_case(reg: Registry, actor: Actor, form: dict[str, Any],
                  parts: list[str] | None = None) -> Changed:
    """Record an application (and, if ``parts`` lists several request texts, split it into one
    case per part, each numbered and counted on its own). One transaction: all or nothing."""
    workflow.check("register", None, actor.roles)
    today = reg.today()
    problems = application.validate(form, today)
    split = application.split_problem(parts)
    if split:
        problems.append(Problem("request_text", split))
    texts = [application.clean_text(p) for p in parts] if parts else [None]
    if parts:
        for i, text in enumerate(texts, start=1):
            msg = application.check_field("request_text", text, form, today)
            if msg:
                problems.append(Problem("request_text", f"第{i}项：{msg}"))
    if problems:
        raise ValidationFailed(problems)
    values = application.normalise(form)
    from desktop.services import annual

    annual.check_date_unlocked(reg, values["received_on"])
    case_ids, case_nos = [], []
    with reg.transaction():
        applicant_id = applicant_id_for(reg, values)
        first_id = None
        for text in texts:
            request_text = text or values["request_text"]
            case_no = next_case_no(reg, values["received_on"].year)
            case_id = cases_q.insert(reg.conn, {
                "case_no": case_no, "applicant_id": applicant_id, "applicant_name": values["name"],
                "applicant_type": values["applicant_type"], "channel": values["channel"],
                "received_on": values["received_on"].isoformat(), "request_text": request_text,
                "index_no": values["index_no"], "purpose": values["purpose"],
                "delivery_form": values["delivery_form"], "delivery_route": values["delivery_route"],
                "accept_other_form": values.get("accept_other_form"), "remarks": values["remarks"],
                "split_from_id": first_id, "created_at": reg.now(), "created_by": actor.user_id,
                "state": "registered"})
            first_id = first_id or (case_id if len(texts) > 1 else None)
            search_q.index_case(reg.conn, case_id, values["received_on"].isoformat(), request_text,
                                  values["name"])
            # what was registered goes into the chained event too: verify compares the row with it
            arrived = values.get("letter_arrived_on")
            _append(reg, actor, case_id, "register", values["received_on"],
                    {"received_on": values["received_on"].isoformat(), "channel": values["channel"],
                     **({"letter_arrived_on": arrived.isoformat()} if arrived else {}),
                     "request_text": request_text, "applicant_name": values["name"],
                     "applicant_type": values["applicant_type"], "after": {"state": "registered"}})
            case_ids.append(case_id)
            case_nos.append(case_no)
    return Changed(tuple(case_ids), tuple(case_nos))


# -- every later event ----------------------------------------------------------------------
def _append(reg: Registry, actor: Actor, case_id: int, type_: str, on: date,
            payload: dict[str, Any]) -> CaseFacts:
    events_q.append(reg.conn, case_id, type_, on.isoformat(), reg.now(), actor.user_id, payload)
    facts = facts_of(reg, case_id)
    cases_q.update_derived(reg.conn, case_id, derived_values(facts, reg.calendar(), reg.today()))
    if type_ == "assign":
        cases_q.set_co_divisions(reg.conn, case_id, facts.co_division_ids)
    return facts


def _check_scope(reg: Registry, actor: Actor, case: sqlite3.Row, facts: CaseFacts, event: str) -> None:
    """A division user acts only on cases of their own division."""
    t = workflow.TRANSITIONS[event]
    acting_roles = actor.roles & t.roles
    if acting_roles == {DIVISION}:
        divisions = {facts.lead_division_id, *facts.co_division_ids}
        if actor.division_id is None or actor.division_id not in divisions:
            raise PermissionDenied(f"案件{case['case_no']}不属于您所在处室，不能执行“{t.label}”")


def check_version(reg: Registry, case_id: int, expected_version: int | None):
    """The case, if nobody changed it since the screen showed ``expected_version`` (None: no check);
    else Conflict. Call inside the write transaction that makes the change (writers wait for each
    other there, so the version read is the latest)."""
    case = get_case(reg, case_id)
    if expected_version is not None and case["version"] != expected_version:
        raise Conflict(f"案件{case['case_no']}已被他人修改，请刷新后再操作（您填写的内容已保留）")
    return case


def fire(reg: Registry, actor: Actor, case_id: int, event: str, on: date | None = None,
         payload: dict[str, Any] | None = None, expected_version: int | None = None) -> Changed:
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
        _check_scope(reg, actor, case, facts, event)
        _check_date(reg, facts, event, on)
        _check_order(rows, event, on)
        payload = _prepare(reg, case_id, facts, event, on, payload)
        before = facts.state
        _append(reg, actor, case_id, event, on, {**payload, "before": {"state": before},
                                                 "after": {"state": _target(event, before)}})
    return Changed((case_id,), (case["case_no"],))


def events_possible_now(reg: Registry, actor: Actor, case_id: int, on: date | None = None) -> list[str]:
    """The events ``actor`` may fire on this case now: the same state, role, fact and scope checks as
    ``fire`` (the screens show these as the actions on offer)."""
    row = get_case(reg, case_id)
    facts = facts_of(reg, case_id)
    on = on or reg.today()
    out = []
    for event in workflow.allowed_events(facts.state, actor.roles):
        try:
            workflow.check(event, facts.state, actor.roles, _settled(facts, reg.calendar(), on, event))
            _check_scope(reg, actor, row, facts, event)
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


def _whole(payload: dict[str, Any], key: str, default: int, low: int, high: int, message: str) -> int:
    """A whole number from a form or a script, or a clear refusal naming the field."""
    value = payload.get(key, default)
    if isinstance(value, bool) or value is None:
        raise ValidationFailed([Problem(key, message)])
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or not low <= number <= high:
        raise ValidationFailed([Problem(key, message)])
    return number


def outcome_refusal(facts: CaseFacts, code: str) -> str | None:
    """Why ``code`` cannot be this case's outcome now (None when it can): an outcome whose reply
    could never be issued is not offered (the screen lists only what this allows)."""
    if code == "unable_unclear" and not (facts.correction_notice_on and facts.corrected_on):
        return ("“补正后申请内容仍不明确”只能在发出补正告知、并收到补正后的申请之后选择"
                "（条例第三十条）；申请内容不明确的，应先告知申请人补正")
    if code in ("other_no_correction", "other_fee_unpaid"):
        return "逾期不补正、逾期未缴费由登记员登记相应事项后办结（并可出具终止办理告知书），不能作为答复的办理结果"
    return None


def _prepare(reg: Registry, case_id: int, facts: CaseFacts, event: str, on: date,
             payload: dict[str, Any]) -> dict[str, Any]:
    """Validate and complete an event's payload."""
    cal = reg.calendar()
    if event == "correction_notice":
        raw = payload.get("items") or []
        raw = [raw] if isinstance(raw, str) else raw if isinstance(raw, list | tuple) else []
        items = [application.clean_text(i) for i in raw if application.clean_text(i)]
        if not items:
            raise ValidationFailed([Problem("items", "请逐项列明需要补正的事项")])
        if any(len(i) > 500 for i in items) or len(items) > 50:
            raise ValidationFailed([Problem("items", "补正事项过长或过多（每项最多500字，最多50项）")])
        period = _whole(payload, "period_days", 15, 1, 60, "补正期限应为1至60个工作日")
        payload["items"] = items
        payload["period_days"] = period
        payload["period_end"] = cal.add_workdays(on, period).isoformat()
    elif event == "abandoned":
        end, assumed = deadlines.correction_period_end(facts, cal)
        if end is not None and on <= end:
            guess = f"（补正告知书尚未登记送达，{deadlines.ASSUMED}）" if assumed else ""
            raise ServiceError(f"补正期限到{end.isoformat()}为止{guess}，期满后才能按逾期不补正处理")
        if end is not None:
            payload["period_end"] = end.isoformat()  # the case ends the day after
    elif event == "assign":
        lead = payload.get("lead_division_id")
        if not isinstance(lead, int) or isinstance(lead, bool) or not settings_q.is_active_division(reg.conn, lead):
            raise ValidationFailed([Problem("lead_division_id", "请选择有效的主办处室")])
        co = payload.get("co_division_ids") or []
        if not isinstance(co, list | tuple) or not all(isinstance(d, int) and not isinstance(d, bool)
                                                        and settings_q.is_active_division(reg.conn, d) for d in co):
            raise ValidationFailed([Problem("co_division_ids", "协办处室无效")])
        payload["co_division_ids"] = sorted({d for d in co if d != lead})
    elif event == "handle_in_office":
        payload["lead_division_id"] = settings_q.office_division_id(reg.conn)
    elif event in ("return_to_office", "review_return", "leader_return", "extension_request",
                   "extension_refuse", "send_back"):
        key = "reason" if event in ("return_to_office", "extension_request") else "comment"
        text = application.clean_text(payload.get(key))
        if not text:
            raise ValidationFailed([Problem(key, "请填写理由")])
        if len(text) > 2000:
            raise ValidationFailed([Problem(key, "过长（最多2000个字符）")])
        payload[key] = text
    elif event == "draft":
        for key in ("outcome", "decision", "text"):
            if key in payload and not isinstance(payload[key], str):
                raise ValidationFailed([Problem(key, "应为文字")])
        if "outcome" in payload and outcomes.find(str(payload["outcome"])) is None:
            raise ValidationFailed([Problem("outcome", "请从目录中选择办理结果")])
        if "outcome" in payload:
            payload["outcome"] = outcomes.find(str(payload["outcome"])).code
            refusal = outcome_refusal(facts, payload["outcome"])
            if refusal:
                raise ValidationFailed([Problem("outcome", refusal)])
        if facts.approved_text_locked:
            raise ServiceError("答复已签发，文本已锁定")
        code = payload.get("outcome") or facts.outcome or ""
        ground = payload.get("refusal_ground")
        if ground not in (None, "") and (not isinstance(ground, str) or outcomes.GROUND_BY_CODE.get(ground)
                                         not in outcomes.grounds_for(code)):
            allowed = "、".join(g.label for g in outcomes.grounds_for(code)) or "（本办理结果无须选择）"
            raise ValidationFailed([Problem("refusal_ground", f"应从本办理结果的依据中选择：{allowed}")])
        if payload.get("previous_reply_date") not in (None, ""):
            try:
                earlier = application.parse_date(payload["previous_reply_date"])
            except (ValueError, TypeError):
                earlier = None
            if earlier is None or earlier > on or earlier < application.EARLIEST_RECEIPT:
                raise ValidationFailed([Problem("previous_reply_date", f"应为不晚于{on.isoformat()}的日期")])
            payload["previous_reply_date"] = earlier.isoformat()
        if "decision" in payload:
            text = application.clean_text(payload["decision"])
            if len(text) > 20000:
                raise ValidationFailed([Problem("decision", "答复正文过长（最多20000个字符）")])
            payload["decision"] = text
    elif event == "submit_for_review":
        # What goes to review is a reply that can be issued as it stands: every fact it needs is there.
        from desktop.services import letters

        letters.compose(reg, case_id, "reply", draft=False)
    elif event == "extension_approve":
        payload["days"] = _whole(payload, "days", 20, 1, deadlines.MAX_EXTENSION_DAYS, "延长的期限应为1至20个工作日")
    elif event == "consultation_start":
        if payload.get("kind", "third_party") not in ("third_party", "agency") or not all(
                isinstance(payload.get(k, ""), str) for k in ("party", "reason")):
            raise ValidationFailed([Problem("kind", "征求意见对象应为第三方或其他机关")])
        payload.setdefault("kind", "third_party")
        # Both go into the letters (to the consulted party and to the applicant): never empty.
        problems = []
        for key, label in (("party", "征求意见对象"), ("reason", "征求意见的理由")):
            payload[key] = application.clean_text(payload.get(key))
            if not payload[key]:
                problems.append(Problem(key, f"请填写{label}"))
            elif len(payload[key]) > 500:
                problems.append(Problem(key, f"{label}过长（最多500个字符）"))
        if problems:
            raise ValidationFailed(problems)
    elif event == "fee_notice":
        method = payload.get("method", fees.PER_APPLICATION)
        if facts.fee_methods and method not in facts.fee_methods:
            used = fees.METHOD_LABELS.get(facts.fee_methods[0], facts.fee_methods[0])
            raise ServiceError(f"本申请已按{used}发出收费通知：一件申请只能选择一种计收方式，不能再按"
                               f"{fees.METHOD_LABELS.get(method, method)}收费")
        due = deadlines.reply_due(facts, cal, pause_end_if_open=on)
        if due is not None and on > due:
            raise ServiceError(f"收费通知应当在答复期限内发出：本案答复期限为{due.isoformat()}，已经届满")
        if method == fees.PER_APPLICATION:
            quote = fees.quote_per_application(fees_q.month_position(reg.conn, case_id))
        elif method == fees.PER_PAGE:
            quote = fees.quote_per_page(_whole(payload, "pages", 0, 1, 1_000_000, "页数应为1至1000000的整数"))
        else:
            raise ValidationFailed([Problem("method", "收费方式应为按件或按量，二者只能选一")])
        if quote.amount <= 0:
            raise ServiceError(f"按{fees.METHOD_LABELS[method]}标准属于免费范围（{quote.tier}），不应收费")
        try:
            received = application.parse_date(payload.get("applicant_received_on")) or on
        except ValueError as exc:
            raise ValidationFailed([Problem("applicant_received_on", str(exc))]) from None
        due = cal.add_workdays(received, deadlines.FEE_PAYMENT_DAYS)
        payload.update(method=method, quantity=quote.quantity, tier=quote.tier, amount=quote.amount,
                       payment_due_on=due.isoformat())
        fees_q.insert_notice(reg.conn, case_id, method, quote.quantity, quote.tier, quote.amount,
                             on.isoformat(), due.isoformat())
    elif event == "fee_paid":
        notice = fees_q.open_notice(reg.conn, case_id)
        if notice is None:
            raise ServiceError("没有待缴费的收费通知")
        payload["amount"] = notice["amount"]
        fees_q.insert_payment(reg.conn, notice["id"], on.isoformat(), notice["amount"])
    elif event == "fee_unpaid":
        due, assumed = deadlines.fee_payment_due(facts, cal)
        if due is not None and on <= due:
            guess = f"（收费通知书尚未登记送达，{deadlines.ASSUMED}）" if assumed else ""
            raise ServiceError(f"缴费期限到{due.isoformat()}为止{guess}，期满后才能按逾期未缴费处理")
        if due is not None:
            payload["payment_due_on"] = due.isoformat()  # the case ends the day after
    elif event == "reply_issued":
        code = payload.get("outcome") or facts.outcome
        if not isinstance(code, str) or outcomes.find(code) is None:
            raise ValidationFailed([Problem("outcome", "答复前必须确定办理结果")])
        payload["outcome"] = outcomes.find(code).code
    elif event == "art35_delay":
        try:
            due = application.parse_date(payload.get("due_on"))
        except (ValueError, TypeError):
            due = None
        if due is None or due <= on or due.year > on.year + 2:
            raise ValidationFailed([Problem("due_on", "请确定晚于今天的答复期限")])
        payload["due_on"] = due.isoformat()
    return payload


# -- what the registration screen shows while the clerk types ---------------------------------
@dataclass(frozen=True)
class ApplicantContext:
    earlier_cases: list[sqlite3.Row]
    month_count: int  # applications this natural month (before this one)
    year_count: int  # in the last 12 months


def applicant_context(reg: Registry, id_number: str | None, name: str | None,
                      on: date | None = None) -> ApplicantContext:
    on = on or reg.today()
    ids = applicants_q.matching_ids(reg.conn, id_number, name)
    month_first = on.replace(day=1).isoformat()
    try:
        year_ago = on.replace(year=on.year - 1)
    except ValueError:  # 29 February
        year_ago = on.replace(year=on.year - 1, day=28)
    return ApplicantContext(
        cases_q.history_of_applicants(reg.conn, ids),
        applicants_q.count_cases_between(reg.conn, ids, month_first, on.isoformat()),
        applicants_q.count_cases_between(reg.conn, ids, year_ago.isoformat(), on.isoformat()))


_COMMON = re.compile(r"申请|公开|关于|有关|相关|政府信息|信息|本机关|贵单位|贵局|请求|要求|提供|请|的|和|及|与|等|年度|年|月")


def similar_requests(reg: Registry, text: str, limit: int = 8,
                     exclude_ids: tuple[int, ...] = ()) -> list[sqlite3.Row]:
    """Earlier cases whose request text shares the distinctive parts of ``text`` (best first)."""
    chunks = [c for c in re.split(r"[\W_]+", _COMMON.sub(" ", text or "")) if len(c) >= 2]
    chunks = sorted(set(chunks), key=len, reverse=True)[:3]
    if not chunks:
        return []
    rows = search_q.similar_requests(reg.conn, [c[:8] for c in chunks], limit + len(exclude_ids))
    return [r for r in rows if r["id"] not in exclude_ids][:limit]


# -- the case as the detail screen shows it ---------------------------------------------------
@dataclass(frozen=True)
class TimelineEntry:
    recorded_at: str
    effective_on: str
    action: str
    actor: str
    details: str


@dataclass(frozen=True)
class CaseView:
    row: dict[str, Any]
    facts: CaseFacts
    deadline: Deadline
    co_divisions: list[str]
    timeline: list[TimelineEntry]




def describe_event(type_: str, payload: dict[str, Any], division_names: dict[int, str]) -> str:
    """One line saying what an event recorded, in the users' words."""
    parts = []
    if type_ == "register":
        parts.append(f"申请方式：{payload.get('channel', '')}，收到日期：{payload.get('received_on', '')}")
    if type_ == "ledger_import":
        parts.append(f"来源：{payload.get('source', '台账')}")
    if payload.get("lead_division_id") and type_ in ("assign", "handle_in_office"):
        parts.append(f"主办：{division_names.get(payload['lead_division_id'], '')}")
    if payload.get("co_division_ids"):
        parts.append("协办：" + "、".join(division_names.get(d, str(d)) for d in payload["co_division_ids"]))
    if payload.get("items"):
        parts.append("补正事项：" + "；".join(payload["items"]))
    if payload.get("period_end"):
        parts.append(f"补正期限至{payload['period_end']}")
    if payload.get("outcome") and outcomes.find(payload["outcome"]):
        parts.append(f"办理结果：{outcomes.find(payload['outcome']).label}")
    if type_ == "extension_approve":
        parts.append(f"延长{payload.get('days')}个工作日")
    if type_ == "consultation_start":
        parts.append(workflow.PAUSE_KIND_LABELS.get(payload.get("kind", ""), "") + (f"：{payload['party']}" if payload.get("party")
                                                                       else ""))
    if type_ == "fee_notice":
        parts.append(f"{fees.METHOD_LABELS.get(payload.get('method', ''), '')}，{payload.get('tier', '')}，"
                     f"金额{payload.get('amount', '')}元，缴费期限{payload.get('payment_due_on', '')}")
    if type_ == "fee_paid" and payload.get("amount") is not None:
        parts.append(f"已缴{payload['amount']}元")
    if type_ == "art35_delay":
        parts.append(f"答复期限确定为{payload.get('due_on')}")
    if type_ == "attach":
        parts.append(f"附件：{payload.get('file_name', '')}")
    if type_ == "letter_issued":
        version = payload.get("version", 1)
        parts.append(f"{payload.get('title', '')} {payload.get('doc_no') or ''}".strip()
                     + (f"（第{version}版，重新出具）" if version > 1 else ""))
    if type_ in ("delivered", "letter_delivered") and payload.get("title"):
        parts.append(f"{payload['title']} {payload.get('doc_no') or ''}".strip())
    if type_ in ("delivered", "letter_delivered") and payload.get("enclosures"):
        parts.append("随附公开版材料：" + "、".join(str(e.get("file_name", "")) for e in payload["enclosures"]))
    if type_ == "mark_release":
        parts.append(f"将“{payload.get('file_name', '')}”标为拟公开的材料")
    if type_ == "redact":
        from desktop.documents.redaction import CATEGORIES

        totals: dict[str, int] = {}
        pages = payload.get("counts") or {}
        for per_page in pages.values():
            for category, n in per_page.items():
                totals[category] = totals.get(category, 0) + n
        order = list(CATEGORIES)
        covered = "、".join(f"{CATEGORIES.get(c, c)}{n}处" for c, n in sorted(
            totals.items(), key=lambda i: order.index(i[0]) if i[0] in order else len(order))) or "无遮盖"
        where = "，".join(f"第{p}页{sum(c.values())}处" for p, c in sorted(pages.items(), key=lambda i: int(i[0]))[:20])
        parts.append(f"“{payload.get('original_file_name', '')}”生成公开版“{payload.get('released_file_name', '')}”，"
                     f"共{payload.get('pages', '')}页，遮盖{covered}" + (f"（{where}{'等' if len(pages) > 20 else ''}）"
                                                                        if where else ""))
    if payload.get("tracking_no"):
        parts.append(f"邮件号：{payload['tracking_no']}")
    for key, label in (("reason", "理由"), ("comment", "意见"), ("method", "方式"), ("text", "记录"),
                       ("answer", "答复")):
        if key == "text" and type_ in ("draft", "redact", "mark_release", "delivered", "letter_delivered"):
            continue  # said above in its own words (older events also carry it as text)
        if payload.get(key) and not (key == "method" and type_ == "fee_notice"):
            parts.append(f"{label}：{payload[key]}")
    return "；".join(p for p in parts if p)


def case_view(reg: Registry, case_id: int, actor: Actor | None = None) -> CaseView:
    """Everything about a case for one reader: personal data masked unless the reader may see it; a
    case a division user may not read is refused (PermissionDenied)."""
    from desktop.services import privacy

    privacy.check_can_read(reg, actor, case_id)
    row = privacy.masked(dict(get_case(reg, case_id)), actor)
    event_rows = events_q.for_case(reg.conn, case_id)
    facts = workflow.replay(domain_events(event_rows))
    due_soon = int(reg.settings().get("due_soon_days", deadlines.DEFAULT_DUE_SOON))
    dl = deadlines.compute(facts, reg.calendar(), reg.today(), due_soon)
    names = {r["id"]: r["name"] for r in settings_q.divisions(reg.conn)}
    timeline = [TimelineEntry(r["recorded_at"].replace("T", " "), r["effective_on"],
                              workflow.EVENT_LABELS.get(r["type"], r["type"]), r["actor_name"] or "系统",
                              describe_event(r["type"], json.loads(r["payload"]), names)) for r in event_rows]
    return CaseView(row, facts, dl, [names.get(d, "") for d in facts.co_division_ids], timeline)
