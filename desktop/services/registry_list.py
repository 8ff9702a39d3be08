"""The registry list and work queues: filters in the users' terms, rows with live deadlines."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple

from db import connection
from db.queries import cases as cases_q
from db.queries import registry as registry_q
from desktop.domain import deadlines, identity, outcomes, workflow
from desktop.domain.workflow import DIVISION, STATE_LABELS
from desktop.services import privacy
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
    "clerk": ("registered", "awaiting_correction", "awaiting_payment", "approved", "replied"),
    "office_head": ("registered",),  # plus pending extension requests, see _query
    "division": ("assigned", "handling"),
    "reviewer": ("in_review",),
    "leader": ("awaiting_approval",),
}


# Cases whose handling is over and that only wait to be filed: the clerk's 待归档 list, apart from the
# queue (a hundred of them would otherwise hide the few that are overdue).
ARCHIVE_STATES = ("delivered", "closed")


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
    viewer: Actor | None = None  # who reads the list: a division user sees only their division's cases


class Row(NamedTuple):
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
    clock_note: str | None = None  # e.g. 征求意见期满，恢复计时

    def cell(self, key: str) -> str:
        if key == "days_left":
            if self.days_left is None:
                return ""
            return f"超期{-self.days_left}个工作日" if self.status == "overdue" else str(self.days_left)
        if key == "state":
            return self.state_label + ("（退回）" if self.return_comment else "")
        if key == "due_on" and self.status == "paused":
            return f"暂停（预计{self.due_on}）" if self.due_on else "暂停"
        if key == "due_on" and self.clock_note and self.status != "finished":
            return f"{self.due_on}（{self.clock_note}）"
        return str(getattr(self, key) or "")


_CASE_TAIL = re.compile(r"\d{1,8}")
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"(0\d{2,3})[-\s]?(\d{7,8})")


@dataclass(frozen=True)
class Lookup:
    """What the one search box was given, when it is not text: a case number (or its tail: the cases
    found), an applicant's ID number, or a phone number (digits)."""
    kind: str  # case_no | id_number | phone
    values: tuple[str, ...]


def lookup(reg: Registry, text: str, viewer: Actor | None = None) -> Lookup | None:
    """A case number, its tail (``00137``, ``137`` in any year's numbering), an ID number or a phone
    number typed into the search box; None for anything else (searched as text). ID and phone numbers
    are looked up only for readers who may see them."""
    text = text.strip()
    if not text or len(text) > 40:
        return None
    if cases_q.id_by_number(reg.conn, text) is not None:
        return Lookup("case_no", (text,))
    compact = re.sub(r"[\s()（）]", "", text)
    if privacy.can_see_personal(viewer) or viewer is None:
        upper = compact.upper()
        if identity.check_resident_id(upper) is None or identity.check_credit_code(upper) is None:
            return Lookup("id_number", (upper,))
        mobile, landline = _MOBILE.fullmatch(compact), _LANDLINE.fullmatch(text.replace(" ", ""))
        if mobile:
            return Lookup("phone", (mobile.group(1),))
        if landline:
            return Lookup("phone", (landline.group(1) + landline.group(2),))
    if _CASE_TAIL.fullmatch(compact):
        pattern = reg.settings().get("case_no_pattern", "{year}-{seq:05d}")
        first = _first_year(reg) or reg.today().year
        candidates = []
        for year in range(first, reg.today().year + 1):
            try:
                candidates.append(pattern.format(year=year, seq=int(compact)))
            except (KeyError, ValueError, IndexError):
                break
        found = cases_q.numbers_found(reg.conn, candidates)
        if found:
            return Lookup("case_no", tuple(found))
    return None


def _first_year(reg: Registry) -> int | None:
    first = cases_q.earliest_received_on(reg.conn)
    return int(first[:4]) if first else None


