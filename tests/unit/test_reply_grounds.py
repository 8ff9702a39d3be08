"""A refusal's reason fits its ground: picked from the ground's own list (with its article), never
"法律、行政法规禁止公开（属于个人隐私…）"; the refused part of a partial disclosure cites its own article;
an agency that cannot be named is not named; the date of an earlier reply is a real date."""

import shutil
from datetime import date

import pytest

from desktop.domain import outcomes
from desktop.services import cases, letters
from desktop.services.base import ServiceError, ValidationFailed
from tests.helpers import flat, person_form

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def drafted(registry, s, outcome, **details):
    case_id = cases.register_case(registry, s["clerk"], person_form()).case_ids[0]
    cases.fire(registry, s["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": s["planning_id"]})
    cases.fire(registry, s["planner"], case_id, "sign_for", date(2026, 9, 16))
    cases.fire(registry, s["planner"], case_id, "draft", date(2026, 10, 9), {"outcome": outcome, **details})
    return case_id


def approve(registry, s, case_id):
    cases.fire(registry, s["planner"], case_id, "submit_for_review", date(2026, 10, 12))
    cases.fire(registry, s["reviewer"], case_id, "review_approve", date(2026, 10, 13))
    cases.fire(registry, s["leader"], case_id, "leader_approve", date(2026, 10, 14))
    return flat(letters.issue_reply(registry, s["clerk"], case_id, date(2026, 10, 15)).path)


def test_each_refusal_offers_only_its_own_grounds():
    assert [g.label for g in outcomes.grounds_for("withhold_third_party")] == ["涉及商业秘密", "涉及个人隐私"]
    assert [g.article for g in outcomes.grounds_for("withhold_internal")] == ["第十六条第一款"] * 3
    assert len(outcomes.grounds_for("partial")) == len(outcomes.GROUNDS)
    assert outcomes.grounds_for("disclose") == ()


def test_a_ground_from_another_refusal_is_refused(registry, office):
    with pytest.raises(ValidationFailed, match="〔不予公开的依据〕应从本办理结果的依据中选择：法律、行政法规禁止公开"):
        drafted(registry, office, "withhold_law", refusal_ground="privacy", refusal_reason="属于个人隐私")


def test_law_prohibited_names_the_law_and_nothing_else(registry, office):
    case_id = drafted(registry, office, "withhold_law", refusal_reason="")
    with pytest.raises(ServiceError, match="法律、行政法规禁止公开的，写明是哪部法律、行政法规的哪一条"):
        cases.fire(registry, office["planner"], case_id, "submit_for_review", date(2026, 10, 12))
    cases.fire(registry, office["planner"], case_id, "draft", date(2026, 10, 9),
               {"refusal_reason": "《中华人民共和国统计法》第三十九条"})
    text = approve(registry, office, case_id)
    assert "属于法律、行政法规禁止公开的政府信息（《中华人民共和国统计法》第三十九条）" in text
    assert "《中华人民共和国政府信息公开条例》第十四条、第三十六条第（三）项" in text


def test_third_party_refusal_states_its_ground(registry, office):
    text = approve(registry, office, drafted(registry, office, "withhold_third_party", refusal_ground="trade_secret",
                                             refusal_reason="该合同载有供应商的报价和技术方案"))
    assert "涉及商业秘密，公开会对第三方合法权益造成损害：该合同载有供应商的报价和技术方案" in text
    assert "第十五条、第三十六条第（三）项" in text and "个人隐私" not in text


def test_partial_disclosure_cites_the_refused_parts_own_article(registry, office):
    text = approve(registry, office, drafted(
        registry, office, "partial", released_part="补贴发放汇总表", refused_part="领取人的身份证号码和银行账号",
        refusal_ground="privacy"))
    assert "根据《中华人民共和国政府信息公开条例》第三十七条的规定，本机关向您提供可以公开的部分：补贴发放汇总表" in text
    assert ("对其中领取人的身份证号码和银行账号，因该部分信息涉及个人隐私，公开会对第三方合法权益造成损害，根据"
            "《中华人民共和国政府信息公开条例》第十五条和第三十七条的规定，本机关决定不予公开") in text


def test_not_responsible_names_the_agency_only_when_it_is_known(registry, office):
    known = approve(registry, office, drafted(registry, office, "unable_not_responsible",
                                              responsible_agency="天津市财政局", responsible_contact="022-23001234"))
    assert "该政府信息由天津市财政局负责公开，联系方式：022-23001234。" in known
    unknown = approve(registry, office, drafted(registry, office, "unable_not_responsible"))
    assert "第三十六条第（五）项" in unknown and "无法确定负责公开该政府信息的行政机关" in unknown
    assert "负责公开，联系方式" not in unknown


def test_the_earlier_reply_is_a_date_not_after_the_letter(registry, office):
    with pytest.raises(ValidationFailed, match="〔此前答复的日期〕应为不晚于2026-10-09的日期"):
        drafted(registry, office, "decline_repeat", previous_reply_date="2026-10-20")
    with pytest.raises(ValidationFailed, match="〔此前答复的日期〕"):
        drafted(registry, office, "decline_repeat", previous_reply_date="上个月")
    text = approve(registry, office, drafted(registry, office, "decline_repeat", previous_reply_date="2026-03-02"))
    assert "本机关已于2026年3月2日就您提出的相同政府信息公开申请作出答复" in text



def test_the_approval_form_names_the_refused_parts_article_too(registry, office):
    case_id = drafted(registry, office, "partial", released_part="汇总表", refused_part="身份证号码",
                      refusal_ground="privacy")
    text = flat(letters.issue(registry, office["clerk"], case_id, "approval_form").path)
    # (the label of the row sits beside the value's wrapped lines: read the value without it)
    assert "《中华人民共和国政府信息公开条例》第十五条、第三十七条" in text.replace("法律依据", "")


def test_one_citation_per_outcome_on_every_screen_and_letter():
    """The legal basis is assembled in one place (Outcome.citation): never 《条例》《…办法》, never a bare 《条例》."""
    from desktop.domain import outcomes

    fee = outcomes.BY_CODE["other_fee_unpaid"]
    assert fee.citation == "《政府信息公开信息处理费管理办法》" and "《条例》" not in fee.citation
    assert outcomes.BY_CODE["disclose"].citation == "《中华人民共和国政府信息公开条例》第三十六条第（二）项"
    for code in ("other", "decline_confirmation"):
        o = outcomes.BY_CODE[code]
        assert o.citation == "" and o.reply_citation == outcomes.REGULATION
