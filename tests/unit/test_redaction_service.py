"""去标识化 on a case: 拟公开材料 marked, boxes proposed from the names on the case, the released version
stored with its log in the timeline, refused when its check fails, named in the 部分公开 reply, packed
with the reply and named in the delivery record."""

import json
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest

from desktop.documents import redaction as engine
from desktop.services import attachments, cases, letters, redaction
from desktop.services.base import PermissionDenied, ServiceError, ValidationFailed
from desktop.services.demo import reply_details
from tests.helpers import flat, person_form

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

ID_NUMBER, PHONE, NAME, THIRD = "11010519491231002X", "13812345678", "王喆", "李秀英"


def make_pdf(path: Path, pages: int = 2, lines=None) -> Path:
    """A PDF with a text layer carrying personal data on every page (the bundled CJK font)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from desktop.documents.fonts import bundled_font_file

    if "RedactTest" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("RedactTest", str(bundled_font_file())))
    lines = lines or ["2025年度养老机构补贴发放明细", f"领取人：{NAME}　身份证号：{ID_NUMBER}",
                      f"联系电话：{PHONE}", f"合作单位联系人：{THIRD}", "补贴金额：3000元"]
    c = canvas.Canvas(str(path))
    for p in range(pages):
        c.setFont("RedactTest", 12)
        y = 780
        for line in [*lines, f"第{p + 1}页"]:
            c.drawString(72, y, line)
            y -= 24
        c.showPage()
    c.save()
    return path


def handling_case(registry, staff, **form):
    case_id = cases.register_case(registry, staff["clerk"], person_form(name=NAME, **form)).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 9, 16))
    return case_id


def release_material(registry, staff, case_id, tmp_path, pages=2, name="补贴明细.pdf"):
    a = attachments.add(registry, staff["planner"], case_id, make_pdf(tmp_path / name, pages), "other")
    redaction.mark_for_release(registry, staff["planner"], a.id)
    return attachments.get(registry, a.id)


def event_payloads(registry, case_id, type_):
    return [json.loads(e["payload"]) for e in cases.event_rows(registry, case_id) if e["type"] == type_]


@needs_poppler
def test_proposals_release_and_the_redaction_log_in_the_timeline(registry, staff, tmp_path):
    case_id = handling_case(registry, staff)
    cases.fire(registry, staff["planner"], case_id, "consultation_start", date(2026, 9, 20),
               {"kind": "third_party", "party": THIRD, "reason": "涉及其个人信息"})
    a = release_material(registry, staff, case_id, tmp_path)
    assert a.kind == "release" and a.kind_label == "拟公开的材料"
    assert [p["file_name"] for p in event_payloads(registry, case_id, "mark_release")] == ["补贴明细.pdf"]

    assert {NAME, THIRD} <= set(redaction.names_on_case(registry, case_id))
    seen = []
    proposals = redaction.propose_boxes(registry, a.id, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)] and proposals.complete and proposals.text_pages == (0, 1)
    found = {(b.page, b.kind, b.value) for b in proposals.boxes}
    for page in (0, 1):
        assert {(page, "id_number", ID_NUMBER), (page, "phone", PHONE), (page, "name", NAME),
                (page, "name", THIRD)} <= found

    # the officer keeps the proposals, marks the third party's name a business secret, draws one more box
    boxes = [engine.Box(b.page, b.x0, b.y0, b.x1, b.y1, "commercial" if b.value == THIRD else "privacy",
                        b.kind, b.value, b.source) for b in proposals.boxes]
    boxes.append(engine.Box(1, 72, 150, 200, 170, category="other", kind="manual", source="manual"))
    version = cases.get_case(registry, case_id)["version"]
    made = redaction.generate_release(registry, staff["planner"], a.id, boxes, expected_version=version)

    released = made.attachment
    assert released.kind == "released" and released.kind_label == "公开版"
    assert released.file_name == "补贴明细（公开版）.pdf" and not released.missing
    path = attachments.local_copy(registry, released)
    text = flat(path)
    for value in (ID_NUMBER, PHONE, NAME, THIRD, "养老机构"):  # image only: no text at all
        assert value not in text
    assert subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout.count("Pages:           2")
    assert attachments.get(registry, a.id).sha256 == a.sha256  # the original stays as it was

    log = event_payloads(registry, case_id, "redact")[-1]
    assert log["by"] == staff["planner"].name and log["original_attachment_id"] == a.id
    assert log["original_sha256"] == a.sha256 and log["released_sha256"] == released.sha256
    assert log["released_attachment_id"] == released.id and log["pages"] == 2
    per_page = len([b for b in proposals.boxes if b.page == 0])
    assert log["counts"] == {"1": {"privacy": per_page - 1, "commercial": 1},
                             "2": {"privacy": per_page - 1, "commercial": 1, "other": 1}}
    assert len(log["boxes"]) == len(boxes) and all("value" not in b for b in log["boxes"])
    assert ID_NUMBER not in json.dumps(log, ensure_ascii=False)  # the log never keeps what was covered
    assert made.redaction.totals == {"privacy": 2 * (per_page - 1), "commercial": 2, "other": 1}

    timeline = cases.case_view(registry, case_id).timeline
    assert [e.action for e in timeline[-2:]] == ["添加附件", "去标识化"]
    entry = timeline[-1]
    assert entry.action == "去标识化" and entry.actor == staff["planner"].name
    assert "共2页" in entry.details and f"个人隐私{2 * (per_page - 1)}处" in entry.details
    assert "商业秘密2处" in entry.details and "第2页" in entry.details
    # the stored file is what the attach event recorded: the integrity check of files holds
    from db.queries import files as files_q

    assert files_q.changed_or_missing(registry.conn) == []
    assert redaction.redaction_of(registry, released.id).released_id == released.id
    assert redaction.redaction_of(registry, a.id).original_id == a.id


def test_a_release_whose_check_fails_is_refused_and_nothing_is_kept(registry, staff, tmp_path, monkeypatch):
    case_id = handling_case(registry, staff)
    a = release_material(registry, staff, case_id, tmp_path)
    boxes = redaction.propose_boxes(registry, a.id).boxes
    monkeypatch.setattr(engine, "check_release", lambda path, values, *args, **kwargs: [
        engine.Leak(0, "privacy", "id_number", "文本")])
    before = (cases.get_case(registry, case_id)["version"], len(attachments.for_case(registry, case_id)))
    with pytest.raises(ServiceError, match="未通过检查") as refused:
        redaction.generate_release(registry, staff["planner"], a.id, boxes)
    assert "第1页 〔个人隐私·身份证号〕仍可读出（文本）" in str(refused.value)
    assert (cases.get_case(registry, case_id)["version"], len(attachments.for_case(registry, case_id))) == before
    assert event_payloads(registry, case_id, "redact") == []


def test_who_may_redact_and_when(registry, staff, tmp_path):
    case_id = handling_case(registry, staff)
    a = release_material(registry, staff, case_id, tmp_path, pages=1)
    box = [engine.Box(0, 72, 60, 200, 90, category="privacy")]
    with pytest.raises(ServiceError, match="只能由"):
        redaction.generate_release(registry, staff["reviewer"], a.id, box)
    with pytest.raises(PermissionDenied, match="不属于您所在处室"):
        redaction.generate_release(registry, staff["social"], a.id, box)
    with pytest.raises(ServiceError, match="已被他人修改"):
        redaction.generate_release(registry, staff["planner"], a.id, box, expected_version=1)
    assert redaction.may_redact(registry, staff["clerk"], case_id)
    cases.fire(registry, staff["planner"], case_id, "draft", None, {"outcome": "partial", **reply_details("partial")})
    cases.fire(registry, staff["planner"], case_id, "submit_for_review")
    with pytest.raises(ServiceError, match="待审核"):
        redaction.generate_release(registry, staff["planner"], a.id, box)
    assert event_payloads(registry, case_id, "redact") == []


def test_boxes_are_checked_before_anything_is_rendered(registry, staff, tmp_path):
    case_id = handling_case(registry, staff)
    a = release_material(registry, staff, case_id, tmp_path, pages=1)
    with pytest.raises(ValidationFailed) as refused:
        redaction.generate_release(registry, staff["planner"], a.id, [
            engine.Box(3, 10, 10, 50, 50), engine.Box(0, 10, 10, 50, 50, category="secret"),
            engine.Box(0, 900, 900, 950, 950)])
    assert refused.value.problems == ["〔遮盖框〕第1个框在第4页，文件只有1页",
                                      "〔遮盖框〕第2个框的理由类别“secret”无效，应为个人隐私、商业秘密、其他之一",
                                      "〔遮盖框〕第1页有一个框过小或在页面之外"]
    with pytest.raises(ServiceError, match="不是拟公开的材料"):
        other = attachments.add(registry, staff["planner"], case_id, make_pdf(tmp_path / "x.pdf", 1), "other")
        redaction.generate_release(registry, staff["planner"], other.id, [])


def test_only_pdfs_and_scans_are_marked_and_damaged_or_encrypted_files_get_a_clear_message(registry, staff, tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    case_id = handling_case(registry, staff)
    note = tmp_path / "说明.txt"
    note.write_text("申请人王喆的说明", encoding="utf-8")
    text_file = attachments.add(registry, staff["planner"], case_id, note, "other")
    with pytest.raises(ValidationFailed, match="不是PDF或JPG、PNG、TIFF扫描件"):
        redaction.mark_for_release(registry, staff["planner"], text_file.id)
    with pytest.raises(ServiceError, match="只能由“去标识化”生成"):
        attachments.add(registry, staff["planner"], case_id, note, "released")

    damaged = tmp_path / "坏.pdf"
    damaged.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200)
    locked = tmp_path / "加密.pdf"
    c = canvas.Canvas(str(locked), encrypt=StandardEncryption("user-pw", "owner-pw"))
    c.drawString(72, 720, "secret")
    c.save()
    for path, message in ((damaged, "已损坏"), (locked, "已加密")):
        a = attachments.add(registry, staff["planner"], case_id, path, "release")
        with pytest.raises(ServiceError, match=message) as refused:
            redaction.propose_boxes(registry, a.id)
        assert str(refused.value).startswith(f"“{path.name}”：")


def test_a_scan_is_read_with_ocr_and_released_as_a_pdf(registry, staff, tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    from desktop.documents.fonts import bundled_font_file

    scan = Image.new("RGB", (1240, 900), "white")
    draw = ImageDraw.Draw(scan)
    font = ImageFont.truetype(str(bundled_font_file()), 40)
    draw.text((80, 100), "补贴发放名单", fill="black", font=font)
    draw.text((80, 220), f"联系电话：{PHONE}", fill="black", font=font)
    scan.save(tmp_path / "扫描件.png", dpi=(150, 150))
    case_id = handling_case(registry, staff)
    a = attachments.add(registry, staff["planner"], case_id, tmp_path / "扫描件.png", "application_scan")
    redaction.mark_for_release(registry, staff["planner"], a.id)
    proposals = redaction.propose_boxes(registry, a.id)
    assert proposals.text_pages == () and proposals.page_count == 1
    phone = [b for b in proposals.boxes if b.kind == "phone"]
    assert phone and phone[0].source == "ocr" and phone[0].value == PHONE
    made = redaction.generate_release(registry, staff["planner"], a.id, proposals.boxes)
    assert made.attachment.file_name == "扫描件（公开版）.pdf"
    assert attachments.local_copy(registry, made.attachment).read_bytes().startswith(b"%PDF-")


def test_long_documents_report_progress_and_stop_when_cancelled(registry, staff, tmp_path):
    case_id = handling_case(registry, staff)
    a = release_material(registry, staff, case_id, tmp_path, pages=12)
    seen = []
    partial = redaction.propose_boxes(registry, a.id, progress=lambda done, total: seen.append(done),
                                      cancelled=lambda: len(seen) >= 3)
    assert partial.pages_read == 3 and not partial.complete and {b.page for b in partial.boxes} == {0, 1, 2}
    pages = []
    with pytest.raises(ServiceError, match="已取消"):
        redaction.generate_release(registry, staff["planner"], a.id, partial.boxes,
                                   progress=lambda done, total: pages.append(done), cancelled=lambda: len(pages) >= 4)
    assert pages == [1, 2, 3, 4] and event_payloads(registry, case_id, "redact") == []
    assert [x.kind for x in attachments.for_case(registry, case_id)] == ["release"]


def redacted_partial_case(registry, staff, tmp_path, categories=("privacy", "commercial")):
    case_id = handling_case(registry, staff)
    a = release_material(registry, staff, case_id, tmp_path, pages=1)
    boxes = [b for b in redaction.propose_boxes(registry, a.id).boxes if b.kind in ("id_number", "name")]
    boxes = [engine.Box(b.page, b.x0, b.y0, b.x1, b.y1, categories[i % len(categories)], b.kind, b.value, b.source)
             for i, b in enumerate(boxes)]
    made = redaction.generate_release(registry, staff["planner"], a.id, boxes)
    cases.fire(registry, staff["planner"], case_id, "draft", None, {"outcome": "partial", **reply_details("partial")})
    return case_id, made


@needs_poppler
def test_the_partial_reply_names_the_released_documents_and_the_grounds_of_their_boxes(registry, office, tmp_path):
    case_id, made = redacted_partial_case(registry, office, tmp_path)
    letter = letters.compose(registry, case_id, "reply", draft=True)
    text = "".join(letter.paragraphs)
    totals = made.redaction.totals
    assert set(totals) == {"privacy", "commercial"}
    assert "相关文件中不涉及个人信息的部分（见随本答复书提供的公开版材料《补贴明细（公开版）》（共1页））" in text
    assert (f"涉及个人姓名、身份证号码和银行账号的内容（已在公开版材料中遮盖：个人隐私{totals['privacy']}处、"
            f"商业秘密{totals['commercial']}处）") in text
    assert "因该部分信息涉及个人隐私、商业秘密，公开会对第三方合法权益造成损害：该部分载有个人的姓名、身份证号码和银行账号" in text
    assert "根据《中华人民共和国政府信息公开条例》第十五条和第三十七条的规定" in text
    assert letter.paragraphs[-1] == "附件：1.补贴明细（公开版）（共1页）"
    # the prefilled decision the drafter edits says the same
    drafted = letters.decision_draft(registry, case_id, "partial", {"refused_part": "相关人员的个人信息"})
    assert "相关人员的个人信息（已在公开版材料中遮盖" in drafted and "涉及个人隐私、商业秘密" in drafted


def test_boxes_of_the_category_other_keep_the_ground_the_drafter_chose(registry, office, tmp_path):
    case_id, _made = redacted_partial_case(registry, office, tmp_path, categories=("other",))
    cases.fire(registry, office["planner"], case_id, "draft", None, {"refusal_ground": "process"})
    text = "".join(letters.compose(registry, case_id, "reply", draft=True).paragraphs)
    assert "过程性信息" in text and "第十六条第二款和第三十七条" in text and "其他不予公开的内容" in text


def test_a_reply_without_released_versions_is_unchanged(registry, office):
    from tests.helpers import approved_case

    case_id = approved_case(registry, office, "partial")
    text = "".join(letters.compose(registry, case_id, "reply", draft=True).paragraphs)
    assert "公开版" not in text and "附件：" not in text


@needs_poppler
def test_the_release_package_and_the_delivery_record_name_what_was_sent(registry, office, tmp_path):
    import pypdfium2 as pdfium

    case_id, made = redacted_partial_case(registry, office, tmp_path)
    with pytest.raises(ServiceError, match="答复书尚未出具"):
        redaction.package(registry, case_id, tmp_path / "包.pdf")
    cases.fire(registry, office["planner"], case_id, "submit_for_review")
    cases.fire(registry, office["reviewer"], case_id, "review_approve")
    cases.fire(registry, office["leader"], case_id, "leader_approve")
    reply = letters.issue_reply(registry, office["clerk"], case_id)

    pack = redaction.package(registry, case_id, tmp_path / "公开材料包")
    assert pack.pdf == tmp_path / "公开材料包.pdf" and pack.zip == tmp_path / "公开材料包.zip"
    reply_pages = len(pdfium.PdfDocument(str(reply.path)))
    assert [(name, pages) for name, _sha, pages in pack.items] == [
        (f"政府信息公开申请答复书{reply.doc_no}.pdf", reply_pages), ("补贴明细（公开版）.pdf", 1)]
    assert len(pdfium.PdfDocument(str(pack.pdf))) == reply_pages + 1
    assert "政府信息公开申请答复书" in flat(pack.pdf) and "附件：1.补贴明细（公开版）（共1页）" in flat(pack.pdf)
    with zipfile.ZipFile(pack.zip) as z:
        assert sorted(z.namelist()) == sorted([f"政府信息公开申请答复书{reply.doc_no}.pdf", "补贴明细（公开版）.pdf",
                                               "材料清单.txt"])
        assert z.read("补贴明细（公开版）.pdf") == attachments.local_copy(registry, made.attachment).read_bytes()
        assert made.attachment.sha256 in z.read("材料清单.txt").decode("utf-8")

    with pytest.raises(ValidationFailed, match="只能选择本案去标识化生成的公开版材料"):
        letters.record_delivery(registry, office["clerk"], reply.id, "电子邮件", date(2026, 11, 20),
                                enclosures=[made.redaction.original_id])
    letters.record_delivery(registry, office["clerk"], reply.id, "电子邮件", date(2026, 11, 20),
                            enclosures=[made.attachment.id])
    sent = event_payloads(registry, case_id, "delivered")[-1]
    assert sent["enclosures"] == [{"attachment_id": made.attachment.id, "file_name": "补贴明细（公开版）.pdf",
                                   "sha256": made.attachment.sha256, "pages": 1}]
    assert "随附公开版材料：补贴明细（公开版）.pdf" in cases.case_view(registry, case_id).timeline[-1].details
