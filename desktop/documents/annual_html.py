"""The whole annual report as one web page, to paste into the agency's portal: the title, the six
parts, the tables and the fee sentence.

Self-contained: every style is written on its element (a portal's editor keeps those when the page is
pasted, and nothing else is needed), no script, no font, image or stylesheet from elsewhere. Label and
header cells break only between words (``<wbr>`` between the pieces of annual_tables.BREAKS and
``word-break: keep-all``), as in the PDF."""

from __future__ import annotations

from html import escape
from pathlib import Path

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
from desktop.domain.annual_report import PARTS, AnnualReport

FONT = "'SimSun','宋体','Songti SC','Noto Serif CJK SC','Source Han Serif SC',serif"
PAGE = (f"max-width:1120px;margin:0 auto;padding:24px 32px 48px;font-family:{FONT};font-size:16px;"
        "line-height:1.8;color:#000;background:#fff;position:relative")
H1 = "font-size:26px;font-weight:bold;text-align:center;margin:8px 0 24px;line-height:1.5"
H2 = "font-size:19px;font-weight:bold;margin:28px 0 10px;line-height:1.5"
P = "margin:0 0 10px;text-indent:2em;text-align:justify"
TABLE = "border-collapse:collapse;width:100%;font-size:14px;line-height:1.5;margin:6px 0 12px"
CELL = "border:1px solid #000;padding:5px 6px;vertical-align:middle;word-break:keep-all"
NOTE = ("border:2px solid #c00000;color:#c00000;padding:8px 14px;margin:0 0 18px;font-size:15px;"
        "line-height:1.7")
WATERMARK = ("position:fixed;left:0;right:0;top:38%;text-align:center;font-size:180px;font-weight:bold;"
             "color:rgba(192,0,0,0.09);transform:rotate(-30deg);pointer-events:none;z-index:0;"
             "user-select:none")
# Column widths (% of the table) so every header fits at 1280 px
COLUMNS = {PARTS[1]: [31, 23, 23, 23], PARTS[2]: [8, 9, 27] + [8] * 7, PARTS[3]: [100 / 15] * 15}


def _cell_text(value) -> str:
    if not isinstance(value, str):
        return escape(str(value))
    return "<wbr>".join(escape(p) for p in label_pieces(value))


def grid_html(grid: Grid) -> str:
    """One table: merged cells as row/column spans, labels left, numbers and headers centred."""
    covered: set[tuple[int, int]] = set()
    at = {(c.r, c.c): c for c in grid.cells}
    cols = "".join(f'<col style="width:{w:.2f}%">' for w in COLUMNS[grid.title])
    out = ['<div style="overflow-x:auto">', f'<table style="{TABLE}">', f"<colgroup>{cols}</colgroup>"]
    for r in range(grid.rows):
        out.append("<tr>")
        for c in range(grid.cols):
            if (r, c) in covered:
                continue
            cell = at.get((r, c))
            if cell is None:
                out.append(f'<td style="{CELL}"></td>')
                continue
            covered.update((r + dr, c + dc) for dr in range(cell.rs) for dc in range(cell.cs))
            tag = "th" if cell.header else "td"
            span = (f' rowspan="{cell.rs}"' if cell.rs > 1 else "") + (f' colspan="{cell.cs}"' if cell.cs > 1 else "")
            label = isinstance(cell.value, str) and not cell.header
            style = CELL + (";text-align:left" if label else ";text-align:center") + (
                ";font-weight:bold" if cell.header else "")
            out.append(f'<{tag}{span} style="{style}">{_cell_text(cell.value)}</{tag}>')
        out.append("</tr>")
    out += ["</table>", "</div>"]
    return "\n".join(out)


def report_html(report: AnnualReport, agency: str, texts: dict[str, str], fee_sentence: str,
                state: ReportState = PUBLISHED) -> str:
    """The page's text (a complete HTML document)."""
    title = report_title(agency, report.year)

    def paragraphs(text: str) -> list[str]:
        return [f'<p style="{P}">{escape(p.strip())}</p>' for p in text.split("\n") if p.strip()]

    def head(index: int) -> str:
        return f'<h2 style="{H2}">{escape(PARTS[index])}</h2>'

    body: list[str] = []
    if state.marks:
        marks = "".join(f"【{escape(m)}】" for m in state.marks)
        body.append(f'<div role="note" style="{NOTE}"><b>{marks}</b><br>'
                    + "<br>".join(escape(n) for n in state.notes()) + "</div>")
    body.append(f'<h1 style="{H1}">{escape(title)}</h1>')
    body += [head(0), *paragraphs(texts.get("一", ""))]
    body += [head(1), grid_html(part2_grid(report))]
    body += [head(2), grid_html(part3_grid(report))]
    body += [head(3), grid_html(part4_grid(report))]
    body += [head(4), *paragraphs(texts.get("五", ""))]
    body += [head(5), *paragraphs(fee_sentence + "\n" + texts.get("六", ""))]
    if state.draft:  # a fixed element prints on every page
        body.append(f'<div aria-hidden="true" style="{WATERMARK}">草稿</div>')
    page_title = "".join(f"【{m}】" for m in state.marks) + title
    return ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            + (f'<meta name="ddesk-history" content="{escape(state.anchor)}">\n' if state.anchor else "")
            + f"<title>{escape(page_title)}</title>\n</head>\n"
            '<body style="margin:0;background:#fff">\n'
            f'<div class="annual-report" style="{PAGE}">\n' + "\n".join(body) + "\n</div>\n</body>\n</html>\n")


def write_html(report: AnnualReport, path: Path | str, agency: str, texts: dict[str, str], fee_sentence: str,
               state: ReportState = PUBLISHED) -> Path:
    Path(path).write_text(report_html(report, agency, texts, fee_sentence, state), encoding="utf-8")
    return Path(path)
