"""The ledger's sheet read in pieces (documents/xlsx_stream.py) gives what python-calamine gives for
the whole sheet: the same headers, row numbers and values, whatever the writer and the layout."""

import re
import threading
import zipfile
from datetime import date

import pytest
import xlsxwriter

from desktop.documents import ledger_xlsx, xlsx_stream
from desktop.documents.ledger_xlsx import (
    COMPUTED_COLUMNS,
    INPUT_COLUMNS,
    LedgerFileError,
    read_ledger_values,
    write_ledger,
)


def _read(path, *, pieces=True):
    """(headers, [(number, values)]) as the import reads them, in pieces or (pieces=False) whole."""
    if not pieces:
        saved = ledger_xlsx.open_pieces
        ledger_xlsx.open_pieces = lambda _path: None
    try:
        headers, rows = read_ledger_values(path)
        return headers, [(number, list(values)) for number, values in rows]
    finally:
        if not pieces:
            ledger_xlsx.open_pieces = saved


@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of 1,500 bytes of XML (a few rows each), counted as they are read."""
    monkeypatch.setattr(xlsx_stream, "PIECE_BYTES", 1500)
    made = []
    parse = xlsx_stream.SheetPieces._parse

    def counted(self, body):
        made.append(len(body))
        return parse(self, body)

    monkeypatch.setattr(xlsx_stream.SheetPieces, "_parse", counted)
    return made


def _ledger_rows(n):
    return [{"申请编号": f"2026-{i:05d}", "收到日期": date(2026, 1 + i % 10, 1 + i % 28), "申请方式": "网络",
             "申请人类型": "自然人", "申请人": f"申请人{i}", "联系电话": "13812345678" if i % 3 else None,
             "申请内容": f"第{i}项 内容 <&> \"引号\"", "延期天数": (i % 20) or None, "备注": "" if i % 2 else "备注"}
            for i in range(1, n + 1)]


def test_the_programs_own_export_read_in_pieces_gives_the_whole_sheets_rows(tmp_path, small_pieces):
    path = tmp_path / "export.xlsx"
    write_ledger(path, ([row.get(h) for h in INPUT_COLUMNS] for row in _ledger_rows(300)))
    streamed = _read(path)
    assert len(small_pieces) > 50  # read in many pieces
    assert streamed == _read(path, pieces=False)
    headers, rows = streamed
    assert headers == list(INPUT_COLUMNS + COMPUTED_COLUMNS)
    assert [number for number, _ in rows] == list(range(2, 302))
    assert rows[41][1][:2] == ["2026-00042", date(2026, 3, 15)]
    assert rows[41][1][INPUT_COLUMNS.index("申请内容")] == '第42项 内容 <&> "引号"'
    assert rows[41][1][INPUT_COLUMNS.index("延期天数")] == 2.0


def test_a_sheet_written_elsewhere_with_gaps_and_shared_strings_keeps_excels_row_numbers(tmp_path, small_pieces):
    """A header in row 3 starting at column B, empty rows between, shared strings, 1904 dates, a
    column only some rows fill: every value where Excel shows it, rows numbered as Excel numbers them."""
    path = tmp_path / "other.xlsx"
    wb = xlsxwriter.Workbook(path, {"date_1904": True})  # (not in constant memory: shared strings)
    ws = wb.add_worksheet()
    dates = wb.add_format({"num_format": "yyyy-mm-dd"})
    headers = ["申请编号", "收到日期", "申请人", "申请内容", "备注"]
    for column, header in enumerate(headers, start=1):
        ws.write(2, column, header)
    expected = {}
    for i in range(1, 120):
        row = 3 + i + i // 10  # a row left empty every ten
        values = [f"N-{i}", date(2025, 12, i % 28 + 1), f"名字{i % 7}", "同样的内容", "有" if i % 25 == 0 else None]
        for column, value in enumerate(values, start=1):
            if isinstance(value, date):
                ws.write_datetime(row - 1, column, value, dates)
            elif value is not None:
                ws.write(row - 1, column, value)
        expected[row] = values
    ws.write(199, 7, "表外的值")  # beyond the headers: kept, ignored by the caller
    wb.close()
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(path).namelist()

    streamed = _read(path)
    assert len(small_pieces) > 5
    assert streamed == _read(path, pieces=False)
    read_headers, rows = streamed
    assert read_headers == ["", *headers]
    found = dict(rows)
    assert found.pop(200)[7] == "表外的值"
    assert sorted(found) == sorted(expected)
    for row, values in expected.items():
        assert found[row] == ["", *("" if v is None else v for v in values)]


def _rewritten(path, out, change):
    """``path`` with its first sheet's XML passed through ``change``."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item.filename, change(data) if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out


def test_rows_that_do_not_say_their_number_are_read_as_one_piece(tmp_path, small_pieces):
    path = tmp_path / "export.xlsx"
    write_ledger(path, ([row.get(h) for h in INPUT_COLUMNS] for row in _ledger_rows(80)))
    # rows 41 on without r="": the rows from there cannot be cut apart, and are numbered by their order
    unnumbered = _rewritten(path, tmp_path / "unnumbered.xlsx", lambda xml: re.sub(
        rb'<row r="(\d+)"', lambda m: b"<row" if int(m.group(1)) > 40 else m.group(0), xml))
    streamed = _read(unnumbered)
    assert streamed == _read(path) == _read(unnumbered, pieces=False)
    assert max(small_pieces) > 10 * 1500  # rows 41 to 81 in one piece


