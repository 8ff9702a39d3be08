"""De-identification (issue #16): proposals over personal data, the image-only release version, and the
check that refuses a release in which anything boxed can still be read. The sample document has an ID
number wrapped across a line break, a bank card number wrapped inside a table cell, and a scanned page
read by OCR (once per module)."""

import re
import subprocess
import zlib

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat

from desktop.documents import redaction as R
from desktop.documents.redaction import Box, Char
from desktop.documents.redaction_sample import PLANTED, luhn_complete, resident_id, sample_pdf, scan_image

NAMES = [PLANTED.applicant, PLANTED.third_party, PLANTED.table_name, PLANTED.scan_name]


def compact(text: str) -> str:
    return re.sub(r"[\s\-()（）]", "", text)


# -- detection on characters --------------------------------------------------------------------------
def chars_of(*lines: str, size: float = 10.0) -> list[Char]:
    """Characters laid out like a page: one line each; a single space is a narrow gap, three spaces a
    table-cell gap."""
    out = []
    for n, line in enumerate(lines):
        x, y, gap = 72.0, 100.0 + n * 2 * size, "\n" if n else ""
        for part in re.split(r"( +)", line):
            if part.startswith(" "):
                x += size * (0.5 if len(part) < 3 else 4)
                gap = " "
                continue
            for ch in part:
                w = size if ord(ch) > 0x2E80 else size * 0.5
                out.append(Char(ch, x, y, x + w, y + size, gap))
                x, gap = x + w, ""
    return out


def found(*lines: str, names=(), credit_codes=False) -> set[tuple[str, str]]:
    return {(m.kind, m.value) for m in R.detect(chars_of(*lines), names, credit_codes)}


ID = resident_id("11010519491231002")
CARD = luhn_complete("622848004001234567")


def test_resident_id_numbers_need_a_valid_check_digit():
    wrong = ID[:17] + ("0" if ID[17] != "0" else "1")
    assert found(f"身份证{ID}号") == {("id_number", ID)}
    assert found(f"身份证{wrong}号") == set()
    assert found("旧证号110105491231002") == {("id_number", "110105491231002")}  # 15 digits, a real date
    assert found("编号110105491331002") == set()  # month 13


def test_bank_cards_need_luhn_and_may_be_written_in_groups():
    bad = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    assert found(f"卡号{CARD}") == {("bank_card", CARD)}
    assert found(f"卡号{bad}") == set()
    grouped = " ".join(CARD[k:k + 4] for k in range(0, len(CARD), 4))
    assert found(f"卡号 {grouped} 。") == {("bank_card", CARD)}


def test_phone_numbers_mobile_and_landline():
    assert found("手机13812345678，传真0755-2345678") == {("phone", "13812345678"), ("phone", "07552345678")}
    assert found("座机（010）62345678") == {("phone", "01062345678")}
    assert found("编号138123456789") == set()  # twelve digits: not a mobile number
    assert found("手机１３８１２３４５６７８") == {("phone", "13812345678")}  # full-width digits


def test_values_wrapped_across_lines_are_found_and_table_cells_are_not_joined():
    assert found(f"证件号码为{ID[:10]}", f"{ID[10:]}，已核实") == {("id_number", ID)}
    # two cells of one table row: a phone beside a year, a card number's halves in separate cells
    assert found("13812345678   2024") == {("phone", "13812345678")}
    assert found(f"{CARD[:10]}   {CARD[10:]}") == set()


def test_credit_codes_only_when_asked():
    code = "91350100M000100Y43"
    assert found(f"统一社会信用代码{code}") == set()
    assert found(f"统一社会信用代码{code}", credit_codes=True) == {("credit_code", code)}


def test_emails_names_and_labelled_fields():
    assert found("邮箱zhang.san@exam", "ple.com 联系") == {("email", "zhang.san@example.com")}
    assert found("申请人张 三丰来函", names=["张三丰", "李", " "]) == {("name", "张三丰")}
    assert found("住址：北京市海淀区中关村大街27号，邮编：100080") == {("labelled", "北京市海淀区中关村大街27号")}
    assert found("姓名：王五   性别：男") == {("labelled", "王五")}
    # the label's value is the phone: one box, of the specific kind
    assert found("联系电话：13812345678") == {("phone", "13812345678")}


def test_a_match_over_two_lines_gives_a_box_per_line():
    chars = chars_of(f"证件号码为{ID[:10]}", f"{ID[10:]}，已核实")
    (match,) = R.detect(chars)
    boxes = R._boxes_for(chars, match, 0, "auto")
    assert len(boxes) == 2 and all(b.value == ID for b in boxes)
    assert boxes[0].y1 <= boxes[1].y0


