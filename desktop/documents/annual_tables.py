"""The annual report's tables as grids of cells (with spans), what every rendering must say about the
report (a draft, a year not over, failed checks), and the xlsx reproducing the official form.

The PDF (annual_pdf) and the web page (annual_html) draw the same grids."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop.domain.annual_report import (
    APPLICANT_COLUMNS,
    CORNER,
    PART2,
    PART3_HEADING,
    PART3_ROWS,
    PART4_COLUMNS,
    PART4_GROUPS,
    PARTS,
    AnnualReport,
)


@dataclass(frozen=True)
class Cell:
    r: int
    c: int
    value: str | int | float
    rs: int = 1
    cs: int = 1
    header: bool = False


@dataclass(frozen=True)
class Grid:
    title: str
    rows: int
    cols: int
    cells: list[Cell]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 4)


def part3_grid(report: AnnualReport) -> Grid:
    cells = [Cell(0, 0, CORNER, 3, 3, True), Cell(0, 3, "申请人情况", 1, 7, True), Cell(1, 3, "自然人", 2, 1, True),
             Cell(1, 4, "法人或其他组织", 1, 5, True), Cell(1, 9, "总计", 2, 1, True)]
    cells += [Cell(2, 4 + i, name, header=True) for i, name in enumerate(APPLICANT_COLUMNS[1:])]
    r = 3
    outcome_rows = [row for row in PART3_ROWS if row.key.startswith("三")]
    first_outcome = r + 2
    seen_groups: set[str] = set()
    for row in PART3_ROWS:
        if row.key in ("一", "二", "四"):
            cells.append(Cell(r, 0, row.label, 1, 3))
        else:
            if row.key == "三（一）":
                cells.append(Cell(first_outcome, 0, PART3_HEADING, len(outcome_rows), 1))
            if row.group is None:
                cells.append(Cell(r, 1, row.label, 1, 2))
            else:
                if row.group not in seen_groups:
                    size = sum(1 for x in PART3_ROWS if x.group == row.group)
                    cells.append(Cell(r, 1, row.group, size, 1))
                    seen_groups.add(row.group)
                cells.append(Cell(r, 2, row.label))
        for i, column in enumerate(APPLICANT_COLUMNS + ("总计",)):
            cells.append(Cell(r, 3 + i, report.part3[row.key][column]))
        r += 1
    return Grid(PARTS[2], r, 10, cells)


def part4_grid(report: AnnualReport) -> Grid:
    cells = [Cell(0, 0, "行政复议", 1, 5, True), Cell(0, 5, "行政诉讼", 1, 10, True)]
    for i, name in enumerate(PART4_COLUMNS):
        cells.append(Cell(1, i, name, 2, 1, True))
    cells += [Cell(1, 5, PART4_GROUPS[1], 1, 5, True), Cell(1, 10, PART4_GROUPS[2], 1, 5, True)]
    for g in range(2):
        cells += [Cell(2, 5 + g * 5 + i, name, header=True) for i, name in enumerate(PART4_COLUMNS)]
    values = [report.part4[group][column] for group in PART4_GROUPS for column in PART4_COLUMNS]
    cells += [Cell(3, i, v) for i, v in enumerate(values)]
    return Grid(PARTS[3], 4, 15, cells)


def part2_grid(report: AnnualReport) -> Grid:
    cells, r = [], 0
    for section, headers, items, fields in PART2:
        cells.append(Cell(r, 0, section, 1, 4, True))
        r += 1
        cells.append(Cell(r, 0, "信息内容", header=True))
        if len(headers) == 1:
            cells.append(Cell(r, 1, headers[0], 1, 3, True))
        else:
            cells += [Cell(r, 1 + i, h, header=True) for i, h in enumerate(headers)]
        r += 1
        for item in items:
            cells.append(Cell(r, 0, item))
            if len(fields) == 1:
                cells.append(Cell(r, 1, _number(report.part2.get((item, fields[0]), 0)), 1, 3))
            else:
                cells += [Cell(r, 1 + i, _number(report.part2.get((item, f), 0))) for i, f in enumerate(fields)]
            r += 1
    return Grid(PARTS[1], r, 4, cells)


def grids(report: AnnualReport) -> list[Grid]:
    return [part2_grid(report), part3_grid(report), part4_grid(report)]


# -- what every rendering says about the report --------------------------------------------------------
@dataclass(frozen=True)
class ReportState:
    """What a rendering must say on every page: the parts still missing (then it is a 草稿), the day the
    figures run to when the year is not over, and the integrity checks that failed."""
    missing: tuple[str, ...] = ()
    as_of: date | None = None
    failed: tuple[str, ...] = ()
    # A final report names the end of the registry's history it was counted from (ANCHOR_PATTERN), in
    # the file's properties: a published copy then proves later that no event was removed since.
    anchor: str = ""

    @property
    def draft(self) -> bool:
        return bool(self.missing)

    @property
    def unfinished(self) -> str:
        """``未结束年度（数据截至2026年11月20日）``, or "" for a year that is over."""
        d = self.as_of
        return f"未结束年度（数据截至{d.year}年{d.month}月{d.day}日）" if d else ""

    @property
    def marks(self) -> list[str]:
        """The words every page carries; none for a report that may be published."""
        return ([MARK_DRAFT] if self.draft else []) + ([self.unfinished] if self.as_of else []) + (
            [MARK_FAILED] if self.failed else [])

    @property
    def publishable(self) -> bool:
        return not self.marks

    def notes(self) -> list[str]:
        """One sentence per reason the report is not publishable, for the top of the first page."""
        out = []
        if self.draft:
            out.append("本报告为草稿，不能发布。尚未完成：" + "；".join(self.missing) + "。")
        if self.as_of:
            d = self.as_of
            out.append(f"本年度尚未结束，表中数据截至{d.year}年{d.month}月{d.day}日。")
        if self.failed:
            out.append("勾稽关系检查未通过，本报告不得发布：" + "；".join(self.failed) + "。")
        return out


MARK_DRAFT = "草稿"
MARK_FAILED = "勾稽关系检查未通过，不得发布"
PUBLISHED = ReportState()


def report_title(agency: str, year: int) -> str:
    return f"{agency}{year}年政府信息公开工作年度报告"


# -- where a label may break ------------------------------------------------------------------------------
# A table cell too narrow for its label breaks it only between these pieces (and after 、，：；), never
# inside a word: "社会公益/组织", not "社会公/益组织".
BREAKS = {
    "申请人情况": "申请人|情况", "法人或其他组织": "法人或|其他组织", "商业企业": "商业|企业", "科研机构": "科研|机构",
    "社会公益组织": "社会公益|组织", "法律服务机构": "法律服务|机构",
    "一、本年新收政府信息公开申请数量": "一、本年新收|政府信息公开|申请数量",
    "二、上年结转政府信息公开申请数量": "二、上年结转|政府信息公开|申请数量",
    "四、结转下年度继续办理": "四、结转下年度|继续办理", "三、本年度办理结果": "三、本年度|办理结果",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "（二）|部分公开|（区分处理的，只计这一情形，不计其他情形）",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请":
        "1.申请人|无正当理由|逾期不补正、行政机关|不再处理其|政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请":
        "2.申请人|逾期未按|收费通知要求|缴纳费用、行政机关|不再处理其|政府信息公开申请",
    "5.要求行政机关确认或重新出具已获取信息": "5.要求行政机关|确认或|重新出具|已获取信息",
    "2.没有现成信息需要另行制作": "2.没有现成信息|需要另行制作", "1.本机关不掌握相关政府信息": "1.本机关不掌握|相关政府信息",
    "3.补正后申请内容仍不明确": "3.补正后|申请内容|仍不明确", "4.无正当理由大量反复申请": "4.无正当理由|大量反复申请",
    "2.其他法律行政法规禁止公开": "2.其他法律|行政法规|禁止公开",
    "行政复议": "行政|复议", "行政诉讼": "行政|诉讼", "未经复议直接起诉": "未经复议|直接起诉", "复议后起诉": "复议后|起诉",
    "结果维持": "结果|维持", "结果纠正": "结果|纠正", "其他结果": "其他|结果", "尚未审结": "尚未|审结",
    "本年收费金额（单位：万元）": "本年收费金额|（单位：万元）", "本年处理决定数量": "本年|处理决定数量",
    "本年制发件数": "本年|制发件数", "本年废止件数": "本年|废止件数", "现行有效件数": "现行有效|件数",
}
_BREAK_AFTER = "、，：；。"
_GROUP_PREFIX = ("（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）")


def label_pieces(text: str) -> list[str]:
    """The label cut where a line may break; the pieces joined give the label back."""
    pieces = BREAKS.get(text, text).split("|")
    if len(pieces) == 1 and text.startswith(_GROUP_PREFIX) and len(text) > 3:
        pieces = [text[:3], text[3:]]
    out = []
    for piece in pieces:
        start = 0
        for i, ch in enumerate(piece):
            if (ch in _BREAK_AFTER and i - start >= 2 and i + 1 < len(piece)
                    and piece[i + 1] not in _BREAK_AFTER + "）”"):  # not after a numbering like 一、
                out.append(piece[start:i + 1])
                start = i + 1
        out.append(piece[start:])
    return [p for p in out if p]


# -- xlsx ------------------------------------------------------------------------------------------------
XLSX_FONT = "宋体"  # the name WPS, Excel and LibreOffice (by substitution) all know
_XLSX_WIDTHS = {1: [28, 20, 20, 20], 2: [12, 16, 44] + [15] * 7, 3: [10] * 15}  # by part index
_XLSX_TITLE_ROWS = {1: "1:1", 2: "1:4", 3: "1:4"}
_LINE_PT = 16.5  # one line of 11 pt 宋体 (LibreOffice's substitute CJK faces are taller than SimSun)
_PAD_PT = 5


def _units(text: str) -> float:
    """Width of ``text`` in column-width units (a CJK character is about two digits wide)."""
    return sum(1.1 if ord(ch) < 0x2E80 else 2.15 for ch in text)


def _lines_needed(text: str, width: float) -> int:
    """Lines a wrapped cell of ``width`` units takes for ``text``, breaking only between label pieces."""
    room = max(width - 1.5, 1.0)
    lines, used = 1, 0.0
    for piece in label_pieces(text) if text else []:
        w = _units(piece)
        if used and used + w > room:
            lines, used = lines + 1, 0.0
        if w > room:  # a piece wider than the cell: the program breaks it where it must
            extra = math.ceil(w / room) - 1
            lines, used = lines + extra, w - extra * room
        else:
            used += w
    return lines


def _height(lines: int, size: float = 11) -> float:
    return round(lines * _LINE_PT * size / 11 + _PAD_PT, 1)


ANCHOR_PATTERN = r"ddesk-history:event=(\d+):([0-9a-f]{64});audit=(\d+):([0-9a-f]{64}|-)"


def anchor_text(event_id: int, event_hash: str, audit_id: int, audit_hash: str | None) -> str:
    return f"ddesk-history:event={event_id}:{event_hash};audit={audit_id}:{audit_hash or '-'}"


def title_with_marks(title: str, state: ReportState) -> str:
    return "".join(f"【{m}】" for m in state.marks) + title


def write_xlsx(report: AnnualReport, path: Path | str, agency: str, state: ReportState = PUBLISHED) -> Path:
    """The tables of parts 二, 三 and 四 (one sheet each, laid out like the official form) and the checks.

    Every cell names a CJK font; row heights and column widths are set explicitly (no program has to
    guess them, so none draws text over its neighbours); each sheet prints on A4 landscape, one page
    wide, with its header rows repeated. A draft, a year not over or a failing check says so in the
    title row."""
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    plain, bold = Font(name=XLSX_FONT, size=11), Font(name=XLSX_FONT, size=11, bold=True)
    title_font = Font(name=XLSX_FONT, size=14, bold=True)
    wb = Workbook()
    wb.remove(wb.active)
    names = {PARTS[1]: "二、主动公开", PARTS[2]: "三、收到和处理申请", PARTS[3]: "四、复议诉讼"}

    def page_setup(ws, title_rows: str | None) -> None:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.8
        ws.page_margins.header, ws.page_margins.footer = 0.3, 0.3  # the page number below the table
        if title_rows:
            ws.print_title_rows = title_rows
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.center.font = XLSX_FONT

    def title_row(ws, text: str, cols: int, widths: list[float]) -> None:
        marks = "".join(f"【{m}】" for m in state.marks)
        cell = ws.cell(1, 1)
        if marks:
            red = InlineFont(rFont=XLSX_FONT, sz=14, b=True, color="C00000")
            black = InlineFont(rFont=XLSX_FONT, sz=14, b=True)
            cell.value = CellRichText(TextBlock(red, marks), TextBlock(black, text))
        else:
            cell.value = text
        cell.font = title_font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=cols)
        ws.row_dimensions[1].height = _height(_lines_needed(marks + text, sum(widths) * 11 / 14), 14)

    for index, grid in enumerate(grids(report), start=1):
        ws = wb.create_sheet(names[grid.title])
        widths = _XLSX_WIDTHS[index]
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        title_row(ws, f"{report_title(agency, report.year)}　{grid.title}", grid.cols, widths)
        top = 2
        lines = [1] * grid.rows
        for cell in grid.cells:
            target = ws.cell(top + cell.r, 1 + cell.c, cell.value)
            is_label = isinstance(cell.value, str) and not cell.header
            target.alignment = Alignment(horizontal="left" if is_label else "center", vertical="center",
                                         wrap_text=True)
            target.font = bold if cell.header else plain
            if cell.rs > 1 or cell.cs > 1:
                ws.merge_cells(start_row=top + cell.r, start_column=1 + cell.c,
                               end_row=top + cell.r + cell.rs - 1, end_column=1 + cell.c + cell.cs - 1)
            if isinstance(cell.value, str):
                needed = _lines_needed(cell.value, sum(widths[cell.c:cell.c + cell.cs]))
                share = math.ceil(needed / cell.rs)  # a cell over several rows shares their height
                for r in range(cell.r, cell.r + cell.rs):
                    lines[r] = max(lines[r], share)
        for r in range(grid.rows):
            ws.row_dimensions[top + r].height = _height(lines[r])
        for row in ws.iter_rows(min_row=top, max_row=top + grid.rows - 1, max_col=grid.cols):
            for c in row:
                c.border = border
                if c.font is None or c.font.name != XLSX_FONT:
                    c.font = plain
        page_setup(ws, _XLSX_TITLE_ROWS[index])

    ws = wb.create_sheet("勾稽关系检查")
    widths = [44, 12, 60]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    rows = [("检查项目", "结果", "说明")]
    rows += [(c.name, "通过" if c.passed else "未通过", c.detail) for c in report.checks]
    rows += [("", "", ""), ("结论", "全部通过" if report.passed else "检查未通过，本报告不能定稿", "")]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value if value != "" else None)
            cell.font = bold if r == 1 or values[0] == "结论" else plain
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            if r <= len(report.checks) + 1:
                cell.border = border
        ws.row_dimensions[r].height = _height(max(_lines_needed(str(v), w) for v, w in zip(values, widths, strict=True)))
    page_setup(ws, "1:1")
    if state.anchor:
        wb.properties.description = state.anchor
    wb.save(path)
    return Path(path)
