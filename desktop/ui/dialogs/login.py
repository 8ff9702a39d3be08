"""Sign-in dialog."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.services import users
from desktop.services.base import Actor, Registry, ServiceError


class LoginDialog(QDialog):
    def __init__(self, reg: Registry, agency_name: str, parent: QWidget | None = None, hint: str = ""):
        super().__init__(parent)
        self.reg = reg
        self.actor: Actor | None = None
        self.setWindowTitle("登录 — 政府信息公开申请办理系统")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{agency_name}</b><br>政府信息公开申请办理系统")
        layout.addWidget(title)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setWordWrap(True)
            hint_label.setStyleSheet("color:#555")
            layout.addWidget(hint_label)
        form = QFormLayout()
        self.login = QLineEdit()
        self.login.setObjectName("login")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("登录名", self.login)
        form.addRow("密码", self.password)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setStyleSheet("color: #b00020")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("登录")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.login.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.try_login)

    def try_login(self) -> None:
        if not self.login.text().strip():
            self.message.setText("请输入登录名")
            self.login.setFocus()
            return
        try:
            self.actor = users.authenticate(self.reg, self.login.text(), self.password.text())
        except ServiceError as exc:
            self.message.setText(str(exc))
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()

    @classmethod
    def ask(cls, reg: Registry, agency_name: str, hint: str = "") -> Actor | None:
        dialog = cls(reg, agency_name, hint=hint)
        return dialog.actor if dialog.exec() == QDialog.DialogCode.Accepted else None
