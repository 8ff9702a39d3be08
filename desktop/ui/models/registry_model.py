"""The registry table over any number of cases: one count for the filter, then the visible rows
fetched a page at a time (an index walk each), so a million cases cost what one screenful costs."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from desktop.services import registry_list
from desktop.services.base import Registry
from desktop.services.registry_list import COLUMNS, Filter, Row, RowMaker

PAGE = 40  # rows per window: about a screenful (the next one costs a fraction of a millisecond)
CACHE_PAGES = 250
STATUS_COLOURS = {
    "overdue": QColor("#f8d0cc"),
    "due_soon": QColor("#fde9b8"),
    "paused": QColor("#dde6f3"),
    "awaiting_correction": QColor("#ece4f5"),
}
STATUS_TIPS = {
    "overdue": "已超过答复期限", "due_soon": "即将到期", "paused": "征求意见或缴费期间，暂停计时",
    "awaiting_correction": "等待申请人补正，期限未开始计算",
}


class _Counting(QRunnable):
    """Runs a registry_list.Count (or SortedIds) on a pool thread and hands the result to the model's
    thread."""

    def __init__(self, job, generation: int, done: Signal):
        super().__init__()
        self.job, self.generation, self.done = job, generation, done

    def run(self) -> None:
        try:
            result = self.job.run()
        except Exception:  # noqa: BLE001 - the model counts again on its own thread and reports that
            result = None
        try:
            self.done.emit(self.generation, result)
        except RuntimeError:  # the model was deleted meanwhile
            pass


class RegistryModel(QAbstractTableModel):
    """``count`` is what the view shows so far: the first page comes at once, and when the page is full
    the exact count follows from another thread (counting a million rows takes up to a few hundred
    milliseconds: neither the first page nor the user's typing waits for it)."""

    counted = Signal(int)
    _count_done = Signal(int, object)  # generation, count (None: cancelled or failed)
    _sort_done = Signal(int, object)  # generation, ordered ids (None: cancelled or failed)

    def __init__(self, reg: Registry, parent=None):
        super().__init__(parent)
        self.reg = reg
        self.filter = Filter()
        self.count = 0
        self.count_pending = False
        self._generation = 0
        self._pages: dict[int, list[Row]] = {}
        self._make: RowMaker | None = None  # the clock of the current filter: today, calendar, "due soon"
        self._counting: registry_list.Count | registry_list.SortedIds | None = None
        self._count_done.connect(self._background_counted)
        self._sort_done.connect(self._background_sorted)
        # A search listed in another order with many matches is sorted on another thread: until then
        # ``sorting`` is True and the list is empty; then ``_ids`` holds every id in order.
        self.sorting = False
        self._ids: list[int] | None = None

    # -- loading ------------------------------------------------------------------------
    def set_filter(self, f: Filter) -> None:
        make = RowMaker(self.reg)  # fetched before the reset: a failure leaves the old list intact
        sorting = registry_list.sorts_in_background(self.reg, f, make)
        first = [] if sorting else self._fetch(f, make, 0)
        self.beginResetModel()
        self.filter, self._make = f, make
        self._generation += 1
        self._pages = {0: first}
        self._ids, self.sorting = None, sorting
        self.count = len(first)
        self.count_pending = sorting or len(first) == PAGE
        self.endResetModel()
        self.stop_counting()
        if not self.count_pending:
            self.counted.emit(self.count)
        else:  # from the event loop: the first page is painted before anything else runs
            generation = self._generation
            QTimer.singleShot(0, lambda: self._start_count(generation))

    def _start_count(self, generation: int) -> None:
        if generation != self._generation or not self.count_pending:
            return
        if str(self.reg.target) != ":memory:":  # another thread needs a connection of its own to the file
            assert self._make is not None
            if self.sorting:
                self._counting = registry_list.SortedIds(self.reg, self.filter, self._make)
                QThreadPool.globalInstance().start(_Counting(self._counting, generation, self._sort_done))
            else:
                self._counting = registry_list.Count(self.reg, self.filter, self._make)
                QThreadPool.globalInstance().start(_Counting(self._counting, generation, self._count_done))
        else:
            self.total()

    def stop_counting(self) -> None:
        """Stop the background count, if one runs (the count then stays pending)."""
        if self._counting is not None:
            self._counting.cancel()
            self._counting = None

    def _background_counted(self, generation: int, exact: int | None) -> None:
        if generation != self._generation or not self.count_pending:
            return  # an earlier filter's count, or counted meanwhile by total()
        self._counting = None
        if exact is None:
            self.total()
        else:
            self._set_total(exact)

    def _background_sorted(self, generation: int, ids: list[int] | None) -> None:
        if generation != self._generation or not self.sorting:
            return
        self._counting = None
        if ids is None:
            self.total()
        else:
            self._set_ids(ids)

    def _set_ids(self, ids: list[int]) -> None:
        self.beginResetModel()
        self._ids, self.sorting, self._pages = ids, False, {}
        self.count, self.count_pending = len(ids), False
        self.endResetModel()
        self.counted.emit(self.count)

    def total(self) -> int:
        """The exact number of cases in the filter (counted, or sorted, now if it was still pending)."""
        if self.sorting:
            self.stop_counting()
            self._set_ids(registry_list.case_ids(self.reg, self.filter))
        elif self.count_pending:
            self.stop_counting()
            self._set_total(registry_list.case_count(self.reg, self.filter))
        return self.count

    def _set_total(self, exact: int) -> None:
        self.count_pending = False
        if exact > self.count:
            self.beginInsertRows(QModelIndex(), self.count, exact - 1)
            self.count = exact
            self.endInsertRows()
        self.counted.emit(self.count)

    def reload(self) -> None:
        """Run the current filter again (after a change by this or another seat)."""
        self.set_filter(self.filter)

    def _fetch(self, f: Filter, make: RowMaker, page_no: int, after: Row | None = None,
               total: int | None = None) -> list[Row]:
        return [make(r) for r in registry_list.page_columns(self.reg, f, page_no * PAGE, PAGE, make, after, total)]

    def _page(self, page_no: int) -> list[Row]:
        page = self._pages.get(page_no)
        if page is None:
            if len(self._pages) >= CACHE_PAGES:
                self._pages.pop(next(k for k in self._pages if k != 0))
            assert self._make is not None
            if self._ids is not None:  # sorted on another thread: the rows of the page's ids
                page = registry_list.rows_of(self.reg, self._ids[page_no * PAGE:(page_no + 1) * PAGE], self._make)
            else:
                before = self._pages.get(page_no - 1)  # scrolling down: seek from the row above
                after = before[-1] if before and len(before) == PAGE else None
                page = self._fetch(self.filter, self._make, page_no, after, None if self.count_pending else self.count)
            self._pages[page_no] = page
        return page

    def row_at(self, row: int) -> Row | None:
        if not 0 <= row < self.count:
            return None
        page_no, index = divmod(row, PAGE)
        page = self._pages.get(page_no) or self._page(page_no)
        return page[index] if index < len(page) else None

    def case_id_at(self, row: int) -> int | None:
        found = self.row_at(row)
        return found.id if found else None

    def all_ids(self) -> list[int]:
        """Every id of the current filter in order (for exports, which run off the GUI thread)."""
        if self._ids is not None:
            return list(self._ids)
        return registry_list.case_ids(self.reg, self.filter)

    # -- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.count

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cell(key)
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = STATUS_COLOURS.get(row.status)
            return QBrush(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "summary":
                return row.summary
            if key == "state" and row.return_comment:
                return f"退回意见：{row.return_comment}"
            return STATUS_TIPS.get(row.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "days_left":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][0]
        f = replace(self.filter, sort=key, descending=order == Qt.SortOrder.DescendingOrder)
        if f != self.filter:  # the same order again changes nothing
            self.set_filter(f)
