"""统计报表: statistics for a period and a division (charts beside the same numbers as tables),
and the annual report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain import outcomes
from desktop.services import agency, privacy, stats
from desktop.services.base import Actor, Registry
from desktop.ui.changes import FollowsChanges
from desktop.ui.dialogs.messages import Ask
from desktop.ui.workers import Worker


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
            item = QTableWidgetItem(str(value))
            if isinstance(value, int | float):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            t.setItem(i, j, item)


def nice_axis(highest: int, most_ticks: int = 6) -> tuple[int, int]:
    """(top, tick count) of a count axis whose ticks are round numbers: steps of 1, 2 or 5 × 10ⁿ."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            size = step * factor
            intervals = max(-(-highest // size), 1)
            if intervals + 1 <= most_ticks:
                return size * intervals, intervals + 1
        step *= 10


def _bar_chart(title: str, categories: list[str], series: dict[str, list[int]]) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    bars = QBarSeries()
    for name, values in series.items():
        bar_set = QBarSet(name)
        bar_set.append([float(v) for v in values])
        bars.append(bar_set)
    chart.addSeries(bars)
    axis_x = QBarCategoryAxis()
    axis_x.append(categories)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    bars.attachAxis(axis_x)
    axis_y = QValueAxis()
    top, ticks = nice_axis(max([0] + [v for values in series.values() for v in values]))
    axis_y.setRange(0, top)
    axis_y.setTickCount(ticks)
    axis_y.setLabelFormat("%d")
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(axis_y)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


class StatisticsView(QWidget):
    open_case = Signal(int)

    def __init__(self, reg: Registry, actor: Actor | None = None, parent=None):
        super().__init__(parent)
        self.reg, self.actor = reg, actor
        self.drilled = None  # the last list of cases opened from a number (for tests)
        self.result: stats.Stats | None = None
        self.worker: Worker | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        today = reg.today()
        self.first = QDateEdit(QDate(today.year, 1, 1))
        self.last = QDateEdit(QDate(today.year, today.month, today.day))
        for w, name in ((self.first, "stats_first"), (self.last, "stats_last")):
            w.setObjectName(name)
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
        self.division = QComboBox()
        self.division.setObjectName("stats_division")
        self.division.addItem("全部处室", None)
        self.division_ids = {name: i for i, name in reg.division_names().items()}  # the table names them
        for d in agency.divisions(reg):
            self.division.addItem(d["name"], d["id"])
        self.go = QPushButton("统计")
        self.go.setObjectName("stats_go")
        self.go.clicked.connect(self.refresh)
        self.export = QPushButton("导出Excel…")
        self.export.clicked.connect(self.export_xlsx)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        for label, w in (("从", self.first), ("至", self.last), ("处室", self.division)):
            top.addWidget(QLabel(label))
            top.addWidget(w)
        top.addWidget(self.go)
        top.addWidget(self.progress)
        top.addStretch(1)
        top.addWidget(self.export)
        layout.addLayout(top)
        self.summary = QLabel()
        self.summary.setObjectName("stats_summary")
        self.summary.setWordWrap(True)
        self.summary.linkActivated.connect(lambda figure: self.drill(figure))
        layout.addWidget(self.summary)
        grid = QGridLayout()
        self.month_chart = QChartView()
        self.month_chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.division_chart = QChartView()
        self.months = _table(["月份", "收到申请", "办结"], "stats_months")
        self.outcomes = _table(["年报统计行", "办理结果", "办结件数"], "stats_outcomes")
        # the label column takes what is left: the counts are never pushed out of sight
        self.outcomes.horizontalHeader().setStretchLastSection(False)
        self.outcomes.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.divisions = _table(["处室", "收到申请", "办结", "超期办结"], "stats_divisions")
        self.months.cellDoubleClicked.connect(self._drill_month)
        self.outcomes.cellDoubleClicked.connect(self._drill_outcome)
        self.divisions.cellDoubleClicked.connect(self._drill_division)
        for t in (self.months, self.outcomes, self.divisions):
            t.setToolTip("双击数字，列出这些案件")
        grid.addWidget(self.month_chart, 0, 0)
        grid.addWidget(self.months, 0, 1)
        grid.addWidget(self.division_chart, 1, 0)
        grid.addWidget(self.divisions, 1, 1)
        grid.addWidget(self.outcomes, 0, 2, 2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 3)
        layout.addLayout(grid, 1)
        self._shown_once = False

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name): first figures when first shown
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.refresh()

    def wait_for_work(self) -> None:
        if self.worker is not None:
            self.worker.wait()

    def period(self) -> tuple[date, date]:
        a, b = self.first.date(), self.last.date()
        return date(a.year(), a.month(), a.day()), date(b.year(), b.month(), b.day())

    def refresh(self) -> None:
        if self.worker is not None:
            return
        first, last = self.period()
        if first > last:
            Ask.error(self, "统计", "开始日期不能晚于结束日期")
            return
        division = self.division.currentData()
        self.go.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.worker = Worker(self.reg.target, self.reg.today,
                             lambda reg, progress: stats.compute(reg, first, last, division, progress), self)
        self.worker.progressed.connect(lambda done, total: (self.progress.setRange(0, total),
                                                            self.progress.setValue(done)))
        self.worker.succeeded.connect(self.show_result)
        self.worker.failed.connect(lambda message: (self._done(), Ask.error(self, "统计", message)))
        self.worker.start()

    def _done(self) -> None:
        if self.worker is not None:
            self.worker.wait()
        self.worker = None
        self.go.setEnabled(True)
        self.progress.setVisible(False)

    def show_result(self, s: stats.Stats) -> None:
        self._done()
        self.result = s
        rate = "—" if s.on_time_rate is None else f"{s.on_time_rate:.1%}"
        avg = "—" if s.average_working_days is None else f"{s.average_working_days:.1f}"
        def link(figure: str, n: int) -> str:
            return f'<a href="{figure}"><b>{n}</b></a>'
        self.summary.setText(f"{s.first} 至 {s.last}，{s.division}：收到 {link('received', s.received)} 件；"
                             f"办结 {link('concluded', s.concluded)} 件，其中超期 {link('concluded_late', s.concluded_late)} 件，"
                             f"按期办结率 <b>{rate}</b>（已办结案件中未超期的比例，未办结的不计）；"
                             f"平均答复用时 <b>{avg}</b> 个工作日；"
                             f"目前已超期未办结 {link('overdue_now', s.overdue_now)} 件（点击数字列出案件）")
        _fill(self.months, s.by_month)
        _fill(self.outcomes, s.by_outcome)
        _fill(self.divisions, s.by_division)
        self.month_chart.setChart(_bar_chart("按月", [m[5:] if len(s.by_month) <= 12 else m for m, _r, _c in s.by_month],
                                             {"收到申请": [r for _m, r, _c in s.by_month],
                                              "办结": [c for _m, _r, c in s.by_month]}))
        self.division_chart.setChart(_bar_chart("按处室", [d[0] for d in s.by_division],
                                                {"收到申请": [d[1] for d in s.by_division],
                                                 "办结": [d[2] for d in s.by_division]}))

    # -- the cases behind a number ------------------------------------------------------------
    def drill(self, figure: str, division_id: int | None = None, month: str | None = None,
              outcome: str | None = None, what: str = "") -> None:
        """List the cases counted in one number (only those this user may read)."""
        if self.result is None:
            return
        from desktop.ui.dialogs.case_list import CaseListDialog

        s = self.result
        division_id = division_id or self.division.currentData()
        ids = stats.cases_behind(self.reg, self.actor, s.first, s.last, figure, division_id, month, outcome)
        period = "目前" if figure == "overdue_now" else f"{s.first} 至 {s.last}"
        title = f"{period}{what or stats.FIGURE_LABELS[figure]}的案件"
        note = "只列出本处室承办和您办理过的案件" if privacy.own_cases_only(self.actor) else ""
        dialog = CaseListDialog(self.reg, title, ids, note, self)
        dialog.open_case.connect(self.open_case)
        self.drilled = dialog
        dialog.show()

    def _drill_month(self, row: int, column: int) -> None:
        if self.result is not None and column in (1, 2):
            month = self.result.by_month[row][0]
            figure = "received" if column == 1 else "concluded"
            self.drill(figure, month=month, what=f"（{month}）{stats.FIGURE_LABELS[figure]}")

    def _drill_outcome(self, row: int, column: int) -> None:
        if self.result is not None and column == 2:
            o = outcomes.CATALOGUE[row]
            self.drill("outcome", outcome=o.code, what=f"办结为“{o.label}”")

    def _drill_division(self, row: int, column: int) -> None:
        if self.result is not None and column in (1, 2, 3):
            name = self.result.by_division[row][0]
            figure = ("received", "concluded", "concluded_late")[column - 1]
            self.drill(figure, division_id=self.division_ids.get(name), what=f"{name}{stats.FIGURE_LABELS[figure]}")

    def export_xlsx(self) -> None:
        if self.result is None:
            return
        path = Ask.save_path(self, "导出统计", f"统计-{self.result.first}-{self.result.last}.xlsx", "Excel 工作簿 (*.xlsx)")
        if path:
            stats.write_xlsx(self.result, Path(path))
            Ask.info(self, "导出统计", f"已导出到 {path}")


class StatsView(FollowsChanges, QTabWidget):
    """The 统计报表 page: statistics and the annual report. A change to cases or to the report moves the
    annual figures at once while shown; texts being written are reloaded only when the page is next shown."""
    changes = Signal(object)  # services.base.Changes: the annual report's texts, figures, finalisation

    def __init__(self, reg: Registry, actor: Actor, parent=None):
        super().__init__(parent)
        from desktop.ui.views.annual_view import AnnualReportView

        self.statistics = StatisticsView(reg, actor)
        self.open_case = self.statistics.open_case
        self.annual = AnnualReportView(reg, actor)
        self.addTab(self.statistics, "统计")
        self.addTab(self.annual, "年度报告")

    def refresh(self) -> None:
        self.annual.refresh()

    def concerns(self, changes) -> bool:
        return changes.cases or changes.reports

    def follow(self, changes) -> None:
        self.annual.refresh_figures()
