"""统计报表: a year's intake by month and state, conclusions by outcome and report row, on-time rate."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services import stats
from desktop.services.base import Registry


def _table(headers: list[str], name: str) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(t: QTableWidget, rows: list[tuple]) -> None:
    t.setRowCount(len(rows))
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            t.setItem(i, j, QTableWidgetItem(str(value)))


class StatsView(QWidget):
    def __init__(self, reg: Registry, parent=None):
        super().__init__(parent)
        self.reg = reg
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度"))
        self.year = QSpinBox()
        self.year.setObjectName("stats_year")
        self.year.setRange(2008, reg.today().year)
        self.year.setValue(reg.today().year)
        self.year.valueChanged.connect(self.refresh)
        top.addWidget(self.year)
        self.summary = QLabel()
        self.summary.setObjectName("stats_summary")
        top.addWidget(self.summary, 1)
        layout.addLayout(top)
        tables = QHBoxLayout()
        self.months = _table(["月份", "收到申请"], "stats_months")
        self.states = _table(["当前状态", "件数"], "stats_states")
        self.outcomes = _table(["年报统计行", "办理结果", "件数"], "stats_outcomes")
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>本年收到的申请（按月）</b>"))
        left.addWidget(self.months)
        left.addWidget(QLabel("<b>本年收到的申请（当前状态）</b>"))
        left.addWidget(self.states)
        tables.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>本年办结的申请（按办理结果）</b>"))
        right.addWidget(self.outcomes)
        tables.addLayout(right, 2)
        layout.addLayout(tables, 1)
        self.refresh()

    def refresh(self) -> None:
        s = stats.year_summary(self.reg, self.year.value())
        rate = "—" if s.on_time_rate is None else f"{s.on_time_rate:.1%}"
        self.summary.setText(f"　收到 <b>{s.received}</b> 件；办结 <b>{s.concluded}</b> 件，其中超期 "
                             f"<b>{s.concluded_late}</b> 件；按期办结率 <b>{rate}</b>")
        _fill(self.months, [(f"{m}月", n) for m, n in enumerate(s.by_month, start=1)])
        _fill(self.states, s.by_state)
        _fill(self.outcomes, s.by_outcome)
