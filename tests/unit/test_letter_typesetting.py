"""How letters look and which fonts draw them (GB/T 9704-2012), read back from the real PDFs: text per
page and per line (pdftotext), fonts (pdffonts), font sizes and character spacing (the page streams)."""

import base64
import re
import shutil
import subprocess
import zlib
from datetime import date
from pathlib import Path

import pytest

from desktop.documents import fonts as fonts_mod
from desktop.documents.fonts import MissingGlyphs, letter_fonts
from desktop.documents.letter_pdf import CHARS_PER_LINE, COLUMN_WIDTH, MARGINS, Letter, render
from desktop.paths import cache_dir, resources_dir
from desktop.services import cases, handling, letters
from desktop.services.demo import reply_details
from tests.helpers import approved_case, flat, pdf_fonts, person_form

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

CANNOT_START = "，。、；：？！”）》」』】〕…—·,.;:?!)]}"
CANNOT_END = "（“《「『【〔‘(["
AGENCY = "天津市民政局"
# Characters of people's names from each block of CJK ideographs.
BLOCKS = {
    "BMP common": "喆",  # U+5586, GBK
    "Ext A": "䶮",  # U+4DAE
    "Ext A (2)": "㛃",  # U+36C3
    "Ext B": "𠮷",  # U+20BB7
    "Ext C": "𪜀",  # U+2A700
    "Ext D": "𫝀",  # U+2B740
    "Ext E": "𬌗",  # U+2C317
    "Ext F": "𬺰",  # U+2CEB0
}


