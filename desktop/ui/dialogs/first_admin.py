"""First run: create the first administrator."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout

from desktop.services import agency, users
from desktop.services.base import Registry
from desktop.ui.errors import user_message


class FirstAdminDialog(QDialog):
    def __init__(self, reg: Registry):
        super().__init__()
        self.reg = reg
        self.setWindowTitle("首次使用：创建系统管理员")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("这是一个新的数据库。请创建第一个系统管理员账户。"))
        form = QFormLayout()
        self.login = QLineEdit("admin")
        self.name = QLineEdit("系统管理员")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("登录名", self.login)
        form.addRow("姓名", self.name)
        form.addRow("密码", self.password)
        form.addRow("再次输入密码", self.repeat)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setStyleSheet("color:#c62828")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _create(self) -> None:
        if self.password.text() != self.repeat.text():
            self.message.setText("两次输入的密码不一致")
            return
        try:
            users.create_user(self.reg, None, self.login.text(), self.name.text(), self.password.text(), ["admin"],
                              agency.office_division_id(self.reg))
        except Exception as exc:
            message = user_message(exc)
            if message is None:
                raise
            self.message.setText(message)
            return
        self.accept()

    @classmethod
    def ask(cls, reg: Registry) -> bool:
        return cls(reg).exec() == QDialog.DialogCode.Accepted
