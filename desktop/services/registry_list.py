"""The registry list and work queues: filters in the users' terms, rows with live deadlines."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from db.queries import registry as registry_q
from desktop.domain import deadlines, outcomes, workflow
from desktop.domain.workflow import DIVISION, STATE_LABELS
from desktop.services.base import Actor, Registry

COLUMNS = (
    ("case_no", "申请编号"),
    ("received_on", "收到日期"),
    ("applicant", "申请人"),
    ("applicant_type", "申请人类型"),
    ("summary", "申请内容"),
    ("division", "主办处室"),
    ("state", "办理状态"),
    ("due_on", "答复期限"),
    ("days_left", "剩余工作日"),
)
DEADLINE_FILTERS = {
    "open": "未办结",
    "overdue": "已超期",
    "due_soon": "即将到期",
    "paused": "暂停计时",
    "finished_late": "超期办结",
}
# The states in which each role is the next actor (domain.md §1): the work queues.
QUEUE_STATES = {
    "clerk": ("registered", "awaiting_correction", "awaiting_payment", "approved", "replied", "delivered"),
    "office_head": ("registered",),  # plus pending extension requests, see _query
    "division": ("assigned", "handling"),
    "reviewer": ("in_review",),
    "leader": ("awaiting_approval",),
}


@dataclass(frozen=True)
class Filter:
    """What the user chose in the filter bar."""
    states: tuple[str, ...] = ()
    division_id: int | None = None
    year: int | None = None
    applicant_type: str | None = None
    outcome: str | None = None
    deadline: str | None = None
    text: str = ""
    sort: str = "received_on"
    descending: bool = True
    queue_of: Actor | None = None  # restrict to this user's work queue


@dataclass(frozen=True)
class Row:
    id: int
    case_no: str
    received_on: str
    applicant: str
    applicant_type: str
    summary: str
    division: str
    state: str
    state_label: str
    due_on: str
    days_left: int | None
    status: str  # on_time | due_soon | overdue | paused | awaiting_correction | finished
    return_comment: str | None = None  # why it came back, until it is submitted again

    def cell(self, key: str) -> str:
        if key == "days_left":
            return "" if self.days_left is None else str(self.days_left)
        if key == "state":
            return self.state_label + ("（退回）" if self.return_comment else "")
        if key == "due_on" and self.status == "paused":
            return f"暂停（预计{self.due_on}）" if self.due_on else "暂停"
        return str(getattr(self, key) or "")


def _query(reg: Registry, f: Filter) -> registry_q.Query:
    today = reg.today()
    due_soon_days = int(reg.settings().get("due_soon_days", deadlines.DEFAULT_DUE_SOON))
    q = registry_q.Query(
        states=f.states, division_ids=(f.division_id,) if f.division_id else (),
        received_from=f"{f.year}-01-01" if f.year else None, received_to=f"{f.year}-12-31" if f.year else None,
        applicant_type=f.applicant_type, outcome=f.outcome, deadline=f.deadline, text=f.text.strip() or None,
        sort="due_on" if f.sort == "days_left" else f.sort, descending=f.descending, today=today.isoformat(),
        due_soon_until=reg.calendar().add_workdays(today, due_soon_days).isoformat())
    if f.queue_of is not None:
        actor = f.queue_of
        states = sorted({s for role in actor.roles for s in QUEUE_STATES.get(role, ())})
        clause = f"c.state IN ({','.join('?' * len(states))})" if states else "0"
        values: list = list(states)
        if actor.roles & set(QUEUE_STATES) == {DIVISION}:
            clause += (" AND (c.lead_division_id = ? OR c.id IN (SELECT case_id FROM case_co_divisions"
                       " WHERE division_id = ?))")
            values += [actor.division_id, actor.division_id]
        if "office_head" in actor.roles:  # extension requests wait for the head of the office
            # A UNION of two indexed lookups (an OR here would scan the whole table).
            clause = (f"c.id IN (SELECT c.id FROM cases c WHERE {clause} UNION SELECT r.case_id FROM case_events r"
                      " WHERE r.type = 'extension_request' AND NOT EXISTS (SELECT 1 FROM case_events d WHERE d.type"
                      " IN ('extension_approve', 'extension_refuse') AND d.case_id = r.case_id AND d.id > r.id))")
        q.extra.append((clause, values))
    return q


def case_ids(reg: Registry, f: Filter, offset: int = 0, limit: int | None = None) -> list[int]:
    """The ordered ids of the cases matching ``f`` (all of them, or a window: one index walk)."""
    return registry_q.ids(reg.conn, _query(reg, f), offset, limit)


def case_count(reg: Registry, f: Filter) -> int:
    return registry_q.count(reg.conn, _query(reg, f))


def state_counts(reg: Registry, f: Filter) -> dict[str, int]:
    return registry_q.counts_by_state(reg.conn, _query(reg, replace(f, sort="received_on")))


def page(reg: Registry, f: Filter, offset: int, limit: int) -> list[Row]:
    """One window of the list, in order, ready to show (one query)."""
    clock = _clock(reg)
    return [_row(r, *clock) for r in registry_q.page(reg.conn, _query(reg, f), offset, limit)]


def _clock(reg: Registry):
    return reg.calendar(), reg.today(), int(reg.settings().get("due_soon_days", deadlines.DEFAULT_DUE_SOON))


def rows(reg: Registry, ids: list[int]) -> dict[int, Row]:
    """The display rows of these ids, with working days left computed for today."""
    clock = _clock(reg)
    return {case_id: _row(r, *clock) for case_id, r in registry_q.rows(reg.conn, ids).items()}


def _row(r, cal, today, due_soon_days) -> Row:
    """A list row from its stored columns, with working days left computed for today."""
    state = r["state"]
    days_left, status = None, "finished"
    if state == "awaiting_correction":
        status = "awaiting_correction"
    elif state in workflow.OPEN_STATES and r["paused"]:
        status = "paused"
    elif state in workflow.OPEN_STATES and r["due_on"]:
        due = date.fromisoformat(r["due_on"])
        days_left = cal.count_workdays(today, due)
        if due < today:
            days_left = min(days_left, -1)
            status = "overdue"
        else:
            status = "due_soon" if days_left <= due_soon_days else "on_time"
    summary = " ".join(r["request_text"].split())
    return Row(r["id"], r["case_no"], r["received_on"], r["applicant_name"], r["applicant_type"],
               summary[:60], r["division_name"] or "", state, STATE_LABELS.get(state, state),
               r["due_on"] or "", days_left, status, r["return_comment"])


def outcome_choices() -> list[tuple[str, str]]:
    return [(o.code, o.label) for o in outcomes.CATALOGUE]


@dataclass(frozen=True)
class QueueSummary:
    total: int
    overdue: int
    due_soon: int
    paused: int

    def text(self) -> str:
        parts = [f"待办 {self.total} 件"]
        if self.overdue:
            parts.append(f"已超期 {self.overdue} 件")
        if self.due_soon:
            parts.append(f"即将到期 {self.due_soon} 件")
        if self.paused:
            parts.append(f"暂停计时 {self.paused} 件")
        return "，".join(parts)


def queue_summary(reg: Registry, actor: Actor) -> QueueSummary:
    """How many cases wait for this user, and how many of them are overdue or due soon (one query)."""
    q = _query(reg, Filter(queue_of=actor))
    total, overdue, due_soon, paused = registry_q.deadline_counts(reg.conn, q)
    return QueueSummary(total, overdue, due_soon, paused)


def data_version(reg: Registry) -> int:
    """Changes whenever another connection (another seat) commits: the screens poll it."""
    return reg.conn.execute("PRAGMA data_version").fetchone()[0]
