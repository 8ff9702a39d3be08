"""The cases behind a number: a short list opened from the statistics; a double click opens a case."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services import registry_list
from desktop.services.base import Registry

COLUMNS = (("case_no", "申请编号"), ("received_on", "收到日期"), ("applicant", "申请人"), ("summary", "申请内容"),
           ("division", "主办处室"), ("state", "办理状态"), ("due_on", "答复期限"))
SHOWN_AT_MOST = 5000


class CaseListDialog(QDialog):
    open_case = Signal(int)

    def __init__(self, reg: Registry, title: str, case_ids: list[int], note: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("case_list_dialog")
        layout = QVBoxLayout(self)
        shown = case_ids[:SHOWN_AT_MOST]
        text = f"共 {len(case_ids):,} 件" if case_ids else "没有符合条件的案件"
        if len(case_ids) > len(shown):
            text += f"，列出最近收到的 {len(shown):,} 件（全部案件请在“全部案件”中筛选）"
        if note:
            text += f"。{note}"
        self.summary = QLabel(text + ("。双击一行打开案件。" if case_ids else ""))
        self.summary.setObjectName("case_list_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        rows = registry_list.rows_of(reg, shown, registry_list.RowMaker(reg))
        self.ids = [r.id for r in rows]
        self.table = QTableWidget(len(rows), len(COLUMNS))
        self.table.setObjectName("case_list")
        self.table.setHorizontalHeaderLabels([label for _k, label in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for i, row in enumerate(rows):
            for j, (key, _label) in enumerate(COLUMNS):
                self.table.setItem(i, j, QTableWidgetItem(row.cell(key)))
        self.table.cellDoubleClicked.connect(self._open)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 480)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _open(self, row: int, _column: int) -> None:
        self.open_case.emit(self.ids[row])
        self.accept()