def test_names_from_a_case_and_its_consultations():
    case = {"applicant_name": "张三丰", "legal_rep": None, "contact_person": ""}
    events = [{"type": "consultation_start", "payload": '{"kind": "third_party", "party": "李四光（联系人：王五）"}'},
              {"type": "consultation_start", "payload": '{"kind": "agency", "party": "市财政局"}'},
              {"type": "assign", "payload": "{}"}]
    names = R.names_from_case(case, events)
    assert "张三丰" in names and "李四光" in names and "王五" in names
    assert "市财政局" not in names and "联系人" not in names


# -- the sample document ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_pdf(tmp_path_factory.mktemp("redaction") / "材料.pdf")


@pytest.fixture(scope="module")
def proposals(sample):
    with R.open_source(sample) as source:
        return R.propose_all(source, NAMES)  # page 2 has no text layer: OCR


@pytest.fixture(scope="module")
def released(sample, proposals, tmp_path_factory):
    out = tmp_path_factory.mktemp("released") / "公开版.pdf"
    with R.open_source(sample) as source:
        result = R.release(source, proposals, out)
    return result


def test_every_planted_value_is_proposed(proposals):
    text_values = {compact(b.value) for b in proposals if b.page == 0}
    assert {compact(v) for v in PLANTED.values()} <= text_values
    scan = {compact(b.value) for b in proposals if b.page == 1}
    assert {compact(v) for v in PLANTED.scan_values()} <= scan
    assert all(b.source == "ocr" for b in proposals if b.page == 1)
    assert all(b.source == "auto" and b.category == "privacy" for b in proposals if b.page == 0)
    # wrapped across a line break, and inside a table cell: two boxes each
    assert len([b for b in proposals if b.value == PLANTED.wrapped_id]) == 2
    assert len([b for b in proposals if b.value == PLANTED.card]) == 2
    # what is published stays unboxed
    assert not any("预算" in b.value or "3456789" in compact(b.value) for b in proposals)


def _planted_forms() -> list[str]:
    forms = set()
    for v in [*PLANTED.values(), *PLANTED.scan_values(), "申请人张三丰的材料"]:
        forms |= {v, compact(v)}
    return sorted(forms)


def _streams(data: bytes) -> list[bytes]:
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        payload = m.group(1)
        try:
            out.append(zlib.decompress(payload))
        except zlib.error:
            out.append(payload)
    return out


def test_the_release_holds_none_of_the_planted_values(released):
    path = released.path
    assert path.is_file() and released.pages == 2 and released.size == path.stat().st_size
    poppler = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    doc = pdfium.PdfDocument(str(path))
    try:
        texts = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    assert compact(poppler) == "" and compact(texts) == ""
    data = path.read_bytes()
    blobs = [data, *_streams(data)]
    for value in _planted_forms():
        for enc in ("utf-8", "utf-16-be", "gb18030"):
            needle = value.encode(enc)
            assert not any(needle in blob for blob in blobs), (value, enc)
    # nothing of the source's structure survives: only images, a neutral producer
    for marker in (b"/Font", b"/Annots", b"/AcroForm", b"/EmbeddedFiles", b"/Title", b"/Author", b"/Metadata",
                   b"/JavaScript", b"/Outlines", b"ReportLab"):
        assert marker not in data
    assert b"/Producer (Disclosure Desk)" in data and data.count(b"/Subtype /Image") == 2


def _render(path, page: int, dpi: int = 100) -> Image.Image:
    doc = pdfium.PdfDocument(str(path))
    try:
        return doc[page].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()


def _ocr(image: Image.Image) -> str:
    import numpy as np

    result, _ = R.ocr_engine()(np.asarray(image.convert("RGB")))
    return "".join(line[1] for line in result or ())


def test_unredacted_text_stays_legible(sample, released):
    before, after = _render(sample, 0), _render(released.path, 0)
    assert before.size == after.size
    heading = tuple(round(v * 100 / 72) for v in (66, 54, 270, 78))  # "本机关依法公开以下政府信息"
    region_before, region_after = before.crop(heading), after.crop(heading)
    assert ImageStat.Stat(ImageChops.difference(region_before, region_after)).mean[0] < 20
    assert region_after.getextrema()[0] < 60  # the text is there, not blank
    assert PLANTED.kept in _ocr(after)
    assert "依法公开" in _ocr(_render(released.path, 1))  # the scanned page


def test_every_box_is_painted_solid(proposals, released):
    pages = {i: _render(released.path, i, 72) for i in range(2)}
    for b in proposals:
        region = pages[b.page].crop((round(b.x0) + 1, round(b.y0) + 1, round(b.x1) - 1, round(b.y1) - 1))
        assert region.getextrema()[1] < 60, b


def test_counts_per_page_and_category(proposals, released):
    assert released.counts == {0: {"privacy": len([b for b in proposals if b.page == 0])},
                               1: {"privacy": len([b for b in proposals if b.page == 1])}}
    assert len(released.sha256) == 64


