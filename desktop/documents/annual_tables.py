"""The annual report's tables as grids of cells (with spans), and their three renderings: an xlsx
reproducing the official form, the report PDF, and HTML for the agency's website."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
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


# -- xlsx --------------------------------------------------------------------------------------------
def write_xlsx(report: AnnualReport, path: Path | str, agency: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook()
    wb.remove(wb.active)
    names = {PARTS[1]: "二、主动公开", PARTS[2]: "三、收到和处理申请", PARTS[3]: "四、复议诉讼"}
    for grid in grids(report):
        ws = wb.create_sheet(names[grid.title])
        ws.cell(1, 1, f"{agency}{report.year}年政府信息公开工作年度报告 {grid.title}").font = Font(bold=True, size=13)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=grid.cols)
        top = 2
        for cell in grid.cells:
            target = ws.cell(top + cell.r, 1 + cell.c, cell.value)
            target.alignment = Alignment(horizontal="center" if cell.header or not isinstance(cell.value, str)
                                         else "left", vertical="center", wrap_text=True)
            if cell.header:
                target.font = Font(bold=True)
            if cell.rs > 1 or cell.cs > 1:
                ws.merge_cells(start_row=top + cell.r, start_column=1 + cell.c,
                               end_row=top + cell.r + cell.rs - 1, end_column=1 + cell.c + cell.cs - 1)
        for row in ws.iter_rows(min_row=top, max_row=top + grid.rows - 1, max_col=grid.cols):
            for c in row:
                c.border = border
        widths = {PARTS[2]: [10, 14, 34] + [9] * 7, PARTS[1]: [22, 16, 16, 16], PARTS[3]: [8] * 15}[grid.title]
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws = wb.create_sheet("勾稽关系检查")
    ws.append(["检查项目", "结果", "说明"])
    for check in report.checks:
        ws.append([check.name, "通过" if check.passed else "未通过", check.detail])
    ws.append([])
    ws.append(["结论", "全部通过" if report.passed else "检查未通过，本报告不能定稿"])
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["C"].width = 60
    wb.save(path)
    return Path(path)


# -- HTML --------------------------------------------------------------------------------------------
def grid_html(grid: Grid) -> str:
    covered = set()
    at = {(c.r, c.c): c for c in grid.cells}
    out = ['<table border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse;text-align:center">']
    for r in range(grid.rows):
        out.append("<tr>")
        for c in range(grid.cols):
            if (r, c) in covered:
                continue
            cell = at.get((r, c))
            if cell is None:
                out.append("<td></td>")
                continue
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    covered.add((r + dr, c + dc))
            tag = "th" if cell.header else "td"
            span = (f' rowspan="{cell.rs}"' if cell.rs > 1 else "") + (f' colspan="{cell.cs}"' if cell.cs > 1 else "")
            align = ' style="text-align:left"' if isinstance(cell.value, str) and not cell.header else ""
            out.append(f"<{tag}{span}{align}>{escape(str(cell.value))}</{tag}>")
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def write_html(report: AnnualReport, path: Path | str, agency: str) -> Path:
    parts = [f"<h3>{escape(g.title)}</h3>\n{grid_html(g)}" for g in grids(report)]
    html = (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(agency)}{report.year}年政府信息公开工作年度报告（表格）</title></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")
    Path(path).write_text(html, encoding="utf-8")
    return Path(path)
