"""Hostile ledgers and formula injection (issue #15): what goes out stays text, what comes in is
checked like the registration form, and an unexpected file is one readable line, never a traceback."""

import openpyxl

from desktop.services import cases, ledger
from tests.helpers import person_form

FORMULAS = ['=HYPERLINK("http://x","点我")', "+86 cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)"]


def test_export_writes_formula_like_text_as_text(registry, staff, tmp_path):
    for i, text in enumerate(FORMULAS):
        cases.register_case(registry, staff["clerk"], person_form(name=text, request_text=f"{text} 第{i}件",
                                                                  address=text))
    out = tmp_path / "out.xlsx"
    assert ledger.export_ledger(registry, staff["system"], out) == len(FORMULAS)
    ws = openpyxl.load_workbook(out).worksheets[0]
    header = [c.value for c in ws[1]]
    found = []
    for row in ws.iter_rows(min_row=2):
        for column in ("申请人", "通讯地址"):
            cell = row[header.index(column)]
            assert cell.data_type == "s", (column, cell.value)
            found.append(cell.value)
    assert sorted(found) == sorted(FORMULAS * 2)
    # the file carries its size: read-only readers know how many rows there are
    ro = openpyxl.load_workbook(out, read_only=True)
    assert ro.worksheets[0].max_row == len(FORMULAS) + 1
    assert ro.worksheets[0].max_column == len(header)
    ro.close()


def test_an_empty_export_still_has_its_dimension(registry, staff, tmp_path):
    out = tmp_path / "empty.xlsx"
    assert ledger.export_ledger(registry, staff["system"], out, year=2001) == 0
    ro = openpyxl.load_workbook(out, read_only=True)
    assert ro.worksheets[0].max_row == 1
    ro.close()
