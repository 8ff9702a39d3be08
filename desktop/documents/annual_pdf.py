"""The annual report as one PDF, the version an agency publishes: the title, the six headed parts, the
office's texts, the tables, the fee sentence.

The integrity checks are not printed in a report that passes them (the screen and the command show
them); a draft, a year not yet over or a failing check is marked on every page."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.documents.annual_tables import (
    PUBLISHED,
    Grid,
    ReportState,
    label_pieces,
    part2_grid,
    part3_grid,
    part4_grid,
    report_title,
)
from desktop.documents.fonts import forbid_line_start, letter_fonts
from desktop.documents.letter_pdf import _NumberedCanvas
from desktop.domain.annual_report import PARTS, AnnualReport

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
PAD = 2  # cell padding, each side (points)
RED = HexColor("#C00000")

# Column widths (points) of the three tables on a portrait page: the numbers' columns are wide enough
# for 商业企业 and 科研机构 on one line; longer labels break between words (annual_tables.BREAKS).
PART3_SIZE = 8.5
PART3_WIDTHS = [48.0, 42.0] + [0.0] + [39.0] * 7
PART3_WIDTHS[2] = WIDTH - sum(PART3_WIDTHS)
PART4_SIZE = 8.5
PART4_WIDTHS = [WIDTH / 15] * 15
PART2_SIZE = 10
PART2_WIDTHS = [WIDTH * 0.31] + [WIDTH * 0.23] * 3


def cell_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` cut into lines that fit ``width``, breaking only between the label's pieces (a piece
    wider than the cell, which the widths above avoid, is cut where it must)."""
    room = width - 2 * PAD - 0.5
    lines, current = [], ""
    for piece in label_pieces(text):
        if stringWidth(current + piece, font, size) <= room:
            current += piece
            continue
        if current:
            lines.append(current)
            current = ""
        for ch in piece:
            if current and stringWidth(current + ch, font, size) > room:
                lines.append(current)
                current = ""
            current += ch
    if current or not lines:
        lines.append(current)
    return lines


def _table(grid: Grid, fonts, widths: list[float], size: float, header_rows: int) -> Table:
    center = ParagraphStyle("c", fontName=fonts.body, fontSize=size, leading=size * 1.3, wordWrap="CJK",
                            alignment=TA_CENTER, bulletFontName=fonts.body)
    left = ParagraphStyle("l", parent=center, alignment=TA_LEFT)
    data: list[list] = [[None] * grid.cols for _ in range(grid.rows)]
    commands = [("GRID", (0, 0), (-1, -1), 0.6, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONTNAME", (0, 0), (-1, -1), fonts.body),  # empty cells too: no Helvetica in the file
                ("TOPPADDING", (0, 0), (-1, -1), PAD), ("BOTTOMPADDING", (0, 0), (-1, -1), PAD),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD)]
    for cell in grid.cells:
        text = str(cell.value)
        if isinstance(cell.value, str):
            width = sum(widths[cell.c:cell.c + cell.cs])
            text = "<br/>".join(fonts.markup(line) for line in cell_lines(text, fonts.body, size, width))
        else:
            text = fonts.markup(text)
        is_label = isinstance(cell.value, str) and not cell.header
        data[cell.r][cell.c] = Paragraph(text, left if is_label else center)
        if cell.rs > 1 or cell.cs > 1:
            commands.append(("SPAN", (cell.c, cell.r), (cell.c + cell.cs - 1, cell.r + cell.rs - 1)))
    table = Table(data, colWidths=widths, repeatRows=header_rows)
    table.setStyle(TableStyle(commands))
    return table


def _marker(fonts, state: ReportState):
    """Draws the state's marks on a page (before its content): a red line at the top and, for a draft,
    a large pale 草稿 across the page."""
    line = " · ".join(state.marks)

    def draw(canvas, _doc) -> None:
        canvas.saveState()
        if state.draft:
            canvas.setFillColor(Color(0.75, 0, 0, alpha=0.10))
            canvas.setFont(fonts.body, 150)
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, -50, "草稿")
            canvas.rotate(-35)
            canvas.translate(-A4[0] / 2, -A4[1] / 2)
        canvas.setFillColor(RED)
        canvas.setFont(fonts.body, 11)
        canvas.drawRightString(A4[0] - MARGIN, A4[1] - 12 * mm, line)
        canvas.restoreState()

    return draw


def write_pdf(report: AnnualReport, path: Path | str, agency: str, texts: dict[str, str], fee_sentence: str,
              state: ReportState = PUBLISHED) -> Path:
    """The report as a PDF; ``state`` says whether (and why) it is not yet publishable."""
    fonts = letter_fonts()
    notes = state.notes()
    fonts.check("".join(texts.values()) + agency + fee_sentence + "".join(notes) + "".join(state.marks))
    forbid_line_start()
    title = ParagraphStyle("t", fontName=fonts.title, fontSize=18, leading=28, alignment=TA_CENTER, wordWrap="CJK",
                           bulletFontName=fonts.title, spaceAfter=6)
    heading = ParagraphStyle("h", fontName=fonts.body, fontSize=15, leading=26, spaceBefore=10, spaceAfter=4,
                             wordWrap="CJK", bulletFontName=fonts.body, keepWithNext=1)
    body = ParagraphStyle("b", fontName=fonts.body, fontSize=13, leading=22, firstLineIndent=26, wordWrap="CJK",
                          alignment=TA_JUSTIFY, bulletFontName=fonts.body)
    note = ParagraphStyle("n", parent=body, fontSize=11, leading=17, firstLineIndent=0, textColor=RED,
                          borderColor=RED, borderWidth=0.8, borderPadding=6, spaceBefore=4, spaceAfter=12)
    doc_title = report_title(agency, report.year)
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=20 * mm,
                            bottomMargin=26 * mm, title=doc_title + ("（草稿）" if state.draft else ""), keywords=state.anchor,
                            author=agency, creator="政府信息公开申请办理系统")

    def paragraphs(text: str):
        return [Paragraph(fonts.markup(p.strip()), body) for p in text.split("\n") if p.strip()]

    def head(index: int) -> Paragraph:
        return Paragraph(fonts.markup(PARTS[index]), heading)

    story = [Paragraph(fonts.markup(doc_title, fonts.title), title)]
    if notes:
        story += [Spacer(1, 4), Paragraph("<br/>".join(fonts.markup(n) for n in notes), note)]
    story += [Spacer(1, 4), head(0), *paragraphs(texts.get("一", ""))]
    story += [KeepTogether([head(1), _table(part2_grid(report), fonts, PART2_WIDTHS, PART2_SIZE, 0)])]
    story += [KeepTogether([head(2), _table(part3_grid(report), fonts, PART3_WIDTHS, PART3_SIZE, 3)])]
    story += [KeepTogether([head(3), _table(part4_grid(report), fonts, PART4_WIDTHS, PART4_SIZE, 3)])]
    story += [head(4), *paragraphs(texts.get("五", ""))]
    story += [head(5), *paragraphs(fee_sentence + "\n" + texts.get("六", ""))]
    on_page = _marker(fonts, state) if state.marks else (lambda _c, _d: None)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page,
              canvasmaker=lambda *a, **k: _NumberedCanvas(*a, font=fonts.body, **k))
    return Path(path)
