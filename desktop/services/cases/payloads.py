"""What each event's payload must hold: one small handler per event that checks what the user gave
and completes it with what follows (a correction period's end, a fee's amount and payment date, …).
The handlers are listed in ``HANDLERS``; an event without one is recorded as given.

A handler receives the ``Firing`` (the registry, the case, its facts before the event, the event's
date) and changes the payload in place; it refuses with ValidationFailed (naming the field) or
ServiceError. It runs in the event's write transaction, so what it writes besides the event (the fee
tables) is saved with it or not at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from db.queries import fees as fees_q
from db.queries import settings as settings_q
from desktop.domain import application, deadlines, fees, outcomes
from desktop.domain.application import Problem
from desktop.domain.calendar import WorkCalendar
from desktop.domain.workflow import CaseFacts
from desktop.services.base import Registry, ServiceError, ValidationFailed


@dataclass(frozen=True)
class Firing:
    """An event about to be recorded, as its payload handler sees it."""
    reg: Registry
    case_id: int
    facts: CaseFacts  # before the event
    event: str
    on: date  # the event's date
    cal: WorkCalendar


def prepare(reg: Registry, case_id: int, facts: CaseFacts, event: str, on: date,
            payload: dict[str, Any]) -> dict[str, Any]:
    """Validate and complete an event's payload (see ``HANDLERS``)."""
    handler = HANDLERS.get(event)
    if handler is not None:
        handler(Firing(reg, case_id, facts, event, on, reg.calendar()), payload)
    return payload


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


# -- the handlers, in the order of a case's life -------------------------------------------------------
def _correction_notice(f: Firing, payload: dict[str, Any]) -> None:
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
    payload["period_end"] = f.cal.add_workdays(f.on, period).isoformat()


def _after_period(f: Firing, payload: dict[str, Any], key: str, end, assumed: bool, period: str, letter: str,
                  ending: str) -> None:
    """A case ended because the applicant's period ran out: only after it did; the day it ended is
    kept with the event (the case ends the day after)."""
    if end is None:
        return
    if f.on <= end:
        guess = f"（{letter}尚未登记送达，{deadlines.ASSUMED}）" if assumed else ""
        raise ServiceError(f"{period}到{end.isoformat()}为止{guess}，期满后才能按{ending}处理")
    payload[key] = end.isoformat()


def _abandoned(f: Firing, payload: dict[str, Any]) -> None:
    end, assumed = deadlines.correction_period_end(f.facts, f.cal)
    _after_period(f, payload, "period_end", end, assumed, "补正期限", "补正告知书", "逾期不补正")


def _assign(f: Firing, payload: dict[str, Any]) -> None:
    conn = f.reg.conn
    lead = payload.get("lead_division_id")
    if not isinstance(lead, int) or isinstance(lead, bool) or not settings_q.is_active_division(conn, lead):
        raise ValidationFailed([Problem("lead_division_id", "请选择有效的主办处室")])
    co = payload.get("co_division_ids") or []
    if not isinstance(co, list | tuple) or not all(isinstance(d, int) and not isinstance(d, bool)
                                                    and settings_q.is_active_division(conn, d) for d in co):
        raise ValidationFailed([Problem("co_division_ids", "协办处室无效")])
    payload["co_division_ids"] = sorted({d for d in co if d != lead})


def _handle_in_office(f: Firing, payload: dict[str, Any]) -> None:
    payload["lead_division_id"] = settings_q.office_division_id(f.reg.conn)


def _required_text(key: str) -> Callable[[Firing, dict[str, Any]], None]:
    """A handler for an event that must say why (a return, a refusal): ``key`` holds the reason."""
    def handler(_f: Firing, payload: dict[str, Any]) -> None:
        text = application.clean_text(payload.get(key))
        if not text:
            raise ValidationFailed([Problem(key, "请填写理由")])
        if len(text) > 2000:
            raise ValidationFailed([Problem(key, "过长（最多2000个字符）")])
        payload[key] = text
    return handler


def _draft(f: Firing, payload: dict[str, Any]) -> None:
    for key in ("outcome", "decision", "text"):
        if key in payload and not isinstance(payload[key], str):
            raise ValidationFailed([Problem(key, "应为文字")])
    if "outcome" in payload and outcomes.find(str(payload["outcome"])) is None:
        raise ValidationFailed([Problem("outcome", "请从目录中选择办理结果")])
    if "outcome" in payload:
        payload["outcome"] = outcomes.find(str(payload["outcome"])).code
        refusal = outcome_refusal(f.facts, payload["outcome"])
        if refusal:
            raise ValidationFailed([Problem("outcome", refusal)])
    if f.facts.approved_text_locked:
        raise ServiceError("答复已签发，文本已锁定")
    code = payload.get("outcome") or f.facts.outcome or ""
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
        if earlier is None or earlier > f.on or earlier < application.EARLIEST_RECEIPT:
            raise ValidationFailed([Problem("previous_reply_date", f"应为不晚于{f.on.isoformat()}的日期")])
        payload["previous_reply_date"] = earlier.isoformat()
    if "decision" in payload:
        text = application.clean_text(payload["decision"])
        if len(text) > 20000:
            raise ValidationFailed([Problem("decision", "答复正文过长（最多20000个字符）")])
        payload["decision"] = text