def _query(reg: Registry, f: Filter, clock: RowMaker | None = None) -> registry_q.Query:
    """The SQL-ready form of ``f`` for today (kept on ``clock``: each page and the count reuse it)."""
    if clock is not None:
        known = clock.queries.get(f)
        if known is not None:
            return known
    clock = clock or RowMaker(reg)
    found = lookup(reg, f.text, f.viewer) if f.text.strip() else None
    q = clock.queries[f] = registry_q.Query(
        states=f.states, division_ids=(f.division_id,) if f.division_id else (),
        received_from=f"{f.year}-01-01" if f.year else None, received_to=f"{f.year}-12-31" if f.year else None,
        applicant_type=f.applicant_type, outcome=f.outcome, deadline=f.deadline,
        text=None if found else (f.text.strip() or None),
        sort="due_on" if f.sort == "days_left" else f.sort, descending=f.descending,
        today=clock.today.isoformat(), due_soon_until=clock.due_soon_until())
    if found is not None:
        q.extra.append(cases_q.lookup_clause(found.kind, found.values))
    visible = privacy.visible_clause(f.viewer or f.queue_of)
    if visible is not None:
        q.extra.append(visible)
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


class _Background:
    """Work on the list done on another thread, with its own read connection. Prepared on the thread
    that owns ``reg`` (today, "due soon" and the query are fixed then); ``run`` may be called on any
    thread, once; ``cancel`` from any thread stops it (``run`` then returns None)."""

    def __init__(self, reg: Registry, f: Filter, clock: RowMaker | None = None):
        self.target = reg.target
        self.query = _query(reg, f, clock)
        self._conn = None
        self._cancelled = False

    def _work(self, conn):
        raise NotImplementedError

    def run(self):
        if self._cancelled:
            return None
        self._conn = connection.open_raw(self.target)
        try:
            return self._work(self._conn)
        except connection.database_errors():
            if self._cancelled:  # interrupted
                return None
            raise
        finally:
            conn, self._conn = self._conn, None
            conn.close()

    def cancel(self) -> None:
        self._cancelled = True
        conn = self._conn
        if conn is not None:
            try:
                conn.interrupt()
            except connection.database_errors():  # it had just finished and closed
                pass


class Count(_Background):
    """The number of cases of a filter (counting a million takes up to a few hundred milliseconds:
    the list must not wait for it)."""

    def _work(self, conn) -> int:
        return registry_q.count(conn, self.query)


class SortedIds(_Background):
    """Every id of a filter, in order: for a search listed in another order than the date of receipt
    with many matches, where finding even the first page means collecting and sorting the matches
    (0.1-0.5 s at a million cases). The list is then paged from these ids."""

    def _work(self, conn) -> list[int]:
        return registry_q.ids(conn, self.query)


BACKGROUND_SORT_FROM = 2_000  # matches; fewer are found and sorted at once (~30 ms at most)


def sorts_in_background(reg: Registry, f: Filter, clock: RowMaker | None = None) -> bool:
    """Whether the list of ``f`` is better sorted on another thread (see SortedIds)."""
    if not f.text.strip() or f.sort == "received_on":
        return False
    return registry_q.matches_at_least(reg.conn, _query(reg, f, clock), BACKGROUND_SORT_FROM)


def rows_of(reg: Registry, ids: list[int], clock: RowMaker) -> list[Row]:
    """The display rows of ``ids``, in that order (ids no longer found are left out)."""
    found = registry_q.rows(reg.conn, ids)
    return [clock(tuple(found[i])) for i in ids if i in found]


def state_counts(reg: Registry, f: Filter) -> dict[str, int]:
    return registry_q.counts_by_state(reg.conn, _query(reg, replace(f, sort="received_on")))


def page(reg: Registry, f: Filter, offset: int, limit: int) -> list[Row]:
    """One window of the list, in order, ready to show (one query)."""
    make = RowMaker(reg)
    return [make(r) for r in page_columns(reg, f, offset, limit, make)]


def page_columns(reg: Registry, f: Filter, offset: int, limit: int, clock: RowMaker | None = None,
                 after: Row | None = None, total: int | None = None) -> list[tuple]:
    """One window of the list as fetched (registry_q.LIST_COLUMNS order); a RowMaker (the same clock
    that decided "overdue" and "due soon" for the filter) turns each into a Row. ``after``: the row just
    before the window, when known (the window is then sought from it); ``total``: the filter's count,
    when known."""
    return registry_q.page(reg.conn, _query(reg, f, clock), offset, limit,
                           after=(after.received_on, after.id) if after is not None else None, total=total)


def rows(reg: Registry, ids: list[int]) -> dict[int, Row]:
    """The display rows of these ids, with working days left computed for today."""
    make = RowMaker(reg)
    return {case_id: make(tuple(r)) for case_id, r in registry_q.rows(reg.conn, ids).items()}


