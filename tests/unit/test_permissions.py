"""Role × action at service level: each action on a case in the state it belongs to, tried by every
kind of user. Allowed ones succeed; the others are refused and change nothing."""

from datetime import date

import pytest

from desktop.services import cases
from desktop.services.base import PermissionDenied, ServiceError
from tests.helpers import person_form

D = date(2026, 9, 16)
# how to bring a fresh case to a state: (event, actor key, payload)
PATHS = {
    "registered": [],
    "awaiting_correction": [("correction_notice", "clerk", {"items": ["写明文号"]})],
    "assigned": [("assign", "head", "lead")],
    "handling": [("assign", "head", "lead"), ("sign_for", "planner", {})],
    "in_review": [("assign", "head", "lead"), ("sign_for", "planner", {}),
                  ("draft", "planner", {"outcome": "disclose", "release_details": "见附件"}),
                  ("submit_for_review", "planner", {})],
    "awaiting_approval": [("assign", "head", "lead"), ("sign_for", "planner", {}),
                          ("draft", "planner", {"outcome": "disclose", "release_details": "见附件"}),
                          ("submit_for_review", "planner", {}), ("review_approve", "reviewer", {})],
}
ACTIONS = [
    # (state, event, payload, users who may)
    ("registered", "assign", "lead", {"head"}),
    ("registered", "correction_notice", {"items": ["写明文号"]}, {"clerk", "head"}),
    ("registered", "send_back", {"comment": "请先补正"}, {"head"}),
    ("registered", "withdrawn", {}, {"clerk", "head"}),
    ("awaiting_correction", "corrected", {}, {"clerk", "head"}),
    ("assigned", "sign_for", {}, {"planner"}),
    ("assigned", "return_to_office", {"reason": "不属于本处"}, {"planner"}),
    ("handling", "draft", {"outcome": "disclose"}, {"planner"}),
    ("handling", "extension_request", {"reason": "档案多"}, {"planner"}),
    ("handling", "consultation_start", {"kind": "third_party", "party": "某公司", "reason": "涉及商业秘密"},
     {"planner"}),
    ("handling", "fee_notice", {"method": "per_page", "pages": 200}, {"planner", "clerk"}),
    ("in_review", "review_approve", {}, {"reviewer"}),
    ("in_review", "review_return", {"comment": "改"}, {"reviewer"}),
    ("awaiting_approval", "leader_approve", {}, {"leader"}),
    ("awaiting_approval", "leader_return", {"comment": "改"}, {"leader"}),
    ("awaiting_approval", "draft", {"outcome": "partial"}, set()),  # nobody edits the draft at this stage
]
USERS = ["clerk", "head", "planner", "social", "reviewer", "leader", "admin"]


def case_in(registry, staff, state):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    for event, who, payload in PATHS[state]:
        if payload == "lead":
            payload = {"lead_division_id": staff["planning_id"]}
        cases.fire(registry, staff[who], case_id, event, D, payload)
    return case_id


@pytest.mark.parametrize("state, event, payload, allowed", ACTIONS, ids=[f"{a[1]}@{a[0]}" for a in ACTIONS])
def test_role_by_action(registry, staff, state, event, payload, allowed):
    if payload == "lead":
        payload = {"lead_division_id": staff["planning_id"]}
    for user in USERS:
        case_id = case_in(registry, staff, state)
        before = cases.get_case(registry, case_id)
        events_before = registry.conn.execute("SELECT count(*) FROM case_events").fetchone()[0]
        if user in allowed:
            cases.fire(registry, staff[user], case_id, event, D, dict(payload))
            assert cases.get_case(registry, case_id)["version"] == before["version"] + 1, (user, event)
        else:
            with pytest.raises((PermissionDenied, ServiceError)):
                cases.fire(registry, staff[user], case_id, event, D, dict(payload))
            after = cases.get_case(registry, case_id)
            assert (after["version"], after["state"]) == (before["version"], before["state"]), (user, event)
            assert registry.conn.execute("SELECT count(*) FROM case_events").fetchone()[0] == events_before


def test_leader_cannot_edit_and_division_cannot_approve(registry, staff):
    case_id = case_in(registry, staff, "awaiting_approval")
    with pytest.raises(ServiceError, match="只能由分管领导执行"):
        cases.fire(registry, staff["planner"], case_id, "leader_approve", D)
    cases.fire(registry, staff["leader"], case_id, "leader_approve", D)
    with pytest.raises(ServiceError):
        cases.fire(registry, staff["leader"], case_id, "draft", D, {"decision": "改写"})


def test_other_division_is_refused_with_a_clear_message(registry, staff):
    case_id = case_in(registry, staff, "handling")
    with pytest.raises(PermissionDenied, match="不属于您所在处室，不能执行“拟写答复”"):
        cases.fire(registry, staff["social"], case_id, "draft", D, {"outcome": "disclose"})


def test_the_actions_on_offer_are_what_the_service_allows(registry, staff):
    """The screen offers what cases.events_possible_now says; each of them succeeds, the rest are refused."""
    case_id = case_in(registry, staff, "handling")
    offered = cases.events_possible_now(registry, staff["planner"], case_id)
    assert {"draft", "extension_request", "consultation_start", "fee_notice", "return_to_office"} <= set(offered)
    assert "assign" not in offered and "leader_approve" not in offered
    assert cases.events_possible_now(registry, staff["social"], case_id) == \
        [e for e in cases.events_possible_now(registry, staff["social"], case_id) if e in ("note", "attach")]
