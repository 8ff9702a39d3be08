"""What the Regulation requires of the handling, checked in the services (whatever screen or script
calls them): the facts a letter needs, correction told once, when a closed case ended, one fee
method, an outcome whose reply could never be issued."""

from datetime import date

import pytest

from desktop.services import cases
from desktop.services.base import ServiceError, ValidationFailed
from tests.helpers import person_form


def handling(registry, staff, received="2026-09-15"):
    case_id = cases.register_case(registry, staff["clerk"], person_form(received_on=received)).case_ids[0]
    on = date.fromisoformat(received)
    cases.fire(registry, staff["head"], case_id, "assign", on, {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], case_id, "sign_for", on)
    return case_id


def events(registry, case_id):
    return [r["type"] for r in cases.event_rows(registry, case_id)]


@pytest.mark.parametrize("payload, named", [
    ({"kind": "third_party"}, ["〔征求意见对象〕请填写征求意见对象", "〔理由〕请填写征求意见的理由"]),
    ({"kind": "agency", "party": "天津市财政局", "reason": "  "}, ["〔理由〕请填写征求意见的理由"]),
    ({"kind": "third_party", "party": "", "reason": "涉及商业秘密"}, ["〔征求意见对象〕请填写征求意见对象"]),
])
def test_a_consultation_needs_its_addressee_and_reason(registry, staff, payload, named):
    case_id = handling(registry, staff)
    before = events(registry, case_id)
    with pytest.raises(ValidationFailed) as refused:
        cases.fire(registry, staff["planner"], case_id, "consultation_start", date(2026, 9, 22), payload)
    assert [str(p) for p in refused.value.problems] == named
    assert events(registry, case_id) == before  # nothing recorded, no letter


def test_correction_is_told_once(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    cases.fire(registry, staff["clerk"], case_id, "correction_notice", date(2026, 9, 16), {"items": ["请写明文号"]})
    cases.fire(registry, staff["clerk"], case_id, "corrected", date(2026, 9, 18))
    with pytest.raises(ServiceError, match="补正应当一次性告知（条例第三十条）：本申请已于2026-09-16发出补正告知"):
        cases.fire(registry, staff["clerk"], case_id, "correction_notice", date(2026, 9, 21), {"items": ["再补"]})


def test_no_correction_ends_the_day_after_the_period_not_the_day_it_is_recorded(registry, staff):
    case_id = cases.register_case(registry, staff["clerk"], person_form(received_on="2025-12-15")).case_ids[0]
    cases.fire(registry, staff["clerk"], case_id, "correction_notice", date(2025, 12, 16),
               {"items": ["请写明文号"], "period_days": 10})
    # 10 WD after 2025-12-16 is 12-30; recorded only in January, the case ended on 12-31 (2025's report)
    cases.fire(registry, staff["clerk"], case_id, "abandoned", date(2026, 1, 12))
    row = cases.get_case(registry, case_id)
    assert (row["outcome"], row["concluded_on"]) == ("other_no_correction", "2025-12-31")


def test_unpaid_fee_ends_the_day_after_the_payment_period(registry, staff):
    case_id = handling(registry, staff)
    cases.fire(registry, staff["planner"], case_id, "fee_notice", date(2026, 9, 18),
               {"method": "per_page", "pages": 250, "applicant_received_on": "2026-09-21"})
    with pytest.raises(ServiceError, match="缴费期限到2026-10-26为止"):
        cases.fire(registry, staff["clerk"], case_id, "fee_unpaid", date(2026, 10, 26))
    cases.fire(registry, staff["clerk"], case_id, "fee_unpaid", date(2026, 11, 9))
    row = cases.get_case(registry, case_id)
    assert (row["outcome"], row["concluded_on"]) == ("other_fee_unpaid", "2026-10-27")


def test_one_fee_method_per_application_and_only_within_the_reply_period(registry, staff):
    for _ in range(10):
        cases.register_case(registry, staff["clerk"], person_form(received_on="2026-09-02"))
    case_id = handling(registry, staff)
    cases.fire(registry, staff["planner"], case_id, "fee_notice", date(2026, 9, 18), {"method": "per_application"})
    cases.fire(registry, staff["clerk"], case_id, "fee_paid", date(2026, 9, 21))
    with pytest.raises(ServiceError, match="本申请已按按件计收发出收费通知：一件申请只能选择一种计收方式"):
        cases.fire(registry, staff["planner"], case_id, "fee_notice", date(2026, 9, 22),
                   {"method": "per_page", "pages": 250})
    late = handling(registry, staff, received="2026-08-03")  # due 2026-08-31
    with pytest.raises(ServiceError, match="收费通知应当在答复期限内发出：本案答复期限为2026-08-31"):
        cases.fire(registry, staff["planner"], late, "fee_notice", date(2026, 9, 1), {"method": "per_page", "pages": 250})
    assert registry.conn.execute("SELECT count(*) FROM fee_notices").fetchone()[0] == 1


def test_an_extension_approved_after_the_original_due_date_is_flagged(registry, staff):
    case_id = handling(registry, staff, received="2026-08-03")  # due 2026-08-31
    cases.fire(registry, staff["planner"], case_id, "extension_request", date(2026, 8, 27), {"reason": "需要核查档案"})
    cases.fire(registry, staff["head"], case_id, "extension_approve", date(2026, 9, 1), {"days": 10})
    warnings = cases.case_view(registry, case_id).deadline.warnings
    assert any(w.startswith("延期批准晚于原答复期限（2026-08-31）") for w in warnings)
    assert not any(w.startswith("延期申请晚于") for w in warnings)  # the request itself was in time


def test_still_unclear_after_correction_needs_a_correction_first(registry, staff):
    case_id = handling(registry, staff)
    with pytest.raises(ValidationFailed, match="只能在发出补正告知、并收到补正后的申请之后选择"):
        cases.fire(registry, staff["planner"], case_id, "draft", date(2026, 9, 16), {"outcome": "unable_unclear"})
    with pytest.raises(ValidationFailed, match="不能作为答复的办理结果"):
        cases.fire(registry, staff["planner"], case_id, "draft", date(2026, 9, 16), {"outcome": "other_no_correction"})
    corrected = cases.register_case(registry, staff["clerk"], person_form()).case_ids[0]
    cases.fire(registry, staff["clerk"], corrected, "correction_notice", date(2026, 9, 16), {"items": ["请写明文号"]})
    cases.fire(registry, staff["clerk"], corrected, "corrected", date(2026, 9, 18))
    cases.fire(registry, staff["head"], corrected, "assign", date(2026, 9, 18), {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], corrected, "sign_for", date(2026, 9, 18))
    cases.fire(registry, staff["planner"], corrected, "draft", date(2026, 9, 21), {"outcome": "unable_unclear"})
    assert cases.facts_of(registry, corrected).outcome == "unable_unclear"