def _submit_for_review(f: Firing, _payload: dict[str, Any]) -> None:
    # What goes to review is a reply that can be issued as it stands: every fact it needs is there.
    from desktop.services import letters  # letters build on cases

    letters.compose(f.reg, f.case_id, "reply", draft=False)


def _extension_approve(_f: Firing, payload: dict[str, Any]) -> None:
    payload["days"] = _whole(payload, "days", 20, 1, deadlines.MAX_EXTENSION_DAYS, "延长的期限应为1至20个工作日")


def _consultation_start(_f: Firing, payload: dict[str, Any]) -> None:
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


def _fee_notice(f: Firing, payload: dict[str, Any]) -> None:
    """The fee by its tier, and when it must be paid; the notice is also written to the fee table."""
    facts, on, cal = f.facts, f.on, f.cal
    method = payload.get("method", fees.PER_APPLICATION)
    if facts.fee_methods and method not in facts.fee_methods:
        used = fees.METHOD_LABELS.get(facts.fee_methods[0], facts.fee_methods[0])
        raise ServiceError(f"本申请已按{used}发出收费通知：一件申请只能选择一种计收方式，不能再按"
                           f"{fees.METHOD_LABELS.get(method, method)}收费")
    due = deadlines.reply_due(facts, cal, pause_end_if_open=on)
    if due is not None and on > due:
        raise ServiceError(f"收费通知应当在答复期限内发出：本案答复期限为{due.isoformat()}，已经届满")
    if method == fees.PER_APPLICATION:
        quote = fees.quote_per_application(fees_q.month_position(f.reg.conn, f.case_id))
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
    fees_q.insert_notice(f.reg.conn, f.case_id, method, quote.quantity, quote.tier, quote.amount,
                         on.isoformat(), due.isoformat())


def _fee_paid(f: Firing, payload: dict[str, Any]) -> None:
    """The payment of the open notice's amount, also written to the fee table."""
    notice = fees_q.open_notice(f.reg.conn, f.case_id)
    if notice is None:
        raise ServiceError("没有待缴费的收费通知")
    payload["amount"] = notice["amount"]
    fees_q.insert_payment(f.reg.conn, notice["id"], f.on.isoformat(), notice["amount"])


def _fee_unpaid(f: Firing, payload: dict[str, Any]) -> None:
    due, assumed = deadlines.fee_payment_due(f.facts, f.cal)
    _after_period(f, payload, "payment_due_on", due, assumed, "缴费期限", "收费通知书", "逾期未缴费")


def _reply_issued(f: Firing, payload: dict[str, Any]) -> None:
    code = payload.get("outcome") or f.facts.outcome
    if not isinstance(code, str) or outcomes.find(code) is None:
        raise ValidationFailed([Problem("outcome", "答复前必须确定办理结果")])
    payload["outcome"] = outcomes.find(code).code


def _art35_delay(f: Firing, payload: dict[str, Any]) -> None:
    try:
        due = application.parse_date(payload.get("due_on"))
    except (ValueError, TypeError):
        due = None
    if due is None or due <= f.on or due.year > f.on.year + 2:
        raise ValidationFailed([Problem("due_on", "请确定晚于今天的答复期限")])
    payload["due_on"] = due.isoformat()


_reason, _comment = _required_text("reason"), _required_text("comment")

HANDLERS: dict[str, Callable[[Firing, dict[str, Any]], None]] = {
    "correction_notice": _correction_notice,
    "abandoned": _abandoned,
    "assign": _assign,
    "handle_in_office": _handle_in_office,
    "send_back": _comment,
    "return_to_office": _reason,
    "extension_request": _reason,
    "extension_approve": _extension_approve,
    "extension_refuse": _comment,
    "consultation_start": _consultation_start,
    "fee_notice": _fee_notice,
    "fee_paid": _fee_paid,
    "fee_unpaid": _fee_unpaid,
    "art35_delay": _art35_delay,
    "draft": _draft,
    "submit_for_review": _submit_for_review,
    "review_return": _comment,
    "leader_return": _comment,
    "reply_issued": _reply_issued,
}
