"""记录送达: method, date, tracking number, the signed 送达回证 scan and the released versions (公开版)
sent with the reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from desktop.services.letters import DELIVERY_METHODS
from desktop.ui.dialogs.messages import Ask


@dataclass(frozen=True)
class DeliveryInput:
    method: str
    delivered_on: date
    tracking_no: str
    proof: str | None
    enclosures: tuple[int, ...] = ()  # released versions sent with the letter (attachment ids)


class DeliveryDialog(QDialog):
    def __init__(self, title: str, today: date, parent=None, released: list[tuple[int, str]] | tuple = ()):
        super().__init__(parent)
        self.setWindowTitle("记录送达")
        form = QFormLayout(self)
        form.addRow(QLabel(f"<b>{title}</b>"))
        self.method = QComboBox()
        self.method.addItems(list(DELIVERY_METHODS))
        self.delivered_on = QDateEdit(QDate(today.year, today.month, today.day))
        self.delivered_on.setCalendarPopup(True)
        self.delivered_on.setDisplayFormat("yyyy-MM-dd")
        self.delivered_on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.tracking = QLineEdit()
        self.tracking.setPlaceholderText("邮寄送达时必填")
        self.proof = QLineEdit()
        self.proof.setReadOnly(True)
        choose = QPushButton("选择扫描件…")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.proof, 1)
        row.addWidget(choose)
        host = QWidget()
        host.setLayout(row)
        form.addRow("送达方式", self.method)
        form.addRow("送达日期", self.delivered_on)
        form.addRow("邮件号", self.tracking)
        form.addRow("签收的送达回证", host)
        self.enclosures = QListWidget()
        self.enclosures.setObjectName("enclosures")
        for attachment_id, name in released:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, attachment_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.enclosures.addItem(item)
        self.enclosures.setMaximumHeight(90)
        if released:
            form.addRow("随附公开版材料", self.enclosures)
        else:
            self.enclosures.hide()
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
        self.attempt = None  # records the delivery; a refusal is shown here and nothing typed is lost

    def _accept(self) -> None:
        from desktop.ui.errors import said_in

        if self.attempt is not None and not said_in(self.message, lambda: self.attempt(self.value())):
            return
        self.accept()

    def _choose(self) -> None:
        paths = Ask.open_paths(self, "选择送达回证扫描件", "图片或PDF (*.png *.jpg *.jpeg *.pdf *.tif *.tiff)")
        if paths:
            self.proof.setText(paths[0])

    def value(self) -> DeliveryInput:
        d = self.delivered_on.date()
        sent = tuple(self.enclosures.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.enclosures.count())
                     if self.enclosures.item(i).checkState() == Qt.CheckState.Checked)
        return DeliveryInput(self.method.currentText(), date(d.year(), d.month(), d.day()), self.tracking.text(),
                             self.proof.text() or None, sent)

    @classmethod
    def ask(cls, parent, title: str, today: date, released: list[tuple[int, str]] | tuple = (),
            attempt=None) -> DeliveryInput | None:
        """The delivery as entered; with ``attempt`` it is recorded before the dialog closes (a refusal,
        e.g. 邮寄 without a tracking number, keeps the dialog open with the message)."""
        dialog = cls(title, today, parent, released)
        dialog.attempt = attempt
        return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None
