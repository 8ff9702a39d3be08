"""Drawing letters as PDF in the manner of GB/T 9704-2012 (党政机关公文格式):

- A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right: a 156 × 225 mm column;
- the body in 仿宋 16 pt (三号) on a grid of 28 characters × 22 lines a page, justified (两端对齐), each
  paragraph indented by two characters, no line starting with closing punctuation (fonts.py);
- the title in 小标宋 22 pt (二号), centred, one empty line before the addressee;
- the issuing agency centred over the date, the date four characters from the right edge, the seal
  pressed over both; the block is never left alone on a page: the end of the last paragraph goes with it;
- page numbers "— N —" in 14 pt (四号) Song 7 mm under the column, odd pages right and even pages left,
  one character in, on letters of more than one page;
- forms (送达回证, 呈批单) as ruled tables in 12 pt.
The fonts that drew a letter are named in its keywords (PDF metadata).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as rl_paragraph

from desktop.documents.fonts import LetterFonts, forbid_line_start, letter_fonts

BODY_PT = 16
AGENCY_PT = 26  # 发文机关标志
RED = HexColor("#C00000")  # 版头 in red, as GB/T 9704 recommends
TITLE_PT = 22
PAGE_NO_PT = 14
CHARS_PER_LINE = 28
LINES_PER_PAGE = 22
MARGINS = {"top": 37 * mm, "bottom": 35 * mm, "left": 28 * mm, "right": 26 * mm}
COLUMN_WIDTH = A4[0] - MARGINS["left"] - MARGINS["right"]  # 156 mm
COLUMN_HEIGHT = A4[1] - MARGINS["top"] - MARGINS["bottom"]  # 225 mm
PITCH = COLUMN_WIDTH / CHARS_PER_LINE  # 15.79 pt from one character to the next
LEADING = COLUMN_HEIGHT / LINES_PER_PAGE - 0.01  # 28.98 pt (a hair less, so 22 lines always fit)
GRID_EXCESS = CHARS_PER_LINE * BODY_PT - COLUMN_WIDTH  # 28 characters of 16 pt are 5.8 pt wider than 156 mm
SEAL = 42 * mm


def chinese_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class Letter:
    """The text of one letter, after the template was filled in."""
    title: str
    paragraphs: list[str]  # the first is the addressee line (not indented)
    signature: str  # issuing agency
    issued_on: date
    doc_no: str = ""
    table: list[tuple[str, str]] = field(default_factory=list)  # forms: label → value rows
    steps: list[tuple[str, str, str, str]] = field(default_factory=list)  # 环节, 意见, 签名, 日期
    subject: str = ""  # PDF metadata
    seal_image: Path | None = None
    draft: bool = False
    form: bool = False  # a form (送达回证, 呈批单): its own rows say who signs; no outgoing-letter signature block

    def all_text(self) -> str:
        parts = [self.title, self.doc_no, self.signature, *self.paragraphs]
        parts += [a + b for a, b in self.table] + ["".join(s) for s in self.steps]
        return "".join(parts)


class _NumberedCanvas(pdf_canvas.Canvas):
    """Adds '— N —' page numbers once the page count is known, only if there is more than one page."""

    def __init__(self, *args, font: str = "", keywords=None, **kwargs):
        kwargs["initialFontName"] = font  # no unembedded Helvetica in the file
        super().__init__(*args, **kwargs)
        self._saved: list[dict] = []
        self._font = font
        self._keywords = keywords  # (numbered: bool) → the keywords, known once the pages are counted

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved)
        if self._keywords:
            self.setKeywords(self._keywords(total > 1))
        for state in self._saved:
            self.__dict__.update(state)
            if total > 1:
                self.setFont(self._font, PAGE_NO_PT)
                y = MARGINS["bottom"] - 7 * mm - PAGE_NO_PT * 0.75
                text = f"— {self._pageNumber} —"
                if self._pageNumber % 2:
                    self.drawRightString(A4[0] - MARGINS["right"] - PAGE_NO_PT, y, text)
                else:
                    self.drawString(MARGINS["left"] + PAGE_NO_PT, y, text)
            super().showPage()
        super().save()


class GridParagraph(Paragraph):
    """A body paragraph on the 28-character grid: always broken by reportlab's CJK splitter (which the
    line-start rule patches) and justified character by character (fonts._justify_cjk_line)."""

    def breakLinesCJK(self, maxWidths):  # noqa: N802 (reportlab's name)
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]  # noqa: N806
        self.height = 0
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        if not self.frags:
            style = self.style
            return rl_paragraph.ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName, textColor=style.textColor,
                             lines=[], ascent=style.fontSize, descent=-0.2 * style.fontSize)
        return rl_paragraph.cjkFragSplit(self.frags, maxWidths, False)  # as patched by fonts.py

    def _get_split_blParaFunc(self):  # noqa: N802 (reportlab's name)
        """The text of the lines that go to the next page, as it was: reportlab's own function puts a
        space after each line, as between western words, and the rest of the paragraph would then be
        set 27 characters to the line."""
        return lambda blPara, start, stop: [w for line in blPara.lines[start:stop] for w in line.words]  # noqa: N803


def _grid(style: ParagraphStyle) -> ParagraphStyle:
    style.gridCharSpace = PITCH - BODY_PT
    style.gridExcess = GRID_EXCESS
    return style


def _styles(fonts: LetterFonts) -> dict[str, ParagraphStyle]:
    body = _grid(ParagraphStyle("body", fontName=fonts.body, fontSize=BODY_PT, leading=LEADING,
                                alignment=TA_JUSTIFY, firstLineIndent=2 * PITCH, rightIndent=-GRID_EXCESS,
                                wordWrap="CJK", bulletFontName=fonts.body))
    plain = ParagraphStyle("plain", fontName=fonts.body, fontSize=BODY_PT, leading=LEADING, wordWrap="CJK",
                           bulletFontName=fonts.body)
    cell = ParagraphStyle("cell", fontName=fonts.body, fontSize=12, leading=18, wordWrap="CJK",
                          bulletFontName=fonts.body)
    return {
        "title": ParagraphStyle("title", fontName=fonts.title, fontSize=TITLE_PT, leading=TITLE_PT * 1.5,
                                alignment=TA_CENTER, wordWrap="CJK", bulletFontName=fonts.title),
        "number": ParagraphStyle("number", parent=plain, alignment=TA_RIGHT),
        # 版头 (GB/T 9704 7.2): the issuing agency in red 小标宋, the document number centred under it
        "agency": ParagraphStyle("agency", fontName=fonts.title, fontSize=AGENCY_PT, leading=AGENCY_PT * 1.4,
                                 alignment=TA_CENTER, wordWrap="CJK", textColor=RED, bulletFontName=fonts.title),
        "doc_no": ParagraphStyle("doc_no", parent=plain, alignment=TA_CENTER),
        "addressee": _grid(ParagraphStyle("addressee", parent=body, firstLineIndent=0)),
        "body": body,
        "sign": ParagraphStyle("sign", parent=plain, alignment=TA_CENTER),
        "cell": cell,
        "cell_label": ParagraphStyle("cell_label", parent=cell, alignment=TA_CENTER),
    }


class SignatureBlock(Flowable):
    """发文机关署名 centred over 成文日期, the date four characters from the right edge, after two empty
    lines; the seal image (if any) pressed over both, its centre a little above them."""

    def __init__(self, name: Paragraph, when: Paragraph, width: float, seal: Path | None = None):
        super().__init__()
        self.name, self.when, self.block_width, self.seal = name, when, width, seal
        self.space = 2 * LEADING

    def wrap(self, availWidth, availHeight):  # noqa: N802,N803 (reportlab's names)
        self.avail = availWidth
        self.block_width = min(self.block_width, availWidth - 4 * PITCH)
        self.h_name = self.name.wrap(self.block_width, availHeight)[1]
        self.h_when = self.when.wrap(self.block_width, availHeight)[1]
        return availWidth, self.space + self.h_name + self.h_when

    def draw(self):
        x = self.avail - 4 * PITCH - self.block_width
        self.when.drawOn(self.canv, x, 0)
        self.name.drawOn(self.canv, x, self.h_when)
        if self.seal:
            cx, cy = x + self.block_width / 2, (self.h_name + self.h_when) / 2 + 4 * mm
            self.canv.drawImage(str(self.seal), cx - SEAL / 2, cy - SEAL / 2, SEAL, SEAL, mask="auto",
                                preserveAspectRatio=True)


class KeepWithLast(Flowable):
    """The last paragraph (or table) and the signature block: when both do not fit on the page, the
    paragraph is split so that at least its last two lines (a table: its last row) go over with the
    signature; a paragraph too short to split goes over whole."""

    def __init__(self, last: Flowable, block: Flowable):
        super().__init__()
        self.last, self.block = last, block

    def wrap(self, availWidth, availHeight):  # noqa: N802,N803
        self.avail = availWidth
        w1, self.h_last = self.last.wrap(availWidth, availHeight)
        w2, self.h_block = self.block.wrap(availWidth, availHeight)
        self.width = max(w1, w2)
        return self.width, self.h_last + self.h_block

    def getSpaceBefore(self):  # noqa: N802
        return self.last.getSpaceBefore()

    def split(self, availWidth, availHeight):  # noqa: N802,N803
        self.wrap(availWidth, availHeight)
        if self.h_last + self.h_block <= availHeight:
            return [self.last, self.block]
        tail = 2 * self.last.style.leading if isinstance(self.last, Paragraph) else 1
        parts = self.last.split(availWidth, min(availHeight, self.h_last - tail + 0.01))
        if len(parts) < 2:
            return []  # the whole lot goes to the next page
        return [*parts[:-1], KeepWithLast(parts[-1], self.block)]

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802,N803
        self.block.drawOn(canvas, x, y, _sW)
        self.last.drawOn(canvas, x, y + self.h_block, _sW)


def _text_width(fonts: LetterFonts, text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    chain = fonts.chain()
    return sum(stringWidth(c, fonts.font_for(c, chain=chain) or fonts.body, size) for c in text)


def render(letter: Letter, out: Path | str, fonts: LetterFonts | None = None) -> Path:
    """Write ``letter`` as a PDF at ``out``; raises MissingGlyphs before writing anything."""
    fonts = fonts or letter_fonts()
    fonts.check(letter.all_text())
    forbid_line_start()
    st = _styles(fonts)
    used: set[str] = set()

    def para(text: str, style: str, font: str | None = None, cls=Paragraph) -> Paragraph:
        return cls(fonts.markup(text, font, used), st[style])

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    story: list[Flowable] = []
    if letter.draft:
        story.append(para("（草稿，未编号，不得发出）", "number"))
    if letter.signature:  # 版头: the agency, its number, a red line (GB/T 9704 7.2)
        story.append(para(letter.signature, "agency", fonts.title))
        if letter.doc_no:
            story.append(para(letter.doc_no, "doc_no"))
        story.append(HRFlowable(width="100%", thickness=1, color=RED, spaceBefore=4, spaceAfter=LEADING / 2))
    elif letter.doc_no:
        story.append(para(letter.doc_no, "number"))
    story.append(para(letter.title, "title", fonts.title))
    story.append(Spacer(1, LEADING))  # 标题下空一行
    for i, text in enumerate(letter.paragraphs):
        style = "addressee" if i == 0 and text.rstrip().endswith("：") else "body"
        story.append(para(text, style, cls=GridParagraph))
    if letter.table:
        story.append(_form_table(letter.table, fonts, st, used))
    if letter.steps:
        story.append(Spacer(1, 8))
        story.append(_steps_table(letter.steps, fonts, st, used))
    when = chinese_date(letter.issued_on)
    width = max(_text_width(fonts, letter.signature, BODY_PT), _text_width(fonts, when, BODY_PT)) + 2
    seal = Path(letter.seal_image) if letter.seal_image and Path(letter.seal_image).is_file() else None
    block = SignatureBlock(para(letter.signature, "sign"), para(when, "sign"), width, seal)
    if letter.form:
        pass  # who signs and seals is in the form's own rows
    elif story and not isinstance(story[-1], Spacer):
        story[-1] = KeepWithLast(story[-1], block)
    else:
        story.append(KeepTogether([block]))

    page_font = fonts.song()

    def keywords(numbered: bool) -> str:
        return "字体：" + fonts.used_description(used | ({page_font} if numbered else set()))

    doc = BaseDocTemplate(str(out), pagesize=A4, topMargin=MARGINS["top"], bottomMargin=MARGINS["bottom"],
                          leftMargin=MARGINS["left"], rightMargin=MARGINS["right"], title=letter.title,
                          author=letter.signature, subject=letter.subject or letter.title,
                          creator="政府信息公开申请办理系统")
    frame = Frame(MARGINS["left"], MARGINS["bottom"], COLUMN_WIDTH, COLUMN_HEIGHT, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, id="column")
    doc.addPageTemplates([PageTemplate(id="letter", frames=[frame])])
    doc.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, font=page_font, keywords=keywords, **k))
    return out


def _cell_style(fonts: LetterFonts) -> list[tuple]:
    return [("FONT", (0, 0), (-1, -1), fonts.body, 12),  # also what reportlab sets before each cell
            ("GRID", (0, 0), (-1, -1), 0.8, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]


def _form_table(rows: list[tuple[str, str]], fonts: LetterFonts, st, used: set[str]) -> Table:
    data = [[Paragraph(fonts.markup(a, used=used), st["cell_label"]), Paragraph(fonts.markup(b, used=used), st["cell"])]
            for a, b in rows]
    table = Table(data, colWidths=[COLUMN_WIDTH * 0.28, COLUMN_WIDTH * 0.72])
    table.setStyle(TableStyle(_cell_style(fonts) + [("TOPPADDING", (0, 0), (-1, -1), 8),
                                                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    return table


def _steps_table(steps, fonts: LetterFonts, st, used: set[str]) -> Table:
    header = [Paragraph(fonts.markup(h, used=used), st["cell_label"]) for h in ("环节", "意见", "签名", "日期")]
    data = [header] + [[Paragraph(fonts.markup(c, used=used), st["cell"]) for c in row] for row in steps]
    w = COLUMN_WIDTH
    table = Table(data, colWidths=[w * 0.14, w * 0.50, w * 0.14, w * 0.22], repeatRows=1)
    table.setStyle(TableStyle(_cell_style(fonts) + [("TOPPADDING", (0, 0), (-1, -1), 6),
                                                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return table
