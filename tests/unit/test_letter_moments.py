"""Letters issued after their moment, the dates they carry, the termination notice, the 送达回证 for
any letter, and the applicant addressed as an applicant (read back from the PDFs)."""

import shutil
from datetime import date

import pytest

from desktop.services import cases, handling, letters
from desktop.services.base import ServiceError
from tests.helpers import approved_case, flat, person_form

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def test_a_notice_carries_the_date_of_its_event_and_is_refused_once_its_moment_passed(registry, office):
    s = office
    case_id = cases.register_case(registry, s["clerk"], person_form(received_on="2026-09-15")).case_ids[0]
    # printed days later, the receipt is still dated the day the application was received
    receipt = letters.issue(registry, s["clerk"], case_id, "receipt", date(2026, 9, 25))
    assert flat(receipt.path).endswith("2026年9月15日")
    handling.act(registry, s["clerk"], case_id, "correction_notice", date(2026, 9, 17), {"items": ["请写明文号"]})
    correction = letters.latest(registry, case_id, "correction")
    assert correction["issued_on"] == "2026-09-17"
    cases.fire(registry, s["clerk"], case_id, "corrected", date(2026, 9, 21))
    with pytest.raises(ServiceError, match="已于2026-09-21收到补正后的申请，补正告知书已无须出具"):
        letters.issue(registry, s["clerk"], case_id, "correction")
    assert letters.verified_file(registry, correction).read_bytes().startswith(b"%PDF")  # the copy issued in time


def test_receipt_and_extension_notice_are_refused_after_the_reply(registry, office):
    s = office
    case_id = approved_case(registry, s, "disclose", received_on="2026-09-15")
    letters.issue_reply(registry, s["clerk"], case_id, date(2026, 10, 15))
    with pytest.raises(ServiceError, match="案件已经答复，不再出具登记回执"):
        letters.issue(registry, s["clerk"], case_id, "receipt")
    with pytest.raises(ServiceError, match="没有已批准的延期"):
        letters.issue(registry, s["clerk"], case_id, "extension")


def test_consultation_letters_are_refused_once_the_consultation_ended(registry, office):
    s = office
    case_id = cases.register_case(registry, s["clerk"], person_form()).case_ids[0]
    cases.fire(registry, s["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": s["planning_id"]})
    cases.fire(registry, s["planner"], case_id, "sign_for", date(2026, 9, 16))
    issued = handling.act(registry, s["planner"], case_id, "consultation_start", date(2026, 9, 22),
                          {"kind": "third_party", "party": "天津宏远建设工程有限公司", "reason": "涉及该公司的商业秘密"})
    assert [i.kind for i in issued] == ["consult_third_party", "consult_notice"]
    cases.fire(registry, s["planner"], case_id, "consultation_end", date(2026, 10, 9))
    for kind in ("consult_third_party", "consult_notice"):
        with pytest.raises(ServiceError, match="征求意见已于2026-10-09结束"):
            letters.issue(registry, s["clerk"], case_id, kind)


def test_a_case_ended_for_no_correction_gets_a_termination_notice_dated_when_it_ended(registry, office):
    s = office
    case_id = cases.register_case(registry, s["clerk"], person_form(received_on="2026-09-15")).case_ids[0]
    handling.act(registry, s["clerk"], case_id, "correction_notice", date(2026, 9, 16),
                 {"items": ["请写明文号"], "period_days": 10})
    issued = handling.act(registry, s["clerk"], case_id, "abandoned", date(2026, 10, 12))
    assert [i.kind for i in issued] == ["termination"]
    text = flat(issued[0].path)
    assert text.startswith("天津市民政局") and "政府信息公开申请终止办理告知书" in text[:60]
    assert "本机关已于2026年9月16日告知您对申请作出补正，您无正当理由逾期未补正" in text
    assert "第三十条" in text and text.endswith("2026年10月1日")  # the day after the period (09-30)
    assert "如对本告知书不服，可以自收到本告知书之日起60日内" in text and "本答复" not in text
    with pytest.raises(ServiceError, match="只有逾期不补正、逾期未缴费而终止办理的案件"):
        letters.issue(registry, s["clerk"], approved_case(registry, s, "disclose"), "termination")


def test_a_delivery_proof_for_the_letter_the_clerk_chooses(registry, office):
    s = office
    case_id = cases.register_case(registry, s["clerk"], person_form()).case_ids[0]
    handling.act(registry, s["clerk"], case_id, "correction_notice", date(2026, 9, 16), {"items": ["请写明文号"]})
    correction = letters.latest(registry, case_id, "correction")
    proof = flat(letters.issue(registry, s["clerk"], case_id, "delivery_proof", about=correction["id"]).path)
    assert "送达文书及文号" in proof and "补正申请告知书" in proof and correction["doc_no"] in proof
    receipt = letters.issue(registry, s["clerk"], case_id, "receipt")
    proof = flat(letters.issue(registry, s["clerk"], case_id, "delivery_proof", about=receipt.id).path)
    assert "政府信息公开申请登记回执" in proof and receipt.doc_no in proof
    with pytest.raises(ServiceError, match="所选文书不是本案已出具、需要送达的文书"):
        letters.issue(registry, s["clerk"], case_id, "delivery_proof", about=999)


@pytest.mark.parametrize("applicant_type, name, you", [("自然人", "王喆", "您"), ("商业企业", "天津宏远建设工程有限公司", "贵单位")])
def test_the_applicant_is_addressed_as_a_person_or_an_organisation(registry, office, applicant_type, name, you):
    case_id = cases.register_case(registry, office["clerk"], person_form(
        applicant_type=applicant_type, name=name, channel="平常信函", letter_arrived_on="2026-09-15",
        id_number="" if applicant_type != "自然人" else "11010519491231002X")).case_ids[0]
    text = flat(letters.issue(registry, office["clerk"], case_id, "receipt").path)
    assert f"收到{you}以平常信函方式提出" in text and "您（单位）" not in text
    # the receipt rule as the applicant reads it, without the office's own reminder
    assert f"以本机关与{you}确认之日为收到申请之日" in text and "应于收到当日确认" not in text


