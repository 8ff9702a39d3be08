"""The Excel ledger (台账) file format of interfaces.md: reading rows (python-calamine), writing rows
(XlsxWriter), and the copy of a refused ledger with its problems (openpyxl)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from desktop.documents.xlsx_stream import Piece, PieceError, open_pieces

INPUT_COLUMNS = (
    "申请编号", "收到日期", "申请方式", "申请人类型", "申请人", "证件类型", "证件号码", "联系电话",
    "通讯地址", "电子邮箱", "申请内容", "承办处室", "补正告知日期", "补正收到日期", "延期天数",
    "暂停开始日期", "暂停结束日期", "办理结果", "答复日期", "备注",
)
COMPUTED_COLUMNS = ("答复期限", "剩余工作日", "办理状态", "是否超期", "年报统计行")
REQUIRED_COLUMNS = ("收到日期", "申请方式", "申请人类型", "申请人", "申请内容")
DATE_COLUMNS = {"收到日期", "补正告知日期", "补正收到日期", "暂停开始日期", "暂停结束日期", "答复日期", "答复期限"}
MAX_ROWS = 2_000_000
MAX_CELL = 32767  # Excel's own limit
# Text starting with one of these is a formula to Excel, WPS and LibreOffice when typed (or, for "=",
# when openpyxl writes it): the export keeps it as text (formula injection, issue #15).
FORMULA_PREFIXES = ("=", "+", "-", "@")


class LedgerFileError(ValueError):
    """The file is not a ledger we can read; the message is for the user."""


def _cell(value: Any) -> Any:
    if value == "" or value is None:  # an empty cell (the reader gives "" for one)
        return None
    if isinstance(value, datetime):
        return value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def read_ledger(path: str | Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """Headers found, and (row number, {header: value}) for each non-empty row of the first sheet.

    Unknown headers are kept (the caller may warn); missing required ones are the caller's to report.
    Read with python-calamine (Rust): ≈9× faster than openpyxl's read-only mode, the same values
    (numbers, dates, text; a formula's last computed value).
    """
    headers, rows = read_ledger_values(path)
    return headers, ((number, row_dict(headers, values)) for number, values in rows)


def row_dict(headers: list[str], values: Sequence[Any]) -> dict[str, Any]:
    """A row as read (``read_ledger_values``) as {header: value}, each value cleaned (``_cell``)."""
    return {h: _cell(v) for h, v in zip(headers, values, strict=False) if h}


def read_ledger_values(path: str | Path) -> tuple[list[str], Iterator[tuple[int, Sequence[Any]]]]:
    """``read_ledger`` without the dict per row: (row number, the reader's own values in header order,
    not yet cleaned: "" for an empty cell, text not trimmed, whole numbers as float). For a caller that
    looks at the values itself (the import's check of a clean row); ``row_dict`` makes the dict.

    The header is the sheet's first row that holds anything; rows are numbered as Excel numbers them
    and their values start at column A, as many as the headers (a value beyond the last header is
    kept; the caller ignores it). The sheet is read piece by piece as the rows are taken
    (``xlsx_stream``) when it is laid out for that, else whole first."""
    path = Path(path)
    if not path.exists():
        raise LedgerFileError(f"找不到文件：{path}")
    if not path.is_file():
        raise LedgerFileError(f"{path} 是文件夹，不是Excel工作簿（.xlsx）" if path.is_dir()
                              else f"{path} 不是普通文件，无法读取")
    if path.stat().st_size == 0:
        raise LedgerFileError(f"{path.name} 是空文件，不是Excel工作簿（.xlsx）")
    pieces = open_pieces(str(path))
    if pieces is None:
        return _read_whole(path)
    found = iter(pieces)
    try:
        first = next(found)
    except StopIteration:
        pieces.close()
        raise LedgerFileError(f"{path.name} 的第一个工作表是空的（第1行应为列名）") from None
    except Exception as exc:  # noqa: BLE001 - the sheet's XML (or the zip around it) is damaged
        pieces.close()
        raise LedgerFileError(f"{path.name} 已损坏，无法读取：{_cause(exc)}") from None

    def rest() -> Iterator[Piece]:
        yield first
        yield from found

    return _rows_of(path, rest(), pieces.last_row - 1, pieces.close)


def _read_whole(path: Path) -> tuple[list[str], LedgerRows]:
    """The sheet read whole by python-calamine first (a layout ``xlsx_stream`` does not read in
    pieces), its rows then taken one by one."""
    from python_calamine import CalamineError, CalamineWorkbook, ZipError

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except (ZipError, OSError, ValueError, TypeError) as exc:
        raise LedgerFileError(f"{path.name} 不是有效的Excel工作簿（.xlsx），无法读取：{type(exc).__name__}") from None
    except Exception as exc:  # noqa: BLE001 - a damaged part (XML, styles) of a zip that looked right
        raise LedgerFileError(f"{path.name} 已损坏，无法读取：{type(exc).__name__}") from None
    try:
        if not wb.sheet_names:
            raise LedgerFileError(f"{path.name} 中没有工作表")
        sheet = wb.get_sheet_by_index(0)
        start, end = sheet.start, sheet.end
        if start is None or end is None:
            raise LedgerFileError(f"{path.name} 的第一个工作表是空的（第1行应为列名）")
        # (python-calamine's rows start at the sheet's first row, their values at its first column
        # that holds anything)
        whole = Piece(start[0], start[1], islice(sheet.iter_rows(), start[0], None))
        del sheet
    except LedgerFileError:
        wb.close()
        raise
    except (CalamineError, Exception) as exc:  # noqa: BLE001 - the sheet's XML is damaged
        wb.close()
        raise LedgerFileError(f"{path.name} 已损坏，无法读取：{type(exc).__name__}") from None
    return _rows_of(path, iter([whole]), end[0], wb.close)


def _cause(exc: BaseException) -> str:
    return type(exc.cause if isinstance(exc, PieceError) else exc).__name__


def _rows_of(path: Path, pieces: Iterator[Piece], last: int, close: Callable[[], None]
             ) -> tuple[list[str], LedgerRows]:
    """The headers and rows of ``read_ledger_values`` from the sheet's pieces (the first holds the
    header; ``last``: the sheet's last row, counted from 0)."""
    first = next(pieces)
    values = iter(first.rows)
    try:
        header_row = [""] * first.column + list(next(values))
    except Exception as exc:  # noqa: BLE001 - the sheet's XML is damaged
        close()
        raise LedgerFileError(f"{path.name} 已损坏，无法读取：{_cause(exc)}") from None
    headers = [str(_cell(h)).strip() if _cell(h) is not None else "" for h in header_row]
    while headers and not headers[-1]:
        headers.pop()
    width, header_at = len(headers), first.row

    def generate() -> Iterator[tuple[int, Sequence[Any]]]:
        number = header_at + 1
        try:
            for piece, rows, start in _following(first, values, pieces):
                pad = [""] * piece.column
                for number, values_ in enumerate(rows, start=start):
                    if number > MAX_ROWS + 1:
                        raise LedgerFileError(f"行数超过{MAX_ROWS}行，请分批导入")
                    if pad:
                        values_ = pad + values_
                    if len(values_) != width:
                        if len(values_) < width:
                            values_ = values_ + [""] * (width - len(values_))
                        elif all(v == "" for v in values_[width:]):  # nothing beyond the headers: not kept
                            values_ = values_[:width]
                    first_cell = values_[0] if values_ else None
                    if not (first_cell.__class__ is str and first_cell and not first_cell.isspace()) and all(
                            v == "" or v is None or (isinstance(v, str) and not v.strip()) for v in values_):
                        continue  # (a row whose first cell holds text is not empty: most rows, told at once)
                    yield number, values_
        except LedgerFileError:
            raise
        except PieceError as exc:
            raise LedgerFileError(f"{path.name} 已损坏，读到第{exc.after_row + 1}行附近无法继续："
                                  f"{_cause(exc)}") from None
        except Exception as exc:  # noqa: BLE001 - damaged sheet data found while reading rows
            raise LedgerFileError(f"{path.name} 已损坏，读到第{number + 1}行附近无法继续：{type(exc).__name__}") from None
        finally:
            close()

    return headers, LedgerRows(generate(), max(0, last - header_at))


def _following(first: Piece, rest_of_first: Iterator[list[Any]], pieces: Iterator[Piece]
               ) -> Iterator[tuple[Piece, Iterator[list[Any]], int]]:
    """Each piece with its rows still to take and the row number (Excel's) of the first of them."""
    yield first, rest_of_first, first.row + 2
    for piece in pieces:
        yield piece, iter(piece.rows), piece.row + 1


class LedgerRows:
    """The rows of ``read_ledger_values``: an iterator, with ``total`` the rows the sheet spans (empty
    ones too: for a progress bar) and ``close`` letting the file go before the end."""

    def __init__(self, rows: Iterator[tuple[int, Sequence[Any]]], total: int):
        self._rows, self.total = rows, total

    def __iter__(self) -> LedgerRows:
        return self

    def __next__(self) -> tuple[int, Sequence[Any]]:
        return next(self._rows)

    def close(self) -> None:
        self._rows.close()


def text_cell(ws: Any, value: str) -> Any:
    """A cell that holds ``value`` as text even when it looks like a formula (=, +, -, @):
    stored as a string, with Excel's quote prefix so that editing it does not turn it into one."""
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws, value=value)
    c.data_type = "s"
    c.quotePrefix = True
    return c


PROBLEM_COLUMN = "问题"


def _copy_value(ws: Any, value: Any) -> Any:
    """A value read from a ledger, as a cell of the copy: formula-like text stays text, a value openpyxl
    cannot write (C0 controls, more than Excel's limit) is made visible / cut (the row is refused anyway)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, datetime | date):
        c = WriteOnlyCell(ws, value=value)
        c.number_format = "yyyy-mm-dd" if not isinstance(value, datetime) or value.time() == datetime.min.time() \
            else "yyyy-mm-dd hh:mm"
        return c
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub(lambda m: chr(0x2400 + ord(m.group())), value)[:MAX_CELL]
    return text_cell(ws, value) if value.startswith(FORMULA_PREFIXES) else value


def write_problem_copy(source: str | Path, out: str | Path, problems: dict[int, list[str]]) -> None:
    """Copy the first sheet of ``source`` to ``out`` with a 问题 column (replacing one already there)
    holding each row's problems, so the clerk can fix the file in Excel and import it again."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.styles import Font, PatternFill

    try:
        src = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - already read once; any failure is a file problem
        raise LedgerFileError(f"无法再次读取 {Path(source).name}：{type(exc).__name__}") from None
    try:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("台账")
        red = PatternFill("solid", fgColor="FFC7CE")
        column = None
        for number, values in enumerate(src.worksheets[0].iter_rows(values_only=True), start=1):
            values = list(values or ())
            if column is None:
                if all(v is None for v in values):  # above the header (the first row holding anything)
                    ws.append([])
                    continue
                header_at = number
                names = [str(v).strip() if v is not None else "" for v in values]
                column = names.index(PROBLEM_COLUMN) if PROBLEM_COLUMN in names else len(values)
            values += [None] * (column + 1 - len(values))
            out_row = [_copy_value(ws, v) for v in values]
            if number == header_at:
                text: Any = PROBLEM_COLUMN
            else:
                text = "；".join(problems.get(number, ())) or None
            if text:
                from openpyxl.cell import WriteOnlyCell

                c = WriteOnlyCell(ws, value=text)
                c.data_type = "s"
                c.font = Font(bold=True, color="9C0006")
                if number > header_at:
                    c.fill = red
                text = c
            out_row[column] = text
            ws.append(out_row)
        wb.save(out)
    except LedgerFileError:
        raise
    except OSError as exc:
        raise LedgerFileError(f"无法写入问题清单 {out}：{exc.strerror or exc}") from None
    finally:
        src.close()


WIDTHS = {"申请内容": 50, "申请人": 20, "通讯地址": 30, "办理结果": 28, "申请编号": 14}
# xlsxwriter, told never to guess: a text stays text (no formula, number or link made of it)
WRITER_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                  "strings_to_urls": False}


