"""The case workflow: states × events × roles (domain.md §1), and the replay of a case's events.

The table below is the single statement of who may do what and when. ``check`` refuses an event
that is not allowed; ``replay`` folds a case's recorded events into its current facts, from which
the deadline engine and the annual report derive everything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

# -- roles ----------------------------------------------------------------------------------
CLERK, OFFICE_HEAD, DIVISION, REVIEWER, LEADER, ADMIN = (
    "clerk", "office_head", "division", "reviewer", "leader", "admin")
ROLE_LABELS = {
    CLERK: "登记员",
    OFFICE_HEAD: "公开办负责人",
    DIVISION: "承办人",
    REVIEWER: "法规审核",
    LEADER: "分管领导",
    ADMIN: "系统管理员",
}
ROLES = tuple(ROLE_LABELS)

# -- states ---------------------------------------------------------------------------------
STATE_LABELS = {
    "registered": "待分办",
    "awaiting_correction": "待补正",
    "assigned": "待签收",
    "handling": "办理中",
    "awaiting_payment": "待缴费",
    "in_review": "待审核",
    "awaiting_approval": "待审批",
    "approved": "待答复",
    "replied": "已答复",
    "delivered": "已送达",
    "closed": "已办结",
    "archived": "已归档",
}
STATES = tuple(STATE_LABELS)
# The states in which nothing is left to do: written once for the program. The database layer, which
# imports nothing of desktop, holds the same tuple once (db.queries.registry.FINISHED_STATES, the
# source of every SQL filter on open cases); a test holds the two equal.
FINISHED_STATES = ("replied", "delivered", "closed", "archived")
OPEN_STATES = frozenset(STATES) - frozenset(FINISHED_STATES)
_WORKING = frozenset({"handling", "in_review", "awaiting_approval"})


@dataclass(frozen=True)
class Transition:
    event: str
    label: str
    sources: frozenset[str | None]
    target: str | None  # None: the state does not change
    roles: frozenset[str]


def _t(event: str, label: str, sources: Iterable[str | None], target: str | None,
       *roles: str) -> Transition:
    return Transition(event, label, frozenset(sources), target, frozenset(roles))


TRANSITIONS: dict[str, Transition] = {t.event: t for t in (
    _t("register", "登记", [None], "registered", CLERK, OFFICE_HEAD),
    _t("ledger_import", "台账导入", [None], None, CLERK, OFFICE_HEAD, ADMIN),
    _t("correction_notice", "发出补正告知", ["registered"], "awaiting_correction", CLERK, OFFICE_HEAD),
    _t("corrected", "收到补正申请", ["awaiting_correction"], "registered", CLERK, OFFICE_HEAD),
    _t("abandoned", "逾期未补正", ["awaiting_correction"], "closed", CLERK, OFFICE_HEAD),
    _t("assign", "分办", ["registered", "assigned"], "assigned", OFFICE_HEAD),
    _t("handle_in_office", "公开办直接办理", ["registered"], "handling", OFFICE_HEAD),
    _t("send_back", "退回登记员", ["registered"], None, OFFICE_HEAD),
    _t("sign_for", "签收", ["assigned"], "handling", DIVISION),
    _t("return_to_office", "退回公开办", ["assigned", "handling"], "registered", DIVISION),
    _t("note", "办理记录", OPEN_STATES, None, CLERK, OFFICE_HEAD, DIVISION, REVIEWER, LEADER),
    _t("draft", "拟写答复", ["handling"], None, DIVISION),
    _t("submit_for_review", "提交审核", ["handling"], "in_review", DIVISION),
    _t("review_approve", "审核通过", ["in_review"], "awaiting_approval", REVIEWER),
    _t("review_return", "审核退回", ["in_review"], "handling", REVIEWER),
    _t("leader_approve", "领导签发", ["awaiting_approval"], "approved", LEADER),
    _t("leader_return", "领导退回", ["awaiting_approval"], "handling", LEADER),
    _t("extension_request", "申请延期", _WORKING, None, DIVISION),
    _t("extension_approve", "批准延期", _WORKING | {"assigned", "awaiting_payment"}, None, OFFICE_HEAD),
    _t("extension_refuse", "不同意延期", _WORKING | {"assigned", "awaiting_payment"}, None, OFFICE_HEAD),
    _t("consultation_start", "发出征求意见", ["handling"], None, DIVISION),
    _t("consultation_end", "收到征求意见答复", _WORKING, None, DIVISION, CLERK),
    _t("art35_delay", "确定延迟答复期限（第三十五条）", _WORKING | {"assigned", "registered"}, None,
       OFFICE_HEAD),
    _t("fee_notice", "发出收费通知", ["handling"], "awaiting_payment", DIVISION, CLERK),
    _t("fee_paid", "缴费", ["awaiting_payment"], "handling", CLERK),
    _t("fee_unpaid", "逾期未缴费", ["awaiting_payment"], "closed", CLERK),
    _t("reply_issued", "出具答复", ["approved"], "replied", CLERK),
    _t("delivered", "送达", ["replied"], "delivered", CLERK),
    _t("withdrawn", "申请人撤回", OPEN_STATES, "closed", CLERK, OFFICE_HEAD),
    _t("archive", "归档", ["delivered", "closed"], "archived", CLERK),
    _t("attach", "添加附件", STATES, None, CLERK, OFFICE_HEAD, DIVISION, REVIEWER, LEADER),
    # documents to release: marked, then de-identified into a released version (services/redaction.py)
    _t("mark_release", "标为拟公开材料", ["handling"], None, DIVISION, CLERK),
    _t("redact", "去标识化", ["handling"], None, DIVISION, CLERK),
    _t("letter_issued", "出具文书", STATES, None, CLERK, OFFICE_HEAD, DIVISION),
    _t("letter_delivered", "文书送达", STATES, None, CLERK),
    _t("reopen", "重新打开", ["closed", "archived", "replied", "delivered"], "registered", ADMIN),
)}

EVENT_LABELS = {e: t.label for e, t in TRANSITIONS.items()}


class WorkflowError(ValueError):
    """An event that the workflow does not allow; the message is for the user."""


@dataclass(frozen=True)
class Event:
    """One recorded fact of a case, as the domain sees it."""
    type: str
    on: date  # the date the fact took effect (not the time it was typed in)
    payload: Mapping[str, Any] = field(default_factory=dict)
    actor_id: int | None = None
    at: str = ""  # when it was recorded


@dataclass(frozen=True)
class Pause:
    kind: str  # third_party | agency | fee | other
    start: date  # the letter or notice was sent
    end: date | None  # the answer or payment arrived; None while open
    # the day the other side received the letter, as recorded on its delivery (送达); None: not
    # recorded yet (its period is then counted from the sending day, and said to be an assumption)
    received_on: date | None = None


PAUSE_KIND_LABELS = {"third_party": "征求第三方意见", "agency": "征求其他机关意见", "fee": "收费", "other": "暂停"}

# The letters whose delivery starts the other side's own period ("from receipt").
CONSULTATION_LETTERS = frozenset({"consult_third_party", "consult_agency"})


@dataclass
class CaseFacts:
    """Everything the events say about a case now."""
    state: str | None = None
    received_on: date | None = None  # date of receipt of the application
    clock_start: date | None = None  # receipt, or the corrected application (restart)
    correction_notice_on: date | None = None  # first correction notice on the original receipt
    correction_period_end: date | None = None  # as stated when the notice was sent (see deadlines)
    correction_period_days: int | None = None
    correction_notice_received_on: date | None = None  # its delivery to the applicant
    fee_notice_received_on: date | None = None  # the fee notice's delivery (or the date told at issue)
    letter_arrived_on: date | None = None  # 平常信函: the day the letter arrived (receipt = confirmation)
    corrected_on: date | None = None
    extension_days: int = 0
    extension_requested_on: date | None = None
    extension_approved_on: date | None = None
    fee_methods: tuple[str, ...] = ()  # the method of every fee notice, in order
    extension_pending: bool = False
    pauses: list[Pause] = field(default_factory=list)
    art35_due_on: date | None = None
    outcome: str | None = None  # proposed until fixed by the reply (or the closing event)
    outcome_fixed: bool = False
    concluded_on: date | None = None
    lead_division_id: int | None = None
    co_division_ids: tuple[int, ...] = ()
    draft_text: str | None = None
    approved_text_locked: bool = False
    last_return_comment: str | None = None
    delivered_on: date | None = None
    fee_payment_due_on: date | None = None

    @property
    def open_pause(self) -> Pause | None:
        return next((p for p in self.pauses if p.end is None), None)

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES


def allowed_events(state: str | None, roles: Iterable[str]) -> list[str]:
    """The events a holder of ``roles`` may fire on a case in ``state``."""
    roles = set(roles)
    return [e for e, t in TRANSITIONS.items() if state in t.sources and roles & t.roles]


def check(event: str, state: str | None, roles: Iterable[str], facts: CaseFacts | None = None) -> None:
    """Raise WorkflowError unless ``event`` may happen now, by someone holding ``roles``."""
    t = TRANSITIONS.get(event)
    if t is None:
        raise WorkflowError(f"未知的操作：{event}")
    label = STATE_LABELS.get(state or "", "未登记")
    if state not in t.sources:
        raise WorkflowError(f"案件处于“{label}”状态，不能执行“{t.label}”")
    if not set(roles) & t.roles:
        allowed = "、".join(ROLE_LABELS[r] for r in sorted(t.roles, key=ROLES.index))
        raise WorkflowError(f"“{t.label}”只能由{allowed}执行")
    if facts is None:
        return
    if event in ("extension_approve", "extension_refuse") and not facts.extension_pending:
        raise WorkflowError("没有待审批的延期申请")
    if event == "extension_request":
        if facts.extension_pending:
            raise WorkflowError("已有延期申请等待审批")
        if facts.extension_days:
            raise WorkflowError("本案已延期，延长的期限最长不得超过20个工作日")
    if event == "correction_notice" and facts.correction_notice_on is not None:
        raise WorkflowError(f"补正应当一次性告知（条例第三十条）：本申请已于{facts.correction_notice_on.isoformat()}"
                            "发出补正告知，不能再次要求补正")
    if event == "consultation_start" and facts.open_pause is not None:
        raise WorkflowError("已有尚未结束的征求意见，请先登记答复")
    if event == "consultation_end" and (facts.open_pause is None or facts.open_pause.kind == "fee"):
        raise WorkflowError("没有正在进行的征求意见")
    if event in ("submit_for_review",) and not facts.outcome:
        raise WorkflowError("请先选择办理结果并拟写答复")
    if event == "submit_for_review" and facts.open_pause is not None:
        raise WorkflowError("征求意见尚未结束，不能提交审核")
    if event == "submit_for_review" and facts.draft_text and "【" in facts.draft_text:
        raise WorkflowError("答复正文中还有待填写的【】内容，请填写后再提交审核")


def replay(events: Sequence[Event]) -> CaseFacts:
    """Fold the recorded events of one case, oldest first, into its current facts."""
    f = CaseFacts()
    for ev in events:
        _apply(f, ev)
    return f


def _parse_date(value: Any) -> date | None:
    if value.__class__ is str:  # as stored (every ledger row's dates are replayed through here)
        return date.fromisoformat(value) if value else None
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _close_pause(f: CaseFacts, kinds: Iterable[str], on: date) -> None:
    kinds = set(kinds)
    for i, p in enumerate(f.pauses):
        if p.end is None and p.kind in kinds:
            f.pauses[i] = Pause(p.kind, p.start, on, p.received_on)


def _apply(f: CaseFacts, ev: Event) -> None:
    p = ev.payload
    t = TRANSITIONS.get(ev.type)
    if ev.type == "register":
        f.received_on = f.clock_start = _parse_date(p.get("received_on")) or ev.on
        f.letter_arrived_on = _parse_date(p.get("letter_arrived_on"))
    elif ev.type == "ledger_import":
        _apply_ledger(f, ev)
        return
    elif ev.type == "correction_notice":
        if f.correction_notice_on is None:
            f.correction_notice_on = ev.on
        f.correction_period_end = _parse_date(p.get("period_end"))
        f.correction_period_days = p.get("period_days")
    elif ev.type == "corrected":
        f.corrected_on = f.clock_start = ev.on
    elif ev.type == "abandoned":
        # Ended on the day after the correction period ran out (domain.md §4), not on the day the
        # clerk recorded it: that decides which year's report counts the case.
        end = _parse_date(p.get("period_end")) or f.correction_period_end  # counted from delivery when recorded
        ended = end + timedelta(days=1) if end else ev.on
        f.outcome, f.outcome_fixed, f.concluded_on = "other_no_correction", True, ended
    elif ev.type == "assign":
        f.lead_division_id = p.get("lead_division_id")
        f.co_division_ids = tuple(p.get("co_division_ids") or ())
    elif ev.type == "handle_in_office":
        f.lead_division_id = p.get("lead_division_id", f.lead_division_id)
    elif ev.type == "return_to_office":
        f.lead_division_id, f.co_division_ids = None, ()
        f.last_return_comment = p.get("reason")
    elif ev.type == "draft":
        if "outcome" in p:
            f.outcome = p["outcome"]
        if "decision" in p:
            f.draft_text = p["decision"]
    elif ev.type in ("review_return", "leader_return", "send_back"):
        f.last_return_comment = p.get("comment")
    elif ev.type in ("submit_for_review", "assign", "sign_for"):
        f.last_return_comment = None
    elif ev.type == "leader_approve":
        f.approved_text_locked = True
    elif ev.type == "extension_request":
        f.extension_pending, f.extension_requested_on = True, ev.on
    elif ev.type == "extension_approve":
        f.extension_pending = False
        f.extension_days = int(p.get("days", 20))
        f.extension_approved_on = ev.on
    elif ev.type == "extension_refuse":
        f.extension_pending = False
    elif ev.type == "consultation_start":
        f.pauses.append(Pause(p.get("kind", "third_party"), ev.on, None))
    elif ev.type == "consultation_end":
        _close_pause(f, ("third_party", "agency", "other"), ev.on)
    elif ev.type == "art35_delay":
        f.art35_due_on = _parse_date(p.get("due_on"))
    elif ev.type == "fee_notice":
        f.pauses.append(Pause("fee", ev.on, None))
        f.fee_payment_due_on = _parse_date(p.get("payment_due_on"))
        f.fee_notice_received_on = _parse_date(p.get("applicant_received_on"))
        f.fee_methods = (*f.fee_methods, p.get("method", ""))
    elif ev.type == "fee_paid":
        _close_pause(f, ("fee",), ev.on)
    elif ev.type == "fee_unpaid":
        # Ended on the day after the payment period ran out (domain.md §4); the pause lasts as long.
        due = _parse_date(p.get("payment_due_on")) or f.fee_payment_due_on  # counted from delivery when recorded
        ended = due + timedelta(days=1) if due else ev.on
        _close_pause(f, ("fee",), min(ended, ev.on))
        f.outcome, f.outcome_fixed, f.concluded_on = "other_fee_unpaid", True, ended
    elif ev.type == "reply_issued":
        f.outcome = p.get("outcome", f.outcome)
        f.outcome_fixed, f.concluded_on = True, ev.on
    elif ev.type == "delivered":
        f.delivered_on = ev.on
    elif ev.type == "letter_delivered":
        _letter_received(f, p.get("kind"), ev.on)
    elif ev.type == "withdrawn":
        f.outcome, f.outcome_fixed, f.concluded_on = "other", True, ev.on
        open_pause = f.open_pause
        if open_pause:
            _close_pause(f, (open_pause.kind,), ev.on)
    elif ev.type == "reopen":
        f.outcome_fixed, f.concluded_on, f.approved_text_locked = False, None, False
    if t is not None and t.target is not None:
        f.state = t.target


def _letter_received(f: CaseFacts, kind: str | None, on: date) -> None:
    """A letter's delivery starts the other side's period: the consulted party's 15 working days, the
    applicant's correction period, the applicant's 20 working days to pay (the first delivery counts)."""
    if kind in CONSULTATION_LETTERS:
        for i in range(len(f.pauses) - 1, -1, -1):
            p = f.pauses[i]
            if p.kind in ("third_party", "agency"):
                if p.received_on is None:
                    f.pauses[i] = Pause(p.kind, p.start, p.end, on)
                return
    elif kind == "correction" and f.correction_notice_received_on is None:
        f.correction_notice_received_on = on
    elif kind == "fee_notice":
        f.fee_notice_received_on = on


def _apply_ledger(f: CaseFacts, ev: Event) -> None:
    """A case taken over from an Excel ledger: the row's facts at once."""
    p = ev.payload
    f.received_on = f.clock_start = _parse_date(p["received_on"])
    f.lead_division_id = p.get("lead_division_id")
    if p.get("correction_notice_on"):
        f.correction_notice_on = _parse_date(p["correction_notice_on"])
    if p.get("corrected_on"):
        f.corrected_on = f.clock_start = _parse_date(p["corrected_on"])
    f.extension_days = int(p.get("extension_days") or 0)
    if p.get("pause_start"):
        f.pauses.append(Pause("other", _parse_date(p["pause_start"]), _parse_date(p.get("pause_end"))))
    if p.get("outcome"):
        f.outcome, f.outcome_fixed = p["outcome"], True
        f.concluded_on = _parse_date(p["concluded_on"])
        f.state = "closed"  # finished in the old system: nothing is left to do here
    elif f.correction_notice_on and not f.corrected_on:
        f.state = "awaiting_correction"
    elif f.open_pause is not None:
        f.state = "handling"
    elif f.lead_division_id:
        f.state = "assigned"
    else:
        f.state = "registered"
