"""Letters generated for sample cases and read back: text, numbers, citations, remedy clause, fonts."""

import re
import shutil
from datetime import date

import pytest

from desktop.domain import outcomes
from desktop.services import agency, cases, letters
from desktop.services.base import ServiceError, ValidationFailed
from tests.helpers import approved_case, flat, pdf_fonts, pdf_text, person_form

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


CLOSING = "，。、；：？！”）》"


def check_layout(path):
    text = pdf_text(path)
    for line in text.splitlines():
        stripped = line.strip()
        assert not stripped or stripped[0] not in CLOSING, f"line starts with closing punctuation: {stripped}"
    fonts = pdf_fonts(path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # every font embedded
    return text


REPLY_OUTCOMES = [o.code for o in outcomes.CATALOGUE if o.code not in ("other_no_correction", "other_fee_unpaid", "other")]


@pytest.mark.parametrize("code", REPLY_OUTCOMES)
def test_reply_for_each_outcome_cites_its_articles_and_the_right_remedy(registry, office, code):
    outcome = outcomes.get(code)
    case_id = approved_case(registry, office, code)
    issued = letters.issue(registry, office["clerk"], case_id, "reply", date(2026, 10, 15))
    assert issued.doc_no == "津民公开〔2026〕1号"
    check_layout(issued.path)
    text = flat(issued.path)
    assert "政府信息公开申请答复书" in text and "津民公开〔2026〕1号" in text
    assert "王喆堃：" in text and "2026年9月15日" in text and "2026年10月15日" in text
    if outcome.basis:
        assert f"《中华人民共和国政府信息公开条例》{outcome.basis}" in text
    if code == "partial":
        assert "如对本答复中不予公开的部分不服" in text and "应当先自收到本答复之日起60日内向天津市人民政府申请行政复议" in text
        assert "如对本答复的其他内容不服" in text and "6个月内向天津市和平区人民法院提起行政诉讼" in text
        assert "涉及个人姓名、身份证号码和银行账号的内容" in text and "相关文件中不涉及个人信息的部分" in text
    elif outcome.refusal:
        assert "对不予公开的决定应当先申请行政复议" in text and "6个月内" not in text
    else:
        assert ("可以自收到本答复之日起60日内向天津市人民政府申请行政复议，或者自收到本答复之日起6个月内向"
                "天津市和平区人民法院提起行政诉讼") in text
        assert "应当先申请行政复议" not in text
    if code == "unable_unclear":
        assert "本机关已于2026年9月15日告知您对申请作出补正" in text and "您于2026年9月16日补正了申请" in text
    if code == "unable_not_responsible":
        assert "天津市财政局" in text and "022-23001234" in text
    row = cases.get_case(registry, case_id)
    assert (row["state"], row["outcome"], row["concluded_on"]) == ("replied", code, "2026-10-15")


def test_every_kind_for_a_sample_case(registry, office, tmp_path):
    s = office
    case_id = cases.register_case(registry, s["clerk"], person_form(name="李镕彧", channel="邮寄")).case_ids[0]
    receipt = letters.issue(registry, s["clerk"], case_id, "receipt", date(2026, 9, 15))
    text = flat(check_layout(receipt.path) and receipt.path)
    assert receipt.doc_no == "津民公开收〔2026〕1号"
    assert "李镕彧：" in text and "以邮寄方式" in text and "以本机关签收之日为收到申请之日" in text
    assert "于2026年10月19日前作出答复" in text and "申请编号为2026-00001" in text

    cases.fire(registry, s["clerk"], case_id, "correction_notice", date(2026, 9, 17),
               {"items": ["请写明所需信息的文号或者名称", "请说明信息所属年度"], "period_days": 10})
    correction = letters.issue(registry, s["clerk"], case_id, "correction", date(2026, 9, 17))
    text = flat(correction.path)
    assert "1.请写明所需信息的文号或者名称" in text and "2.请说明信息所属年度" in text
    # a period "from receipt" is stated as such: the post may take days a fixed date would lose
    assert "自收到本告知书之日起10个工作日内" in text and "2026年10月8日前" not in text and "视为放弃申请" in text
    assert "答复期限自本机关收到补正的申请之日起重新计算" in text

    cases.fire(registry, s["clerk"], case_id, "corrected", date(2026, 9, 21))
    cases.fire(registry, s["head"], case_id, "assign", date(2026, 9, 22), {"lead_division_id": s["planning_id"]})
    cases.fire(registry, s["planner"], case_id, "sign_for", date(2026, 9, 22))
    cases.fire(registry, s["planner"], case_id, "consultation_start", date(2026, 9, 23),
               {"kind": "third_party", "party": "天津宏远建设工程有限公司", "reason": "涉及该公司的商业秘密"})
    third = flat(letters.issue(registry, s["planner"], case_id, "consult_third_party", date(2026, 9, 23)).path)
    assert "天津宏远建设工程有限公司：" in third and "第三十二条" in third and "15个工作日内" in third
    notice = flat(letters.issue(registry, s["planner"], case_id, "consult_notice", date(2026, 9, 23)).path)
    assert "涉及第三方合法权益" in notice and "第三十三条第三款" in notice and "2026年9月23日" in notice
    with pytest.raises(ServiceError, match="没有征求其他机关意见的记录"):
        letters.issue(registry, s["planner"], case_id, "consult_agency")
    cases.fire(registry, s["planner"], case_id, "consultation_end", date(2026, 10, 12))
    cases.fire(registry, s["planner"], case_id, "extension_request", date(2026, 10, 13), {"reason": "需要调取历年档案"})
    cases.fire(registry, s["head"], case_id, "extension_approve", date(2026, 10, 14), {"days": 15})
    ext = flat(letters.issue(registry, s["clerk"], case_id, "extension", date(2026, 10, 14)).path)
    assert "因需要调取历年档案" in ext and "延长15个工作日" in ext and "第三十三条第二款" in ext
    due = cases.deadline_of(registry, case_id).due_on
    assert f"于{due.year}年{due.month}月{due.day}日前作出答复" in ext

    cases.fire(registry, s["planner"], case_id, "fee_notice", date(2026, 10, 15), {"method": "per_page", "pages": 250})
    fee = flat(letters.issue(registry, s["clerk"], case_id, "fee_notice", date(2026, 10, 15)).path)
    assert "按量计收（共250页）" in fee and "人民币4700元" in fee
    # the whole calculation, tier by tier, so the applicant can check it
    for line in ("第1至30页：免费", "第31至100页：70页×10元＝700元", "第101至200页：100页×20元＝2000元",
                 "第201至250页：50页×40元＝2000元", "合计：4700元"):
        assert line in fee, line
    assert "20个工作日内" in fee and "不再处理" in fee

    form = letters.issue(registry, s["clerk"], case_id, "approval_form")
    form_text = flat(form.path)
    assert form.doc_no is None
    assert "政府信息公开申请办理呈批单" in form_text and "请规划处办理。" in form_text and "批准延期" in form_text
    with pytest.raises(ServiceError, match="答复须经领导签发后才能出具"):
        letters.issue(registry, s["clerk"], case_id, "reply")


def test_rare_name_characters_survive_and_missing_glyphs_are_reported(registry, office):
    case_id = approved_case(registry, office, "disclose", name="喆堃镕彧")
    issued = letters.issue(registry, office["clerk"], case_id, "reply", date(2026, 10, 15))
    assert "喆堃镕彧：" in flat(issued.path)
    other = approved_case(registry, office, "disclose", name="王\U00030000")  # a CJK Ext-G character
    with pytest.raises(ServiceError, match="没有可用的字形.*\U00030000"):
        letters.issue(registry, office["clerk"], other, "reply", date(2026, 10, 15))
    assert letters.latest(registry, other, "reply") is None
    assert cases.get_case(registry, other)["state"] == "approved"  # all or nothing: the reply was not issued


def test_an_edited_template_changes_the_output_and_reset_restores_it(registry, office):
    key = "reply:disclose"
    default, version = letters.template(registry, key)
    assert version == 0
    letters.save_template(registry, office["admin"], key, default + "\n\n请妥善使用所获取的信息。")
    case_a = approved_case(registry, office, "disclose")
    text = flat(letters.issue(registry, office["clerk"], case_a, "reply", date(2026, 10, 15)).path)
    assert "请妥善使用所获取的信息。" in text
    letters.save_template(registry, office["admin"], key, None)
    assert letters.template(registry, key) == (default, 2)
    case_b = approved_case(registry, office, "disclose")
    assert "请妥善使用所获取的信息" not in flat(letters.issue(registry, office["clerk"], case_b, "reply",
                                                           date(2026, 10, 15)).path)
    with pytest.raises(ValidationFailed, match=r"不认识的占位符：\{applicant_nmae\}"):
        letters.save_template(registry, office["admin"], key, "{applicant_nmae}：")
    with pytest.raises(ValidationFailed, match="花括号不配对"):
        letters.save_template(registry, office["admin"], key, "{applicant_name：")
    from desktop.services.base import PermissionDenied
    with pytest.raises(PermissionDenied):
        letters.save_template(registry, office["clerk"], key, default)


def test_issued_letter_is_kept_and_reissue_makes_a_new_version(registry, office):
    case_id = cases.register_case(registry, office["clerk"], person_form()).case_ids[0]
    first = letters.issue(registry, office["clerk"], case_id, "receipt", date(2026, 9, 15))
    original = first.path.read_bytes()
    agency.update_settings(registry, office["admin"], {"contact_phone": "022-88888888"})
    assert first.path.read_bytes() == original  # never silently regenerated
    second = letters.issue(registry, office["clerk"], case_id, "receipt")
    assert (second.version, second.doc_no) == (2, first.doc_no) and second.path != first.path
    assert "022-88888888" in flat(second.path) and "022-88888888" not in flat(first.path)
    timeline = [e.details for e in cases.case_view(registry, case_id).timeline if e.action == "出具文书"]
    assert timeline == ["政府信息公开申请登记回执 津民公开收〔2026〕1号",
                        "政府信息公开申请登记回执 津民公开收〔2026〕1号（第2版，重新出具）"]
    first.path.write_bytes(original + b"tampered")  # this PC's copy: written out again from the database
    assert letters.verified_file(registry, letters.get(registry, first.id)).read_bytes() == original
    registry.conn.execute("UPDATE file_contents SET content = ? WHERE sha256 = ?", (original + b"x", first.sha256))
    with pytest.raises(ServiceError, match="被改动过"):
        letters.verified_file(registry, letters.get(registry, first.id))


def test_delivery_with_tracking_number_and_signed_proof(registry, office, tmp_path):
    case_id = approved_case(registry, office, "disclose")
    reply = letters.issue(registry, office["clerk"], case_id, "reply", date(2026, 10, 15))
    with pytest.raises(ValidationFailed, match="邮寄送达须填写邮件号"):
        letters.record_delivery(registry, office["clerk"], reply.id, "邮寄", date(2026, 10, 16))
    scan = tmp_path / "回证.jpg"
    scan.write_bytes(b"\xff\xd8\xff signed proof")
    letters.record_delivery(registry, office["clerk"], reply.id, "邮寄", date(2026, 10, 19), "EMS1234567890CN", scan)
    row = cases.get_case(registry, case_id)
    assert row["state"] == "delivered"
    proof = flat(letters.issue(registry, office["clerk"], case_id, "delivery_proof").path)
    assert "送达文书及文号" in proof and "政府信息公开申请答复书" in proof and "津民公开〔2026〕1号" in proof
    for row in ("代收人及代收理由", "见证人", "送达机关（盖章）"):
        assert row in proof
    assert "邮寄（邮件号：EMS1234567890CN）" in proof and "2026年10月19日" in proof
    kinds = [a.kind for a in __import__("desktop.services.attachments", fromlist=["x"]).for_case(registry, case_id)]
    assert kinds == ["delivery_proof"]


def test_multi_page_letters_are_numbered(registry, office):
    long_text = "；".join(f"第{i}项：关于养老服务设施建设补助资金分配和使用情况的相关文件" for i in range(1, 40))
    case_id = cases.register_case(registry, office["clerk"], person_form(request_text=long_text)).case_ids[0]
    text = pdf_text(letters.issue(registry, office["clerk"], case_id, "receipt").path)
    assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*2\s*—", text)
    short = cases.register_case(registry, office["clerk"], person_form()).case_ids[0]
    assert "—" not in pdf_text(letters.issue(registry, office["clerk"], short, "receipt").path)


def test_an_issued_letter_opens_under_its_title_and_number_not_a_storage_key(registry, office):
    s = office
    case_id = cases.register_case(registry, s["clerk"], person_form()).case_ids[0]
    receipt = letters.issue(registry, s["clerk"], case_id, "receipt")
    opened = letters.verified_file(registry, letters.get(registry, receipt.id))
    assert opened.name == f"政府信息公开申请登记回执 {receipt.doc_no}.pdf"
    assert not any(c.isascii() and c.isalpha() for c in opened.stem)  # no receipt-v1-… in the viewer's title