def test_document_numbers_are_written_as_gb_t_9704_says(registry, office):
    """津民公开〔2026〕12号, without 第; an office's own pattern is kept, an old default follows the program."""
    from desktop.services import agency

    case_id = cases.register_case(registry, office["clerk"], person_form()).case_ids[0]
    assert letters.issue(registry, office["clerk"], case_id, "receipt").doc_no == "津民公开收〔2026〕1号"
    registry.conn.execute("UPDATE agency_settings SET value = '{prefix}〔{year}〕第{seq}号' WHERE key = 'doc_no_reply'")
    registry.conn.execute("UPDATE agency_settings SET value = '{prefix}补字〔{year}〕第{seq}号'"
                          " WHERE key = 'doc_no_correction'")
    agency.ensure_defaults(registry)  # as at the next start
    settings = registry.settings()
    assert settings["doc_no_reply"] == "{prefix}〔{year}〕{seq}号"  # an old default, never edited
    assert settings["doc_no_correction"] == "{prefix}补字〔{year}〕第{seq}号"  # the office's own choice


def test_opening_a_registry_with_the_default_settings_writes_nothing(tmp_path):
    """The default document prefix is not an "old default": it was rewritten at every start (a
    transaction before the login dialog, and a change every other seat refreshed for)."""
    from desktop.services import agency
    from desktop.services.base import Registry

    reg = Registry.open(tmp_path / "r.db")
    try:
        agency.ensure_defaults(reg)
        assert reg.settings()["doc_no_prefix"] == agency.DEFAULT_SETTINGS["doc_no_prefix"]
        before = reg.conn.total_changes
        agency.ensure_defaults(reg)
        assert reg.conn.total_changes == before
    finally:
        reg.close()


def test_the_approval_form_lists_every_step_with_chinese_dates(registry, office):
    s = office
    case_id = cases.register_case(registry, s["clerk"], person_form(received_on="2026-09-15")).case_ids[0]
    handling.act(registry, s["clerk"], case_id, "correction_notice", date(2026, 9, 16), {"items": ["请写明文号"]})
    cases.fire(registry, s["clerk"], case_id, "corrected", date(2026, 9, 18))
    cases.fire(registry, s["head"], case_id, "assign", date(2026, 9, 18), {"lead_division_id": s["planning_id"]})
    cases.fire(registry, s["planner"], case_id, "sign_for", date(2026, 9, 18))
    handling.act(registry, s["planner"], case_id, "consultation_start", date(2026, 9, 22),
                 {"kind": "third_party", "party": "天津宏远建设工程有限公司", "reason": "涉及该公司的商业秘密"})
    cases.fire(registry, s["planner"], case_id, "consultation_end", date(2026, 10, 9))
    handling.act(registry, s["planner"], case_id, "fee_notice", date(2026, 10, 12), {"method": "per_page", "pages": 120})
    cases.fire(registry, s["clerk"], case_id, "fee_paid", date(2026, 10, 14))
    text = flat(letters.issue(registry, s["clerk"], case_id, "approval_form").path)
    for step in ("登记", "补正告知", "收到补正", "分办", "签收", "征求意见", "收费通知", "缴费"):
        assert step in text, step
    assert "补正期限至" in text and "缴费期限" in text
    import re
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no ISO dates on the form


def test_extension_and_fee_notices_are_refused_once_their_moment_passed(registry, office):
    s = office
    for _ in range(10):  # the 11th application this month is charged
        cases.register_case(registry, s["clerk"], person_form(received_on="2026-09-02"))
    case_id = cases.register_case(registry, s["clerk"], person_form(received_on="2026-09-15")).case_ids[0]
    cases.fire(registry, s["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": s["planning_id"]})
    cases.fire(registry, s["planner"], case_id, "sign_for", date(2026, 9, 16))
    handling.act(registry, s["planner"], case_id, "fee_notice", date(2026, 9, 17), {"method": "per_application"})
    cases.fire(registry, s["clerk"], case_id, "fee_paid", date(2026, 9, 21))
    with pytest.raises(ServiceError, match="信息处理费已经缴纳或已按逾期未缴费办结，不再出具收费通知书"):
        letters.issue(registry, s["clerk"], case_id, "fee_notice")
    cases.fire(registry, s["planner"], case_id, "extension_request", date(2026, 10, 12), {"reason": "需要核查档案"})
    extension = handling.act(registry, s["head"], case_id, "extension_approve", date(2026, 10, 13), {"days": 10})[0]
    assert flat(extension.path).endswith("2026年10月13日")  # dated the day it was approved
    from tests.helpers import reply_details
    cases.fire(registry, s["planner"], case_id, "draft", date(2026, 10, 20), {"outcome": "disclose", **reply_details("disclose")})
    cases.fire(registry, s["planner"], case_id, "submit_for_review", date(2026, 10, 20))
    cases.fire(registry, s["reviewer"], case_id, "review_approve", date(2026, 10, 21))
    cases.fire(registry, s["leader"], case_id, "leader_approve", date(2026, 10, 22))
    letters.issue_reply(registry, s["clerk"], case_id, date(2026, 10, 23))
    with pytest.raises(ServiceError, match="答复已经作出，不再出具延期答复告知书"):
        letters.issue(registry, s["clerk"], case_id, "extension")
