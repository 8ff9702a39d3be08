"""年度报告: the official tables for a year with their checks, the office's texts and entries,
reconsideration and lawsuit cases, exports, making the year final and (administrator) unlocking.

What keeps the report from being published (a draft, a year not over, a failing check) is said at the
top, in the same words the exported files carry on every page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.documents.annual_tables import Grid, part3_grid, part4_grid
from desktop.domain.annual_report import PART2, REMEDY_KINDS, REMEDY_RESULTS
from desktop.services import annual
from desktop.services.base import Actor, Registry
from desktop.ui.dialogs.messages import Ask
from desktop.ui.errors import attempt
from desktop.ui.workers import Worker


def show_grid(table: QTableWidget, grid: Grid, max_label_width: int = 320) -> None:
    table.clear()
    table.setRowCount(grid.rows)
    table.setColumnCount(grid.cols)
    table.clearSpans()
    for cell in grid.cells:
        item = QTableWidgetItem(str(cell.value))
        item.setTextAlignment((Qt.AlignmentFlag.AlignCenter if cell.header or not isinstance(cell.value, str)
                               else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter)
        if cell.header:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        table.setItem(cell.r, cell.c, item)
        if cell.rs > 1 or cell.cs > 1:
            table.setSpan(cell.r, cell.c, cell.rs, cell.cs)
    # each column as wide as its own cells (a merged cell spreads over its columns), long labels wrap
    widths = [36] * grid.cols
    for cell in grid.cells:
        if cell.cs == 1:
            needed = QFontMetrics(table.item(cell.r, cell.c).font()).horizontalAdvance(str(cell.value)) + 16
            widths[cell.c] = max(widths[cell.c], min(needed, max_label_width))
    for c, w in enumerate(widths):
        table.setColumnWidth(c, w)
    table.resizeRowsToContents()


class AnnualReportView(QWidget):
    def __init__(self, reg: Registry, actor: Actor, parent=None):
        super().__init__(parent)
        self.reg, self.actor = reg, actor
        self.worker: Worker | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度"))
        self.year = QSpinBox()
        self.year.setObjectName("report_year")
        self.year.setRange(2008, reg.today().year)
        self.year.setValue(reg.today().year - 1 if reg.today().month <= 3 else reg.today().year)
        self.year.valueChanged.connect(self.refresh)
        top.addWidget(self.year)
        self.status = QLabel()
        self.status.setObjectName("report_status")
        top.addWidget(self.status, 1)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        top.addWidget(self.progress)
        for text, fmt in (("导出Excel…", "xlsx"), ("导出PDF…", "pdf"), ("导出网页…", "html")):
            b = QPushButton(text)
            b.clicked.connect(lambda _c=False, f=fmt: self.export(f))
            top.addWidget(b)
        self.final_button = QPushButton("定稿")
        self.final_button.setObjectName("finalize")
        self.final_button.clicked.connect(self.finalize)
        self.unlock_button = QPushButton("解除锁定…")
        self.unlock_button.clicked.connect(self.unlock)
        self.unlock_button.setVisible("admin" in actor.roles)
        top.addWidget(self.final_button)
        top.addWidget(self.unlock_button)
        layout.addLayout(top)
        self.marks = QLabel()
        self.marks.setObjectName("report_marks")
        self.marks.setWordWrap(True)
        self.marks.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.marks.setStyleSheet("QLabel { color: #c00000; border: 1px solid #c00000; padding: 4px 8px; }")
        layout.addWidget(self.marks)

        splitter = QSplitter()
        layout.addWidget(splitter, 1)
        left = QWidget()
        ll = QVBoxLayout(left)
        self.table3 = QTableWidget()
        self.table3.setObjectName("part3")
        self.table3.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table3.horizontalHeader().setVisible(False)
        self.table3.verticalHeader().setVisible(False)
        ll.addWidget(QLabel("<b>三、收到和处理政府信息公开申请情况</b>"))
        ll.addWidget(self.table3, 3)
        ll.addWidget(QLabel("<b>四、政府信息公开行政复议、行政诉讼情况</b>"))
        self.table4 = QTableWidget()
        self.table4.setObjectName("part4")
        self.table4.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table4.horizontalHeader().setVisible(False)
        self.table4.verticalHeader().setVisible(False)
        self.table4.setMaximumHeight(150)
        ll.addWidget(self.table4)
        self.checks = QListWidget()
        self.checks.setObjectName("checks")
        self.checks.setMaximumHeight(110)
        ll.addWidget(QLabel("<b>勾稽关系检查</b>"))
        ll.addWidget(self.checks)
        splitter.addWidget(left)

        tabs = QTabWidget()
        self.text_edits: dict[str, QPlainTextEdit] = {}
        texts_tab = QWidget()
        tl = QVBoxLayout(texts_tab)
        for part, title in (("一", "一、总体情况"), ("五", "五、存在的主要问题及改进情况"), ("六", "六、其他需要报告的事项（收费情况自动生成）")):
            tl.addWidget(QLabel(title))
            edit = QPlainTextEdit()
            edit.setObjectName(f"text_{part}")
            self.text_edits[part] = edit
            tl.addWidget(edit)
        save_texts = QPushButton("保存文字")
        save_texts.clicked.connect(self.save_texts)
        tl.addWidget(save_texts)
        tabs.addTab(texts_tab, "报告文字")
        part2_tab = QWidget()
        p2 = QFormLayout(part2_tab)
        self.part2_edits: dict[tuple[str, str], QDoubleSpinBox] = {}
        labels = {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
                  "decisions": "本年处理决定数量", "amount": "本年收费金额（万元）"}
        for section, _headers, items, fields in PART2:
            p2.addRow(QLabel(f"<b>{section}</b>"))
            for item in items:
                for field in fields:
                    spin = QDoubleSpinBox()
                    spin.setRange(0, 1e9)
                    spin.setDecimals(4 if field == "amount" else 0)
                    spin.setObjectName(f"p2_{item}_{field}")
                    self.part2_edits[(item, field)] = spin
                    p2.addRow(f"{item}：{labels[field]}", spin)
        save2 = QPushButton("保存主动公开数据")
        save2.clicked.connect(self.save_part2)
        p2.addRow(save2)
        tabs.addTab(part2_tab, "二、主动公开")
        tabs.addTab(self._remedy_tab(), "复议诉讼案件")
        splitter.addWidget(tabs)
        splitter.setSizes([900, 450])
        self.refresh()

    def _remedy_tab(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        self.remedies = QTableWidget(0, 5)
        self.remedies.setHorizontalHeaderLabels(["类型", "收到日期", "结果", "审结日期", "备注"])
        self.remedies.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.remedies, 1)
        form = QGroupBox("登记一件复议或诉讼")
        f = QFormLayout(form)
        self.r_kind = QComboBox()
        for key, label in REMEDY_KINDS.items():
            self.r_kind.addItem(label, key)
        today = self.reg.today()
        self.r_filed = QDateEdit(QDate(today.year, today.month, today.day))
        self.r_result = QComboBox()
        self.r_result.addItem("尚未审结", None)
        for key, label in REMEDY_RESULTS.items():
            self.r_result.addItem(label, key)
        self.r_concluded = QDateEdit(QDate(today.year, today.month, today.day))
        self.r_case = QLineEdit()
        self.r_case.setPlaceholderText("相关申请编号（可不填）")
        for w in (self.r_filed, self.r_concluded):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
        self.r_result.currentIndexChanged.connect(lambda: self.r_concluded.setEnabled(self.r_result.currentData() is not None))
        self.r_concluded.setEnabled(False)
        add = QPushButton("登记")
        add.clicked.connect(self.add_remedy)
        for label, w in (("类型", self.r_kind), ("收到日期", self.r_filed), ("结果", self.r_result),
                         ("审结日期", self.r_concluded), ("申请编号", self.r_case)):
            f.addRow(label, w)
        f.addRow(add)
        layout.addWidget(form)
        return box

    def refresh(self) -> None:
        """The year's figures and what was written and entered for it."""
        report, state, final = self.refresh_figures()
        year = self.year.value()
        for part, text in annual.texts(self.reg, year).items():
            self.text_edits[part].setPlainText(text)
            self.text_edits[part].setReadOnly(final)
        for key, spin in self.part2_edits.items():
            spin.setValue(report.part2.get(key, 0))
            spin.setReadOnly(final)
        rows = annual.remedies(self.reg, year)
        self.remedies.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = (REMEDY_KINDS[r["kind"]], r["filed_on"], REMEDY_RESULTS.get(r["result"] or "", "尚未审结"),
                      r["concluded_on"] or "", r["notes"] or "")
            for j, v in enumerate(values):
                self.remedies.setItem(i, j, QTableWidgetItem(v))

    def refresh_figures(self):
        """The tables, checks and state only: what the user is typing in the texts stays as it is."""
        year = self.year.value()
        report = annual.compute(self.reg, year)
        show_grid(self.table3, part3_grid(report))
        show_grid(self.table4, part4_grid(report))
        self.checks.clear()
        for c in report.checks:
            item = QListWidgetItem(("✔ " if c.passed else "✘ ") + c.name + ("" if c.passed else f"：{c.detail}"))
            item.setForeground(Qt.GlobalColor.darkGreen if c.passed else Qt.GlobalColor.red)
            self.checks.addItem(item)
        final = annual.is_final(self.reg, year)
        state = annual.state(self.reg, year, report)
        self.status.setText(f"{year}年度：" + self._status_text(final, report, state))
        self.marks.setText("\n".join(state.notes()))
        self.marks.setVisible(bool(state.notes()))
        self.final_button.setEnabled(not final and state.publishable)
        self.final_button.setToolTip("" if final or state.publishable else "不能定稿：" + "".join(state.notes()))
        self.unlock_button.setEnabled(final)
        self.report = report
        self.state = state
        return report, state, final

    @staticmethod
    def _status_text(final: bool, report, state) -> str:
        if final:
            return "已定稿，该年度数据已锁定"
        words = [w for w in (state.unfinished, "草稿" if state.draft else "") if w]
        if not report.passed:
            words.append("检查未通过，不能定稿")
        elif state.draft:
            words.append("尚未完成，不能定稿")
        elif state.as_of:
            words.append("年度结束后才能定稿")
        else:
            words.append("检查通过，可以定稿")
        return "；".join(words)

    def save_texts(self) -> None:
        year = self.year.value()
        if all(attempt(self, "保存文字", lambda p=part, e=edit: annual.save_text(self.reg, self.actor, year, p, e.toPlainText()))
               for part, edit in self.text_edits.items()):
            self.refresh()  # the draft mark goes once 一 and 五 are written
            Ask.info(self, "保存文字", "已保存。")

    def save_part2(self) -> None:
        values = {k: s.value() for k, s in self.part2_edits.items()}
        if attempt(self, "保存", lambda: annual.save_part2(self.reg, self.actor, self.year.value(), values)):
            self.refresh()

    def add_remedy(self) -> None:
        def qd(w):
            d = w.date()
            return date(d.year(), d.month(), d.day())

        result = self.r_result.currentData()
        if attempt(self, "登记复议诉讼", lambda: annual.add_remedy(
                self.reg, self.actor, self.r_kind.currentData(), qd(self.r_filed), result,
                qd(self.r_concluded) if result else None, self.r_case.text().strip() or None)):
            self.refresh()

    def export(self, fmt: str) -> None:
        if self.worker is not None:
            return
        year = self.year.value()
        path = Ask.save_path(self, "导出年度报告", f"{year}年政府信息公开工作年度报告.{fmt}", f"*.{fmt}")
        if not path:
            return
        target = Path(path)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.worker = Worker(self.reg.target, self.reg.today, lambda reg, _p: (
            annual.export(reg, year, target, fmt), annual.state(reg, year)), self)
        self.worker.succeeded.connect(lambda result: self._exported(target, *result))
        self.worker.failed.connect(lambda message: (self._exported(None, None, None), Ask.error(self, "导出", message)))
        self.worker.start()

    def _exported(self, target, report, state) -> None:
        if self.worker is not None:
            self.worker.wait()
        self.worker = None
        self.progress.setVisible(False)
        if target is not None:
            marks = "、".join(f"“{m}”" for m in state.marks)
            note = f"\n\n注意：文件每页已标明{marks}，不能作为正式报告发布。\n" + "\n".join(state.notes()) if marks else ""
            Ask.info(self, "导出", f"已导出到 {target}{note}")

    def finalize(self) -> None:
        year = self.year.value()
        if Ask.confirm(self, "定稿", f"将{year}年度报告定稿？定稿后该年度的数据将被锁定。", "定稿") and attempt(self,
                "定稿", lambda: annual.finalize(self.reg, self.actor, year)):
            self.refresh()

    def unlock(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        year = self.year.value()
        reason, ok = QInputDialog.getText(self, "解除锁定", f"解除{year}年度锁定的理由：")
        if ok and attempt(self, "解除锁定", lambda: annual.unlock(self.reg, self.actor, year, reason)):
            self.refresh()
