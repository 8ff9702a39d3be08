"""Drawing letters as PDF in the spirit of GB/T 9704-2012: A4, 37/35/28/26 mm margins, the title
centred in a Song face, the body in 仿宋 16 pt with two-character indents, the number under the title,
the signature block and date at the right, 一字线 page numbers on letters of more than one page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.documents.fonts import LetterFonts, forbid_line_start, letter_fonts

BODY_PT = 16
TITLE_PT = 22
LEADING = 28.9  # 22 lines on a GB/T 9704 page


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

    def all_text(self) -> str:
        parts = [self.title, self.doc_no, self.signature, *self.paragraphs]
        parts += [a + b for a, b in self.table] + ["".join(s) for s in self.steps]
        return "".join(parts)


class _NumberedCanvas(pdf_canvas.Canvas):
    """Adds '— N —' page numbers once the page count is known, only if there is more than one page."""

    def __init__(self, *args, font: str = "", **kwargs):
        kwargs["initialFontName"] = font  # no unembedded Helvetica in the file
        super().__init__(*args, **kwargs)
        self._saved: list[dict] = []
        self._font = font

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            if total > 1:
                self.setFont(self._font, 14)
                self.drawCentredString(A4[0] / 2, 20 * mm, f"— {self._pageNumber} —")
            super().showPage()
        super().save()


def _styles(fonts: LetterFonts) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=fonts.body, fontSize=BODY_PT, leading=LEADING, alignment=TA_JUSTIFY,
                          firstLineIndent=2 * BODY_PT, wordWrap="CJK", bulletFontName=fonts.body)
    return {
        "title": ParagraphStyle("title", fontName=fonts.title, fontSize=TITLE_PT, leading=TITLE_PT * 1.6,
                                alignment=TA_CENTER, wordWrap="CJK", spaceAfter=6, bulletFontName=fonts.title),
        "number": ParagraphStyle("number", parent=body, alignment=TA_RIGHT, firstLineIndent=0),
        "addressee": ParagraphStyle("addressee", parent=body, firstLineIndent=0, alignment=TA_LEFT),
        "body": body,
        "sign": ParagraphStyle("sign", parent=body, alignment=TA_RIGHT, firstLineIndent=0, rightIndent=4 * BODY_PT),
        "cell": ParagraphStyle("cell", fontName=fonts.body, fontSize=12, leading=18, wordWrap="CJK",
                               bulletFontName=fonts.body),
        "cell_label": ParagraphStyle("cell_label", fontName=fonts.body, fontSize=12, leading=18, alignment=TA_CENTER,
                                     wordWrap="CJK", bulletFontName=fonts.body),
    }


def render(letter: Letter, out: Path | str, fonts: LetterFonts | None = None) -> Path:
    """Write ``letter`` as a PDF at ``out``; raises MissingGlyphs before writing anything."""
    fonts = fonts or letter_fonts()
    fonts.check(letter.all_text())
    forbid_line_start()
    st = _styles(fonts)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(out), pagesize=A4, topMargin=37 * mm, bottomMargin=35 * mm, leftMargin=28 * mm,
                            rightMargin=26 * mm, title=letter.title, author=letter.signature,
                            subject=letter.subject or letter.title, creator="政府信息公开申请办理系统")
    story = []
    if letter.draft:
        story.append(Paragraph(fonts.markup("（草稿，未编号，不得发出）"), st["number"]))
    story.append(Paragraph(fonts.markup(letter.title, fonts.title), st["title"]))
    if letter.doc_no:
        story.append(Paragraph(fonts.markup(letter.doc_no), st["number"]))
    story.append(Spacer(1, LEADING / 2))
    for i, text in enumerate(letter.paragraphs):
        style = st["addressee"] if i == 0 and text.rstrip().endswith("：") else st["body"]
        story.append(Paragraph(fonts.markup(text), style))
    if letter.table:
        story.append(_form_table(letter.table, fonts, st))
    if letter.steps:
        story.append(Spacer(1, 8))
        story.append(_steps_table(letter.steps, fonts, st))
    sign = [Spacer(1, LEADING * 1.5)]
    if letter.seal_image and Path(letter.seal_image).is_file():
        sign.append(Image(str(letter.seal_image), width=40 * mm, height=40 * mm, hAlign="RIGHT"))
    sign += [Paragraph(fonts.markup(letter.signature), st["sign"]),
             Paragraph(fonts.markup(chinese_date(letter.issued_on)), st["sign"])]
    story.append(KeepTogether(sign))
    doc.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, font=fonts.body, **k))
    return out


def _form_table(rows: list[tuple[str, str]], fonts: LetterFonts, st) -> Table:
    data = [[Paragraph(fonts.markup(a), st["cell_label"]), Paragraph(fonts.markup(b), st["cell"])] for a, b in rows]
    width = A4[0] - 54 * mm
    table = Table(data, colWidths=[width * 0.28, width * 0.72])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.8, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
    return table


def _steps_table(steps, fonts: LetterFonts, st) -> Table:
    header = [Paragraph(fonts.markup(h), st["cell_label"]) for h in ("环节", "意见", "签名", "日期")]
    data = [header] + [[Paragraph(fonts.markup(c), st["cell"]) for c in row] for row in steps]
    width = A4[0] - 54 * mm
    table = Table(data, colWidths=[width * 0.16, width * 0.50, width * 0.14, width * 0.20], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.8, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return table
