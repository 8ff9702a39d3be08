"""What a reply's body repeats of what the letter adds itself (#17.5): found before submission."""

from datetime import date

import pytest

from desktop.domain import outcomes
from desktop.domain.draft_checks import citations, frame_phrases, repeated_in_body
from desktop.services import cases, draft_checks, letters
from desktop.services.demo import reply_details
from tests.helpers import person_form

FRAME = letters.default_template("reply")
REMEDY = ("如对本答复不服，可以自收到本答复之日起60日内向天津市人民政府申请行政复议，"
          "或者自收到本答复之日起6个月内向天津市和平区人民法院提起行政诉讼。")
GENERATED = ("经审查，您申请获取的政府信息属于可以公开的政府信息。根据《中华人民共和国政府信息公开条例》"
             "第三十六条第（二）项的规定，本机关向您提供该政府信息：随本答复书提供。")


def test_the_frames_own_phrases_are_its_opening_and_closing():
    assert frame_phrases(FRAME) == [("提出的政府信息公开申请（申请编号：", "开头"), ("现答复如下：", "开头"),
                                    ("如有疑问，请与本机关", "结尾")]


def test_a_body_as_the_template_gives_it_repeats_nothing():
    assert repeated_in_body(GENERATED, FRAME, GENERATED) == []


def test_a_remedy_clause_typed_into_the_body_is_found_however_it_is_worded():
    found = repeated_in_body(GENERATED + "\n\n" + REMEDY, FRAME, GENERATED)
    assert [(r.kind, r.excerpt) for r in found] == [("remedy", REMEDY)]
    assert found[0].message == ("正文中写了救济告知（“如对本答复不服，可以自收到本答复之日起60日内向天津市人民政……”）。"
                                "答复书会在正文之后自动加上救济告知，请删去这段，以免重复。")
    for worded in ("您可在收到本答复后六十日内依法申请行政复议。", "不服的，可以向和平区人民法院提起诉讼。",
                   "如不服本答复，可依法维权。"):
        assert [r.kind for r in repeated_in_body(GENERATED + worded, FRAME, GENERATED)] == ["remedy"], worded
    # a letter without a remedy clause of its own (an edited frame) does not count it as repeated
    assert repeated_in_body(GENERATED + REMEDY, FRAME.replace("{remedy_clause}", ""), GENERATED) == []


def test_a_second_citation_of_the_same_article_is_found_in_either_writing():
    body = GENERATED + "依据《政府信息公开条例》第三十六条第二项之规定，特此答复。"
    assert citations(body)["第三十六条第二项"] == 2
    found = repeated_in_body(body, FRAME, GENERATED)
    assert [(r.kind, r.excerpt) for r in found] == [("citation", "第三十六条第（二）项")]
    assert found[0].message == "正文中第三十六条第（二）项引用了2次（按模板只需1次），请删去重复的法律依据。"
    # as often as the template cites it is fine (部分公开 cites 第三十七条 twice)
    partial = "根据第三十七条的规定，提供可以公开的部分。对其余部分，根据第十五条和第三十七条的规定不予公开。"
    assert repeated_in_body(partial, FRAME, partial) == []
    assert repeated_in_body(partial + "依照第三十七条。", FRAME, partial)[0].excerpt == "第三十七条"


def test_the_opening_and_closing_typed_into_the_body_are_found():
    body = ("本机关于2026年9月15日收到您提出的政府信息公开申请（申请编号：2026-00001），现答复如下：\n\n" + GENERATED
            + "\n\n如有疑问，请与本机关政府信息公开工作办公室联系。")
    found = repeated_in_body(body, FRAME, GENERATED)
    assert [(r.kind, r.excerpt) for r in found] == [
        ("frame", "提出的政府信息公开申请（申请编号："), ("frame", "现答复如下："), ("frame", "如有疑问，请与本机关")]
    assert found[1].message == "正文中有“现答复如下：”，答复书的开头已经写有这句，请删去，以免重复。"


@pytest.fixture
def drafting(registry, office):
    case_id = cases.register_case(registry, office["clerk"], person_form()).case_ids[0]
    cases.fire(registry, office["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": office["planning_id"]})
    cases.fire(registry, office["planner"], case_id, "sign_for", date(2026, 9, 16))
    return case_id


def test_no_outcomes_template_body_is_flagged_against_the_templates_in_force(registry, drafting):
    for o in outcomes.CATALOGUE:
        details = reply_details(o.code)
        body = letters.decision_draft(registry, drafting, o.code, details)
        assert draft_checks.repetitions(registry, drafting, o.code, body, details) == [], o.code
        assert [r.kind for r in draft_checks.repetitions(registry, drafting, o.code, body + REMEDY, details)] == [
            "remedy"], o.code


def test_the_saved_draft_is_checked_with_its_outcome(registry, office, drafting):
    assert draft_checks.saved_draft_repetitions(registry, drafting) == []
    cases.fire(registry, office["planner"], drafting, "draft", date(2026, 10, 9),
               {"outcome": "disclose", "decision": GENERATED + REMEDY, **reply_details("disclose")})
    assert [r.kind for r in draft_checks.saved_draft_repetitions(registry, drafting)] == ["remedy"]
