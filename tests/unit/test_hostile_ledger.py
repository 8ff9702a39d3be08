"""Hostile ledgers and formula injection (issue #15): what goes out stays text, what comes in is
checked like the registration form, and an unexpected file is one readable line, never a traceback."""

import openpyxl
import pytest

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


GOOD = {"收到日期": "2026-03-02", "申请方式": "网络", "申请人类型": "自然人", "申请人": "王喆", "申请内容": "某文件"}


def book(path, rows, headers=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    headers = headers or list(dict.fromkeys([h for row in rows for h in row]))
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as a clerk's Excel keeps it
    wb.save(path)
    return path


def with_huge_cell(path, marker, text):
    """Put ``text`` where ``marker`` is, in the sheet's XML (bypassing openpyxl's own limit)."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = next(n for n, data in parts.items() if marker.encode() in data)
    parts[name] = parts[name].replace(marker.encode(), text.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def rejected(registry, staff, path):
    before = registry.conn.execute("SELECT count(*) FROM cases").fetchone()[0]
    with pytest.raises(ledger.LedgerRejected) as exc:
        ledger.import_ledger(registry, staff["system"], path)
    assert registry.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == before
    return exc.value.problems


@pytest.mark.parametrize("column, value, message", [
    ("联系电话", "打电话找他", "第2行 〔联系电话〕 应为11位手机号"),
    ("电子邮箱", "wang#example", "第2行 〔电子邮箱〕 格式不正确"),
    ("证件类型", "驾驶证", "第2行 〔证件类型〕 应为居民身份证、护照"),
    ("证件号码", "110105194912310021", "第2行 〔证件号码〕 "),
])
def test_import_checks_contact_and_identity_like_the_form(registry, staff, tmp_path, column, value, message):
    from datetime import date

    from desktop.domain import application

    number = {"证件号码": "E12345678"} if column == "证件类型" else {}  # a type is checked with its number
    problems = rejected(registry, staff, book(tmp_path / "c.xlsx", [{**GOOD, column: value, **number}]))
    assert len(problems) == 1 and problems[0].startswith(message), problems
    # the same rule, worded the same, as on the registration form
    field = {"联系电话": "phone", "电子邮箱": "email", "证件类型": "id_type", "证件号码": "id_number"}[column]
    form = {"applicant_type": "自然人", "id_type": "居民身份证", "id_number": "E12345678", field: value}
    assert problems[0].endswith(application.check_field(field, value, form, date(2026, 11, 2)))


def test_an_organisation_cannot_carry_a_person_document(registry, staff, tmp_path):
    row = {**GOOD, "申请人类型": "商业企业", "申请人": "某公司", "证件类型": "居民身份证", "证件号码": "11010519491231002X"}
    problems = rejected(registry, staff, book(tmp_path / "o.xlsx", [row]))
    assert problems[0].startswith("第2行 〔证件类型〕 应为统一社会信用代码、其他之一"), problems


def test_good_contact_details_still_import(registry, staff, tmp_path):
    row = {**GOOD, "联系电话": 13812345678, "电子邮箱": "wang@example.com", "证件类型": "护照", "证件号码": "E12345678"}
    result = ledger.import_ledger(registry, staff["system"], book(tmp_path / "g.xlsx", [row]))
    assert result.rows == 1


INVISIBLE = ["\u0085", "\u009b", "\u200b", "\u200d", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff"]


@pytest.mark.parametrize("char", INVISIBLE)
@pytest.mark.parametrize("column", ["申请人", "申请内容", "联系电话", "证件类型", "承办处室", "办理结果", "收到日期",
                                    "申请编号", "旧台账序号"])
def test_invisible_characters_are_refused_in_every_column(registry, staff, tmp_path, char, column):
    value = {"收到日期": "2026-03-02", "联系电话": "13812345678", "证件类型": "护照", "办理结果": "部分公开",
             "承办处室": "规划处"}.get(column, "甲乙")
    value = value[:1] + char + value[1:]
    row = {**GOOD, column: value, **({"答复日期": "2026-05-20"} if column == "办理结果" else {})}
    problems = rejected(registry, staff, book(tmp_path / "i.xlsx", [row]))
    assert problems == [f"第2行 〔{column}〕 含有不可见的字符U+{ord(char):04X}（控制字符、双向文本标记或零宽字符），"
                        "请删除后重新输入"]


@pytest.mark.parametrize("column, limit", [("申请内容", 5000), ("申请人", 100), ("备注", 2000), ("证件类型", 20),
                                           ("办理结果", 60), ("收到日期", 30), ("旧台账序号", 32767)])
def test_an_over_long_cell_is_refused_by_name_with_the_limit(registry, staff, tmp_path, column, limit):
    huge = "政" * 10_000_000 if column == "申请内容" else "政" * 40_000
    # openpyxl cuts what it writes at Excel's 32,767 characters; other programs do not
    row = {**GOOD, column: "HUGE-CELL", **({"答复日期": "2026-05-20"} if column == "办理结果" else {})}
    path = book(tmp_path / "l.xlsx", [row])
    with_huge_cell(path, "HUGE-CELL", huge)
    problems = rejected(registry, staff, path)
    assert problems == [f"第2行 〔{column}〕 过长（{len(huge)}个字符，最多{limit}个）"]


def test_thousands_of_bad_rows_print_200_and_the_total_and_an_errors_copy(db_target, tmp_path, capsys,
                                                                          monkeypatch):
    from datetime import datetime

    from desktop.cli import main

    monkeypatch.delenv("DISCLOSURE_DESK_DB", raising=False)
    rows = [dict(GOOD, 申请人=f"申请人{i}") for i in range(3000)]
    for i in range(0, 3000, 2):
        rows[i]["联系电话"] = "无"
    rows[5]["申请内容"] = '=HYPERLINK("http://x","点我")'
    rows[7]["收到日期"] = datetime(2026, 3, 4)
    src = book(tmp_path / "many.xlsx", rows, headers=[*GOOD, "联系电话", "备注"])
    out = tmp_path / "errors.xlsx"
    assert main(["--db", str(db_target), "import-ledger", str(src), "--errors", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("第2行 〔联系电话〕 应为11位手机号")
    assert len([line for line in err if line.startswith("第")]) == 200
    assert err[200].startswith("…共1500个问题")
    assert str(out) in err[-1]
    from db.connection import open_raw

    assert open_raw(str(db_target)).execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == [*GOOD, "联系电话", "备注", "问题"]
    got = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(got) == 3000
    assert got[0][-1].startswith("〔联系电话〕 应为11位手机号") and got[1][-1] is None
    assert got[7][0] == datetime(2026, 3, 4)
    assert ws.cell(7, header.index("申请内容") + 1).data_type == "s"
    # fixed in Excel (the 问题 column left in place), it imports
    for r in range(2, 3002):
        ws.cell(r, header.index("联系电话") + 1).value = None
    wb.save(out)
    assert main(["--db", str(db_target), "import-ledger", str(out), "--errors", str(tmp_path / "again.xlsx")]) == 0
    assert not (tmp_path / "again.xlsx").exists()
    assert open_raw(str(db_target)).execute("SELECT count(*) FROM cases").fetchone()[0] == 3000


def _notice_2026():
    from tests.unit.test_calendar import NOTICE_2026

    return NOTICE_2026


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_calendar_notice_in_the_encodings_notepad_saves(db_target, tmp_path, capsys, monkeypatch, encoding):
    from desktop.cli import main

    monkeypatch.delenv("DISCLOSURE_DESK_DB", raising=False)
    notice = tmp_path / "n.txt"
    notice.write_bytes(_notice_2026().replace("\n", "\r\n").encode(encoding))
    assert main(["--db", str(db_target), "calendar", "import-notice", str(notice), "--year", "2026"]) == 0
    assert "国庆节：放假 10月1日、10月2日" in capsys.readouterr().out


def _unexpected(tmp_path, kind):
    path = tmp_path / {"dir": "folder.xlsx", "missing": "missing.xlsx"}.get(kind, f"{kind}.xlsx")
    if kind == "dir":
        path.mkdir()
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 40)
    elif kind == "pdf":
        path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "broken":  # a zip that looks like a workbook, with a damaged sheet
        import zipfile

        good = book(tmp_path / "good.xlsx", [GOOD])
        with zipfile.ZipFile(good) as z, zipfile.ZipFile(path, "w") as out:
            for n in z.namelist():
                data = z.read(n)
                out.writestr(n, data[: len(data) // 2] if n.endswith("sheet1.xml") else data)
    return path


KINDS = ["dir", "missing", "binary", "pdf", "empty", "broken"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", ["import-ledger", "import-ledger --dry-run", "import-ledger --errors",
                                     "export-ledger", "calendar import-notice"])
def test_an_unexpected_file_is_one_chinese_line_and_exit_2(db_target, tmp_path, capsys, monkeypatch, command,
                                                          kind):
    import re

    from desktop.cli import main

    monkeypatch.delenv("DISCLOSURE_DESK_DB", raising=False)
    path = _unexpected(tmp_path, kind)
    args = command.split()
    if args[-1] == "--errors":
        args += [str(tmp_path / "errors.xlsx")]
    if command == "export-ledger":
        if kind in ("binary", "pdf", "empty", "broken"):
            return  # an existing file is simply replaced
        if kind == "missing":
            path = tmp_path / "no-such-folder" / "out.xlsx"
    argv = ["--db", str(db_target), *args[:2], str(path), *args[2:]] if args[0] == "calendar" else \
        ["--db", str(db_target), args[0], str(path), *args[1:]]
    if args[0] == "calendar":
        argv += ["--year", "2026"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0] and re.search(r"[\u4e00-\u9fff]", err[0]), err


def test_the_same_ledger_imported_at_two_seats_at_once_is_refused_by_row_at_the_second(registry, staff, tmp_path):
    """Both seats pass the first check; the one that gets the write lock second is refused with the
    row and number, and nothing of its import is written."""
    import threading

    from desktop.services import ledger
    from desktop.services.base import Registry
    from tests.conftest import TODAY
    from tests.unit.test_ledger import write_book

    rows = [{"申请编号": f"T-{i}", "收到日期": "2026-09-01", "申请方式": "网络", "申请人类型": "自然人",
             "申请人": f"甲{i}", "申请内容": "某文件"} for i in range(300)]
    book = write_book(tmp_path / "same.xlsx", rows)
    results, start = [], threading.Barrier(2)

    def seat():
        reg = Registry.open(registry.target, today=lambda: TODAY)
        try:
            start.wait()
            results.append(ledger.import_ledger(reg, staff["system"], book).rows)
        except ledger.LedgerRejected as exc:
            results.append(exc.problems)
        except Exception as exc:  # noqa: BLE001 - anything else is a failure to report
            results.append(repr(exc))
        finally:
            reg.close()

    threads = [threading.Thread(target=seat) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 300 in results, results
    refused = next(r for r in results if r != 300)
    assert str(refused[0]) == "第2行 〔申请编号〕 “T-0”已在系统中存在"
    assert registry.conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 300
