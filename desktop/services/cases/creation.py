"""Creating cases: the one way a case row comes to be — registered at the counter, taken over from an
Excel ledger, or generated for a benchmark — with its search entry, its first events and the values
the row stores that follow from them (state, due date, …). Set-based: one statement per table for
any number of cases, so a 100,000-row ledger costs a few statements per batch, not per row."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from db.queries import cases as cases_q
from db.queries import events as events_q
from db.queries import search as search_q
from desktop.domain import workflow
from desktop.domain.calendar import WorkCalendar
from desktop.services.base import Registry
from desktop.services.cases.derived import derived_values

# Every column a new case row is given; whatever is not here takes the column's default. One list
# for every way of creating a case: a column written by one of them only would be a divergence.
COLUMNS = ("id", "case_no", "applicant_id", "applicant_name", "applicant_type", "channel", "received_on",
           "request_text", "index_no", "purpose", "delivery_form", "delivery_route", "accept_other_form",
           "remarks", "split_from_id", "created_at", "created_by", *cases_q.DERIVED_FIELDS)


class NewCase(NamedTuple):
    """What is known of a case about to be created. ``events`` are its first events, oldest first,
    as (type, effective_on ISO, payload); the stored values are what their replay derives."""
    case_no: str
    applicant_id: int
    applicant_name: str
    applicant_type: str
    channel: str
    received_on: str  # ISO
    request_text: str
    events: Sequence[tuple[str, str | date, dict[str, Any]]]  # (a date object is taken too: not written, then)
    remarks: str | None = None
    index_no: str | None = None
    purpose: str | None = None
    delivery_form: str | None = None
    delivery_route: str | None = None
    accept_other_form: Any = None
    split_from: int | None = None  # the position (in the same call) of the case this one was split from
    same_facts: Hashable | None = None  # cases with the same key replay to the same facts (derived once)


class Prepared(NamedTuple):
    """Cases ready to be written (``write_prepared``): their rows, search entries and events (with their
    payloads' text: chained to the registry's last event when written)."""
    ids: list[int]
    rows: list[tuple]
    search: list[tuple]
    events: list[tuple]


def create_cases(reg: Registry, cases: Sequence[NewCase], actor_id: int | None, *, created_at: str | None = None,
                 first_id: int | None = None, write_events: bool = True, recorded_at: str | None = None,
                 derived_cache: dict | None = None) -> list[int]:
    """Create ``cases`` inside the caller's write transaction: the rows (ids from ``first_id``, by
    default the next free one), their search entries and — unless the caller chains them itself
    (``write_events=False``: the generator interleaves many cases' events by date) — their events,
    chained. Returns the new ids, in order."""
    if first_id is None:
        first_id = cases_q.max_id(reg.conn) + 1
    prepared = prepare_cases(cases, actor_id, first_id, write_events,
                             dialect=reg.conn.dialect, cal=reg.calendar(), today=reg.today(),
                             created_at=created_at or reg.now(), recorded_at=recorded_at, derived_cache=derived_cache)
    write_prepared(reg.conn, prepared)
    return prepared.ids


def prepare_cases(cases: Sequence[NewCase], actor_id: int | None, first_id: int, with_events: bool, *,
                  dialect: str, cal: WorkCalendar, today: date, created_at: str, recorded_at: str | None = None,
                  derived_cache: dict | None = None) -> Prepared:
    """What ``create_cases`` writes, made without a database (the ledger import prepares its batches
    in a process of its own while this one writes the batch before): ``with_events`` False leaves the
    events to the caller; ``dialect`` is the database's that will be written (its search entries differ)."""
    recorded_at = recorded_at or created_at
    cache = derived_cache if derived_cache is not None else {}
    Event, replay, fromiso = workflow.Event, workflow.replay, date.fromisoformat
    derived_of = itemgetter(*cases_q.DERIVED_FIELDS)
    rows, indexed, events = [], [], []
    for offset, c in enumerate(cases):
        case_id = first_id + offset
        key = c.same_facts
        derived = cache.get(key) if key is not None else None
        if derived is None:
            facts = replay([Event(t, on if on.__class__ is date else fromiso(on), p) for t, on, p in c.events])
            values = derived_values(facts, cal, today)
            derived = derived_of(values)
            if key is not None:
                cache[key] = derived
        rows.append((case_id, c.case_no, c.applicant_id, c.applicant_name, c.applicant_type, c.channel,
                     c.received_on, c.request_text, c.index_no, c.purpose, c.delivery_form, c.delivery_route,
                     c.accept_other_form, c.remarks, None if c.split_from is None else first_id + c.split_from,
                     created_at, actor_id, *derived))
        indexed.append((case_id, c.received_on, c.request_text, c.applicant_name))
        if with_events:
            for type_, on, payload in c.events:
                events.append((case_id, type_, on, recorded_at, actor_id, payload))
    return Prepared(list(range(first_id, first_id + len(cases))), rows, search_q.index_rows(dialect, indexed),
                    events_q.dumped(events))


def write_prepared(conn, prepared: Prepared) -> None:
    """Write cases made by ``prepare_cases`` (inside the caller's write transaction)."""
    if not prepared.rows:
        return
    cases_q.insert_many(conn, COLUMNS, prepared.rows)
    search_q.insert_index_rows(conn, prepared.search)
    if prepared.events:  # chained here, inside the write transaction, after the registry's last event
        events_q.insert_chained(conn, events_q.chain(events_q.last_hash(conn), prepared.events)[0])
    cases_q.follow_ids(conn)