class RowMaker:
    """Turns fetched list columns into display rows, with working days left counted from today.

    A page has many cases due on the same day, so the count per due date is kept."""

    def __init__(self, reg: Registry):
        facts = reg.snapshot()
        self.cal = facts.calendar
        self.today = reg.today()
        self.due_soon_days = int(facts.settings.get("due_soon_days", deadlines.DEFAULT_DUE_SOON))
        self.division_names = facts.division_names
        self._days: dict[str, tuple[int, str]] = {}
        self._projected: dict[str, str] = {}
        derived_on = facts.settings.get("derived_on")  # cases.DERIVED_ON
        self._derived_on = date.fromisoformat(derived_on) if derived_on else None
        self._due_soon_until: str | None = None
        self.queries: dict[Filter, registry_q.Query] = {}  # filled by _query

    def due_soon_until(self) -> str:
        """The last due date that counts as "due soon" today."""
        if self._due_soon_until is None:
            self._due_soon_until = self.cal.add_workdays(self.today, self.due_soon_days).isoformat()
        return self._due_soon_until

    def _deadline(self, due_on: str) -> tuple[int, str]:
        found = self._days.get(due_on)
        if found is None:
            due = date.fromisoformat(due_on)
            days_left = self.cal.count_workdays(self.today, due)
            if due < self.today:
                found = (min(days_left, -1), "overdue")
            else:
                found = (days_left, "due_soon" if days_left <= self.due_soon_days else "on_time")
            self._days[due_on] = found
        return found

    def projected(self, due_on: str) -> str:
        """A paused case's projected due date today, from the one stored for the day of the last
        refresh (cases.roll_forward): each working day of the pause since moves it one working day."""
        if not due_on or self._derived_on is None or self._derived_on >= self.today:
            return due_on
        found = self._projected.get(due_on)
        if found is None:
            shift = self.cal.count_workdays(self._derived_on, self.today)
            found = self.cal.add_workdays(date.fromisoformat(due_on), shift).isoformat() if shift > 0 else due_on
            self._projected[due_on] = found
        return found

    def __call__(self, r: tuple) -> Row:
        (case_id, case_no, received_on, request_text, state, due_on, paused, applicant, applicant_type,
         division_id, return_comment, clock_note) = r
        days_left, status = None, "finished"
        if state == "awaiting_correction":
            status = "awaiting_correction"
        elif state in _OPEN_STATES:
            if paused:
                status = "paused"
                due_on = self.projected(due_on)
            elif due_on:
                days_left, status = self._deadline(due_on)
        summary = " ".join(request_text.split())[:60]
        return _new_row(Row, (case_id, case_no, received_on, applicant, applicant_type, summary,
                              self.division_names.get(division_id, "") if division_id else "",
                              state, STATE_LABELS.get(state, state), due_on or "", days_left, status,
                              return_comment, clock_note))


_OPEN_STATES = frozenset(workflow.OPEN_STATES)
_new_row = tuple.__new__  # a Row from all its fields, without NamedTuple's keyword handling


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


PRINT_AT_MOST = 2000  # rows on paper; more is a job for the ledger export


def list_html(reg: Registry, f: Filter, ids: list[int], heading: str = "") -> str:
    """The rows of ``ids`` as a printable HTML table, with what was filtered and when."""
    from html import escape

    rows = rows_of(reg, ids, RowMaker(reg))
    keys = [k for k, _label in COLUMNS]
    head = "".join(f"<th>{escape(label)}</th>" for _k, label in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{escape(r.cell(k))}</td>" for k in keys) + "</tr>" for r in rows)
    agency = reg.settings().get("agency_name", "")
    title = f"{agency}政府信息公开申请案件列表" if agency else "政府信息公开申请案件列表"
    note = f"{escape(heading)}；打印日期 {reg.today().isoformat()}" if heading else f"打印日期 {reg.today().isoformat()}"
    if f.text.strip():
        note += f"；检索：{escape(f.text.strip())}"
    return (f"<h3 style='text-align:center'>{escape(title)}</h3><p style='font-size:9pt'>{note}</p>"
            "<table border='1' cellspacing='0' cellpadding='3' style='font-size:8pt; border-collapse:collapse'>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
