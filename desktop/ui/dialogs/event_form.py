"""The small form behind each handling action: date, reason, comment, division, days, fee …"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
)

from desktop.domain import fees
from desktop.domain.workflow import EVENT_LABELS
from desktop.services import agency, cases
from desktop.services.base import Registry
from desktop.ui.errors import said_in


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # text | text_optional | line | lines | int | division | divisions | choice | fee_method
    default: Any = None
    choices: tuple[tuple[str, str], ...] = ()
    minimum: int = 0
    maximum: int = 0


FORMS: dict[str, list[Field]] = {
    "assign": [Field("lead_division_id", "主办处室", "division"), Field("co_division_ids", "协办处室（可多选）", "divisions")],
    "send_back": [Field("comment", "退回说明（如：请先发补正告知）", "text")],
    "return_to_office": [Field("reason", "退回理由（如：不属于本处室职责）", "text")],
    "note": [Field("text", "办理记录", "text")],
    "review_approve": [Field("comment", "审核意见（可不填）", "text_optional")],
    "review_return": [Field("comment", "退回意见", "text")],
    "leader_approve": [Field("comment", "签发意见（可不填）", "text_optional")],
    "leader_return": [Field("comment", "退回意见", "text")],
    "extension_request": [Field("reason", "延期理由", "text")],
    "extension_approve": [Field("days", "延长的工作日", "int", 20, minimum=1, maximum=20)],
    "extension_refuse": [Field("comment", "不同意的理由", "text")],
    "consultation_start": [
        Field("kind", "征求对象", "choice", "third_party",
              (("third_party", "第三方（第三十二条）"), ("agency", "其他行政机关（第三十四条）"))),
        Field("party", "对象名称", "line"), Field("reason", "征求意见的理由", "text")],
    "consultation_end": [Field("answer", "答复意见摘要（可不填）", "text_optional")],
    "fee_notice": [Field("method", "收费方式", "fee_method", fees.PER_PAGE),
                   Field("pages", "页数（按量计收时）", "int", 31, minimum=1, maximum=100000)],
    "correction_notice": [Field("items", "补正事项（每行一项）", "lines"),
                          Field("period_days", "补正期限（工作日）", "int", 15, minimum=1, maximum=60)],
    "withdrawn": [Field("reason", "撤回说明", "text_optional")],
    "art35_delay": [Field("reason", "理由", "text")],
}


class EventDialog(QDialog):
    def __init__(self, reg: Registry, event: str, title: str, parent=None):
        super().__init__(parent)
        self.reg, self.event_name = reg, event
        self.setWindowTitle(f"{EVENT_LABELS[event]} — {title}")
        self.setMinimumWidth(480)
        form = QFormLayout(self)
        self.widgets: dict[str, Any] = {}
        today = reg.today()
        self.on = QDateEdit(QDate(today.year, today.month, today.day))
        self.on.setObjectName("on")
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        self.on.setMaximumDate(QDate(today.year, today.month, today.day))
        form.addRow("日期", self.on)
        for f in FORMS.get(event, []):
            form.addRow(f.label, self._widget(f))
        self.calc = QLabel()
        self.calc.setObjectName("fee_quote")
        if event == "fee_notice":
            form.addRow("收费标准", self.calc)
            self.widgets["method"].currentIndexChanged.connect(self._quote)
            self.widgets["pages"].valueChanged.connect(self._quote)
            self._quote()
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color:#c62828")
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.case_id: int | None = None
        self.attempt = None

    def _widget(self, f: Field):
        if f.kind in ("text", "text_optional", "lines"):
            w = QPlainTextEdit()
            w.setTabChangesFocus(True)
            w.setMaximumHeight(110)
        elif f.kind == "line":
            w = QLineEdit()
        elif f.kind == "int":
            w = QSpinBox()
            w.setRange(f.minimum, f.maximum)
            w.setValue(f.default or f.minimum)
        elif f.kind == "division":
            w = QComboBox()
            w.addItem("（请选择）", None)  # no default: the office itself is rarely the one that holds it
            for d in agency.divisions(self.reg, active_only=True):
                w.addItem(d["name"], d["id"])
            w.currentIndexChanged.connect(self._lead_changed)
        elif f.kind == "divisions":
            w = QListWidget()
            w.setMaximumHeight(120)
            for d in agency.divisions(self.reg, active_only=True):
                item = QListWidgetItem(d["name"])
                item.setData(Qt.ItemDataRole.UserRole, d["id"])
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                w.addItem(item)
        elif f.kind in ("choice", "fee_method"):
            w = QComboBox()
            choices = f.choices or tuple(fees.METHOD_LABELS.items())
            for value, label in choices:
                w.addItem(label, value)
            w.setCurrentIndex(max(w.findData(f.default), 0))
        else:
            raise ValueError(f.kind)
        w.setObjectName(f.key)
        self.widgets[f.key] = w
        return w

    def _lead_changed(self) -> None:
        """The co-division list never offers the lead division itself."""
        lead = self.widgets.get("lead_division_id")
        others = self.widgets.get("co_division_ids")
        if lead is None or others is None:
            return
        for i in range(others.count()):
            item = others.item(i)
            is_lead = item.data(Qt.ItemDataRole.UserRole) == lead.currentData()
            if is_lead:
                item.setCheckState(Qt.CheckState.Unchecked)
            item.setHidden(is_lead)

    def _quote(self) -> None:
        method = self.widgets["method"].currentData()
        self.widgets["pages"].setEnabled(method == fees.PER_PAGE)
        if method == fees.PER_PAGE:
            q = fees.quote_per_page(self.widgets["pages"].value())
            self.calc.setText(f"{q.tier}；共 {q.amount} 元")
        else:
            n = cases.fee_month_position(self.reg, self.case_id) if self.case_id else 1
            q = fees.quote_per_application(n)
            self.calc.setText(f"本月第{n}件：{q.tier}；{q.amount} 元")

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in FORMS.get(self.event_name, []):
            w = self.widgets[f.key]
            if f.kind in ("text", "text_optional"):
                out[f.key] = w.toPlainText().strip()
            elif f.kind == "lines":
                out[f.key] = [line.strip() for line in w.toPlainText().splitlines() if line.strip()]
            elif f.kind == "line":
                out[f.key] = w.text().strip()
            elif f.kind == "int":
                out[f.key] = w.value()
            elif f.kind in ("division", "choice", "fee_method"):
                out[f.key] = w.currentData()
            elif f.kind == "divisions":
                out[f.key] = [w.item(i).data(Qt.ItemDataRole.UserRole) for i in range(w.count())
                              if w.item(i).checkState() == Qt.CheckState.Checked]
        if self.event_name == "fee_notice" and out.get("method") != fees.PER_PAGE:
            out.pop("pages", None)
        return out

    def on_date(self) -> date:
        d = self.on.date()
        return date(d.year(), d.month(), d.day())

    def _accept(self) -> None:
        for f in FORMS.get(self.event_name, []):
            value = self.values().get(f.key)
            if f.kind in ("text", "line", "lines") and not value:
                self.message.setText(f"请填写“{f.label}”")
                self.widgets[f.key].setFocus()
                return
            if f.kind == "division" and value is None:
                self.message.setText(f"请选择“{f.label}”")
                self.widgets[f.key].setFocus()
                return
        # the action itself, before closing: a refusal keeps what was typed
        if self.attempt is not None and not said_in(
                self.message, lambda: self.attempt(self.on_date(), self.values())):
            return
        self.accept()

    @classmethod
    def ask(cls, parent, reg: Registry, event: str, title: str, case_id: int,
            attempt=None) -> tuple[date, dict] | None:
        """The date and the form's values; with ``attempt(on, values)`` the action runs before the
        dialog closes, and a refusal is shown in it (nothing typed is lost)."""
        dialog = cls(reg, event, title, parent)
        dialog.case_id = case_id
        dialog.attempt = attempt
        if event == "fee_notice":
            dialog._quote()
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.on_date(), dialog.values()