# -- reading PDFs back ---------------------------------------------------------------------------
def pages(path) -> list[list[str]]:
    """Each page's text lines (pdftotext in reading order), without empty lines and page numbers."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    out = []
    for page in text.split("\f"):
        lines = [re.sub(r"\s+", "", line) for line in page.splitlines()]
        lines = [line for line in lines if line and not re.fullmatch(r"—\d+—", line)]
        if lines or not out:
            out.append(lines)
    while out and not out[-1]:
        out.pop()
    return out


def embedded_faces(path) -> set[str]:
    rows = pdf_fonts(path)
    assert rows and all(row[-5] == "yes" for row in rows), rows  # every font embedded
    assert not any("Helvetica" in row[0] for row in rows), rows
    return {row[0].split("+", 1)[-1] for row in rows}


def face(name: str) -> str:
    """The PostScript name reportlab embeds for a registered font."""
    from reportlab.pdfbase import pdfmetrics

    face_name = pdfmetrics.getFont(name).face.name
    return face_name.decode() if isinstance(face_name, bytes) else face_name


def text_ops(path) -> list[tuple[str, float, float]]:
    """(font resource, size, character spacing) of every run of text in the page streams."""
    data = Path(path).read_bytes()
    out = []
    for m in re.finditer(rb"/Filter \[([^\]]*)\] /Length (\d+)[^>]*>>\s*stream\r?\n", data):
        body = data[m.end():m.end() + int(m.group(2))]
        if b"ASCII85" in m.group(1):
            body = base64.a85decode(body.strip(), adobe=True)
        body = zlib.decompress(body)
        if b" Tf" not in body:
            continue
        font, size, space = "", 0.0, 0.0
        for op in re.finditer(rb"/(F\d+\+\d+) ([\d.]+) Tf|(-?[\d.]+) Tc|\) Tj", body):
            if op.group(1):
                font, size = op.group(1).decode(), float(op.group(2))
            elif op.group(3):
                space = float(op.group(3))
            else:
                out.append((font, size, space))
    return out


def font_resources(path) -> dict[str, str]:
    """Font resource name (F1+0) → embedded face name."""
    data = Path(path).read_bytes()
    return {m.group(2).decode(): m.group(1).decode()
            for m in re.finditer(rb"/BaseFont /\w+\+([\w-]+) .*?/Name /(F\d+\+\d+)", data, re.S)}


def em_width(text: str, fonts) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    chain = fonts.chain()
    return sum(stringWidth(c, fonts.font_for(c, chain=chain), 1000) for c in text) / 1000


def paragraph_lines(path, paragraphs: list[str]) -> list[list[str]]:
    """The lines of the PDF each paragraph was set in, found by matching the text in order."""
    lines = [line for page in pages(path) for line in page]
    out, i = [], 0
    for para in paragraphs:
        want = re.sub(r"\s+", "", para)
        while i < len(lines) and not want.startswith(lines[i]):
            i += 1
        got, mine = "", []
        while i < len(lines) and len(got) < len(want):
            got += lines[i]
            mine.append(lines[i])
            i += 1
        assert got == want, f"paragraph not found in the PDF: {para[:30]}…"
        out.append(mine)
    return out


def check_full_lines(path, paragraphs: list[str], fonts, first_indent=2):
    """Every line of a paragraph but its last is full: 28 characters of 16 pt (26 after the
    two-character indent), a character wider with a closing mark hung at its end, or shorter only where
    the line-breaking rules moved characters down (a character with the closing marks after it, an
    opening mark, an unbroken run of Latin letters or digits)."""
    for index, lines in enumerate(paragraph_lines(path, paragraphs)):
        indent = first_indent if index else 0
        for n, line in enumerate(lines):
            assert line[0] not in CANNOT_START, f"line starts with closing punctuation: {line}"
            assert line[-1] not in CANNOT_END or n == len(lines) - 1, f"line ends with an opening mark: {line}"
            if n == len(lines) - 1:
                continue
            cap = CHARS_PER_LINE - (indent if n == 0 else 0)
            width = em_width(line, fonts)
            hang = 1 if line[-1] in CANNOT_START else 0
            assert width <= cap + hang + 0.01, f"{width:.2f} > {cap} ems: {line}"
            nxt = lines[n + 1]  # what could not stay on the line: its first character or unbroken run
            k = 1 if nxt[0] in CANNOT_END and len(nxt) > 1 else 0  # an opening mark goes with what follows
            run = re.match(r"[\x21-\x7e]+", nxt[k:])  # Latin letters and digits go down together
            k += len(run.group()) if run else 1
            while k < len(nxt) and nxt[k] in CANNOT_START:  # and the closing marks after them
                k += 1
            unit = nxt[:k]
            assert width + em_width(unit, fonts) > cap + 0.01, f"line not full ({width:.2f} of {cap}): {line}"


def drafted_reply(registry, staff, text: str, name: str = "王喆") -> int:
    """A case approved for disclosure whose reply text is ``text``."""
    case_id = cases.register_case(registry, staff["clerk"], person_form(name=name)).case_ids[0]
    cases.fire(registry, staff["head"], case_id, "assign", date(2026, 9, 16), {"lead_division_id": staff["planning_id"]})
    cases.fire(registry, staff["planner"], case_id, "sign_for", date(2026, 9, 16))
    cases.fire(registry, staff["planner"], case_id, "draft", date(2026, 10, 9),
               {"outcome": "disclose", "text": text, **reply_details("disclose")})
    cases.fire(registry, staff["planner"], case_id, "submit_for_review", date(2026, 10, 12))
    cases.fire(registry, staff["reviewer"], case_id, "review_approve", date(2026, 10, 13), {"comment": "同意"})
    cases.fire(registry, staff["leader"], case_id, "leader_approve", date(2026, 10, 14))
    return case_id


HANZI = "政府信息公开申请办理答复机关依照条例规定予以提供相关文件材料内容"


def plain_paragraph(n: int, offset: int = 0) -> str:
    return "".join(HANZI[(offset + i) % len(HANZI)] for i in range(n))


# -- 1. the official look ------------------------------------------------------------------------
def test_body_is_16_pt_on_a_grid_of_28_characters_by_22_lines(tmp_path):
    fonts = letter_fonts()
    paragraphs = ["王喆："] + [plain_paragraph(n, n) for n in (300, 41, 1400)]
    pdf = render(Letter("政府信息公开申请答复书", paragraphs, AGENCY, date(2026, 10, 15)), tmp_path / "grid.pdf")
    found = pages(pdf)
    assert len(found) >= 3
    # a page of body text only holds 22 lines
    assert len(found[1]) == 22 and all(len(line) == 28 for line in found[1])
    # full lines: 26 characters after the indent, then 28; the last line of a paragraph shorter
    for lines in paragraph_lines(pdf, paragraphs[1:]):
        assert len(lines[0]) == 26 and all(len(line) == 28 for line in lines[1:-1]), lines
        assert 0 < len(lines[-1]) <= 28
    check_full_lines(pdf, paragraphs, fonts)
    # sizes: the body in 16 pt, the title in 22 pt; in the title's font and the body's
    resources = font_resources(pdf)
    ops = text_ops(pdf)
    sizes = {(resources[f], size) for f, size, _ in ops}
    assert (face(fonts.title), 22.0) in sizes and (face(fonts.body), 16.0) in sizes
    grid_runs = [space for f, size, space in ops if size == 16.0 and space]
    assert len(grid_runs) >= 50 and all(-0.25 < space < 0 for space in grid_runs)  # 28 × 16 pt in 156 mm


def test_full_lines_are_set_edge_to_edge_in_the_156_mm_column(tmp_path):
    pdf = render(Letter("答复书", ["王喆：", plain_paragraph(200)], AGENCY, date(2026, 10, 15)), tmp_path / "edge.pdf")
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    lines = [tuple(float(v) for v in m.groups())
             for m in re.finditer(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', out)]
    left, right = MARGINS["left"], MARGINS["left"] + COLUMN_WIDTH
    full = [(a, b) for a, b in lines if b - a > COLUMN_WIDTH * 0.9]
    assert len(full) >= 5
    for x_min, x_max in full:
        assert abs(x_max - right) < 2 and left - 1 < x_min < left + 2 * 16 + 1, (x_min, x_max)


def test_real_letters_have_full_justified_lines_and_no_closing_mark_starts_a_line(registry, office):
    fonts = letter_fonts()
    text = ("经审查，您申请获取的《天津市2025年度养老服务设施建设补助资金分配方案》（津民发〔2025〕12号）"
            "已主动公开，可通过本机关门户网站（www.tjmz.gov.cn）“政府信息公开”栏目查询；"
            "相关附件共3份，随本答复一并提供。") * 3
    case_id = drafted_reply(registry, office, text)
    issued = letters.issue(registry, office["clerk"], case_id, "reply", date(2026, 10, 15))
    letter = letters.compose(registry, case_id, "reply", issued.doc_no, date(2026, 10, 15))
    check_full_lines(issued.path, letter.paragraphs, fonts)
    fresh = cases.register_case(registry, office["clerk"], person_form(request_text=text)).case_ids[0]
    receipt = letters.issue(registry, office["clerk"], fresh, "receipt", date(2026, 9, 15))
    check_full_lines(receipt.path, letters.compose(registry, fresh, "receipt", receipt.doc_no,
                                                   date(2026, 9, 15)).paragraphs, fonts)


def test_title_is_in_xiaobiaosong_or_a_bold_song(tmp_path):
    fonts = letter_fonts()
    assert fonts.title_is_system or fonts.title == fonts_mod.SERIF_BOLD.name
    assert fonts.body_is_system or fonts.body == fonts_mod.SERIF.name
    pdf = render(Letter("政府信息公开申请答复书", ["王喆："], AGENCY, date(2026, 10, 15)), tmp_path / "t.pdf")
    assert {face(fonts.title), face(fonts.body)} <= embedded_faces(pdf)
    # without the office's fonts: the bundled Song faces, not the 楷体 of earlier versions
    bundled = letter_fonts(prefer_system=False)
    pdf = render(Letter("政府信息公开申请答复书", ["王喆：", "现答复如下。"], AGENCY, date(2026, 10, 15)),
                 tmp_path / "b.pdf", bundled)
    assert embedded_faces(pdf) == {"DDeskSerifSC", "DDeskSerifSC-Bold"}


# -- 2. every character of a name prints ---------------------------------------------------------
@pytest.mark.parametrize("block", BLOCKS)
def test_a_name_with_a_character_from_each_block_prints(registry, office, block):
    fonts = letter_fonts()
    char = BLOCKS[block]
    name = f"王{char}"
    case_id = approved_case(registry, office, "disclose", name=name)
    issued = letters.issue(registry, office["clerk"], case_id, "reply", date(2026, 10, 15))
    assert f"{name}：" in flat(issued.path)
    drawn_with = fonts.font_for(char)
    assert drawn_with and face(drawn_with) in embedded_faces(issued.path)
    if ord(char) > 0xFFFF:  # beyond the body and Song fonts: the fallback for rare characters
        assert fonts._by_name[drawn_with].role == "rare"
        assert not fonts.covers(fonts.body, char)
    form = letters.issue(registry, office["clerk"], case_id, "approval_form")  # in a table cell
    assert f"{name}（自然人）" in flat(form.path)
    assert face(drawn_with) in embedded_faces(form.path)


def test_the_bundled_fonts_alone_draw_every_block_in_body_title_and_table(tmp_path):
    fonts = letter_fonts(prefer_system=False)
    chars = "".join(BLOCKS.values())
    letter = Letter(f"关于{chars}的答复书", [f"王{chars}：", f"您申请获取{chars}的信息。"], AGENCY, date(2026, 10, 15),
                    table=[("申请人", f"王{chars}")])
    pdf = render(letter, tmp_path / "bundled.pdf", fonts)
    text = flat(pdf)
    assert f"关于{chars}的答复书" in text and f"王{chars}：" in text and f"您申请获取{chars}的信息。" in text
    assert f"申请人王{chars}" in text
    assert embedded_faces(pdf) == {"DDeskSerifSC", "DDeskSerifSC-Bold", "DDeskHanExt"}
    for char in chars:
        expected = "DDeskHanExt" if ord(char) > 0xFFFF else "DDeskSerifSC"
        assert fonts.font_for(char) == expected, char
    with pytest.raises(MissingGlyphs, match="\U00030000"):  # Extension G: no font has it
        render(Letter("答复书", ["王\U00030000："], AGENCY, date(2026, 10, 15)), tmp_path / "g.pdf", fonts)


def test_runs_switch_font_inside_a_paragraph(tmp_path):
    fonts = letter_fonts(prefer_system=False)
    used: set[str] = set()
    markup = fonts.markup("王䶮𠮷𬌗堃", used=used)
    assert markup == '王䶮<font name="DDeskHanExt">𠮷𬌗</font>堃'
    assert used == {"DDeskSerifSC", "DDeskHanExt"}
    title = fonts.markup("答复书\u3000䶮", fonts.title)
    assert title == '答复书&#x3000;<font name="DDeskSerifSC">䶮</font>'  # not in the GB2312 bold face


# -- 3. the signature block is never alone -------------------------------------------------------
def test_the_signature_block_never_stands_alone_on_a_page(tmp_path):
    date_line = "2026年10月15日"
    seen_break = 0
    for n in range(380, 560, 7):  # the body ends at every height of the first page and over it
        paragraphs = ["王喆：", plain_paragraph(300), plain_paragraph(n - 300, 3)]
        pdf = render(Letter("政府信息公开申请答复书", paragraphs, AGENCY, date(2026, 10, 15)), tmp_path / f"{n}.pdf")
        found = pages(pdf)
        seen_break += len(found) > 1
        for lines in found:
            assert [line for line in lines if line not in (AGENCY, date_line)], f"{n}: {found}"
        last = found[-1]
        assert last[-2:] == [AGENCY, date_line] and len(last) >= 4  # at least two lines of the last paragraph
    assert seen_break


def test_long_replies_keep_their_last_lines_with_the_signature(registry, office):
    for n in range(560, 760, 40):
        case_id = drafted_reply(registry, office, plain_paragraph(n))
        issued = letters.issue(registry, office["clerk"], case_id, "reply", date(2026, 10, 15))
        for lines in pages(issued.path):
            assert [line for line in lines if line not in (AGENCY, "2026年10月15日")], pages(issued.path)


# -- 4. no unembedded Helvetica in any kind of letter ----------------------------------------------
def test_every_kind_of_letter_embeds_all_its_fonts(registry, office):
    s = office
    made = {}
    case_id = cases.register_case(registry, s["clerk"], person_form(name="王䶮𠮷", channel="邮寄")).case_ids[0]
    made["receipt"] = letters.issue(registry, s["clerk"], case_id, "receipt", date(2026, 9, 15))
    cases.fire(registry, s["clerk"], case_id, "correction_notice", date(2026, 9, 17),
               {"items": ["请写明所需信息的文号或者名称"], "period_days": 10})
    made["correction"] = letters.issue(registry, s["clerk"], case_id, "correction", date(2026, 9, 17))
    cases.fire(registry, s["clerk"], case_id, "corrected", date(2026, 9, 21))
    cases.fire(registry, s["head"], case_id, "assign", date(2026, 9, 22), {"lead_division_id": s["planning_id"]})
    cases.fire(registry, s["planner"], case_id, "sign_for", date(2026, 9, 22))
    cases.fire(registry, s["planner"], case_id, "consultation_start", date(2026, 9, 23),
               {"kind": "third_party", "party": "天津宏远建设工程有限公司", "reason": "涉及该公司的商业秘密"})
    made["consult_third_party"] = letters.issue(registry, s["planner"], case_id, "consult_third_party",
                                                date(2026, 9, 23))
    made["consult_notice"] = letters.issue(registry, s["planner"], case_id, "consult_notice", date(2026, 9, 23))
    cases.fire(registry, s["planner"], case_id, "consultation_end", date(2026, 10, 9))
    cases.fire(registry, s["planner"], case_id, "consultation_start", date(2026, 10, 9),
               {"kind": "agency", "party": "天津市财政局", "reason": "该信息由两机关共同制作"})
    made["consult_agency"] = letters.issue(registry, s["planner"], case_id, "consult_agency", date(2026, 10, 9))
    cases.fire(registry, s["planner"], case_id, "consultation_end", date(2026, 10, 12))
    cases.fire(registry, s["planner"], case_id, "extension_request", date(2026, 10, 13), {"reason": "需要调取历年档案"})
    cases.fire(registry, s["head"], case_id, "extension_approve", date(2026, 10, 14), {"days": 15})
    made["extension"] = letters.issue(registry, s["clerk"], case_id, "extension", date(2026, 10, 14))
    cases.fire(registry, s["planner"], case_id, "fee_notice", date(2026, 10, 15), {"method": "per_page", "pages": 250})
    made["fee_notice"] = letters.issue(registry, s["clerk"], case_id, "fee_notice", date(2026, 10, 15))
    made["approval_form"] = letters.issue(registry, s["clerk"], case_id, "approval_form")
    replied = approved_case(registry, s, "partial", name="王䶮𠮷")
    made["reply"] = letters.issue(registry, s["clerk"], replied, "reply", date(2026, 10, 15))
    letters.record_delivery(registry, s["clerk"], made["reply"].id, "邮寄", date(2026, 10, 19), "EMS1234567890CN")
    made["delivery_proof"] = letters.issue(registry, s["clerk"], replied, "delivery_proof")
    ended = cases.register_case(registry, s["clerk"], person_form(name="王䶮𠮷")).case_ids[0]
    handling.act(registry, s["clerk"], ended, "correction_notice", date(2026, 9, 16),
                 {"items": ["请写明文号"], "period_days": 10})
    made["termination"] = handling.act(registry, s["clerk"], ended, "abandoned", date(2026, 10, 12))[0]
    assert set(made) == set(letters.KINDS)  # a new kind of letter is to be added here
    for kind, issued in made.items():
        embedded_faces(issued.path)  # all embedded, no Helvetica
        if kind not in ("consult_third_party", "consult_agency"):  # those are not addressed to the applicant
            assert "王䶮𠮷" in flat(issued.path), kind


# -- 6. the fonts used are on record -------------------------------------------------------------
def test_the_pdf_names_the_fonts_that_drew_it(tmp_path):
    fonts = letter_fonts(prefer_system=False)
    pdf = render(Letter("答复书", ["王𠮷：", plain_paragraph(900)], AGENCY, date(2026, 10, 15)), tmp_path / "k.pdf", fonts)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    keywords = next(line for line in info.splitlines() if line.startswith("Keywords:"))
    assert "DDesk Serif SC（内置" in keywords and "DDesk Serif SC Bold（内置" in keywords
    assert "DDesk Han Ext（内置" in keywords and "SIL Open Font License 1.1" in keywords
    assert "花園フォント" in keywords  # the rare characters' font and its licence
    short = render(Letter("答复书", ["王喆："], AGENCY, date(2026, 10, 15)), tmp_path / "s.pdf", fonts)
    info = subprocess.run(["pdfinfo", str(short)], capture_output=True, text=True, check=True).stdout
    assert "DDesk Han Ext" not in info  # only the fonts this letter used


def test_the_bundled_fonts_unpack_once_and_carry_their_own_names():
    from reportlab.pdfbase.ttfonts import TTFontFile

    for bundled in fonts_mod.BUNDLED_FONTS:
        path = fonts_mod.unpacked(bundled)
        assert path.is_file() and fonts_mod.unpacked(bundled) == path
        font = TTFontFile(str(path))  # reportlab reads TrueType outlines only: it would refuse CFF
        names = [n.decode() if isinstance(n, bytes) else n for n in (font.name, font.familyName)]
        assert names[1].startswith("DDesk") and not re.search(r"Noto|Source|Hana|花園", "".join(names)), names
        assert (resources_dir() / bundled.licence_file).is_file()
    assert not list(resources_dir().glob("fonts/DDeskKai*")) and not list(cache_dir().glob("DDeskKai-GBK-*.ttf"))


# -- the office's own fonts ----------------------------------------------------------------------
@pytest.fixture
def office_fonts(tmp_path, monkeypatch):
    """A PC with 仿宋 and 方正小标宋 installed: stand-ins under the Windows file names (TrueType files of
    another face, so that the PDF shows which one drew what), and a CFF font reportlab cannot embed."""
    folder = tmp_path / "Fonts"
    folder.mkdir()
    shutil.copy(fonts_mod.unpacked(fonts_mod.SERIF_BOLD), folder / "simfang.ttf")  # GB2312 only
    shutil.copy(fonts_mod.unpacked(fonts_mod.SERIF), folder / "FZXBSJW.TTF")
    (folder / "FZFSK.TTF").write_bytes(b"OTTO" + b"\0" * 64)  # preferred, but not TrueType: passed over
    monkeypatch.setattr(fonts_mod, "font_dirs", lambda: [folder])
    monkeypatch.setattr(fonts_mod, "_fontconfig", lambda: {})
    caches = (fonts_mod.letter_fonts, fonts_mod._files_by_name)
    for cache in caches:
        cache.cache_clear()
    yield fonts_mod.letter_fonts()
    for cache in caches:
        cache.cache_clear()


def test_the_offices_own_fangsong_and_xiaobiaosong_are_used_when_installed(office_fonts, tmp_path):
    fonts = office_fonts
    assert fonts.body_is_system and fonts.title_is_system
    assert fonts.body_source.path.name == "simfang.ttf" and fonts.title_source.path.name == "FZXBSJW.TTF"
    pdf = render(Letter("政府信息公开申请答复书", ["王喆𠮷：", "现答复如下。"], AGENCY, date(2026, 10, 15)),
                 tmp_path / "office.pdf", fonts)
    sizes = {(font_resources(pdf)[f], size) for f, size, _ in text_ops(pdf)}
    assert ("DDeskSerifSC-Bold", 16.0) in sizes  # the body in "simfang.ttf"
    assert ("DDeskSerifSC", 22.0) in sizes  # the title in "FZXBSJW.TTF"
    assert fonts.font_for("喆") == fonts_mod.SERIF.name  # not in the GB2312 "仿宋": the bundled Song face
    assert "王喆𠮷：" in flat(pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "仿宋（系统字体 simfang.ttf）" in info and "方正小标宋简体（系统字体 FZXBSJW.TTF）" in info
