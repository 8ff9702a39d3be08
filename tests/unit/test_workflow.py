"""The workflow table against domain.md §1, event by event and role by role."""

import pytest

from desktop.domain.workflow import ROLES, TRANSITIONS, WorkflowError, allowed_events, check

# (event, from state, to state, the only roles that may fire it) — written out from domain.md §1.
EXPECTED = [
    ("register", None, "registered", {"clerk", "office_head"}),
    ("correction_notice", "registered", "awaiting_correction", {"clerk", "office_head"}),
    ("corrected", "awaiting_correction", "registered", {"clerk", "office_head"}),
    ("abandoned", "awaiting_correction", "closed", {"clerk", "office_head"}),
    ("assign", "registered", "assigned", {"office_head"}),
    ("handle_in_office", "registered", "handling", {"office_head"}),
    ("sign_for", "assigned", "handling", {"division"}),
    ("return_to_office", "assigned", "registered", {"division"}),
    ("return_to_office", "handling", "registered", {"division"}),
    ("submit_for_review", "handling", "in_review", {"division"}),
    ("fee_notice", "handling", "awaiting_payment", {"division", "clerk"}),
    ("fee_paid", "awaiting_payment", "handling", {"clerk"}),
    ("fee_unpaid", "awaiting_payment", "closed", {"clerk"}),
    ("review_approve", "in_review", "awaiting_approval", {"reviewer"}),
    ("review_return", "in_review", "handling", {"reviewer"}),
    ("leader_approve", "awaiting_approval", "approved", {"leader"}),
    ("leader_return", "awaiting_approval", "handling", {"leader"}),
    ("reply_issued", "approved", "replied", {"clerk"}),
    ("delivered", "replied", "delivered", {"clerk"}),
    ("archive", "delivered", "archived", {"clerk"}),
    ("archive", "closed", "archived", {"clerk"}),
    ("withdrawn", "handling", "closed", {"clerk", "office_head"}),
    ("reopen", "closed", "registered", {"admin"}),
    ("extension_request", "handling", None, {"division"}),
    ("consultation_start", "handling", None, {"division"}),
]


@pytest.mark.parametrize("event, source, target, roles", EXPECTED)
def test_transition_and_roles(event, source, target, roles):
    t = TRANSITIONS[event]
    assert source in t.sources
    assert t.target == target
    for role in ROLES:
        if role in roles:
            check(event, source, {role})
        else:
            with pytest.raises(WorkflowError, match="只能由"):
                check(event, source, {role})


@pytest.mark.parametrize("event, state", [
    ("sign_for", "registered"), ("reply_issued", "in_review"), ("leader_approve", "in_review"),
    ("delivered", "approved"), ("archive", "handling"), ("corrected", "registered"),
    ("withdrawn", "replied"), ("register", "registered"),
])
def test_illegal_transitions_raise_a_clear_error(event, state):
    with pytest.raises(WorkflowError, match="不能执行"):
        check(event, state, set(ROLES))


def test_every_state_is_reachable_and_every_open_state_can_be_left():
    reached, frontier = {None}, [None]
    while frontier:
        state = frontier.pop()
        for t in TRANSITIONS.values():
            if state in t.sources and t.target and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached - {None} == {"registered", "awaiting_correction", "assigned", "handling",
                                "awaiting_payment", "in_review", "awaiting_approval", "approved",
                                "replied", "delivered", "closed", "archived"}


def test_allowed_events_for_a_division_user_handling_a_case():
    events = set(allowed_events("handling", {"division"}))
    assert {"draft", "submit_for_review", "consultation_start", "extension_request", "fee_notice",
            "return_to_office", "note"} <= events
    assert "leader_approve" not in events and "reply_issued" not in events
