"""The annual report as one PDF: the six headed parts, the office's texts, the tables, the fee sentence."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.documents.annual_tables import Grid, part2_grid, part3_grid, part4_grid
from desktop.documents.fonts import forbid_line_start, letter_fonts
from desktop.documents.letter_pdf import _NumberedCanvas
from desktop.domain.annual_report import PARTS, AnnualReport


def _table(grid: Grid, fonts, widths: list[float], size: float) -> Table:
    cell_style = ParagraphStyle("c", fontName=fonts.body, fontSize=size, leading=size * 1.3, wordWrap="CJK",
                                alignment=TA_CENTER, bulletFontName=fonts.body)
    left = ParagraphStyle("l", parent=cell_style, alignment=0)
    data = [["" for _ in range(grid.cols)] for _ in range(grid.rows)]
    commands = [("GRID", (0, 0), (-1, -1), 0.6, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    for cell in grid.cells:
        style = left if isinstance(cell.value, str) and not cell.header and cell.c < 3 else cell_style
        data[cell.r][cell.c] = Paragraph(fonts.markup(str(cell.value)), style)
        if cell.rs > 1 or cell.cs > 1:
            commands.append(("SPAN", (cell.c, cell.r), (cell.c + cell.cs - 1, cell.r + cell.rs - 1)))
    table = Table(data, colWidths=widths, repeatRows=0)
    table.setStyle(TableStyle(commands))
    return table


def write_pdf(report: AnnualReport, path: Path | str, agency: str, texts: dict[str, str], fee_sentence: str) -> Path:
    fonts = letter_fonts()
    body_text = "".join(texts.values()) + agency + fee_sentence
    fonts.check(body_text)
    forbid_line_start()
    title = ParagraphStyle("t", fontName=fonts.title, fontSize=18, leading=28, alignment=TA_CENTER, wordWrap="CJK",
                           bulletFontName=fonts.title)
    heading = ParagraphStyle("h", fontName=fonts.body, fontSize=15, leading=26, spaceBefore=10, spaceAfter=4,
                             wordWrap="CJK", bulletFontName=fonts.body)
    body = ParagraphStyle("b", fontName=fonts.body, fontSize=13, leading=22, firstLineIndent=26, wordWrap="CJK",
                          alignment=TA_JUSTIFY, bulletFontName=fonts.body)
    width = A4[0] - 30 * mm
    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=f"{agency}{report.year}年政府信息公开工作年度报告",
                            author=agency, creator="政府信息公开申请办理系统")
    story = [Paragraph(fonts.markup(f"{agency}{report.year}年政府信息公开工作年度报告", fonts.title), title),
             Spacer(1, 8)]

    def paragraphs(text: str):
        return [Paragraph(fonts.markup(p.strip()), body) for p in text.split("\n") if p.strip()]

    story += [Paragraph(fonts.markup(PARTS[0]), heading), *paragraphs(texts.get("一", ""))]
    story += [Paragraph(fonts.markup(PARTS[1]), heading),
              _table(part2_grid(report), fonts, [width * 0.31] + [width * 0.23] * 3, 10)]
    label = [width * 0.09, width * 0.11, width * 0.31]
    story += [KeepTogether([Paragraph(fonts.markup(PARTS[2]), heading),
                            _table(part3_grid(report), fonts, label + [(width - sum(label)) / 7] * 7, 8.5)])]
    story += [Paragraph(fonts.markup(PARTS[3]), heading), _table(part4_grid(report), fonts, [width / 15] * 15, 8)]
    story += [Paragraph(fonts.markup(PARTS[4]), heading), *paragraphs(texts.get("五", ""))]
    story += [Paragraph(fonts.markup(PARTS[5]), heading), *paragraphs(fee_sentence + "\n" + texts.get("六", ""))]
    checks = "；".join(f"{c.name}：{'通过' if c.passed else '未通过（' + c.detail + '）'}" for c in report.checks)
    note = ParagraphStyle("n", parent=body, fontSize=9, leading=14, firstLineIndent=0, textColor="#555555")
    story += [Spacer(1, 10), Paragraph(fonts.markup(("勾稽关系检查：" if report.passed else "【检查未通过，不得发布】")
                                                    + checks), note)]
    doc.build(story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, font=fonts.body, **k))
    return Path(path)
