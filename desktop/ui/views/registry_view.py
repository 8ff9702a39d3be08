"""全部案件 / 我的待办: the registry list with filters, search, sort, colours and ledger export."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.application import APPLICANT_TYPES
from desktop.domain.workflow import STATE_LABELS
from desktop.services import agency, cases, registry_list
from desktop.services.base import Actor, Registry
from desktop.services.registry_list import DEADLINE_FILTERS, Filter
from desktop.ui.changes import FollowsChanges
from desktop.ui.dialogs.messages import Ask
from desktop.ui.models.registry_model import RegistryModel
from desktop.ui.workers import Worker

ALL = "全部"


def _combo(name: str, items: list[tuple[str, object]]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for label, value in items:
        box.addItem(label, value)
    return box


class RegistryView(FollowsChanges, QWidget):
    """A list of cases; refreshed when a change concerns cases (``ui.changes``)."""
    open_case = Signal(int)
    changes = Signal(object)  # services.base.Changes: the cases filed from the 待归档 list

    def __init__(self, reg: Registry, actor: Actor, queue: bool = False, parent: QWidget | None = None,
                 archive: bool = False):
        super().__init__(parent)
        self.reg, self.actor, self.queue, self.archive = reg, actor, queue, archive
        self.worker: Worker | None = None
        layout = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setObjectName("queue_banner")
        self.banner.setVisible(False)
        layout.addWidget(self.banner)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("申请编号（可只输尾号）、证件号码、电话，或申请内容、申请人")
        self.search.setClearButtonEnabled(True)
        self.state = _combo("state", [(ALL, None)] + [(label, key) for key, label in STATE_LABELS.items()])
        self.division = _combo("division", [(ALL, None)] + [
            (r["name"], r["id"]) for r in agency.divisions(reg)])
        this_year = reg.today().year
        first_year = cases.first_year(reg) or this_year
        self.year = _combo("year", [(ALL, None)] + [(f"{y}年", y) for y in range(this_year, first_year - 1, -1)])
        self.applicant_type = _combo("applicant_type", [(ALL, None)] + [(t, t) for t in APPLICANT_TYPES])
        self.outcome = _combo("outcome", [(ALL, None)] + [(label, code) for code, label in
                                                          registry_list.outcome_choices()])
        self.deadline = _combo("deadline", [(ALL, None)] + [(label, key) for key, label in DEADLINE_FILTERS.items()])
        bar.addWidget(self.search, 1)
        bar.addWidget(QLabel("期限"))
        bar.addWidget(self.deadline)
        bar.addWidget(QLabel("状态"))
        bar.addWidget(self.state)
        layout.addLayout(bar)
        bar2 = QHBoxLayout()
        for label, box in (("处室", self.division), ("年度", self.year), ("申请人类型", self.applicant_type),
                           ("办理结果", self.outcome)):
            bar2.addWidget(QLabel(label))
            bar2.addWidget(box)
        bar2.addStretch(1)
        layout.addLayout(bar2)

        self.model = RegistryModel(reg, self)
        if queue:  # the most urgent first: overdue, then by working days left
            self.model.filter = Filter(sort="due_on", descending=False)
        self.table = QTableView()
        self.table.setObjectName("registry_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if archive
                                    else QAbstractItemView.SelectionMode.SingleSelection)
        # The indicator first: enabling sorting then asks for the order the list already has (no reload).
        if queue:
            self.table.horizontalHeader().setSortIndicator(7, Qt.SortOrder.AscendingOrder)
        else:
            self.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(False)
        # every column visible in a 1366-pixel-wide window at these widths (the user may change them)
        for column, width in enumerate((100, 86, 130, 84, 240, 100, 80, 160, 110)):
            self.table.setColumnWidth(column, width)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setAlternatingRowColors(False)
        self.table.doubleClicked.connect(self._open_index)
        self.table.activated.connect(self._open_index)
        layout.addWidget(self.table, 1)

        foot = QHBoxLayout()
        self.count = QLabel()
        self.count.setObjectName("count")
        foot.addWidget(self.count, 1)
        legend = QLabel("<span style='background:#f8d0cc'>&nbsp;已超期&nbsp;</span> "
                        "<span style='background:#fde9b8'>&nbsp;即将到期&nbsp;</span> "
                        "<span style='background:#dde6f3'>&nbsp;暂停计时&nbsp;</span> "
                        "<span style='background:#ece4f5'>&nbsp;待补正&nbsp;</span>")
        foot.addWidget(legend)
        self.progress = QProgressBar()
        self.progress.setObjectName("export_progress")
        self.progress.setVisible(False)
        self.progress.setFormat("导出中 %v / %m")
        self.cancel = QPushButton("取消导出")
        self.cancel.setVisible(False)
        self.cancel.clicked.connect(self._cancel_export)
        self.print_button = QPushButton("打印列表(&P)…")
        self.print_button.setObjectName("print_list")
        self.print_button.setToolTip(f"打印当前筛选结果（最多前{registry_list.PRINT_AT_MOST:,}件）")
        self.print_button.clicked.connect(self.print_list)
        foot.addWidget(self.print_button)
        if archive:
            self.archive_button = QPushButton("归档所选(&A)")
            self.archive_button.setObjectName("archive_selected")
            self.archive_button.setToolTip("选中多行（Ctrl+A 全选）后一次归档")
            self.archive_button.clicked.connect(self.archive_selected)
            foot.addWidget(self.archive_button)
        self.export = QPushButton("导出台账(&E)…")
        self.export.setObjectName("export")
        self.export.setToolTip("把当前筛选结果导出为Excel台账（含计算列）")
        self.export.clicked.connect(self.export_ledger)
        foot.addWidget(self.progress)
        foot.addWidget(self.cancel)
        foot.addWidget(self.export)
        layout.addLayout(foot)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self.jump_or_filter)
        for box in (self.state, self.division, self.year, self.applicant_type, self.outcome, self.deadline):
            box.currentIndexChanged.connect(self.apply_filter)
        self.model.counted.connect(lambda _n: self._update_count())
        self.model.modelReset.connect(self._update_count)  # a sort by the header reloads the list too
        self.apply_filter()

    def set_banner(self, text: str, warn: bool) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        self.banner.setStyleSheet("padding:6px; font-weight:bold; " + (
            "background:#fdecea; color:#8a1c14;" if warn else "background:#e8f0fe; color:#1f4e8c;"))

    # -- filtering ----------------------------------------------------------------------------
    def current_filter(self) -> Filter:
        state = self.state.currentData()
        states = (state,) if state else ()
        if self.archive:
            states = tuple(s for s in registry_list.ARCHIVE_STATES if not state or s == state)
        return replace(
            self.model.filter,
            states=states,
            division_id=self.division.currentData(),
            year=self.year.currentData(),
            applicant_type=self.applicant_type.currentData(),
            outcome=self.outcome.currentData(),
            deadline=self.deadline.currentData(),
            text=self.search.text()[:200],
            queue_of=self.actor if self.queue else None,
            viewer=self.actor,
        )

    def jump_or_filter(self) -> None:
        """Enter in the search box: a case number (or the tail of one) that names one case opens it;
        anything else lists what it finds."""
        self.apply_filter()
        found = registry_list.lookup(self.reg, self.search.text(), self.actor)
        if found is not None and found.kind == "case_no" and self.model.total() == 1:
            case_id = self.model.case_id_at(0)
            if case_id is not None:
                self.open_case.emit(case_id)

    def apply_filter(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.current_filter())
        self._update_count()

    def refresh(self) -> None:
        self.model.reload()
        self._update_count()

    def _update_count(self) -> None:
        if self.model.sorting:
            self.count.setText("检索结果较多，正在按所选列排序…")
            return
        more = "（正在统计总数…）" if self.model.count_pending else ""
        if self.model.count == 0 and not self.model.count_pending:
            self.count.setText("没有待归档的案件" if self.archive else "没有待办案件" if self.queue
                               else "没有符合条件的案件")
            return
        self.count.setText(f"共 {self.model.count:,} 件{more}")

    def _open_index(self, index) -> None:
        case_id = self.model.case_id_at(index.row())
        if case_id is not None:
            self.open_case.emit(case_id)

    # -- bulk filing and printing ---------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [i for i in (self.model.case_id_at(r) for r in rows) if i is not None]

    def archive_selected(self) -> None:
        from desktop.services import handling
        from desktop.services.base import ServiceError

        ids = self.selected_ids()
        if not ids:
            Ask.error(self, "归档", "请先选中要归档的案件（Ctrl+A 全选）")
            return
        if not Ask.confirm(self, "归档", f"将选中的 {len(ids)} 件案件归档？", "归档"):
            return
        try:
            changed = handling.archive_many(self.reg, self.actor, ids)
        except ServiceError as exc:
            Ask.error(self, "归档", f"没有归档任何案件。{exc}")
            return
        self.refresh()
        self.changes.emit(changed)
        Ask.info(self, "归档", f"已归档 {len(changed.case_ids)} 件")

    def print_list(self) -> None:
        """The current filter's rows as a printed table (the system's print dialog, in Chinese)."""
        from PySide6.QtGui import QTextDocument

        printer = Ask.printer(self, "打印案件列表")
        if printer is None:
            return
        ids = registry_list.case_ids(self.reg, self.model.filter, 0, registry_list.PRINT_AT_MOST)
        document = QTextDocument()
        document.setHtml(registry_list.list_html(self.reg, self.model.filter, ids, self.count.text()))
        document.print_(printer)

    # -- export -------------------------------------------------------------------------------
    def export_ledger(self) -> None:
        if self.worker is not None:
            return
        path = Ask.save_path(self, "导出台账", f"台账-{self.reg.today().isoformat()}.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        f = self.model.filter
        self.progress.setRange(0, max(self.model.total(), 1))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel.setVisible(True)
        self.export.setEnabled(False)
        target = Path(path)

        def job(reg, progress):
            from desktop.services import ledger  # with openpyxl: loaded on the first export, not at start-up

            return ledger.export_ledger(reg, self.actor, target, case_ids=registry_list.case_ids(reg, f),
                                        progress=progress)

        self.worker = Worker(self.reg.target, self.reg.today, job, self)
        self.worker.progressed.connect(lambda done, total: self.progress.setValue(done))
        self.worker.succeeded.connect(lambda n: self._export_done(f"已导出 {n:,} 件到 {target}"))
        self.worker.failed.connect(lambda msg: self._export_done(f"导出失败：{msg}", error=True))
        self.worker.start()

    def _cancel_export(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def _export_done(self, message: str, error: bool = False) -> None:
        if self.worker is not None:
            self.worker.wait()
        self.worker = None
        self.progress.setVisible(False)
        self.cancel.setVisible(False)
        self.export.setEnabled(True)
        self.count.setText(f"共 {self.model.count:,} 件 · {message}")
        if error:
            Ask.error(self, "导出台账", message)
