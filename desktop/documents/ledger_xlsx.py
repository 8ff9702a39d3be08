"""The Excel ledger (台账) file format of interfaces.md: reading rows, writing rows."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

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
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    if not path.exists():
        raise LedgerFileError(f"找不到文件：{path}")
    if not path.is_file():
        raise LedgerFileError(f"{path} 是文件夹，不是Excel工作簿（.xlsx）" if path.is_dir()
                              else f"{path} 不是普通文件，无法读取")
    if path.stat().st_size == 0:
        raise LedgerFileError(f"{path.name} 是空文件，不是Excel工作簿（.xlsx）")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise LedgerFileError(f"{path.name} 不是有效的Excel工作簿（.xlsx），无法读取：{type(exc).__name__}") from None
    except Exception as exc:  # noqa: BLE001 - a damaged part (XML, styles) of a zip that looked right
        raise LedgerFileError(f"{path.name} 已损坏，无法读取：{type(exc).__name__}") from None
    ws = wb.worksheets[0] if wb.worksheets else None
    if ws is None:
        raise LedgerFileError(f"{path.name} 中没有工作表")
    rows = ws.iter_rows(values_only=True)
    try:
        header_row = next(rows)
    except StopIteration:
        raise LedgerFileError(f"{path.name} 的第一个工作表是空的（第1行应为列名）") from None
    except Exception as exc:  # noqa: BLE001
        wb.close()
        raise LedgerFileError(f"{path.name} 已损坏，无法读取：{type(exc).__name__}") from None
    headers = [str(h).strip() if h is not None else "" for h in header_row]

    def generate() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 1
        try:
            for number, values in enumerate(rows, start=2):
                if number > MAX_ROWS + 1:
                    raise LedgerFileError(f"行数超过{MAX_ROWS}行，请分批导入")
                if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                yield number, {h: _cell(v) for h, v in zip(headers, values, strict=False) if h}
        except LedgerFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - damaged sheet XML found while reading rows
            raise LedgerFileError(f"{path.name} 已损坏，读到第{number + 1}行附近无法继续：{type(exc).__name__}") from None
        finally:
            wb.close()

    return headers, generate()


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
                names = [str(v).strip() if v is not None else "" for v in values]
                column = names.index(PROBLEM_COLUMN) if PROBLEM_COLUMN in names else len(values)
            values += [None] * (column + 1 - len(values))
            out_row = [_copy_value(ws, v) for v in values]
            if number == 1:
                text: Any = PROBLEM_COLUMN
            else:
                text = "；".join(problems.get(number, ())) or None
            if text:
                from openpyxl.cell import WriteOnlyCell

                c = WriteOnlyCell(ws, value=text)
                c.data_type = "s"
                c.font = Font(bold=True, color="9C0006")
                if number > 1:
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


def write_ledger(path: str | Path, rows: Iterable[dict[str, Any]], total: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 columns: tuple[str, ...] = INPUT_COLUMNS + COMPUTED_COLUMNS) -> int:
    """Write the ledger (header row, then one row per case); returns the number of cases written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    target = Path(path)
    if target.is_dir():
        raise LedgerFileError(f"{target} 是文件夹，请给出要写入的文件名（.xlsx）")
    if not target.parent.is_dir():
        raise LedgerFileError(f"无法写入 {target}：文件夹 {target.parent} 不存在")
    if total is None:
        rows = list(rows)
        total = len(rows)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    # A write-only sheet has no <dimension>; without it read-only readers (openpyxl's
    # read_only=True, some importers) report max_row as None. The row count is known up front.
    last = f"{get_column_letter(max(len(columns), 1))}{total + 1}"
    ws.calculate_dimension = lambda: f"A1:{last}"
    widths = {"申请内容": 50, "申请人": 20, "通讯地址": 30, "办理结果": 28, "申请编号": 14}
    for i, name in enumerate(columns):
        ws.column_dimensions[get_column_letter(i + 1)].width = widths.get(name, 13)
    ws.freeze_panes = "A2"
    header = []
    for name in columns:
        c = WriteOnlyCell(ws, value=name)
        c.font = Font(bold=True)
        header.append(c)
    ws.append(header)
    count = 0
    for row in rows:
        out = []
        for name in columns:
            value = row.get(name)
            if isinstance(value, date) and name in DATE_COLUMNS:
                c = WriteOnlyCell(ws, value=value)
                c.number_format = "yyyy-mm-dd"
                out.append(c)
            elif isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                out.append(text_cell(ws, value))
            else:
                out.append(value)
        ws.append(out)
        count += 1
        if progress and count % 1000 == 0:
            progress(count, total or count)
    if count != total:
        raise RuntimeError(f"台账导出的行数（{count}）与预计（{total}）不一致")
    try:
        wb.save(path)
    except OSError as exc:
        raise LedgerFileError(f"无法写入 {path}：{exc.strerror or exc}") from None
    if progress:
        progress(count, total or count)
    return count

