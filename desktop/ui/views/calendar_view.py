"""节假日日历: a year at a glance, marking days, and pasting the State Council notice."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QColor, QPalette, QTextCharFormat
from PySide6.QtWidgets import (
    QCalendarWidget,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services import calendar_admin
from desktop.services.base import Actor, Registry, ValidationFailed
from desktop.ui.errors import attempt as _run

OFF = QColor("#c62828")
WORK = QColor("#1565c0")


class CalendarView(QWidget):
    def __init__(self, reg: Registry, actor: Actor, parent=None):
        super().__init__(parent)
        self.reg, self.actor = reg, actor
        self.parsed = None
        layout = QHBoxLayout(self)

        left = QVBoxLayout()
        top = QHBoxLayout()
        top.addWidget(QLabel("年份"))
        self.year = QSpinBox()
        self.year.setObjectName("calendar_year")
        self.year.setRange(2004, 2100)
        self.year.setValue(reg.today().year)
        self.year.valueChanged.connect(self.show_year)
        top.addWidget(self.year)
        top.addStretch(1)
        left.addLayout(top)
        self.warning = QLabel()
        self.warning.setObjectName("calendar_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("background:#fff3cd; color:#7a4f01; padding:6px")
        left.addWidget(self.warning)
        self.months = QGridLayout()
        self.calendars: list[QCalendarWidget] = []
        for m in range(12):
            cal = QCalendarWidget()
            cal.setNavigationBarVisible(False)
            cal.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
            cal.setGridVisible(False)
            cal.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
            cal.setLocale(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
            cal.setHorizontalHeaderFormat(QCalendarWidget.HorizontalHeaderFormat.ShortDayNames)
            palette = cal.palette()  # the picked day is outlined softly, not filled like a holiday
            palette.setColor(QPalette.ColorRole.Highlight, QColor("#dddddd"))
            palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#000000"))
            cal.setPalette(palette)
            cal.clicked.connect(self._picked)
            box = QGroupBox(f"{m + 1}月")
            QVBoxLayout(box).addWidget(cal)
            self.months.addWidget(box, m // 3, m % 3)  # three across: fits a 1366-pixel screen
            self.calendars.append(cal)
        left.addLayout(self.months, 1)
        mark = QHBoxLayout()
        self.picked = QLabel("点击日期以修改")
        self.picked.setObjectName("picked_day")
        self.note = QLineEdit()
        self.note.setPlaceholderText("说明（如：临时调整）")
        self.as_work = QPushButton("设为工作日")
        self.as_off = QPushButton("设为休息日")
        self.as_official = QPushButton("恢复官方安排")
        self.as_work.clicked.connect(lambda: self._mark(True))
        self.as_off.clicked.connect(lambda: self._mark(False))
        self.as_official.clicked.connect(lambda: self._mark(None))
        for w in (self.picked, self.note, self.as_work, self.as_off, self.as_official):
            mark.addWidget(w)
        left.addLayout(mark)
        layout.addLayout(left, 3)

        right = QVBoxLayout()
        intro = QLabel("<b>导入国务院办公厅节假日安排通知</b><br>把通知中“一、元旦：……”等各行粘贴到下面，先预览，再保存。")
        intro.setWordWrap(True)
        right.addWidget(intro)
        self.notice = QPlainTextEdit()
        self.notice.setObjectName("notice_text")
        self.notice.setTabChangesFocus(True)
        right.addWidget(self.notice, 2)
        buttons = QHBoxLayout()
        self.preview_button = QPushButton("预览")
        self.preview_button.setObjectName("preview_notice")
        self.preview_button.clicked.connect(self.preview)
        self.save_button = QPushButton("保存到日历")
        self.save_button.setObjectName("save_notice")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_notice)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        right.addLayout(buttons)
        self.notice_message = QLabel()
        self.notice_message.setObjectName("notice_message")
        self.notice_message.setWordWrap(True)
        right.addWidget(self.notice_message)
        self.preview_table = QTableWidget(0, 3)
        self.preview_table.setObjectName("notice_preview")
        self.preview_table.setHorizontalHeaderLabels(["节日", "放假", "调休上班"])
        self.preview_table.horizontalHeader().setStretchLastSection(True)
        right.addWidget(self.preview_table, 3)
        layout.addLayout(right, 2)
        self.notice.textChanged.connect(lambda: self.save_button.setEnabled(False))
        self.selected: date | None = None
        self.show_year()

    def show_year(self) -> None:
        year = self.year.value()
        view = calendar_admin.year_view(self.reg, year)
        if view.official:
            self.warning.setText(f"{year}年：共 {view.workday_count} 个工作日（红色为工作日放假，蓝色为周末调休上班）。")
            self.warning.setStyleSheet("background:#e7f4e8; color:#1e5e25; padding:6px")
        else:
            self.warning.setText(f"⚠ {year}年没有官方节假日数据，按周一至周五计算工作日。"
                                 "请在国务院办公厅通知发布后于右侧导入。")
            self.warning.setStyleSheet("background:#fff3cd; color:#7a4f01; padding:6px")
        off, work = set(view.days_off_on_weekdays), set(view.working_weekend_days)
        for m, cal in enumerate(self.calendars, start=1):
            cal.setDateTextFormat(QDate(), QTextCharFormat())
            cal.setMinimumDate(QDate(year, m, 1))
            cal.setMaximumDate(QDate(year, m, QDate(year, m, 1).daysInMonth()))
            cal.setCurrentPage(year, m)
            weekend = QTextCharFormat()
            weekend.setForeground(QColor("#888"))
            for d in range(1, QDate(year, m, 1).daysInMonth() + 1):
                day = date(year, m, d)
                fmt = QTextCharFormat()
                if day in off:
                    fmt.setBackground(QColor("#f8d0cc"))
                    fmt.setForeground(OFF)
                elif day in work:
                    fmt.setBackground(QColor("#d0e2f8"))
                    fmt.setForeground(WORK)
                    fmt.setFontWeight(700)
                elif day.weekday() >= 5:
                    fmt = weekend
                cal.setDateTextFormat(QDate(year, m, d), fmt)

    def _picked(self, qdate: QDate) -> None:
        self.selected = date(qdate.year(), qdate.month(), qdate.day())
        kind = "工作日" if self.reg.calendar().is_workday(self.selected) else "休息日"
        self.picked.setText(f"{self.selected.isoformat()}（现为{kind}）")

    def _mark(self, is_workday: bool | None) -> None:
        if self.selected is None:
            return
        if _run(self, "修改日历", lambda: calendar_admin.set_day(self.reg, self.actor, self.selected, is_workday,
                                                             self.note.text())):
            self._picked(QDate(self.selected.year, self.selected.month, self.selected.day))
            self.show_year()

    def preview(self) -> None:
        self.preview_table.setRowCount(0)
        try:
            self.parsed = calendar_admin.preview_notice(self.notice.toPlainText(), self.year.value())
        except ValidationFailed as exc:
            self.parsed = None
            self.notice_message.setText("无法识别：" + "；".join(str(p) for p in exc.problems))
            self.notice_message.setStyleSheet("color:#c62828")
            self.save_button.setEnabled(False)
            return
        for h in self.parsed.holidays:
            row = self.preview_table.rowCount()
            self.preview_table.insertRow(row)
            off = f"{h.days_off[0].month}月{h.days_off[0].day}日至{h.days_off[-1].month}月{h.days_off[-1].day}日（{len(h.days_off)}天）"
            work = "、".join(f"{d.month}月{d.day}日" for d in h.workdays) or "—"
            for col, text in enumerate((h.name, off, work)):
                self.preview_table.setItem(row, col, QTableWidgetItem(text))
        self.preview_table.resizeColumnsToContents()
        self.notice_message.setText(f"识别出 {len(self.parsed.holidays)} 个节日、放假 {len(self.parsed.days_off)} 天、"
                                    f"调休上班 {len(self.parsed.workdays)} 天。核对无误后点“保存到日历”。")
        self.notice_message.setStyleSheet("color:#1e5e25")
        self.save_button.setEnabled(True)

    def save_notice(self) -> None:
        if self.parsed is None:
            return
        year = self.year.value()
        if _run(self, "导入节假日", lambda: calendar_admin.import_notice(self.reg, self.actor,
                                                                    self.notice.toPlainText(), year)):
            self.notice_message.setText(f"{year}年节假日安排已保存，所有未办结案件的期限已重新计算。")
            self.save_button.setEnabled(False)
            self.show_year()