def test_a_box_left_unpainted_refuses_the_release(sample, proposals, tmp_path, monkeypatch):
    real_paint = R._paint
    skipped = next(b for b in proposals if b.kind == "id_number" and b.page == 0)
    monkeypatch.setattr(R, "_paint", lambda image, boxes, scale: real_paint(
        image, [b for b in boxes if b != skipped], scale))
    out = tmp_path / "out.pdf"
    with R.open_source(sample) as source, pytest.raises(R.LeakFound) as caught:
        R.release(source, proposals, out)
    assert R.Leak(0, "privacy", "id_number", "页面图像") in caught.value.leaks
    assert "第1页 〔个人隐私·身份证号〕" in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # nothing written, no partial file left


def test_a_value_left_in_the_file_refuses_the_release(sample, proposals, tmp_path, monkeypatch):
    real_close = R._PdfWriter.close

    def close_with_title(self):
        real_close(self)
        self.fp.write(b"% " + PLANTED.mobile.encode() + b"\n")  # a value written into the file

    monkeypatch.setattr(R._PdfWriter, "close", close_with_title)
    with R.open_source(sample) as source, pytest.raises(R.LeakFound) as caught:
        R.release(source, [b for b in proposals if b.page == 0], tmp_path / "out.pdf")
    assert [(x.kind, x.where) for x in caught.value.leaks] == [("phone", "文件内容")]
    assert list(tmp_path.iterdir()) == []


def test_the_check_reads_the_text_layer_and_metadata_of_an_unredacted_file(sample):
    leaks = R.check_release(sample, [Box(0, 0, 0, 1, 1, kind="id_number", value=PLANTED.id_number),
                                     Box(0, 0, 0, 1, 1, kind="name", value=PLANTED.applicant)])
    wheres = {(x.kind, x.where) for x in leaks}
    assert ("id_number", "文本") in wheres and ("name", "文本") in wheres
    assert ("name", "文件内容") in wheres  # the document title names the applicant
    assert ("id_number", "页面图像") in wheres  # and nothing is painted


def test_cancel_and_progress(sample, tmp_path):
    seen = []
    out = tmp_path / "out.pdf"
    with R.open_source(sample) as source:
        with pytest.raises(R.Cancelled):
            R.release(source, [], out, progress=lambda d, t: seen.append((d, t)), cancelled=lambda: len(seen) >= 1)
        assert seen == [(1, 2)] and list(tmp_path.iterdir()) == []
        seen.clear()
        R.release(source, [], out, dpi=100, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)] and out.is_file()


def test_a_photo_like_page_is_written_as_greyscale_jpeg(tmp_path):
    gradient = Image.linear_gradient("L").resize((600, 800))
    gradient.save(tmp_path / "photo.png", dpi=(100, 100))
    with R.open_source(tmp_path / "photo.png") as source:
        assert source.kind == "image" and source.page_count == 1 and not source.has_text(0)
        assert source.page_size(0) == pytest.approx((432, 576))
        R.release(source, [Box(0, 10, 10, 100, 40)], tmp_path / "out.pdf", dpi=100)
    data = (tmp_path / "out.pdf").read_bytes()
    assert b"/DCTDecode" in data and b"/CCITTFaxDecode" not in data


def test_a_scanned_image_file_is_read_by_ocr(tmp_path):
    image = scan_image(dpi=100).crop((0, 0, 827, 300))
    image.save(tmp_path / "scan.png", dpi=(100, 100))
    with R.open_source(tmp_path / "scan.png") as source:
        boxes = R.propose(source, 0, names=[PLANTED.scan_name])
        assert not R.propose(source, 0, ocr=False)
    assert {compact(b.value) for b in boxes} >= {PLANTED.scan_id, PLANTED.scan_phone, PLANTED.scan_name}


def test_multi_page_tiff_pages(tmp_path):
    frames = [Image.new("L", (200, 300), 255), Image.new("L", (200, 300), 128)]
    frames[0].save(tmp_path / "two.tif", save_all=True, append_images=frames[1:], dpi=(200, 200))
    with R.open_source(tmp_path / "two.tif") as source:
        assert source.page_count == 2
        assert source.render(1, dpi=100, grayscale=True).size == (100, 150)