SEND_BATCH = 500  # rows handed to the writing process at a time


def write_ledger(path: str | Path, rows: Iterable[dict[str, Any] | Sequence[Any]], total: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 columns: tuple[str, ...] = INPUT_COLUMNS + COMPUTED_COLUMNS) -> int:
    """Write the ledger (header row, then one row per case); returns the number of cases written.

    A row is a dict by header or a sequence in ``columns`` order. The workbook is written by a process
    of its own (``writer_main``, the built program with ``--ledger-writer``) while this one reads and
    computes the next rows — XlsxWriter is most of an export's time, and a core is free. Written in
    XlsxWriter's constant-memory mode (each row goes to disk as it comes: memory stays the same for
    any number of rows), dates as date cells, text always as text (formula-like text also with Excel's
    quote prefix, so editing the cell keeps it text), and the sheet's dimension. The file appears only
    when complete: a cancelled or failed export leaves nothing behind."""
    from desktop.child import Child, ChildGone

    target = Path(path)
    if target.is_dir():
        raise LedgerFileError(f"{target} 是文件夹，请给出要写入的文件名（.xlsx）")
    if not target.parent.is_dir():
        raise LedgerFileError(f"无法写入 {target}：文件夹 {target.parent} 不存在")
    partial = target.with_name(f".{target.name}.part")
    count = 0
    try:
        try:
            writer = Child("--ledger-writer", "desktop.documents.ledger_xlsx", (str(partial), tuple(columns)),
                           "writer_main")
        except (OSError, ChildGone) as exc:
            raise LedgerFileError(f"无法启动写入台账的进程（{exc}）") from None
        with writer:
            every = max(1, min(1000, (total or 0) // 100)) if total else 1000
            batch: list[Sequence[Any]] = []
            try:
                for row in rows:
                    count += 1
                    batch.append([row.get(name) for name in columns] if isinstance(row, dict) else row)
                    if len(batch) == SEND_BATCH:
                        writer.send(batch)
                        batch = []
                    if progress and count % every == 0:
                        progress(count, total or count)
                if total is not None and count != total:
                    raise RuntimeError(f"台账导出的行数（{count}）与预计（{total}）不一致")
                if progress:
                    progress(count, total or count)  # the last chance to cancel: nothing is written yet
                writer.send(batch)
                writer.send(None)
                answer = writer.receive()
            except ChildGone as gone:
                raise LedgerFileError(f"写入台账的进程意外退出，未导出（{gone}）") from None
        if answer[0] == "error":
            raise LedgerFileError(f"无法写入 {path}：{answer[1]}")
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise LedgerFileError(f"无法写入 {path}：{exc.strerror or exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def writer_main() -> int:
    """The writing process (``write_ledger``): given (the file, the columns), then batches of rows and
    None at the end, it writes the workbook and answers ("done", rows) or ("error", why)."""
    import xlsxwriter

    from desktop.child import own_pipes, pack, receive

    requests, replies = own_pipes()
    file, columns = receive(requests)
    count = 0
    try:
        wb = xlsxwriter.Workbook(file, WRITER_OPTIONS)
        ws = wb.add_worksheet("台账")
        bold = wb.add_format({"bold": True})
        day = wb.add_format({"num_format": "yyyy-mm-dd"})
        quoted = wb.add_format({"quote_prefix": True})
        ws.freeze_panes(1, 0)
        for i, name in enumerate(columns):
            ws.write_string(0, i, name, bold)
        text, number, when, boolean = ws.write_string, ws.write_number, ws.write_datetime, ws.write_boolean
        dates = frozenset(i for i, name in enumerate(columns) if name in DATE_COLUMNS)
        while (batch := receive(requests)) is not None:
            for values in batch:
                count += 1
                for i, value in enumerate(values):
                    if value is None:
                        continue
                    kind = type(value)
                    if kind is str:
                        if value.startswith(FORMULA_PREFIXES):
                            text(count, i, value, quoted)
                        elif value:
                            text(count, i, value)
                    elif kind is int or kind is float:
                        number(count, i, value)
                    elif kind is date or kind is datetime:
                        when(count, i, value, day if i in dates or kind is date else None)
                    elif kind is bool:
                        boolean(count, i, value)
                    else:
                        text(count, i, str(value))
        # The widths last: they are written with the sheet at close all the same, and set before the rows
        # XlsxWriter would look each cell's column up for a format (none here): a few per cent of the writing.
        for i, name in enumerate(columns):
            ws.set_column(i, i, WIDTHS.get(name, 13))
        wb.close()
    except OSError as exc:
        replies.write(pack(("error", exc.strerror or str(exc))))
        return 0
    except EOFError:  # the program has gone (or cancelled): the part written is removed by it
        return 0
    replies.write(pack(("done", count)))
    return 0


if __name__ == "__main__":
    raise SystemExit(writer_main())