def test_large_shared_strings_or_no_dimension_read_the_sheet_whole(tmp_path, monkeypatch):
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(path)  # shared strings
    wb.add_worksheet().write_row(0, 0, ["收到日期", "申请人"])
    wb.worksheets()[0].write_row(1, 0, ["2026-11-02", "王喆"])
    wb.close()
    assert xlsx_stream.open_pieces(str(path)) is not None
    monkeypatch.setattr(xlsx_stream, "SHARED_STRINGS_MAX", 10)
    assert xlsx_stream.open_pieces(str(path)) is None
    assert _read(path) == (["收到日期", "申请人"], [(2, ["2026-11-02", "王喆"])])
    monkeypatch.undo()
    no_dimension = _rewritten(path, tmp_path / "nodim.xlsx", lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml))
    assert xlsx_stream.open_pieces(str(no_dimension)) is None
    assert _read(no_dimension) == _read(path)
    # a dimension of "A1" whatever the sheet holds (some writers): the rows' count is not known
    said_a1 = _rewritten(path, tmp_path / "a1.xlsx", lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', xml))
    assert xlsx_stream.open_pieces(str(said_a1)) is None
    headers, rows = read_ledger_values(said_a1)
    assert rows.total == 1 and list(rows) == [(2, ["2026-11-02", "王喆"])]


def test_a_sheet_damaged_partway_names_where_reading_stopped(tmp_path, small_pieces):
    path = tmp_path / "export.xlsx"
    write_ledger(path, ([row.get(h) for h in INPUT_COLUMNS] for row in _ledger_rows(200)))
    damaged = _rewritten(path, tmp_path / "damaged.xlsx",
                         lambda xml: xml.replace(b'<row r="150"', b'<row r="150"><c r="A150" t="n"><v>x</v></c><c'))
    headers, rows = read_ledger_values(damaged)
    with pytest.raises(LedgerFileError, match=r"damaged\.xlsx 已损坏，读到第1\d\d行附近无法继续"):
        for _ in rows:
            pass


def test_leaving_early_stops_the_reading_thread(tmp_path, small_pieces):
    path = tmp_path / "export.xlsx"
    write_ledger(path, ([row.get(h) for h in INPUT_COLUMNS] for row in _ledger_rows(300)))
    headers, rows = read_ledger_values(path)
    assert next(rows)[0] == 2
    rows.close()
    assert not [t for t in threading.enumerate() if t.name == "xlsx-pieces"]
    assert len(small_pieces) < 20  # the reading stopped soon after the rows taken


def test_an_import_of_a_ledger_damaged_after_batches_were_written_says_where_and_writes_nothing(
        registry, staff, tmp_path, monkeypatch):
    from desktop.services import ledger

    monkeypatch.setattr(ledger, "IMPORT_BATCH", 500)
    path = tmp_path / "export.xlsx"
    write_ledger(path, ([row.get(h) for h in INPUT_COLUMNS] for row in _ledger_rows(6000)))
    damaged = _rewritten(path, tmp_path / "damaged.xlsx",
                         lambda xml: xml.replace(b'<row r="5500"', b'<row r="5500"><c r="A5500" t="n"><v>x</v></c><c'))
    written = []
    write = ledger._Writer.write
    monkeypatch.setattr(ledger._Writer, "write", lambda self, *a: (written.append(len(a[0])), write(self, *a)))
    with pytest.raises(LedgerFileError, match=r"damaged\.xlsx 已损坏，读到第5\d\d\d行附近无法继续"):
        ledger.import_ledger(registry, staff["system"], damaged)
    assert sum(written) >= 3000  # batches were written before the damage was met (the child reads ahead)
    assert [registry.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("cases", "case_events", "applicants")] == [0, 0, 0]
    assert ledger.import_ledger(registry, staff["system"], path).rows == 6000


def test_a_refused_ledger_with_rows_above_its_header_gets_its_problems_on_excels_rows(
        registry, staff, tmp_path):
    import openpyxl

    from desktop.services import ledger
    from desktop.services.ledger import LedgerRejected

    path = tmp_path / "b3.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(2, 1, ["收到日期", "申请方式", "申请人类型", "申请人", "申请内容"])
    ws.write_row(3, 1, ["2026-11-02", "网络", "自然人", "王喆", "某文件"])
    ws.write_row(5, 1, ["2026-02-30", "网络", "自然人", "李堃", "某文件"])  # row 6 in Excel; row 5 empty
    wb.close()
    copy = tmp_path / "problems.xlsx"
    with pytest.raises(LedgerRejected) as refused:
        ledger.import_ledger(registry, staff["system"], path, errors_to=copy)
    assert str(refused.value).startswith("第6行 〔收到日期〕")
    rows = list(openpyxl.load_workbook(copy).worksheets[0].iter_rows(values_only=True))
    assert rows[2][6] == "问题" and rows[3][6] is None and rows[5][6].startswith("〔收到日期〕")
    assert [r[6] for r in rows if len(r) > 6 and r[6]] == ["问题", rows[5][6]]
    assert rows[5][1:5] == ("2026-02-30", "网络", "自然人", "李堃")