# -- inputs refused -----------------------------------------------------------------------------------
def test_unusable_inputs_are_refused_in_chinese(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    (tmp_path / "notes.txt").write_text("不是PDF", encoding="utf-8")
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    c = canvas.Canvas(str(tmp_path / "locked.pdf"), encrypt=StandardEncryption("secret", canPrint=0))
    c.drawString(72, 72, "secret")
    c.save()
    expected = {"notes.txt": "不是PDF文件", "empty.pdf": "文件是空的", "broken.pdf": "已损坏",
                "locked.pdf": "已加密", "missing.pdf": "找不到文件"}
    for name, words in expected.items():
        with pytest.raises(R.RedactionInputError) as caught:
            R.open_source(tmp_path / name)
        assert str(caught.value).startswith(name) and words in str(caught.value)


def test_a_500_page_document_is_accepted(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from desktop.documents.redaction_sample import text_page

    path = tmp_path / "long.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(500):
        text_page(c)
        c.showPage()
    c.save()
    with R.open_source(path) as source:
        boxes = R.propose_all(source, NAMES)
        assert len({b.page for b in boxes}) == 500
        result = R.release(source, boxes, tmp_path / "out.pdf", dpi=100)
    assert result.pages == 500 and len(result.counts) == 500


def test_ocr_bands_read_each_line_once_in_page_coordinates():
    import numpy as np

    page_lines = [(40, "第一行"), (R._OCR_BAND - 20, "跨界行"), (700, "末行")]  # y of each line's centre

    def engine(pixels, return_word_box):
        top = next(t for t in range(0, 2000) if np.array_equal(pixels[:1], page[t:t + 1]))
        out = []
        for y, text in page_lines:
            if top <= y - 10 and y + 10 <= top + pixels.shape[0]:  # wholly inside this band
                quad = [[10, y - 10 - top], [100, y - 10 - top], [100, y + 10 - top], [10, y + 10 - top]]
                out.append([quad, text, 0.99, [quad], [text]])
        return out, None

    page = np.arange(800, dtype=np.uint16).reshape(800, 1).repeat(3, axis=1)  # rows tell where a band starts
    lines = R._ocr_lines(engine, page)
    assert [line[1] for line in lines] == ["第一行", "跨界行", "末行"]
    assert [line[0][0][1] for line in lines] == [30, R._OCR_BAND - 30, 690]
    assert [line[3][0][0][1] for line in lines] == [30, R._OCR_BAND - 30, 690]


def test_a_scan_with_a_page_number_in_its_text_layer_is_still_read_by_ocr(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from desktop.documents.redaction_sample import _font

    image = scan_image(dpi=100)
    path = tmp_path / "numbered.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(image), 0, 0, A4[0], A4[1])
    c.setFont(_font(), 9)
    c.drawString(280, 30, "第 1 页")  # the only text of the page
    c.save()
    with R.open_source(path) as source:
        assert source.has_text(0) and source.image_share(0) > 0.9 and source.needs_ocr(0)
        boxes = R.propose(source, 0, names=[PLANTED.scan_name])
    assert {compact(b.value) for b in boxes if b.source == "ocr"} >= {PLANTED.scan_id, PLANTED.scan_phone}


def test_text_pages_are_not_read_by_ocr(sample):
    with R.open_source(sample) as source:
        assert source.image_share(0) == 0 and not source.needs_ocr(0)
        assert source.needs_ocr(1)


def test_boxes_on_turned_pages_lie_over_the_text(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from desktop.documents.redaction_sample import _font

    path = tmp_path / "turned.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for rotation in (0, 90, 180, 270):
        c.setPageRotation(rotation)
        c.setFont(_font(), 12)
        c.drawString(72, 300, f"身份证号{PLANTED.id_number}")
        c.drawString(72, 2000, f"页外{PLANTED.mobile}")  # outside the page: never shown
        c.showPage()
    c.save()
    with R.open_source(path) as source:
        boxes = R.propose_all(source)
        for b in boxes:
            width, height = source.page_size(b.page)
            assert 0 <= b.x0 < b.x1 <= width and 0 <= b.y0 < b.y1 <= height
            under = source.render(b.page, dpi=72, grayscale=True).crop((round(b.x0), round(b.y0), round(b.x1),
                                                                         round(b.y1)))
            assert under.getextrema()[0] < 80  # the number's glyphs are under the box
        R.release(source, boxes, tmp_path / "out.pdf", dpi=100)
    assert [(b.page, b.kind) for b in boxes] == [(p, "id_number") for p in range(4)]  # one box each


def test_dense_small_print_stays_bilevel(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from desktop.documents.redaction_sample import _font

    c = canvas.Canvas(str(tmp_path / "dense.pdf"), pagesize=A4)
    c.setFont(_font(), 8)
    for k in range(70):
        c.drawString(30, 800 - k * 10.4, "本机关依法公开以下政府信息经审查申请人所申请的信息属于公开范围现予以公开请查收相关材料" * 2)
    c.save()
    with R.open_source(tmp_path / "dense.pdf") as source:
        gray = source.render(0, dpi=200, grayscale=True)
    hist = gray.histogram()
    assert sum(hist[48:208]) > 0.12 * gray.width * gray.height  # many grey edge pixels, yet:
    assert not R._photo_like(gray) and R._encode(gray, "auto").bilevel
