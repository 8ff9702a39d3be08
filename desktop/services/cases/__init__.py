"""Cases: registering an application, recording every later event, and what follows from them.

- ``records``       a case as recorded: its row, its events, the facts replayed from them
- ``registration``  registering an application (its number, its applicant, a split into parts) and
                    what the registration screen shows while the clerk types
- ``events``        recording a workflow event: the checks every event passes, appending it, and
                    which events a user may record now
- ``payloads``      what each event's payload must hold: one small handler per event (a table)
- ``derived``       what the case row stores that follows from the events (state, due date, …)
- ``view``          the case as the case screen shows it: facts, deadline, timeline

Import the package (``from desktop.services import cases``; ``cases.fire(...)``): it offers every
public name of its modules.
"""

from desktop.services.cases.derived import (
    DERIVED_ON,
    RECORDED_FIELDS,
    derived_values,
    refresh_derived,
    roll_forward,
    rows_that_disagree_with_events,
)
from desktop.services.cases.events import (
    RECORD_EVENTS,
    append_event,
    check_scope,
    events_possible_now,
    fire,
    possible_events,
)
from desktop.services.cases.payloads import HANDLERS, outcome_refusal
from desktop.services.cases.records import (
    CaseRecord,
    SavedDraft,
    case_id_by_number,
    check_version,
    deadline_of,
    domain_events,
    event_rows,
    facts_of,
    fee_month_position,
    first_year,
    get_case,
    record_of,
    saved_draft,
)
from desktop.services.cases.registration import (
    CASE_NO_KIND,
    ApplicantContext,
    applicant_context,
    applicant_id_for,
    next_case_no,
    register_case,
    similar_requests,
)
from desktop.services.cases.view import CaseView, TimelineEntry, case_view, describe_event, timeline

__all__ = [
    "CASE_NO_KIND", "DERIVED_ON", "HANDLERS", "RECORDED_FIELDS", "RECORD_EVENTS", "ApplicantContext",
    "CaseRecord", "CaseView", "SavedDraft", "TimelineEntry", "append_event", "applicant_context",
    "applicant_id_for", "case_id_by_number", "case_view", "check_scope", "check_version", "deadline_of",
    "derived_values", "describe_event", "domain_events", "event_rows", "events_possible_now", "facts_of",
    "fee_month_position", "fire", "first_year", "get_case", "next_case_no", "outcome_refusal", "possible_events",
    "record_of", "refresh_derived", "register_case", "roll_forward", "rows_that_disagree_with_events",
    "saved_draft", "similar_requests", "timeline",
]
