"""Password change, and the lock screen shown after the configured idle time."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit

from desktop.services import users
from desktop.services.base import Actor, Registry, ServiceError
from desktop.ui.errors import said_in


def _password() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class ChangePasswordDialog(QDialog):
    def __init__(self, reg: Registry, actor: Actor, parent=None):
        super().__init__(parent)
        self.reg, self.actor = reg, actor
        self.setWindowTitle("修改密码")
        form = QFormLayout(self)
        self.old, self.new, self.again = _password(), _password(), _password()
        form.addRow("原密码", self.old)
        form.addRow("新密码（至少8位，含字母和数字）", self.new)
        form.addRow("再次输入新密码", self.again)
        self.message = QLabel()
        self.message.setStyleSheet("color:#c62828")
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._change)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _change(self) -> None:
        if self.new.text() != self.again.text():
            self.message.setText("两次输入的新密码不一致")
            return
        if said_in(self.message, lambda: users.change_password(self.reg, self.actor, self.old.text(),
                                                                 self.new.text())):
            self.accept()

    @classmethod
    def ask(cls, reg: Registry, actor: Actor, parent=None) -> bool:
        return cls(reg, actor, parent).exec() == QDialog.DialogCode.Accepted


class LockDialog(QDialog):
    """The window is locked: only the signed-in user's password opens it again; at a shared counter
    PC another user may sign in instead (the window is closed, nothing of it stays shown)."""

    UNLOCKED, QUIT, SWITCH_USER = 1, 0, 2

    def __init__(self, reg: Registry, actor: Actor, parent=None, manual: bool = False):
        super().__init__(parent)
        self.reg, self.actor = reg, actor
        self.setWindowTitle("已锁定")
        form = QFormLayout(self)
        why = f"{actor.name}已锁定窗口。" if manual else "长时间未操作，窗口已锁定。"
        self.why = QLabel(f"{why}\n请输入 {actor.name}（{actor.login}）的密码继续，或由其他用户登录。")
        form.addRow(self.why)
        self.password = _password()
        form.addRow("密码", self.password)
        self.message = QLabel()
        self.message.setStyleSheet("color:#c62828")
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("解锁")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出程序")
        self.switch = buttons.addButton("切换用户", QDialogButtonBox.ButtonRole.ActionRole)
        self.switch.clicked.connect(lambda: self.done(self.SWITCH_USER))
        buttons.accepted.connect(self._unlock)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _unlock(self) -> None:
        try:
            users.authenticate(self.reg, self.actor.login, self.password.text())
        except ServiceError as exc:
            self.message.setText(str(exc))
            self.password.clear()
            return
        self.accept()

    @classmethod
    def ask(cls, reg: Registry, actor: Actor, parent=None, manual: bool = False) -> int:
        """UNLOCKED, QUIT or SWITCH_USER."""
        return cls(reg, actor, parent, manual).exec()

