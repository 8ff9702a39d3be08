"""A case as recorded: its row, its events (oldest first) and the facts replayed from them."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from db.queries import cases as cases_q
from db.queries import events as events_q
from db.queries import fees as fees_q
from desktop.domain import deadlines, workflow
from desktop.domain.deadlines import Deadline
from desktop.domain.workflow import CaseFacts, Event
from desktop.services.base import Conflict, NotFound, Registry


def domain_events(rows: list[sqlite3.Row]) -> list[Event]:
    """Recorded event rows as the workflow replays them."""
    return [Event(r["type"], date.fromisoformat(r["effective_on"]), json.loads(r["payload"]),
                  r["actor_id"], r["recorded_at"]) for r in rows]


@dataclass(frozen=True)
class SavedDraft:
    """The reply's draft as saved: what the drafter gave (each save over the ones before it; a save
    holds every detail of its outcome, an emptied one too) and when it was last saved (None: never)."""
    values: dict[str, Any]
    saved_at: str | None


def saved_draft(rows: list[sqlite3.Row]) -> SavedDraft:
    """The draft as saved in the case's recorded events."""
    values: dict[str, Any] = {}
    saved_at = None
    for e in rows:
        if e["type"] == "draft":
            values.update(json.loads(e["payload"]))
            saved_at = e["recorded_at"]
    return SavedDraft(values, saved_at)


@dataclass(frozen=True)
class CaseRecord:
    """One case read once: its row, its recorded events (oldest first, with ``actor_name``) and the
    facts they replay to. A service that needs more than one of these takes a record (or a CaseView)
    instead of reading and replaying the case again."""
    row: Any  # the cases row (in a CaseView: as its reader may see it)
    events: list[sqlite3.Row]
    facts: CaseFacts

    @property
    def draft(self) -> SavedDraft:
        return saved_draft(self.events)


def record_of(reg: Registry, case_id: int) -> CaseRecord:
    """The case's row, events and facts, read (and replayed) once."""
    row = get_case(reg, case_id)
    rows = events_q.for_case(reg.conn, case_id)
    return CaseRecord(row, rows, workflow.replay(domain_events(rows)))


def facts_of(reg: Registry, case_id: int) -> CaseFacts:
    """The case's facts now: its recorded events replayed."""
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


def check_version(reg: Registry, case_id: int, expected_version: int | None):
    """The case, if nobody changed it since the screen showed ``expected_version`` (None: no check);
    else Conflict. Call inside the write transaction that makes the change (writers wait for each
    other there, so the version read is the latest)."""
    case = get_case(reg, case_id)
    if expected_version is not None and case["version"] != expected_version:
        raise Conflict(f"案件{case['case_no']}已被他人修改，请刷新后再操作（您填写的内容已保留）")
    return case
